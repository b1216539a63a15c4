/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_PVT_H
#define TCP_PVT_H

/*
 * lib/tcp internals: the instance, the TCB, and the functions the files of
 * the library call across (input, output, timers, receive queue, streams).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "iw_tcp.h"
#include "tcp_cc.h"
#include "tcp_isn.h"
#include "tcp_opt.h"
#include "tcp_rto.h"
#include "tcp_sack.h"
#include "tcp_seq.h"
#include "tcp_wheel.h"

extern int iw_tcp_logtype;
#define TCP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iw_tcp_logtype, "tcp: " fmt "\n", ##__VA_ARGS__)
#define TCP_DP_LOG(level, fmt, ...) do { \
	if (RTE_LOG_ ## level <= RTE_LOG_DP_LEVEL) \
		rte_log(RTE_LOG_ ## level, iw_tcp_logtype, "tcp: " fmt "\n", ##__VA_ARGS__); \
} while (0)

#define TCP_HDR_LEN      ((uint32_t)sizeof(struct rte_tcp_hdr))
#define TCP_MAX_LISTEN   64
#define TCP_OOO_MAX      32   /* out-of-order ranges kept */
#define TCP_TS_OPT_LEN   12
#define TCP_EPHEMERAL_LO 32768
#define TCP_EPHEMERAL_HI 60999
#define TCP_MAX_RTX      15   /* data retransmissions before giving up */

/* Stream flags. */
#define TF_ACKNOW      (1u << 0)  /* send an ACK on the next output */
#define TF_OUTPUT      (1u << 1)  /* output wanted */
#define TF_SACK        (1u << 2)  /* SACK negotiated */
#define TF_TS          (1u << 3)  /* timestamps negotiated */
#define TF_WS          (1u << 4)  /* window scaling negotiated */
#define TF_FIN_QUEUED  (1u << 5)  /* the application closed sending */
#define TF_FIN_SENT    (1u << 6)
#define TF_RCVD_FIN    (1u << 7)  /* FIN processed */
#define TF_RELEASED    (1u << 8)  /* the application released the handle */
#define TF_IN_LIST     (1u << 9)  /* on the pending list */
#define TF_FREE        (1u << 10) /* free at the next pending-list pass */
#define TF_WANT_WRITE  (1u << 11) /* a send was refused: signal WRITABLE */
#define TF_PASSIVE     (1u << 12) /* created by a listener */
#define TF_IN_TABLE    (1u << 13) /* in the connection table */
#define TF_RECOVERY    (1u << 14) /* in fast recovery */
#define TF_OOO_FIN     (1u << 15) /* a FIN arrived out of order at ooo_fin_seq */
#define TF_MORE        (1u << 16) /* application said more follows */
#define TF_PERSIST     (1u << 17) /* zero window probing */
#define TF_ACKED_EV    (1u << 18) /* acked progress to report */
#define TF_RTX_UNA     (1u << 19) /* retransmit at SND.UNA on the next output */
#define TF_SYNQ        (1u << 20) /* counted in the listener's SYN backlog */
#define TF_RTO_LOSS    (1u << 21) /* recovering after a timeout (slow start) */
#define TF_RXT_WATCH   (1u << 22) /* watching the retransmission at SND.UNA */

/* One chain the application queued. */
struct tcp_sndq_ent {
	struct rte_mbuf *m;
	uint32_t len;
	uint32_t flags;   /* IW_TCP_SEND_* */
};

/* One contiguous range of out-of-order data. */
struct tcp_ooo {
	uint32_t seq, len;
	struct rte_mbuf *head, *tail; /* tail: last segment of the chain */
};

struct iw_tcp_stream {
	/* identity and linkage */
	struct iw_tcp *tcp;
	struct tcp_tuple tuple;        /* network order, the table key */
	uint8_t state;                 /* enum iw_tcp_state */
	uint8_t snd_wscale, rcv_wscale;
	uint8_t dupacks;
	uint32_t flags;                /* TF_* */
	uint32_t ev;                   /* pending IW_TCP_EV_* */
	int err;                       /* positive errno that ended it */
	struct iw_tcp_stream *next_pend;
	struct iw_tcp_stream *all_next, *all_prev; /* every stream of the instance */
	struct iw_tcp_cb cb;
	void *userdata;
	struct iw_tcp_opts opts;
	const struct tcp_cc_ops *cc_ops;

