/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instance life cycle: a TCP instance destroyed while its lib/net instance
 * lives on leaves nothing registered behind (no handler or poll hook pointing
 * at freed memory), and a new instance can take its place.
 */
#include <errno.h>

#include <rte_errno.h>

#include "iw_tcp.h"
#include "iwt.h"
#include "iwt_tcp.h"

IWT_CASE(tcp_destroy_detaches_from_net)
{
	struct iwt_tcp_pair p;
	struct iw_net_stats before, after;
	struct iw_tcp_stream *c;

	IWT_ASSERT(iwt_tcp_pair_open("tdd", &p, NULL, 0) == 0, "set-up");
	iw_tcp_destroy(p.tcp[0]);
	p.tcp[0] = NULL;
	/* TCP's handler and hook are gone: the slot is free again. */
	IWT_ASSERT_EQ(iw_net_unregister_proto(p.net[0], IPPROTO_TCP), -ENOENT,
		      "TCP handler still registered");
	iw_net_stats_get(p.net[0], &before);
	/* B's SYNs reach A's net instance, which now has no TCP. */
	c = iw_tcp_connect(p.tcp[1], IWT_TCP_IP_A, 5999, 0, NULL, NULL);
	IWT_ASSERT(c != NULL, "connect: %s", rte_strerror(rte_errno));
	iwt_tcp_poll_ms(&p, 50);
	iw_net_stats_get(p.net[0], &after);
	IWT_ASSERT(after.rx_ip_unknown_proto > before.rx_ip_unknown_proto,
		   "SYN not counted as an unknown protocol (%" PRIu64 " -> %" PRIu64 ")",
		   before.rx_ip_unknown_proto, after.rx_ip_unknown_proto);
	/* A new TCP instance takes the place of the old one. */
	p.tcp[0] = iw_tcp_create(p.net[0], NULL);
	IWT_ASSERT(p.tcp[0] != NULL, "re-create: %s", rte_strerror(rte_errno));
	iw_tcp_abort(c);
	iwt_tcp_poll_ms(&p, 10);
	return iwt_tcp_pair_close(&p);
}
