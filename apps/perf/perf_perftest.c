/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf --rdma -R: perftest's own rdma_cm protocol ("ib_write_bw -R"),
 * so that either side may be perftest on any iWARP RNIC (Linux siw, Chelsio,
 * Intel). Written from the wire format of perftest 6.06 (Debian 12's perftest
 * 4.5-0.17): see docs/interop.md for the versions this covers.
 *
 * Two connections to the same port (-p, 18515), MPA v2 without private data
 * (perftest does not ask for peer-to-peer mode; we offer it, see
 * pt_conn_param()):
 *  - the control connection: a QP that carries perftest's control messages
 *    as SENDs into one posted receive of 56 bytes, strictly alternating
 *    (the client writes, the server answers with the same length):
 *    version (16 B, "6.06"), cycle buffer and cache line (4 B each,
 *    big-endian), MTU ("3", 2 B), then "handshakes": perftest's struct
 *    pingpong_dest (56 B, big-endian: lid, out_reads, qpn, psn, rkey,
 *    vaddr, gid, srqn, gid_index) before and after the test connection,
 *    after setup, before every send_bw size, and at the end (not
 *    write_lat); the BW tests end with the client's report (size,
 *    iterations, peak, average, message rate: 8 B each, big-endian);
 *  - the test connection: the pattern, on a second QP. WRITE and READ go to
 *    the peer's vaddr/rkey from the handshake; write_lat is a ping-pong of
 *    WRITEs in which each side polls the last byte of its buffer for an
 *    8-bit counter, the server first; send_bw is flow controlled by the
 *    receiver (iWARP has no RNR retry): the sender's handshake carries the
 *    address of a 32-bit credit word into which the receiver RDMA WRITEs the
 *    number of messages it has received (little-endian, as perftest on x86),
 *    and the sender keeps fewer than rx_depth (-r, 512 at most -n)
 *    messages beyond that count; read_lat is one READ at a time, the server
 *    passive.
 * The server closes the test connection, then the control connection.
 *
 * Both sides must be given the same test flags (-s or -a, -n, -t, -r), as
 * perftest requires. One inline-mode engine carries both connections; one
 * CQ takes every completion, told apart by wr_id.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "rte_iwarp.h"
#include "perf.h"
#include "perf_ctlmsg.h"

#define PT_MTU          "3"     /* IBV_MTU_1024, as siw on a 1500-byte link */
#define PT_PAGE         4096    /* our cycle buffer */
#define PT_CACHE_LINE   64
#define PT_FIRST_DELAY_MS 100   /* siw's first-FPDU race (docs/interop.md) */
#define PT_CLOSE_GRACE_MS 300   /* server: before its disconnect (pt_close()) */
#define PT_RD           128     /* IRD and ORD: siw offers 128 */
#define PT_MAX_OUTS     16      /* our READs in flight at most */
#define PT_CQ_MOD       100     /* perftest's default */
#define PT_WC_BURST     32
#define PT_CREDITS_OUT  32      /* credit WRITEs in flight at most */
#define PT_LAST_POW     23      /* -a: 2^1 .. 2^23, as perftest */

/* The one registered region. */
#define PT_COMM_TX   0      /* control message out */
#define PT_COMM_RX   64     /* control message in (one receive) */
#define PT_CREDIT_IN 128    /* send_bw sender: the receiver's count lands here */
#define PT_CREDIT_OUT 136   /* send_bw receiver: source of the count */
#define PT_HDR       4096   /* then the send buffer, then the receive buffer */

/* wr_id of everything that is not the pattern (pattern: the message index) */
#define PT_WR_TAG     (1ull << 63)
#define PT_WR_COMM_TX (PT_WR_TAG | 1)
#define PT_WR_COMM_RX (PT_WR_TAG | 2)
#define PT_WR_CREDIT  (PT_WR_TAG | 3)
#define PT_WR_DATA_RX (PT_WR_TAG | 4)


struct pt {
	const struct perf_params *p;
	bool client;
	struct rte_iwarp_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;
	struct rte_iwarp_qp *cqp, *dqp;           /* control and test QPs */
	struct rte_iwarp_cm_id *lid, *cid, *did;  /* listener, control, test */
	struct rte_iwarp_mr *mr;
	uint8_t *mem;
	size_t mem_len;
	uint32_t buf_len;
	uint64_t peer_vaddr;
	uint32_t peer_rkey;
	char peer_version[PT_VERSION_LEN + 1];
	uint64_t hz, timeout;
	struct rte_iwarp_cm_event request;  /* a test connection request seen early */
	bool request_pending;
	bool closing;        /* the last handshake is under way: the peer may close */
	bool down[2];        /* DISCONNECTED seen: test, control connection */
	/* what pt_step() saw */
	bool comm_tx_done, comm_rx_done;
	uint32_t comm_rx_len;
	uint64_t done;       /* pattern messages completed */
	uint64_t recvs;      /* send_bw receives completed */
	uint64_t t_last_rx, t_comm_rx;  /* last data receive, last control message */
	unsigned int credits_out;
	uint64_t fpdus;      /* the engine's FPDU counters at the last look */
	/* the pattern */
	uint64_t *posted, *completed;
	uint64_t cap;
	char desc[160];
};

static uint8_t *
pt_sbuf(struct pt *t)
{
	return t->mem + PT_HDR;
}

static uint8_t *
pt_rbuf(struct pt *t)
{
	return t->mem + PT_HDR + t->buf_len;
}

