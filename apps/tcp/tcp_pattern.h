/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_PATTERN_H
#define TCP_PATTERN_H

/**
 * @file
 * The bulk pattern of iwarp-tcp and of the TCP tests (which link
 * tcp_pattern.c): byte i of a stream is a function of i only, so both ends
 * agree on it however the stream is cut.
 */

#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;

/** Byte i of the pattern. */
static inline uint8_t
tcp_pattern_byte(uint64_t i)
{
	uint64_t x = (i >> 3) * 0x9e3779b97f4a7c15ULL;

	return (uint8_t)((x ^ (x >> 29)) >> (8 * (i & 7)));
}

/** Fill buf with the pattern bytes off .. off + len - 1. */
void tcp_pattern_fill(uint8_t *buf, uint64_t off, uint32_t len);

/**
 * A chain of len pattern bytes from offset off, in as many mbufs of mp as
 * their tailroom needs.
 * @return the chain, or NULL when the pool ran out (nothing is kept).
 */
struct rte_mbuf *tcp_pattern_chain(struct rte_mempool *mp, uint64_t off, uint32_t len);

#endif /* TCP_PATTERN_H */
