/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive side of a QP: the placement callbacks of the FPDU state
 * machine. on_hdr validates a segment before any of its bytes is placed
 * (protection check of tagged segments, queue number / MSN / MO and posted
 * receive of untagged ones, IRD); on_data copies once into the target;
 * on_end (CRC good) completes messages, queues READ and atomic responses and
 * handles TERMINATE. Every refusal goes out as the RFC TERMINATE.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "iw_verbs_pvt.h"

static int
refuse(struct iw_term_cause *c, uint8_t layer, uint8_t etype, uint8_t ecode)
{
	c->layer = layer;
	c->etype = etype;
	c->ecode = ecode;
	return -EPROTO;
}

static int
refuse_prot(struct iw_term_cause *c, enum iw_prot v, enum iw_prot_ctx ctx)
{
	iw_prot_term_code(v, ctx, &c->layer, &c->etype, &c->ecode);
	return -EPERM;
}

static bool
qp_can_receive(const struct rte_iwarp_qp *qp)
{
	return qp->state == RTE_IWARP_QPS_RTS || qp->state == RTE_IWARP_QPS_RTR;
}

/* The receive entry of the message in progress. */
static struct iw_rwqe *
rx_rwqe(struct rte_iwarp_qp *qp)
{
	return iw_rq_at(&qp->rq, qp->srq == NULL ? qp->rq.tail : 0);
}

static int
take_rwqe(struct rte_iwarp_qp *qp)
{
	struct iw_rq *src = qp->srq != NULL ? &qp->srq->rq : &qp->rq;

	if (src->head == src->tail)
		return -ENOENT;
	if (qp->srq != NULL) {
		memcpy(iw_rq_at(&qp->rq, 0), iw_rq_at(src, src->tail), src->stride);
		__atomic_store_n(&src->tail, src->tail + 1, __ATOMIC_RELEASE);
	}
	qp->rx_have_rwqe = true;
	qp->rx_msg_len = 0;
	return 0;
}

static int
untagged_check(struct rte_iwarp_qp *qp, const struct iw_hdr *h, uint32_t qn,
	       struct iw_term_cause *c)
{
	if (h->u.msn != qp->msn_rx[qn])
		return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_MSN_RANGE);
	return 0;
}

/* Oldest transmitted READ or atomic waiting for its response. */
static struct iw_swqe *
oldest_outstanding(struct rte_iwarp_qp *qp, bool read, uint32_t *idx)
{
	struct iw_swqe *w;
	uint32_t i;

	for (i = qp->sq_tail; i != qp->sq_tx; i++) {
		w = iw_sq_at(qp, i);
		if (w->state != IW_SWQE_SENT)
			continue;
		if (read && w->opcode == RTE_IWARP_WR_RDMA_READ) {
			*idx = i;
			return w;
		}
		if (!read && (w->opcode == RTE_IWARP_WR_ATOMIC_CMP_AND_SWP ||
				w->opcode == RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD)) {
			*idx = i;
			return w;
		}
	}
	return NULL;
}

/*
 * The SGEs of a READ's sink SGL that [moff, moff + len) touches are still
 * registered with local write access: they were checked at post time, this
 * catches a region deregistered or invalidated while the READ was in flight.
 */
static enum iw_prot
sgl_recheck(struct rte_iwarp_qp *qp, const struct iw_lsge *sg, uint32_t n, uint32_t moff,
	    uint32_t len)
{
	const struct iw_stag_entry *e;
	uint8_t *where;
	enum iw_prot v;
	uint32_t i, take;

	for (i = 0; i < n && len > 0; i++) {
		if (moff >= sg[i].len) {
			moff -= sg[i].len;
			continue;
		}
		take = RTE_MIN(sg[i].len - moff, len);
		e = iw_stag_lookup(qp->dev->stags, sg[i].lkey);
		if (e == NULL || sg[i].host < e->host)
			return IW_PROT_INVALID_STAG;
		v = iw_stag_check(qp->dev->stags, sg[i].lkey, qp->pd_handle, qp->qpn,
				  IW_ACC_LOCAL_WRITE,
				  e->va + (uint64_t)(sg[i].host - e->host) + moff, take, &where);
		if (v != IW_PROT_OK)
			return v;
		len -= take;
		moff = 0;
	}
	return IW_PROT_OK;
}