/* ---- one poll iteration ---- */

static int
pt_step(struct pt *t)
{
	struct rte_iwarp_wc wc[PT_WC_BURST];
	int n = rte_iwarp_poll_cq(t->cq, PT_WC_BURST, wc);
	uint64_t now, k;
	int i;

	if (n < 0) {
		perf_error("CQ: %s", strerror(-n));
		return -1;
	}
	now = rte_rdtsc();
	for (i = 0; i < n; i++) {
		/* the peer may close once the last handshake is answered */
		if (wc[i].status == RTE_IWARP_WC_WR_FLUSH_ERR && t->closing)
			continue;
		if (wc[i].status != RTE_IWARP_WC_SUCCESS) {
			perf_error("work request %#" PRIx64 " failed: %s (%" PRIu64
				   " pattern messages completed, %" PRIu64 " received)",
				   wc[i].wr_id, rte_iwarp_wc_status_str(wc[i].status), t->done,
				   t->recvs);
			return -1;
		}
		switch (wc[i].wr_id) {
		case PT_WR_COMM_TX:
			t->comm_tx_done = true;
			break;
		case PT_WR_COMM_RX:
			t->comm_rx_done = true;
			t->comm_rx_len = wc[i].byte_len;
			t->t_comm_rx = now;
			break;
		case PT_WR_CREDIT:
			t->credits_out--;
			break;
		case PT_WR_DATA_RX:
			t->recvs++;
			t->t_last_rx = now;
			break;
		default:
			/* signalled every cq_mod: everything up to it is done */
			for (k = t->done; k <= wc[i].wr_id && k < t->cap; k++)
				t->completed[k] = now;
			t->done = wc[i].wr_id + 1;
			break;
		}
	}
	return n;
}

/*
 * The peer went away? Reports it as the error. A connection request (the
 * test connection, arriving while the server still answers the handshake
 * before it) is kept for pt_accept().
 */
static int
pt_check_cm(struct pt *t)
{
	struct rte_iwarp_cm_event ev;

	while (!t->request_pending && rte_iwarp_cm_get_event(t->dev, &ev) == 0) {
		enum rte_iwarp_cm_event_type e = ev.event;
		struct rte_iwarp_cm_id *id = ev.id;
		int st = ev.status;

		if (e == RTE_IWARP_CM_EVENT_CONNECT_REQUEST) {
			t->request = ev;
			t->request_pending = true;
			break;
		}
		rte_iwarp_cm_ack_event(&ev);
		if (e == RTE_IWARP_CM_EVENT_DISCONNECTED && (id == t->did || id == t->cid)) {
			t->down[id == t->cid] = true;
			if (t->closing)
				continue;
		}
		if (e == RTE_IWARP_CM_EVENT_DISCONNECTED || e == RTE_IWARP_CM_EVENT_TERMINATE ||
		    e == RTE_IWARP_CM_EVENT_CQ_ERROR) {
			perf_error("a connection ended: %s (status %d)", rte_iwarp_cm_event_str(e),
				   st);
			return -1;
		}
	}
	return 0;
}

/* FPDUs moved since the last call (a passive side's sign of progress)? */
static bool
pt_moved(struct pt *t)
{
	struct rte_iwarp_dev_stats st;
	uint64_t f;

	rte_iwarp_dev_stats_get(t->dev, &st);
	f = st.rx_fpdus + st.tx_fpdus;
	if (f == t->fpdus)
		return false;
	t->fpdus = f;
	return true;
}

/*
 * Poll until *flag (or the counter reaches want), bounded by the timeout
 * from the last FPDU moved (a passive server waits out its client's test).
 */
static int
pt_wait_until(struct pt *t, const bool *flag, const uint64_t *count, uint64_t want,
	      const char *what)
{
	uint64_t end = rte_rdtsc() + t->timeout, k = 0;

	while (flag != NULL ? !*flag : *count < want) {
		if (pt_step(t) < 0)
			return -1;
		if ((++k & 1023) == 0) {
			if (pt_check_cm(t) < 0)
				return -1;
			if (pt_moved(t))
				end = rte_rdtsc() + t->timeout;
		}
		if (rte_rdtsc() > end) {
			perf_error("no %s from the peer in %u s", what, t->p->timeout_s);
			return -1;
		}
	}
	return 0;
}

/* ---- the control connection ---- */

static int
pt_post(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr)
{
	struct rte_iwarp_send_wr *bad;
	int rc = rte_iwarp_post_send(qp, wr, &bad);

	if (rc != 0)
		perf_error("post_send: %s", strerror(-rc));
	return rc;
}

static int
pt_post_recv(struct pt *t, struct rte_iwarp_qp *qp, uint64_t wr_id, void *buf, uint32_t len)
{
	struct rte_iwarp_sge sg = { (uintptr_t)buf, len, t->mr->lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = wr_id, .sg_list = &sg, .num_sge = 1 }, *bad;
	int rc = rte_iwarp_post_recv(qp, &wr, &bad);

	if (rc != 0)
		perf_error("post_recv: %s", strerror(-rc));
	return rc;
}

static int
pt_comm_recv_post(struct pt *t)
{
	return pt_post_recv(t, t->cqp, PT_WR_COMM_RX, t->mem + PT_COMM_RX,
			    sizeof(struct pt_dest));
}

