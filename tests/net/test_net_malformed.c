/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed and foreign frames fed straight into iw_net_input(): each is
 * counted in its own counter (and in no other), none crashes the stack, and
 * every mbuf returns to the pool. A seeded random fuzz pass follows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_net.h"

#define PEER_IP RTE_BE32(RTE_IPV4(10, 5, 0, 2))
#define OUR_IP RTE_BE32(RTE_IPV4(10, 5, 0, 1))

static const struct rte_ether_addr peer_mac = {{ 0x02, 0x00, 0x00, 0x00, 0x05, 0x02 }};

/* A valid ICMP echo request from the peer to us (len bytes of payload). */
static struct rte_mbuf *
echo_frame(struct iw_net *net, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(iw_net_pool(net));
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint16_t i;

	if (m == NULL)
		return NULL;
	eh = (void *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ip) +
							 sizeof(*icmp) + len);
	eh->dst_addr = iw_net_port(net)->mac;
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*icmp) + len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = PEER_IP;
	ip->dst_addr = OUR_IP;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	for (i = 0; i < len; i++)
		((uint8_t *)(icmp + 1))[i] = (uint8_t)i;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + len);
	return m;
}

static struct rte_mbuf *
arp_frame(struct iw_net *net, uint16_t op)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(iw_net_pool(net));
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL)
		return NULL;
	eh = (void *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(eh + 1);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = peer_mac;
	ah->arp_data.arp_sip = PEER_IP;
	memset(&ah->arp_data.arp_tha, 0, sizeof(ah->arp_data.arp_tha));
	ah->arp_data.arp_tip = OUR_IP;
	return m;
}

static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

static struct rte_arp_hdr *
arp_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
}

static void
fix_ip_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

#define NB_COUNTERS (sizeof(struct iw_net_stats) / sizeof(uint64_t))

/*
 * Inject m and check that rx_pkts and the counter at offset `field` went up
 * by one and that no other counter moved (tx counters excepted when allowed).
 */
static int
expect_only(struct iw_net *net, struct rte_mbuf *m, size_t field, const char *what)
{
	struct iw_net_stats before, after;
	const uint64_t *b = (const uint64_t *)&before, *a = (const uint64_t *)&after;
	size_t i, rx = offsetof(struct iw_net_stats, rx_pkts) / sizeof(uint64_t);
	size_t f = field / sizeof(uint64_t);

	IWT_ASSERT(m != NULL, "%s: frame built", what);
	iw_net_stats_get(net, &before);
	iw_net_input(net, &m, 1);
	iw_net_stats_get(net, &after);
	for (i = 0; i < NB_COUNTERS; i++) {
		uint64_t want = b[i] + (i == rx || i == f ? 1 : 0);

		if (a[i] != want) {
			IWT_LOG("%s: counter #%zu is %" PRIu64 ", expected %" PRIu64
				" (expected counter #%zu)", what, i, a[i], want, f);
			iwt_net_dump("after", net);
			return IWT_FAIL;
		}
	}
	return IWT_PASS;
}

#define EXPECT(net, m, counter, what) \
	IWT_RUN(expect_only(net, m, offsetof(struct iw_net_stats, counter), what))