static int
hdr_rtr(struct rte_iwarp_qp *qp, const struct iw_hdr *h, uint32_t plen, struct iw_term_cause *c)
{
	if (!iw_mpa_rtr_match(&qp->mres, h, plen))
		return refuse(c, IW_LAYER_LLP, IW_LLP_ET_MPA, IW_LLP_EC_NO_MATCHING_RTR);
	switch (h->opcode) {
	case IW_OP_WRITE:
		qp->rxm = IW_RXM_WRITE;
		qp->rx_where = NULL;
		return 0;
	case IW_OP_READ_REQ:
		if (untagged_check(qp, h, IW_QN_READ_REQ, c) < 0)
			return -EPROTO;
		memset(&qp->rx_in, 0, sizeof(qp->rx_in));
		qp->rx_in.opcode = IW_OP_READ_REQ;
		qp->rx_in.sink_stag = h->rreq.sink_stag;
		qp->rx_in.sink_to = h->rreq.sink_to;
		qp->rxm = IW_RXM_READ_REQ;
		return 0;
	default:
		if (untagged_check(qp, h, IW_QN_SEND, c) < 0)
			return -EPROTO;
		qp->rxm = IW_RXM_SEND_RTR;
		return 0;
	}
}

static __rte_always_inline int
on_hdr(void *ctx, const struct iw_hdr *h, uint32_t plen, struct iw_term_cause *c)
{
	struct rte_iwarp_qp *qp = ctx;
	struct iw_stag_table *t = qp->dev->stags;
	struct iw_swqe *w;
	struct iw_rwqe *rw;
	enum iw_prot v;
	uint32_t idx;

	qp->rxm = IW_RXM_NONE;
	if (!qp_can_receive(qp))
		return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION, IW_RDMAP_EC_UNSPECIFIED);
	if (qp->expect_rtr)
		return hdr_rtr(qp, h, plen, c);
	switch (h->opcode) {
	case IW_OP_WRITE:
		qp->rxm = IW_RXM_WRITE;
		qp->rx_where = NULL;
		if (plen == 0)
			return 0;	/* zero-length WRITE: nothing to place or check */
		v = iw_stag_check(t, h->t.stag, qp->pd_handle, qp->qpn, IW_ACC_REMOTE_WRITE,
				  h->t.to, plen, &qp->rx_where);
		if (v != IW_PROT_OK)
			return refuse_prot(c, v, IW_PROT_CTX_SINK);
		return 0;
	case IW_OP_READ_RESP:
		qp->rxm = IW_RXM_READ_RESP;
		qp->rx_where = NULL;
		if (qp->rtr_read_pending && plen == 0 && h->last) {
			qp->rx_swqe = UINT32_MAX;
			return 0;
		}
		w = oldest_outstanding(qp, true, &idx);
		if (w == NULL)
			return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
				      IW_RDMAP_EC_UNSPECIFIED);
		if (h->t.stag != iw_swqe_sge(w)[0].lkey)
			return refuse(c, IW_LAYER_DDP, IW_DDP_ET_TAGGED,
				      IW_DDP_EC_T_INVALID_STAG);
		if (h->t.to < w->aux_addr || h->t.to - w->aux_addr + plen > w->total)
			return refuse(c, IW_LAYER_DDP, IW_DDP_ET_TAGGED,
				      IW_DDP_EC_T_BASE_BOUNDS);
		qp->rx_moff = (uint32_t)(h->t.to - w->aux_addr);
		v = sgl_recheck(qp, iw_swqe_sge(w), w->num_sge, qp->rx_moff, plen);
		if (v != IW_PROT_OK)
			return refuse_prot(c, v, IW_PROT_CTX_SINK);
		qp->rx_swqe = idx;
		return 0;
	case IW_OP_SEND:
	case IW_OP_SEND_INV:
	case IW_OP_SEND_SE:
	case IW_OP_SEND_SE_INV:
	case IW_OP_IMM_DATA:
	case IW_OP_IMM_DATA_SE:
		if (untagged_check(qp, h, IW_QN_SEND, c) < 0)
			return -EPROTO;
		if (!qp->rx_have_rwqe) {
			if (h->u.mo != 0)
				return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED,
					      IW_DDP_EC_U_INVALID_MO);
			if (take_rwqe(qp) < 0)
				return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED,
					      IW_DDP_EC_U_NO_BUFFER);
		} else if (h->u.mo != qp->rx_msg_len) {
			return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_INVALID_MO);
		}
		rw = rx_rwqe(qp);
		if ((uint64_t)h->u.mo + plen > rw->total)
			return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_TOO_LONG);
		qp->rxm = (h->opcode == IW_OP_IMM_DATA || h->opcode == IW_OP_IMM_DATA_SE) ?
			IW_RXM_IMM : IW_RXM_SEND;
		return 0;
	case IW_OP_READ_REQ:
		if (untagged_check(qp, h, IW_QN_READ_REQ, c) < 0)
			return -EPROTO;
		if ((uint16_t)(qp->irq_head - qp->irq_tail) >= qp->ird)
			return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_NO_BUFFER);
		/* the response would carry the sink STag: never 0 on the wire */
		if (h->rreq.sink_stag == 0)
			return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
				      IW_RDMAP_EC_UNSPECIFIED);
		memset(&qp->rx_in, 0, sizeof(qp->rx_in));
		qp->rx_in.opcode = IW_OP_READ_REQ;
		qp->rx_in.sink_stag = h->rreq.sink_stag;
		qp->rx_in.sink_to = h->rreq.sink_to;
		qp->rx_in.size = h->rreq.size;
		if (h->rreq.size > 0) {
			v = iw_stag_check(t, h->rreq.src_stag, qp->pd_handle, qp->qpn,
					  IW_ACC_REMOTE_READ, h->rreq.src_to, h->rreq.size,
					  &qp->rx_in.src);
			if (v != IW_PROT_OK)
				return refuse_prot(c, v, IW_PROT_CTX_SOURCE);
		}
		qp->rxm = IW_RXM_READ_REQ;
		return 0;
	case IW_OP_ATOMIC_REQ:
		if (untagged_check(qp, h, IW_QN_ATOMIC, c) < 0)
			return -EPROTO;
		if ((uint16_t)(qp->irq_head - qp->irq_tail) >= qp->ird)
			return refuse(c, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_NO_BUFFER);
		if (h->areq.aop != IW_ATOMIC_FETCH_ADD && h->areq.aop != IW_ATOMIC_CMP_SWAP)
			return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
				      IW_RDMAP_EC_OPCODE);
		memset(&qp->rx_in, 0, sizeof(qp->rx_in));
		v = iw_stag_check(t, h->areq.stag, qp->pd_handle, qp->qpn, IW_ACC_REMOTE_ATOMIC,
				  h->areq.to, 8, &qp->rx_in.src);
		if (v != IW_PROT_OK)
			return refuse_prot(c, v, IW_PROT_CTX_SOURCE);
		if ((uintptr_t)qp->rx_in.src & 7)
			return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_PROTECTION,
				      IW_RDMAP_EC_BASE_BOUNDS);
		qp->rx_in.opcode = IW_OP_ATOMIC_REQ;
		qp->rx_in.sink_stag = h->areq.req_id;
		qp->rxm = IW_RXM_ATOMIC_REQ;
		return 0;
	case IW_OP_ATOMIC_RESP:
		if (untagged_check(qp, h, IW_QN_ATOMIC, c) < 0)
			return -EPROTO;
		w = oldest_outstanding(qp, false, &idx);
		if (w == NULL || h->aresp.req_id != idx)
			return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
				      IW_RDMAP_EC_UNSPECIFIED);
		qp->rx_swqe = idx;
		qp->rxm = IW_RXM_ATOMIC_RESP;
		return 0;
	case IW_OP_TERMINATE:
		qp->rxm = IW_RXM_TERM;
		qp->rx_term[0] = (uint8_t)(h->term.ctrl >> 24);
		qp->rx_term[1] = (uint8_t)(h->term.ctrl >> 16);
		qp->rx_term[2] = (uint8_t)(h->term.ctrl >> 8);
		qp->rx_term[3] = (uint8_t)h->term.ctrl;
		qp->rx_term_len = IW_TERM_LEN;
		return 0;
	default:
		return refuse(c, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION, IW_RDMAP_EC_OPCODE);
	}
}

