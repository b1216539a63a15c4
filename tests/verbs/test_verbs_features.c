/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verbs features over a ring wire: scatter/gather lists, inline data,
 * unsignalled requests and post lists, shared receive queues, atomics under
 * ORD back-pressure, memory windows and their remote invalidation, CQ
 * overflow, flush on disconnect.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "iwt.h"
#include "iwt_verbs.h"

#define ACC_ALL (RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE | \
		 RTE_IWARP_ACCESS_REMOTE_READ | RTE_IWARP_ACCESS_REMOTE_ATOMIC | \
		 RTE_IWARP_ACCESS_MW_BIND)

/* Plain malloc memory: registration works on any application memory. */
static uint8_t *
heap(size_t len)
{
	uint8_t *b = aligned_alloc(64, len);

	if (b != NULL)
		memset(b, 0, len);
	return b;
}

IWT_CASE(verbs_ring_sgl_inline_unsignalled)
{
	struct rte_iwarp_qp_cap cap = { .max_send_sge = 4, .max_recv_sge = 3,
					.max_inline_data = 256, .max_send_wr = 256 };
	struct rte_iwarp_send_wr wr[101], *bad;
	struct rte_iwarp_recv_wr rw, *rbad;
	struct rte_iwarp_sge sg[4], rsg[3];
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_wc wc[4];
	struct iwt_vpair p;
	uint8_t *a = heap(1 << 20), *b = heap(1 << 20);
	uint8_t expect[256];
	int i, n;

	IWT_ASSERT(a != NULL && b != NULL, "memory");
	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vsg", 1024, &cap, &cap, NULL), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 1 << 20, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 1 << 20, ACC_ALL);
	IWT_ASSERT(ma != NULL && mb != NULL, "reg_mr of malloc memory");

	/* SEND gathered from 4 SGEs, scattered into 3 of odd sizes */
	iwt_vfill(a, 9000, 1);
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)a, 1, ma->lkey };
	sg[1] = (struct rte_iwarp_sge){ (uintptr_t)a + 1, 2999, ma->lkey };
	sg[2] = (struct rte_iwarp_sge){ (uintptr_t)a + 3000, 5000, ma->lkey };
	sg[3] = (struct rte_iwarp_sge){ (uintptr_t)a + 8000, 1000, ma->lkey };
	rsg[0] = (struct rte_iwarp_sge){ (uintptr_t)b + 100000, 7, mb->lkey };
	rsg[1] = (struct rte_iwarp_sge){ (uintptr_t)b + 200000, 4093, mb->lkey };
	rsg[2] = (struct rte_iwarp_sge){ (uintptr_t)b + 300000, 8000, mb->lkey };
	rw = (struct rte_iwarp_recv_wr){ .wr_id = 7, .sg_list = rsg, .num_sge = 3 };
	IWT_ASSERT_EQ(rte_iwarp_post_recv(p.qp[1], &rw, &rbad), 0, "post_recv SGL");
	memset(wr, 0, sizeof(wr));
	wr[0] = (struct rte_iwarp_send_wr){ .wr_id = 1, .sg_list = sg, .num_sge = 4,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr[0]), 0, "SEND SGL");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[1], wc, 1, 3000), 1, "recv");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS && wc[0].byte_len == 9000, "SGL recv");
	IWT_ASSERT(memcmp(b + 100000, a, 7) == 0, "SGE 0");
	IWT_ASSERT(memcmp(b + 200000, a + 7, 4093) == 0, "SGE 1");
	IWT_ASSERT(memcmp(b + 300000, a + 4100, 4900) == 0, "SGE 2");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 1, 3000), 1, "send completion");

	/* inline SEND: the buffer is reused right after the post */
	iwt_vfill(a, 256, 2);
	memcpy(expect, a, 256);
	IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], 8, b, 4096, mb->lkey), 0, "recv");
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)a, 200, 0 /* lkey ignored */ };
	sg[1] = (struct rte_iwarp_sge){ (uintptr_t)a + 200, 56, 0 };
	wr[0] = (struct rte_iwarp_send_wr){ .wr_id = 2, .sg_list = sg, .num_sge = 2,
		.opcode = RTE_IWARP_WR_SEND,
		.send_flags = RTE_IWARP_SEND_SIGNALED | RTE_IWARP_SEND_INLINE };
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr[0]), 0, "inline SEND");
	memset(a, 0xee, 256);
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[1], wc, 1, 3000), 1, "recv");
	IWT_ASSERT_EQ(wc[0].byte_len, 256, "inline length");
	IWT_ASSERT(memcmp(b, expect, 256) == 0, "inline data as posted");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 1, 3000), 1, "send completion");
	/* over the inline cap: rejected, negative, never completes */
	sg[0].length = 300;
	wr[0].num_sge = 1;
	bad = NULL;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], &wr[0], &bad), -EINVAL, "inline too long");
	IWT_ASSERT(bad == &wr[0], "bad_wr");

	/* 100 unsignalled inline WRITEs and one signalled, in one post list */
	for (i = 0; i < 101; i++) {
		iwt_vfill(a + 1000 * i, 100, 100 + i);
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 1000 + i, .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_WRITE,
			.send_flags = i % 2 ? RTE_IWARP_SEND_INLINE : 0,
			.next = i < 100 ? &wr[i + 1] : NULL };
		wr[i].sg_list = &sg[i % 2 ? 1 : 0];
		wr[i].wr.rdma.rkey = mb->rkey;
		wr[i].wr.rdma.remote_addr = (uintptr_t)b + 500000 + 1000 * i;
	}
	/* every WR needs its own SGE: rebuild with a per-WR array */
	{
		static struct rte_iwarp_sge s101[101];

		for (i = 0; i < 101; i++) {
			s101[i] = (struct rte_iwarp_sge){ (uintptr_t)a + 1000 * i, 100, ma->lkey };
			wr[i].sg_list = &s101[i];
		}
	}
	wr[100].send_flags |= RTE_IWARP_SEND_SIGNALED;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post list");
	n = iwt_vpair_wc(&p, p.cq[0], wc, 2, 1000);
	IWT_ASSERT_EQ(n, 1, "exactly one completion for 101 WRs");
	IWT_ASSERT_EQ(wc[0].wr_id, 1100, "the signalled one");
	for (i = 0; i < 101; i++)
		IWT_ASSERT(iwt_vcheck(b + 500000 + 1000 * i, 100, 100 + i) < 0, "WRITE %d", i);

	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 20);
	rte_iwarp_dereg_mr(ma);
	rte_iwarp_dereg_mr(mb);
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}

