#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# bench_report.py WORK OUT
#
# The report of scripts/bench.sh: reads the iwarp-perf JSON files
# (WORK/<transport>_<test>.<run>.json), the commands (WORK/commands.txt) and
# the run's facts (WORK/meta.txt, KEY=value lines) that bench.sh left in its
# scratch directory WORK, and writes into OUT (docs/bench):
#
#   bench.csv      every row of every sweep (the best run per size)
#   targets.csv    one row per performance target: rdma value, baseline
#                  value, ratio, bound, met
#   *.png          throughput and %CPU against I/O size, latency, and the
#                  busy share at a fixed 10 Gbit/s offered rate
#   README.md      the report: the targets table, machine, method,
#                  commands, plots and the per-test tables
#
# and prints the targets table (plain text) on stdout.
#
# Every target is measured in the same run as its baseline. A target whose
# numbers are missing (a transport not run, the rate-limited sweep without
# iwarp-perf --rate_limit, a failed run) says "not measured" and why; no
# number is ever made up.
import csv
import json
import os
import re
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

work, out = sys.argv[1], sys.argv[2]


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                meta[k] = v
    return meta


meta = read_meta(os.path.join(work, "meta.txt"))
transports = meta["TRANSPORTS"].split()
tests = meta["TESTS"].split()
# 64 B for STEADY_S seconds each: the message-rate targets (absent before them)
STEADY = meta.get("STEADY_TESTS", "").split()
STEADY_S = meta.get("STEADY_S", "")
repeat = int(meta["REPEAT"])
RATE_TEST = meta["RATE_TEST"]          # the rate-limited write_bw sweep
RATE_GBPS = float(meta["RATE_GBPS"])   # its offered rate
rate_state = meta["RATE_STATE"]        # measured | absent
NO_RATE = "iwarp-perf has no --rate_limit"
NAME = {"rdma": "iWARP RDMA", "raw": "raw", "ktcp": "kernel TCP"}
LABEL = {"raw": "raw L2 (net_memif)", "ktcp": "kernel TCP (veth, MTU 1500)",
         "rdma": "iWARP (librte_iwarp)"}
# One colour per transport in every panel and plot (client solid, server dashed).
COLOUR = {tr: "C%d" % i for i, tr in enumerate(["rdma", "raw", "ktcp"])}


# ---------------------------------------------------------------- the runs
def better(t, a, b):
    """The better of two runs' rows of one size: highest BW average (BW
    tests, the rate-limited one too), lowest median latency."""
    if "_bw" in t:
        return a if a["bw_avg_Gbps"] >= b["bw_avg_Gbps"] else b
    return a if a["t_typical_usec"] <= b["t_typical_usec"] else b


def failure(tr, t):
    """Why a sweep has no JSON (bench.sh writes WORK/<tr>_<t>.<run>.failed)."""
    for rep in range(1, repeat + 1):
        p = os.path.join(work, "%s_%s.%d.failed" % (tr, t, rep))
        if os.path.exists(p):
            with open(p) as f:
                return f.read().strip() or "the run failed"
    return None


rows = {}       # (transport, test) -> [best row per size, by size]
nruns = {}      # (transport, test) -> runs that produced a JSON
for tr in transports:
    for t in tests + [RATE_TEST] + STEADY:
        runs = []
        for rep in range(1, repeat + 1):
            p = os.path.join(work, "%s_%s.%d.json" % (tr, t, rep))
            if os.path.exists(p):
                with open(p) as f:
                    runs.append(json.load(f)["results"])
        if not runs:
            continue
        best = runs[0]
        for other in runs[1:]:
            best = [better(t, a, b) for a, b in zip(best, other)]
        rows[(tr, t)] = best
        nruns[(tr, t)] = len(runs)


def row(tr, t, b):
    for r in rows.get((tr, t), []):
        if r["bytes"] == b:
            return r
    return None


def xs(rs):
    return [r["bytes"] for r in rs]


