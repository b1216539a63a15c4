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
# Then write_bw again at a fixed offered rate (RATE_TEST, iwarp-perf
# --rate_limit 10 --rate_units g) over each transport, for the busy share of
# the polling cores at that rate; skipped, and reported as not measured, while
# this build's iwarp-perf has no --rate_limit.
#
# A transport is one cmd_<name> function and one word in TRANSPORTS
# (BENCH_TRANSPORTS in the environment picks a subset).
# EAL memory: EAL_MEM in the environment, else what scripts/setup.sh settled
# on (BUILD_DIR/eal-mem.args: hugepages -> --in-memory, --no-huge -> --no-huge
# -m 256), else "--no-huge -m 256".
# BENCH_KEEP=1 keeps the scratch directory (the JSON files of every run).
#
# The tables print as they run, one row per size. scripts/bench_report.py
# then writes docs/bench/bench.csv, targets.csv, *.png and README.md (the
# targets table: rdma against raw and kernel TCP, target, met / not met) and
# prints the targets table.
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
# write_bw at a fixed offered rate (Gbit/s, perftest's --rate_limit semantics).
RATE_GBPS=10
RATE_TEST=write_bw_${RATE_GBPS}g
SIZES="--size_min 64 --size_max 262144"
# The message-rate targets: write_bw and send_bw of 64 B for STEADY_S
# seconds (-D), not the sweep's -n messages: at 8 M/s, 5,000 messages last
# 0.6 ms, and the first ~1,000 frames over a fresh net_memif ring fault its
# shared pages in (iwarp-perf's warm-up cycles the ring first; -D rdma also
# leaves a quarter of S out at each end).
STEADY_TESTS="write_bw_steady send_bw_steady"
STEADY_S=4
# Each sweep runs REPEAT times, interleaved; the tables keep, per size, the
# best run (highest BW average, lowest median latency): on a shared machine
# the scheduler takes cores away at random, and the best run is the one it
# disturbed least.
# The rate-limited sweep runs more iterations: at 10 Gbit/s, 300 x 64 KiB
# last 16 ms, too short for a busy share.
if [ $QUICK = 1 ]; then
	N_BW=1000; N_LAT=300; N_RATE=3000; REPEAT=1; STEADY_S=2
else
	N_BW=5000; N_LAT=500; N_RATE=10000; REPEAT=2
fi
if [ -z "${EAL_MEM:-}" ]; then
	if [ -f "$BUILD/eal-mem.args" ] && [ -z "$(tr -d '[:space:]' <"$BUILD/eal-mem.args")" ]; then
		EAL_MEM=--in-memory
	else
		EAL_MEM="--no-huge -m 256"
	fi
fi
EAL="$EAL_MEM --no-pci --no-telemetry --log-level=*:warning"
# Namespaces of this run only: two bench.sh at once (two worktrees, make demo
# and make bench) would otherwise delete and remake each other's.
NS_S=iwbench_s$$
NS_C=iwbench_c$$

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
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench.sh: kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# Does this build's iwarp-perf take --rate_limit? (another branch adds it)
case $("$BIN" --help 2>&1 || true) in
*--rate_limit*) RATE_STATE=measured ;;
*) RATE_STATE=absent ;;
esac

