/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_CKSUM_H
#define IW_CKSUM_H

/**
 * @file
 * Internet checksums over mbuf chains.
 *
 * DPDK 22.11's rte_raw_cksum_mbuf() (and the rte_ipv4_udptcp_cksum_mbuf*()
 * calls built on it) loses carries when a segment starts at an odd offset of
 * the summed range: it byte-swaps a 32-bit partial sum truncated to 16 bits,
 * so such a segment's carries are lost (tests/net/test_net_cksum.c: 9 chains
 * in 10 of random odd-sized segments). A TCP segment carrying an odd-sized
 * payload segment (an odd-sized WRITE, say) then goes out with a wrong
 * checksum, the peer drops it, every retransmission is the same and the
 * connection stalls (seen against siw). These functions
 * fold each segment's sum before the swap. Same arguments and results as the
 * DPDK functions they replace.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Ones' complement sum (RFC 1071) of len bytes, folded to 16 bits and not
 * complemented: the value rte_raw_cksum() returns. It adds 64-bit words with
 * their carries (2^64 = 1 modulo 0xffff): on x86-64 one add-with-carry chain
 * over 64-byte blocks, elsewhere two lanes that count their carries; DPDK
 * 22.11 adds one 16-bit word at a time (1.6 instructions per byte). On ports without checksum offload the software checksum was a
 * fifth of the instructions of a 64 KiB RDMA WRITE (docs/design.md). The sum
 * does not depend on the host's byte order; a tail of 1 to 7 bytes is
 * zero-padded, as rte_raw_cksum() pads an odd byte.
 */
static inline uint16_t
iw_raw_cksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s0 = 0, s1 = 0, c0 = 0, c1 = 0, w[2];

#if defined(RTE_ARCH_X86_64)
	/* one add-with-carry chain over 64 bytes a round: 0.19 instructions a byte */
	for (; len >= 64; len -= 64, p += 64)
		__asm__("addq 0(%[p]), %[s]\n\t"
			"adcq 8(%[p]), %[s]\n\t"
			"adcq 16(%[p]), %[s]\n\t"
			"adcq 24(%[p]), %[s]\n\t"
			"adcq 32(%[p]), %[s]\n\t"
			"adcq 40(%[p]), %[s]\n\t"
			"adcq 48(%[p]), %[s]\n\t"
			"adcq 56(%[p]), %[s]\n\t"
			"adcq $0, %[s]"
			: [s] "+r" (s1)
			: [p] "r" (p), "m" (*(const uint8_t (*)[64])p)
			: "cc");
#endif
	for (; len >= sizeof(w); len -= sizeof(w), p += sizeof(w)) {
		memcpy(w, p, sizeof(w));
		s0 += w[0];
		c0 += s0 < w[0];
		s1 += w[1];
		c1 += s1 < w[1];
	}
	s0 += s1;
	c0 += c1 + (s0 < s1);
	if (len >= 8) {
		memcpy(w, p, 8);
		s0 += w[0];
		c0 += s0 < w[0];
		len -= 8;
		p += 8;
	}
	w[0] = 0;
	memcpy(w, p, len);
	s0 += w[0];
	c0 += s0 < w[0];
	s0 = (s0 & 0xffffffffu) + (s0 >> 32) + c0;
	s0 = (s0 & 0xffffffffu) + (s0 >> 32);
	s0 = (s0 & 0xffffu) + (s0 >> 16);
	s0 = (s0 & 0xffffu) + (s0 >> 16);
	s0 = (s0 & 0xffffu) + (s0 >> 16);
	return (uint16_t)s0;
}

/** The IPv4 header checksum, ready to store (as rte_ipv4_cksum(), with iw_raw_cksum()). */
static inline uint16_t
iw_ipv4_cksum(const struct rte_ipv4_hdr *ip)
{
	uint16_t ck = iw_raw_cksum(ip, rte_ipv4_hdr_len(ip));

	return ck == 0xffff ? ck : (uint16_t)~ck;
}

/**
 * The folded sum of the pseudo-header (as rte_ipv4_phdr_cksum(): without
 * the length under TSO), added word by word instead of through a 12-byte
 * copy and DPDK's 16-bit loop. Words are summed as they lie in memory, which
 * gives the same ones' complement sum on either byte order.
 */
static inline uint16_t
iw_ipv4_phdr_cksum(const struct rte_ipv4_hdr *ip, uint64_t ol_flags)
{
	uint64_t s = (uint64_t)ip->src_addr + ip->dst_addr +
		rte_cpu_to_be_16((uint16_t)ip->next_proto_id);

	if (!(ol_flags & RTE_MBUF_F_TX_TCP_SEG))
		s += rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->total_length) -
						 rte_ipv4_hdr_len(ip)));
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

/**
 * Raw (not complemented) checksum of [off, off + len) of a chain.
 * @return 0 with *cksum set, or -1 when the range is not inside the packet.
 */
static inline int
iw_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0, done = 0;

	if (unlikely(off + len < off || off + len > rte_pktmbuf_pkt_len(m)))
		return -1;
	if (off + len <= rte_pktmbuf_data_len(m)) {
		*cksum = iw_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), len);
		return 0;
	}
	while (seg != NULL && off >= rte_pktmbuf_data_len(seg)) {
		off -= rte_pktmbuf_data_len(seg);
		seg = seg->next;
	}
	while (done < len) {
		uint32_t seglen, part;

		if (unlikely(seg == NULL))
			return -1;
		seglen = RTE_MIN((uint32_t)rte_pktmbuf_data_len(seg) - off, len - done);
		part = iw_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), seglen);
		/* A segment that starts at an odd position sums swapped bytes. */
		if (done & 1)
			part = rte_bswap16((uint16_t)part);
		sum += part;
		done += seglen;
		off = 0;
		seg = seg->next;
	}
	*cksum = __rte_raw_cksum_reduce(sum);
	return 0;
}

/* Folded, not complemented, sum of the pseudo-header and the L4 bytes. */
static inline uint16_t
iw_ipv4_l4_sum_mbuf(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint16_t l4_off,
		    int *err)
{
	uint16_t raw = 0;
	uint32_t sum;

	*err = iw_cksum_mbuf(m, l4_off, rte_pktmbuf_pkt_len(m) - l4_off, &raw);
	sum = (uint32_t)raw + iw_ipv4_phdr_cksum(ip, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * The TCP/UDP checksum of an IPv4 packet whose L4 header starts at l4_off of
 * the chain (checksum field zeroed by the caller), ready to store (as
 * rte_ipv4_udptcp_cksum_mbuf()). Returns 0 when the range is bad.
 */
static inline uint16_t
iw_ipv4_udptcp_cksum_mbuf(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			  uint16_t l4_off)
{
	int err;
	uint16_t ck = (uint16_t)~iw_ipv4_l4_sum_mbuf(m, ip, l4_off, &err);

	if (err != 0)
		return 0;
	return ck == 0 ? 0xffff : ck;
}

/**
 * Check the TCP/UDP checksum of a received IPv4 packet.
 * @return 0 when it is good, -1 otherwise (as rte_ipv4_udptcp_cksum_mbuf_verify()).
 */
static inline int
iw_ipv4_udptcp_cksum_mbuf_verify(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
				 uint16_t l4_off)
{
	int err;
	uint16_t sum = iw_ipv4_l4_sum_mbuf(m, ip, l4_off, &err);

	return err == 0 && sum == 0xffff ? 0 : -1;
}

#ifdef __cplusplus
}
#endif

#endif /* IW_CKSUM_H */
