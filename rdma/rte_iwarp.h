/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RTE_IWARP_H
#define RTE_IWARP_H

/**
 * @file
 * librte_iwarp: the verbs-like API of the user-space iWARP engine.
 *
 * Anyone who has used ibverbs and rdma_cm finds the same objects here: a
 * device (one engine per lcore, on a pmd/ port queue with an IPv4 address),
 * protection domains, memory regions addressed by STags, memory windows,
 * completion queues, reliable connected queue pairs with send and receive
 * queues, shared receive queues, and a connection manager that runs the MPA
 * exchange (RFC 5044, RFC 6581) over the engine's own TCP. Opcodes, flags and
 * status values mirror ibverbs (RTE_IWARP_WR_* = IBV_WR_*, RTE_IWARP_WC_* =
 * IBV_WC_*); docs/porting-from-ibverbs.md maps every call.
 *
 * Error convention (one for the whole library):
 * - constructors (rte_iwarp_dev_open, rte_iwarp_alloc_pd, rte_iwarp_reg_mr,
 *   rte_iwarp_create_cq, rte_iwarp_create_qp, ...) return a pointer, or NULL
 *   with rte_errno set to a positive errno value;
 * - control calls and the post calls return 0 or a NEGATIVE errno (ibverbs
 *   returns positive errno values: this is the one porting difference that
 *   changes the sign);
 * - rte_iwarp_poll_cq() returns a count (>= 0) or a negative errno.
 * A work request rejected by a post call never produces a completion; the
 * post calls stop at the first rejected request and return it in *bad_wr.
 *
 * Completion semantics: a signalled SEND or RDMA WRITE completes when the
 * peer's TCP has acknowledged its last byte (so the buffer may be reused at
 * once); an RDMA READ or atomic completes when its result is placed; a
 * receive completes when its message has arrived whole with a good CRC. When
 * a QP enters the error state every outstanding work request completes, in
 * order, with RTE_IWARP_WC_WR_FLUSH_ERR.
 *
 * Protection: every tagged access of the peer is checked against the STag
 * table (valid and not invalidated STag, same PD, access right, bounds). A
 * violation sends the RFC 5040/5041 TERMINATE message, puts the QP in ERROR
 * and writes no byte.
 *
 * Threading, inline mode (the default): a device and everything created on
 * it belong to one thread, the one that calls rte_iwarp_dev_poll() or polls
 * its CQs (which progresses the device). Nothing is locked; no call is
 * thread-safe.
 *
 * Threading, service mode: one engine lcore calls rte_iwarp_dev_poll() in a
 * loop; application threads post and poll without locks.
 * rte_iwarp_post_send(), rte_iwarp_post_recv() and rte_iwarp_post_srq_recv()
 * copy the requests into a channel: a single-producer/single-consumer ring
 * (rte_ring_elem) that the engine drains. A device has one default channel;
 * rte_iwarp_svc_channel_create() makes more, and rte_iwarp_qp_set_channel()
 * / rte_iwarp_srq_set_channel() route a QP's or SRQ's posts through one.
 * rte_iwarp_poll_cq(), rte_iwarp_req_notify_cq() and rte_iwarp_cq_event()
 * read the CQ's own ring, which the engine fills (acquire / release indexes).
 * The rules, as rte_ring's single-producer/single-consumer rules:
 * - the QPs and SRQs of one channel are posted to by one thread at a time
 *   (the channel's producer); the default channel counts as one channel, so
 *   without rte_iwarp_svc_channel_create() one application thread per device
 *   posts;
 * - a CQ is polled (and armed, and its event read) by one thread at a time;
 * - several application threads may run at once when each posts through its
 *   own channel and polls its own CQs; a QP and its CQs may change thread
 *   only with a synchronisation between the two threads (as any object);
 * - threads that are not EAL lcores may post and poll (the engine is told
 *   apart by its lcore id), and the threads may share cores with the engine:
 *   nothing spins waiting for another thread, except rte_iwarp_dev_call().
 * A post that returned 0 is in its queue before the engine processes any
 * frame it takes from the port afterwards (the engine drains every channel
 * after each receive burst, before it processes the burst): a receive posted
 * before the peer was told to send is there when the SEND arrives. A local
 * operation of the send queue (REG_MR, BIND_MW, LOCAL_INV) takes effect when
 * the send queue reaches it, in either mode: its completion, or a message
 * posted behind it on the same QP, tells the peer that it has.
 * Every other call (objects, CM, queries, channels) runs on the engine: make
 * it through rte_iwarp_dev_call(), or directly before the engine first
 * polls. Before it runs a call the engine drains every channel, so a call
 * sees the posts its caller made before it (a QP may be destroyed right after
 * a post). Posts made before the engine first polls (set-up: receives,
 * REG_MR, first sends) or on the engine lcore go straight to the queues; the
 * application's later posts count them in the queue room. In service mode
 * the post calls check the request's form (opcode, SGE count, inline size,
 * queue room) and return those errors; an lkey or SGE bound error found by
 * the engine completes that request with RTE_IWARP_WC_LOC_PROT_ERR and moves
 * the QP to ERROR, as HCAs report it.
 *
 * Nothing here prints or exits: messages go to the log types `lib.iwarp`
 * and `lib.iwarp.cm`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "rte_iwarp_common.h"
#include "rte_iwarp_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Device                                                                    */
/* ------------------------------------------------------------------------- */