def size_label(b):
    return "%d" % b if b < 1024 else "%dK" % (b // 1024)


# ---------------------------------------------------------------- bench.csv
cols = ["transport", "test", "bytes", "iterations", "bw_peak_gbps", "bw_avg_gbps",
        "msg_rate_mpps", "t_min_usec", "t_typical_usec", "t_avg_usec", "t_99_usec",
        "t_99_9_usec", "client_cpu_busy_pct", "client_cycles_per_byte",
        "server_cpu_busy_pct", "server_cycles_per_byte",
        "client_tx_fpdus", "client_tx_data_frames", "client_rx_frames"]
with open(os.path.join(out, "bench.csv"), "w") as f:
    f.write(",".join(cols) + "\n")
    for (tr, t), rs in rows.items():
        for r in rs:
            v = [tr, t, r["bytes"], r["iterations"],
                 r.get("bw_peak_Gbps", ""),
                 r.get("bw_avg_Gbps", ""), r.get("msg_rate_Mpps", ""),
                 r.get("t_min_usec", ""), r.get("t_typical_usec", ""),
                 r.get("t_avg_usec", ""), r.get("t_99_usec", ""), r.get("t_99_9_usec", ""),
                 r["cpu_busy_pct"], r["cycles_per_byte"], r["peer_cpu_busy_pct"],
                 r["peer_cycles_per_byte"], r.get("tx_fpdus", ""),
                 r.get("tx_data_frames", ""), r.get("rx_frames", "")]
            f.write(",".join(("%.4f" % x) if isinstance(x, float) else str(x) for x in v)
                    + "\n")


# ---------------------------------------------------------------- targets
def n_half(tr):
    """n1/2 of write_bw: the smallest size whose BW average reaches half of
    the highest BW average of the sweep; (n1/2, highest, its size)."""
    rs = rows.get((tr, "write_bw"))
    if not rs:
        return None
    top = max(rs, key=lambda r: r["bw_avg_Gbps"])
    for r in sorted(rs, key=lambda r: r["bytes"]):
        if r["bw_avg_Gbps"] >= top["bw_avg_Gbps"] / 2:
            return r["bytes"], top["bw_avg_Gbps"], top["bytes"]
    return None


# One target: which test and size, which number (a JSON key, or "n_half"),
# compared with which baseline (None: an absolute bound on the rdma value),
# and the bound: op is "<=" or ">=", applied to rdma/baseline (or to the rdma
# value when baseline is None).
# The metric names are short (the plain-text table is printed on a terminal);
# the README's legend spells them out.
# The message rates from the steady runs where bench.sh made them.
MSG_RATE_TEST = {v: ("%s_bw_steady" % v) if ("%s_bw_steady" % v) in STEADY else "%s_bw" % v
                 for v in ("write", "send")}
TARGETS = [
    dict(name="write_lat_64B_median_vs_raw", test="write_lat", bytes=64,
         key="t_typical_usec", metric="median", unit="usec",
         baseline="raw", op="<=", bound=2.0, bound_text="2.0"),
    dict(name="write_lat_64B_p99_vs_raw", test="write_lat", bytes=64,
         key="t_99_usec", metric="p99", unit="usec",
         baseline="raw", op="<=", bound=3.0, bound_text="3.0"),
    dict(name="write_lat_64B_median_vs_ktcp", test="write_lat", bytes=64,
         key="t_typical_usec", metric="median", unit="usec",
         baseline="ktcp", op="<=", bound=1 / 40.0, bound_text="0.025 (1/40)"),
    dict(name="write_bw_64B_msg_rate", test=MSG_RATE_TEST["write"], bytes=64,
         key="msg_rate_Mpps", metric="msg rate", unit="M/s",
         baseline=None, op=">=", bound=8.0, bound_text="8"),
    dict(name="write_bw_64B_msg_rate_vs_raw", test=MSG_RATE_TEST["write"], bytes=64,
         key="msg_rate_Mpps", metric="msg rate", unit="M/s",
         baseline="raw", op=">=", bound=1.0, bound_text="1.0"),
    dict(name="send_bw_64B_msg_rate", test=MSG_RATE_TEST["send"], bytes=64,
         key="msg_rate_Mpps", metric="msg rate", unit="M/s",
         baseline=None, op=">=", bound=8.0, bound_text="8"),
    dict(name="send_bw_64B_msg_rate_vs_raw", test=MSG_RATE_TEST["send"], bytes=64,
         key="msg_rate_Mpps", metric="msg rate", unit="M/s",
         baseline="raw", op=">=", bound=1.0, bound_text="1.0"),
]
for t in ("write_bw", "send_bw", "read_bw"):
    TARGETS += [
        dict(name="%s_64KiB_bw_vs_raw" % t, test=t, bytes=65536, key="bw_avg_Gbps",
             metric="BW avg", unit="Gbit/s", baseline="raw", op=">=", bound=0.8),
        dict(name="%s_64KiB_cycles_per_byte_client_vs_raw" % t, test=t, bytes=65536,
             key="cycles_per_byte", unit="cyc/B", baseline="raw", op="<=", bound=1.2,
             metric="client (%s)" % ("requester" if t == "read_bw" else "sender")),
        dict(name="%s_64KiB_cycles_per_byte_server_vs_raw" % t, test=t, bytes=65536,
             key="peer_cycles_per_byte", unit="cyc/B", baseline="raw", op="<=",
             bound=1.2, metric="server (%s)" % ("responder" if t == "read_bw" else "receiver")),
    ]
TARGETS += [
    dict(name="write_bw_n_half", test="write_bw", bytes=None, key="n_half",
         metric="n1/2", unit="B", baseline=None, op="<=", bound=512),
    dict(name="write_bw_64KiB_at_%gGbps_busy_client_vs_raw" % RATE_GBPS, test=RATE_TEST,
         bytes=65536, key="cpu_busy_pct", metric="client busy", unit="%",
         baseline="raw", op="<=", bound=1.2),
    dict(name="write_bw_64KiB_at_%gGbps_busy_server_vs_raw" % RATE_GBPS, test=RATE_TEST,
         bytes=65536, key="peer_cpu_busy_pct", metric="server busy", unit="%",
         baseline="raw", op="<=", bound=1.2),
]


def value(tr, g):
    """The number of target g for transport tr, or (None, why)."""
    if tr not in transports:
        return None, "%s was not run (BENCH_TRANSPORTS)" % tr
    if g["key"] == "n_half":
        nh = n_half(tr)
        return (nh[0], None) if nh else (None, "no %s write_bw sweep" % tr)
    if (tr, g["test"]) not in rows:
        if g["test"] == RATE_TEST and rate_state == "absent":
            return None, NO_RATE
        why = failure(tr, g["test"])
        return None, ("%s %s: %s" % (tr, g["test"], why)) if why else \
            "no %s %s sweep" % (tr, g["test"])
    r = row(tr, g["test"], g["bytes"])
    if r is None or g["key"] not in r:
        return None, "%s %s has no %s at %s B" % (tr, g["test"], g["key"], g["bytes"])
    return float(r[g["key"]]), None


def at_rate(bw):
    """Within 5% of the offered rate of the rate-limited sweep."""
    return abs(bw - RATE_GBPS) <= 0.05 * RATE_GBPS


def fmt_num(x, unit):
    if x is None:
        return "-"
    if unit == "B":
        return "%d" % x
    if unit == "%":
        return "%.1f" % x
    return "%#.3g" % x if abs(x) < 1 else "%.2f" % x


def fmt_ratio(x):
    """Three significant digits: a ratio next to its bound (0.0255 against
    0.025) must not round onto it."""
    if x is None:
        return "-"
    return "%.0f" % x if x >= 100 else "%#.3g" % x


def bound_text(g):
    b = g.get("bound_text", ("%d" % g["bound"]) if g["unit"] == "B" else "%g" % g["bound"])
    if g["baseline"] is None:
        return "rdma %s %s %s" % (g["op"], b, g["unit"])
    return "rdma/%s %s %s" % (g["baseline"], g["op"], b)


def cmd_ids(g):
    return ["%s %s" % (tr, g["test"]) for tr in ("rdma", "raw", "ktcp") if tr in transports]


results = []
for g in TARGETS:
    v = {tr: value(tr, g) for tr in ("rdma", "raw", "ktcp")}
    rdma, why = v["rdma"]
    ratio = {bl: (rdma / v[bl][0]) if rdma is not None and v[bl][0] else None
             for bl in ("raw", "ktcp")}
    if g["key"] == "n_half":
        ratio = {"raw": None, "ktcp": None}   # a size, not a rate: no ratio
    base = v[g["baseline"]][0] if g["baseline"] else None
    checked = ratio[g["baseline"]] if g["baseline"] else rdma
    if g["baseline"] and why is None and base is None:
        why = v[g["baseline"]][1]
    if checked is None:
        met = "not measured"
    elif g["op"] == "<=":
        met = "met" if checked <= g["bound"] else "not met"
    else:
        met = "met" if checked >= g["bound"] else "not met"
    notes = [why] if why else []
    if g["test"] == RATE_TEST and checked is not None:
        # The busy shares compare at the offered rate only if both sides ran
        # at it: rdma short of it misses the target whatever its CPU; the
        # baseline off it, or rdma above it (no limiter), is no comparison.
        off = {tr: row(tr, RATE_TEST, g["bytes"])["bw_avg_Gbps"]
               for tr in ("rdma", g["baseline"])}
        off = {tr: bw for tr, bw in off.items() if not at_rate(bw)}
        if off:
            notes.append("not at the offered %g Gbit/s: %s" % (RATE_GBPS, ", ".join(
                "%s %.2f Gbit/s" % (tr, bw) for tr, bw in off.items())))
            if list(off) == ["rdma"] and off["rdma"] < RATE_GBPS:
                met = "not met"
            else:
                met = "not measured"
    for tr in ("rdma", "raw", "ktcp"):
        if v[tr][0] is None and v[tr][1] and v[tr][1] not in notes:
            notes.append(v[tr][1])
    note = "; ".join(notes)
    if g["key"] == "n_half" and rdma is not None:
        nh = n_half("rdma")
        note = "rdma's highest BW average: %.2f Gbit/s at %d B" % (nh[1], nh[2])
        if nh[2] == max(xs(rows[("rdma", "write_bw")])):
            note += ", the sweep's largest size: the peak may lie beyond"
    results.append(dict(g=g, v={tr: v[tr][0] for tr in v}, ratio=ratio, base=base,
                        checked=checked, met=met, note=note))

with open(os.path.join(out, "targets.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["name", "rdma_value", "baseline_value", "ratio", "bound", "met",
                "bound_on", "baseline", "unit", "test", "bytes", "note"])
    for res in results:
        g = res["g"]

        def num(x):
            return "" if x is None else ("%d" % x if g["unit"] == "B" else "%.6g" % x)
        ratio = res["ratio"][g["baseline"]] if g["baseline"] else None
        w.writerow([g["name"], num(res["v"]["rdma"]), num(res["base"]),
                    "" if ratio is None else "%.6g" % ratio,
                    "%s%g" % (g["op"], g["bound"]),
                    {"met": "yes", "not met": "no"}.get(res["met"], res["met"]),
                    "ratio" if g["baseline"] else "rdma_value",
                    g["baseline"] or "", g["unit"], g["test"],
                    "" if g["bytes"] is None else g["bytes"], res["note"]])


def target_cells(res):
    g = res["g"]
    return ["%s" % g["test"], "-" if g["bytes"] is None else "%d" % g["bytes"],
            "%s (%s)" % (g["metric"], g["unit"]),
            fmt_num(res["v"]["rdma"], g["unit"]), fmt_num(res["v"]["raw"], g["unit"]),
            fmt_num(res["v"]["ktcp"], g["unit"]), fmt_ratio(res["ratio"]["raw"]),
            fmt_ratio(res["ratio"]["ktcp"]), bound_text(g)]


HEAD = ["#", "test", "bytes", "metric (unit)", "rdma", "raw", "ktcp", "rdma/raw",
        "rdma/ktcp", "target", "result"]


def targets_md():
    lines = ["| " + " | ".join(HEAD + ["commands"]) + " |",
             "|" + "---|" * (len(HEAD) + 1)]
    for i, res in enumerate(results, 1):
        met = {"met": "met", "not met": "**not met**"}.get(res["met"], res["met"])
        if res["note"]:
            met += " (%s)" % res["note"]
        links = " ".join("[%s](#%s)" % (c.split()[0], anchor(c)) for c in cmd_ids(res["g"]))
        lines.append("| %d | " % i + " | ".join(target_cells(res) + [met, links]) + " |")
    return "\n".join(lines)


def targets_text():
    body = []
    for i, res in enumerate(results, 1):
        met = {"met": "met", "not met": "NOT MET"}.get(res["met"], res["met"])
        body.append(["%d" % i] + target_cells(res) + [met])
    w = [max(len(r[c]) for r in [HEAD] + body) for c in range(len(HEAD))]
    lines = ["  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in [HEAD] + body]
    lines.insert(1, "  ".join("-" * x for x in w))
    notes = ["  %d: %s" % (i, res["note"]) for i, res in enumerate(results, 1) if res["note"]]
    return "\n".join(lines + (["notes:"] + notes if notes else []))


def anchor(cmd_id):
    return "cmd-" + cmd_id.replace(" ", "-")


counts = {k: sum(1 for r in results if r["met"] == k) for k in ("met", "not met",
                                                                   "not measured")}
count_line = "%d targets: %d met, %d not met, %d not measured." % (
    len(results), counts["met"], counts["not met"], counts["not measured"])

# ---------------------------------------------------------------- plots
plots = []
for bw in [t for t in tests if "_bw" in t]:
    trs = [x for x in transports if (x, bw) in rows]
    if not trs:
        continue
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for tr in trs:
        rs = rows[(tr, bw)]
        ax1.plot(xs(rs), [r["bw_avg_Gbps"] for r in rs], marker="o", color=COLOUR[tr],
                 label=LABEL.get(tr, tr))
        ax2.plot(xs(rs), [r["cpu_busy_pct"] for r in rs], marker="o", color=COLOUR[tr],
                 label=LABEL.get(tr, tr) + ", client")
        ax2.plot(xs(rs), [r["peer_cpu_busy_pct"] for r in rs], marker="x", linestyle="--",
                 color=COLOUR[tr], label=LABEL.get(tr, tr) + ", server")
    ax1.set_ylabel("Throughput (Gbit/s)")
    ax1.set_title("%s: throughput%s and CPU against I/O size"
                  % (bw, " (both directions summed)" if "bidir" in bw else ""))
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend()
    ax2.set_ylabel("%CPU (busy share of the core)")
    ax2.set_xlabel("I/O size (bytes)")
    ax2.set_xscale("log", base=2)
    ax2.set_ylim(0, 105)
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=7)
    ticks = xs(rows[(trs[0], bw)])
    ax2.set_xticks(ticks)
    ax2.set_xticklabels([size_label(b) for b in ticks])
    fig.tight_layout()
    fig.savefig(os.path.join(out, "%s_throughput_cpu.png" % bw), dpi=110)
    plt.close(fig)
    plots.append(("%s%s" % (bw.replace("_bidir", ""), " both ways" if "bidir" in bw else ""),
                  "%s_throughput_cpu.png" % bw))

lat_trs = [tr for tr in transports if any((tr, v + "_lat") in rows
                                          for v in ("write", "read", "send"))]
if lat_trs:
    fig, ax = plt.subplots(figsize=(8, 5))
    for tr in lat_trs:
        for verb, style in (("write", "-"), ("read", "--"), ("send", ":")):
            rs = rows.get((tr, verb + "_lat"))
            if not rs:
                continue
            ax.plot(xs(rs), [r["t_typical_usec"] for r in rs], marker="o", linestyle=style,
                    color=COLOUR[tr], label="%s %s_lat" % (LABEL.get(tr, tr), verb))
            ticks = xs(rs)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("I/O size (bytes)")
    ax.set_ylabel("t_typical (usec): half round trip; read: whole")
    ax.set_title("Latency against I/O size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_xticks(ticks)
    ax.set_xticklabels([size_label(b) for b in ticks])
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency.png"), dpi=110)
    plt.close(fig)
    plots.append(("latency", "latency.png"))

# Busy share against I/O size at a fixed offered rate: rdma and raw (busy
# polls) next to kernel TCP (thread CPU time). A point whose transport did not
# reach the offered rate is drawn hollow: it is not at that rate.
RATE_PNG = "cpu_at_%dgbps.png" % RATE_GBPS
rate_trs = [tr for tr in transports if (tr, RATE_TEST) in rows]
if rate_trs:
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for tr in rate_trs:
        rs = rows[(tr, RATE_TEST)]
        ax1.plot(xs(rs), [r["bw_avg_Gbps"] for r in rs], marker="o", color=COLOUR[tr],
                 label=LABEL.get(tr, tr))
        for key, mk, ls, side in (("cpu_busy_pct", "o", "-", "client"),
                                  ("peer_cpu_busy_pct", "s", "--", "server")):
            ax2.plot(xs(rs), [r[key] for r in rs], linestyle=ls, color=COLOUR[tr],
                     label="%s, %s" % (LABEL.get(tr, tr), side))
            at = [r for r in rs if at_rate(r["bw_avg_Gbps"])]
            off = [r for r in rs if not at_rate(r["bw_avg_Gbps"])]
            ax2.plot(xs(at), [r[key] for r in at], linestyle="none", marker=mk,
                     color=COLOUR[tr])
            ax2.plot(xs(off), [r[key] for r in off], linestyle="none", marker=mk,
                     markerfacecolor="none", color=COLOUR[tr])
    ax1.axhline(RATE_GBPS, color="grey", linestyle=":", label="offered rate")
    ax1.set_ylabel("Throughput (Gbit/s)")
    ax1.set_title("write_bw at %g Gbit/s offered (--rate_limit %g --rate_units g): "
                  "CPU against I/O size" % (RATE_GBPS, RATE_GBPS), fontsize=10)
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=7)
    ax2.set_ylabel("%CPU (busy share; kernel TCP: thread CPU time)")
    ax2.set_xlabel("I/O size (bytes); hollow: not within 5%% of the offered %g Gbit/s"
                   % RATE_GBPS)
    ax2.set_xscale("log", base=2)
    ax2.set_ylim(0, 105)
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=7)
    ticks = xs(rows[(rate_trs[0], RATE_TEST)])
    ax2.set_xticks(ticks)
    ax2.set_xticklabels([size_label(b) for b in ticks])
    fig.tight_layout()
    fig.savefig(os.path.join(out, RATE_PNG), dpi=110)
    plt.close(fig)
    plots.append(("busy share at %g Gbit/s offered" % RATE_GBPS, RATE_PNG))
