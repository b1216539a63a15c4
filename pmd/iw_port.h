/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_PORT_H
#define IW_PORT_H

/**
 * @file
 * pmd/: the port layer. Opens a DPDK ethdev by its EAL device name (a PCI
 * address for net_cxgbe and other NICs, a vdev name for net_ring, net_memif,
 * net_tap, net_af_packet, net_af_xdp), configures one RX/TX queue pair per
 * engine lcore, owns the mbuf pools (one per NUMA socket), negotiates offloads
 * against the PMD's capabilities and exposes the burst calls the stack uses.
 *
 * It also provides, for tests, a wire of two ports in one process built on
 * rte_eth_from_rings(), and a seeded impairment stage (drop, duplicate,
 * reorder, delay, corrupt) on the receive side of any queue.
 *
 * Error convention: constructors return a pointer, or NULL with rte_errno set;
 * control calls return 0 or a negative errno; burst calls return a count.
 * Nothing here prints or exits: messages go to the `pmd.iwarp` log type.
 *
 * Threading: control calls (open, close, impairment set-up) are made from one
 * control thread. Each queue is polled by exactly one lcore; the burst calls
 * take no lock.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Pools of a port: one per NUMA socket, then the indirect pool of software TSO. */
#define IW_PORT_GSO_POOL RTE_MAX_NUMA_NODES
#define IW_PORT_NB_POOLS (RTE_MAX_NUMA_NODES + 1)

/** Most queue pairs a port layer instance configures. */
#define IW_PORT_MAX_QUEUES 16

/** Offloads, as wanted by the caller and as granted by the port. */
#define IW_OFF_IPV4_CKSUM  (1u << 0) /**< TX IPv4 header checksum */
#define IW_OFF_TCP_CKSUM   (1u << 1) /**< TX TCP checksum */
#define IW_OFF_TSO         (1u << 2) /**< TX TCP segmentation */
#define IW_OFF_MULTISEG    (1u << 3) /**< TX chains of several mbufs */
#define IW_OFF_RX_CKSUM    (1u << 4) /**< RX IPv4 and TCP checksum check */
#define IW_OFF_ALL (IW_OFF_IPV4_CKSUM | IW_OFF_TCP_CKSUM | IW_OFF_TSO | \
		    IW_OFF_MULTISEG | IW_OFF_RX_CKSUM)

/** Port configuration. Zero values select the defaults noted. */
struct iw_port_conf {
	const char *dev;      /**< EAL device name; NULL with port_id set below */
	int port_id;          /**< used when dev is NULL (e.g. a ring wire); -1 = none */
	uint16_t nb_queues;   /**< RX/TX queue pairs (default 1) */
	uint16_t nb_rxd;      /**< RX descriptors per queue (default 1024) */
	uint16_t nb_txd;      /**< TX descriptors per queue (default 1024) */
	uint32_t nb_mbufs;    /**< mbufs per socket pool (default 8191) */
	uint16_t mbuf_size;   /**< data room (default: RTE_MBUF_DEFAULT_BUF_SIZE, or more
			       *  when the MTU needs it; smaller than a frame needs
			       *  scattered receive) */
	uint16_t mtu;         /**< IP MTU; 0 keeps the port's (1500 if unknown) */
	uint32_t offloads;    /**< IW_OFF_* wanted (default IW_OFF_ALL) */
	bool no_offloads;     /**< force every offload to software */
	bool promisc;         /**< enable promiscuous mode */
	const unsigned int *queue_lcores; /**< lcore polling each queue (nb_queues
					    *  entries): the queue's descriptors and
					    *  mbuf pool go on its socket; NULL: all
					    *  on the port's socket */
};

/** Seeded impairment of one queue's received packets (0 = off). */
struct iw_impair_conf {
	uint64_t seed;        /**< PRNG seed: same seed, same impairments */
	uint32_t drop_ppm;    /**< drop probability, parts per million */
	uint32_t dup_ppm;     /**< duplicate probability */
	uint32_t reorder_ppm; /**< probability a packet is held behind the next */
	uint32_t corrupt_ppm; /**< probability one byte past the L2 header is flipped */
	uint32_t delay_us;    /**< fixed delay added to every packet */
	uint32_t jitter_us;   /**< uniform extra delay in [0, jitter_us) */
};

/** Counters of the impairment stage. */
struct iw_impair_stats {
	uint64_t seen, dropped, duplicated, reordered, corrupted, delayed;
};

struct iw_impair;

