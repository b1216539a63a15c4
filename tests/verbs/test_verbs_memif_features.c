/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verbs features between two processes over net_memif (tests/verbs/iwt_memif.h):
 * scatter/gather lists, inline data, unsignalled requests and immediate data
 * (both ways, in both driving modes), a shared receive queue under several
 * QPs, atomics with their results and the target memory checked, memory
 * windows with remote and local invalidation, CQ overflow, flush on
 * disconnect. The receiving side checks the data byte for byte; the control
 * channel says when ("check now").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "iwt.h"
#include "iwt_memif.h"
#include "iwt_verbs.h"

#define T_SENT IWT_MTAG('S', 'E', 'N', 'T')
#define T_POST IWT_MTAG('P', 'O', 'S', 'T')
#define T_CHCK IWT_MTAG('C', 'H', 'C', 'K')
#define T_WIND IWT_MTAG('W', 'I', 'N', 'D')
#define T_INVD IWT_MTAG('I', 'N', 'V', 'D')
#define T_TERM IWT_MTAG('T', 'E', 'R', 'M')

#define PAT_LEN (64 * 1024)

/* The bytes a sender of role r holds at offset off of its pattern area. */
static const uint8_t *
pattern(int role, uint32_t salt)
{
	static uint8_t buf[PAT_LEN];
	static uint32_t seed = UINT32_MAX;

	if (seed != 1000u * (uint32_t)role + salt) {
		seed = 1000u * (uint32_t)role + salt;
		iwt_vfill(buf, PAT_LEN, seed);
	}
	return buf;
}

/* ------------------------------------------------------------------------- */
/* SGLs, inline, unsignalled, immediate data                                 */
/* ------------------------------------------------------------------------- */

#define S_SRC 0             /* the sender's pattern (salt 1) */
#define S_INL 70000         /* the inline SEND's bytes */
#define S_RSGL 100000       /* receive of the SGL SEND: 3 SGEs */
#define S_RINL 400000       /* receive of the inline SEND */
#define S_RIMM 410000       /* receive consumed by WRITE_WITH_IMM */
#define S_WDST 500000       /* 2 x 101 WRITEs of 100 bytes, 1000 apart */
#define S_WSGL 720000       /* WRITE gathered from 3 SGEs */
#define S_WIMM 740000       /* WRITE_WITH_IMM gathered from 2 SGEs */
#define S_NW 101
#define S_INL_LEN 256

/* the SEND's gather list (offsets in the sender's pattern) and the receive's scatter list */
static const uint32_t sgl_off[4] = { 0, 100, 5000, 20000 };
static const uint32_t sgl_len[4] = { 1, 2999, 5000, 1000 };
static const uint32_t rsg_off[3] = { 0, 100000, 200000 };
static const uint32_t rsg_len[3] = { 7, 4093, 8000 };
/* WRITE gathers */
static const uint32_t wsg_off[3] = { 30000, 31111, 40000 };
static const uint32_t wsg_len[3] = { 1500, 3000, 1501 };
static const uint32_t isg_off[2] = { 50000, 52000 };
static const uint32_t isg_len[2] = { 1000, 2333 };

static int
sgl_prepost(struct iwt_mside *s)
{
	struct rte_iwarp_sge rsg[3];
	struct rte_iwarp_recv_wr rw, *bad;
	int i;

	iwt_vfill(s->mem + S_SRC, PAT_LEN, 1000u * (uint32_t)s->role + 1);
	for (i = 0; i < 3; i++)
		rsg[i] = (struct rte_iwarp_sge){ (uintptr_t)s->mem + S_RSGL + rsg_off[i],
						 rsg_len[i], s->mr->lkey };
	rw = (struct rte_iwarp_recv_wr){ .wr_id = 7, .sg_list = rsg, .num_sge = 3 };
	IWT_ASSERT_EQ(rte_iwarp_post_recv(s->qp, &rw, &bad), 0, "%s: recv of 3 SGEs", s->who);
	IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 8, s->mem + S_RINL, 4096, s->mr->lkey), 0, "recv");
	IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 9, s->mem + S_RIMM, 64, s->mr->lkey), 0, "recv");
	return IWT_PASS;
}

static struct rte_iwarp_sge
src_sge(struct iwt_mside *s, uint32_t off, uint32_t len)
{
	return (struct rte_iwarp_sge){ (uintptr_t)s->mem + S_SRC + off, len, s->mr->lkey };
}

/* A post list of S_NW WRITEs, odd ones inline, only the last signalled. */
static int
sgl_write_list(struct iwt_mside *s, int base)
{
	static struct rte_iwarp_send_wr wr[S_NW];
	static struct rte_iwarp_sge sg[S_NW];
	struct rte_iwarp_send_wr *bad;
	struct rte_iwarp_wc wc[2];
	int i, k;

	for (i = 0; i < S_NW; i++) {
		k = base + i;
		sg[i] = src_sge(s, 300u * (uint32_t)k, 100);
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 1000 + k, .sg_list = &sg[i],
			.num_sge = 1, .opcode = RTE_IWARP_WR_RDMA_WRITE,
			.send_flags = i % 2 ? RTE_IWARP_SEND_INLINE : 0,
			.next = i + 1 < S_NW ? &wr[i + 1] : NULL };
		wr[i].wr.rdma.rkey = s->peer.rkey;
		wr[i].wr.rdma.remote_addr = s->peer.base + S_WDST + 1000u * (uint32_t)k;
	}
	wr[S_NW - 1].send_flags |= RTE_IWARP_SEND_SIGNALED;
	IWT_ASSERT_EQ(rte_iwarp_post_send(s->qp, wr, &bad), 0,
		      "%s: %d WRITEs in one post list (the send queue holds 128)", s->who, S_NW);
	IWT_RUN(iwt_mwc_expect(s, s->cq, 1000 + base + S_NW - 1, RTE_IWARP_WC_RDMA_WRITE, wc));
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 1, 200), 0, "%s: no completion of unsignalled WRs",
		      s->who);
	return IWT_PASS;
}