/* Copy into an SGL (a receive entry's or a READ's sink) at message offset moff. */
static void
scatter(const struct iw_lsge *sg, uint32_t n, uint32_t moff, const uint8_t *data,
	uint32_t len)
{
	uint32_t i, take;

	for (i = 0; i < n && len > 0; i++) {
		if (moff >= sg[i].len) {
			moff -= sg[i].len;
			continue;
		}
		take = RTE_MIN(sg[i].len - moff, len);
		memcpy(sg[i].host + moff, data, take);
		data += take;
		len -= take;
		moff = 0;
	}
}

static int
on_data(void *ctx, const struct iw_hdr *h, uint32_t off, const uint8_t *data, uint32_t len,
	struct iw_term_cause *c)
{
	struct rte_iwarp_qp *qp = ctx;
	struct iw_rwqe *rw;
	struct iw_swqe *w;
	uint32_t take;

	RTE_SET_USED(c);
	switch (qp->rxm) {
	case IW_RXM_WRITE:
		memcpy(qp->rx_where + off, data, len);
		break;
	case IW_RXM_READ_RESP:
		if (qp->rx_swqe == UINT32_MAX)
			break;
		w = iw_sq_at(qp, qp->rx_swqe);
		scatter(iw_swqe_sge(w), w->num_sge, qp->rx_moff + off, data, len);
		break;
	case IW_RXM_SEND:
		rw = rx_rwqe(qp);
		scatter(iw_rwqe_sge(rw), rw->num_sge, h->u.mo + off, data, len);
		break;
	case IW_RXM_TERM:
		take = RTE_MIN(len, (uint32_t)sizeof(qp->rx_term) - qp->rx_term_len);
		memcpy(qp->rx_term + qp->rx_term_len, data, take);
		qp->rx_term_len += take;
		break;
	default:
		break;
	}
	return 0;
}

