/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public port API (rte_iwarp_port.h), through the public headers only:
 * a port opened by vdev name is described consistently with ethdev, counts
 * what it received and sent, carries raw frames, feeds rte_iwarp_dev_open(),
 * has its device removed at close, and every call rejects bad arguments with
 * the documented sign.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "rte_iwarp.h"
#include "iwt.h"
#include "iwt_eal.h"

IWT_CASE(port_public_api_open_describe_count_close)
{
	struct rte_iwarp_port_conf pc = { .dev = "net_null0,size=128", .nb_mbufs = 1023 };
	struct rte_iwarp_dev_conf dc = { .ip = RTE_BE32(RTE_IPV4(10, 9, 0, 1)) };
	static const uint8_t zero[6];
	struct rte_iwarp_port_info info;
	struct rte_iwarp_port_stats st;
	struct rte_iwarp_port *p;
	struct rte_iwarp_dev *dev;
	struct rte_mbuf *pkts[8];
	struct rte_mempool *mp;
	uint16_t pid, n, k, rx = 0, tx;
	uint8_t mac[6];
	char off[128];
	int len;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();

	IWT_ASSERT(rte_iwarp_port_open(NULL) == NULL && rte_errno == EINVAL, "NULL conf");
	pc.dev = "net_nosuchdriver0";
	IWT_ASSERT(rte_iwarp_port_open(&pc) == NULL && rte_errno == ENODEV, "unknown vdev");
	pc.dev = NULL;
	pc.port_id = 77;
	IWT_ASSERT(rte_iwarp_port_open(&pc) == NULL && rte_errno == ENODEV, "no such port id");

	pc.dev = "net_null0,size=128";
	p = rte_iwarp_port_open(&pc);
	IWT_ASSERT(p != NULL, "open: %s", rte_strerror(rte_errno));
	IWT_ASSERT_EQ(rte_iwarp_port_info_get(p, &info), 0, "info");
	IWT_ASSERT(strcmp(info.name, "net_null0") == 0, "name %s", info.name);
	IWT_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_null0", &pid), 0, "ethdev");
	IWT_ASSERT_EQ(info.port_id, pid, "port id in info");
	IWT_ASSERT_EQ(rte_iwarp_port_id(p), pid, "port id");
	IWT_ASSERT_EQ(info.nb_queues, 1, "default queue count");
	IWT_ASSERT(info.mtu >= 576 && info.mbuf_room > 0 && info.max_tx_segs >= 1,
		   "mtu %u room %u segs %u", info.mtu, info.mbuf_room, info.max_tx_segs);
	IWT_ASSERT_EQ(rte_iwarp_port_mac(p, mac), 0, "mac");
	IWT_ASSERT(memcmp(mac, info.mac_addr, 6) == 0 && memcmp(mac, zero, 6) != 0,
		   "the MAC, the same in info, not all zeros");
	IWT_ASSERT_EQ(info.hw_offloads & info.sw_offloads, 0, "an offload is hw or sw");
	IWT_ASSERT_EQ(rte_iwarp_port_wait_link(p, 1000), 0, "link up");
	IWT_ASSERT_EQ(rte_iwarp_port_link_status(p), 1, "link status");
	len = rte_iwarp_port_offload_str(p, off, sizeof(off));
	IWT_ASSERT(len > 0 && (size_t)len < sizeof(off) && strstr(off, "ipv4-cksum:") != NULL,
		   "offloads '%s'", off);
	IWT_ASSERT_EQ(rte_iwarp_port_offload_str(p, NULL, 0), len, "length alone");

	/* raw frames: net_null produces 128-byte frames and takes any */
	mp = rte_iwarp_port_mempool(p, 0);
	IWT_ASSERT(mp != NULL, "pool");
	IWT_ASSERT(rte_iwarp_port_mempool(p, 1) == NULL && rte_errno == EINVAL, "no queue 1");
	IWT_ASSERT_EQ(rte_iwarp_port_rx_burst(p, 1, pkts, 8), 0, "rx on no queue");
	IWT_ASSERT_EQ(rte_iwarp_port_tx_burst(p, 1, pkts, 0), 0, "tx on no queue");
	n = rte_iwarp_port_rx_burst(p, 0, pkts, 8);
	IWT_ASSERT(n > 0, "frames received");
	for (k = 0; k < n; k++) {
		IWT_ASSERT_EQ(rte_pktmbuf_pkt_len(pkts[k]), 128, "devargs applied");
		rte_pktmbuf_free(pkts[k]);
	}
	rx = n;
	IWT_ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, pkts, 4), 0, "mbufs");
	for (k = 0; k < 4; k++)
		IWT_ASSERT(rte_pktmbuf_append(pkts[k], 64) != NULL, "append");
	tx = rte_iwarp_port_tx_burst(p, 0, pkts, 4);
	for (k = tx; k < 4; k++)
		rte_pktmbuf_free(pkts[k]);
	IWT_ASSERT(tx > 0, "frames sent");
	IWT_ASSERT_EQ(rte_iwarp_port_stats_get(p, &st), 0, "stats");
	IWT_ASSERT(st.rx_packets >= rx, "rx_packets %llu < %u",
		   (unsigned long long)st.rx_packets, rx);
	IWT_ASSERT(st.tx_packets >= tx, "tx_packets %llu < %u",
		   (unsigned long long)st.tx_packets, tx);
	IWT_ASSERT(st.polls >= 2, "polls %llu", (unsigned long long)st.polls);
	IWT_ASSERT_EQ(st.tx_refused, 4 - tx, "refused");

	/* bad arguments: negative errno values */
	IWT_ASSERT_EQ(rte_iwarp_port_info_get(NULL, &info), -EINVAL, "info of nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_info_get(p, NULL), -EINVAL, "info into nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_stats_get(NULL, &st), -EINVAL, "stats of nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_stats_get(p, NULL), -EINVAL, "stats into nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_id(NULL), -EINVAL, "id of nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_mac(NULL, mac), -EINVAL, "mac of nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_mac(p, NULL), -EINVAL, "mac into nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_link_status(NULL), -EINVAL, "link of nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_wait_link(NULL, 10), -EINVAL, "wait for nothing");
	IWT_ASSERT_EQ(rte_iwarp_port_offload_str(NULL, off, sizeof(off)), -EINVAL, "offloads");
	IWT_ASSERT_EQ(rte_iwarp_port_offload_str(p, NULL, 8), -EINVAL, "NULL buffer");
	IWT_ASSERT_EQ(rte_iwarp_port_quiesce(NULL), -EINVAL, "quiesce nothing");
	IWT_ASSERT(rte_iwarp_port_mempool(NULL, 0) == NULL && rte_errno == EINVAL, "pool");
	IWT_ASSERT_EQ(rte_iwarp_port_rx_burst(NULL, 0, pkts, 8), 0, "rx of nothing");

	/* the handle feeds an engine */
	dc.port = p;
	dc.no_gratuitous_arp = true;
	dev = rte_iwarp_dev_open(&dc);
	IWT_ASSERT(dev != NULL, "dev_open on the public handle: %s", rte_strerror(rte_errno));
	rte_iwarp_dev_close(dev);

	rte_iwarp_port_close(p);
	IWT_ASSERT(rte_eth_dev_get_port_by_name("net_null0", &pid) != 0,
		   "the hot-plugged device is removed at close");
	rte_iwarp_port_close(NULL);
	return IWT_PASS;
}
