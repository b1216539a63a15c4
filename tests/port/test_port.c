/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd/ port layer: ring wires carry frames both ways on every queue, the
 * impairment stage is repeatable from its seed and leaks nothing, errors have
 * the documented sign, offloads are reported, vdevs open by name (hot-plug),
 * and close quiesces a poller running on another lcore.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "../net/iwt_net.h"

#define NB_QUEUES 4

/* A frame carrying (queue, seq) after the Ethernet header. */
static struct rte_mbuf *
frame(struct iw_port *from, uint16_t queue, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(iw_port_pool(from, queue));
	struct rte_ether_hdr *eh;
	uint32_t body[2] = { queue, seq };

	if (m == NULL)
		return NULL;
	eh = (void *)rte_pktmbuf_append(m, sizeof(*eh) + 64);
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = from->mac;
	eh->ether_type = RTE_BE16(0x88b5); /* local experimental */
	/* after the 14-byte header: 2 bytes off 4-byte alignment, so memcpy */
	memcpy(eh + 1, body, sizeof(body));
	return m;
}

static uint32_t
body_word(const struct rte_mbuf *m, unsigned int i)
{
	uint32_t v;

	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN) +
	       i * sizeof(v), sizeof(v));
	return v;
}

static uint32_t
seq_of(const struct rte_mbuf *m)
{
	return body_word(m, 1);
}

static uint32_t
queue_of(const struct rte_mbuf *m)
{
	return body_word(m, 0);
}

/* Send n frames on each queue of a, check b receives them in order on the same queue. */
static int
one_way(struct iw_port *a, struct iw_port *b, uint32_t n)
{
	struct rte_mbuf *pkts[32];
	uint16_t q, k, got;
	uint32_t sent, recv;

	for (q = 0; q < a->nb_queues; q++) {
		for (sent = 0; sent < n; sent++) {
			struct rte_mbuf *m = frame(a, q, sent);

			IWT_ASSERT(m != NULL, "alloc");
			IWT_ASSERT_EQ(iw_port_tx(a, q, &m, 1), 1, "tx q%u #%u", q, sent);
		}
		for (recv = 0; recv < n; ) {
			got = iw_port_rx(b, q, pkts, 32);
			IWT_ASSERT(got > 0, "q%u: %u of %u received", q, recv, n);
			for (k = 0; k < got; k++, recv++) {
				IWT_ASSERT_EQ(queue_of(pkts[k]), q, "queue i feeds queue i");
				IWT_ASSERT_EQ(seq_of(pkts[k]), recv, "in order");
				rte_pktmbuf_free(pkts[k]);
			}
		}
		IWT_ASSERT_EQ(iw_port_rx(b, q, pkts, 32), 0, "q%u: nothing extra", q);
	}
	return IWT_PASS;
}

IWT_CASE(port_ring_wire_roundtrip)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_queues = NB_QUEUES, .nb_mbufs = 4095 };
	struct iw_port *e[2];
	unsigned int full;
	uint16_t q;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();
	IWT_ASSERT_EQ(iw_wire_create("prw", &pc, e), 0, "wire");
	IWT_ASSERT_EQ(e[0]->nb_queues, NB_QUEUES, "queues");
	IWT_ASSERT(!rte_is_same_ether_addr(&e[0]->mac, &e[1]->mac), "distinct MACs");
	IWT_ASSERT(rte_is_valid_assigned_ether_addr(&e[0]->mac), "valid MAC");
	full = rte_mempool_avail_count(iw_port_pool(e[0], 0)) +
	       rte_mempool_avail_count(iw_port_pool(e[1], 0));
	IWT_RUN(one_way(e[0], e[1], 1000));
	IWT_RUN(one_way(e[1], e[0], 1000));
	for (q = 0; q < NB_QUEUES; q++) {
		IWT_ASSERT_EQ(e[0]->q[q].tx_pkts, 1000, "a q%u tx counter", q);
		IWT_ASSERT_EQ(e[1]->q[q].rx_pkts, 1000, "b q%u rx counter", q);
	}
	IWT_ASSERT_EQ(rte_mempool_avail_count(iw_port_pool(e[0], 0)) +
		      rte_mempool_avail_count(iw_port_pool(e[1], 0)), full, "no mbuf lost");
	iw_port_close(e[0]);
	iw_port_close(e[1]);
	/* The names are free again: a second wire with the same name opens. */
	IWT_ASSERT_EQ(iw_wire_create("prw", &pc, e), 0, "wire reopened after close");
	iw_port_close(e[1]);
	iw_port_close(e[0]);
	return IWT_PASS;
}

