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

/* One direction of a bulk transfer: pattern bytes from tx to rx, both hashed. */
struct flow {
	struct iw_tcp_stream *tx, *rx;
	struct rte_mempool *mp;
	uint64_t total, sent, rcvd;
	uint32_t chunk, send_flags;
	struct sha256 ctx_tx, ctx_rx;
};

static void
flow_init(struct flow *f, struct iwt_tcp_pair *p, int from, struct iw_tcp_stream *tx,
	  struct iw_tcp_stream *rx, uint64_t total, uint32_t chunk, uint32_t send_flags)
{
	memset(f, 0, sizeof(*f));
	f->tx = tx;
	f->rx = rx;
	f->mp = iw_net_pool(p->net[from]);
	f->total = total;
	f->chunk = chunk;
	f->send_flags = send_flags;
	sha256_init(&f->ctx_tx);
	sha256_init(&f->ctx_rx);
}

/* Queue what the send space takes, in chains of chunk bytes. */
static int
flow_send(struct flow *f)
{
	struct rte_mbuf *m;
	int n;

	while (f->sent < f->total && iw_tcp_send_space(f->tx) >= f->chunk) {
		uint32_t len = (uint32_t)RTE_MIN((uint64_t)f->chunk, f->total - f->sent);

		m = tcp_pattern_chain(f->mp, f->sent, len);
		if (m == NULL)
			break;
		sha_chain(&f->ctx_tx, m);
		n = iw_tcp_send(f->tx, m, f->send_flags);
		IWT_ASSERT(n == (int)len, "send %d", n);
		f->sent += len;
	}
	return IWT_PASS;
}

/* Take what has arrived. */
static int
flow_recv(struct flow *f)
{
	struct rte_mbuf *m;
	int n = iw_tcp_recv(f->rx, &m);

	if (n > 0) {
		sha_chain(&f->ctx_rx, m);
		IWT_ASSERT_EQ(m->pkt_len, n, "chain length");
		rte_pktmbuf_free(m);
		f->rcvd += n;
	} else {
		IWT_ASSERT(n == -EAGAIN, "recv %d at %" PRIu64 " of %" PRIu64, n, f->rcvd,
			   f->total);
	}
	return IWT_PASS;
}

/* Both ends saw the same bytes. */
static int
flow_check(struct flow *f, uint64_t ms)
{
	char htx[65], hrx[65];

	sha256_hex(&f->ctx_tx, htx);
	sha256_hex(&f->ctx_rx, hrx);
	fprintf(stderr, "  %" PRIu64 " bytes in %" PRIu64 " ms\n  sent sha256 %s\n"
		"  rcvd sha256 %s\n", f->total, ms, htx, hrx);
	IWT_ASSERT(strcmp(htx, hrx) == 0, "sha256 differ");
	return IWT_PASS;
}

/*
 * Run the flows (one direction, or both at once) until every byte has
 * arrived. Fails on a stall past max_ms.
 */
static int
run_flows(struct iwt_tcp_pair *p, struct flow *f, unsigned int nf, unsigned int max_ms)
{
	uint64_t t0 = ms_now(), end = t0 + max_ms, last = t0;
	unsigned int i, done = 0;

	while (done < nf) {
		for (i = 0; i < nf; i++)
			IWT_RUN(flow_send(&f[i]));
		iwt_tcp_poll(p);
		for (i = 0, done = 0; i < nf; i++) {
			IWT_RUN(flow_recv(&f[i]));
			done += f[i].rcvd >= f[i].total;
		}
		if (ms_now() - last > 5000) {
			last = ms_now();
			fprintf(stderr, "  %" PRIu64 " MiB of %" PRIu64 " after %" PRIu64 " ms\n",
				f[0].rcvd >> 20, f[0].total >> 20, last - t0);
		}
		if (ms_now() > end) {
			for (i = 0; i < nf; i++) {
				struct iw_tcp_info ti;

				iw_tcp_info_get(f[i].tx, &ti);
				IWT_LOG("stalled: sent %" PRIu64 " rcvd %" PRIu64 " cwnd %u wnd %u "
					"rto %u state %s", f[i].sent, f[i].rcvd, ti.cwnd,
					ti.snd_wnd, ti.rto_us, iw_tcp_state_name(ti.state));
			}
			iwt_tcp_dump("A", p->tcp[0]);
			iwt_tcp_dump("B", p->tcp[1]);
			return IWT_FAIL;
		}
	}
	for (i = 0; i < nf; i++)
		IWT_RUN(flow_check(&f[i], ms_now() - t0));
	return IWT_PASS;
}

/*
 * Send total pattern bytes from tx to rx in chains of chunk bytes; both
 * sides hash what they see. Fails on a stall past max_ms.
 */
