/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * write_pingpong: RDMA WRITE ping-pong. Each side registers a buffer the peer
 * may write and tells the peer its address and rkey in the MPA private data.
 * The client writes -s bytes into the server's buffer with RDMA WRITE with
 * immediate data (the immediate, the round number, consumes a receive on the
 * server and tells it the data is there); the server checks every byte and
 * writes different data back the same way; the client checks every byte. -n
 * rounds (default 1000 of 4096 bytes).
 *
 *   write_pingpong [EAL args] -- server|client [-n N] [-s SIZE] [--socket PATH]
 */
#include "ex_common.h"

#define PREPOST 16

static int
post_recvs(struct ex *x, unsigned int n)
{
	struct rte_iwarp_recv_wr wr, *bad;
	unsigned int i;

	memset(&wr, 0, sizeof(wr)); /* no SGE: a WRITE with immediate places nothing here */
	for (i = 0; i < n; i++)
		if (rte_iwarp_post_recv(x->qp, &wr, &bad) != 0)
			return -1;
	return 0;
}

static int
prepost(struct ex *x)
{
	return post_recvs(x, PREPOST);
}

/* WRITE round's data (stream 0 from the client, 1 from the server) to the peer. */
static int
write_imm(struct ex *x, struct rte_iwarp_mr *src, const struct ex_region *peer,
	  uint64_t round)
{
	struct rte_iwarp_sge sge = {
		.addr = (uintptr_t)src->addr,
		.length = (uint32_t)x->size,
		.lkey = src->lkey,
	};
	struct rte_iwarp_send_wr wr, *bad;
	int rc;

	ex_fill(src->addr, x->size, x->server ? 1 : 0, round);
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = round;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE_WITH_IMM;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.imm_data = rte_cpu_to_be_32((uint32_t)round);
	wr.wr.rdma.remote_addr = rte_be_to_cpu_64(peer->addr);
	wr.wr.rdma.rkey = rte_be_to_cpu_32(peer->rkey);
	rc = rte_iwarp_post_send(x->qp, &wr, &bad);
	if (rc != 0)
		ex_fail(x, "rte_iwarp_post_send: %s", strerror(-rc));
	return rc;
}

/* Wait for the peer's WRITE of this round and check it byte for byte. */
static int
take_write(struct ex *x, struct rte_iwarp_mr *dst, uint64_t round)
{
	struct rte_iwarp_wc wc;
	int64_t bad;

	if (ex_wait(x, RTE_IWARP_WC_RECV_RDMA_WITH_IMM, &wc) != 0)
		return -1;
	if (!(wc.wc_flags & RTE_IWARP_WC_WITH_IMM) ||
	    rte_be_to_cpu_32(wc.imm_data) != (uint32_t)round) {
		ex_fail(x, "round %llu: immediate data %u", (unsigned long long)round,
			rte_be_to_cpu_32(wc.imm_data));
		return -1;
	}
	bad = ex_check(dst->addr, x->size, x->server ? 0 : 1, round);
	if (bad >= 0) {
		ex_fail(x, "round %llu: byte %lld differs", (unsigned long long)round,
			(long long)bad);
		return -1;
	}
	return post_recvs(x, 1);
}

int
main(int argc, char **argv)
{
	struct ex x;
	struct ex_region mine, peer;
	struct rte_iwarp_mr *dst, *src;
	uint64_t round, t0, t1;
	int rc = 1;

	if (ex_init(&x, argc, argv, "write_pingpong", 1000, 4096) != 0 || ex_open(&x) != 0)
		goto out;
	dst = ex_reg(&x, x.size, RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE);
	src = ex_reg(&x, x.size, RTE_IWARP_ACCESS_LOCAL_WRITE);
	if (dst == NULL || src == NULL)
		goto out;
	memset(&mine, 0, sizeof(mine));
	mine.addr = rte_cpu_to_be_64((uintptr_t)dst->addr);
	mine.rkey = rte_cpu_to_be_32(dst->rkey);
	mine.len = rte_cpu_to_be_32((uint32_t)x.size);
	mine.iters = rte_cpu_to_be_64(x.iters);
	if (ex_connect(&x, &mine, sizeof(mine), &peer, sizeof(peer), prepost) != 0)
		goto out;
	if (rte_be_to_cpu_32(peer.len) < x.size || rte_be_to_cpu_64(peer.iters) != x.iters) {
		ex_fail(&x, "the peer has %u bytes and %llu rounds (-s and -n must match)",
			rte_be_to_cpu_32(peer.len),
			(unsigned long long)rte_be_to_cpu_64(peer.iters));
		goto out;
	}
	t0 = rte_get_timer_cycles();
	for (round = 0; round < x.iters; round++) {
		if (x.server) {
			if (take_write(&x, dst, round) != 0 || write_imm(&x, src, &peer, round) != 0)
				goto out;
		} else {
			if (write_imm(&x, src, &peer, round) != 0 || take_write(&x, dst, round) != 0)
				goto out;
		}
	}
	if (ex_wait_sends(&x, RTE_IWARP_WC_RDMA_WRITE, x.iters) != 0)
		goto out;
	t1 = rte_get_timer_cycles();
	printf("write_pingpong %s: %lu rounds of %lu bytes each way, every byte checked; "
	       "%.2f us per round trip\n", x.server ? "server" : "client", x.iters, x.size,
	       (double)(t1 - t0) * 1e6 / (double)rte_get_timer_hz() / (double)x.iters);
	rc = 0;
out:
	return ex_close(&x, rc);
}