IWT_CASE(verbs_ring_srq)
{
	struct rte_iwarp_srq_init_attr sa = { .max_wr = 64 };
	struct rte_iwarp_qp_init_attr qa;
	struct rte_iwarp_qp *qa2, *qb[2];
	struct rte_iwarp_cm_id *ia, *ib;
	struct rte_iwarp_recv_wr rw, *rbad;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg, rsg;
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_srq *srq;
	struct rte_iwarp_wc wc[16];
	struct iwt_vpair p;
	uint8_t *a = heap(1 << 16), *b = heap(1 << 16);
	int i, k, n, seen[2] = { 0, 0 };

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vsr", 256), 0, "open");
	srq = rte_iwarp_create_srq(p.pd[1], &sa);
	IWT_ASSERT(srq != NULL, "create_srq");
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = qa.recv_cq = p.cq[1];
	qa.srq = srq;
	qb[0] = rte_iwarp_create_qp(p.pd[1], &qa);
	qb[1] = rte_iwarp_create_qp(p.pd[1], &qa);
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	qa2 = iwt_vpair_qp(&p, 0, NULL);
	IWT_ASSERT(qb[0] && qb[1] && p.qp[0] && qa2, "QPs");
	IWT_ASSERT_EQ(rte_iwarp_post_recv(qb[0], &rw, &rbad), -EINVAL, "QP with SRQ: no own RQ");
	IWT_ASSERT_EQ(iwt_vpair_connect(&p, p.qp[0], qb[0], NULL, NULL, &p.id[0], &p.id[1]), 0,
		      "connect 1");
	IWT_ASSERT_EQ(iwt_vpair_connect(&p, qa2, qb[1], NULL, NULL, &ia, &ib), 0, "connect 2");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 1 << 16, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 1 << 16, ACC_ALL);
	for (i = 0; i < 10; i++) {
		rsg = (struct rte_iwarp_sge){ (uintptr_t)b + 4096 * i, 4096, mb->lkey };
		rw = (struct rte_iwarp_recv_wr){ .wr_id = 500 + i, .sg_list = &rsg, .num_sge = 1 };
		IWT_ASSERT_EQ(rte_iwarp_post_srq_recv(srq, &rw, &rbad), 0, "post_srq_recv");
	}
	for (i = 0; i < 10; i++) {
		iwt_vfill(a + 4096 * i, 3000, 77 + i);
		sg = (struct rte_iwarp_sge){ (uintptr_t)a + 4096 * i, 3000, ma->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .imm_data = 0 };
		IWT_ASSERT_EQ(iwt_post_send1(i % 2 ? qa2 : p.qp[0], &wr), 0, "SEND");
		/* one at a time so the SRQ order is the sending order */
		n = iwt_vpair_wc(&p, p.cq[1], wc, 1, 3000);
		IWT_ASSERT_EQ(n, 1, "recv %d", i);
		IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS, "status");
		IWT_ASSERT_EQ(wc[0].wr_id, 500 + i, "SRQ entries taken in order");
		IWT_ASSERT_EQ(wc[0].qp_num, rte_iwarp_qp_num(qb[i % 2]), "QP of the recv");
		k = (int)(wc[0].wr_id - 500);
		IWT_ASSERT(iwt_vcheck(b + 4096 * k, 3000, 77 + i) < 0, "data of %d", i);
		seen[i % 2]++;
	}
	IWT_ASSERT(seen[0] == 5 && seen[1] == 5, "both QPs used the SRQ");
	IWT_ASSERT_EQ(rte_iwarp_destroy_srq(srq), -EBUSY, "SRQ in use");
	rte_iwarp_disconnect(p.id[0]);
	rte_iwarp_disconnect(ia);
	iwt_vpair_poll_ms(&p, 20);
	IWT_ASSERT_EQ(rte_iwarp_destroy_qp(qb[0]), 0, "destroy");
	IWT_ASSERT_EQ(rte_iwarp_destroy_qp(qb[1]), 0, "destroy");
	IWT_ASSERT_EQ(rte_iwarp_destroy_srq(srq), 0, "destroy_srq");
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}

