/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmit side of a QP: one message at a time (TERMINATE, then the RTR,
 * then inbound READ/atomic responses, then the send queue in order), cut into
 * DDP segments no larger than the MSS, framed into FPDUs (CRC32c) and handed
 * to TCP one record each. Local operations (LOCAL_INV, REG_MR, BIND_MW)
 * execute when the send queue reaches them.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "iw_verbs_pvt.h"

enum { SRC_NONE = 0, SRC_SQ, SRC_RESP, SRC_RTR, SRC_TERM };

/* Payloads from this size up go out as external buffers (zero copy). */
#define IW_ZC_MIN 512

/* Where a message's payload is. */
struct msg_src {
	const struct iw_lsge *sge;
	unsigned int nsge;
	const uint8_t *flat;
};

/* A QP may always hold this many mbufs in its TCP send queue (admission). */
#define IW_ADMIT_FLOOR 8

/*
 * Admission control, before a message's next FPDU takes an mbuf (appending
 * to a record already queued takes none): below half of the device's limit
 * on the mbufs its TCP send queues hold, go; past half, go only while this
 * QP holds less than its share (the limit over the connections with data
 * queued, and at least IW_ADMIT_FLOOR); at the limit, wait. A TERMINATE and
 * the RTR never wait: they draw on the rest of the pool, which the limit
 * keeps for them, for retransmissions, ACKs and received frames.
 */
static inline bool
tx_admit(struct rte_iwarp_qp *qp)
{
	struct rte_iwarp_dev *dev = qp->dev;
	uint32_t held = dev->sndq->mbufs, mine;

	if (likely(held < dev->admit_half) || qp->tx_src == SRC_TERM || qp->tx_src == SRC_RTR)
		return true;
	if (held < dev->admit_max) {
		mine = iw_tcp_sndq_mbufs(qp->s);
		if (mine < IW_ADMIT_FLOOR ||
		    (uint64_t)mine * dev->sndq->streams < dev->admit_max)
			return true;
	} else {
		dev->admit_full = true;
	}
	dev->st.tx_admit_wait++;
	return false;
}

static unsigned int
gather(const struct msg_src *src, uint32_t off, uint32_t len, struct iw_seg *out)
{
	unsigned int i, k = 0;
	uint32_t take;

	if (len == 0)
		return 0;
	if (src->flat != NULL) {
		out[0].addr = src->flat + off;
		out[0].len = len;
		return 1;
	}
	for (i = 0; i < src->nsge && len > 0; i++) {
		if (off >= src->sge[i].len) {
			off -= src->sge[i].len;
			continue;
		}
		take = RTE_MIN(src->sge[i].len - off, len);
		out[k].addr = src->sge[i].host + off;
		out[k].len = take;
		k++;
		len -= take;
		off = 0;
	}
	return k;
}

/*
 * Zero copy: head (MPA length and header) and trailer (pad, CRC) in mbufs of
 * the pool, the payload as an external buffer over the registered memory.
 * TCP holds the chain until the peer acknowledges it, and the work request
 * completes only then, so the memory is not reused under it.
 */