/** How the engine is progressed. */
enum rte_iwarp_mode {
	RTE_IWARP_MODE_INLINE = 0, /**< the owner thread progresses it while polling */
	RTE_IWARP_MODE_SERVICE,    /**< an engine lcore progresses it (see below) */
};

/**
 * Where the payloads of large messages are sent from. A message that fits one
 * FPDU is always copied into the segment (several small ones share it); the
 * FPDUs of larger messages are either copied too, in the pass that computes
 * their CRC, or referenced in place in registered memory (external mbufs:
 * three per FPDU, and TCP's references to them per segment).
 */
enum rte_iwarp_tx_zero_copy {
	/**
	 * In place when the port computes the TCP checksum (the CPU then reads
	 * the payload once, for the CRC), copied otherwise: where the CPU sums
	 * the segment anyway, copying costs fewer instructions than the chains
	 * (docs/design.md has the counts).
	 */
	RTE_IWARP_TX_ZC_AUTO = 0,
	RTE_IWARP_TX_ZC_ALWAYS,   /**< in place whenever IOVAs are virtual addresses */
	RTE_IWARP_TX_ZC_NEVER,    /**< always copied */
};

/** Device configuration. Zero values select the defaults noted. */
struct rte_iwarp_dev_conf {
	struct rte_iwarp_port *port; /**< open port (rte_iwarp_port_open(); required) */
	uint16_t queue;         /**< its queue this engine owns */
	rte_be32_t ip;          /**< local IPv4 address (required) */
	rte_be32_t netmask;     /**< default 255.255.255.0 */
	rte_be32_t gateway;     /**< 0: none */
	uint32_t max_qps;       /**< QP table size (default 16384); the TCP
				 *   connection table holds max_qps + 1024 */
	uint32_t max_stags;     /**< STag table size (default 65536) */
	uint32_t max_cm_events; /**< CM event queue depth (default 4096, power of 2) */
	enum rte_iwarp_mode mode; /**< RTE_IWARP_MODE_INLINE */
	bool no_gratuitous_arp; /**< skip the gratuitous ARP at start */
	enum rte_iwarp_tx_zero_copy tx_zero_copy; /**< RTE_IWARP_TX_ZC_AUTO */
	/**
	 * TCP's minimum retransmission timeout of the device's connections, in
	 * microseconds: 0 takes the default, 200 ms (Linux's; RFC 6298 says 1 s).
	 * A datacenter link with microsecond round trips recovers a tail loss
	 * sooner with a few milliseconds. At least 1,000 (1 ms), at most 60 s.
	 */
	uint32_t tcp_rto_min_us;
	/**
	 * Admission control: mbufs the TCP send queues of the device's
	 * connections may hold together (data sent and not yet acknowledged,
	 * and data waiting to be sent). The rest of the port's pool stays for
	 * what must always find a buffer: the copies of segments in flight,
	 * retransmissions, ACKs, received frames, TERMINATE messages. Past half
	 * of it, a QP that holds its share (the limit divided by the
	 * connections with queued data) waits, so one stalled peer cannot take
	 * it all. A work request that finds no room stays on its send queue and
	 * goes on as acknowledgements free mbufs (rte_iwarp_dev_stats
	 * .tx_admit_wait counts the waits). 0 takes a quarter of the pool;
	 * at least 64, at most the pool's size.
	 */
	uint32_t tx_sndq_mbufs;
};

struct rte_iwarp_dev;

/**
 * Open an engine on a port queue (a port of rte_iwarp_port_open()): creates the network stack instance, TCP
 * and the STag table.
 * @param conf
 *   Configuration.
 * @return
 *   The device, or NULL with rte_errno: EINVAL (no port, no address, bad
 *   queue, tcp_rto_min_us or tx_sndq_mbufs out of range), ENOMEM, or an
 *   error of the network stack.
 */
struct rte_iwarp_dev *rte_iwarp_dev_open(const struct rte_iwarp_dev_conf *conf);

/**
 * Close a device: aborts every connection, frees every QP, CQ, SRQ, MR, MW,
 * PD and CM identifier still open on it, and the network stack. What the
 * connections have queued (a TERMINATE and its FIN, RSTs) is sent once first. The port is
 * left open (the caller closes it). In service mode the engine lcore must
 * have stopped polling first. NULL is accepted.
 */
void rte_iwarp_dev_close(struct rte_iwarp_dev *dev);

/**
 * Progress the engine once: receive and place, run the CM, transmit posted
 * work requests, run TCP timers.
 * @return the amount of work done: 0 when the poll was idle (nothing
 *   received, sent, placed, completed or delivered; it then counts in the
 *   device's polls but not its busy_polls), or -EINVAL for NULL.
 */
int rte_iwarp_dev_poll(struct rte_iwarp_dev *dev);

/**
 * Inline data of a service-mode post that fits in one slot of its channel's
 * ring; longer inline data (up to the QP's max_inline_data) takes further
 * slots of the same enqueue.
 */
#define RTE_IWARP_SVC_MAX_INLINE 256

/** A service-mode channel: the request ring of one application thread. */
struct rte_iwarp_svc_channel;
struct rte_iwarp_qp;
struct rte_iwarp_srq;

/**
 * Create a channel of a service-mode device: a single-producer /
 * single-consumer request ring that the engine drains from then on, for one
 * more application thread (see "Threading, service mode" above). Any thread
 * may call it (it goes through rte_iwarp_dev_call()).
 * @return
 *   The channel, or NULL with rte_errno: EINVAL (NULL device, inline mode),
 *   ENOSPC (64 channels, the default one included), ENOMEM.
 */
