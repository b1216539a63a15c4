/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service mode: an engine lcore progresses both devices while the main
 * lcore (or several application threads, each through its own channel)
 * posts and polls through the lock-free rings only (its polls never progress
 * the engine); control calls go through rte_iwarp_dev_call().
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

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

/*
 * Several application threads: each owns a QP pair (one QP on each device),
 * its CQs, and a channel on each device; the engine lcore progresses both
 * devices. The threads are plain pthreads (not EAL lcores) and share the
 * machine's cores with the engine.
 */
#define APP_THREADS 2
#define APP_ROUNDS 300
#define APP_LEN 3000
#define APP_INLINE 1000	/* over RTE_IWARP_SVC_MAX_INLINE: several ring slots */
#define APP_WAIT_MS 20000

struct app_thread {
	int t;
	struct rte_iwarp_qp *qa, *qb;
	struct rte_iwarp_cq *cqa, *cqb;
	struct rte_iwarp_mr *ma, *mb;
	uint8_t *a, *b;          /* 4 * APP_LEN each */
	int rc;
};

/* Collect one completion, yielding the core while there is none. */
static int
app_wc1(struct rte_iwarp_cq *cq, struct rte_iwarp_wc *wc)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * APP_WAIT_MS / 1000;
	int rc;

	while (rte_get_timer_cycles() < end) {
		rc = rte_iwarp_poll_cq(cq, 1, wc);
		if (rc != 0)
			return rc;
		sched_yield();
	}
	return 0;
}

static int
app_send_round(struct app_thread *x, int r)
{
	struct rte_iwarp_sge rs = { (uintptr_t)x->b, 2 * APP_LEN, x->mb->lkey };
	struct rte_iwarp_recv_wr rw = { .wr_id = r, .sg_list = &rs, .num_sge = 1 }, *rbad;
	bool inl = r % 4 == 3;
	uint32_t len = inl ? APP_INLINE : APP_LEN, seed = (uint32_t)(x->t * 100000 + r);
	struct rte_iwarp_sge sg = { (uintptr_t)x->a, len, x->ma->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = r, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED }, *bad;
	struct rte_iwarp_wc wc;

	if (inl)
		wr.send_flags |= RTE_IWARP_SEND_INLINE;
	IWT_ASSERT_EQ(rte_iwarp_post_recv(x->qb, &rw, &rbad), 0, "thread %d post_recv", x->t);
	iwt_vfill(x->a, len, seed);
	IWT_ASSERT_EQ(rte_iwarp_post_send(x->qa, &wr, &bad), 0, "thread %d SEND %d", x->t, r);
	if (inl)
		memset(x->a, 0xee, len);	/* inline: the bytes were taken at post */
	IWT_ASSERT_EQ(app_wc1(x->cqb, &wc), 1, "thread %d receive %d", x->t, r);
	IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS && wc.wr_id == (uint64_t)r &&
		   wc.byte_len == len, "thread %d receive %d: %s, wr_id %" PRIu64 ", %u bytes",
		   x->t, r, rte_iwarp_wc_status_str(wc.status), wc.wr_id, wc.byte_len);
	IWT_ASSERT(iwt_vcheck(x->b, len, seed) < 0, "thread %d receive %d bytes", x->t, r);
	IWT_ASSERT_EQ(app_wc1(x->cqa, &wc), 1, "thread %d send completion %d", x->t, r);
	IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS && wc.wr_id == (uint64_t)r,
		   "thread %d send %d", x->t, r);
	return IWT_PASS;
}