static int
send_fpdu_zc(struct rte_iwarp_qp *qp, const struct iw_hdr *h, const struct iw_seg *seg)
{
	struct rte_iwarp_dev *dev = qp->dev;
	struct iw_fpdu_tx saved = qp->tx;
	struct rte_mbuf *m[3];
	struct iw_fpdu_frame fr;
	uint32_t wire;
	rte_iova_t iova;
	int rc;

	wire = iw_mpa_fpdu_len(iw_opcode_table[h->opcode].hdr_len + seg->len);
	if (iw_tcp_send_space(qp->s) < wire || !tx_admit(qp))
		return -EAGAIN;
	if (unlikely(rte_pktmbuf_alloc_bulk(dev->pool, m, 3) != 0)) {
		dev->st.tx_nombuf++;
		return -EAGAIN;
	}
	rc = iw_fpdu_tx_frame_burst(&qp->tx, h, seg, 1, &fr);
	if (unlikely(rc < 0)) {
		rte_pktmbuf_free_bulk(m, 3);
		return rc;
	}
	memcpy(rte_pktmbuf_mtod(m[0], void *), fr.head, fr.head_len);
	m[0]->data_len = fr.head_len;
	iova = (rte_iova_t)(uintptr_t)seg->addr;	/* IOVA as VA (dev->zc_ok) */
	rte_mbuf_ext_refcnt_update(&dev->zc_shinfo, 1);
	rte_pktmbuf_attach_extbuf(m[1], (void *)(uintptr_t)seg->addr, iova,
				  (uint16_t)seg->len, &dev->zc_shinfo);
	m[1]->data_len = (uint16_t)seg->len;
	memcpy(rte_pktmbuf_mtod(m[2], void *), fr.trailer, fr.trailer_len);
	m[2]->data_len = fr.trailer_len;
	m[0]->next = m[1];
	m[1]->next = m[2];
	m[0]->nb_segs = 3;
	m[0]->pkt_len = wire;
	rc = iw_tcp_send(qp->s, m[0], IW_TCP_SEND_RECORD);
	if (unlikely(rc < 0)) {
		qp->tx = saved;
		rte_pktmbuf_free(m[0]);
		return (rc == -EAGAIN || rc == -ENOBUFS) ? -EAGAIN : rc;
	}
	dev->st.tx_fpdus++;
	dev->st.tx_zc_fpdus++;
	return 0;
}

/*
 * Cut segments at SGE boundaries when the rest of the SGE is worth sending
 * zero copy, so that each segment's payload is one contiguous piece.
 */
static uint32_t
sge_cap(const struct msg_src *src, uint32_t off, uint32_t maxu, uint32_t hdr_len)
{
	unsigned int i;
	uint32_t left;

	for (i = 0; i < src->nsge; i++) {
		if (off < src->sge[i].len) {
			left = src->sge[i].len - off;
			if (left >= IW_ZC_MIN && hdr_len + left < maxu)
				return hdr_len + left;
			return maxu;
		}
		off -= src->sge[i].len;
	}
	return maxu;
}

/* Frame and hand one FPDU to TCP. @return 0, -EAGAIN (retry later), or -errno. */
static int
send_fpdu(struct rte_iwarp_qp *qp, const struct iw_hdr *h, const struct iw_seg *segs,
	  unsigned int nseg, uint32_t payload)
{
	struct rte_iwarp_dev *dev = qp->dev;
	struct iw_fpdu_tx saved = qp->tx;
	uint32_t wire, flags = IW_TCP_SEND_RECORD;
	struct rte_mbuf *m;
	int n, rc;

	if (nseg == 1 && payload >= IW_ZC_MIN && !qp->tx.markers_on && !qp->tx_copy &&
			dev->zc_ok)
		return send_fpdu_zc(qp, h, segs);
	wire = iw_fpdu_tx_wire_len(&qp->tx, iw_opcode_table[h->opcode].hdr_len + payload);
	/* a TERMINATE is the stream's last record: a full send buffer takes it */
	if (qp->tx_src == SRC_TERM) {
		flags |= IW_TCP_SEND_FINAL;
	} else {
		uint8_t *p = iw_tcp_send_tail(qp->s, wire);

		if (p != NULL) {
			/* behind the records queued and not yet sent: one segment */
			n = iw_fpdu_tx_build(&qp->tx, h, segs, nseg, p, wire);
			if (unlikely(n < 0))
				return n;
			iw_tcp_send_commit(qp->s, (uint32_t)n);
			dev->st.tx_fpdus++;
			return 0;
		}
		if (iw_tcp_send_space(qp->s) < wire || !tx_admit(qp))
			return -EAGAIN;
	}
	m = rte_pktmbuf_alloc(dev->pool);
	if (unlikely(m == NULL)) {
		dev->st.tx_nombuf++;
		return -EAGAIN;
	}
	n = iw_fpdu_tx_build(&qp->tx, h, segs, nseg, rte_pktmbuf_mtod(m, uint8_t *),
			     rte_pktmbuf_tailroom(m));
	if (unlikely(n < 0)) {
		rte_pktmbuf_free(m);
		return n;
	}
	m->data_len = (uint16_t)n;
	m->pkt_len = (uint32_t)n;
	rc = iw_tcp_send(qp->s, m, flags);
	if (unlikely(rc < 0)) {
		qp->tx = saved;
		rte_pktmbuf_free(m);
		return (rc == -EAGAIN || rc == -ENOBUFS) ? -EAGAIN : rc;
	}
	dev->st.tx_fpdus++;
	return 0;
}

