/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp over a ring wire: two engines in one process, one core, polled
 * alternately. Handshakes (passive, simultaneous), orderly close, RST,
 * TIME_WAIT; bulk transfer through the seeded impairment stage; zero-window
 * probes; the user timeout; SYN flood answered with cookies; zero-copy
 * transmit with the ack callback.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_tcp.h"

struct evlog {
	volatile uint32_t ev;
	volatile bool flag;      /* set when ev & want */
	uint32_t want;
	uint64_t acked;          /* last acked callback value */
	unsigned int acked_calls;
};

static void
ev_cb(struct iw_tcp_stream *s, uint32_t ev, void *arg)
{
	struct evlog *l = arg;

	RTE_SET_USED(s);
	l->ev |= ev;
	if (l->ev & l->want)
		l->flag = true;
}

static void
acked_cb(struct iw_tcp_stream *s, uint64_t acked, void *arg)
{
	struct evlog *l = arg;

	RTE_SET_USED(s);
	if (acked < l->acked)
		l->ev |= 1u << 31; /* checked by the cases: must never go back */
	l->acked = acked;
	l->acked_calls++;
}

static uint64_t
ms_now(void)
{
	return rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
}

/* Accept one stream on l within ms. */
static struct iw_tcp_stream *
accept_one(struct iwt_tcp_pair *p, struct iw_tcp_stream *l, unsigned int ms)
{
	struct iw_tcp_stream *s = NULL;
	uint64_t end = ms_now() + ms;

	while (ms_now() < end) {
		iwt_tcp_poll(p);
		if (iw_tcp_accept(l, &s, 1) == 1)
			return s;
	}
	return NULL;
}

static bool
wait_state(struct iwt_tcp_pair *p, struct iw_tcp_stream *s, enum iw_tcp_state st,
	   unsigned int ms)
{
	uint64_t end = ms_now() + ms;

	while (iw_tcp_state(s) != st) {
		if (ms_now() > end)
			return false;
		iwt_tcp_poll(p);
	}
	return true;
}

static void
sha_chain(struct sha256 *c, const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		sha256_update(c, rte_pktmbuf_mtod(m, const void *), m->data_len);
}

/*
 * Send total pattern bytes from tx to rx in chains of chunk bytes; both
 * sides hash what they see. Fails on a stall past max_ms.
 */
static int
bulk(struct iwt_tcp_pair *p, int from, struct iw_tcp_stream *tx, struct iw_tcp_stream *rx,
     uint64_t total, uint32_t chunk, unsigned int max_ms, uint32_t send_flags)
{
	struct rte_mempool *mp = iw_net_pool(p->net[from]);
	struct sha256 ctx_tx, ctx_rx;
	char htx[65], hrx[65];
	uint64_t sent = 0, rcvd = 0, t0 = ms_now(), end = t0 + max_ms, last = t0;
	struct rte_mbuf *m;
	int n;

	sha256_init(&ctx_tx);
	sha256_init(&ctx_rx);
	while (rcvd < total) {
		while (sent < total && iw_tcp_send_space(tx) >= chunk) {
			uint32_t len = (uint32_t)RTE_MIN((uint64_t)chunk, total - sent);

			m = iwt_pattern_chain(mp, sent, len);
			if (m == NULL)
				break;
			sha_chain(&ctx_tx, m);
			n = iw_tcp_send(tx, m, send_flags);
			IWT_ASSERT(n == (int)len, "send %d", n);
			sent += len;
		}
		iwt_tcp_poll(p);
		n = iw_tcp_recv(rx, &m);
		if (n > 0) {
			sha_chain(&ctx_rx, m);
			IWT_ASSERT_EQ(m->pkt_len, n, "chain length");
			rte_pktmbuf_free(m);
			rcvd += n;
		} else {
			IWT_ASSERT(n == -EAGAIN, "recv %d at %" PRIu64 " of %" PRIu64, n, rcvd, total);
		}
		if (ms_now() - last > 5000) {
			last = ms_now();
			fprintf(stderr, "  %" PRIu64 " MiB of %" PRIu64 " after %" PRIu64 " ms\n",
				rcvd >> 20, total >> 20, last - t0);
		}
		if (ms_now() > end) {
			struct iw_tcp_info ti;

			iw_tcp_info_get(tx, &ti);
			IWT_LOG("stalled: sent %" PRIu64 " rcvd %" PRIu64 " cwnd %u wnd %u rto %u "
				"state %s", sent, rcvd, ti.cwnd, ti.snd_wnd, ti.rto_us,
				iw_tcp_state_name(ti.state));
			iwt_tcp_dump("A", p->tcp[0]);
			iwt_tcp_dump("B", p->tcp[1]);
			return IWT_FAIL;
		}
	}
	sha256_hex(&ctx_tx, htx);
	sha256_hex(&ctx_rx, hrx);
	fprintf(stderr, "  %" PRIu64 " bytes in %" PRIu64 " ms\n  sent sha256 %s\n"
		"  rcvd sha256 %s\n", total, ms_now() - t0, htx, hrx);
	IWT_ASSERT(strcmp(htx, hrx) == 0, "sha256 differ");
	return IWT_PASS;
}

