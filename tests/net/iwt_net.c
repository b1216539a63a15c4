/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the lib/net tests (see iwt_net.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_wire.h"
#include "iwt_eal.h"
#include "iwt_net.h"

int
iwt_net_pair(const char *name, struct iwt_net_pair *p, const struct iw_net_conf *ca,
	     const struct iw_net_conf *cb)
{
	return iwt_net_pair_eal(name, p, ca, cb, "");
}

int
iwt_net_pair_eal(const char *name, struct iwt_net_pair *p, const struct iw_net_conf *ca,
		 const struct iw_net_conf *cb, const char *eal_args)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 2047 };
	int rc;

	memset(p, 0, sizeof(*p));
	rc = eal_args != NULL ? iwt_eal_init(eal_args) : 0;
	if (rc < 0)
		return rc;
	iwt_eal_leave_no_trace();
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
	unsigned int i;

	for (i = 0; i < 2; i++) {
		iw_net_destroy(p->net[i]);
		p->net[i] = NULL;
	}
	/* Frames still on the wire belong to the pools too. */
	return iwt_wire_close_check(p->port, p->pool_full);
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
		" frag %" PRIu64 " unknown_proto %" PRIu64 " echo %" PRIu64
		" echo_reply_tx %" PRIu64
		" icmp_bad %" PRIu64 " no_route %" PRIu64 " tx_bad %" PRIu64 "\n", tag,
		s.rx_pkts, s.tx_pkts, s.tx_drop, s.rx_short, s.rx_not_ours, s.rx_unknown_l2,
		s.rx_arp, s.rx_arp_bad, s.tx_arp_request, s.tx_arp_reply, s.arp_resolved,
		s.arp_failed, s.arp_hold_drop, s.arp_aged, s.arp_conflict, s.rx_ip,
		s.rx_ip_bad_version, s.rx_ip_bad_hlen, s.rx_ip_bad_cksum, s.rx_ip_bad_len,
		s.rx_ip_frag, s.rx_ip_unknown_proto, s.rx_icmp_echo, s.tx_icmp_echo_reply,
		s.rx_icmp_bad, s.tx_no_route, s.tx_bad);
}
