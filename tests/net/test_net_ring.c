/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net over a ring wire: two endpoints in one process resolve each other by
 * ARP and exchange ICMP echo; ARP holding, retries, failure and ageing; next hop
 * selection through the gateway.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_net.h"

IWT_CASE(net_ring_arp_icmp)
{
	struct iw_net_conf ca = { .ip = RTE_BE32(RTE_IPV4(10, 1, 0, 1)) };
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 1, 0, 2)) };
	struct iwt_net_pair p;
	struct iw_net_stats sa, sb;
	struct rte_ether_addr mac;
	uint16_t seq;

	IWT_ASSERT(iwt_net_pair("nra", &p, &ca, &cb) == 0, "set-up");
	/* The gratuitous ARPs of both ends were sent at create; neither learns from them. */
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], cb.ip, &mac), -ENOENT, "not yet resolved");
	IWT_ASSERT_EQ(iw_net_ping(p.net[0], cb.ip, 7, 1, NULL, 56), 0, "first ping is held");
	iwt_net_poll_both(&p, 50);
	IWT_ASSERT_EQ(iw_net_echo_replies(p.net[0]), 1, "reply to the held ping");
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], cb.ip, &mac), 0, "a resolved b");
	IWT_ASSERT(rte_is_same_ether_addr(&mac, &p.port[1]->mac), "b's MAC");
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[1], ca.ip, &mac), 0, "b learned a");
	IWT_ASSERT(rte_is_same_ether_addr(&mac, &p.port[0]->mac), "a's MAC");
	for (seq = 2; seq <= 100; seq++) {
		IWT_ASSERT_EQ(iw_net_ping(p.net[seq & 1], seq & 1 ? ca.ip : cb.ip, 7, seq,
					  NULL, seq), 0, "ping %u", seq);
		iwt_net_poll_both(&p, 0);
	}
	iwt_net_poll_both(&p, 20);
	iw_net_stats_get(p.net[0], &sa);
	iw_net_stats_get(p.net[1], &sb);
	iwt_net_dump("a", p.net[0]);
	iwt_net_dump("b", p.net[1]);
	IWT_ASSERT_EQ(iw_net_echo_replies(p.net[0]) + iw_net_echo_replies(p.net[1]), 100,
		      "every echo answered");
	IWT_ASSERT_EQ(sa.tx_icmp_echo + sb.tx_icmp_echo, 100, "requests sent");
	IWT_ASSERT_EQ(sa.rx_icmp_echo + sb.rx_icmp_echo, 100, "requests received");
	IWT_ASSERT_EQ(sa.tx_icmp_echo_reply + sb.tx_icmp_echo_reply, 100, "replies sent");
	IWT_ASSERT_EQ(sa.tx_arp_request, 2, "a: gratuitous + one request");
	IWT_ASSERT_EQ(sb.tx_arp_request, 1, "b: gratuitous only, learned a from its request");
	IWT_ASSERT_EQ(sb.tx_arp_reply, 1, "b answered a's request");
	IWT_ASSERT_EQ(sa.rx_arp + sb.rx_arp, 2, "request and reply seen");
	IWT_ASSERT_EQ(sa.rx_not_ours + sb.rx_not_ours, 2, "gratuitous ARPs are not for us");
	IWT_ASSERT_EQ(sa.arp_resolved, 1, "a resolved b once");
	IWT_ASSERT_EQ(sb.arp_resolved, 1, "b learned a once");
	IWT_ASSERT_EQ(sa.rx_ip_bad_cksum + sb.rx_ip_bad_cksum + sa.rx_icmp_bad + sb.rx_icmp_bad,
		      0, "checksums generated right");
	IWT_ASSERT_EQ(sa.tx_drop + sb.tx_drop, 0, "nothing dropped");
	IWT_ASSERT_EQ(sa.rx_pkts, sb.tx_pkts, "a received what b sent");
	IWT_ASSERT_EQ(sb.rx_pkts, sa.tx_pkts, "b received what a sent");
	return iwt_net_pair_close(&p);
}

static uint64_t
arp_requests(const struct iw_net *net)
{
	struct iw_net_stats s;

	iw_net_stats_get(net, &s);
	return s.tx_arp_request;
}