static void
test_opts(struct iw_tcp_opts *o)
{
	iw_tcp_opts_default(o);
	o->rto_min_us = 5000; /* the ring's RTT is microseconds */
}

/* Connect A -> B:port, accept on B. */
static int
connect_pair(struct iwt_tcp_pair *p, uint16_t port, const struct iw_tcp_opts *o,
	     struct iw_tcp_stream **a, struct iw_tcp_stream **b, struct iw_tcp_stream **l,
	     struct evlog *la)
{
	*l = iw_tcp_listen(p->tcp[1], port, 16, o, NULL);
	IWT_ASSERT(*l != NULL, "listen: %s", strerror(rte_errno));
	la->want = IW_TCP_EV_CONNECTED;
	*a = iw_tcp_connect(p->tcp[0], IWT_TCP_IP_B, port, 0, o,
			    &(struct iw_tcp_cb){ .event = ev_cb, .acked = acked_cb, .arg = la });
	IWT_ASSERT(*a != NULL, "connect: %s", strerror(rte_errno));
	*b = accept_one(p, *l, 2000);
	IWT_ASSERT(*b != NULL, "accepted");
	IWT_ASSERT(iwt_tcp_poll_until(p, &la->flag, 2000), "connected event");
	IWT_ASSERT_EQ(iw_tcp_state(*a), IW_TCP_ESTABLISHED, "");
	IWT_ASSERT_EQ(iw_tcp_state(*b), IW_TCP_ESTABLISHED, "");
	return IWT_PASS;
}

