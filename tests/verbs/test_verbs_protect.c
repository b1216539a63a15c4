/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One test per protection rule of DESIGN.md: a peer's tagged access that
 * breaks it gets the RFC 5040/5041 TERMINATE (checked as parsed by the peer
 * from the wire and as sent), both QPs end in ERROR, and not a byte of the
 * target memory changes (canary bytes around and inside the MR, PROT_NONE
 * pages around the mapping).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "iwt.h"
#include "iwt_verbs.h"

enum prot_kind {
	K_UNKNOWN,
	K_INVALIDATED,
	K_WRONG_PD,
	K_ACCESS,
	K_BOUNDS,
	K_IRD,
	K_TOO_LONG,
	K_NO_RECV,
};

#define MR_OFF 1024
#define MR_LEN 4096
#define CANARY 0xC3u

/* layer << 16 | etype << 8 | ecode, RFC 5040 section 7 / RFC 5041 section 7 */
#define T_DDP_TAGGED_INVALID_STAG 0x010100u
#define T_DDP_TAGGED_BOUNDS       0x010101u
#define T_DDP_TAGGED_NOT_ASSOC    0x010102u
#define T_DDP_UNTAGGED_NO_BUFFER  0x010202u
#define T_RDMAP_PROT_INVALID_STAG 0x000100u
#define T_RDMAP_PROT_ACCESS       0x000102u
#define T_DDP_UNTAGGED_TOO_LONG   0x010205u

static int
wait_terminated(struct iwt_vpair *p, unsigned int ms)
{
	struct rte_iwarp_qp_attr a, b;
	unsigned int i;

	for (i = 0; i < ms; i++) {
		iwt_vpair_poll_ms(p, 1);
		rte_iwarp_query_qp(p->qp[0], &a);
		rte_iwarp_query_qp(p->qp[1], &b);
		if (a.state == RTE_IWARP_QPS_ERR && b.state == RTE_IWARP_QPS_ERR &&
		    a.term_received != UINT32_MAX)
			return 0;
	}
	return -ETIMEDOUT;
}

static int
canary_intact(const struct iwt_gmem *g, const char *what)
{
	size_t i;

	for (i = 0; i < g->len; i++)
		IWT_ASSERT(g->buf[i] == (uint8_t)(CANARY ^ i), "%s: byte %zu written", what, i);
	return IWT_PASS;
}