/* WRITE a pattern to the peer, READ it back into two SGEs. */
static int
app_write_read_round(struct app_thread *x, int r)
{
	uint32_t seed = (uint32_t)(x->t * 100000 + 50000 + r);
	struct rte_iwarp_sge sg[2] = {
		{ (uintptr_t)x->a, APP_LEN, x->ma->lkey },
	};
	struct rte_iwarp_send_wr wr = { .wr_id = r, .sg_list = sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE }, *bad;
	struct rte_iwarp_wc wc;

	iwt_vfill(x->a, APP_LEN, seed);
	wr.wr.rdma.rkey = x->mb->rkey;
	wr.wr.rdma.remote_addr = (uintptr_t)x->b + 2 * APP_LEN;
	IWT_ASSERT_EQ(rte_iwarp_post_send(x->qa, &wr, &bad), 0, "thread %d WRITE", x->t);
	memset(x->a + APP_LEN, 0, 3 * APP_LEN);
	sg[0] = (struct rte_iwarp_sge){ (uintptr_t)x->a + 3 * APP_LEN, 1001, x->ma->lkey };
	sg[1] = (struct rte_iwarp_sge){ (uintptr_t)x->a + APP_LEN, APP_LEN - 1001, x->ma->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 10000 + r, .sg_list = sg, .num_sge = 2,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.rkey = x->mb->rkey;
	wr.wr.rdma.remote_addr = (uintptr_t)x->b + 2 * APP_LEN;
	IWT_ASSERT_EQ(rte_iwarp_post_send(x->qa, &wr, &bad), 0, "thread %d READ", x->t);
	IWT_ASSERT_EQ(app_wc1(x->cqa, &wc), 1, "thread %d READ completion", x->t);
	IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS && wc.wr_id == (uint64_t)10000 + r,
		   "thread %d READ %d: %s", x->t, r, rte_iwarp_wc_status_str(wc.status));
	IWT_ASSERT(memcmp(x->a + 3 * APP_LEN, x->a, 1001) == 0 &&
		   memcmp(x->a + APP_LEN, x->a + 1001, APP_LEN - 1001) == 0,
		   "thread %d READ %d bytes", x->t, r);
	return IWT_PASS;
}

static int
app_thread_run(struct app_thread *x)
{
	int r;

	for (r = 0; r < APP_ROUNDS; r++) {
		IWT_RUN(app_send_round(x, r));
		if (r % 8 == 7)
			IWT_RUN(app_write_read_round(x, r));
	}
	return IWT_PASS;
}

static void *
app_thread_main(void *arg)
{
	struct app_thread *x = arg;

	x->rc = app_thread_run(x);
	return NULL;
}

