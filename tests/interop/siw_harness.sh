#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# siw_harness.sh: put iwarp-rping (or any DPDK process) on siw-peer's test segment.
#
#   siw_harness.sh up                 build the peer (~2 min the first time), boot guest 0
#                                     with no server, veth iwsv0/iwsv1 in namespace iwpeer:
#                                     iwsv0 on the bridge, iwsv1 for net_af_packet
#   siw_harness.sh down               stop the guest and delete the namespace
#   siw_harness.sh param NAME VALUE   set siw's module parameter NAME in guest 0
#   siw_harness.sh guest 'CMD'        run CMD in guest 0
#   siw_harness.sh rping ARGS...      run our iwarp-rping in iwpeer on iwsv1 as 192.168.77.50
#   siw_harness.sh perf ARGS...       run our iwarp-perf ARGS there (--ip 192.168.77.50 added)
#   siw_harness.sh capture start FILE [tcpdump args] | stop
#   siw_harness.sh check FILE CRC     tshark: MPA request and reply present, no malformed
#                                     frame, every FPDU's CRC good (CRC=1) or absent (CRC=0)
#                                     (CRC=any: whatever was negotiated, but no bad one)
#   siw_harness.sh terms FILE ADDR    count the TERMINATE frames ADDR sent
#
# Environment: IWARP_SHARED_DIR (default <source>/../shared), IWT_BUILD_DIR (the build
# tree holding apps/rping/iwarp-rping and apps/perf/iwarp-perf). Exit 77 with "SKIP:
# reason" when the peer cannot be built or booted here.
set -u
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SHARED=${IWARP_SHARED_DIR:-$HERE/../../../shared}
SIWPEER=$SHARED/siw-peer/siw-peer.sh
BUILD=${IWT_BUILD_DIR:-$HERE/../../build}
NS=iwpeer
OUR_IP=192.168.77.50
EAL="--no-huge -m 256 --no-pci --no-telemetry --log-level=*:warning"

tshark_iw() { tshark --disable-heuristic rpcrdma_iwarp "$@" 2>/dev/null; }

case ${1:-} in
up)
	[ -x "$SIWPEER" ] || { echo "SKIP: no siw-peer at $SIWPEER (set IWARP_SHARED_DIR)"; exit 77; }
	command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
	"$SIWPEER" stop >/dev/null 2>&1
	if ! out=$("$SIWPEER" build 2>&1); then
		echo "$out" | tail -5 >&2
		echo "SKIP: siw-peer cannot be built here (see above)"; exit 77
	fi
	if ! out=$("$SIWPEER" start --server none 2>&1); then
		echo "$out" | tail -5 >&2
		"$SIWPEER" stop >/dev/null 2>&1
		echo "SKIP: qemu cannot boot the siw guest here (see above)"; exit 77
	fi
	echo "$out" | tail -2 >&2
	ip -n $NS link add iwsv0 type veth peer name iwsv1 || exit 1
	"$SIWPEER" attach iwsv0 >/dev/null 2>&1 || exit 1
	ip -n $NS link set iwsv1 up || exit 1
	for i in iwsv0 iwsv1; do
		ip netns exec $NS ethtool -K $i tx off >/dev/null || exit 1
		ip netns exec $NS sh -c "echo 1 > /sys/class/net/$i/queues/rx-0/rps_cpus" || exit 1
	done
	;;
down)
	"$SIWPEER" stop >/dev/null 2>&1
	ip netns del $NS 2>/dev/null
	exit 0
	;;
param)
	"$SIWPEER" exec 0 "echo $3 > /sys/module/siw/parameters/$2 && echo siw $2=\$(cat /sys/module/siw/parameters/$2)"
	;;
guest)
	shift
	"$SIWPEER" exec 0 "$*"
	;;
rping)
	shift
	exec ip netns exec $NS "$BUILD/apps/rping/iwarp-rping" $EAL -l 1 --file-prefix=iwtsiw$$ \
		--vdev=net_af_packet0,iface=iwsv1 -- --ip $OUR_IP/24 "$@"
	;;
perf)
	shift
	exec ip netns exec $NS "$BUILD/apps/perf/iwarp-perf" $EAL -l 1 --file-prefix=iwtsiw$$ \
		--vdev=net_af_packet0,iface=iwsv1 -- "$@" --ip $OUR_IP
	;;