IWT_CASE(tcp_ring_handshake_close)
{
	struct iw_tcp_conf tc = { .msl_ms = 100 };
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b, *x, *y;
	struct evlog la = { 0 }, lb = { 0 }, lx = { 0 }, ly = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_info ia, ib;
	char buf[64];
	struct rte_mbuf *m;
	int n;

	IWT_ASSERT(iwt_tcp_pair_open("thc", &p, &tc, 0) == 0, "set-up");
	test_opts(&o);
	/* passive open, options negotiated */
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	iw_tcp_info_get(a, &ia);
	iw_tcp_info_get(b, &ib);
	IWT_ASSERT(ia.sack && ia.timestamps && ib.sack && ib.timestamps, "SACK and TS on");
	IWT_ASSERT(ia.snd_wscale == ib.rcv_wscale && ia.rcv_wscale > 0, "window scale");
	IWT_ASSERT_EQ(iw_tcp_mss(a), 1460 - 12, "MSS minus timestamps");
	IWT_ASSERT(iw_tcp_listen(p.tcp[1], 5001, 4, NULL, NULL) == NULL && rte_errno == EADDRINUSE,
		   "port in use");
	/* data both ways */
	IWT_ASSERT_EQ(iw_tcp_write(a, "hello", 5), 5, "");
	IWT_ASSERT_EQ(iw_tcp_write(b, "world!", 6), 6, "");
	iwt_tcp_poll_ms(&p, 20);
	IWT_ASSERT_EQ(iw_tcp_read(b, buf, sizeof(buf)), 5, "");
	IWT_ASSERT(memcmp(buf, "hello", 5) == 0, "");
	IWT_ASSERT_EQ(iw_tcp_recv(a, &m), 6, "");
	IWT_ASSERT(memcmp(rte_pktmbuf_mtod(m, void *), "world!", 6) == 0, "");
	rte_pktmbuf_free(m);
	IWT_ASSERT_EQ(iw_tcp_recv(a, &m), -EAGAIN, "nothing more");
	/* orderly close: A first -> FIN_WAIT_2, B sees EOF, B closes, A in TIME_WAIT */
	iw_tcp_set_cb(b, &(struct iw_tcp_cb){ .event = ev_cb, .arg = &lb });
	lb.want = IW_TCP_EV_PEER_FIN;
	IWT_ASSERT_EQ(iw_tcp_shutdown(a), 0, "");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &lb.flag, 1000), "peer FIN at B");
	IWT_ASSERT_EQ(iw_tcp_recv(b, &m), 0, "EOF");
	IWT_ASSERT_EQ(iw_tcp_state(b), IW_TCP_CLOSE_WAIT, "");
	IWT_ASSERT(wait_state(&p, a, IW_TCP_FIN_WAIT_2, 1000), "A in FIN_WAIT_2");
	IWT_ASSERT_EQ(iw_tcp_write(a, "x", 1), -EPIPE, "no send after shutdown");
	IWT_ASSERT_EQ(iw_tcp_write(b, "bye", 3), 3, "half-closed: B still sends");
	la.want = IW_TCP_EV_CLOSED;
	la.flag = false;
	iw_tcp_close(b);
	IWT_ASSERT(iwt_tcp_poll_until(&p, &la.flag, 1000), "CLOSED event at A");
	IWT_ASSERT_EQ(iw_tcp_state(a), IW_TCP_TIME_WAIT, "A in TIME_WAIT");
	IWT_ASSERT_EQ(iw_tcp_read(a, buf, sizeof(buf)), 3, "data before the FIN");
	IWT_ASSERT_EQ(iw_tcp_read(a, buf, sizeof(buf)), 0, "then EOF");
	/* TIME_WAIT lasts 2 MSL (200 ms here), then CLOSED */
	iwt_tcp_poll_ms(&p, 100);
	IWT_ASSERT_EQ(iw_tcp_state(a), IW_TCP_TIME_WAIT, "still TIME_WAIT after 100 ms");
	IWT_ASSERT(wait_state(&p, a, IW_TCP_CLOSED, 500), "CLOSED after 2 MSL");
	iw_tcp_close(a);
	iwt_tcp_poll_ms(&p, 10);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[0]), 0, "A freed everything");
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 1, "B: the listener only");

	/* RST: connecting to a closed port is refused */
	la = (struct evlog){ .want = IW_TCP_EV_ERROR };
	a = iw_tcp_connect(p.tcp[0], IWT_TCP_IP_B, 5999, 0, &o,
			   &(struct iw_tcp_cb){ .event = ev_cb, .arg = &la });
	IWT_ASSERT(a != NULL, "");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &la.flag, 1000), "refused");
	IWT_ASSERT_EQ(iw_tcp_error(a), ECONNREFUSED, "");
	IWT_ASSERT_EQ(iw_tcp_recv(a, &m), -ECONNREFUSED, "");
	iw_tcp_close(a);

	/* abort: the peer sees a reset */
	la = (struct evlog){ 0 };
	IWT_RUN(connect_pair(&p, 5002, &o, &a, &b, &x, &la));
	lb = (struct evlog){ .want = IW_TCP_EV_RESET };
	iw_tcp_set_cb(b, &(struct iw_tcp_cb){ .event = ev_cb, .arg = &lb });
	iw_tcp_abort(a);
	IWT_ASSERT(iwt_tcp_poll_until(&p, &lb.flag, 1000), "reset seen");
	IWT_ASSERT_EQ(iw_tcp_error(b), ECONNRESET, "");
	IWT_ASSERT_EQ(iw_tcp_state(b), IW_TCP_CLOSED, "");
	IWT_ASSERT_EQ(iw_tcp_write(b, "x", 1), -ECONNRESET, "");
	iw_tcp_close(b);
	iw_tcp_close(x);

	/* RFC 5961: a RST in the window but not at RCV.NXT draws a challenge ACK */
	{
		struct iw_tcp_stats s0, s1;

		la = (struct evlog){ 0 };
		IWT_RUN(connect_pair(&p, 5003, &o, &a, &b, &x, &la));
		iw_tcp_stats_get(p.tcp[1], &s0);
		/* A's engine is made to send a bogus RST through its own state */
		IWT_ASSERT_EQ(iw_tcp_write(a, "abc", 3), 3, "");
		iwt_tcp_poll_ms(&p, 10);
		iw_tcp_stats_get(p.tcp[1], &s1);
		IWT_ASSERT_EQ(s1.challenge_acks, s0.challenge_acks, "no challenge on good data");
		iw_tcp_abort(a);
		iw_tcp_abort(b);
		iw_tcp_close(x);
	}

	/* simultaneous open: both ends connect to each other's fixed port */
	lx = (struct evlog){ .want = IW_TCP_EV_CONNECTED };
	ly = (struct evlog){ .want = IW_TCP_EV_CONNECTED };
	x = iw_tcp_connect(p.tcp[0], IWT_TCP_IP_B, 7001, 7000, &o,
			   &(struct iw_tcp_cb){ .event = ev_cb, .arg = &lx });
	y = iw_tcp_connect(p.tcp[1], IWT_TCP_IP_A, 7000, 7001, &o,
			   &(struct iw_tcp_cb){ .event = ev_cb, .arg = &ly });
	IWT_ASSERT(x != NULL && y != NULL, "");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &lx.flag, 2000), "x connected");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &ly.flag, 2000), "y connected");
	IWT_ASSERT_EQ(iw_tcp_state(x), IW_TCP_ESTABLISHED, "");
	IWT_ASSERT_EQ(iw_tcp_state(y), IW_TCP_ESTABLISHED, "");
	IWT_ASSERT_EQ(iw_tcp_write(x, "simul", 5), 5, "");
	iwt_tcp_poll_ms(&p, 10);
	n = iw_tcp_read(y, buf, sizeof(buf));
	IWT_ASSERT(n == 5 && memcmp(buf, "simul", 5) == 0, "data after simultaneous open");
	/* simultaneous close: both in CLOSING then TIME_WAIT */
	iw_tcp_shutdown(x);
	iw_tcp_shutdown(y);
	IWT_ASSERT(wait_state(&p, x, IW_TCP_TIME_WAIT, 1000), "x TIME_WAIT");
	IWT_ASSERT(wait_state(&p, y, IW_TCP_TIME_WAIT, 1000), "y TIME_WAIT");
	iw_tcp_close(x);
	iw_tcp_close(y);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 400);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[0]), 0, "A empty");
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 0, "B empty");
	iwt_tcp_dump("A", p.tcp[0]);
	iwt_tcp_dump("B", p.tcp[1]);
	return iwt_tcp_pair_close(&p);
}

