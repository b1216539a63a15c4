/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Completion queues: a power-of-two ring written by the engine and polled by
 * the owner thread. Overflow puts the CQ in error: never silent.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iw_verbs_pvt.h"

struct rte_iwarp_cq *
rte_iwarp_create_cq(struct rte_iwarp_dev *dev, uint32_t cqe, void *cq_context)
{
	struct rte_iwarp_cq *cq;
	uint32_t n;

	if (dev == NULL || cqe == 0 || cqe > (1u << 22)) {
		rte_errno = EINVAL;
		return NULL;
	}
	n = rte_align32pow2(cqe);
	cq = rte_zmalloc("iwarp_cq", sizeof(*cq), RTE_CACHE_LINE_SIZE);
	if (cq == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	cq->ring = rte_malloc("iwarp_cq_ring", sizeof(cq->ring[0]) * n, RTE_CACHE_LINE_SIZE);
	if (cq->ring == NULL) {
		rte_free(cq);
		rte_errno = ENOMEM;
		return NULL;
	}
	cq->dev = dev;
	cq->context = cq_context;
	cq->mask = n - 1;
	return cq;
}

int
rte_iwarp_destroy_cq(struct rte_iwarp_cq *cq)
{
	if (cq == NULL)
		return -EINVAL;
	if (cq->users != 0)
		return -EBUSY;
	rte_free(cq->ring);
	rte_free(cq);
	return 0;
}

void
iw_cq_push(struct rte_iwarp_cq *cq, const struct rte_iwarp_wc *wc, bool solicited,
	   struct rte_iwarp_qp *qp)
{
	if (unlikely(cq->overflow ||
			cq->head - __atomic_load_n(&cq->tail, __ATOMIC_ACQUIRE) > cq->mask)) {
		if (!cq->overflow)
			IW_LOG(ERR, "CQ %p overflow: completion of QP %u lost", (void *)cq,
			       wc->qp_num);
		__atomic_store_n(&cq->overflow, true, __ATOMIC_RELEASE);
		cq->dev->st.cq_overflows++;
		__atomic_store_n(&cq->event, true, __ATOMIC_RELEASE);
		/*
		 * The QP lost a completion: it cannot go on, and tells its peer
		 * (TERMINATE). Completions pushed while it goes to ERROR (state
		 * TERMINATE until then) are lost with the first.
		 */
		if (qp != NULL && qp->state != RTE_IWARP_QPS_ERR &&
				qp->state != RTE_IWARP_QPS_TERMINATE) {
			iw_cm_event_push(cq->dev, RTE_IWARP_CM_EVENT_CQ_ERROR, qp->cm,
					 -EOVERFLOW, 0);
			iw_qp_local_error(qp);
		}
		return;
	}
	uint8_t armed;

	cq->ring[cq->head & cq->mask] = *wc;
	__atomic_store_n(&cq->head, cq->head + 1, __ATOMIC_RELEASE);
	armed = __atomic_load_n(&cq->armed, __ATOMIC_ACQUIRE);
	if (armed && (armed == 1 || solicited || wc->status != RTE_IWARP_WC_SUCCESS)) {
		__atomic_store_n(&cq->armed, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&cq->event, true, __ATOMIC_RELEASE);
	}
}

int
rte_iwarp_poll_cq(struct rte_iwarp_cq *cq, int num_entries, struct rte_iwarp_wc *wc)
{
	uint32_t head, tail;
	int n = 0;

	if (unlikely(cq == NULL || num_entries < 0 || (wc == NULL && num_entries > 0)))
		return -EINVAL;
	if (cq->dev->mode == RTE_IWARP_MODE_INLINE)
		rte_iwarp_dev_poll(cq->dev);
	if (unlikely(__atomic_load_n(&cq->overflow, __ATOMIC_ACQUIRE)))
		return -EOVERFLOW;
	head = __atomic_load_n(&cq->head, __ATOMIC_ACQUIRE);
	tail = cq->tail;
	while (n < num_entries && tail != head) {
		wc[n++] = cq->ring[tail & cq->mask];
		tail++;
	}
	__atomic_store_n(&cq->tail, tail, __ATOMIC_RELEASE);
	return n;
}

int
rte_iwarp_req_notify_cq(struct rte_iwarp_cq *cq, bool solicited_only)
{
	if (cq == NULL)
		return -EINVAL;
	__atomic_store_n(&cq->armed, solicited_only ? 2 : 1, __ATOMIC_RELEASE);
	return 0;
}

int
rte_iwarp_cq_event(struct rte_iwarp_cq *cq)
{
	bool ev;

	if (cq == NULL)
		return -EINVAL;
	ev = __atomic_exchange_n(&cq->event, false, __ATOMIC_ACQ_REL);
	return ev ? 1 : 0;
}

void *
rte_iwarp_cq_context(const struct rte_iwarp_cq *cq)
{
	return cq == NULL ? NULL : cq->context;
}
