/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rping's advertisement message and the server's checks of it, apart from the
 * connection code so that the fuzz target (tests/fuzz/fuzz_rping_msg.c) calls
 * exactly what iwarp-rping runs. Nothing here needs EAL.
 */
#include <errno.h>
#include <string.h>

#include "rping.h"

int
rping_info_decode(const void *msg, uint32_t byte_len, struct rping_remote *r)
{
	struct rping_rdma_info m;

	/* rping's "received bogus data": anything but the 16-byte message */
	if (byte_len != sizeof(m))
		return -EMSGSIZE;
	memcpy(&m, msg, sizeof(m));
	r->rkey = rte_be_to_cpu_32(m.rkey);
	r->addr = rte_be_to_cpu_64(m.buf);
	r->len = rte_be_to_cpu_32(m.size);
	return 0;
}

void
rping_info_encode(struct rping_rdma_info *m, uint64_t addr, uint32_t rkey, uint32_t size)
{
	m->buf = rte_cpu_to_be_64(addr);
	m->rkey = rte_cpu_to_be_32(rkey);
	m->size = rte_cpu_to_be_32(size);
}

int
rping_src_check(const struct rping_remote *r, uint32_t size)
{
	return r->len > size || r->len == 0 ? -EMSGSIZE : 0;
}

int
rping_sink_len(const char *ping, uint32_t size, const struct rping_remote *r, uint32_t *len)
{
	/* rping writes strlen(rdma_buf) + 1 bytes: the ping and its NUL */
	*len = (uint32_t)strnlen(ping, size - 1) + 1;
	return *len > r->len ? -EMSGSIZE : 0;
}
