#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench.sh BUILD_DIR [--quick]
#
# The benchmark sweep of docs/bench: iwarp-perf's write, read and send tests,
# bandwidth and latency, 64 B .. 256 KiB, over every transport that is built:
#
#   raw   bare L2 frames over net_memif between two processes, server on core
#         0, client on core 1 (the physical floor of the link)
#   ktcp  kernel TCP between two network namespaces joined by a veth pair with
#         MTU 1500 (server pinned to core 0, client to core 1). Not loopback:
#         loopback's 64 KiB MTU skips the segmentation and per-packet receive
#         work a real 1500-byte link costs, and the raw link and the seed
#         paper both run 1500-byte frames.
#
#   rdma  iWARP RDMA over librte_iwarp (iwarp-perf --rdma) on net_memif between
#         the same two processes and cores as raw: what the RDMA stack costs
#         over the bare link.
#
# A transport is one run_<name> function and one word in TRANSPORTS.
# EAL memory: EAL_MEM in the environment, else what scripts/setup.sh settled
# on (BUILD_DIR/eal-mem.args: hugepages -> --in-memory, --no-huge -> --no-huge
# -m 256), else "--no-huge -m 256".
#
# Writes docs/bench/bench.csv, docs/bench/*.png and docs/bench/README.md.
# The tables print as they run, one row per size. Under 3 minutes.
set -euo pipefail

BUILD=${1:?usage: bench.sh BUILD_DIR [--quick]}
QUICK=0
[ "${2:-}" = "--quick" ] && QUICK=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$BUILD" && pwd)/apps/perf/iwarp-perf
OUT=$ROOT/docs/bench
WORK=$(mktemp -d /tmp/iwarp-bench.XXXXXX)
TRANSPORTS=${BENCH_TRANSPORTS:-"rdma raw ktcp"}
# write_bw_bidir is write_bw -b: both ways at once, as the seed paper's second figure.
TESTS="write_bw write_bw_bidir write_lat read_bw read_lat send_bw send_lat"
SIZES="--size_min 64 --size_max 262144"
# Each sweep runs REPEAT times, interleaved; the tables keep, per size, the
# best run (highest BW average, lowest median latency): on a shared machine
# the scheduler takes cores away at random, and the best run is the one it
# disturbed least.
if [ $QUICK = 1 ]; then
	N_BW=300; N_LAT=300; REPEAT=1
else
	N_BW=500; N_LAT=500; REPEAT=2
fi
if [ -z "${EAL_MEM:-}" ]; then
	if [ -f "$BUILD/eal-mem.args" ] && [ -z "$(tr -d '[:space:]' <"$BUILD/eal-mem.args")" ]; then
		EAL_MEM=--in-memory
	else
		EAL_MEM="--no-huge -m 256"
	fi
fi
EAL="$EAL_MEM --no-pci --no-telemetry --log-level=*:warning"
NS_S=iwbench_s
NS_C=iwbench_c

# The plots need matplotlib (Debian python3-matplotlib): prefer the system python.
PY=python3
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import matplotlib' 2>/dev/null; then PY=$p; break; fi
done
"$PY" -c 'import matplotlib' 2>/dev/null ||
	{ echo "bench.sh: error: python3 cannot import matplotlib (apt-get install python3-matplotlib)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench.sh: error: $BIN is not built (make build)" >&2; exit 1; }
mkdir -p "$OUT"

cleanup() {
	ip netns del $NS_S 2>/dev/null || true
	ip netns del $NS_C 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

iters() { case $1 in *_bw*) echo $N_BW ;; *) echo $N_LAT ;; esac; }
# The iwarp-perf test and flags of a TESTS entry.
perf_test() { echo "${1%_bidir}"; }
perf_flags() { case $1 in *_bidir) echo "-b" ;; *) echo "" ;; esac; }
# The tests a transport runs (all of them, today).
tests_of() {
	local t
	for t in $TESTS; do
		echo "$t"
	done
}

