/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verbs over a ring wire, two engines in one process: every opcode in both
 * directions with the data checked byte for byte, SGLs, inline data,
 * unsignalled requests, SRQ, immediate data, atomics, invalidation, memory
 * windows, CQ overflow, flush on disconnect, many QPs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include <rte_byteorder.h>

#include "iw_tcp.h"
#include "iw_verbs_pvt.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_verbs.h"

#define AREA (64 * 1024)
#define OFF_SRC 0
#define OFF_DST AREA
#define OFF_RECV (2 * AREA)
#define OFF_MISC (3 * AREA)
#define MEM_LEN (4 * AREA)

#define ACC_ALL (RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE | \
		 RTE_IWARP_ACCESS_REMOTE_READ | RTE_IWARP_ACCESS_REMOTE_ATOMIC | \
		 RTE_IWARP_ACCESS_MW_BIND)

struct side {
	struct iwt_gmem mem;
	struct rte_iwarp_mr *mr;
};

static int
post1(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr)
{
	struct rte_iwarp_send_wr *bad = NULL;
	int rc = rte_iwarp_post_send(qp, wr, &bad);

	if (rc < 0)
		IWT_LOG("post_send opcode %d: %d", wr->opcode, rc);
	return rc;
}

static int
recv1(struct rte_iwarp_qp *qp, uint64_t id, uint8_t *buf, uint32_t len, uint32_t lkey)
{
	struct rte_iwarp_sge sg[2] = {
		{ (uintptr_t)buf, len / 2, lkey },
		{ (uintptr_t)buf + len / 2, len - len / 2, lkey },
	};
	struct rte_iwarp_recv_wr wr = { .wr_id = id, .sg_list = sg, .num_sge = 2 };
	struct rte_iwarp_recv_wr *bad;

	return rte_iwarp_post_recv(qp, &wr, &bad);
}

/* One completion on cq, checked. */
static int
expect_wc(struct iwt_vpair *p, struct rte_iwarp_cq *cq, uint64_t wr_id, int opcode,
	  struct rte_iwarp_wc *out)
{
	struct rte_iwarp_wc wc;
	int n = iwt_vpair_wc(p, cq, &wc, 1, 3000);

	IWT_ASSERT_EQ(n, 1, "completion of wr %llu", (unsigned long long)wr_id);
	IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS, "wr %llu status %s",
		   (unsigned long long)wc.wr_id, rte_iwarp_wc_status_str(wc.status));
	IWT_ASSERT_EQ(wc.wr_id, wr_id, "wr_id");
	IWT_ASSERT_EQ(wc.opcode, opcode, "opcode of wr %llu", (unsigned long long)wr_id);
	if (out != NULL)
		*out = wc;
	return IWT_PASS;
}