/* Send n frames a -> b through b's impairment; record the received sequence. */
static int
impaired_run(struct iw_port *a, struct iw_port *b, const struct iw_impair_conf *ic,
	     uint32_t n, uint32_t *out, uint32_t *nout, struct iw_impair_stats *st)
{
	struct rte_mbuf *pkts[32];
	uint64_t end;
	uint32_t i;
	uint16_t k, got;

	IWT_ASSERT_EQ(iw_port_impair(b, 0, ic), 0, "impairment on");
	*nout = 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = frame(a, 0, i);

		IWT_ASSERT(m != NULL && iw_port_tx(a, 0, &m, 1) == 1, "tx %u", i);
		if ((i & 15) == 15 || i == n - 1) {
			got = iw_port_rx(b, 0, pkts, 32);
			for (k = 0; k < got; k++) {
				if (*nout < 4 * n)
					out[(*nout)++] = seq_of(pkts[k]);
				rte_pktmbuf_free(pkts[k]);
			}
		}
	}
	/* Let the reorder slot time out (1 ms) and drain. */
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 50;
	while (rte_get_timer_cycles() < end) {
		got = iw_port_rx(b, 0, pkts, 32);
		for (k = 0; k < got; k++) {
			if (*nout < 4 * n)
				out[(*nout)++] = seq_of(pkts[k]);
			rte_pktmbuf_free(pkts[k]);
		}
	}
	IWT_ASSERT_EQ(iw_port_impair_stats(b, 0, st), 0, "stats");
	IWT_ASSERT_EQ(iw_port_impair(b, 0, NULL), 0, "impairment off");
	return IWT_PASS;
}

IWT_CASE(port_impair_seeded_repeatable)
{
	static uint32_t r1[8000], r2[8000], r3[8000];
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 4095 };
	struct iw_impair_conf ic = {
		.seed = 42, .drop_ppm = 100000, .dup_ppm = 50000, .reorder_ppm = 50000,
		.corrupt_ppm = 10000,
	};
	struct iw_impair_stats s1, s2, s3;
	struct rte_mbuf *pkts[32];
	struct iw_port *e[2];
	uint32_t n1, n2, n3, i, out_of_order = 0;
	unsigned int full_a;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();
	IWT_ASSERT_EQ(iw_wire_create("pim", &pc, e), 0, "wire");
	full_a = rte_mempool_avail_count(iw_port_pool(e[0], 0));
	IWT_RUN(impaired_run(e[0], e[1], &ic, 2000, r1, &n1, &s1));
	IWT_RUN(impaired_run(e[0], e[1], &ic, 2000, r2, &n2, &s2));
	IWT_ASSERT_EQ(n1, n2, "same seed, same count");
	IWT_ASSERT(memcmp(r1, r2, n1 * sizeof(r1[0])) == 0, "same seed, same sequence");
	IWT_ASSERT(memcmp(&s1, &s2, sizeof(s1)) == 0, "same seed, same counters");
	IWT_ASSERT_EQ(s1.seen, 2000, "every frame seen");
	IWT_ASSERT_EQ(n1, s1.seen - s1.dropped + s1.duplicated, "received = seen - dropped + dup");
	IWT_ASSERT(s1.dropped > 100 && s1.dropped < 300, "~10%% dropped (%" PRIu64 ")",
		   s1.dropped);
	IWT_ASSERT(s1.duplicated > 40 && s1.reordered > 40 && s1.corrupted > 5,
		   "dup %" PRIu64 " reorder %" PRIu64 " corrupt %" PRIu64, s1.duplicated,
		   s1.reordered, s1.corrupted);
	for (i = 1; i < n1; i++)
		out_of_order += r1[i] < r1[i - 1];
	IWT_ASSERT(out_of_order > 0, "reordering visible");
	ic.seed = 43;
	IWT_RUN(impaired_run(e[0], e[1], &ic, 2000, r3, &n3, &s3));
	IWT_ASSERT(n3 != n1 || memcmp(r1, r3, n1 * sizeof(r1[0])) != 0,
		   "another seed, other impairments");
	IWT_ASSERT_EQ(rte_mempool_avail_count(iw_port_pool(e[0], 0)), full_a, "no mbuf leak");

	/* Close b while its impairment stage holds delayed frames of a's pool. */
	ic.seed = 7;
	ic.drop_ppm = ic.dup_ppm = ic.reorder_ppm = ic.corrupt_ppm = 0;
	ic.delay_us = 10 * 1000 * 1000;
	IWT_ASSERT_EQ(iw_port_impair(e[1], 0, &ic), 0, "delay on");
	for (i = 0; i < 100; i++) {
		struct rte_mbuf *m = frame(e[0], 0, i);

		IWT_ASSERT(m != NULL && iw_port_tx(e[0], 0, &m, 1) == 1, "tx %u", i);
	}
	IWT_ASSERT_EQ(iw_port_rx(e[1], 0, pkts, 32), 0, "all delayed");
	IWT_ASSERT_EQ(iw_port_impair_stats(e[1], 0, &s1), 0, "stats");
	IWT_ASSERT_EQ(s1.delayed, 32, "one burst taken into the delay line");
	iw_port_close(e[1]);
	IWT_ASSERT_EQ(rte_mempool_avail_count(iw_port_pool(e[0], 0)), full_a,
		      "close freed the delayed and queued frames");
	iw_port_close(e[0]);
	return IWT_PASS;
}