__rte_iwarp_experimental
struct rte_iwarp_svc_channel *rte_iwarp_svc_channel_create(struct rte_iwarp_dev *dev);

/**
 * Free a channel that no QP or SRQ uses any more (requests still in it run
 * first). Any thread may call it. NULL is accepted. Channels still open when
 * the device closes are freed with it (do not free them afterwards).
 * @return 0, -EBUSY (a QP or SRQ is bound to it).
 */
__rte_iwarp_experimental
int rte_iwarp_svc_channel_free(struct rte_iwarp_svc_channel *ch);

/**
 * Route a QP's posts (send and receive) through a channel, NULL for the
 * device's default one. Call it from the thread that has posted to the QP
 * so far (its earlier posts run first) or before any post; from then on the
 * channel's producer posts to the QP. Destroying the QP unbinds it.
 * @return 0, -EINVAL (NULL QP, inline mode, channel of another device).
 */
__rte_iwarp_experimental
int rte_iwarp_qp_set_channel(struct rte_iwarp_qp *qp, struct rte_iwarp_svc_channel *ch);

/** The same for an SRQ's posts. @return 0, -EINVAL. */
__rte_iwarp_experimental
int rte_iwarp_srq_set_channel(struct rte_iwarp_srq *srq, struct rte_iwarp_svc_channel *ch);

/**
 * Run fn(arg) on the device's engine and return its result: at once when
 * called on the engine lcore, in inline mode, or before the engine has first
 * polled; otherwise through the engine's call ring, waiting (spinning) until
 * the engine has run it. Any thread may call it.
 * @return fn's return value; -EINVAL (NULL).
 */
int rte_iwarp_dev_call(struct rte_iwarp_dev *dev, int (*fn)(void *arg), void *arg);

/** Device counters (monotonic). */
struct rte_iwarp_dev_stats {
	uint64_t tx_fpdus;        /**< FPDUs handed to TCP */
	uint64_t tx_zc_fpdus;     /**< of which payload sent in place (zero copy) */
	uint64_t rx_fpdus;        /**< FPDUs received whole */
	uint64_t tx_terminate;    /**< TERMINATE messages sent */
	uint64_t rx_terminate;    /**< TERMINATE messages received */
	uint64_t cq_overflows;    /**< completions lost to a full CQ */
	uint64_t tx_nombuf;       /**< transmit deferred: no mbuf */
	uint64_t cm_timeouts;     /**< MPA exchanges timed out */
	uint64_t polls;           /**< rte_iwarp_dev_poll() calls (also through poll_cq) */
	uint64_t busy_polls;      /**< of which did work (returned > 0) */
	uint64_t rx_frames;       /**< frames the engine received from its port queue */
	uint64_t tx_frames;       /**< frames it handed to the port (data and ACKs) */
	uint64_t tx_segs;         /**< TCP segments it sent (data, ACKs, control) */
	uint64_t tx_data_segs;    /**< of which carried data */
	uint64_t tx_rexmit;       /**< TCP segments retransmitted */
	/**
	 * Times a QP's transmission waited for admission control: the mbufs
	 * the device's TCP send queues may hold were taken (the work request
	 * stays queued and goes on when acknowledgements free some).
	 */
	uint64_t tx_admit_wait;
	uint64_t tx_sndq_mbufs;   /**< mbufs the TCP send queues hold now */
	uint64_t tx_sndq_mbufs_max; /**< admission limit on them */
};

/** Read the counters. @return 0, -EINVAL. */
int rte_iwarp_dev_stats_get(const struct rte_iwarp_dev *dev, struct rte_iwarp_dev_stats *st);

/**
 * The device's busy polls so far (rte_iwarp_dev_stats.busy_polls) without
 * gathering the other counters: for an application that accounts its busy
 * cycles in its poll loop (a poll of rte_iwarp_poll_cq() in inline mode
 * polls the engine; the count moving says that poll did work). The engine
 * lcore's counter: read it there, or take it as approximate elsewhere.
 * @return the count, or 0 for NULL.
 */
__rte_iwarp_experimental
uint64_t rte_iwarp_dev_busy_polls(const struct rte_iwarp_dev *dev);

/* ------------------------------------------------------------------------- */
/* Protection domains, memory regions, memory windows                        */
/* ------------------------------------------------------------------------- */

/** Access flags (ibverbs IBV_ACCESS_*). */
#define RTE_IWARP_ACCESS_LOCAL_WRITE   (1u << 0)
#define RTE_IWARP_ACCESS_REMOTE_WRITE  (1u << 1)
#define RTE_IWARP_ACCESS_REMOTE_READ   (1u << 2)
#define RTE_IWARP_ACCESS_REMOTE_ATOMIC (1u << 3)
#define RTE_IWARP_ACCESS_MW_BIND       (1u << 4)

/** A protection domain. */
struct rte_iwarp_pd {
	struct rte_iwarp_dev *dev; /**< owner device */
	uint32_t handle;           /**< non-zero */
	uint32_t refs;             /**< MRs, MWs, QPs and SRQs using it (internal) */
};

/** A memory region. Fields are read-only. */
struct rte_iwarp_mr {
	struct rte_iwarp_pd *pd;
	void *addr;                /**< first byte */
	uint64_t length;
	uint32_t lkey;             /**< local key (= the STag) */
	uint32_t rkey;             /**< STag to give the peer (never 0) */
	uint32_t access;           /**< RTE_IWARP_ACCESS_* */
	bool fast_reg;             /**< allocated by rte_iwarp_alloc_mr() */
};