/* The contiguous target of a whole segment's payload, when it has one (see iw_fpdu_rx_ops). */
static __rte_always_inline uint8_t *
rx_dst(void *ctx, const struct iw_hdr *h, uint32_t len)
{
	struct rte_iwarp_qp *qp = ctx;
	struct iw_rwqe *rw;
	struct iw_swqe *w;

	RTE_SET_USED(len);
	switch (qp->rxm) {
	case IW_RXM_WRITE:
		return qp->rx_where;	/* checked by on_hdr: [TO, TO + len) is in the MR */
	case IW_RXM_SEND:
		rw = rx_rwqe(qp);	/* on_hdr: MO + len within the receive */
		return rw->num_sge == 1 ? iw_rwqe_sge(rw)[0].host + h->u.mo : NULL;
	case IW_RXM_READ_RESP:
		if (qp->rx_swqe == UINT32_MAX)
			return NULL;
		w = iw_sq_at(qp, qp->rx_swqe);	/* on_hdr: within the sink, rechecked */
		return w->num_sge == 1 ? iw_swqe_sge(w)[0].host + qp->rx_moff : NULL;
	default:
		return NULL;
	}
}

static uint64_t
masked_add(uint64_t a, uint64_t b, uint64_t mask)
{
	uint64_t r = 0, carry = 0, s;
	unsigned int i;

	if (mask == 0)
		return a + b;
	/* RFC 7306: a mask bit set ends a field: no carry out of it */
	for (i = 0; i < 64; i++) {
		s = ((a >> i) & 1) + ((b >> i) & 1) + carry;
		r |= (s & 1) << i;
		carry = (mask >> i) & 1 ? 0 : s >> 1;
	}
	return r;
}