IWT_CASE(net_arp_hold_retry_ageing)
{
	struct iw_net_conf ca = {
		.ip = RTE_BE32(RTE_IPV4(10, 2, 0, 1)),
		.arp_retry_ms = 50, .arp_retries = 3, .arp_hold = 4, .arp_reachable_ms = 200,
	};
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 2, 0, 2)) };
	rte_be32_t nobody = RTE_BE32(RTE_IPV4(10, 2, 0, 99));
	struct iwt_net_pair p;
	struct iw_net_stats s;
	uint64_t req0;
	uint16_t i;

	IWT_ASSERT(iwt_net_pair("nah", &p, &ca, &cb) == 0, "set-up");
	/* Three packets held while one request resolves b; all released on the reply. */
	req0 = arp_requests(p.net[0]);
	for (i = 0; i < 3; i++)
		IWT_ASSERT_EQ(iw_net_ping(p.net[0], cb.ip, 1, i, NULL, 32), 0, "held %u", i);
	iwt_net_poll_both(&p, 50);
	IWT_ASSERT_EQ(arp_requests(p.net[0]) - req0, 1, "one request for three packets");
	IWT_ASSERT_EQ(iw_net_echo_replies(p.net[0]), 3, "held packets released in order");

	/* Nobody answers for .99: the hold queue overflows, retries run out, held freed. */
	req0 = arp_requests(p.net[0]);
	for (i = 0; i < 6; i++)
		IWT_ASSERT_EQ(iw_net_ping(p.net[0], nobody, 2, i, NULL, 32), i < 4 ? 0 : -ENOBUFS,
			      "ping %u to nobody", i);
	iwt_net_poll_both(&p, 400);
	iw_net_stats_get(p.net[0], &s);
	iwt_net_dump("a", p.net[0]);
	IWT_ASSERT_EQ(s.arp_hold_drop, 2, "overflow of the 4-packet hold queue");
	IWT_ASSERT_EQ(arp_requests(p.net[0]) - req0, 3, "arp_retries requests, then give up");
	IWT_ASSERT_EQ(s.arp_failed, 1, "one failed resolution");
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], nobody, NULL), -ENOENT, "no entry left");

	/*
	 * b is stale (or aged out) by now: using it sends a request again (unicast
	 * refresh or a new resolution) and the ping still gets through.
	 */
	req0 = arp_requests(p.net[0]);
	IWT_ASSERT_EQ(iw_net_ping(p.net[0], cb.ip, 3, 1, NULL, 32), 0, "ping after stale");
	iwt_net_poll_both(&p, 50);
	IWT_ASSERT(arp_requests(p.net[0]) - req0 >= 1, "entry refreshed by a request");
	IWT_ASSERT_EQ(iw_net_echo_replies(p.net[0]), 4, "ping through the refreshed entry");
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], cb.ip, NULL), 0, "entry usable");

	/* Unused for twice arp_reachable_ms: REACHABLE, STALE, then gone. */
	iwt_net_poll_both(&p, 600);
	iw_net_stats_get(p.net[0], &s);
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], cb.ip, NULL), -ENOENT, "aged out");
	IWT_ASSERT(s.arp_aged >= 1, "ageing counted (%" PRIu64 ")", s.arp_aged);
	return iwt_net_pair_close(&p);
}

/* Read one frame from a raw port end, waiting up to 100 ms. */
static struct rte_mbuf *
raw_rx(struct iw_port *port, struct iw_net *poll)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
	struct rte_mbuf *m;

	do {
		if (poll != NULL)
			iw_net_poll(poll);
		if (iw_port_rx(port, 0, &m, 1) == 1)
			return m;
	} while (rte_get_timer_cycles() < end);
	return NULL;
}

