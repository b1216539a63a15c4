/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * read_fetch: a storage-style fetch with RDMA READ. The server is a "disk":
 * -s bytes (default 1 MiB) of 4 KiB blocks, each with its own contents,
 * registered for remote read; its address and rkey go to the client in the
 * MPA private data, and the server's CPU takes no part in the transfers. The
 * client fetches -n extents (default 256) of 1 to 16 blocks at pseudo-random
 * block addresses, then the whole disk in one READ, and checks every byte of
 * every block against what that block holds.
 *
 *   read_fetch [EAL args] -- server|client [-n N] [-s DISK_SIZE] [--socket PATH]
 */
#include "ex_common.h"

#define BLOCK 4096u
#define MAX_EXTENT 16u   /* blocks */

static int
prepost(struct ex *x)
{
	(void)x;  /* READ needs no receive */
	return 0;
}

/* Block b of the disk holds ex_pattern(3, b, 0..BLOCK-1). */
static void
disk_fill(uint8_t *disk, uint64_t nblocks)
{
	uint64_t b;

	for (b = 0; b < nblocks; b++)
		ex_fill(disk + b * BLOCK, BLOCK, 3, b);
}

/* READ blocks [first, first + n) into local memory at dst; check them. */
static int
fetch(struct ex *x, const struct ex_region *disk, struct rte_iwarp_mr *mr, uint8_t *dst,
      uint64_t first, uint64_t n)
{
	struct rte_iwarp_sge sge = {
		.addr = (uintptr_t)dst,
		.length = (uint32_t)(n * BLOCK),
		.lkey = mr->lkey,
	};
	struct rte_iwarp_send_wr wr, *bad_wr;
	struct rte_iwarp_wc wc;
	uint64_t b;
	int64_t bad;
	int rc;

	memset(dst, 0, n * BLOCK);
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = first;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = RTE_IWARP_WR_RDMA_READ;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = rte_be_to_cpu_64(disk->addr) + first * BLOCK;
	wr.wr.rdma.rkey = rte_be_to_cpu_32(disk->rkey);
	rc = rte_iwarp_post_send(x->qp, &wr, &bad_wr);
	if (rc != 0) {
		ex_fail(x, "rte_iwarp_post_send: %s", strerror(-rc));
		return -1;
	}
	if (ex_wait(x, RTE_IWARP_WC_RDMA_READ, &wc) != 0)
		return -1;
	if (wc.wr_id != first || wc.byte_len != n * BLOCK) {
		ex_fail(x, "READ of blocks %llu+%llu: wr_id %llu, %u bytes",
			(unsigned long long)first, (unsigned long long)n,
			(unsigned long long)wc.wr_id, wc.byte_len);
		return -1;
	}
	for (b = 0; b < n; b++) {
		bad = ex_check(dst + b * BLOCK, BLOCK, 3, first + b);
		if (bad >= 0) {
			ex_fail(x, "block %llu: byte %lld differs", (unsigned long long)(first + b),
				(long long)bad);
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct ex x;
	struct ex_region mine, peer;
	struct rte_iwarp_mr *disk = NULL, *buf = NULL, *all = NULL;
	uint64_t nblocks, i, first, n, blocks = 0, seed = 1, t0, t1;
	int rc = 1;

	if (ex_init(&x, argc, argv, "read_fetch", 256, 1 << 20) != 0 || ex_open(&x) != 0)
		goto out;
	if (x.size % BLOCK != 0) {
		ex_fail(&x, "-s must be a multiple of %u", BLOCK);
		goto out;
	}
	nblocks = x.size / BLOCK;
	memset(&mine, 0, sizeof(mine));
	if (x.server) {
		disk = ex_reg(&x, x.size, RTE_IWARP_ACCESS_REMOTE_READ);
		if (disk == NULL)
			goto out;
		disk_fill(disk->addr, nblocks);
		mine.addr = rte_cpu_to_be_64((uintptr_t)disk->addr);
		mine.rkey = rte_cpu_to_be_32(disk->rkey);
	} else {
		buf = ex_reg(&x, MAX_EXTENT * BLOCK, RTE_IWARP_ACCESS_LOCAL_WRITE);
		all = ex_reg(&x, x.size, RTE_IWARP_ACCESS_LOCAL_WRITE);
		if (buf == NULL || all == NULL)
			goto out;
	}
	mine.len = rte_cpu_to_be_32((uint32_t)x.size);
	mine.iters = rte_cpu_to_be_64(x.iters);
	if (ex_connect(&x, &mine, sizeof(mine), &peer, sizeof(peer), prepost) != 0)
		goto out;
	if (rte_be_to_cpu_32(peer.len) != x.size) {
		ex_fail(&x, "the disk is %u bytes, not %lu (-s must match)",
			rte_be_to_cpu_32(peer.len), x.size);
		goto out;
	}
	if (x.server) {
		/* nothing to do: the client's READs are answered by the engine,
		 * which ex_close() polls while it waits for the disconnection */
		printf("read_fetch server: %llu blocks of %u bytes served\n",
		       (unsigned long long)nblocks, BLOCK);
		rc = 0;
		goto out;
	}
	t0 = rte_get_timer_cycles();
	for (i = 0; i < x.iters; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		n = 1 + (seed >> 33) % MAX_EXTENT;
		if (n > nblocks)
			n = nblocks;
		first = (seed >> 13) % (nblocks - n + 1);
		if (fetch(&x, &peer, buf, buf->addr, first, n) != 0)
			goto out;
		blocks += n;
	}
	if (fetch(&x, &peer, all, all->addr, 0, nblocks) != 0)
		goto out;
	blocks += nblocks;
	t1 = rte_get_timer_cycles();
	printf("read_fetch client: %lu extents and the whole disk (%llu blocks of %u bytes) "
	       "read and checked byte for byte in %.1f ms\n", x.iters,
	       (unsigned long long)blocks, BLOCK,
	       (double)(t1 - t0) * 1e3 / (double)rte_get_timer_hz());
	rc = 0;
out:
	return ex_close(&x, rc);
}
