#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench-instr.sh BUILD_DIR [iwt-bench-instr options...]
#
# The instruction budget of the fast path: build/tests/iwt-bench-instr (two
# engines over a ring wire in one process, --no-huge, one QP pair, MPA v2 with
# CRC32c, a write_bw pattern of 64 B WRITEs by default) under
# `valgrind --tool=callgrind`. Instruction counts do not depend on the load of
# the machine, so this is the stable figure of the datapath's cost.
#
# The program dumps its measured phase and an idle phase as callgrind parts;
# this script takes the measured phase's instructions, subtracts its idle
# polls (engine polls that did nothing) at the idle phase's cost per poll,
# and divides by the messages. Both ends, the application's own loop
# included. BENCH_INSTR_PROFILE=FILE also writes callgrind_annotate's
# per-function table of the measured phase to FILE.
#
# The last line is: instructions per 64 B WRITE (both ends): N
set -euo pipefail

BUILD=${1:?usage: bench-instr.sh BUILD_DIR [iwt-bench-instr options]}
shift
BIN=$(cd "$BUILD" && pwd)/tests/iwt-bench-instr
[ -x "$BIN" ] || { echo "bench-instr.sh: error: $BIN is not built (make build)" >&2; exit 1; }
command -v valgrind >/dev/null ||
	{ echo "bench-instr.sh: error: valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/iwarp-bench-instr.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

OUT=$WORK/cg.out
if ! valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN" "$@" \
	>"$WORK/stdout" 2>"$WORK/stderr"; then
	cat "$WORK/stderr" "$WORK/stdout" >&2
	echo "bench-instr.sh: error: iwt-bench-instr failed under callgrind" >&2
	exit 1
fi
cat "$WORK/stdout"
val() { sed -n "s/^$1=//p" "$WORK/stdout"; }
# the parts: 1 = measured, 2 = idle (dump order of the program)
part_of() { grep -l "^desc: Trigger: Client Request: $1\$" "$OUT".* | head -1; }
ir_of() { sed -n 's/^summary: *//p' "$1" | awk '{print $1}'; }
M=$(part_of measured)
I=$(part_of idle)
[ -n "$M" ] && [ -n "$I" ] || { echo "bench-instr.sh: error: callgrind parts missing" >&2; exit 1; }
ir_m=$(ir_of "$M")
ir_i=$(ir_of "$I")
op=$(val op)
size=$(val size)
count=$(val count)
idle_m=$(val measured_idle_polls)
idle_n=$(val idle_polls)
[ "$(val idle_busy_polls)" = 0 ] ||
	echo "bench-instr.sh: warning: the idle phase did work in $(val idle_busy_polls) polls" >&2
# Self instructions per function (inlined code counted in the function it
# was inlined into), per message, largest first.
if [ -n "${BENCH_INSTR_PROFILE:-}" ]; then
	callgrind_annotate --inclusive=no --auto=no --threshold=100 "$M" |
		python3 -c '
import re, sys
count = int(sys.argv[1])
agg = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
    if not m or "PROGRAM TOTALS" in line:
        continue
    ir = int(m.group(1).replace(",", ""))
    fn = re.sub(r" \[.*\]$", "", m.group(2))
    fn = fn.rsplit(":", 1)[-1]
    if "below main" in fn or fn.startswith("0x") or "libc_start" in fn:
        continue
    agg[fn] = agg.get(fn, 0) + ir
total = sum(agg.values())
print("| function | instructions per message | share |")
print("|---|---:|---:|")
for fn, ir in sorted(agg.items(), key=lambda kv: -kv[1]):
    if ir / count < 1:
        break
    print("| %s | %.1f | %.1f%% |" % (fn, ir / count, 100.0 * ir / total))
print("| (total, idle polls included) | %.0f | 100%% |" % (total / count))
' "$(val count)" >"$BENCH_INSTR_PROFILE"
fi
awk -v m="$ir_m" -v i="$ir_i" -v n="$idle_n" -v im="$idle_m" -v c="$count" \
	-v op="$op" -v size="$size" -v fp="$(val measured_fpdus)" \
	-v fa="$(val measured_frames_a_to_b)" -v fb="$(val measured_frames_b_to_a)" 'BEGIN {
	per_idle = i / n
	net = m - im * per_idle
	printf "measured phase: %d instructions, %d idle polls at %.0f each subtracted\n", m, im, per_idle
	printf "frames per message: %.3f data, %.3f ACK; FPDUs per data frame: %.1f\n", fa / c, fb / c, fp / fa
	OP = op == "send" ? "SEND" : "WRITE"
	printf "instructions per %s B %s (both ends): %.0f\n", size, OP, net / c
}'
