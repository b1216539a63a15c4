/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service mode: the engine lcore progresses the device; the application
 * thread posts through a single-producer/single-consumer ring of requests
 * (rte_ring_elem, copied whole: SGEs or inline bytes) and polls the CQ ring
 * directly (acquire/release indexes, see iw_cq.c). Control calls reach the
 * engine through a call ring (rte_iwarp_dev_call()).
 *
 * Queue room is accounted on the application side: what it posted minus
 * what the engine consumed (the queues' tail indexes, stored with release)
 * minus what the engine refused; a post never overruns the engine's queue.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "iw_verbs_pvt.h"

#define SVC_RING 4096
#define SVC_CALLS 64
#define SVC_BURST 32

struct svc_call {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	uint32_t done;
};

int
iw_svc_init(struct rte_iwarp_dev *dev)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "iwsvc_%p", (void *)dev);
	dev->svc_cmd = rte_ring_create_elem(name, sizeof(struct iw_svc_cmd), SVC_RING,
					    SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (dev->svc_cmd == NULL)
		return -rte_errno;
	snprintf(name, sizeof(name), "iwcall_%p", (void *)dev);
	/* calls may come from several threads: multi-producer, one consumer */
	dev->svc_call = rte_ring_create(name, SVC_CALLS, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (dev->svc_call == NULL) {
		rte_ring_free(dev->svc_cmd);
		dev->svc_cmd = NULL;
		return -rte_errno;
	}
	return 0;
}

void
iw_svc_fini(struct rte_iwarp_dev *dev)
{
	rte_ring_free(dev->svc_cmd);
	rte_ring_free(dev->svc_call);
	dev->svc_cmd = NULL;
	dev->svc_call = NULL;
}

/* Is the caller the application side (not the engine)? */
bool
iw_svc_app_side(const struct rte_iwarp_dev *dev)
{
	return __atomic_load_n(&dev->engine_running, __ATOMIC_ACQUIRE) != 0 &&
		rte_lcore_id() != (dev->engine_running - 1);
}

int
rte_iwarp_dev_call(struct rte_iwarp_dev *dev, int (*fn)(void *arg), void *arg)
{
	struct svc_call c = { .fn = fn, .arg = arg };

	if (dev == NULL || fn == NULL)
		return -EINVAL;
	if (dev->mode == RTE_IWARP_MODE_INLINE || !iw_svc_app_side(dev))
		return fn(arg);
	while (rte_ring_mp_enqueue(dev->svc_call, &c) != 0)
		rte_pause();
	while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	return c.ret;
}

static void
run_cmd(struct iw_svc_cmd *c)
{
	struct rte_iwarp_send_wr *sbad;
	struct rte_iwarp_recv_wr rw, *rbad;
	struct rte_iwarp_sge isge;
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_srq *srq;

	switch (c->kind) {
	case IW_SVC_SEND:
		qp = c->obj;
		c->wr.next = NULL;
		if (c->wr.send_flags & RTE_IWARP_SEND_INLINE) {
			isge = (struct rte_iwarp_sge){ (uintptr_t)c->data, c->inline_len, 0 };
			c->wr.sg_list = &isge;
			c->wr.num_sge = c->inline_len ? 1 : 0;
		} else {
			c->wr.sg_list = c->sge;
		}
		if (iw_qp_post_send(qp, &c->wr, &sbad) < 0)
			iw_qp_post_error(qp, &c->wr);
		break;
	case IW_SVC_RECV:
	case IW_SVC_SRQ_RECV:
		rw = (struct rte_iwarp_recv_wr){ .wr_id = c->wr.wr_id, .sg_list = c->sge,
			.num_sge = c->wr.num_sge };
		if (c->kind == IW_SVC_RECV) {
			qp = c->obj;
			if (iw_qp_post_recv(qp, &rw, &rbad) < 0) {
				struct rte_iwarp_wc wc = {
					.wr_id = rw.wr_id, .status = RTE_IWARP_WC_LOC_PROT_ERR,
					.opcode = RTE_IWARP_WC_RECV, .qp_num = qp->qpn,
				};

				__atomic_store_n(&qp->svc_rq_dropped, qp->svc_rq_dropped + 1,
						 __ATOMIC_RELEASE);
				iw_cq_push(qp->recv_cq, &wc, false, NULL);
				iw_qp_to_error(qp);
			}
		} else {
			srq = c->obj;
			if (iw_srq_post_recv(srq, &rw, &rbad) < 0)
				__atomic_store_n(&srq->svc_dropped, srq->svc_dropped + 1,
						 __ATOMIC_RELEASE);
		}
		break;
	default:
		break;
	}
}

int
iw_svc_poll(struct rte_iwarp_dev *dev)
{
	struct iw_svc_cmd cmds[SVC_BURST];
	struct svc_call *c;
	void *p;
	unsigned int n, i;
	int work = 0;

	if (unlikely(dev->engine_running != rte_lcore_id() + 1))
		__atomic_store_n(&dev->engine_running, rte_lcore_id() + 1, __ATOMIC_RELEASE);
	while (rte_ring_sc_dequeue(dev->svc_call, &p) == 0) {
		c = p;
		c->ret = c->fn(c->arg);
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
		work++;
	}
	do {
		n = rte_ring_sc_dequeue_burst_elem(dev->svc_cmd, cmds, sizeof(cmds[0]),
						   SVC_BURST, NULL);
		for (i = 0; i < n; i++)
			run_cmd(&cmds[i]);
		work += (int)n;
	} while (n == SVC_BURST);
	return work;
}

static int
enqueue(struct rte_iwarp_dev *dev, struct iw_svc_cmd *c)
{
	return rte_ring_sp_enqueue_elem(dev->svc_cmd, c, sizeof(*c)) == 0 ? 0 : -ENOMEM;
}

int
iw_svc_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
		 struct rte_iwarp_send_wr **bad_wr)
{
	struct iw_svc_cmd c;
	uint32_t used, len;
	int i, rc = 0;

