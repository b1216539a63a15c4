#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build a libFuzzer target with clang and run it for a bounded time from its
# committed corpus. Exit 0 when no crash was found, 77 when clang/libFuzzer is
# not available (printed), non-zero on a crash or build error.
#
#   tests/fuzz/run.sh TARGET OUTDIR [SECONDS]
#
# TARGET: mpa_handshake | fpdu_rx | tcp_input | rping_msg | perf_ctl (see
# docs/fuzzing.md). New corpus entries go to OUTDIR, never into the committed
# corpus. Crash inputs are written to OUTDIR/crash-*.
set -eu

target=${1:?target}
out=${2:?output directory}
secs=${3:-${IWARP_FUZZ_SECONDS:-20}}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src="$here/fuzz_$target.c"
corpus="$here/corpus/$target"
[ -f "$src" ] || { echo "no fuzz target $target" >&2; exit 2; }

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "SKIP: $CLANG not installed (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
mkdir -p "$out/corpus-$target"
probe="$out/probe.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$probe"
if ! "$CLANG" -fsanitize=fuzzer "$probe" -o "$out/probe" 2>/dev/null; then
	echo "SKIP: $CLANG cannot link libFuzzer (libclang-rt-14-dev missing)"
	exit 77
fi

bin="$out/fuzz_$target"
# -fno-sanitize=alignment: DPDK's rte_hash_crc() loads unaligned words on
# purpose (x86 allows it); everything else undefined is fatal.
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-fno-sanitize=alignment -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk)"
LIBS="$(pkg-config --libs libdpdk)"
# Each module is compiled with its own default log type, as meson does.
objs=
compile() { # LOGTYPE INCLUDES SOURCES...
	lt=$1 inc=$2
	shift 2
	for f in "$@"; do
		o="$out/obj-$target-$(basename "$f" .c).o"
		# shellcheck disable=SC2086
		"$CLANG" $CFLAGS -DRTE_LOG_DEFAULT_LOGTYPE="$lt" $inc -c "$f" -o "$o"
		objs="$objs $o"
	done
}
case $target in
mpa_handshake | fpdu_rx)
	compile lib.iwarp "-I$root/rdma" "$src" \
		"$root/rdma/iw_crc32c.c" "$root/rdma/iw_fpdu_rx.c" "$root/rdma/iw_fpdu_tx.c" \
		"$root/rdma/iw_mpa.c" "$root/rdma/iw_rdmap.c" "$root/rdma/iw_terminate.c"
	;;
tcp_input)
	inc="-I$root/pmd -I$root/lib/net -I$root/lib/tcp"
	compile pmd.iwarp "$inc" "$root"/pmd/*.c
	compile lib "$inc" "$root"/lib/net/*.c "$root"/lib/tcp/*.c
	compile fuzz "$inc" "$src"
	LIBS="$LIBS -lrte_net_ring -lnuma -lm -lpthread"
	;;
rping_msg)
	compile fuzz "-I$root/rdma -I$root/apps/rping" "$src" "$root/apps/rping/rping_msg.c"
	;;
perf_ctl)
	compile fuzz "-I$root/rdma -I$root/pmd -I$root/apps/perf" "$src" \
		"$root/apps/perf/perf_ctlmsg.c"
	LIBS="$LIBS -lm"
	;;
*)
	echo "no build recipe for fuzz target $target" >&2
	exit 2
	;;
esac
# shellcheck disable=SC2086
"$CLANG" $CFLAGS $objs $LIBS -o "$bin"

echo "fuzz_$target: ${secs}s from $(ls "$corpus" | wc -l) seeds"
# libFuzzer exits 77 on a finding by default, which meson reads as "skipped".
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$out/" \
	"$out/corpus-$target" "$corpus"
