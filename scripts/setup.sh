#!/usr/bin/env bash
# Prepare a Debian 12 machine for librte_iwarp: install what is missing, reserve
# 2 MB hugepages when the kernel allows it. Idempotent; a no-op when all is present.
# Writes the EAL memory mode it settled on to $BUILD/eal-mem.args (BUILD defaults to build).
set -euo pipefail

PKGS=(build-essential meson ninja-build pkg-config libdpdk-dev dpdk libnuma-dev
      libpcap-dev iproute2 iputils-ping ethtool iptables nftables tshark clang socat tcpdump
      librdmacm-dev
      libclang-rt-14-dev python3 python3-matplotlib valgrind)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages and not root: ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		debconf-set-selections 2>/dev/null || true
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "setup: all packages present"
fi

BUILD=${BUILD:-build}
mkdir -p "$BUILD"
want=${IWARP_HUGEPAGES:-512}
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
mode=--no-huge
if [ -w "$hp" ]; then
	cur=$(cat "$hp")
	if [ "$cur" -lt "$want" ]; then
		echo "$want" > "$hp" 2>/dev/null || true
	fi
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	if mountpoint -q /dev/hugepages && [ "${free:-0}" -ge 64 ]; then
		mode=huge
	fi
fi
if [ "$mode" = huge ]; then
	echo "setup: $(awk '/HugePages_Free/ {print $2}' /proc/meminfo) free 2 MB hugepages on /dev/hugepages"
	echo "" > "$BUILD/eal-mem.args"
else
	echo "setup: no hugepages available; DPDK runs with --no-huge"
	echo "--no-huge" > "$BUILD/eal-mem.args"
fi