	if (wr == NULL || bad_wr == NULL) {
		if (bad_wr != NULL)
			*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr != NULL; wr = wr->next) {
		rc = -EINVAL;
		if (wr->opcode == RTE_IWARP_WR_SEND_WITH_IMM || wr->opcode == RTE_IWARP_WR_TSO ||
				wr->opcode == RTE_IWARP_WR_DRIVER1)
			rc = -EOPNOTSUPP;
		else if ((unsigned int)wr->opcode > RTE_IWARP_WR_REG_MR || wr->num_sge < 0 ||
				(wr->num_sge > 0 && wr->sg_list == NULL))
			;
		else if (!(wr->send_flags & RTE_IWARP_SEND_INLINE) &&
				(uint32_t)wr->num_sge > qp->max_send_sge)
			;
		else
			rc = 0;
		if (rc < 0)
			break;
		memset(&c, 0, offsetof(struct iw_svc_cmd, sge));
		c.kind = IW_SVC_SEND;
		c.obj = qp;
		c.wr = *wr;
		if (wr->send_flags & RTE_IWARP_SEND_INLINE) {
			for (i = 0, len = 0; i < wr->num_sge; i++)
				len += wr->sg_list[i].length;
			if (len > RTE_MIN(qp->max_inline, (uint32_t)RTE_IWARP_SVC_MAX_INLINE)) {
				rc = -EINVAL;
				break;
			}
			for (i = 0, len = 0; i < wr->num_sge; i++) {
				memcpy(c.data + len, (const void *)(uintptr_t)wr->sg_list[i].addr,
				       wr->sg_list[i].length);
				len += wr->sg_list[i].length;
			}
			c.inline_len = (uint16_t)len;
		} else if (wr->num_sge > 0) {
			memcpy(c.sge, wr->sg_list, sizeof(c.sge[0]) * (size_t)wr->num_sge);
		}
		used = qp->svc_sq_head - __atomic_load_n(&qp->sq_tail, __ATOMIC_ACQUIRE);
		if (used > qp->sq_mask) {
			rc = -ENOMEM;
			break;
		}
		rc = enqueue(qp->dev, &c);
		if (rc < 0)
			break;
		qp->svc_sq_head++;
	}
	if (rc < 0)
		*bad_wr = wr;
	return rc;
}

int
iw_svc_post_recv(struct rte_iwarp_qp *qp, struct rte_iwarp_srq *srq,
		 struct rte_iwarp_recv_wr *wr, struct rte_iwarp_recv_wr **bad_wr)
{
	struct rte_iwarp_dev *dev = qp != NULL ? qp->dev : srq->pd->dev;
	struct iw_rq *rq = qp != NULL ? &qp->rq : &srq->rq;
	uint32_t *head = qp != NULL ? &qp->svc_rq_head : &srq->svc_head;
	uint32_t *dropped = qp != NULL ? &qp->svc_rq_dropped : &srq->svc_dropped;
	struct iw_svc_cmd c;
	uint32_t used;
	int rc = 0;

	if (wr == NULL || bad_wr == NULL || (qp != NULL && qp->srq != NULL)) {
		if (bad_wr != NULL)
			*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr != NULL; wr = wr->next) {
		if (wr->num_sge < 0 || (uint32_t)wr->num_sge > rq->max_sge ||
				(wr->num_sge > 0 && wr->sg_list == NULL)) {
			rc = -EINVAL;
			break;
		}
		used = *head - __atomic_load_n(&rq->tail, __ATOMIC_ACQUIRE) -
			__atomic_load_n(dropped, __ATOMIC_ACQUIRE);
		if (used > rq->mask) {
			rc = -ENOMEM;
			break;
		}
		memset(&c, 0, offsetof(struct iw_svc_cmd, sge));
		c.kind = qp != NULL ? IW_SVC_RECV : IW_SVC_SRQ_RECV;
		c.obj = qp != NULL ? (void *)qp : (void *)srq;
		c.wr.wr_id = wr->wr_id;
		c.wr.num_sge = wr->num_sge;
		if (wr->num_sge > 0)
			memcpy(c.sge, wr->sg_list, sizeof(c.sge[0]) * (size_t)wr->num_sge);
		rc = enqueue(dev, &c);
		if (rc < 0)
			break;
		(*head)++;
	}
	if (rc < 0)
		*bad_wr = wr;
	return rc;
}
