/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service mode: the engine lcore progresses the device; application threads
 * post through channels, each a single-producer/single-consumer ring of
 * requests (rte_ring_elem, copied whole: SGEs or inline bytes, long inline
 * data in the following slots of the same bulk enqueue) that one application
 * thread fills and the engine drains, and poll their CQ rings directly
 * (acquire/release indexes, see iw_cq.c). A device has a default channel; a
 * QP or SRQ may be moved to another one (rte_iwarp_qp_set_channel()). Control
 * calls reach the engine through a multi-producer call ring
 * (rte_iwarp_dev_call()); before it runs a call the engine drains every
 * channel, so a call sees every post its caller made before it. The engine
 * drains the channels at the start of each poll and again after each receive
 * burst that brought frames, before it processes them (iw_svc_rx_hook()): a
 * frame the peer sent after a post returned finds that post in its queue.
 *
 * Queue room is accounted on the application side: what it posted, plus
 * what was posted directly (before the engine first polled, or on the engine
 * lcore: counted by the engine side, stored with release), minus what the
 * engine consumed (the queues' tail indexes, stored with release) minus what
 * the engine refused; a post never overruns the engine's queue. The tail is
 * read before the direct count: a count read later only overstates the room
 * used, never understates it (the tail passes no entry the count misses).
 */
#include <errno.h>
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "iw_verbs_pvt.h"

#define SVC_RING 4096
#define SVC_CALLS 64
#define SVC_BURST 32

/* inline data runs from data[] of the first slot into the next slots */
static_assert(offsetof(struct iw_svc_cmd, data) + RTE_IWARP_SVC_MAX_INLINE ==
	      sizeof(struct iw_svc_cmd), "inline bytes end the ring slot");

struct svc_call {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	uint32_t done;
};

static int
chan_ring(struct rte_iwarp_svc_channel *ch, struct rte_iwarp_dev *dev)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "iwsvc_%p", (void *)ch);
	ch->ring = rte_ring_create_elem(name, sizeof(struct iw_svc_cmd), SVC_RING,
					SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	ch->dev = dev;
	return ch->ring == NULL ? -rte_errno : 0;
}

