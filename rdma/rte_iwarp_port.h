/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RTE_IWARP_PORT_H
#define RTE_IWARP_PORT_H

/**
 * @file
 * librte_iwarp: ports. A port is a DPDK ethdev that librte_iwarp has opened
 * and started for its engines: named by its EAL device name (a PCI address
 * such as "0000:02:00.4" for a NIC, or a vdev such as
 * "net_memif0,role=server,socket=/tmp/m.sock"), with one RX/TX queue pair per
 * engine, its mbuf pools (one per NUMA socket), an IP MTU, and the offloads
 * (IPv4 and TCP checksums, TSO, multi-segment transmit, receive checksum
 * check) negotiated against the PMD: what the port cannot do is done in
 * software. An engine (rte_iwarp_dev_open()) runs on one queue of a port.
 *
 * The handle is opaque: the functions below read what the port is.
 *
 * Error convention (as the rest of the API): rte_iwarp_port_open() returns the
 * port, or NULL with rte_errno set to a positive errno value; the other calls
 * return 0 (or a value) or a NEGATIVE errno. Nothing here prints: messages go
 * to the log type `pmd.iwarp`.
 *
 * Threading: open, close and the getters are control calls, made from one
 * thread at a time; the statistics may be read while engines poll the port's
 * queues (the software counters are then approximate).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rte_iwarp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open port (opaque). */
struct rte_iwarp_port;
struct rte_mbuf;
struct rte_mempool;

/** @name Offloads, as asked for in rte_iwarp_port_conf and as granted in rte_iwarp_port_info.
 * @{ */
#define RTE_IWARP_PORT_OFF_IPV4_CKSUM (1u << 0) /**< TX IPv4 header checksum */
#define RTE_IWARP_PORT_OFF_TCP_CKSUM  (1u << 1) /**< TX TCP checksum */
#define RTE_IWARP_PORT_OFF_TSO        (1u << 2) /**< TX TCP segmentation */
#define RTE_IWARP_PORT_OFF_MULTISEG   (1u << 3) /**< TX chains of several mbufs */
#define RTE_IWARP_PORT_OFF_RX_CKSUM   (1u << 4) /**< RX IPv4 and TCP checksum check */
/** Every offload. */
#define RTE_IWARP_PORT_OFF_ALL (RTE_IWARP_PORT_OFF_IPV4_CKSUM | \
				RTE_IWARP_PORT_OFF_TCP_CKSUM | RTE_IWARP_PORT_OFF_TSO | \
				RTE_IWARP_PORT_OFF_MULTISEG | RTE_IWARP_PORT_OFF_RX_CKSUM)
/** @} */

/** Port configuration. Zero values select the defaults noted. */
struct rte_iwarp_port_conf {
	/**
	 * EAL device name with optional devargs, "NAME[,key=value...]": a PCI
	 * address or a vdev. A device EAL has already probed (-a, --vdev) is
	 * used as it is; otherwise it is hot-plugged (rte_dev_probe()) and
	 * removed again by rte_iwarp_port_close(). NULL: use port_id.
	 */
	const char *dev;
	uint16_t port_id;     /**< ethdev port id, when dev is NULL */
	uint16_t nb_queues;   /**< RX/TX queue pairs, one per engine (default 1, at most 16) */
	uint16_t nb_rxd;      /**< RX descriptors per queue (default 1024) */
	uint16_t nb_txd;      /**< TX descriptors per queue (default 1024) */
	uint32_t nb_mbufs;    /**< mbufs per socket pool (default 8191) */
	uint16_t mbuf_size;   /**< mbuf data room (default: DPDK's default, or more when
			       *   the MTU needs it) */
	uint16_t mtu;         /**< IP MTU; 0 keeps the port's (1500 if unknown) */
	uint32_t offloads;    /**< RTE_IWARP_PORT_OFF_* wanted; 0: RTE_IWARP_PORT_OFF_ALL */
	bool no_offloads;     /**< do every offload in software (offloads ignored) */
	bool promisc;         /**< enable promiscuous mode */
	/**
	 * The lcore that will poll each queue (nb_queues entries): the queue's
	 * descriptors and mbuf pool go on that lcore's NUMA socket. NULL: all
	 * on the port's socket.
	 */
	const unsigned int *queue_lcores;
};