static int
bulk(struct iwt_tcp_pair *p, int from, struct iw_tcp_stream *tx, struct iw_tcp_stream *rx,
     uint64_t total, uint32_t chunk, unsigned int max_ms, uint32_t send_flags)
{
	struct flow f;

	flow_init(&f, p, from, tx, rx, total, chunk, send_flags);
	return run_flows(p, &f, 1, max_ms);
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
	IWT_RUN(bulk(&p, 0, a, b, total, 65536, 280000, 0));
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

/*
 * A stream that closes while it recovers from losses: its FIN follows the data
 * while segments drop both ways, and after a retransmission timeout RFC 6675
 * recovery counts everything below SND.MAX as lost, the FIN included. The
 * segment length at the FIN's place is 0 (no queued data there): the walk
 * over the send queue once looked for an entry holding it, went round the
 * ring forever and the engine hung inside one poll (seen at the end of
 * tcp_ring_bulk_impaired, about one run in fifteen; this case hung in every
 * run before the fix). Sixty 4 MiB transfers, each ended by a FIN under
 * tcp_ring_bulk_impaired's losses, every byte checked.
 */
IWT_CASE(tcp_ring_close_during_loss_recovery)
{
	struct iw_impair_conf ic = {
		.seed = 20261205,
		.drop_ppm = 50000,     /* 5 % */
		.dup_ppm = 20000,      /* 2 % */
		.reorder_ppm = 20000,  /* 2 % */
	};
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_stats sa;
	unsigned int i;

	IWT_ASSERT(iwt_tcp_pair_open("tcr", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	for (i = 0; i < 60; i++) {
		la = (struct evlog){ 0 };
		IWT_RUN(connect_pair(&p, (uint16_t)(6000 + i), &o, &a, &b, &l, &la));
		ic.seed += 2;
		IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &ic), 0, "impair B rx (data, FIN)");
		ic.seed++;
		IWT_ASSERT_EQ(iw_port_impair(p.port[0], 0, &ic), 0, "impair A rx (ACKs)");
		/* every byte arrives (checked), then A's FIN goes out with recovery under way */
		IWT_RUN(bulk(&p, 0, a, b, 4u << 20, 65536, 30000, 0));
		iw_tcp_close(a);
		iw_tcp_close(b);
		iw_tcp_close(l);
		iwt_tcp_poll_ms(&p, 5);
		iw_port_impair(p.port[0], 0, NULL);
		iw_port_impair(p.port[1], 0, NULL);
	}
	iwt_tcp_poll_ms(&p, 50);
	iw_tcp_stats_get(p.tcp[0], &sa);
	fprintf(stderr, "  A: %" PRIu64 " retransmissions, %" PRIu64 " recoveries, %" PRIu64
		" timeouts\n", sa.tx_rexmit, sa.fast_rexmit, sa.rto_expired);
	IWT_ASSERT(sa.fast_rexmit > 0 && sa.rto_expired > 0, "loss recovery and timeouts happened");
	return iwt_tcp_pair_close(&p);
}

/*
 * Both directions at once, losses both ways: each side holds out-of-order
 * data (SACK blocks to send back) while it sends full-sized segments. Those
 * must still fit the MTU (RFC 6691: as many SACK blocks as fit, none in a
 * full one), or lib/net refuses them (tx_bad) and the retransmissions of
 * both sides, each carrying its SACKs, never leave: the transfer stalls.
 */
IWT_CASE(tcp_ring_bidir_loss_sack_fits_mtu)
{
	struct iw_impair_conf ic = { .seed = 20261202, .drop_ppm = 20000 /* 2 % */ };
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_net_stats ns;
	struct iw_tcp_stats ts;
	struct flow f[2];
	unsigned int i;

	IWT_ASSERT(iwt_tcp_pair_open("tbs", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	IWT_ASSERT_EQ(iw_port_impair(p.port[0], 0, &ic), 0, "impair A rx");
	ic.seed++;
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &ic), 0, "impair B rx");
	flow_init(&f[0], &p, 0, a, b, 32ull << 20, 65536, 0);
	flow_init(&f[1], &p, 1, b, a, 32ull << 20, 65536, 0);
	IWT_RUN(run_flows(&p, f, 2, 60000));
	for (i = 0; i < 2; i++) {
		iw_net_stats_get(p.net[i], &ns);
		iw_tcp_stats_get(p.tcp[i], &ts);
		IWT_ASSERT(ts.rx_ooo_segs > 0, "%c held out-of-order data", 'A' + i);
		IWT_ASSERT_EQ(ns.tx_bad, 0, "%c: no segment over the MTU", 'A' + i);
	}
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	return iwt_tcp_pair_close(&p);
}

IWT_CASE(tcp_ring_zero_window_probe)
{
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_info ia;
	const uint32_t total = 1u << 20, rcvbuf = 64u << 10;
	uint64_t rcvd = 0, t0;
	struct sha256 c1, c2;
	char h1[65], h2[65];
	struct rte_mbuf *m;
	int n;

	IWT_ASSERT(iwt_tcp_pair_open("tzw", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	o.rcvbuf = rcvbuf;
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	m = tcp_pattern_chain(iw_net_pool(p.net[0]), 0, total);
	IWT_ASSERT(m != NULL, "");
	sha256_init(&c1);
	sha_chain(&c1, m);
	IWT_ASSERT_EQ(iw_tcp_send(a, m, 0), (int)total, "");
	/* B does not read: the window closes, A probes it */
	iwt_tcp_poll_ms(&p, 400);
	iw_tcp_info_get(a, &ia);
	fprintf(stderr, "  after 400 ms: snd_wnd %u, probes %" PRIu64 ", readable at B %u\n",
		ia.snd_wnd, ia.zwp_sent, iw_tcp_readable(b));
	IWT_ASSERT_EQ(ia.snd_wnd, 0, "window closed");
	IWT_ASSERT(ia.zwp_sent >= 2, "zero window probes sent: %" PRIu64, ia.zwp_sent);
	IWT_ASSERT(iw_tcp_readable(b) <= rcvbuf, "B holds at most its buffer");
	IWT_ASSERT_EQ(iw_tcp_state(a), IW_TCP_ESTABLISHED, "probing keeps the connection");
	/* B reads: the window opens and the transfer completes */
	sha256_init(&c2);
	t0 = ms_now();
	while (rcvd < total && ms_now() - t0 < 10000) {
		iwt_tcp_poll(&p);
		n = iw_tcp_recv(b, &m);
		if (n > 0) {
			sha_chain(&c2, m);
			rte_pktmbuf_free(m);
			rcvd += n;
		}
	}
	IWT_ASSERT_EQ(rcvd, total, "all received after the window opened");
	sha256_hex(&c1, h1);
	sha256_hex(&c2, h2);
	IWT_ASSERT(strcmp(h1, h2) == 0, "sha256");
	iwt_tcp_poll_ms(&p, 20);
	IWT_ASSERT_EQ(iw_tcp_acked(a), total, "acked");
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	return iwt_tcp_pair_close(&p);
}

IWT_CASE(tcp_ring_user_timeout)
{
	struct iw_impair_conf blackhole = { .seed = 1, .drop_ppm = 1000000 };
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_stats st;
	uint64_t t0, dt;

	IWT_ASSERT(iwt_tcp_pair_open("tut", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	o.user_timeout_ms = 500;
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	/* the path dies: everything A sends is lost */
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &blackhole), 0, "");
	la.want = IW_TCP_EV_ERROR;
	la.flag = false;
	t0 = ms_now();
	IWT_ASSERT_EQ(iw_tcp_write(a, "lost", 4), 4, "");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &la.flag, 5000), "error event");
	dt = ms_now() - t0;
	fprintf(stderr, "  ended after %" PRIu64 " ms\n", dt);
	IWT_ASSERT_EQ(iw_tcp_error(a), ETIMEDOUT, "");
	IWT_ASSERT(dt >= 500 && dt < 2000, "user timeout 500 ms, ended after %" PRIu64, dt);
	IWT_ASSERT_EQ(iw_tcp_state(a), IW_TCP_CLOSED, "");
	iw_tcp_stats_get(p.tcp[0], &st);
	IWT_ASSERT(st.conn_timeout == 1 && st.rto_expired >= 3, "backed-off retransmissions");
	iw_tcp_close(a);

	/* keepalive: an idle connection to a dead peer ends after the probes */
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, NULL), 0, "");
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	o.keepalive_idle_ms = 100;
	o.keepalive_intvl_ms = 50;
	o.keepalive_cnt = 3;
	la = (struct evlog){ 0 };
	IWT_RUN(connect_pair(&p, 5002, &o, &a, &b, &l, &la));
	iwt_tcp_poll_ms(&p, 300);
	IWT_ASSERT_EQ(iw_tcp_state(a), IW_TCP_ESTABLISHED, "answered keepalives keep it");
	/* the path dies both ways (B's own keepalives must not reach A either) */
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &blackhole), 0, "");
	IWT_ASSERT_EQ(iw_port_impair(p.port[0], 0, &blackhole), 0, "");
	la.want = IW_TCP_EV_ERROR;
	la.flag = false;
	t0 = ms_now();
	IWT_ASSERT(iwt_tcp_poll_until(&p, &la.flag, 3000), "keepalive timeout");
	dt = ms_now() - t0;
	fprintf(stderr, "  keepalive ended it after %" PRIu64 " ms\n", dt);
	IWT_ASSERT_EQ(iw_tcp_error(a), ETIMEDOUT, "");
	/* idle 100 ms since the last answer (up to 100 ms before t0) + 3 x 50 ms */
	IWT_ASSERT(dt >= 100 && dt < 1000, "keepalive after %" PRIu64 " ms", dt);
	iw_tcp_close(a);
	iw_tcp_abort(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	return iwt_tcp_pair_close(&p);
}

