/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue pairs: creation with capabilities, the post calls, completion of the
 * send queue in order, the error state and its in-order flush; SRQs.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iw_verbs_pvt.h"

#define DEF_WR 64
#define DEF_SGE 2
#define DEF_INLINE 64
#define DEF_RD 8
#define MAX_WR (1u << 15)
#define MAX_RD 1024

static int
rq_init(struct iw_rq *rq, uint32_t depth, uint32_t max_sge, int socket)
{
	uint32_t n = rte_align32pow2(depth);

	rq->stride = (uint32_t)(sizeof(struct iw_rwqe) + max_sge * sizeof(struct iw_lsge));
	rq->ring = rte_malloc_socket("iwarp_rq", (size_t)n * rq->stride, 0, socket);
	if (rq->ring == NULL)
		return -ENOMEM;
	rq->mask = n - 1;
	rq->max_sge = max_sge;
	rq->head = rq->tail = 0;
	return 0;
}

struct rte_iwarp_qp *
rte_iwarp_create_qp(struct rte_iwarp_pd *pd, struct rte_iwarp_qp_init_attr *attr)
{
	struct rte_iwarp_qp_cap *cap;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_qp *qp;
	uint32_t i, n, area;
	int socket = SOCKET_ID_ANY;

	if (pd == NULL || attr == NULL || attr->send_cq == NULL || attr->recv_cq == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	dev = pd->dev;
	cap = &attr->cap;
	if (attr->send_cq->dev != dev || attr->recv_cq->dev != dev ||
			(attr->srq != NULL && attr->srq->pd->dev != dev)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (cap->max_send_wr == 0)
		cap->max_send_wr = DEF_WR;
	if (cap->max_recv_wr == 0)
		cap->max_recv_wr = DEF_WR;
	if (cap->max_send_sge == 0)
		cap->max_send_sge = DEF_SGE;
	if (cap->max_recv_sge == 0)
		cap->max_recv_sge = DEF_SGE;
	if (cap->max_inline_data == 0)
		cap->max_inline_data = DEF_INLINE;
	if (cap->max_rd_atomic == 0)
		cap->max_rd_atomic = DEF_RD;
	if (cap->max_dest_rd_atomic == 0)
		cap->max_dest_rd_atomic = DEF_RD;
	if (cap->max_send_wr > MAX_WR || cap->max_recv_wr > MAX_WR ||
			cap->max_send_sge > IW_MAX_SGE || cap->max_recv_sge > IW_MAX_SGE ||
			cap->max_inline_data > IW_MAX_INLINE || cap->max_rd_atomic > MAX_RD ||
			cap->max_dest_rd_atomic > MAX_RD) {
		rte_errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < dev->max_qps; i++)
		if (dev->qps[(dev->qp_hint + i) % dev->max_qps] == NULL)
			break;
	if (i == dev->max_qps) {
		rte_errno = ENOSPC;
		return NULL;
	}
	i = (dev->qp_hint + i) % dev->max_qps;
	qp = rte_zmalloc_socket("iwarp_qp", sizeof(*qp), RTE_CACHE_LINE_SIZE, socket);
	if (qp == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	cap->max_send_wr = rte_align32pow2(cap->max_send_wr);
	cap->max_recv_wr = rte_align32pow2(cap->max_recv_wr);
	cap->max_inline_data = RTE_ALIGN_CEIL(cap->max_inline_data, 16);
	area = RTE_MAX(cap->max_send_sge * (uint32_t)sizeof(struct iw_lsge),
		       cap->max_inline_data);
	qp->sq_stride = (uint32_t)sizeof(struct iw_swqe) + area;
	qp->sq = rte_malloc_socket("iwarp_sq", (size_t)cap->max_send_wr * qp->sq_stride, 0,
				   socket);
	n = rte_align32pow2(cap->max_dest_rd_atomic);
	qp->irq = rte_malloc_socket("iwarp_irq", n * sizeof(qp->irq[0]), 0, socket);
	/* with an SRQ, one slot holds the entry a message in progress took */
	if (qp->sq == NULL || qp->irq == NULL ||
			rq_init(&qp->rq, attr->srq == NULL ? cap->max_recv_wr : 1,
				attr->srq == NULL ? cap->max_recv_sge : attr->srq->rq.max_sge,
				socket) < 0) {
		rte_free(qp->rq.ring);
		rte_free(qp->sq);
		rte_free(qp->irq);
		rte_free(qp);
		rte_errno = ENOMEM;
		return NULL;
	}
	qp->irq_mask = (uint16_t)(n - 1);
	qp->sq_mask = cap->max_send_wr - 1;
	qp->max_send_sge = cap->max_send_sge;
	qp->max_inline = cap->max_inline_data;
	qp->ord = cap->max_rd_atomic;
	qp->ird = cap->max_dest_rd_atomic;
	qp->dev = dev;
	qp->pd = pd;
	qp->pd_handle = pd->handle;
	qp->send_cq = attr->send_cq;
	qp->recv_cq = attr->recv_cq;
	qp->srq = attr->srq;
	qp->context = attr->qp_context;
	qp->sq_sig_all = attr->sq_sig_all;
	qp->state = RTE_IWARP_QPS_INIT;
	qp->qpn = i + 1;
	qp->term_sent = IW_TERM_NONE;
	qp->term_received = IW_TERM_NONE;
	for (n = 0; n < 4; n++) {
		qp->msn_tx[n] = 1;
		qp->msn_rx[n] = 1;
	}
	qp->send_cq->users++;
	qp->recv_cq->users++;
	if (qp->srq != NULL)
		qp->srq->users++;
	pd->refs++;
	dev->qps[i] = qp;
	dev->qp_hint = i + 1;
	dev->nb_qps++;
	return qp;
}

int
rte_iwarp_destroy_qp(struct rte_iwarp_qp *qp)
{
	struct rte_iwarp_dev *dev;

	if (qp == NULL)
		return -EINVAL;
	dev = qp->dev;
	iw_cm_qp_gone(qp);
	if (qp->s != NULL) {
		/*
		 * After a TERMINATE the stream ends in order with the TERMINATE
		 * last (RFC 5040 section 7.1): the one still queued goes out first.
		 */
		unsigned int work = 0;

		if (qp->term_pending)
			iw_qp_tx(qp, &work);
		iw_tcp_set_cb(qp->s, NULL);
		if (iw_qp_terminated(qp) && !qp->term_pending)
			iw_tcp_close(qp->s);
		else
			iw_tcp_abort(qp->s);
		qp->s = NULL;
	}
	if (qp->tx_listed)
		TAILQ_REMOVE(&dev->tx_list, qp, tx_next);
	qp->send_cq->users--;
	qp->recv_cq->users--;
	if (qp->srq != NULL)
		qp->srq->users--;
	if (qp->svc_ch != NULL)
		qp->svc_ch->users--;
	qp->pd->refs--;
	dev->qps[qp->qpn - 1] = NULL;
	dev->nb_qps--;
	rte_free(qp->rq.ring);
	rte_free(qp->sq);
	rte_free(qp->irq);
	rte_free(qp);
	return 0;
}

int
rte_iwarp_modify_qp_state(struct rte_iwarp_qp *qp, enum rte_iwarp_qp_state state)
{
	if (qp == NULL || state != RTE_IWARP_QPS_ERR)
		return -EINVAL;
	if (qp->state != RTE_IWARP_QPS_ERR)
		iw_qp_to_error(qp);
	return 0;
}

int
rte_iwarp_query_qp(const struct rte_iwarp_qp *qp, struct rte_iwarp_qp_attr *a)
{
	if (qp == NULL || a == NULL)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->state = qp->state;
	a->qp_num = qp->qpn;
	a->cap.max_send_wr = qp->sq_mask + 1;
	a->cap.max_recv_wr = qp->srq == NULL ? qp->rq.mask + 1 : 0;
	a->cap.max_send_sge = qp->max_send_sge;
	a->cap.max_recv_sge = qp->srq == NULL ? qp->rq.max_sge : qp->srq->rq.max_sge;
	a->cap.max_inline_data = qp->max_inline;
	a->cap.max_rd_atomic = qp->ord;
	a->cap.max_dest_rd_atomic = qp->ird;
	a->ird = qp->ird;
	a->ord = qp->ord;
	a->crc = qp->crc;
	a->markers_tx = qp->markers_tx;
	a->markers_rx = qp->markers_rx;
	a->mpa_rev = qp->mpa_rev;
	a->term_sent = qp->term_sent;
	a->term_received = qp->term_received;
	return 0;
}

uint32_t
rte_iwarp_qp_num(const struct rte_iwarp_qp *qp)
{
	return qp == NULL ? 0 : qp->qpn;
}

void *
rte_iwarp_qp_context(const struct rte_iwarp_qp *qp)
{
	return qp == NULL ? NULL : qp->context;
}

void
iw_qp_kick(struct rte_iwarp_qp *qp)
{
	if (!qp->tx_listed && qp->s != NULL) {
		TAILQ_INSERT_TAIL(&qp->dev->tx_list, qp, tx_next);
		qp->tx_listed = true;
	}
}

/* Resolve and check a local SGE list. */
static __rte_always_inline int
sge_resolve(struct rte_iwarp_qp *qp, const struct rte_iwarp_sge *sg, int n, uint32_t access,
	    struct iw_lsge *out, uint32_t *total)
{
	uint64_t sum = 0;
	uint8_t *where;
	int i;

	for (i = 0; i < n; i++) {
		if (iw_stag_check(qp->dev->stags, sg[i].lkey, qp->pd_handle, qp->qpn, access,
				  sg[i].addr, sg[i].length, &where) != IW_PROT_OK)
			return -EINVAL;
		out[i].host = where;
		out[i].len = sg[i].length;
		out[i].lkey = sg[i].lkey;
		sum += sg[i].length;
	}
	if (sum > UINT32_MAX)
		return -EINVAL;
	*total = (uint32_t)sum;
	return 0;
}

static __rte_always_inline int
post_one_send(struct rte_iwarp_qp *qp, const struct rte_iwarp_send_wr *wr)
{
	struct iw_swqe *w;
	uint32_t total = 0;
	uint8_t *p;
	int i, rc;

	if (qp->sq_head - qp->sq_tail > qp->sq_mask)
		return -ENOMEM;
	if (wr->num_sge < 0 || (wr->num_sge > 0 && wr->sg_list == NULL))
		return -EINVAL;
	w = iw_sq_at(qp, qp->sq_head);
	/* the fields every opcode uses; the others are set by theirs */
	memset(w, 0, offsetof(struct iw_swqe, cmp_add));
	w->wr_id = wr->wr_id;
	w->opcode = (uint8_t)wr->opcode;
	w->flags = (uint8_t)(wr->send_flags & 0xf);
	if (qp->sq_sig_all)
		w->flags |= RTE_IWARP_SEND_SIGNALED;
	switch (wr->opcode) {
	case RTE_IWARP_WR_SEND:
	case RTE_IWARP_WR_SEND_WITH_INV:
	case RTE_IWARP_WR_RDMA_WRITE:
	case RTE_IWARP_WR_RDMA_WRITE_WITH_IMM:
		if (wr->send_flags & RTE_IWARP_SEND_INLINE) {
			for (i = 0; i < wr->num_sge; i++)
				total += wr->sg_list[i].length;
			if (total > qp->max_inline)
				return -EINVAL;
			p = iw_swqe_inline(w);
			for (i = 0; i < wr->num_sge; i++) {
				memcpy(p, (const void *)(uintptr_t)wr->sg_list[i].addr,
				       wr->sg_list[i].length);
				p += wr->sg_list[i].length;
			}
			w->num_sge = 0;
		} else {
			if ((uint32_t)wr->num_sge > qp->max_send_sge)
				return -EINVAL;
			rc = sge_resolve(qp, wr->sg_list, wr->num_sge, 0, iw_swqe_sge(w), &total);
			if (rc < 0)
				return rc;
			w->num_sge = (uint8_t)wr->num_sge;
		}
		w->total = total;
		if (wr->opcode == RTE_IWARP_WR_SEND_WITH_INV)
			w->imm_inv = wr->invalidate_rkey;
		if (wr->opcode == RTE_IWARP_WR_RDMA_WRITE_WITH_IMM)
			w->imm_inv = rte_be_to_cpu_32(wr->imm_data);
		if (wr->opcode == RTE_IWARP_WR_RDMA_WRITE ||
				wr->opcode == RTE_IWARP_WR_RDMA_WRITE_WITH_IMM) {
			if (wr->wr.rdma.rkey == 0)
				return -EINVAL;
			w->rkey = wr->wr.rdma.rkey;
			w->remote_addr = wr->wr.rdma.remote_addr;
		}
		break;
	case RTE_IWARP_WR_RDMA_READ:
		/* the sink is an SGL: the request names its first SGE (STag and TO) */
		if (wr->num_sge < 1 || (uint32_t)wr->num_sge > qp->max_send_sge ||
				wr->wr.rdma.rkey == 0 || (wr->send_flags & RTE_IWARP_SEND_INLINE))
			return -EINVAL;
		rc = sge_resolve(qp, wr->sg_list, wr->num_sge, IW_ACC_LOCAL_WRITE,
				 iw_swqe_sge(w), &total);
		if (rc < 0)
			return rc;
		w->num_sge = (uint8_t)wr->num_sge;
		w->total = total;
		w->aux_addr = wr->sg_list[0].addr;
		w->rkey = wr->wr.rdma.rkey;
		w->remote_addr = wr->wr.rdma.remote_addr;
		break;
	case RTE_IWARP_WR_ATOMIC_CMP_AND_SWP:
	case RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD:
		if (wr->num_sge != 1 || wr->sg_list[0].length != 8 || wr->wr.atomic.rkey == 0 ||
				(wr->wr.atomic.remote_addr & 7) != 0 ||
				(wr->send_flags & RTE_IWARP_SEND_INLINE))
			return -EINVAL;
		rc = sge_resolve(qp, wr->sg_list, 1, IW_ACC_LOCAL_WRITE, iw_swqe_sge(w), &total);
		if (rc < 0)
			return rc;
		w->num_sge = 1;
		w->total = 8;
		w->rkey = wr->wr.atomic.rkey;
		w->remote_addr = wr->wr.atomic.remote_addr;
		w->cmp_add = wr->wr.atomic.compare_add;
		w->swap = wr->wr.atomic.swap;
		break;
	case RTE_IWARP_WR_LOCAL_INV:
		if (wr->invalidate_rkey == 0)
			return -EINVAL;
		w->imm_inv = wr->invalidate_rkey;
		break;
	case RTE_IWARP_WR_BIND_MW:
		if (wr->wr.bind_mw.mw == NULL || wr->wr.bind_mw.bind_info.mr == NULL ||
				wr->wr.bind_mw.mw->type != RTE_IWARP_MW_TYPE_2 ||
				wr->wr.bind_mw.mw->pd != qp->pd)
			return -EINVAL;
		w->mw = wr->wr.bind_mw.mw;
		w->rkey = wr->wr.bind_mw.rkey;
		w->aux_key = wr->wr.bind_mw.bind_info.mr->lkey;
		w->aux_addr = wr->wr.bind_mw.bind_info.addr;
		w->aux_len = wr->wr.bind_mw.bind_info.length;
		w->aux_access = wr->wr.bind_mw.bind_info.mw_access_flags;
		break;
	case RTE_IWARP_WR_REG_MR:
		if (wr->wr.reg.mr == NULL || !wr->wr.reg.mr->fast_reg ||
				wr->wr.reg.mr->pd != qp->pd || wr->wr.reg.addr == NULL ||
				wr->wr.reg.length == 0)
			return -EINVAL;
		w->mr = wr->wr.reg.mr;
		w->aux_host = wr->wr.reg.addr;
		w->aux_addr = wr->wr.reg.iova;
		w->aux_len = wr->wr.reg.length;
		w->aux_key = wr->wr.reg.key & 0xff;
		w->aux_access = wr->wr.reg.access;
		break;
	case RTE_IWARP_WR_SEND_WITH_IMM:
	case RTE_IWARP_WR_TSO:
	case RTE_IWARP_WR_DRIVER1:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	w->state = IW_SWQE_QUEUED;
	qp->sq_head++;
	return 0;
}

int
rte_iwarp_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
		    struct rte_iwarp_send_wr **bad_wr)
{
	uint32_t head;
	int rc;

	if (likely(qp == NULL || qp->dev->mode != RTE_IWARP_MODE_SERVICE))
		return iw_qp_post_send(qp, wr, bad_wr);
	if (iw_svc_app_side(qp->dev))
		return iw_svc_post_send(qp, wr, bad_wr);
	/* engine side (or before it runs): the application's room counts these */
	head = qp->sq_head;
	rc = iw_qp_post_send(qp, wr, bad_wr);
	iw_svc_count_direct(&qp->svc_sq_direct, qp->sq_head - head);
	return rc;
}

/* A request the engine refused (service mode): it completes in order, in error. */
void
iw_qp_post_error(struct rte_iwarp_qp *qp, const struct rte_iwarp_send_wr *wr)
{
	struct iw_swqe *w = iw_sq_at(qp, qp->sq_head);

	memset(w, 0, sizeof(*w));
	w->wr_id = wr->wr_id;
	w->opcode = (uint8_t)wr->opcode;
	w->flags = RTE_IWARP_SEND_SIGNALED;
	w->state = IW_SWQE_DONE;
	w->status = RTE_IWARP_WC_LOC_PROT_ERR;
	qp->sq_head++;
	if (qp->state == RTE_IWARP_QPS_ERR || qp->state == RTE_IWARP_QPS_TERMINATE)
		iw_qp_flush(qp);
	else
		iw_qp_kick(qp);
}

int
iw_qp_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
		struct rte_iwarp_send_wr **bad_wr)
{
	int rc = 0;

	if (unlikely(qp == NULL || wr == NULL || bad_wr == NULL)) {
		if (bad_wr != NULL)
			*bad_wr = wr;
		return -EINVAL;
	}
	if (unlikely(qp->state == RTE_IWARP_QPS_RESET)) {
		*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr != NULL; wr = wr->next) {
		rc = post_one_send(qp, wr);
		if (rc < 0) {
			*bad_wr = wr;
			break;
		}
	}
	if (qp->state == RTE_IWARP_QPS_ERR || qp->state == RTE_IWARP_QPS_TERMINATE)
		iw_qp_flush(qp);
	else if (qp->state == RTE_IWARP_QPS_RTS)
		iw_qp_kick(qp);
	return rc;
}

static int
rq_post(struct rte_iwarp_qp *qp, struct rte_iwarp_pd *pd, struct iw_rq *rq,
	struct rte_iwarp_recv_wr *wr, struct rte_iwarp_recv_wr **bad_wr)
{
	struct rte_iwarp_qp tmp;
	struct iw_rwqe *w;
	int rc;

	if (qp == NULL) {
		/* SRQ: resolve against the SRQ's PD */
		memset(&tmp, 0, sizeof(tmp));
		tmp.dev = pd->dev;
		tmp.pd_handle = pd->handle;
		qp = &tmp;
	}
	for (; wr != NULL; wr = wr->next) {
		if (rq->head - rq->tail > rq->mask) {
			*bad_wr = wr;
			return -ENOMEM;
		}
		if (wr->num_sge < 0 || (uint32_t)wr->num_sge > rq->max_sge ||
				(wr->num_sge > 0 && wr->sg_list == NULL)) {
			*bad_wr = wr;
			return -EINVAL;
		}
		w = iw_rq_at(rq, rq->head);
		rc = sge_resolve(qp, wr->sg_list, wr->num_sge, IW_ACC_LOCAL_WRITE,
				 iw_rwqe_sge(w), &w->total);
		if (rc < 0) {
			*bad_wr = wr;
			return rc;
		}
		w->wr_id = wr->wr_id;
		w->num_sge = (uint32_t)wr->num_sge;
		rq->head++;
	}
	return 0;
}

int
rte_iwarp_post_recv(struct rte_iwarp_qp *qp, struct rte_iwarp_recv_wr *wr,
		    struct rte_iwarp_recv_wr **bad_wr)
{
	uint32_t head;
	int rc;

	if (likely(qp == NULL || qp->dev->mode != RTE_IWARP_MODE_SERVICE))
		return iw_qp_post_recv(qp, wr, bad_wr);
	if (iw_svc_app_side(qp->dev))
		return iw_svc_post_recv(qp, NULL, wr, bad_wr);
	head = qp->rq.head;
	rc = iw_qp_post_recv(qp, wr, bad_wr);
	iw_svc_count_direct(&qp->svc_rq_direct, qp->rq.head - head);
	return rc;
}

int
iw_qp_post_recv(struct rte_iwarp_qp *qp, struct rte_iwarp_recv_wr *wr,
		struct rte_iwarp_recv_wr **bad_wr)
{
	int rc;

	if (qp == NULL || wr == NULL || bad_wr == NULL || qp->srq != NULL ||
			qp->state == RTE_IWARP_QPS_RESET) {
		if (bad_wr != NULL)
			*bad_wr = wr;
		return -EINVAL;
	}
	rc = rq_post(qp, qp->pd, &qp->rq, wr, bad_wr);
	if (qp->state == RTE_IWARP_QPS_ERR)
		iw_qp_flush(qp);
	return rc;
}

struct rte_iwarp_srq *
rte_iwarp_create_srq(struct rte_iwarp_pd *pd, const struct rte_iwarp_srq_init_attr *attr)
{
	struct rte_iwarp_srq *srq;
	uint32_t depth, sge;

	if (pd == NULL || attr == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	depth = attr->max_wr ? attr->max_wr : 256;
	sge = attr->max_sge ? attr->max_sge : DEF_SGE;
	if (depth > MAX_WR * 4 || sge > IW_MAX_SGE) {
		rte_errno = EINVAL;
		return NULL;
	}
	srq = rte_zmalloc("iwarp_srq", sizeof(*srq), RTE_CACHE_LINE_SIZE);
	if (srq == NULL || rq_init(&srq->rq, depth, sge, SOCKET_ID_ANY) < 0) {
		rte_free(srq);
		rte_errno = ENOMEM;
		return NULL;
	}
	srq->pd = pd;
	srq->context = attr->srq_context;
	pd->refs++;
	return srq;
}

int
rte_iwarp_destroy_srq(struct rte_iwarp_srq *srq)
{
	if (srq == NULL)
		return -EINVAL;
	if (srq->users != 0)
		return -EBUSY;
	if (srq->svc_ch != NULL)
		srq->svc_ch->users--;
	srq->pd->refs--;
	rte_free(srq->rq.ring);
	rte_free(srq);
	return 0;
}

int
rte_iwarp_post_srq_recv(struct rte_iwarp_srq *srq, struct rte_iwarp_recv_wr *wr,
			struct rte_iwarp_recv_wr **bad_wr)
{
	uint32_t head;
	int rc;

	if (likely(srq == NULL || srq->pd->dev->mode != RTE_IWARP_MODE_SERVICE))
		return iw_srq_post_recv(srq, wr, bad_wr);
	if (iw_svc_app_side(srq->pd->dev))
		return iw_svc_post_recv(NULL, srq, wr, bad_wr);
	head = srq->rq.head;
	rc = iw_srq_post_recv(srq, wr, bad_wr);
	iw_svc_count_direct(&srq->svc_direct, srq->rq.head - head);
	return rc;
}

int
iw_srq_post_recv(struct rte_iwarp_srq *srq, struct rte_iwarp_recv_wr *wr,
		 struct rte_iwarp_recv_wr **bad_wr)
{
	if (srq == NULL || wr == NULL || bad_wr == NULL) {
		if (bad_wr != NULL)
			*bad_wr = wr;
		return -EINVAL;
	}
	return rq_post(NULL, srq->pd, &srq->rq, wr, bad_wr);
}

static const uint8_t wc_op_of[] = {
	[RTE_IWARP_WR_RDMA_WRITE] = RTE_IWARP_WC_RDMA_WRITE,
	[RTE_IWARP_WR_RDMA_WRITE_WITH_IMM] = RTE_IWARP_WC_RDMA_WRITE,
	[RTE_IWARP_WR_SEND] = RTE_IWARP_WC_SEND,
	[RTE_IWARP_WR_SEND_WITH_IMM] = RTE_IWARP_WC_SEND,
	[RTE_IWARP_WR_RDMA_READ] = RTE_IWARP_WC_RDMA_READ,
	[RTE_IWARP_WR_ATOMIC_CMP_AND_SWP] = RTE_IWARP_WC_COMP_SWAP,
	[RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD] = RTE_IWARP_WC_FETCH_ADD,
	[RTE_IWARP_WR_LOCAL_INV] = RTE_IWARP_WC_LOCAL_INV,
	[RTE_IWARP_WR_BIND_MW] = RTE_IWARP_WC_BIND_MW,
	[RTE_IWARP_WR_SEND_WITH_INV] = RTE_IWARP_WC_SEND,
	[RTE_IWARP_WR_TSO] = RTE_IWARP_WC_SEND,
	[RTE_IWARP_WR_DRIVER1] = RTE_IWARP_WC_SEND,
	[RTE_IWARP_WR_REG_MR] = RTE_IWARP_WC_REG_MR,
};

static void
swqe_complete(struct rte_iwarp_qp *qp, struct iw_swqe *w, uint8_t status)
{
	struct rte_iwarp_wc wc;

	if (status == RTE_IWARP_WC_SUCCESS && !(w->flags & RTE_IWARP_SEND_SIGNALED))
		return;
	memset(&wc, 0, sizeof(wc));
	wc.wr_id = w->wr_id;
	wc.status = status;
	wc.opcode = wc_op_of[w->opcode];
	wc.qp_num = qp->qpn;
	wc.vendor_err = w->vendor_err;
	if (w->opcode == RTE_IWARP_WR_RDMA_READ)
		wc.byte_len = w->placed;
	else if (w->opcode == RTE_IWARP_WR_ATOMIC_CMP_AND_SWP ||
			w->opcode == RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD)
		wc.byte_len = 8;
	else
		wc.byte_len = w->total;
	iw_cq_push(qp->send_cq, &wc, false, qp);
}

/* Complete the send queue in order, as far as it can. */
void
iw_qp_complete_sq(struct rte_iwarp_qp *qp)
{
	struct iw_swqe *w;

	while (qp->sq_tail != qp->sq_tx && qp->state != RTE_IWARP_QPS_ERR) {
		w = iw_sq_at(qp, qp->sq_tail);
		if (w->state == IW_SWQE_SENT && w->end_off <= qp->acked &&
				(w->opcode == RTE_IWARP_WR_SEND ||
				 w->opcode == RTE_IWARP_WR_SEND_WITH_INV ||
				 w->opcode == RTE_IWARP_WR_RDMA_WRITE ||
				 w->opcode == RTE_IWARP_WR_RDMA_WRITE_WITH_IMM))
			w->state = IW_SWQE_DONE;
		if (w->state != IW_SWQE_DONE)
			break;
		__atomic_store_n(&qp->sq_tail, qp->sq_tail + 1, __ATOMIC_RELEASE);
		swqe_complete(qp, w, w->status);
	}
}

static void
rq_flush(struct rte_iwarp_qp *qp)
{
	struct rte_iwarp_wc wc;
	struct iw_rwqe *w;

	while (qp->rq.tail != qp->rq.head) {
		w = iw_rq_at(&qp->rq, qp->rq.tail);
		memset(&wc, 0, sizeof(wc));
		wc.wr_id = w->wr_id;
		wc.status = RTE_IWARP_WC_WR_FLUSH_ERR;
		wc.opcode = RTE_IWARP_WC_RECV;
		wc.qp_num = qp->qpn;
		__atomic_store_n(&qp->rq.tail, qp->rq.tail + 1, __ATOMIC_RELEASE);
		iw_cq_push(qp->recv_cq, &wc, false, NULL);
	}
}

/* Flush every outstanding work request in order (QP in ERROR). */
void
iw_qp_flush(struct rte_iwarp_qp *qp)
{
	struct iw_swqe *w;

	/* those done before the error keep their own status */
	while (qp->sq_tail != qp->sq_head) {
		w = iw_sq_at(qp, qp->sq_tail);
		__atomic_store_n(&qp->sq_tail, qp->sq_tail + 1, __ATOMIC_RELEASE);
		if (w->state == IW_SWQE_DONE)
			swqe_complete(qp, w, w->status);
		else
			swqe_complete(qp, w, RTE_IWARP_WC_WR_FLUSH_ERR);
	}
	qp->sq_tx = qp->sq_head;
	qp->ord_used = 0;
	if (qp->srq == NULL) {
		rq_flush(qp);
	} else if (qp->rx_have_rwqe) {
		/* the SRQ entry taken by a message in progress */
		struct rte_iwarp_wc wc = {
			.wr_id = iw_rq_at(&qp->rq, 0)->wr_id,
			.status = RTE_IWARP_WC_WR_FLUSH_ERR,
			.opcode = RTE_IWARP_WC_RECV,
			.qp_num = qp->qpn,
		};
		qp->rx_have_rwqe = false;
		iw_cq_push(qp->recv_cq, &wc, false, NULL);
	}
}

bool
iw_qp_terminated(const struct rte_iwarp_qp *qp)
{
	return qp->term_pending || qp->term_sent_done || qp->term_received != IW_TERM_NONE;
}

void
iw_qp_to_error(struct rte_iwarp_qp *qp)
{
	if (qp->state == RTE_IWARP_QPS_ERR)
		return;
	IW_LOG_DP(DEBUG, "QP %u to ERROR", qp->qpn);
	/* completions already earned (ACKed) go first, with their status */
	iw_qp_complete_sq(qp);
	qp->state = RTE_IWARP_QPS_ERR;
	qp->tx_src = 0;
	qp->irq_head = qp->irq_tail = 0;
	iw_qp_flush(qp);
	if (qp->term_pending)
		iw_qp_kick(qp);
}

void
iw_qp_connected(struct rte_iwarp_qp *qp, const struct iw_mpa_result *res, bool responder)
{
	iw_fpdu_rx_init(&qp->rx, res->crc, res->markers_rx, 0);
	iw_fpdu_tx_init(&qp->tx, res->crc, res->markers_tx, 0);
	qp->crc = res->crc;
	qp->markers_tx = res->markers_tx;
	qp->markers_rx = res->markers_rx;
	qp->mpa_rev = res->rev;
	if (res->ird_ord_known) {
		qp->ird = RTE_MIN(qp->ird, (uint16_t)(qp->irq_mask + 1));
		qp->ird = res->ird ? RTE_MIN(qp->ird, res->ird) : qp->ird;
		qp->ord = res->ord ? RTE_MIN(qp->ord, res->ord) : qp->ord;
	}
	qp->tx_limit = RTE_MIN(iw_tcp_mss(qp->s), qp->dev->mbuf_room);
	qp->is_responder = responder;
	qp->send_rtr = res->send_rtr;
	qp->expect_rtr = res->expect_rtr;
	qp->rtr = res->rtr;
	qp->rx_first_seen = !responder;
	qp->state = qp->expect_rtr ? RTE_IWARP_QPS_RTR : RTE_IWARP_QPS_RTS;
	iw_qp_kick(qp);
}
