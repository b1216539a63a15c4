/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two processes on two cores over net_memif, each an engine with its own EAL:
 * every opcode in both directions with the data checked byte for byte on
 * the receiving side, in both driving modes. The peers learn each other's
 * buffers, rkeys and the fast-register STag to invalidate from the CM
 * private data.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "iwt.h"
#include "iwt_memif.h"
#include "iwt_verbs.h"

#define SRC 0
#define DST (64 * 1024)
#define RCV (128 * 1024)
#define WORD (192 * 1024)
#define FRMR_AREA (200 * 1024)
#define BIG 20000

/* this process's side (each side is a process of its own) */
static struct rte_iwarp_cq *rcq;	/* receives */
static struct rte_iwarp_mr *fr;		/* the FRMR the peer invalidates */
static struct rte_iwarp_mr *f2;		/* registered and invalidated locally */

static uint32_t
seed_of(int role)
{
	return 10 + (uint32_t)role;
}

static int
post(struct iwt_mside *s, struct rte_iwarp_send_wr *wr)
{
	return iwt_post_send1(s->qp, wr);
}

static int
every_setup(struct iwt_mside *s)
{
	struct rte_iwarp_qp_init_attr qa = { .send_cq = s->cq };

	iwt_vfill(s->mem + SRC, 2 * BIG, seed_of(s->role));
	*(uint64_t *)(s->mem + WORD) = 100;
	rcq = rte_iwarp_create_cq(s->dev, 256, NULL);
	fr = rte_iwarp_alloc_mr(s->pd);
	f2 = rte_iwarp_alloc_mr(s->pd);
	IWT_ASSERT(rcq && fr && f2, "%s: CQ, FRMRs", s->who);
	qa.recv_cq = rcq;
	s->qp = rte_iwarp_create_qp(s->pd, &qa);
	IWT_ASSERT(s->qp != NULL, "%s: QP", s->who);
	s->me.key[0] = (fr->rkey & ~0xffu) | 0x5a;
	return IWT_PASS;
}

static int
every_prepost(struct iwt_mside *s)
{
	struct rte_iwarp_send_wr wr;
	int i;

	/* fast-register the FRMR the peer invalidates (runs once connected) */
	wr = (struct rte_iwarp_send_wr){ .wr_id = 50, .opcode = RTE_IWARP_WR_REG_MR };
	wr.wr.reg.mr = fr;
	wr.wr.reg.addr = s->mem + FRMR_AREA;
	wr.wr.reg.iova = 0x10000;
	wr.wr.reg.length = 4096;
	wr.wr.reg.key = 0x5a;
	wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE;
	IWT_ASSERT_EQ(post(s, &wr), 0, "REG_MR");
	for (i = 0; i < 4; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 100 + i, s->mem + RCV + 8192 * i, 8192,
					     s->mr->lkey), 0, "recv");
	return IWT_PASS;
}

/* Every opcode towards the peer. */
static int
every_send(struct iwt_mside *s)
{
	uint64_t pb = s->peer.base, *res = (uint64_t *)(s->mem + WORD + 64);
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg;
	int i;

	/* SEND and SEND_SE, several FPDUs */
	for (i = 0; i < 2; i++) {
		sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + SRC, 5000, s->mr->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = 1 + i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED |
			(i ? RTE_IWARP_SEND_SOLICITED : 0) };
		IWT_ASSERT_EQ(post(s, &wr), 0, "SEND");
		IWT_RUN(iwt_mwc_expect(s, s->cq, 1 + i, RTE_IWARP_WC_SEND, NULL));
	}
	/* RDMA WRITE and WRITE with immediate into the peer's DST */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + SRC, BIG, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = pb + DST;
	wr.wr.rdma.rkey = s->peer.rkey;
	IWT_ASSERT_EQ(post(s, &wr), 0, "WRITE");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 3, RTE_IWARP_WC_RDMA_WRITE, NULL));
	sg.addr += BIG;
	sg.length = 1000;
	wr.wr_id = 4;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE_WITH_IMM;
	wr.imm_data = rte_cpu_to_be_32(0xab00 + s->role);
	wr.wr.rdma.remote_addr = pb + DST + BIG;
	IWT_ASSERT_EQ(post(s, &wr), 0, "WRITE_WITH_IMM");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 4, RTE_IWARP_WC_RDMA_WRITE, NULL));
	/* RDMA READ of the peer's SRC, checked here */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + DST + 32768, BIG, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 5, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = pb + SRC;
	wr.wr.rdma.rkey = s->peer.rkey;
	IWT_ASSERT_EQ(post(s, &wr), 0, "READ");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 5, RTE_IWARP_WC_RDMA_READ, NULL));
	IWT_ASSERT(iwt_vcheck(s->mem + DST + 32768, BIG, seed_of(s->role ^ 1)) < 0,
		   "%s: READ bytes", s->who);
	/* atomics on the peer's word (100 there) */
	sg = (struct rte_iwarp_sge){ (uintptr_t)res, 8, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 6, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD,
		.send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.atomic.remote_addr = pb + WORD;
	wr.wr.atomic.rkey = s->peer.rkey;
	wr.wr.atomic.compare_add = 5;
	IWT_ASSERT_EQ(post(s, &wr), 0, "FETCH_ADD");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 6, RTE_IWARP_WC_FETCH_ADD, NULL));
	IWT_ASSERT_EQ(*res, 100, "%s: fetch-add result", s->who);
	wr.wr_id = 7;
	wr.opcode = RTE_IWARP_WR_ATOMIC_CMP_AND_SWP;
	wr.wr.atomic.compare_add = 105;
	wr.wr.atomic.swap = 7;
	IWT_ASSERT_EQ(post(s, &wr), 0, "CMP_SWP");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 7, RTE_IWARP_WC_COMP_SWAP, NULL));
	IWT_ASSERT_EQ(*res, 105, "%s: cmp-swap result", s->who);
	/* local operations: REG_MR + LOCAL_INV of a second FRMR */
	wr = (struct rte_iwarp_send_wr){ .wr_id = 8, .opcode = RTE_IWARP_WR_REG_MR,
		.send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.reg.mr = f2;
	wr.wr.reg.addr = s->mem + FRMR_AREA + 4096;
	wr.wr.reg.iova = 0x5000;
	wr.wr.reg.length = 4096;
	wr.wr.reg.key = 0x99;
	wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE;
	IWT_ASSERT_EQ(post(s, &wr), 0, "REG_MR");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 8, RTE_IWARP_WC_REG_MR, NULL));
	wr = (struct rte_iwarp_send_wr){ .wr_id = 9, .opcode = RTE_IWARP_WR_LOCAL_INV,
		.send_flags = RTE_IWARP_SEND_SIGNALED,
		.invalidate_rkey = (f2->rkey & ~0xffu) | 0x99 };
	IWT_ASSERT_EQ(post(s, &wr), 0, "LOCAL_INV");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 9, RTE_IWARP_WC_LOCAL_INV, NULL));
	/* the last message: SEND with Invalidate of the peer's FRMR */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + SRC, 100, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 10, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND_WITH_INV, .send_flags = RTE_IWARP_SEND_SIGNALED,
		.invalidate_rkey = s->peer.key[0] };
	IWT_ASSERT_EQ(post(s, &wr), 0, "SEND_INV");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 10, RTE_IWARP_WC_SEND, NULL));
	return IWT_PASS;
}

