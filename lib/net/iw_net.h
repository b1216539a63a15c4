/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_NET_H
#define IW_NET_H

/**
 * @file
 * lib/net: one per-lcore instance of the user-space network stack below TCP:
 * Ethernet demux, ARP (request/reply, cache with ageing, packets held while
 * resolving, gratuitous ARP at start), ICMP echo reply, IPv4 (checksum check and
 * generation, TTL, local address, netmask, gateway; fragments dropped and
 * counted) and per-instance counters.
 *
 * An instance owns one queue of one pmd/ port and is driven by exactly one lcore:
 * nothing is locked. Upper layers (lib/tcp) register an input handler per IP
 * protocol and a poll hook, and send through iw_net_output().
 *
 * Byte order: IPv4 addresses are rte_be32_t (network order) everywhere.
 *
 * Error convention: constructors return a pointer or NULL with rte_errno;
 * control calls return 0 or a negative errno; burst/poll calls return a count.
 * Nothing here prints or exits: messages go to the `lib.net` log type.
 *
 * Telemetry: /iwarp/net/list, /iwarp/net/info,N and /iwarp/net/stats,N
 * (dpdk-telemetry.py) show every live instance and its counters.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "iw_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Configuration of one stack instance. Zero values select the defaults noted. */
struct iw_net_conf {
	rte_be32_t ip;              /**< local address (required) */
	rte_be32_t netmask;         /**< default 255.255.255.0 */
	rte_be32_t gateway;         /**< 0 = none: off-subnet destinations unreachable */
	uint32_t arp_reachable_ms;  /**< cache entry lifetime (default 300000) */
	uint32_t arp_retry_ms;      /**< request retransmission interval (default 1000) */
	uint16_t arp_retries;       /**< requests before giving up (default 3) */
	uint16_t arp_hold;          /**< packets held per unresolved entry (default 16) */
	uint16_t arp_entries;       /**< cache size (default 256, power of 2) */
	uint8_t ttl;                /**< TTL of sent packets (default 64) */
	bool no_gratuitous_arp;     /**< skip the gratuitous ARP at start */
};

/** Counters of one instance (monotonic). */
struct iw_net_stats {
	uint64_t rx_pkts;           /**< frames received */
	uint64_t tx_pkts;           /**< frames handed to the port */
	uint64_t tx_drop;           /**< frames the port refused (after retry) */
	uint64_t rx_short;          /**< shorter than their headers claim */
	uint64_t rx_not_ours;       /**< other MAC / other IP */
	uint64_t rx_unknown_l2;     /**< unknown ethertype */
	uint64_t rx_arp;            /**< valid ARP packets */
	uint64_t rx_arp_bad;        /**< malformed ARP */
	uint64_t tx_arp_request;
	uint64_t tx_arp_reply;
	uint64_t arp_resolved;      /**< entries that became reachable */
	uint64_t arp_failed;        /**< resolutions given up; held packets freed */
	uint64_t arp_hold_drop;     /**< held-queue overflow */
	uint64_t rx_ip;             /**< IPv4 packets delivered */
	uint64_t rx_ip_bad_version;
	uint64_t rx_ip_bad_hlen;
	uint64_t rx_ip_bad_cksum;
	uint64_t rx_ip_bad_len;     /**< total length beyond the frame, or below the header */
	uint64_t rx_ip_frag;        /**< fragments (dropped) */
	uint64_t rx_ip_unknown_proto;
	uint64_t rx_icmp_echo;
	uint64_t tx_icmp_echo_reply;
	uint64_t rx_icmp_bad;
	uint64_t tx_no_route;       /**< destination off-subnet with no gateway */
	uint64_t arp_aged;          /**< stale entries removed after arp_reachable_ms */
	uint64_t arp_conflict;      /**< ARP packets from another host using our address */
	uint64_t rx_icmp_echo_reply; /**< echo replies received (iw_net_ping()) */
	uint64_t tx_icmp_echo;      /**< echo requests sent (iw_net_ping()) */
	uint64_t tx_bad;            /**< packets refused by iw_net_output(): too long,
				      *  no headroom, TSO not possible */
	uint64_t tx_soft_tso;       /**< TSO bursts cut into segments in software */
};