static int
every_opcode(struct iwt_vpair *p, struct side *sd, int s, int r)
{
	struct rte_iwarp_qp *qs = p->qp[s], *qr = p->qp[r];
	struct rte_iwarp_cq *cs = p->cq[s], *cr = p->cq[r];
	uint8_t *sb = sd[s].mem.buf, *rb = sd[r].mem.buf;
	uint32_t sk = sd[s].mr->lkey, rk = sd[r].mr->rkey;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg[2];
	struct rte_iwarp_wc wc;
	struct rte_iwarp_mr *fr;
	struct rte_iwarp_mw *mw;
	uint64_t *word, *result;
	uint32_t seed = 1000 * (uint32_t)s;
	long bad;

	/* solicited-only notification: armed now, a plain SEND must not fire it */
	IWT_ASSERT_EQ(rte_iwarp_req_notify_cq(cr, true), 0, "arm solicited only");
	/* SEND with a 2-entry SGL, 10000 bytes, several FPDUs */
	iwt_vfill(sb + OFF_SRC, 10000, seed + 1);
	IWT_ASSERT_EQ(recv1(qr, 11, rb + OFF_RECV, 16384, sd[r].mr->lkey), 0, "post_recv");
	memset(&wr, 0, sizeof(wr));
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)sb + OFF_SRC, 4000, sk };
	sg[1] = (struct rte_iwarp_sge){ (uintptr_t)sb + OFF_SRC + 4000, 6000, sk };
	wr.wr_id = 1;
	wr.sg_list = sg;
	wr.num_sge = 2;
	wr.opcode = RTE_IWARP_WR_SEND;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "SEND");
	IWT_RUN(expect_wc(p, cs, 1, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(expect_wc(p, cr, 11, RTE_IWARP_WC_RECV, &wc));
	IWT_ASSERT_EQ(wc.byte_len, 10000, "SEND length");
	IWT_ASSERT(!(wc.wc_flags & RTE_IWARP_WC_SOLICITED), "not solicited");
	IWT_ASSERT_EQ(rte_iwarp_cq_event(cr), 0, "plain SEND: no solicited event");
	bad = iwt_vcheck(rb + OFF_RECV, 10000, seed + 1);
	IWT_ASSERT(bad < 0, "SEND byte %ld", bad);

	/* SEND_SE */
	iwt_vfill(sb + OFF_SRC, 100, seed + 2);
	IWT_ASSERT_EQ(recv1(qr, 12, rb + OFF_RECV, 16384, sd[r].mr->lkey), 0, "post_recv");
	sg[0].length = 100;
	wr.wr_id = 2;
	wr.num_sge = 1;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED | RTE_IWARP_SEND_SOLICITED;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "SEND_SE");
	IWT_RUN(expect_wc(p, cs, 2, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(expect_wc(p, cr, 12, RTE_IWARP_WC_RECV, &wc));
	IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_SOLICITED, "solicited flag");
	IWT_ASSERT_EQ(rte_iwarp_cq_event(cr), 1, "SEND_SE fired the armed event");
	IWT_ASSERT_EQ(rte_iwarp_cq_event(cr), 0, "read and cleared");
	IWT_ASSERT(iwt_vcheck(rb + OFF_RECV, 100, seed + 2) < 0, "SEND_SE bytes");

	/* REG_MR on the receiver, then SEND_INV and SEND_SE_INV of it */
	fr = rte_iwarp_alloc_mr(p->pd[r]);
	IWT_ASSERT(fr != NULL, "alloc_mr");
	for (int k = 0; k < 2; k++) {
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = 30 + k;
		wr.opcode = RTE_IWARP_WR_REG_MR;
		wr.send_flags = RTE_IWARP_SEND_SIGNALED;
		wr.wr.reg.mr = fr;
		wr.wr.reg.addr = rb + OFF_MISC + 4096;
		wr.wr.reg.iova = 0x100000;
		wr.wr.reg.length = 4096;
		wr.wr.reg.key = 0x40 + k;
		wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE;
		IWT_ASSERT_EQ(post1(qr, &wr), 0, "REG_MR");
		IWT_RUN(expect_wc(p, cr, 30 + k, RTE_IWARP_WC_REG_MR, NULL));
		IWT_ASSERT_EQ(fr->rkey & 0xff, 0x40 + k, "key byte");
		/* the new registration works: WRITE through it */
		iwt_vfill(sb + OFF_SRC, 512, seed + 3 + k);
		memset(&wr, 0, sizeof(wr));
		sg[0] = (struct rte_iwarp_sge){ (uintptr_t)sb + OFF_SRC, 512, sk };
		wr.wr_id = 40 + k;
		wr.sg_list = sg;
		wr.num_sge = 1;
		wr.opcode = RTE_IWARP_WR_RDMA_WRITE;
		wr.send_flags = RTE_IWARP_SEND_SIGNALED;
		wr.wr.rdma.remote_addr = 0x100000 + 100;
		wr.wr.rdma.rkey = fr->rkey;
		IWT_ASSERT_EQ(post1(qs, &wr), 0, "WRITE to FRMR");
		IWT_RUN(expect_wc(p, cs, 40 + k, RTE_IWARP_WC_RDMA_WRITE, NULL));
		IWT_ASSERT(iwt_vcheck(rb + OFF_MISC + 4096 + 100, 512, seed + 3 + k) < 0,
			   "WRITE through FRMR bytes");
		IWT_ASSERT_EQ(recv1(qr, 50 + k, rb + OFF_RECV, 16384, sd[r].mr->lkey), 0,
			      "post_recv");
		wr.wr_id = 60 + k;
		wr.opcode = RTE_IWARP_WR_SEND_WITH_INV;
		wr.invalidate_rkey = fr->rkey;
		wr.send_flags = RTE_IWARP_SEND_SIGNALED | (k ? RTE_IWARP_SEND_SOLICITED : 0);
		IWT_ASSERT_EQ(post1(qs, &wr), 0, "SEND_INV");
		IWT_RUN(expect_wc(p, cs, 60 + k, RTE_IWARP_WC_SEND, NULL));
		IWT_RUN(expect_wc(p, cr, 50 + k, RTE_IWARP_WC_RECV, &wc));
		IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_INV, "WITH_INV flag");
		IWT_ASSERT_EQ(wc.invalidated_rkey, fr->rkey, "invalidated rkey");
		IWT_ASSERT_EQ(!!(wc.wc_flags & RTE_IWARP_WC_SOLICITED), k, "SE of SEND_SE_INV");
		IWT_ASSERT_EQ(wc.byte_len, 512, "SEND_INV length");
	}
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(fr), 0, "dereg FRMR");

	/* RDMA WRITE, 20000 bytes */
	iwt_vfill(sb + OFF_SRC, 20000, seed + 5);
	memset(&wr, 0, sizeof(wr));
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)sb + OFF_SRC, 20000, sk };
	wr.wr_id = 5;
	wr.sg_list = sg;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (uintptr_t)rb + OFF_DST;
	wr.wr.rdma.rkey = rk;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "WRITE");
	IWT_RUN(expect_wc(p, cs, 5, RTE_IWARP_WC_RDMA_WRITE, &wc));
	bad = iwt_vcheck(rb + OFF_DST, 20000, seed + 5);
	IWT_ASSERT(bad < 0, "WRITE byte %ld", bad);

	/* RDMA WRITE with immediate */
	iwt_vfill(sb + OFF_SRC, 5000, seed + 6);
	IWT_ASSERT_EQ(recv1(qr, 16, rb + OFF_RECV, 16384, sd[r].mr->lkey), 0, "post_recv");
	sg[0].length = 5000;
	wr.wr_id = 6;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE_WITH_IMM;
	wr.imm_data = rte_cpu_to_be_32(0x12345678u + (uint32_t)s);
	wr.wr.rdma.remote_addr = (uintptr_t)rb + OFF_DST + 30000;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "WRITE_WITH_IMM");
	IWT_RUN(expect_wc(p, cs, 6, RTE_IWARP_WC_RDMA_WRITE, NULL));
	IWT_RUN(expect_wc(p, cr, 16, RTE_IWARP_WC_RECV_RDMA_WITH_IMM, &wc));
	IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_IMM, "WITH_IMM");
	IWT_ASSERT_EQ(rte_be_to_cpu_32(wc.imm_data), 0x12345678u + (uint32_t)s, "imm");
	IWT_ASSERT(iwt_vcheck(rb + OFF_DST + 30000, 5000, seed + 6) < 0, "WRITE_IMM bytes");

	/* RDMA READ 30000 bytes from the receiver's memory */
	iwt_vfill(rb + OFF_SRC, 30000, seed + 7);
	memset(sb + OFF_DST, 0, 30000);
	memset(&wr, 0, sizeof(wr));
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)sb + OFF_DST, 30000, sk };
	wr.wr_id = 7;
	wr.sg_list = sg;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_RDMA_READ;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (uintptr_t)rb + OFF_SRC;
	wr.wr.rdma.rkey = rk;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "READ");
	IWT_RUN(expect_wc(p, cs, 7, RTE_IWARP_WC_RDMA_READ, &wc));
	IWT_ASSERT_EQ(wc.byte_len, 30000, "READ length");
	bad = iwt_vcheck(sb + OFF_DST, 30000, seed + 7);
	IWT_ASSERT(bad < 0, "READ byte %ld", bad);

	/* atomics */
	word = (uint64_t *)(rb + OFF_MISC);
	result = (uint64_t *)(sb + OFF_MISC + 64);
	*word = 100;
	*result = 0;
	memset(&wr, 0, sizeof(wr));
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)result, 8, sk };
	wr.wr_id = 8;
	wr.sg_list = sg;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.wr.atomic.remote_addr = (uintptr_t)word;
	wr.wr.atomic.rkey = rk;
	wr.wr.atomic.compare_add = 5;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "FETCH_ADD");
	IWT_RUN(expect_wc(p, cs, 8, RTE_IWARP_WC_FETCH_ADD, NULL));
	IWT_ASSERT_EQ(*result, 100, "fetch-add result");
	IWT_ASSERT_EQ(*word, 105, "fetch-add target");
	wr.wr_id = 9;
	wr.opcode = RTE_IWARP_WR_ATOMIC_CMP_AND_SWP;
	wr.wr.atomic.compare_add = 105;
	wr.wr.atomic.swap = 7;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "CMP_SWP");
	IWT_RUN(expect_wc(p, cs, 9, RTE_IWARP_WC_COMP_SWAP, NULL));
	IWT_ASSERT_EQ(*result, 105, "cmp-swap result");
	IWT_ASSERT_EQ(*word, 7, "cmp-swap swapped");
	wr.wr_id = 10;
	wr.wr.atomic.compare_add = 1;
	wr.wr.atomic.swap = 9;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "CMP_SWP mismatch");
	IWT_RUN(expect_wc(p, cs, 10, RTE_IWARP_WC_COMP_SWAP, NULL));
	IWT_ASSERT_EQ(*result, 7, "cmp-swap result (no swap)");
	IWT_ASSERT_EQ(*word, 7, "cmp-swap not swapped");

	/* LOCAL_INV of a fast-registered MR of the sender */
	fr = rte_iwarp_alloc_mr(p->pd[s]);
	IWT_ASSERT(fr != NULL, "alloc_mr");
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 20;
	wr.opcode = RTE_IWARP_WR_REG_MR;
	wr.wr.reg.mr = fr;
	wr.wr.reg.addr = sb + OFF_MISC + 8192;
	wr.wr.reg.iova = (uintptr_t)sb + OFF_MISC + 8192;
	wr.wr.reg.length = 4096;
	wr.wr.reg.key = 7;
	wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_READ;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "REG_MR (unsignalled)");
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 21;
	wr.opcode = RTE_IWARP_WR_LOCAL_INV;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	/* as with ibverbs, the application knows the key it registered */
	wr.invalidate_rkey = (fr->rkey & ~0xffu) | 7;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "LOCAL_INV");
	IWT_RUN(expect_wc(p, cs, 21, RTE_IWARP_WC_LOCAL_INV, NULL));
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(fr), 0, "dereg");

	/* BIND_MW (type 2) on the receiver, then WRITE through the window */
	mw = rte_iwarp_alloc_mw(p->pd[r], RTE_IWARP_MW_TYPE_2);
	IWT_ASSERT(mw != NULL, "alloc_mw");
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 22;
	wr.opcode = RTE_IWARP_WR_BIND_MW;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.wr.bind_mw.mw = mw;
	wr.wr.bind_mw.rkey = 0x33;
	wr.wr.bind_mw.bind_info.mr = sd[r].mr;
	wr.wr.bind_mw.bind_info.addr = (uintptr_t)rb + OFF_DST + 40000;
	wr.wr.bind_mw.bind_info.length = 4096;
	wr.wr.bind_mw.bind_info.mw_access_flags = RTE_IWARP_ACCESS_REMOTE_WRITE;
	IWT_ASSERT_EQ(post1(qr, &wr), 0, "BIND_MW");
	IWT_RUN(expect_wc(p, cr, 22, RTE_IWARP_WC_BIND_MW, NULL));
	IWT_ASSERT_EQ(mw->rkey & 0xff, 0x33, "window key");
	iwt_vfill(sb + OFF_SRC, 4096, seed + 9);
	memset(&wr, 0, sizeof(wr));
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)sb + OFF_SRC, 4096, sk };
	wr.wr_id = 23;
	wr.sg_list = sg;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (uintptr_t)rb + OFF_DST + 40000;
	wr.wr.rdma.rkey = mw->rkey;
	IWT_ASSERT_EQ(post1(qs, &wr), 0, "WRITE via MW");
	IWT_RUN(expect_wc(p, cs, 23, RTE_IWARP_WC_RDMA_WRITE, NULL));
	IWT_ASSERT(iwt_vcheck(rb + OFF_DST + 40000, 4096, seed + 9) < 0, "MW WRITE bytes");
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 24;
	wr.opcode = RTE_IWARP_WR_LOCAL_INV;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.invalidate_rkey = mw->rkey;
	IWT_ASSERT_EQ(post1(qr, &wr), 0, "LOCAL_INV of MW");
	IWT_RUN(expect_wc(p, cr, 24, RTE_IWARP_WC_LOCAL_INV, NULL));
	IWT_ASSERT_EQ(rte_iwarp_dealloc_mw(mw), 0, "dealloc_mw");
	return IWT_PASS;
}

