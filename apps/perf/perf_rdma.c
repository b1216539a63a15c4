/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RDMA transport of iwarp-perf: perftest's patterns over librte_iwarp on
 * a DPDK port (one inline-mode engine per process, polled by this thread).
 *
 * Connection: the server listens on -p, the client connects to the server's
 * IPv4 address; each side's buffer address, rkey and test are in the MPA
 * private data. Control records (perf_proto.h) travel as small RDMA WRITEs
 * into the peer's control slot, ended by a sequence number that the reader
 * polls: the engine places data in this thread, so a record is whole when
 * seen. The client drives: BEGIN per size, BEGIN_ACK, the pattern, END,
 * RESULT (the server's counts and CPU), and BYE / BYE_ACK before the client
 * disconnects. send_bw is flow controlled by the receiver, which writes the
 * number of receives it has posted into the sender's credit word (an iWARP
 * SEND without a posted receive ends the connection).
 *
 * CPU: busy = the cycles of poll iterations in which the engine moved an
 * FPDU (its counters), a completion was reaped or work was posted, over all
 * cycles of the pattern. One CQ takes sends and receives, so an iteration
 * progresses the engine once (rte_iwarp_poll_cq() in inline mode).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "iw_port.h"
#include "rte_iwarp.h"
#include "perf.h"
#include "perf_proto.h"

#define RD_CTL_IN     0      /* the peer writes its control records here */
#define RD_CTL_OUT    128    /* ours, the source of those WRITEs */
#define RD_CREDIT_IN  256    /* send_bw: receives the peer has posted */
#define RD_CREDIT_OUT 264
#define RD_HDR        4096   /* then the send buffer, then the receive buffer */
#define RD_WC_BURST   32
#define RD_MAX_LIST   64
#define RD_CQ_DEPTH   8192
#define RD_WRID_CTL    UINT64_MAX
#define RD_WRID_CREDIT (UINT64_MAX - 1)
#define RD_ORD        16
#define RD_MAGIC      0x49575244u /* "IWRD" */

/* A control record in its slot: the sequence number goes last. */
struct rd_slot {
	struct perf_ctl ctl;
	rte_be64_t seq;
} __rte_packed;

/* The MPA private data of both sides. */
struct rd_info {
	rte_be32_t magic;
	uint8_t verb, kind;
	uint16_t pad;
	rte_be64_t base;
	rte_be32_t rkey;
	rte_be32_t max_size;
} __rte_packed;

