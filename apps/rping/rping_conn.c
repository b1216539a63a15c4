/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One rping connection: its CQ, QP, the four registered buffers rping uses
 * (recv_buf, send_buf, rdma_buf and, on the client, start_buf) and the ping
 * state machine of both roles, driven by completions (rping's cq_thread and
 * test loops, folded into one non-blocking poll).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "rping.h"

#define RPING_SQ_DEPTH 16
#define RPING_RQ_DEPTH 2
#define RPING_CQ_DEPTH (RPING_SQ_DEPTH * 2)

#define WR_RECV 1
#define WR_SEND 2
#define WR_RDMA 3

void
rping_conn_fail(struct rping_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->failed) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
		c->failed = true;
	}
	c->state = RPING_ST_CLOSED;
}

static void
step_timer(struct rping_conn *c)
{
	c->step_deadline = rte_get_timer_cycles() + rte_get_timer_hz() * c->p->timeout_s;
}

static void *
buf_alloc(size_t len)
{
	void *b = aligned_alloc(64, RTE_ALIGN_CEIL(len, 64));

	if (b != NULL)
		memset(b, 0, len);
	return b;
}

int
rping_conn_init(struct rping_conn *c, const struct rping_params *p, struct rte_iwarp_pd *pd,
		struct rte_iwarp_dev *dev)
{
	struct rte_iwarp_qp_init_attr qa;
	const uint32_t rw = RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_READ |
		RTE_IWARP_ACCESS_REMOTE_WRITE;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->start = 65;
	c->cq = rte_iwarp_create_cq(dev, RPING_CQ_DEPTH, c);
	if (c->cq == NULL)
		return -rte_errno;
	memset(&qa, 0, sizeof(qa));
	qa.qp_context = c;
	qa.send_cq = c->cq;
	qa.recv_cq = c->cq;
	qa.cap.max_send_wr = RPING_SQ_DEPTH;
	qa.cap.max_recv_wr = RPING_RQ_DEPTH;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	qa.cap.max_rd_atomic = p->ord;
	qa.cap.max_dest_rd_atomic = p->ird;
	c->qp = rte_iwarp_create_qp(pd, &qa);
	if (c->qp == NULL)
		return -rte_errno;
	c->rdma_buf = buf_alloc(p->size);
	if (c->rdma_buf == NULL)
		return -ENOMEM;
	c->recv_mr = rte_iwarp_reg_mr(pd, &c->recv_buf, sizeof(c->recv_buf),
				      RTE_IWARP_ACCESS_LOCAL_WRITE);
	c->send_mr = rte_iwarp_reg_mr(pd, &c->send_buf, sizeof(c->send_buf), 0);
	c->rdma_mr = rte_iwarp_reg_mr(pd, c->rdma_buf, p->size, rw);
	if (c->recv_mr == NULL || c->send_mr == NULL || c->rdma_mr == NULL)
		return -rte_errno;
	if (!p->server) {
		c->start_buf = buf_alloc(p->size);
		if (c->start_buf == NULL)
			return -ENOMEM;
		c->start_mr = rte_iwarp_reg_mr(pd, c->start_buf, p->size, rw);
		if (c->start_mr == NULL)
			return -rte_errno;
	}
	return 0;
}

void
rping_conn_free(struct rping_conn *c)
{
	if (c->qp != NULL)
		rte_iwarp_destroy_qp(c->qp);
	c->qp = NULL;
	rte_iwarp_dereg_mr(c->recv_mr);
	rte_iwarp_dereg_mr(c->send_mr);
	rte_iwarp_dereg_mr(c->rdma_mr);
	rte_iwarp_dereg_mr(c->start_mr);
	c->recv_mr = c->send_mr = c->rdma_mr = c->start_mr = NULL;
	if (c->cq != NULL)
		rte_iwarp_destroy_cq(c->cq);
	c->cq = NULL;
	free(c->rdma_buf);
	free(c->start_buf);
	c->rdma_buf = c->start_buf = NULL;
}

/* A wrong STag for --bad-rkey: another index, same key byte, never 0. */
static uint32_t
bad_rkey(uint32_t rkey)
{
	return rkey ^ 0x00ffff00u;
}

/* rping keeps one receive of its 16-byte message posted (re-posted on completion). */
static int
post_recv(struct rping_conn *c)
{
	struct rte_iwarp_sge sg = { (uintptr_t)&c->recv_buf, sizeof(c->recv_buf),
				    c->recv_mr->lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = WR_RECV, .sg_list = &sg, .num_sge = 1 };
	struct rte_iwarp_recv_wr *bad;
	int rc = rte_iwarp_post_recv(c->qp, &wr, &bad);

	if (rc < 0)
		rping_conn_fail(c, "post recv error %d (%s)", rc, strerror(-rc));
	return rc;
}