/*
 * Send (the rest of) one message from qp->tx_done. @return 0 when its last
 * segment is queued, -EAGAIN when TCP is full, or -errno.
 */
static int
send_msg(struct rte_iwarp_qp *qp, struct iw_hdr *tmpl, uint32_t total, const struct msg_src *src)
{
	struct iw_seg segs[IW_MAX_SGE + 1];
	struct iw_ddp_seg_iter it;
	struct iw_hdr seg;
	uint32_t limit, maxu, off, hl = iw_opcode_table[tmpl->opcode].hdr_len;
	unsigned int ns;
	int n, rc;

	limit = RTE_MIN(iw_tcp_mss(qp->s), qp->dev->mbuf_room);
	/*
	 * The whole message in one FPDU: no segmentation, and copied (the CRC
	 * reads every byte anyway; one mbuf instead of three plus the
	 * references TCP takes to them). Zero copy is for the FPDUs of the
	 * messages that take several.
	 */
	if (qp->tx_done == 0 && !qp->tx.markers_on && iw_mpa_fpdu_len(hl + total) <= limit) {
		tmpl->last = true;
		tmpl->hdr_len = (uint8_t)hl;
		qp->tx_copy = true;
		ns = gather(src, 0, total, segs);
		return send_fpdu(qp, tmpl, segs, ns, total);
	}
	for (;;) {
		iw_ddp_seg_init(&it, tmpl, total);
		it.done = qp->tx_done;
		maxu = iw_fpdu_tx_max_ulpdu(&qp->tx, limit);
		if (src->flat == NULL && !qp->tx.markers_on)
			maxu = sge_cap(src, qp->tx_done, maxu, iw_opcode_table[tmpl->opcode].hdr_len);
		n = iw_ddp_seg_next(&it, maxu, &seg, &off);
		if (n < 0)
			return n == -ENOENT ? 0 : -EINVAL;
		ns = gather(src, off, (uint32_t)n, segs);
		rc = send_fpdu(qp, &seg, segs, ns, (uint32_t)n);
		if (rc < 0)
			return rc;
		qp->tx_done = it.done;
		if (seg.last)
			return 0;
	}
}

/*
 * The common small message: a WRITE or SEND whose payload fits one FPDU
 * (copied: inline data or from registered memory), without markers.
 * Framed straight behind the records TCP has queued and not yet sent: header
 * written in place, payload copied and run through the CRC in one pass.
 * key: the sink STag (tagged) or the STag to invalidate; to: the sink's TO.
 * When nothing can take it in place, it starts a record of its own (an mbuf).
 * @return 0 when queued, -EAGAIN (no room or mbuf), another negative errno, or
 *   1 when the general path must do it (larger than one FPDU, markers).
 */
