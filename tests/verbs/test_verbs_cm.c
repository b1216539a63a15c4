/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection manager over a ring wire: private data both ways, reject
 * with private data, every peer-to-peer ready-to-receive type, client-server
 * mode, MPA revision 1, CRC off, markers in both directions, unreachable
 * peers and MPA exchange timeouts on both sides.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iwt.h"
#include "iwt_verbs.h"
#include "iw_verbs_pvt.h"

#define ACC_ALL (RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE | \
		 RTE_IWARP_ACCESS_REMOTE_READ)

/* A SEND each way and a READ, data checked: the connection really works. */
static int
traffic(struct iwt_vpair *p, struct rte_iwarp_qp *qa, struct rte_iwarp_qp *qb, uint32_t len)
{
	struct rte_iwarp_qp *q[2] = { qa, qb };
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_mr *mr[2];
	struct rte_iwarp_wc wc;
	struct rte_iwarp_sge sg;
	uint8_t *m[2];
	int s, r;

	for (s = 0; s < 2; s++) {
		m[s] = calloc(1, 4 * len);
		mr[s] = rte_iwarp_reg_mr(p->pd[s], m[s], 4 * len, ACC_ALL);
		IWT_ASSERT(m[s] != NULL && mr[s] != NULL, "memory");
	}
	for (s = 0; s < 2; s++) {
		r = s ^ 1;
		iwt_vfill(m[s], len, 40 + s);
		IWT_ASSERT_EQ(iwt_post_recv1(q[r], 1, m[r] + len, len, mr[r]->lkey), 0, "recv");
		sg = (struct rte_iwarp_sge){ (uintptr_t)m[s], len, mr[s]->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = 2, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
		IWT_ASSERT_EQ(iwt_post_send1(q[s], &wr), 0, "SEND");
		IWT_ASSERT_EQ(iwt_vpair_wc(p, p->cq[r], &wc, 1, 3000), 1, "recv");
		IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS && wc.byte_len == len, "recv status");
		IWT_ASSERT(iwt_vcheck(m[r] + len, len, 40 + s) < 0, "SEND bytes");
		IWT_ASSERT_EQ(iwt_vpair_wc(p, p->cq[s], &wc, 1, 3000), 1, "send");
		/* READ back what the peer received */
		sg = (struct rte_iwarp_sge){ (uintptr_t)m[s] + 2 * len, len, mr[s]->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
		wr.wr.rdma.remote_addr = (uintptr_t)m[r] + len;
		wr.wr.rdma.rkey = mr[r]->rkey;
		IWT_ASSERT_EQ(iwt_post_send1(q[s], &wr), 0, "READ");
		IWT_ASSERT_EQ(iwt_vpair_wc(p, p->cq[s], &wc, 1, 3000), 1, "READ done");
		IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS, "READ status");
		IWT_ASSERT(iwt_vcheck(m[s] + 2 * len, len, 40 + s) < 0, "READ bytes");
	}
	/* every operation has completed: neither side's memory is in use */
	for (s = 0; s < 2; s++) {
		IWT_ASSERT_EQ(rte_iwarp_dereg_mr(mr[s]), 0, "dereg");
		free(m[s]);
	}
	return IWT_PASS;
}