static int
sgl_send(struct iwt_mside *s)
{
	struct rte_iwarp_send_wr wr, *bad;
	struct rte_iwarp_sge sg[4];
	int i;

	/* SEND gathered from 4 SGEs */
	for (i = 0; i < 4; i++)
		sg[i] = src_sge(s, sgl_off[i], sgl_len[i]);
	wr = (struct rte_iwarp_send_wr){ .wr_id = 1, .sg_list = sg, .num_sge = 4,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
	IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr), 0, "SEND of 4 SGEs");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 1, RTE_IWARP_WC_SEND, NULL));
	/* inline SEND from 2 SGEs without lkeys: the bytes are reused at once */
	memcpy(s->mem + S_INL, pattern(s->role, 2), S_INL_LEN);
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)s->mem + S_INL, 200, 0 };
	sg[1] = (struct rte_iwarp_sge){ (uintptr_t)s->mem + S_INL + 200, S_INL_LEN - 200, 0 };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 2, .sg_list = sg, .num_sge = 2,
		.opcode = RTE_IWARP_WR_SEND,
		.send_flags = RTE_IWARP_SEND_SIGNALED | RTE_IWARP_SEND_INLINE };
	IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr), 0, "inline SEND");
	memset(s->mem + S_INL, 0xee, S_INL_LEN);
	IWT_RUN(iwt_mwc_expect(s, s->cq, 2, RTE_IWARP_WC_SEND, NULL));
	/* over the inline cap: rejected, never completes */
	sg[0].length = 300;
	wr.num_sge = 1;
	IWT_ASSERT_EQ(rte_iwarp_post_send(s->qp, &wr, &bad), -EINVAL, "inline over the cap");
	IWT_ASSERT(bad == &wr, "bad_wr");
	/* WRITE gathered from 3 SGEs, WRITE_WITH_IMM from 2 */
	for (i = 0; i < 3; i++)
		sg[i] = src_sge(s, wsg_off[i], wsg_len[i]);
	wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = sg, .num_sge = 3,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.rkey = s->peer.rkey;
	wr.wr.rdma.remote_addr = s->peer.base + S_WSGL;
	IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr), 0, "WRITE of 3 SGEs");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 3, RTE_IWARP_WC_RDMA_WRITE, NULL));
	for (i = 0; i < 2; i++)
		sg[i] = src_sge(s, isg_off[i], isg_len[i]);
	wr.wr_id = 4;
	wr.num_sge = 2;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE_WITH_IMM;
	wr.imm_data = rte_cpu_to_be_32(0x1234500u + (uint32_t)s->role);
	wr.wr.rdma.remote_addr = s->peer.base + S_WIMM;
	IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr), 0, "WRITE_WITH_IMM of 2 SGEs");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 4, RTE_IWARP_WC_RDMA_WRITE, NULL));
	/*
	 * 2 x 101 WRITEs, 100 unsignalled each time: the second list fits in
	 * the 128-deep send queue only if the signalled completion freed the
	 * slots of the unsignalled ones before it.
	 */
	IWT_RUN(sgl_write_list(s, 0));
	IWT_RUN(sgl_write_list(s, S_NW));
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_SENT, NULL, 0), 0, "SENT");
	return IWT_PASS;
}

/* The gathered bytes of a sender's SGEs. */
static void
gather(uint8_t *out, int role, const uint32_t *off, const uint32_t *len, int n)
{
	const uint8_t *p = pattern(role, 1);
	int i;

	for (i = 0; i < n; i++) {
		memcpy(out, p + off[i], len[i]);
		out += len[i];
	}
}

static int
sgl_check(struct iwt_mside *s)
{
	static uint8_t expect[16384];
	struct rte_iwarp_wc wc;
	const uint8_t *e;
	int peer = s->role ^ 1, i;

	/* the SEND of 4 SGEs scattered into 3 */
	IWT_RUN(iwt_mwc_expect(s, s->cq, 7, RTE_IWARP_WC_RECV, &wc));
	IWT_ASSERT_EQ(wc.byte_len, 9000, "%s: SGL SEND length", s->who);
	gather(expect, peer, sgl_off, sgl_len, 4);
	for (i = 0, e = expect; i < 3; e += rsg_len[i], i++)
		IWT_ASSERT(memcmp(s->mem + S_RSGL + rsg_off[i], e, RTE_MIN(rsg_len[i],
			   (uint32_t)(expect + 9000 - e))) == 0, "%s: receive SGE %d", s->who, i);
	/* the inline SEND holds the bytes as they were at post time */
	IWT_RUN(iwt_mwc_expect(s, s->cq, 8, RTE_IWARP_WC_RECV, &wc));
	IWT_ASSERT_EQ(wc.byte_len, S_INL_LEN, "%s: inline length", s->who);
	IWT_ASSERT(memcmp(s->mem + S_RINL, pattern(peer, 2), S_INL_LEN) == 0,
		   "%s: inline bytes as posted", s->who);
	/* the immediate data */
	IWT_RUN(iwt_mwc_expect(s, s->cq, 9, RTE_IWARP_WC_RECV_RDMA_WITH_IMM, &wc));
	IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_IMM, "%s: WITH_IMM flag", s->who);
	IWT_ASSERT_EQ(rte_be_to_cpu_32(wc.imm_data), 0x1234500u + (uint32_t)peer,
		      "%s: immediate data", s->who);
	/* the WRITEs, once the sender has its completions */
	IWT_ASSERT(iwt_mctl_recv(s, T_SENT, NULL, 0, 10000) >= 0, "%s: SENT", s->who);
	gather(expect, peer, wsg_off, wsg_len, 3);
	IWT_ASSERT(memcmp(s->mem + S_WSGL, expect, 6001) == 0, "%s: WRITE of 3 SGEs", s->who);
	gather(expect, peer, isg_off, isg_len, 2);
	IWT_ASSERT(memcmp(s->mem + S_WIMM, expect, 3333) == 0, "%s: WRITE_WITH_IMM bytes",
		   s->who);
	for (i = 0; i < 2 * S_NW; i++) {
		IWT_ASSERT(memcmp(s->mem + S_WDST + 1000 * i, pattern(peer, 1) + 300 * i, 100) == 0,
			   "%s: WRITE %d of the post lists", s->who, i);
		IWT_ASSERT(s->mem[S_WDST + 1000 * i + 100] == 0, "%s: WRITE %d too long", s->who,
			   i);
	}
	return IWT_PASS;
}