static int
tx_small(struct rte_iwarp_qp *qp, struct iw_swqe *w, uint8_t op, uint32_t key, uint64_t to)
{
	const struct iw_opcode_info *oi = &iw_opcode_table[op];
	uint32_t ulpdu = oi->hdr_len + w->total, pad = iw_mpa_pad(ulpdu);
	uint32_t wire = iw_mpa_fpdu_len(ulpdu), n, i;
	const struct iw_lsge *sg;
	struct rte_mbuf *m = NULL;
	struct iw_crc32c c;
	uint8_t *p;
	int rc;

	if (wire > qp->tx_limit || qp->tx.markers_on)
		return 1;
	p = iw_tcp_send_tail(qp->s, wire);
	if (p == NULL) {
		/* nothing to append to: this FPDU starts a record (and a segment) */
		if (iw_tcp_send_space(qp->s) < wire || !tx_admit(qp))
			return -EAGAIN;
		m = rte_pktmbuf_alloc(qp->dev->pool);
		if (unlikely(m == NULL)) {
			qp->dev->st.tx_nombuf++;
			return -EAGAIN;
		}
		p = rte_pktmbuf_mtod(m, uint8_t *);
	}
	p[0] = (uint8_t)(ulpdu >> 8);
	p[1] = (uint8_t)ulpdu;
	if (oi->ddp_ctrl & IW_DDP_F_TAGGED)
		iw_hdr_put_tagged(p + IW_MPA_LEN_FIELD, oi, true, key, to);
	else
		iw_hdr_put_untagged(p + IW_MPA_LEN_FIELD, oi, true, key,
				    qp->msn_tx[IW_QN_SEND], 0);
	n = IW_MPA_LEN_FIELD + oi->hdr_len;
	iw_crc32c_init(&c);
	if (qp->tx.crc_on)
		iw_crc32c_update(&c, p, n);
	if (w->num_sge == 0) {
		if (qp->tx.crc_on)
			iw_crc32c_copy(&c, p + n, iw_swqe_inline(w), w->total);
		else
			memcpy(p + n, iw_swqe_inline(w), w->total);
		n += w->total;
	} else {
		sg = iw_swqe_sge(w);
		for (i = 0; i < w->num_sge; i++) {
			if (qp->tx.crc_on)
				iw_crc32c_copy(&c, p + n, sg[i].host, sg[i].len);
			else
				memcpy(p + n, sg[i].host, sg[i].len);
			n += sg[i].len;
		}
	}
	memset(p + n, 0, pad);
	if (qp->tx.crc_on && pad > 0)
		iw_crc32c_update(&c, p + n, pad);
	iw_mpa_crc_put(p + n + pad, qp->tx.crc_on ? iw_crc32c_final(&c) : 0);
	if (m == NULL) {
		iw_tcp_send_commit(qp->s, wire);
	} else {
		m->data_len = (uint16_t)wire;
		m->pkt_len = wire;
		rc = iw_tcp_send(qp->s, m, IW_TCP_SEND_RECORD);
		if (unlikely(rc < 0)) {
			rte_pktmbuf_free(m);
			return (rc == -EAGAIN || rc == -ENOBUFS) ? -EAGAIN : rc;
		}
	}
	qp->tx.pos += wire;
	qp->dev->st.tx_fpdus++;
	return 0;
}

static void
untagged_tmpl(struct iw_hdr *h, uint8_t op, uint32_t qn, uint32_t msn)
{
	memset(h, 0, sizeof(*h));
	h->opcode = op;
	h->u.qn = qn;
	h->u.msn = msn;
}

static void
tagged_tmpl(struct iw_hdr *h, uint8_t op, uint32_t stag, uint64_t to)
{
	memset(h, 0, sizeof(*h));
	h->opcode = op;
	h->tagged = true;
	h->t.stag = stag;
	h->t.to = to;
}