IWT_CASE(port_open_unknown_device_fails)
{
	struct iw_port_conf pc = { .port_id = -1 };
	struct iw_port *e[2];
	struct iw_impair_stats st;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();
	pc.dev = "net_nosuchdriver0";
	IWT_ASSERT(iw_port_open(&pc) == NULL, "unknown vdev driver");
	IWT_ASSERT_EQ(rte_errno, ENODEV, "positive errno in rte_errno");
	pc.dev = "0000:ff:1f.7";
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == ENODEV, "absent PCI address");
	pc.dev = "nonsense";
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == ENODEV, "not a device name");
	pc.dev = NULL;
	pc.port_id = 77;
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == ENODEV, "no such port id");
	pc.port_id = -1;
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == EINVAL, "neither name nor id");
	IWT_ASSERT(iw_port_open(NULL) == NULL && rte_errno == EINVAL, "NULL conf");
	pc.dev = "net_null0";
	pc.nb_queues = IW_PORT_MAX_QUEUES + 1;
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == EINVAL, "too many queues");
	pc.nb_queues = 1;
	pc.mtu = 20;
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == EINVAL, "MTU too small");
	/* Control calls return negative errno values. */
	pc.mtu = 0;
	pc.dev = NULL;
	IWT_ASSERT_EQ(iw_wire_create(NULL, &pc, e), -EINVAL, "wire without a name");
	pc.nb_queues = IW_PORT_MAX_QUEUES + 1;
	IWT_ASSERT_EQ(iw_wire_create("pbad", &pc, e), -EINVAL, "wire with too many queues");
	pc.nb_queues = 1;
	IWT_ASSERT_EQ(iw_wire_create("pbad", &pc, e), 0, "good wire");
	IWT_ASSERT_EQ(iw_port_impair(e[0], 1, NULL), -EINVAL, "queue out of range");
	IWT_ASSERT_EQ(iw_port_impair_stats(e[0], 0, &st), -ENOENT, "impairment off");
	{
		struct iw_impair_conf ic = { .drop_ppm = 1000001 };

		IWT_ASSERT_EQ(iw_port_impair(e[0], 0, &ic), -EINVAL, "probability above 1");
	}
	IWT_ASSERT_EQ(iw_port_link(NULL, NULL), -EINVAL, "link of nothing");
	iw_port_close(e[0]);
	iw_port_close(e[1]);
	iw_port_close(NULL);
	return IWT_PASS;
}

