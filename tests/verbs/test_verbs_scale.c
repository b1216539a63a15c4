/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 1,000 and 10,000 QPs on each of two engines: connected through the CM
 * (private data names the initiator's QP), each moving a SEND and a WRITE
 * checked byte for byte; the QP footprint at default capabilities and the
 * connection's (TCP stream, CM id) measured on the heap. Like an application,
 * the test keeps a window of connections being set up and of QPs with
 * messages in flight. The burst cases post a 64 KiB WRITE on every one of
 * 10,000 QPs at once: far more than the pools hold, which admission control
 * in the engine's transmit must meter out (docs/design.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mempool.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "iwt.h"
#include "iwt_verbs.h"

#define MSG 64
#define CONNECTING 256

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* QP i (side A): an inline SEND of its first MSG bytes, a WRITE of the next MSG to rb. */
static int
post_send_write(struct rte_iwarp_qp *qp, int i, int nqp, uint8_t *a, struct rte_iwarp_mr *ma,
		uint8_t *rb, struct rte_iwarp_mr *mb)
{
	struct rte_iwarp_sge sg = { (uintptr_t)a + i * 2 * MSG, MSG, ma->lkey };
	struct rte_iwarp_sge sg2 = { (uintptr_t)a + i * 2 * MSG + MSG, MSG, ma->lkey };
	struct rte_iwarp_send_wr wr[2];

	iwt_vfill(a + i * 2 * MSG, 2 * MSG, 7 * i);
	memset(wr, 0, sizeof(wr));
	wr[0].wr_id = i;
	wr[0].sg_list = &sg;
	wr[0].num_sge = 1;
	wr[0].opcode = RTE_IWARP_WR_SEND;
	wr[0].send_flags = RTE_IWARP_SEND_SIGNALED | RTE_IWARP_SEND_INLINE;
	wr[0].next = &wr[1];
	wr[1] = wr[0];
	wr[1].next = NULL;
	wr[1].wr_id = nqp + i;
	wr[1].opcode = RTE_IWARP_WR_RDMA_WRITE;
	wr[1].sg_list = &sg2;
	wr[1].send_flags = RTE_IWARP_SEND_SIGNALED;
	wr[1].wr.rdma.rkey = mb->rkey;
	wr[1].wr.rdma.remote_addr = (uintptr_t)rb + MSG;
	IWT_ASSERT_EQ(iwt_post_send1(qp, wr), 0, "post %d", i);
	return IWT_PASS;
}

static void
drain_events(struct iwt_vpair *p)
{
	struct rte_iwarp_cm_event ev;
	int i;

	iwt_vpair_poll(p);
	for (i = 0; i < 2; i++)
		while (rte_iwarp_cm_get_event(p->dev[i], &ev) == 0)
			rte_iwarp_cm_ack_event(&ev);
}

static double
secs_since(uint64_t t0)
{
	return (double)(rte_get_timer_cycles() - t0) / (double)rte_get_timer_hz();
}

/*
 * Connect qa[i] (side A) to one of qb (side B) through the CM for every i <
 * nqp, at most CONNECTING set-ups at once; b_of_a[i]: the index of B's QP that
 * accepted qa[i]'s request (private data names i). B's receives are the
 * caller's. @return IWT_PASS or a failure.
 */
static int
scale_connect(struct iwt_vpair *p, int nqp, struct rte_iwarp_qp **qa,
	      struct rte_iwarp_qp **qb, struct rte_iwarp_cm_id **ida, int *b_of_a)
{
	struct rte_iwarp_conn_param cp = { 0 };
	struct rte_iwarp_cm_event ev;
	int est_a = 0, est_b = 0, acc = 0, issued = 0;
	uint64_t end;
	uint32_t idx;

	if (p->lid == NULL)
		p->lid = rte_iwarp_listen(p->dev[1], IWT_V_PORT, 1024, NULL, NULL);
	IWT_ASSERT(p->lid != NULL, "listen");
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 60;
	while ((est_a < nqp || est_b < nqp) && rte_get_timer_cycles() < end) {
		/* at most CONNECTING connections being set up at once */
		for (; issued < nqp && issued - est_a < CONNECTING; issued++) {
			idx = (uint32_t)issued;
			cp.private_data = &idx;
			cp.private_data_len = sizeof(idx);
			ida[issued] = rte_iwarp_connect(qa[issued], IWT_V_IP_B, IWT_V_PORT, &cp,
							&qa[issued]);
			IWT_ASSERT(ida[issued] != NULL, "connect %d: %s", issued,
				   rte_strerror(rte_errno));
		}
		iwt_vpair_poll(p);
		while (rte_iwarp_cm_get_event(p->dev[1], &ev) == 0) {
			if (ev.event == RTE_IWARP_CM_EVENT_CONNECT_REQUEST) {
				IWT_ASSERT_EQ(ev.private_data_len, 4, "private data");
				memcpy(&idx, ev.private_data, 4);
				IWT_ASSERT(idx < (uint32_t)nqp, "index");
				b_of_a[idx] = acc;
				IWT_ASSERT_EQ(rte_iwarp_accept(ev.id, qb[acc], NULL), 0, "accept");
				acc++;
			} else if (ev.event == RTE_IWARP_CM_EVENT_ESTABLISHED) {
				est_b++;
			} else {
				IWT_LOG("B event %s", rte_iwarp_cm_event_str(ev.event));
			}
			rte_iwarp_cm_ack_event(&ev);
		}
		while (rte_iwarp_cm_get_event(p->dev[0], &ev) == 0) {
			if (ev.event == RTE_IWARP_CM_EVENT_ESTABLISHED)
				est_a++;
			else
				IWT_LOG("A event %s", rte_iwarp_cm_event_str(ev.event));
			rte_iwarp_cm_ack_event(&ev);
		}
	}
	IWT_ASSERT(est_a == nqp && est_b == nqp, "established %d/%d", est_a, est_b);
	return IWT_PASS;
}

/* Disconnect every connection; each gives a DISCONNECTED on each side. */
static int
scale_disconnect(struct iwt_vpair *p, int nqp, struct rte_iwarp_cm_id **ida)
{
	uint64_t end;
	int i;

	for (i = 0; i < nqp; i++) {
		IWT_ASSERT_EQ(rte_iwarp_disconnect(ida[i]), 0, "disconnect %d", i);
		if (i % CONNECTING == CONNECTING - 1 || i == nqp - 1)
			drain_events(p);
	}
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
	while (rte_get_timer_cycles() < end)
		drain_events(p);
	return IWT_PASS;
}

/*
 * nqp QPs on each of two engines, connected pairwise through the CM, one
 * SEND and one WRITE each. Phases timed and logged (not asserted).
 */
static int
scale_run(int nqp, const char *eal_args)
{
	struct rte_iwarp_qp **qa = calloc(nqp, sizeof(*qa)), **qb = calloc(nqp, sizeof(*qb));
	struct rte_iwarp_cm_id **ida = calloc(nqp, sizeof(*ida));
	int *b_of_a = calloc(nqp, sizeof(*b_of_a));
	struct rte_iwarp_wc wc[256];
	struct rte_iwarp_mr *ma, *mb;
	struct iwt_vpair p;
	uint8_t *a = calloc(nqp, 2 * MSG), *b = calloc(nqp, 2 * MSG);
	size_t before, before_conn, per_qp, conn;
	int i, n, got, posted;
	uint64_t end, t0;

	IWT_ASSERT(a != NULL && b != NULL && qa != NULL && qb != NULL && ida != NULL &&
		   b_of_a != NULL, "memory");
	/* every completion of a phase may be in the CQ at once */
	IWT_ASSERT_EQ(iwt_vpair_open_eal(&p, "vsc", 4 * (uint32_t)nqp, RTE_IWARP_MODE_INLINE,
				       eal_args), 0, "open");
	t0 = rte_get_timer_cycles();
	before = heap_used();
	for (i = 0; i < nqp; i++) {
		qa[i] = iwt_vpair_qp(&p, 0, NULL);
		IWT_ASSERT(qa[i] != NULL, "create_qp %d", i);
	}
	per_qp = (heap_used() - before) / nqp;
	IWT_LOG("QP footprint at default capabilities: %zu bytes", per_qp);
	IWT_ASSERT(per_qp <= 16384, "QP footprint %zu over 16 KiB", per_qp);
	for (i = 0; i < nqp; i++) {
		qb[i] = iwt_vpair_qp(&p, 1, NULL);
		IWT_ASSERT(qb[i] != NULL, "create_qp B %d", i);
	}
	ma = rte_iwarp_reg_mr(p.pd[0], a, nqp * 2 * MSG, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mb = rte_iwarp_reg_mr(p.pd[1], b, nqp * 2 * MSG, RTE_IWARP_ACCESS_LOCAL_WRITE |
			      RTE_IWARP_ACCESS_REMOTE_WRITE);
	before_conn = heap_used();
	for (i = 0; i < nqp; i++)	/* the receive buffer of B's QP i */
		IWT_ASSERT_EQ(iwt_post_recv1(qb[i], i, b + i * 2 * MSG, MSG, mb->lkey), 0, "recv");
	IWT_RUN(scale_connect(&p, nqp, qa, qb, ida, b_of_a));
	conn = (heap_used() - before_conn) / (2 * (size_t)nqp);
	IWT_LOG("%d QPs created and connected in %.1f s; connection state (TCP stream, CM "
		"id) %zu bytes per QP", nqp, secs_since(t0), conn);
	t0 = rte_get_timer_cycles();
	/* one SEND and one WRITE per QP, at most CONNECTING QPs with messages in flight */
	got = 0;
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 30;
	for (posted = 0; got < nqp && rte_get_timer_cycles() < end; ) {
		for (; posted < nqp && posted - got < CONNECTING; posted++)
			IWT_RUN(post_send_write(qa[posted], posted, nqp, a, ma,
						b + b_of_a[posted] * 2 * MSG, mb));
		iwt_vpair_poll(&p);
		n = rte_iwarp_poll_cq(p.cq[1], 256, wc);
		IWT_ASSERT(n >= 0, "poll B %d", n);
		for (i = 0; i < n; i++)
			IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].byte_len == MSG,
				   "recv status %s", rte_iwarp_wc_status_str(wc[i].status));
		got += n;
	}
	IWT_ASSERT_EQ(got, nqp, "receives");
	got = 0;
	while (got < 2 * nqp && rte_get_timer_cycles() < end) {
		iwt_vpair_poll(&p);
		n = rte_iwarp_poll_cq(p.cq[0], 256, wc);
		IWT_ASSERT(n >= 0, "poll A %d", n);
		for (i = 0; i < n; i++)
			IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "send status");
		got += n;
	}
	IWT_ASSERT_EQ(got, 2 * nqp, "send completions");
	IWT_LOG("%d SENDs and %d WRITEs completed in %.1f s", nqp, nqp, secs_since(t0));
	for (i = 0; i < nqp; i++) {
		uint8_t *rb = b + b_of_a[i] * 2 * MSG;

		IWT_ASSERT(memcmp(rb, a + i * 2 * MSG, 2 * MSG) == 0,
			   "QP %d: SEND and WRITE bytes", i);
	}
	IWT_RUN(scale_disconnect(&p, nqp, ida));
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	free(qa);
	free(qb);
	free(ida);
	free(b_of_a);
	return n;
}

