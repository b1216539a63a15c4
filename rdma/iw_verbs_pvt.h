/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_VERBS_PVT_H
#define IW_VERBS_PVT_H

/*
 * Private structures of the verbs layer: device, CQ, QP (send and receive
 * queues as power-of-two arrays of fixed-stride entries), SRQ, CM id.
 * Everything here belongs to the device's lcore.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <sys/queue.h>

#include "iw_fpdu.h"
#include "iw_mpa.h"
#include "iw_net.h"
#include "iw_stag.h"
#include "iw_tcp.h"
#include "rte_iwarp.h"

extern int iw_verbs_logtype;
extern int iw_cm_logtype;
#define RTE_LOGTYPE_IW_VERBS iw_verbs_logtype
#define RTE_LOGTYPE_IW_CM iw_cm_logtype
#define IW_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iw_verbs_logtype, "iwarp: " fmt "\n", ##__VA_ARGS__)
#define IW_LOG_DP(level, fmt, ...) \
	RTE_LOG_DP(level, IW_VERBS, "iwarp: " fmt "\n", ##__VA_ARGS__)
#define IW_CM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iw_cm_logtype, "iwarp.cm: " fmt "\n", ##__VA_ARGS__)

#define IW_MAX_SGE 16
#define IW_MAX_INLINE 1024
#define IW_TERM_NONE UINT32_MAX

/** A local SGE resolved at post time. */
struct iw_lsge {
	uint8_t *host;
	uint32_t len;
	uint32_t lkey;
};

/** Send WQE states. */
enum {
	IW_SWQE_QUEUED = 0,   /* posted, not transmitted */
	IW_SWQE_SENT,         /* transmitted; waiting for the ACK or the response */
	IW_SWQE_DONE,         /* may complete (status set) */
};

/** A send queue entry; followed by max(sge, inline) bytes. */
struct iw_swqe {
	uint64_t wr_id;
	uint8_t opcode;       /* enum rte_iwarp_wr_opcode */
	uint8_t flags;        /* RTE_IWARP_SEND_* */
	uint8_t num_sge;      /* 0 with inline data */
	uint8_t state;
	uint8_t status;       /* enum rte_iwarp_wc_status once DONE */
	uint8_t phase;        /* WRITE_WITH_IMM: 0 WRITE, 1 IMM */
	uint16_t rsvd;
	uint32_t total;       /* payload bytes */
	uint32_t imm_inv;     /* imm (host order of the be32) / invalidate STag */
	uint32_t rkey;
	uint32_t placed;      /* READ: bytes placed */
	uint32_t vendor_err;
	uint64_t remote_addr;
	uint64_t cmp_add;
	uint64_t swap;
	uint64_t end_off;     /* TCP stream offset of the last byte */
	union {
		struct rte_iwarp_mw *mw;
		struct rte_iwarp_mr *mr;
	};
	uint64_t aux_addr;    /* bind: addr; reg: iova */
	uint64_t aux_len;
	void *aux_host;       /* reg: memory */
	uint32_t aux_key;     /* bind: MR lkey; reg: key */
	uint32_t aux_access;
	/* struct iw_lsge sge[] or inline bytes follow */
};

/** A receive queue entry; followed by its SGEs. */
struct iw_rwqe {
	uint64_t wr_id;
	uint32_t num_sge;
	uint32_t total;
	/* struct iw_lsge sge[] follow */
};

static inline struct iw_lsge *
iw_swqe_sge(struct iw_swqe *w)
{
	return (struct iw_lsge *)(w + 1);
}

static inline uint8_t *
iw_swqe_inline(struct iw_swqe *w)
{
	return (uint8_t *)(w + 1);
}

static inline struct iw_lsge *
iw_rwqe_sge(struct iw_rwqe *w)
{
	return (struct iw_lsge *)(w + 1);
}

/** A receive queue (the QP's own or shared). */
struct iw_rq {
	uint8_t *ring;
	uint32_t mask;
	uint32_t stride;
	uint32_t max_sge;
	uint32_t head;        /* next to post */
	uint32_t tail;        /* next to consume */
};

static inline struct iw_rwqe *
iw_rq_at(const struct iw_rq *rq, uint32_t i)
{
	return (struct iw_rwqe *)(rq->ring + (size_t)(i & rq->mask) * rq->stride);
}

struct rte_iwarp_srq {
	struct rte_iwarp_pd *pd;
	void *context;
	uint32_t users;
	struct iw_rq rq;
	uint32_t svc_head;        /* service mode: posts made by the application */
	uint32_t svc_dropped;     /* of which refused by the engine */
	uint32_t svc_direct;      /* service mode: posts made directly (engine side) */
	struct rte_iwarp_svc_channel *svc_ch; /* service mode: its posts' channel */
};