IWT_CASE(port_offloads_reported)
{
	struct iw_port_conf pc = { .port_id = -1 };
	struct iw_port *e[2], *p;
	char buf[256], small[8];
	int n;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();
	IWT_ASSERT_EQ(iw_wire_create("pof", &pc, e), 0, "wire");
	/*
	 * net_ring computes nothing: every checksum and TSO falls back to software.
	 * It passes mbuf chains through untouched and says so (MULTI_SEGS).
	 */
	IWT_ASSERT_EQ(e[0]->hw_offloads, IW_OFF_MULTISEG, "only multi-seg on net_ring");
	IWT_ASSERT_EQ(e[0]->sw_offloads, IW_OFF_ALL & ~IW_OFF_MULTISEG, "the rest in software");
	IWT_ASSERT_EQ(e[0]->tso_max, 0, "no TSO");
	IWT_ASSERT(e[0]->max_tx_segs > 1, "chains accepted (%u)", e[0]->max_tx_segs);
	n = iw_port_offload_str(e[0], buf, sizeof(buf));
	IWT_ASSERT(strcmp(buf, "ipv4-cksum:sw tcp-cksum:sw tso:sw multi-seg:hw rx-cksum:sw") == 0,
		   "string form: '%s'", buf);
	IWT_ASSERT_EQ(n, (int)strlen(buf), "length returned");
	IWT_ASSERT_EQ(iw_port_offload_str(e[0], small, sizeof(small)), n, "snprintf semantics");
	IWT_ASSERT_EQ(strlen(small), sizeof(small) - 1, "truncated, terminated");
	iw_port_close(e[0]);
	iw_port_close(e[1]);

	/* Offloads not wanted are reported off; no_offloads forces software. */
	pc.offloads = IW_OFF_IPV4_CKSUM;
	IWT_ASSERT_EQ(iw_wire_create("pof2", &pc, e), 0, "wire");
	iw_port_offload_str(e[0], buf, sizeof(buf));
	IWT_ASSERT(strcmp(buf, "ipv4-cksum:sw tcp-cksum:off tso:off multi-seg:off rx-cksum:off")
		   == 0, "only what was wanted: '%s'", buf);
	iw_port_close(e[0]);
	iw_port_close(e[1]);

	pc.offloads = 0;
	pc.no_offloads = true;
	pc.dev = "net_null0";
	p = iw_port_open(&pc);
	IWT_ASSERT(p != NULL, "net_null0: %s", rte_strerror(rte_errno));
	IWT_ASSERT_EQ(p->hw_offloads, 0, "no_offloads");
	iw_port_close(p);
	return IWT_PASS;
}

IWT_CASE(port_vdev_by_name)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 1023 };
	struct rte_mbuf *pkts[8];
	struct rte_eth_link link;
	struct iw_port *p;
	uint16_t n, k, round;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();
	/* Not on the EAL command line: hot-plugged by name, removed on close, twice. */
	for (round = 0; round < 2; round++) {
		pc.dev = "net_null0,size=128";
		p = iw_port_open(&pc);
		IWT_ASSERT(p != NULL, "open net_null0 round %u: %s", round,
			   rte_strerror(rte_errno));
		IWT_ASSERT(strcmp(p->name, "net_null0") == 0, "name %s", p->name);
		IWT_ASSERT_EQ(iw_port_wait_link(p, 1000), 0, "link up");
		IWT_ASSERT_EQ(iw_port_link(p, &link), 0, "link");
		IWT_ASSERT_EQ(link.link_status, RTE_ETH_LINK_UP, "up");
		n = iw_port_rx(p, 0, pkts, 8);
		IWT_ASSERT(n > 0, "net_null produces frames");
		for (k = 0; k < n; k++) {
			IWT_ASSERT_EQ(rte_pktmbuf_pkt_len(pkts[k]), 128, "devargs applied");
			rte_pktmbuf_free(pkts[k]);
		}
		IWT_ASSERT_EQ(iw_port_tx(p, 0, pkts, 0), 0, "empty tx");
		iw_port_close(p);
	}
	/* An ethdev given on the EAL command line is found by name, not re-plugged. */
	return IWT_PASS;
}

struct poller {
	struct iw_port *port;
	volatile int running;
	uint64_t bursts;
	int parked_cleanly;
};

static int
poll_until_stopping(void *arg)
{
	struct poller *pl = arg;
	struct rte_mbuf *pkts[32];
	uint16_t n, k;

	pl->running = 1;
	while (!iw_port_stopping(pl->port)) {
		n = iw_port_rx(pl->port, 0, pkts, 32);
		for (k = 0; k < n; k++)
			rte_pktmbuf_free(pkts[k]);
		pl->bursts++;
	}
	pl->parked_cleanly = 1;
	iw_port_park(pl->port, 0);
	return 0;
}

