/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection manager: TCP listen/connect of the engine, the MPA request
 * and reply exchange (iw_mpa_*) with its timeout, peer-to-peer RTR, and an
 * event queue the application polls (rdma_cm style: get_event / ack_event).
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iw_verbs_pvt.h"

#define RBUF_LEN (IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX + 2048)
#define DEF_TIMEOUT_MS 5000
#define CHECK_US 1000

static void conn_event(struct iw_tcp_stream *s, uint32_t events, void *arg);
static void conn_acked(struct iw_tcp_stream *s, uint64_t acked_total, void *arg);
static void listen_event(struct iw_tcp_stream *s, uint32_t events, void *arg);

/*
 * TCP options of a connection. The send queue holds one entry (16 bytes) per
 * FPDU queued and not yet acknowledged: 1,024 cover the 512 KiB send buffer
 * in full-sized FPDUs and a thousand small messages in flight, while 4,096
 * made the stream 64 KiB of a connection's 80 (issue 5: 10,000 QPs).
 */
static void
stream_opts(const struct rte_iwarp_dev *dev, struct iw_tcp_opts *o)
{
	iw_tcp_opts_default(o);
	o->sndbuf = 512 * 1024;
	o->sndq_chains = 1024;
	if (dev->rto_min_us != 0)
		o->rto_min_us = dev->rto_min_us;
}

static void
ev_push(struct rte_iwarp_dev *dev, enum rte_iwarp_cm_event_type type,
	struct rte_iwarp_cm_id *id, int status, uint32_t term, const void *pd, uint16_t pdlen,
	uint16_t ird, uint16_t ord)
{
	struct rte_iwarp_cm_event *ev;

	if (dev->ev_head - dev->ev_tail > dev->ev_mask) {
		dev->ev_lost++;
		IW_CM_LOG(ERR, "event queue full: %s lost", rte_iwarp_cm_event_str(type));
		return;
	}
	ev = &dev->ev[dev->ev_head & dev->ev_mask];
	memset(ev, 0, sizeof(*ev));
	ev->event = type;
	ev->id = id;
	ev->listen_id = type == RTE_IWARP_CM_EVENT_CONNECT_REQUEST ? id->listener : NULL;
	ev->status = status;
	ev->term = term;
	ev->private_data = pdlen ? pd : NULL;
	ev->private_data_len = pdlen;
	ev->ird = ird;
	ev->ord = ord;
	if (id != NULL)
		id->refs++;
	dev->ev_head++;
}

void
iw_cm_event_push(struct rte_iwarp_dev *dev, enum rte_iwarp_cm_event_type type,
		 struct rte_iwarp_cm_id *id, int status, uint32_t term)
{
	if (id == NULL)
		return;
	ev_push(dev, type, id, status, term, NULL, 0, 0, 0);
}

static struct rte_iwarp_cm_id *
id_alloc(struct rte_iwarp_dev *dev, void *context)
{
	struct rte_iwarp_cm_id *id;

	id = rte_zmalloc("iwarp_cm_id", sizeof(*id), 0);
	if (id == NULL)
		return NULL;
	id->dev = dev;
	id->context = context;
	TAILQ_INSERT_TAIL(&dev->cm_ids, id, next);
	return id;
}

static void
id_free(struct rte_iwarp_cm_id *id)
{
	TAILQ_REMOVE(&id->dev->cm_ids, id, next);
	if (id->watched)
		TAILQ_REMOVE(&id->dev->cm_watch, id, watch_next);
	rte_free(id->rbuf);
	rte_free(id);
}

/*
 * iw_cm_poll() looks at the ids with an MPA deadline or waiting to be freed
 * only (the watch list), not at every connection: an id leaves the list when
 * the poll finds it with neither.
 */
static void
id_watch(struct rte_iwarp_cm_id *id)
{
	if (!id->watched) {
		TAILQ_INSERT_TAIL(&id->dev->cm_watch, id, watch_next);
		id->watched = true;
	}
}