IWT_CASE(net_malformed_frames_dropped)
{
	struct iw_net_conf ca = { .ip = OUR_IP, .no_gratuitous_arp = true };
	struct iw_net_conf cb = { .ip = PEER_IP, .no_gratuitous_arp = true };
	struct iwt_net_pair p;
	struct iw_net *net;
	struct rte_mbuf *m;
	uint64_t rng = 0x1234567u;
	struct iw_net_stats s;
	unsigned int i;

	IWT_ASSERT(iwt_net_pair("nmf", &p, &ca, &cb) == 0, "set-up");
	net = p.net[0];

	/* Layer 2 */
	m = echo_frame(net, 8);
	rte_pktmbuf_trim(m, m->pkt_len - 10);
	EXPECT(net, m, rx_short, "runt below the Ethernet header");
	m = echo_frame(net, 8);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	EXPECT(net, m, rx_unknown_l2, "unknown ethertype");
	m = echo_frame(net, 8);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes[5] ^= 1;
	EXPECT(net, m, rx_not_ours, "other MAC");

	/* IPv4 */
	m = echo_frame(net, 8);
	rte_pktmbuf_trim(m, m->pkt_len - RTE_ETHER_HDR_LEN - 12);
	EXPECT(net, m, rx_short, "IP header cut short");
	m = echo_frame(net, 8);
	ip_of(m)->hdr_checksum ^= RTE_BE16(0x0100);
	EXPECT(net, m, rx_ip_bad_cksum, "bad IP checksum");
	m = echo_frame(net, 8);
	ip_of(m)->version_ihl = 0x65;
	fix_ip_cksum(m);
	EXPECT(net, m, rx_ip_bad_version, "version 6");
	m = echo_frame(net, 8);
	ip_of(m)->version_ihl = 0x44;
	EXPECT(net, m, rx_ip_bad_hlen, "IHL 4");
	m = echo_frame(net, 8);
	ip_of(m)->version_ihl = 0x4f;
	EXPECT(net, m, rx_ip_bad_hlen, "IHL 15 beyond the frame");
	m = echo_frame(net, 8);
	ip_of(m)->total_length = rte_cpu_to_be_16(200);
	fix_ip_cksum(m);
	EXPECT(net, m, rx_ip_bad_len, "total length beyond the frame (truncated)");
	m = echo_frame(net, 8);
	ip_of(m)->total_length = rte_cpu_to_be_16(16);
	fix_ip_cksum(m);
	EXPECT(net, m, rx_ip_bad_len, "total length below the header");
	m = echo_frame(net, 8);
	ip_of(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	fix_ip_cksum(m);
	EXPECT(net, m, rx_ip_frag, "first fragment");
	m = echo_frame(net, 8);
	ip_of(m)->fragment_offset = RTE_BE16(185);
	fix_ip_cksum(m);
	EXPECT(net, m, rx_ip_frag, "last fragment");
	m = echo_frame(net, 8);
	ip_of(m)->dst_addr = RTE_BE32(RTE_IPV4(10, 5, 0, 3));
	fix_ip_cksum(m);
	EXPECT(net, m, rx_not_ours, "other IP");
	m = echo_frame(net, 8);
	ip_of(m)->next_proto_id = 253;
	fix_ip_cksum(m);
	EXPECT(net, m, rx_ip_unknown_proto, "unknown protocol");

	/* ICMP (the IP layer delivered it: rx_ip moves too) */
	m = echo_frame(net, 8);
	rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN + 20 + 9)[0] ^= 0x55;
	iw_net_stats_get(net, &s);
	iw_net_input(net, &m, 1);
	{
		struct iw_net_stats t;

		iw_net_stats_get(net, &t);
		IWT_ASSERT_EQ(t.rx_icmp_bad - s.rx_icmp_bad, 1, "bad ICMP checksum");
		IWT_ASSERT_EQ(t.rx_ip - s.rx_ip, 1, "delivered by IP");
		IWT_ASSERT_EQ(t.rx_icmp_echo, s.rx_icmp_echo, "not answered");
	}
	m = echo_frame(net, 0);
	rte_pktmbuf_trim(m, 4);
	ip_of(m)->total_length = rte_cpu_to_be_16(24);
	fix_ip_cksum(m);
	iw_net_stats_get(net, &s);
	iw_net_input(net, &m, 1);
	{
		struct iw_net_stats t;

		iw_net_stats_get(net, &t);
		IWT_ASSERT_EQ(t.rx_icmp_bad - s.rx_icmp_bad, 1, "ICMP shorter than its header");
	}

	/* ARP */
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_hlen = 8;
	EXPECT(net, m, rx_arp_bad, "ARP hlen 8");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_plen = 16;
	EXPECT(net, m, rx_arp_bad, "ARP plen 16");
	m = arp_frame(net, 3);
	EXPECT(net, m, rx_arp_bad, "ARP op 3");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_hardware = RTE_BE16(6);
	EXPECT(net, m, rx_arp_bad, "ARP hardware type 6");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	EXPECT(net, m, rx_arp_bad, "ARP protocol IPv6");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_data.arp_sha.addr_bytes[0] = 0x01;
	EXPECT(net, m, rx_arp_bad, "ARP multicast sender");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	rte_pktmbuf_trim(m, 10);
	EXPECT(net, m, rx_arp_bad, "ARP truncated");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_data.arp_sip = OUR_IP;
	EXPECT(net, m, arp_conflict, "ARP claiming our address");
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	arp_of(m)->arp_data.arp_tip = RTE_BE32(RTE_IPV4(10, 5, 0, 3));
	EXPECT(net, m, rx_not_ours, "ARP for another host");
	IWT_ASSERT_EQ(iw_net_arp_lookup(net, PEER_IP, NULL), -ENOENT,
		      "nothing learned from bad or foreign ARP");

	/* A good request and a good echo still work after all that. */
	iw_net_stats_get(net, &s);
	m = arp_frame(net, RTE_ARP_OP_REQUEST);
	iw_net_input(net, &m, 1);
	m = echo_frame(net, 8);
	iw_net_input(net, &m, 1);
	{
		struct iw_net_stats t;

		iw_net_stats_get(net, &t);
		IWT_ASSERT_EQ(t.tx_arp_reply - s.tx_arp_reply, 1, "ARP answered");
		IWT_ASSERT_EQ(t.tx_icmp_echo_reply - s.tx_icmp_echo_reply, 1, "echo answered");
		IWT_ASSERT_EQ(iw_net_arp_lookup(net, PEER_IP, NULL), 0, "peer learned");
	}

	/* Seeded fuzz: valid Ethernet+IPv4/ARP start, random bytes after. */
	for (i = 0; i < 20000; i++) {
		uint16_t len, k;
		uint8_t *d;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		m = (rng & 1) ? echo_frame(net, 64) : arp_frame(net, RTE_ARP_OP_REQUEST);
		IWT_ASSERT(m != NULL, "fuzz frame %u", i);
		len = (uint16_t)(rng >> 8) % (uint16_t)m->pkt_len;
		if (len < RTE_ETHER_HDR_LEN)
			len = RTE_ETHER_HDR_LEN;
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - len));
		d = rte_pktmbuf_mtod(m, uint8_t *);
		for (k = 0; k < 4; k++) {
			uint32_t at = RTE_ETHER_HDR_LEN + (uint32_t)(rng >> (16 + 8 * k)) % 40;

			if (at < len)
				d[at] ^= (uint8_t)(rng >> (8 * k));
		}
		iw_net_input(net, &m, 1);
		if ((i & 63) == 0)
			iw_net_flush(net);
	}
	iw_net_stats_get(net, &s);
	IWT_LOG("after fuzz: %" PRIu64 " frames, %" PRIu64 " echo replies", s.rx_pkts,
		s.tx_icmp_echo_reply);
	return iwt_net_pair_close(&p);
}
