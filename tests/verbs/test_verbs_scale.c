/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 1,000 QPs on one engine: connected through the CM (private data names the
 * initiator's QP), each moving a SEND and a WRITE checked byte for byte, and
 * the QP footprint at default capabilities measured on the heap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "iwt.h"
#include "iwt_verbs.h"

#define NQP 1000
#define MSG 64

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

IWT_CASE(verbs_ring_1000_qps)
{
	static struct rte_iwarp_qp *qa[NQP], *qb[NQP];
	static struct rte_iwarp_cm_id *ida[NQP];
	static int b_of_a[NQP];
	struct rte_iwarp_conn_param cp = { 0 };
	struct rte_iwarp_send_wr wr[2];
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_wc wc[256];
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_sge sg, sg2;
	struct iwt_vpair p;
	uint8_t *a = calloc(NQP, 2 * MSG), *b = calloc(NQP, 2 * MSG);
	size_t before, per_qp;
	uint32_t idx;
	int i, n, est_a = 0, est_b = 0, acc = 0, got;
	uint64_t end;

	IWT_ASSERT(a != NULL && b != NULL, "memory");
	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vsc", 4096), 0, "open");
	before = heap_used();
	for (i = 0; i < NQP; i++) {
		qa[i] = iwt_vpair_qp(&p, 0, NULL);
		IWT_ASSERT(qa[i] != NULL, "create_qp %d", i);
	}
	per_qp = (heap_used() - before) / NQP;
	IWT_LOG("QP footprint at default capabilities: %zu bytes", per_qp);
	IWT_ASSERT(per_qp <= 16384, "QP footprint %zu over 16 KiB", per_qp);
	for (i = 0; i < NQP; i++) {
		qb[i] = iwt_vpair_qp(&p, 1, NULL);
		IWT_ASSERT(qb[i] != NULL, "create_qp B %d", i);
	}
	ma = rte_iwarp_reg_mr(p.pd[0], a, NQP * 2 * MSG, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mb = rte_iwarp_reg_mr(p.pd[1], b, NQP * 2 * MSG, RTE_IWARP_ACCESS_LOCAL_WRITE |
			      RTE_IWARP_ACCESS_REMOTE_WRITE);
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 1024, NULL, NULL);
	IWT_ASSERT(p.lid != NULL, "listen");
	for (i = 0; i < NQP; i++) {
		idx = (uint32_t)i;
		cp.private_data = &idx;
		cp.private_data_len = sizeof(idx);
		ida[i] = rte_iwarp_connect(qa[i], IWT_V_IP_B, IWT_V_PORT, &cp, &qa[i]);
		IWT_ASSERT(ida[i] != NULL, "connect %d", i);
		/* the receive buffer of B's QP i */
		IWT_ASSERT_EQ(iwt_post_recv1(qb[i], i, b + i * 2 * MSG, MSG, mb->lkey), 0, "recv");
	}
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 60;
	while ((est_a < NQP || est_b < NQP) && rte_get_timer_cycles() < end) {
		iwt_vpair_poll(&p);
		while (rte_iwarp_cm_get_event(p.dev[1], &ev) == 0) {
			if (ev.event == RTE_IWARP_CM_EVENT_CONNECT_REQUEST) {
				IWT_ASSERT_EQ(ev.private_data_len, 4, "private data");
				memcpy(&idx, ev.private_data, 4);
				IWT_ASSERT(idx < NQP, "index");
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
	IWT_ASSERT(est_a == NQP && est_b == NQP, "established %d/%d", est_a, est_b);
	for (i = 0; i < NQP; i++) {
		iwt_vfill(a + i * 2 * MSG, 2 * MSG, 7 * i);
		sg = (struct rte_iwarp_sge){ (uintptr_t)a + i * 2 * MSG, MSG, ma->lkey };
		memset(wr, 0, sizeof(wr));
		wr[0].wr_id = i;
		wr[0].sg_list = &sg;
		wr[0].num_sge = 1;
		wr[0].opcode = RTE_IWARP_WR_SEND;
		wr[0].send_flags = RTE_IWARP_SEND_SIGNALED | RTE_IWARP_SEND_INLINE;
		wr[0].next = &wr[1];
		wr[1] = wr[0];
		wr[1].next = NULL;
		wr[1].wr_id = NQP + i;
		wr[1].opcode = RTE_IWARP_WR_RDMA_WRITE;
		sg2 = (struct rte_iwarp_sge){ (uintptr_t)a + i * 2 * MSG + MSG, MSG, ma->lkey };
		wr[1].sg_list = &sg2;
		wr[1].send_flags = RTE_IWARP_SEND_SIGNALED;
		wr[1].wr.rdma.rkey = mb->rkey;
		wr[1].wr.rdma.remote_addr = (uintptr_t)b + b_of_a[i] * 2 * MSG + MSG;
		IWT_ASSERT_EQ(iwt_post_send1(qa[i], wr), 0, "post %d", i);
	}
	/* recv completions on B, send completions on A */
	got = 0;
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 30;
	while (got < NQP && rte_get_timer_cycles() < end) {
		iwt_vpair_poll(&p);
		n = rte_iwarp_poll_cq(p.cq[1], 256, wc);
		IWT_ASSERT(n >= 0, "poll B %d", n);
		for (i = 0; i < n; i++)
			IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].byte_len == MSG,
				   "recv status %s", rte_iwarp_wc_status_str(wc[i].status));
		got += n;
	}
	IWT_ASSERT_EQ(got, NQP, "receives");
	got = 0;
	while (got < 2 * NQP && rte_get_timer_cycles() < end) {
		iwt_vpair_poll(&p);
		n = rte_iwarp_poll_cq(p.cq[0], 256, wc);
		IWT_ASSERT(n >= 0, "poll A %d", n);
		for (i = 0; i < n; i++)
			IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "send status");
		got += n;
	}
	IWT_ASSERT_EQ(got, 2 * NQP, "send completions");
	for (i = 0; i < NQP; i++) {
		uint8_t *rb = b + b_of_a[i] * 2 * MSG;

		IWT_ASSERT(memcmp(rb, a + i * 2 * MSG, 2 * MSG) == 0,
			   "QP %d: SEND and WRITE bytes", i);
	}
	for (i = 0; i < NQP; i++)
		IWT_ASSERT_EQ(rte_iwarp_disconnect(ida[i]), 0, "disconnect %d", i);
	iwt_vpair_poll_ms(&p, 100);
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}
