/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interleaved CRC32c: the crc32 instruction has a latency of 3 cycles and a
 * throughput of 1 per cycle, so one dependency chain leaves two thirds of the
 * unit idle. Running independent buffers in lockstep fills it.
 */
#include <string.h>

#include "iw_crc32c.h"

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#ifdef __SSE4_2__
/* The crc32 instruction without DPDK's per-call algorithm switch and volatile asm. */
#define CRC8B(v, p) ((uint32_t)_mm_crc32_u64((v), load64(p)))
#else
#define CRC8B(v, p) rte_hash_crc_8byte(load64(p), (v))
#endif

/* Four streams in lockstep over len bytes (a multiple of 8), in registers. */
static void
lanes4(uint32_t v[4], const uint8_t *const p[4], uint32_t len)
{
	uint32_t a = v[0], b = v[1], c = v[2], d = v[3], off;

	for (off = 0; off < len; off += 8) {
		a = CRC8B(a, p[0] + off);
		b = CRC8B(b, p[1] + off);
		c = CRC8B(c, p[2] + off);
		d = CRC8B(d, p[3] + off);
	}
	v[0] = a;
	v[1] = b;
	v[2] = c;
	v[3] = d;
}

void
iw_crc32c_update_multi(struct iw_crc32c *c, const void *const *bufs, const uint32_t *lens,
		unsigned int n)
{
	unsigned int base, k, lanes;
	uint32_t v[IW_CRC32C_LANES];
	const uint8_t *p[IW_CRC32C_LANES];
	uint32_t common;

	RTE_BUILD_BUG_ON(IW_CRC32C_LANES != 4);
	for (base = 0; base < n; base += lanes) {
		lanes = RTE_MIN(n - base, (unsigned int)IW_CRC32C_LANES);
		if (lanes < 2) {
			iw_crc32c_update(&c[base], bufs[base], lens[base]);
			continue;
		}
		common = UINT32_MAX;
		for (k = 0; k < IW_CRC32C_LANES; k++) {
			/* short bursts: idle lanes rerun lane 0 and are dropped */
			unsigned int src = k < lanes ? base + k : base;

			v[k] = c[src].v;
			p[k] = bufs[src];
			common = RTE_MIN(common, lens[src] & ~7u);
		}
		lanes4(v, p, common);
		/* each lane's tail */
		for (k = 0; k < lanes; k++) {
			c[base + k].v = v[k];
			if (lens[base + k] > common)
				iw_crc32c_update(&c[base + k], p[k] + common,
						lens[base + k] - common);
		}
	}
}

void
iw_crc32c_multi(const void *const *bufs, const uint32_t *lens, unsigned int n, uint32_t *out)
{
	struct iw_crc32c c[IW_CRC32C_LANES];
	unsigned int base, k, lanes;

	for (base = 0; base < n; base += lanes) {
		lanes = RTE_MIN(n - base, (unsigned int)IW_CRC32C_LANES);
		for (k = 0; k < lanes; k++)
			iw_crc32c_init(&c[k]);
		iw_crc32c_update_multi(c, bufs + base, lens + base, lanes);
		for (k = 0; k < lanes; k++)
			out[base + k] = iw_crc32c_final(&c[k]);
	}
}