IWT_CASE(verbs_ring_service_mode_two_app_threads)
{
	struct rte_iwarp_qp_cap cap = { .max_inline_data = 1024, .max_send_sge = 2 };
	struct rte_iwarp_svc_channel *ch[2][APP_THREADS];
	struct app_thread x[APP_THREADS];
	struct rte_iwarp_cm_id *ida, *idb;
	struct rte_iwarp_qp_init_attr qa;
	pthread_t th[APP_THREADS];
	struct iwt_vpair p;
	unsigned int worker;
	int t, d, rc;

	memset(x, 0, sizeof(x));
	IWT_ASSERT_EQ(iwt_vpair_open_mode(&p, "vsv2", 64, RTE_IWARP_MODE_SERVICE), 0, "open");
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		IWT_SKIP_BECAUSE("service mode needs a second lcore");
	/* set-up before the engine runs: direct calls */
	for (t = 0; t < APP_THREADS; t++) {
		x[t].t = t;
		x[t].a = calloc(4, APP_LEN);
		x[t].b = calloc(4, APP_LEN);
		IWT_ASSERT(x[t].a != NULL && x[t].b != NULL, "memory");
		x[t].ma = rte_iwarp_reg_mr(p.pd[0], x[t].a, 4 * APP_LEN, ACC_ALL);
		x[t].mb = rte_iwarp_reg_mr(p.pd[1], x[t].b, 4 * APP_LEN, ACC_ALL);
		x[t].cqa = rte_iwarp_create_cq(p.dev[0], 64, NULL);
		x[t].cqb = rte_iwarp_create_cq(p.dev[1], 64, NULL);
		IWT_ASSERT(x[t].ma != NULL && x[t].mb != NULL && x[t].cqa != NULL &&
			   x[t].cqb != NULL, "thread %d objects", t);
		qa = (struct rte_iwarp_qp_init_attr){ .send_cq = x[t].cqa, .recv_cq = x[t].cqa,
						      .cap = cap };
		x[t].qa = rte_iwarp_create_qp(p.pd[0], &qa);
		qa = (struct rte_iwarp_qp_init_attr){ .send_cq = x[t].cqb, .recv_cq = x[t].cqb,
						      .cap = cap };
		x[t].qb = rte_iwarp_create_qp(p.pd[1], &qa);
		IWT_ASSERT(x[t].qa != NULL && x[t].qb != NULL, "thread %d QPs", t);
		IWT_ASSERT_EQ(iwt_vpair_connect(&p, x[t].qa, x[t].qb, NULL, NULL, &ida, &idb), 0,
			      "connect %d", t);
		for (d = 0; d < 2; d++) {
			ch[d][t] = rte_iwarp_svc_channel_create(p.dev[d]);
			IWT_ASSERT(ch[d][t] != NULL, "channel %d on device %d", t, d);
		}
		IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(x[t].qa, ch[0][t]), 0, "bind");
		IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(x[t].qb, ch[1][t]), 0, "bind");
	}
	IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(x[0].qa, ch[1][0]), -EINVAL,
		      "a channel of another device");
	svc_stop = 0;
	svc_polled = 0;
	IWT_ASSERT_EQ(rte_eal_remote_launch(engine_loop, &p, worker), 0, "launch engine");
	while (!svc_polled)
		rte_pause();

	for (t = 0; t < APP_THREADS; t++)
		IWT_ASSERT_EQ(pthread_create(&th[t], NULL, app_thread_main, &x[t]), 0, "thread");
	for (t = 0; t < APP_THREADS; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < APP_THREADS; t++)
		IWT_ASSERT_EQ(x[t].rc, IWT_PASS, "application thread %d", t);

	/* channels in use cannot go; unbound, they can (through the engine) */
	IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(ch[0][0]), -EBUSY, "channel in use");
	for (t = 0; t < APP_THREADS; t++) {
		IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(x[t].qa, NULL), 0, "unbind");
		IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(ch[0][t]), 0, "free channel");
	}
	/* the QPs now post through the default channel: one more round each */
	for (t = 0; t < APP_THREADS; t++)
		IWT_RUN(app_send_round(&x[t], APP_ROUNDS + t));

	svc_stop = 1;
	rc = rte_eal_wait_lcore(worker);
	IWT_ASSERT_EQ(rc, 0, "engine stopped");
	for (t = 0; t < APP_THREADS; t++) {
		rte_iwarp_dereg_mr(x[t].ma);
		rte_iwarp_dereg_mr(x[t].mb);
	}
	rc = iwt_vpair_close(&p);
	for (t = 0; t < APP_THREADS; t++) {
		free(x[t].a);
		free(x[t].b);
	}
	return rc;
}

/*
 * Posts made directly before the engine first polls (set-up) and posts the
 * application makes through the channels afterwards share the queues' room:
 * receives (a QP's RQ and an SRQ), a REG_MR and SENDs posted before the
 * engine starts, then a full queue of each from the application thread, on
 * the default channel (pair 0) and on created channels (pair 1, SRQ).
 */
#define PB_K 8          /* direct posts per queue */
#define PB_D 16         /* queue depth: the application then fills it */
#define PB_SLOT 1024
#define PB_LEN 1000
#define PB_SRQ 64       /* first slot of the SRQ's receives */
#define PB_FR 120       /* slots of the fast-registered region (4) */
#define PB_FR_IOVA 0x200000

struct pb_ctx {
	struct iwt_vpair *p;
	struct rte_iwarp_qp *qa[2], *qb[2];
	struct rte_iwarp_srq *srq;
	struct rte_iwarp_mr *ma, *mb, *fr;
	uint8_t *a, *b;
};

/* Receive slot s (b) of PB_LEN; a QP's RQ or the SRQ (qp NULL). */
static int
pb_recv(struct pb_ctx *x, struct rte_iwarp_qp *qp, int s)
{
	struct rte_iwarp_sge sg = { (uintptr_t)x->b + (size_t)s * PB_SLOT, PB_SLOT, x->mb->lkey };
	struct rte_iwarp_recv_wr rw = { .wr_id = (uint64_t)s, .sg_list = &sg, .num_sge = 1 };
	struct rte_iwarp_recv_wr *bad;
	int rc;

	rc = qp != NULL ? rte_iwarp_post_recv(qp, &rw, &bad) :
		rte_iwarp_post_srq_recv(x->srq, &rw, &bad);
	IWT_ASSERT_EQ(rc, 0, "receive of slot %d", s);
	return IWT_PASS;
}

