/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net instance: creation, the poll loop, Ethernet demux, the TX buffer
 * (flushed once per poll, with a bounded retry) and the accessors.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "iw_cksum.h"
#include "iw_net.h"
#include "iw_net_pvt.h"

RTE_LOG_REGISTER_SUFFIX(iw_net_logtype, net, NOTICE);

/* 255.255.255.0; not RTE_IPV4(), which shifts a signed int into the sign bit */
#define DEF_NETMASK UINT32_C(0xffffff00)
#define DEF_TTL 64

uint64_t
iw_net_now(void)
{
	return rte_get_timer_cycles();
}

/* A usable unicast host address: not 0.x, not multicast/reserved, not loopback. */
static bool
addr_usable(uint32_t a)
{
	uint8_t first = (uint8_t)(a >> 24);

	return first != 0 && first != 127 && first < 224;
}

static bool
mask_valid(uint32_t m)
{
	uint32_t inv = ~m;

	return m != 0 && (inv & (inv + 1)) == 0;
}

struct iw_net *
iw_net_create(const struct iw_net_conf *conf, struct iw_port *port, uint16_t queue)
{
	struct iw_net *net;
	uint32_t ip, mask, gw;
	int rc;

	if (conf == NULL || port == NULL || queue >= port->nb_queues) {
		rte_errno = EINVAL;
		return NULL;
	}
	ip = rte_be_to_cpu_32(conf->ip);
	mask = conf->netmask ? rte_be_to_cpu_32(conf->netmask) : DEF_NETMASK;
	gw = rte_be_to_cpu_32(conf->gateway);
	if (!addr_usable(ip) || !mask_valid(mask)) {
		IW_NET_LOG(ERR, "bad address or netmask");
		rte_errno = EINVAL;
		return NULL;
	}
	if (gw != 0 && (!addr_usable(gw) || (gw & mask) != (ip & mask) || gw == ip)) {
		IW_NET_LOG(ERR, "gateway not a host of the local subnet");
		rte_errno = EINVAL;
		return NULL;
	}
	net = rte_zmalloc_socket("iw_net", sizeof(*net), RTE_CACHE_LINE_SIZE,
				 port->q[queue].socket_id);
	if (net == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	net->port = port;
	net->queue = queue;
	net->mtu = port->mtu;
	net->hw_off = port->hw_offloads;
	net->pool = iw_port_pool(port, queue);
	net->mac = port->mac;
	net->ip = conf->ip;
	net->netmask = rte_cpu_to_be_32(mask);
	net->gateway = conf->gateway;
	net->ttl = conf->ttl ? conf->ttl : DEF_TTL;
	net->ip_id = (uint16_t)(rte_rdtsc() ^ (uint64_t)queue << 8);
	net->hz_ms = rte_get_timer_hz() / 1000;
	if (net->hz_ms == 0)
		net->hz_ms = 1;
	rc = iw_arp_init(net, conf);
	if (rc < 0) {
		rte_free(net);
		rte_errno = -rc;
		return NULL;
	}
	net->gso.direct_pool = net->pool;
	net->gso.indirect_pool = iw_port_gso_pool(port);
	net->gso.gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO;
	net->gso.flag = 0;       /* IP IDs increase segment by segment */
	net->proto[IPPROTO_ICMP].fn = iw_icmp_input;
	net->proto[IPPROTO_ICMP].ctx = net;
	net->next_timer = iw_net_now() + IW_NET_TIMER_MS * net->hz_ms;
	if (!conf->no_gratuitous_arp) {
		static const struct rte_ether_addr zero;
		struct rte_ether_addr bcast;

		memset(&bcast, 0xff, sizeof(bcast));
		/* RFC 5227 announcement: a request with sender and target our address. */
		if (iw_arp_send(net, RTE_ARP_OP_REQUEST, &bcast, &zero, net->ip) == 0)
			iw_net_flush(net);
	}
	iw_net_telemetry_add(net);
	IW_NET_LOG(DEBUG, "instance on %s queue %u: " RTE_ETHER_ADDR_PRT_FMT
		   " %u.%u.%u.%u/%u", port->name, queue, RTE_ETHER_ADDR_BYTES(&net->mac),
		   ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff,
		   (unsigned int)__builtin_popcount(mask));
	return net;
}

void
iw_net_destroy(struct iw_net *net)
{
	uint16_t i;

	if (net == NULL)
		return;
	iw_net_telemetry_del(net);
	for (i = 0; i < net->tx_n; i++)
		rte_pktmbuf_free(net->tx[i]);
	iw_arp_fini(net);
	rte_free(net);
}

int
iw_net_register_proto(struct iw_net *net, uint8_t proto, iw_net_proto_input_t fn, void *ctx)
{
	if (net == NULL || fn == NULL)
		return -EINVAL;
	if (net->proto[proto].fn != NULL)
		return -EEXIST;
	net->proto[proto].fn = fn;
	net->proto[proto].ctx = ctx;
	return 0;
}

int
iw_net_unregister_proto(struct iw_net *net, uint8_t proto)
{
	if (net == NULL)
		return -EINVAL;
	if (proto == IPPROTO_ICMP)
		return -EPERM;
	if (net->proto[proto].fn == NULL)
		return -ENOENT;
	net->proto[proto].fn = NULL;
	net->proto[proto].ctx = NULL;
	return 0;
}

int
iw_net_register_hook(struct iw_net *net, iw_net_poll_hook_t fn, void *ctx)
{
	if (net == NULL || fn == NULL)
		return -EINVAL;
	if (net->nb_hooks == IW_NET_MAX_HOOKS)
		return -ENOSPC;
	net->hooks[net->nb_hooks].fn = fn;
	net->hooks[net->nb_hooks].ctx = ctx;
	net->nb_hooks++;
	return 0;
}

int
iw_net_unregister_hook(struct iw_net *net, iw_net_poll_hook_t fn, void *ctx)
{
	unsigned int i;

	if (net == NULL)
		return -EINVAL;
	for (i = 0; i < net->nb_hooks; i++) {
		if (net->hooks[i].fn != fn || net->hooks[i].ctx != ctx)
			continue;
		/* Keep the others in registration order. */
		memmove(&net->hooks[i], &net->hooks[i + 1],
			(net->nb_hooks - i - 1) * sizeof(net->hooks[0]));
		net->nb_hooks--;
		return 0;
	}
	return -ENOENT;
}

int
iw_net_set_rx_hook(struct iw_net *net, iw_net_rx_hook_t fn, void *ctx)
{
	if (net == NULL)
		return -EINVAL;
	if (fn != NULL && net->rx_hook != NULL)
		return -EEXIST;
	net->rx_hook = fn;
	net->rx_hook_ctx = fn != NULL ? ctx : NULL;
	return 0;
}

static inline void
eth_input(struct iw_net *net, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;

	net->st.rx_pkts++;
	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
		net->st.rx_short++;
		rte_pktmbuf_free(m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &net->mac) &&
		     !rte_is_broadcast_ether_addr(&eh->dst_addr))) {
		net->st.rx_not_ours++;
		rte_pktmbuf_free(m);
		return;
	}
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		iw_ipv4_input(net, m);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		iw_arp_input(net, m);
		break;
	default:
		net->st.rx_unknown_l2++;
		rte_pktmbuf_free(m);
		break;
	}
}

