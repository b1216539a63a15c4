/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_TCP_H
#define IW_TCP_H

/**
 * @file
 * lib/tcp: a per-lcore TCP (RFC 9293) for the user-space stack, built for the
 * iWARP layer above it.
 *
 * What it does: active and passive open (listen with a bounded SYN backlog,
 * SYN cookies when it overflows), simultaneous open, orderly close, RST
 * handling with RFC 5961 challenge ACKs, TIME_WAIT; MSS, window scaling,
 * timestamps with PAWS (RFC 7323), SACK (RFC 2018) with RFC 6675 loss
 * recovery, NewReno recovery (RFC 6582) when the peer has no SACK; RTO per
 * RFC 6298; CUBIC (RFC 9438, default) or NewReno per connection; zero-window
 * probes, keepalive, a user timeout; RFC 6528 initial sequence numbers.
 *
 * Zero copy both ways: received in-order data is handed up as mbuf chains
 * (the received mbufs, headers stripped); data to send is taken as mbuf
 * chains which may be external buffers over application memory. TCP keeps
 * the chains (not copies) until the peer acknowledges them, transmits
 * indirect mbufs that reference them, and reports acknowledged progress as a
 * 64-bit byte count (iw_tcp_acked() and the acked callback).
 *
 * Threading: one instance per lcore, bound to one struct iw_net. Everything
 * it owns (streams, timers, the connection table) is used by that lcore
 * only: nothing is locked, and no call here is thread-safe.
 * - The packet side is driven by iw_net_poll(): TCP input is the IPPROTO_TCP
 *   handler, and a poll hook runs output, timers and event delivery.
 * - The stream side (connect, listen, accept, send, recv, close, abort) is
 *   called by the owner lcore between polls or from event callbacks. Sends
 *   are queued and transmitted by the next poll; events are delivered from
 *   the poll hook, never from inside a stream-side call.
 *
 * Error convention: constructors return a pointer or NULL with rte_errno;
 * data calls return a byte count or a negative errno; control calls return 0
 * or a negative errno. Nothing here prints or exits: messages go to the
 * `lib.tcp` log type.
 *
 * Byte order: addresses are rte_be32_t (network order), ports are host order.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "iw_net.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iw_tcp;
struct iw_tcp_stream;

/** Instance configuration. Zero values select the defaults noted. */
struct iw_tcp_conf {
	uint32_t max_streams;   /**< connection table size (default 4096) */
	uint32_t tick_us;       /**< timer wheel tick (default 500 us) */
	uint32_t msl_ms;        /**< maximum segment lifetime; TIME_WAIT = 2 MSL
				 *   (default 30000) */
	uint32_t challenge_ack_limit; /**< RFC 5961 challenge ACKs per second
				       *   (default 1000) */
	bool no_syncookies;     /**< drop SYNs when a backlog is full */
	uint64_t secret[2];     /**< ISN/cookie key; 0 = random */
};

/** Congestion control algorithms. */
enum iw_tcp_cc {
	IW_TCP_CC_CUBIC = 0,    /**< RFC 9438 (default) */
	IW_TCP_CC_NEWRENO,      /**< RFC 5681 / RFC 6582 */
};

/**
 * Per-connection options. Start from iw_tcp_opts_default(); a listener's
 * options are inherited by the streams it accepts.
 */