/* SEND slot s of a (pattern s) to the receive of the same slot. */
static int
pb_send(struct pb_ctx *x, struct rte_iwarp_qp *qp, int s)
{
	struct rte_iwarp_sge sg = { (uintptr_t)x->a + (size_t)s * PB_SLOT, PB_LEN, x->ma->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = (uint64_t)s, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED }, *bad;

	iwt_vfill(x->a + (size_t)s * PB_SLOT, PB_LEN, (uint32_t)s);
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), 0, "SEND of slot %d", s);
	return IWT_PASS;
}

/* Receives [from, from + n) on qb[0]'s RQ and the SRQ, their SENDs from qa[0], qa[1]. */
static int
pb_round(struct pb_ctx *x, int from, int n)
{
	int i;

	for (i = from; i < from + n; i++) {
		IWT_RUN(pb_recv(x, x->qb[0], i));
		IWT_RUN(pb_recv(x, NULL, PB_SRQ + i));
	}
	for (i = from; i < from + n; i++) {
		IWT_RUN(pb_send(x, x->qa[0], i));
		IWT_RUN(pb_send(x, x->qa[1], PB_SRQ + i));
	}
	return IWT_PASS;
}

/*
 * Collect n completions from cq (service mode: the engine progresses), each
 * successful; a receive's slot must hold its SEND's pattern.
 */
static int
pb_collect(struct pb_ctx *x, struct rte_iwarp_cq *cq, int n)
{
	static struct rte_iwarp_wc wc[4 * PB_D];
	int i, got;

	got = svc_wc(cq, wc, n, 10000);
	IWT_ASSERT_EQ(got, n, "completions");
	for (i = 0; i < n; i++) {
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "wr_id %" PRIu64 ": %s",
			   wc[i].wr_id, rte_iwarp_wc_status_str(wc[i].status));
		if (wc[i].opcode != RTE_IWARP_WC_RECV || wc[i].wr_id >= PB_FR)
			continue;
		IWT_ASSERT_EQ(wc[i].byte_len, PB_LEN, "receive %" PRIu64, wc[i].wr_id);
		IWT_ASSERT(iwt_vcheck(x->b + wc[i].wr_id * PB_SLOT, PB_LEN,
				      (uint32_t)wc[i].wr_id) < 0, "bytes of slot %" PRIu64,
			   wc[i].wr_id);
	}
	return IWT_PASS;
}

/* Set-up, all direct: QPs, SRQ, channels, connections, MRs. */
static int
pb_setup(struct pb_ctx *x)
{
	struct rte_iwarp_qp_cap cap = { .max_send_wr = PB_D, .max_recv_wr = PB_D };
	struct rte_iwarp_srq_init_attr sa = { .max_wr = PB_D };
	struct rte_iwarp_qp_init_attr qa;
	struct rte_iwarp_cm_id *ia, *ib;
	struct iwt_vpair *p = x->p;
	int k;

	x->ma = rte_iwarp_reg_mr(p->pd[0], x->a, 128 * PB_SLOT, ACC_ALL);
	x->mb = rte_iwarp_reg_mr(p->pd[1], x->b, 128 * PB_SLOT, ACC_ALL);
	x->fr = rte_iwarp_alloc_mr(p->pd[1]);
	x->srq = rte_iwarp_create_srq(p->pd[1], &sa);
	IWT_ASSERT(x->ma && x->mb && x->fr && x->srq, "MRs, SRQ");
	for (k = 0; k < 2; k++) {
		x->qa[k] = iwt_vpair_qp(p, 0, &cap);
		memset(&qa, 0, sizeof(qa));
		qa.send_cq = qa.recv_cq = p->cq[1];
		qa.cap = cap;
		qa.srq = k == 1 ? x->srq : NULL;
		x->qb[k] = rte_iwarp_create_qp(p->pd[1], &qa);
		IWT_ASSERT(x->qa[k] != NULL && x->qb[k] != NULL, "QPs %d", k);
		IWT_ASSERT_EQ(iwt_vpair_connect(p, x->qa[k], x->qb[k], NULL, NULL, &ia, &ib), 0,
			      "connect %d", k);
		if (k == 0) {
			p->id[0] = ia;
			p->id[1] = ib;
		}
	}
	/* pair 1 posts through created channels, its SRQ too */
	IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(x->qa[1], rte_iwarp_svc_channel_create(p->dev[0])),
		      0, "channel of qa[1]");
	IWT_ASSERT_EQ(rte_iwarp_srq_set_channel(x->srq, rte_iwarp_svc_channel_create(p->dev[1])),
		      0, "channel of the SRQ");
	return IWT_PASS;
}