IWT_CASE(verbs_ring_cm_private_data_and_reject)
{
	struct rte_iwarp_conn_param cp = { .private_data = "hello-request",
					   .private_data_len = 13 };
	struct rte_iwarp_conn_param ap = { .private_data = "welcome", .private_data_len = 7 };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_cm_id *id;
	struct iwt_vpair p;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vcr", 64), 0, "open");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	p.qp[1] = iwt_vpair_qp(&p, 1, NULL);
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 0, NULL, NULL);
	IWT_ASSERT(p.lid != NULL, "listen");
	IWT_ASSERT(rte_iwarp_listen(p.dev[1], IWT_V_PORT, 0, NULL, NULL) == NULL &&
		   rte_errno == EADDRINUSE, "second listener on the port");
	/* reject with private data */
	id = rte_iwarp_connect(p.qp[0], IWT_V_IP_B, IWT_V_PORT, &cp, NULL);
	IWT_ASSERT(id != NULL, "connect");
	IWT_ASSERT(rte_iwarp_connect(p.qp[0], IWT_V_IP_B, IWT_V_PORT, &cp, NULL) == NULL &&
		   rte_errno == EINVAL, "QP already connecting");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 3000), 0,
		      "request");
	IWT_ASSERT(ev.listen_id == p.lid, "listener of the request");
	IWT_ASSERT(ev.private_data_len == 13 && memcmp(ev.private_data, "hello-request", 13) == 0,
		   "initiator's private data");
	IWT_ASSERT_EQ(rte_iwarp_reject(ev.id, "go-away", 7), 0, "reject");
	IWT_ASSERT_EQ(rte_iwarp_reject(ev.id, "go-away", 7), -ENOTCONN, "reject twice");
	rte_iwarp_cm_destroy_id(ev.id);
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_REJECTED, &ev, 3000), 0,
		      "REJECTED");
	IWT_ASSERT(ev.private_data_len == 7 && memcmp(ev.private_data, "go-away", 7) == 0,
		   "reject private data");
	IWT_ASSERT(ev.status < 0, "negative status");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(rte_iwarp_cm_destroy_id(id), 0, "destroy");
	rte_iwarp_destroy_qp(p.qp[0]);
	/* accept with private data; IRD/ORD offered and lowered (RFC 6581) */
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	cp.ird = 3;
	cp.ord = 5;
	ap.ird = 4;
	id = rte_iwarp_connect(p.qp[0], IWT_V_IP_B, IWT_V_PORT, &cp, NULL);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 3000), 0,
		      "request");
	IWT_ASSERT(ev.ird == 3 && ev.ord == 5, "the initiator's IRD/ORD: %u/%u", ev.ird, ev.ord);
	IWT_ASSERT_EQ(rte_iwarp_accept(ev.id, p.qp[1], &ap), 0, "accept");
	IWT_ASSERT_EQ(rte_iwarp_accept(ev.id, p.qp[1], &ap), -EINVAL, "accept twice");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 3000), 0,
		      "ESTABLISHED");
	IWT_ASSERT(ev.private_data_len == 7 && memcmp(ev.private_data, "welcome", 7) == 0,
		   "responder's private data");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 3000), 0,
		      "ESTABLISHED B");
	rte_iwarp_cm_ack_event(&ev);
	{
		struct rte_iwarp_qp_attr qa, qb;

		rte_iwarp_query_qp(p.qp[0], &qa);
		rte_iwarp_query_qp(p.qp[1], &qb);
		IWT_ASSERT_EQ(qa.ord, 4, "initiator ORD lowered to the responder's IRD");
		IWT_ASSERT_EQ(qb.ord, 3, "responder ORD limited by the initiator's IRD");
	}
	IWT_RUN(traffic(&p, p.qp[0], p.qp[1], 3000));
	rte_iwarp_disconnect(id);
	iwt_vpair_poll_ms(&p, 20);
	return iwt_vpair_close(&p);
}

/* Connect with the parameters, check the negotiated framing, move data. */
static int
variant(const char *wire, const struct rte_iwarp_conn_param *cp,
	const struct rte_iwarp_conn_param *lp, uint8_t rev, bool crc, bool mk_tx, bool mk_rx)
{
	struct rte_iwarp_qp_attr qa, qb;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_cm_id *req;
	struct iwt_vpair p;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, wire, 64), 0, "open");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	p.qp[1] = iwt_vpair_qp(&p, 1, NULL);
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 0, lp, NULL);
	IWT_ASSERT(p.lid != NULL, "listen");
	p.id[0] = rte_iwarp_connect(p.qp[0], IWT_V_IP_B, IWT_V_PORT, cp, NULL);
	IWT_ASSERT(p.id[0] != NULL, "connect");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 3000), 0,
		      "request");
	req = ev.id;
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(rte_iwarp_accept(req, p.qp[1], NULL), 0, "accept");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 3000), 0,
		      "ESTABLISHED A");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 3000), 0,
		      "ESTABLISHED B");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_query_qp(p.qp[0], &qa);
	rte_iwarp_query_qp(p.qp[1], &qb);
	IWT_ASSERT(qa.state == RTE_IWARP_QPS_RTS && qb.state == RTE_IWARP_QPS_RTS, "RTS");
	IWT_ASSERT(qa.mpa_rev == rev && qb.mpa_rev == rev, "revision %u/%u", qa.mpa_rev,
		   qb.mpa_rev);
	IWT_ASSERT(qa.crc == crc && qb.crc == crc, "CRC");
	IWT_ASSERT(qa.markers_tx == mk_tx && qb.markers_rx == mk_tx, "markers A->B");
	IWT_ASSERT(qa.markers_rx == mk_rx && qb.markers_tx == mk_rx, "markers B->A");
	IWT_RUN(traffic(&p, p.qp[0], p.qp[1], 10000));
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 20);
	return iwt_vpair_close(&p);
}