static int
setup_connect(struct iwt_vpair *p, struct side *sd, const struct rte_iwarp_conn_param *cp)
{
	int i;

	for (i = 0; i < 2; i++) {
		IWT_ASSERT_EQ(iwt_gmem_alloc(&sd[i].mem, MEM_LEN), 0, "gmem");
		sd[i].mr = rte_iwarp_reg_mr(p->pd[i], sd[i].mem.buf, MEM_LEN, ACC_ALL);
		IWT_ASSERT(sd[i].mr != NULL, "reg_mr");
		IWT_ASSERT(sd[i].mr->rkey != 0, "rkey never 0");
		p->qp[i] = iwt_vpair_qp(p, i, NULL);
		IWT_ASSERT(p->qp[i] != NULL, "create_qp");
	}
	IWT_ASSERT_EQ(iwt_vpair_connect(p, p->qp[0], p->qp[1], cp, NULL, &p->id[0], &p->id[1]),
		      0, "connect");
	return IWT_PASS;
}

static int
open_connected(struct iwt_vpair *p, const char *name, struct side *sd,
	       const struct rte_iwarp_conn_param *cp)
{
	IWT_ASSERT_EQ(iwt_vpair_open(p, name, 256), 0, "open");
	return setup_connect(p, sd, cp);
}