/* Start the MPA exchange timeout. */
static void
id_arm(struct rte_iwarp_cm_id *id)
{
	uint32_t ms = id->param.timeout_ms ? id->param.timeout_ms : DEF_TIMEOUT_MS;

	id->deadline = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	id_watch(id);
}

static void
mpa_params(struct iw_mpa_params *p, const struct rte_iwarp_conn_param *cp,
	   const struct rte_iwarp_qp *qp, const void *pd)
{
	iw_mpa_params_default(p);
	p->rev = cp->mpa_rev ? cp->mpa_rev : IW_MPA_REV2;
	p->crc = !cp->no_crc;
	p->markers_rx = cp->markers;
	p->markers_tx_ok = true;
	p->p2p = !cp->no_p2p;
	p->rtr = cp->rtr ? cp->rtr : IW_RTR_ALL;
	p->ird = cp->ird ? cp->ird : qp->ird;
	p->ord = cp->ord ? cp->ord : qp->ord;
	p->ulp_pd = cp->private_data_len ? pd : NULL;
	p->ulp_pd_len = cp->private_data_len;
}

/* Detach the QP from the stream; the QP goes to ERROR (flush). */
static void
detach_qp(struct rte_iwarp_cm_id *id)
{
	struct rte_iwarp_qp *qp = id->qp;

	if (qp == NULL)
		return;
	iw_qp_to_error(qp);
	/*
	 * A TERMINATE still queued goes into the stream before it closes: an
	 * application that disconnects on the TERMINATE event must not keep it
	 * off the wire.
	 */
	if (qp->term_pending && qp->s != NULL) {
		unsigned int work = 0;

		iw_qp_tx(qp, &work);
	}
	if (qp->tx_listed) {
		TAILQ_REMOVE(&qp->dev->tx_list, qp, tx_next);
		qp->tx_listed = false;
	}
	qp->s = NULL;
}

/* The connection ended (peer close, reset, error, timeout). */
static void
conn_gone(struct rte_iwarp_cm_id *id, int status, bool abort)
{
	struct iw_tcp_stream *s = id->s;
	uint8_t st = id->state;
	bool term;

	id->state = IW_CM_CLOSED;
	id->deadline = 0;
	term = id->qp != NULL && iw_qp_terminated(id->qp);
	detach_qp(id);
	id->s = NULL;
	/*
	 * Unacknowledged data references registered memory (zero copy) whose
	 * work requests were just flushed: the application owns it again, so
	 * TCP must not send it any more. Reset instead of closing in order,
	 * unless a TERMINATE is in the stream or came from the peer: the peer
	 * must get it, and the stream ends in order after it (the application
	 * must then keep its memory until the device is closed).
	 */
	if (s != NULL && !abort && !term && iw_tcp_queued_total(s) > iw_tcp_acked(s))
		abort = true;
	if (s != NULL) {
		iw_tcp_set_cb(s, NULL);
		if (abort)
			iw_tcp_abort(s);
		else
			iw_tcp_close(s);
	}
	switch (st) {
	case IW_CM_TCP_CONNECTING:
		ev_push(id->dev, RTE_IWARP_CM_EVENT_UNREACHABLE, id, status, 0, NULL, 0, 0, 0);
		break;
	case IW_CM_MPA_REQ_SENT:
	case IW_CM_RTR_WAIT:
		ev_push(id->dev, RTE_IWARP_CM_EVENT_CONNECT_ERROR, id, status, 0, NULL, 0, 0, 0);
		break;
	case IW_CM_MPA_REQ_WAIT:
		/* never announced: nobody knows this id; freed by iw_cm_poll() (the
		 * caller may still be inside one of its callbacks) */
		id->destroyed = true;
		id_watch(id);
		break;
	case IW_CM_MPA_REQ_RCVD:
	case IW_CM_ESTABLISHED:
		ev_push(id->dev, RTE_IWARP_CM_EVENT_DISCONNECTED, id, status, 0, NULL, 0, 0, 0);
		break;
	default:
		break;
	}
}

