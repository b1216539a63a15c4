/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_SEQ_H
#define TCP_SEQ_H

/**
 * @file
 * TCP sequence number arithmetic modulo 2^32 (RFC 9293 section 3.4), in the
 * style of FreeBSD tcp_seq.h: a < b when the signed 32-bit distance from b to
 * a is negative. Valid while the two numbers are less than 2^31 apart.
 */

#include <stdint.h>

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/** The later of two sequence numbers. */
static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return SEQ_GT(a, b) ? a : b;
}

/** The earlier of two sequence numbers. */
static inline uint32_t
seq_min(uint32_t a, uint32_t b)
{
	return SEQ_LT(a, b) ? a : b;
}

/** True when lo <= s < hi (modulo 2^32). */
static inline int
seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return SEQ_GEQ(s, lo) && SEQ_LT(s, hi);
}

#endif /* TCP_SEQ_H */