/** Memory window types. */
enum rte_iwarp_mw_type {
	RTE_IWARP_MW_TYPE_1 = 1,   /**< bound by rte_iwarp_bind_mw(), PD-wide */
	RTE_IWARP_MW_TYPE_2 = 2,   /**< bound by a BIND_MW work request, one QP */
};

/** A memory window. Fields are read-only. */
struct rte_iwarp_mw {
	struct rte_iwarp_pd *pd;
	uint32_t rkey;             /**< current STag (changes with each bind) */
	enum rte_iwarp_mw_type type;
};

/**
 * Allocate a protection domain.
 * @return the PD, or NULL with rte_errno: EINVAL, ENOMEM.
 */
struct rte_iwarp_pd *rte_iwarp_alloc_pd(struct rte_iwarp_dev *dev);

/**
 * Free a PD.
 * @return 0; -EINVAL (NULL); -EBUSY (MRs, MWs or QPs still use it).
 */
int rte_iwarp_dealloc_pd(struct rte_iwarp_pd *pd);

/**
 * Register application memory (hugepage or not): the peer addresses it at
 * tagged offsets equal to its virtual addresses.
 * @param pd
 *   Protection domain.
 * @param addr
 *   First byte.
 * @param length
 *   Bytes (> 0).
 * @param access
 *   RTE_IWARP_ACCESS_* (remote write and remote atomic need local write, as
 *   in ibverbs).
 * @return
 *   The MR, or NULL with rte_errno: EINVAL (NULL, length 0, bad flags),
 *   ENOSPC (STag table full), ENOMEM.
 */
struct rte_iwarp_mr *rte_iwarp_reg_mr(struct rte_iwarp_pd *pd, void *addr, size_t length,
				      uint32_t access);

/**
 * Allocate a fast-register MR: invalid until a REG_MR work request
 * registers it.
 * @return the MR, or NULL with rte_errno: EINVAL, ENOSPC, ENOMEM.
 */
struct rte_iwarp_mr *rte_iwarp_alloc_mr(struct rte_iwarp_pd *pd);

/**
 * Deregister an MR.
 * @return 0; -EINVAL (NULL); -EBUSY (windows are bound in it).
 */
int rte_iwarp_dereg_mr(struct rte_iwarp_mr *mr);

/**
 * Allocate a memory window.
 * @return the MW, or NULL with rte_errno: EINVAL, ENOSPC, ENOMEM.
 */
struct rte_iwarp_mw *rte_iwarp_alloc_mw(struct rte_iwarp_pd *pd, enum rte_iwarp_mw_type type);

/** Free a memory window. @return 0, -EINVAL. */
int rte_iwarp_dealloc_mw(struct rte_iwarp_mw *mw);

/** What a window is bound to. */
struct rte_iwarp_mw_bind_info {
	struct rte_iwarp_mr *mr;   /**< MR with RTE_IWARP_ACCESS_MW_BIND */
	uint64_t addr;             /**< first byte (inside the MR) */
	uint64_t length;
	uint32_t mw_access_flags;  /**< RTE_IWARP_ACCESS_REMOTE_* */
};

/* ------------------------------------------------------------------------- */
/* Completion queues                                                         */
/* ------------------------------------------------------------------------- */

/** Completion status (ibverbs enum ibv_wc_status, same order). */
enum rte_iwarp_wc_status {
	RTE_IWARP_WC_SUCCESS = 0,
	RTE_IWARP_WC_LOC_LEN_ERR,
	RTE_IWARP_WC_LOC_QP_OP_ERR,
	RTE_IWARP_WC_LOC_EEC_OP_ERR,
	RTE_IWARP_WC_LOC_PROT_ERR,
	RTE_IWARP_WC_WR_FLUSH_ERR,
	RTE_IWARP_WC_MW_BIND_ERR,
	RTE_IWARP_WC_BAD_RESP_ERR,
	RTE_IWARP_WC_LOC_ACCESS_ERR,
	RTE_IWARP_WC_REM_INV_REQ_ERR,
	RTE_IWARP_WC_REM_ACCESS_ERR,
	RTE_IWARP_WC_REM_OP_ERR,
	RTE_IWARP_WC_RETRY_EXC_ERR,
	RTE_IWARP_WC_RNR_RETRY_EXC_ERR,
	RTE_IWARP_WC_LOC_RDD_VIOL_ERR,
	RTE_IWARP_WC_REM_INV_RD_REQ_ERR,
	RTE_IWARP_WC_REM_ABORT_ERR,
	RTE_IWARP_WC_INV_EECN_ERR,
	RTE_IWARP_WC_INV_EEC_STATE_ERR,
	RTE_IWARP_WC_FATAL_ERR,
	RTE_IWARP_WC_RESP_TIMEOUT_ERR,
	RTE_IWARP_WC_GENERAL_ERR,
};

/** Completion opcodes (ibverbs enum ibv_wc_opcode). */
enum rte_iwarp_wc_opcode {
	RTE_IWARP_WC_SEND = 0,
	RTE_IWARP_WC_RDMA_WRITE,
	RTE_IWARP_WC_RDMA_READ,
	RTE_IWARP_WC_COMP_SWAP,
	RTE_IWARP_WC_FETCH_ADD,
	RTE_IWARP_WC_BIND_MW,
	RTE_IWARP_WC_LOCAL_INV,
	RTE_IWARP_WC_REG_MR,
	RTE_IWARP_WC_RECV = 128,           /**< receive: SEND variants */
	RTE_IWARP_WC_RECV_RDMA_WITH_IMM,   /**< receive: RDMA WRITE with immediate */
};