/* Execute a local operation of the send queue. */
static uint8_t
local_op(struct rte_iwarp_qp *qp, struct iw_swqe *w)
{
	struct iw_stag_table *t = qp->dev->stags;
	struct rte_iwarp_mr *mr;
	uint32_t ns;

	switch (w->opcode) {
	case RTE_IWARP_WR_LOCAL_INV:
		if (iw_stag_invalidate(t, w->imm_inv, qp->pd_handle, qp->qpn) != IW_PROT_OK)
			return RTE_IWARP_WC_LOC_PROT_ERR;
		return RTE_IWARP_WC_SUCCESS;
	case RTE_IWARP_WR_REG_MR:
		mr = w->mr;
		if (iw_stag_fast_reg(t, mr->lkey, (uint8_t)w->aux_key, w->aux_host, w->aux_addr,
				     w->aux_len, w->aux_access) < 0)
			return RTE_IWARP_WC_LOC_PROT_ERR;
		mr->lkey = (mr->lkey & ~0xffu) | (w->aux_key & 0xff);
		mr->rkey = mr->lkey;
		mr->addr = w->aux_host;
		mr->length = w->aux_len;
		mr->access = w->aux_access;
		return RTE_IWARP_WC_SUCCESS;
	case RTE_IWARP_WR_BIND_MW:
		if (iw_stag_bind_mw(t, w->mw->rkey, (uint8_t)w->rkey, w->aux_key, qp->qpn,
				    w->aux_addr, w->aux_len, w->aux_access, &ns) < 0)
			return RTE_IWARP_WC_MW_BIND_ERR;
		w->mw->rkey = ns;
		return RTE_IWARP_WC_SUCCESS;
	default:
		return RTE_IWARP_WC_LOC_QP_OP_ERR;
	}
}