static int
sgl_server(struct iwt_mside *s)
{
	IWT_RUN(sgl_check(s));
	return sgl_send(s);
}

static int
sgl_client(struct iwt_mside *s)
{
	IWT_RUN(sgl_send(s));
	return sgl_check(s);
}

#define SGL_CASE(mode_) { \
	.name = "SGL, inline, unsignalled, immediate", .mode = (mode_), .timeout_s = 45, \
	.cap = { .max_send_sge = 4, .max_recv_sge = 3, .max_inline_data = S_INL_LEN, \
		 .max_send_wr = 128 }, \
	.prepost = sgl_prepost, .server = sgl_server, .client = sgl_client, \
}

IWT_CASE(verbs_memif_sgl_inline_unsignalled_imm)
{
	static const struct iwt_mcase c = SGL_CASE(RTE_IWARP_MODE_INLINE);

	return iwt_memif_run(&c);
}

IWT_CASE(verbs_memif_service_mode_sgl_inline_unsignalled_imm)
{
	static const struct iwt_mcase c = SGL_CASE(RTE_IWARP_MODE_SERVICE);

	return iwt_memif_run(&c);
}

/* ------------------------------------------------------------------------- */
/* A shared receive queue under several QPs                                  */
/* ------------------------------------------------------------------------- */

#define Q_NQP 3
#define Q_PER 10
#define Q_LEN 3000

static struct rte_iwarp_qp *qps[Q_NQP];
static struct rte_iwarp_cm_id *qids[Q_NQP];
static struct rte_iwarp_srq *srq;

static int
srq_setup(struct iwt_mside *s)
{
	struct rte_iwarp_srq_init_attr sa = { .max_wr = 64, .max_sge = 1 };
	int i;

	if (s->role == IWT_M_SERVER) {
		srq = rte_iwarp_create_srq(s->pd, &sa);
		IWT_ASSERT(srq != NULL, "create_srq");
	}
	for (i = 0; i < Q_NQP; i++) {
		qps[i] = iwt_mqp(s, s->cq, srq, NULL);
		IWT_ASSERT(qps[i] != NULL, "%s: QP %d", s->who, i);
	}
	return IWT_PASS;
}

/* the destroy calls, on the engine in service mode */
static int
destroy_srq(void *srq_)
{
	return rte_iwarp_destroy_srq(srq_);
}

static int
destroy_qp(void *qp_)
{
	return rte_iwarp_destroy_qp(qp_);
}

static int
srq_connect(struct iwt_mside *s)
{
	int i;

	for (i = 0; i < Q_NQP; i++)
		IWT_RUN(iwt_mconnect(s, qps[i], NULL, &qids[i]));
	return IWT_PASS;
}

static int
srq_server(struct iwt_mside *s)
{
	static struct rte_iwarp_wc wc[Q_NQP * Q_PER];
	struct rte_iwarp_recv_wr rw, *bad;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_sge sg;
	int i, k, e, last[Q_NQP], per[Q_NQP] = { 0 }, used[Q_NQP * Q_PER] = { 0 };
	uint32_t n;

	IWT_RUN(srq_connect(s));
	IWT_ASSERT_EQ(rte_iwarp_post_recv(qps[0], &rw, &bad), -EINVAL, "QP with an SRQ: no RQ");
	for (i = 0; i < Q_NQP * Q_PER; i++) {
		sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + 4096 * i, 4096, s->mr->lkey };
		rw = (struct rte_iwarp_recv_wr){ .wr_id = 500 + i, .sg_list = &sg, .num_sge = 1 };
		IWT_ASSERT_EQ(rte_iwarp_post_srq_recv(srq, &rw, &bad), 0, "post_srq_recv");
	}
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_POST, NULL, 0), 0, "POST");
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, Q_NQP * Q_PER, 10000), Q_NQP * Q_PER, "receives");
	for (i = 0; i < Q_NQP * Q_PER; i++) {
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].byte_len == Q_LEN,
			   "recv %d: %s, %u bytes", i, rte_iwarp_wc_status_str(wc[i].status),
			   wc[i].byte_len);
		/*
		 * Messages of different QPs complete in any order (a long one
		 * takes its entry first and completes last), each in the buffer
		 * of the entry its completion names, every entry once.
		 */
		e = (int)(wc[i].wr_id - 500);
		IWT_ASSERT(e >= 0 && e < Q_NQP * Q_PER && !used[e], "entry %d", e);
		used[e] = 1;
		/* the message says which it is: its number k, sent on QP k % Q_NQP */
		memcpy(&n, s->mem + 4096 * e, 4);
		k = (int)n;
		IWT_ASSERT(k >= 0 && k < Q_NQP * Q_PER, "message number %d", k);
		IWT_ASSERT_EQ(wc[i].qp_num, rte_iwarp_qp_num(qps[k % Q_NQP]),
			      "message %d arrived on its QP", k);
		IWT_ASSERT(per[k % Q_NQP] == 0 || k > last[k % Q_NQP],
			   "QP %d: message %d after %d", k % Q_NQP, k, last[k % Q_NQP]);
		last[k % Q_NQP] = k;
		IWT_ASSERT(memcmp(s->mem + 4096 * e + 4, pattern(IWT_M_CLIENT, 10 + k) + 4,
				  Q_LEN - 4) == 0, "message %d bytes", k);
		per[k % Q_NQP]++;
	}
	for (i = 0; i < Q_NQP; i++)
		IWT_ASSERT_EQ(per[i], Q_PER, "QP %d took its receives from the SRQ", i);
	IWT_ASSERT_EQ(iwt_mcall(s, destroy_srq, srq), -EBUSY, "SRQ in use");
	for (i = 0; i < Q_NQP; i++)
		IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 10000), 0,
			      "DISCONNECTED %d", i);
	for (i = 0; i < Q_NQP; i++)
		IWT_ASSERT_EQ(iwt_mcall(s, destroy_qp, qps[i]), 0, "destroy_qp");
	IWT_ASSERT_EQ(iwt_mcall(s, destroy_srq, srq), 0, "destroy_srq once unused");
	return IWT_PASS;
}