/** Completion flags. */
#define RTE_IWARP_WC_WITH_IMM   (1u << 1) /**< imm_data valid */
#define RTE_IWARP_WC_WITH_INV   (1u << 3) /**< invalidated_rkey valid */
#define RTE_IWARP_WC_SOLICITED  (1u << 8) /**< the message asked for a solicited event */

/** A work completion. */
struct rte_iwarp_wc {
	uint64_t wr_id;
	enum rte_iwarp_wc_status status;
	enum rte_iwarp_wc_opcode opcode;
	uint32_t byte_len;         /**< receives and READs: bytes placed */
	rte_be32_t imm_data;       /**< with RTE_IWARP_WC_WITH_IMM */
	uint32_t invalidated_rkey; /**< with RTE_IWARP_WC_WITH_INV */
	uint32_t qp_num;
	uint32_t wc_flags;         /**< RTE_IWARP_WC_WITH_* */
	uint32_t vendor_err;       /**< the TERMINATE cause (layer << 16 | etype << 8 | ecode) */
};

struct rte_iwarp_cq;

/**
 * Create a completion queue.
 * @param dev
 *   Device.
 * @param cqe
 *   Depth (rounded up to a power of 2; at most 1 << 22).
 * @param cq_context
 *   User pointer (rte_iwarp_cq_context()).
 * @return
 *   The CQ, or NULL with rte_errno: EINVAL, ENOMEM.
 */
struct rte_iwarp_cq *rte_iwarp_create_cq(struct rte_iwarp_dev *dev, uint32_t cqe,
					 void *cq_context);

/** Destroy a CQ. @return 0; -EINVAL (NULL); -EBUSY (QPs or SRQs use it). */
int rte_iwarp_destroy_cq(struct rte_iwarp_cq *cq);

/**
 * Poll completions. On an inline-mode device this first progresses the
 * device once.
 * @param cq
 *   CQ.
 * @param num_entries
 *   Room in wc.
 * @param wc
 *   Completions, oldest first.
 * @return
 *   The number of completions (0..num_entries); -EINVAL (bad arguments);
 *   -EOVERFLOW once the CQ has overflowed (completions were lost: the CQ is
 *   in error, and every QP that lost one is in ERROR). Overflow is never
 *   silent: every later poll returns -EOVERFLOW too.
 */
int rte_iwarp_poll_cq(struct rte_iwarp_cq *cq, int num_entries, struct rte_iwarp_wc *wc);

/**
 * Arm the CQ's event (ibv_req_notify_cq): the next completion (any, or
 * only a solicited receive or an error when solicited_only) sets the
 * event, read with rte_iwarp_cq_event().
 * @return 0, -EINVAL.
 */
int rte_iwarp_req_notify_cq(struct rte_iwarp_cq *cq, bool solicited_only);

/**
 * Read and clear the CQ's event (the completion channel of ibverbs, polled).
 * @return 1 if the armed event fired since rte_iwarp_req_notify_cq(), 0 if
 *   not, -EINVAL.
 */
int rte_iwarp_cq_event(struct rte_iwarp_cq *cq);

/** The CQ's user pointer. */
void *rte_iwarp_cq_context(const struct rte_iwarp_cq *cq);

/* ------------------------------------------------------------------------- */
/* Queue pairs and shared receive queues                                     */
/* ------------------------------------------------------------------------- */

/** QP states (ibverbs enum ibv_qp_state, with iWARP's TERMINATE). */
enum rte_iwarp_qp_state {
	RTE_IWARP_QPS_RESET = 0,
	RTE_IWARP_QPS_INIT,        /**< created: receives may be posted */
	RTE_IWARP_QPS_RTR,         /**< MPA done, waiting for the peer's RTR */
	RTE_IWARP_QPS_RTS,         /**< connected */
	RTE_IWARP_QPS_SQD,         /**< not used */
	RTE_IWARP_QPS_TERMINATE,   /**< a TERMINATE is being sent */
	RTE_IWARP_QPS_ERR,         /**< error: work requests are flushed */
};

/** QP capabilities. Zero values select the defaults noted. */
struct rte_iwarp_qp_cap {
	uint32_t max_send_wr;      /**< default 64 (rounded up to a power of 2) */
	uint32_t max_recv_wr;      /**< default 64 (ignored with an SRQ) */
	uint32_t max_send_sge;     /**< default 2, at most 16 */
	uint32_t max_recv_sge;     /**< default 2, at most 16 */
	uint32_t max_inline_data;  /**< default 64, at most 1024 */
	uint16_t max_rd_atomic;    /**< ORD: outstanding READ/atomic (default 8) */
	uint16_t max_dest_rd_atomic; /**< IRD: inbound READ/atomic (default 8) */
};

struct rte_iwarp_srq;

/** QP creation attributes (struct ibv_qp_init_attr). */
struct rte_iwarp_qp_init_attr {
	void *qp_context;
	struct rte_iwarp_cq *send_cq;
	struct rte_iwarp_cq *recv_cq;
	struct rte_iwarp_srq *srq;  /**< NULL: own receive queue */
	struct rte_iwarp_qp_cap cap; /**< in: wanted; out: granted */
	bool sq_sig_all;            /**< every send WR signalled */
};

struct rte_iwarp_qp;

