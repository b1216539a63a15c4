#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# mkstatic.sh OUT.a VERSION_MAP LIB.a...
#
# librte_iwarp.a: the internal static libraries linked into one relocatable
# object (ld -r), whose global symbols are then all made local except the API
# (the functions the version map exports), so that a program linked statically
# sees only rte_iwarp_* and none of the stack's internal names (tcp_cc_init,
# iw_net_create, ...), which could collide with its own. References to DPDK
# and libc stay undefined, for the program's link to resolve.
set -eu
out=$1
map=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' "$map" > "$tmp/api.txt"
[ -s "$tmp/api.txt" ] || { echo "mkstatic.sh: no API symbol in $map" >&2; exit 1; }
"${LD:-ld}" -r -o "$tmp/librte_iwarp.o" --whole-archive "$@" --no-whole-archive
"${OBJCOPY:-objcopy}" --keep-global-symbols="$tmp/api.txt" "$tmp/librte_iwarp.o"
rm -f "$out"
"${AR:-ar}" rcD "$out" "$tmp/librte_iwarp.o"