IWT_CASE(verbs_ring_cm_rtr_write)
{
	struct rte_iwarp_conn_param cp = { .rtr = RTE_IWARP_RTR_WRITE };

	return variant("vrw", &cp, NULL, 2, true, false, false);
}

IWT_CASE(verbs_ring_cm_rtr_read)
{
	struct rte_iwarp_conn_param cp = { .rtr = RTE_IWARP_RTR_READ };

	return variant("vrr", &cp, NULL, 2, true, false, false);
}

IWT_CASE(verbs_ring_cm_rtr_send)
{
	struct rte_iwarp_conn_param cp = { .rtr = RTE_IWARP_RTR_SEND };

	return variant("vrs", &cp, NULL, 2, true, false, false);
}

IWT_CASE(verbs_ring_cm_client_server)
{
	struct rte_iwarp_conn_param cs = { .no_p2p = true };

	return variant("vcs", &cs, NULL, 2, true, false, false);
}

IWT_CASE(verbs_ring_cm_rev1_no_crc)
{
	struct rte_iwarp_conn_param r1 = { .mpa_rev = 1, .no_crc = true };
	struct rte_iwarp_conn_param lp = { .no_crc = true };

	return variant("vr1", &r1, &lp, 1, false, false, false);
}

IWT_CASE(verbs_ring_cm_markers_both_ways)
{
	struct rte_iwarp_conn_param mk = { .markers = true };
	struct rte_iwarp_conn_param lmk = { .markers = true };

	return variant("vmk", &mk, &lmk, 2, true, true, true);
}

IWT_CASE(verbs_ring_cm_unreachable_and_timeouts)
{
	struct rte_iwarp_conn_param cp = { .timeout_ms = 200 };
	struct rte_iwarp_dev_stats st;
	struct rte_iwarp_cm_event ev;
	struct iw_tcp_stream *raw, *rawl;
	struct rte_iwarp_cm_id *id;
	struct iwt_vpair p;
	uint64_t end;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vcu", 64), 0, "open");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	/* nobody listens: the peer's TCP answers with RST */
	id = rte_iwarp_connect(p.qp[0], IWT_V_IP_B, 9, &cp, NULL);
	IWT_ASSERT(id != NULL, "connect");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_UNREACHABLE, &ev, 3000), 0,
		      "UNREACHABLE");
	IWT_ASSERT(ev.status < 0, "negative status %d", ev.status);
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_cm_destroy_id(id);
	rte_iwarp_destroy_qp(p.qp[0]);
	/* a TCP listener that never answers the MPA request: initiator timeout */
	rawl = iw_tcp_listen(p.dev[1]->tcp, 7000, 0, NULL, NULL);
	IWT_ASSERT(rawl != NULL, "raw listener");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	id = rte_iwarp_connect(p.qp[0], IWT_V_IP_B, 7000, &cp, NULL);
	IWT_ASSERT(id != NULL, "connect");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_CONNECT_ERROR, &ev, 3000), 0,
		      "CONNECT_ERROR");
	IWT_ASSERT_EQ(ev.status, -ETIMEDOUT, "timed out");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_cm_destroy_id(id);
	rte_iwarp_dev_stats_get(p.dev[0], &st);
	IWT_ASSERT_EQ(st.cm_timeouts, 1, "counted");
	{
		/*
		 * lib/tcp keeps the received bytes of a stream nobody accepted
		 * after its listener closes (reported): take it and abort it.
		 */
		struct iw_tcp_stream *x[1];

		if (iw_tcp_accept(rawl, x, 1) == 1)
			iw_tcp_abort(x[0]);
	}
	/* a TCP client that never sends the request: responder timeout, no event */
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 0, &cp, NULL);
	IWT_ASSERT(p.lid != NULL, "listen");
	raw = iw_tcp_connect(p.dev[0]->tcp, IWT_V_IP_B, IWT_V_PORT, 0, NULL, NULL);
	IWT_ASSERT(raw != NULL, "raw connect");
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (rte_get_timer_cycles() < end) {
		iwt_vpair_poll(&p);
		rte_iwarp_dev_stats_get(p.dev[1], &st);
		if (st.cm_timeouts == 1)
			break;
	}
	IWT_ASSERT_EQ(st.cm_timeouts, 1, "responder timed the request out");
	IWT_ASSERT_EQ(rte_iwarp_cm_get_event(p.dev[1], &ev), -EAGAIN, "no event for it");
	iwt_vpair_poll_ms(&p, 20);
	IWT_ASSERT(iw_tcp_state(raw) != IW_TCP_ESTABLISHED, "the responder dropped the TCP");
	iw_tcp_abort(raw);
	iw_tcp_close(rawl);
	iwt_vpair_poll_ms(&p, 20);
	return iwt_vpair_close(&p);
}