/* A SYN from a spoofed address that will never answer. */
static int
spoofed_syn(struct iwt_tcp_pair *p, rte_be32_t src, uint16_t sport, uint16_t dport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(iw_net_pool(p->net[0]));
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint8_t *opt;

	if (m == NULL)
		return -ENOMEM;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ip) +
							 sizeof(*th) + 4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	opt = (uint8_t *)(th + 1);
	eh->dst_addr = p->port[1]->mac;
	eh->src_addr = p->port[0]->mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th) + 4);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = src;
	ip->dst_addr = IWT_TCP_IP_B;
	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(sport * 7919u);
	th->data_off = (sizeof(*th) + 4) / 4 << 4;
	th->tcp_flags = RTE_TCP_SYN_FLAG;
	th->rx_win = RTE_BE16(65535);
	opt[0] = 2;
	opt[1] = 4;
	opt[2] = 1460 >> 8;
	opt[3] = 1460 & 0xff;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	iw_net_tx_frame(p->net[0], m);
	return 0;
}

IWT_CASE(tcp_ring_syn_flood_cookies)
{
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_stats s0, s1;
	struct iw_tcp_info ia;
	const rte_be32_t spoof = RTE_BE32(RTE_IPV4(10, 9, 0, 99));
	unsigned int i;

	IWT_ASSERT(iwt_tcp_pair_open("tsf", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	l = iw_tcp_listen(p.tcp[1], 5001, 4, &o, NULL);
	IWT_ASSERT(l != NULL, "");
	for (i = 0; i < 200; i++) {
		IWT_ASSERT_EQ(spoofed_syn(&p, spoof, (uint16_t)(10000 + i), 5001), 0, "");
		if (i % 16 == 0)
			iwt_tcp_poll(&p);
	}
	iwt_tcp_poll_ms(&p, 50);
	iw_tcp_stats_get(p.tcp[1], &s0);
	fprintf(stderr, "  flood: %u streams at B, %" PRIu64 " cookies sent\n",
		iw_tcp_stream_count(p.tcp[1]), s0.syn_cookies_sent);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 1 + 4, "listener + a full SYN backlog");
	IWT_ASSERT_EQ(s0.syn_cookies_sent, 200 - 4, "the rest answered statelessly");
	/* a real client still gets in, through a cookie */
	la.want = IW_TCP_EV_CONNECTED;
	a = iw_tcp_connect(p.tcp[0], IWT_TCP_IP_B, 5001, 0, &o,
			   &(struct iw_tcp_cb){ .event = ev_cb, .arg = &la });
	IWT_ASSERT(a != NULL, "");
	b = accept_one(&p, l, 2000);
	IWT_ASSERT(b != NULL, "accepted under flood");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &la.flag, 1000), "connected");
	iw_tcp_stats_get(p.tcp[1], &s1);
	IWT_ASSERT_EQ(s1.syn_cookies_ok, 1, "made from a cookie");
	iw_tcp_info_get(b, &ia);
	IWT_ASSERT(ia.sack && ia.timestamps && ia.snd_wscale > 0,
		   "options recovered from the timestamp");
	IWT_ASSERT_EQ(ia.mss, 1460 - 12, "MSS from the cookie");
	IWT_RUN(bulk(&p, 0, a, b, 32u << 20, 65536, 30000, 0));
	IWT_RUN(bulk(&p, 1, b, a, 8u << 20, 65536, 30000, 0));
	iw_tcp_close(a); /* A closes first: A ends in TIME_WAIT, B in CLOSED */
	iwt_tcp_poll_ms(&p, 20);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 0,
		      "half-open children went with the listener");
	iwt_tcp_dump("B", p.tcp[1]);
	return iwt_tcp_pair_close(&p);
}