struct rte_iwarp_cq {
	struct rte_iwarp_dev *dev;
	void *context;
	struct rte_iwarp_wc *ring;
	uint32_t mask;
	uint32_t head;        /* next to write */
	uint32_t tail;        /* next to poll */
	uint32_t users;
	bool overflow;
	uint8_t armed;        /* 0 no, 1 any, 2 solicited only */
	bool event;
};

/** Inbound READ or atomic request waiting for its response. */
struct iw_inbound {
	uint8_t opcode;       /* IW_OP_READ_REQ or IW_OP_ATOMIC_REQ */
	uint32_t sink_stag;   /* READ: the requester's sink; atomic: request id */
	uint64_t sink_to;
	uint32_t size;
	uint32_t done;
	uint8_t *src;         /* READ: source bytes */
	uint64_t orig;        /* atomic: value before the operation */
};

enum iw_rx_msg {
	IW_RXM_NONE = 0,
	IW_RXM_WRITE,
	IW_RXM_READ_RESP,
	IW_RXM_SEND,
	IW_RXM_SEND_RTR,
	IW_RXM_IMM,
	IW_RXM_READ_REQ,
	IW_RXM_ATOMIC_REQ,
	IW_RXM_ATOMIC_RESP,
	IW_RXM_TERM,
};

struct rte_iwarp_qp {
	/* hot, both directions */
	struct rte_iwarp_dev *dev;
	struct iw_tcp_stream *s;
	struct rte_iwarp_cm_id *cm;
	uint8_t state;            /* enum rte_iwarp_qp_state */
	bool sq_sig_all;
	bool tx_listed;           /* on the device's TX list */
	bool rx_first_seen;       /* responder: the initiator's first FPDU came */
	bool is_responder;
	bool expect_rtr;
	bool send_rtr;
	uint8_t rtr;
	uint32_t qpn;
	uint32_t pd_handle;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *send_cq, *recv_cq;
	struct rte_iwarp_srq *srq;
	void *context;
	TAILQ_ENTRY(rte_iwarp_qp) tx_next;

	/* send side */
	uint8_t *sq;
	uint32_t sq_mask, sq_stride;
	uint32_t sq_head;         /* next to post */
	uint32_t sq_tx;           /* next to transmit */
	uint32_t sq_tail;         /* next to complete */
	uint32_t max_inline, max_send_sge;
	uint32_t msn_tx[4];       /* next MSN per untagged queue */
	uint16_t ord, ird;
	uint16_t ord_used;        /* READs/atomics transmitted and not answered */
	bool rtr_read_pending;
	bool term_pending;
	bool term_sent_done;
	bool closing;
	bool tx_copy;             /* the current message is copied, not referenced */
	uint64_t tx_hold_until;   /* TSC before which nothing is sent (0: none) */
	uint32_t tx_limit;        /* FPDU bytes at most: the MSS, within an mbuf */
	uint32_t svc_sq_head;     /* service mode: sends posted by the application */
	uint32_t svc_rq_head;     /* service mode: receives posted by the application */
	uint32_t svc_rq_dropped;  /* of which refused by the engine */
	uint32_t svc_sq_direct;   /* service mode: sends posted directly (engine side) */
	uint32_t svc_rq_direct;   /* service mode: receives posted directly (engine side) */
	struct rte_iwarp_svc_channel *svc_ch; /* service mode: its posts' channel */
	uint32_t tx_done;         /* bytes of the current message segmented */
	int8_t tx_src;            /* 0 none, 1 SQ, 2 inbound response, 3 RTR, 4 TERM */
	uint64_t acked;
	struct iw_fpdu_tx tx;
	uint32_t term_sent;
	uint32_t term_received;
	uint16_t term_len;
	uint8_t term_body[4 + 2 + IW_DDP_UNTAGGED_HDR_LEN + IW_RDMAP_RREQ_LEN];

	/* inbound READ/atomic responses (IRD entries) */
	struct iw_inbound *irq;
	uint16_t irq_head, irq_tail, irq_mask;

	/* receive side */
	struct iw_rq rq;
	struct iw_fpdu_rx rx;
	uint32_t msn_rx[4];       /* expected MSN per untagged queue */
	uint8_t rxm;              /* enum iw_rx_msg of the current segment */
	bool rx_have_rwqe;
	uint32_t rx_msg_len;      /* untagged: bytes so far */
	uint32_t rx_rwqe_idx;
	struct iw_rq *rx_rq;
	uint8_t *rx_where;        /* tagged: local address of the segment's first byte */
	uint32_t rx_swqe;         /* READ_RESP / ATOMIC_RESP: SQ index */
	uint32_t rx_moff;         /* READ_RESP: offset of the segment in the sink SGL */
	struct iw_inbound rx_in;  /* READ_REQ / ATOMIC_REQ being received */
	uint16_t rx_term_len;
	uint8_t rx_term[64];
	uint8_t mpa_rev;
	bool crc, markers_tx, markers_rx;
	struct iw_mpa_result mres;
};