# try_pair NAME SERVER_CMD CLIENT_CMD: server in the background, wait for its
# ready line, client in the foreground (its table is the progress), both bounded.
try_pair() {
	local name=$1 srv=$2 cli=$3 i
	rm -f "$WORK/$name.srv"
	$srv >"$WORK/$name.srv" 2>&1 &
	local spid=$!
	for i in $(seq 100); do
		grep -q "waiting for a client" "$WORK/$name.srv" 2>/dev/null && break
		kill -0 $spid 2>/dev/null || break
		sleep 0.1
	done
	if ! timeout 120 $cli 2>"$WORK/$name.err" | tee "$WORK/$name.out" |
		grep -v -e '^ Dual-port' -e '^ Number of qps' -e '^ Connection type' \
			-e '^ Mtu' -e '^ Role' -e '^ TX depth' -e '^ Outstand'; then
		cat "$WORK/$name.err" "$WORK/$name.srv" >&2
		kill $spid 2>/dev/null || true
		wait $spid 2>/dev/null || true
		echo "bench.sh: $name failed" >&2
		return 1
	fi
	if ! wait $spid; then
		cat "$WORK/$name.srv" >&2
		echo "bench.sh: $name: the server failed" >&2
		return 1
	fi
}

# run_pair NAME SERVER_CMD CLIENT_CMD: try_pair, once more if it fails (a
# shared machine can starve a busy-polling side past its timeouts); the retry
# is noted in the README.
RETRIES=$WORK/retries.txt
: >"$RETRIES"
run_pair() {
	try_pair "$@" && return 0
	echo "bench.sh: retrying $1 once" >&2
	echo "$1" >>"$RETRIES"
	rm -f "$WORK/memif.sock"
	try_pair "$@" && return 0
	echo "bench.sh: error: $1 failed twice" >&2
	exit 1
}

CMDS=$WORK/commands.txt
: >"$CMDS"

run_raw() {
	local t=$1 rep=$2 sock=$WORK/memif.sock n
	n=$(iters "$t")
	rm -f "$sock"
	local srv="$BIN $EAL -l 0 --file-prefix=iwbs$$ --vdev=net_memif0,role=server,socket=$sock -- $(perf_test "$t") --raw --timeout 60"
	local cli="$BIN $EAL -l 1 --file-prefix=iwbc$$ --vdev=net_memif0,role=client,socket=$sock -- $(perf_test "$t") --raw $(perf_flags "$t") -a $SIZES -n $n --cpu_util --report_gbits --out_json_file $WORK/raw_$t.$rep.json x"
	if [ "$rep" = 1 ]; then
		echo "raw $t: server: $srv" >>"$CMDS"
		echo "raw $t: client: $cli" >>"$CMDS"
	fi
	run_pair "raw_${t}_$rep" "$srv" "$cli"
}

run_rdma() {
	local t=$1 rep=$2 sock=$WORK/memif.sock n
	n=$(iters "$t")
	rm -f "$sock"
	local srv="$BIN $EAL -l 0 --file-prefix=iwbs$$ --vdev=net_memif0,role=server,socket=$sock,bsize=16384 -- $(perf_test "$t") --rdma --timeout 60"
	local cli="$BIN $EAL -l 1 --file-prefix=iwbc$$ --vdev=net_memif0,role=client,socket=$sock,bsize=16384 -- $(perf_test "$t") --rdma $(perf_flags "$t") -a $SIZES -n $n --cpu_util --report_gbits --out_json_file $WORK/rdma_$t.$rep.json 10.77.0.1"
	if [ "$rep" = 1 ]; then
		echo "rdma $t: server: $srv" >>"$CMDS"
		echo "rdma $t: client: $cli" >>"$CMDS"
	fi
	run_pair "rdma_${t}_$rep" "$srv" "$cli"
}

