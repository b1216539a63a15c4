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

void
iw_crc32c_update_multi(struct iw_crc32c *c, const void *const *bufs, const uint32_t *lens,
		unsigned int n)
{
	unsigned int base, k, lanes;
	uint32_t v[IW_CRC32C_LANES];
	uint32_t off, common;

	for (base = 0; base < n; base += lanes) {
		lanes = RTE_MIN(n - base, (unsigned int)IW_CRC32C_LANES);
		common = UINT32_MAX;
		for (k = 0; k < lanes; k++) {
			v[k] = c[base + k].v;
			common = RTE_MIN(common, lens[base + k] & ~7u);
		}
		/* lockstep over the 8-byte words all lanes have */
		for (off = 0; off < common; off += 8)
			for (k = 0; k < lanes; k++)
				v[k] = rte_hash_crc_8byte(
					load64((const uint8_t *)bufs[base + k] + off), v[k]);
		/* each lane's tail */
		for (k = 0; k < lanes; k++) {
			if (lens[base + k] > common)
				v[k] = rte_hash_crc((const uint8_t *)bufs[base + k] + common,
						lens[base + k] - common, v[k]);
			c[base + k].v = v[k];
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
