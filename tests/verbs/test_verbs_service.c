/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service mode: an engine lcore progresses both devices while the main
 * lcore posts and polls through the lock-free rings only (its polls never
 * progress the engine); control calls go through rte_iwarp_dev_call().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "iwt.h"
#include "iwt_verbs.h"

#define ACC_ALL (RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE | \
		 RTE_IWARP_ACCESS_REMOTE_READ)
#define N 64
#define LEN 3000

static volatile int svc_stop;
static volatile int svc_polled;

static int
engine_loop(void *arg)
{
	struct iwt_vpair *p = arg;

	while (!svc_stop) {
		rte_iwarp_dev_poll(p->dev[0]);
		rte_iwarp_dev_poll(p->dev[1]);
		svc_polled = 1;
	}
	return 0;
}

/* Collect n completions without progressing anything ourselves. */
static int
svc_wc(struct rte_iwarp_cq *cq, struct rte_iwarp_wc *wc, int n, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	int got = 0, rc;

	while (got < n && rte_get_timer_cycles() < end) {
		rc = rte_iwarp_poll_cq(cq, n - got, wc + got);
		if (rc < 0)
			return rc;
		got += rc;
	}
	return got;
}

struct query_arg {
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_qp_attr attr;
};

static int
query_on_engine(void *arg)
{
	struct query_arg *q = arg;

	return rte_iwarp_query_qp(q->qp, &q->attr);
}