/* What the peer did here: 4 receives (SEND, SEND_SE, IMM, SEND_INV), WRITEs, atomics. */
static int
every_check(struct iwt_mside *s)
{
	uint32_t ps = seed_of(s->role ^ 1);
	struct rte_iwarp_wc wc;
	static uint8_t expect[2 * BIG];
	int i;

	for (i = 0; i < 4; i++) {
		IWT_ASSERT_EQ(iwt_mwc(s, rcq, &wc, 1, 10000), 1, "%s: recv %d", s->who, i);
		IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS, "%s: recv %d: %s", s->who, i,
			   rte_iwarp_wc_status_str(wc.status));
		IWT_ASSERT_EQ(wc.wr_id, 100 + i, "recv order");
		if (i < 2) {
			IWT_ASSERT_EQ(wc.byte_len, 5000, "SEND length");
			IWT_ASSERT(iwt_vcheck(s->mem + RCV + 8192 * i, 5000, ps) < 0, "SEND bytes");
			IWT_ASSERT_EQ(!!(wc.wc_flags & RTE_IWARP_WC_SOLICITED), i, "SE flag");
		} else if (i == 2) {
			IWT_ASSERT_EQ(wc.opcode, RTE_IWARP_WC_RECV_RDMA_WITH_IMM, "IMM");
			IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_IMM, "WITH_IMM flag");
			IWT_ASSERT_EQ(rte_be_to_cpu_32(wc.imm_data), 0xab00u + (s->role ^ 1),
				      "imm");
		} else {
			IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_INV, "WITH_INV");
			IWT_ASSERT_EQ(wc.invalidated_rkey, s->me.key[0], "invalidated rkey");
		}
	}
	IWT_ASSERT(iwt_vcheck(s->mem + DST, BIG, ps) < 0, "%s: WRITE bytes", s->who);
	iwt_vfill(expect, 2 * BIG, ps);
	IWT_ASSERT(memcmp(s->mem + DST + BIG, expect + BIG, 1000) == 0,
		   "%s: WRITE_WITH_IMM bytes", s->who);
	IWT_ASSERT_EQ(*(uint64_t *)(s->mem + WORD), 7, "%s: the peer's atomics on our word",
		      s->who);
	return IWT_PASS;
}

static int
every_server(struct iwt_mside *s)
{
	struct rte_iwarp_cm_event ev;

	IWT_RUN(every_send(s));
	IWT_RUN(every_check(s));
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 10000), 0,
		      "server: DISCONNECTED");
	return IWT_PASS;
}

static int
every_client(struct iwt_mside *s)
{
	struct rte_iwarp_cm_event ev;

	IWT_RUN(every_send(s));
	IWT_RUN(every_check(s));
	IWT_ASSERT_EQ(iwt_mdisconnect(s, s->id), 0, "client: disconnect");
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 10000), 0,
		      "client: DISCONNECTED");
	return IWT_PASS;
}

#define EVERY_CASE(mode_) { \
	.name = "every opcode", .mode = (mode_), .mem_len = 256 * 1024, .timeout_s = 45, \
	.setup = every_setup, .prepost = every_prepost, \
	.server = every_server, .client = every_client, \
}

IWT_CASE(verbs_memif_every_opcode_two_processes)
{
	static const struct iwt_mcase c = EVERY_CASE(RTE_IWARP_MODE_INLINE);

	return iwt_memif_run(&c);
}

IWT_CASE(verbs_memif_service_mode_every_opcode)
{
	static const struct iwt_mcase c = EVERY_CASE(RTE_IWARP_MODE_SERVICE);

	return iwt_memif_run(&c);
}