static void
rx_atomic(struct rte_iwarp_qp *qp, const struct iw_hdr *h)
{
	struct iw_inbound *in;
	uint64_t orig, nv;

	memcpy(&orig, qp->rx_in.src, 8);
	if (h->areq.aop == IW_ATOMIC_FETCH_ADD) {
		nv = masked_add(orig, h->areq.add_swap, h->areq.add_swap_mask);
	} else {
		nv = orig;
		if (((orig ^ h->areq.cmp) & h->areq.cmp_mask) == 0)
			nv = (orig & ~h->areq.add_swap_mask) |
				(h->areq.add_swap & h->areq.add_swap_mask);
	}
	memcpy(qp->rx_in.src, &nv, 8);
	in = &qp->irq[qp->irq_head & qp->irq_mask];
	*in = qp->rx_in;
	in->orig = orig;
	qp->irq_head++;
	qp->msn_rx[IW_QN_ATOMIC]++;
	iw_qp_kick(qp);
}

static void
rx_recv_done(struct rte_iwarp_qp *qp, const struct iw_hdr *h)
{
	struct iw_rwqe *rw = rx_rwqe(qp);
	struct rte_iwarp_wc wc;
	struct iw_term_cause c;
	enum iw_prot v;
	bool se;

	memset(&wc, 0, sizeof(wc));
	wc.wr_id = rw->wr_id;
	wc.qp_num = qp->qpn;
	wc.status = RTE_IWARP_WC_SUCCESS;
	se = h->opcode == IW_OP_SEND_SE || h->opcode == IW_OP_SEND_SE_INV ||
		h->opcode == IW_OP_IMM_DATA_SE;
	if (se)
		wc.wc_flags |= RTE_IWARP_WC_SOLICITED;
	if (qp->rxm == IW_RXM_IMM) {
		wc.opcode = RTE_IWARP_WC_RECV_RDMA_WITH_IMM;
		wc.imm_data = rte_cpu_to_be_32((uint32_t)h->imm);
		wc.wc_flags |= RTE_IWARP_WC_WITH_IMM;
	} else {
		wc.opcode = RTE_IWARP_WC_RECV;
		wc.byte_len = qp->rx_msg_len;
	}
	if (h->opcode == IW_OP_SEND_INV || h->opcode == IW_OP_SEND_SE_INV) {
		v = iw_stag_invalidate(qp->dev->stags, h->u.inv_stag, qp->pd_handle, qp->qpn);
		if (v != IW_PROT_OK) {
			iw_prot_term_code(v, IW_PROT_CTX_INVALIDATE, &c.layer, &c.etype,
					  &c.ecode);
			iw_qp_terminate(qp, &c, h);
			return;
		}
		wc.wc_flags |= RTE_IWARP_WC_WITH_INV;
		wc.invalidated_rkey = h->u.inv_stag;
	}
	qp->rx_have_rwqe = false;
	if (qp->srq == NULL)
		__atomic_store_n(&qp->rq.tail, qp->rq.tail + 1, __ATOMIC_RELEASE);
	qp->msn_rx[IW_QN_SEND]++;
	iw_cq_push(qp->recv_cq, &wc, se, qp);
}

static void
rx_term_done(struct rte_iwarp_qp *qp)
{
	struct iw_term_info ti;

	qp->dev->st.rx_terminate++;
	if (iw_term_decode(qp->rx_term, qp->rx_term_len, &ti) == 0)
		qp->term_received = iw_term_word(&ti.cause);
	else
		qp->term_received = (uint32_t)(qp->rx_term[0] >> 4) << 16 |
			(uint32_t)(qp->rx_term[0] & 0xf) << 8 | qp->rx_term[1];
	IW_LOG_DP(DEBUG, "QP %u received TERMINATE 0x%06x", qp->qpn, qp->term_received);
	iw_cm_event_push(qp->dev, RTE_IWARP_CM_EVENT_TERMINATE, qp->cm, -ECONNABORTED,
			 qp->term_received);
	iw_qp_to_error(qp);
}