elif os.path.exists(os.path.join(out, RATE_PNG)):
    os.remove(os.path.join(out, RATE_PNG))   # a plot of an earlier run: not this one's


# ---------------------------------------------------------------- tables
def bw_table(t):
    trs = [tr for tr in transports if (tr, t) in rows]
    rs = {tr: {r["bytes"]: r for r in rows[(tr, t)]} for tr in trs}
    hdr = "| bytes | " + " | ".join("%s Gbit/s avg / peak | %s CPU%% client/server | %s cyc/B"
                                   % (tr, tr, tr) for tr in trs) + " |"
    if "raw" in trs and "rdma" in trs:
        hdr += " rdma / raw (avg) |"
    if "raw" in trs and "ktcp" in trs:
        hdr += " ktcp / raw (avg) |"
    # how the RDMA messages went out: FPDUs per data frame, the frames the
    # client received (ACKs: the server sends no data in these patterns) per message
    engine = "rdma" in trs and all("tx_fpdus" in r for r in rs["rdma"].values())
    if engine:
        hdr += " rdma FPDUs per data frame | rdma ACK frames per message |"
    lines = [hdr, "|" + "---|" * (hdr.count("|") - 1)]
    for b in sorted(rs[trs[0]]):
        cells = []
        for tr in trs:
            r = rs[tr][b]
            cells += ["%.2f / %.2f" % (r["bw_avg_Gbps"], r.get("bw_peak_Gbps", 0)),
                      "%.0f / %.0f" % (r["cpu_busy_pct"], r["peer_cpu_busy_pct"]),
                      "%.2f" % r["cycles_per_byte"]]
        line = "| %d | " % b + " | ".join(cells) + " |"
        if "raw" in trs and "rdma" in trs:
            line += " %.2f |" % (rs["rdma"][b]["bw_avg_Gbps"] / rs["raw"][b]["bw_avg_Gbps"])
        if "raw" in trs and "ktcp" in trs:
            line += " %.2f |" % (rs["ktcp"][b]["bw_avg_Gbps"] / rs["raw"][b]["bw_avg_Gbps"])
        if engine:
            r = rs["rdma"][b]
            line += " %.1f | %.3f |" % (r["tx_fpdus"] / max(r["tx_data_frames"], 1),
                                        r["rx_frames"] / max(r["iterations"], 1))
        lines.append(line)
    return "\n".join(lines)


