#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# profile-instr.sh BUILD_DIR [BASE_COMMIT]
#
# docs/bench/profile.md: where the instructions of a 64 B WRITE go, per
# function, both ends (scripts/bench-instr.sh's callgrind run), for the
# working tree and, when BASE_COMMIT is given, for that commit built in a
# temporary worktree with this tree's harness (tests/bench, scripts/bench-instr.sh)
# copied in: the harness needs only the public API and the device's
# polls/busy_polls counters (5fa47d0 and later).
set -euo pipefail

BUILD=${1:?usage: profile-instr.sh BUILD_DIR [BASE_COMMIT]}
BASE=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/docs/bench/profile.md
WORK=$(mktemp -d /tmp/iwarp-profile.XXXXXX)
cleanup() {
	if [ -d "$WORK/base" ]; then
		git -C "$ROOT" worktree remove --force "$WORK/base" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# run DIR TAG: the profile table and the summary lines of one tree
run() {
	BENCH_INSTR_PROFILE=$WORK/$2.md "$ROOT/scripts/bench-instr.sh" "$1" >"$WORK/$2.out"
}

run "$BUILD" after
BENCH_INSTR_PROFILE=$WORK/big.md "$ROOT/scripts/bench-instr.sh" "$BUILD" --size 65536 --count 300 \
	>"$WORK/big.out"
HEAD_REV=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
if [ -n "$BASE" ]; then
	git -C "$ROOT" worktree add -q --detach "$WORK/base" "$BASE"
	cp -r "$ROOT/tests/bench" "$WORK/base/tests/"
	cp "$ROOT/scripts/bench-instr.sh" "$WORK/base/scripts/"
	if ! grep -q iwt-bench-instr "$WORK/base/tests/meson.build"; then
		sed -n '/^# The instruction budget of the fast path/,$p' "$ROOT/tests/meson.build" \
			>>"$WORK/base/tests/meson.build"
	fi
	(cd "$WORK/base" && meson setup build >/dev/null && ninja -C build tests/iwt-bench-instr >/dev/null)
	run "$WORK/base/build" before
fi

last() { tail -1 "$WORK/$1.out"; }
{
	echo "# Where the instructions of a 64 B WRITE go"
	echo
	echo "Produced by \`scripts/profile-instr.sh build${BASE:+ $BASE}\` on $(date -u '+%Y-%m-%d %H:%M UTC'),"
	echo "$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, kernel $(uname -r)."
	echo
	echo "\`make bench-instr\` (scripts/bench-instr.sh): two engines over a ring wire in one"
	echo "process, one QP pair, MPA v2 with CRC32c, 20,000 WRITEs of 64 B after 5,000 of"
	echo "warm-up, at most 128 outstanding, every 64th signalled, each posted alone; callgrind"
	echo "counts the instructions of both ends (the benchmark's own loop included), and the"
	echo "measured phase's idle polls are subtracted at the cost of an idle poll. Instruction"
	echo "counts do not depend on the machine's load. Self instructions per message, by"
	echo "function; code inlined into a function counts as that function's."
	echo
	if [ -n "$BASE" ]; then
		echo "## Before: $BASE"
		echo
		echo '```'
		tail -3 "$WORK/before.out"
		echo '```'
		echo
		head -32 "$WORK/before.md"
		echo
	fi
	echo "## After: $HEAD_REV$DIRTY"
	echo
	echo '```'
	tail -3 "$WORK/after.out"
	echo '```'
	echo
	head -32 "$WORK/after.md"
	echo
	echo "## A 64 KiB WRITE, after"
	echo
	echo "The same pattern with 300 WRITEs of 64 KiB (\`scripts/bench-instr.sh build --size 65536"
	echo "--count 300\`): per message, 46 data frames of one FPDU each and their ACKs."
	echo "Here the work per frame and per byte shows: the TCP checksum (iw_raw_cksum, inlined"
	echo "into iw_net_output on transmit and tcp_input on receive), the CRC32c"
	echo "(iw_crc32c_lanes3, both ends) and the copies; docs/bench/profile-cycles.md has the"
	echo "sampled cycles of the same transfer over net_memif, whose own copies this ring wire"
	echo "does not have."
	echo
	echo '```'
	tail -3 "$WORK/big.out"
	echo '```'
	echo
	head -26 "$WORK/big.md"
	echo
	echo "Other message sizes, the same pattern (\`scripts/bench-instr.sh build --size N\`):"
	echo
	echo "| WRITE size | instructions per message (both ends) | per byte |"
	echo "|---:|---:|---:|"
	for s in 64 256 512 1024 4096 65536; do
		n=$(( s >= 4096 ? 1000 : 4000 ))
		"$ROOT/scripts/bench-instr.sh" "$BUILD" --size "$s" --count "$n" --warmup $((n / 4)) |
			tail -1 | awk -v s="$s" '{printf "| %d B | %s | %.2f |\n", s, $NF, $NF / s}'
	done
} >"$OUT"
echo "profile-instr.sh: wrote $OUT"
last after