struct iw_tcp_opts {
	enum iw_tcp_cc cc;          /**< congestion control */
	uint32_t sndbuf;            /**< bytes queued for sending (default 4 MiB) */
	uint32_t rcvbuf;            /**< receive window (default 4 MiB) */
	uint16_t sndq_chains;       /**< chains queued for sending (default 256,
				     *   at least 2: one is kept for IW_TCP_SEND_FINAL) */
	uint16_t mss;               /**< MSS to announce; 0: from the MTU */
	bool nagle;                 /**< Nagle's algorithm (default off: nodelay) */
	uint32_t delack_us;         /**< delayed ACK timeout; 0 = off (default) */
	/**
	 * Delayed ACKs off (the default), data is acknowledged at the end of
	 * each receive burst, like a Linux receiver after GRO, and within a
	 * burst after every ack_segs full-sized segments (default 4; 2 is
	 * RFC 5681's "every second" to the letter). With delayed ACKs on, every
	 * second full-sized segment is acknowledged at once whatever this says.
	 */
	uint8_t ack_segs;
	uint32_t keepalive_idle_ms; /**< idle time before probes; 0 = off (default) */
	uint32_t keepalive_intvl_ms;/**< between probes (default 75000) */
	uint16_t keepalive_cnt;     /**< unanswered probes before reset (default 9) */
	uint32_t user_timeout_ms;   /**< data unacknowledged this long ends the
				     *   connection (default 300000) */
	uint32_t rto_min_us;        /**< RTO floor (default 200000) */
	uint32_t rto_max_us;        /**< RTO ceiling (default 60000000) */
	uint16_t syn_retries;       /**< SYN / SYN-ACK retransmissions (default 6) */
	uint16_t ooo_max_mbufs;     /**< out-of-order queue bound (default 2048) */
	bool no_sack;               /**< do not offer SACK */
	bool no_timestamps;         /**< do not offer timestamps */
	bool no_wscale;             /**< do not offer window scaling */
};

/** Event bits (delivered by callback or read with iw_tcp_events()). */
#define IW_TCP_EV_CONNECTED (1u << 0) /**< active open completed */
#define IW_TCP_EV_ACCEPT    (1u << 1) /**< listener: streams ready for accept */
#define IW_TCP_EV_READABLE  (1u << 2) /**< data (or EOF) to receive */
#define IW_TCP_EV_WRITABLE  (1u << 3) /**< send space freed after a refused send */
#define IW_TCP_EV_PEER_FIN  (1u << 4) /**< the peer closed its direction */
#define IW_TCP_EV_RESET     (1u << 5) /**< reset by the peer */
#define IW_TCP_EV_ERROR     (1u << 6) /**< ended by an error: see iw_tcp_error() */
#define IW_TCP_EV_CLOSED    (1u << 7) /**< both directions closed and acknowledged */
#define IW_TCP_EV_ACKED     (1u << 8) /**< the peer acknowledged more data */

/** Callbacks of a stream; called on the owner lcore from iw_net_poll(). */
struct iw_tcp_cb {
	/** Events happened (IW_TCP_EV_* mask). May call stream-side functions. */
	void (*event)(struct iw_tcp_stream *s, uint32_t events, void *arg);
	/**
	 * Optional: acked_total bytes of sent data are now acknowledged (a
	 * running count from 0; zero-copy senders complete their work requests
	 * up to it). Called once per poll at most.
	 */
	void (*acked)(struct iw_tcp_stream *s, uint64_t acked_total, void *arg);
	void *arg;
};

/** Connection states (RFC 9293). */
enum iw_tcp_state {
	IW_TCP_CLOSED = 0,
	IW_TCP_LISTEN,
	IW_TCP_SYN_SENT,
	IW_TCP_SYN_RCVD,
	IW_TCP_ESTABLISHED,
	IW_TCP_FIN_WAIT_1,
	IW_TCP_FIN_WAIT_2,
	IW_TCP_CLOSE_WAIT,
	IW_TCP_CLOSING,
	IW_TCP_LAST_ACK,
	IW_TCP_TIME_WAIT,
};