int
iw_svc_init(struct rte_iwarp_dev *dev)
{
	char name[RTE_RING_NAMESIZE];
	int rc;

	rc = chan_ring(&dev->svc_def, dev);
	if (rc < 0)
		return rc;
	dev->svc_chans[0] = &dev->svc_def;
	dev->nb_svc_chans = 1;
	snprintf(name, sizeof(name), "iwcall_%p", (void *)dev);
	/* calls may come from several threads: multi-producer, one consumer */
	dev->svc_call = rte_ring_create(name, SVC_CALLS, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (dev->svc_call == NULL) {
		rc = -rte_errno;
		iw_svc_fini(dev);
		return rc;
	}
	return 0;
}

void
iw_svc_fini(struct rte_iwarp_dev *dev)
{
	uint32_t i;

	for (i = 1; i < dev->nb_svc_chans; i++) {
		rte_ring_free(dev->svc_chans[i]->ring);
		rte_free(dev->svc_chans[i]);
	}
	rte_ring_free(dev->svc_def.ring);
	rte_ring_free(dev->svc_call);
	dev->svc_def.ring = NULL;
	dev->nb_svc_chans = 0;
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

/* Ring slots of a command: one, more for long inline data. */
static unsigned int
cmd_slots(const struct iw_svc_cmd *c)
{
	if (c->kind != IW_SVC_SEND || c->inline_len <= RTE_IWARP_SVC_MAX_INLINE)
		return 1;
	return 1 + (unsigned int)((c->inline_len - RTE_IWARP_SVC_MAX_INLINE +
				   sizeof(*c) - 1) / sizeof(*c));
}

static int
drain_channel(struct rte_iwarp_svc_channel *ch)
{
	struct iw_svc_cmd cmds[SVC_BURST + IW_SVC_MAX_CONT];
	unsigned int burst, n, i, k, more;
	int work = 0;

	do {
		burst = rte_ring_sc_dequeue_burst_elem(ch->ring, cmds, sizeof(cmds[0]),
						       SVC_BURST, NULL);
		for (i = 0, n = burst; i < n; i += k) {
			k = cmd_slots(&cmds[i]);
			more = i + k > n ? i + k - n : 0;
			/* the rest of a long command, enqueued with it: in the ring */
			if (more > 0 && rte_ring_sc_dequeue_bulk_elem(ch->ring, &cmds[n],
					sizeof(cmds[0]), more, NULL) != more)
				break;
			n += more;
			run_cmd(&cmds[i]);
			work++;
		}
	} while (burst == SVC_BURST);
	return work;
}

static int
drain_channels(struct rte_iwarp_dev *dev)
{
	uint32_t i;
	int work = 0;

	for (i = 0; i < dev->nb_svc_chans; i++)
		work += drain_channel(dev->svc_chans[i]);
	return work;
}

/*
 * The receive hook (lib/net runs it after each receive burst that brought
 * frames, before it processes them): the posts already in the channels go to
 * their queues first. The drain at the start of the poll is not enough: an
 * application thread may post after it, then tell its peer to send, and the
 * SEND may reach the port before this poll takes its burst; its receive
 * would still be in a channel when the SEND is placed ("no buffer"). Every
 * frame the engine processes was taken from the port by a burst followed by
 * this drain, so a post made before the peer sent is in its queue in time.
 */
int
iw_svc_rx_hook(void *ctx)
{
	return drain_channels(ctx);
}

int
iw_svc_poll(struct rte_iwarp_dev *dev)
{
	struct svc_call *c;
	void *p;
	int work = 0;

	if (unlikely(dev->engine_running != rte_lcore_id() + 1))
		__atomic_store_n(&dev->engine_running, rte_lcore_id() + 1, __ATOMIC_RELEASE);
	while (rte_ring_sc_dequeue(dev->svc_call, &p) == 0) {
		c = p;
		/* the posts its caller made before the call come first */
		work += drain_channels(dev);
		c->ret = c->fn(c->arg);
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
		work++;
	}
	return work + drain_channels(dev);
}

/* Posts made directly by the engine side: the application's room counts them. */
void
iw_svc_count_direct(uint32_t *direct, uint32_t n)
{
	if (n != 0)
		__atomic_store_n(direct, *direct + n, __ATOMIC_RELEASE);
}

static struct rte_ring *
post_ring(struct rte_iwarp_dev *dev, struct rte_iwarp_svc_channel *ch)
{
	return ch != NULL ? ch->ring : dev->svc_def.ring;
}

static int
enqueue(struct rte_ring *r, struct iw_svc_cmd *c)
{
	unsigned int n = cmd_slots(c);

	return rte_ring_sp_enqueue_bulk_elem(r, c, sizeof(*c), n, NULL) == n ? 0 : -ENOMEM;
}

int
iw_svc_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
		 struct rte_iwarp_send_wr **bad_wr)
{
	struct iw_svc_cmd c[1 + IW_SVC_MAX_CONT];
	uint8_t *data = (uint8_t *)c + offsetof(struct iw_svc_cmd, data);
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
		memset(c, 0, offsetof(struct iw_svc_cmd, sge));
		c[0].kind = IW_SVC_SEND;
		c[0].obj = qp;
		c[0].wr = *wr;
		if (wr->send_flags & RTE_IWARP_SEND_INLINE) {
			for (i = 0, len = 0; i < wr->num_sge; i++)
				len += wr->sg_list[i].length;
			if (len > qp->max_inline) {
				rc = -EINVAL;
				break;
			}
			for (i = 0, len = 0; i < wr->num_sge; i++) {
				memcpy(data + len, (const void *)(uintptr_t)wr->sg_list[i].addr,
				       wr->sg_list[i].length);
				len += wr->sg_list[i].length;
			}
			c[0].inline_len = (uint16_t)len;
		} else if (wr->num_sge > 0) {
			memcpy(c[0].sge, wr->sg_list, sizeof(c[0].sge[0]) * (size_t)wr->num_sge);
		}
		used = qp->svc_sq_head - __atomic_load_n(&qp->sq_tail, __ATOMIC_ACQUIRE);
		used += __atomic_load_n(&qp->svc_sq_direct, __ATOMIC_ACQUIRE);
		if (used > qp->sq_mask) {
			rc = -ENOMEM;
			break;
		}
		rc = enqueue(post_ring(qp->dev, qp->svc_ch), c);
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
	uint32_t *direct = qp != NULL ? &qp->svc_rq_direct : &srq->svc_direct;
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
		used += __atomic_load_n(direct, __ATOMIC_ACQUIRE);
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
		rc = enqueue(post_ring(dev, qp != NULL ? qp->svc_ch : srq->svc_ch), &c);
		if (rc < 0)
			break;
		(*head)++;
	}
	if (rc < 0)
		*bad_wr = wr;
	return rc;
}