static int
srq_client(struct iwt_mside *s)
{
	static struct rte_iwarp_wc wc[Q_NQP * Q_PER];
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg;
	uint32_t k;

	IWT_RUN(srq_connect(s));
	IWT_ASSERT(iwt_mctl_recv(s, T_POST, NULL, 0, 10000) >= 0, "POST");
	for (k = 0; k < Q_NQP * Q_PER; k++) {
		uint8_t *m = s->mem + 4096 * k;

		memcpy(m, pattern(s->role, 10 + k), Q_LEN);
		memcpy(m, &k, 4);
		sg = (struct rte_iwarp_sge){ (uintptr_t)m, Q_LEN, s->mr->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = k, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
		IWT_ASSERT_EQ(iwt_post_send1(qps[k % Q_NQP], &wr), 0, "SEND %u", k);
	}
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, Q_NQP * Q_PER, 10000), Q_NQP * Q_PER, "sent");
	for (k = 0; k < Q_NQP * Q_PER; k++)
		IWT_ASSERT(wc[k].status == RTE_IWARP_WC_SUCCESS, "SEND %llu: %s",
			   (unsigned long long)wc[k].wr_id, rte_iwarp_wc_status_str(wc[k].status));
	for (k = 0; k < Q_NQP; k++)
		IWT_ASSERT_EQ(iwt_mdisconnect(s, qids[k]), 0, "disconnect");
	return IWT_PASS;
}

#define SRQ_CASE(mode_) { \
	.name = "SRQ", .mode = (mode_), .no_qp = true, .timeout_s = 45, \
	.setup = srq_setup, .server = srq_server, .client = srq_client, \
}

IWT_CASE(verbs_memif_srq)
{
	static const struct iwt_mcase c = SRQ_CASE(RTE_IWARP_MODE_INLINE);

	return iwt_memif_run(&c);
}

IWT_CASE(verbs_memif_service_mode_srq)
{
	static const struct iwt_mcase c = SRQ_CASE(RTE_IWARP_MODE_SERVICE);

	return iwt_memif_run(&c);
}

/* ------------------------------------------------------------------------- */
/* Atomics: the results and the target memory                                */
/* ------------------------------------------------------------------------- */

#define A_WORD 0x1000       /* the target's word */
#define A_RES 0x2000        /* the initiator's results */
#define A_N 200

static uint64_t
word_start(int role)
{
	return 1000 + 0x100000000ull * (uint64_t)role;
}

static int
atomics_prepost(struct iwt_mside *s)
{
	*(uint64_t *)(s->mem + A_WORD) = word_start(s->role);
	return IWT_PASS;
}

/* Initiator: 200 fetch-adds in flight under ORD 4, then a chain of compare-and-swaps. */
static int
atomics_initiate(struct iwt_mside *s)
{
	static struct rte_iwarp_send_wr wr[A_N];
	static struct rte_iwarp_sge sg[A_N];
	static struct rte_iwarp_wc wc[A_N];
	uint64_t *res = (uint64_t *)(s->mem + A_RES), w0 = word_start(s->role ^ 1);
	struct rte_iwarp_send_wr *bad;
	int i;

	for (i = 0; i < A_N; i++) {
		sg[i] = (struct rte_iwarp_sge){ (uintptr_t)&res[i], 8, s->mr->lkey };
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg[i], .num_sge = 1,
			.opcode = RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD,
			.send_flags = RTE_IWARP_SEND_SIGNALED,
			.next = i + 1 < A_N ? &wr[i + 1] : NULL };
		wr[i].wr.atomic.remote_addr = s->peer.base + A_WORD;
		wr[i].wr.atomic.rkey = s->peer.rkey;
		wr[i].wr.atomic.compare_add = 3;
	}
	IWT_ASSERT_EQ(rte_iwarp_post_send(s->qp, wr, &bad), 0, "%s: post %d fetch-adds", s->who,
		      A_N);
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, A_N, 10000), A_N, "%s: completions", s->who);
	for (i = 0; i < A_N; i++) {
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].wr_id == (uint64_t)i,
			   "%s: fetch-add %d in order: %s", s->who, i,
			   rte_iwarp_wc_status_str(wc[i].status));
		IWT_ASSERT_EQ(wc[i].opcode, RTE_IWARP_WC_FETCH_ADD, "opcode");
		IWT_ASSERT(res[i] == w0 + 3 * (uint64_t)i, "%s: fetch-add %d returned %#llx",
			   s->who, i, (unsigned long long)res[i]);
	}
	/* the target checks its word before the swaps change it */
	IWT_RUN(iwt_msync(s, T_CHCK));
	/* compare-and-swap: a swap, a mismatch (no swap), a swap of the 64-bit value */
	for (i = 0; i < 3; i++) {
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 300 + i, .sg_list = &sg[i],
			.num_sge = 1, .opcode = RTE_IWARP_WR_ATOMIC_CMP_AND_SWP,
			.send_flags = RTE_IWARP_SEND_SIGNALED, .next = i < 2 ? &wr[i + 1] : NULL };
		wr[i].wr.atomic.remote_addr = s->peer.base + A_WORD;
		wr[i].wr.atomic.rkey = s->peer.rkey;
	}
	wr[0].wr.atomic.compare_add = w0 + 3 * A_N;
	wr[0].wr.atomic.swap = 0xdeadbeefcafef00dULL;
	wr[1].wr.atomic.compare_add = w0 + 3 * A_N;
	wr[1].wr.atomic.swap = 1;
	wr[2].wr.atomic.compare_add = 0xdeadbeefcafef00dULL;
	wr[2].wr.atomic.swap = 42 + (uint64_t)s->role;
	IWT_ASSERT_EQ(rte_iwarp_post_send(s->qp, wr, &bad), 0, "post CAS");
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 3, 10000), 3, "%s: CAS completions", s->who);
	for (i = 0; i < 3; i++)
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].wr_id == 300u + i &&
			   wc[i].opcode == RTE_IWARP_WC_COMP_SWAP, "%s: CAS %d", s->who, i);
	IWT_ASSERT_EQ(res[0], w0 + 3 * A_N, "%s: CAS 0 result", s->who);
	IWT_ASSERT(res[1] == 0xdeadbeefcafef00dULL, "%s: CAS 1 result", s->who);
	IWT_ASSERT(res[2] == 0xdeadbeefcafef00dULL, "%s: CAS 2 result", s->who);
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_CHCK, NULL, 0), 0, "CHCK");
	return IWT_PASS;
}