/** Instance counters (monotonic). */
struct iw_tcp_stats {
	uint64_t rx_segs;          /**< segments received */
	uint64_t rx_bad_cksum;     /**< dropped: checksum */
	uint64_t rx_bad_hdr;       /**< dropped: short, bad data offset */
	uint64_t rx_bad_opt;       /**< dropped: malformed options */
	uint64_t rx_no_conn;       /**< no connection or listener (answered by RST) */
	uint64_t rx_out_of_window; /**< unacceptable segments (ACKed) */
	uint64_t rx_paws;          /**< dropped by PAWS */
	uint64_t rx_dup_bytes;     /**< payload already received */
	uint64_t rx_ooo_segs;      /**< queued out of order */
	uint64_t rx_ooo_drop;      /**< out of order beyond the queue bound */
	uint64_t rx_rst;           /**< RSTs that reset a connection */
	uint64_t challenge_acks;   /**< RFC 5961 challenge ACKs sent */
	uint64_t tx_segs;          /**< segments sent */
	uint64_t tx_data_segs;     /**< of which carried data (the rest: ACKs, SYN, FIN, RST) */
	uint64_t tx_rexmit;        /**< segments retransmitted */
	uint64_t tx_rst;
	uint64_t tx_nombuf;        /**< output deferred: mbuf pool empty */
	uint64_t fast_rexmit;      /**< recoveries entered */
	uint64_t lost_rexmit;      /**< lost retransmissions detected by SACK */
	uint64_t rto_expired;      /**< retransmission timeouts */
	uint64_t syn_cookies_sent;
	uint64_t syn_cookies_ok;   /**< connections made from a valid cookie */
	uint64_t syn_cookies_bad;
	uint64_t syn_drop;         /**< SYNs dropped (backlog full, no cookies) */
	uint64_t conn_open;        /**< connections established */
	uint64_t conn_timeout;     /**< ended by retries, user timeout, keepalive */
};

/** Per-stream information (for tests and tools). */
struct iw_tcp_info {
	enum iw_tcp_state state;
	uint32_t snd_una, snd_nxt, rcv_nxt; /**< sequence numbers */
	uint32_t mss;              /**< payload bytes per segment */
	uint32_t cwnd, ssthresh, snd_wnd, rcv_wnd;
	uint32_t srtt_us, rto_us;
	uint8_t snd_wscale, rcv_wscale;
	bool sack, timestamps;
	uint64_t bytes_sent, bytes_acked, bytes_received;
	uint64_t rexmits, fast_recoveries, rtos, zwp_sent, keepalives_sent;
};

/** Fill o with the defaults. */
void iw_tcp_opts_default(struct iw_tcp_opts *o);

/**
 * Create an instance on a network stack instance: registers the IPPROTO_TCP
 * handler and a poll hook with net.
 * @param net
 *   The lib/net instance (same lcore).
 * @param conf
 *   Configuration; NULL for the defaults.
 * @return
 *   The instance, or NULL with rte_errno: EINVAL, ENOMEM, EEXIST (net
 *   already has a TCP), ENOSPC (no hook slot left).
 */
struct iw_tcp *iw_tcp_create(struct iw_net *net, const struct iw_tcp_conf *conf);

/**
 * Free an instance and every stream, without sending anything. Its IPPROTO_TCP
 * handler and poll hook are removed from the net instance, which may go on
 * (segments then count as an unknown protocol) or get a new TCP instance.
 * NULL is accepted.
 */
void iw_tcp_destroy(struct iw_tcp *tcp);

/**
 * Open a connection (sends the SYN on the next poll).
 * @param dst
 *   Remote address.
 * @param dport
 *   Remote port.
 * @param sport
 *   Local port, 0 for an ephemeral port.
 * @param opts
 *   Options; NULL for the defaults.
 * @param cb
 *   Callbacks (copied); NULL to poll events with iw_tcp_events().
 * @return
 *   The stream (IW_TCP_EV_CONNECTED or IW_TCP_EV_ERROR follows), or NULL with
 *   rte_errno: EINVAL, EADDRINUSE (4-tuple in use), ENOMEM, ENOSPC (table full).
 */
struct iw_tcp_stream *iw_tcp_connect(struct iw_tcp *tcp, rte_be32_t dst, uint16_t dport,
				     uint16_t sport, const struct iw_tcp_opts *opts,
				     const struct iw_tcp_cb *cb);

/**
 * Listen on a local port.
 * @param backlog
 *   Most connections in SYN_RCVD and most established but not accepted
 *   (each); beyond it SYN cookies answer (unless disabled). 0 selects 128.
 * @return
 *   The listening stream, or NULL with rte_errno: EINVAL, EADDRINUSE, ENOMEM.
 */