ktcp_setup() {
	ip netns del $NS_S 2>/dev/null || true
	ip netns del $NS_C 2>/dev/null || true
	ip netns add $NS_S || {
		echo "bench.sh: error: kernel TCP runs between network namespaces: run as root" >&2
		exit 1
	}
	ip netns add $NS_C
	ip link add iwbs0 netns $NS_S type veth peer name iwbc0 netns $NS_C
	ip -n $NS_S addr add 10.214.0.1/24 dev iwbs0
	ip -n $NS_C addr add 10.214.0.2/24 dev iwbc0
	ip -n $NS_S link set iwbs0 mtu 1500 up
	ip -n $NS_C link set iwbc0 mtu 1500 up
	ip -n $NS_S link set lo up
	ip -n $NS_C link set lo up
}

run_ktcp() {
	local t=$1 rep=$2 n
	n=$(iters "$t")
	local srv="ip netns exec $NS_S taskset -c 0 $BIN $(perf_test "$t") --kernel-tcp --timeout 60"
	local cli="ip netns exec $NS_C taskset -c 1 $BIN $(perf_test "$t") --kernel-tcp $(perf_flags "$t") -a $SIZES -n $n --cpu_util --report_gbits --out_json_file $WORK/ktcp_$t.$rep.json 10.214.0.1"
	if [ "$rep" = 1 ]; then
		echo "ktcp $t: server: $srv" >>"$CMDS"
		echo "ktcp $t: client: $cli" >>"$CMDS"
	fi
	run_pair "ktcp_${t}_$rep" "$srv" "$cli"
}

START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
case " $TRANSPORTS " in *" ktcp "*) ktcp_setup ;; esac
for rep in $(seq $REPEAT); do
	for tr in $TRANSPORTS; do
		for t in $(tests_of "$tr"); do
			echo "== $tr $t (run $rep of $REPEAT)"
			"run_$tr" "$t" "$rep"
		done
	done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( $(date +%s) - START ))

MODEL=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
CORES=$(nproc)
KERNEL=$(uname -r)
DPDK=$(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)

"$PY" - "$WORK" "$OUT" "$TRANSPORTS" "$TESTS" "$CMDS" "$REPEAT" <<'EOF'
import json, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

work, out, transports, tests, cmds = sys.argv[1], sys.argv[2], sys.argv[3].split(), \
    sys.argv[4].split(), sys.argv[5]
repeat = int(sys.argv[6])
label = {"raw": "raw L2 (net_memif)", "ktcp": "kernel TCP (veth, MTU 1500)",
         "rdma": "iWARP (librte_iwarp)"}
# One colour per transport in every panel and plot (client solid, server dashed).
colour = {tr: "C%d" % i for i, tr in enumerate(transports)}
def better(t, a, b):
    if "_bw" in t:
        return a if a["bw_avg_Gbps"] >= b["bw_avg_Gbps"] else b
    return a if a["t_typical_usec"] <= b["t_typical_usec"] else b

rows = {}
for tr in transports:
    for t in tests:
        runs = []
        if not os.path.exists(os.path.join(work, "%s_%s.1.json" % (tr, t))):
            continue  # a test this transport does not run
        for rep in range(1, repeat + 1):
            with open(os.path.join(work, "%s_%s.%d.json" % (tr, t, rep))) as f:
                runs.append(json.load(f)["results"])
        best = runs[0]
        for other in runs[1:]:
            best = [better(t, a, b) for a, b in zip(best, other)]
        rows[(tr, t)] = best

cols = ["transport", "test", "bytes", "iterations", "bw_peak_gbps", "bw_avg_gbps",
        "msg_rate_mpps", "t_min_usec", "t_typical_usec", "t_avg_usec", "t_99_usec",
        "t_99_9_usec", "client_cpu_busy_pct", "client_cycles_per_byte",
        "server_cpu_busy_pct", "server_cycles_per_byte"]
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
                 r["peer_cycles_per_byte"]]
            f.write(",".join(("%.4f" % x) if isinstance(x, float) else str(x) for x in v)
                    + "\n")

