/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 1,000 and 10,000 QPs on each of two engines: connected through the CM
 * (private data names the initiator's QP), each moving a SEND and a WRITE
 * checked byte for byte; the QP footprint at default capabilities and the
 * connection's (TCP stream, CM id) measured on the heap. Like an application,
 * the test keeps a window of connections being set up and of QPs with
 * messages in flight (a burst over all 10,000 at once pins the port's mbufs
 * in TCP send queues: see docs/status.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
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
 * nqp QPs on each of two engines, connected pairwise through the CM, one
 * SEND and one WRITE each. Phases timed and logged (not asserted).
 */
static int
scale_run(int nqp, const char *eal_args)
{
	struct rte_iwarp_qp **qa = calloc(nqp, sizeof(*qa)), **qb = calloc(nqp, sizeof(*qb));
	struct rte_iwarp_cm_id **ida = calloc(nqp, sizeof(*ida));
	int *b_of_a = calloc(nqp, sizeof(*b_of_a));
	struct rte_iwarp_conn_param cp = { 0 };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_wc wc[256];
	struct rte_iwarp_mr *ma, *mb;
	struct iwt_vpair p;
	uint8_t *a = calloc(nqp, 2 * MSG), *b = calloc(nqp, 2 * MSG);
	size_t before, before_conn, per_qp, conn;
	uint32_t idx;
	int i, n, est_a = 0, est_b = 0, acc = 0, got, issued = 0, posted;
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
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 1024, NULL, NULL);
	IWT_ASSERT(p.lid != NULL, "listen");
	for (i = 0; i < nqp; i++)	/* the receive buffer of B's QP i */
		IWT_ASSERT_EQ(iwt_post_recv1(qb[i], i, b + i * 2 * MSG, MSG, mb->lkey), 0, "recv");
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
		iwt_vpair_poll(&p);
		while (rte_iwarp_cm_get_event(p.dev[1], &ev) == 0) {
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
		while (rte_iwarp_cm_get_event(p.dev[0], &ev) == 0) {
			if (ev.event == RTE_IWARP_CM_EVENT_ESTABLISHED)
				est_a++;
			else
				IWT_LOG("A event %s", rte_iwarp_cm_event_str(ev.event));
			rte_iwarp_cm_ack_event(&ev);
		}
	}
	IWT_ASSERT(est_a == nqp && est_b == nqp, "established %d/%d", est_a, est_b);
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
	/* every connection gives a DISCONNECTED on each side: take them as they come */
	for (i = 0; i < nqp; i++) {
		IWT_ASSERT_EQ(rte_iwarp_disconnect(ida[i]), 0, "disconnect %d", i);
		if (i % CONNECTING == CONNECTING - 1 || i == nqp - 1)
			drain_events(&p);
	}
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
	while (rte_get_timer_cycles() < end)
		drain_events(&p);
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