struct iw_tcp_stream *iw_tcp_listen(struct iw_tcp *tcp, uint16_t port, uint32_t backlog,
				    const struct iw_tcp_opts *opts, const struct iw_tcp_cb *cb);

/**
 * Take established connections from a listener (announced by
 * IW_TCP_EV_ACCEPT). They inherit the listener's options and callbacks; use
 * iw_tcp_set_cb() to change them.
 * @return the number of streams stored in out (0 when none).
 */
uint16_t iw_tcp_accept(struct iw_tcp_stream *listener, struct iw_tcp_stream **out,
		       uint16_t n);

/** Replace a stream's callbacks (NULL: none, poll iw_tcp_events()). */
void iw_tcp_set_cb(struct iw_tcp_stream *s, const struct iw_tcp_cb *cb);

/** Send flags. */
#define IW_TCP_SEND_RECORD (1u << 0) /**< the chain is one record (an iWARP FPDU):
				      *   it starts a segment or is packed whole
				      *   into one; split only when longer than
				      *   the MSS */
#define IW_TCP_SEND_MORE   (1u << 1) /**< more follows at once: hold a sub-MSS
				      *   tail until the next send or poll */
#define IW_TCP_SEND_FINAL  (1u << 2) /**< a small last record (an iWARP
				      *   TERMINATE): queued even when the send
				      *   buffer is full, in the queue entry
				      *   that other sends leave free */

/**
 * Queue a chain for sending, zero copy: TCP takes ownership of m (the whole
 * chain or nothing) and frees it once the peer has acknowledged every byte
 * of it; external buffers are released through their free callback then.
 * @param flags
 *   IW_TCP_SEND_*.
 * @return
 *   The number of bytes taken (m->pkt_len), or a negative errno and m stays
 *   the caller's: -EAGAIN (send buffer full: IW_TCP_EV_WRITABLE follows when
 *   space frees), -ENOBUFS (too many chains queued), -ENOTCONN (not yet or no
 *   longer connected), -EPIPE (this side already closed), -EINVAL (empty).
 */
int iw_tcp_send(struct iw_tcp_stream *s, struct rte_mbuf *m, uint32_t flags);

/**
 * Frame a small record in place, appended to the last one queued: when the
 * send queue ends with a plain mbuf of records (direct, one segment, from
 * iw_tcp_send() with IW_TCP_SEND_RECORD) of which no byte has been
 * transmitted yet, and len more bytes still fit in one segment and in its
 * buffer and the send buffer, return where those bytes go. The caller writes
 * exactly len bytes there and calls iw_tcp_send_commit(s, len) before any
 * other call on the stream; the bytes then belong to that record (several
 * small records leave in one segment). Otherwise NULL: queue the record as a
 * chain of its own with iw_tcp_send().
 */
void *iw_tcp_send_tail(struct iw_tcp_stream *s, uint32_t len);

/** Queue the len bytes written where iw_tcp_send_tail() said. */
void iw_tcp_send_commit(struct iw_tcp_stream *s, uint32_t len);

/**
 * Copy up to len bytes into mbufs from the instance's pool and queue them.
 * @return bytes queued (may be fewer than len), or -EAGAIN / -ENOTCONN /
 *   -EPIPE / -ENOMEM (pool empty) as for iw_tcp_send().
 */
int iw_tcp_write(struct iw_tcp_stream *s, const void *buf, uint32_t len);

/**
 * Take all in-order received data, zero copy.
 * @param m
 *   Out: the chain of received mbufs (the caller frees it).
 * @return
 *   Its length in bytes (> 0); 0 at end of stream (peer FIN, all data read);
 *   -EAGAIN when nothing is there yet; -ECONNRESET, -ETIMEDOUT or
 *   -ECONNREFUSED when the connection ended with that error; -ENOTCONN on a
 *   listener or an unconnected stream.
 */
int iw_tcp_recv(struct iw_tcp_stream *s, struct rte_mbuf **m);

/**
 * Copy up to len bytes of received data out (frees the mbufs consumed).
 * @return bytes copied, or as iw_tcp_recv().
 */