/**
 * Create a reliable connected QP, in state INIT.
 * @return the QP, or NULL with rte_errno: EINVAL (NULL, CQ of another device,
 *   capability over its limit), ENOSPC (QP table full), ENOMEM.
 */
struct rte_iwarp_qp *rte_iwarp_create_qp(struct rte_iwarp_pd *pd,
					 struct rte_iwarp_qp_init_attr *attr);

/**
 * Destroy a QP: a connected QP is aborted (RST) first, unless a TERMINATE
 * was queued, sent or received: then the TERMINATE still queued goes out
 * and TCP closes in order behind it (RFC 5040 section 7.1), and the memory
 * of requests sent before it must stay mapped until the device closes (TCP
 * may still send it, zero copy). Outstanding work requests are discarded
 * without completions.
 * @return 0, -EINVAL.
 */
int rte_iwarp_destroy_qp(struct rte_iwarp_qp *qp);

/**
 * Move a QP to ERROR (the only transition the application makes itself;
 * the CM makes the others): outstanding work requests are flushed in order.
 * @return 0; -EINVAL (NULL, or a state other than RTE_IWARP_QPS_ERR asked).
 */
int rte_iwarp_modify_qp_state(struct rte_iwarp_qp *qp, enum rte_iwarp_qp_state state);

/** QP attributes (query). */
struct rte_iwarp_qp_attr {
	enum rte_iwarp_qp_state state;
	uint32_t qp_num;
	struct rte_iwarp_qp_cap cap;
	uint16_t ird, ord;          /**< negotiated */
	bool crc, markers_tx, markers_rx; /**< negotiated framing */
	uint8_t mpa_rev;
	uint32_t term_sent;         /**< TERMINATE sent: layer << 16 | etype << 8 | ecode,
				     *   or UINT32_MAX when none */
	uint32_t term_received;     /**< TERMINATE received, same encoding */
};

/** Query a QP. @return 0, -EINVAL. */
int rte_iwarp_query_qp(const struct rte_iwarp_qp *qp, struct rte_iwarp_qp_attr *attr);

/** The QP number. */
uint32_t rte_iwarp_qp_num(const struct rte_iwarp_qp *qp);

/** The QP's user pointer. */
void *rte_iwarp_qp_context(const struct rte_iwarp_qp *qp);

/** SRQ creation attributes. */
struct rte_iwarp_srq_init_attr {
	void *srq_context;
	uint32_t max_wr;            /**< default 256 (power of 2) */
	uint32_t max_sge;           /**< default 2, at most 16 */
};

/**
 * Create a shared receive queue.
 * @return the SRQ, or NULL with rte_errno: EINVAL, ENOMEM.
 */
struct rte_iwarp_srq *rte_iwarp_create_srq(struct rte_iwarp_pd *pd,
					   const struct rte_iwarp_srq_init_attr *attr);

/** Destroy an SRQ. @return 0, -EINVAL, -EBUSY (QPs use it). */
int rte_iwarp_destroy_srq(struct rte_iwarp_srq *srq);

/* ------------------------------------------------------------------------- */
/* Work requests                                                             */
/* ------------------------------------------------------------------------- */

/** Send work request opcodes (ibverbs enum ibv_wr_opcode, same values). */
enum rte_iwarp_wr_opcode {
	RTE_IWARP_WR_RDMA_WRITE = 0,
	RTE_IWARP_WR_RDMA_WRITE_WITH_IMM,  /**< WRITE then RFC 7306 Immediate Data */
	RTE_IWARP_WR_SEND,                 /**< SEND, or SEND_SE with SOLICITED */
	RTE_IWARP_WR_SEND_WITH_IMM,        /**< not supported by iWARP: -EOPNOTSUPP */
	RTE_IWARP_WR_RDMA_READ,            /**< into up to max_send_sge SGEs */
	RTE_IWARP_WR_ATOMIC_CMP_AND_SWP,   /**< RFC 7306; one 8-byte SGE for the result */
	RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD, /**< RFC 7306; one 8-byte SGE for the result */
	RTE_IWARP_WR_LOCAL_INV,
	RTE_IWARP_WR_BIND_MW,
	RTE_IWARP_WR_SEND_WITH_INV,        /**< SEND_INV, or SEND_SE_INV with SOLICITED */
	RTE_IWARP_WR_TSO,                  /**< not supported: -EOPNOTSUPP */
	RTE_IWARP_WR_DRIVER1,              /**< not supported: -EOPNOTSUPP */
	RTE_IWARP_WR_REG_MR,               /**< fast-register (IBV_WR_REG_MR) */
};

/** Send flags (ibverbs IBV_SEND_*). */
#define RTE_IWARP_SEND_FENCE     (1u << 0) /**< wait for earlier READs/atomics */
#define RTE_IWARP_SEND_SIGNALED  (1u << 1) /**< produce a completion on success */
#define RTE_IWARP_SEND_SOLICITED (1u << 2) /**< SEND_SE / SEND_SE_INV / IMM_DATA_SE */
#define RTE_IWARP_SEND_INLINE    (1u << 3) /**< copy the data at post time */

/** A scatter/gather element. */
struct rte_iwarp_sge {
	uint64_t addr;
	uint32_t length;
	uint32_t lkey;
};

