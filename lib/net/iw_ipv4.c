/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input (validation, local delivery to the protocol handlers) and output
 * (header generation, checksums in hardware or software, next hop).
 *
 * Input requires the Ethernet and IPv4 headers in the first segment; a packet
 * whose headers do not fit there is counted as short. Fragments are dropped:
 * nothing above IP needs them (TCP sends below the path MTU with DF set).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "iw_cksum.h"
#include "iw_net.h"
#include "iw_net_pvt.h"

#define L2L3_LEN (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))

void
iw_ipv4_input(struct iw_net *net, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;
	const struct iw_net_proto *p;
	uint32_t avail, plen, hlen, tlen;
	uint64_t ck;

	avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	plen = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;
	if (unlikely(avail < sizeof(*ip))) {
		net->st.rx_short++;
		goto drop;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		net->st.rx_ip_bad_version++;
		goto drop;
	}
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (unlikely(hlen < sizeof(*ip) || hlen > avail)) {
		net->st.rx_ip_bad_hlen++;
		goto drop;
	}
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tlen < hlen || tlen > plen)) {
		net->st.rx_ip_bad_len++;
		goto drop;
	}
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if ((net->hw_off & IW_OFF_RX_CKSUM) && ck == RTE_MBUF_F_RX_IP_CKSUM_GOOD) {
		/* checked by the port */
	} else if (unlikely(((net->hw_off & IW_OFF_RX_CKSUM) && ck == RTE_MBUF_F_RX_IP_CKSUM_BAD) ||
			    iw_raw_cksum(ip, hlen) != 0xffff)) {
		net->st.rx_ip_bad_cksum++;
		goto drop;
	}
	if (unlikely(ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
		net->st.rx_ip_frag++;
		goto drop;
	}
	if (unlikely(ip->dst_addr != net->ip)) {
		net->st.rx_not_ours++;
		goto drop;
	}
	p = &net->proto[ip->next_proto_id];
	if (unlikely(p->fn == NULL)) {
		net->st.rx_ip_unknown_proto++;
		goto drop;
	}
	/* Ethernet padding and anything past the IP datagram is not ours to pass on. */
	if (unlikely(plen > tlen) && rte_pktmbuf_trim(m, (uint16_t)(plen - tlen)) != 0) {
		net->st.rx_ip_bad_len++;
		goto drop;
	}
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = hlen;
	rte_pktmbuf_adj(m, (uint16_t)(RTE_ETHER_HDR_LEN + hlen));
	net->st.rx_ip++;
	p->fn(p->ctx, m, ip);
	return;
drop:
	rte_pktmbuf_free(m);
}

/* Finish the TCP/UDP checksum: in hardware when the port does it, else here. */
static int
l4_cksum(struct iw_net *net, struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint8_t proto,
	 uint32_t tx_flags, uint64_t *ol)
{
	uint32_t off = L2L3_LEN;
	uint16_t ck;
	uint8_t *field;

	if (proto == IPPROTO_TCP) {
		if (rte_pktmbuf_data_len(m) < off + sizeof(struct rte_tcp_hdr))
			return -EINVAL;
		field = rte_pktmbuf_mtod_offset(m, uint8_t *,
						off + offsetof(struct rte_tcp_hdr, cksum));
	} else if (proto == IPPROTO_UDP && !(tx_flags & IW_NET_TX_TSO)) {
		if (rte_pktmbuf_data_len(m) < off + sizeof(struct rte_udp_hdr))
			return -EINVAL;
		field = rte_pktmbuf_mtod_offset(m, uint8_t *,
						off + offsetof(struct rte_udp_hdr, dgram_cksum));
	} else {
		return -EINVAL;
	}
	if (tx_flags & IW_NET_TX_TSO) {
		*ol |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IP_CKSUM;
		ck = iw_ipv4_phdr_cksum(ip, *ol);
	} else if (proto == IPPROTO_TCP && (net->hw_off & IW_OFF_TCP_CKSUM)) {
		*ol |= RTE_MBUF_F_TX_TCP_CKSUM;
		ck = iw_ipv4_phdr_cksum(ip, *ol);
	} else {
		memset(field, 0, sizeof(ck));
		ck = iw_ipv4_udptcp_cksum_mbuf(m, ip, off);
	}
	memcpy(field, &ck, sizeof(ck));
	return 0;
}

int
iw_net_output(struct iw_net *net, struct rte_mbuf *m, rte_be32_t dst, uint8_t proto,
	      uint32_t tx_flags)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t len = rte_pktmbuf_pkt_len(m) + sizeof(*ip);
	rte_be32_t nh;
	uint64_t ol;
	int rc;

	if (likely(((dst ^ net->ip) & net->netmask) == 0)) {
		nh = dst;
	} else if (dst == RTE_BE32(RTE_IPV4_BROADCAST)) {
		nh = dst;
	} else if (net->gateway != 0) {
		nh = net->gateway;
	} else {
		net->st.tx_no_route++;
		rte_pktmbuf_free(m);
		return -EHOSTUNREACH;
	}
	if (unlikely(dst == net->ip || dst == 0)) {
		net->st.tx_no_route++;
		rte_pktmbuf_free(m);
		return -EHOSTUNREACH;
	}
	if (tx_flags & IW_NET_TX_TSO) {
		/* In hardware, or in software (rte_gso) when the port lacks it. */
		rc = ((net->hw_off & IW_OFF_TSO) || net->gso.indirect_pool != NULL) &&
		     proto == IPPROTO_TCP && m->tso_segsz != 0 &&
		     m->l4_len >= sizeof(struct rte_tcp_hdr) && len <= UINT16_MAX ? 0 : -ENOTSUP;
	} else {
		rc = len <= net->mtu ? 0 : -EMSGSIZE;
	}
	if (unlikely(rc == 0 && rte_pktmbuf_headroom(m) < L2L3_LEN))
		rc = -ENOSPC;
	if (unlikely(rc != 0)) {
		net->st.tx_bad++;
		rte_pktmbuf_free(m);
		return rc;
	}
	eh = (void *)rte_pktmbuf_prepend(m, L2L3_LEN);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	eh->src_addr = net->mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->packet_id = rte_cpu_to_be_16(net->ip_id++);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = net->ttl;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = net->ip;
	ip->dst_addr = dst;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	ol = (m->ol_flags & (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT)) | RTE_MBUF_F_TX_IPV4;
	if (net->hw_off & IW_OFF_IPV4_CKSUM)
		ol |= RTE_MBUF_F_TX_IP_CKSUM;
	if (tx_flags & (IW_NET_TX_L4_CKSUM | IW_NET_TX_TSO)) {
		rc = l4_cksum(net, m, ip, proto, tx_flags, &ol);
		if (unlikely(rc != 0)) {
			net->st.tx_bad++;
			rte_pktmbuf_free(m);
			return rc;
		}
	}
	if (!(ol & RTE_MBUF_F_TX_IP_CKSUM))
		ip->hdr_checksum = iw_ipv4_cksum(ip);
	m->ol_flags = ol;
	if (unlikely(nh == RTE_BE32(RTE_IPV4_BROADCAST))) {
		memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
		iw_net_tx_frame(net, m);
		return 0;
	}
	return iw_arp_resolve_send(net, m, nh);
}
