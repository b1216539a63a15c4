/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RDMA transport of iwarp-perf: perftest's patterns over librte_iwarp on
 * a DPDK port (one inline-mode engine per process, polled by this thread).
 *
 * Connection: the server listens on -p, the client makes -q connections to
 * the server's IPv4 address, one after the other; each side's buffer
 * address, rkey, test, -q and the connection's index are in the MPA private
 * data, and the server refuses a client whose test or -q differs from its
 * own. All connections share one CQ, one MR and the buffers. Control records
 * (perf_proto.h, in a struct rd_slot) travel on connection 0 as small RDMA
 * WRITEs into the peer's control slot, ended by a sequence number that the
 * reader polls: the engine places data in this thread, so a record is whole
 * when seen. The client drives: BEGIN per size (iterations, or -D seconds;
 * -b), BEGIN_ACK, the pattern, END (what it posted), RESULT (the server's
 * counts, per connection for SEND, and with -b what it sent and in how long,
 * and its CPU), and BYE / BYE_ACK before the client disconnects.
 *
 * BW: every connection keeps -t messages in flight, posted round robin in
 * lists of -l, signalled every cq_mod (perftest's run_iter_bw); -n counts per
 * connection. SEND is flow controlled by the receiver, which writes the
 * number of receives it has made available into the sender's credit word of
 * that connection (an iWARP SEND without a posted receive ends the
 * connection); receives left posted at the end of a size serve the next one.
 * -b: the server runs the same pattern towards the client at the same time
 * and reports what it sent and in how long; the client's row sums both
 * directions (perftest). -D: a warm-up (a quarter of S, at most 2 s), the
 * measured phase, the same margin again with the pattern still running, then
 * the outstanding work drains; the row counts what completed in the measured
 * phase, without a peak (perftest -D). -I: WRITE and SEND data up to that
 * size go inline (copied at post time).
 *
 * CPU: busy = the cycles of poll iterations in which the engine's poll was
 * busy (its busy_polls counter advanced: it received a frame, a bare TCP ACK
 * included, or sent, placed, completed or delivered something), a completion
 * was reaped or work was posted, over all cycles of the pattern (-D: of the
 * measured phase). One CQ takes sends and receives, so an iteration
 * progresses the engine once (rte_iwarp_poll_cq() in inline mode, the poll
 * busy_polls counts).
 *
 * --rate_limit (BW): the client posts a list only once its messages are
 * earned (perf_pace.c), one bucket for all connections; the iterations spent
 * waiting for it are idle unless the engine had work.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "rte_iwarp.h"
#include "perf.h"
#include "perf_proto.h"
#include "perf_ctlmsg.h"

#define RD_MAX_QPS    64     /* -q at most (perf_params.c) */
#define RD_CTL_IN     0      /* the peer writes its control records here */
#define RD_CTL_OUT    1024   /* ours, the source of those WRITEs */
#define RD_CREDIT_IN  2048   /* SEND: per connection, receives the peer made available */
#define RD_CREDIT_OUT (RD_CREDIT_IN + 8 * RD_MAX_QPS)
#define RD_HDR        4096   /* then the send buffer, then the receive buffer */
#define RD_WC_BURST   32
#define RD_MAX_LIST   64
#define RD_CQ_DEPTH   8192
#define RD_ORD        16
#define RD_MAGIC      0x49575244u /* "IWRD" */
#define RD_MARGIN_S   2      /* -D: warm-up and cool-down, at most a quarter of S each */

/* A work request id: what its completion belongs to. */
enum rd_wr_kind {
	RD_WR_DATA,    /* the pattern; the sequence number is the message's */
	RD_WR_CTL,     /* a control record */
	RD_WR_CREDIT,  /* a credit word */
	RD_WR_RECV,    /* a receive */
};
#define RD_WRID(kind, conn, seq) ((uint64_t)(kind) << 56 | (uint64_t)(conn) << 40 | (seq))
#define RD_WRID_KIND(id) ((unsigned int)((id) >> 56))
#define RD_WRID_CONN(id) ((unsigned int)(((id) >> 40) & 0xffff))
#define RD_WRID_SEQ(id)  ((id) & ((UINT64_C(1) << 40) - 1))

/* A control record in its slot: the sequence number goes last. */
struct rd_slot {
	struct perf_ctl ctl;
	rte_be32_t duration;             /* BEGIN with count 0: -D seconds */
	rte_be32_t nb_qps;               /* RESULT: entries of qp_count */
	rte_be64_t span_ns;              /* RESULT (-b): the span of the server's own messages */
	rte_be64_t sent_total;           /* RESULT (-b): all the server posted (sent: measured) */
	rte_be64_t qp_count[RD_MAX_QPS]; /* RESULT (SEND): receives per connection */
	rte_be64_t seq;
} __rte_packed;

/* The MPA private data of both sides. */
struct rd_info {
	rte_be32_t magic;
	uint8_t verb, kind;
	uint8_t qps;       /* -q */
	uint8_t index;     /* this connection's among them */
	rte_be64_t base;
	rte_be32_t rkey;
	rte_be32_t max_size;
} __rte_packed;

/* One connection. */
struct rd_conn {
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_cm_id *id;
	uint64_t peer_base;
	uint32_t peer_rkey;
	/* this size */
	uint64_t issued, done;    /* our messages posted, completed */
	uint64_t sig_upto;        /* issued up to the last signalled one */
	uint64_t avail;           /* SEND: receives the peer may use (what we credit) */
	uint64_t received;        /* receives completed */
	/* across sizes */
	uint64_t rq_out;          /* receives posted and not completed */
	bool credit_busy, credit_dirty;
};

struct rd {
	const struct perf_params *p;
	struct rte_iwarp_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;  /* sends and receives of every connection */
	struct rte_iwarp_mr *mr;
	struct rte_iwarp_cm_id *lid;
	struct rd_conn *c;        /* -q connections; c[0] carries the control records */
	unsigned int nc;
	unsigned int established;
	uint64_t sent_back;       /* server, -b: messages it sent in the reported sizes */
	uint8_t *mem;
	size_t mem_len;
	uint32_t max_size;
	uint32_t max_recv;        /* each QP's receive queue */
	uint64_t seq_out, seq_in;
	bool ctl_busy;
	uint64_t hz, timeout;
	uint64_t busy;
	uint64_t busy_polls;      /* the engine's busy polls at the last step */
	bool disconnected;
	/* this size, all connections */
	uint64_t tot_issued, tot_done, tot_received;
	uint64_t posts, wrs, inline_wrs;
	struct rte_iwarp_dev_stats st0; /* the engine's counters when the size began */
	uint64_t warm_n;                /* iterations of a warm-up round */
	uint64_t *posted, *completed, *samples; /* stamps by message, in post/completion order */
	uint64_t cap, nb_samples;
	bool stamp;               /* record the stamps (the peak of a -n run) */
	uint64_t qp_msgs[RD_MAX_QPS];
	char desc[160];
};

/* This side's part of one BW size (and the clock of a -D latency run). */
struct rd_bw {
	uint32_t size;
	uint64_t n;               /* messages per connection; 0: -D */
	uint32_t window;          /* SEND: receives kept posted per connection */
	uint32_t depth, cq_mod, list;
	bool tx, rx;              /* we post the pattern; we take SENDs */
	bool inl;                 /* the data goes inline (-I) */
	uint64_t t0, t_meas, t_stop;
	bool measuring, stopped;
	/* the measured phase: its ends, completions and busy cycles there */
	uint64_t w_t0, w_t1, w_done0, w_done1, w_busy0, w_busy1;
	uint64_t t_idle;          /* when all our messages had completed */
	unsigned int rr;          /* the connection that posts first next time */
	struct perf_pace pace;    /* --rate_limit: one bucket for every connection */
	bool paced;               /* this iteration waited for the pace */
};

static uint8_t *
rd_sbuf(struct rd *r)
{
	return r->mem + RD_HDR;
}

static uint8_t *
rd_rbuf(struct rd *r)
{
	return r->mem + RD_HDR + r->max_size;
}

static volatile uint64_t *
rd_credit_in(struct rd *r, unsigned int ci)
{
	return (volatile uint64_t *)(r->mem + RD_CREDIT_IN) + ci;
}

/* Book one completion (all kinds, every connection). */
static void
rd_complete(struct rd *r, const struct rte_iwarp_wc *wc, uint64_t now)
{
	unsigned int ci = RD_WRID_CONN(wc->wr_id);
	uint64_t seq = RD_WRID_SEQ(wc->wr_id);
	struct rd_conn *c;

	if (ci >= r->nc)
		return;
	c = &r->c[ci];
	switch (RD_WRID_KIND(wc->wr_id)) {
	case RD_WR_DATA:
		/* unsignalled ones before it completed with it */
		for (; c->done <= seq && c->done < c->issued; c->done++) {
			if (r->stamp && r->tot_done < r->cap)
				r->completed[r->tot_done] = now;
			r->tot_done++;
		}
		break;
	case RD_WR_RECV:
		c->rq_out--;
		if (wc->status == RTE_IWARP_WC_SUCCESS) {
			c->received++;
			r->tot_received++;
		}
		break;
	case RD_WR_CREDIT:
		c->credit_busy = false;
		break;
	case RD_WR_CTL:
		r->ctl_busy = false;
		break;
	default:
		break;
	}
}

/*
 * One poll iteration: rte_iwarp_poll_cq() progresses the engine once (inline
 * mode) and reaps the completions of the one CQ, booked by rd_complete().
 * @return 1 when the iteration did work (a completion was reaped, or the
 *   engine's poll was busy: its busy_polls advanced, which counts any frame
 *   received, TCP ACKs alone included, and anything sent, placed, completed
 *   or delivered), 0 when idle, -1 after the error line.
 */
static int
rd_step(struct rd *r)
{
	struct rte_iwarp_wc wc[RD_WC_BURST];
	int n = rte_iwarp_poll_cq(r->cq, RD_WC_BURST, wc);
	uint64_t now, busy;
	int i;

	if (n < 0) {
		perf_error("CQ: %s", strerror(-n));
		return -1;
	}
	now = n > 0 ? rte_rdtsc() : 0;
	for (i = 0; i < n; i++) {
		/*
		 * Receives left posted for the next size are flushed when the
		 * peer disconnects after BYE: not a failure (a connection lost
		 * earlier shows in the CM events and the sends).
		 */
		if (wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR &&
		    RD_WRID_KIND(wc[i].wr_id) == RD_WR_RECV) {
			rd_complete(r, &wc[i], now);
			continue;
		}
		if (wc[i].status != RTE_IWARP_WC_SUCCESS) {
			perf_error("work request %" PRIu64 " failed: %s (after %" PRIu64
				   " of %" PRIu64 " completions)", RD_WRID_SEQ(wc[i].wr_id),
				   rte_iwarp_wc_status_str(wc[i].status), r->tot_done,
				   r->tot_issued);
			return -1;
		}
		rd_complete(r, &wc[i], now);
	}
	/* did the engine work in this poll? (the cheap counter: this runs every poll) */
	busy = rte_iwarp_dev_busy_polls(r->dev);
	if (busy != r->busy_polls) {
		r->busy_polls = busy;
		return 1;
	}
	return n > 0;
}

/* The peer went away? Reports it (once) as the error. */
static int
rd_check_cm(struct rd *r)
{
	struct rte_iwarp_cm_event ev;

	while (rte_iwarp_cm_get_event(r->dev, &ev) == 0) {
		enum rte_iwarp_cm_event_type t = ev.event;
		int st = ev.status;

		rte_iwarp_cm_ack_event(&ev);
		if (t == RTE_IWARP_CM_EVENT_DISCONNECTED || t == RTE_IWARP_CM_EVENT_TERMINATE ||
		    t == RTE_IWARP_CM_EVENT_CQ_ERROR) {
			r->disconnected = true;
			perf_error("the connection ended: %s (status %d)", rte_iwarp_cm_event_str(t),
				   st);
			return -1;
		}
	}
	return 0;
}

static int
rd_post(struct rd *r, unsigned int ci, struct rte_iwarp_send_wr *wr)
{
	struct rte_iwarp_send_wr *bad;
	int rc = rte_iwarp_post_send(r->c[ci].qp, wr, &bad);

	if (rc != 0)
		perf_error("post_send: %s", strerror(rc < 0 ? -rc : rc));
	return rc;
}

/* Post one receive on connection ci: the whole receive buffer, any size fits. */
static int
rd_post_recv(struct rd *r, unsigned int ci)
{
	struct rte_iwarp_sge sg = { (uintptr_t)rd_rbuf(r), r->max_size, r->mr->lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = RD_WRID(RD_WR_RECV, ci, 0), .sg_list = &sg,
		.num_sge = 1 }, *bad;
	int rc = rte_iwarp_post_recv(r->c[ci].qp, &wr, &bad);

	if (rc != 0) {
		perf_error("post_recv: %s", strerror(rc < 0 ? -rc : rc));
		return rc;
	}
	r->c[ci].rq_out++;
	return 0;
}

static int
rd_write_small(struct rd *r, unsigned int ci, uint32_t off_local, uint32_t off_remote,
	       uint32_t len, uint64_t wr_id)
{
	struct rte_iwarp_sge sg = { (uintptr_t)r->mem + off_local, len, r->mr->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = wr_id, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };

	wr.wr.rdma.remote_addr = r->c[ci].peer_base + off_remote;
	wr.wr.rdma.rkey = r->c[ci].peer_rkey;
	return rd_post(r, ci, &wr);
}

static void
rd_slot_init(struct rd_slot *s, enum perf_msg type, const struct perf_params *p, uint32_t size)
{
	memset(s, 0, sizeof(*s));
	perf_ctl_init(&s->ctl, type, p, size);
}

/* Send a control record and wait until it has left (its slot is reused). */
static int
rd_ctl_send(struct rd *r, const struct rd_slot *in)
{
	struct rd_slot *s = (struct rd_slot *)(r->mem + RD_CTL_OUT);
	uint64_t end = rte_rdtsc() + r->timeout;

	*s = *in;
	s->seq = rte_cpu_to_be_64(++r->seq_out);
	r->ctl_busy = true;
	if (rd_write_small(r, 0, RD_CTL_OUT, RD_CTL_IN, sizeof(*s),
			   RD_WRID(RD_WR_CTL, 0, 0)) != 0)
		return -1;
	while (r->ctl_busy) {
		if (rd_step(r) < 0)
			return -1;
		if (rte_rdtsc() > end) {
			perf_error("a control record did not leave in %u s", r->p->timeout_s);
			return -1;
		}
	}
	return 0;
}

/* Has the peer's next control record arrived? */
static bool
rd_ctl_pending(struct rd *r)
{
	volatile struct rd_slot *s = (volatile struct rd_slot *)(r->mem + RD_CTL_IN);

	return rte_be_to_cpu_64(s->seq) > r->seq_in;
}

/* Wait for the peer's next control record (polling only). */
static int
rd_ctl_recv(struct rd *r, struct rd_slot *out, const char *what)
{
	volatile struct rd_slot *s = (volatile struct rd_slot *)(r->mem + RD_CTL_IN);
	uint64_t end = rte_rdtsc() + r->timeout, k = 0, t0;
	int w;

	/*
	 * A passive side (write_bw, read_bw server) spends its pattern here:
	 * count it, and bound the wait by the peer's silence, not by the time
	 * since it began (a size may run longer than --timeout, paced or -D).
	 */
	for (;;) {
		if (rd_ctl_pending(r)) {
			r->seq_in = rte_be_to_cpu_64(s->seq);
			memcpy(out, (const void *)s, sizeof(*out));
			if (!perf_ctl_valid(&out->ctl)) {
				perf_error("the peer wrote a malformed control record");
				return -1;
			}
			return 0;
		}
		t0 = rte_rdtsc();
		w = rd_step(r);
		if (w < 0)
			return -1;
		if (w > 0) {
			r->busy += rte_rdtsc() - t0;
			end = rte_rdtsc() + r->timeout;
		}
		if ((++k & 1023) == 0 && rd_check_cm(r) < 0)
			return -1;
		if (rte_rdtsc() > end) {
			perf_error("no %s from the peer, silent for %u s", what, r->p->timeout_s);
			return -1;
		}
	}
}

/* Room for n stamps and samples. */
static int
rd_grow(struct rd *r, uint64_t n)
{
	uint64_t *a, *b, *c;

	if (n <= r->cap)
		return 0;
	a = realloc(r->posted, n * sizeof(*a));
	if (a != NULL)
		r->posted = a;
	b = realloc(r->completed, n * sizeof(*b));
	if (b != NULL)
		r->completed = b;
	c = realloc(r->samples, n * sizeof(*c));
	if (c != NULL)
		r->samples = c;
	if (a == NULL || b == NULL || c == NULL) {
		perf_error("out of memory for the timestamps of %" PRIu64 " messages", n);
		return -1;
	}
	r->cap = n;
	return 0;
}

static int
rd_stalled(struct rd *r, uint64_t last)
{
	if (rte_rdtsc() - last <= r->timeout)
		return 0;
	if (rd_check_cm(r) == 0) {
		struct rte_iwarp_dev_stats st;

		rte_iwarp_dev_stats_get(r->dev, &st);
		perf_error("no progress in %u s: %" PRIu64 " posted, %" PRIu64 " completed, %"
			   PRIu64 " received (engine: %" PRIu64 " FPDUs out, %" PRIu64
			   " in, %" PRIu64 " transmits deferred for want of an mbuf)",
			   r->p->timeout_s, r->tot_issued, r->tot_done, r->tot_received,
			   st.tx_fpdus, st.rx_fpdus, st.tx_nombuf);
	}
	return -1;
}

/*
 * Busy accounting of one poll iteration that started at t0: an iteration
 * that did work (w > 0) counts as busy; an idle one checks for a stall.
 * @return 0, or -1 when the peer has been silent too long.
 */
static int
rd_account(struct rd *r, int w, uint64_t t0, uint64_t *last)
{
	if (w > 0) {
		r->busy += rte_rdtsc() - t0;
		*last = t0;
		return 0;
	}
	return rd_stalled(r, *last) < 0 ? -1 : 0;
}

/* One iteration of a wait: progress the engine, book completions. */
static int
rd_wait_step(struct rd *r, uint64_t *last)
{
	uint64_t t0 = rte_rdtsc();
	int w = rd_step(r);

	if (w < 0)
		return -1;
	return rd_account(r, w, t0, last);
}

/* Forget the counts of the last size (receives still posted stay counted). */
static void
rd_reset(struct rd *r)
{
	unsigned int i;

	for (i = 0; i < r->nc; i++) {
		struct rd_conn *c = &r->c[i];

		c->issued = c->done = c->sig_upto = c->avail = c->received = 0;
		*rd_credit_in(r, i) = 0;
	}
	r->tot_issued = r->tot_done = r->tot_received = 0;
	r->posts = r->wrs = r->inline_wrs = 0;
	r->nb_samples = 0;
	rte_iwarp_dev_stats_get(r->dev, &r->st0);
}

/* ---- the patterns ---- */

static void
rd_bw_init(struct rd *r, struct rd_bw *b, uint32_t size, uint64_t n, bool tx, bool rx)
{
	const struct perf_params *p = r->p;

	memset(b, 0, sizeof(*b));
	b->size = size;
	b->n = n;
	b->tx = tx;
	b->rx = rx;
	b->window = RTE_MAX(1u, p->rx_depth);
	if (n != 0 && n < b->window)
		b->window = (uint32_t)n;
	b->depth = RTE_MAX(1u, p->tx_depth);
	if (p->verb == PERF_VERB_READ)
		b->depth = RTE_MIN(b->depth, RTE_MAX(1u, RTE_MIN(p->out_reads,
								 (unsigned int)RD_ORD)));
	b->cq_mod = RTE_MIN(100u, RTE_MAX(1u, b->depth / 2));
	b->list = RTE_MIN(RTE_MAX(1u, p->post_list), (unsigned int)RD_MAX_LIST);
	b->inl = p->verb != PERF_VERB_READ && size <= p->inline_size;
}

/* Start the clock of a size; -D: the phases of its `dur` seconds. */
static void
rd_bw_start(struct rd *r, struct rd_bw *b, unsigned int dur)
{
	uint64_t span = (uint64_t)dur * r->hz, margin = RTE_MIN(RD_MARGIN_S * r->hz, span / 4);

	b->t0 = rte_rdtsc();
	b->w_t0 = b->t0;
	b->t_meas = b->t0 + margin;
	b->t_stop = b->t0 + span - margin;
}

/* -D: enter and leave the measured phase, taking the counts at its ends. */
static void
rd_bw_clock(struct rd *r, struct rd_bw *b, uint64_t now)
{
	if (b->n != 0 || b->stopped)
		return;
	if (!b->measuring && now >= b->t_meas) {
		b->measuring = true;
		b->w_t0 = now;
		b->w_done0 = r->tot_done;
		b->w_busy0 = r->busy;
		r->nb_samples = 0;
	}
	if (b->measuring && now >= b->t_stop) {
		b->measuring = false;
		b->stopped = true;
		b->w_t1 = now;
		b->w_done1 = r->tot_done;
		b->w_busy1 = r->busy;
	}
}

/* How far connection ci may post now: -n, the -D tail, -t, SEND credits. */
static uint64_t
rd_tx_limit(struct rd *r, const struct rd_bw *b, unsigned int ci)
{
	const struct rd_conn *c = &r->c[ci];
	uint64_t lim;

	if (b->n != 0)
		lim = b->n;
	else if (b->stopped) /* -D is over: one more at most, to signal the tail */
		lim = c->issued == c->sig_upto ? c->issued : c->issued + 1;
	else
		lim = UINT64_MAX;
	lim = RTE_MIN(lim, c->done + b->depth);
	if (r->p->verb == PERF_VERB_SEND)
		lim = RTE_MIN(lim, RTE_MAX((uint64_t)b->window, *rd_credit_in(r, ci)));
	return lim;
}

/*
 * Post what connection ci may post, in lists of -l; the one that fills the
 * window (or ends the run) is signalled, and every cq_mod-th.
 * @return the messages posted, or -1.
 */
static int
rd_tx_fill(struct rd *r, struct rd_bw *b, unsigned int ci)
{
	const struct perf_params *p = r->p;
	struct rd_conn *c = &r->c[ci];
	struct rte_iwarp_send_wr wrs[RD_MAX_LIST];
	struct rte_iwarp_sge sg;
	uint64_t lim = rd_tx_limit(r, b, ci), now, k, want;
	unsigned int m;
	int total = 0;

	sg.length = b->size;
	sg.lkey = r->mr->lkey;
	sg.addr = p->verb == PERF_VERB_READ ? (uintptr_t)rd_rbuf(r) : (uintptr_t)rd_sbuf(r);
	while (c->issued < lim) {
		/* --rate_limit: a list goes once all its messages are earned */
		want = RTE_MIN((uint64_t)b->list, lim - c->issued);
		if (perf_pace_on(&b->pace) &&
		    perf_pace_avail(&b->pace, rte_rdtsc(), want) < want) {
			b->paced = true;
			break;
		}
		for (m = 0; c->issued + m < lim && m < b->list; m++) {
			uint64_t id = c->issued + m;
			struct rte_iwarp_send_wr *wr = &wrs[m];

			memset(wr, 0, sizeof(*wr));
			wr->wr_id = RD_WRID(RD_WR_DATA, ci, id);
			wr->sg_list = &sg;
			wr->num_sge = 1;
			wr->opcode = p->verb == PERF_VERB_WRITE ? RTE_IWARP_WR_RDMA_WRITE :
				p->verb == PERF_VERB_READ ? RTE_IWARP_WR_RDMA_READ : RTE_IWARP_WR_SEND;
			if ((id + 1) % b->cq_mod == 0 || id + 1 == lim) {
				wr->send_flags = RTE_IWARP_SEND_SIGNALED;
				c->sig_upto = id + 1;
			}
			if (b->inl)
				wr->send_flags |= RTE_IWARP_SEND_INLINE;
			wr->wr.rdma.remote_addr = c->peer_base + RD_HDR +
				(p->verb == PERF_VERB_READ ? 0 : r->max_size);
			wr->wr.rdma.rkey = c->peer_rkey;
			if (m > 0)
				wrs[m - 1].next = wr;
		}
		now = rte_rdtsc();
		for (k = 0; r->stamp && k < m && r->tot_issued + k < r->cap; k++)
			r->posted[r->tot_issued + k] = now;
		if (rd_post(r, ci, wrs) != 0)
			return -1;
		perf_pace_take(&b->pace, m);
		r->posts++;
		r->wrs += m;
		if (b->inl)
			r->inline_wrs += m;
		c->issued += m;
		r->tot_issued += m;
		total += (int)m;
	}
	return total;
}

/*
 * SEND, the receiving side of connection ci: keep `window` receives posted
 * (-n: never more than n this size) and tell the sender how many it may use.
 * @return 1 when it posted something, 0, or -1.
 */
static int
rd_rx_fill(struct rd *r, struct rd_bw *b, unsigned int ci)
{
	struct rd_conn *c = &r->c[ci];
	uint64_t *out = (uint64_t *)(r->mem + RD_CREDIT_OUT) + ci;
	int w = 0;

	while (c->rq_out < b->window && (b->n == 0 || c->avail < b->n)) {
		if (rd_post_recv(r, ci) != 0)
			return -1;
		c->avail++;
		c->credit_dirty = true;
		w = 1;
	}
	if (c->credit_dirty && !c->credit_busy) {
		*out = c->avail;
		if (rd_write_small(r, ci, RD_CREDIT_OUT + 8 * ci, RD_CREDIT_IN + 8 * ci, 8,
				   RD_WRID(RD_WR_CREDIT, ci, 0)) != 0)
			return -1;
		c->credit_busy = true;
		c->credit_dirty = false;
		w = 1;
	}
	return w;
}

/*
 * Before the size starts: the receives the sender may use before our first
 * credit (the window; those left from the last size count).
 */
static int
rd_rx_prime(struct rd *r, struct rd_bw *b)
{
	unsigned int i;

	for (i = 0; i < r->nc; i++) {
		struct rd_conn *c = &r->c[i];

		c->avail = c->rq_out;
		while (c->rq_out < b->window && (b->n == 0 || c->avail < b->n)) {
			if (rd_post_recv(r, i) != 0)
				return -1;
			c->avail++;
		}
		c->credit_dirty = false;
	}
	return 0;
}

/* Have our messages all been posted and completed? */
static bool
rd_tx_idle(const struct rd *r, const struct rd_bw *b)
{
	unsigned int i;

	if (!b->tx)
		return true;
	for (i = 0; i < r->nc; i++) {
		const struct rd_conn *c = &r->c[i];

		if (c->done != c->issued || (b->n != 0 ? c->issued != b->n : !b->stopped))
			return false;
	}
	return true;
}

static bool
rd_rx_quiet(const struct rd *r)
{
	unsigned int i;

	for (i = 0; i < r->nc; i++)
		if (r->c[i].credit_busy || r->c[i].credit_dirty)
			return false;
	return true;
}

/* What rd_bw_loop() waits for. */
enum rd_until {
	RD_UNTIL_SENT,  /* our messages are all out and completed */
	RD_UNTIL_CTL,   /* that, and the peer's next control record is in */
	RD_UNTIL_RX,    /* `want` receives are in and their credits out */
};

static bool
rd_until_met(struct rd *r, const struct rd_bw *b, enum rd_until until, uint64_t want)
{
	switch (until) {
	case RD_UNTIL_SENT:
		return rd_tx_idle(r, b);
	case RD_UNTIL_CTL:
		return rd_tx_idle(r, b) && rd_ctl_pending(r);
	case RD_UNTIL_RX:
	default:
		return r->tot_received >= want && rd_rx_quiet(r);
	}
}

/* Run this side's part of a BW size (post, receive, credit) until `until`. */
static int
rd_bw_loop(struct rd *r, struct rd_bw *b, enum rd_until until, uint64_t want)
{
	uint64_t last = rte_rdtsc(), t0, k = 0;
	unsigned int i, ci;
	int w, x;

	for (;;) {
		t0 = rte_rdtsc();
		w = rd_step(r);
		if (w < 0)
			return -1;
		rd_bw_clock(r, b, rte_rdtsc());
		b->paced = false;
		for (i = 0; i < r->nc; i++) {
			ci = (b->rr + i) % r->nc;
			x = b->tx ? rd_tx_fill(r, b, ci) : 0;
			if (x >= 0 && b->rx)
				x |= rd_rx_fill(r, b, ci);
			if (x < 0)
				return -1;
			if (x > 0)
				w = 1;
		}
		b->rr = (b->rr + 1) % r->nc;
		if (b->t_idle == 0 && rd_tx_idle(r, b))
			b->t_idle = rte_rdtsc();
		if (rd_until_met(r, b, until, want))
			return 0;
		/* waiting for our own pace is no silence of the peer */
		if (b->paced)
			last = t0;
		if (rd_account(r, w, t0, &last) < 0)
			return -1;
		if ((++k & 4095) == 0 && rd_check_cm(r) < 0)
			return -1;
	}
}

/*
 * Wait until the last byte of the receive buffer is v (write_lat), polling.
 * @return 0; 1 when or_ctl and a control record came first (-D server); -1.
 */
static int
rd_wait_byte(struct rd *r, uint32_t size, uint8_t v, bool or_ctl)
{
	volatile uint8_t *b = rd_rbuf(r) + size - 1;
	uint64_t last = rte_rdtsc();

	while (*b != v) {
		if (or_ctl && rd_ctl_pending(r))
			return 1;
		if (rd_wait_step(r, &last) < 0)
			return -1;
	}
	return 0;
}

/* Wait until want receives (rcq) or sends have completed on connection 0; as above. */
static int
rd_wait_wc(struct rd *r, bool rcq, uint64_t want, bool or_ctl)
{
	uint64_t last = rte_rdtsc();

	while ((rcq ? r->c[0].received : r->c[0].done) < want) {
		if (or_ctl && rd_ctl_pending(r))
			return 1;
		if (rd_wait_step(r, &last) < 0)
			return -1;
	}
	return 0;
}

/* One signalled WRITE/SEND/READ of size from the buffers' start, on connection 0. */
static int
rd_one(struct rd *r, enum rte_iwarp_wr_opcode op, uint32_t size, bool inl)
{
	struct rd_conn *c = &r->c[0];
	struct rte_iwarp_sge sg = { (uintptr_t)(op == RTE_IWARP_WR_RDMA_READ ? rd_rbuf(r) :
						rd_sbuf(r)), size, r->mr->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = RD_WRID(RD_WR_DATA, 0, c->issued),
		.sg_list = &sg, .num_sge = 1, .opcode = op,
		.send_flags = RTE_IWARP_SEND_SIGNALED | (inl ? RTE_IWARP_SEND_INLINE : 0) };

	wr.wr.rdma.remote_addr = c->peer_base + RD_HDR +
		(op == RTE_IWARP_WR_RDMA_READ ? 0 : r->max_size);
	wr.wr.rdma.rkey = c->peer_rkey;
	if (rd_post(r, 0, &wr) != 0)
		return -1;
	c->issued++;
	c->sig_upto = c->issued;
	r->tot_issued++;
	r->posts++;
	r->wrs++;
	r->inline_wrs += inl;
	return 0;
}

static int
rd_sample(struct rd *r, uint64_t v)
{
	if (r->nb_samples == r->cap && rd_grow(r, r->cap != 0 ? 2 * r->cap : 4096) < 0)
		return -1;
	r->samples[r->nb_samples++] = v;
	return 0;
}

/*
 * Latency, both sides (the server answers). Samples: round trips (client;
 * -D: those of the measured phase). A -D server stops when END comes.
 */
static int
rd_lat(struct rd *r, struct rd_bw *b, bool client)
{
	const struct perf_params *p = r->p;
	uint32_t size = b->size;
	volatile uint8_t *last = rd_sbuf(r) + size - 1;
	bool dur = b->n == 0;
	uint64_t i, t0, t1;
	int x;

	/* the counters were reset before BEGIN: a receive may already be in */
	for (i = 0; dur || i < b->n; i++) {
		if (dur && client) {
			rd_bw_clock(r, b, rte_rdtsc());
			if (b->stopped)
				break;
		}
		switch (p->verb) {
		case PERF_VERB_WRITE:
			if (!client) {
				x = rd_wait_byte(r, size, (uint8_t)(i + 1), dur);
				if (x != 0)
					return x < 0 ? -1 : 0;
			}
			*last = (uint8_t)(i + 1);
			t0 = rte_rdtsc();
			if (rd_one(r, RTE_IWARP_WR_RDMA_WRITE, size, b->inl) != 0)
				return -1;
			if (client && rd_wait_byte(r, size, (uint8_t)(i + 1), false) < 0)
				return -1;
			t1 = rte_rdtsc();
			/* the source is rewritten next time: let this WRITE complete */
			if (rd_wait_wc(r, false, i + 1, false) < 0)
				return -1;
			break;
		case PERF_VERB_SEND:
			if (!client) {
				x = rd_wait_wc(r, true, i + 1, dur);
				if (x != 0)
					return x < 0 ? -1 : 0;
				/* the next ping's receive (-D: it may serve the next size) */
				if ((dur || i + 1 < b->n) && r->c[0].rq_out == 0 &&
				    rd_post_recv(r, 0) != 0)
					return -1;
			} else if (rd_post_recv(r, 0) != 0) {
				return -1;
			}
			t0 = rte_rdtsc();
			if (rd_one(r, RTE_IWARP_WR_SEND, size, b->inl) != 0)
				return -1;
			if (client && rd_wait_wc(r, true, i + 1, false) < 0)
				return -1;
			t1 = rte_rdtsc();
			if (rd_wait_wc(r, false, i + 1, false) < 0)
				return -1;
			break;
		case PERF_VERB_READ:
		default:
			t0 = rte_rdtsc();
			if (rd_one(r, RTE_IWARP_WR_RDMA_READ, size, false) != 0 ||
			    rd_wait_wc(r, false, i + 1, false) < 0)
				return -1;
			t1 = rte_rdtsc();
			break;
		}
		if (client && (!dur || b->measuring) && rd_sample(r, t1 - t0) < 0)
			return -1;
	}
	return 0;
}

/* ---- client ---- */

/* SEND: the server's receives per connection match what each one posted. */
static int
rd_check_qp_counts(struct rd *r, const struct rd_slot *m)
{
	unsigned int i;

	if (rte_be_to_cpu_32(m->nb_qps) != r->nc) {
		perf_error("the server counted %u connections, this client has %u",
			   rte_be_to_cpu_32(m->nb_qps), r->nc);
		return -1;
	}
	for (i = 0; i < r->nc; i++) {
		if (rte_be_to_cpu_64(m->qp_count[i]) != r->c[i].issued) {
			perf_error("connection %u: the server received %" PRIu64 " of %" PRIu64
				   " messages", i, (uint64_t)rte_be_to_cpu_64(m->qp_count[i]),
				   r->c[i].issued);
			return -1;
		}
	}
	return 0;
}

/* Fill one row from this side's counts and the server's RESULT. */
static void
rd_cl_result(struct rd *r, const struct rd_bw *b, uint64_t t1, uint64_t busy,
	     const struct rd_slot *m, struct perf_result *res)
{
	const struct perf_params *p = r->p;
	uint64_t msgs, t_start = b->t0, t_end = t1, peer_msgs = 0, peer_ns = 0;
	struct rte_iwarp_dev_stats st;
	double own_s, rate_peer = 0;
	unsigned int i;

	if (b->n != 0) {
		msgs = p->kind == PERF_KIND_BW ? r->tot_done : r->nb_samples;
	} else {
		msgs = p->kind == PERF_KIND_BW ? b->w_done1 - b->w_done0 : r->nb_samples;
		t_start = b->w_t0;
		t_end = b->w_t1;
		busy = b->w_busy1 - b->w_busy0;
	}
	if (m->ctl.flags & PERF_CTL_BIDIR) {
		peer_msgs = rte_be_to_cpu_64(m->ctl.sent);
		peer_ns = rte_be_to_cpu_64(m->span_ns);
	}
	memset(res, 0, sizeof(*res));
	res->size = b->size;
	res->iters = b->n != 0 ? b->n : msgs;
	res->rtt_factor = p->verb == PERF_VERB_READ ? 1 : 2;
	res->bytes = (msgs + peer_msgs) * b->size;
	res->cpu.busy = busy;
	res->cpu.total = t_end - t_start;
	res->t_start = t_start;
	res->t_end = t_end;
	res->peer_cpu.busy = rte_be_to_cpu_64(m->ctl.busy);
	res->peer_cpu.total = rte_be_to_cpu_64(m->ctl.total);
	res->peer_bytes = rte_be_to_cpu_64(m->ctl.bytes);
	res->peer_ns = rte_be_to_cpu_64(m->ctl.total_ns);
	if (p->kind == PERF_KIND_BW) {
		/* -b: both directions, each over its own span (perftest sums the two) */
		own_s = (double)(t_end - t_start) / (double)r->hz;
		if (peer_ns != 0)
			rate_peer = (double)peer_msgs * 1e9 / (double)peer_ns;
		res->msg_rate = (double)msgs / own_s + rate_peer;
		res->bw_avg = res->msg_rate * b->size;
		if (r->stamp)
			res->bw_peak = perf_peak_bw(r->posted, r->completed, r->tot_done, b->size) +
				rate_peer * b->size;
	} else {
		res->samples = r->samples;
		res->nb_samples = r->nb_samples;
	}
	for (i = 0; i < r->nc; i++)
		r->qp_msgs[i] = r->c[i].done;
	res->qp_msgs = r->qp_msgs;
	res->nb_qps = r->nc > 1 ? r->nc : 0;
	res->posts = r->posts;
	res->wrs = r->wrs;
	res->inline_wrs = r->inline_wrs;
	if (rte_iwarp_dev_stats_get(r->dev, &st) == 0) {
		res->engine = true;
		res->tx_fpdus = st.tx_fpdus - r->st0.tx_fpdus;
		res->tx_data_frames = st.tx_data_segs - r->st0.tx_data_segs;
		res->tx_frames = st.tx_frames - r->st0.tx_frames;
		res->rx_frames = st.rx_frames - r->st0.rx_frames;
		res->tx_rexmit = st.tx_rexmit - r->st0.tx_rexmit;
	}
}

static int
rd_cl_size(struct rd *r, uint32_t size, bool warm, struct perf_result *res)
{
	const struct perf_params *p = r->p;
	bool bw = p->kind == PERF_KIND_BW, bidir = bw && p->bidir;
	uint64_t n = warm ? r->warm_n : p->duration != 0 ? 0 : p->iters;
	uint64_t t1, busy, got, sent;
	struct rd_slot m;
	struct rd_bw b;
	int rc;

	rd_bw_init(r, &b, size, n, bw, bidir && p->verb == PERF_VERB_SEND);
	if (n != 0 && rd_grow(r, n * r->nc) < 0)
		return -1;
	r->stamp = bw && n != 0 && !p->no_peak;
	memset(rd_rbuf(r), 0, size);
	memset(rd_sbuf(r), 0, size);
	rd_reset(r);
	if (b.rx && rd_rx_prime(r, &b) < 0)
		return -1;
	rd_slot_init(&m, PERF_MSG_BEGIN, p, size);
	m.ctl.count = rte_cpu_to_be_64(n);
	m.ctl.window = rte_cpu_to_be_32(b.window);
	m.duration = rte_cpu_to_be_32(n != 0 ? 0 : p->duration);
	if (warm)
		m.ctl.flags |= PERF_CTL_WARMUP;
	if (bidir)
		m.ctl.flags |= PERF_CTL_BIDIR;
	if (rd_ctl_send(r, &m) < 0 || rd_ctl_recv(r, &m, "BEGIN_ACK") < 0)
		return -1;
	if (rte_be_to_cpu_16(m.ctl.type) != PERF_MSG_BEGIN_ACK ||
	    rte_be_to_cpu_32(m.ctl.status) != PERF_ST_OK) {
		perf_error("the server refused the %u-byte test", size);
		return -1;
	}
	r->busy = 0;
	rd_bw_start(r, &b, p->duration);
	if (bw && !warm)
		perf_pace_start(&b.pace, p, size, 1, b.depth);
	rc = bw ? rd_bw_loop(r, &b, RD_UNTIL_SENT, 0) : rd_lat(r, &b, true);
	if (rc < 0)
		return -1;
	t1 = rte_rdtsc();
	busy = r->busy;
	if (!bw && n == 0 && r->nb_samples == 0) {
		perf_error("-D %u: no round trip completed in the measured phase", p->duration);
		return -1;
	}
	rd_slot_init(&m, PERF_MSG_END, p, size);
	m.ctl.count = rte_cpu_to_be_64(r->tot_issued);
	if (rd_ctl_send(r, &m) < 0)
		return -1;
	/* -b SEND: keep taking the server's messages until its RESULT */
	if (b.rx && rd_bw_loop(r, &b, RD_UNTIL_CTL, 0) < 0)
		return -1;
	if (rd_ctl_recv(r, &m, "RESULT") < 0)
		return -1;
	got = rte_be_to_cpu_64(m.ctl.count);
	if (rte_be_to_cpu_16(m.ctl.type) != PERF_MSG_RESULT || got != r->tot_issued) {
		perf_error("the server received %" PRIu64 " of %" PRIu64 " messages", got,
			   r->tot_issued);
		return -1;
	}
	if (p->verb == PERF_VERB_SEND && rd_check_qp_counts(r, &m) < 0)
		return -1;
	if (b.rx) {
		/* -b SEND: everything the server sent has arrived here */
		sent = rte_be_to_cpu_64(m.sent_total);
		if (rd_bw_loop(r, &b, RD_UNTIL_RX, sent) < 0)
			return -1;
		if (r->tot_received != sent) {
			perf_error("the server sent %" PRIu64 " messages, %" PRIu64 " arrived",
				   sent, r->tot_received);
			return -1;
		}
	}
	rd_cl_result(r, &b, t1, busy, &m, res);
	return 0;
}

/*
 * The unreported warm-up: rounds of the first size, each twice as long as the
 * one before, until the frames sent and received cycled the port's rings
 * (PERF_WARM_FRAMES in the busier direction, a quarter of it in the other:
 * the ACKs of a write_bw, the requests of a read_bw).
 */
static int
rd_warm_up(struct rd *r, struct perf_result *res)
{
	struct rte_iwarp_dev_stats s0, s1;
	uint64_t tx, rx;
	unsigned int round;

	rte_iwarp_dev_stats_get(r->dev, &s0);
	r->warm_n = perf_warmup_iters(perf_first_size(r->p));
	for (round = 0; round < 8; round++, r->warm_n *= 2) {
		if (rd_cl_size(r, perf_first_size(r->p), true, res) < 0)
			return -1;
		rte_iwarp_dev_stats_get(r->dev, &s1);
		tx = s1.tx_frames - s0.tx_frames;
		rx = s1.rx_frames - s0.rx_frames;
		if (RTE_MAX(tx, rx) >= PERF_WARM_FRAMES &&
		    RTE_MIN(tx, rx) >= PERF_WARM_FRAMES / 4)
			break;
	}
	return 0;
}

/* ---- server ---- */

/* Is a BEGIN one this server can run? */
static bool
rd_sv_begin_ok(struct rd *r, const struct rd_slot *in)
{
	return perf_ctl_begin_ok(&in->ctl, rte_be_to_cpu_32(in->duration), r->p->verb,
				 r->p->kind, r->max_size);
}

static int
rd_sv_size(struct rd *r, const struct rd_slot *in)
{
	const struct perf_params *p = r->p;
	uint32_t size = rte_be_to_cpu_32(in->ctl.size);
	uint64_t n = rte_be_to_cpu_64(in->ctl.count), t1, got, msgs, span;
	bool bw = p->kind == PERF_KIND_BW, bidir = bw && (in->ctl.flags & PERF_CTL_BIDIR);
	struct rd_slot m;
	struct rd_bw b;
	unsigned int i;
	int rc = 0;

	rd_slot_init(&m, PERF_MSG_BEGIN_ACK, p, size);
	if (p->kind == PERF_KIND_BW && p->verb == PERF_VERB_SEND &&
	    rte_be_to_cpu_32(in->ctl.window) > r->max_recv) {
		m.ctl.status = rte_cpu_to_be_32(PERF_ST_TEST_MISMATCH);
		rd_ctl_send(r, &m);
		perf_error("the client keeps %u receives posted (-r), this server's receive "
			   "queue holds %u: give the server the same -r",
			   rte_be_to_cpu_32(in->ctl.window), r->max_recv);
		return -1;
	}
	if (!rd_sv_begin_ok(r, in)) {
		m.ctl.status = rte_cpu_to_be_32(PERF_ST_TEST_MISMATCH);
		rd_ctl_send(r, &m);
		perf_error("the client asked for a test this server does not run (%u bytes)",
			   size);
		return -1;
	}
	rd_bw_init(r, &b, size, n, bidir, bw && p->verb == PERF_VERB_SEND);
	b.window = rte_be_to_cpu_32(in->ctl.window);
	r->stamp = false;
	memset(rd_rbuf(r), 0, size);
	memset(rd_sbuf(r), 0, size);
	rd_reset(r);
	/* SEND: the receives the client may use before our first credit */
	if (!bw && p->verb == PERF_VERB_SEND && r->c[0].rq_out == 0 && rd_post_recv(r, 0) != 0)
		return -1;
	if (b.rx && rd_rx_prime(r, &b) < 0)
		return -1;
	/* the phase starts before BEGIN_ACK leaves: the client cannot start earlier */
	r->busy = 0;
	rd_bw_start(r, &b, rte_be_to_cpu_32(in->duration));
	if (rd_ctl_send(r, &m) < 0)
		return -1;
	if (!bw && p->verb != PERF_VERB_READ)
		rc = rd_lat(r, &b, false);
	else if (b.tx || b.rx)
		rc = rd_bw_loop(r, &b, RD_UNTIL_CTL, 0);
	if (rc < 0)
		return -1;
	/* WRITE and READ: nothing to do here but poll until END */
	if (rd_ctl_recv(r, &m, "END") < 0)
		return -1;
	if (rte_be_to_cpu_16(m.ctl.type) != PERF_MSG_END) {
		perf_error("expected END from the client");
		return -1;
	}
	got = rte_be_to_cpu_64(m.ctl.count);
	/* SEND: the client's last messages may still be on their way */
	if (b.rx && rd_bw_loop(r, &b, RD_UNTIL_RX, got) < 0)
		return -1;
	t1 = rte_rdtsc();
	msgs = b.n != 0 ? r->tot_done : b.w_done1 - b.w_done0;
	span = b.n != 0 ? b.t_idle - b.t0 : b.w_t1 - b.w_t0;
	rd_slot_init(&m, PERF_MSG_RESULT, p, size);
	/* SEND: what arrived here; WRITE and READ leave no trace on this side */
	m.ctl.count = rte_cpu_to_be_64(p->verb == PERF_VERB_SEND ? r->tot_received : got);
	m.ctl.bytes = rte_cpu_to_be_64((got + r->tot_issued) * size);
	m.ctl.busy = rte_cpu_to_be_64(r->busy);
	m.ctl.total = rte_cpu_to_be_64(t1 - b.t0);
	m.ctl.total_ns = rte_cpu_to_be_64((uint64_t)((double)(t1 - b.t0) * 1e9 / (double)r->hz));
	m.nb_qps = rte_cpu_to_be_32(r->nc);
	for (i = 0; i < r->nc; i++)
		m.qp_count[i] = rte_cpu_to_be_64(r->c[i].received);
	if (bidir) {
		if (!(in->ctl.flags & PERF_CTL_WARMUP))
			r->sent_back += r->tot_issued;
		m.ctl.flags = PERF_CTL_BIDIR;
		m.ctl.sent = rte_cpu_to_be_64(msgs);
		m.sent_total = rte_cpu_to_be_64(r->tot_issued);
		m.span_ns = rte_cpu_to_be_64((uint64_t)((double)span * 1e9 / (double)r->hz));
	}
	return rd_ctl_send(r, &m);
}

static int
rd_server_loop(struct rd *r)
{
	struct rd_slot m;
	unsigned int sizes = 0;

	for (;;) {
		if (rd_ctl_recv(r, &m, "BEGIN or BYE") < 0)
			return -1;
		switch (rte_be_to_cpu_16(m.ctl.type)) {
		case PERF_MSG_BEGIN:
			if (rd_sv_size(r, &m) < 0)
				return -1;
			if (!(m.ctl.flags & PERF_CTL_WARMUP))
				sizes++;
			break;
		case PERF_MSG_BYE:
			rd_slot_init(&m, PERF_MSG_BYE_ACK, r->p, 0);
			if (rd_ctl_send(r, &m) < 0)
				return -1;
			printf(PERF_PROG ": served %u size(s) of %s over RDMA on %u connection(s)",
			       sizes, r->p->test_name, r->established);
			if (r->sent_back != 0)
				printf(", sent %" PRIu64 " message(s) back (-b)", r->sent_back);
			printf("\n");
			return 0;
		default:
			perf_error("unexpected control record %u", rte_be_to_cpu_16(m.ctl.type));
			return -1;
		}
	}
}

/* ---- setup and teardown ---- */

static int
rd_wait_event(struct rd *r, enum rte_iwarp_cm_event_type want, struct rte_iwarp_cm_event *ev,
	      uint64_t cycles)
{
	uint64_t end = rte_rdtsc() + cycles;

	while (rte_rdtsc() < end) {
		rte_iwarp_dev_poll(r->dev);
		if (rte_iwarp_cm_get_event(r->dev, ev) < 0)
			continue;
		if (ev->event == want)
			return 0;
		return -(int)ev->event; /* the caller names it and acks */
	}
	return -ETIMEDOUT;
}

/* Wait (bounded) until every connection has reported DISCONNECTED. */
static void
rd_wait_disconnected(struct rd *r, uint64_t cycles)
{
	uint64_t end = rte_rdtsc() + cycles;
	struct rte_iwarp_cm_event ev;
	unsigned int seen = 0;

	while (seen < r->nc && rte_rdtsc() < end) {
		rte_iwarp_dev_poll(r->dev);
		if (rte_iwarp_cm_get_event(r->dev, &ev) < 0)
			continue;
		seen += ev.event == RTE_IWARP_CM_EVENT_DISCONNECTED;
		rte_iwarp_cm_ack_event(&ev);
	}
	r->disconnected = true;
}

/* The -q QPs on one CQ; -I sets their inline capacity. */
static int
rd_create_qps(struct rd *r)
{
	const struct perf_params *p = r->p;
	struct rte_iwarp_qp_init_attr qa;
	unsigned int i;

	r->c = calloc(r->nc, sizeof(*r->c));
	if (r->c == NULL) {
		perf_error("out of memory");
		return -1;
	}
	for (i = 0; i < r->nc; i++) {
		memset(&qa, 0, sizeof(qa));
		qa.send_cq = r->cq;
		qa.recv_cq = r->cq;
		qa.cap.max_send_wr = RTE_MAX(64u, rte_align32pow2(p->tx_depth + 8));
		qa.cap.max_recv_wr = RTE_MAX(64u, rte_align32pow2(p->rx_depth + 1));
		qa.cap.max_inline_data = p->inline_size;
		qa.cap.max_rd_atomic = RD_ORD;
		qa.cap.max_dest_rd_atomic = RD_ORD;
		r->c[i].qp = rte_iwarp_create_qp(r->pd, &qa);
		if (r->c[i].qp == NULL) {
			perf_error("create_qp %u (send queue %u, receive queue %u, inline %u): %s",
				   i, qa.cap.max_send_wr, qa.cap.max_recv_wr, p->inline_size,
				   rte_strerror(rte_errno));
			return -1;
		}
		r->max_recv = qa.cap.max_recv_wr;
		if (qa.cap.max_inline_data < p->inline_size) {
			perf_error("-I %u: the QP takes at most %u bytes inline", p->inline_size,
				   qa.cap.max_inline_data);
			return -1;
		}
	}
	return 0;
}

static int
rd_open(struct rd *r)
{
	const struct perf_params *p = r->p;
	uint32_t cq_depth;

	if (perf_engine_open(p, "waiting for a client", &r->port, &r->dev) < 0)
		return -1;
	r->pd = rte_iwarp_alloc_pd(r->dev);
	cq_depth = RTE_MAX((uint32_t)RD_CQ_DEPTH,
			   rte_align32pow2(r->nc * (p->tx_depth + p->rx_depth + 8)));
	r->cq = rte_iwarp_create_cq(r->dev, cq_depth, NULL);
	if (r->pd == NULL || r->cq == NULL) {
		perf_error("PD/CQ: %s", rte_strerror(rte_errno));
		return -1;
	}
	return rd_create_qps(r);
}

static int
rd_alloc_mem(struct rd *r, uint32_t max_size)
{
	r->max_size = RTE_ALIGN_CEIL(RTE_MAX(max_size, 64u), 4096u);
	r->mem_len = RD_HDR + 2 * (size_t)r->max_size;
	r->mem = aligned_alloc(4096, r->mem_len);
	if (r->mem == NULL) {
		perf_error("out of memory for %u-byte buffers", max_size);
		return -1;
	}
	memset(r->mem, 0, r->mem_len);
	r->mr = rte_iwarp_reg_mr(r->pd, r->mem, r->mem_len, RTE_IWARP_ACCESS_LOCAL_WRITE |
				 RTE_IWARP_ACCESS_REMOTE_WRITE | RTE_IWARP_ACCESS_REMOTE_READ);
	if (r->mr == NULL) {
		perf_error("reg_mr of %zu bytes: %s", r->mem_len, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void
rd_info_fill(struct rd *r, struct rd_info *in, unsigned int index)
{
	memset(in, 0, sizeof(*in));
	in->magic = rte_cpu_to_be_32(RD_MAGIC);
	in->verb = (uint8_t)r->p->verb;
	in->kind = (uint8_t)r->p->kind;
	in->qps = (uint8_t)r->nc;
	in->index = (uint8_t)index;
	in->base = rte_cpu_to_be_64((uintptr_t)r->mem);
	in->rkey = rte_cpu_to_be_32(r->mr->rkey);
	in->max_size = rte_cpu_to_be_32(r->max_size);
}

/* The peer's private data: an iwarp-perf peer? Then its buffers, into *in. */
static int
rd_info_take(const void *pd, uint16_t len, struct rd_info *in)
{
	if (len < sizeof(*in) || pd == NULL) {
		perf_error("the peer's private data is %u bytes, not an iwarp-perf peer", len);
		return -1;
	}
	memcpy(in, pd, sizeof(*in));
	if (rte_be_to_cpu_32(in->magic) != RD_MAGIC) {
		perf_error("the peer is not an iwarp-perf peer");
		return -1;
	}
	return 0;
}

static void
rd_conn_peer(struct rd_conn *c, const struct rd_info *in)
{
	c->peer_base = rte_be_to_cpu_64(in->base);
	c->peer_rkey = rte_be_to_cpu_32(in->rkey);
}

/* Refuse a client, saying why on both sides (one error line here). */
static int
rd_refuse(struct rte_iwarp_cm_id *id, const char *why)
{
	rte_iwarp_reject(id, why, (uint16_t)(strlen(why) + 1));
	return -1;
}

/* Take connection i of -q: the request, its checks, accept, established. */
static int
rd_accept_one(struct rd *r, unsigned int i)
{
	const struct perf_params *p = r->p;
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	struct rd_info mine, theirs;
	struct rte_iwarp_cm_id *id;
	char why[96];
	int rc;

	rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, r->timeout);
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			rte_iwarp_cm_ack_event(&ev);
		if (i == 0)
			perf_error("no client in %u s", p->timeout_s);
		else
			perf_error("only %u of -q %u connections arrived in %u s", i, r->nc,
				   p->timeout_s);
		return -1;
	}
	id = ev.id;
	rc = rd_info_take(ev.private_data, ev.private_data_len, &theirs);
	rte_iwarp_cm_ack_event(&ev);
	if (rc < 0)
		return rd_refuse(id, "iwarp-perf: not an iwarp-perf client");
	if (theirs.verb != p->verb || theirs.kind != p->kind) {
		perf_error("the client asked for %s, this server runs %s",
			   perf_test_name(theirs.verb, theirs.kind), p->test_name);
		return rd_refuse(id, "iwarp-perf: the server runs another test");
	}
	if (theirs.qps != r->nc || theirs.index != i) {
		perf_error("the client asked for -q %u, this server runs -q %u", theirs.qps, r->nc);
		snprintf(why, sizeof(why), "iwarp-perf: the server runs -q %u", r->nc);
		return rd_refuse(id, why);
	}
	if (i == 0 && rd_alloc_mem(r, rte_be_to_cpu_32(theirs.max_size)) < 0)
		return rd_refuse(id, "iwarp-perf: the server is out of memory");
	r->c[i].id = id;
	rd_conn_peer(&r->c[i], &theirs);
	rd_info_fill(r, &mine, i);
	memset(&cp, 0, sizeof(cp));
	cp.private_data = &mine;
	cp.private_data_len = sizeof(mine);
	if (rte_iwarp_accept(id, r->c[i].qp, &cp) != 0) {
		perf_error("accept: %s", rte_strerror(rte_errno));
		return -1;
	}
	rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, r->timeout);
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			rte_iwarp_cm_ack_event(&ev);
		perf_error("connection %u was not established: %s", i, rc == -ETIMEDOUT ?
			   "timeout" : rte_iwarp_cm_event_str((enum rte_iwarp_cm_event_type)-rc));
		return -1;
	}
	rte_iwarp_cm_ack_event(&ev);
	r->established++;
	return 0;
}

