# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the install tests: `meson install` of BUILD into a fresh temporary
# directory ($tmp/root, removed on exit with everything else under $tmp), and
# PKG_CONFIG_PATH pointing at the librte_iwarp.pc installed there. The .pc is
# relocatable (prefix=${pcfiledir}/...), so pkg-config finds the headers and
# libraries of the copy.
set -eu
tmp=$(mktemp -d /tmp/iwt-install.XXXXXX)
cleanup_extra=:
trap 'eval "$cleanup_extra"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

install_tmp() {
	if ! meson install -C "$1" --no-rebuild --destdir "$tmp/root" >"$tmp/install.log" 2>&1; then
		cat "$tmp/install.log" >&2
		fail "meson install --destdir failed"
	fi
	pc=$(find "$tmp/root" -name librte_iwarp.pc)
	[ -n "$pc" ] || fail "no librte_iwarp.pc installed"
	PKG_CONFIG_PATH=$(dirname "$pc")
	export PKG_CONFIG_PATH
	pkg-config --exists librte_iwarp || fail "pkg-config does not take the installed librte_iwarp.pc"
	libdir=$(pkg-config --variable=libdir librte_iwarp)
	incdir=$(pkg-config --variable=includedir librte_iwarp)
	case "$libdir" in "$tmp"/*) ;; *) fail "libdir $libdir is not in the temporary prefix" ;; esac
}