/** What an open port is. */
struct rte_iwarp_port_info {
	char name[64];        /**< ethdev name */
	uint16_t port_id;     /**< ethdev port id */
	uint16_t nb_queues;   /**< queue pairs */
	uint16_t mtu;         /**< IP MTU in use */
	int socket_id;        /**< NUMA socket of the port */
	uint8_t mac_addr[6];  /**< MAC address (a random local one for a port that has none) */
	uint32_t hw_offloads; /**< RTE_IWARP_PORT_OFF_* done by the port */
	uint32_t sw_offloads; /**< RTE_IWARP_PORT_OFF_* asked for but done in software */
	uint32_t tso_max;     /**< largest TSO burst the port takes (0: no hardware TSO) */
	uint16_t max_tx_segs; /**< most segments in one transmitted mbuf chain */
	uint16_t mbuf_room;   /**< data room of the port's mbufs */
};

/** Port counters (monotonic since the port was opened). */
struct rte_iwarp_port_stats {
	uint64_t rx_packets;  /**< packets received (the PMD's count) */
	uint64_t tx_packets;  /**< packets sent (the PMD's count) */
	uint64_t rx_bytes;    /**< bytes received (the PMD's count) */
	uint64_t tx_bytes;    /**< bytes sent (the PMD's count) */
	uint64_t rx_missed;   /**< packets the port dropped: no RX descriptor free */
	uint64_t rx_errors;   /**< erroneous packets received */
	uint64_t tx_errors;   /**< packets the port failed to send */
	uint64_t rx_nombuf;   /**< receive failures: no mbuf */
	uint64_t tx_refused;  /**< packets the PMD did not take (queue full; the stack
			       *   kept them to send again or dropped them) */
	uint64_t polls;       /**< receive and transmit burst calls on the port */
};

/**
 * Open and start a port.
 * @param conf
 *   Configuration.
 * @return
 *   The port, or NULL with rte_errno: EINVAL (NULL conf, bad queue count,
 *   MTU out of range, mbufs too small for the MTU on a port without
 *   scattered receive), ENODEV (no such device or port id), ENOMEM (mbuf
 *   pools), or the PMD's error.
 */
struct rte_iwarp_port *rte_iwarp_port_open(const struct rte_iwarp_port_conf *conf);

/**
 * Stop and close a port, and remove its device if rte_iwarp_port_open()
 * plugged it. Close the engines on it (rte_iwarp_dev_close()) first: every
 * mbuf of the port must be back in its pools. Lcores still polling the port's
 * queues stop entering the PMD; the call waits a bounded time (0.5 s) for
 * them. A net_memif port is closed in EAL's interrupt thread, beside
 * net_memif's own handling of its peer. The port must not be used afterwards.
 * @param port
 *   The port; NULL is accepted (nothing done).
 */
void rte_iwarp_port_close(struct rte_iwarp_port *port);

/**
 * First half of rte_iwarp_port_close(): stop entering the PMD and wait (at
 * most 0.5 s) until the lcores that poll the port let go. Quiesce every port
 * of a set of connected ports (both ends of a net_memif pair in one process)
 * before closing any of them. Idempotent.
 * @param port
 *   The port.
 * @return
 *   0; -EINVAL (NULL); -ETIMEDOUT (a poller did not let go in time: the port
 *   is quiesced anyway).
 */
__rte_iwarp_experimental
int rte_iwarp_port_quiesce(struct rte_iwarp_port *port);

/**
 * Describe a port.
 * @param port
 *   The port.
 * @param info
 *   Out: what the port is.
 * @return
 *   0; -EINVAL (NULL argument).
 */
int rte_iwarp_port_info_get(const struct rte_iwarp_port *port,
			    struct rte_iwarp_port_info *info);

/**
 * The ethdev port id of a port (for rte_eth_* calls of the application's own).
 * @param port
 *   The port.
 * @return
 *   The port id (>= 0); -EINVAL (NULL).
 */