/** Per-queue state, one cache line per owner lcore. */
struct iw_port_queue {
	struct rte_mempool *pool;  /**< mbufs on the queue's socket */
	int socket_id;             /**< NUMA socket of the queue */
	struct iw_impair *impair;  /**< NULL unless impairment is on */
	uint64_t rx_pkts, tx_pkts, tx_full; /**< tx_full: packets the PMD refused */
	uint64_t polls;            /**< burst calls (rx and tx) */
	int poller_tid;            /**< thread of the last burst call (rte_gettid()) */
	unsigned int poller_lcore; /**< its lcore (LCORE_ID_ANY for non-EAL threads) */
	volatile uint32_t parked;  /**< set by iw_port_park(): the poller has let go */
} __rte_cache_aligned;

struct iw_wire;

/** An open port. Fields are read-only to users of this layer. */
struct iw_port {
	uint16_t port_id;
	uint16_t nb_queues;
	uint16_t mtu;              /**< IP MTU in use */
	uint32_t hw_offloads;      /**< IW_OFF_* done by the port */
	uint32_t sw_offloads;      /**< IW_OFF_* wanted but done in software */
	uint32_t tso_max;          /**< largest TSO burst the port takes (0: no TSO) */
	uint16_t max_tx_segs;      /**< most segments in one TX mbuf chain */
	uint16_t mbuf_room;        /**< data room of the port's mbufs */
	int socket_id;
	volatile uint32_t quiesce; /**< set by iw_port_close(): pollers back off */
	bool owned;                /**< plugged here: the device is removed on close */
	struct rte_device *dev;    /**< the EAL device behind the ethdev */
	struct iw_wire *wire;      /**< the ring wire this port is an end of, or NULL */
	uint8_t wire_end;          /**< 0 or 1: which end of the wire */
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_ether_addr mac;
	struct rte_mempool *pools[IW_PORT_NB_POOLS]; /**< per socket, then the GSO pool */
	struct iw_port_queue q[IW_PORT_MAX_QUEUES];
};

/**
 * Open and start a port.
 *
 * @param conf
 *   Configuration; conf->dev names an EAL device, "NAME[,devargs]": an ethdev
 *   or device (PCI address) already probed by EAL is used as it is, otherwise
 *   it is hot-plugged with rte_dev_probe() (vdev or PCI) and removed again by
 *   iw_port_close(). Or conf->port_id names an existing ethdev.
 *   A port whose MAC is all zeros (net_ring) gets a random local one.
 * @return
 *   The port, or NULL with rte_errno: ENODEV (no such device), EINVAL (bad
 *   configuration: queues, MTU out of range, mbufs too small for the MTU on a
 *   port without scattered receive), ENOMEM (pool), or the PMD's error.
 */
struct iw_port *iw_port_open(const struct iw_port_conf *conf);

/**
 * Stop and close a port: sets the quiesce flag, waits (bounded,
 * IW_PORT_QUIESCE_MS) until every queue that another thread has polled has
 * parked, then stops the device, frees what is queued in the impairment stage,
 * closes it and removes the device if iw_port_open() plugged it. A net_memif
 * port is stopped and closed in the EAL interrupt thread (through an interrupt
 * source of the port layer, registered on first use and kept; the call waits),
 * where net_memif handles its control channel and its peer's disconnection: a
 * stop beside that handler frees the shared regions twice.
 *
 * The poller protocol that makes this safe while other lcores still poll:
 * @code
 *	while (!iw_port_stopping(port))
 *		... iw_port_rx(port, q, ...) / iw_port_tx(port, q, ...) ...
 *	iw_port_park(port, q);   // the poller's last access to the port
 * @endcode
 * Once iw_port_stopping() is true the burst calls return 0 without entering
 * the PMD, so a poller that has not yet looked never races rte_eth_dev_stop().
 * Queues last polled by the calling thread, or by an EAL lcore whose function
 * has returned (rte_eal_wait_lcore() pattern), are not waited for. A poller
 * that never parks costs the bounded wait and a warning.
 *
 * The mbuf pools are freed here too, so every mbuf of the port must be back:
 * destroy the stack instances on it first. The two ends of a ring wire share
 * their mbufs: their pools and rings are freed when the second end closes.
 * The caller must not use the port afterwards. NULL is accepted.
 */
#define IW_PORT_QUIESCE_MS 500

/**
 * First half of iw_port_close(): set the quiesce flag and wait (bounded) for
 * the pollers of other threads to park. Quiesce every port of a set of
 * connected ports (a net_memif pair, both ends of a wire polled by other lcores)
 * before closing any: a PMD whose peer vanishes under a running poller may
 * crash (net_memif does). Idempotent.
 * @return 0, or -ETIMEDOUT if a poller did not park in IW_PORT_QUIESCE_MS
 *   (the port is quiesced anyway: its burst calls return 0).
 */
int iw_port_quiesce(struct iw_port *port);
void iw_port_close(struct iw_port *port);

/**
 * Build a wire of two ports in one process: what one transmits the other
 * receives, over rte_eth_from_rings(). Each end has conf->nb_queues queues;
 * queue i of one end feeds queue i of the other.
 *
 * @param name
 *   Unique name prefix for the rings and ports.
 * @param ends
 *   Out: the two open ports.
 * @return
 *   0, or a negative errno.
 */
