/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every API function's error cases, with the sign of what it returns:
 * constructors give NULL and a positive rte_errno, control and post calls a
 * negative errno, and a rejected work request never completes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mempool.h>

#include "iwt.h"
#include "iwt_verbs.h"

#define NULL_ERRNO(expr, err) do { \
	rte_errno = 0; \
	IWT_ASSERT((expr) == NULL, #expr " must fail"); \
	IWT_ASSERT_EQ(rte_errno, err, #expr ": rte_errno (positive)"); \
} while (0)

IWT_CASE(verbs_api_error_signs)
{
	struct rte_iwarp_dev_conf dc = { 0 };
	struct rte_iwarp_qp_init_attr qa;
	struct rte_iwarp_srq_init_attr sa = { 0 };
	struct rte_iwarp_send_wr wr, *bad;
	struct rte_iwarp_recv_wr rw, *rbad;
	struct rte_iwarp_mw_bind_info bi;
	struct rte_iwarp_dev_stats st;
	struct rte_iwarp_qp_attr attr;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_wc wc[4];
	struct rte_iwarp_sge sg;
	struct rte_iwarp_mr *mr, *ro;
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_srq *srq;
	struct rte_iwarp_mw *mw;
	struct rte_iwarp_pd *pd2;
	struct iwt_vpair p;
	uint8_t *buf = calloc(1, 65536);
	char big[600];

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vae", 16), 0, "open");
	/* device */
	NULL_ERRNO(rte_iwarp_dev_open(NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);
	dc.port = iw_port_handle(p.port[0]);
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);          /* no address */
	dc.ip = IWT_V_IP_A;
	dc.max_cm_events = 100;
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);          /* not a power of 2 */
	dc.max_cm_events = 0;
	dc.tcp_rto_min_us = 999;
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);          /* RTO floor below 1 ms */
	dc.tcp_rto_min_us = 60000001;
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);          /* above 60 s */
	dc.tcp_rto_min_us = 0;
	dc.tx_sndq_mbufs = 63;
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);          /* admission limit below 64 */
	dc.tx_sndq_mbufs = iw_port_pool(p.port[0], 0)->size + 1;
	NULL_ERRNO(rte_iwarp_dev_open(&dc), EINVAL);          /* more than the pool */
	dc.tx_sndq_mbufs = 0;
	dc.max_cm_events = 100;
	IWT_ASSERT_EQ(rte_iwarp_dev_poll(NULL), -EINVAL, "poll NULL");
	IWT_ASSERT_EQ(rte_iwarp_dev_stats_get(NULL, &st), -EINVAL, "stats NULL");
	rte_iwarp_dev_close(NULL);
	/* PD, MR, MW */
	NULL_ERRNO(rte_iwarp_alloc_pd(NULL), EINVAL);
	IWT_ASSERT_EQ(rte_iwarp_dealloc_pd(NULL), -EINVAL, "dealloc_pd NULL");
	NULL_ERRNO(rte_iwarp_reg_mr(NULL, buf, 100, 0), EINVAL);
	NULL_ERRNO(rte_iwarp_reg_mr(p.pd[0], NULL, 100, 0), EINVAL);
	NULL_ERRNO(rte_iwarp_reg_mr(p.pd[0], buf, 0, 0), EINVAL);
	NULL_ERRNO(rte_iwarp_reg_mr(p.pd[0], buf, 100, 1u << 20), EINVAL);
	NULL_ERRNO(rte_iwarp_reg_mr(p.pd[0], buf, 100, RTE_IWARP_ACCESS_REMOTE_WRITE), EINVAL);
	NULL_ERRNO(rte_iwarp_alloc_mr(NULL), EINVAL);
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(NULL), -EINVAL, "dereg NULL");
	NULL_ERRNO(rte_iwarp_alloc_mw(NULL, RTE_IWARP_MW_TYPE_1), EINVAL);
	NULL_ERRNO(rte_iwarp_alloc_mw(p.pd[0], (enum rte_iwarp_mw_type)3), EINVAL);
	IWT_ASSERT_EQ(rte_iwarp_dealloc_mw(NULL), -EINVAL, "dealloc_mw NULL");
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(NULL, NULL), -EINVAL, "bind NULL");
	mr = rte_iwarp_reg_mr(p.pd[0], buf, 65536, RTE_IWARP_ACCESS_LOCAL_WRITE |
			      RTE_IWARP_ACCESS_REMOTE_WRITE | RTE_IWARP_ACCESS_MW_BIND);
	ro = rte_iwarp_reg_mr(p.pd[0], buf, 4096, 0);
	IWT_ASSERT(mr != NULL && ro != NULL && mr->rkey != 0 && ro->rkey != 0, "reg_mr");
	IWT_ASSERT_EQ(rte_iwarp_dealloc_pd(p.pd[0]), -EBUSY, "PD in use");
	mw = rte_iwarp_alloc_mw(p.pd[0], RTE_IWARP_MW_TYPE_1);
	IWT_ASSERT(mw != NULL, "alloc_mw");
	pd2 = rte_iwarp_alloc_pd(p.dev[0]);
	bi = (struct rte_iwarp_mw_bind_info){ mr, (uintptr_t)buf, 100,
		RTE_IWARP_ACCESS_REMOTE_READ };
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw, &bi), -EINVAL, "window access beyond the MR's");
	bi.mw_access_flags = RTE_IWARP_ACCESS_REMOTE_WRITE;
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw, &bi), 0, "bind");
	bi.mr = ro;
	IWT_ASSERT_EQ(rte_iwarp_bind_mw(mw, &bi), -EINVAL, "bind in an MR without MW_BIND");
	IWT_ASSERT_EQ(rte_iwarp_dealloc_pd(pd2), 0, "dealloc unused PD");
	/* CQ */
	NULL_ERRNO(rte_iwarp_create_cq(NULL, 16, NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_create_cq(p.dev[0], 0, NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_create_cq(p.dev[0], (1u << 22) + 1, NULL), EINVAL);
	IWT_ASSERT_EQ(rte_iwarp_destroy_cq(NULL), -EINVAL, "destroy_cq NULL");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(NULL, 4, wc), -EINVAL, "poll NULL");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], -1, wc), -EINVAL, "poll negative");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], 4, NULL), -EINVAL, "poll no array");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], 4, wc), 0, "poll empty: 0");
	IWT_ASSERT_EQ(rte_iwarp_req_notify_cq(NULL, false), -EINVAL, "notify NULL");
	IWT_ASSERT_EQ(rte_iwarp_cq_event(NULL), -EINVAL, "cq_event NULL");
	IWT_ASSERT_EQ(rte_iwarp_cq_event(p.cq[0]), 0, "no event");
	/* QP */
	memset(&qa, 0, sizeof(qa));
	NULL_ERRNO(rte_iwarp_create_qp(NULL, &qa), EINVAL);
	NULL_ERRNO(rte_iwarp_create_qp(p.pd[0], NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_create_qp(p.pd[0], &qa), EINVAL);  /* no CQs */
	qa.send_cq = qa.recv_cq = p.cq[1];                        /* other device's CQ */
	NULL_ERRNO(rte_iwarp_create_qp(p.pd[0], &qa), EINVAL);
	qa.send_cq = qa.recv_cq = p.cq[0];
	qa.cap.max_send_sge = 17;
	NULL_ERRNO(rte_iwarp_create_qp(p.pd[0], &qa), EINVAL);
	qa.cap.max_send_sge = 0;
	qa.cap.max_inline_data = 4096;
	NULL_ERRNO(rte_iwarp_create_qp(p.pd[0], &qa), EINVAL);
	qa.cap.max_inline_data = 0;
	qa.cap.max_send_wr = 4;
	qp = rte_iwarp_create_qp(p.pd[0], &qa);
	IWT_ASSERT(qp != NULL, "create_qp");
	IWT_ASSERT_EQ(qa.cap.max_send_wr, 4, "granted caps written back");
	IWT_ASSERT_EQ(rte_iwarp_destroy_cq(p.cq[0]), -EBUSY, "CQ in use");
	IWT_ASSERT_EQ(rte_iwarp_destroy_qp(NULL), -EINVAL, "destroy_qp NULL");
	IWT_ASSERT_EQ(rte_iwarp_modify_qp_state(NULL, RTE_IWARP_QPS_ERR), -EINVAL, "modify NULL");
	IWT_ASSERT_EQ(rte_iwarp_modify_qp_state(qp, RTE_IWARP_QPS_RTS), -EINVAL, "only ERR");
	IWT_ASSERT_EQ(rte_iwarp_query_qp(NULL, &attr), -EINVAL, "query NULL");
	IWT_ASSERT_EQ(rte_iwarp_query_qp(qp, &attr), 0, "query");
	IWT_ASSERT_EQ(attr.state, RTE_IWARP_QPS_INIT, "INIT");
	/* post_send: each rejection negative, bad_wr set, no completion */
	sg = (struct rte_iwarp_sge){ (uintptr_t)buf, 100, mr->lkey };
	memset(&wr, 0, sizeof(wr));
	wr.sg_list = &sg;
	wr.num_sge = 1;
	IWT_ASSERT_EQ(rte_iwarp_post_send(NULL, &wr, &bad), -EINVAL, "post NULL QP");
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, NULL, &bad), -EINVAL, "post NULL WR");
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, NULL), -EINVAL, "post NULL bad_wr");
	wr.opcode = RTE_IWARP_WR_SEND_WITH_IMM;
	bad = NULL;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EOPNOTSUPP, "SEND_WITH_IMM");
	IWT_ASSERT(bad == &wr, "bad_wr");
	wr.opcode = (enum rte_iwarp_wr_opcode)99;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "bad opcode");
	wr.opcode = RTE_IWARP_WR_SEND;
	sg.lkey = mr->lkey ^ 0x80;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "bad lkey");
	sg.lkey = ro->lkey;
	sg.length = 5000;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "SGE beyond the MR");
	sg = (struct rte_iwarp_sge){ (uintptr_t)buf, 100, mr->lkey };
	wr.num_sge = 3;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "too many SGEs");
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "WRITE with rkey 0");
	wr.opcode = RTE_IWARP_WR_RDMA_READ;
	wr.wr.rdma.rkey = 0x100;
	sg.lkey = ro->lkey;
	sg.length = 10;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "READ sink not writable");
	sg = (struct rte_iwarp_sge){ (uintptr_t)buf, 8, mr->lkey };
	wr.opcode = RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD;
	wr.wr.atomic.rkey = 0x100;
	wr.wr.atomic.remote_addr = 4;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "unaligned atomic");
	wr.opcode = RTE_IWARP_WR_LOCAL_INV;
	wr.invalidate_rkey = 0;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "LOCAL_INV of STag 0");
	wr.opcode = RTE_IWARP_WR_BIND_MW;
	memset(&wr.wr, 0, sizeof(wr.wr));
	wr.wr.bind_mw.mw = mw;                                     /* type 1: not by WR */
	wr.wr.bind_mw.bind_info.mr = mr;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "BIND_MW of type 1");
	wr.opcode = RTE_IWARP_WR_REG_MR;
	wr.wr.reg.mr = mr;                                         /* not a fast-reg MR */
	wr.wr.reg.addr = buf;
	wr.wr.reg.length = 10;
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -EINVAL, "REG_MR of a plain MR");
	/* the send queue fills: -ENOMEM, and nothing of it completes later */
	wr.opcode = RTE_IWARP_WR_SEND;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	for (int i = 0; i < 4; i++)
		IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), 0, "post %d (queued in INIT)", i);
	IWT_ASSERT_EQ(rte_iwarp_post_send(qp, &wr, &bad), -ENOMEM, "SQ full");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], 4, wc), 0, "nothing completed");
	/* post_recv */
	sg = (struct rte_iwarp_sge){ (uintptr_t)buf, 100, mr->lkey };
	rw = (struct rte_iwarp_recv_wr){ .sg_list = &sg, .num_sge = 1 };
	IWT_ASSERT_EQ(rte_iwarp_post_recv(NULL, &rw, &rbad), -EINVAL, "recv NULL QP");
	IWT_ASSERT_EQ(rte_iwarp_post_recv(qp, NULL, &rbad), -EINVAL, "recv NULL WR");
	sg.lkey = ro->lkey;
	IWT_ASSERT_EQ(rte_iwarp_post_recv(qp, &rw, &rbad), -EINVAL, "recv into read-only MR");
	IWT_ASSERT(rbad == &rw, "bad recv");
	rw.num_sge = 5;
	IWT_ASSERT_EQ(rte_iwarp_post_recv(qp, &rw, &rbad), -EINVAL, "recv too many SGEs");
	/* SRQ */
	NULL_ERRNO(rte_iwarp_create_srq(NULL, &sa), EINVAL);
	NULL_ERRNO(rte_iwarp_create_srq(p.pd[0], NULL), EINVAL);
	sa.max_sge = 17;
	NULL_ERRNO(rte_iwarp_create_srq(p.pd[0], &sa), EINVAL);
	sa.max_sge = 1;
	sa.max_wr = 2;
	srq = rte_iwarp_create_srq(p.pd[0], &sa);
	IWT_ASSERT(srq != NULL, "create_srq");
	rw.num_sge = 1;
	sg.lkey = mr->lkey;
	IWT_ASSERT_EQ(rte_iwarp_post_srq_recv(NULL, &rw, &rbad), -EINVAL, "srq NULL");
	IWT_ASSERT_EQ(rte_iwarp_post_srq_recv(srq, &rw, &rbad), 0, "srq post");
	IWT_ASSERT_EQ(rte_iwarp_post_srq_recv(srq, &rw, &rbad), 0, "srq post");
	IWT_ASSERT_EQ(rte_iwarp_post_srq_recv(srq, &rw, &rbad), -ENOMEM, "srq full");
	IWT_ASSERT_EQ(rte_iwarp_destroy_srq(NULL), -EINVAL, "destroy_srq NULL");
	IWT_ASSERT_EQ(rte_iwarp_destroy_srq(srq), 0, "destroy_srq");
	/* CM */
	NULL_ERRNO(rte_iwarp_listen(NULL, 1, 0, NULL, NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_listen(p.dev[0], 0, 0, NULL, NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_connect(NULL, IWT_V_IP_B, 1, NULL, NULL), EINVAL);
	NULL_ERRNO(rte_iwarp_connect(qp, 0, 1, NULL, NULL), EINVAL);
	{
		struct rte_iwarp_conn_param cp = { .private_data = big, .private_data_len = 600 };

		memset(big, 'x', sizeof(big));
		NULL_ERRNO(rte_iwarp_connect(qp, IWT_V_IP_B, 1, &cp, NULL), EINVAL);
		cp.private_data_len = 10;
		cp.mpa_rev = 3;
		NULL_ERRNO(rte_iwarp_connect(qp, IWT_V_IP_B, 1, &cp, NULL), EINVAL);
	}
	IWT_ASSERT_EQ(rte_iwarp_accept(NULL, qp, NULL), -EINVAL, "accept NULL");
	IWT_ASSERT_EQ(rte_iwarp_reject(NULL, NULL, 0), -EINVAL, "reject NULL");
	IWT_ASSERT_EQ(rte_iwarp_disconnect(NULL), -EINVAL, "disconnect NULL");
	IWT_ASSERT_EQ(rte_iwarp_cm_get_event(NULL, &ev), -EINVAL, "get_event NULL");
	IWT_ASSERT_EQ(rte_iwarp_cm_get_event(p.dev[0], NULL), -EINVAL, "get_event no ev");
	IWT_ASSERT_EQ(rte_iwarp_cm_get_event(p.dev[0], &ev), -EAGAIN, "no event");
	IWT_ASSERT_EQ(rte_iwarp_cm_ack_event(NULL), -EINVAL, "ack NULL");
	IWT_ASSERT_EQ(rte_iwarp_cm_destroy_id(NULL), -EINVAL, "destroy_id NULL");
	/* getters: NULL in, NULL/0 out */
	IWT_ASSERT(rte_iwarp_cm_context(NULL) == NULL, "cm_context NULL");
	IWT_ASSERT(rte_iwarp_cm_qp(NULL) == NULL, "cm_qp NULL");
	rte_iwarp_cm_set_context(NULL, buf);
	IWT_ASSERT(rte_iwarp_qp_context(NULL) == NULL, "qp_context NULL");
	IWT_ASSERT_EQ(rte_iwarp_qp_num(NULL), 0, "qp_num NULL");
	IWT_ASSERT(rte_iwarp_qp_num(qp) != 0, "QP numbers start at 1");
	IWT_ASSERT(rte_iwarp_cq_context(NULL) == NULL, "cq_context NULL");
	IWT_ASSERT_EQ(rte_iwarp_dev_call(NULL, NULL, NULL), -EINVAL, "dev_call NULL");
	IWT_ASSERT(strcmp(rte_iwarp_wc_status_str(RTE_IWARP_WC_WR_FLUSH_ERR), "flushed") == 0,
		   "status name");
	IWT_ASSERT(strcmp(rte_iwarp_wc_status_str((enum rte_iwarp_wc_status)99), "unknown") == 0,
		   "unknown status name");
	IWT_ASSERT(strcmp(rte_iwarp_cm_event_str((enum rte_iwarp_cm_event_type)0), "unknown") == 0,
		   "unknown event name");
	/* service-mode channels: refused on NULL and on inline-mode objects */
	{
		struct rte_iwarp_srq *srq_inl;

		sa.max_wr = 4;
		sa.max_sge = 1;
		srq_inl = rte_iwarp_create_srq(p.pd[0], &sa);
		IWT_ASSERT(srq_inl != NULL, "inline-mode SRQ");
		NULL_ERRNO(rte_iwarp_svc_channel_create(NULL), EINVAL);
		NULL_ERRNO(rte_iwarp_svc_channel_create(p.dev[0]), EINVAL); /* inline mode */
		IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(NULL), 0, "free NULL");
		IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(NULL, NULL), -EINVAL, "NULL QP");
		IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(qp, NULL), -EINVAL, "inline-mode QP");
		IWT_ASSERT_EQ(rte_iwarp_srq_set_channel(NULL, NULL), -EINVAL, "NULL SRQ");
		IWT_ASSERT_EQ(rte_iwarp_srq_set_channel(srq_inl, NULL), -EINVAL, "inline-mode SRQ");
		IWT_ASSERT_EQ(rte_iwarp_destroy_srq(srq_inl), 0, "destroy SRQ");
	}
	/* a QP in ERROR flushes what it holds, in order, and later posts too */
	IWT_ASSERT_EQ(rte_iwarp_modify_qp_state(qp, RTE_IWARP_QPS_ERR), 0, "to ERR");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], 4, wc), 4, "4 flushed");
	IWT_ASSERT(wc[0].status == RTE_IWARP_WC_WR_FLUSH_ERR, "flush status");
	IWT_ASSERT_EQ(rte_iwarp_destroy_qp(qp), 0, "destroy_qp");
	IWT_ASSERT_EQ(rte_iwarp_dealloc_mw(mw), 0, "dealloc_mw");
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(mr), 0, "dereg");
	IWT_ASSERT_EQ(rte_iwarp_dereg_mr(ro), 0, "dereg");
	free(buf);
	return iwt_vpair_close(&p);
}