iters() {
	case $1 in
	"$RATE_TEST") echo $N_RATE ;;
	*_bw*) echo $N_BW ;;
	*) echo $N_LAT ;;
	esac
}
# The iwarp-perf test and flags of a TESTS entry (or RATE_TEST, a STEADY_TESTS one).
perf_test() {
	case $1 in
	"$RATE_TEST") echo write_bw ;;
	*_steady) echo "${1%_steady}" ;;
	*) echo "${1%_bidir}" ;;
	esac
}
# The sizes and the length of a run, then the test's own flags.
perf_flags() {
	case $1 in
	*_steady) echo "-s 64 -D $STEADY_S" ;;
	*_bidir) echo "-a $SIZES -n $(iters "$1") -b" ;;
	"$RATE_TEST") echo "-a $SIZES -n $(iters "$1") --rate_limit $RATE_GBPS --rate_units g" ;;
	*) echo "-a $SIZES -n $(iters "$1")" ;;
	esac
}
# The tests a transport runs (all of them, today).
tests_of() {
	local t
	for t in $TESTS $STEADY_TESTS; do
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

# run_pair NAME SERVER_CMD CLIENT_CMD [FAILED_FILE]: try_pair, once more if it
# fails (a shared machine can starve a busy-polling side past its timeouts);
# the retry is noted in the README. Failing twice ends the script, or, given
# FAILED_FILE, writes the first error line there (the report then says "not
# measured" and why) and goes on.
RETRIES=$WORK/retries.txt
: >"$RETRIES"
run_pair() {
	local why
	try_pair "$1" "$2" "$3" && return 0
	echo "bench.sh: retrying $1 once" >&2
	echo "$1" >>"$RETRIES"
	rm -f "$WORK/memif.sock"
	try_pair "$1" "$2" "$3" && return 0
	if [ -n "${4:-}" ]; then
		why=$(grep -h -m1 'error' "$WORK/$1.err" "$WORK/$1.srv" 2>/dev/null | head -1)
		echo "failed twice: ${why:-no error line, see its logs}" >"$4"
		echo "bench.sh: $1 failed twice; reported as not measured" >&2
		return 0
	fi
	echo "bench.sh: error: $1 failed twice" >&2
	exit 1
}

CMDS=$WORK/commands.txt
: >"$CMDS"

# cmd_<transport> TEST REP: the server and client commands, in SRV and CLI.
cmd_raw() {
	local t=$1 rep=$2 sock=$WORK/memif.sock
	SRV="$BIN $EAL -l 0 --file-prefix=iwbs$$ --vdev=net_memif0,role=server,socket=$sock -- $(perf_test "$t") --raw --timeout 60"
	CLI="$BIN $EAL -l 1 --file-prefix=iwbc$$ --vdev=net_memif0,role=client,socket=$sock -- $(perf_test "$t") --raw $(perf_flags "$t") --cpu_util --report_gbits --out_json_file $WORK/raw_$t.$rep.json x"
}

cmd_rdma() {
	local t=$1 rep=$2 sock=$WORK/memif.sock
	SRV="$BIN $EAL -l 0 --file-prefix=iwbs$$ --vdev=net_memif0,role=server,socket=$sock,bsize=16384 -- $(perf_test "$t") --rdma --timeout 60"
	CLI="$BIN $EAL -l 1 --file-prefix=iwbc$$ --vdev=net_memif0,role=client,socket=$sock,bsize=16384 -- $(perf_test "$t") --rdma $(perf_flags "$t") --cpu_util --report_gbits --out_json_file $WORK/rdma_$t.$rep.json 10.77.0.1"
}

cmd_ktcp() {
	local t=$1 rep=$2
	SRV="ip netns exec $NS_S taskset -c 0 $BIN $(perf_test "$t") --kernel-tcp --timeout 60"
	CLI="ip netns exec $NS_C taskset -c 1 $BIN $(perf_test "$t") --kernel-tcp $(perf_flags "$t") --cpu_util --report_gbits --out_json_file $WORK/ktcp_$t.$rep.json 10.214.0.1"
}

# run_one TRANSPORT TEST REP: record the commands (first run), run the pair.
# The rate-limited sweep does not end the script when it fails: its rows say
# "not measured" and why.
run_one() {
	local tr=$1 t=$2 rep=$3 failed=
	"cmd_$tr" "$t" "$rep"
	if [ "$rep" = 1 ]; then
		echo "$tr $t: server: $SRV" >>"$CMDS"
		echo "$tr $t: client: $CLI" >>"$CMDS"
	fi
	[ "$t" = "$RATE_TEST" ] && failed=$WORK/${tr}_$t.$rep.failed
	rm -f "$WORK/memif.sock"
	run_pair "${tr}_${t}_$rep" "$SRV" "$CLI" $failed
	# a failed run's JSON (a client done before its server failed) is not used
	if [ -n "$failed" ] && [ -s "$failed" ]; then
		rm -f "$WORK/${tr}_$t.$rep.json"
	fi
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

START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
case " $TRANSPORTS " in *" ktcp "*) ktcp_setup ;; esac
for rep in $(seq $REPEAT); do
	for tr in $TRANSPORTS; do
		for t in $(tests_of "$tr"); do
			echo "== $tr $t (run $rep of $REPEAT)"
			run_one "$tr" "$t" "$rep"
		done
	done
	for tr in $TRANSPORTS; do
		if [ $RATE_STATE = measured ]; then
			echo "== $tr $RATE_TEST: write_bw at $RATE_GBPS Gbit/s offered (run $rep of $REPEAT)"
			run_one "$tr" "$RATE_TEST" "$rep"
		elif [ "$rep" = 1 ]; then
			# not run; its commands still go into the README
			"cmd_$tr" "$RATE_TEST" 1
			echo "$tr $RATE_TEST: server: $SRV" >>"$CMDS"
			echo "$tr $RATE_TEST: client: $CLI" >>"$CMDS"
		fi
	done
done
[ $RATE_STATE = measured ] ||
	echo "bench.sh: $RATE_TEST not measured: $BIN has no --rate_limit"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( $(date +%s) - START ))

BUILD_NAME=$(basename "$BUILD")
{
	echo "TRANSPORTS=$TRANSPORTS"
	echo "TESTS=$TESTS"
	echo "STEADY_TESTS=$STEADY_TESTS"
	echo "STEADY_S=$STEADY_S"
	echo "REPEAT=$REPEAT"
	echo "QUICK=$QUICK"
	echo "N_BW=$N_BW"
	echo "N_LAT=$N_LAT"
	echo "N_RATE=$N_RATE"
	echo "RATE_TEST=$RATE_TEST"
	echo "RATE_GBPS=$RATE_GBPS"
	echo "RATE_STATE=$RATE_STATE"
	echo "BIN=$BIN"
	echo "BUILD_NAME=$BUILD_NAME"
	echo "EAL_MEM=$EAL_MEM"
	echo "ELAPSED=$ELAPSED"
	echo "LOAD0=$LOAD0"
	echo "LOAD1=$LOAD1"
	echo "MODEL=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "CORES=$(nproc)"
	echo "KERNEL=$(uname -r)"
	echo "DPDK=$(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)"
	echo "DATE=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$WORK/meta.txt"

echo
echo "bench.sh: ${ELAPSED} s of sweeps; writing $OUT/README.md, bench.csv, targets.csv, *.png"
echo
"$PY" "$ROOT/scripts/bench_report.py" "$WORK" "$OUT"