/* REG_MR of slots PB_FR.. of b on qb[0], signalled (wr_id PB_FR). */
static int
pb_reg_mr(struct pb_ctx *x)
{
	struct rte_iwarp_send_wr wr = { .wr_id = PB_FR, .opcode = RTE_IWARP_WR_REG_MR,
		.send_flags = RTE_IWARP_SEND_SIGNALED }, *bad;

	wr.wr.reg.mr = x->fr;
	wr.wr.reg.addr = x->b + PB_FR * PB_SLOT;
	wr.wr.reg.iova = PB_FR_IOVA;
	wr.wr.reg.length = 4 * PB_SLOT;
	wr.wr.reg.key = 0x5a;
	wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE;
	IWT_ASSERT_EQ(rte_iwarp_post_send(x->qb[0], &wr, &bad), 0, "REG_MR");
	return IWT_PASS;
}

/* After the engine runs: a WRITE through the fast-registered MR, a SEND back. */
static int
pb_write_and_reply(struct pb_ctx *x)
{
	struct rte_iwarp_sge sg = { (uintptr_t)x->a + 100 * PB_SLOT, 3000, x->ma->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = PB_FR + 1, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED }, *bad;

	iwt_vfill(x->a + 100 * PB_SLOT, 3000, 4242);
	wr.wr.rdma.remote_addr = PB_FR_IOVA + 17;
	wr.wr.rdma.rkey = x->fr->rkey;
	IWT_ASSERT_EQ(rte_iwarp_post_send(x->qa[0], &wr, &bad), 0, "WRITE through REG_MR");
	IWT_RUN(pb_collect(x, x->p->cq[0], 1));
	IWT_ASSERT(iwt_vcheck(x->b + PB_FR * PB_SLOT + 17, 3000, 4242) < 0, "WRITE bytes");
	/* qb[0]'s SQ had the direct REG_MR: a SEND back to qa[0]'s direct receive */
	iwt_vfill(x->b + 110 * PB_SLOT, PB_LEN, 110);
	sg = (struct rte_iwarp_sge){ (uintptr_t)x->b + 110 * PB_SLOT, PB_LEN, x->mb->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = PB_FR + 2, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
	IWT_ASSERT_EQ(rte_iwarp_post_send(x->qb[0], &wr, &bad), 0, "SEND back");
	IWT_RUN(pb_collect(x, x->p->cq[1], 1));
	IWT_RUN(pb_collect(x, x->p->cq[0], 1));
	IWT_ASSERT(iwt_vcheck(x->a + 110 * PB_SLOT, PB_LEN, 110) < 0, "SEND back bytes");
	return IWT_PASS;
}

static int
pb_run(struct pb_ctx *x, unsigned int worker)
{
	struct rte_iwarp_recv_wr rw = { .wr_id = PB_FR + 3, .num_sge = 1 }, *rbad;
	struct iwt_vpair *p = x->p;
	struct rte_iwarp_sge sg;

	IWT_RUN(pb_setup(x));
	sg = (struct rte_iwarp_sge){ (uintptr_t)x->a + 110 * PB_SLOT, PB_SLOT, x->ma->lkey };
	rw.sg_list = &sg;
	/* before the engine: receives, a REG_MR, SENDs, all direct */
	IWT_ASSERT_EQ(rte_iwarp_post_recv(x->qa[0], &rw, &rbad), 0, "qa[0] receive");
	IWT_RUN(pb_reg_mr(x));
	IWT_RUN(pb_round(x, 0, PB_K));
	svc_stop = 0;
	svc_polled = 0;
	IWT_ASSERT_EQ(rte_eal_remote_launch(engine_loop, p, worker), 0, "launch engine");
	while (!svc_polled)
		rte_pause();
	/* the direct posts complete on the engine (their tails pass them) */
	IWT_RUN(pb_collect(x, p->cq[1], 2 * PB_K + 1));
	IWT_RUN(pb_collect(x, p->cq[0], 2 * PB_K));
	/* the application thread: a full queue of each, through the channels */
	IWT_RUN(pb_round(x, PB_K, PB_D));
	IWT_RUN(pb_collect(x, p->cq[1], 2 * PB_D));
	IWT_RUN(pb_collect(x, p->cq[0], 2 * PB_D));
	IWT_RUN(pb_write_and_reply(x));
	return IWT_PASS;
}

IWT_CASE(verbs_ring_service_mode_posts_before_engine_starts)
{
	struct pb_ctx x = { 0 };
	struct iwt_vpair p;
	unsigned int worker;
	int rc, k;

	IWT_ASSERT_EQ(iwt_vpair_open_mode(&p, "vsvpb", 256, RTE_IWARP_MODE_SERVICE), 0, "open");
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		IWT_SKIP_BECAUSE("service mode needs a second lcore");
	x.p = &p;
	x.a = calloc(128, PB_SLOT);
	x.b = calloc(128, PB_SLOT);
	IWT_ASSERT(x.a != NULL && x.b != NULL, "memory");
	rc = pb_run(&x, worker);
	svc_stop = 1;
	IWT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "engine stopped");
	/* the engine is stopped: direct calls again */
	for (k = 0; k < 2 && x.qb[1] != NULL; k++) {
		rte_iwarp_destroy_qp(x.qa[k]);
		rte_iwarp_destroy_qp(x.qb[k]);
	}
	rte_iwarp_destroy_srq(x.srq);
	k = iwt_vpair_close(&p);
	free(x.a);
	free(x.b);
	return rc != IWT_PASS ? rc : k;
}