static inline struct iw_swqe *
iw_sq_at(const struct rte_iwarp_qp *qp, uint32_t i)
{
	return (struct iw_swqe *)(qp->sq + (size_t)(i & qp->sq_mask) * qp->sq_stride);
}

enum iw_cm_state {
	IW_CM_IDLE = 0,
	IW_CM_LISTEN,
	IW_CM_TCP_CONNECTING,
	IW_CM_MPA_REQ_SENT,       /* initiator: waiting for the reply */
	IW_CM_MPA_REQ_WAIT,       /* responder: waiting for the request */
	IW_CM_MPA_REQ_RCVD,       /* responder: CONNECT_REQUEST delivered */
	IW_CM_RTR_WAIT,           /* responder: accepted, waiting for the RTR */
	IW_CM_ESTABLISHED,
	IW_CM_CLOSED,
};

struct rte_iwarp_cm_id {
	struct rte_iwarp_dev *dev;
	struct iw_tcp_stream *s;
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_cm_id *listener;
	void *context;
	uint8_t state;            /* enum iw_cm_state */
	bool initiator;
	bool destroyed;           /* destroy asked while events are unacked */
	bool watched;             /* on the device's watch list */
	uint32_t refs;            /* unacked events */
	uint64_t deadline;        /* TSC of the MPA timeout, 0 none */
	struct rte_iwarp_conn_param param;
	uint8_t my_pd[IW_MPA_PD_MAX];
	struct iw_mpa_params mpa;
	struct iw_mpa_frame req;  /* initiator: sent; responder: received */
	uint8_t *rbuf;            /* MPA frame reassembly */
	uint32_t rlen;
	uint32_t flen;            /* length of the MPA frame in rbuf */
	TAILQ_ENTRY(rte_iwarp_cm_id) next;
	TAILQ_ENTRY(rte_iwarp_cm_id) watch_next;
};

/**
 * A post of an application thread to the engine (service mode). Inline data
 * longer than data[] continues in the next ring slots, enqueued with it.
 */
struct iw_svc_cmd {
	uint8_t kind;             /* IW_SVC_SEND, IW_SVC_RECV, IW_SVC_SRQ_RECV */
	uint8_t rsvd[3];
	uint16_t inline_len;
	uint16_t rsvd2;
	void *obj;                /* QP or SRQ */
	struct rte_iwarp_send_wr wr;  /* next and sg_list unused */
	union {
		struct rte_iwarp_sge sge[IW_MAX_SGE];
		uint8_t data[RTE_IWARP_SVC_MAX_INLINE];
	};
} __rte_aligned(8);

enum { IW_SVC_SEND = 1, IW_SVC_RECV, IW_SVC_SRQ_RECV };

/* ring slots after the first that the longest inline data needs */
#define IW_SVC_MAX_CONT ((IW_MAX_INLINE - RTE_IWARP_SVC_MAX_INLINE + \
			  sizeof(struct iw_svc_cmd) - 1) / sizeof(struct iw_svc_cmd))
#define IW_SVC_MAX_CHANNELS 64

/** Service mode: one application thread's request ring (SP: that thread, SC: the engine). */
struct rte_iwarp_svc_channel {
	struct rte_iwarp_dev *dev;
	struct rte_ring *ring;
	uint32_t users;           /* QPs and SRQs posting through it (engine) */
	uint32_t slot;            /* index in the device's channel table */
};

TAILQ_HEAD(iw_qp_list, rte_iwarp_qp);
TAILQ_HEAD(iw_cm_list, rte_iwarp_cm_id);