def lat_table(t):
    trs = [tr for tr in transports if (tr, t) in rows]
    rs = {tr: {r["bytes"]: r for r in rows[(tr, t)]} for tr in trs}
    hdr = "| bytes | " + " | ".join("%s t_typical | %s 99%%" % (tr, tr) for tr in trs) + " |"
    if "raw" in trs and "rdma" in trs:
        hdr += " rdma / raw |"
    if "raw" in trs and "ktcp" in trs:
        hdr += " ktcp / raw |"
    lines = [hdr, "|" + "---|" * (hdr.count("|") - 1)]
    for b in sorted(rs[trs[0]]):
        cells = []
        for tr in trs:
            r = rs[tr][b]
            cells += ["%.2f" % r["t_typical_usec"], "%.2f" % r["t_99_usec"]]
        line = "| %d | " % b + " | ".join(cells) + " |"
        if "raw" in trs and "rdma" in trs:
            line += " %.1f |" % (rs["rdma"][b]["t_typical_usec"] /
                                 rs["raw"][b]["t_typical_usec"])
        if "raw" in trs and "ktcp" in trs:
            line += " %.1f |" % (rs["ktcp"][b]["t_typical_usec"] /
                                 rs["raw"][b]["t_typical_usec"])
        lines.append(line)
    return "\n".join(lines)


