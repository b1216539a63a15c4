/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iwt.h"
#include "iwt_wire.h"
#include "iwt_eal.h"
#include "iwt_tcp.h"

int
iwt_tcp_pair_open(const char *name, struct iwt_tcp_pair *p, const struct iw_tcp_conf *tc,
		  uint32_t nb_mbufs)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = nb_mbufs ? nb_mbufs : 16383 };
	struct iw_net_conf na = { .ip = IWT_TCP_IP_A, .no_gratuitous_arp = true };
	struct iw_net_conf nb = { .ip = IWT_TCP_IP_B, .no_gratuitous_arp = true };
	unsigned int i;
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
	for (i = 0; i < 2; i++)
		p->pool_full[i] = rte_mempool_avail_count(iw_port_pool(p->port[i], 0));
	p->net[0] = iw_net_create(&na, p->port[0], 0);
	p->net[1] = iw_net_create(&nb, p->port[1], 0);
	if (p->net[0] == NULL || p->net[1] == NULL) {
		IWT_LOG("iw_net_create failed");
		return -EINVAL;
	}
	for (i = 0; i < 2; i++) {
		p->tcp[i] = iw_tcp_create(p->net[i], tc);
		if (p->tcp[i] == NULL) {
			IWT_LOG("iw_tcp_create: %s", strerror(rte_errno));
			return -rte_errno;
		}
	}
	return 0;
}

void
iwt_tcp_poll(struct iwt_tcp_pair *p)
{
	iw_net_poll(p->net[0]);
	iw_net_poll(p->net[1]);
}

void
iwt_tcp_poll_ms(struct iwt_tcp_pair *p, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;

	do {
		iwt_tcp_poll(p);
	} while (rte_get_timer_cycles() < end);
}

bool
iwt_tcp_poll_until(struct iwt_tcp_pair *p, const volatile bool *flag, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;

	while (!*flag) {
		if (rte_get_timer_cycles() > end)
			return false;
		iwt_tcp_poll(p);
	}
	return true;
}

int
iwt_tcp_pair_close(struct iwt_tcp_pair *p)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		iw_tcp_destroy(p->tcp[i]);
		p->tcp[i] = NULL;
	}
	for (i = 0; i < 2; i++) {
		iw_net_destroy(p->net[i]);
		p->net[i] = NULL;
	}
	return iwt_wire_close_check(p->port, p->pool_full);
}

void
iwt_tcp_dump(const char *tag, const struct iw_tcp *tcp)
{
	struct iw_tcp_stats s;

	iw_tcp_stats_get(tcp, &s);
	fprintf(stderr, "%s: rx %" PRIu64 " bad_cksum %" PRIu64 " bad_hdr %" PRIu64 " bad_opt %"
		PRIu64 " no_conn %" PRIu64 " oow %" PRIu64 " paws %" PRIu64 " dup_bytes %" PRIu64
		" ooo %" PRIu64 " ooo_drop %" PRIu64 " rst %" PRIu64 " chack %" PRIu64 " tx %"
		PRIu64 " rexmit %" PRIu64 " tx_rst %" PRIu64 " nombuf %" PRIu64 " fastrx %" PRIu64
		" lost_rexmit %" PRIu64 " rto %" PRIu64 " cookies %" PRIu64 "/%" PRIu64 "/%" PRIu64 " syn_drop %" PRIu64
		" open %" PRIu64 " timeout %" PRIu64 "\n", tag, s.rx_segs, s.rx_bad_cksum,
		s.rx_bad_hdr, s.rx_bad_opt, s.rx_no_conn, s.rx_out_of_window, s.rx_paws,
		s.rx_dup_bytes, s.rx_ooo_segs, s.rx_ooo_drop, s.rx_rst, s.challenge_acks,
		s.tx_segs, s.tx_rexmit, s.tx_rst, s.tx_nombuf, s.fast_rexmit, s.lost_rexmit,
		s.rto_expired,
		s.syn_cookies_sent, s.syn_cookies_ok, s.syn_cookies_bad, s.syn_drop, s.conn_open,
		s.conn_timeout);
}