static __rte_always_inline void
on_end(void *ctx, const struct iw_hdr *h)
{
	struct rte_iwarp_qp *qp = ctx;
	struct iw_swqe *w;
	uint32_t plen;

	qp->dev->st.rx_fpdus++;
	plen = (uint32_t)(qp->rx.ulpdu_len - h->hdr_len);
	switch (qp->rxm) {
	case IW_RXM_SEND:
		qp->rx_msg_len += plen;
		if (h->last)
			rx_recv_done(qp, h);
		break;
	case IW_RXM_IMM:
		rx_recv_done(qp, h);
		break;
	case IW_RXM_SEND_RTR:
		qp->msn_rx[IW_QN_SEND]++;
		break;
	case IW_RXM_READ_RESP:
		if (qp->rx_swqe == UINT32_MAX) {
			qp->rtr_read_pending = false;
			break;
		}
		w = iw_sq_at(qp, qp->rx_swqe);
		w->placed += plen;
		if (h->last) {
			w->state = IW_SWQE_DONE;
			w->status = RTE_IWARP_WC_SUCCESS;
			qp->ord_used--;
			iw_qp_complete_sq(qp);
			iw_qp_kick(qp);
		}
		break;
	case IW_RXM_READ_REQ:
		qp->irq[qp->irq_head & qp->irq_mask] = qp->rx_in;
		qp->irq_head++;
		qp->msn_rx[IW_QN_READ_REQ]++;
		iw_qp_kick(qp);
		break;
	case IW_RXM_ATOMIC_REQ:
		rx_atomic(qp, h);
		break;
	case IW_RXM_ATOMIC_RESP:
		w = iw_sq_at(qp, qp->rx_swqe);
		memcpy(iw_swqe_sge(w)[0].host, &h->aresp.orig, 8);
		w->state = IW_SWQE_DONE;
		w->status = RTE_IWARP_WC_SUCCESS;
		qp->msn_rx[IW_QN_ATOMIC]++;
		qp->ord_used--;
		iw_qp_complete_sq(qp);
		iw_qp_kick(qp);
		break;
	case IW_RXM_TERM:
		rx_term_done(qp);
		return;
	default:
		break;
	}
	if (!qp->rx_first_seen || qp->expect_rtr) {
		qp->rx_first_seen = true;
		if (qp->expect_rtr) {
			qp->expect_rtr = false;
			if (qp->state == RTE_IWARP_QPS_RTR) {
				qp->state = RTE_IWARP_QPS_RTS;
				iw_cm_qp_rts(qp);
			}
		}
		iw_qp_kick(qp);
	}
}

static void
on_error(void *ctx, const struct iw_term_cause *c, const struct iw_hdr *h)
{
	struct rte_iwarp_qp *qp = ctx;

	if (qp->state == RTE_IWARP_QPS_ERR)
		return;
	iw_qp_terminate(qp, c, h);
}

static const struct iw_fpdu_rx_ops rx_ops = {
	.on_hdr = on_hdr,
	.on_data = on_data,
	.dst = rx_dst,
	.on_end = on_end,
	.on_error = on_error,
};

int
iw_qp_rx_feed(struct rte_iwarp_qp *qp, const uint8_t *data, uint32_t len)
{
	if (!qp_can_receive(qp))
		return 0;
	return iw_fpdu_rx_feed(&qp->rx, data, len, &rx_ops, qp);
}

/*
 * The received chain, segment by segment: whole FPDUs through the inline fast
 * path (this file's callbacks inlined into it), anything else (an FPDU split
 * across segments, markers, errors) through the state machine.
 */
int
iw_qp_rx_feed_mbuf(struct rte_iwarp_qp *qp, const struct rte_mbuf *m, uint32_t off)
{
	const uint8_t *p;
	uint32_t left, total = 0;
	int rc;

	if (!qp_can_receive(qp))
		return 0;
	for (; m != NULL; m = m->next, off = 0) {
		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
		left = m->data_len - off;
		total += left;
		while (left > 0) {
			rc = iw_fpdu_rx_fast(&qp->rx, p, left, &rx_ops, qp);
			if (rc == 0) {
				rc = iw_fpdu_rx_feed(&qp->rx, p, left, &rx_ops, qp);
				if (rc < 0)
					return rc;
				break;
			}
			if (rc < 0)
				return rc;
			p += rc;
			left -= (uint32_t)rc;
		}
	}
	return (int)total;
}