/*
 * A receive whose post returned before the peer sent is there when the SEND
 * arrives, even in a poll whose drain of the channels came before the post:
 * device B's engine (the worker lcore) is held inside its receive burst (an
 * ethdev RX callback on its port, after rte_iwarp_dev_poll() drained the
 * channels); meanwhile this thread posts the receive (B's own RQ, then B's
 * SRQ) and makes device A, whose engine it is, send the SEND; the callback
 * then hands the frames A sent to that very burst. A SEND found with its
 * receive still in the channel is refused with a DDP "no buffer" TERMINATE
 * (how verbs_memif_service_mode_srq failed under load).
 */
#define MP_LEN 3000     /* three FPDUs: the message spans several segments */
#define MP_WAIT_MS 5000

struct mid_poll {
	struct iwt_vpair *p;
	struct rte_ring *wire;     /* A -> B: what B's port receives */
	struct rte_iwarp_qp *qa[2], *qb[2]; /* pair 0: B's own RQ; pair 1: B's SRQ */
	struct rte_iwarp_srq *srq;
	struct rte_iwarp_mr *ma, *mb;
	uint8_t *a, *b;
	uint32_t armed;            /* B's next receive burst waits */
	uint32_t held;             /* B's engine waits in its receive burst */
	uint32_t sent;             /* the receive is posted and A has sent: go on */
	bool launched;             /* B's engine runs on the worker */
};

static volatile int mp_stop;
static volatile int mp_polled;

static int
mp_engine(void *arg)
{
	struct iwt_vpair *p = arg;

	while (!mp_stop) {
		rte_iwarp_dev_poll(p->dev[1]);
		mp_polled = 1;
	}
	return 0;
}

static uint64_t
mp_deadline(void)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * MP_WAIT_MS / 1000;
}