static int
post_send(struct rping_conn *c)
{
	struct rte_iwarp_sge sg = { (uintptr_t)&c->send_buf, sizeof(c->send_buf),
				    c->send_mr->lkey };
	struct rte_iwarp_send_wr wr = {
		.wr_id = WR_SEND, .sg_list = &sg, .num_sge = 1, .opcode = RTE_IWARP_WR_SEND,
		.send_flags = RTE_IWARP_SEND_SIGNALED,
	};
	struct rte_iwarp_send_wr *bad;
	int rc = rte_iwarp_post_send(c->qp, &wr, &bad);

	if (rc < 0)
		rping_conn_fail(c, "post send error %d (%s)", rc, strerror(-rc));
	return rc;
}

static int
post_rdma(struct rping_conn *c, enum rte_iwarp_wr_opcode op, uint32_t len)
{
	struct rte_iwarp_sge sg = { (uintptr_t)c->rdma_buf, len, c->rdma_mr->lkey };
	struct rte_iwarp_send_wr wr = {
		.wr_id = WR_RDMA, .sg_list = &sg, .num_sge = 1, .opcode = op,
		.send_flags = RTE_IWARP_SEND_SIGNALED,
	};
	struct rte_iwarp_send_wr *bad;
	int rc;

	wr.wr.rdma.remote_addr = c->remote_addr;
	wr.wr.rdma.rkey = c->p->bad_rkey ? bad_rkey(c->remote_rkey) : c->remote_rkey;
	rc = rte_iwarp_post_send(c->qp, &wr, &bad);
	if (rc < 0)
		rping_conn_fail(c, "post %s error %d (%s)",
				op == RTE_IWARP_WR_RDMA_READ ? "rdma read" : "rdma write", rc,
				strerror(-rc));
	return rc;
}

/* rping_format_send(): advertise a buffer of ours. */
static void
format_send(struct rping_conn *c, const void *buf, const struct rte_iwarp_mr *mr)
{
	rping_info_encode(&c->send_buf, (uint64_t)(uintptr_t)buf,
			  c->p->bad_rkey && buf == c->start_buf ? bad_rkey(mr->rkey) : mr->rkey,
			  c->p->size);
	if (c->p->debug)
		printf("RDMA addr %" PRIx64 " rkey %x len %u\n", (uint64_t)(uintptr_t)buf,
		       mr->rkey, c->p->size);
}

/* The client's ping: "rdma-ping-N: " then letters A..z cycling, NUL-terminated. */
static void
client_ping(struct rping_conn *c)
{
	uint32_t size = c->p->size, i;
	unsigned char ch;
	int cc;

	cc = snprintf(c->start_buf, size, RPING_MSG_FMT, (int)c->ping);
	for (i = (uint32_t)cc, ch = (unsigned char)c->start; i < size; i++) {
		c->start_buf[i] = (char)ch;
		if (++ch > 122)
			ch = 65;
	}
	if (++c->start > 122)
		c->start = 65;
	c->start_buf[size - 1] = '\0';
	format_send(c, c->start_buf, c->start_mr);
	if (post_send(c) == 0) {
		c->state = RPING_ST_WAIT_GO1;
		step_timer(c);
	}
}

void
rping_conn_established(struct rping_conn *c)
{
	if (c->p->server) {
		/* the first advert may have completed before this event was read */
		if (c->state == RPING_ST_CONNECTING) {
			c->state = RPING_ST_WAIT_SRC;
			c->step_deadline = 0; /* the client starts when it likes */
		}
		return;
	}
	if (c->p->count != 0 && c->ping >= c->p->count) {
		c->state = RPING_ST_DONE;
		return;
	}
	/* the first SEND goes now: the CM holds it for --first-delay-ms */
	client_ping(c);
}

/* server_recv(): the peer advertised a buffer. */
static void
server_recv(struct rping_conn *c, const struct rte_iwarp_wc *wc)
{
	struct rping_remote r;

	if (rping_info_decode(&c->recv_buf, wc->byte_len, &r) < 0) {
		rping_conn_fail(c, "received bogus data, size %u", wc->byte_len);
		return;
	}
	c->remote_rkey = r.rkey;
	c->remote_addr = r.addr;
	c->remote_len = r.len;
	if (c->p->debug)
		printf("Received rkey %x addr %" PRIx64 " len %u from peer\n", c->remote_rkey,
		       c->remote_addr, c->remote_len);
	if (post_recv(c) < 0)
		return;
	/* as rping's server_recv(): an advert before or after a full ping is a source */
	if (c->state == RPING_ST_CONNECTING)
		c->state = RPING_ST_WAIT_SRC;
	if (c->state == RPING_ST_WAIT_SRC) {
		if (rping_src_check(&r, c->p->size) < 0) {
			rping_conn_fail(c, "the client's ping size %u does not fit ours (-S %u)",
					c->remote_len, c->p->size);
			return;
		}
		if (post_rdma(c, RTE_IWARP_WR_RDMA_READ, c->remote_len) == 0) {
			c->state = RPING_ST_READING;
			step_timer(c);
		}
	} else if (c->state == RPING_ST_WAIT_SINK) {
		uint32_t len;

		if (rping_sink_len(c->rdma_buf, c->p->size, &r, &len) < 0) {
			rping_conn_fail(c, "the client's sink (%u bytes) is smaller than the "
					"ping (%u)", c->remote_len, len);
			return;
		}
		if (post_rdma(c, RTE_IWARP_WR_RDMA_WRITE, len) == 0) {
			c->state = RPING_ST_WRITING;
			step_timer(c);
		}
	} else {
		rping_conn_fail(c, "advertisement out of turn (state %d)", c->state);
	}
}

