/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * send_echo: a SEND/RECV echo server and its client. The client sends -n
 * messages of 1 to -s bytes (default 500 of up to 8192), one at a time; the
 * server checks each and SENDs it back from the buffer it was received in;
 * the client checks every byte of every echo.
 *
 *   send_echo [EAL args] -- server|client [-n N] [-s SIZE] [--socket PATH]
 */
#include "ex_common.h"

#define SLOTS 16   /* receive buffers the server keeps posted */

static struct rte_iwarp_mr *rbuf; /* SLOTS (server) or 1 (client) buffers of -s bytes */

static int
post_recv(struct ex *x, uint64_t slot)
{
	struct rte_iwarp_sge sge = {
		.addr = (uintptr_t)rbuf->addr + slot * x->size,
		.length = (uint32_t)x->size,
		.lkey = rbuf->lkey,
	};
	struct rte_iwarp_recv_wr wr = { .wr_id = slot, .sg_list = &sge, .num_sge = 1 };
	struct rte_iwarp_recv_wr *bad;
	int rc = rte_iwarp_post_recv(x->qp, &wr, &bad);

	if (rc != 0)
		ex_fail(x, "rte_iwarp_post_recv: %s", strerror(-rc));
	return rc;
}

static int
prepost(struct ex *x)
{
	uint64_t i;

	for (i = 0; i < (x->server ? SLOTS : 1); i++)
		if (post_recv(x, i) != 0)
			return -1;
	return 0;
}

static int
send_msg(struct ex *x, uint32_t lkey, void *addr, uint32_t len, uint64_t wr_id)
{
	struct rte_iwarp_sge sge = { .addr = (uintptr_t)addr, .length = len, .lkey = lkey };
	struct rte_iwarp_send_wr wr, *bad;
	int rc;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_SEND;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	rc = rte_iwarp_post_send(x->qp, &wr, &bad);
	if (rc != 0)
		ex_fail(x, "rte_iwarp_post_send: %s", strerror(-rc));
	return rc;
}

static uint32_t
msg_len(const struct ex *x, uint64_t i)
{
	return (uint32_t)(1 + (i * 7919 + i / 3) % x->size);
}

/* Take message i, check it (stream 2, block i). Returns its slot, or -1. */
static int64_t
take_msg(struct ex *x, uint64_t i)
{
	struct rte_iwarp_wc wc;
	uint8_t *p;
	int64_t bad;

	if (ex_wait(x, RTE_IWARP_WC_RECV, &wc) != 0)
		return -1;
	if (wc.byte_len != msg_len(x, i)) {
		ex_fail(x, "message %llu: %u bytes, not %u", (unsigned long long)i,
			wc.byte_len, msg_len(x, i));
		return -1;
	}
	p = (uint8_t *)rbuf->addr + wc.wr_id * x->size;
	bad = ex_check(p, wc.byte_len, 2, i);
	if (bad >= 0) {
		ex_fail(x, "message %llu: byte %lld differs", (unsigned long long)i,
			(long long)bad);
		return -1;
	}
	return (int64_t)wc.wr_id;
}

int
main(int argc, char **argv)
{
	struct ex x;
	struct ex_region mine, peer;
	struct rte_iwarp_mr *sbuf = NULL;
	uint64_t i, bytes = 0, t0, t1;
	int64_t slot;
	int rc = 1;

	if (ex_init(&x, argc, argv, "send_echo", 500, 8192) != 0 || ex_open(&x) != 0)
		goto out;
	rbuf = ex_reg(&x, x.size * (x.server ? SLOTS : 1), RTE_IWARP_ACCESS_LOCAL_WRITE);
	if (!x.server)
		sbuf = ex_reg(&x, x.size, RTE_IWARP_ACCESS_LOCAL_WRITE);
	if (rbuf == NULL || (!x.server && sbuf == NULL))
		goto out;
	memset(&mine, 0, sizeof(mine));
	mine.len = rte_cpu_to_be_32((uint32_t)x.size);
	mine.iters = rte_cpu_to_be_64(x.iters);
	if (ex_connect(&x, &mine, sizeof(mine), &peer, sizeof(peer), prepost) != 0)
		goto out;
	if (rte_be_to_cpu_32(peer.len) != x.size || rte_be_to_cpu_64(peer.iters) != x.iters) {
		ex_fail(&x, "the peer wants %llu messages of up to %u bytes (-n, -s must match)",
			(unsigned long long)rte_be_to_cpu_64(peer.iters),
			rte_be_to_cpu_32(peer.len));
		goto out;
	}
	t0 = rte_get_timer_cycles();
	for (i = 0; i < x.iters; i++) {
		if (x.server) {
			/* echo from the receive buffer, which is posted again once sent */
			slot = take_msg(&x, i);
			if (slot < 0 ||
			    send_msg(&x, rbuf->lkey, (uint8_t *)rbuf->addr + slot * x.size,
				     msg_len(&x, i), (uint64_t)slot) != 0 ||
			    ex_wait_sends(&x, RTE_IWARP_WC_SEND, i + 1) != 0 ||
			    post_recv(&x, (uint64_t)slot) != 0)
				goto out;
		} else {
			ex_fill(sbuf->addr, msg_len(&x, i), 2, i);
			if (send_msg(&x, sbuf->lkey, sbuf->addr, msg_len(&x, i), i) != 0 ||
			    take_msg(&x, i) < 0 || post_recv(&x, 0) != 0)
				goto out;
		}
		bytes += msg_len(&x, i);
	}
	if (ex_wait_sends(&x, RTE_IWARP_WC_SEND, x.iters) != 0)
		goto out;
	t1 = rte_get_timer_cycles();
	printf("send_echo %s: %lu messages (%llu bytes) %s and checked byte for byte "
	       "in %.1f ms\n", x.server ? "server" : "client", x.iters,
	       (unsigned long long)bytes, x.server ? "echoed" : "sent, echoed back",
	       (double)(t1 - t0) * 1e3 / (double)rte_get_timer_hz());
	rc = 0;
out:
	return ex_close(&x, rc);
}
