#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# profile-cycles.sh BUILD_DIR [SIZE] [TEST]
#
# docs/bench/profile-cycles.md: where the cycles of a bulk transfer go on
# each side, sampled: iwarp-perf TEST (write_bw) of SIZE (65536) bytes for
# 8 s (-D 8) over a net_memif pair, rdma then raw, server on core 0, client on
# core 1, as make bench; `perf record -e cpu-clock` attaches to each process
# for 3 s of the steady middle of the run (start-up, warm-up and teardown
# are not sampled). The machine has no hardware counters: cpu-clock samples
# time, so the shares include the time a function waits on memory; they
# drift with the load of the machine, the instruction counts of
# scripts/profile-instr.sh do not. Needs perf (linux-perf) and root.
set -euo pipefail

BUILD=${1:?usage: profile-cycles.sh BUILD_DIR [SIZE] [TEST]}
SIZE=${2:-65536}
TEST=${3:-write_bw}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$BUILD" && pwd)/apps/perf/iwarp-perf
OUT=$ROOT/docs/bench/profile-cycles.md
WORK=$(mktemp -d /tmp/iwarp-cycles.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v perf >/dev/null || { echo "profile-cycles.sh: error: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "profile-cycles.sh: error: $BIN is not built (make build)" >&2; exit 1; }
if [ -f "$BUILD/eal-mem.args" ] && [ -z "$(tr -d '[:space:]' <"$BUILD/eal-mem.args")" ]; then
	EAL_MEM=--in-memory
else
	EAL_MEM="--no-huge -m 256"
fi
EAL="$EAL_MEM --no-pci --no-telemetry --log-level=*:warning"

# run MODE: one pair, both sampled; WORK/MODE.{srv,cli}.txt and MODE.line
run() {
	local mode=$1 sock=$WORK/memif.sock bs= dst=x spid cpid
	[ "$mode" = rdma ] && bs=,bsize=16384 && dst=10.77.0.1
	rm -f "$sock"
	$BIN $EAL -l 0 --file-prefix=iwps$$ --vdev=net_memif0,role=server,socket=$sock$bs \
		-- "$TEST" --"$mode" --timeout 60 >"$WORK/$mode.srvout" 2>&1 &
	spid=$!
	for _ in $(seq 100); do
		grep -q "waiting for a client" "$WORK/$mode.srvout" 2>/dev/null && break
		sleep 0.1
	done
	$BIN $EAL -l 1 --file-prefix=iwpc$$ --vdev=net_memif0,role=client,socket=$sock$bs \
		-- "$TEST" --"$mode" -s "$SIZE" -D 8 --cpu_util --report_gbits "$dst" \
		>"$WORK/$mode.cliout" 2>&1 &
	cpid=$!
	sleep 3.5
	# perf stops on SIGINT and writes its data (given a workload, it takes
	# this script's process group down with it when the workload ends)
	timeout -s INT 3 perf record -q -e cpu-clock -F 5000 -p $spid \
		-o "$WORK/$mode.srv.data" >/dev/null 2>&1 &
	timeout -s INT 3 perf record -q -e cpu-clock -F 5000 -p $cpid \
		-o "$WORK/$mode.cli.data" >/dev/null 2>&1 || true
	wait $cpid
	wait $spid
	wait
	grep -E "^ $SIZE " "$WORK/$mode.cliout" | head -1 >"$WORK/$mode.line"
	for side in srv cli; do
		perf report -i "$WORK/$mode.$side.data" --no-children --sort dso,sym \
			--percent-limit 0.7 2>/dev/null | grep -E '^ +[0-9]' |
			sed -E 's/ +/ /g; s/^ //' |
			awk '{pct=$1; dso=$2; $1=""; $2=""; $3=""; sub(/^ +/, ""); printf "| %s | %s | %s |\n", $0, dso, pct}' \
			>"$WORK/$mode.$side.txt"
	done
}

run rdma
run raw
{
	echo "# Where the cycles of a $SIZE B $TEST go (sampled)"
	echo
	echo "Produced by \`scripts/profile-cycles.sh $(basename "$BUILD") $SIZE $TEST\` on $(date -u '+%Y-%m-%d %H:%M UTC'),"
	echo "$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, kernel $(uname -r),"
	echo "commit $(git -C "$ROOT" rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "iwarp-perf $TEST -s $SIZE -D 8 over a net_memif pair (server core 0, client core 1,"
	echo "EAL \`$EAL_MEM\`), rdma (\`--rdma\`, MPA v2 with CRC32c, bsize=16384) and raw"
	echo "(\`--raw\`); \`perf record -e cpu-clock -F 5000\` on each process for 3 s of the"
	echo "steady middle of the run. Share of the samples by function (0.7 % and more);"
	echo "the hex addresses are in net_memif and the mempool driver, which Debian ships"
	echo "without symbols: net_memif's are its copy between mbufs and the shared ring."
	echo "The client's row of the run (perftest's columns: bytes, iterations, BW peak,"
	echo "BW average Gbit/s, MsgRate, client %CPU, cycles per byte):"
	for mode in rdma raw; do
		echo
		echo "## $mode"
		echo
		echo '```'
		cat "$WORK/$mode.line"
		echo '```'
		for side in cli srv; do
			echo
			if [ "$side" = cli ]; then
				echo "Client ($([ "$TEST" = read_bw ] && echo requester || echo sender)):"
			else
				echo "Server ($([ "$TEST" = read_bw ] && echo responder || echo receiver)):"
			fi
			echo
			echo "| function | object | share |"
			echo "|---|---|---:|"
			cat "$WORK/$mode.$side.txt"
		done
	done
} >"$OUT"
echo "profile-cycles.sh: wrote $OUT"