int rte_iwarp_port_id(const struct rte_iwarp_port *port);

/**
 * The MAC address of a port.
 * @param port
 *   The port.
 * @param mac
 *   Out: its 6 bytes.
 * @return
 *   0; -EINVAL (NULL argument).
 */
int rte_iwarp_port_mac(const struct rte_iwarp_port *port, uint8_t mac[6]);

/**
 * Read a port's counters: the PMD's (rte_eth_stats_get()) and the port
 * layer's own.
 * @param port
 *   The port.
 * @param stats
 *   Out: the counters.
 * @return
 *   0; -EINVAL (NULL argument); or the PMD's error (negative errno).
 */
int rte_iwarp_port_stats_get(const struct rte_iwarp_port *port,
			     struct rte_iwarp_port_stats *stats);

/**
 * The link status, without waiting.
 * @param port
 *   The port.
 * @return
 *   1 (up), 0 (down); -EINVAL (NULL); or the PMD's error (negative errno).
 */
int rte_iwarp_port_link_status(const struct rte_iwarp_port *port);

/**
 * Wait until the link is up (a net_memif client's link comes up when it has
 * connected to its server).
 * @param port
 *   The port.
 * @param timeout_ms
 *   Longest wait, in milliseconds.
 * @return
 *   0 (up); -ETIMEDOUT (still down); -EINVAL (NULL).
 */
int rte_iwarp_port_wait_link(const struct rte_iwarp_port *port, unsigned int timeout_ms);

/**
 * Describe the negotiated offloads, e.g.
 * "ipv4-cksum:hw tcp-cksum:sw tso:sw multi-seg:hw rx-cksum:hw".
 * @param port
 *   The port.
 * @param buf
 *   Out: the text, NUL-terminated when len > 0.
 * @param len
 *   Size of buf.
 * @return
 *   The length of the whole text (snprintf semantics: truncated when >= len);
 *   -EINVAL (NULL port, or NULL buf with len > 0).
 */
int rte_iwarp_port_offload_str(const struct rte_iwarp_port *port, char *buf, size_t len);

/**
 * @name Raw frames
 * For an application that sends and receives its own Ethernet frames on a
 * queue no engine runs on (a raw-link baseline, a control channel): the same
 * path the engines take (the port layer's receive stage, its counters, its
 * quiescing at close). One lcore polls a queue.
 * @{
 */

/**
 * Receive up to nb frames from a queue.
 * @param port
 *   The port.
 * @param queue
 *   Its queue (below rte_iwarp_port_info.nb_queues).
 * @param pkts
 *   Out: the frames; the caller owns them.
 * @param nb
 *   Room in pkts.
 * @return
 *   The number received; 0 for a bad queue and once the port is closing.
 */
__rte_iwarp_experimental
uint16_t rte_iwarp_port_rx_burst(struct rte_iwarp_port *port, uint16_t queue,
				 struct rte_mbuf **pkts, uint16_t nb);

/**
 * Transmit up to nb frames on a queue (with the offload requests of their
 * mbufs: see rte_iwarp_port_info.hw_offloads).
 * @param port
 *   The port.
 * @param queue
 *   Its queue.
 * @param pkts
 *   The frames.
 * @param nb
 *   How many.
 * @return
 *   How many the port took (the first ones); the caller still owns the rest.
 *   0 for a bad queue and once the port is closing.
 */
__rte_iwarp_experimental
uint16_t rte_iwarp_port_tx_burst(struct rte_iwarp_port *port, uint16_t queue,
				 struct rte_mbuf **pkts, uint16_t nb);

/**
 * The mbuf pool of a queue (on its NUMA socket), for the frames the
 * application builds. Every mbuf taken from it must be back before
 * rte_iwarp_port_close().
 * @param port
 *   The port.
 * @param queue
 *   Its queue.
 * @return
 *   The pool, or NULL with rte_errno EINVAL (NULL port, bad queue).
 */
__rte_iwarp_experimental
struct rte_mempool *rte_iwarp_port_mempool(const struct rte_iwarp_port *port, uint16_t queue);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RTE_IWARP_PORT_H */