/*
 * The service-mode channel calls (rdma/rte_iwarp.h; their NULL and
 * inline-mode refusals are in verbs_api_error_signs): 64 channels per device at most
 * (the default one counts: ENOSPC for the 64th created), a bound channel
 * not freed (-EBUSY), rebinding and unbinding. Before the engine first polls
 * these calls run directly, so no engine lcore is needed.
 */
IWT_CASE(verbs_api_service_channel_errors)
{
	struct rte_iwarp_svc_channel *ch[64];
	struct rte_iwarp_srq_init_attr sa = { 0 };
	struct rte_iwarp_srq *srq;
	struct rte_iwarp_qp *qp;
	struct iwt_vpair svc;
	unsigned int i, n;

	sa.max_wr = 4;
	sa.max_sge = 1;
	IWT_ASSERT_EQ(iwt_vpair_open_mode(&svc, "vcs", 16, RTE_IWARP_MODE_SERVICE), 0,
		      "open service pair");
	qp = iwt_vpair_qp(&svc, 0, NULL);
	srq = rte_iwarp_create_srq(svc.pd[0], &sa);
	IWT_ASSERT(qp != NULL && srq != NULL, "service-mode QP and SRQ");
	for (n = 0; n < RTE_DIM(ch); n++) {
		rte_errno = 0;
		ch[n] = rte_iwarp_svc_channel_create(svc.dev[0]);
		if (ch[n] == NULL)
			break;
	}
	IWT_ASSERT_EQ(n, 63u, "channels besides the default one");
	IWT_ASSERT_EQ(rte_errno, ENOSPC, "the 64th: rte_errno (positive)");
	IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(qp, ch[0]), 0, "bind QP");
	IWT_ASSERT_EQ(rte_iwarp_srq_set_channel(srq, ch[1]), 0, "bind SRQ");
	IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(ch[0]), -EBUSY, "channel of a QP");
	IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(ch[1]), -EBUSY, "channel of an SRQ");
	IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(qp, ch[2]), 0, "move QP");
	IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(ch[0]), 0, "unbound channel freed");
	IWT_ASSERT_EQ(rte_iwarp_srq_set_channel(srq, NULL), 0, "SRQ back to the default");
	IWT_ASSERT_EQ(rte_iwarp_qp_set_channel(qp, ch[2]), 0, "rebind to its own channel");
	IWT_ASSERT_EQ(rte_iwarp_destroy_qp(qp), 0, "destroy QP (unbinds)");
	IWT_ASSERT_EQ(rte_iwarp_destroy_srq(srq), 0, "destroy SRQ");
	for (i = 1; i < n; i++)
		IWT_ASSERT_EQ(rte_iwarp_svc_channel_free(ch[i]), 0, "free channel %u", i);
	/* room again for one more */
	ch[0] = rte_iwarp_svc_channel_create(svc.dev[0]);
	IWT_ASSERT(ch[0] != NULL, "a channel after freeing");
	return iwt_vpair_close(&svc);
}