static int
rd_server(struct rd *r)
{
	const struct perf_params *p = r->p;
	unsigned int i;

	r->lid = rte_iwarp_listen(r->dev, p->port, r->nc, NULL, NULL);
	if (r->lid == NULL) {
		perf_error("listen on port %u: %s", p->port, rte_strerror(rte_errno));
		return -1;
	}
	for (i = 0; i < r->nc; i++)
		if (rd_accept_one(r, i) < 0)
			return -1;
	if (rd_server_loop(r) < 0)
		return -1;
	/* the client disconnects after BYE_ACK */
	rd_wait_disconnected(r, r->timeout);
	return 0;
}

/* Connect connection i (the first one retries while the server is not up yet). */
static int
rd_connect_one(struct rd *r, unsigned int i, rte_be32_t dst)
{
	const struct perf_params *p = r->p;
	uint64_t end = rte_rdtsc() + r->timeout;
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	struct rd_info mine, theirs;
	int rc;

	rd_info_fill(r, &mine, i);
	memset(&cp, 0, sizeof(cp));
	cp.private_data = &mine;
	cp.private_data_len = sizeof(mine);
	for (;;) {
		r->c[i].id = rte_iwarp_connect(r->c[i].qp, dst, p->port, &cp, NULL);
		if (r->c[i].id == NULL) {
			perf_error("connect: %s", rte_strerror(rte_errno));
			return -1;
		}
		rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, r->timeout);
		if (rc == 0)
			break;
		if (rc == -ETIMEDOUT) {
			perf_error("no answer from %s port %u in %u s", p->server, p->port,
				   p->timeout_s);
			return -1;
		}
		if (ev.event == RTE_IWARP_CM_EVENT_REJECTED) {
			perf_error("%s refused the connection: %s", p->server,
				   ev.private_data_len > 0 && ev.private_data != NULL &&
				   memchr(ev.private_data, 0, ev.private_data_len) != NULL ?
				   (const char *)ev.private_data : "rejected");
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		if (i > 0 || ev.event != RTE_IWARP_CM_EVENT_UNREACHABLE || rte_rdtsc() > end) {
			perf_error("connect to %s port %u: %s", p->server, p->port,
				   rte_iwarp_cm_event_str(ev.event));
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		/* the server may not listen yet */
		rte_iwarp_cm_ack_event(&ev);
		rte_iwarp_cm_destroy_id(r->c[i].id);
		r->c[i].id = NULL;
		rte_delay_ms(50);
	}
	rc = rd_info_take(ev.private_data, ev.private_data_len, &theirs);
	rte_iwarp_cm_ack_event(&ev);
	if (rc < 0)
		return -1;
	rd_conn_peer(&r->c[i], &theirs);
	r->established++;
	return 0;
}

static int
rd_client(struct rd *r)
{
	const struct perf_params *p = r->p;
	uint32_t size, max_size = p->all ? p->size_max : p->size;
	struct perf_result res;
	struct rd_slot m;
	rte_be32_t dst = perf_engine_ip(p->server, 0);
	unsigned int i;
	int jrc;

	if (dst == 0) {
		perf_error("'%s' is not an IPv4 address (the server's --ip)", p->server);
		return -1;
	}
	if (rd_alloc_mem(r, RTE_MAX(max_size, perf_first_size(p))) < 0)
		return -1;
	for (i = 0; i < r->nc; i++)
		if (rd_connect_one(r, i, dst) < 0)
			return -1;
	snprintf(r->desc, sizeof(r->desc), "librte_iwarp on %s to %s port %u", perf_port_name(r->port),
		 p->server, p->port);
	perf_report_banner(p, r->desc);
	perf_report_header(p);
	if (rd_warm_up(r, &res) < 0)
		return -1;
	for (size = perf_first_size(p); size != 0; size = perf_next_size(p, size)) {
		if (rd_cl_size(r, size, false, &res) < 0)
			return -1;
		perf_report_line(p, &res);
	}
	perf_report_footer(p);
	rd_slot_init(&m, PERF_MSG_BYE, p, 0);
	if (rd_ctl_send(r, &m) < 0 || rd_ctl_recv(r, &m, "BYE_ACK") < 0)
		return -1;
	for (i = 0; i < r->nc; i++)
		rte_iwarp_disconnect(r->c[i].id);
	rd_wait_disconnected(r, r->hz * 2);
	jrc = perf_report_json_write(p, r->desc);
	if (jrc < 0) {
		perf_error("--out_json_file %s: %s", p->json_file, strerror(-jrc));
		return -1;
	}
	return 0;
}

static int
rd_run(const struct perf_params *p)
{
	struct rd *r;
	int rc;

	if (p->qps > RD_MAX_QPS) {
		perf_error("-q %u: at most %u connections", p->qps, RD_MAX_QPS);
		return PERF_EXIT_USAGE;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		perf_error("out of memory");
		return PERF_EXIT_FAIL;
	}
	r->p = p;
	r->nc = RTE_MAX(1u, p->qps);
	r->hz = perf_tsc_hz();
	r->timeout = (uint64_t)p->timeout_s * r->hz;
	rc = rd_open(r);
	if (rc == 0)
		rc = p->server != NULL ? rd_client(r) : rd_server(r);
	perf_engine_close(p, r->port, r->dev, 50);
	free(r->c);
	free(r->mem);
	free(r->posted);
	free(r->completed);
	free(r->samples);
	free(r);
	return rc == 0 ? 0 : PERF_EXIT_FAIL;
}

const struct perf_transport perf_rdma_transport = {
	.name = "rdma",
	.needs_eal = true,
	.run = rd_run,
};