IWT_CASE(verbs_ring_service_mode)
{
	static struct rte_iwarp_wc wc[2 * N];
	struct rte_iwarp_send_wr wr[N], *bad;
	struct rte_iwarp_sge sg[N];
	struct rte_iwarp_mr *ma, *mb;
	struct query_arg q;
	struct iwt_vpair p;
	unsigned int worker;
	uint8_t *a = calloc(N, 2 * LEN), *b = calloc(N, 2 * LEN);
	int i, n, rc;

	IWT_ASSERT(a != NULL && b != NULL, "memory");
	IWT_ASSERT_EQ(iwt_vpair_open_mode(&p, "vsv", 512, RTE_IWARP_MODE_SERVICE), 0, "open");
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		IWT_SKIP_BECAUSE("service mode needs a second lcore");
	/* set-up before the engine runs: direct calls, polled here */
	ma = rte_iwarp_reg_mr(p.pd[0], a, N * 2 * LEN, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, N * 2 * LEN, ACC_ALL);
	IWT_ASSERT(ma != NULL && mb != NULL, "reg_mr");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	p.qp[1] = iwt_vpair_qp(&p, 1, NULL);
	IWT_ASSERT_EQ(iwt_vpair_connect(&p, p.qp[0], p.qp[1], NULL, NULL, &p.id[0], &p.id[1]), 0,
		      "connect");
	/* hand the devices to the engine lcore */
	svc_stop = 0;
	svc_polled = 0;
	IWT_ASSERT_EQ(rte_eal_remote_launch(engine_loop, &p, worker), 0, "launch engine");
	while (!svc_polled)
		rte_pause();

	/* the application side: receives and SENDs through the rings */
	for (i = 0; i < N; i++) {
		struct rte_iwarp_sge rs = { (uintptr_t)b + i * 2 * LEN, LEN, mb->lkey };
		struct rte_iwarp_recv_wr rw = { .wr_id = 1000 + i, .sg_list = &rs, .num_sge = 1 };
		struct rte_iwarp_recv_wr *rbad;

		IWT_ASSERT_EQ(rte_iwarp_post_recv(p.qp[1], &rw, &rbad), 0, "post_recv %d", i);
	}
	for (i = 0; i < N; i++) {
		iwt_vfill(a + i * 2 * LEN, 2 * LEN, 300 + i);
		sg[i] = (struct rte_iwarp_sge){ (uintptr_t)a + i * 2 * LEN, LEN, ma->lkey };
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg[i], .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED,
			.next = i + 1 < N ? &wr[i + 1] : NULL };
	}
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post list of SENDs");
	n = svc_wc(p.cq[1], wc, N, 5000);
	IWT_ASSERT_EQ(n, N, "receives");
	for (i = 0; i < N; i++) {
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS && wc[i].byte_len == LEN,
			   "recv %d: %s", i, rte_iwarp_wc_status_str(wc[i].status));
		IWT_ASSERT_EQ(wc[i].wr_id, 1000 + i, "in order");
		IWT_ASSERT(memcmp(b + i * 2 * LEN, a + i * 2 * LEN, LEN) == 0, "SEND %d bytes", i);
	}
	IWT_ASSERT_EQ(svc_wc(p.cq[0], wc, N, 5000), N, "send completions");
	/* WRITE then READ back, with an inline WRITE in between */
	for (i = 0; i < N; i++) {
		sg[i] = (struct rte_iwarp_sge){ (uintptr_t)a + i * 2 * LEN + LEN, LEN, ma->lkey };
		wr[i] = (struct rte_iwarp_send_wr){ .wr_id = 100 + i, .sg_list = &sg[i],
			.num_sge = 1, .opcode = RTE_IWARP_WR_RDMA_WRITE,
			.next = i + 1 < N ? &wr[i + 1] : NULL };
		wr[i].wr.rdma.rkey = mb->rkey;
		wr[i].wr.rdma.remote_addr = (uintptr_t)b + i * 2 * LEN + LEN;
	}
	wr[N - 1].send_flags = RTE_IWARP_SEND_SIGNALED;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post WRITEs");
	IWT_ASSERT_EQ(svc_wc(p.cq[0], wc, 1, 5000), 1, "the signalled WRITE");
	IWT_ASSERT_EQ(wc[0].wr_id, 100 + N - 1, "only the signalled one");
	IWT_ASSERT(memcmp(b, a, (size_t)N * 2 * LEN) == 0, "WRITE bytes");
	memset(a, 0, 4 * LEN);
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)a, 4 * LEN, ma->lkey };
	wr[0] = (struct rte_iwarp_send_wr){ .wr_id = 7, .sg_list = &sg[0], .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr[0].wr.rdma.rkey = mb->rkey;
	wr[0].wr.rdma.remote_addr = (uintptr_t)b;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "post READ");
	IWT_ASSERT_EQ(svc_wc(p.cq[0], wc, 1, 5000), 1, "READ");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_SUCCESS, "READ status");
	IWT_ASSERT(memcmp(a, b, 4 * LEN) == 0, "READ bytes");
	/* form errors come back from the post call, negative */
	wr[0].opcode = RTE_IWARP_WR_SEND_WITH_IMM;
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), -EOPNOTSUPP, "form error");
	/* an lkey error found by the engine completes in error, the QP goes to ERROR */
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)a, 10, ma->lkey ^ 0x40 };
	wr[0] = (struct rte_iwarp_send_wr){ .wr_id = 8, .sg_list = &sg[0], .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .next = &wr[1] };
	wr[1] = (struct rte_iwarp_send_wr){ .wr_id = 9, .sg_list = &sg[1], .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
	sg[1] = (struct rte_iwarp_sge){ (uintptr_t)a, 10, ma->lkey };
	IWT_ASSERT_EQ(rte_iwarp_post_send(p.qp[0], wr, &bad), 0, "accepted by the ring");
	IWT_ASSERT_EQ(svc_wc(p.cq[0], wc, 2, 5000), 2, "both complete");
	IWT_ASSERT(wc[0].wr_id == 8 && wc[0].status == RTE_IWARP_WC_LOC_PROT_ERR, "lkey error");
	IWT_ASSERT(wc[1].wr_id == 9 && wc[1].status == RTE_IWARP_WC_WR_FLUSH_ERR, "flushed");
	q.qp = p.qp[0];
	IWT_ASSERT_EQ(rte_iwarp_dev_call(p.dev[0], query_on_engine, &q), 0, "dev_call");
	IWT_ASSERT_EQ(q.attr.state, RTE_IWARP_QPS_ERR, "QP in ERROR");
	IWT_ASSERT_EQ(rte_iwarp_dev_call(NULL, query_on_engine, &q), -EINVAL, "dev_call NULL");

	svc_stop = 1;
	rc = rte_eal_wait_lcore(worker);
	IWT_ASSERT_EQ(rc, 0, "engine stopped");
	rte_iwarp_disconnect(p.id[0]);
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}