IWT_CASE(verbs_ring_atomics_results)
{
	struct rte_iwarp_qp_cap cap = { .max_send_wr = 256, .max_rd_atomic = 4,
					.max_dest_rd_atomic = 4 };
	struct rte_iwarp_send_wr wr[200], *bad;
	struct rte_iwarp_sge sg[200];
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_wc wc[200];
	struct iwt_vpair p;
	uint64_t *res = (uint64_t *)heap(200 * 8), *word = (uint64_t *)heap(64);
	uint8_t seen[200];
	int i, n;

	IWT_ASSERT(res != NULL && word != NULL, "memory");
	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vat", 1024, &cap, &cap, NULL), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], res, 200 * 8, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], word, 64, ACC_ALL);
	/* 200 fetch-adds in flight under ORD 4: each result is a distinct prefix sum */
	*word = 1000;
	for (i = 0; i < 200; i++) {
		sg[i] = (struct rte_iwarp_sge){ (uintptr_t)&res[i], 8, ma->lkey };
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg[i], .num_sge = 1,
			.opcode = RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD,
			.send_flags = RTE_IWARP_SEND_SIGNALED,
			.next = i < 199 ? &wr[i + 1] : NULL };
		wr[i].wr.atomic.remote_addr = (uintptr_t)word;
		wr[i].wr.atomic.rkey = mb->rkey;
		wr[i].wr.atomic.compare_add = 3;
	}
	cap.max_send_wr = 256;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post 200 atomics");
	n = iwt_vpair_wc(&p, p.cq[0], wc, 200, 5000);
	IWT_ASSERT_EQ(n, 200, "completions");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 200; i++) {
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].wr_id == (uint64_t)i,
			   "in order %d", i);
		IWT_ASSERT_EQ(wc[i].opcode, RTE_IWARP_WC_FETCH_ADD, "opcode");
		IWT_ASSERT_EQ(res[i], 1000 + 3 * (uint64_t)i, "result %d", i);
	}
	IWT_ASSERT_EQ(*word, 1600, "final value");
	/* compare-and-swap: a chain of swaps, one mismatching */
	for (i = 0; i < 3; i++) {
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 300 + i, .sg_list = &sg[i],
			.num_sge = 1, .opcode = RTE_IWARP_WR_ATOMIC_CMP_AND_SWP,
			.send_flags = RTE_IWARP_SEND_SIGNALED, .next = i < 2 ? &wr[i + 1] : NULL };
		wr[i].wr.atomic.remote_addr = (uintptr_t)word;
		wr[i].wr.atomic.rkey = mb->rkey;
	}
	wr[0].wr.atomic.compare_add = 1600;
	wr[0].wr.atomic.swap = 0xdeadbeefcafef00dULL;
	wr[1].wr.atomic.compare_add = 1600;   /* no longer equal: no swap */
	wr[1].wr.atomic.swap = 1;
	wr[2].wr.atomic.compare_add = 0xdeadbeefcafef00dULL;
	wr[2].wr.atomic.swap = 42;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post CAS");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 3, 3000), 3, "CAS completions");
	IWT_ASSERT_EQ(res[0], 1600, "CAS 0 result");
	IWT_ASSERT_EQ(res[1], 0xdeadbeefcafef00dULL, "CAS 1 result");
	IWT_ASSERT_EQ(res[2], 0xdeadbeefcafef00dULL, "CAS 2 result");
	IWT_ASSERT_EQ(*word, 42, "final CAS value");
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 20);
	n = iwt_vpair_close(&p);
	free(res);
	free(word);
	return n;
}

