/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_VERBS_H
#define IWT_VERBS_H

/*
 * Helpers of the verbs integration tests: two engines (devices A = 0 and
 * B = 1) over a ring wire in one process, polled alternately on one core;
 * connection set-up through the CM; memory with PROT_NONE guard pages.
 */
#include <stdbool.h>
#include <stdint.h>

#include "iw_port.h"
#include "rte_iwarp.h"

#define IWT_V_IP_A RTE_BE32(RTE_IPV4(10, 9, 1, 1))
#define IWT_V_IP_B RTE_BE32(RTE_IPV4(10, 9, 1, 2))
#define IWT_V_PORT 4791

struct iwt_vpair {
	struct iw_port *port[2];
	struct rte_iwarp_dev *dev[2];
	struct rte_iwarp_pd *pd[2];
	struct rte_iwarp_cq *cq[2];
	struct rte_iwarp_qp *qp[2];
	struct rte_iwarp_cm_id *lid;
	struct rte_iwarp_cm_id *id[2];
	unsigned int pool_full[2];
};

/** EAL, a ring wire, a device, a PD and a CQ (depth cqe) on each end. @return 0 or -errno. */
int iwt_vpair_open(struct iwt_vpair *p, const char *name, uint32_t cqe);

/** The same with devices in a given driving mode. */
int iwt_vpair_open_mode(struct iwt_vpair *p, const char *name, uint32_t cqe,
			enum rte_iwarp_mode mode);

/** The same with extra EAL arguments (e.g. "-m 2048": they follow the defaults). */
int iwt_vpair_open_eal(struct iwt_vpair *p, const char *name, uint32_t cqe,
		       enum rte_iwarp_mode mode, const char *eal_args);

/**
 * The same with a device configuration of the caller's (port and ip are
 * filled in per side).
 */
int iwt_vpair_open_conf(struct iwt_vpair *p, const char *name, uint32_t cqe,
			const struct rte_iwarp_dev_conf *tmpl, const char *eal_args);

/** A QP on side i with the pair's PD and CQ (cap may be NULL). */
struct rte_iwarp_qp *iwt_vpair_qp(struct iwt_vpair *p, int i,
				  const struct rte_iwarp_qp_cap *cap);

/**
 * Connect qp a (side 0) to qp b (side 1) through the CM; listener on side 1
 * is created when missing. cparam/aparam: the connect and accept parameters.
 * @return 0 when both sides saw ESTABLISHED, else -errno (logged).
 */
int iwt_vpair_connect(struct iwt_vpair *p, struct rte_iwarp_qp *a, struct rte_iwarp_qp *b,
		      const struct rte_iwarp_conn_param *cparam,
		      const struct rte_iwarp_conn_param *aparam,
		      struct rte_iwarp_cm_id **ida, struct rte_iwarp_cm_id **idb);

/** Poll both devices once. */
void iwt_vpair_poll(struct iwt_vpair *p);

/** Poll both devices for ms milliseconds. */
void iwt_vpair_poll_ms(struct iwt_vpair *p, unsigned int ms);

/**
 * Collect n completions from cq, polling both devices, for at most ms.
 * @return the number collected (n unless timed out), or a negative errno
 *   returned by rte_iwarp_poll_cq().
 */
int iwt_vpair_wc(struct iwt_vpair *p, struct rte_iwarp_cq *cq, struct rte_iwarp_wc *wc, int n,
		 unsigned int ms);

/**
 * Wait for a CM event of a type on side i (other events are acked and
 * logged). @return 0 with *ev (to be acked by the caller), -ETIMEDOUT.
 */
int iwt_vpair_event(struct iwt_vpair *p, int i, enum rte_iwarp_cm_event_type type,
		    struct rte_iwarp_cm_event *ev, unsigned int ms);

/** Open a pair, create a QP on each side (caps may be NULL) and connect them. @return 0. */
int iwt_vpair_open_connected(struct iwt_vpair *p, const char *name, uint32_t cqe,
			     const struct rte_iwarp_qp_cap *ca, const struct rte_iwarp_qp_cap *cb,
			     const struct rte_iwarp_conn_param *cparam);

/** Post one send WR / a recv of one SGE; logs failures. @return 0 or -errno. */
int iwt_post_send1(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr);
int iwt_post_recv1(struct rte_iwarp_qp *qp, uint64_t wr_id, void *buf, uint32_t len,
		   uint32_t lkey);

/** Close everything; IWT_FAIL when mbufs are missing from a pool. */
int iwt_vpair_close(struct iwt_vpair *p);

/** Guarded memory: len bytes (page-rounded) between two PROT_NONE pages. */
struct iwt_gmem {
	uint8_t *base;  /**< mapping start (guard page) */
	uint8_t *buf;   /**< usable bytes */
	size_t len;     /**< usable length (page multiple) */
	size_t map_len;
};

int iwt_gmem_alloc(struct iwt_gmem *g, size_t len);
void iwt_gmem_free(struct iwt_gmem *g);

/* TERMINATE causes as rte_iwarp reports them: layer << 16 | etype << 8 | ecode */
#define IWT_TERM_RDMAP_PROT_INVALID_STAG 0x000100u /**< RFC 5040 7.2: READ source */
#define IWT_TERM_DDP_TAGGED_INVALID_STAG 0x010100u /**< RFC 5041 7.2: tagged sink */
#define IWT_TERM_RDMAP_LOCAL_CATASTROPHIC 0x0000ffu /**< RFC 5040 7.2, code unspecified */

/** Deterministic pattern fill and check (returns the first bad index or -1). */
void iwt_vfill(uint8_t *buf, size_t len, uint32_t seed);
long iwt_vcheck(const uint8_t *buf, size_t len, uint32_t seed);

#endif
