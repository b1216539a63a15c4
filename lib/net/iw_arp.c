/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) for one instance: a set-associative cache of IW_NET_ARP_WAYS
 * entries per set, entries INCOMPLETE (request sent, packets held), REACHABLE
 * (confirmed within arp_reachable_ms) and STALE (still used; a unicast request
 * refreshes it on use; freed when not confirmed within another
 * arp_reachable_ms). Requests for our address are answered and teach us the
 * sender; other packets only update entries we already have (RFC 826 merge).
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iw_net.h"
#include "iw_net_pvt.h"

#define DEF_ENTRIES 256
#define DEF_HOLD 16
#define DEF_RETRIES 3
#define DEF_REACHABLE_MS 300000
#define DEF_RETRY_MS 1000

int
iw_arp_init(struct iw_net *net, const struct iw_net_conf *conf)
{
	uint32_t entries = conf->arp_entries ? conf->arp_entries : DEF_ENTRIES;
	uint32_t i;

	if (!rte_is_power_of_2(entries))
		return -EINVAL;
	net->arp_hold = conf->arp_hold ? conf->arp_hold : DEF_HOLD;
	net->arp_retries = conf->arp_retries ? conf->arp_retries : DEF_RETRIES;
	net->reachable_tsc = (uint64_t)(conf->arp_reachable_ms ? conf->arp_reachable_ms :
					DEF_REACHABLE_MS) * net->hz_ms;
	net->retry_tsc = (uint64_t)(conf->arp_retry_ms ? conf->arp_retry_ms :
				    DEF_RETRY_MS) * net->hz_ms;
	net->arp_ways = RTE_MIN(entries, (uint32_t)IW_NET_ARP_WAYS);
	net->arp_sets = entries / net->arp_ways;
	net->arp = rte_zmalloc_socket("iw_arp", entries * sizeof(net->arp[0]),
				      RTE_CACHE_LINE_SIZE, net->port->q[net->queue].socket_id);
	net->held = rte_zmalloc_socket("iw_arp_held",
				       (size_t)entries * net->arp_hold * sizeof(net->held[0]),
				       RTE_CACHE_LINE_SIZE, net->port->q[net->queue].socket_id);
	if (net->arp == NULL || net->held == NULL) {
		rte_free(net->arp);
		rte_free(net->held);
		return -ENOMEM;
	}
	for (i = 0; i < entries; i++)
		net->arp[i].held = net->held + (size_t)i * net->arp_hold;
	return 0;
}

static void
entry_drop_held(struct iw_arp_entry *e)
{
	uint16_t i;

	for (i = 0; i < e->nb_held; i++)
		rte_pktmbuf_free(e->held[i]);
	e->nb_held = 0;
}

static void
entry_free(struct iw_arp_entry *e)
{
	entry_drop_held(e);
	e->state = IW_ARP_FREE;
	e->ip = 0;
}

void
iw_arp_fini(struct iw_net *net)
{
	uint32_t i;

	for (i = 0; i < net->arp_sets * net->arp_ways; i++)
		entry_drop_held(&net->arp[i]);
	rte_free(net->arp);
	rte_free(net->held);
}

static inline struct iw_arp_entry *
set_of(const struct iw_net *net, rte_be32_t ip)
{
	uint32_t h = (uint32_t)ip * 0x9E3779B1u;

	h ^= h >> 16;
	return &net->arp[(h & (net->arp_sets - 1)) * net->arp_ways];
}

static inline struct iw_arp_entry *
find(const struct iw_net *net, rte_be32_t ip)
{
	struct iw_arp_entry *s = set_of(net, ip);
	uint32_t w;

	for (w = 0; w < net->arp_ways; w++)
		if (s[w].state != IW_ARP_FREE && s[w].ip == ip)
			return &s[w];
	return NULL;
}