static void
send_request(struct rte_iwarp_cm_id *id)
{
	uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	int n;

	n = iw_mpa_build(&id->req, buf, sizeof(buf));
	if (n < 0 || iw_tcp_write(id->s, buf, (uint32_t)n) != n) {
		conn_gone(id, n < 0 ? n : -EIO, true);
		return;
	}
	id->state = IW_CM_MPA_REQ_SENT;
	id_arm(id);
}

/* Hand the stream bytes after the MPA frame to the QP. */
static void
feed_leftover(struct rte_iwarp_cm_id *id)
{
	if (id->qp != NULL && id->rlen > id->flen)
		iw_qp_rx_feed(id->qp, id->rbuf + id->flen, id->rlen - id->flen);
	id->rlen = id->flen;
}

static void
got_reply(struct rte_iwarp_cm_id *id)
{
	struct iw_mpa_frame rep;
	struct iw_mpa_result res;
	struct rte_iwarp_qp *qp = id->qp;
	uint8_t ecode = 0;
	int rc;

	rc = iw_mpa_parse(id->rbuf, id->rlen, true, &rep);
	if (rc == -EAGAIN) {
		if (id->rlen == RBUF_LEN)
			conn_gone(id, -EBADMSG, true);
		return;
	}
	if (rc < 0) {
		conn_gone(id, rc, true);
		return;
	}
	id->flen = (uint32_t)rc;
	rc = iw_mpa_negotiate_initiator(&id->mpa, &id->req, &rep, &res, &ecode);
	if (rc == -ECONNREFUSED) {
		id->deadline = 0;
		id->state = IW_CM_CLOSED;
		ev_push(id->dev, RTE_IWARP_CM_EVENT_REJECTED, id, -ECONNREFUSED, 0, rep.ulp_pd,
			rep.ulp_pd_len, 0, 0);
		detach_qp(id);
		iw_tcp_set_cb(id->s, NULL);
		iw_tcp_close(id->s);
		id->s = NULL;
		return;
	}
	if (rc < 0) {
		IW_CM_LOG(NOTICE, "MPA reply refused: %d (LLP code %u)", rc, ecode);
		conn_gone(id, rc, true);
		return;
	}
	id->deadline = 0;
	id->state = IW_CM_ESTABLISHED;
	qp->mres = res;
	if (id->param.first_fpdu_delay_ms)
		qp->tx_hold_until = rte_get_timer_cycles() +
			rte_get_timer_hz() * id->param.first_fpdu_delay_ms / 1000;
	iw_qp_connected(qp, &res, false);
	ev_push(id->dev, RTE_IWARP_CM_EVENT_ESTABLISHED, id, 0, 0, rep.ulp_pd, rep.ulp_pd_len,
		res.ird, res.ord);
	feed_leftover(id);
}

static void
got_request(struct rte_iwarp_cm_id *id)
{
	int rc;

	rc = iw_mpa_parse(id->rbuf, id->rlen, false, &id->req);
	if (rc == -EAGAIN) {
		if (id->rlen == RBUF_LEN)
			conn_gone(id, -EBADMSG, true);
		return;
	}
	if (rc < 0) {
		conn_gone(id, rc, true);
		return;
	}
	id->flen = (uint32_t)rc;
	id->deadline = 0;
	id->state = IW_CM_MPA_REQ_RCVD;
	ev_push(id->dev, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, id, 0, 0, id->req.ulp_pd,
		id->req.ulp_pd_len, id->req.ird, id->req.ord);
}

static void
conn_readable(struct rte_iwarp_cm_id *id)
{
	struct rte_mbuf *m, *seg;
	uint32_t take;
	int n;

	while (id->s != NULL) {
		n = iw_tcp_recv(id->s, &m);
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			conn_gone(id, n == 0 ? 0 : n, n != 0);
			return;
		}
		if (id->state == IW_CM_ESTABLISHED || id->state == IW_CM_RTR_WAIT) {
			if (id->qp != NULL)
				iw_qp_rx_feed_mbuf(id->qp, m, 0);
			rte_pktmbuf_free(m);
			continue;
		}
		/* MPA phase: reassemble the frame (and what follows) in rbuf */
		for (seg = m; seg != NULL; seg = seg->next) {
			take = RTE_MIN((uint32_t)seg->data_len, RBUF_LEN - id->rlen);
			memcpy(id->rbuf + id->rlen, rte_pktmbuf_mtod(seg, uint8_t *), take);
			id->rlen += take;
			if (take < seg->data_len) {
				rte_pktmbuf_free(m);
				conn_gone(id, -EBADMSG, true);
				return;
			}
		}
		rte_pktmbuf_free(m);
		if (id->state == IW_CM_MPA_REQ_SENT)
			got_reply(id);
		else if (id->state == IW_CM_MPA_REQ_WAIT)
			got_request(id);
	}
}