/* The send queue entry at sq_tx. @return 0 (done, go on), -EAGAIN (blocked). */
static int
tx_swqe(struct rte_iwarp_qp *qp)
{
	struct iw_swqe *w = iw_sq_at(qp, qp->sq_tx);
	struct msg_src src = { 0 };
	struct iw_hdr h;
	uint8_t op, status;
	bool se = (w->flags & RTE_IWARP_SEND_SOLICITED) != 0;
	int rc;

	if (unlikely(w->state == IW_SWQE_DONE)) {
		/* refused by the engine after a service-mode post */
		qp->sq_tx++;
		iw_qp_complete_sq(qp);
		iw_qp_to_error(qp);
		return 0;
	}
	if ((w->flags & RTE_IWARP_SEND_FENCE) && qp->ord_used > 0 && qp->tx_src == SRC_NONE)
		return -EAGAIN;
	qp->tx_copy = w->num_sge == 0;	/* inline data lives in the SQ slot: copy it */
	if (w->num_sge > 0) {
		src.sge = iw_swqe_sge(w);
		src.nsge = w->num_sge;
	} else {
		src.flat = iw_swqe_inline(w);
	}
	switch (w->opcode) {
	case RTE_IWARP_WR_LOCAL_INV:
	case RTE_IWARP_WR_REG_MR:
	case RTE_IWARP_WR_BIND_MW:
		status = local_op(qp, w);
		w->status = status;
		w->state = IW_SWQE_DONE;
		qp->sq_tx++;
		iw_qp_complete_sq(qp);
		if (status != RTE_IWARP_WC_SUCCESS)
			iw_qp_to_error(qp);
		return 0;
	case RTE_IWARP_WR_SEND:
	case RTE_IWARP_WR_SEND_WITH_INV:
		if (w->opcode == RTE_IWARP_WR_SEND)
			op = se ? IW_OP_SEND_SE : IW_OP_SEND;
		else
			op = se ? IW_OP_SEND_SE_INV : IW_OP_SEND_INV;
		qp->tx_src = SRC_SQ;
		rc = qp->tx_done == 0 ? tx_small(qp, w, op, w->imm_inv, 0) : 1;
		if (rc > 0) {
			untagged_tmpl(&h, op, IW_QN_SEND, qp->msn_tx[IW_QN_SEND]);
			h.u.inv_stag = w->imm_inv;
			rc = send_msg(qp, &h, w->total, &src);
		}
		if (rc < 0)
			return rc;
		qp->msn_tx[IW_QN_SEND]++;
		break;
	case RTE_IWARP_WR_RDMA_WRITE:
	case RTE_IWARP_WR_RDMA_WRITE_WITH_IMM:
		qp->tx_src = SRC_SQ;
		if (w->phase == 0) {
			rc = qp->tx_done == 0 ?
				tx_small(qp, w, IW_OP_WRITE, w->rkey, w->remote_addr) : 1;
			if (rc > 0) {
				tagged_tmpl(&h, IW_OP_WRITE, w->rkey, w->remote_addr);
				rc = send_msg(qp, &h, w->total, &src);
			}
			if (rc < 0)
				return rc;
			qp->tx_done = 0;
			w->phase = 1;
		}
		if (w->opcode == RTE_IWARP_WR_RDMA_WRITE_WITH_IMM) {
			untagged_tmpl(&h, se ? IW_OP_IMM_DATA_SE : IW_OP_IMM_DATA, IW_QN_SEND,
				      qp->msn_tx[IW_QN_SEND]);
			h.imm = w->imm_inv;
			rc = send_msg(qp, &h, 0, &src);
			if (rc < 0)
				return rc;
			qp->msn_tx[IW_QN_SEND]++;
		}
		break;
	case RTE_IWARP_WR_RDMA_READ:
	case RTE_IWARP_WR_ATOMIC_CMP_AND_SWP:
	case RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD:
		if (qp->tx_src == SRC_NONE && qp->ord_used >= qp->ord)
			return -EAGAIN;
		qp->tx_src = SRC_SQ;
		if (w->opcode == RTE_IWARP_WR_RDMA_READ) {
			untagged_tmpl(&h, IW_OP_READ_REQ, IW_QN_READ_REQ,
				      qp->msn_tx[IW_QN_READ_REQ]);
			h.rreq.sink_stag = iw_swqe_sge(w)[0].lkey;
			h.rreq.sink_to = w->aux_addr;
			h.rreq.size = w->total;
			h.rreq.src_stag = w->rkey;
			h.rreq.src_to = w->remote_addr;
		} else {
			untagged_tmpl(&h, IW_OP_ATOMIC_REQ, IW_QN_ATOMIC,
				      qp->msn_tx[IW_QN_ATOMIC]);
			h.areq.req_id = qp->sq_tx;
			h.areq.stag = w->rkey;
			h.areq.to = w->remote_addr;
			if (w->opcode == RTE_IWARP_WR_ATOMIC_CMP_AND_SWP) {
				h.areq.aop = IW_ATOMIC_CMP_SWAP;
				h.areq.add_swap = w->swap;
				h.areq.add_swap_mask = UINT64_MAX;
				h.areq.cmp = w->cmp_add;
				h.areq.cmp_mask = UINT64_MAX;
			} else {
				h.areq.aop = IW_ATOMIC_FETCH_ADD;
				h.areq.add_swap = w->cmp_add;
			}
		}
		rc = send_msg(qp, &h, 0, &src);
		if (rc < 0)
			return rc;
		qp->msn_tx[w->opcode == RTE_IWARP_WR_RDMA_READ ? IW_QN_READ_REQ : IW_QN_ATOMIC]++;
		qp->ord_used++;
		break;
	default:
		w->status = RTE_IWARP_WC_LOC_QP_OP_ERR;
		w->state = IW_SWQE_DONE;
		qp->sq_tx++;
		iw_qp_complete_sq(qp);
		iw_qp_to_error(qp);
		return 0;
	}
	qp->tx_src = SRC_NONE;
	qp->tx_done = 0;
	w->end_off = iw_tcp_queued_total(qp->s);
	w->state = IW_SWQE_SENT;
	w->status = RTE_IWARP_WC_SUCCESS;
	qp->sq_tx++;
	/* it completes when TCP has it acknowledged, or its response is placed */
	return 0;
}