#define ZC_REC 1000u
#define ZC_NREC 2048u

struct zc_state {
	struct iw_tcp_stream *a;
	bool freed[ZC_NREC];
	unsigned int nfreed, early;
};

struct zc_rec {
	struct zc_state *st;
	uint32_t idx;
};

static void
zc_free_cb(void *addr, void *opaque)
{
	struct zc_rec *r = opaque;

	RTE_SET_USED(addr);
	/* the application buffer comes back only after the peer acknowledged it */
	if (iw_tcp_acked(r->st->a) < (uint64_t)(r->idx + 1) * ZC_REC)
		r->st->early++;
	r->st->freed[r->idx] = true;
	r->st->nfreed++;
}

IWT_CASE(tcp_ring_zero_copy_ack_callback)
{
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct rte_mbuf_ext_shared_info *shinfo;
	struct zc_rec *recs;
	struct zc_state *st;
	uint8_t *mem;
	struct sha256 c1, c2;
	char h1[65], h2[65];
	uint64_t rcvd = 0, t0;
	uint32_t next = 0, bad_seg = 0, segs = 0;
	unsigned int refused = 0;
	struct rte_mbuf *m;
	int n;

	IWT_ASSERT(iwt_tcp_pair_open("tzc", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	o.sndq_chains = 256; /* backpressure by chains */
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	mem = rte_malloc(NULL, ZC_REC * ZC_NREC, 64);
	shinfo = rte_zmalloc(NULL, sizeof(*shinfo) * ZC_NREC, 64);
	recs = rte_zmalloc(NULL, sizeof(*recs) * ZC_NREC, 64);
	st = rte_zmalloc(NULL, sizeof(*st), 64);
	IWT_ASSERT(mem && shinfo && recs && st, "memory");
	st->a = a;
	tcp_pattern_fill(mem, 0, ZC_REC * ZC_NREC);
	sha256_init(&c1);
	sha256_update(&c1, mem, ZC_REC * ZC_NREC);
	sha256_init(&c2);
	t0 = ms_now();
	while (rcvd < (uint64_t)ZC_REC * ZC_NREC && ms_now() - t0 < 20000) {
		/* post records, each an external buffer over application memory */
		while (next < ZC_NREC) {
			m = rte_pktmbuf_alloc(iw_net_pool(p.net[0]));
			IWT_ASSERT(m != NULL, "");
			recs[next] = (struct zc_rec){ .st = st, .idx = next };
			shinfo[next].free_cb = zc_free_cb;
			shinfo[next].fcb_opaque = &recs[next];
			rte_mbuf_ext_refcnt_set(&shinfo[next], 1);
			rte_pktmbuf_attach_extbuf(m, mem + (size_t)next * ZC_REC,
						  rte_malloc_virt2iova(mem) + (size_t)next * ZC_REC,
						  ZC_REC, &shinfo[next]);
			rte_pktmbuf_append(m, ZC_REC);
			n = iw_tcp_send(a, m, IW_TCP_SEND_RECORD);
			if (n < 0) {
				IWT_ASSERT(n == -ENOBUFS || n == -EAGAIN, "send %d", n);
				refused++;
				/* not taken: the buffer is still ours; detach without freeing */
				rte_mbuf_ext_refcnt_set(&shinfo[next], 2);
				rte_pktmbuf_free(m);
				break;
			}
			next++;
		}
		iwt_tcp_poll(&p);
		n = iw_tcp_recv(b, &m);
		if (n > 0) {
			struct rte_mbuf *s;

			for (s = m; s != NULL; s = s->next) {
				segs++;
				if (s->data_len != ZC_REC)
					bad_seg++;
			}
			sha_chain(&c2, m);
			rte_pktmbuf_free(m);
			rcvd += n;
		}
	}
	IWT_ASSERT_EQ(rcvd, (uint64_t)ZC_REC * ZC_NREC, "all received");
	iwt_tcp_poll_ms(&p, 20);
	sha256_hex(&c1, h1);
	sha256_hex(&c2, h2);
	fprintf(stderr, "  %u records, %u refused sends (backpressure), %u received segments, "
		"%u freed, acked callback %u times\n", ZC_NREC, refused, segs, st->nfreed,
		la.acked_calls);
	IWT_ASSERT(strcmp(h1, h2) == 0, "sha256");
	IWT_ASSERT(refused > 0, "the send queue pushed back");
	IWT_ASSERT(la.ev & IW_TCP_EV_WRITABLE, "a writable event followed the refusal");
	IWT_ASSERT(la.ev & IW_TCP_EV_ACKED, "acked events");
	IWT_ASSERT_EQ(la.acked, (uint64_t)ZC_REC * ZC_NREC, "acked callback reached the total");
	IWT_ASSERT(la.acked_calls > 1 && !(la.ev & (1u << 31)), "progress, monotonic");
	IWT_ASSERT_EQ(st->nfreed, ZC_NREC, "every external buffer released");
	IWT_ASSERT_EQ(st->early, 0, "none released before its acknowledgment");
	IWT_ASSERT_EQ(bad_seg, 0, "records of %u bytes never split nor merged (MSS %u)", ZC_REC,
		      iw_tcp_mss(a));
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	rte_free(mem);
	rte_free(shinfo);
	rte_free(recs);
	rte_free(st);
	return iwt_tcp_pair_close(&p);
}

IWT_CASE(tcp_ring_newreno_nosack_delack)
{
	struct iw_impair_conf ic = { .seed = 77, .drop_ppm = 20000, .dup_ppm = 10000,
				     .reorder_ppm = 10000 };
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_info ia, ib;
	struct iw_tcp_stats sa, sb;

	IWT_ASSERT(iwt_tcp_pair_open("tnr", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	o.cc = IW_TCP_CC_NEWRENO;
	o.no_sack = true;      /* RFC 6582 recovery, no scoreboard */
	o.delack_us = 2000;    /* delayed ACKs on */
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	iw_tcp_info_get(a, &ia);
	IWT_ASSERT(!ia.sack && ia.timestamps, "no SACK negotiated");
	/* clean: delayed ACKs mean fewer ACKs than data segments */
	IWT_RUN(bulk(&p, 0, a, b, 16u << 20, 65536, 30000, 0));
	iw_tcp_stats_get(p.tcp[0], &sa);
	iw_tcp_stats_get(p.tcp[1], &sb);
	fprintf(stderr, "  clean: B received %" PRIu64 " segments, sent %" PRIu64 "\n",
		sb.rx_segs, sb.tx_segs);
	IWT_ASSERT(sb.tx_segs < sb.rx_segs, "ACKs coalesced");
	/* impaired: NewReno fast retransmit / recovery repairs the losses */
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &ic), 0, "");
	IWT_RUN(bulk(&p, 0, a, b, 32u << 20, 65536, 60000, 0));
	iw_tcp_info_get(a, &ia);
	iw_tcp_info_get(b, &ib);
	fprintf(stderr, "  impaired: fast recoveries %" PRIu64 ", timeouts %" PRIu64
		", retransmits %" PRIu64 "\n", ia.fast_recoveries, ia.rtos, ia.rexmits);
	IWT_ASSERT(ia.fast_recoveries > 0, "NewReno recoveries happened");
	IWT_ASSERT(ia.rexmits > ia.rtos, "most losses repaired without a timeout");
	iw_tcp_close(a);
	iwt_tcp_poll_ms(&p, 20);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 50);
	return iwt_tcp_pair_close(&p);
}

/* Inject a segment from A's address and port into B, as if A sent it. */
static int
inject(struct iwt_tcp_pair *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
       uint8_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(iw_net_pool(p->net[0]));
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m == NULL)
		return -ENOMEM;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ip) +
							 sizeof(*th));
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	eh->dst_addr = p->port[1]->mac;
	eh->src_addr = p->port[0]->mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = IWT_TCP_IP_A;
	ip->dst_addr = IWT_TCP_IP_B;
	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = sizeof(*th) / 4 << 4;
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(65535);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	iw_net_tx_frame(p->net[0], m);
	return 0;
}