int iw_tcp_read(struct iw_tcp_stream *s, void *buf, uint32_t len);

/**
 * Close the sending direction (FIN after the queued data); receiving goes on.
 * @return 0, -ENOTCONN (listener or never connected).
 */
int iw_tcp_shutdown(struct iw_tcp_stream *s);

/**
 * Release the stream: an orderly close (FIN after the queued data, then
 * FIN_WAIT/TIME_WAIT handled internally), or RST when received data is left
 * unread (RFC 9293 3.6). Listeners stop listening and drop un-accepted
 * streams. The handle is invalid afterwards; no more events are delivered.
 */
void iw_tcp_close(struct iw_tcp_stream *s);

/** Release the stream with a RST; queued data is dropped. */
void iw_tcp_abort(struct iw_tcp_stream *s);

/**
 * Read and clear the pending events of a stream without callback.
 * @return the IW_TCP_EV_* mask.
 */
uint32_t iw_tcp_events(struct iw_tcp_stream *s);

/** The state. */
enum iw_tcp_state iw_tcp_state(const struct iw_tcp_stream *s);

/**
 * The error that ended the connection, or 0: ECONNRESET (reset by the peer),
 * ETIMEDOUT (retransmissions, user timeout or keepalive), ECONNREFUSED (the
 * peer refused the connection), ECONNABORTED (the listener closed before
 * accept, or its accept queue was full).
 */
int iw_tcp_error(const struct iw_tcp_stream *s);

/** Payload bytes per segment (the effective MSS, options excluded). */
uint32_t iw_tcp_mss(const struct iw_tcp_stream *s);

/** Bytes that iw_tcp_send() takes now. */
uint32_t iw_tcp_send_space(const struct iw_tcp_stream *s);

/**
 * What the send queues of an instance hold, kept up to date by lib/tcp as
 * chains are queued and released: for a transmit admission control above it
 * (the mbufs queued for sending must leave room in the pool for the copies of
 * the segments in flight, retransmissions, ACKs and received data).
 */
struct iw_tcp_sndq_acct {
	uint32_t mbufs;    /**< mbufs (chain segments) queued on all streams */
	uint32_t streams;  /**< streams with at least one chain queued */
};

/** The instance's send queue accounting (read-only; lives as long as tcp). */
const struct iw_tcp_sndq_acct *iw_tcp_sndq_acct(const struct iw_tcp *tcp);

/** mbufs (chain segments) queued on one stream's send queue. */
uint32_t iw_tcp_sndq_mbufs(const struct iw_tcp_stream *s);

/** Bytes of sent data acknowledged by the peer so far (monotonic). */
uint64_t iw_tcp_acked(const struct iw_tcp_stream *s);

/** Bytes sent by the application so far (acknowledged or not). */
uint64_t iw_tcp_queued_total(const struct iw_tcp_stream *s);

/** Readable bytes. */
uint32_t iw_tcp_readable(const struct iw_tcp_stream *s);

/** Local and remote endpoint (ports in host order). */
void iw_tcp_endpoints(const struct iw_tcp_stream *s, rte_be32_t *laddr, uint16_t *lport,
		      rte_be32_t *raddr, uint16_t *rport);

/** User data pointer of a stream. */
void iw_tcp_set_userdata(struct iw_tcp_stream *s, void *p);
void *iw_tcp_userdata(const struct iw_tcp_stream *s);

/** Fill info. */
void iw_tcp_info_get(const struct iw_tcp_stream *s, struct iw_tcp_info *info);

/** Read the instance counters. */
void iw_tcp_stats_get(const struct iw_tcp *tcp, struct iw_tcp_stats *st);

/** Streams alive in the instance (all states, listeners included). */
uint32_t iw_tcp_stream_count(const struct iw_tcp *tcp);

/** The network instance. */
struct iw_net *iw_tcp_net(const struct iw_tcp *tcp);

/** Name of a state ("ESTABLISHED"). */
const char *iw_tcp_state_name(enum iw_tcp_state st);

#ifdef __cplusplus
}
#endif

#endif /* IW_TCP_H */
