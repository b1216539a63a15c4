/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32c throughput: one stream at a time against IW_CRC32C_LANES interleaved,
 * on FPDU-sized buffers (1442-byte ULPDUs, 64 KiB messages). A measurement, not
 * a test: prints numbers, asserts nothing.
 *
 *   iw-crc32c-bench [buffer bytes] [buffers] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
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

int
main(int argc, char **argv)
{
	uint32_t len = argc > 1 ? (uint32_t)atoi(argv[1]) : 1442;
	unsigned int n = argc > 2 ? (unsigned int)atoi(argv[2]) : 46;
	unsigned int rounds = argc > 3 ? (unsigned int)atoi(argv[3]) : 2000;
	uint8_t *mem = malloc((size_t)len * n);
	const void **bufs = calloc(n, sizeof(*bufs));
	uint32_t *lens = calloc(n, sizeof(*lens)), *out = calloc(n, sizeof(*out));
	struct iw_fpdu_frame *fr = calloc(n, sizeof(*fr));
	struct iw_hdr *hdrs = calloc(n, sizeof(*hdrs));
	struct iw_seg *segs = calloc(n, sizeof(*segs));
	volatile uint32_t sink = 0;
	unsigned int i, r;
	double t0, t1, t2, t3, bytes;

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
