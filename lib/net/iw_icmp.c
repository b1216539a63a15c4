/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792): echo requests are answered by turning the request mbuf into
 * the reply; echo replies are counted for iw_net_ping(). Other types are
 * accepted and ignored.
 */
#include <errno.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "iw_cksum.h"
#include "iw_net.h"
#include "iw_net_pvt.h"

static inline bool
unicast_source(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return h != 0 && (h >> 24) != 127 && (h >> 24) < 224;
}

void
iw_icmp_input(void *ctx, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	struct iw_net *net = ctx;
	struct rte_icmp_hdr *icmp;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	rte_be32_t src = ip->src_addr;
	uint16_t ck;

	if (unlikely(len < sizeof(*icmp) || rte_pktmbuf_data_len(m) < sizeof(*icmp) ||
		     iw_cksum_mbuf(m, 0, len, &ck) != 0 || ck != 0xffff))
		goto bad;
	icmp = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	switch (icmp->icmp_type) {
	case RTE_IP_ICMP_ECHO_REQUEST:
		if (unlikely(icmp->icmp_code != 0 || !unicast_source(src)))
			goto bad;
		net->st.rx_icmp_echo++;
		icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
		icmp->icmp_cksum = 0;
		iw_cksum_mbuf(m, 0, len, &ck);
		icmp->icmp_cksum = (rte_be16_t)~ck;
		iw_net_reuse_mbuf(m);
		if (iw_net_output(net, m, src, IPPROTO_ICMP, 0) == 0)
			net->st.tx_icmp_echo_reply++;
		return;
	case RTE_IP_ICMP_ECHO_REPLY:
		net->st.rx_icmp_echo_reply++;
		net->echo_replies++;
		break;
	default:
		break;
	}
	rte_pktmbuf_free(m);
	return;
bad:
	net->st.rx_icmp_bad++;
	rte_pktmbuf_free(m);
}

int
iw_net_ping(struct iw_net *net, rte_be32_t dst, uint16_t id, uint16_t seq,
	    const void *payload, uint16_t len)
{
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;
	uint16_t ck, i;
	uint8_t *data;
	int rc;

	if (net == NULL || (uint32_t)len + sizeof(*icmp) + sizeof(struct rte_ipv4_hdr) > net->mtu)
		return -EMSGSIZE;
	m = rte_pktmbuf_alloc(net->pool);
	if (m == NULL)
		return -ENOBUFS;
	icmp = (struct rte_icmp_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*icmp) + len));
	if (icmp == NULL) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	icmp->icmp_ident = rte_cpu_to_be_16(id);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	data = (uint8_t *)(icmp + 1);
	if (payload != NULL)
		memcpy(data, payload, len);
	else
		for (i = 0; i < len; i++)
			data[i] = (uint8_t)i;
	ck = rte_raw_cksum(icmp, sizeof(*icmp) + len);
	icmp->icmp_cksum = (rte_be16_t)~ck;
	rc = iw_net_output(net, m, dst, IPPROTO_ICMP, 0);
	if (rc == 0)
		net->st.tx_icmp_echo++;
	return rc;
}