void
iw_net_input(struct iw_net *net, struct rte_mbuf **pkts, uint16_t nb)
{
	uint16_t i;

	for (i = 0; i < nb; i++) {
		if (i + 1 < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		eth_input(net, pkts[i]);
	}
}

int
iw_net_poll(struct iw_net *net)
{
	struct rte_mbuf *pkts[IW_NET_RX_BURST];
	uint64_t now;
	uint16_t n;
	int work;
	unsigned int i;

	n = iw_port_rx(net->port, net->queue, pkts, IW_NET_RX_BURST);
	work = n;
	if (n != 0) {
		if (net->rx_hook != NULL)
			work += net->rx_hook(net->rx_hook_ctx);
		iw_net_input(net, pkts, n);
	}
	now = iw_net_now();
	for (i = 0; i < net->nb_hooks; i++)
		work += net->hooks[i].fn(net->hooks[i].ctx, now);
	if (unlikely(now >= net->next_timer)) {
		iw_arp_timer(net, now);
		net->next_timer = now + IW_NET_TIMER_MS * net->hz_ms;
	}
	if (net->tx_n != 0)
		work += iw_net_flush(net);
	return work;
}

bool
iw_net_stopping(const struct iw_net *net)
{
	return iw_port_stopping(net->port);
}

void
iw_net_park(struct iw_net *net)
{
	iw_port_park(net->port, net->queue);
}

/* Software fallback for chains the port cannot send: copy into one mbuf. */
static struct rte_mbuf *
linearize(struct iw_net *net, struct rte_mbuf *m)
{
	struct rte_mbuf *c;
	const void *p;
	char *dst;

	if (m->pkt_len > (uint32_t)rte_pktmbuf_data_room_size(net->pool) -
	    RTE_PKTMBUF_HEADROOM)
		goto fail;
	c = rte_pktmbuf_alloc(net->pool);
	if (c == NULL)
		goto fail;
	dst = rte_pktmbuf_append(c, (uint16_t)m->pkt_len);
	p = rte_pktmbuf_read(m, 0, m->pkt_len, dst);
	if (p != NULL && p != dst)
		memcpy(dst, p, m->pkt_len);
	c->ol_flags = m->ol_flags & ~(RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
	c->tx_offload = m->tx_offload;
	c->packet_type = m->packet_type;
	rte_pktmbuf_free(m);
	return c;
fail:
	rte_pktmbuf_free(m);
	return NULL;
}

/* Checksums of one segment cut by software TSO: in hardware where offered. */
static void
gso_seg_cksum(struct iw_net *net, struct rte_mbuf *m, uint16_t l3_len)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  RTE_ETHER_HDR_LEN);
	uint32_t l4 = RTE_ETHER_HDR_LEN + l3_len;
	uint8_t *field = rte_pktmbuf_mtod_offset(m, uint8_t *,
						 l4 + offsetof(struct rte_tcp_hdr, cksum));
	uint64_t ol = (m->ol_flags & (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT)) |
		      RTE_MBUF_F_TX_IPV4;
	uint16_t ck;

	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = l3_len;
	ip->hdr_checksum = 0;
	if (net->hw_off & IW_OFF_IPV4_CKSUM)
		ol |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = iw_ipv4_cksum(ip);
	if (net->hw_off & IW_OFF_TCP_CKSUM) {
		ol |= RTE_MBUF_F_TX_TCP_CKSUM;
		ck = iw_ipv4_phdr_cksum(ip, ol);
	} else {
		memset(field, 0, sizeof(ck));
		ck = iw_ipv4_udptcp_cksum_mbuf(m, ip, l4);
	}
	memcpy(field, &ck, sizeof(ck));
	m->ol_flags = ol;
}

