/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_CRC32C_H
#define IW_CRC32C_H

/**
 * @file
 * CRC32c (Castagnoli) for MPA FPDUs, on DPDK's rte_hash_crc (SSE4.2 crc32
 * instruction where the CPU has it).
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

#include <rte_hash_crc.h>

/** Running CRC32c state. */
struct iw_crc32c {
	uint32_t v;	/**< un-inverted register */
};

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
static inline void
iw_crc32c_update(struct iw_crc32c *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > UINT32_MAX) {
		c->v = rte_hash_crc(p, UINT32_MAX & ~7u, c->v);
		p += UINT32_MAX & ~7u;
		len -= UINT32_MAX & ~7u;
	}
	if (len > 0)
		c->v = rte_hash_crc(p, (uint32_t)len, c->v);
}

/** @return the finished CRC32c value (host order; store with iw_mpa_crc_put()). */
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