static int
pt_send(struct pt *t, const void *buf, uint32_t len, const char *what)
{
	struct rte_iwarp_sge sg = { (uintptr_t)t->mem + PT_COMM_TX, len, t->mr->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = PT_WR_COMM_TX, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED };

	memcpy(t->mem + PT_COMM_TX, buf, len);
	t->comm_tx_done = false;
	if (pt_post(t->cqp, &wr) != 0)
		return -1;
	return pt_wait_until(t, &t->comm_tx_done, NULL, 0, what);
}

static int
pt_recv(struct pt *t, void *buf, uint32_t len, const char *what)
{
	if (pt_wait_until(t, &t->comm_rx_done, NULL, 0, what) < 0)
		return -1;
	t->comm_rx_done = false;
	if (t->comm_rx_len != len) {
		perf_error("perftest protocol: a %u-byte %s expected, the peer sent %u bytes "
			   "(peer version '%s', this side speaks " PT_VERSION ")", len, what,
			   t->comm_rx_len, t->peer_version);
		return -1;
	}
	memcpy(buf, t->mem + PT_COMM_RX, len);
	/* as perftest: the next receive is posted before this side answers */
	return pt_comm_recv_post(t);
}

/* perftest's ctx_xchg_data(): the client writes first, the server answers. */
static int
pt_xchg(struct pt *t, const void *mine, void *theirs, uint32_t len, const char *what)
{
	if (t->client)
		return pt_send(t, mine, len, what) < 0 ? -1 : pt_recv(t, theirs, len, what);
	return pt_recv(t, theirs, len, what) < 0 ? -1 : pt_send(t, mine, len, what);
}

static void
pt_dest_fill(struct pt *t, struct pt_dest *d)
{
	bool send = t->p->verb == PERF_VERB_SEND && t->p->kind == PERF_KIND_BW;

	memset(d, 0, sizeof(*d));
	d->out_reads = rte_cpu_to_be_32(RTE_MIN(t->p->out_reads, (unsigned int)PT_MAX_OUTS));
	d->qpn = rte_cpu_to_be_32(t->dqp != NULL ? rte_iwarp_qp_num(t->dqp) : 0);
	d->rkey = rte_cpu_to_be_32(t->mr->rkey);
	/* send_bw: the credit word; the others: the receive buffer */
	d->vaddr = rte_cpu_to_be_64(send ? (uintptr_t)t->mem + PT_CREDIT_IN :
				    (uintptr_t)pt_rbuf(t));
}

/* perftest's ctx_hand_shake(): exchange pingpong_dest, keep the peer's keys. */
static int
pt_shake(struct pt *t, const char *what)
{
	struct pt_dest mine, theirs;

	pt_dest_fill(t, &mine);
	if (pt_xchg(t, &mine, &theirs, sizeof(mine), what) < 0)
		return -1;
	/* the handshakes before perftest's set_up_connection() carry zeros */
	perf_pt_dest_keys(&theirs, &t->peer_vaddr, &t->peer_rkey);
	return 0;
}

static int
pt_shakes(struct pt *t, unsigned int n, const char *what)
{
	while (n-- > 0)
		if (pt_shake(t, what) < 0)
			return -1;
	return 0;
}

/* Versions, cycle buffer and cache line, MTU: exchange_versions() .. check_mtu(). */
static int
pt_preamble(struct pt *t)
{
	char mine[PT_VERSION_LEN] = PT_VERSION, theirs[PT_VERSION_LEN], mtu[2];
	rte_be32_t v = rte_cpu_to_be_32(PT_PAGE), rv;
	uint32_t cycle;

	if (pt_xchg(t, mine, theirs, sizeof(mine), "version") < 0)
		return -1;
	if (perf_pt_version(theirs, t->peer_version) < 0) {
		perf_error("the peer is perftest version '%s': versions before %.2f speak "
			   "another control protocol", t->peer_version, PT_MIN_VERSION);
		return -1;
	}
	if (pt_xchg(t, &v, &rv, sizeof(v), "cycle buffer size") < 0)
		return -1;
	if (perf_pt_cycle(rv, &cycle) < 0) {
		perf_error("the peer's cycle buffer (%u bytes) is over %u", cycle, PT_MAX_CYCLE);
		return -1;
	}
	v = rte_cpu_to_be_32(PT_CACHE_LINE);
	if (pt_xchg(t, &v, &rv, sizeof(v), "cache line size") < 0)
		return -1;
	return pt_xchg(t, PT_MTU, mtu, sizeof(mtu), "MTU");
}

/* ---- connections ---- */

/* The control QP (one message each way at a time) or the test QP. */
static struct rte_iwarp_qp *
pt_make_qp(struct pt *t, bool test)
{
	const struct perf_params *p = t->p;
	struct rte_iwarp_qp_init_attr qa;
	struct rte_iwarp_qp *qp;

	memset(&qa, 0, sizeof(qa));
	qa.send_cq = t->cq;
	qa.recv_cq = t->cq;
	qa.cap.max_send_wr = 4;
	qa.cap.max_recv_wr = 4;
	if (test) {
		qa.cap.max_send_wr = RTE_MAX(64u, rte_align32pow2(p->tx_depth +
								  PT_CREDITS_OUT + 1));
		qa.cap.max_recv_wr = RTE_MAX(64u, rte_align32pow2(p->rx_depth + 1));
		qa.cap.max_rd_atomic = PT_RD;
		qa.cap.max_dest_rd_atomic = PT_RD;
	}
	qp = rte_iwarp_create_qp(t->pd, &qa);
	if (qp == NULL)
		perf_error("create_qp: %s", rte_strerror(rte_errno));
	return qp;
}