/* A free way in ip's set, or the least recently used one (INCOMPLETE last). */
static struct iw_arp_entry *
alloc_entry(struct iw_net *net, rte_be32_t ip)
{
	struct iw_arp_entry *s = set_of(net, ip), *victim = NULL;
	uint32_t w;

	for (w = 0; w < net->arp_ways; w++) {
		struct iw_arp_entry *e = &s[w];

		if (e->state == IW_ARP_FREE) {
			victim = e;
			break;
		}
		if (victim == NULL ||
		    (victim->state == IW_ARP_INCOMPLETE && e->state != IW_ARP_INCOMPLETE) ||
		    ((victim->state == IW_ARP_INCOMPLETE) == (e->state == IW_ARP_INCOMPLETE) &&
		     e->used < victim->used))
			victim = e;
	}
	if (victim->state != IW_ARP_FREE) {
		net->st.arp_hold_drop += victim->nb_held;
		entry_free(victim);
	}
	victim->ip = ip;
	victim->tries = 0;
	victim->nb_held = 0;
	return victim;
}

int
iw_arp_send(struct iw_net *net, uint16_t op, const struct rte_ether_addr *dst_mac,
	    const struct rte_ether_addr *tha, rte_be32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(net->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL) {
		net->st.tx_drop++;
		return -ENOBUFS;
	}
	eh = (void *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	eh->dst_addr = *dst_mac;
	eh->src_addr = net->mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(eh + 1);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = sizeof(rte_be32_t);
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = net->mac;
	ah->arp_data.arp_sip = net->ip;
	ah->arp_data.arp_tha = *tha;
	ah->arp_data.arp_tip = tip;
	if (op == RTE_ARP_OP_REQUEST)
		net->st.tx_arp_request++;
	else
		net->st.tx_arp_reply++;
	iw_net_tx_frame(net, m);
	return 0;
}

static int
send_request(struct iw_net *net, rte_be32_t ip, const struct rte_ether_addr *unicast)
{
	static const struct rte_ether_addr zero;
	struct rte_ether_addr bcast;

	if (unicast != NULL)
		return iw_arp_send(net, RTE_ARP_OP_REQUEST, unicast, &zero, ip);
	memset(&bcast, 0xff, sizeof(bcast));
	return iw_arp_send(net, RTE_ARP_OP_REQUEST, &bcast, &zero, ip);
}

static inline void
fill_dst(struct rte_mbuf *m, const struct rte_ether_addr *mac)
{
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = *mac;
}

/* The sender of an ARP packet is reachable at mac: confirm, release what is held. */
static void
confirm(struct iw_net *net, struct iw_arp_entry *e, const struct rte_ether_addr *mac,
	uint64_t now)
{
	uint16_t i;

	if (e->state == IW_ARP_FREE || e->state == IW_ARP_INCOMPLETE)
		net->st.arp_resolved++;
	e->mac = *mac;
	e->state = IW_ARP_REACHABLE;
	e->deadline = now + net->reachable_tsc;
	e->retry_at = 0;
	e->tries = 0;
	e->used = now;
	for (i = 0; i < e->nb_held; i++) {
		fill_dst(e->held[i], mac);
		iw_net_tx_frame(net, e->held[i]);
	}
	e->nb_held = 0;
}

int
iw_arp_resolve_send(struct iw_net *net, struct rte_mbuf *m, rte_be32_t next_hop)
{
	struct iw_arp_entry *e = find(net, next_hop);
	uint64_t now;

	if (likely(e != NULL && e->state == IW_ARP_REACHABLE)) {
		fill_dst(m, &e->mac);
		iw_net_tx_frame(net, m);
		return 0;
	}
	now = iw_net_now();
	if (e != NULL && e->state == IW_ARP_STALE) {
		fill_dst(m, &e->mac);
		iw_net_tx_frame(net, m);
		e->used = now;
		if (now >= e->retry_at) {
			e->retry_at = now + net->retry_tsc;
			send_request(net, next_hop, &e->mac);
		}
		return 0;
	}
	if (e == NULL) {
		e = alloc_entry(net, next_hop);
		e->state = IW_ARP_INCOMPLETE;
		e->used = now;
		e->tries = 1;
		e->retry_at = now + net->retry_tsc;
		send_request(net, next_hop, NULL);
	}
	if (e->nb_held == net->arp_hold) {
		net->st.arp_hold_drop++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	e->held[e->nb_held++] = m;
	return 0;
}

void
iw_arp_timer(struct iw_net *net, uint64_t now)
{
	uint32_t i, n = net->arp_sets * net->arp_ways;

	for (i = 0; i < n; i++) {
		struct iw_arp_entry *e = &net->arp[i];

		switch (e->state) {
		case IW_ARP_INCOMPLETE:
			if (now < e->retry_at)
				break;
			if (e->tries >= net->arp_retries) {
				net->st.arp_failed++;
				IW_NET_LOG(DEBUG, "no ARP reply from " IW_IP_FMT,
					   IW_IP_ARGS(e->ip));
				entry_free(e);
				break;
			}
			e->tries++;
			e->retry_at = now + net->retry_tsc;
			send_request(net, e->ip, NULL);
			break;
		case IW_ARP_REACHABLE:
			if (now >= e->deadline) {
				e->state = IW_ARP_STALE;
				e->deadline = now + net->reachable_tsc;
				e->retry_at = 0;
			}
			break;
		case IW_ARP_STALE:
			if (now >= e->deadline) {
				net->st.arp_aged++;
				entry_free(e);
			}
			break;
		default:
			break;
		}
	}
}

void
iw_arp_input(struct iw_net *net, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct iw_arp_entry *e;
	struct rte_ether_addr sha;
	rte_be32_t sip, tip;
	uint16_t op;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ah)))
		goto bad;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ah = (struct rte_arp_hdr *)(eh + 1);
	op = rte_be_to_cpu_16(ah->arp_opcode);
	if (ah->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != sizeof(rte_be32_t) ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY))
		goto bad;
	sha = ah->arp_data.arp_sha;
	sip = ah->arp_data.arp_sip;
	tip = ah->arp_data.arp_tip;
	if (!rte_is_valid_assigned_ether_addr(&sha))
		goto bad;
	if (sip == net->ip) {
		/* Someone else claims our address: never learn it, never answer it. */
		net->st.arp_conflict++;
		IW_NET_LOG_DP(DEBUG, "ARP from " RTE_ETHER_ADDR_PRT_FMT " claims our address",
			      RTE_ETHER_ADDR_BYTES(&sha));
		rte_pktmbuf_free(m);
		return;
	}
	if (sip != 0) {
		e = find(net, sip);
		if (e == NULL && tip == net->ip)
			e = alloc_entry(net, sip);
		if (e != NULL)
			confirm(net, e, &sha, iw_net_now());
	}
	if (tip != net->ip) {
		net->st.rx_not_ours++;
		rte_pktmbuf_free(m);
		return;
	}
	net->st.rx_arp++;
	if (op != RTE_ARP_OP_REQUEST) {
		rte_pktmbuf_free(m);
		return;
	}
	/* Answer in place: the request becomes the reply. */
	if (rte_pktmbuf_pkt_len(m) > sizeof(*eh) + sizeof(*ah))
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - sizeof(*eh) - sizeof(*ah));
	eh->dst_addr = sha;
	eh->src_addr = net->mac;
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_tha = sha;
	ah->arp_data.arp_tip = sip;
	ah->arp_data.arp_sha = net->mac;
	ah->arp_data.arp_sip = net->ip;
	iw_net_reuse_mbuf(m);
	net->st.tx_arp_reply++;
	iw_net_tx_frame(net, m);
	return;
bad:
	net->st.rx_arp_bad++;
	rte_pktmbuf_free(m);
}

int
iw_net_arp_lookup(const struct iw_net *net, rte_be32_t ip, struct rte_ether_addr *mac)
{
	const struct iw_arp_entry *e = find(net, ip);

	if (e == NULL || (e->state != IW_ARP_REACHABLE && e->state != IW_ARP_STALE))
		return -ENOENT;
	if (mac != NULL)
		*mac = e->mac;
	return 0;
}