int iw_wire_create(const char *name, const struct iw_port_conf *conf, struct iw_port *ends[2]);

/**
 * Turn the impairment stage of one queue's receive side on, reconfigure it,
 * or (conf NULL) turn it off, releasing what it held. Call it from the queue's
 * poller, or while nobody polls the queue: the stage is not locked.
 * @return 0, -EINVAL (bad queue or probability above 1e6), -ENOMEM.
 */
int iw_port_impair(struct iw_port *port, uint16_t queue, const struct iw_impair_conf *conf);

/** Read the impairment counters of one queue. @return 0 or -EINVAL / -ENOENT. */
int iw_port_impair_stats(const struct iw_port *port, uint16_t queue,
			 struct iw_impair_stats *stats);

/** Link status, without waiting. @return 0 or a negative errno. */
int iw_port_link(const struct iw_port *port, struct rte_eth_link *link);

/** Wait up to timeout_ms for link up. @return 0 (up), -ETIMEDOUT. */
int iw_port_wait_link(const struct iw_port *port, unsigned int timeout_ms);

/**
 * Describe the negotiated offloads ("ipv4-cksum:hw tcp-cksum:sw tso:sw ...").
 * @return the number of characters written (snprintf semantics).
 */
int iw_port_offload_str(const struct iw_port *port, char *buf, size_t len);

/** True once iw_port_close() has started: pollers finish and park. */
static inline bool
iw_port_stopping(const struct iw_port *port)
{
	return port->quiesce != 0;
}

/**
 * Tell iw_port_close() that the poller of queue has let go of the port. This
 * is the poller's last access to the port.
 */
static inline void
iw_port_park(struct iw_port *port, uint16_t queue)
{
	__atomic_store_n(&port->q[queue].parked, 1, __ATOMIC_RELEASE);
}

/*
 * The public handle of a port (rte_iwarp_port.h) is the port layer's port
 * itself: the public header declares struct rte_iwarp_port and never defines
 * it, so the conversions below are the only accesses through either type.
 */
struct rte_iwarp_port;

static inline struct iw_port *
iw_port_of(struct rte_iwarp_port *handle)
{
	return (struct iw_port *)(void *)handle;
}

static inline const struct iw_port *
iw_port_of_const(const struct rte_iwarp_port *handle)
{
	return (const struct iw_port *)(const void *)handle;
}

static inline struct rte_iwarp_port *
iw_port_handle(struct iw_port *port)
{
	return (struct rte_iwarp_port *)(void *)port;
}

/** Internal: run the impairment stage over a received burst. */
uint16_t iw_impair_rx(struct iw_impair *im, struct rte_mbuf **pkts, uint16_t nb,
		      uint16_t max);

/**
 * Receive a burst from a queue, through the impairment stage when it is on.
 * Returns 0 once the port is stopping (see iw_port_close()).
 */
static inline uint16_t
iw_port_rx(struct iw_port *port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb)
{
	struct iw_port_queue *q = &port->q[queue];
	uint16_t n;

	if (unlikely(port->quiesce))
		return 0;
	q->polls++;
	q->poller_tid = rte_gettid();
	q->poller_lcore = rte_lcore_id();
	n = rte_eth_rx_burst(port->port_id, queue, pkts, nb);
	if (unlikely(q->impair != NULL))
		n = iw_impair_rx(q->impair, pkts, n, nb);
	q->rx_pkts += n;
	return n;
}

/**
 * Transmit a burst. Returns how many the PMD took; the caller owns the rest
 * (retry or free them). Returns 0 once the port is stopping.
 */
static inline uint16_t
iw_port_tx(struct iw_port *port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb)
{
	struct iw_port_queue *q = &port->q[queue];
	uint16_t n;

	if (unlikely(port->quiesce))
		return 0;
	q->polls++;
	q->poller_tid = rte_gettid();
	q->poller_lcore = rte_lcore_id();
	n = rte_eth_tx_burst(port->port_id, queue, pkts, nb);
	q->tx_pkts += n;
	q->tx_full += nb - n;
	return n;
}

/**
 * The pool of indirect mbufs for software TSO (rte_gso), or NULL when TSO is
 * done by the port or was not wanted.
 */
static inline struct rte_mempool *
iw_port_gso_pool(const struct iw_port *port)
{
	return port->pools[IW_PORT_GSO_POOL];
}

/** The mbuf pool for a queue (on the socket of the port). */
static inline struct rte_mempool *
iw_port_pool(const struct iw_port *port, uint16_t queue)
{
	return port->q[queue].pool;
}

#ifdef __cplusplus
}
#endif

#endif /* IW_PORT_H */