static void
pt_conn_param(struct pt *t, struct rte_iwarp_conn_param *cp)
{
	/*
	 * Peer-to-peer mode offered (MPA v2 with an RTR): perftest's rdma_cm
	 * peers run plain MPA, but write_lat's server writes first, which an
	 * MPA responder may do only after the initiator's first FPDU or RTR.
	 */
	memset(cp, 0, sizeof(*cp));
	cp->first_fpdu_delay_ms = t->client ? PT_FIRST_DELAY_MS : 0;
}

static int
pt_event(struct pt *t, enum rte_iwarp_cm_event_type want, struct rte_iwarp_cm_event *ev)
{
	uint64_t end = rte_rdtsc() + t->timeout;

	while (rte_rdtsc() < end) {
		if (rte_iwarp_cm_get_event(t->dev, ev) < 0)
			continue;
		if (ev->event == want)
			return 0;
		return -(int)ev->event; /* the caller names it and acks */
	}
	return -ETIMEDOUT;
}

static int
pt_connect(struct pt *t, bool test, struct rte_iwarp_cm_id **id, const char *what)
{
	struct rte_iwarp_qp **qp = test ? &t->dqp : &t->cqp;
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	rte_be32_t dst;
	uint64_t end = rte_rdtsc() + t->timeout;
	struct in_addr a;
	int rc;

	if (inet_pton(AF_INET, t->p->server, &a) != 1) {
		perf_error("'%s' is not an IPv4 address (the server's)", t->p->server);
		return -1;
	}
	dst = a.s_addr;
	pt_conn_param(t, &cp);
	for (;;) {
		*id = rte_iwarp_connect(*qp, dst, t->p->port, &cp, NULL);
		if (*id == NULL) {
			perf_error("connect: %s", rte_strerror(rte_errno));
			return -1;
		}
		rc = pt_event(t, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev);
		if (rc == 0)
			break;
		if (rc == -ETIMEDOUT) {
			perf_error("%s: no answer from %s port %u in %u s", what, t->p->server,
				   t->p->port, t->p->timeout_s);
			return -1;
		}
		if (ev.event == RTE_IWARP_CM_EVENT_REJECTED) {
			perf_error("%s: %s refused it (%s)", what, t->p->server,
				   ev.private_data_len > 0 && ev.private_data != NULL &&
				   memchr(ev.private_data, 0, ev.private_data_len) != NULL ?
				   (const char *)ev.private_data : "an MPA reject");
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		rte_iwarp_cm_ack_event(&ev);
		/* a TCP reset: perftest's server listens again for the test connection */
		if (ev.event != RTE_IWARP_CM_EVENT_UNREACHABLE) {
			perf_error("%s to %s port %u: %s", what, t->p->server, t->p->port,
				   rte_iwarp_cm_event_str(ev.event));
			return -1;
		}
		if (rte_rdtsc() > end) {
			perf_error("%s to %s port %u: %s for %u s", what, t->p->server,
				   t->p->port, rte_iwarp_cm_event_str(ev.event), t->p->timeout_s);
			return -1;
		}
		/* a QP that failed to connect is not in INIT any more: a new one */
		rte_iwarp_cm_destroy_id(*id);
		*id = NULL;
		rte_iwarp_destroy_qp(*qp);
		*qp = pt_make_qp(t, test);
		if (*qp == NULL || (!test && pt_comm_recv_post(t) != 0))
			return -1;
		rte_delay_ms(100);
	}
	rte_iwarp_cm_ack_event(&ev);
	/* let the first-FPDU hold pass here rather than inside a measurement */
	end = rte_rdtsc() + t->hz * PT_FIRST_DELAY_MS / 1000;
	while (rte_rdtsc() < end)
		rte_iwarp_dev_poll(t->dev);
	return 0;
}

static int
pt_accept(struct pt *t, struct rte_iwarp_qp *qp, struct rte_iwarp_cm_id **id, bool comm,
	  const char *what)
{
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	int rc;

	if (t->request_pending) {
		ev = t->request;
		t->request_pending = false;
		rc = 0;
	} else {
		rc = pt_event(t, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev);
	}
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			rte_iwarp_cm_ack_event(&ev);
		perf_error("no %s from a client in %u s", what, t->p->timeout_s);
		return -1;
	}
	*id = ev.id;
	rte_iwarp_cm_ack_event(&ev);
	/* perftest's client sends at once: the receive goes first */
	if (comm && pt_comm_recv_post(t) != 0)
		return -1;
	pt_conn_param(t, &cp);
	if (rte_iwarp_accept(*id, qp, &cp) != 0) {
		perf_error("accept (%s): %s", what, rte_strerror(rte_errno));
		return -1;
	}
	rc = pt_event(t, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev);
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			rte_iwarp_cm_ack_event(&ev);
		perf_error("%s not established: %s", what, rc == -ETIMEDOUT ? "timeout" :
			   rte_iwarp_cm_event_str((enum rte_iwarp_cm_event_type)-rc));
		return -1;
	}
	rte_iwarp_cm_ack_event(&ev);
	return 0;
}