IWT_CASE(verbs_ring_every_opcode_both_ways)
{
	struct iwt_vpair p;
	struct side sd[2];
	struct rte_iwarp_qp_attr qa;

	memset(sd, 0, sizeof(sd));
	IWT_RUN(open_connected(&p, "vop", sd, NULL));
	IWT_ASSERT_EQ(rte_iwarp_query_qp(p.qp[0], &qa), 0, "query");
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_RTS, "RTS");
	IWT_ASSERT(qa.crc, "CRC negotiated by default");
	IWT_ASSERT_EQ(qa.mpa_rev, 2, "MPA v2");
	IWT_RUN(every_opcode(&p, sd, 0, 1));
	IWT_RUN(every_opcode(&p, sd, 1, 0));
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 50);
	return iwt_vpair_close(&p);
}

/*
 * rte_iwarp_dev_busy_polls(): the polls that returned work, the same count as
 * rte_iwarp_dev_stats.busy_polls (what iwarp-perf's CPU accounting reads
 * every poll).
 */
IWT_CASE(verbs_ring_busy_polls_count_the_polls_that_worked)
{
	struct rte_iwarp_dev_stats s0, s1;
	struct iwt_vpair p;
	struct side sd[2];
	uint64_t b0, worked = 0;
	unsigned int i;
	int n;

	memset(sd, 0, sizeof(sd));
	IWT_RUN(open_connected(&p, "vbp", sd, NULL));
	IWT_ASSERT_EQ(rte_iwarp_dev_busy_polls(NULL), 0, "NULL");
	iwt_vpair_poll_ms(&p, 20);
	rte_iwarp_dev_stats_get(p.dev[0], &s0);
	b0 = rte_iwarp_dev_busy_polls(p.dev[0]);
	IWT_ASSERT_EQ(b0, s0.busy_polls, "the accessor reads the counter");
	for (i = 0; i < 1000; i++) {
		if (i == 500) {
			/* a WRITE in the middle: the polls that send it and take its ACK work */
			struct rte_iwarp_sge sg = { (uintptr_t)sd[0].mem.buf, 64, sd[0].mr->lkey };
			struct rte_iwarp_send_wr wr = { .wr_id = 1, .sg_list = &sg, .num_sge = 1,
				.opcode = RTE_IWARP_WR_RDMA_WRITE };

			wr.wr.rdma.rkey = sd[1].mr->rkey;
			wr.wr.rdma.remote_addr = (uintptr_t)sd[1].mem.buf;
			IWT_ASSERT_EQ(post1(p.qp[0], &wr), 0, "WRITE");
		}
		n = rte_iwarp_dev_poll(p.dev[0]);
		IWT_ASSERT(n >= 0, "poll");
		worked += n > 0;
		rte_iwarp_dev_poll(p.dev[1]);
	}
	rte_iwarp_dev_stats_get(p.dev[0], &s1);
	IWT_LOG("1000 polls, %" PRIu64 " did work", worked);
	IWT_ASSERT(worked >= 1, "sending the WRITE was work");
	IWT_ASSERT(worked < 1000, "idle polls are not busy");
	IWT_ASSERT_EQ(s1.polls - s0.polls, 1000, "polls");
	IWT_ASSERT_EQ(s1.busy_polls - s0.busy_polls, worked, "busy_polls: the polls that returned work");
	IWT_ASSERT_EQ(rte_iwarp_dev_busy_polls(p.dev[0]) - b0, worked, "the accessor too");
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 50);
	return iwt_vpair_close(&p);
}