struct iw_net;

/**
 * Input handler of an IP protocol. Called with m->data_off at the L4 header,
 * m->l2_len and m->l3_len set, the packet's IPv4 header at ip (in m's
 * headroom) and pkt_len trimmed to the IP payload (Ethernet padding removed).
 * The IPv4 header has been checked (version, lengths, checksum, not a
 * fragment, addressed to us); the L4 checksum has not: m->ol_flags carries the
 * port's verdict when iw_net_hw_offloads() includes IW_OFF_RX_CKSUM. The
 * handler owns m (frees or keeps it).
 */
typedef void (*iw_net_proto_input_t)(void *ctx, struct rte_mbuf *m,
				      const struct rte_ipv4_hdr *ip);

/**
 * Poll hook: called once per iw_net_poll() after input, before the TX flush
 * (TCP output and timers, the RDMA engine's transmit). Returns the amount of
 * work it did (0 when idle), which iw_net_poll() adds to its return value.
 */
typedef int (*iw_net_poll_hook_t)(void *ctx, uint64_t now_tsc);

/**
 * Receive hook: called by iw_net_poll() after a receive burst that brought
 * frames, before the first of them is processed. An upper layer that other
 * threads feed through queues of its own takes those in here: whatever they
 * queued before the frames were taken from the port is then in place when the
 * frames are processed (whatever a peer sent in answer to it cannot come
 * earlier). Returns the amount of work it did, which iw_net_poll() adds to its
 * return value.
 */
typedef int (*iw_net_rx_hook_t)(void *ctx);

/**
 * Create a stack instance on one queue of an open port.
 * @return the instance, or NULL with rte_errno: EINVAL (no address, bad mask,
 *   queue out of range), ENOMEM.
 */
struct iw_net *iw_net_create(const struct iw_net_conf *conf, struct iw_port *port,
			     uint16_t queue);

/**
 * Free an instance and everything it holds (queued and held packets). Call it
 * before iw_port_close() of its port. NULL is accepted.
 */
void iw_net_destroy(struct iw_net *net);

/** Register the handler of an IP protocol (one per protocol). @return 0, -EEXIST. */
int iw_net_register_proto(struct iw_net *net, uint8_t proto, iw_net_proto_input_t fn,
			  void *ctx);

/**
 * Remove the handler of an IP protocol (before the upper layer frees ctx).
 * @return 0, -ENOENT (none registered), -EPERM (ICMP belongs to the instance).
 */
int iw_net_unregister_proto(struct iw_net *net, uint8_t proto);

/** Register a poll hook (at most 4). @return 0, -ENOSPC. */
int iw_net_register_hook(struct iw_net *net, iw_net_poll_hook_t fn, void *ctx);

/** Remove a poll hook registered with the same fn and ctx. @return 0, -ENOENT. */
int iw_net_unregister_hook(struct iw_net *net, iw_net_poll_hook_t fn, void *ctx);

/**
 * Set the receive hook (one per instance), or remove it (fn NULL).
 * @return 0, -EINVAL (NULL instance), -EEXIST (another one is set).
 */
int iw_net_set_rx_hook(struct iw_net *net, iw_net_rx_hook_t fn, void *ctx);

/**
 * One iteration: receive a burst, run the receive hook (when the burst brought
 * frames), process the burst, run the poll hooks and timers (ARP retries and
 * ageing), flush what was queued for transmission.
 * @return the number of packets received and sent plus hook work (0 when idle).
 */
int iw_net_poll(struct iw_net *net);

/**
 * True once the port is being closed (iw_port_close() on another thread): the
 * polling loop ends and calls iw_net_park(). See iw_port_close().
 */
bool iw_net_stopping(const struct iw_net *net);

/** The poller lets go of the instance's queue: its last access to the port. */
void iw_net_park(struct iw_net *net);

/** Process a burst of received frames (what iw_net_poll() does after rx). */
void iw_net_input(struct iw_net *net, struct rte_mbuf **pkts, uint16_t nb);