/* Both connections up, the handshakes before the pattern done. */
static int
pt_establish(struct pt *t)
{
	const struct perf_params *p = t->p;
	unsigned int more;

	if (t->client) {
		if (pt_comm_recv_post(t) != 0 ||
		    pt_connect(t, false, &t->cid, "control connection") < 0)
			return -1;
	} else {
		t->lid = rte_iwarp_listen(t->dev, p->port, 0, NULL, NULL);
		if (t->lid == NULL) {
			perf_error("listen on port %u: %s", p->port, rte_strerror(rte_errno));
			return -1;
		}
		if (pt_accept(t, t->cqp, &t->cid, true, "control connection") < 0)
			return -1;
	}
	if (pt_preamble(t) < 0 || pt_shake(t, "handshake before the test connection") < 0)
		return -1;
	if (t->client ? pt_connect(t, true, &t->did, "test connection") < 0 :
	    pt_accept(t, t->dqp, &t->did, false, "test connection") < 0)
		return -1;
	/*
	 * 6.06: one after the test connection, one more, one per QP, one after
	 * "RTR" (send_bw: after its credit setup); the latency tests a second
	 * per-QP one.
	 */
	more = p->kind == PERF_KIND_LAT ? 5 : 4;
	return pt_shakes(t, more, "setup handshake");
}

/* ---- the patterns ---- */

static int
pt_grow(struct pt *t, uint64_t n)
{
	uint64_t *a, *b;

	if (n <= t->cap)
		return 0;
	a = realloc(t->posted, n * sizeof(*a));
	if (a != NULL)
		t->posted = a;
	b = realloc(t->completed, n * sizeof(*b));
	if (b != NULL)
		t->completed = b;
	if (a == NULL || b == NULL) {
		perf_error("out of memory for the timestamps of %" PRIu64 " messages", n);
		return -1;
	}
	t->cap = n;
	return 0;
}

/* send_bw receives: perftest posts min(-r, -n) of them and never more than -n. */
static uint64_t
pt_rx_depth(const struct pt *t, uint64_t n)
{
	return RTE_MIN((uint64_t)t->p->rx_depth, n);
}

/* Client BW: -t in flight, signalled every cq_mod, send_bw within its credit. */
static int
pt_bw(struct pt *t, uint32_t size, uint64_t n)
{
	const struct perf_params *p = t->p;
	volatile uint32_t *credit = (volatile uint32_t *)(t->mem + PT_CREDIT_IN);
	uint64_t depth = RTE_MAX(1u, RTE_MIN(p->tx_depth, (unsigned int)n)), cq_mod, issued = 0;
	uint64_t rx = pt_rx_depth(t, n), last = rte_rdtsc();
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg;

	if (p->verb == PERF_VERB_READ)
		depth = RTE_MIN(depth, (uint64_t)RTE_MIN(p->out_reads, (unsigned int)PT_MAX_OUTS));
	cq_mod = RTE_MIN((uint64_t)PT_CQ_MOD, depth);
	sg.addr = (uintptr_t)(p->verb == PERF_VERB_READ ? pt_rbuf(t) : pt_sbuf(t));
	sg.length = size;
	sg.lkey = t->mr->lkey;
	t->done = 0;
	while (t->done < n) {
		int w = pt_step(t);

		if (w < 0)
			return -1;
		while (issued < n && issued - t->done < depth &&
		       (p->verb != PERF_VERB_SEND ||
			(uint32_t)(issued + 1 - rte_le_to_cpu_32(*credit)) < rx)) {
			memset(&wr, 0, sizeof(wr));
			wr.wr_id = issued;
			wr.sg_list = &sg;
			wr.num_sge = 1;
			wr.opcode = p->verb == PERF_VERB_WRITE ? RTE_IWARP_WR_RDMA_WRITE :
				p->verb == PERF_VERB_READ ? RTE_IWARP_WR_RDMA_READ : RTE_IWARP_WR_SEND;
			if ((issued + 1) % cq_mod == 0 || issued + 1 == n)
				wr.send_flags = RTE_IWARP_SEND_SIGNALED;
			wr.wr.rdma.remote_addr = t->peer_vaddr;
			wr.wr.rdma.rkey = t->peer_rkey;
			t->posted[issued] = rte_rdtsc();
			if (pt_post(t->dqp, &wr) != 0)
				return -1;
			issued++;
			w = 1;
		}
		if (w > 0) {
			last = rte_rdtsc();
		} else if (rte_rdtsc() - last > t->timeout) {
			if (pt_check_cm(t) == 0)
				perf_error("no progress in %u s: %" PRIu64 " posted, %" PRIu64
					   " completed%s", p->timeout_s, issued, t->done,
					   p->verb == PERF_VERB_SEND ? " (waiting for credit?)" : "");
			return -1;
		}
	}
	return 0;
}