/* Target: the word after the fetch-adds, then after the swaps. */
static int
atomics_target(struct iwt_mside *s)
{
	volatile uint64_t *w = (volatile uint64_t *)(s->mem + A_WORD);

	IWT_ASSERT(iwt_mctl_recv(s, T_CHCK, NULL, 0, 10000) >= 0, "CHCK");
	IWT_ASSERT(*w == word_start(s->role) + 3 * A_N, "%s: word after the fetch-adds %#llx",
		   s->who, (unsigned long long)*w);
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_CHCK, NULL, 0), 0, "CHCK");
	IWT_ASSERT(iwt_mctl_recv(s, T_CHCK, NULL, 0, 10000) >= 0, "CHCK");
	IWT_ASSERT_EQ(*w, 42 + (uint64_t)(s->role ^ 1), "%s: word after the swaps", s->who);
	return IWT_PASS;
}

static int
atomics_server(struct iwt_mside *s)
{
	IWT_RUN(atomics_target(s));
	return atomics_initiate(s);
}

static int
atomics_client(struct iwt_mside *s)
{
	IWT_RUN(atomics_initiate(s));
	return atomics_target(s);
}

#define ATOMICS_CASE(mode_) { \
	.name = "atomics", .mode = (mode_), .timeout_s = 45, \
	.cap = { .max_send_wr = 256, .max_rd_atomic = 4, .max_dest_rd_atomic = 4 }, \
	.prepost = atomics_prepost, .server = atomics_server, .client = atomics_client, \
}

IWT_CASE(verbs_memif_atomics_results)
{
	static const struct iwt_mcase c = ATOMICS_CASE(RTE_IWARP_MODE_INLINE);

	return iwt_memif_run(&c);
}

IWT_CASE(verbs_memif_service_mode_atomics_results)
{
	static const struct iwt_mcase c = ATOMICS_CASE(RTE_IWARP_MODE_SERVICE);

	return iwt_memif_run(&c);
}

/* ------------------------------------------------------------------------- */
/* Memory windows, remote and local invalidation                             */
/* ------------------------------------------------------------------------- */

#define W_WIN1 8192         /* type 1 window: READ, invalidated by the peer's SEND_INV */
#define W_WIN2 32768        /* type 2 window on QP B: WRITE, invalidated locally */
#define W_LEN 8192
#define W_RECV 65536
#define W_READ 131072       /* the client's READ sink */

struct win_keys {
	uint32_t mw1, mw2;
};

static struct rte_iwarp_qp *qpb;
static struct rte_iwarp_cm_id *idb;
static struct rte_iwarp_mw *mw1, *mw2;

static int
win_setup(struct iwt_mside *s)
{
	qpb = iwt_mqp(s, s->cq, NULL, NULL);
	IWT_ASSERT(qpb != NULL, "%s: QP B", s->who);
	if (s->role == IWT_M_SERVER) {
		mw1 = rte_iwarp_alloc_mw(s->pd, RTE_IWARP_MW_TYPE_1);
		mw2 = rte_iwarp_alloc_mw(s->pd, RTE_IWARP_MW_TYPE_2);
		IWT_ASSERT(mw1 != NULL && mw2 != NULL, "alloc_mw");
	}
	return IWT_PASS;
}

static int
win_prepost(struct iwt_mside *s)
{
	if (s->role == IWT_M_SERVER)
		IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 9, s->mem + W_RECV, 100, s->mr->lkey), 0,
			      "recv");
	return IWT_PASS;
}

/* control calls of the window owner, on the engine in service mode */
struct bind_arg {
	struct rte_iwarp_mw *mw;
	struct rte_iwarp_mw_bind_info bi;
};

static int
bind_mw(void *arg)
{
	struct bind_arg *b = arg;

	return rte_iwarp_bind_mw(b->mw, &b->bi);
}

static int
dealloc_mw(void *mw)
{
	return rte_iwarp_dealloc_mw(mw);
}

static int
dereg_mr(void *mr)
{
	return rte_iwarp_dereg_mr(mr);
}