static void tx_one(struct iw_net *net, struct rte_mbuf *m);

/* TSO asked of a port without it: cut into MSS segments with rte_gso. */
static void
soft_tso(struct iw_net *net, struct rte_mbuf *m)
{
	struct rte_mbuf *segs[IW_NET_GSO_MAX];
	uint16_t l3_len = m->l3_len;
	int n, i;

	net->gso.gso_size = (uint16_t)(m->l2_len + m->l3_len + m->l4_len + m->tso_segsz);
	n = rte_gso_segment(m, &net->gso, segs, IW_NET_GSO_MAX);
	if (unlikely(n < 0)) {
		net->st.tx_drop++;
		rte_pktmbuf_free(m);
		return;
	}
	if (n == 0) {
		/* Fits in one segment: send it as it is. */
		gso_seg_cksum(net, m, l3_len);
		tx_one(net, m);
		return;
	}
	/* The segments hold references to m's data. */
	rte_pktmbuf_free(m);
	net->st.tx_soft_tso++;
	for (i = 0; i < n; i++) {
		gso_seg_cksum(net, segs[i], l3_len);
		tx_one(net, segs[i]);
	}
}

void
iw_net_tx_frame(struct iw_net *net, struct rte_mbuf *m)
{
	if (unlikely((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && !(net->hw_off & IW_OFF_TSO))) {
		soft_tso(net, m);
		return;
	}
	tx_one(net, m);
}

static void
tx_one(struct iw_net *net, struct rte_mbuf *m)
{
	if (unlikely(m->nb_segs > net->port->max_tx_segs)) {
		m = linearize(net, m);
		if (m == NULL) {
			net->st.tx_drop++;
			return;
		}
	}
	if (unlikely(net->tx_n == IW_NET_TX_BUF)) {
		iw_net_flush(net);
		if (net->tx_n == IW_NET_TX_BUF) {
			net->st.tx_drop++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	net->tx[net->tx_n++] = m;
}

uint16_t
iw_net_flush(struct iw_net *net)
{
	uint16_t sent = 0, n;
	unsigned int idle = 0;

	while (sent < net->tx_n && idle < IW_NET_TX_RETRIES) {
		n = iw_port_tx(net->port, net->queue, net->tx + sent, net->tx_n - sent);
		sent += n;
		if (n == 0)
			idle++;
	}
	if (sent != 0 && sent < net->tx_n)
		memmove(net->tx, net->tx + sent, (net->tx_n - sent) * sizeof(net->tx[0]));
	net->tx_n -= sent;
	net->st.tx_pkts += sent;
	return sent;
}

struct rte_mempool *
iw_net_pool(const struct iw_net *net)
{
	return net->pool;
}

struct iw_port *
iw_net_port(const struct iw_net *net)
{
	return net->port;
}

uint16_t
iw_net_queue(const struct iw_net *net)
{
	return net->queue;
}

rte_be32_t
iw_net_addr(const struct iw_net *net)
{
	return net->ip;
}

uint16_t
iw_net_mtu(const struct iw_net *net)
{
	return net->mtu;
}

uint32_t
iw_net_hw_offloads(const struct iw_net *net)
{
	return net->hw_off;
}

bool
iw_net_tso_available(const struct iw_net *net)
{
	return (net->hw_off & IW_OFF_TSO) || net->gso.indirect_pool != NULL;
}

void
iw_net_stats_get(const struct iw_net *net, struct iw_net_stats *stats)
{
	*stats = net->st;
}

uint64_t
iw_net_echo_replies(const struct iw_net *net)
{
	return net->echo_replies;
}