/** A send work request (struct ibv_send_wr). */
struct rte_iwarp_send_wr {
	uint64_t wr_id;
	struct rte_iwarp_send_wr *next;
	struct rte_iwarp_sge *sg_list;
	int num_sge;
	enum rte_iwarp_wr_opcode opcode;
	unsigned int send_flags;
	rte_be32_t imm_data;        /**< RDMA_WRITE_WITH_IMM */
	uint32_t invalidate_rkey;   /**< SEND_WITH_INV, LOCAL_INV */
	union {
		struct {
			uint64_t remote_addr;
			uint32_t rkey;
		} rdma;
		struct {
			uint64_t remote_addr;
			uint64_t compare_add;
			uint64_t swap;
			uint32_t rkey;
		} atomic;
		struct {
			struct rte_iwarp_mw *mw;
			uint32_t rkey;      /**< the new STag: its key byte is taken */
			struct rte_iwarp_mw_bind_info bind_info;
		} bind_mw;
		struct {
			struct rte_iwarp_mr *mr; /**< from rte_iwarp_alloc_mr() */
			void *addr;         /**< memory to register */
			uint64_t iova;      /**< tagged offset of its first byte */
			uint64_t length;
			uint32_t key;       /**< the new key byte (low 8 bits) */
			uint32_t access;
		} reg;
	} wr;
};

/** A receive work request (struct ibv_recv_wr). */
struct rte_iwarp_recv_wr {
	uint64_t wr_id;
	struct rte_iwarp_recv_wr *next;
	struct rte_iwarp_sge *sg_list;
	int num_sge;
};

/**
 * Post a list of send work requests.
 * @param qp
 *   QP (INIT, RTR, RTS; in ERROR the requests are accepted and flushed).
 * @param wr
 *   First of a list linked by next.
 * @param bad_wr
 *   On error: the first request not posted (it and the ones after it never
 *   complete).
 * @return
 *   0; -EINVAL (NULL, bad opcode fields, too many SGEs, an SGE outside its MR
 *   or with a bad lkey, inline data over the cap, QP in RESET); -ENOMEM (send
 *   queue full); -EOPNOTSUPP (opcode iWARP does not have).
 */
int rte_iwarp_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
			struct rte_iwarp_send_wr **bad_wr);

/**
 * Post a list of receive work requests to a QP's own receive queue.
 * @return 0; -EINVAL (NULL, too many SGEs, bad lkey or SGE outside its MR or
 *   without local write, QP with an SRQ); -ENOMEM (queue full).
 */
int rte_iwarp_post_recv(struct rte_iwarp_qp *qp, struct rte_iwarp_recv_wr *wr,
			struct rte_iwarp_recv_wr **bad_wr);

/** Post to a shared receive queue; errors as rte_iwarp_post_recv(). */
int rte_iwarp_post_srq_recv(struct rte_iwarp_srq *srq, struct rte_iwarp_recv_wr *wr,
			    struct rte_iwarp_recv_wr **bad_wr);

/**
 * Bind a type 1 memory window (ibv_bind_mw) at once; the new rkey is in
 * mw->rkey.
 * @return 0; -EINVAL (NULL, type 2 window, range outside the MR, MR without
 *   MW_BIND, access beyond the MR's, other PD).
 */
int rte_iwarp_bind_mw(struct rte_iwarp_mw *mw, const struct rte_iwarp_mw_bind_info *info);

/* ------------------------------------------------------------------------- */
/* Connection manager                                                        */
/* ------------------------------------------------------------------------- */

/** Ready-to-receive message types (peer-to-peer mode, RFC 6581). */
#define RTE_IWARP_RTR_WRITE 0x01   /**< zero-length RDMA WRITE */
#define RTE_IWARP_RTR_READ  0x02   /**< zero-length RDMA READ */
#define RTE_IWARP_RTR_SEND  0x04   /**< zero-length SEND */

/** Connection parameters (struct rdma_conn_param plus MPA options). */
struct rte_iwarp_conn_param {
	const void *private_data;   /**< at most 508 bytes with MPA v2 */
	uint16_t private_data_len;
	uint16_t ird;               /**< responder_resources; 0: the QP's IRD */
	uint16_t ord;               /**< initiator_depth; 0: the QP's ORD */
	uint8_t mpa_rev;            /**< 1 or 2 (0: 2) */
	bool no_crc;                /**< do not ask for CRC32c */
	bool markers;               /**< ask the peer to insert markers */
	bool no_p2p;                /**< client-server mode (no RTR exchange) */
	uint8_t rtr;                /**< RTE_IWARP_RTR_* offered/accepted (0: all) */
	uint32_t timeout_ms;        /**< MPA exchange timeout (0: 5000) */
	uint32_t first_fpdu_delay_ms; /**< initiator: hold every FPDU (the RTR too) this
				       *   long after the MPA reply; works around Linux
				       *   siw's first-FPDU race (0: none) */
};

/** CM event types (enum rdma_cm_event_type subset). */
enum rte_iwarp_cm_event_type {
	RTE_IWARP_CM_EVENT_CONNECT_REQUEST = 1, /**< on a listener: a new id */
	RTE_IWARP_CM_EVENT_ESTABLISHED,
	RTE_IWARP_CM_EVENT_REJECTED,           /**< the peer rejected (private data) */
	RTE_IWARP_CM_EVENT_CONNECT_ERROR,      /**< MPA failed or timed out */
	RTE_IWARP_CM_EVENT_UNREACHABLE,        /**< TCP could not connect */
	RTE_IWARP_CM_EVENT_DISCONNECTED,
	RTE_IWARP_CM_EVENT_TERMINATE,          /**< the QP received or sent a TERMINATE */
	RTE_IWARP_CM_EVENT_CQ_ERROR,           /**< a CQ of the QP overflowed (status
						*   -EOVERFLOW); the QP is in ERROR
						*   and sent its peer a TERMINATE
						*   (RDMAP Local Catastrophic Error,
						*   code 0xff: TERMINATE event next) */
};