IWT_CASE(tcp_ring_rfc5961_challenge_ack)
{
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 }, lb = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_stats s0, s1;
	uint16_t aport;
	uint32_t nxt, una;

	IWT_ASSERT(iwt_tcp_pair_open("t59", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	o.no_timestamps = true; /* injected segments carry no timestamp */
	IWT_RUN(connect_pair(&p, 5001, &o, &a, &b, &l, &la));
	iw_tcp_set_cb(b, &(struct iw_tcp_cb){ .event = ev_cb, .arg = &lb });
	iw_tcp_endpoints(a, NULL, &aport, NULL, NULL);
	IWT_ASSERT_EQ(iw_tcp_write(a, "0123456789", 10), 10, "");
	iwt_tcp_poll_ms(&p, 10);
	/*
	 * The blind attacker knows the 4-tuple, not the exact sequence number:
	 * B's RCV.NXT is A's SND.NXT (read from A, white box).
	 */
	{
		struct iw_tcp_info ia;

		iw_tcp_info_get(a, &ia);
		nxt = ia.snd_nxt;
		una = ia.rcv_nxt;
	}
	iw_tcp_stats_get(p.tcp[1], &s0);
	/* RST in the window, not at RCV.NXT: challenge ACK, connection stays */
	IWT_ASSERT_EQ(inject(&p, aport, 5001, nxt + 1000, 0, RTE_TCP_RST_FLAG), 0, "");
	/* SYN on a synchronized connection: challenge ACK */
	IWT_ASSERT_EQ(inject(&p, aport, 5001, nxt + 5, 0, RTE_TCP_SYN_FLAG), 0, "");
	/* ACK of data never sent: challenge ACK, dropped */
	IWT_ASSERT_EQ(inject(&p, aport, 5001, nxt, una + 100000, RTE_TCP_ACK_FLAG), 0, "");
	/* RST out of the window: silently dropped */
	IWT_ASSERT_EQ(inject(&p, aport, 5001, nxt + 0x40000000u, 0, RTE_TCP_RST_FLAG), 0, "");
	iwt_tcp_poll_ms(&p, 20);
	iw_tcp_stats_get(p.tcp[1], &s1);
	IWT_ASSERT_EQ(s1.challenge_acks - s0.challenge_acks, 3, "three challenge ACKs");
	IWT_ASSERT_EQ(iw_tcp_state(b), IW_TCP_ESTABLISHED, "still established");
	IWT_ASSERT_EQ(iw_tcp_state(a), IW_TCP_ESTABLISHED, "A unharmed by the challenges");
	IWT_ASSERT_EQ(iw_tcp_write(a, "abc", 3), 3, "");
	iwt_tcp_poll_ms(&p, 10);
	IWT_ASSERT_EQ(iw_tcp_readable(b), 13, "data still flows");
	/* a RST exactly at RCV.NXT resets */
	lb.want = IW_TCP_EV_RESET;
	IWT_ASSERT_EQ(inject(&p, aport, 5001, nxt + 3, 0, RTE_TCP_RST_FLAG), 0, "");
	IWT_ASSERT(iwt_tcp_poll_until(&p, &lb.flag, 500), "reset");
	IWT_ASSERT_EQ(iw_tcp_error(b), ECONNRESET, "");
	iw_tcp_abort(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	return iwt_tcp_pair_close(&p);
}

/*
 * The receiver's ACKs within one receive burst: after every ack_segs
 * full-sized segments (default 4), none more at the burst's end. A sends 8
 * full segments in one poll (the initial window is 10), B takes them in one
 * poll: 2 ACKs by default, 4 with ack_segs 2, and would be 1 (the burst's
 * end only) without the mid-burst rule.
 */
static int
acks_in_one_burst(struct iwt_tcp_pair *p, uint8_t ack_segs, uint16_t port, uint64_t *acks)
{
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iw_tcp_opts o;
	struct iw_tcp_info ia;
	struct iw_tcp_stats s0, s1;
	struct rte_mbuf *m;
	uint32_t len;

	test_opts(&o);
	o.ack_segs = ack_segs;
	IWT_RUN(connect_pair(p, port, &o, &a, &b, &l, &la));
	iwt_tcp_poll_ms(p, 5); /* the handshake's last ACKs are in */
	iw_tcp_info_get(a, &ia);
	IWT_ASSERT(ia.cwnd >= 8 * ia.mss, "initial window of 8 segments at least: %u", ia.cwnd);
	len = 8 * ia.mss;
	m = tcp_pattern_chain(iw_net_pool(p->net[0]), 0, len);
	IWT_ASSERT(m != NULL, "");
	IWT_ASSERT_EQ(iw_tcp_send(a, m, 0), (int)len, "");
	iw_tcp_stats_get(p->tcp[1], &s0);
	iw_net_poll(p->net[0]);
	iw_net_poll(p->net[1]);
	iw_tcp_stats_get(p->tcp[1], &s1);
	IWT_ASSERT_EQ(s1.rx_segs - s0.rx_segs, 8, "B took the 8 segments in one poll");
	IWT_ASSERT_EQ(iw_tcp_readable(b), len, "");
	*acks = s1.tx_segs - s0.tx_segs;
	iwt_tcp_poll_ms(p, 5);
	IWT_ASSERT_EQ(iw_tcp_acked(a), len, "A has the 8 segments acknowledged");
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(p, 20);
	return IWT_PASS;
}

IWT_CASE(tcp_ring_ack_every_ack_segs_within_a_burst)
{
	struct iwt_tcp_pair p;
	uint64_t def = 0, two = 0;

	IWT_ASSERT(iwt_tcp_pair_open("tack", &p, NULL, 0) == 0, "set-up");
	IWT_RUN(acks_in_one_burst(&p, 0, 5101, &def));
	IWT_RUN(acks_in_one_burst(&p, 2, 5102, &two));
	fprintf(stderr, "  ACKs for 8 full segments in one burst: %" PRIu64 " by default, %" PRIu64
		" with ack_segs 2\n", def, two);
	IWT_ASSERT_EQ(def, 2, "default: one ACK per 4 full segments");
	IWT_ASSERT_EQ(two, 4, "ack_segs 2: one per 2 (RFC 5681 4.2)");
	return iwt_tcp_pair_close(&p);
}

/*
 * The send queue keeps its last entry for a final record (the TERMINATE an
 * iWARP QP queues behind whatever fills it), and lib/tcp accounts the mbufs
 * its send queues hold (the engine's admission control reads it): with
 * every segment A sends dropped, A's 4-entry queue takes three chains, then
 * refuses a fourth (-ENOBUFS) but takes a final record, then refuses
 * anything; the counts follow, and fall back to zero once the wire delivers
 * again and B has acknowledged it all.
 */
IWT_CASE(tcp_ring_sndq_keeps_an_entry_for_the_final_record_and_counts_mbufs)
{
	struct iw_impair_conf blackhole = { .seed = 1, .drop_ppm = 1000000 };
	const struct iw_tcp_sndq_acct *acct;
	struct iw_tcp_stream *l, *a, *b;
	struct evlog la = { 0 };
	struct iwt_tcp_pair p;
	struct iw_tcp_opts o;
	struct rte_mbuf *m[6];
	uint64_t t0;
	int i;

	IWT_ASSERT(iwt_tcp_pair_open("tsq", &p, NULL, 0) == 0, "set-up");
	test_opts(&o);
	o.sndq_chains = 4;
	IWT_RUN(connect_pair(&p, 5003, &o, &a, &b, &l, &la));
	acct = iw_tcp_sndq_acct(p.tcp[0]);
	IWT_ASSERT(acct->mbufs == 0 && acct->streams == 0, "nothing queued at first");
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &blackhole), 0, "B hears nothing");
	for (i = 0; i < 6; i++) {
		/* chains of two mbufs: 100 + 100 bytes */
		m[i] = tcp_pattern_chain(iw_net_pool(p.net[0]), 200 * (uint64_t)i, 100);
		IWT_ASSERT(m[i] != NULL, "mbuf");
		m[i]->next = tcp_pattern_chain(iw_net_pool(p.net[0]), 200 * (uint64_t)i + 100, 100);
		IWT_ASSERT(m[i]->next != NULL, "mbuf");
		m[i]->nb_segs = 2;
		m[i]->pkt_len = 200;
	}
	for (i = 0; i < 3; i++) {
		IWT_ASSERT_EQ(iw_tcp_send(a, m[i], 0), 200, "chain %d", i);
		iwt_tcp_poll(&p);	/* sent (and dropped): no appending to it */
	}
	IWT_ASSERT(acct->mbufs == 6 && acct->streams == 1, "3 chains of 2: %u mbufs, %u streams",
		   acct->mbufs, acct->streams);
	IWT_ASSERT_EQ(iw_tcp_sndq_mbufs(a), 6, "the stream's count");
	IWT_ASSERT_EQ(iw_tcp_send_space(a), 0, "no space for an ordinary send");
	IWT_ASSERT_EQ(iw_tcp_send(a, m[3], 0), -ENOBUFS, "the last entry is not for it");
	IWT_ASSERT_EQ(iw_tcp_send(a, m[3], IW_TCP_SEND_FINAL), 200, "a final record takes it");
	IWT_ASSERT_EQ(iw_tcp_send(a, m[4], IW_TCP_SEND_FINAL), -ENOBUFS, "then nothing fits");
	IWT_ASSERT_EQ(acct->mbufs, 8, "4 chains of 2");
	rte_pktmbuf_free(m[4]);
	rte_pktmbuf_free(m[5]);
	/* the wire delivers again: everything is acknowledged, the counts go to 0 */
	blackhole.drop_ppm = 0;
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &blackhole), 0, "impairment off");
	t0 = ms_now();
	while (iw_tcp_acked(a) < 800 && ms_now() - t0 < 5000)
		iwt_tcp_poll(&p);
	IWT_ASSERT_EQ(iw_tcp_acked(a), 800, "all acknowledged");
	IWT_ASSERT(acct->mbufs == 0 && acct->streams == 0, "counts back to 0: %u mbufs, %u "
		   "streams", acct->mbufs, acct->streams);
	IWT_ASSERT_EQ(iw_tcp_readable(b), 800, "B has the 4 chains");
	iw_tcp_close(a);
	iw_tcp_close(b);
	iw_tcp_close(l);
	iwt_tcp_poll_ms(&p, 20);
	return iwt_tcp_pair_close(&p);
}