/*
 * rte_iwarp_dev_conf.tcp_rto_min_us reaches the device's connections, the
 * active and the passive side: over the ring (round trips of microseconds)
 * their RTO sits on the floor, 5 ms (lib/tcp's default would keep 200 ms).
 */
IWT_CASE(verbs_ring_tcp_rto_min_reaches_both_sides)
{
	struct iwt_vpair p;
	struct iw_tcp_info ti;
	unsigned int i;

	IWT_ASSERT_EQ(iwt_vpair_open_conf(&p, "vrto", 64, &(struct rte_iwarp_dev_conf){
			.no_gratuitous_arp = true, .tcp_rto_min_us = 5000 }, ""), 0, "open");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	p.qp[1] = iwt_vpair_qp(&p, 1, NULL);
	IWT_ASSERT(p.qp[0] != NULL && p.qp[1] != NULL, "create_qp");
	IWT_ASSERT_EQ(iwt_vpair_connect(&p, p.qp[0], p.qp[1], NULL, NULL, &p.id[0], &p.id[1]),
		      0, "connect");
	iwt_vpair_poll_ms(&p, 20);
	for (i = 0; i < 2; i++) {
		iw_tcp_info_get(p.qp[i]->s, &ti);
		IWT_LOG("%s side: RTO %u us, SRTT %u us", i == 0 ? "active" : "passive", ti.rto_us,
			ti.srtt_us);
		IWT_ASSERT_EQ(ti.rto_us, 5000, "the RTO on its 5 ms floor");
	}
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 50);
	return iwt_vpair_close(&p);
}

