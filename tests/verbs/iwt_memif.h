/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_MEMIF_H
#define IWT_MEMIF_H

/*
 * Two-process verbs scenarios over net_memif. The case's process forks a
 * server and a client, each with its own EAL (own file prefix, own core),
 * net_memif port, device in the case's driving mode, PD, CQ, registered
 * memory and (unless the case says no_qp) one QP connected through the CM
 * with struct iwt_mpeer as private data both ways. A control channel between
 * the two (a socketpair made before the fork) carries "I posted", "check now"
 * and results, so a scenario is a server function and a client function.
 * The parent only supervises: a side that hangs past the case's timeout is
 * killed and the case fails saying which side and where it waited.
 *
 * Teardown: both sides say done, stop their engine, quiesce their port
 * (iw_port_quiesce: net_memif crashes if its peer goes while it polls), say
 * so, and only then close, each as soon as it has the other's word (in either
 * order: iw_port_close() stops a net_memif port in the EAL interrupt thread,
 * where net_memif handles the peer's disconnection). A side that fails sends
 * ABORT: the other stops waiting at once and fails too, naming the side that
 * failed first.
 *
 * Each side is its own process: a scenario keeps its state in file-scope
 * variables. Once the service-mode engine runs, control calls go through
 * iwt_mcall() (the helpers below do it); posts and polls are direct. Work
 * requests that must be posted before the connection belong in prepost,
 * which runs after the engine started (posts made before it would do as
 * well: the queue room counts them).
 */
#include <stdbool.h>
#include <stdint.h>

#include "iw_port.h"
#include "rte_iwarp.h"

#define IWT_M_SERVER 0
#define IWT_M_CLIENT 1

/** The sides' addresses and the server's TCP port. */
#define IWT_M_IP(role) ((role) == IWT_M_SERVER ? RTE_BE32(RTE_IPV4(10, 9, 7, 1)) : \
			RTE_BE32(RTE_IPV4(10, 9, 7, 2)))
#define IWT_M_PORT 7471

/** Every access right: what the harness registers its memory with. */
#define IWT_M_ACC_ALL (RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE | \
		       RTE_IWARP_ACCESS_REMOTE_READ | RTE_IWARP_ACCESS_REMOTE_ATOMIC | \
		       RTE_IWARP_ACCESS_MW_BIND)

/** What a side tells its peer in the CM private data. */
struct iwt_mpeer {
	uint64_t base;      /**< address of the side's registered memory */
	uint32_t rkey;      /**< its rkey */
	uint32_t key[7];    /**< the scenario's own values (STags, indexes) */
};

struct iwt_mside;

/** A control message tag from four characters. */
#define IWT_MTAG(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/** A two-process scenario. Zero fields take the defaults noted. */
struct iwt_mcase {
	const char *name;               /**< for logs */
	enum rte_iwarp_mode mode;       /**< RTE_IWARP_MODE_INLINE */
	size_t mem_len;                 /**< registered memory per side (1 MiB) */
	uint32_t cqe;                   /**< depth of the side's CQ (1024) */
	struct rte_iwarp_qp_cap cap;    /**< of the side's QP */
	bool no_qp;                     /**< no QP, no connection: the scenario connects */
	unsigned int timeout_s;         /**< the whole case, both sides (60) */
	/** Objects (CQs, QP, FRMRs, me.key[]) before the service engine runs. */
	int (*setup)(struct iwt_mside *s);
	/**
	 * Work requests to post before the connection (receives, REG_MR), after
	 * the service engine started: posted through its rings.
	 */
	int (*prepost)(struct iwt_mside *s);
	int (*server)(struct iwt_mside *s);
	int (*client)(struct iwt_mside *s);
};