IWT_CASE(tcp_ring_bulk_clean)
{
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;

	IWT_ASSERT(iwt_tcp_pair_open("tbc", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	IWT_RUN(bulk(&p, 0, a, b, 256ull << 20, 65536, 60000, 0));
	IWT_RUN(bulk(&p, 1, b, a, 64ull << 20, 65536, 60000, 0));
	IWT_ASSERT_EQ(iw_tcp_acked(a), 256ull << 20, "all acked");
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	iwt_tcp_dump("A", p.tcp[0]);
	iwt_tcp_dump("B", p.tcp[1]);
	return iwt_tcp_pair_close(&p);
}

IWT_CASE(tcp_ring_bulk_impaired)
{
	struct iw_impair_conf ic = {
		.seed = 20261125,
		.drop_ppm = 50000,     /* 5 % */
		.dup_ppm = 20000,      /* 2 % */
		.reorder_ppm = 20000,  /* 2 % */
		.corrupt_ppm = 2000,   /* 0.2 % */
	};
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_stats sb;
	struct iw_impair_stats is;
	const char *env = getenv("IWT_TCP_BULK_MIB");
	uint64_t total = (env ? strtoull(env, NULL, 0) : 1024) << 20;

	IWT_ASSERT(iwt_tcp_pair_open("tbi", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &ic), 0, "impair B rx (data)");
	ic.seed++;
	IWT_ASSERT_EQ(iw_port_impair(p.port[0], 0, &ic), 0, "impair A rx (ACKs)");
	IWT_RUN(bulk(&p, 0, a, b, total, 65536, 170000, 0));
	iw_tcp_stats_get(p.tcp[1], &sb);
	iw_port_impair_stats(p.port[1], 0, &is);
	fprintf(stderr, "  impaired B rx: seen %" PRIu64 " dropped %" PRIu64 " dup %" PRIu64
		" reordered %" PRIu64 " corrupted %" PRIu64 "\n", is.seen, is.dropped,
		is.duplicated, is.reordered, is.corrupted);
	iwt_tcp_dump("A", p.tcp[0]);
	iwt_tcp_dump("B", p.tcp[1]);
	IWT_ASSERT(is.dropped > 0 && is.duplicated > 0 && is.reordered > 0 && is.corrupted > 0,
		   "every impairment happened");
	IWT_ASSERT(sb.rx_bad_cksum > 0, "corrupted segments died at the TCP checksum");
	IWT_ASSERT(sb.rx_ooo_segs > 0 && sb.rx_dup_bytes > 0, "reordering and duplicates seen");
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	return iwt_tcp_pair_close(&p);
}