/* B's RX callback: in B's receive burst, so after the poll's drain of the channels. */
static uint16_t
mp_rx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb, uint16_t max,
      void *arg)
{
	struct mid_poll *m = arg;
	uint64_t end = mp_deadline();

	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	if (!__atomic_load_n(&m->armed, __ATOMIC_ACQUIRE))
		return nb;
	__atomic_store_n(&m->armed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->held, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&m->sent, __ATOMIC_ACQUIRE) && rte_get_timer_cycles() < end)
		rte_pause();
	/* what A sent meanwhile comes in this burst (B's engine is the ring's consumer) */
	return nb + (uint16_t)rte_ring_dequeue_burst(m->wire, (void **)&pkts[nb], max - nb,
						     NULL);
}

static int
mp_stats(void *arg)
{
	struct mid_poll *m = arg;
	struct rte_iwarp_dev_stats st;

	if (rte_iwarp_dev_stats_get(m->p->dev[1], &st) < 0)
		return -EINVAL;
	return (int)st.tx_terminate;
}

/* One SEND of pair k into a receive posted while B's engine is held mid-poll. */
static int
mp_round(struct mid_poll *m, int k)
{
	struct rte_iwarp_sge rs = { (uintptr_t)m->b + (size_t)k * MP_LEN, MP_LEN, m->mb->lkey };
	struct rte_iwarp_recv_wr rw = { .wr_id = 100 + k, .sg_list = &rs, .num_sge = 1 }, *rbad;
	struct rte_iwarp_sge ss = { (uintptr_t)m->a + (size_t)k * MP_LEN, MP_LEN, m->ma->lkey };
	struct rte_iwarp_send_wr sw = { .wr_id = 200 + k, .sg_list = &ss, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
	struct iwt_vpair *p = m->p;
	struct rte_iwarp_wc wc;
	unsigned int before;
	uint64_t end = mp_deadline();
	int got = 0;

	iwt_vfill(m->a + (size_t)k * MP_LEN, MP_LEN, 700 + k);
	__atomic_store_n(&m->sent, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->held, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->armed, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&m->held, __ATOMIC_ACQUIRE) && rte_get_timer_cycles() < end)
		rte_pause();
	IWT_ASSERT(__atomic_load_n(&m->held, __ATOMIC_ACQUIRE), "B's engine in its burst");
	/* B's engine has drained its channels in this poll: the post stays in one */
	IWT_ASSERT_EQ(k == 0 ? rte_iwarp_post_recv(m->qb[0], &rw, &rbad) :
		      rte_iwarp_post_srq_recv(m->srq, &rw, &rbad), 0, "receive %d", k);
	/* then the peer sends: A's frames go onto the wire while B is still held */
	before = rte_ring_count(m->wire);
	IWT_ASSERT_EQ(iwt_post_send1(m->qa[k], &sw), 0, "SEND %d", k);
	while (rte_ring_count(m->wire) == before && rte_get_timer_cycles() < end)
		rte_iwarp_dev_poll(p->dev[0]);
	IWT_ASSERT(rte_ring_count(m->wire) > before, "A sent SEND %d", k);
	__atomic_store_n(&m->sent, 1, __ATOMIC_RELEASE);
	while (got == 0 && rte_get_timer_cycles() < end) {
		rte_iwarp_dev_poll(p->dev[0]);
		got = rte_iwarp_poll_cq(p->cq[1], 1, &wc);
	}
	IWT_ASSERT_EQ(rte_iwarp_dev_call(p->dev[1], mp_stats, m), 0,
		      "B sent no TERMINATE (receive %d)", k);
	IWT_ASSERT_EQ(got, 1, "receive %d completes", k);
	IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS && wc.wr_id == (uint64_t)100 + k &&
		   wc.byte_len == MP_LEN, "receive %d: %s, wr %" PRIu64 ", %u bytes", k,
		   rte_iwarp_wc_status_str(wc.status), wc.wr_id, wc.byte_len);
	IWT_ASSERT(memcmp(m->b + (size_t)k * MP_LEN, m->a + (size_t)k * MP_LEN, MP_LEN) == 0,
		   "SEND %d bytes", k);
	got = 0;
	while (got == 0 && rte_get_timer_cycles() < end) {
		rte_iwarp_dev_poll(p->dev[0]);
		got = rte_iwarp_poll_cq(p->cq[0], 1, &wc);
	}
	IWT_ASSERT(got == 1 && wc.status == RTE_IWARP_WC_SUCCESS && wc.wr_id == (uint64_t)200 + k,
		   "SEND %d completes", k);
	return IWT_PASS;
}