IWT_CASE(net_gateway_next_hop)
{
	struct iw_net_conf ca = {
		.ip = RTE_BE32(RTE_IPV4(10, 3, 0, 1)),
		.gateway = RTE_BE32(RTE_IPV4(10, 3, 0, 254)),
		.no_gratuitous_arp = true,
	};
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 3, 0, 2)) };
	rte_be32_t far = RTE_BE32(UINT32_C(0xc0000207)); /* 192.0.2.7 (RTE_IPV4() overflows int) */
	struct iwt_net_pair p;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_ipv4_hdr *ip;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	struct iw_net_stats s;

	IWT_ASSERT(iwt_net_pair("ngw", &p, &ca, &cb) == 0, "set-up");
	/* End b is used raw: the test plays the gateway. */
	iw_net_destroy(p.net[1]);
	p.net[1] = NULL;
	while ((m = raw_rx(p.port[1], NULL)) != NULL)
		rte_pktmbuf_free(m);

	IWT_ASSERT_EQ(iw_net_ping(p.net[0], far, 9, 1, NULL, 16), 0, "held for the gateway");
	m = raw_rx(p.port[1], p.net[0]);
	IWT_ASSERT(m != NULL, "ARP request on the wire");
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ah = (struct rte_arp_hdr *)(eh + 1);
	IWT_ASSERT_EQ(rte_be_to_cpu_16(eh->ether_type), RTE_ETHER_TYPE_ARP, "ARP");
	IWT_ASSERT(rte_is_broadcast_ether_addr(&eh->dst_addr), "broadcast");
	IWT_ASSERT_EQ(rte_be_to_cpu_16(ah->arp_opcode), RTE_ARP_OP_REQUEST, "request");
	IWT_ASSERT_EQ(ah->arp_data.arp_tip, ca.gateway, "asks for the gateway, not %08x",
		      rte_be_to_cpu_32(ah->arp_data.arp_tip));
	/* Answer as the gateway, from b's MAC. */
	eh->dst_addr = eh->src_addr;
	eh->src_addr = p.port[1]->mac;
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_tha = ah->arp_data.arp_sha;
	ah->arp_data.arp_tip = ah->arp_data.arp_sip;
	ah->arp_data.arp_sha = p.port[1]->mac;
	ah->arp_data.arp_sip = ca.gateway;
	IWT_ASSERT_EQ(iw_port_tx(p.port[1], 0, &m, 1), 1, "reply sent");
	m = raw_rx(p.port[1], p.net[0]);
	IWT_ASSERT(m != NULL, "the held ping follows");
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	IWT_ASSERT_EQ(rte_be_to_cpu_16(eh->ether_type), RTE_ETHER_TYPE_IPV4, "IPv4");
	IWT_ASSERT(rte_is_same_ether_addr(&eh->dst_addr, &p.port[1]->mac), "to the gateway MAC");
	IWT_ASSERT_EQ(ip->dst_addr, far, "IP destination unchanged");
	IWT_ASSERT_EQ(ip->time_to_live, 64, "default TTL");
	IWT_ASSERT(ip->fragment_offset == RTE_BE16(RTE_IPV4_HDR_DF_FLAG), "DF set");
	IWT_ASSERT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff, "IP checksum valid");
	rte_pktmbuf_free(m);
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], ca.gateway, &mac), 0, "gateway cached");
	IWT_ASSERT(rte_is_same_ether_addr(&mac, &p.port[1]->mac), "gateway MAC");
	IWT_ASSERT_EQ(iw_net_arp_lookup(p.net[0], far, NULL), -ENOENT, "no entry for far host");

	/* Without a gateway, off-subnet is unreachable; a gateway off the subnet is refused. */
	iw_net_destroy(p.net[0]);
	ca.gateway = 0;
	p.net[0] = iw_net_create(&ca, p.port[0], 0);
	IWT_ASSERT(p.net[0] != NULL, "instance without gateway");
	IWT_ASSERT_EQ(iw_net_ping(p.net[0], far, 9, 2, NULL, 16), -EHOSTUNREACH, "no route");
	iw_net_stats_get(p.net[0], &s);
	IWT_ASSERT_EQ(s.tx_no_route, 1, "counted");
	ca.gateway = RTE_BE32(RTE_IPV4(10, 4, 0, 1));
	IWT_ASSERT(iw_net_create(&ca, p.port[0], 0) == NULL && rte_errno == EINVAL,
		   "gateway off the subnet refused");
	return iwt_net_pair_close(&p);
}