IWT_CASE(verbs_ring_memory_windows_invalidate)
{
	struct rte_iwarp_mw_bind_info bi;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_mr *ma, *mb, *mnb;
	struct rte_iwarp_mw *mw, *mw2;
	struct rte_iwarp_wc wc[4];
	struct rte_iwarp_sge sg;
	struct iwt_vpair p;
	uint8_t *a = heap(65536), *b = heap(65536);
	uint32_t old;
	int n;

	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vmw", 256, NULL, NULL, NULL), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 65536, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 65536, ACC_ALL);
	mnb = rte_iwarp_reg_mr(p.pd[1], b, 4096, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mw = rte_iwarp_alloc_mw(p.pd[1], RTE_IWARP_MW_TYPE_1);
	mw2 = rte_iwarp_alloc_mw(p.pd[1], RTE_IWARP_MW_TYPE_2);
	IWT_ASSERT(mw != NULL && mw2 != NULL, "alloc_mw");
	bi = (struct rte_iwarp_mw_bind_info){ mb, (uintptr_t)b + 8192, 8192,
		RTE_IWARP_ACCESS_REMOTE_READ };
	old = mw->rkey;
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw2, &bi), -EINVAL, "type 2 needs a WR");
	bi.mr = mnb;
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw, &bi), -EINVAL, "MR without MW_BIND");
	bi.mr = mb;
	bi.length = 65536;
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw, &bi), -EINVAL, "window beyond the MR");
	bi.length = 8192;
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw, &bi), 0, "bind type 1");
	IWT_ASSERT(mw->rkey != old && mw->rkey != 0, "new rkey");
	/* READ through the window */
	iwt_vfill(b + 8192, 8192, 5);
	sg = (struct rte_iwarp_sge){ (uintptr_t)a, 8192, ma->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 1, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = (uintptr_t)b + 8192;
	wr.wr.rdma.rkey = mw->rkey;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "READ via window");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 1, 3000), 1, "READ done");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS, "READ status");
	IWT_ASSERT(iwt_vcheck(a, 8192, 5) < 0, "READ bytes");
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(mb), -EBUSY, "MR with a bound window");
	/* the peer invalidates the window with SEND_INV */
	IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], 9, b + 30000, 100, mb->lkey), 0, "recv");
	sg.length = 10;
	wr = (struct rte_iwarp_send_wr){ .wr_id = 2, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND_WITH_INV, .invalidate_rkey = mw->rkey };
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "SEND_INV");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[1], wc, 1, 3000), 1, "recv");
	IWT_ASSERT(wc[0].wc_flags & RTE_IWARP_WC_WITH_INV, "WITH_INV");
	IWT_ASSERT_EQ(wc[0].invalidated_rkey, mw->rkey, "invalidated rkey");
	/* a READ with the invalidated window STag: TERMINATE, no data */
	memset(a, 0, 8192);
	sg.length = 8192;
	wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = (uintptr_t)b + 8192;
	wr.wr.rdma.rkey = mw->rkey;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "READ via dead window");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 1, 3000), 1, "READ completion");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_WR_FLUSH_ERR, "READ flushed: %s",
		   rte_iwarp_wc_status_str(wc[0].status));
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 1000), 0, "TERM");
	IWT_ASSERT_EQ(ev.term, 0x000100, "RDMAP remote protection, invalid STag");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_query_qp(p.qp[1], &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "target QP in ERROR");
	IWT_ASSERT(iwt_vcheck(a, 8192, 5) > -2 && a[0] == 0 && a[8191] == 0, "nothing read");
	IWT_ASSERT_EQ(rte_iwarp_dealloc_mw(mw), 0, "dealloc");
	IWT_ASSERT_EQ(rte_iwarp_dealloc_mw(mw2), 0, "dealloc");
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(mb), 0, "MR free once the window is gone");
	iwt_vpair_poll_ms(&p, 20);
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}