IWT_CASE(port_close_quiesces_other_lcore)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 2047 };
	struct poller pl = { 0 };
	struct iw_port *e[2];
	unsigned int worker;
	uint64_t t0, ms;
	uint32_t i;

	IWT_ASSERT(iwt_eal_init("-l 0,1") == 0, "EAL");
	iwt_eal_leave_no_trace();
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		IWT_SKIP_BECAUSE("needs a second lcore");
	IWT_ASSERT_EQ(iw_wire_create("pqs", &pc, e), 0, "wire");
	pl.port = e[1];
	IWT_ASSERT_EQ(rte_eal_remote_launch(poll_until_stopping, &pl, worker), 0, "launch");
	while (!pl.running)
		rte_pause();
	/* Keep the worker busy for 100 ms (the pool runs dry at times: fine). */
	t0 = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
	for (i = 0; rte_get_timer_cycles() < t0; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(iw_port_pool(e[0], 0));

		if (m == NULL)
			continue;
		rte_pktmbuf_append(m, 60);
		if (iw_port_tx(e[0], 0, &m, 1) != 1)
			rte_pktmbuf_free(m);
	}
	t0 = rte_get_timer_cycles();
	iw_port_close(e[1]);  /* while the worker polls */
	ms = (rte_get_timer_cycles() - t0) * 1000 / rte_get_timer_hz();
	IWT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "worker done");
	IWT_ASSERT(pl.parked_cleanly, "worker saw the port stopping and parked");
	IWT_ASSERT(pl.bursts > 0, "worker was polling");
	IWT_ASSERT(ms < IW_PORT_QUIESCE_MS, "close waited for the park, not the timeout "
		   "(%" PRIu64 " ms)", ms);
	iw_port_close(e[0]);
	return IWT_PASS;
}

IWT_CASE(port_mtu_sizes_mbufs)
{
	struct iw_port_conf pc = { .port_id = -1, .mtu = 9000, .nb_mbufs = 1023 };
	struct iw_net_conf ca = { .ip = RTE_BE32(RTE_IPV4(10, 7, 0, 1)) };
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 7, 0, 2)) };
	unsigned int lcores[1] = { 0 };
	struct iw_net *a, *b;
	struct iw_port *e[2];
	uint64_t end;

	IWT_ASSERT(iwt_eal_init("") == 0, "EAL");
	iwt_eal_leave_no_trace();
	pc.queue_lcores = lcores;
	IWT_ASSERT_EQ(iw_wire_create("pmt", &pc, e), 0, "jumbo wire");
	IWT_ASSERT_EQ(e[0]->mtu, 9000, "MTU");
	IWT_ASSERT(e[0]->mbuf_room >= 9000 + 18 + RTE_PKTMBUF_HEADROOM, "room %u", e[0]->mbuf_room);
	IWT_ASSERT_EQ(e[0]->q[0].socket_id, (int)rte_lcore_to_socket_id(0), "queue socket");
	a = iw_net_create(&ca, e[0], 0);
	b = iw_net_create(&cb, e[1], 0);
	IWT_ASSERT(a != NULL && b != NULL, "instances");
	IWT_ASSERT_EQ(iw_net_mtu(a), 9000, "stack MTU");
	IWT_ASSERT_EQ(iw_net_ping(a, cb.ip, 1, 1, NULL, 9000 - 28), 0, "9000-byte ping");
	IWT_ASSERT_EQ(iw_net_ping(a, cb.ip, 1, 2, NULL, 9000 - 27), -EMSGSIZE, "one byte more");
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 20;
	while (rte_get_timer_cycles() < end) {
		iw_net_poll(a);
		iw_net_poll(b);
	}
	IWT_ASSERT_EQ(iw_net_echo_replies(a), 1, "jumbo echo answered");
	iw_net_destroy(a);
	iw_net_destroy(b);
	iw_port_close(e[0]);
	iw_port_close(e[1]);

	/*
	 * Mbufs smaller than a frame: net_ring takes chains (scattered receive),
	 * net_null cannot, so there it is refused.
	 */
	pc.mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE;
	IWT_ASSERT_EQ(iw_wire_create("pmt2", &pc, e), 0, "scattered receive on net_ring");
	IWT_ASSERT_EQ(e[0]->mbuf_room, RTE_MBUF_DEFAULT_BUF_SIZE, "room as asked");
	iw_port_close(e[0]);
	iw_port_close(e[1]);
	pc.dev = "net_null0";
	IWT_ASSERT(iw_port_open(&pc) == NULL && rte_errno == EINVAL, "no scatter on net_null");
	return IWT_PASS;
}