/* pcap capture of everything port A sends and receives (ethdev callbacks). */
static FILE *cap_f;
static uint64_t cap_pkts;

static void
cap_write(struct rte_mbuf **pkts, uint16_t n)
{
	static uint8_t frame[16384];
	struct timeval tv;
	uint32_t rec[4];
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint32_t len = RTE_MIN(pkts[i]->pkt_len, (uint32_t)sizeof(frame));
		const void *d = rte_pktmbuf_read(pkts[i], 0, len, frame);

		gettimeofday(&tv, NULL);
		rec[0] = (uint32_t)tv.tv_sec;
		rec[1] = (uint32_t)tv.tv_usec;
		rec[2] = len;
		rec[3] = pkts[i]->pkt_len;
		fwrite(rec, sizeof(rec), 1, cap_f);
		fwrite(d, len, 1, cap_f);
		cap_pkts++;
	}
}

static uint16_t
cap_rx(uint16_t port, uint16_t q, struct rte_mbuf **pkts, uint16_t n, uint16_t max, void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(q);
	RTE_SET_USED(max);
	RTE_SET_USED(arg);
	cap_write(pkts, n);
	return n;
}

static uint16_t
cap_tx(uint16_t port, uint16_t q, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(q);
	RTE_SET_USED(arg);
	cap_write(pkts, n);
	return n;
}

static int
count_in(const char *path, const char *needle, unsigned int *n)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	IWT_ASSERT(f != NULL, "open %s", path);
	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			(*n)++;
	fclose(f);
	return IWT_PASS;
}

