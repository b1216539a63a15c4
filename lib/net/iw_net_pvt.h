/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_NET_PVT_H
#define IW_NET_PVT_H

/*
 * lib/net internals shared by the files of the library: the instance, the ARP
 * cache entry, the logging macros and the calls one file makes into another.
 */

#include <rte_ether.h>
#include <rte_gso.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "iw_net.h"

extern int iw_net_logtype;
#define IW_NET_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iw_net_logtype, "iw_net: " fmt "\n", ##__VA_ARGS__)
/* Datapath messages: compiled out below RTE_LOG_DP_LEVEL. */
#define IW_NET_LOG_DP(level, fmt, ...) do { \
	if (RTE_LOG_ ## level <= RTE_LOG_DP_LEVEL) \
		IW_NET_LOG(level, fmt, ##__VA_ARGS__); \
} while (0)

/* Print an rte_be32_t IPv4 address: IW_NET_LOG(INFO, "to " IW_IP_FMT, IW_IP_ARGS(a)). */
#define IW_IP_FMT "%u.%u.%u.%u"
#define IW_IP_ARGS(be) (rte_be_to_cpu_32(be) >> 24) & 0xffu, \
	(rte_be_to_cpu_32(be) >> 16) & 0xffu, (rte_be_to_cpu_32(be) >> 8) & 0xffu, \
	rte_be_to_cpu_32(be) & 0xffu

/* A received mbuf about to be sent back: forget the RX flags, keep ownership flags. */
static inline void
iw_net_reuse_mbuf(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	m->packet_type = 0;
}

#define IW_NET_RX_BURST 32
#define IW_NET_TX_BUF 128     /* frames queued between flushes */
#define IW_NET_TX_RETRIES 4   /* tx_burst calls per flush before leaving the rest */
#define IW_NET_MAX_HOOKS 4
#define IW_NET_ARP_WAYS 8     /* entries per set of the set-associative ARP cache */
#define IW_NET_TIMER_MS 10    /* ARP timer granularity */
#define IW_NET_GSO_MAX 64     /* segments of one software TSO burst (64 KiB / 1 KiB) */

enum iw_arp_state {
	IW_ARP_FREE = 0,
	IW_ARP_INCOMPLETE,    /* request sent, packets held */
	IW_ARP_REACHABLE,     /* confirmed within arp_reachable_ms */
	IW_ARP_STALE,         /* still used; refreshed on use, freed if not confirmed */
};

struct iw_arp_entry {
	rte_be32_t ip;
	uint8_t state;        /* enum iw_arp_state */
	uint8_t tries;        /* requests sent while INCOMPLETE or refreshing */
	uint16_t nb_held;
	struct rte_ether_addr mac;
	uint64_t deadline;    /* TSC: end of REACHABLE / STALE */
	uint64_t retry_at;    /* TSC: next request (INCOMPLETE, or refresh of STALE) */
	uint64_t used;        /* TSC of last use, for eviction */
	struct rte_mbuf **held; /* arp_hold slots of the instance's held array */
};

struct iw_net_proto {
	iw_net_proto_input_t fn;
	void *ctx;
};

struct iw_net_hook {
	iw_net_poll_hook_t fn;
	void *ctx;
};

struct iw_net {
	/* hot: read on every packet */
	struct iw_port *port;
	uint16_t queue;
	uint16_t mtu;
	uint16_t ip_id;
	uint8_t ttl;
	uint8_t nb_hooks;
	uint32_t hw_off;
	rte_be32_t ip;
	rte_be32_t netmask;
	rte_be32_t gateway;
	struct rte_ether_addr mac;
	struct rte_mempool *pool;
	uint16_t tx_n;
	struct rte_mbuf *tx[IW_NET_TX_BUF];
	struct iw_net_stats st;
	uint64_t echo_replies;
	struct iw_net_proto proto[256];
	struct iw_net_hook hooks[IW_NET_MAX_HOOKS];
	iw_net_rx_hook_t rx_hook; /* after a receive burst, before its input */
	void *rx_hook_ctx;
	struct rte_gso_ctx gso;   /* software TSO; indirect_pool NULL: none */

	/* ARP cache and timers */
	uint64_t hz_ms;       /* timer cycles per millisecond */
	uint64_t next_timer;
	uint64_t reachable_tsc;
	uint64_t retry_tsc;
	uint16_t arp_retries;
	uint16_t arp_hold;
	uint32_t arp_sets;    /* power of 2 */
	uint32_t arp_ways;
	struct iw_arp_entry *arp;
	struct rte_mbuf **held;
};

/* iw_net.c */
uint64_t iw_net_now(void);

/* iw_arp.c */
int iw_arp_init(struct iw_net *net, const struct iw_net_conf *conf);
void iw_arp_fini(struct iw_net *net);
void iw_arp_input(struct iw_net *net, struct rte_mbuf *m);
int iw_arp_resolve_send(struct iw_net *net, struct rte_mbuf *m, rte_be32_t next_hop);
void iw_arp_timer(struct iw_net *net, uint64_t now);
int iw_arp_send(struct iw_net *net, uint16_t op, const struct rte_ether_addr *dst_mac,
		const struct rte_ether_addr *tha, rte_be32_t tip);

/* iw_ipv4.c */
void iw_ipv4_input(struct iw_net *net, struct rte_mbuf *m);

/* iw_net_telemetry.c */
void iw_net_telemetry_add(struct iw_net *net);
void iw_net_telemetry_del(struct iw_net *net);

/* iw_icmp.c */
void iw_icmp_input(void *ctx, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip);

#endif /* IW_NET_PVT_H */