static int
win_server(struct iwt_mside *s)
{
	struct bind_arg b = { mw1, { s->mr, (uintptr_t)s->mem + W_WIN1, W_LEN,
		RTE_IWARP_ACCESS_REMOTE_READ } };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_wc wc;
	struct win_keys k;
	uint32_t old = mw1->rkey;
	int i;

	IWT_RUN(iwt_mconnect(s, qpb, NULL, &idb));
	iwt_vfill(s->mem + W_WIN1, W_LEN, 5);
	IWT_ASSERT_EQ(iwt_mcall(s, bind_mw, &b), 0, "bind type 1");
	IWT_ASSERT(mw1->rkey != old && mw1->rkey != 0, "new rkey");
	wr = (struct rte_iwarp_send_wr){ .wr_id = 22, .opcode = RTE_IWARP_WR_BIND_MW,
		.send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.bind_mw.mw = mw2;
	wr.wr.bind_mw.rkey = 0x33;
	wr.wr.bind_mw.bind_info = (struct rte_iwarp_mw_bind_info){ s->mr,
		(uintptr_t)s->mem + W_WIN2, W_LEN, RTE_IWARP_ACCESS_REMOTE_WRITE };
	IWT_ASSERT_EQ(iwt_post_send1(qpb, &wr), 0, "BIND_MW on QP B");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 22, RTE_IWARP_WC_BIND_MW, NULL));
	IWT_ASSERT_EQ(mw2->rkey & 0xff, 0x33, "type 2 window key");
	IWT_ASSERT_EQ(iwt_mcall(s, dereg_mr, s->mr), -EBUSY, "MR with bound windows");
	k = (struct win_keys){ mw1->rkey, mw2->rkey };
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_WIND, &k, sizeof(k)), 0, "WIND");
	/* the client READs window 1, WRITEs window 2, then invalidates window 1 */
	IWT_RUN(iwt_mwc_expect(s, s->cq, 9, RTE_IWARP_WC_RECV, &wc));
	IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_INV, "SEND_INV received");
	IWT_ASSERT_EQ(wc.invalidated_rkey, k.mw1, "window 1 invalidated by the peer");
	IWT_ASSERT(iwt_vcheck(s->mem + W_WIN2, W_LEN, 6) < 0, "WRITE through window 2");
	/* invalidate window 2 here */
	wr = (struct rte_iwarp_send_wr){ .wr_id = 24, .opcode = RTE_IWARP_WR_LOCAL_INV,
		.send_flags = RTE_IWARP_SEND_SIGNALED, .invalidate_rkey = k.mw2 };
	IWT_ASSERT_EQ(iwt_post_send1(qpb, &wr), 0, "LOCAL_INV of window 2");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 24, RTE_IWARP_WC_LOCAL_INV, NULL));
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_INVD, NULL, 0), 0, "INVD");
	/* both later accesses were refused with a TERMINATE, no byte written */
	IWT_ASSERT(iwt_mctl_recv(s, T_TERM, NULL, 0, 10000) >= 0, "TERM");
	for (i = 0; i < 2; i++) {
		IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 5000), 0,
			      "TERMINATE event %d", i);
		IWT_ASSERT_EQ(ev.term, ev.id == s->id ? IWT_TERM_RDMAP_PROT_INVALID_STAG :
			      IWT_TERM_DDP_TAGGED_INVALID_STAG, "TERMINATE code");
	}
	iwt_mquery_qp(s, s->qp, &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "QP A in ERROR");
	IWT_ASSERT_EQ(qa.term_sent, IWT_TERM_RDMAP_PROT_INVALID_STAG, "READ of window 1 refused");
	iwt_mquery_qp(s, qpb, &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "QP B in ERROR");
	IWT_ASSERT_EQ(qa.term_sent, IWT_TERM_DDP_TAGGED_INVALID_STAG, "WRITE of window 2 refused");
	IWT_ASSERT(iwt_vcheck(s->mem + W_WIN2, W_LEN, 6) < 0, "nothing written after LOCAL_INV");
	IWT_ASSERT_EQ(iwt_mcall(s, dealloc_mw, mw1), 0, "dealloc");
	IWT_ASSERT_EQ(iwt_mcall(s, dealloc_mw, mw2), 0, "dealloc");
	IWT_ASSERT_EQ(iwt_mcall(s, dereg_mr, s->mr), 0, "MR free once the windows are gone");
	s->mr = NULL;
	return IWT_PASS;
}

static int
win_access(struct iwt_mside *s, struct rte_iwarp_qp *qp, uint64_t wr_id, int opcode,
	   uint32_t off, uint32_t rkey, uint32_t roff)
{
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg = { (uintptr_t)s->mem + off, W_LEN, s->mr->lkey };

	wr = (struct rte_iwarp_send_wr){ .wr_id = wr_id, .sg_list = &sg, .num_sge = 1,
		.opcode = opcode, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = s->peer.base + roff;
	wr.wr.rdma.rkey = rkey;
	return iwt_post_send1(qp, &wr);
}

static int
win_client(struct iwt_mside *s)
{
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_wc wc;
	struct rte_iwarp_sge sg;
	struct win_keys k;
	int i;

	IWT_RUN(iwt_mconnect(s, qpb, NULL, &idb));
	IWT_ASSERT_EQ(iwt_mctl_recv(s, T_WIND, &k, sizeof(k), 10000), sizeof(k), "WIND");
	/* READ through window 1 (QP A), WRITE through window 2 (QP B, its QP) */
	IWT_ASSERT_EQ(win_access(s, s->qp, 1, RTE_IWARP_WR_RDMA_READ, W_READ, k.mw1, W_WIN1), 0,
		      "READ via window 1");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 1, RTE_IWARP_WC_RDMA_READ, NULL));
	IWT_ASSERT(iwt_vcheck(s->mem + W_READ, W_LEN, 5) < 0, "READ bytes");
	iwt_vfill(s->mem, W_LEN, 6);
	IWT_ASSERT_EQ(win_access(s, qpb, 2, RTE_IWARP_WR_RDMA_WRITE, 0, k.mw2, W_WIN2), 0,
		      "WRITE via window 2");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 2, RTE_IWARP_WC_RDMA_WRITE, NULL));
	/* SEND with Invalidate of window 1 */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem, 10, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND_WITH_INV, .send_flags = RTE_IWARP_SEND_SIGNALED,
		.invalidate_rkey = k.mw1 };
	IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr), 0, "SEND_INV");
	IWT_RUN(iwt_mwc_expect(s, s->cq, 3, RTE_IWARP_WC_SEND, NULL));
	IWT_ASSERT(iwt_mctl_recv(s, T_INVD, NULL, 0, 10000) >= 0, "INVD");
	/* both windows are dead: a READ of window 1 is flushed, nothing read */
	memset(s->mem + W_READ, 0, W_LEN);
	IWT_ASSERT_EQ(win_access(s, s->qp, 4, RTE_IWARP_WR_RDMA_READ, W_READ, k.mw1, W_WIN1), 0,
		      "READ via the invalidated window 1");
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, &wc, 1, 10000), 1, "READ completion");
	IWT_ASSERT(wc.wr_id == 4 && wc.status == RTE_IWARP_WC_WR_FLUSH_ERR, "READ flushed: %s",
		   rte_iwarp_wc_status_str(wc.status));
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 5000), 0, "TERMINATE A");
	IWT_ASSERT_EQ(ev.term, IWT_TERM_RDMAP_PROT_INVALID_STAG, "RDMAP: invalid STag");
	for (i = 0; i < W_LEN; i++)
		IWT_ASSERT(s->mem[W_READ + i] == 0, "nothing read (byte %d)", i);
	/* a WRITE of window 2: TERMINATE from DDP */
	iwt_vfill(s->mem, W_LEN, 7);
	IWT_ASSERT_EQ(win_access(s, qpb, 5, RTE_IWARP_WR_RDMA_WRITE, 0, k.mw2, W_WIN2), 0,
		      "WRITE via the invalidated window 2");
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 5000), 0, "TERMINATE B");
	IWT_ASSERT_EQ(ev.term, IWT_TERM_DDP_TAGGED_INVALID_STAG, "DDP: invalid STag");
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, &wc, 1, 10000), 1, "WRITE completion");
	IWT_ASSERT_EQ(wc.wr_id, 5, "the WRITE completes (flushed at the latest)");
	iwt_mquery_qp(s, s->qp, &qa);
	IWT_ASSERT_EQ(qa.term_received, IWT_TERM_RDMAP_PROT_INVALID_STAG, "QP A: TERMINATE parsed");
	iwt_mquery_qp(s, qpb, &qa);
	IWT_ASSERT_EQ(qa.term_received, IWT_TERM_DDP_TAGGED_INVALID_STAG, "QP B: TERMINATE parsed");
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_TERM, NULL, 0), 0, "TERM");
	return IWT_PASS;
}

