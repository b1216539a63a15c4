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
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_net.h"

int
iwt_net_pair(const char *name, struct iwt_net_pair *p, const struct iw_net_conf *ca,
	     const struct iw_net_conf *cb)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 2047 };
	int rc;

	memset(p, 0, sizeof(*p));
	rc = iwt_eal_init("");
	if (rc < 0)
		return rc;
	rc = iw_wire_create(name, &pc, p->port);
	if (rc < 0) {
		IWT_LOG("iw_wire_create: %s", strerror(-rc));
		return rc;
	}
	p->pool_full[0] = rte_mempool_avail_count(iw_port_pool(p->port[0], 0));
	p->pool_full[1] = rte_mempool_avail_count(iw_port_pool(p->port[1], 0));
	p->net[0] = iw_net_create(ca, p->port[0], 0);
	p->net[1] = iw_net_create(cb, p->port[1], 0);
	if (p->net[0] == NULL || p->net[1] == NULL) {
		IWT_LOG("iw_net_create failed");
		return -EINVAL;
	}
	return 0;
}

void
iwt_net_poll_both(struct iwt_net_pair *p, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;

	do {
		if (p->net[0] != NULL)
			iw_net_poll(p->net[0]);
		if (p->net[1] != NULL)
			iw_net_poll(p->net[1]);
	} while (rte_get_timer_cycles() < end);
}

int
iwt_net_pair_close(struct iwt_net_pair *p)
{
	unsigned int i, avail[2];

	for (i = 0; i < 2; i++) {
		iw_net_destroy(p->net[i]);
		p->net[i] = NULL;
	}
	for (i = 0; i < 2; i++)
		avail[i] = p->port[i] ? rte_mempool_avail_count(iw_port_pool(p->port[i], 0)) : 0;
	for (i = 0; i < 2; i++)
		iw_port_close(p->port[i]);
	for (i = 0; i < 2; i++)
		if (avail[i] != p->pool_full[i]) {
			IWT_LOG("end %u: %u mbufs of %u back in the pool", i, avail[i],
				p->pool_full[i]);
			return IWT_FAIL;
		}
	return IWT_PASS;
}

void
iwt_net_dump(const char *tag, const struct iw_net *net)
{
	struct iw_net_stats s;

	iw_net_stats_get(net, &s);
	fprintf(stderr, "%s: rx %" PRIu64 " tx %" PRIu64 " tx_drop %" PRIu64 " short %" PRIu64
		" not_ours %" PRIu64 " unknown_l2 %" PRIu64 " arp %" PRIu64 " arp_bad %" PRIu64
		" arp_req %" PRIu64 " arp_rep %" PRIu64 " resolved %" PRIu64 " failed %" PRIu64
		" hold_drop %" PRIu64 " aged %" PRIu64 " conflict %" PRIu64 " ip %" PRIu64
		" bad_ver %" PRIu64 " bad_hlen %" PRIu64 " bad_cksum %" PRIu64 " bad_len %" PRIu64
		" frag %" PRIu64 " unknown_proto %" PRIu64 " echo %" PRIu64 " echo_reply_tx %" PRIu64
		" icmp_bad %" PRIu64 " no_route %" PRIu64 " tx_bad %" PRIu64 "\n", tag,
		s.rx_pkts, s.tx_pkts, s.tx_drop, s.rx_short, s.rx_not_ours, s.rx_unknown_l2,
		s.rx_arp, s.rx_arp_bad, s.tx_arp_request, s.tx_arp_reply, s.arp_resolved,
		s.arp_failed, s.arp_hold_drop, s.arp_aged, s.arp_conflict, s.rx_ip,
		s.rx_ip_bad_version, s.rx_ip_bad_hlen, s.rx_ip_bad_cksum, s.rx_ip_bad_len,
		s.rx_ip_frag, s.rx_ip_unknown_proto, s.rx_icmp_echo, s.tx_icmp_echo_reply,
		s.rx_icmp_bad, s.tx_no_route, s.tx_bad);
}

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