static void
client_recv(struct rping_conn *c, const struct rte_iwarp_wc *wc)
{
	if (wc->byte_len != sizeof(c->recv_buf)) {
		rping_conn_fail(c, "received bogus data, size %u", wc->byte_len);
		return;
	}
	if (post_recv(c) < 0)
		return;
	if (c->state == RPING_ST_WAIT_GO1) {
		/* the server has read the ping: offer the sink (cleared, so -V means it) */
		memset(c->rdma_buf, 0, c->p->size);
		format_send(c, c->rdma_buf, c->rdma_mr);
		if (post_send(c) == 0) {
			c->state = RPING_ST_WAIT_GO2;
			step_timer(c);
		}
		return;
	}
	if (c->state != RPING_ST_WAIT_GO2) {
		rping_conn_fail(c, "go-ahead out of turn (state %d)", c->state);
		return;
	}
	if (c->p->validate && memcmp(c->start_buf, c->rdma_buf, c->p->size) != 0) {
		rping_conn_fail(c, "data mismatch in ping %u", c->ping);
		return;
	}
	if (c->p->verbose)
		printf("ping data: %.*s\n", (int)c->p->size, c->rdma_buf);
	c->ping++;
	if (c->p->count != 0 && c->ping >= c->p->count) {
		c->state = RPING_ST_DONE;
		c->step_deadline = 0;
		return;
	}
	client_ping(c);
}

static void
on_wc(struct rping_conn *c, const struct rte_iwarp_wc *wc)
{
	if (wc->status != RTE_IWARP_WC_SUCCESS) {
		if (wc->status == RTE_IWARP_WC_WR_FLUSH_ERR)
			return;
		if (wc->vendor_err != 0)
			rping_conn_fail(c, "cq completion failed: %s (TERMINATE layer %u type %u "
					"code %u)", rte_iwarp_wc_status_str(wc->status),
					(wc->vendor_err >> 16) & 0xff, (wc->vendor_err >> 8) & 0xff,
					wc->vendor_err & 0xff);
		else
			rping_conn_fail(c, "cq completion failed: %s",
					rte_iwarp_wc_status_str(wc->status));
		return;
	}
	switch (wc->opcode) {
	case RTE_IWARP_WC_SEND:
		break;
	case RTE_IWARP_WC_RDMA_READ:
		if (c->state != RPING_ST_READING) {
			rping_conn_fail(c, "rdma read completion out of turn");
			return;
		}
		if (c->p->verbose)
			printf("server ping data: %.*s\n", (int)c->remote_len, c->rdma_buf);
		if (post_send(c) == 0) {
			c->state = RPING_ST_WAIT_SINK;
			step_timer(c);
		}
		break;
	case RTE_IWARP_WC_RDMA_WRITE:
		if (c->state != RPING_ST_WRITING) {
			rping_conn_fail(c, "rdma write completion out of turn");
			return;
		}
		c->ping++;
		if (post_send(c) == 0) {
			c->state = RPING_ST_WAIT_SRC;
			c->step_deadline = 0;
		}
		break;
	case RTE_IWARP_WC_RECV:
		if (c->p->server)
			server_recv(c, wc);
		else
			client_recv(c, wc);
		break;
	default:
		rping_conn_fail(c, "unexpected completion opcode %d", wc->opcode);
		break;
	}
}

int
rping_conn_poll(struct rping_conn *c)
{
	struct rte_iwarp_wc wc[8];
	uint64_t now;
	int n, i;

	if (c->cq == NULL || c->state == RPING_ST_CLOSED)
		return 0;
	n = rte_iwarp_poll_cq(c->cq, RTE_DIM(wc), wc);
	if (n < 0) {
		rping_conn_fail(c, "poll cq: %s", strerror(-n));
		return 0;
	}
	for (i = 0; i < n && c->state != RPING_ST_CLOSED; i++)
		on_wc(c, &wc[i]);
	now = rte_get_timer_cycles();
	if (c->step_deadline != 0 && now > c->step_deadline && c->state != RPING_ST_CLOSED)
		rping_conn_fail(c, "no answer from the peer for %u s (ping %u)", c->p->timeout_s,
				c->ping);
	return n;
}