def rate_table():
    trs = [tr for tr in transports if (tr, RATE_TEST) in rows]
    if not trs:
        return None
    rs = {tr: {r["bytes"]: r for r in rows[(tr, RATE_TEST)]} for tr in trs}
    hdr = "| bytes | " + " | ".join("%s Gbit/s avg | %s CPU%% client/server" % (tr, tr)
                                   for tr in trs) + " |"
    if "raw" in trs and "rdma" in trs:
        hdr += " rdma / raw CPU client | rdma / raw CPU server |"
    lines = [hdr, "|" + "---|" * (hdr.count("|") - 1)]
    for b in sorted(rs[trs[0]]):
        cells = []
        for tr in trs:
            r = rs[tr].get(b)
            cells += ["-", "-"] if r is None else [
                "%.2f" % r["bw_avg_Gbps"],
                "%.1f / %.1f" % (r["cpu_busy_pct"], r["peer_cpu_busy_pct"])]
        line = "| %d | " % b + " | ".join(cells) + " |"
        if "raw" in trs and "rdma" in trs:
            a, z = rs["rdma"].get(b), rs["raw"].get(b)
            for k in ("cpu_busy_pct", "peer_cpu_busy_pct"):
                line += " %s |" % (fmt_ratio(a[k] / z[k]) if a and z and z[k] else "-")
        lines.append(line)
    return "\n".join(lines)