	/* send sequence space */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_sndwnd;
	uint32_t recover;              /* RFC 6582 / RFC 6675 RecoveryPoint */
	uint32_t rxt_una_seq;          /* retransmission at SND.UNA being watched */
	uint32_t rxt_una_mark;         /* SND.MAX when it was sent */
	uint32_t smss;                 /* payload per segment */
	uint32_t peer_mss;
	/* receive sequence space */
	uint32_t irs, rcv_nxt, rcv_adv, last_ack_sent;
	uint32_t rcv_wnd_adv;          /* window we last advertised (bytes) */
	/* timestamps */
	uint32_t ts_recent, ts_offset;

	/* send queue: a ring of application chains, head at snd_queue_seq */
	struct tcp_sndq_ent *sq;
	uint16_t sq_size, sq_head, sq_cnt;
	uint32_t sq_seq;               /* sequence number of the head chain's first byte */
	uint32_t sq_bytes;             /* bytes in the ring */
	uint32_t sq_mbufs;             /* mbufs of the chains in the ring */
	uint32_t fin_seq;              /* sequence number of our FIN when queued */
	/* transmit cursor: locates a sequence number fast when sending in order */
	uint16_t cur_ent;
	uint32_t cur_ent_seq;          /* first seq of entry cur_ent */
	struct rte_mbuf *cur_seg;
	uint32_t cur_seg_seq;          /* first seq of cur_seg */
	bool cur_valid;

	/* receive queue: in-order data, and out-of-order ranges */
	struct rte_mbuf *rq_head, *rq_tail;
	uint32_t rq_bytes;
	uint32_t ooo_fin_seq;
	uint16_t nooo, ooo_mbufs;
	uint32_t ooo_bytes;
	uint32_t ooo_last;             /* seq of the most recently queued range */
	struct tcp_ooo ooo[TCP_OOO_MAX];

	/* loss recovery, RTT, congestion */
	struct tcp_sackboard sb;
	struct tcp_rto rto;
	struct tcp_cc cc;
	uint16_t rtx_count;            /* consecutive RTO expiries */
	uint16_t syn_rtx;
	uint16_t ka_probes;

	/* timers: one wheel node, deadlines in microseconds (0 = off) */
	struct tcp_tnode tn;
	uint64_t t_rexmt, t_persist, t_keep, t_2msl, t_delack;
	uint64_t t_last_rx;            /* last segment received */
	uint64_t t_unacked_since;      /* oldest unacknowledged data sent (user timeout) */

	/* listener */
	struct iw_tcp_stream *parent;  /* listener of a passive stream until accepted */
	struct iw_tcp_stream **acceptq;
	uint16_t acc_head, acc_cnt;
	uint32_t backlog;
	uint32_t syn_cnt;              /* children in SYN_RCVD */

	/* counters */
	uint64_t acked_total, acked_reported, queued_total, bytes_sent, bytes_received;
	uint64_t n_rexmit, n_recovery, n_rto, n_zwp, n_ka;
};

struct tcp_listener {
	uint16_t port;
	struct iw_tcp_stream *s;
};

struct iw_tcp {
	struct iw_net *net;
	struct rte_mempool *pool;
	struct rte_hash *table;
	struct iw_tcp_stream *last;    /* the stream tcp_lookup() found last */
	rte_be32_t laddr;
	uint16_t mtu;
	uint32_t hw_off;
	uint64_t now_us;
	double us_per_tsc;
	uint32_t nb_streams, max_streams;
	struct iw_tcp_sndq_acct sq_acct; /* what all send queues hold */
	uint16_t next_eph;
	struct iw_tcp_conf conf;
	struct tcp_secret secret;
	struct iw_tcp_stream *pend_head, *pend_tail;
	struct iw_tcp_stream *all;     /* every stream, for destroy */
	uint64_t chack_sec;            /* challenge ACK rate limiting */
	uint32_t chack_cnt;
	struct tcp_listener lst[TCP_MAX_LISTEN];
	uint16_t nb_lst;
	struct iw_tcp_stats st;
	struct tcp_wheel wheel;        /* last: large */
};