/* Server send_bw: keep receives posted (never more than n), write the count back. */
static int
pt_bw_recv(struct pt *t, uint32_t size, uint64_t n, uint64_t posted)
{
	uint32_t *out = (uint32_t *)(t->mem + PT_CREDIT_OUT);
	uint64_t rx = pt_rx_depth(t, n), credit_cnt = RTE_MAX(1u, rx / 3), credited = 0;
	uint64_t last = rte_rdtsc();
	struct rte_iwarp_sge sg = { (uintptr_t)t->mem + PT_CREDIT_OUT, sizeof(*out),
				    t->mr->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = PT_WR_CREDIT, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };

	wr.wr.rdma.remote_addr = t->peer_vaddr;
	wr.wr.rdma.rkey = t->peer_rkey;
	while (t->recvs < n) {
		int w = pt_step(t);

		if (w < 0)
			return -1;
		while (posted < RTE_MIN(n, t->recvs + rx)) {
			if (pt_post_recv(t, t->dqp, PT_WR_DATA_RX, pt_rbuf(t), size) != 0)
				return -1;
			posted++;
		}
		/* the count goes back after the receives it frees are posted again */
		if ((t->recvs - credited >= credit_cnt || (t->recvs == n && credited < n)) &&
		    t->credits_out < PT_CREDITS_OUT) {
			credited = t->recvs;
			*out = rte_cpu_to_le_32((uint32_t)credited);
			if (pt_post(t->dqp, &wr) != 0)
				return -1;
			t->credits_out++;
		}
		if (w > 0) {
			last = rte_rdtsc();
		} else if (rte_rdtsc() - last > t->timeout) {
			if (pt_check_cm(t) == 0)
				perf_error("no progress in %u s: %" PRIu64 " of %" PRIu64
					   " messages received", t->p->timeout_s, t->recvs, n);
			return -1;
		}
	}
	return 0;
}

/* Wait until the last byte of the receive buffer holds v (write_lat). */
static int
pt_wait_byte(struct pt *t, uint32_t size, uint8_t v)
{
	volatile uint8_t *b = pt_rbuf(t) + size - 1;
	uint64_t end = rte_rdtsc() + t->timeout;

	while (*b != v) {
		if (pt_step(t) < 0)
			return -1;
		if (rte_rdtsc() > end) {
			if (pt_check_cm(t) == 0)
				perf_error("write_lat: message %u of %u bytes did not arrive in %u s",
					   v, size, t->p->timeout_s);
			return -1;
		}
	}
	return 0;
}

/*
 * write_lat, perftest's run_iter_lat_write(): the server writes first; each
 * side polls the last byte of its buffer for the 8-bit count of the peer's
 * messages, then writes its own count into the peer's.
 */
static int
pt_lat(struct pt *t, uint32_t size, uint64_t n)
{
	struct rte_iwarp_sge sg = { (uintptr_t)pt_sbuf(t), size, t->mr->lkey };
	struct rte_iwarp_send_wr wr = { .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };
	uint8_t *last = pt_sbuf(t) + size - 1;
	uint64_t i;

	wr.wr.rdma.remote_addr = t->peer_vaddr;
	wr.wr.rdma.rkey = t->peer_rkey;
	t->done = 0;
	for (i = 0; i < n; i++) {
		/* the server waits for the answer to its previous message */
		uint8_t want = (uint8_t)(t->client ? i + 1 : i);

		if ((i > 0 || t->client) && pt_wait_byte(t, size, want) < 0)
			return -1;
		*last = (uint8_t)(i + 1);
		wr.wr_id = i;
		t->posted[i] = rte_rdtsc();
		if (pt_post(t->dqp, &wr) != 0)
			return -1;
		if (i == 0 && !t->client &&
		    pt_wait_until(t, NULL, &t->done, 1, "first FPDU or RTR (MPA lets a "
				  "responder send only after one; perftest's write_lat server "
				  "sends first: the client's RNIC must use peer-to-peer mode, "
				  "Linux siw: peer_to_peer=1)") < 0)
			return -1;
		if (pt_wait_until(t, NULL, &t->done, i + 1, "WRITE completion") < 0)
			return -1;
	}
	/* the server's last round trip */
	if (!t->client && pt_wait_byte(t, size, (uint8_t)n) < 0)
		return -1;
	return 0;
}

/* read_lat, perftest's run_iter_lat(): one READ at a time, the client only. */
static int
pt_read_lat(struct pt *t, uint32_t size, uint64_t n)
{
	struct rte_iwarp_sge sg = { (uintptr_t)pt_rbuf(t), size, t->mr->lkey };
	struct rte_iwarp_send_wr wr = { .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	uint64_t i;

	wr.wr.rdma.remote_addr = t->peer_vaddr;
	wr.wr.rdma.rkey = t->peer_rkey;
	t->done = 0;
	for (i = 0; i < n; i++) {
		wr.wr_id = i;
		t->posted[i] = rte_rdtsc();
		if (pt_post(t->dqp, &wr) != 0 ||
		    pt_wait_until(t, NULL, &t->done, i + 1, "READ response") < 0)
			return -1;
	}
	return 0;
}

/* ---- results ---- */

static void
pt_result_bw(struct pt *t, struct perf_result *r, uint32_t size, uint64_t n, uint64_t t0,
	     uint64_t t1)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->iters = n;
	r->rtt_factor = 2;
	r->bytes = n * size;
	r->t_start = t0;
	r->t_end = t1;
	if (t1 > t0) {
		r->bw_avg = (double)r->bytes * (double)t->hz / (double)(t1 - t0);
		r->msg_rate = (double)n * (double)t->hz / (double)(t1 - t0);
	}
}

/* perftest's latency: successive post times, halved but READ's (n - 1 samples). */
static void
pt_result_lat(struct pt *t, struct perf_result *r, uint32_t size, uint64_t n)
{
	uint64_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i + 1 < n; i++)
		t->completed[i] = t->posted[i + 1] - t->posted[i];
	r->size = size;
	r->iters = n;
	r->rtt_factor = t->p->verb == PERF_VERB_READ ? 1 : 2; /* READ: the round trip */
	r->samples = t->completed;
	r->nb_samples = n - 1;
}