tables = []
for t in tests + STEADY:
    if any((tr, t) in rows for tr in transports):
        tables.append("\n### %s\n\n%s\n" % (t, bw_table(t) if "_bw" in t else lat_table(t)))
rt = rate_table()
rate_why = {tr: failure(tr, RATE_TEST) for tr in transports if (tr, RATE_TEST) not in rows}
if rt:
    tables.append("\n### %s: write_bw at %g Gbit/s offered\n\n"
                  "Offered rate `--rate_limit %g --rate_units g` (client); BW average "
                  "is what arrived.\n\n%s\n" % (RATE_TEST, RATE_GBPS, RATE_GBPS, rt))
if rate_state == "absent":
    tables.append("\n### %s: write_bw at %g Gbit/s offered\n\nNot measured (%s).\n"
                  % (RATE_TEST, RATE_GBPS, NO_RATE))
elif rate_why:
    tables.append("\nNot measured at %g Gbit/s: %s.\n" % (RATE_GBPS, "; ".join(
        "%s (%s)" % (tr, w or "no JSON") for tr, w in rate_why.items())))


# ---------------------------------------------------------------- commands
def commands_md():
    """The commands of every sweep, by sweep, each with an anchor the targets
    table links to; portable: the build directory relative, the scratch
    directory $TMPDIR, no process id in the file prefixes."""
    groups = {}
    with open(os.path.join(work, "commands.txt")) as f:
        for line in f:
            m = re.match(r"(\S+ \S+): (server|client): (.*)", line.rstrip("\n"))
            if not m:
                continue
            c = m.group(3).replace(meta["BIN"], meta["BUILD_NAME"] + "/apps/perf/iwarp-perf")
            c = c.replace(work, "$TMPDIR")
            c = re.sub(r"--file-prefix=iwb([sc])\d+", r"--file-prefix=iwb\1", c)
            c = re.sub(r"netns exec iwbench_([sc])\d+", r"netns exec iwbench_\1", c)
            c = re.sub(r"  +", " ", c)
            groups.setdefault(m.group(1), []).append("%s: %s" % (m.group(2), c))
    parts = []
    for cid, lines in groups.items():
        tr, t = cid.split()
        extra = ""
        if t == RATE_TEST and (tr, t) not in rows:
            extra = " (not run: %s)" % (NO_RATE if rate_state == "absent"
                                        else failure(tr, t) or "no JSON")
        parts.append('<a id="%s"></a>**%s**%s\n\n```\n%s\n```\n'
                     % (anchor(cid), cid, extra, "\n".join(lines)))
    return "\n".join(parts)


retries = open(os.path.join(work, "retries.txt")).read().split()
quick = meta["QUICK"] == "1"
build_name = meta["BUILD_NAME"]
invocation = "scripts/bench.sh %s%s" % (build_name, " --quick" if quick else "")
made_by = "`make demo`" if quick else "`make bench`"
rate_method = (
    "- **CPU at a fixed offered rate** (`%s`): write_bw with `--rate_limit %g "
    "--rate_units g` on the client (perftest's flags: at most %g Gbit/s of payload "
    "offered), sizes as above, %s iterations per size, over each transport; the best "
    "run per size as for write_bw (highest BW average). The busy share of each polling "
    "core at that rate is the number compared. A size at which a transport's BW average "
    "is not within 5%% of the offered rate is not at that rate: hollow in the plot; in "
    "the targets table rdma short of the rate does not meet the target, any other "
    "miss (the baseline off the rate, rdma above it) leaves the row not measured."
    % (RATE_TEST, RATE_GBPS, RATE_GBPS, meta["N_RATE"])
    if rate_state != "absent" else
    "- **CPU at a fixed offered rate** (`%s`, write_bw at %g Gbit/s offered): not "
    "measured: %s (this build's `iwarp-perf --help` does not list it). bench.sh runs "
    "the sweep, with `--rate_limit %g --rate_units g` on the client, as soon as it "
    "does; its commands are in the Commands section." % (RATE_TEST, RATE_GBPS, NO_RATE,
                                                          RATE_GBPS))