static int
prot_run(const char *wire, enum prot_kind kind, uint32_t expect)
{
	struct rte_iwarp_conn_param cp = { 0 };
	struct rte_iwarp_qp_cap ca = { 0 }, cb = { 0 };
	struct rte_iwarp_send_wr wr[4], *bad;
	struct rte_iwarp_qp_attr qa, qb;
	struct rte_iwarp_mr *mra, *mrb = NULL, *fr;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_wc wc[8];
	struct rte_iwarp_sge sg[4];
	struct rte_iwarp_pd *pd2;
	struct iwt_gmem ga, gb;
	struct iwt_vpair p;
	uint32_t rkey = 0;
	uint64_t raddr = 0;
	size_t i;
	int n, nwr = 1;
	bool read = false, send = false;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, wire, 64), 0, "open");
	IWT_ASSERT_EQ(iwt_gmem_alloc(&ga, 3 * 4096), 0, "gmem");
	IWT_ASSERT_EQ(iwt_gmem_alloc(&gb, 2 * 4096), 0, "gmem");
	for (i = 0; i < gb.len; i++)
		gb.buf[i] = (uint8_t)(CANARY ^ i);
	memset(ga.buf, 0x5a, ga.len);
	mra = rte_iwarp_reg_mr(p.pd[0], ga.buf, ga.len, RTE_IWARP_ACCESS_LOCAL_WRITE);
	IWT_ASSERT(mra != NULL, "reg_mr A");
	if (kind == K_IRD) {
		cp.mpa_rev = 1;          /* no IRD/ORD exchange: A keeps ORD 8 */
		ca.max_rd_atomic = 8;
		cb.max_dest_rd_atomic = 1;
	}
	p.qp[0] = iwt_vpair_qp(&p, 0, &ca);
	p.qp[1] = iwt_vpair_qp(&p, 1, &cb);
	IWT_ASSERT(p.qp[0] != NULL && p.qp[1] != NULL, "create_qp");
	IWT_ASSERT_EQ(iwt_vpair_connect(&p, p.qp[0], p.qp[1], &cp, NULL, &p.id[0], &p.id[1]), 0,
		      "connect");

	switch (kind) {
	case K_UNKNOWN:
		mrb = rte_iwarp_reg_mr(p.pd[1], gb.buf + MR_OFF, MR_LEN,
				       RTE_IWARP_ACCESS_LOCAL_WRITE |
				       RTE_IWARP_ACCESS_REMOTE_WRITE);
		/* an index never allocated, same key byte */
		rkey = (((mrb->rkey >> 8) + 4000) << 8) | (mrb->rkey & 0xff);
		raddr = (uintptr_t)gb.buf + MR_OFF;
		break;
	case K_INVALIDATED:
		fr = rte_iwarp_alloc_mr(p.pd[1]);
		IWT_ASSERT(fr != NULL, "alloc_mr");
		memset(wr, 0, sizeof(wr));
		wr[0].wr_id = 900;
		wr[0].opcode = RTE_IWARP_WR_REG_MR;
		wr[0].wr.reg.mr = fr;
		wr[0].wr.reg.addr = gb.buf + MR_OFF;
		wr[0].wr.reg.iova = (uintptr_t)gb.buf + MR_OFF;
		wr[0].wr.reg.length = MR_LEN;
		wr[0].wr.reg.key = 0x21;
		wr[0].wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE |
			RTE_IWARP_ACCESS_REMOTE_READ | RTE_IWARP_ACCESS_REMOTE_WRITE;
		wr[0].next = &wr[1];
		wr[1].wr_id = 901;
		wr[1].opcode = RTE_IWARP_WR_LOCAL_INV;
		wr[1].send_flags = RTE_IWARP_SEND_SIGNALED;
		wr[1].invalidate_rkey = (fr->rkey & ~0xffu) | 0x21;
		IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[1], wr, &bad), 0, "REG_MR + LOCAL_INV");
		n = iwt_vpair_wc(&p, p.cq[1], wc, 1, 2000);
		IWT_ASSERT(n == 1 && wc[0].status == RTE_IWARP_WC_SUCCESS && wc[0].wr_id == 901,
			   "LOCAL_INV done");
		rkey = fr->rkey;
		raddr = (uintptr_t)gb.buf + MR_OFF;
		read = true;
		break;
	case K_WRONG_PD:
		pd2 = rte_iwarp_alloc_pd(p.dev[1]);
		mrb = rte_iwarp_reg_mr(pd2, gb.buf + MR_OFF, MR_LEN,
				       RTE_IWARP_ACCESS_LOCAL_WRITE |
				       RTE_IWARP_ACCESS_REMOTE_WRITE);
		rkey = mrb->rkey;
		raddr = (uintptr_t)gb.buf + MR_OFF;
		break;
	case K_ACCESS:
		mrb = rte_iwarp_reg_mr(p.pd[1], gb.buf + MR_OFF, MR_LEN,
				       RTE_IWARP_ACCESS_LOCAL_WRITE |
				       RTE_IWARP_ACCESS_REMOTE_READ);
		rkey = mrb->rkey;
		raddr = (uintptr_t)gb.buf + MR_OFF;
		break;
	case K_BOUNDS:
		mrb = rte_iwarp_reg_mr(p.pd[1], gb.buf + MR_OFF, MR_LEN,
				       RTE_IWARP_ACCESS_LOCAL_WRITE |
				       RTE_IWARP_ACCESS_REMOTE_WRITE);
		rkey = mrb->rkey;
		raddr = (uintptr_t)gb.buf + MR_OFF + MR_LEN - 1000; /* 1000 in, 1000 out */
		break;
	case K_IRD:
		mrb = rte_iwarp_reg_mr(p.pd[1], gb.buf + MR_OFF, MR_LEN,
				       RTE_IWARP_ACCESS_REMOTE_READ);
		rkey = mrb->rkey;
		raddr = (uintptr_t)gb.buf + MR_OFF;
		read = true;
		nwr = 4;
		break;
	case K_TOO_LONG:
	case K_NO_RECV:
		/* a SEND of 2000 bytes: into a 1000-byte receive, or into none */
		mrb = rte_iwarp_reg_mr(p.pd[1], gb.buf + MR_OFF, MR_LEN,
				       RTE_IWARP_ACCESS_LOCAL_WRITE);
		if (kind == K_TOO_LONG)
			IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], 77, gb.buf + MR_OFF, 1000,
						     mrb->lkey), 0, "recv");
		rkey = 1;
		send = true;
		break;
	}
	IWT_ASSERT(rkey != 0, "target STag");
	memset(wr, 0, sizeof(wr));
	for (n = 0; n < nwr; n++) {
		sg[n] = (struct rte_iwarp_sge){ (uintptr_t)ga.buf + 2000u * n, 2000, mra->lkey };
		wr[n].wr_id = 100 + n;
		wr[n].sg_list = &sg[n];
		wr[n].num_sge = 1;
		wr[n].opcode = send ? RTE_IWARP_WR_SEND :
			read ? RTE_IWARP_WR_RDMA_READ : RTE_IWARP_WR_RDMA_WRITE;
		wr[n].send_flags = RTE_IWARP_SEND_SIGNALED;
		wr[n].wr.rdma.remote_addr = raddr;
		wr[n].wr.rdma.rkey = rkey;
		wr[n].next = n + 1 < nwr ? &wr[n + 1] : NULL;
	}
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post the violation");
	IWT_ASSERT_EQ(wait_terminated(&p, 3000), 0, "both QPs in ERROR, TERMINATE received");
	rte_iwarp_query_qp(p.qp[0], &qa);
	rte_iwarp_query_qp(p.qp[1], &qb);
	IWT_ASSERT_EQ(qb.term_sent, expect, "TERMINATE sent by the target");
	IWT_ASSERT_EQ(qa.term_received, expect, "TERMINATE parsed from the wire by the peer");
	IWT_ASSERT_EQ(qa.term_sent, UINT32_MAX, "no TERMINATE answered to a TERMINATE");
	if (kind == K_TOO_LONG) {
		/* the receive is flushed and holds no byte of the message */
		IWT_ASSERT_EQ(iwt_vpair_wc(&p, p.cq[1], wc, 1, 1000), 1, "recv flushed");
		IWT_ASSERT(wc[0].wr_id == 77 && wc[0].status == RTE_IWARP_WC_WR_FLUSH_ERR,
			   "recv flushed");
	}
	IWT_RUN(canary_intact(&gb, "target memory"));
	/* every WR of A completes (flushed at the latest), in order */
	n = iwt_vpair_wc(&p, p.cq[0], wc, nwr, 2000);
	IWT_ASSERT_EQ(n, nwr, "completions of the violating WRs");
	for (i = 0; i < (size_t)nwr; i++)
		IWT_ASSERT_EQ(wc[i].wr_id, 100 + i, "in order");
	if (read && kind != K_IRD)
		IWT_ASSERT(wc[0].status == RTE_IWARP_WC_WR_FLUSH_ERR, "READ flushed, got %s",
			   rte_iwarp_wc_status_str(wc[0].status));
	if (kind == K_IRD)
		IWT_ASSERT(wc[nwr - 1].status == RTE_IWARP_WC_WR_FLUSH_ERR, "excess READ flushed");
	/* both applications were told */
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 1000), 0,
		      "TERMINATE event at the target");
	IWT_ASSERT_EQ(ev.term, expect, "event code");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 1000), 0,
		      "TERMINATE event at the peer");
	IWT_ASSERT_EQ(ev.term, expect, "event code");
	rte_iwarp_cm_ack_event(&ev);
	/* the connection closes after the TERMINATE */
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 2000), 0,
		      "DISCONNECTED");
	rte_iwarp_cm_ack_event(&ev);
	iwt_vpair_poll_ms(&p, 20);
	n = iwt_vpair_close(&p);
	iwt_gmem_free(&ga);
	iwt_gmem_free(&gb);
	return n;
}