/* The BW report perftest's client sends its server: xchg_bw_reports(). */
static int
pt_bw_report(struct pt *t, const struct perf_result *mine, struct perf_result *theirs)
{
	double unit = t->p->report_gbits ? 125000000.0 : 1048576.0;
	rte_be64_t out[5], in[5];
	unsigned int i;

	perf_pt_report_encode(mine, unit, out);
	for (i = 0; i < 5; i++)
		if (pt_xchg(t, &out[i], &in[i], sizeof(out[i]), "BW report") < 0)
			return -1;
	perf_pt_report_decode(in, unit, theirs);
	return 0;
}

/* ---- one side's whole run ---- */

static uint32_t
pt_first_size(const struct perf_params *p)
{
	return p->all ? 2u : p->size;
}

static uint32_t
pt_next_size(const struct perf_params *p, uint32_t size)
{
	return p->all && size < (1u << PT_LAST_POW) ? size * 2 : 0;
}

/* One size of send_bw, either side: receives, handshake, the pattern. */
static int
pt_send_size(struct pt *t, uint32_t size, uint64_t n, struct perf_result *r)
{
	uint64_t posted = 0, t0, t1;
	int rc;

	t->recvs = 0;
	if (!t->client) {
		posted = pt_rx_depth(t, n);
		for (uint64_t k = 0; k < posted; k++)
			if (pt_post_recv(t, t->dqp, PT_WR_DATA_RX, pt_rbuf(t), size) != 0)
				return -1;
	}
	if (pt_shake(t, "send_bw size handshake") < 0)
		return -1;
	/* each side restarts its credit count (perftest clears its credit word) */
	*(volatile uint32_t *)(t->mem + PT_CREDIT_IN) = 0;
	/* the server: from the sender's handshake (it sends at our answer) */
	t0 = t->client ? rte_rdtsc() : t->t_comm_rx;
	rc = t->client ? pt_bw(t, size, n) : pt_bw_recv(t, size, n, posted);
	t1 = rte_rdtsc();
	if (rc < 0)
		return -1;
	if (t->client) {
		pt_result_bw(t, r, size, n, t0, t1);
		if (!t->p->no_peak)
			r->bw_peak = perf_peak_bw(t->posted, t->completed, n, size);
	} else {
		pt_result_bw(t, r, size, n, t0, t->t_last_rx);
	}
	return 0;
}

static int
pt_sizes(struct pt *t, struct perf_result *last)
{
	const struct perf_params *p = t->p;
	bool send = p->verb == PERF_VERB_SEND;
	bool read_lat = p->verb == PERF_VERB_READ && p->kind == PERF_KIND_LAT;
	bool report = t->client || (p->kind == PERF_KIND_LAT && !read_lat) || send;
	uint64_t n = p->iters, t0;
	uint32_t size;

	if (pt_grow(t, n) < 0)
		return -1;
	if (report) {
		perf_report_banner(p, t->desc);
		perf_report_header(p);
	}
	for (size = pt_first_size(p); size != 0; size = pt_next_size(p, size)) {
		if (send) {
			if (pt_send_size(t, size, n, last) < 0 ||
			    (p->all && pt_shake(t, "send_bw size handshake") < 0))
				return -1;
		} else if (read_lat && !t->client) {
			break; /* read_lat server: passive until the client's end */
		} else if (p->kind == PERF_KIND_LAT) {
			if ((read_lat ? pt_read_lat(t, size, n) : pt_lat(t, size, n)) < 0)
				return -1;
			pt_result_lat(t, last, size, n);
		} else if (t->client) {
			t0 = rte_rdtsc();
			if (pt_bw(t, size, n) < 0)
				return -1;
			pt_result_bw(t, last, size, n, t0, rte_rdtsc());
			if (!p->no_peak)
				last->bw_peak = perf_peak_bw(t->posted, t->completed, n, size);
		} else {
			break; /* WRITE/READ server: passive until the client's end */
		}
		perf_report_line(p, last);
	}
	if (report)
		perf_report_footer(p);
	return 0;
}

static int
pt_finish(struct pt *t, const struct perf_result *last)
{
	const struct perf_params *p = t->p;
	struct perf_result theirs;
	struct rte_iwarp_dev_stats st;

	if (p->kind == PERF_KIND_BW && p->verb != PERF_VERB_SEND) {
		/* the client's end, then its report (the server prints it) */
		if (pt_shake(t, "end handshake") < 0 || pt_bw_report(t, last, &theirs) < 0)
			return -1;
		if (!t->client) {
			perf_report_banner(p, t->desc);
			perf_report_header(p);
			perf_report_line(p, &theirs);
			perf_report_footer(p);
		}
	}
	/* write_lat 6.06 goes straight to the teardown */
	t->closing = true;
	if (!(p->verb == PERF_VERB_WRITE && p->kind == PERF_KIND_LAT) &&
	    pt_shake(t, "closing handshake") < 0)
		return -1;
	rte_iwarp_dev_stats_get(t->dev, &st);
	printf(PERF_PROG ": perftest -R %s %s done: %" PRIu64 " FPDUs in, %" PRIu64
	       " out (peer perftest %s)\n", p->test_name, t->client ? "client" : "server",
	       st.rx_fpdus, st.tx_fpdus, t->peer_version);
	return 0;
}

/*
 * The server closes the test connection, then the control one (perftest's
 * order), after a grace period: Linux siw completed a client's last SEND
 * (its closing handshake, already answered) with an error when our FIN
 * came within a millisecond of our answer.
 */