# The host places the VM's two vCPUs: sharing a cache, data crosses between the
# two processes about 3 times faster than not (raw-baseline.md). Raw write_lat
# tells which spell a run had.
_rl = row("raw", "write_lat", 64)
if _rl is None:
    spell = "not known (no raw write_lat in this run)."
else:
    _t = float(_rl["t_typical_usec"])
    spell = ("raw write_lat 64 B median %.3f us: %s. The host places the VM's two vCPUs; "
             "in a fast spell (raw ~0.27 us, 64 KiB ~100 Gbit/s) data crosses between "
             "the two processes about three times faster than in a slow one (~1.05 us, "
             "~36 Gbit/s), which moves every raw number and every ratio to raw "
             "([raw-baseline.md](raw-baseline.md)): compare runs of the same spell."
             % (_t, "a fast spell" if _t < 0.5 else "a slow spell"))

steady_method = (
    "- **Message rate, steady** (`%s`): write_bw and send_bw of 64 B for %s s each "
    "(`-s 64 -D %s`), the rest as write_bw; the message-rate targets are judged on "
    "these. A sweep size lasts too little for a rate: at 8 M/s the %s messages of "
    "one pass take well under a millisecond. Before the clock starts, iwarp-perf "
    "warms up until %s frames have left in the busier direction (every descriptor "
    "of a net_memif ring used, its shared 4 KiB pages faulted in: packed 16 to a "
    "frame, 64 B WRITEs ran at 0.7 M/s over a cold ring and 9 M/s over a warm one); "
    "rdma also leaves the first and last quarter of the %s s out, raw and kernel "
    "TCP count them (their start-up shows in their average)."
    % (" ".join(STEADY), STEADY_S, STEADY_S, meta["N_BW"], "4,096", STEADY_S)
    if STEADY else
    "- The message-rate targets are judged on the write_bw and send_bw sweeps' 64 B rows.")