struct rte_iwarp_dev {
	struct iw_net *net;
	struct iw_tcp *tcp;
	struct iw_stag_table *stags;
	struct rte_mempool *pool;
	struct iw_qp_list tx_list;
	struct iw_cm_list cm_ids;
	struct iw_cm_list cm_watch;   /* ids with an MPA deadline or to be freed */
	struct rte_iwarp_qp **qps;
	uint32_t max_qps;
	uint32_t qp_hint;
	uint32_t nb_qps;
	uint32_t pd_next;
	uint32_t nb_pds;
	uint32_t mbuf_room;
	enum rte_iwarp_mode mode;
	struct rte_iwarp_cm_event *ev;
	uint32_t ev_mask, ev_head, ev_tail;
	uint64_t ev_lost;
	uint64_t cm_next_check;
	struct rte_mbuf_ext_shared_info zc_shinfo; /* registered memory sent as extbufs */
	struct rte_iwarp_svc_channel svc_def; /* service mode: the default channel */
	struct rte_iwarp_svc_channel *svc_chans[IW_SVC_MAX_CHANNELS]; /* [0] = &svc_def */
	uint32_t nb_svc_chans;
	struct rte_ring *svc_call; /* service mode: control calls -> engine */
	uint32_t engine_running;   /* the engine lcore has polled */
	bool zc_ok;                /* payloads may go out in place (IOVA as VA) */
	uint32_t rto_min_us;       /* TCP's RTO floor of the connections; 0: lib/tcp's */
	/* admission control: what the TCP send queues hold, and their limit */
	const struct iw_tcp_sndq_acct *sndq;
	uint32_t admit_max, admit_half;
	bool admit_full;           /* a QP waited on admit_max in this pass */
	struct rte_iwarp_dev_stats st;
};

/* iw_svc.c */
int iw_svc_init(struct rte_iwarp_dev *dev);
void iw_svc_fini(struct rte_iwarp_dev *dev);
int iw_svc_poll(struct rte_iwarp_dev *dev);
int iw_svc_rx_hook(void *dev);
bool iw_svc_app_side(const struct rte_iwarp_dev *dev);
int iw_svc_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
		     struct rte_iwarp_send_wr **bad_wr);
void iw_svc_count_direct(uint32_t *direct, uint32_t n);
int iw_svc_post_recv(struct rte_iwarp_qp *qp, struct rte_iwarp_srq *srq,
		     struct rte_iwarp_recv_wr *wr, struct rte_iwarp_recv_wr **bad_wr);

/* iw_qp.c, engine side of the post calls */
int iw_qp_post_send(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr,
		    struct rte_iwarp_send_wr **bad_wr);
int iw_qp_post_recv(struct rte_iwarp_qp *qp, struct rte_iwarp_recv_wr *wr,
		    struct rte_iwarp_recv_wr **bad_wr);
int iw_srq_post_recv(struct rte_iwarp_srq *srq, struct rte_iwarp_recv_wr *wr,
		     struct rte_iwarp_recv_wr **bad_wr);
void iw_qp_post_error(struct rte_iwarp_qp *qp, const struct rte_iwarp_send_wr *wr);

/* iw_cq.c */
void iw_cq_push(struct rte_iwarp_cq *cq, const struct rte_iwarp_wc *wc, bool solicited,
		struct rte_iwarp_qp *qp);

/* iw_qp.c */
void iw_qp_flush(struct rte_iwarp_qp *qp);
void iw_qp_to_error(struct rte_iwarp_qp *qp);
/* a TERMINATE was queued, sent or received: the stream must end in order */
bool iw_qp_terminated(const struct rte_iwarp_qp *qp);
void iw_qp_complete_sq(struct rte_iwarp_qp *qp);
void iw_qp_kick(struct rte_iwarp_qp *qp);
void iw_qp_connected(struct rte_iwarp_qp *qp, const struct iw_mpa_result *res,
		     bool responder);

/* iw_qp_tx.c */
int iw_qp_tx(struct rte_iwarp_qp *qp, unsigned int *work);
void iw_qp_local_error(struct rte_iwarp_qp *qp);
void iw_qp_terminate(struct rte_iwarp_qp *qp, const struct iw_term_cause *cause,
		     const struct iw_hdr *hdr);

/* iw_qp_rx.c */
int iw_qp_rx_feed(struct rte_iwarp_qp *qp, const uint8_t *data, uint32_t len);
int iw_qp_rx_feed_mbuf(struct rte_iwarp_qp *qp, const struct rte_mbuf *m, uint32_t off);

/* iw_cm.c */
void iw_cm_event_push(struct rte_iwarp_dev *dev, enum rte_iwarp_cm_event_type type,
		      struct rte_iwarp_cm_id *id, int status, uint32_t term);
void iw_cm_poll(struct rte_iwarp_dev *dev, uint64_t now);
void iw_cm_qp_rts(struct rte_iwarp_qp *qp);
void iw_cm_dev_close(struct rte_iwarp_dev *dev);
void iw_cm_qp_gone(struct rte_iwarp_qp *qp);

static inline uint32_t
iw_term_word(const struct iw_term_cause *c)
{
	return (uint32_t)c->layer << 16 | (uint32_t)c->etype << 8 | c->ecode;
}

#endif /* IW_VERBS_PVT_H */