#define WIN_CASE(mode_) { \
	.name = "memory windows", .mode = (mode_), .timeout_s = 45, \
	.setup = win_setup, .prepost = win_prepost, .server = win_server, .client = win_client, \
}

IWT_CASE(verbs_memif_windows_invalidate)
{
	static const struct iwt_mcase c = WIN_CASE(RTE_IWARP_MODE_INLINE);

	return iwt_memif_run(&c);
}

IWT_CASE(verbs_memif_service_mode_windows_invalidate)
{
	static const struct iwt_mcase c = WIN_CASE(RTE_IWARP_MODE_SERVICE);

	return iwt_memif_run(&c);
}

/* ------------------------------------------------------------------------- */
/* CQ overflow                                                               */
/* ------------------------------------------------------------------------- */

static struct rte_iwarp_cq *small;

static int
cqo_setup(struct iwt_mside *s)
{
	struct rte_iwarp_qp_init_attr ia = { .send_cq = s->cq };

	if (s->role == IWT_M_CLIENT)
		return IWT_PASS;
	small = rte_iwarp_create_cq(s->dev, 4, NULL);
	IWT_ASSERT(small != NULL, "create_cq");
	ia.recv_cq = small;
	s->qp = rte_iwarp_create_qp(s->pd, &ia);
	IWT_ASSERT(s->qp != NULL, "create_qp");
	return IWT_PASS;
}

static int
cqo_prepost(struct iwt_mside *s)
{
	int i;

	if (s->role == IWT_M_CLIENT)
		return IWT_PASS;
	for (i = 0; i < 10; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 100 + i, s->mem + 1000 * i, 1000, s->mr->lkey),
			      0, "recv");
	return IWT_PASS;
}

struct stats_arg {
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_dev_stats st;
};

static int
stats_get(void *arg)
{
	struct stats_arg *a = arg;

	return rte_iwarp_dev_stats_get(a->dev, &a->st);
}

static int
destroy_cq(void *cq)
{
	return rte_iwarp_destroy_cq(cq);
}

static int
cqo_server(struct iwt_mside *s)
{
	struct stats_arg sa = { .dev = s->dev };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_wc wc[8];
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;

	/* 10 receives complete into a CQ of 4 nobody polls */
	while (sa.st.cq_overflows == 0 && rte_get_timer_cycles() < end) {
		iwt_mprogress(s);
		iwt_mcall(s, stats_get, &sa);
	}
	IWT_ASSERT(sa.st.cq_overflows > 0, "overflow counted");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(small, 8, wc), -EOVERFLOW, "overflow reported by poll");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(small, 8, wc), -EOVERFLOW, "and again: sticky");
	iwt_mquery_qp(s, s->qp, &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "the QP that lost a completion is in ERROR");
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_CQ_ERROR, &ev, 5000), 0, "CQ_ERROR event");
	IWT_ASSERT(ev.id == s->id && ev.status == -EOVERFLOW, "event of the QP's id, %d",
		   ev.status);
	IWT_ASSERT_EQ(qa.term_sent, IWT_TERM_RDMAP_LOCAL_CATASTROPHIC, "TERMINATE sent");
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 5000), 0,
		      "TERMINATE event (sent)");
	IWT_ASSERT_EQ(ev.term, IWT_TERM_RDMAP_LOCAL_CATASTROPHIC, "its code");
	/* the client checks that it was told; the stream ended after the TERMINATE */
	IWT_ASSERT(iwt_mctl_recv(s, T_CHCK, NULL, 0, 15000) >= 0, "CHCK");
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 10000), 0,
		      "DISCONNECTED");
	IWT_ASSERT_EQ(iwt_mcall(s, destroy_cq, small), -EBUSY, "CQ in use");
	IWT_ASSERT_EQ(iwt_mcall(s, destroy_qp, s->qp), 0, "destroy_qp");
	s->qp = NULL;
	IWT_ASSERT_EQ(iwt_mcall(s, destroy_cq, small), 0, "destroy_cq");
	return IWT_PASS;
}

#define CQO_SENDS 10
#define CQO_RECVS 3
#define CQO_RECV0 200

/*
 * The client's completions once told: its SENDs (wr_id 0..) in order, those
 * the stream did not deliver flushed; its receives flushed in order.
 */
static int
cqo_client_flushed(struct iwt_mside *s)
{
	struct rte_iwarp_wc wc[CQO_SENDS + CQO_RECVS];
	bool flushed = false;
	int i, n, snd = 0, rcv = 0;

	n = iwt_mwc(s, s->cq, wc, CQO_SENDS + CQO_RECVS, 10000);
	IWT_ASSERT_EQ(n, CQO_SENDS + CQO_RECVS, "every WR completes");
	for (i = 0; i < n; i++) {
		if (wc[i].opcode == RTE_IWARP_WC_RECV) {
			IWT_ASSERT(wc[i].wr_id == (uint64_t)(CQO_RECV0 + rcv++) &&
				   wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR,
				   "receive %d flushed in order", i);
			continue;
		}
		IWT_ASSERT_EQ(wc[i].wr_id, (uint64_t)snd++, "SENDs complete in order");
		if (wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR)
			flushed = true;
		else
			IWT_ASSERT(!flushed && wc[i].status == RTE_IWARP_WC_SUCCESS,
				   "SEND %d: %s after a flush", i,
				   rte_iwarp_wc_status_str(wc[i].status));
	}
	return IWT_PASS;
}