IWT_CASE(verbs_ring_cm_initiator_sends_first)
{
	struct rte_iwarp_conn_param cs = { .no_p2p = true };
	struct rte_iwarp_dev_stats st;
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_mr *ma, *mb;
	struct rte_iwarp_wc wc;
	struct rte_iwarp_sge sg;
	struct iwt_vpair p;
	uint8_t *a = calloc(1, 8192), *b = calloc(1, 8192);
	int n;

	/* client-server mode: no RTR, so the application's first message is it */
	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vfs", 64, NULL, NULL, &cs), 0, "connect");
	ma = rte_iwarp_reg_mr(p.pd[0], a, 8192, ACC_ALL);
	mb = rte_iwarp_reg_mr(p.pd[1], b, 8192, ACC_ALL);
	IWT_ASSERT_EQ(iwt_post_recv1(p.qp[0], 1, a, 4096, ma->lkey), 0, "recv A");
	IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], 2, b, 4096, mb->lkey), 0, "recv B");
	/* the responder posts first: it must hold its FPDU (RFC 5044 7.1.2) */
	iwt_vfill(b + 4096, 100, 3);
	sg = (struct rte_iwarp_sge){ (uintptr_t)b + 4096, 100, mb->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[1], &wr), 0, "responder SEND");
	iwt_vpair_poll_ms(&p, 100);
	rte_iwarp_dev_stats_get(p.dev[1], &st);
	IWT_ASSERT_EQ(st.tx_fpdus, 0, "the responder sent no FPDU before the initiator's first");
	IWT_ASSERT_EQ(rte_iwarp_poll_cq(p.cq[0], 1, &wc), 0, "nothing arrived at the initiator");
	/* the initiator's first FPDU releases it */
	iwt_vfill(a + 4096, 100, 4);
	sg = (struct rte_iwarp_sge){ (uintptr_t)a + 4096, 100, ma->lkey };
	wr.wr_id = 4;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "initiator SEND");
	n = iwt_vpair_wc(&p, p.cq[1], &wc, 1, 2000);
	IWT_ASSERT(n == 1 && wc.wr_id == 2 && wc.status == RTE_IWARP_WC_SUCCESS, "B got A's");
	IWT_ASSERT(iwt_vcheck(b, 100, 4) < 0, "bytes at B");
	n = iwt_vpair_wc(&p, p.cq[0], &wc, 1, 2000);
	IWT_ASSERT(n == 1, "A's completions");
	while (n == 1 && wc.wr_id != 1)
		n = iwt_vpair_wc(&p, p.cq[0], &wc, 1, 2000);
	IWT_ASSERT(n == 1 && wc.status == RTE_IWARP_WC_SUCCESS, "A got B's");
	IWT_ASSERT(iwt_vcheck(a, 100, 3) < 0, "bytes at A");
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 20);
	n = iwt_vpair_close(&p);
	free(a);
	free(b);
	return n;
}