capture)
	shift
	# tcpdump must see a frame as soon as it arrives (--immediate-mode) and get
	# time to write what it has read before it is stopped: otherwise frames
	# still in the kernel's capture block are lost at SIGINT, and on this
	# loaded machine about one capture in 60 had none at all ("0 packets
	# captured, 76 packets received by filter").
	log=${SIWPEER_DIR:-/var/tmp/siw-peer}/run/cap.log
	last=/tmp/iwt-siw-capture.$NS
	if [ "$1" = start ]; then
		f=$2; shift 2; [ $# -gt 0 ] || set -- tcp
		# a 64 MiB capture buffer: with the default one the kernel dropped frames of
		# 1 MiB READ responses on the loaded machine, and tshark's reassembly of
		# the holed stream then reported bad CRCs that were never on the wire
		"$SIWPEER" capture start "$f" --immediate-mode -B 65536 "$@" >/dev/null 2>&1 || exit 1
		echo "$f" >"$last"
		# tcpdump may take more than siw-peer's 1 s to attach on a loaded machine
		for _ in $(seq 100); do
			grep -q 'listening on' "$log" 2>/dev/null && exit 0
			sleep 0.1
		done
		echo "capture: tcpdump not listening after 10 s" >&2; exit 1
	fi
	f=$(cat "$last" 2>/dev/null) && rm -f "$last"
	if [ -n "$f" ]; then
		# let the file stop growing (3 checks 0.1 s apart, at most 5 s)
		prev=-1 same=0
		for _ in $(seq 50); do
			cur=$(stat -c %s "$f" 2>/dev/null || echo 0)
			if [ "$cur" = "$prev" ]; then
				same=$((same + 1)); [ $same -ge 3 ] && break
			else
				same=0
			fi
			prev=$cur; sleep 0.1
		done
	fi
	"$SIWPEER" capture "$@" >/dev/null 2>&1 || exit 1
	# an empty or holed capture is a tooling failure: say what tcpdump said
	if [ -n "$f" ] && [ "$(tshark_iw -r "$f" | wc -l)" -eq 0 ]; then
		echo "capture $f: no frame recorded (tcpdump, not the protocol): $(tr '\n' ' ' <"$log")" >&2
	fi
	drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$log")
	if [ -n "$drops" ] && [ "$drops" -gt 0 ]; then
		echo "capture $f: $drops frames dropped by the kernel (tcpdump, not the protocol):" \
			"the decode of this capture is not complete" >&2
	fi
	;;
check)
	f=$2 crc=$3
	req=$(tshark_iw -r "$f" -Y iwarp_mpa.req | wc -l)
	rep=$(tshark_iw -r "$f" -Y iwarp_mpa.rep | wc -l)
	fpdus=$(tshark_iw -r "$f" -Y iwarp_mpa.fpdu | wc -l)
	bad=$(tshark_iw -r "$f" -Y _ws.malformed | wc -l)
	good=$(tshark_iw -r "$f" -O iwarp_mpa -Y iwarp_mpa.fpdu | grep -c 'Good CRC32')
	badcrc=$(tshark_iw -r "$f" -O iwarp_mpa -Y iwarp_mpa.fpdu | grep -c 'Bad CRC32')
	crcflag=$(tshark_iw -r "$f" -Y iwarp_mpa.rep -T fields -e iwarp_mpa.crc_flag | head -1)
	echo "capture $f: $req MPA request(s), $rep reply, $fpdus FPDUs, $bad malformed," \
		"CRC $good good / $badcrc bad, reply CRC flag '$crcflag'"
	[ "$req" -ge 1 ] && [ "$rep" -ge 1 ] && [ "$fpdus" -ge 1 ] && [ "$bad" -eq 0 ] &&
		[ "$badcrc" -eq 0 ] || exit 1
	case $crc in
	1) [ "$good" -ge "$fpdus" ] && [ "$crcflag" = 1 ] || exit 1 ;;
	0) [ "$good" -eq 0 ] && [ "$crcflag" = 0 ] || exit 1 ;;
	esac
	;;
terms)
	# TERMINATE frames sent by address $3
	tshark_iw -r "$2" -Y "ip.src==$3 && iwarp_ddp_rdmap" -T fields -e _ws.col.Info |
		grep -c Terminate
	;;
*)
	sed -n '3,20p' "$0"; exit 2 ;;
esac