/*
 * The peer of a QP that went to ERROR on a local catastrophic error was told:
 * its TERMINATE event and query_qp carry RDMAP Local Catastrophic, its QP is
 * in ERROR, the stream ended in order (DISCONNECTED); its nsend signalled
 * SENDs (wr_id 0..) complete in order, those the stream did not deliver
 * flushed, its nrecv receives (wr_id recv0..) flushed in order.
 */
static int
peer_told(struct iwt_vpair *p, struct rte_iwarp_qp *qp, struct rte_iwarp_cm_id *id, int nsend,
	  uint64_t recv0, int nrecv)
{
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_wc wc[32];
	int i, n, s = 0, r = 0;
	bool flushed = false;

	IWT_ASSERT_EQ(iwt_vpair_event(p, 0, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 2000), 0,
		      "the peer's TERMINATE event");
	IWT_ASSERT(ev.id == id && ev.term == IWT_TERM_RDMAP_LOCAL_CATASTROPHIC,
		   "TERMINATE of the peer's id, code 0x%06x", ev.term);
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_query_qp(qp, &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "the peer's QP in ERROR");
	IWT_ASSERT_EQ(qa.term_received, IWT_TERM_RDMAP_LOCAL_CATASTROPHIC, "code parsed");
	n = iwt_vpair_wc(p, p->cq[0], wc, nsend + nrecv, 2000);
	IWT_ASSERT_EQ(n, nsend + nrecv, "every peer WR completes");
	for (i = 0; i < n; i++) {
		if (wc[i].opcode == RTE_IWARP_WC_RECV) {
			IWT_ASSERT(wc[i].wr_id == recv0 + (uint64_t)r++ &&
				   wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR,
				   "receive %" PRIu64 " flushed in order", wc[i].wr_id);
			continue;
		}
		IWT_ASSERT_EQ(wc[i].wr_id, (uint64_t)s++, "SENDs complete in order");
		if (wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR)
			flushed = true;
		else
			IWT_ASSERT(!flushed && wc[i].status == RTE_IWARP_WC_SUCCESS,
				   "SEND %d: %s after a flush", i,
				   rte_iwarp_wc_status_str(wc[i].status));
	}
	IWT_ASSERT_EQ(iwt_vpair_event(p, 0, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 2000), 0,
		      "the stream ended in order");
	rte_iwarp_cm_ack_event(&ev);
	return IWT_PASS;
}