IWT_CASE(verbs_ring_cm_responder_rtr_timeout)
{
	struct rte_iwarp_conn_param lp = { .timeout_ms = 200 };
	uint8_t frame[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_cm_event ev;
	struct iw_mpa_params mp;
	struct iw_mpa_frame req;
	struct iw_tcp_stream *raw;
	struct iwt_vpair p;
	uint64_t end;
	int n;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vrt", 64), 0, "open");
	p.qp[1] = iwt_vpair_qp(&p, 1, NULL);
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 0, &lp, NULL);
	IWT_ASSERT(p.lid != NULL, "listen");
	/* a peer-to-peer initiator that never sends its ready-to-receive message */
	raw = iw_tcp_connect(p.dev[0]->tcp, IWT_V_IP_B, IWT_V_PORT, 0, NULL, NULL);
	IWT_ASSERT(raw != NULL, "raw connect");
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (iw_tcp_state(raw) != IW_TCP_ESTABLISHED && rte_get_timer_cycles() < end)
		iwt_vpair_poll(&p);
	IWT_ASSERT_EQ(iw_tcp_state(raw), IW_TCP_ESTABLISHED, "TCP up");
	iw_mpa_params_default(&mp);
	mp.p2p = true;
	mp.rtr = IW_RTR_WRITE;
	IWT_ASSERT_EQ(iw_mpa_make_request(&mp, &req), 0, "request");
	n = iw_mpa_build(&req, frame, sizeof(frame));
	IWT_ASSERT(n > 0 && iw_tcp_write(raw, frame, (uint32_t)n) == n, "request sent");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 2000), 0,
		      "request");
	IWT_ASSERT_EQ(rte_iwarp_accept(ev.id, p.qp[1], NULL), 0, "accept");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_query_qp(p.qp[1], &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_RTR, "waiting for the RTR");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CONNECT_ERROR, &ev, 2000), 0,
		      "RTR wait timed out");
	IWT_ASSERT_EQ(ev.status, -ETIMEDOUT, "status");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_query_qp(p.qp[1], &qa);
	IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "QP in ERROR");
	iw_tcp_abort(raw);
	iwt_vpair_poll_ms(&p, 20);
	return iwt_vpair_close(&p);
}

IWT_CASE(verbs_ring_cm_first_fpdu_delay)
{
	struct rte_iwarp_conn_param cp = { .first_fpdu_delay_ms = 150 };
	struct rte_iwarp_dev_stats st;
	struct rte_iwarp_cm_event ev;
	struct iwt_vpair p;
	uint64_t t0, t1;

	IWT_ASSERT_EQ(iwt_vpair_open(&p, "vfd", 64), 0, "open");
	p.qp[0] = iwt_vpair_qp(&p, 0, NULL);
	p.qp[1] = iwt_vpair_qp(&p, 1, NULL);
	p.lid = rte_iwarp_listen(p.dev[1], IWT_V_PORT, 0, NULL, NULL);
	p.id[0] = rte_iwarp_connect(p.qp[0], IWT_V_IP_B, IWT_V_PORT, &cp, NULL);
	IWT_ASSERT(p.lid != NULL && p.id[0] != NULL, "listen, connect");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 2000), 0,
		      "request");
	IWT_ASSERT_EQ(rte_iwarp_accept(ev.id, p.qp[1], NULL), 0, "accept");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 0, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 2000), 0,
		      "initiator ESTABLISHED");
	rte_iwarp_cm_ack_event(&ev);
	t0 = rte_get_timer_cycles();
	/* the RTR is held: the responder waits in RTR state meanwhile */
	iwt_vpair_poll_ms(&p, 50);
	rte_iwarp_dev_stats_get(p.dev[0], &st);
	IWT_ASSERT_EQ(st.tx_fpdus, 0, "nothing sent during the delay");
	IWT_ASSERT_EQ(iwt_vpair_event(&p, 1, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 2000), 0,
		      "responder ESTABLISHED after the RTR");
	rte_iwarp_cm_ack_event(&ev);
	t1 = rte_get_timer_cycles();
	IWT_ASSERT(t1 - t0 >= rte_get_timer_hz() / 10, "the RTR went after the delay");
	rte_iwarp_dev_stats_get(p.dev[0], &st);
	IWT_ASSERT_EQ(st.tx_fpdus, 1, "the RTR");
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 20);
	return iwt_vpair_close(&p);
}