struct rd {
	const struct perf_params *p;
	struct iw_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;  /* sends and receives */
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_mr *mr;
	struct rte_iwarp_cm_id *lid, *id;
	uint8_t *mem;
	size_t mem_len;
	uint32_t max_size;
	uint64_t peer_base;
	uint32_t peer_rkey;
	uint64_t seq_out, seq_in;
	uint64_t hz, timeout;
	uint64_t busy;
	uint64_t fpdus;           /* the engine's FPDU counters at the last step */
	bool disconnected;
	/* the pattern */
	uint64_t issued, done, credited;
	uint64_t *posted, *completed, *samples;
	uint64_t cap;
	bool credit_busy, credit_dirty;
	char desc[160];
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

static rte_be32_t
rd_ip(const char *s, rte_be32_t def)
{
	struct in_addr a;

	if (s == NULL)
		return def;
	if (inet_pton(AF_INET, s, &a) != 1)
		return 0;
	return a.s_addr;
}

/*
 * One poll iteration: rte_iwarp_poll_cq() progresses the engine once (inline
 * mode) and reaps the completions of the one CQ (sends and receives). The
 * iteration did work when it reaped a completion or the engine moved an
 * FPDU (its counters).
 */
static int
rd_step(struct rd *r, struct rte_iwarp_wc *wc, int *nwc)
{
	struct rte_iwarp_dev_stats st;
	int n = rte_iwarp_poll_cq(r->cq, RD_WC_BURST, wc);
	uint64_t fpdus;
	int i;

	if (n < 0) {
		perf_error("CQ: %s", strerror(-n));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (wc[i].status != RTE_IWARP_WC_SUCCESS) {
			perf_error("work request %" PRIu64 " failed: %s (after %" PRIu64
				   " of %" PRIu64 " completions)", wc[i].wr_id,
				   rte_iwarp_wc_status_str(wc[i].status), r->done, r->issued);
			return -1;
		}
		if (wc[i].opcode == RTE_IWARP_WC_RECV)
			r->credited++;
		else if (wc[i].wr_id == RD_WRID_CREDIT)
			r->credit_busy = false;
	}
	*nwc = n;
	rte_iwarp_dev_stats_get(r->dev, &st);
	fpdus = st.tx_fpdus + st.rx_fpdus;
	if (fpdus != r->fpdus) {
		r->fpdus = fpdus;
		return 1;
	}
	return n > 0;
}

/* Is this a completion of the pattern's own send queue work? */
static bool
rd_data_wc(const struct rte_iwarp_wc *wc)
{
	return wc->opcode != RTE_IWARP_WC_RECV && wc->wr_id != RD_WRID_CTL &&
		wc->wr_id != RD_WRID_CREDIT;
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
rd_post(struct rd *r, struct rte_iwarp_send_wr *wr)
{
	struct rte_iwarp_send_wr *bad;
	int rc = rte_iwarp_post_send(r->qp, wr, &bad);

	if (rc != 0)
		perf_error("post_send: %s", strerror(rc < 0 ? -rc : rc));
	return rc;
}

static int
rd_post_recv(struct rd *r, uint32_t size)
{
	struct rte_iwarp_sge sg = { (uintptr_t)rd_rbuf(r), size, r->mr->lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = 0, .sg_list = &sg, .num_sge = 1 }, *bad;
	int rc = rte_iwarp_post_recv(r->qp, &wr, &bad);

	if (rc != 0)
		perf_error("post_recv: %s", strerror(rc < 0 ? -rc : rc));
	return rc;
}

static int
rd_write_small(struct rd *r, uint32_t off_local, uint32_t off_remote, uint32_t len,
	       uint64_t wr_id)
{
	struct rte_iwarp_sge sg = { (uintptr_t)r->mem + off_local, len, r->mr->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = wr_id, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };

	wr.wr.rdma.remote_addr = r->peer_base + off_remote;
	wr.wr.rdma.rkey = r->peer_rkey;
	return rd_post(r, &wr);
}

/* Send a control record and wait until it has left (its slot is reused). */
static int
rd_ctl_send(struct rd *r, const struct perf_ctl *c)
{
	struct rd_slot *s = (struct rd_slot *)(r->mem + RD_CTL_OUT);
	struct rte_iwarp_wc wc[RD_WC_BURST];
	uint64_t end = rte_rdtsc() + r->timeout;
	int n, i;

	s->ctl = *c;
	s->seq = rte_cpu_to_be_64(++r->seq_out);
	if (rd_write_small(r, RD_CTL_OUT, RD_CTL_IN, sizeof(*s), RD_WRID_CTL) != 0)
		return -1;
	for (;;) {
		if (rd_step(r, wc, &n) < 0)
			return -1;
		for (i = 0; i < n; i++)
			if (wc[i].opcode != RTE_IWARP_WC_RECV && wc[i].wr_id == RD_WRID_CTL)
				return 0;
		if (rte_rdtsc() > end) {
			perf_error("a control record did not leave in %u s", r->p->timeout_s);
			return -1;
		}
	}
}

/* Wait for the peer's next control record (polling only). */
static int
rd_ctl_recv(struct rd *r, struct perf_ctl *c, const char *what)
{
	volatile struct rd_slot *s = (volatile struct rd_slot *)(r->mem + RD_CTL_IN);
	struct rte_iwarp_wc wc[RD_WC_BURST];
	uint64_t end = rte_rdtsc() + r->timeout, k = 0, t0;
	int n, w;

	/* a passive side (write_bw, read_bw server) spends its pattern here: count it */
	for (;;) {
		if (rte_be_to_cpu_64(s->seq) > r->seq_in) {
			r->seq_in = rte_be_to_cpu_64(s->seq);
			memcpy(c, (const void *)&s->ctl, sizeof(*c));
			if (!perf_ctl_valid(c)) {
				perf_error("the peer wrote a malformed control record");
				return -1;
			}
			return 0;
		}
		t0 = rte_rdtsc();
		w = rd_step(r, wc, &n);
		if (w < 0)
			return -1;
		if (w > 0)
			r->busy += rte_rdtsc() - t0;
		if ((++k & 1023) == 0 && rd_check_cm(r) < 0)
			return -1;
		if (rte_rdtsc() > end) {
			perf_error("no %s from the peer in %u s", what, r->p->timeout_s);
			return -1;
		}
	}
}

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
	if (rd_check_cm(r) == 0)
		perf_error("no progress in %u s: %" PRIu64 " posted, %" PRIu64 " completed",
			   r->p->timeout_s, r->issued, r->done);
	return -1;
}

/* ---- the patterns ---- */

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

/* One iteration of a wait: progress the engine, count data completions. */
static int
rd_wait_step(struct rd *r, uint64_t *last)
{
	struct rte_iwarp_wc wc[RD_WC_BURST];
	uint64_t t0 = rte_rdtsc();
	int nwc, w, i;

	w = rd_step(r, wc, &nwc);
	if (w < 0)
		return -1;
	for (i = 0; i < nwc; i++)
		r->done += rd_data_wc(&wc[i]);
	return rd_account(r, w, t0, last);
}

/* Client BW: -t in flight (READ: also the ORD), signalled every cq_mod, -l per post. */
static int
rd_bw(struct rd *r, uint32_t size, uint64_t n, uint32_t credit0)
{
	const struct perf_params *p = r->p;
	volatile uint64_t *credit = (volatile uint64_t *)(r->mem + RD_CREDIT_IN);
	struct rte_iwarp_send_wr wrs[RD_MAX_LIST];
	struct rte_iwarp_sge sg;
	struct rte_iwarp_wc wc[RD_WC_BURST];
	uint32_t depth = RTE_MAX(1u, p->tx_depth), cq_mod, list;
	uint64_t last = rte_rdtsc(), t0, now, k;
	int nwc, i, w;

	if (p->verb == PERF_VERB_READ)
		depth = RTE_MIN(depth, RTE_MAX(1u, RTE_MIN(p->out_reads, (unsigned int)RD_ORD)));
	cq_mod = RTE_MIN(100u, RTE_MAX(1u, depth / 2));
	list = RTE_MIN(RTE_MAX(1u, p->post_list), (unsigned int)RD_MAX_LIST);
	sg.length = size;
	sg.lkey = r->mr->lkey;
	sg.addr = p->verb == PERF_VERB_READ ? (uintptr_t)rd_rbuf(r) : (uintptr_t)rd_sbuf(r);
	r->issued = r->done = 0;
	while (r->done < n) {
		t0 = rte_rdtsc();
		w = rd_step(r, wc, &nwc);
		if (w < 0)
			return -1;
		now = rte_rdtsc();
		for (i = 0; i < nwc; i++) {
			if (!rd_data_wc(&wc[i]) || wc[i].wr_id >= n)
				continue;
			for (k = r->done; k <= wc[i].wr_id; k++)
				r->completed[k] = now;
			r->done = wc[i].wr_id + 1;
		}
		if (r->issued < n && r->issued - r->done < depth) {
			uint64_t lim = RTE_MIN(n, r->done + depth);
			unsigned int m = 0;

			if (p->verb == PERF_VERB_SEND)
				lim = RTE_MIN(lim, RTE_MAX((uint64_t)credit0, *credit));
			while (r->issued + m < lim && m < list) {
				uint64_t id = r->issued + m;
				struct rte_iwarp_send_wr *wr = &wrs[m];

				memset(wr, 0, sizeof(*wr));
				wr->wr_id = id;
				wr->sg_list = &sg;
				wr->num_sge = 1;
				wr->opcode = p->verb == PERF_VERB_WRITE ? RTE_IWARP_WR_RDMA_WRITE :
					p->verb == PERF_VERB_READ ? RTE_IWARP_WR_RDMA_READ :
					RTE_IWARP_WR_SEND;
				if ((id + 1) % cq_mod == 0 || id + 1 == n || id + 1 == lim)
					wr->send_flags = RTE_IWARP_SEND_SIGNALED;
				wr->wr.rdma.remote_addr = r->peer_base + RD_HDR +
					(p->verb == PERF_VERB_READ ? 0 : r->max_size);
				wr->wr.rdma.rkey = r->peer_rkey;
				if (m > 0)
					wrs[m - 1].next = wr;
				m++;
			}
			if (m > 0) {
				now = rte_rdtsc();
				for (k = 0; k < m; k++)
					r->posted[r->issued + k] = now;
				if (rd_post(r, wrs) != 0)
					return -1;
				r->issued += m;
				w = 1;
			}
		}
		if (rd_account(r, w, t0, &last) < 0)
			return -1;
	}
	return 0;
}

/* Wait until the last byte of the receive buffer is v (write_lat), polling. */
static int
rd_wait_byte(struct rd *r, uint32_t size, uint8_t v)
{
	volatile uint8_t *b = rd_rbuf(r) + size - 1;
	uint64_t last = rte_rdtsc();

	while (*b != v)
		if (rd_wait_step(r, &last) < 0)
			return -1;
	return 0;
}

/* Wait until want receives (rcq) or send queue completions have arrived. */
static int
rd_wait_wc(struct rd *r, bool rcq, uint64_t want)
{
	uint64_t last = rte_rdtsc();

	while ((rcq ? r->credited : r->done) < want)
		if (rd_wait_step(r, &last) < 0)
			return -1;
	return 0;
}

/* One signalled WRITE/SEND/READ of size from the buffers' start. */
static int
rd_one(struct rd *r, enum rte_iwarp_wr_opcode op, uint32_t size)
{
	struct rte_iwarp_sge sg = { (uintptr_t)(op == RTE_IWARP_WR_RDMA_READ ? rd_rbuf(r) :
						rd_sbuf(r)), size, r->mr->lkey };
	struct rte_iwarp_send_wr wr = { .wr_id = r->issued++, .sg_list = &sg, .num_sge = 1,
		.opcode = op, .send_flags = RTE_IWARP_SEND_SIGNALED };

	wr.wr.rdma.remote_addr = r->peer_base + RD_HDR +
		(op == RTE_IWARP_WR_RDMA_READ ? 0 : r->max_size);
	wr.wr.rdma.rkey = r->peer_rkey;
	return rd_post(r, &wr);
}

/* Latency, both sides (the server answers). Samples: round trips (client). */
static int
rd_lat(struct rd *r, uint32_t size, uint64_t n, bool client)
{
	const struct perf_params *p = r->p;
	volatile uint8_t *last = rd_sbuf(r) + size - 1;
	uint64_t i, t0;

	/* the counters were reset before BEGIN: a receive may already be in */
	for (i = 0; i < n; i++) {
		switch (p->verb) {
		case PERF_VERB_WRITE:
			if (!client && rd_wait_byte(r, size, (uint8_t)(i + 1)) < 0)
				return -1;
			*last = (uint8_t)(i + 1);
			t0 = rte_rdtsc();
			if (rd_one(r, RTE_IWARP_WR_RDMA_WRITE, size) != 0)
				return -1;
			if (client && rd_wait_byte(r, size, (uint8_t)(i + 1)) < 0)
				return -1;
			if (client)
				r->samples[i] = rte_rdtsc() - t0;
			/* the source is rewritten next time: let this WRITE complete */
			if (rd_wait_wc(r, false, i + 1) < 0)
				return -1;
			break;
		case PERF_VERB_SEND:
			if (!client) {
				if (rd_wait_wc(r, true, i + 1) < 0)
					return -1;
				if (i + 1 < n && rd_post_recv(r, size) != 0)
					return -1;
			} else if (rd_post_recv(r, size) != 0) {
				return -1;
			}
			t0 = rte_rdtsc();
			if (rd_one(r, RTE_IWARP_WR_SEND, size) != 0)
				return -1;
			if (client && rd_wait_wc(r, true, i + 1) < 0)
				return -1;
			if (client)
				r->samples[i] = rte_rdtsc() - t0;
			if (rd_wait_wc(r, false, i + 1) < 0)
				return -1;
			break;
		case PERF_VERB_READ:
			t0 = rte_rdtsc();
			if (rd_one(r, RTE_IWARP_WR_RDMA_READ, size) != 0 ||
			    rd_wait_wc(r, false, i + 1) < 0)
				return -1;
			r->samples[i] = rte_rdtsc() - t0;
			break;
		}
	}
	return 0;
}

/* Server send_bw: keep receives posted (never more than n), credit the sender. */
static int
rd_sv_send_bw(struct rd *r, uint32_t size, uint64_t n, uint64_t posted)
{
	struct rte_iwarp_wc wc[RD_WC_BURST];
	uint64_t *out = (uint64_t *)(r->mem + RD_CREDIT_OUT);
	uint64_t last = rte_rdtsc(), t0, seen = 0;
	int nwc, w;

	/*
	 * r->credited was reset before the receives were posted; receives may
	 * have completed already (while BEGIN_ACK waited for its completion):
	 * every one since the reset gets its replacement here.
	 */
	while (r->credited < n || r->credit_dirty || r->credit_busy) {
		t0 = rte_rdtsc();
		w = rd_step(r, wc, &nwc);
		if (w < 0)
			return -1;
		for (; seen < r->credited; seen++) {
			if (posted >= n)
				continue;
			if (rd_post_recv(r, size) != 0)
				return -1;
			posted++;
			r->credit_dirty = true;
		}
		if (r->credit_dirty && !r->credit_busy) {
			*out = posted;
			if (rd_write_small(r, RD_CREDIT_OUT, RD_CREDIT_IN, 8, RD_WRID_CREDIT) != 0)
				return -1;
			r->credit_busy = true;
			r->credit_dirty = false;
			w = 1;
		}
		if (rd_account(r, w, t0, &last) < 0)
			return -1;
	}
	return 0;
}

/* ---- client ---- */

static int
rd_cl_size(struct rd *r, uint32_t size, uint64_t n, bool warm, struct perf_result *res)
{
	const struct perf_params *p = r->p;
	uint32_t credit0 = (uint32_t)RTE_MIN((uint64_t)RTE_MAX(1u, p->rx_depth), n);
	struct perf_ctl m;
	uint64_t t0, t1, got, busy;
	int rc;

	if (rd_grow(r, n) < 0)
		return -1;
	memset(rd_rbuf(r), 0, size);
	memset(rd_sbuf(r), 0, size);
	*(volatile uint64_t *)(r->mem + RD_CREDIT_IN) = 0;
	r->issued = r->done = r->credited = 0;
	perf_ctl_init(&m, PERF_MSG_BEGIN, p, size);
	m.count = rte_cpu_to_be_64(n);
	m.window = rte_cpu_to_be_32(credit0);
	if (warm)
		m.flags |= PERF_CTL_WARMUP;
	if (rd_ctl_send(r, &m) < 0 || rd_ctl_recv(r, &m, "BEGIN_ACK") < 0)
		return -1;
	if (rte_be_to_cpu_16(m.type) != PERF_MSG_BEGIN_ACK ||
	    rte_be_to_cpu_32(m.status) != PERF_ST_OK) {
		perf_error("the server refused the %u-byte test", size);
		return -1;
	}
	r->busy = 0;
	t0 = rte_rdtsc();
	if (p->kind == PERF_KIND_BW)
		rc = rd_bw(r, size, n, credit0);
	else
		rc = rd_lat(r, size, n, true);
	t1 = rte_rdtsc();
	busy = r->busy;
	if (rc < 0)
		return -1;
	perf_ctl_init(&m, PERF_MSG_END, p, size);
	m.count = rte_cpu_to_be_64(n);
	if (rd_ctl_send(r, &m) < 0 || rd_ctl_recv(r, &m, "RESULT") < 0)
		return -1;
	got = rte_be_to_cpu_64(m.count);
	if (rte_be_to_cpu_16(m.type) != PERF_MSG_RESULT || got != n) {
		perf_error("the server received %" PRIu64 " of %" PRIu64 " messages", got, n);
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->size = size;
	res->iters = n;
	res->rtt_factor = p->verb == PERF_VERB_READ ? 1 : 2;
	res->bytes = n * size;
	res->cpu.busy = busy;
	res->cpu.total = t1 - t0;
	res->t_start = t0;
	res->t_end = t1;
	res->peer_cpu.busy = rte_be_to_cpu_64(m.busy);
	res->peer_cpu.total = rte_be_to_cpu_64(m.total);
	res->peer_bytes = rte_be_to_cpu_64(m.bytes);
	if (p->kind == PERF_KIND_BW) {
		res->msg_rate = (double)n * (double)r->hz / (double)(t1 - t0);
		res->bw_avg = (double)res->bytes * (double)r->hz / (double)(t1 - t0);
		if (!p->no_peak)
			res->bw_peak = perf_peak_bw(r->posted, r->completed, n, size);
	} else {
		res->samples = r->samples;
		res->nb_samples = n;
	}
	return 0;
}

/* ---- server ---- */

static int
rd_sv_size(struct rd *r, const struct perf_ctl *b)
{
	const struct perf_params *p = r->p;
	uint32_t size = rte_be_to_cpu_32(b->size);
	uint64_t n = rte_be_to_cpu_64(b->count), t0, t1, posted = 0;
	uint32_t credit0 = rte_be_to_cpu_32(b->window);
	struct perf_ctl m;
	int rc = 0;

	perf_ctl_init(&m, PERF_MSG_BEGIN_ACK, p, size);
	if (b->verb != p->verb || b->kind != p->kind || size == 0 || size > r->max_size ||
	    n == 0 || credit0 == 0 || credit0 > n) {
		m.status = rte_cpu_to_be_32(PERF_ST_TEST_MISMATCH);
		rd_ctl_send(r, &m);
		perf_error("the client asked for a test this server does not run (%u bytes)",
			   size);
		return -1;
	}
	memset(rd_rbuf(r), 0, size);
	memset(rd_sbuf(r), 0, size);
	r->issued = r->done = r->credited = 0;
	r->credit_dirty = false;
	if (p->verb == PERF_VERB_SEND) {
		/* the receives the client may use before our first credit */
		posted = p->kind == PERF_KIND_BW ? credit0 : 1;
		for (uint64_t k = 0; k < posted; k++)
			if (rd_post_recv(r, size) != 0)
				return -1;
	}
	if (rd_ctl_send(r, &m) < 0)
		return -1;
	r->busy = 0;
	t0 = rte_rdtsc();
	if (p->kind == PERF_KIND_LAT && p->verb != PERF_VERB_READ)
		rc = rd_lat(r, size, n, false);
	else if (p->verb == PERF_VERB_SEND)
		rc = rd_sv_send_bw(r, size, n, posted);
	if (rc < 0)
		return -1;
	/* WRITE and READ: nothing to do here but poll until END */
	if (rd_ctl_recv(r, &m, "END") < 0)
		return -1;
	t1 = rte_rdtsc();
	if (rte_be_to_cpu_16(m.type) != PERF_MSG_END) {
		perf_error("expected END from the client");
		return -1;
	}
	perf_ctl_init(&m, PERF_MSG_RESULT, p, size);
	/* SEND: what arrived here; WRITE and READ leave no trace on this side */
	m.count = rte_cpu_to_be_64(p->verb == PERF_VERB_SEND ? r->credited : n);
	m.bytes = rte_cpu_to_be_64(n * size);
	m.busy = rte_cpu_to_be_64(r->busy);
	m.total = rte_cpu_to_be_64(t1 - t0);
	return rd_ctl_send(r, &m);
}

static int
rd_server_loop(struct rd *r)
{
	struct perf_ctl m;
	unsigned int sizes = 0;

	for (;;) {
		if (rd_ctl_recv(r, &m, "BEGIN or BYE") < 0)
			return -1;
		switch (rte_be_to_cpu_16(m.type)) {
		case PERF_MSG_BEGIN:
			if (rd_sv_size(r, &m) < 0)
				return -1;
			if (!(m.flags & PERF_CTL_WARMUP))
				sizes++;
			break;
		case PERF_MSG_BYE:
			perf_ctl_init(&m, PERF_MSG_BYE_ACK, r->p, 0);
			if (rd_ctl_send(r, &m) < 0)
				return -1;
			printf(PERF_PROG ": served %u size(s) of %s over RDMA\n", sizes,
			       r->p->test_name);
			return 0;
		default:
			perf_error("unexpected control record %u", rte_be_to_cpu_16(m.type));
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

static int
rd_open(struct rd *r)
{
	const struct perf_params *p = r->p;
	struct iw_port_conf conf;
	struct rte_iwarp_dev_conf dc;
	struct rte_iwarp_qp_init_attr qa;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid;

	memset(&conf, 0, sizeof(conf));
	conf.port_id = -1;
	conf.nb_queues = 1;
	if (p->dev != NULL) {
		conf.dev = p->dev;
		snprintf(name, sizeof(name), "%s", p->dev);
	} else {
		RTE_ETH_FOREACH_DEV(pid) {
			conf.port_id = pid;
			break;
		}
		if (conf.port_id < 0) {
			perf_error("--rdma: no DPDK port: give one with --vdev/-a before '--' or "
				   "--dev NAME");
			return -1;
		}
		if (rte_eth_dev_get_name_by_port((uint16_t)conf.port_id, name) != 0)
			snprintf(name, sizeof(name), "port %d", conf.port_id);
	}
	r->port = iw_port_open(&conf);
	if (r->port == NULL) {
		if (rte_errno == ENODEV)
			perf_error("--dev: no such device '%s'", name);
		else
			perf_error("cannot start %s: %s%s", name, rte_strerror(rte_errno),
				   strncmp(name, "net_memif", 9) == 0 && p->server != NULL ?
				   " (a net_memif client needs its server running)" : "");
		return -1;
	}
	if (p->server == NULL) {
		printf(PERF_PROG ": waiting for a client on %s (%s port %u, up to %u s)\n",
		       r->port->name, p->ip != NULL ? p->ip : "10.77.0.1", p->port,
		       p->timeout_s);
		fflush(stdout);
	}
	if (iw_port_wait_link(r->port, p->timeout_s * 1000) != 0) {
		perf_error("link of %s still down after %u s: is the %s running?", r->port->name,
			   p->timeout_s, p->server ? "server" : "client");
		return -1;
	}
	memset(&dc, 0, sizeof(dc));
	dc.port = r->port;
	dc.ip = rd_ip(p->ip, p->server == NULL ? RTE_BE32(RTE_IPV4(10, 77, 0, 1)) :
		      RTE_BE32(RTE_IPV4(10, 77, 0, 2)));
	r->dev = rte_iwarp_dev_open(&dc);
	if (r->dev == NULL) {
		perf_error("rte_iwarp_dev_open on %s: %s", r->port->name, rte_strerror(rte_errno));
		return -1;
	}
	r->pd = rte_iwarp_alloc_pd(r->dev);
	r->cq = rte_iwarp_create_cq(r->dev, RD_CQ_DEPTH, NULL);
	if (r->pd == NULL || r->cq == NULL) {
		perf_error("PD/CQ: %s", rte_strerror(rte_errno));
		return -1;
	}
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = r->cq;
	qa.recv_cq = r->cq;
	qa.cap.max_send_wr = RTE_MAX(64u, rte_align32pow2(p->tx_depth + 8));
	qa.cap.max_recv_wr = RTE_MAX(64u, rte_align32pow2(p->rx_depth + 1));
	qa.cap.max_rd_atomic = RD_ORD;
	qa.cap.max_dest_rd_atomic = RD_ORD;
	r->qp = rte_iwarp_create_qp(r->pd, &qa);
	if (r->qp == NULL) {
		perf_error("create_qp (send queue %u, receive queue %u): %s", qa.cap.max_send_wr,
			   qa.cap.max_recv_wr, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
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
rd_info_fill(struct rd *r, struct rd_info *in)
{
	memset(in, 0, sizeof(*in));
	in->magic = rte_cpu_to_be_32(RD_MAGIC);
	in->verb = (uint8_t)r->p->verb;
	in->kind = (uint8_t)r->p->kind;
	in->base = rte_cpu_to_be_64((uintptr_t)r->mem);
	in->rkey = rte_cpu_to_be_32(r->mr->rkey);
	in->max_size = rte_cpu_to_be_32(r->max_size);
}

static int
rd_info_take(struct rd *r, const void *pd, uint16_t len)
{
	struct rd_info in;

	if (len < sizeof(in)) {
		perf_error("the peer's private data is %u bytes, not an iwarp-perf peer", len);
		return -1;
	}
	memcpy(&in, pd, sizeof(in));
	if (rte_be_to_cpu_32(in.magic) != RD_MAGIC) {
		perf_error("the peer is not an iwarp-perf peer");
		return -1;
	}
	r->peer_base = rte_be_to_cpu_64(in.base);
	r->peer_rkey = rte_be_to_cpu_32(in.rkey);
	return 0;
}

static int
rd_server(struct rd *r)
{
	const struct perf_params *p = r->p;
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	struct rd_info mine, theirs;
	int rc;

	r->lid = rte_iwarp_listen(r->dev, p->port, 0, NULL, NULL);
	if (r->lid == NULL) {
		perf_error("listen on port %u: %s", p->port, rte_strerror(rte_errno));
		return -1;
	}
	rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, r->timeout);
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			rte_iwarp_cm_ack_event(&ev);
		perf_error("no client in %u s", p->timeout_s);
		return -1;
	}
	r->id = ev.id;
	memset(&theirs, 0, sizeof(theirs));
	if (ev.private_data_len >= sizeof(theirs))
		memcpy(&theirs, ev.private_data, sizeof(theirs));
	rc = rd_info_take(r, ev.private_data, ev.private_data_len);
	rte_iwarp_cm_ack_event(&ev);
	if (rc < 0) {
		rte_iwarp_reject(r->id, NULL, 0);
		return -1;
	}
	if (theirs.verb != p->verb || theirs.kind != p->kind) {
		static const char why[] = "iwarp-perf: the server runs another test";

		rte_iwarp_reject(r->id, why, sizeof(why));
		perf_error("the client asked for %s, this server runs %s",
			   perf_test_name(theirs.verb, theirs.kind), p->test_name);
		return -1;
	}
	if (rd_alloc_mem(r, rte_be_to_cpu_32(theirs.max_size)) < 0) {
		rte_iwarp_reject(r->id, NULL, 0);
		return -1;
	}
	rd_info_fill(r, &mine);
	memset(&cp, 0, sizeof(cp));
	cp.private_data = &mine;
	cp.private_data_len = sizeof(mine);
	if (rte_iwarp_accept(r->id, r->qp, &cp) != 0) {
		perf_error("accept: %s", rte_strerror(rte_errno));
		return -1;
	}
	rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, r->timeout);
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			rte_iwarp_cm_ack_event(&ev);
		perf_error("the connection was not established: %s", rc == -ETIMEDOUT ?
			   "timeout" : rte_iwarp_cm_event_str((enum rte_iwarp_cm_event_type)-rc));
		return -1;
	}
	rte_iwarp_cm_ack_event(&ev);
	if (rd_server_loop(r) < 0)
		return -1;
	/* the client disconnects after BYE_ACK */
	rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, r->timeout);
	if (rc == 0 || rc != -ETIMEDOUT)
		rte_iwarp_cm_ack_event(&ev);
	r->disconnected = true;
	return 0;
}

static int
rd_client(struct rd *r)
{
	const struct perf_params *p = r->p;
	uint32_t size, max_size = p->all ? p->size_max : p->size;
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	struct perf_result res;
	struct perf_ctl m;
	struct rd_info mine;
	rte_be32_t dst = rd_ip(p->server, 0);
	uint64_t end = rte_rdtsc() + r->timeout;
	int rc, jrc;

	if (dst == 0) {
		perf_error("'%s' is not an IPv4 address (the server's --ip)", p->server);
		return -1;
	}
	if (rd_alloc_mem(r, RTE_MAX(max_size, perf_first_size(p))) < 0)
		return -1;
	rd_info_fill(r, &mine);
	memset(&cp, 0, sizeof(cp));
	cp.private_data = &mine;
	cp.private_data_len = sizeof(mine);
	for (;;) {
		r->id = rte_iwarp_connect(r->qp, dst, p->port, &cp, NULL);
		if (r->id == NULL) {
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
		if (ev.event != RTE_IWARP_CM_EVENT_UNREACHABLE || rte_rdtsc() > end) {
			perf_error("connect to %s port %u: %s", p->server, p->port,
				   rte_iwarp_cm_event_str(ev.event));
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		/* the server may not listen yet */
		rte_iwarp_cm_ack_event(&ev);
		rte_iwarp_cm_destroy_id(r->id);
		r->id = NULL;
		rte_delay_ms(50);
	}
	rc = rd_info_take(r, ev.private_data, ev.private_data_len);
	rte_iwarp_cm_ack_event(&ev);
	if (rc < 0)
		return -1;
	snprintf(r->desc, sizeof(r->desc), "librte_iwarp on %s to %s port %u", r->port->name,
		 p->server, p->port);
	perf_report_banner(p, r->desc);
	perf_report_header(p);
	/* warm-up: the first size, unreported */
	if (rd_cl_size(r, perf_first_size(p), perf_warmup_iters(perf_first_size(p)), true,
		       &res) < 0)
		return -1;
	for (size = perf_first_size(p); size != 0; size = perf_next_size(p, size)) {
		if (rd_cl_size(r, size, p->iters, false, &res) < 0)
			return -1;
		perf_report_line(p, &res);
	}
	perf_report_footer(p);
	perf_ctl_init(&m, PERF_MSG_BYE, p, 0);
	if (rd_ctl_send(r, &m) < 0 || rd_ctl_recv(r, &m, "BYE_ACK") < 0)
		return -1;
	rte_iwarp_disconnect(r->id);
	rc = rd_wait_event(r, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, r->hz * 2);
	if (rc == 0 || rc != -ETIMEDOUT)
		rte_iwarp_cm_ack_event(&ev);
	r->disconnected = true;
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
	uint64_t end;
	int rc;

	if (p->bidir || p->duration != 0 || p->qps != 1) {
		perf_error("--rdma: -b, -D and -q are not implemented (one QP, -n iterations)");
		return PERF_EXIT_USAGE;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		perf_error("out of memory");
		return PERF_EXIT_FAIL;
	}
	r->p = p;
	r->hz = perf_tsc_hz();
	r->timeout = (uint64_t)p->timeout_s * r->hz;
	rc = rd_open(r);
	if (rc == 0)
		rc = p->server != NULL ? rd_client(r) : rd_server(r);
	if (r->dev != NULL) {
		/* let the last segments and ACKs of the close go out */
		end = rte_rdtsc() + r->hz / 20;
		while (rte_rdtsc() < end)
			rte_iwarp_dev_poll(r->dev);
	}
	if (r->port != NULL) {
		/*
		 * Stop polling, then give the peer time to stop too before this end
		 * of the net_memif pair goes away (the server waits longer: the
		 * client closes first).
		 */
		iw_port_quiesce(r->port);
		rte_delay_ms(p->server != NULL ? 200 : 600);
	}
	rte_iwarp_dev_close(r->dev);
	if (r->port != NULL)
		iw_port_close(r->port);
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