IWT_CASE(verbs_ring_cq_overflow_reported)
{
	struct rte_iwarp_dev_stats st;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_wc wc[8];
	struct rte_iwarp_sge sg;
	struct rte_iwarp_cq *small;
	struct rte_iwarp_qp_init_attr ia;
	struct rte_iwarp_cm_id *i0, *i1;
	struct rte_iwarp_qp *qb;
	struct iwt_vpair p;
	uint8_t *a = heap(65536), *b = heap(65536);
	int i, n;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vcq", 256), 0, "open");
	small = rte_iwarp_create_cq(p.dev[1], 4, NULL);
	IWT_ASSERT(small != NULL, "create_cq");
	memset(&ia, 0, sizeof(ia));
	ia.send_cq = p.cq[1];
	ia.recv_cq = small;
	qb = rte_iwarp_create_qp(p.pd[1], &ia);
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	IWT_ASSERT_EQ(iwt_vpair_connect(&p, p.qp[0], qb, NULL, NULL, &i0, &i1), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 65536, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 65536, ACC_ALL);
	for (i = 0; i < 10; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(qb, 100 + i, b + 1000 * i, 1000, mb->lkey), 0, "recv");
	/* the peer's receives stay outstanding: flushed once it is told */
	for (i = 0; i < 3; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(p.qp[0], 200 + i, a + 4096 + 1000 * i, 1000,
					     ma->lkey), 0, "peer recv");
	sg = (struct rte_iwarp_sge){ (uintptr_t)a, 64, ma->lkey };
	for (i = 0; i < 10; i++) {
		wr = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
		IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "SEND");
	}
	iwt_vpair_poll_ms(&p, 200);
	n = rte_iwarp_poll_cq(small, 8, wc);
	IWT_ASSERT_EQ(n, -EOVERFLOW, "overflow reported by poll");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(small, 8, wc), -EOVERFLOW, "and again: sticky");
	rte_iwarp_dev_stats_get(p.dev[1], &st);
	IWT_ASSERT(st.cq_overflows > 0, "counted");
	rte_iwarp_query_qp(qb, &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "the QP that lost a completion is in ERROR");
	{
		struct rte_iwarp_cm_event ev;

		IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CQ_ERROR, &ev, 1000), 0,
			      "error event");
		IWT_ASSERT(ev.id == i1 && ev.status == -EOVERFLOW, "event of the QP's id");
		rte_iwarp_cm_ack_event(&ev);
	}
	IWT_ASSERT_EQ(qa.term_sent, IWT_TERM_RDMAP_LOCAL_CATASTROPHIC, "TERMINATE sent");
	{
		struct rte_iwarp_cm_event ev;

		IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 1000), 0,
			      "TERMINATE event (sent)");
		IWT_ASSERT(ev.id == i1 && ev.term == IWT_TERM_RDMAP_LOCAL_CATASTROPHIC, "code");
		rte_iwarp_cm_ack_event(&ev);
	}
	IWT_RUN(peer_told(&p, p.qp[0], i0, 10, 200, 3));
	iwt_vpair_poll_ms(&p, 20);
	IWT_ASSERT_EQ(rte_iwarp_destroy_cq(small), -EBUSY, "CQ in use");
	IWT_ASSERT_EQ(rte_iwarp_destroy_qp(qb), 0, "destroy_qp");
	IWT_ASSERT_EQ(rte_iwarp_destroy_cq(small), 0, "destroy_cq");
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}

IWT_CASE(verbs_ring_flush_on_disconnect)
{
	struct rte_iwarp_send_wr wr[4], *bad;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_wc wc[16];
	struct rte_iwarp_sge sg;
	struct iwt_vpair p;
	uint8_t *a = heap(1 << 20), *b = heap(1 << 20);
	int i, n;

	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vfl", 256, NULL, NULL, NULL), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 1 << 20, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 1 << 20, ACC_ALL);
	for (i = 0; i < 8; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], 200 + i, b + 4096 * i, 4096, mb->lkey), 0,
			      "recv");
	sg = (struct rte_iwarp_sge){ (uintptr_t)a, 100, ma->lkey };
	for (i = 0; i < 2; i++) {
		wr[0] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
		IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr[0]), 0, "SEND");
	}
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[1], wc, 2, 3000), 2, "2 received");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 2, 3000), 2, "2 sent");
	/* 4 large WRITEs posted, then disconnect before they can complete */
	sg.length = 200000;
	for (i = 0; i < 4; i++) {
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 10 + i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED,
			.next = i < 3 ? &wr[i + 1] : NULL };
		wr[i].wr.rdma.remote_addr = (uintptr_t)b + 200000;
		wr[i].wr.rdma.rkey = mb->rkey;
	}
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post WRITEs");
	IWT_ASSERT_EQ(rte_iwarp_disconnect(p.id[0]), 0, "disconnect");
	IWT_ASSERT_EQ(rte_iwarp_disconnect(p.id[0]), -ENOTCONN, "twice");
	n = iwt_vpair_wc(&p, p.cq[0], wc, 4, 1000);
	IWT_ASSERT_EQ(n, 4, "every WR completes");
	for (i = 0; i < 4; i++) {
		IWT_ASSERT_EQ(wc[i].wr_id, 10 + i, "in order");
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR, "flushed");
	}
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 1000), 0,
		      "DISCONNECTED locally");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 2000), 0,
		      "DISCONNECTED at the peer");
	rte_iwarp_cm_ack_event(&ev);
	n = iwt_vpair_wc(&p, p.cq[1], wc, 16, 300);
	IWT_ASSERT_EQ(n, 6, "6 posted receives flushed at the peer");
	for (i = 0; i < 6; i++) {
		IWT_ASSERT_EQ(wc[i].wr_id, 202 + i, "in order");
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR, "flushed");
	}
	/* a post to a QP in ERROR is accepted and flushed */
	IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], 300, b, 100, mb->lkey), 0, "recv in ERROR");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[1], 4, wc), 1, "flushed at once");
	IWT_ASSERT(wc[0].wr_id == 300 && wc[0].status == RTE_IWARP_WC_WR_FLUSH_ERR, "flush");
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}

