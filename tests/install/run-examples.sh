#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# install_examples_build_out_of_tree_and_run_over_memif SRC BUILD
#
# Installs librte_iwarp into a temporary directory, copies examples/ there,
# builds it with its own Makefile (pkg-config --cflags --libs librte_iwarp,
# nothing of the build tree), and runs each example's server and client as two
# processes on the two ends of a net_memif pair: both must exit 0 (each checks
# every byte it receives). The memif socket and everything else stay in the
# temporary directory; the EAL runtime directories of the four processes are
# removed at the end.
src=$1
build=$2
. "$src/tests/install/install_tmp.sh"
eal_prefix="iwtex$$"
cleanup_extra='rm -rf /var/run/dpdk/${eal_prefix}s /var/run/dpdk/${eal_prefix}c'
install_tmp "$build"

cp -r "$src/examples" "$tmp/examples"
if ! make -C "$tmp/examples" >"$tmp/make.log" 2>&1; then
	cat "$tmp/make.log" >&2
	fail "the examples do not build out of tree"
fi

# One core each when there are two; --no-huge as the integration suite.
if [ "$(nproc)" -gt 1 ]; then cl=1; else cl=0; fi
eal="--no-huge -m 256 --no-pci --no-telemetry --log-level=notice"
sock="$tmp/memif.sock"

run_pair() { # program, its options
	prog=$1
	shift
	rm -f "$sock"
	timeout 120 "$tmp/examples/$prog" -l 0 $eal --file-prefix="${eal_prefix}s" -- server \
		--socket "$sock" "$@" >"$tmp/server.log" 2>&1 &
	spid=$!
	timeout 120 "$tmp/examples/$prog" -l $cl $eal --file-prefix="${eal_prefix}c" -- client \
		--socket "$sock" "$@" >"$tmp/client.log" 2>&1 && crc=0 || crc=$?
	wait $spid && src_rc=0 || src_rc=$?
	grep -hv '^EAL:' "$tmp/server.log" "$tmp/client.log" | sed "s/^/  /"
	[ "$src_rc" -eq 0 ] && [ "$crc" -eq 0 ] ||
		fail "$prog: server exit $src_rc, client exit $crc"
	[ ! -e "$sock" ] || fail "$prog: the memif socket is left behind"
	echo "ok: $prog"
}

run_pair write_pingpong -n 300 -s 4096
run_pair send_echo -n 300 -s 8192
run_pair read_fetch -n 200 -s 1048576
echo "PASS: the three examples built against the installed librte_iwarp and ran over memif"