/* Channels: created, bound and freed on the engine (through the call ring). */

static int
chan_add(void *arg)
{
	struct rte_iwarp_svc_channel *ch = arg;
	struct rte_iwarp_dev *dev = ch->dev;

	if (dev->nb_svc_chans >= IW_SVC_MAX_CHANNELS)
		return -ENOSPC;
	ch->slot = dev->nb_svc_chans;
	dev->svc_chans[dev->nb_svc_chans++] = ch;
	return 0;
}

struct rte_iwarp_svc_channel *
rte_iwarp_svc_channel_create(struct rte_iwarp_dev *dev)
{
	struct rte_iwarp_svc_channel *ch;
	int rc;

	if (dev == NULL || dev->mode != RTE_IWARP_MODE_SERVICE) {
		rte_errno = EINVAL;
		return NULL;
	}
	ch = rte_zmalloc("iwarp_svc_chan", sizeof(*ch), RTE_CACHE_LINE_SIZE);
	if (ch == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rc = chan_ring(ch, dev);
	if (rc == 0)
		rc = rte_iwarp_dev_call(dev, chan_add, ch);
	if (rc < 0) {
		rte_ring_free(ch->ring);
		rte_free(ch);
		rte_errno = -rc;
		return NULL;
	}
	return ch;
}

static int
chan_remove(void *arg)
{
	struct rte_iwarp_svc_channel *ch = arg;
	struct rte_iwarp_dev *dev = ch->dev;

	if (ch->users != 0)
		return -EBUSY;
	drain_channel(ch);
	dev->svc_chans[ch->slot] = dev->svc_chans[--dev->nb_svc_chans];
	dev->svc_chans[ch->slot]->slot = ch->slot;
	return 0;
}

int
rte_iwarp_svc_channel_free(struct rte_iwarp_svc_channel *ch)
{
	int rc;

	if (ch == NULL)
		return 0;
	rc = rte_iwarp_dev_call(ch->dev, chan_remove, ch);
	if (rc < 0)
		return rc;
	rte_ring_free(ch->ring);
	rte_free(ch);
	return 0;
}

struct chan_bind {
	struct rte_iwarp_svc_channel **where;
	struct rte_iwarp_svc_channel *ch;
};

static int
chan_bind(void *arg)
{
	struct chan_bind *b = arg;

	/* the channels were drained before this call: no post of the old one is left */
	if (*b->where != NULL)
		(*b->where)->users--;
	if (b->ch != NULL)
		b->ch->users++;
	*b->where = b->ch;
	return 0;
}

static int
set_channel(struct rte_iwarp_dev *dev, struct rte_iwarp_svc_channel **where,
	    struct rte_iwarp_svc_channel *ch)
{
	struct chan_bind b = { .where = where, .ch = ch == &dev->svc_def ? NULL : ch };

	if (dev->mode != RTE_IWARP_MODE_SERVICE || (ch != NULL && ch->dev != dev))
		return -EINVAL;
	return rte_iwarp_dev_call(dev, chan_bind, &b);
}

int
rte_iwarp_qp_set_channel(struct rte_iwarp_qp *qp, struct rte_iwarp_svc_channel *ch)
{
	if (qp == NULL)
		return -EINVAL;
	return set_channel(qp->dev, &qp->svc_ch, ch);
}

int
rte_iwarp_srq_set_channel(struct rte_iwarp_srq *srq, struct rte_iwarp_svc_channel *ch)
{
	if (srq == NULL)
		return -EINVAL;
	return set_channel(srq->pd->dev, &srq->svc_ch, ch);
}