#define RD_CANARY 0xa5
#define RD_PAGE 4096

/* Every byte of [from, to) of the sink still holds the canary. */
static int
rd_canary_between(const uint8_t *buf, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		IWT_ASSERT(buf[i] == RD_CANARY, "sink byte %zu outside the SGEs written", i);
	return IWT_PASS;
}

IWT_CASE(verbs_ring_read_into_sgl)
{
	struct rte_iwarp_qp_cap cap = { .max_send_sge = 4, .max_recv_sge = 2 };
	/* odd sizes and offsets, three of them across page boundaries, two MRs */
	static const struct { size_t off; uint32_t len; int mr; } sge[4] = {
		{ RD_PAGE - 5, 13, 0 },
		{ 2 * RD_PAGE - 7, 4099, 0 },
		{ 4 * RD_PAGE + 1, 1, 1 },
		{ 5 * RD_PAGE - 3001, 6007, 1 },
	};
	struct rte_iwarp_send_wr wr, *bad;
	struct rte_iwarp_mr *mr[2], *mro, *msrc;
	struct rte_iwarp_sge sg[5];
	struct rte_iwarp_wc wc[2];
	struct iwt_gmem sink;
	struct iwt_vpair p;
	uint8_t *src = heap(1 << 16);
	uint32_t total = 0, at = 0;
	size_t last = 0;
	int i, rc;

	IWT_ASSERT(src != NULL, "memory");
	IWT_ASSERT_EQ(iwt_gmem_alloc(&sink, 8 * RD_PAGE), 0, "guarded sink");
	memset(sink.buf, RD_CANARY, sink.len);
	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vrsgl", 64, &cap, &cap, NULL), 0, "connect");
	/* the sink: two MRs with local write, and one read-only view of the first */
	mr[0] = rte_iwarp_reg_mr(p.pd[0], sink.buf, 4 * RD_PAGE, RTE_IWARP_ACCESS_LOCAL_WRITE);
	mr[1] = rte_iwarp_reg_mr(p.pd[0], sink.buf + 4 * RD_PAGE, 4 * RD_PAGE,
				 RTE_IWARP_ACCESS_LOCAL_WRITE);
	mro = rte_iwarp_reg_mr(p.pd[0], sink.buf, 4 * RD_PAGE, RTE_IWARP_ACCESS_REMOTE_READ);
	msrc = rte_iwarp_reg_mr(p.pd[1], src, 1 << 16, RTE_IWARP_ACCESS_REMOTE_READ);
	IWT_ASSERT(mr[0] != NULL && mr[1] != NULL && mro != NULL && msrc != NULL, "reg_mr");
	iwt_vfill(src, 1 << 16, 77);
	for (i = 0; i < 4; i++) {
		sg[i] = (struct rte_iwarp_sge){ (uintptr_t)sink.buf + sge[i].off, sge[i].len,
						mr[sge[i].mr]->lkey };
		total += sge[i].len;
	}

	/* one READ of 10,120 bytes (several response segments) into 4 SGEs */
	wr = (struct rte_iwarp_send_wr){ .wr_id = 1, .sg_list = sg, .num_sge = 4,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.rkey = msrc->rkey;
	wr.wr.rdma.remote_addr = (uintptr_t)src + 333;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "READ into an SGL");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 1, 5000), 1, "READ completion");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS, "READ status %d", wc[0].status);
	IWT_ASSERT(wc[0].opcode == RTE_IWARP_WC_RDMA_READ && wc[0].byte_len == total,
		   "READ of %u bytes: byte_len %u", total, wc[0].byte_len);
	for (i = 0; i < 4; i++) {
		IWT_ASSERT(memcmp(sink.buf + sge[i].off, src + 333 + at, sge[i].len) == 0,
			   "SGE %d holds source bytes [%u, %u)", i, at, at + sge[i].len);
		IWT_RUN(rd_canary_between(sink.buf, last, sge[i].off));
		at += sge[i].len;
		last = sge[i].off + sge[i].len;
	}
	IWT_RUN(rd_canary_between(sink.buf, last, sink.len));

	/* more SGEs than the QP's max_send_sge: refused at post */
	sg[4] = sg[3];
	wr.num_sge = 5;
	bad = NULL;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], &wr, &bad), -EINVAL, "5 SGEs > max 4");
	IWT_ASSERT(bad == &wr, "bad_wr");

	/* an SGE without local write access: refused at post, nothing placed */
	memset(sink.buf, RD_CANARY, sink.len);
	sg[1].lkey = mro->lkey;
	wr.num_sge = 4;
	bad = NULL;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], &wr, &bad), -EINVAL,
		      "SGE without local write");
	IWT_ASSERT(bad == &wr, "bad_wr");
	iwt_vpair_poll_ms(&p, 20);
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], 2, wc), 0, "no completion for a refused READ");
	IWT_RUN(rd_canary_between(sink.buf, 0, sink.len));

	/* the QP is still usable: the same READ with the right keys works */
	sg[1].lkey = mr[0]->lkey;
	wr.wr_id = 2;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "READ again");
	IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[0], wc, 1, 5000), 1, "READ completion");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS && wc[0].wr_id == 2, "READ again");
	IWT_ASSERT(memcmp(sink.buf + sge[3].off, src + 333 + total - sge[3].len,
			  sge[3].len) == 0, "last SGE");

	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 20);
	for (i = 0; i < 2; i++)
		rte_iwarp_dereg_mr(mr[i]);
	rte_iwarp_dereg_mr(mro);
	rte_iwarp_dereg_mr(msrc);
	rc = iwt_vpair_close(&p);
	iwt_gmem_free(&sink);
	free(src);
	return rc;
}