static void
conn_event(struct iw_tcp_stream *s, uint32_t events, void *arg)
{
	struct rte_iwarp_cm_id *id = arg;

	RTE_SET_USED(s);
	if ((events & IW_TCP_EV_CONNECTED) && id->state == IW_CM_TCP_CONNECTING)
		send_request(id);
	if ((events & IW_TCP_EV_READABLE) && id->s != NULL)
		conn_readable(id);
	if ((events & IW_TCP_EV_WRITABLE) && id->qp != NULL && id->qp->s != NULL)
		iw_qp_kick(id->qp);
	if (id->s == NULL)
		return;
	if (events & (IW_TCP_EV_RESET | IW_TCP_EV_ERROR)) {
		conn_gone(id, -iw_tcp_error(id->s) ? -iw_tcp_error(id->s) : -ECONNRESET, true);
		return;
	}
	if (events & (IW_TCP_EV_PEER_FIN | IW_TCP_EV_CLOSED)) {
		/* drain what came before the FIN first */
		conn_readable(id);
		if (id->s != NULL)
			conn_gone(id, 0, false);
	}
}

static void
conn_acked(struct iw_tcp_stream *s, uint64_t acked_total, void *arg)
{
	struct rte_iwarp_cm_id *id = arg;

	RTE_SET_USED(s);
	if (id->qp != NULL && id->qp->s != NULL) {
		id->qp->acked = acked_total;
		iw_qp_complete_sq(id->qp);
	}
}

static void
listen_event(struct iw_tcp_stream *s, uint32_t events, void *arg)
{
	struct rte_iwarp_cm_id *lid = arg, *id;
	struct iw_tcp_stream *ns[32];
	struct iw_tcp_cb cb;
	uint16_t i, n;

	if (!(events & IW_TCP_EV_ACCEPT))
		return;
	do {
		n = iw_tcp_accept(s, ns, RTE_DIM(ns));
		for (i = 0; i < n; i++) {
			id = id_alloc(lid->dev, NULL);
			if (id != NULL)
				id->rbuf = rte_malloc("iwarp_cm_rbuf", RBUF_LEN, 0);
			if (id == NULL || id->rbuf == NULL) {
				if (id != NULL)
					id_free(id);
				iw_tcp_set_cb(ns[i], NULL);
				iw_tcp_abort(ns[i]);
				continue;
			}
			id->listener = lid;
			id->param = lid->param;
			id->s = ns[i];
			id->state = IW_CM_MPA_REQ_WAIT;
			id_arm(id);
			cb.event = conn_event;
			cb.acked = conn_acked;
			cb.arg = id;
			iw_tcp_set_cb(ns[i], &cb);
			if (iw_tcp_readable(ns[i]) > 0)
				conn_readable(id);
		}
	} while (n == RTE_DIM(ns));
}