struct rte_iwarp_cm_id;

/** A CM event. Valid until rte_iwarp_cm_ack_event(). */
struct rte_iwarp_cm_event {
	enum rte_iwarp_cm_event_type event;
	struct rte_iwarp_cm_id *id;        /**< the connection */
	struct rte_iwarp_cm_id *listen_id; /**< CONNECT_REQUEST: its listener */
	int status;                        /**< 0 or a negative errno */
	const void *private_data;          /**< the peer's (CONNECT_REQUEST, ESTABLISHED
					    *   on the initiator, REJECTED) */
	uint16_t private_data_len;
	uint16_t ird, ord;                 /**< the peer's offer (CONNECT_REQUEST) */
	uint32_t term;                     /**< TERMINATE: layer << 16 | etype << 8 | ecode */
};

/**
 * Listen for connections.
 * @param dev
 *   Device.
 * @param port
 *   TCP port.
 * @param backlog
 *   Connections not yet accepted (0: 128).
 * @param param
 *   MPA policy for accepted connections (NULL: defaults).
 * @param context
 *   User pointer of the listener id.
 * @return
 *   The listening id, or NULL with rte_errno: EINVAL, EADDRINUSE, ENOMEM.
 */
struct rte_iwarp_cm_id *rte_iwarp_listen(struct rte_iwarp_dev *dev, uint16_t port,
					 uint32_t backlog,
					 const struct rte_iwarp_conn_param *param,
					 void *context);

/**
 * Connect a QP (state INIT) to a listener: TCP connect, MPA request,
 * negotiation; ESTABLISHED, REJECTED, CONNECT_ERROR or UNREACHABLE follows.
 * @param qp
 *   QP to connect.
 * @param dst
 *   Remote address.
 * @param port
 *   Remote TCP port.
 * @param param
 *   Private data, IRD/ORD, MPA options (NULL: defaults).
 * @param context
 *   User pointer of the id.
 * @return
 *   The id, or NULL with rte_errno: EINVAL (NULL, QP not in INIT or already
 *   connected, private data too long), ENOMEM, EADDRINUSE.
 */
struct rte_iwarp_cm_id *rte_iwarp_connect(struct rte_iwarp_qp *qp, rte_be32_t dst,
					  uint16_t port,
					  const struct rte_iwarp_conn_param *param, void *context);

/**
 * Accept a connection request with a QP (state INIT); ESTABLISHED follows
 * (after the peer's RTR in peer-to-peer mode).
 * @return 0; -EINVAL (NULL, not a pending request, QP busy); -ECONNREFUSED
 *   (the request cannot be accepted under param: a reject was sent);
 *   -ENOTCONN (the connection is gone).
 */
int rte_iwarp_accept(struct rte_iwarp_cm_id *id, struct rte_iwarp_qp *qp,
		     const struct rte_iwarp_conn_param *param);

/**
 * Reject a connection request with private data (an MPA reply with R set).
 * @return 0; -EINVAL; -ENOTCONN.
 */
int rte_iwarp_reject(struct rte_iwarp_cm_id *id, const void *private_data,
		     uint16_t private_data_len);

/**
 * Disconnect: the QP goes to ERROR (outstanding requests flushed) and TCP
 * closes in order; when sent data is still unacknowledged the connection is
 * reset instead, so that no flushed buffer is read again (zero-copy
 * transmit), unless a TERMINATE was queued, sent or received: the TERMINATE
 * is the stream's last message and the close stays in order (the memory of
 * the flushed requests must then stay registered until the device closes).
 * It may be called in the very poll that reports the TERMINATE event, and
 * the device may be closed right after. DISCONNECTED follows on both sides.
 * @return 0; -EINVAL; -ENOTCONN (not connected, or the peer has closed
 *   already: a TERMINATE is followed by its sender's FIN).
 */
int rte_iwarp_disconnect(struct rte_iwarp_cm_id *id);

/**
 * Take the next CM event of the device. On an inline-mode device this first
 * progresses the device once.
 * @return 0 with *ev filled; -EAGAIN when none; -EINVAL.
 */
int rte_iwarp_cm_get_event(struct rte_iwarp_dev *dev, struct rte_iwarp_cm_event *ev);

/** Release an event (its private data). @return 0, -EINVAL. */
int rte_iwarp_cm_ack_event(struct rte_iwarp_cm_event *ev);

/**
 * Destroy an id: a listener stops listening; a connection is aborted if
 * still open. Its QP is not destroyed.
 * @return 0, -EINVAL.
 */
int rte_iwarp_cm_destroy_id(struct rte_iwarp_cm_id *id);

/** The id's user pointer. */
void *rte_iwarp_cm_context(const struct rte_iwarp_cm_id *id);

/** Set the id's user pointer (e.g. on a CONNECT_REQUEST id). */
void rte_iwarp_cm_set_context(struct rte_iwarp_cm_id *id, void *context);

/** The QP of a connected id, or NULL. */
struct rte_iwarp_qp *rte_iwarp_cm_qp(const struct rte_iwarp_cm_id *id);

/** Names of enum values (for logs). */
const char *rte_iwarp_wc_status_str(enum rte_iwarp_wc_status status);
const char *rte_iwarp_cm_event_str(enum rte_iwarp_cm_event_type type);

#ifdef __cplusplus
}
#endif

#endif /* RTE_IWARP_H */