/** One side (process) of a scenario. */
struct iwt_mside {
	const struct iwt_mcase *c;
	int role;                       /**< IWT_M_SERVER (listens) or IWT_M_CLIENT */
	const char *who;                /**< "server" or "client" */
	int ctl;                        /**< control socket to the peer process */
	struct iw_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;        /**< send and receive CQ of qp */
	struct rte_iwarp_qp *qp;        /**< set by setup, or created with c->cap */
	struct rte_iwarp_cm_id *id;     /**< qp's connection */
	struct rte_iwarp_cm_id *lid;    /**< the server's listener */
	uint8_t *mem;                   /**< c->mem_len bytes, zeroed, registered as mr */
	size_t mem_len;
	struct rte_iwarp_mr *mr;        /**< IWT_M_ACC_ALL */
	struct iwt_mpeer me, peer;      /**< private data sent and received */
	unsigned int engine_lcore;      /**< service mode: the lcore running the engine */
	volatile int engine_run;        /**< service mode: the engine loop runs */
	volatile int engine_stop;
	uint64_t next_peek;             /**< when to look for the peer's ABORT again */
	int peer_state;                 /**< internal: IWT_MPEER_* */
	uint8_t evpd[512];              /**< private data of the last iwt_mevent() */
};

/** Run a scenario in two processes and wait for both. @return IWT_PASS/FAIL/SKIP. */
int iwt_memif_run(const struct iwt_mcase *c);

/* Control channel. Messages are a tag and up to 1 KiB of data. */

/** Send a message to the peer process. @return 0 or -errno. */
int iwt_mctl_send(struct iwt_mside *s, uint32_t tag, const void *buf, size_t len);

/**
 * Wait (progressing the engine in inline mode) for the peer's next message,
 * which must have this tag; copy up to len bytes into buf (may be NULL).
 * @return the data length, or -1 after logging why (other tag, ABORT, the peer
 *   process gone, timeout).
 */
int iwt_mctl_recv(struct iwt_mside *s, uint32_t tag, void *buf, size_t len, unsigned int ms);

/** Both sides reach the same point (each sends tag and waits for it). @return IWT_PASS. */
int iwt_msync(struct iwt_mside *s, uint32_t tag);

/* Progress and waits that work in both driving modes. */

/** Inline mode (or before the engine runs): poll the device once; else yield. */
void iwt_mprogress(struct iwt_mside *s);

/** Progress for ms milliseconds. */
void iwt_mpoll_ms(struct iwt_mside *s, unsigned int ms);

/**
 * Collect n completions from cq in ms at most. @return the number collected,
 * a negative errno from rte_iwarp_poll_cq(), or -ECONNABORTED when the peer
 * failed meanwhile.
 */
int iwt_mwc(struct iwt_mside *s, struct rte_iwarp_cq *cq, struct rte_iwarp_wc *wc, int n,
	    unsigned int ms);

/** One successful completion of wr_id with opcode on cq (10 s). @return IWT_PASS. */
int iwt_mwc_expect(struct iwt_mside *s, struct rte_iwarp_cq *cq, uint64_t wr_id, int opcode,
		   struct rte_iwarp_wc *out);

/**
 * Wait for a CM event of a type (others are logged and dropped). The event
 * is acked already; its private data is copied to s->evpd. Goes through
 * rte_iwarp_dev_call() once the service engine runs. @return 0, -ETIMEDOUT.
 */
int iwt_mevent(struct iwt_mside *s, enum rte_iwarp_cm_event_type type,
	       struct rte_iwarp_cm_event *ev, unsigned int ms);

/** Run a control call on the engine (rte_iwarp_dev_call). */
int iwt_mcall(struct iwt_mside *s, int (*fn)(void *arg), void *arg);

/**
 * Connect another QP: the client connects it to the server's listener, the
 * server accepts the next request with it; both wait for ESTABLISHED and
 * learn the peer's private data (s->me sent, s->peer received).
 * @return IWT_PASS with *id, or IWT_FAIL.
 */
int iwt_mconnect(struct iwt_mside *s, struct rte_iwarp_qp *qp,
		 const struct rte_iwarp_conn_param *cp, struct rte_iwarp_cm_id **id);

/** rte_iwarp_disconnect() on the engine. @return its result. */
int iwt_mdisconnect(struct iwt_mside *s, struct rte_iwarp_cm_id *id);

/** rte_iwarp_query_qp() on the engine. @return its result. */
int iwt_mquery_qp(struct iwt_mside *s, struct rte_iwarp_qp *qp, struct rte_iwarp_qp_attr *a);

/** A QP on the side's PD with cq for both queues (srq may be NULL). */
struct rte_iwarp_qp *iwt_mqp(struct iwt_mside *s, struct rte_iwarp_cq *cq,
			     struct rte_iwarp_srq *srq, const struct rte_iwarp_qp_cap *cap);

#endif
