/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_CRC32C_H
#define IW_CRC32C_H

/**
 * @file
 * CRC32c (Castagnoli) for MPA FPDUs: the SSE4.2 crc32 instruction when the
 * build targets it (DPDK's x86 builds do), DPDK's rte_hash_crc() otherwise.
 *
 * MPA's CRC is the iSCSI one (RFC 3720 appendix B.4): seed ~0, reflected, final
 * inversion; it goes on the wire little-endian (iw_mpa_crc_put()). FPDUs span
 * mbuf segments and TCP segments, so the CRC is a running state: init, update
 * over each chunk as it streams through, final. iw_crc32c_multi() computes several
 * independent buffers in lockstep so the crc32 instruction's latency overlaps
 * (the transmit side builds several FPDUs per burst).
 *
 * All functions are pure; none fails.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include <rte_common.h>
#include <rte_hash_crc.h>

/** Running CRC32c state. */
struct iw_crc32c {
	uint32_t v;	/**< un-inverted register */
};

/** Bytes per lane of the three-lane loop: buffers from 3 lanes up take it. */
#define IW_CRC32C_LANE3 128

/**
 * The whole blocks of three lanes at the start of src through the CRC (and
 * copied to dst unless it is NULL): three crc32 chains in lockstep, combined
 * by table (iw_crc32c.c). @return the bytes done (a multiple of 3 lanes).
 */
size_t iw_crc32c_lanes3(struct iw_crc32c *c, void *dst, const void *src, size_t len);

/** Start a CRC. */
static inline void
iw_crc32c_init(struct iw_crc32c *c)
{
	c->v = 0xffffffffu;
}

/**
 * Add bytes to a running CRC.
 *
 * @param c
 *   State from iw_crc32c_init().
 * @param data
 *   Bytes; may be NULL when len is 0.
 * @param len
 *   Number of bytes.
 */
static __rte_always_inline void
iw_crc32c_update(struct iw_crc32c *c, const void *data, size_t len)
{
	const uint8_t *p = data;
#ifdef __SSE4_2__
	/*
	 * The same crc32 instruction rte_hash_crc() uses, without its per-word
	 * algorithm switch (the build targets SSE4.2 already): a third fewer
	 * instructions on FPDU-sized buffers.
	 */
	uint64_t v, w;
	uint32_t w4;
	uint16_t w2;

	if (len >= 3 * IW_CRC32C_LANE3) {
		size_t done = iw_crc32c_lanes3(c, NULL, p, len);

		p += done;
		len -= done;
	}
	v = c->v;

	for (; len >= 32; len -= 32, p += 32) {
		uint64_t x, y, z;

		memcpy(&w, p, 8);
		memcpy(&x, p + 8, 8);
		memcpy(&y, p + 16, 8);
		memcpy(&z, p + 24, 8);
		v = _mm_crc32_u64(v, w);
		v = _mm_crc32_u64(v, x);
		v = _mm_crc32_u64(v, y);
		v = _mm_crc32_u64(v, z);
	}
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		v = _mm_crc32_u64(v, w);
	}
	if (len & 4) {
		memcpy(&w4, p, 4);
		v = _mm_crc32_u32((uint32_t)v, w4);
		p += 4;
	}
	if (len & 2) {
		memcpy(&w2, p, 2);
		v = _mm_crc32_u16((uint32_t)v, w2);
		p += 2;
	}
	if (len & 1)
		v = _mm_crc32_u8((uint32_t)v, *p);
	c->v = (uint32_t)v;
#else
	while (len > UINT32_MAX) {
		c->v = rte_hash_crc(p, UINT32_MAX & ~7u, c->v);
		p += UINT32_MAX & ~7u;
		len -= UINT32_MAX & ~7u;
	}
	if (len > 0)
		c->v = rte_hash_crc(p, (uint32_t)len, c->v);
#endif
}

/** @return the finished CRC32c value (host order; store with iw_mpa_crc_put()). */
/**
 * Copy len bytes from src to dst and run them through the CRC in the same
 * pass (one read of each byte: the copy the FPDU needs anyway carries the CRC).
 */
static __rte_always_inline void
iw_crc32c_copy(struct iw_crc32c *c, void *dst, const void *src, size_t len)
{
#ifdef __SSE4_2__
	const uint8_t *s = src;
	uint8_t *d = dst;
	uint64_t v, w, x, y, z;

	if (len >= 3 * IW_CRC32C_LANE3) {
		size_t done = iw_crc32c_lanes3(c, d, s, len);

		s += done;
		d += done;
		len -= done;
	}
	v = c->v;

	for (; len >= 32; len -= 32, s += 32, d += 32) {
		memcpy(&w, s, 8);
		memcpy(&x, s + 8, 8);
		memcpy(&y, s + 16, 8);
		memcpy(&z, s + 24, 8);
		memcpy(d, &w, 8);
		memcpy(d + 8, &x, 8);
		memcpy(d + 16, &y, 8);
		memcpy(d + 24, &z, 8);
		v = _mm_crc32_u64(v, w);
		v = _mm_crc32_u64(v, x);
		v = _mm_crc32_u64(v, y);
		v = _mm_crc32_u64(v, z);
	}
	for (; len >= 8; len -= 8, s += 8, d += 8) {
		memcpy(&w, s, 8);
		memcpy(d, &w, 8);
		v = _mm_crc32_u64(v, w);
	}
	c->v = (uint32_t)v;
	if (len > 0) {
		memcpy(d, s, len);
		iw_crc32c_update(c, d, len);
	}
#else
	memcpy(dst, src, len);
	iw_crc32c_update(c, dst, len);
#endif
}

static inline uint32_t
iw_crc32c_final(const struct iw_crc32c *c)
{
	return ~c->v;
}

/**
 * One-shot CRC32c of a buffer.
 *
 * @return the CRC32c value.
 */
static inline uint32_t
iw_crc32c(const void *data, size_t len)
{
	struct iw_crc32c c;

	iw_crc32c_init(&c);
	iw_crc32c_update(&c, data, len);
	return iw_crc32c_final(&c);
}

/** Largest number of streams iw_crc32c_update_multi() interleaves in one pass. */
#define IW_CRC32C_LANES 4

/**
 * Add one buffer to each of n independent running CRCs, interleaving up to
 * IW_CRC32C_LANES of them at a time so the crc32 instruction's latency overlaps.
 *
 * @param c
 *   n running states.
 * @param bufs
 *   n buffer pointers.
 * @param lens
 *   n lengths.
 * @param n
 *   Number of streams (any; processed IW_CRC32C_LANES at a time).
 */
void iw_crc32c_update_multi(struct iw_crc32c *c, const void *const *bufs, const uint32_t *lens,
		unsigned int n);

/**
 * CRC32c of n independent buffers, interleaved (see iw_crc32c_update_multi()).
 *
 * @param bufs
 *   n buffer pointers.
 * @param lens
 *   n lengths.
 * @param n
 *   Number of buffers.
 * @param out
 *   n results, the finished CRC32c of each buffer.
 */
void iw_crc32c_multi(const void *const *bufs, const uint32_t *lens, unsigned int n,
		uint32_t *out);

#endif /* IW_CRC32C_H */