static int
cqo_client(struct iwt_mside *s)
{
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg = { (uintptr_t)s->mem, 64, s->mr->lkey };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_qp_attr qa;
	int i;

	/* receives that stay outstanding: flushed once the client is told */
	for (i = 0; i < CQO_RECVS; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(s->qp, CQO_RECV0 + i, s->mem + 4096 + 1000 * i, 1000,
					     s->mr->lkey), 0, "recv");
	for (i = 0; i < CQO_SENDS; i++) {
		wr = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
		IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr), 0, "SEND");
	}
	/* the server's QP lost a completion: it tells this side */
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_TERMINATE, &ev, 15000), 0, "TERMINATE");
	IWT_ASSERT(ev.id == s->id && ev.term == IWT_TERM_RDMAP_LOCAL_CATASTROPHIC,
		   "TERMINATE of the QP's id, code 0x%06x", ev.term);
	iwt_mquery_qp(s, s->qp, &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "the QP in ERROR");
	IWT_ASSERT_EQ(qa.term_received, IWT_TERM_RDMAP_LOCAL_CATASTROPHIC, "code parsed");
	IWT_RUN(cqo_client_flushed(s));
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 10000), 0,
		      "the stream ended in order");
	IWT_ASSERT_EQ(iwt_mctl_send(s, T_CHCK, NULL, 0), 0, "CHCK");
	return IWT_PASS;
}

#define CQO_CASE(mode_) { \
	.name = "CQ overflow", .mode = (mode_), .timeout_s = 45, \
	.setup = cqo_setup, .prepost = cqo_prepost, .server = cqo_server, .client = cqo_client, \
}

IWT_CASE(verbs_memif_cq_overflow_reported)
{
	static const struct iwt_mcase c = CQO_CASE(RTE_IWARP_MODE_INLINE);

	return iwt_memif_run(&c);
}

IWT_CASE(verbs_memif_service_mode_cq_overflow_reported)
{
	static const struct iwt_mcase c = CQO_CASE(RTE_IWARP_MODE_SERVICE);

	return iwt_memif_run(&c);
}

/* ------------------------------------------------------------------------- */
/* Flush on disconnect                                                       */
/* ------------------------------------------------------------------------- */

/* n completions of wr_ids first.. in order, all flushed */
static int
expect_flushed(struct iwt_mside *s, const struct rte_iwarp_wc *wc, int nwc, uint64_t first,
	       int n)
{
	int i, k = 0;

	for (i = 0; i < nwc; i++) {
		if (wc[i].wr_id < first || wc[i].wr_id >= first + (uint64_t)n)
			continue;
		IWT_ASSERT_EQ(wc[i].wr_id, first + (uint64_t)k, "%s: flushed in order", s->who);
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR, "%s: wr %llu: %s", s->who,
			   (unsigned long long)wc[i].wr_id, rte_iwarp_wc_status_str(wc[i].status));
		k++;
	}
	IWT_ASSERT_EQ(k, n, "%s: flushed from %llu", s->who, (unsigned long long)first);
	return IWT_PASS;
}

static int
flush_prepost(struct iwt_mside *s)
{
	int i, n = s->role == IWT_M_SERVER ? 8 : 3;

	for (i = 0; i < n; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 200 + i, s->mem + 4096 * i, 4096,
					     s->mr->lkey), 0, "recv");
	return IWT_PASS;
}

static int
flush_server(struct iwt_mside *s)
{
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_wc wc[16];

	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 2, 10000), 2, "2 received");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS && wc[1].status == RTE_IWARP_WC_SUCCESS,
		   "received");
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 10000), 0,
		      "DISCONNECTED at the peer");
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 6, 5000), 6, "6 posted receives flushed");
	IWT_RUN(expect_flushed(s, wc, 6, 202, 6));
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 1, 200), 0, "nothing more");
	/* a post to a QP in ERROR is accepted and flushed */
	IWT_ASSERT_EQ(iwt_post_recv1(s->qp, 300, s->mem, 100, s->mr->lkey), 0, "recv in ERROR");
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 1, 1000), 1, "flushed at once");
	IWT_RUN(expect_flushed(s, wc, 1, 300, 1));
	return IWT_PASS;
}

static int
flush_client(struct iwt_mside *s)
{
	struct rte_iwarp_send_wr wr[4], *bad;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_wc wc[16];
	struct rte_iwarp_sge sg = { (uintptr_t)s->mem, 100, s->mr->lkey };
	int i;

	for (i = 0; i < 2; i++) {
		wr[0] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
		IWT_ASSERT_EQ(iwt_post_send1(s->qp, &wr[0]), 0, "SEND");
		IWT_RUN(iwt_mwc_expect(s, s->cq, i, RTE_IWARP_WC_SEND, NULL));
	}
	/* 4 large WRITEs posted, then disconnect before they can complete */
	sg.length = 200000;
	for (i = 0; i < 4; i++) {
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 10 + i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED,
			.next = i < 3 ? &wr[i + 1] : NULL };
		wr[i].wr.rdma.remote_addr = s->peer.base + 200000;
		wr[i].wr.rdma.rkey = s->peer.rkey;
	}
	IWT_ASSERT_EQ(rte_iwarp_post_send(s->qp, wr, &bad), 0, "post WRITEs");
	IWT_ASSERT_EQ(rte_iwarp_disconnect(s->id), 0, "disconnect");
	IWT_ASSERT_EQ(rte_iwarp_disconnect(s->id), -ENOTCONN, "twice");
	/* every WR of both queues completes, each queue in order */
	IWT_ASSERT_EQ(iwt_mwc(s, s->cq, wc, 7, 5000), 7, "4 WRITEs and 3 receives complete");
	IWT_RUN(expect_flushed(s, wc, 7, 10, 4));
	IWT_RUN(expect_flushed(s, wc, 7, 200, 3));
	IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 5000), 0,
		      "DISCONNECTED locally");
	return IWT_PASS;
}

IWT_CASE(verbs_memif_flush_on_disconnect)
{
	static const struct iwt_mcase c = {
		.name = "flush on disconnect", .timeout_s = 45,
		.prepost = flush_prepost, .server = flush_server, .client = flush_client,
	};

	return iwt_memif_run(&c);
}