static void
pt_close(struct pt *t)
{
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_cm_id *ids[2] = { t->did, t->cid };
	unsigned int i;
	uint64_t end;

	if (!t->client) {
		end = rte_rdtsc() + t->hz * PT_CLOSE_GRACE_MS / 1000;
		while (rte_rdtsc() < end)
			rte_iwarp_dev_poll(t->dev);
	}
	for (i = 0; i < 2; i++) {
		if (ids[i] == NULL || t->down[i])
			continue;
		if (!t->client)
			rte_iwarp_disconnect(ids[i]);
		end = rte_rdtsc() + 2 * t->hz;
		while (!t->down[i] && rte_rdtsc() < end) {
			struct rte_iwarp_cm_id *id;
			enum rte_iwarp_cm_event_type e;

			if (rte_iwarp_cm_get_event(t->dev, &ev) < 0)
				continue;
			id = ev.id;
			e = ev.event;
			rte_iwarp_cm_ack_event(&ev);
			if (e == RTE_IWARP_CM_EVENT_DISCONNECTED && (id == t->did || id == t->cid))
				t->down[id == t->cid] = true;
		}
		if (t->client && !t->down[i])
			rte_iwarp_disconnect(ids[i]);
	}
}

/* ---- setup ---- */

static int
pt_open(struct pt *t)
{
	const struct perf_params *p = t->p;

	if (perf_engine_open(p, "perftest -R server waiting", &t->port, &t->dev) < 0)
		return -1;
	t->pd = rte_iwarp_alloc_pd(t->dev);
	/* every receive, the pattern's sends, the credits and the control messages */
	t->cq = rte_iwarp_create_cq(t->dev, RTE_MAX(1024u, 2 * rte_align32pow2(p->tx_depth +
						     p->rx_depth + PT_CREDITS_OUT + 8)), NULL);
	if (t->pd == NULL || t->cq == NULL) {
		perf_error("PD/CQ: %s", rte_strerror(rte_errno));
		return -1;
	}
	t->cqp = pt_make_qp(t, false);
	t->dqp = pt_make_qp(t, true);
	return t->cqp == NULL || t->dqp == NULL ? -1 : 0;
}

static int
pt_alloc_mem(struct pt *t)
{
	const struct perf_params *p = t->p;
	uint32_t max = p->all ? (1u << PT_LAST_POW) : p->size;

	/* room for perftest's cycling of small messages through a cycle buffer */
	t->buf_len = RTE_ALIGN_CEIL(RTE_MAX(max, (uint32_t)PT_MAX_CYCLE), PT_PAGE) + PT_PAGE;
	t->mem_len = PT_HDR + 2 * (size_t)t->buf_len;
	t->mem = aligned_alloc(PT_PAGE, t->mem_len);
	if (t->mem == NULL) {
		perf_error("out of memory for %u-byte buffers", t->buf_len);
		return -1;
	}
	memset(t->mem, 0, t->mem_len);
	t->mr = rte_iwarp_reg_mr(t->pd, t->mem, t->mem_len, RTE_IWARP_ACCESS_LOCAL_WRITE |
				 RTE_IWARP_ACCESS_REMOTE_WRITE | RTE_IWARP_ACCESS_REMOTE_READ);
	if (t->mr == NULL) {
		perf_error("reg_mr of %zu bytes: %s", t->mem_len, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
pt_check_params(const struct perf_params *p)
{
	if (p->verb == PERF_VERB_SEND && p->kind == PERF_KIND_LAT) {
		perf_error("-R: %s is not implemented (write_bw, read_bw, send_bw, write_lat, "
			   "read_lat)", p->test_name);
		return -1;
	}
	if (p->bidir || p->duration != 0 || p->qps != 1) {
		perf_error("-R: -b, -D and -q are not implemented (one QP, -n iterations)");
		return -1;
	}
	return 0;
}

static int
pt_run(const struct perf_params *p)
{
	struct perf_result last;
	struct pt *t;
	int rc;

	if (pt_check_params(p) < 0)
		return PERF_EXIT_USAGE;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		perf_error("out of memory");
		return PERF_EXIT_FAIL;
	}
	t->p = p;
	t->client = p->server != NULL;
	t->hz = perf_tsc_hz();
	t->timeout = (uint64_t)p->timeout_s * t->hz;
	memset(&last, 0, sizeof(last));
	rc = pt_open(t);
	if (rc == 0)
		rc = pt_alloc_mem(t);
	if (rc == 0)
		rc = pt_establish(t);
	if (rc == 0) {
		snprintf(t->desc, sizeof(t->desc), "librte_iwarp on %s, perftest -R peer %s",
			 perf_port_name(t->port), t->peer_version);
		rc = pt_sizes(t, &last);
	}
	if (rc == 0)
		rc = pt_finish(t, &last);
	if (rc == 0)
		pt_close(t);
	if (rc == 0 && t->client) {
		rc = perf_report_json_write(p, t->desc);
		if (rc < 0)
			perf_error("--out_json_file %s: %s", p->json_file, strerror(-rc));
	}
	perf_engine_close(p, t->port, t->dev, 100);
	free(t->mem);
	free(t->posted);
	free(t->completed);
	free(t);
	return rc == 0 ? 0 : PERF_EXIT_FAIL;
}

const struct perf_transport perf_perftest_transport = {
	.name = "perftest",
	.needs_eal = true,
	.run = pt_run,
};
