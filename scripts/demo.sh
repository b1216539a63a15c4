#!/usr/bin/env bash
# make demo: iWARP RDMA between two processes on two cores over net_memif,
# against the bare link and the Linux kernel's TCP.
#
# Runs scripts/bench.sh --quick: iwarp-perf's write, read and send tests,
# bandwidth and latency, 64 B .. 256 KiB in powers of two, 300 iterations per
# size, once each, over
#   rdma  librte_iwarp (iwarp-perf --rdma), server on core 0, client on core 1,
#         the two processes joined by net_memif
#   raw   bare L2 frames over the same net_memif pair (the floor of the link)
#   ktcp  kernel TCP between two network namespaces over a veth pair (MTU 1500)
# printing perftest's tables as it goes (one row per size as it finishes),
# then writes docs/bench/bench.csv, the PNG plots (throughput and %CPU against
# I/O size, latency against I/O size) and docs/bench/README.md, and ends with
# a short summary. About 1.5 minutes on 2 cores.
#
#   scripts/demo.sh BUILD_DIR
set -euo pipefail

BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

say "librte_iwarp demo: iWARP RDMA (WRITE, READ, SEND; bandwidth and latency) between"
say "two processes on two cores over net_memif, against the raw link and kernel TCP."
[ "$(id -u)" = 0 ] || die "needs root (kernel TCP runs between two network namespaces)"
[ -x "$BUILD/apps/perf/iwarp-perf" ] || die "$BUILD/apps/perf/iwarp-perf not found: build first (make build)"

# EAL memory: what scripts/setup.sh settled on (empty = hugepages).
if [ -f "$BUILD/eal-mem.args" ]; then
	MEM=$(cat "$BUILD/eal-mem.args")
elif [ -f "$SRC/build/eal-mem.args" ]; then
	MEM=$(cat "$SRC/build/eal-mem.args")
elif [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -gt 0 ]; then
	MEM=
else
	MEM=--no-huge
fi
if [ "$MEM" = --no-huge ]; then
	export EAL_MEM="--no-huge -m 256"
	say "EAL memory: no hugepages here, using --no-huge"
else
	export EAL_MEM="--in-memory"
	say "EAL memory: hugepages"
fi

START=$(date +%s)
say "sweeps 64 B .. 256 KiB, 300 iterations per size: rdma, then raw, then kernel TCP"
"$SRC/scripts/bench.sh" "$BUILD" --quick
ELAPSED=$(( $(date +%s) - START ))

CSV=$SRC/docs/bench/bench.csv
[ -s "$CSV" ] || die "no $CSV"
/usr/bin/env python3 - "$CSV" "$ELAPSED" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def get(tr, t, b, k):
    for r in rows:
        if r["transport"] == tr and r["test"] == t and int(r["bytes"]) == b:
            return float(r[k])
    raise SystemExit("demo: FAILED: no %s %s %d B row in the CSV" % (tr, t, b))
lat = {tr: get(tr, "write_lat", 64, "t_typical_usec") for tr in ("rdma", "raw", "ktcp")}
bw = {tr: get(tr, "write_bw", 65536, "bw_avg_gbps") for tr in ("rdma", "raw", "ktcp")}
cpu = {tr: get(tr, "write_bw", 65536, "client_cpu_busy_pct") for tr in ("rdma", "raw", "ktcp")}
print()
print("demo: summary (this run, on this machine; see docs/bench/README.md)")
print("demo:   64 B RDMA WRITE latency %.2f us (half round trip): raw link %.2f us, "
      "kernel TCP %.2f us" % (lat["rdma"], lat["raw"], lat["ktcp"]))
print("demo:   64 KiB RDMA WRITE %.2f Gbit/s at %.0f%% CPU: raw link %.2f Gbit/s (%.0f%%), "
      "kernel TCP %.2f Gbit/s (%.0f%%)" % (bw["rdma"], cpu["rdma"], bw["raw"], cpu["raw"],
                                        bw["ktcp"], cpu["ktcp"]))
print("demo:   wrote docs/bench/bench.csv, docs/bench/*.png, docs/bench/README.md in %s s"
      % sys.argv[2])
EOF
say "OK"
