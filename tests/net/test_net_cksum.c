/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksums over mbuf chains whose segments start at odd offsets: lib/net's
 * iw_cksum_mbuf() and the TCP checksum built on it equal the checksum of the
 * same bytes laid flat, for every segmentation tried. DPDK 22.11's
 * rte_raw_cksum_mbuf() gets some of these wrong (the case counts them).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iw_cksum.h"
#include "iwt.h"
#include "iwt_eal.h"

#define MAX_LEN 4000

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* A chain holding buf[0, len) cut into segments of random (often odd) sizes. */
static struct rte_mbuf *
chain_of(struct rte_mempool *mp, const uint8_t *buf, uint32_t len)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t done = 0;

	while (done < len) {
		uint32_t n = RTE_MIN(len - done, 1 + rnd(301));
		char *p;

		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			goto fail;
		/* Vary the alignment of the data inside each segment too. */
		rte_pktmbuf_adj(m, (uint16_t)rnd(8));
		p = rte_pktmbuf_append(m, (uint16_t)n);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		memcpy(p, buf + done, n);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		done += n;
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/* Store len bytes at offset off of a chain, across segment boundaries. */
static void
chain_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	for (; m != NULL && len > 0; m = m->next) {
		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		while (off < m->data_len && len > 0) {
			*rte_pktmbuf_mtod_offset(m, uint8_t *, off++) = *s++;
			len--;
		}
		off = 0;
	}
}

IWT_CASE(net_cksum_odd_segment_chains)
{
	static uint8_t flat[sizeof(struct rte_ipv4_hdr) + MAX_LEN];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)flat;
	struct rte_mempool *mp;
	unsigned int i, dpdk_wrong = 0;

	IWT_ASSERT(iwt_eal_init(NULL) == 0, "EAL");
	mp = rte_pktmbuf_pool_create("ckp", 8191, 0, 0, 512, SOCKET_ID_ANY);
	IWT_ASSERT(mp != NULL, "pool");
	for (i = 0; i < 3000; i++) {
		uint32_t len = 21 + rnd(MAX_LEN - 20), off = rnd(7), j;
		uint16_t ours, dpdk, ref, ck_ours, ck_ref;
		struct rte_mbuf *m;

		for (j = 0; j < len; j++)
			flat[sizeof(*ip) + j] = (uint8_t)rnd(256);
		/* The TCP checksum field (bytes 16-17) is zero while summing. */
		flat[sizeof(*ip) + 16] = 0;
		flat[sizeof(*ip) + 17] = 0;
		m = chain_of(mp, flat + sizeof(*ip), len);
		IWT_ASSERT(m != NULL, "chain");
		/* Raw checksum of a sub-range starting at off. */
		ref = rte_raw_cksum(flat + sizeof(*ip) + off, len - off);
		IWT_ASSERT_EQ(iw_cksum_mbuf(m, off, len - off, &ours), 0, "range");
		IWT_ASSERT(ours == ref, "case %u: len %u off %u over %u segments: %#x, flat %#x",
			   i, len, off, m->nb_segs, ours, ref);
		if (rte_raw_cksum_mbuf(m, off, len - off, &dpdk) == 0 && dpdk != ref)
			dpdk_wrong++;
		/* TCP checksum with a pseudo-header, against the flat buffer. */
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->next_proto_id = IPPROTO_TCP;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
		ip->src_addr = RTE_BE32(0x0a000001);
		ip->dst_addr = RTE_BE32(0x0a000002);
		ck_ref = rte_ipv4_udptcp_cksum(ip, flat + sizeof(*ip));
		ck_ours = iw_ipv4_udptcp_cksum_mbuf(m, ip, 0);
		IWT_ASSERT(ck_ours == ck_ref, "case %u: TCP checksum %#x, flat %#x", i, ck_ours,
			   ck_ref);
		/* The same bytes with that checksum stored verify; one flipped bit does not. */
		chain_write(m, 16, &ck_ours, 2);
		IWT_ASSERT_EQ(iw_ipv4_udptcp_cksum_mbuf_verify(m, ip, 0), 0, "verify");
		*rte_pktmbuf_mtod_offset(m, uint8_t *, 0) ^= 0x10;
		IWT_ASSERT_EQ(iw_ipv4_udptcp_cksum_mbuf_verify(m, ip, 0), -1, "corrupt");
		rte_pktmbuf_free(m);
	}
	/* Out-of-range requests are refused, not read past the end. */
	{
		struct rte_mbuf *m = chain_of(mp, flat, 600);
		uint16_t ck;

		IWT_ASSERT(m != NULL, "chain");
		IWT_ASSERT_EQ(iw_cksum_mbuf(m, 100, 501, &ck), -1, "past the end");
		IWT_ASSERT_EQ(iw_cksum_mbuf(m, UINT32_MAX, 2, &ck), -1, "wrap");
		rte_pktmbuf_free(m);
	}
	printf("rte_raw_cksum_mbuf disagreed with the flat checksum in %u of 3000 chains\n",
	       dpdk_wrong);
	IWT_ASSERT_EQ(rte_mempool_avail_count(mp), 8191, "mbufs back");
	return IWT_PASS;
}

/*
 * iw_raw_cksum() (64-bit words, carries counted) equals DPDK's flat
 * rte_raw_cksum() for every length 0..2100 at every alignment 0..15, for
 * random bytes and for all-ones bytes (the most carries), and at 64 KiB.
 */
IWT_CASE(net_cksum_fast_sum_equals_dpdk)
{
	static uint8_t buf[65536 + 16];
	unsigned int fill, align;
	uint32_t len;

	for (fill = 0; fill < 2; fill++) {
		for (len = 0; len < sizeof(buf); len++)
			buf[len] = fill ? 0xff : (uint8_t)rnd(256);
		for (align = 0; align < 16; align++) {
			for (len = 0; len <= 2100; len++) {
				uint16_t ours = iw_raw_cksum(buf + align, len);
				uint16_t ref = rte_raw_cksum(buf + align, len);

				IWT_ASSERT(ours == ref, "fill %u align %u len %u: %#x, DPDK %#x",
					   fill, align, len, ours, ref);
			}
			len = 65536;
			IWT_ASSERT(iw_raw_cksum(buf + align, len) == rte_raw_cksum(buf + align, len),
				   "fill %u align %u len 64 KiB", fill, align);
		}
	}
	/* the IPv4 header and pseudo-header sums: random headers, with and without TSO */
	for (len = 0; len < 20000; len++) {
		struct rte_ipv4_hdr ip;
		unsigned int k;

		for (k = 0; k < sizeof(ip); k++)
			((uint8_t *)&ip)[k] = (uint8_t)rnd(256);
		ip.version_ihl = RTE_IPV4_VHL_DEF;
		ip.total_length = rte_cpu_to_be_16((uint16_t)(20 + rnd(65000)));
		IWT_ASSERT(iw_ipv4_cksum(&ip) == rte_ipv4_cksum(&ip), "header %u", len);
		IWT_ASSERT(iw_ipv4_phdr_cksum(&ip, 0) == rte_ipv4_phdr_cksum(&ip, 0),
			   "pseudo-header %u", len);
		IWT_ASSERT(iw_ipv4_phdr_cksum(&ip, RTE_MBUF_F_TX_TCP_SEG) ==
			   rte_ipv4_phdr_cksum(&ip, RTE_MBUF_F_TX_TCP_SEG), "TSO pseudo-header %u",
			   len);
	}
	return IWT_PASS;
}