/* tcp_stream.c */
uint64_t tcp_now(struct iw_tcp *tcp);
void tcp_pend(struct iw_tcp_stream *s);
void tcp_event(struct iw_tcp_stream *s, uint32_t ev);
struct iw_tcp_stream *tcp_stream_alloc(struct iw_tcp *tcp, const struct iw_tcp_opts *o,
				       const struct tcp_tuple *t);
int tcp_table_add(struct iw_tcp_stream *s);
void tcp_table_del(struct iw_tcp_stream *s);
struct iw_tcp_stream *tcp_lookup(struct iw_tcp *tcp, const struct tcp_tuple *t);
struct iw_tcp_stream *tcp_listener_find(struct iw_tcp *tcp, uint16_t port_be);
void tcp_set_state(struct iw_tcp_stream *s, enum iw_tcp_state st);
void tcp_drop(struct iw_tcp_stream *s, int err);
void tcp_closed(struct iw_tcp_stream *s);
void tcp_set_mss(struct iw_tcp_stream *s, uint32_t peer_mss);
uint16_t tcp_local_mss(const struct iw_tcp_stream *s);
uint8_t tcp_pick_wscale(uint32_t rcvbuf);
void tcp_established(struct iw_tcp_stream *s);

/* tcp_input.c */
void tcp_input(void *ctx, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip);
uint32_t tcp_ts_now(const struct iw_tcp_stream *s);

/* tcp_output.c */
int tcp_output(struct iw_tcp_stream *s);
void tcp_send_ack(struct iw_tcp_stream *s);
void tcp_send_challenge_ack(struct iw_tcp_stream *s);
void tcp_send_rst_stream(struct iw_tcp_stream *s);
void tcp_send_rst_reply(struct iw_tcp *tcp, rte_be32_t raddr, const struct rte_tcp_hdr *th,
			uint32_t seglen);
void tcp_output_probe(struct iw_tcp_stream *s);
void tcp_output_rtx_una(struct iw_tcp_stream *s);
int tcp_send_synack_cookie(struct iw_tcp *tcp, const struct tcp_tuple *t, uint32_t iss,
			   uint32_t irs, const struct tcp_opts *o, uint16_t mss);
uint32_t tcp_rcv_window(const struct iw_tcp_stream *s);
void tcp_sndq_acked(struct iw_tcp_stream *s, uint32_t ack);
void tcp_sndq_free(struct iw_tcp_stream *s);
uint32_t tcp_flight(const struct iw_tcp_stream *s);

/* tcp_timer.c */
void tcp_timer_update(struct iw_tcp_stream *s);
void tcp_timers_run(struct iw_tcp *tcp);
void tcp_rexmt_arm(struct iw_tcp_stream *s);

/* tcp_rxq.c */
void tcp_rxq_append(struct iw_tcp_stream *s, struct rte_mbuf *m, uint32_t len);
int tcp_ooo_insert(struct iw_tcp_stream *s, struct rte_mbuf *m, uint32_t seq, uint32_t len);
void tcp_ooo_pull(struct iw_tcp_stream *s);
unsigned int tcp_ooo_sack(const struct iw_tcp_stream *s, struct tcp_sack_blk *blk,
			  unsigned int max);
void tcp_rxq_free(struct iw_tcp_stream *s);
struct rte_mbuf *tcp_mbuf_adj(struct rte_mbuf *m, uint32_t len);
void tcp_mbuf_trim(struct rte_mbuf *m, uint32_t keep);

static inline bool
tcp_synchronized(const struct iw_tcp_stream *s)
{
	return s->state >= IW_TCP_ESTABLISHED;
}

#endif /* TCP_PVT_H */