struct memif_poller {
	struct iw_port *p[2];
	volatile int running;
	uint64_t moved;
};

/* Bounce frames between the two memif ends until both are stopping, then park. */
static int
memif_bounce(void *arg)
{
	struct memif_poller *mp = arg;
	struct rte_mbuf *pkts[32], *init[32];
	bool parked[2] = { false, false };
	uint16_t n, k, sent, nb_init, done = 0;
	int i;

	/* A few frames to bounce, sent by the thread that owns the queues. */
	for (nb_init = 0; nb_init < 32; nb_init++) {
		init[nb_init] = rte_pktmbuf_alloc(iw_port_pool(mp->p[0], 0));
		if (init[nb_init] == NULL)
			break;
		memset(rte_pktmbuf_append(init[nb_init], 60), 0xab, 60);
	}
	mp->running = 1;
	while (!parked[0] || !parked[1]) {
		/* memif sends only once the client has posted receive buffers. */
		if (done < nb_init && !parked[0] && !iw_port_stopping(mp->p[0]))
			done += iw_port_tx(mp->p[0], 0, init + done, nb_init - done);
		for (i = 0; i < 2; i++) {
			if (parked[i])
				continue;
			if (iw_port_stopping(mp->p[i])) {
				iw_port_park(mp->p[i], 0);
				parked[i] = true;
				continue;
			}
			n = iw_port_rx(mp->p[i], 0, pkts, 32);
			mp->moved += n;
			if (parked[!i] || iw_port_stopping(mp->p[!i])) {
				for (k = 0; k < n; k++)
					rte_pktmbuf_free(pkts[k]);
				continue;
			}
			sent = iw_port_tx(mp->p[!i], 0, pkts, n);
			for (k = sent; k < n; k++)
				rte_pktmbuf_free(pkts[k]);
		}
	}
	for (k = done; k < nb_init; k++)
		rte_pktmbuf_free(init[k]);
	return 0;
}

IWT_CASE(port_memif_pair_quiesced_close)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 2047 };
	struct memif_poller mp = { 0 };
	char dev[2][256], sock[128];
	unsigned int worker;
	int i, j;

	IWT_ASSERT(iwt_eal_init("-l 0,1") == 0, "EAL");
	iwt_eal_leave_no_trace();
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		IWT_SKIP_BECAUSE("needs a second lcore");
	snprintf(sock, sizeof(sock), "/tmp/iwt-memif-%d.sock", (int)getpid());
	snprintf(dev[0], sizeof(dev[0]), "net_memif0,role=server,id=0,socket=%s,"
		 "socket-abstract=no", sock);
	snprintf(dev[1], sizeof(dev[1]), "net_memif1,role=client,id=0,socket=%s,"
		 "socket-abstract=no", sock);
	for (i = 0; i < 2; i++) {
		pc.dev = dev[i];
		mp.p[i] = iw_port_open(&pc);
		if (mp.p[i] == NULL) {
			for (j = 0; j < i; j++)
				iw_port_close(mp.p[j]);
			unlink(sock);
			IWT_SKIP_BECAUSE("net_memif unavailable here: %s", rte_strerror(rte_errno));
		}
	}
	IWT_ASSERT_EQ(iw_port_wait_link(mp.p[0], 3000), 0, "server connected");
	IWT_ASSERT_EQ(iw_port_wait_link(mp.p[1], 3000), 0, "client connected");
	IWT_ASSERT_EQ(rte_eal_remote_launch(memif_bounce, &mp, worker), 0, "launch");
	while (!mp.running)
		rte_pause();
	/* The worker injected frames; let them bounce for a while. */
	rte_delay_us_sleep(200 * 1000);
	/* Both ends quiesced while the worker still polls them, then closed. */
	IWT_ASSERT_EQ(iw_port_quiesce(mp.p[0]), 0, "server quiesced");
	IWT_ASSERT_EQ(iw_port_quiesce(mp.p[1]), 0, "client quiesced");
	IWT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "worker parked both and left");
	IWT_ASSERT(mp.moved > 1000, "frames bounced over memif (%" PRIu64 ")", mp.moved);
	iw_port_close(mp.p[0]);
	iw_port_close(mp.p[1]);
	unlink(sock);
	return IWT_PASS;
}