static int
mp_run(struct mid_poll *m, unsigned int worker)
{
	struct rte_iwarp_srq_init_attr sa = { .max_wr = 16, .max_sge = 1 };
	struct rte_iwarp_qp_init_attr qa;
	struct iwt_vpair *p = m->p;
	int k;

	/* set-up before the engine runs: direct calls, polled here */
	m->ma = rte_iwarp_reg_mr(p->pd[0], m->a, 2 * MP_LEN, ACC_ALL);
	m->mb = rte_iwarp_reg_mr(p->pd[1], m->b, 2 * MP_LEN, ACC_ALL);
	m->srq = rte_iwarp_create_srq(p->pd[1], &sa);
	IWT_ASSERT(m->ma != NULL && m->mb != NULL && m->srq != NULL, "MRs, SRQ");
	for (k = 0; k < 2; k++) {
		m->qa[k] = iwt_vpair_qp(p, 0, NULL);
		qa = (struct rte_iwarp_qp_init_attr){ .send_cq = p->cq[1], .recv_cq = p->cq[1],
						      .srq = k == 1 ? m->srq : NULL };
		m->qb[k] = rte_iwarp_create_qp(p->pd[1], &qa);
		IWT_ASSERT(m->qa[k] != NULL && m->qb[k] != NULL, "QPs %d", k);
		IWT_ASSERT_EQ(iwt_vpair_connect(p, m->qa[k], m->qb[k], NULL, NULL, &p->id[0],
						&p->id[1]), 0, "connect %d", k);
	}
	/* B goes to the engine lcore; this thread stays A's engine and B's application */
	mp_stop = 0;
	mp_polled = 0;
	IWT_ASSERT_EQ(rte_eal_remote_launch(mp_engine, p, worker), 0, "launch engine");
	m->launched = true;
	while (!mp_polled)
		rte_pause();
	for (k = 0; k < 2; k++)
		IWT_RUN(mp_round(m, k));
	return IWT_PASS;
}

IWT_CASE(verbs_ring_service_mode_recv_posted_mid_poll_takes_the_send)
{
	const struct rte_eth_rxtx_callback *cb;
	struct mid_poll m = { 0 };
	struct iwt_vpair p;
	unsigned int worker;
	int rc, k;

	IWT_ASSERT_EQ(iwt_vpair_open_mode(&p, "vsvmp", 64, RTE_IWARP_MODE_SERVICE), 0, "open");
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		IWT_SKIP_BECAUSE("service mode needs a second lcore");
	m.p = &p;
	m.a = calloc(2, MP_LEN);
	m.b = calloc(2, MP_LEN);
	m.wire = rte_ring_lookup("vsvmp_ab0");
	IWT_ASSERT(m.a != NULL && m.b != NULL && m.wire != NULL, "memory, the A -> B ring");
	cb = rte_eth_add_rx_callback(p.port[1]->port_id, 0, mp_rx, &m);
	IWT_ASSERT(cb != NULL, "RX callback");
	rc = mp_run(&m, worker);
	/* a failed round may leave B's engine held: let it go */
	__atomic_store_n(&m.sent, 1, __ATOMIC_RELEASE);
	mp_stop = 1;
	k = m.launched ? rte_eal_wait_lcore(worker) : 0;
	IWT_ASSERT_EQ(k, 0, "engine stopped");
	IWT_ASSERT_EQ(rte_eth_remove_rx_callback(p.port[1]->port_id, 0, cb), 0, "callback");
	rte_free((void *)(uintptr_t)cb);
	k = iwt_vpair_close(&p);
	free(m.a);
	free(m.b);
	return rc != IWT_PASS ? rc : k;
}