def xs(rs):
    return [r["bytes"] for r in rs]

def size_label(b):
    return "%d" % b if b < 1024 else "%dK" % (b // 1024)

# Throughput and %CPU against I/O size, as the seed paper's figures.
for bw in [t for t in tests if "_bw" in t]:
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for tr in [x for x in transports if (x, bw) in rows]:
        rs = rows[(tr, bw)]
        ax1.plot(xs(rs), [r["bw_avg_Gbps"] for r in rs], marker="o", color=colour[tr],
                 label=label.get(tr, tr))
        ax2.plot(xs(rs), [r["cpu_busy_pct"] for r in rs], marker="o", color=colour[tr],
                 label=label.get(tr, tr) + ", client")
        ax2.plot(xs(rs), [r["peer_cpu_busy_pct"] for r in rs], marker="x", linestyle="--",
                 color=colour[tr], label=label.get(tr, tr) + ", server")
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
    ticks = xs(rows[[(x, bw) for x in transports if (x, bw) in rows][0]])
    ax2.set_xticks(ticks)
    ax2.set_xticklabels([size_label(b) for b in ticks])
    fig.tight_layout()
    fig.savefig(os.path.join(out, "%s_throughput_cpu.png" % bw), dpi=110)
    plt.close(fig)

fig, ax = plt.subplots(figsize=(8, 5))
for tr in transports:
    for verb, style in (("write", "-"), ("read", "--"), ("send", ":")):
        rs = rows[(tr, verb + "_lat")]
        ax.plot(xs(rs), [r["t_typical_usec"] for r in rs], marker="o", linestyle=style,
                color=colour[tr], label="%s %s_lat" % (label.get(tr, tr), verb))
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("I/O size (bytes)")
ax.set_ylabel("t_typical (usec): half round trip; read: whole")
ax.set_title("Latency against I/O size")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=7)
ticks = xs(rows[(transports[0], "write_lat")])
ax.set_xticks(ticks)
ax.set_xticklabels([size_label(b) for b in ticks])
fig.tight_layout()
fig.savefig(os.path.join(out, "latency.png"), dpi=110)
plt.close(fig)

# Tables for the README: each transport against the baselines of the same run.
def bw_table(t):
    trs = [tr for tr in transports if (tr, t) in rows]
    rs = {tr: {r["bytes"]: r for r in rows[(tr, t)]} for tr in trs}
    hdr = "| bytes | " + " | ".join("%s Gbit/s avg / peak | %s CPU%% client/server | %s cyc/B"
                                   % (tr, tr, tr) for tr in trs) + " |"
    if "raw" in trs and "rdma" in trs:
        hdr += " rdma / raw (avg) |"
    if "raw" in trs and "ktcp" in trs:
        hdr += " ktcp / raw (avg) |"
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
        lines.append(line)
    return "\n".join(lines)

def lat_table(t):
    rs = {tr: {r["bytes"]: r for r in rows[(tr, t)]} for tr in transports}
    hdr = "| bytes | " + " | ".join("%s t_typical | %s 99%%" % (tr, tr)
                                   for tr in transports) + " |"
    if "raw" in transports and "rdma" in transports:
        hdr += " rdma / raw |"
    if "raw" in transports and "ktcp" in transports:
        hdr += " ktcp / raw |"
    lines = [hdr, "|" + "---|" * (hdr.count("|") - 1)]
    for b in sorted(rs[transports[0]]):
        cells = []
        for tr in transports:
            r = rs[tr][b]
            cells += ["%.2f" % r["t_typical_usec"], "%.2f" % r["t_99_usec"]]
        line = "| %d | " % b + " | ".join(cells) + " |"
        if "raw" in transports and "rdma" in transports:
            line += " %.1f |" % (rs["rdma"][b]["t_typical_usec"] /
                                 rs["raw"][b]["t_typical_usec"])
        if "raw" in transports and "ktcp" in transports:
            line += " %.1f |" % (rs["ktcp"][b]["t_typical_usec"] /
                                 rs["raw"][b]["t_typical_usec"])
        lines.append(line)
    return "\n".join(lines)