IWT_CASE(verbs_ring_1000_qps)
{
	return scale_run(1000, "");
}

IWT_CASE(verbs_ring_10000_qps)
{
	/* two engines of 10,000 QPs in this process: about 0.8 GB of DPDK heap */
	return scale_run(10000, "-m 1536");
}

#define BURST_LEN 65536

/*
 * nqp QPs on each of two engines; every QP of A posts a 64 KiB WRITE and a
 * SEND behind it at the same moment, before the engines run: far more data
 * than the ports have mbufs for (nqp x 46 segments against 16,383 mbufs a
 * side). Everything is delivered exactly once, in bounded time: each WRITE's
 * bytes land in its QP's own 64 KiB of B (a window of a pattern that differs
 * per QP), each SEND names its QP and completes once, every work request of
 * A completes once with success, and every mbuf returns to its pool. With
 * drop_ppm, both directions of the wire drop frames from the start of the
 * burst on.
 */
static int
burst_run(int nqp, uint32_t drop_ppm, const char *eal_args)
{
	struct rte_iwarp_qp **qa = calloc(nqp, sizeof(*qa)), **qb = calloc(nqp, sizeof(*qb));
	struct rte_iwarp_cm_id **ida = calloc(nqp, sizeof(*ida));
	int *b_of_a = calloc(nqp, sizeof(*b_of_a)), *a_of_b = calloc(nqp, sizeof(*a_of_b));
	uint8_t *seen_recv = calloc(nqp, 1), *seen_send = calloc(2 * (size_t)nqp, 1);
	size_t src_len = BURST_LEN + 8 * (size_t)nqp;
	uint8_t *src = malloc(src_len), *msg = calloc(nqp, MSG), *rcv = calloc(nqp, MSG);
	uint8_t *dst = calloc(nqp, BURST_LEN);
	struct iw_impair_conf ic = { .seed = 20261206, .drop_ppm = drop_ppm };
	struct rte_iwarp_dev_stats st[2];
	struct iw_impair_stats is[2];
	struct rte_iwarp_mr *msrc, *mmsg, *mrcv, *mdst;
	struct rte_iwarp_wc wc[256];
	struct iwt_vpair p;
	int i, k, n, got_a = 0, got_b = 0;
	uint32_t idx;
	uint64_t end, t0;

	IWT_ASSERT(qa != NULL && qb != NULL && ida != NULL && b_of_a != NULL && a_of_b != NULL &&
		   seen_recv != NULL && seen_send != NULL && src != NULL && msg != NULL &&
		   rcv != NULL && dst != NULL, "memory");
	IWT_ASSERT_EQ(iwt_vpair_open_eal(&p, "vbu", 4 * (uint32_t)nqp, RTE_IWARP_MODE_INLINE,
				       eal_args), 0, "open");
	for (i = 0; i < nqp; i++) {
		qa[i] = iwt_vpair_qp(&p, 0, NULL);
		qb[i] = iwt_vpair_qp(&p, 1, NULL);
		IWT_ASSERT(qa[i] != NULL && qb[i] != NULL, "create_qp %d", i);
	}
	iwt_vfill(src, src_len, 20261206);
	msrc = rte_iwarp_reg_mr(p.pd[0], src, src_len, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mmsg = rte_iwarp_reg_mr(p.pd[0], msg, (size_t)nqp * MSG, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mrcv = rte_iwarp_reg_mr(p.pd[1], rcv, (size_t)nqp * MSG, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mdst = rte_iwarp_reg_mr(p.pd[1], dst, (size_t)nqp * BURST_LEN,
				RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE);
	IWT_ASSERT(msrc != NULL && mmsg != NULL && mrcv != NULL && mdst != NULL, "reg_mr");
	for (i = 0; i < nqp; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(qb[i], i, rcv + (size_t)i * MSG, MSG, mrcv->lkey), 0,
			      "recv %d", i);
	IWT_RUN(scale_connect(&p, nqp, qa, qb, ida, b_of_a));
	for (i = 0; i < nqp; i++)
		a_of_b[b_of_a[i]] = i;
	if (drop_ppm > 0)
		for (k = 0; k < 2; k++)
			IWT_ASSERT_EQ(iw_port_impair(p.port[k], 0, &ic), 0, "impair %d", k);

	t0 = rte_get_timer_cycles();
	for (i = 0; i < nqp; i++) {
		struct rte_iwarp_sge ws = { (uintptr_t)src + 8 * (size_t)i, BURST_LEN, msrc->lkey };
		struct rte_iwarp_sge ss = { (uintptr_t)msg + (size_t)i * MSG, MSG, mmsg->lkey };
		struct rte_iwarp_send_wr wr[2];

		idx = (uint32_t)i;
		memcpy(msg + (size_t)i * MSG, &idx, sizeof(idx));
		memset(wr, 0, sizeof(wr));
		wr[0].wr_id = (uint64_t)i;
		wr[0].opcode = RTE_IWARP_WR_RDMA_WRITE;
		wr[0].sg_list = &ws;
		wr[0].num_sge = 1;
		wr[0].send_flags = RTE_IWARP_SEND_SIGNALED;
		wr[0].wr.rdma.rkey = mdst->rkey;
		wr[0].wr.rdma.remote_addr = (uintptr_t)dst + (size_t)b_of_a[i] * BURST_LEN;
		wr[0].next = &wr[1];
		wr[1].wr_id = (uint64_t)nqp + i;
		wr[1].opcode = RTE_IWARP_WR_SEND;
		wr[1].sg_list = &ss;
		wr[1].num_sge = 1;
		wr[1].send_flags = RTE_IWARP_SEND_SIGNALED;
		IWT_ASSERT_EQ(iwt_post_send1(qa[i], wr), 0, "post %d", i);
	}
	/* bounded: a stall fails here with how far it got */
	end = t0 + rte_get_timer_hz() * 240;
	while ((got_a < 2 * nqp || got_b < nqp) && rte_get_timer_cycles() < end) {
		iwt_vpair_poll(&p);
		n = rte_iwarp_poll_cq(p.cq[1], 256, wc);
		IWT_ASSERT(n >= 0, "poll B %d", n);
		for (k = 0; k < n; k++) {
			IWT_ASSERT(wc[k].status == RTE_IWARP_WC_SUCCESS && wc[k].byte_len == MSG,
				   "recv status %s", rte_iwarp_wc_status_str(wc[k].status));
			IWT_ASSERT(wc[k].wr_id < (uint64_t)nqp, "recv wr_id");
			memcpy(&idx, rcv + wc[k].wr_id * MSG, sizeof(idx));
			IWT_ASSERT(idx < (uint32_t)nqp && b_of_a[idx] == (int)wc[k].wr_id,
				   "SEND of QP %u arrived at B's QP %d", idx, (int)wc[k].wr_id);
			IWT_ASSERT(!seen_recv[idx], "SEND of QP %u received twice", idx);
			seen_recv[idx] = 1;
		}
		got_b += n;
		n = rte_iwarp_poll_cq(p.cq[0], 256, wc);
		IWT_ASSERT(n >= 0, "poll A %d", n);
		for (k = 0; k < n; k++) {
			IWT_ASSERT(wc[k].status == RTE_IWARP_WC_SUCCESS, "send status %s",
				   rte_iwarp_wc_status_str(wc[k].status));
			IWT_ASSERT(wc[k].wr_id < 2 * (uint64_t)nqp && !seen_send[wc[k].wr_id],
				   "work request %" PRIu64 " completed twice", wc[k].wr_id);
			seen_send[wc[k].wr_id] = 1;
		}
		got_a += n;
	}
	rte_iwarp_dev_stats_get(p.dev[0], &st[0]);
	rte_iwarp_dev_stats_get(p.dev[1], &st[1]);
	IWT_LOG("%d x 64 KiB WRITE + SEND posted at once: %d/%d receives, %d/%d send "
		"completions in %.1f s; A: %" PRIu64 " segments, %" PRIu64 " retransmitted, %"
		PRIu64 " FPDUs held back by admission control", nqp, got_b, nqp, got_a, 2 * nqp,
		secs_since(t0), st[0].tx_segs, st[0].tx_rexmit, st[0].tx_admit_wait);
	IWT_ASSERT(got_b == nqp && got_a == 2 * nqp, "stalled: %d/%d receives, %d/%d send "
		   "completions after %.0f s", got_b, nqp, got_a, 2 * nqp, secs_since(t0));
	/* the burst met the limit (a quarter of the pool by default), which is back to 0 */
	IWT_ASSERT_EQ(st[0].tx_sndq_mbufs_max, iw_port_pool(p.port[0], 0)->size / 4, "limit");
	IWT_ASSERT(st[0].tx_admit_wait > 0, "admission control held FPDUs back");
	IWT_ASSERT_EQ(st[0].tx_sndq_mbufs, 0, "A's send queues hold nothing at the end");
	for (i = 0; i < nqp; i++)
		IWT_ASSERT(memcmp(dst + (size_t)b_of_a[i] * BURST_LEN, src + 8 * (size_t)i,
				  BURST_LEN) == 0, "QP %d: WRITE bytes", i);
	if (drop_ppm > 0) {
		for (k = 0; k < 2; k++) {
			iw_port_impair_stats(p.port[k], 0, &is[k]);
			iw_port_impair(p.port[k], 0, NULL);
		}
		IWT_LOG("frames dropped: %" PRIu64 " of %" PRIu64 " at A, %" PRIu64 " of %"
			PRIu64 " at B", is[0].dropped, is[0].seen, is[1].dropped, is[1].seen);
		IWT_ASSERT(is[0].dropped > 0 && is[1].dropped > 0, "the wire dropped frames");
	}
	IWT_RUN(scale_disconnect(&p, nqp, ida));
	n = iwt_vpair_close(&p);
	free(qa);
	free(qb);
	free(ida);
	free(b_of_a);
	free(a_of_b);
	free(seen_recv);
	free(seen_send);
	free(src);
	free(msg);
	free(rcv);
	free(dst);
	return n;
}

IWT_CASE(verbs_ring_10000_qps_64k_write_burst_all_delivered)
{
	return burst_run(10000, 0, "-m 1536");
}

IWT_CASE(verbs_ring_10000_qps_64k_write_burst_2pct_loss_all_delivered)
{
	return burst_run(10000, 20000, "-m 1536");
}