/*
 * A listener closed with children it never handed out: one established, one
 * reset by its peer while it waited in the accept queue (closed, and so no
 * longer in the connection table). Both go with the listener: the live one
 * is reset, and no stream is left behind. Found by fuzz_tcp_input: the reset
 * child stayed allocated for the life of the instance.
 */
IWT_CASE(tcp_ring_listener_close_frees_queued_children)
{
	struct iwt_tcp_pair p;
	struct iw_tcp_stream *l, *a1, *a2;

	IWT_ASSERT(iwt_tcp_pair_open("tlq", &p, NULL, 0) == 0, "set-up");
	l = iw_tcp_listen(p.tcp[1], 5002, 4, NULL, NULL);
	IWT_ASSERT(l != NULL, "listen");
	a1 = iw_tcp_connect(p.tcp[0], IWT_TCP_IP_B, 5002, 0, NULL, NULL);
	a2 = iw_tcp_connect(p.tcp[0], IWT_TCP_IP_B, 5002, 0, NULL, NULL);
	IWT_ASSERT(a1 != NULL && a2 != NULL, "connect");
	IWT_ASSERT(wait_state(&p, a1, IW_TCP_ESTABLISHED, 3000) &&
		   wait_state(&p, a2, IW_TCP_ESTABLISHED, 3000), "both established");
	iwt_tcp_poll_ms(&p, 20);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 3, "listener and two queued children");
	/* the first child is reset while queued */
	iw_tcp_abort(a1);
	iwt_tcp_poll_ms(&p, 20);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[0]), 1, "A: the second connection");
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 3, "B: the reset child is still queued");
	iw_tcp_abort(l);
	iwt_tcp_poll_ms(&p, 20);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[1]), 0, "B: no stream left");
	IWT_ASSERT(wait_state(&p, a2, IW_TCP_CLOSED, 1000), "the live child was reset");
	iw_tcp_abort(a2);
	iwt_tcp_poll_ms(&p, 10);
	IWT_ASSERT_EQ(iw_tcp_stream_count(p.tcp[0]), 0, "A: no stream left");
	return iwt_tcp_pair_close(&p);
}