struct rte_iwarp_cm_id *
rte_iwarp_listen(struct rte_iwarp_dev *dev, uint16_t port, uint32_t backlog,
		 const struct rte_iwarp_conn_param *param, void *context)
{
	struct rte_iwarp_cm_id *id;
	struct iw_tcp_opts o;
	struct iw_tcp_cb cb;

	if (dev == NULL || port == 0 || (param != NULL && param->private_data_len > 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	id = id_alloc(dev, context);
	if (id == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (param != NULL)
		id->param = *param;
	id->state = IW_CM_LISTEN;
	stream_opts(dev, &o);
	cb.event = listen_event;
	cb.acked = NULL;
	cb.arg = id;
	id->s = iw_tcp_listen(dev->tcp, port, backlog, &o, &cb);
	if (id->s == NULL) {
		int err = rte_errno;

		id_free(id);
		rte_errno = err;
		return NULL;
	}
	return id;
}

struct rte_iwarp_cm_id *
rte_iwarp_connect(struct rte_iwarp_qp *qp, rte_be32_t dst, uint16_t port,
		  const struct rte_iwarp_conn_param *param, void *context)
{
	struct rte_iwarp_conn_param def = { 0 };
	struct rte_iwarp_cm_id *id;
	struct iw_tcp_opts o;
	struct iw_tcp_cb cb;
	int rc, err;

	if (param == NULL)
		param = &def;
	if (qp == NULL || dst == 0 || port == 0 || qp->state != RTE_IWARP_QPS_INIT ||
			qp->cm != NULL || param->private_data_len > IW_MPA_PD_MAX - IW_MPA_V2_LEN ||
			(param->private_data_len > 0 && param->private_data == NULL) ||
			param->mpa_rev > IW_MPA_REV2) {
		rte_errno = EINVAL;
		return NULL;
	}
	id = id_alloc(qp->dev, context);
	if (id == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	id->rbuf = rte_malloc("iwarp_cm_rbuf", RBUF_LEN, 0);
	if (id->rbuf == NULL) {
		err = ENOMEM;
		goto fail;
	}
	id->param = *param;
	if (param->private_data_len)
		memcpy(id->my_pd, param->private_data, param->private_data_len);
	id->param.private_data = id->my_pd;
	mpa_params(&id->mpa, &id->param, qp, id->my_pd);
	rc = iw_mpa_make_request(&id->mpa, &id->req);
	if (rc < 0) {
		err = -rc;
		goto fail;
	}
	id->initiator = true;
	id->qp = qp;
	id->state = IW_CM_TCP_CONNECTING;
	id_arm(id);
	stream_opts(qp->dev, &o);
	cb.event = conn_event;
	cb.acked = conn_acked;
	cb.arg = id;
	id->s = iw_tcp_connect(qp->dev->tcp, dst, port, 0, &o, &cb);
	if (id->s == NULL) {
		err = rte_errno;
		goto fail;
	}
	qp->cm = id;
	qp->s = id->s;
	return id;
fail:
	id_free(id);
	rte_errno = err;
	return NULL;
}

int
rte_iwarp_accept(struct rte_iwarp_cm_id *id, struct rte_iwarp_qp *qp,
		 const struct rte_iwarp_conn_param *param)
{
	struct rte_iwarp_conn_param cp;
	uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	struct iw_mpa_frame rep;
	struct iw_mpa_result res;
	uint8_t ecode = 0;
	int rc, n;

	if (id == NULL || qp == NULL || id->state != IW_CM_MPA_REQ_RCVD ||
			qp->state != RTE_IWARP_QPS_INIT || qp->cm != NULL || qp->dev != id->dev)
		return id != NULL && id->state == IW_CM_CLOSED ? -ENOTCONN : -EINVAL;
	cp = id->param;
	if (param != NULL) {
		if (param->private_data_len > IW_MPA_PD_MAX - IW_MPA_V2_LEN ||
				(param->private_data_len > 0 && param->private_data == NULL))
			return -EINVAL;
		cp.private_data = param->private_data;
		cp.private_data_len = param->private_data_len;
		cp.ird = param->ird;
		cp.ord = param->ord;
		if (param->rtr)
			cp.rtr = param->rtr;
	}
	mpa_params(&id->mpa, &cp, qp, cp.private_data);
	rc = iw_mpa_negotiate_responder(&id->mpa, &id->req, &rep, &res, &ecode);
	n = iw_mpa_build(&rep, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (iw_tcp_write(id->s, buf, (uint32_t)n) != n) {
		conn_gone(id, -EIO, true);
		return -ENOTCONN;
	}
	if (rc == -ECONNREFUSED) {
		IW_CM_LOG(NOTICE, "request refused by negotiation (LLP code %u)", ecode);
		id->state = IW_CM_CLOSED;
		iw_tcp_set_cb(id->s, NULL);
		iw_tcp_close(id->s);
		id->s = NULL;
		return -ECONNREFUSED;
	}
	id->qp = qp;
	qp->cm = id;
	qp->s = id->s;
	qp->mres = res;
	iw_qp_connected(qp, &res, true);
	if (res.expect_rtr) {
		id->state = IW_CM_RTR_WAIT;
		id_arm(id);
	} else {
		id->state = IW_CM_ESTABLISHED;
		ev_push(id->dev, RTE_IWARP_CM_EVENT_ESTABLISHED, id, 0, 0, NULL, 0, res.ird,
			res.ord);
	}
	feed_leftover(id);
	return 0;
}

void
iw_cm_qp_rts(struct rte_iwarp_qp *qp)
{
	struct rte_iwarp_cm_id *id = qp->cm;

	if (id == NULL || id->state != IW_CM_RTR_WAIT)
		return;
	id->state = IW_CM_ESTABLISHED;
	id->deadline = 0;
	ev_push(id->dev, RTE_IWARP_CM_EVENT_ESTABLISHED, id, 0, 0, NULL, 0, qp->ird, qp->ord);
}

int
rte_iwarp_reject(struct rte_iwarp_cm_id *id, const void *private_data,
		 uint16_t private_data_len)
{
	uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	struct iw_mpa_frame rep;
	int n;

	if (id == NULL || (private_data_len > 0 && private_data == NULL) ||
			private_data_len > IW_MPA_PD_MAX - IW_MPA_V2_LEN)
		return -EINVAL;
	if (id->state == IW_CM_CLOSED)
		return -ENOTCONN;
	if (id->state != IW_CM_MPA_REQ_RCVD)
		return -EINVAL;
	memset(&rep, 0, sizeof(rep));
	rep.reply = true;
	rep.reject = true;
	rep.rev = id->req.rev;
	rep.crc = id->req.crc;
	rep.enhanced = id->req.enhanced;
	rep.ird = 0;
	rep.ord = 0;
	rep.ulp_pd = private_data;
	rep.ulp_pd_len = private_data_len;
	n = iw_mpa_build(&rep, buf, sizeof(buf));
	if (n < 0)
		return n;
	iw_tcp_write(id->s, buf, (uint32_t)n);
	id->state = IW_CM_CLOSED;
	iw_tcp_set_cb(id->s, NULL);
	iw_tcp_close(id->s);
	id->s = NULL;
	return 0;
}

int
rte_iwarp_disconnect(struct rte_iwarp_cm_id *id)
{
	if (id == NULL || id->state == IW_CM_LISTEN)
		return -EINVAL;
	if (id->s == NULL || (id->state != IW_CM_ESTABLISHED && id->state != IW_CM_RTR_WAIT))
		return -ENOTCONN;
	/* a state of ESTABLISHED gives DISCONNECTED to us too */
	id->state = IW_CM_ESTABLISHED;
	conn_gone(id, 0, false);
	return 0;
}

int
rte_iwarp_cm_get_event(struct rte_iwarp_dev *dev, struct rte_iwarp_cm_event *ev)
{
	if (dev == NULL || ev == NULL)
		return -EINVAL;
	if (dev->ev_head == dev->ev_tail && dev->mode == RTE_IWARP_MODE_INLINE)
		rte_iwarp_dev_poll(dev);
	if (dev->ev_head == dev->ev_tail)
		return -EAGAIN;
	*ev = dev->ev[dev->ev_tail & dev->ev_mask];
	dev->ev_tail++;
	return 0;
}

int
rte_iwarp_cm_ack_event(struct rte_iwarp_cm_event *ev)
{
	struct rte_iwarp_cm_id *id;

	if (ev == NULL || ev->id == NULL)
		return -EINVAL;
	id = ev->id;
	ev->id = NULL;
	if (id->refs > 0)
		id->refs--;
	if (id->destroyed && id->refs == 0)
		id_free(id);
	return 0;
}

int
rte_iwarp_cm_destroy_id(struct rte_iwarp_cm_id *id)
{
	if (id == NULL || id->destroyed)
		return -EINVAL;
	if (id->state == IW_CM_LISTEN) {
		iw_tcp_close(id->s);
		id->s = NULL;
	} else if (id->s != NULL) {
		detach_qp(id);
		iw_tcp_set_cb(id->s, NULL);
		iw_tcp_abort(id->s);
		id->s = NULL;
	}
	if (id->qp != NULL) {
		id->qp->cm = NULL;
		id->qp = NULL;
	}
	id->state = IW_CM_CLOSED;
	if (id->refs > 0) {
		id->destroyed = true;
		id_watch(id);
	} else {
		id_free(id);
	}
	return 0;
}

void
iw_cm_qp_gone(struct rte_iwarp_qp *qp)
{
	struct rte_iwarp_cm_id *id = qp->cm;

	if (id == NULL)
		return;
	if (id->s == qp->s)
		id->s = NULL;
	id->qp = NULL;
	id->state = IW_CM_CLOSED;
	id->deadline = 0;
	qp->cm = NULL;
}

void
iw_cm_poll(struct rte_iwarp_dev *dev, uint64_t now)
{
	struct rte_iwarp_cm_id *id, *nx;

	if (now < dev->cm_next_check)
		return;
	dev->cm_next_check = now + rte_get_timer_hz() / (1000000 / CHECK_US);
	for (id = TAILQ_FIRST(&dev->cm_watch); id != NULL; id = nx) {
		nx = TAILQ_NEXT(id, watch_next);
		if (id->destroyed && id->refs == 0 && id->s == NULL) {
			id_free(id);
			continue;
		}
		if (id->deadline == 0 && !id->destroyed) {
			TAILQ_REMOVE(&dev->cm_watch, id, watch_next);
			id->watched = false;
			continue;
		}
		if (id->deadline == 0 || now < id->deadline)
			continue;
		dev->st.cm_timeouts++;
		IW_CM_LOG(NOTICE, "MPA exchange timed out (state %u)", id->state);
		conn_gone(id, -ETIMEDOUT, true);
	}
}

void
iw_cm_dev_close(struct rte_iwarp_dev *dev)
{
	struct rte_iwarp_cm_id *id;

	while ((id = TAILQ_FIRST(&dev->cm_ids)) != NULL) {
		if (id->qp != NULL) {
			id->qp->cm = NULL;
			if (id->qp->s == id->s)
				id->qp->s = NULL;
		}
		if (id->s != NULL) {
			iw_tcp_set_cb(id->s, NULL);
			iw_tcp_abort(id->s);
		}
		id_free(id);
	}
}

void *
rte_iwarp_cm_context(const struct rte_iwarp_cm_id *id)
{
	return id == NULL ? NULL : id->context;
}

void
rte_iwarp_cm_set_context(struct rte_iwarp_cm_id *id, void *context)
{
	if (id != NULL)
		id->context = context;
}

struct rte_iwarp_qp *
rte_iwarp_cm_qp(const struct rte_iwarp_cm_id *id)
{
	return id == NULL ? NULL : id->qp;
}

static const char *const ev_names[] = {
	[RTE_IWARP_CM_EVENT_CONNECT_REQUEST] = "CONNECT_REQUEST",
	[RTE_IWARP_CM_EVENT_ESTABLISHED] = "ESTABLISHED",
	[RTE_IWARP_CM_EVENT_REJECTED] = "REJECTED",
	[RTE_IWARP_CM_EVENT_CONNECT_ERROR] = "CONNECT_ERROR",
	[RTE_IWARP_CM_EVENT_UNREACHABLE] = "UNREACHABLE",
	[RTE_IWARP_CM_EVENT_DISCONNECTED] = "DISCONNECTED",
	[RTE_IWARP_CM_EVENT_TERMINATE] = "TERMINATE",
	[RTE_IWARP_CM_EVENT_CQ_ERROR] = "CQ_ERROR",
};

const char *
rte_iwarp_cm_event_str(enum rte_iwarp_cm_event_type type)
{
	if ((unsigned int)type >= RTE_DIM(ev_names) || ev_names[type] == NULL)
		return "unknown";
	return ev_names[type];
}
