/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32c throughput: one stream at a time against IW_CRC32C_LANES interleaved,
 * on FPDU-sized buffers (1442-byte ULPDUs, 64 KiB messages); then the framing
 * cost of one small RDMA WRITE, transmit and receive (run it under
 * valgrind --tool=callgrind to count instructions). A measurement, not a test:
 * prints numbers, asserts nothing.
 *
 *   iw-crc32c-bench [buffer bytes] [buffers] [rounds]
 *   iw-crc32c-bench --write64 [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iw_crc32c.h"
#include "iw_fpdu.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint8_t target[64];

static int
place(void *ctx, const struct iw_hdr *h, uint32_t off, const uint8_t *d, uint32_t len,
		struct iw_term_cause *c)
{
	(void)ctx;
	(void)c;
	memcpy(target + (h->t.to & 63) + off, d, len);	/* the one copy */
	return 0;
}

/* Build and receive one 64-byte RDMA WRITE FPDU, CRC on, rounds times. */
static int
write64(unsigned int rounds)
{
	static const struct iw_fpdu_rx_ops ops = { .on_data = place };
	static uint8_t src[64], wire[128];
	struct iw_fpdu_tx tx;
	struct iw_fpdu_rx rx;
	struct iw_hdr h;
	struct iw_seg seg = { .addr = src, .len = 64 };
	unsigned int r;
	double t0, t1;
	int n = 0;

	memset(&h, 0, sizeof(h));
	h.opcode = IW_OP_WRITE;
	h.last = true;
	h.t.stag = 0x1234500;
	iw_fpdu_tx_init(&tx, true, false, 0);
	iw_fpdu_rx_init(&rx, true, false, 0);
	t0 = now();
	for (r = 0; r < rounds; r++) {
		n = iw_fpdu_tx_build(&tx, &h, &seg, 1, wire, sizeof(wire));
		if (iw_fpdu_rx_feed(&rx, wire, (size_t)n, &ops, NULL) != n)
			return 1;
	}
	t1 = now();
	printf("64 B RDMA WRITE, build + receive with CRC: %u rounds, %.1f ns each "
		"(%d wire bytes)\n", rounds, (t1 - t0) * 1e9 / rounds, n);
	return rx.fpdus == rounds ? 0 : 1;
}

int
main(int argc, char **argv)
{
	uint32_t len;
	unsigned int n = argc > 2 ? (unsigned int)atoi(argv[2]) : 46;
	unsigned int rounds = argc > 3 ? (unsigned int)atoi(argv[3]) : 2000;
	uint8_t *mem;
	const void **bufs = calloc(n, sizeof(*bufs));
	uint32_t *lens = calloc(n, sizeof(*lens)), *out = calloc(n, sizeof(*out));
	struct iw_fpdu_frame *fr = calloc(n, sizeof(*fr));
	struct iw_hdr *hdrs = calloc(n, sizeof(*hdrs));
	struct iw_seg *segs = calloc(n, sizeof(*segs));
	volatile uint32_t sink = 0;
	unsigned int i, r;
	double t0, t1, t2, t3, bytes;

	if (argc > 1 && strcmp(argv[1], "--write64") == 0)
		return write64(argc > 2 ? (unsigned int)atoi(argv[2]) : 1000000);
	len = argc > 1 ? (uint32_t)atoi(argv[1]) : 1442;
	mem = malloc((size_t)len * n);
	if (mem == NULL || bufs == NULL || lens == NULL || out == NULL || fr == NULL ||
			hdrs == NULL || segs == NULL)
		return 1;
	for (i = 0; i < len * n; i++)
		mem[i] = (uint8_t)(i * 13);
	for (i = 0; i < n; i++) {
		bufs[i] = mem + (size_t)i * len;
		lens[i] = len;
		hdrs[i].opcode = IW_OP_WRITE;
		hdrs[i].t.stag = 0x100;
		hdrs[i].t.to = (uint64_t)i * len;
		segs[i].addr = bufs[i];
		segs[i].len = len;
	}
	t0 = now();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			sink += iw_crc32c(bufs[i], lens[i]);
	t1 = now();
	for (r = 0; r < rounds; r++) {
		iw_crc32c_multi(bufs, lens, n, out);
		sink += out[0];
	}
	t2 = now();
	for (r = 0; r < rounds; r++) {
		struct iw_fpdu_tx tx;

		iw_fpdu_tx_init(&tx, true, false, 0);
		iw_fpdu_tx_frame_burst(&tx, hdrs, segs, n, fr);
		sink += fr[0].trailer[0];
	}
	t3 = now();
	bytes = (double)len * n * rounds;
	printf("CRC32c over %u x %u bytes, %u rounds\n", n, len, rounds);
	printf("  one stream at a time : %6.2f GB/s\n", bytes / (t1 - t0) / 1e9);
	printf("  %u lanes interleaved  : %6.2f GB/s\n", IW_CRC32C_LANES,
		bytes / (t2 - t1) / 1e9);
	printf("  zero-copy FPDU burst : %6.2f GB/s (headers, pad, CRC)\n",
		bytes / (t3 - t2) / 1e9);
	free(mem);
	free(bufs);
	free(lens);
	free(out);
	free(fr);
	free(hdrs);
	free(segs);
	return sink == 0xffffffff;
}