/* The inbound READ/atomic response at irq_tail. */
static int
tx_resp(struct rte_iwarp_qp *qp)
{
	struct iw_inbound *in = &qp->irq[qp->irq_tail & qp->irq_mask];
	struct msg_src src = { .flat = in->src };
	struct iw_hdr h;
	int rc;

	qp->tx_copy = false;

	qp->tx_src = SRC_RESP;
	if (in->opcode == IW_OP_READ_REQ) {
		tagged_tmpl(&h, IW_OP_READ_RESP, in->sink_stag, in->sink_to);
		rc = send_msg(qp, &h, in->size, &src);
	} else {
		untagged_tmpl(&h, IW_OP_ATOMIC_RESP, IW_QN_ATOMIC, qp->msn_tx[IW_QN_ATOMIC]);
		h.aresp.req_id = in->sink_stag;
		h.aresp.orig = in->orig;
		rc = send_msg(qp, &h, 0, &src);
		if (rc == 0)
			qp->msn_tx[IW_QN_ATOMIC]++;
	}
	if (rc < 0)
		return rc;
	qp->tx_src = SRC_NONE;
	qp->tx_done = 0;
	qp->irq_tail++;
	return 0;
}

static int
tx_term(struct rte_iwarp_qp *qp)
{
	struct msg_src src = { .flat = qp->term_body + IW_TERM_LEN };
	struct iw_hdr h;
	int rc;

	qp->tx_copy = true;
	qp->tx_src = SRC_TERM;

	untagged_tmpl(&h, IW_OP_TERMINATE, IW_QN_TERMINATE, qp->msn_tx[IW_QN_TERMINATE]);
	h.term.ctrl = (uint32_t)qp->term_body[0] << 24 | (uint32_t)qp->term_body[1] << 16 |
		(uint32_t)qp->term_body[2] << 8 | qp->term_body[3];
	qp->tx_done = 0;
	rc = send_msg(qp, &h, qp->term_len - IW_TERM_LEN, &src);
	qp->tx_src = SRC_NONE;
	if (rc < 0)
		return rc;
	qp->msn_tx[IW_QN_TERMINATE]++;
	qp->term_pending = false;
	qp->term_sent_done = true;
	qp->dev->st.tx_terminate++;
	/* the stream ends after the TERMINATE: FIN behind it */
	iw_tcp_shutdown(qp->s);
	return 0;
}

static int
tx_rtr(struct rte_iwarp_qp *qp)
{
	struct msg_src src = { 0 };
	struct iw_hdr h;
	int rc;

	if (iw_mpa_rtr_hdr(qp->rtr, &h) < 0)
		return -EINVAL;
	if (h.opcode == IW_OP_READ_REQ) {
		h.u.msn = qp->msn_tx[IW_QN_READ_REQ];
	} else if (!h.tagged) {
		h.u.msn = qp->msn_tx[IW_QN_SEND];
	}
	qp->tx_done = 0;
	qp->tx_src = SRC_RTR;
	rc = send_msg(qp, &h, 0, &src);
	qp->tx_src = SRC_NONE;
	if (rc < 0)
		return rc;
	if (h.opcode == IW_OP_READ_REQ) {
		qp->msn_tx[IW_QN_READ_REQ]++;
		qp->rtr_read_pending = true;
	} else if (!h.tagged) {
		qp->msn_tx[IW_QN_SEND]++;
	}
	qp->send_rtr = false;
	return 0;
}

#define TX_BUDGET 512

int
iw_qp_tx(struct rte_iwarp_qp *qp, unsigned int *work)
{
	unsigned int budget = TX_BUDGET;
	int rc = 0;

	if (qp->s == NULL)
		return 0;
	if (qp->term_pending) {
		rc = tx_term(qp);
		*work += rc == 0;
		return rc == -EAGAIN ? -EAGAIN : 0;
	}
	if (qp->state != RTE_IWARP_QPS_RTS || !qp->rx_first_seen)
		return 0;
	if (unlikely(qp->tx_hold_until != 0)) {
		if (rte_get_timer_cycles() < qp->tx_hold_until)
			return -EAGAIN;
		qp->tx_hold_until = 0;
	}
	if (qp->send_rtr) {
		rc = tx_rtr(qp);
		if (rc < 0)
			return rc == -EAGAIN ? -EAGAIN : 0;
		(*work)++;
	}
	while (budget-- > 0 && qp->state == RTE_IWARP_QPS_RTS) {
		if (qp->tx_src == SRC_RESP || (qp->tx_src == SRC_NONE &&
				qp->irq_tail != qp->irq_head))
			rc = tx_resp(qp);
		else if (qp->sq_tx != qp->sq_head)
			rc = tx_swqe(qp);
		else
			return 0;
		if (rc == -EAGAIN)
			return -EAGAIN;
		if (rc < 0) {
			IW_LOG_DP(ERR, "QP %u transmit failed: %d", qp->qpn, rc);
			iw_qp_to_error(qp);
			return 0;
		}
		(*work)++;
	}
	return qp->state == RTE_IWARP_QPS_RTS ? -EAGAIN : 0;
}

