/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interleaved CRC32c: the crc32 instruction has a latency of 3 cycles and a
 * throughput of 1 per cycle, so one dependency chain leaves two thirds of the
 * unit idle. Running independent buffers in lockstep fills it.
 */
#include <string.h>

#include <rte_common.h>

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

#ifdef __SSE4_2__
/*
 * Three lanes within one buffer. The CRC register update is linear in the
 * register and the data together, so over three consecutive lanes D1 D2 D3 of
 * L bytes each: crc(v, D1 D2 D3) = Z2L(crc(v, D1)) ^ ZL(crc(0, D2)) ^ crc(0, D3),
 * where ZL(x) = crc(x, L zero bytes) is a linear map of the 32-bit register:
 * four table lookups. The three lane CRCs run in lockstep, one crc32 a cycle
 * instead of one every three (its latency).
 */
#define LANE IW_CRC32C_LANE3

static uint32_t zl[4][256], z2l[4][256];

static uint32_t
zeros(uint32_t v, unsigned int len)
{
	uint64_t r = v;

	for (; len >= 8; len -= 8)
		r = _mm_crc32_u64(r, 0);
	return (uint32_t)r;
}

RTE_INIT(iw_crc32c_lane3_tables)
{
	unsigned int i, b;

	for (i = 0; i < 4; i++)
		for (b = 0; b < 256; b++) {
			zl[i][b] = zeros((uint32_t)b << (8 * i), LANE);
			z2l[i][b] = zeros((uint32_t)b << (8 * i), 2 * LANE);
		}
}

static inline uint32_t
apply(const uint32_t t[4][256], uint32_t v)
{
	return t[0][v & 0xff] ^ t[1][(v >> 8) & 0xff] ^ t[2][(v >> 16) & 0xff] ^ t[3][v >> 24];
}

size_t
iw_crc32c_lanes3(struct iw_crc32c *c, void *dst, const void *src, size_t len)
{
	const uint8_t *p = src;
	uint8_t *d = dst;
	size_t done = 0;
	uint32_t a, b, e;
	unsigned int i;

	for (; len - done >= 3 * LANE; done += 3 * LANE, p += 3 * LANE) {
		a = c->v;
		b = 0;
		e = 0;
		/*
		 * Two copies of the CRC loop on purpose: one loop behind an
		 * `if (d) memcpy` costs 2 % more instructions per 64 KiB WRITE
		 * (bench-instr 294,000 -> 299,400; GCC 12 compiles it worse).
		 */
		if (d != NULL) {
			/* 16 bytes of each lane a round: the copy in 16-byte moves */
			memcpy(d, p, 3 * LANE);
			for (i = 0; i < LANE; i += 16) {
				a = CRC8B(a, p + i);
				b = CRC8B(b, p + LANE + i);
				e = CRC8B(e, p + 2 * LANE + i);
				a = CRC8B(a, p + i + 8);
				b = CRC8B(b, p + LANE + i + 8);
				e = CRC8B(e, p + 2 * LANE + i + 8);
			}
			d += 3 * LANE;
		} else {
			for (i = 0; i < LANE; i += 16) {
				a = CRC8B(a, p + i);
				b = CRC8B(b, p + LANE + i);
				e = CRC8B(e, p + 2 * LANE + i);
				a = CRC8B(a, p + i + 8);
				b = CRC8B(b, p + LANE + i + 8);
				e = CRC8B(e, p + 2 * LANE + i + 8);
			}
		}
		c->v = apply((const uint32_t (*)[256])z2l, a) ^
			apply((const uint32_t (*)[256])zl, b) ^ e;
	}
	return done;
}
#else
size_t
iw_crc32c_lanes3(struct iw_crc32c *c, void *dst, const void *src, size_t len)
{
	RTE_SET_USED(c);
	RTE_SET_USED(dst);
	RTE_SET_USED(src);
	RTE_SET_USED(len);
	return 0;
}
#endif