with open(os.path.join(work, "tables.md"), "w") as f:
    for t in tests:
        f.write("\n### %s\n\n" % t)
        f.write((bw_table(t) if "_bw" in t else lat_table(t)) + "\n")
EOF

"$PY" - "$OUT/bench.csv" >"$WORK/summary.txt" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
name = {"rdma": "iWARP RDMA", "raw": "raw", "ktcp": "kernel TCP"}
trs = [t for t in ("rdma", "raw", "ktcp") if any(r["transport"] == t for r in rows)]
def get(tr, t, b, k):
    for r in rows:
        if r["transport"] == tr and r["test"] == t and int(r["bytes"]) == b:
            return float(r[k])
    return None
for t in ("write_lat", "read_lat", "send_lat"):
    for b in (64, 65536):
        print("- %s %d B: %s (t_typical usec, %s)" % (t, b, ", ".join(
            "%s %.2f" % (name[tr], get(tr, t, b, "t_typical_usec")) for tr in trs),
            "whole round trip" if t == "read_lat" else "half round trip"))
for t in ("write_bw", "read_bw", "send_bw"):
    for b in (64, 65536, 262144):
        print("- %s %d B: %s" % (t, b, "; ".join(
            "%s %.2f Gbit/s (peak %.2f) at %.0f%% CPU, %.2f cycles/B"
            % (name[tr], get(tr, t, b, "bw_avg_gbps"), get(tr, t, b, "bw_peak_gbps"),
               get(tr, t, b, "client_cpu_busy_pct"), get(tr, t, b, "client_cycles_per_byte"))
            for tr in trs)))
EOF

