/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: iwarp-rping's control message, rping's 16-byte RDMA info
 * {be64 addr, be32 rkey, be32 size}, and the server's checks of it
 * (apps/rping/rping_msg.c, which rping_conn.c calls).
 *
 * Input: our -S size (be32, brought into rping's 26 .. 65535), then the
 * received message (its length is the completion's byte_len); what follows
 * the first 16 bytes also fills the server's ping buffer.
 * Invariants (abort on violation): only a 16-byte message decodes; it encodes
 * back to the same bytes; a source is accepted only when 0 < len <= size; the
 * length written into a sink covers the ping up to its NUL, within size, and
 * is accepted only when the sink holds it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rping_rdma_info back;
	struct rping_remote r;
	uint32_t ours, len, i;
	char *ping;
	size_t n;
	int rc;

	if (size < 4)
		return 0;
	ours = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	ours = RPING_MIN_SIZE + ours % (RPING_MAX_SIZE - RPING_MIN_SIZE + 1);
	data += 4;
	size -= 4;

	/* the message: a copy of exactly its length, so reading past it is caught */
	rc = rping_info_decode(size ? data : (const uint8_t *)"", (uint32_t)size, &r);
	check((rc == 0) == (size == sizeof(struct rping_rdma_info)));
	if (rc != 0) {
		check(rc == -EMSGSIZE);
		if (size < sizeof(struct rping_rdma_info))
			return 0;
		rc = rping_info_decode(data, sizeof(struct rping_rdma_info), &r);
		check(rc == 0);
	}
	rping_info_encode(&back, r.addr, r.rkey, r.len);
	check(memcmp(&back, data, sizeof(back)) == 0);

	rc = rping_src_check(&r, ours);
	check((rc == 0) == (r.len != 0 && r.len <= ours));

	/* the server's ping buffer: ours bytes, from the input, zero-padded */
	ping = malloc(ours);
	check(ping != NULL);
	n = RTE_MIN((size_t)ours, size - sizeof(struct rping_rdma_info));
	memset(ping, 0, ours);
	memcpy(ping, data + sizeof(struct rping_rdma_info), n);
	rc = rping_sink_len(ping, ours, &r, &len);
	check(len >= 1 && len <= ours);
	for (i = 0; i + 1 < len; i++)
		check(ping[i] != '\0');
	check(len == ours || ping[len - 1] == '\0');
	check((rc == 0) == (len <= r.len));
	free(ping);
	return 0;
}