IWT_CASE(verbs_ring_protection_unknown_stag)
{
	return prot_run("vpu", K_UNKNOWN, T_DDP_TAGGED_INVALID_STAG);
}

IWT_CASE(verbs_ring_protection_invalidated_stag)
{
	/* READ source: an RDMAP remote protection error */
	return prot_run("vpi", K_INVALIDATED, T_RDMAP_PROT_INVALID_STAG);
}

IWT_CASE(verbs_ring_protection_wrong_pd)
{
	return prot_run("vpw", K_WRONG_PD, T_DDP_TAGGED_NOT_ASSOC);
}

IWT_CASE(verbs_ring_protection_missing_access)
{
	return prot_run("vpa", K_ACCESS, T_RDMAP_PROT_ACCESS);
}

IWT_CASE(verbs_ring_protection_out_of_bounds)
{
	return prot_run("vpb", K_BOUNDS, T_DDP_TAGGED_BOUNDS);
}

IWT_CASE(verbs_ring_protection_read_beyond_ird)
{
	return prot_run("vpr", K_IRD, T_DDP_UNTAGGED_NO_BUFFER);
}

IWT_CASE(verbs_ring_untagged_message_too_long)
{
	return prot_run("vtl", K_TOO_LONG, T_DDP_UNTAGGED_TOO_LONG);
}

IWT_CASE(verbs_ring_untagged_no_receive_posted)
{
	return prot_run("vnr", K_NO_RECV, T_DDP_UNTAGGED_NO_BUFFER);
}