{
cat <<EOF
# Benchmarks

iWARP RDMA over librte_iwarp (user-space TCP, MPA, DDP, RDMAP on DPDK)
against its two baselines, in the same run, on the same machine: the bare
link it runs on (raw L2 frames over the same net_memif pair) and the Linux
kernel's TCP over a veth pair. Transports: ${TRANSPORTS}.

Produced by \`make bench\` (\`scripts/bench.sh $(basename "$BUILD")$([ $QUICK = 1 ] && echo " --quick")\`)
in ${ELAPSED} s. Raw data: [bench.csv](bench.csv).

## Machine

- CPU: ${MODEL}, ${CORES} cores (a VM)
- Kernel: ${KERNEL}
- DPDK: ${DPDK} (Debian package), EAL memory: ${EAL_MEM}
- Date: ${DATE}, commit ${COMMIT}
- Load average before / after the run: ${LOAD0} / ${LOAD1}. The machine was
  shared with other jobs during this run: expect noise, especially in the
  latency tails and the averages of the fast sizes.

## Method

- \`iwarp-perf\` (apps/perf) runs perftest's write_bw, write_lat, read_bw,
  read_lat, send_bw and send_lat with perftest's flags and tables, client and
  server as two processes, server pinned to core 0, client to core 1.
- Sizes 64 B to 256 KiB in powers of two (\`-a --size_min 64 --size_max 262144\`),
  ${N_BW} iterations per size for bandwidth, ${N_LAT} for latency.
- Every sweep ran ${REPEAT} time(s), interleaved; per size the tables and
  plots keep the best run (highest BW average, lowest median latency), the
  one the other jobs on this shared machine disturbed least.
- **raw**: bare L2 frames (ethertype 0x88B5, 16-byte header, at most 1500
  bytes of Ethernet payload) over \`net_memif\` between the two processes: the
  floor of the link. A message of N bytes is N bytes of payload in
  ceil(N / 1484) frames; the sender sends from its buffer without a copy (a
  header mbuf chained to an external-buffer mbuf, as the RDMA TX path), the
  receiver copies once into its buffer (net_memif itself copies through its
  shared rings on both sides). BW: at most -t 128 messages beyond the receiver's
  last credit (one every 64 messages). write and send are the same pattern
  here (there is no remote memory without RDMA); read is a request answered
  by an N-byte message, -o 16 requests in flight.
- **rdma**: \`iwarp-perf --rdma\`: librte_iwarp (one inline-mode engine per
  process, polled by the test's thread) on the same net_memif pair, cores and
  1500-byte MTU as raw (net_memif with bsize=16384 so that a frame fits one
  buffer); server 10.77.0.1, client 10.77.0.2, MPA v2 with CRC32c.
  Patterns as perftest: write_lat a ping-pong of WRITEs polling the last
  byte, send_lat a SEND/RECV ping-pong, read_lat one READ round trip; BW:
  -t 128 WRs in flight (read: the ORD, 16), signalled every 64; send_bw is
  credited by the receiver's posted receives (at most -r 64). A WRITE or
  SEND completes when TCP has it acknowledged, a READ when its response is
  placed. Its %CPU counts the poll iterations in which the engine moved an
  FPDU, a completion was reaped or work was posted (TCP ACK processing alone
  counts as idle).
- **kernel TCP**: blocking sockets with TCP_NODELAY, one send() per message,
  between two network namespaces joined by a veth pair with MTU 1500 (not
  loopback: its 64 KiB MTU would skip the per-packet work of a 1500-byte
  link). Same patterns and the same credits as raw, so a message "completes"
  when the receiver has it in both.
- **write_bw_bidir** is \`write_bw -b\`: client and server each stream the
  same number of messages to the other at once; BW and MsgRate sum both
  directions (as perftest -b). Kernel TCP runs it on one thread per side
  with a non-blocking socket and poll(); rdma runs the server's WRITEs and
  the client's on each side's one engine, each direction over its own span.
- Bandwidth: perftest's BW average (bytes over the time from the first post to
  the receiver's final report) in Gbit/s (10^9 bit/s); latency: t_typical is
  the median, half the round trip (read: the whole round trip, as perftest).
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

\`\`\`
$(sed -e "s|$BIN|$(basename "$BUILD")/apps/perf/iwarp-perf|g" -e "s|$WORK|\$TMPDIR|g" -e "s|-file-prefix=iwb\([sc]\)$$|-file-prefix=iwb\1|g" "$CMDS")
\`\`\`

## Summary

Runs that failed once and were repeated: $( [ -s "$RETRIES" ] && tr '\n' ' ' <"$RETRIES" || echo none).

$(cat "$WORK/summary.txt")

The raw link is two busy-polling processes: whenever the scheduler runs
another job on one of the two cores, the other side waits, so on a shared
machine the raw averages swing with the load while its peaks (the best run
of consecutive messages) show what the link does while both run. Kernel TCP
sleeps while it waits and is woken first, so the load hurts it less.

## Plots

- ![write_bw](write_bw_throughput_cpu.png)
- ![write_bw both ways](write_bw_bidir_throughput_cpu.png)
- ![read_bw](read_bw_throughput_cpu.png)
- ![send_bw](send_bw_throughput_cpu.png)
- ![latency](latency.png)

## Numbers

Bandwidth in Gbit/s (perftest's BW average / BW peak: the peak is the best
run of consecutive messages and suffers least when the scheduler takes a core
away), %CPU of the client / server core, client cycles per byte; latency in
usec (median and 99th percentile). \$TMPDIR in the commands is the script's
scratch directory.
$(cat "$WORK/tables.md")
EOF
} >"$OUT/README.md"

echo
echo "bench.sh: ${ELAPSED} s; wrote $OUT/bench.csv, $OUT/*.png, $OUT/README.md"
echo "summary:"
cat "$WORK/summary.txt"
