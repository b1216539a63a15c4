#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# install_exports_only_api_symbols SRC BUILD VERSION
#
# Installs librte_iwarp into a temporary directory and checks what a user
# gets: the public API is the set of functions the installed headers declare
# (derived with the compiler's -aux-info, not listed here); the version map
# lists exactly those, its EXPERIMENTAL node exactly the ones marked
# __rte_iwarp_experimental; `nm -D` of the installed shared library shows
# exactly the API, each in its version node; the static archive's global
# defined symbols are exactly the API; a program defining every internal global
# name of the build's internal libraries links statically with librte_iwarp.a
# (no collision) and runs; the soname carries the major version.
src=$1
build=$2
version=$3
. "$src/tests/install/install_tmp.sh"
install_tmp "$build"

so="$libdir/librte_iwarp.so"
ar="$libdir/librte_iwarp.a"
[ -e "$so" ] && [ -e "$ar" ] || fail "librte_iwarp.so or .a missing in $libdir"
ls "$incdir"/*.h >/dev/null 2>&1 || fail "no header in $incdir"

# soname: librte_iwarp.so.MAJOR
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "librte_iwarp.so.${version%%.*}" ] || fail "soname '$soname' (version $version)"
[ -e "$libdir/$soname" ] || fail "no $soname link installed"

# The API: every function the installed headers declare. Each header must
# also compile alone, with only the installed and DPDK include paths.
: >"$tmp/all.c"
for h in "$incdir"/*.h; do
	b=$(basename "$h")
	echo "#include <$b>" >>"$tmp/all.c"
	echo "#include <$b>" >"$tmp/one.c"
	cc -fsyntax-only -Wall -Werror $(pkg-config --cflags librte_iwarp) "$tmp/one.c" ||
		fail "$b does not compile on its own"
done
cc -fsyntax-only -DRTE_IWARP_ALLOW_EXPERIMENTAL_API $(pkg-config --cflags librte_iwarp) \
	-aux-info "$tmp/aux" "$tmp/all.c" || fail "the headers do not compile"
# aux-info lines: "/* FILE:LINE:NC */ extern TYPE NAME (PARAMS);", the
# leftmost "IDENT (" after the comment is the name
grep -F "/* $incdir/" "$tmp/aux" | grep -v '\bstatic\b' | sed 's,^/\*[^*]*\*/ ,,' |
	awk 'match($0, /[A-Za-z_][A-Za-z0-9_]* \(/) { print substr($0, RSTART, RLENGTH - 2) }' |
	sort -u >"$tmp/api.txt"
n=$(wc -l <"$tmp/api.txt")
[ "$n" -gt 0 ] || fail "no function found in the installed headers"
if grep -v '^rte_iwarp_' "$tmp/api.txt" >"$tmp/bad.txt"; then
	fail "public functions outside the rte_iwarp_ namespace: $(tr '\n' ' ' <"$tmp/bad.txt")"
fi
# The ones marked experimental: the name declared after each __rte_iwarp_experimental.
cat "$incdir"/*.h | awk '/^__rte_iwarp_experimental$/ { want = 1; next }
	want && match($0, /rte_iwarp_[a-z0-9_]+\(/) {
		print substr($0, RSTART, RLENGTH - 1); want = 0 }' | sort -u >"$tmp/exp.txt"

# The version map: the same set; EXPERIMENTAL = the marked ones.
map="$src/rdma/version.map"
sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' "$map" | sort -u >"$tmp/map.txt"
awk '/^EXPERIMENTAL/ { e = 1 } e && match($0, /^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;/) {
	s = substr($0, RSTART, RLENGTH - 1); gsub(/[[:space:]]/, "", s); print s }' "$map" |
	sort -u >"$tmp/map-exp.txt"
compare() { # what, expected file, got file
	if ! diff -u "$2" "$3" >"$tmp/diff.txt"; then
		echo "--- expected (the headers) / +++ $1" >&2
		sed 1,2d "$tmp/diff.txt" >&2
		fail "$1 differs from the API of the installed headers"
	fi
}
compare "version.map" "$tmp/api.txt" "$tmp/map.txt"
compare "version.map's EXPERIMENTAL node" "$tmp/exp.txt" "$tmp/map-exp.txt"

# The shared library exports exactly the API ('A' lines are the version nodes).
nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/so.txt"
compare "nm -D --defined-only librte_iwarp.so" "$tmp/api.txt" "$tmp/so.txt"
objdump -T "$so" | awk '/EXPERIMENTAL/ && $NF ~ /^rte_iwarp_/ { print $NF }' | sort -u \
	>"$tmp/so-exp.txt"
compare "librte_iwarp.so's EXPERIMENTAL version node" "$tmp/exp.txt" "$tmp/so-exp.txt"

# The static archive's global defined symbols: exactly the API.
nm -g --defined-only "$ar" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/a.txt"
compare "nm -g --defined-only librte_iwarp.a" "$tmp/api.txt" "$tmp/a.txt"

# A program with every internal global name of its own links with the archive.
nm -g --defined-only "$build"/pmd/libiw_port.a "$build"/lib/net/libiw_net.a \
	"$build"/lib/tcp/libiw_tcp.a "$build"/rdma/libiw_rdma_proto.a \
	"$build"/rdma/libiw_rdma_verbs.a | awk 'NF == 3 { print $3 }' | sort -u |
	grep -vxF -f "$tmp/api.txt" >"$tmp/internal.txt" || true
ni=$(wc -l <"$tmp/internal.txt")
[ "$ni" -gt 0 ] || fail "no internal symbol found in the build's internal libraries"
{
	echo '#include <errno.h>'
	echo '#include <stdio.h>'
	echo '#include <rte_errno.h>'
	echo '#include <rte_iwarp.h>'
	sed 's/.*/void &(void); void &(void) {}/' "$tmp/internal.txt"
	echo 'int main(void) {'
	echo '	struct rte_iwarp_dev *d = rte_iwarp_dev_open(NULL);'
	echo '	if (d != NULL || rte_errno != EINVAL) return 1;'
	echo '	puts("static link: ok"); return 0; }'
} >"$tmp/collide.c"
if ! cc -w $(pkg-config --cflags librte_iwarp) -o "$tmp/collide" "$tmp/collide.c" "$ar" \
	$(pkg-config --libs libdpdk) -lrte_net_ring -lnuma -pthread -lm >"$tmp/link.log" 2>&1; then
	grep -m 10 'multiple definition' "$tmp/link.log" >&2 || cat "$tmp/link.log" >&2
	fail "a program defining the library's internal names does not link with librte_iwarp.a"
fi
"$tmp/collide" >/dev/null || fail "the statically linked program failed"

echo "PASS: $n API functions ($(wc -l <"$tmp/exp.txt") experimental) in the headers, the version" \
	"map, nm -D of $soname and the static archive; $ni internal globals hidden"