void
iw_qp_terminate(struct rte_iwarp_qp *qp, const struct iw_term_cause *cause,
		const struct iw_hdr *hdr)
{
	const uint8_t *raw = NULL, *ddp = NULL, *rreq = NULL;
	uint32_t rlen = 0;
	uint16_t seglen = 0;
	int n;

	if (qp->term_sent != IW_TERM_NONE || qp->term_received != IW_TERM_NONE)
		goto error;
	if (hdr != NULL) {
		raw = iw_fpdu_rx_raw_hdr(&qp->rx, &rlen);
		if (rlen >= IW_MPA_LEN_FIELD + (uint32_t)(hdr->tagged ? IW_DDP_TAGGED_HDR_LEN :
				IW_DDP_UNTAGGED_HDR_LEN)) {
			seglen = (uint16_t)(raw[0] << 8 | raw[1]);
			ddp = raw + IW_MPA_LEN_FIELD;
			if (hdr->opcode == IW_OP_READ_REQ &&
					rlen >= IW_MPA_LEN_FIELD + IW_DDP_UNTAGGED_HDR_LEN +
					IW_RDMAP_RREQ_LEN)
				rreq = ddp + IW_DDP_UNTAGGED_HDR_LEN;
		}
	}
	n = iw_term_encode(cause, seglen, ddp, rreq, qp->term_body, sizeof(qp->term_body));
	if (n < (int)IW_TERM_LEN)
		goto error;
	qp->term_len = (uint16_t)n;
	qp->term_sent = iw_term_word(cause);
	IW_LOG_DP(DEBUG, "QP %u terminate layer %u etype %u ecode 0x%02x", qp->qpn,
		  cause->layer, cause->etype, cause->ecode);
	if (qp->s != NULL && qp->state != RTE_IWARP_QPS_ERR) {
		qp->term_pending = true;
		/* ahead of the QPs waiting for admission (the engine's pass stops at them) */
		if (qp->tx_listed) {
			TAILQ_REMOVE(&qp->dev->tx_list, qp, tx_next);
			TAILQ_INSERT_HEAD(&qp->dev->tx_list, qp, tx_next);
		}
		qp->state = RTE_IWARP_QPS_TERMINATE;
		iw_cm_event_push(qp->dev, RTE_IWARP_CM_EVENT_TERMINATE, qp->cm, -EPROTO,
				 qp->term_sent);
	}
error:
	iw_qp_to_error(qp);
	iw_qp_kick(qp);
}

/*
 * A local catastrophic error (a completion lost to a full CQ): the QP goes to
 * ERROR and tells the peer, as for a protection violation (TERMINATE, then the
 * stream closes in order). RFC 5040 7.2: RDMAP, Local Catastrophic Error; its
 * code is not defined (IANA: 0x0/0x0/ALL): unspecified, as Linux siw sends it.
 */
void
iw_qp_local_error(struct rte_iwarp_qp *qp)
{
	const struct iw_term_cause c = {
		.layer = IW_LAYER_RDMAP, .etype = IW_RDMAP_ET_CATASTROPHIC,
		.ecode = IW_RDMAP_EC_UNSPECIFIED,
	};

	iw_qp_terminate(qp, &c, NULL);
}