readme = """# Benchmarks

iWARP RDMA over librte_iwarp (user-space TCP, MPA, DDP, RDMAP on DPDK)
against its two baselines, in the same run, on the same machine: the bare
link it runs on (raw L2 frames over the same net_memif pair) and the Linux
kernel's TCP over a veth pair. Transports: {transports}.

Produced by `{invocation}` (what {made_by} runs) in {elapsed} s. Raw
data: [bench.csv](bench.csv); the targets: [targets.csv](targets.csv).

## Targets

The performance targets, each a bound on rdma against a baseline measured
in this run (or, where "target" names no baseline, on the rdma number
itself). rdma, raw and ktcp are the numbers of the best run per size (see
Method); rdma/raw and rdma/ktcp their ratios; "target" is the bound the row
is judged by; "commands" link to the sweeps that measured the row.
Metrics: median and p99: write_lat's half round trip, median (t_typical) and
99th percentile; msg rate: perftest's MsgRate in 10^6 messages/s (a 64 B raw
message is one frame: raw's is the link's frame rate); BW avg: perftest's BW
average; cyc/B: busy cycles of the client's or the server's polling core
(kernel TCP: thread CPU time) per payload byte; n1/2: the smallest write_bw
size whose BW average reaches half of the sweep's highest; client / server
busy: the busy share of that polling core (kernel TCP: thread CPU time over
wall time) in write_bw at {rate:g} Gbit/s offered. Client and server: sender
and receiver for write and send, requester and responder for read.
{counts}

{targets}

## Machine

- CPU: {model}, {cores} cores (a VM)
- Kernel: {kernel}
- DPDK: {dpdk} (Debian package), EAL memory: {eal_mem}
- Date: {date}, commit {commit}
- Load average before / after the run: {load0} / {load1}. The machine was
  shared with other jobs during this run: expect noise, especially in the
  latency tails and the averages of the fast sizes.
- Cross-core speed: {spell}

## Method

- `iwarp-perf` (apps/perf) runs perftest's write_bw, write_lat, read_bw,
  read_lat, send_bw and send_lat with perftest's flags and tables, client and
  server as two processes, server pinned to core 0, client to core 1.
- Sizes 64 B to 256 KiB in powers of two (`-a --size_min 64 --size_max 262144`),
  {n_bw} iterations per size for bandwidth, {n_lat} for latency.
- Every sweep ran {repeat} time(s), interleaved; per size the tables, targets and
  plots keep the best run (highest BW average, lowest median latency), the
  one the other jobs on this shared machine disturbed least. The other
  numbers of a size (99th percentile, CPU, cycles/B) come from that run.
- **raw**: bare L2 frames (ethertype 0x88B5, 16-byte header, at most 1500
  bytes of Ethernet payload) over `net_memif` between the two processes: the
  floor of the link. A message of N bytes is N bytes of payload in
  ceil(N / 1484) frames (a 64 B message is one frame, so raw's 64 B message
  rate is the link's frame rate); the sender sends from its buffer without a
  copy (a header mbuf chained to an external-buffer mbuf, as the RDMA TX path), the
  receiver copies once into its buffer (net_memif itself copies through its
  shared rings on both sides). BW: at most -t 128 messages beyond the receiver's
  last credit (one every 64 messages). write and send are the same pattern
  here (there is no remote memory without RDMA); read is a request answered
  by an N-byte message, -o 16 requests in flight.
- **rdma**: `iwarp-perf --rdma`: librte_iwarp (one inline-mode engine per
  process, polled by the test's thread) on the same net_memif pair, cores and
  1500-byte MTU as raw (net_memif with bsize=16384 so that a frame fits one
  buffer); server 10.77.0.1, client 10.77.0.2, MPA v2 with CRC32c.
  Patterns as perftest: write_lat a ping-pong of WRITEs polling the last
  byte, send_lat a SEND/RECV ping-pong, read_lat one READ round trip; BW:
  -t 128 WRs in flight (read: the ORD, 16), signalled every 64; send_bw is
  credited by the receiver's posted receives (at most -r: 512, perftest's
  default). A WRITE or
  SEND completes when TCP has it acknowledged, a READ when its response is
  placed. Its %CPU counts the poll iterations in which the engine moved an
  FPDU, a completion was reaped or work was posted (TCP ACK processing alone
  counts as idle).
- **kernel TCP**: blocking sockets with TCP_NODELAY, one send() per message,
  between two network namespaces joined by a veth pair with MTU 1500 (not
  loopback: its 64 KiB MTU would skip the per-packet work of a 1500-byte
  link). Same patterns and the same credits as raw, so a message "completes"
  when the receiver has it in both.
- **write_bw_bidir** is `write_bw -b`: client and server each stream the
  same number of messages to the other at once; BW and MsgRate sum both
  directions (as perftest -b). Kernel TCP runs it on one thread per side
  with a non-blocking socket and poll(); rdma runs the server's WRITEs and
  the client's on each side's one engine, each direction over its own span.
{rate_method}
{steady_method}
- Bandwidth: perftest's BW average (bytes over the time from the first post to
  the receiver's final report) in Gbit/s (10^9 bit/s); message rate: perftest's
  MsgRate (BW average over the message size) in 10^6 messages/s; latency:
  t_typical is the median, half the round trip (read: the whole round trip, as
  perftest), the 99th percentile the nearest-rank one of the {n_lat} samples.
- n1/2: the smallest size of the write_bw sweep whose BW average reaches half
  of the highest BW average of that sweep (64 B .. 256 KiB: a peak beyond
  256 KiB is not seen).
- %CPU: raw and rdma: the busy share of the polling core, cycles of poll iterations
  that moved something over all cycles (rte_rdtsc); kernel TCP: the thread's
  CPU time (user + system) over wall time; softirq work the kernel does in the
  thread's context counts, work done in ksoftirqd or on the other core does
  not. A poll iteration the scheduler interrupts counts whole, so on a loaded
  machine the raw busy share includes time the core ran something else.
  Cycles/byte: those busy cycles over payload bytes. "client/server":
  the sender and the receiver for write/send, the requester and the responder
  for read.

## Commands

$TMPDIR in the commands is the script's scratch directory. Runs that failed
once and were repeated: {retries}.

{commands}
## Plots

{plots}

The raw link is two busy-polling processes: whenever the scheduler runs
another job on one of the two cores, the other side waits, so on a shared
machine the raw averages swing with the load while its peaks (the best run
of consecutive messages) show what the link does while both run. Kernel TCP
sleeps while it waits and is woken first, so the load hurts it less.

## Numbers

Bandwidth in Gbit/s (perftest's BW average / BW peak: the peak is the best
run of consecutive messages and suffers least when the scheduler takes a core
away), %CPU of the client / server core, client cycles per byte; latency in
usec (median and 99th percentile).
{tables}""".format(
    transports=" ".join(transports), invocation=invocation, rate=RATE_GBPS, made_by=made_by,
    elapsed=meta["ELAPSED"], counts=count_line, targets=targets_md(),
    model=meta["MODEL"], cores=meta["CORES"], kernel=meta["KERNEL"], dpdk=meta["DPDK"],
    eal_mem=meta["EAL_MEM"], date=meta["DATE"], commit=meta["COMMIT"],
    load0=meta["LOAD0"], load1=meta["LOAD1"], n_bw=meta["N_BW"], n_lat=meta["N_LAT"],
    repeat=repeat, rate_method=rate_method, steady_method=steady_method, spell=spell,
    retries=" ".join(retries) if retries else "none", commands=commands_md(),
    plots="\n".join("- ![%s](%s)" % p for p in plots) +
    ("" if rate_state != "absent" else
     "\n- busy share at %g Gbit/s offered: not made (%s)" % (RATE_GBPS, NO_RATE)),
    tables="".join(tables))

with open(os.path.join(out, "README.md"), "w") as f:
    f.write(readme)

print("targets (rdma against raw and kernel TCP, this run; docs/bench/README.md has "
      "the commands):")
print(targets_text())
print(count_line)