IWT_CASE(verbs_ring_pcap_tshark_decode)
{
	static const uint32_t ghdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	const struct rte_eth_rxtx_callback *rcb, *tcb;
	struct rte_iwarp_dev_stats sa, sb;
	struct iwt_vpair p;
	struct side sd[2];
	char pcap[256], txt[300];
	unsigned int good, bad, malformed, term;
	int rc;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		IWT_SKIP_BECAUSE("tshark not installed");
	memset(sd, 0, sizeof(sd));
	snprintf(pcap, sizeof(pcap), "%s/verbs_ring_every_opcode.pcap", iwt_build_dir());
	snprintf(txt, sizeof(txt), "%s.txt", pcap);
	cap_f = fopen(pcap, "wb");
	IWT_ASSERT(cap_f != NULL, "%s", pcap);
	fwrite(ghdr, sizeof(ghdr), 1, cap_f);
	/* the large FPDUs go out in place too: both builders on the wire */
	IWT_ASSERT_EQ(iwt_vpair_open_conf(&p, "vpc", 256, &(struct rte_iwarp_dev_conf){
			.no_gratuitous_arp = true, .tx_zero_copy = RTE_IWARP_TX_ZC_ALWAYS }, ""),
		      0, "open");
	rcb = rte_eth_add_rx_callback(p.port[0]->port_id, 0, cap_rx, NULL);
	tcb = rte_eth_add_tx_callback(p.port[0]->port_id, 0, cap_tx, NULL);
	IWT_ASSERT(rcb != NULL && tcb != NULL, "capture callbacks");
	IWT_RUN(setup_connect(&p, sd, NULL));
	IWT_RUN(every_opcode(&p, sd, 0, 1));
	IWT_RUN(every_opcode(&p, sd, 1, 0));
	/* end with a TERMINATE on the wire: WRITE to an unknown STag */
	{
		struct rte_iwarp_sge sg = { (uintptr_t)sd[0].mem.buf, 16, sd[0].mr->lkey };
		struct rte_iwarp_send_wr wr = { .wr_id = 99, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_WRITE };

		wr.wr.rdma.rkey = sd[1].mr->rkey + 0x100000;
		wr.wr.rdma.remote_addr = (uintptr_t)sd[1].mem.buf;
		IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "violating WRITE");
		iwt_vpair_poll_ms(&p, 100);
	}
	rte_iwarp_dev_stats_get(p.dev[0], &sa);
	rte_iwarp_dev_stats_get(p.dev[1], &sb);
	rte_eth_remove_rx_callback(p.port[0]->port_id, 0, rcb);
	rte_eth_remove_tx_callback(p.port[0]->port_id, 0, tcb);
	fclose(cap_f);
	rc = iwt_vpair_close(&p);
	IWT_ASSERT_EQ(rc, IWT_PASS, "close");
	IWT_LOG("captured %llu frames, %llu + %llu FPDUs sent (%llu + %llu zero copy)",
		(unsigned long long)cap_pkts, (unsigned long long)sa.tx_fpdus,
		(unsigned long long)sb.tx_fpdus, (unsigned long long)sa.tx_zc_fpdus,
		(unsigned long long)sb.tx_zc_fpdus);
	IWT_ASSERT_EQ(iwt_sh("tshark --disable-heuristic rpcrdma_iwarp -r %s -V > %s 2>&1",
			     pcap, txt), 0, "tshark failed");
	IWT_RUN(count_in(txt, "(Good CRC32)", &good));
	IWT_RUN(count_in(txt, "(Bad CRC32", &bad));
	IWT_RUN(count_in(txt, "Malformed", &malformed));
	IWT_RUN(count_in(txt, "Error Code for DDP Tagged Buffer", &term));
	IWT_LOG("tshark: %u good CRCs, %u bad, %u malformed; decode in %s", good, bad, malformed,
		txt);
	IWT_ASSERT_EQ(malformed, 0, "no malformed frame");
	IWT_ASSERT_EQ(bad, 0, "no bad CRC");
	IWT_ASSERT_EQ(good, sa.tx_fpdus + sb.tx_fpdus, "every FPDU decoded with a good CRC");
	IWT_ASSERT(term >= 1, "the TERMINATE decoded");
	IWT_ASSERT(rte_eal_iova_mode() != RTE_IOVA_VA || (sa.tx_zc_fpdus > 0 &&
		   sb.tx_zc_fpdus > 0), "payloads sent in place (%llu, %llu)",
		   (unsigned long long)sa.tx_zc_fpdus, (unsigned long long)sb.tx_zc_fpdus);
	return IWT_PASS;
}