/**
 * Send an IP packet. m holds the L4 header and payload from its data offset and
 * at least RTE_PKTMBUF_HEADROOM bytes of headroom; the IPv4 and Ethernet headers
 * are prepended here. tx_flags may ask for the L4 checksum to be finished
 * (IW_NET_TX_L4_CKSUM: in hardware when the port offers it, in software
 * otherwise, with the TCP/UDP checksum field preset to 0) and for TSO
 * (IW_NET_TX_TSO, TCP only, with m->tso_segsz (MSS) and m->l4_len set): the
 * port segments when it granted IW_OFF_TSO, otherwise rte_gso does it here
 * after ARP resolution (segments reference the payload, no copy; each gets
 * its IP ID, sequence number and checksums). If the next hop is not resolved
 * the packet is held and an ARP request sent. The instance owns m in every
 * case.
 * @return 0 (queued or held), -EHOSTUNREACH (no route: off-subnet without a
 *   gateway, our own address, 0.0.0.0), -ENOBUFS (held queue full),
 *   -EMSGSIZE (longer than the MTU without TSO), -ENOTSUP (TSO on a port that
 *   neither does it nor has a software TSO pool, not TCP, or no MSS/l4_len),
 *   -ENOSPC (headroom below Ethernet + IPv4 headers), -EINVAL (checksum asked
 *   for a protocol other than TCP/UDP, or its header not in the first segment).
 */
int iw_net_output(struct iw_net *net, struct rte_mbuf *m, rte_be32_t dst, uint8_t proto,
		  uint32_t tx_flags);
#define IW_NET_TX_L4_CKSUM (1u << 0)
#define IW_NET_TX_TSO      (1u << 1)

/**
 * Queue a complete Ethernet frame for transmission (sent at the next flush).
 * A chain longer than the port takes is copied into one mbuf. The instance
 * owns m; if the queue is full after a flush, m is freed and counted in
 * tx_drop.
 */
void iw_net_tx_frame(struct iw_net *net, struct rte_mbuf *m);

/** Transmit everything queued. @return packets handed to the port. */
uint16_t iw_net_flush(struct iw_net *net);

/** The mbuf pool to allocate packets from (the queue's socket). */
struct rte_mempool *iw_net_pool(const struct iw_net *net);

/** The port and queue this instance drives. */
struct iw_port *iw_net_port(const struct iw_net *net);
uint16_t iw_net_queue(const struct iw_net *net);

/** The local address. */
rte_be32_t iw_net_addr(const struct iw_net *net);

/** The IP MTU of the port. */
uint16_t iw_net_mtu(const struct iw_net *net);

/** Offloads done by the port (IW_OFF_*). */
uint32_t iw_net_hw_offloads(const struct iw_net *net);

/**
 * True when iw_net_output() takes IW_NET_TX_TSO: the port does TSO, or the
 * software fallback (rte_gso) is set up for it.
 */
bool iw_net_tso_available(const struct iw_net *net);

/** Read the counters. */
void iw_net_stats_get(const struct iw_net *net, struct iw_net_stats *stats);

/**
 * Look up the ARP cache. @return 0 with mac filled (mac may be NULL) when the
 * entry is usable (REACHABLE, or STALE awaiting refresh), -ENOENT otherwise
 * (no entry, or still resolving). No request is sent.
 */
int iw_net_arp_lookup(const struct iw_net *net, rte_be32_t ip, struct rte_ether_addr *mac);

/**
 * Send an ICMP echo request of len payload bytes (payload NULL: a counting
 * pattern). @return 0 (sent or held for ARP), -EMSGSIZE (above the MTU),
 * -ENOBUFS (no mbuf, or ARP hold queue full), or an iw_net_output() error.
 */
int iw_net_ping(struct iw_net *net, rte_be32_t dst, uint16_t id, uint16_t seq,
		const void *payload, uint16_t len);

/** Echo replies received so far (for iw_net_ping()). */
uint64_t iw_net_echo_replies(const struct iw_net *net);

#ifdef __cplusplus
}
#endif

#endif /* IW_NET_H */