/*
 * A TERMINATE goes out even when the TCP send buffer is full as it is queued
 * and the application disconnects at once (the stream then closes in order
 * after it): A's 512 KiB send buffer is filled with WRITEs whose segments the
 * wire drops (nothing acknowledged), B WRITEs to an STag A does not know, A's
 * application disconnects on the TERMINATE event; then the wire delivers
 * again: B must receive the TERMINATE before the stream ends.
 */
IWT_CASE(verbs_ring_terminate_queued_with_send_buffer_full)
{
	struct iw_impair_conf drop = { .seed = 1, .drop_ppm = 1000000 };
	const uint32_t big = 512 * 1024;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_sge sg;
	struct iwt_vpair p;
	uint8_t *a = heap(3 * big), *b = heap(3 * big);
	int i, n;

	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vtfull", 256, NULL, NULL, NULL), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 3 * big, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 3 * big, ACC_ALL);
	IWT_ASSERT(ma != NULL && mb != NULL, "reg_mr");
	/* A -> B dropped: A's send buffer fills and stays full */
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &drop), 0, "impair B's receive side");
	/*
	 * The buffer fills to within a few bytes: full FPDUs are 1,448 bytes on
	 * this wire (MSS), 512 KiB is 362 of them and 112 bytes; a first WRITE
	 * of 80 bytes (96 or 100 on the wire) leaves 16 or 12: less than a
	 * TERMINATE (over 40 bytes with the DDP header it quotes).
	 */
	for (i = 0; i < 3; i++) {
		sg = (struct rte_iwarp_sge){ (uintptr_t)a + (size_t)i * big,
			i == 0 ? 80 : big, ma->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_WRITE };
		wr.wr.rdma.rkey = mb->rkey;
		wr.wr.rdma.remote_addr = (uintptr_t)b + (size_t)i * big;
		IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "WRITE %d", i);
	}
	iwt_vpair_poll_ms(&p, 50);
	/* B -> A still delivers: a WRITE to an unknown STag, A terminates */
	sg = (struct rte_iwarp_sge){ (uintptr_t)b, 16, mb->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 9, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE };
	wr.wr.rdma.rkey = ma->rkey ^ 0x7fff00;
	wr.wr.rdma.remote_addr = (uintptr_t)a;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[1], &wr), 0, "bad WRITE");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 3000), 0,
		      "A terminates");
	IWT_ASSERT_EQ(ev.term, IWT_TERM_DDP_TAGGED_INVALID_STAG, "A's code");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_disconnect(p.id[0]);
	/* the wire delivers again: retransmissions, then the TERMINATE, then FIN */
	drop.drop_ppm = 0;
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &drop), 0, "impairment off");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 10000), 0,
		      "B receives the TERMINATE");
	IWT_ASSERT_EQ(ev.term, IWT_TERM_DDP_TAGGED_INVALID_STAG, "B's code");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_query_qp(p.qp[1], &qa);
	IWT_ASSERT_EQ(qa.term_received, IWT_TERM_DDP_TAGGED_INVALID_STAG, "parsed");
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "B's QP in ERROR");
	iwt_vpair_poll_ms(&p, 20);
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}
