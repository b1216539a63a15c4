/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --raw: the perftest patterns as bare L2 frames over a DPDK port (the
 * physical floor of the link), polled on one core.
 *
 * Frames: Ethernet header, ethertype 0x88B5 (IEEE local experimental), a
 * 16-byte struct raw_hdr, then data or a struct perf_ctl. A message of -s bytes
 * travels as ceil(s / (MTU - 16)) frames; it counts once all its frames are in
 * (copied once, into the receiver's buffer). The sender sends from its buffer
 * in place (a header mbuf chained to an external-buffer mbuf), as the RDMA TX
 * path does, or copies when the port takes no chains.
 *
 *   write_bw/send_bw  the client streams, at most -t messages beyond the
 *                     server's last CREDIT (the server credits every t/2);
 *                     a message completes when its credit arrives
 *   read_bw           the client keeps -o READ_REQ in flight, the server
 *                     answers each with a message; complete when all is in
 *   *_lat             one message (or request) in flight: ping-pong
 *
 * Both sides account the cycles of the poll iterations that did work (CPU
 * busy share, perf_cpu.c). Teardown: the client sends BYE, the server
 * answers BYE_ACK and stops polling before either side closes the port, so
 * net_memif never sees its peer vanish while it polls. The link is assumed
 * lossless (memif, a back-to-back cable at low load): a lost frame stalls the
 * pattern and ends it with a timeout error naming the counts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "rte_iwarp_port.h"
#include "perf.h"
#include "perf_proto.h"

#define RAW_ETHERTYPE 0x88B5
#define RAW_RX_MAX 512
#define RAW_TX_BURST 64
#define RAW_PENDING 1024
#define RAW_RESP_RING 2048          /* power of two, above the largest -o */
#define RAW_RETRY_MS 100
#define RAW_LINGER_MS 2000          /* server, after BYE_ACK: until the link drops */

enum raw_type {
	RAW_DATA = 1,
	RAW_CREDIT,
	RAW_READ_REQ,
	RAW_CTL,
};

struct raw_hdr {
	uint8_t type;     /**< enum raw_type */
	uint8_t rsvd;
	rte_be16_t rsvd2;
	rte_be32_t msg;   /**< message number (CREDIT: messages received so far) */
	rte_be32_t off;   /**< offset of this fragment in the message */
	rte_be32_t len;   /**< length of the message */
} __rte_packed;

#define RAW_HDRS (sizeof(struct rte_ether_hdr) + sizeof(struct raw_hdr))

/* What the receive path reports to a pattern. */
enum raw_ev_type {
	EV_MSG_DONE,   /* all frames of a data message are in */
	EV_CREDIT,     /* the peer has received `value` messages (32-bit, wraps) */
	EV_READ_REQ,   /* the peer asks for message `value` */
	EV_CTL,        /* a control record */
};

struct raw_ev {
	enum raw_ev_type type;
	uint32_t value;
	const struct perf_ctl *ctl;
	const struct rte_ether_addr *src;
};

struct raw {
	const struct perf_params *p;
	struct rte_iwarp_port *port;
	struct rte_iwarp_port_info info; /* name, MAC, MTU, TX segments */
	struct rte_ether_addr mac;
	struct rte_mempool *pool;
	struct rte_ether_addr peer;
	uint32_t frag_max;              /* data bytes per frame */
	uint16_t rx_burst;
	uint64_t hz, timeout;
	uint8_t *tbuf, *rbuf;           /* tbuf: DPDK memory, sent from in place */
	uint32_t buf_len;
	rte_iova_t tbuf_iova;
	bool zero_copy;                 /* the port takes a header + data chain */
	struct rte_mbuf_ext_shared_info shinfo;
	uint32_t size;                  /* message size of the current test */
	/* TX: frames built, not yet taken by the PMD */
	struct rte_mbuf *pend[RAW_PENDING];
	unsigned int pend_n;
	/* TX: the data message being cut into frames */
	bool tx_active;
	uint32_t tx_msg, tx_off;
	/* RX reassembly of the data message coming in */
	uint32_t rx_msg, rx_got;
	bool rx_active;
	uint64_t malformed;
	/* accounting */
	uint64_t busy, last_progress;
	uint64_t iter_t0;               /* start of the current poll iteration */
	char desc[160];
};

/* ---- frames ---- */

static struct rte_mbuf *
raw_frame(struct raw *r, uint8_t type, uint32_t msg, uint32_t off, uint32_t len,
	  const void *data, uint32_t dlen)
{
	struct rte_ether_hdr *eh;
	struct raw_hdr *h;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(r->pool);
	if (m == NULL)
		return NULL;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&r->peer, &eh->dst_addr);
	rte_ether_addr_copy(&r->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RAW_ETHERTYPE);
	h = (struct raw_hdr *)(eh + 1);
	h->type = type;
	h->rsvd = 0;
	h->rsvd2 = 0;
	h->msg = rte_cpu_to_be_32(msg);
	h->off = rte_cpu_to_be_32(off);
	h->len = rte_cpu_to_be_32(len);
	if (dlen)
		rte_memcpy(h + 1, data, dlen);
	m->data_len = (uint16_t)(RAW_HDRS + dlen);
	m->pkt_len = m->data_len;
	return m;
}

static void
raw_extbuf_free(void *addr, void *opaque)
{
	/* tbuf lives as long as the run; nothing to free per frame. */
	RTE_SET_USED(addr);
	RTE_SET_USED(opaque);
}

/*
 * A data frame without copying: a header mbuf chained to an mbuf that points
 * into tbuf (rte_pktmbuf_attach_extbuf), as the RDMA TX path sends from
 * registered memory. The receiver copies once, into its buffer.
 */
static struct rte_mbuf *
raw_frame_zc(struct raw *r, uint32_t msg, uint32_t off, uint32_t dlen)
{
	struct rte_mbuf *m, *d;

	m = raw_frame(r, RAW_DATA, msg, off, r->size, NULL, 0);
	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_alloc(r->pool);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_mbuf_ext_refcnt_update(&r->shinfo, 1);
	rte_pktmbuf_attach_extbuf(d, r->tbuf + off, r->tbuf_iova + off, (uint16_t)dlen,
				  &r->shinfo);
	d->data_len = (uint16_t)dlen;
	d->pkt_len = dlen;
	m->next = d;
	m->nb_segs = 2;
	m->pkt_len = RAW_HDRS + dlen;
	return m;
}

static int
raw_push(struct raw *r, uint8_t type, uint32_t msg, const void *data, uint32_t dlen)
{
	struct rte_mbuf *m;

	if (r->pend_n == RAW_PENDING)
		return -1;
	m = raw_frame(r, type, msg, 0, dlen, data, dlen);
	if (m == NULL)
		return -1;
	r->pend[r->pend_n++] = m;
	return 0;
}

static int
raw_push_ctl(struct raw *r, const struct perf_ctl *c)
{
	return raw_push(r, RAW_CTL, 0, c, sizeof(*c));
}

/*
 * Cut the active data message into frames until the pending queue holds one
 * TX burst: frames are made only as fast as the PMD takes them, so a frame
 * goes out while its mbufs are still in the cache.
 */
static unsigned int
raw_gen(struct raw *r)
{
	unsigned int made = 0;
	struct rte_mbuf *m;
	uint32_t dlen;

	while (r->tx_active && r->pend_n < RAW_TX_BURST) {
		dlen = RTE_MIN(r->frag_max, r->size - r->tx_off);
		if (r->zero_copy)
			m = raw_frame_zc(r, r->tx_msg, r->tx_off, dlen);
		else
			m = raw_frame(r, RAW_DATA, r->tx_msg, r->tx_off, r->size,
				      r->tbuf + r->tx_off, dlen);
		if (m == NULL)
			break;
		r->pend[r->pend_n++] = m;
		r->tx_off += dlen;
		made++;
		if (r->tx_off == r->size)
			r->tx_active = false;
	}
	return made;
}

static void
raw_start_msg(struct raw *r, uint32_t msg)
{
	r->tx_active = true;
	r->tx_msg = msg;
	r->tx_off = 0;
}

static unsigned int
raw_flush(struct raw *r)
{
	uint16_t n;

	if (r->pend_n == 0)
		return 0;
	n = rte_iwarp_port_tx_burst(r->port, 0, r->pend, (uint16_t)RTE_MIN(r->pend_n, RAW_TX_BURST));
	if (n > 0) {
		memmove(r->pend, r->pend + n, (r->pend_n - n) * sizeof(r->pend[0]));
		r->pend_n -= n;
	}
	return n;
}

static bool
raw_tx_idle(const struct raw *r)
{
	return !r->tx_active && r->pend_n == 0;
}

/* ---- receive ---- */

typedef void (*raw_ev_fn)(struct raw *r, void *ctx, const struct raw_ev *ev);

static void
raw_data(struct raw *r, const struct raw_hdr *h, const uint8_t *d, uint32_t dlen,
	 raw_ev_fn fn, void *ctx)
{
	uint32_t msg = rte_be_to_cpu_32(h->msg), off = rte_be_to_cpu_32(h->off);
	struct raw_ev ev = { .type = EV_MSG_DONE, .value = msg };

	if (rte_be_to_cpu_32(h->len) != r->size || off > r->size || dlen > r->size - off ||
	    dlen == 0) {
		r->malformed++;
		return;
	}
	if (off == 0) {
		r->rx_active = true;
		r->rx_msg = msg;
		r->rx_got = 0;
	} else if (!r->rx_active || msg != r->rx_msg || off != r->rx_got) {
		r->malformed++;
		r->rx_active = false;
		return;
	}
	rte_memcpy(r->rbuf + off, d, dlen);
	r->rx_got += dlen;
	if (r->rx_got == r->size) {
		r->rx_active = false;
		fn(r, ctx, &ev);
	}
}

static unsigned int
raw_poll(struct raw *r, raw_ev_fn fn, void *ctx)
{
	struct rte_mbuf *pkts[RAW_RX_MAX];
	const struct rte_ether_hdr *eh;
	const struct raw_hdr *h;
	struct raw_ev ev;
	struct perf_ctl ctl;
	uint16_t n, i;
	uint32_t dlen;

	n = rte_iwarp_port_rx_burst(r->port, 0, pkts, r->rx_burst);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (m->data_len != m->pkt_len || m->data_len < RAW_HDRS) {
			r->malformed++;
			goto next;
		}
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (eh->ether_type != RTE_BE16(RAW_ETHERTYPE))
			goto next;   /* not ours: ignore quietly (other traffic on the port) */
		h = (const struct raw_hdr *)(eh + 1);
		dlen = m->data_len - RAW_HDRS;
		memset(&ev, 0, sizeof(ev));
		ev.src = &eh->src_addr;
		switch (h->type) {
		case RAW_DATA:
			raw_data(r, h, (const uint8_t *)(h + 1), dlen, fn, ctx);
			break;
		case RAW_CREDIT:
		case RAW_READ_REQ:
			ev.type = h->type == RAW_CREDIT ? EV_CREDIT : EV_READ_REQ;
			ev.value = rte_be_to_cpu_32(h->msg);
			fn(r, ctx, &ev);
			break;
		case RAW_CTL:
			if (dlen < sizeof(ctl)) {
				r->malformed++;
				break;
			}
			memcpy(&ctl, h + 1, sizeof(ctl));
			if (!perf_ctl_valid(&ctl)) {
				r->malformed++;
				break;
			}
			ev.type = EV_CTL;
			ev.ctl = &ctl;
			fn(r, ctx, &ev);
			break;
		default:
			r->malformed++;
			break;
		}
next:
		rte_pktmbuf_free(m);
	}
	return n;
}

/* Account one poll iteration; -1 once the peer has been silent too long. */
static int
raw_account(struct raw *r, uint64_t t0, unsigned int work)
{
	uint64_t now = rte_rdtsc();

	if (work) {
		r->busy += now - t0;
		r->last_progress = now;
		return 0;
	}
	return now - r->last_progress > r->timeout ? -1 : 0;
}

static int
raw_ensure_bufs(struct raw *r, uint32_t size)
{
	uint8_t *t, *b;

	if (r->buf_len >= size)
		return 0;
	/*
	 * Only between sizes: every frame of the last one has reached the peer
	 * (its RESULT is in), so no PMD still reads the old buffer.
	 */
	t = rte_malloc("iwarp_perf_tx", size, RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -1;
	rte_free(r->tbuf);
	r->tbuf = t;
	r->tbuf_iova = rte_malloc_virt2iova(t);
	b = realloc(r->rbuf, size);
	if (b == NULL)
		return -1;
	r->rbuf = b;
	memset(r->tbuf, 0x5a, size);
	r->buf_len = size;
	return 0;
}

/* ---- client ---- */

struct cl {
	const struct perf_params *p;
	const struct perf_params *user; /* the user's parameters (p differs in the warm-up) */
	uint64_t issued, done, credited;
	uint64_t *posted, *completed, *samples;
	uint64_t cap;
	uint64_t lat_t0;
	bool waiting;                 /* latency: one in flight */
	bool have_ctl;
	uint16_t want;                /* control type waited for */
	struct perf_ctl ctl;
	struct rte_ether_addr from;
	struct perf_pace pace;        /* --rate_limit */
	/* -b: the server's stream to us */
	bool bidir;
	uint32_t credit_every;
	uint64_t rx_count, rx_since;
};

static void
cl_ev(struct raw *r, void *ctx, const struct raw_ev *ev)
{
	struct cl *c = ctx;
	uint64_t now = rte_rdtsc(), k;
	uint32_t delta;

	switch (ev->type) {
	case EV_CREDIT:
		delta = ev->value - (uint32_t)c->credited;
		for (k = 0; k < delta && c->credited < c->issued; k++)
			c->completed[c->credited++] = now;
		break;
	case EV_MSG_DONE:
		if (c->bidir) {
			/* The server's stream: count and credit it. */
			c->rx_count++;
			if (++c->rx_since >= c->credit_every) {
				c->rx_since = 0;
				if (raw_push(r, RAW_CREDIT, (uint32_t)c->rx_count, NULL, 0) < 0)
					c->rx_since = c->credit_every; /* again with the next */
			}
			break;
		}
		if (c->done >= c->issued)
			break;   /* not asked for: drop */
		if (c->p->kind == PERF_KIND_LAT) {
			c->samples[c->done++] = now - c->lat_t0;
			c->waiting = false;
		} else {
			c->completed[c->done++] = now;
		}
		break;
	case EV_CTL:
		if (rte_be_to_cpu_16(ev->ctl->type) == c->want && !c->have_ctl) {
			c->ctl = *ev->ctl;
			c->have_ctl = true;
			rte_ether_addr_copy(ev->src, &c->from);
		}
		break;
	default:
		break;
	}
}

static int
cl_grow(struct cl *c, uint64_t need)
{
	uint64_t cap = c->cap ? c->cap : 4096, *a, *b;

	if (need <= c->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	a = realloc(c->posted, cap * sizeof(*a));
	if (a == NULL)
		return -1;
	c->posted = a;
	b = realloc(c->completed, cap * sizeof(*b));
	if (b == NULL)
		return -1;
	c->completed = b;
	c->samples = b;
	c->cap = cap;
	return 0;
}

/*
 * Send a control record (again every RAW_RETRY_MS while `resend`) and poll
 * until the control record `want` arrives or the timeout passes.
 */
static int
cl_exchange(struct raw *r, struct cl *c, const struct perf_ctl *out, uint16_t want, bool resend,
	    const char *what)
{
	uint64_t retry = r->hz * RAW_RETRY_MS / 1000, last = 0, t0, start = rte_rdtsc();
	unsigned int work;

	r->last_progress = start;
	c->want = want;
	c->have_ctl = false;
	while (!c->have_ctl) {
		t0 = rte_rdtsc();
		work = 0;
		if (out != NULL && (last == 0 || (resend && t0 - last > retry))) {
			if (raw_push_ctl(r, out) == 0)
				last = t0;
		}
		work += raw_gen(r);
		work += raw_flush(r);
		work += raw_poll(r, cl_ev, c);
		/* A retried request is bounded in total; an answer by silence. */
		if (raw_account(r, t0, work) < 0 || (resend && rte_rdtsc() - start > r->timeout)) {
			perf_error("%s: no answer from the server on %s within %u s", what,
				   r->info.name, r->p->timeout_s);
			return -1;
		}
	}
	return 0;
}

static bool
cl_can_issue(const struct cl *c, uint64_t deadline)
{
	return c->p->duration ? rte_rdtsc() < deadline : c->issued < c->p->iters;
}

static bool
raw_link_down(const struct raw *r)
{
	return rte_iwarp_port_link_status(r->port) == 0;
}

static int
cl_stalled(struct raw *r, const struct cl *c)
{
	perf_error("%s: the server stopped answering for %u s (%" PRIu64 " messages sent, %"
		   PRIu64 " acknowledged, %" PRIu64 " malformed frames): %s", r->info.name,
		   r->p->timeout_s, c->issued,
		   c->p->kind == PERF_KIND_BW && c->p->verb != PERF_VERB_READ ? c->credited :
		   c->done, r->malformed,
		   raw_link_down(r) ? "the link is down (server gone?)" : "frames lost?");
	return -1;
}

static int
cl_pattern(struct raw *r, struct cl *c)
{
	const struct perf_params *p = r->p;
	uint64_t deadline = rte_rdtsc() + (uint64_t)p->duration * r->hz, t0;
	bool bw_write = p->kind == PERF_KIND_BW && p->verb != PERF_VERB_READ, paced;
	unsigned int work, made, k;

	for (;;) {
		t0 = rte_rdtsc();
		work = raw_poll(r, cl_ev, c);
		paced = false;
		if (bw_write) {
			/* Fill a TX burst with as many messages as the window allows. */
			made = 0;
			while (r->pend_n < RAW_TX_BURST) {
				if (!r->tx_active) {
					if (!cl_can_issue(c, deadline) ||
					    c->issued - c->credited >= p->tx_depth)
						break;
					if (perf_pace_avail(&c->pace, rte_rdtsc(), 1) == 0) {
						paced = true;
						break;
					}
					if (cl_grow(c, c->issued + 1) < 0)
						goto nomem;
					perf_pace_take(&c->pace, 1);
					c->posted[c->issued] = rte_rdtsc();
					raw_start_msg(r, (uint32_t)c->issued++);
				}
				k = raw_gen(r);
				if (k == 0)
					break;
				made += k;
			}
			work += made;
			if (!r->tx_active && !cl_can_issue(c, deadline) && raw_tx_idle(r))
				break;
		} else if (p->kind == PERF_KIND_BW) {
			while (c->issued - c->done < p->out_reads && cl_can_issue(c, deadline) &&
			       r->pend_n < RAW_PENDING) {
				if (perf_pace_avail(&c->pace, rte_rdtsc(), 1) == 0) {
					paced = true;
					break;
				}
				if (cl_grow(c, c->issued + 1) < 0)
					goto nomem;
				c->posted[c->issued] = rte_rdtsc();
				if (raw_push(r, RAW_READ_REQ, (uint32_t)c->issued, NULL, 0) < 0)
					break;
				perf_pace_take(&c->pace, 1);
				c->issued++;
			}
			if (!cl_can_issue(c, deadline) && c->done == c->issued)
				break;
		} else {
			if (!c->waiting && cl_can_issue(c, deadline)) {
				if (cl_grow(c, c->issued + 1) < 0)
					goto nomem;
				c->waiting = true;
				c->lat_t0 = rte_rdtsc();
				if (p->verb == PERF_VERB_READ) {
					if (raw_push(r, RAW_READ_REQ, (uint32_t)c->issued, NULL,
						     0) < 0)
						c->waiting = false;
					else
						c->issued++;
				} else {
					raw_start_msg(r, (uint32_t)c->issued++);
				}
				work++;
			}
			if (!c->waiting && !cl_can_issue(c, deadline))
				break;
		}
		work += raw_gen(r);
		work += raw_flush(r);
		/* waiting for our own pace is no silence of the server */
		if (paced)
			r->last_progress = t0;
		if (raw_account(r, t0, work) < 0)
			return cl_stalled(r, c);
	}
	return 0;
nomem:
	perf_error("out of memory for the timestamps of %" PRIu64 " messages", c->issued);
	return -1;
}

static int
cl_size(struct raw *r, struct cl *c, uint32_t size, struct perf_result *res)
{
	const struct perf_params *p = r->p;
	uint64_t t0, t1, got, k;
	struct perf_ctl m;

	if (raw_ensure_bufs(r, size) < 0) {
		perf_error("out of memory for %u-byte buffers", size);
		return -1;
	}
	r->size = size;
	r->rx_active = false;
	perf_ctl_init(&m, PERF_MSG_BEGIN, p, size);
	m.count = rte_cpu_to_be_64(p->duration ? 0 : p->iters);
	m.window = rte_cpu_to_be_32(RTE_MAX(1u, p->tx_depth / 2));
	if (p != c->user)
		m.flags |= PERF_CTL_WARMUP;
	c->bidir = p->bidir;
	if (p->bidir) {
		m.flags |= PERF_CTL_BIDIR;
		c->credit_every = RTE_MAX(1u, p->tx_depth / 2);
		c->rx_count = c->rx_since = 0;
	}
	if (cl_exchange(r, c, &m, PERF_MSG_BEGIN_ACK, false, "BEGIN") < 0)
		return -1;
	if (rte_be_to_cpu_32(c->ctl.status) != PERF_ST_OK) {
		perf_error("the server on %s refused the test: %s", r->info.name,
			   rte_be_to_cpu_32(c->ctl.status) == PERF_ST_TEST_MISMATCH ?
			   "it runs another test" : "no memory for the buffers");
		return -1;
	}
	c->issued = c->done = c->credited = 0;
	c->waiting = false;
	r->busy = 0;
	perf_pace_start(&c->pace, p, size, 1, p->tx_depth);
	t0 = rte_rdtsc();
	r->last_progress = t0;
	if (cl_pattern(r, c) < 0)
		return -1;
	perf_ctl_init(&m, PERF_MSG_END, p, size);
	m.count = rte_cpu_to_be_64(c->issued);
	if (cl_exchange(r, c, &m, PERF_MSG_RESULT, false, "END") < 0)
		return -1;
	t1 = rte_rdtsc();
	got = rte_be_to_cpu_64(c->ctl.count);
	if (got != c->issued) {
		perf_error("%s: the server received %" PRIu64 " of %" PRIu64 " messages (%" PRIu64
			   " malformed frames here)", r->info.name, got, c->issued,
			   r->malformed);
		return -1;
	}
	if (c->bidir && rte_be_to_cpu_64(c->ctl.sent) != c->rx_count) {
		perf_error("%s: the server streamed %" PRIu64 " messages, %" PRIu64 " arrived",
			   r->info.name, (uint64_t)rte_be_to_cpu_64(c->ctl.sent), c->rx_count);
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->size = size;
	res->iters = c->issued;
	res->rtt_factor = p->verb == PERF_VERB_READ ? 1 : 2;
	res->bytes = c->issued * size;
	res->cpu.busy = r->busy;
	res->cpu.total = t1 - t0;
	res->peer_cpu.busy = rte_be_to_cpu_64(c->ctl.busy);
	res->peer_cpu.total = rte_be_to_cpu_64(c->ctl.total);
	res->peer_bytes = rte_be_to_cpu_64(c->ctl.bytes);
	res->peer_ns = rte_be_to_cpu_64(c->ctl.total_ns);
	if (p->kind == PERF_KIND_BW) {
		/* The RESULT covers what no credit did yet. */
		for (k = c->credited; p->verb != PERF_VERB_READ && k < c->issued; k++)
			c->completed[k] = t1;
		if (c->bidir) {
			/* Both directions, as perftest -b: bytes and messages summed. */
			res->bytes += c->rx_count * size;
			res->msg_rate = (double)(c->issued + c->rx_count) * (double)r->hz /
				(double)(t1 - t0);
		} else {
			res->msg_rate = (double)c->issued * (double)r->hz / (double)(t1 - t0);
		}
		res->bw_avg = (double)res->bytes * (double)r->hz / (double)(t1 - t0);
		if (!p->no_peak)
			res->bw_peak = perf_peak_bw(c->posted, c->completed, c->issued, size);
		/*
		 * -b: the incoming direction has no post times here, so its share
		 * of the peak is its average.
		 */
		if (!p->no_peak && c->bidir)
			res->bw_peak += (double)(c->rx_count * size) * (double)r->hz /
				(double)(t1 - t0);
	} else {
		res->samples = c->samples;
		res->nb_samples = c->done;
	}
	return 0;
}

/* ---- server ---- */

struct sv {
	const struct perf_params *p;
	bool in_test, bye, result_due, warmup;
	bool bidir, end_seen;         /* -b: we stream too, until tx_target or END */
	uint64_t tx_target, sent, credited;
	uint32_t depth;
	uint32_t window;
	uint64_t received, bytes, since_credit;
	uint64_t t_start;
	uint32_t resp[RAW_RESP_RING];
	uint32_t resp_head, resp_tail;
	unsigned int sizes;
	int error;
};

static void
sv_reply(struct raw *r, struct sv *s, const struct perf_ctl *c)
{
	uint64_t end = rte_rdtsc() + r->timeout;

	/* Control records are few; if the queue is full now, flush first (bounded). */
	while (raw_push_ctl(r, c) < 0) {
		raw_flush(r);
		if (rte_rdtsc() > end) {
			perf_error("%s: cannot send to the client for %u s (TX stuck)",
				   r->info.name, r->p->timeout_s);
			s->error = 1;
			return;
		}
	}
}

static void
sv_ev(struct raw *r, void *ctx, const struct raw_ev *ev)
{
	struct sv *s = ctx;
	const struct perf_params *p = s->p;
	struct perf_ctl c;
	uint32_t size, delta;

	switch (ev->type) {
	case EV_MSG_DONE:
		if (!s->in_test)
			break;
		s->received++;
		s->bytes += r->size;
		if (p->kind == PERF_KIND_LAT) {
			s->resp[s->resp_head++ % RAW_RESP_RING] = ev->value;
		} else if (++s->since_credit >= s->window) {
			s->since_credit = 0;
			if (raw_push(r, RAW_CREDIT, (uint32_t)s->received, NULL, 0) < 0)
				s->since_credit = s->window; /* retry with the next message */
		}
		break;
	case EV_READ_REQ:
		if (!s->in_test || s->resp_head - s->resp_tail >= RAW_RESP_RING)
			break;
		s->resp[s->resp_head++ % RAW_RESP_RING] = ev->value;
		break;
	case EV_CREDIT:
		if (s->in_test && s->bidir) {
			delta = ev->value - (uint32_t)s->credited;
			s->credited += RTE_MIN((uint64_t)delta, s->sent - s->credited);
		}
		break;
	case EV_CTL:
		switch (rte_be_to_cpu_16(ev->ctl->type)) {
		case PERF_MSG_HELLO:
			rte_ether_addr_copy(ev->src, &r->peer);
			perf_ctl_init(&c, PERF_MSG_HELLO_ACK, p, 0);
			sv_reply(r, s, &c);
			break;
		case PERF_MSG_BEGIN:
			rte_ether_addr_copy(ev->src, &r->peer);
			size = rte_be_to_cpu_32(ev->ctl->size);
			perf_ctl_init(&c, PERF_MSG_BEGIN_ACK, p, size);
			if (ev->ctl->verb != p->verb || ev->ctl->kind != p->kind) {
				c.status = rte_cpu_to_be_32(PERF_ST_TEST_MISMATCH);
				sv_reply(r, s, &c);
				perf_error("the client on %s runs %s, this server %s",
					   r->info.name, perf_test_name(ev->ctl->verb,
									 ev->ctl->kind),
					   p->test_name);
				s->error = 1;
				break;
			}
			if (size == 0 || size > PERF_MAX_SIZE || raw_ensure_bufs(r, size) < 0) {
				c.status = rte_cpu_to_be_32(PERF_ST_NO_MEMORY);
				sv_reply(r, s, &c);
				perf_error("no buffers of %u bytes for the client", size);
				s->error = 1;
				break;
			}
			r->size = size;
			r->rx_active = false;
			s->window = RTE_MAX(1u, rte_be_to_cpu_32(ev->ctl->window));
			s->received = s->bytes = s->since_credit = 0;
			s->resp_head = s->resp_tail = 0;
			s->in_test = true;
			s->warmup = (ev->ctl->flags & PERF_CTL_WARMUP) != 0;
			s->bidir = (ev->ctl->flags & PERF_CTL_BIDIR) != 0 &&
				p->kind == PERF_KIND_BW && p->verb != PERF_VERB_READ;
			s->tx_target = rte_be_to_cpu_64(ev->ctl->count);
			s->sent = s->credited = 0;
			s->end_seen = false;
			s->depth = 2 * s->window;
			s->result_due = false;
			/* The phase starts with this iteration, which counts. */
			r->busy = 0;
			s->t_start = r->iter_t0;
			sv_reply(r, s, &c);
			break;
		case PERF_MSG_END:
			/* Everything the client sent is in (one link, in order). */
			s->result_due = true;
			s->end_seen = true;
			break;
		case PERF_MSG_BYE:
			perf_ctl_init(&c, PERF_MSG_BYE_ACK, p, 0);
			sv_reply(r, s, &c);
			s->bye = true;
			break;
		default:
			break;
		}
		break;
	}
}

static bool
sv_can_issue(const struct sv *s)
{
	if (s->sent - s->credited >= s->depth)
		return false;
	return s->tx_target ? s->sent < s->tx_target : !s->end_seen;
}

/* -b: has the server sent all it will send? (Then RESULT may follow.) */
static bool
sv_stream_done(const struct sv *s)
{
	if (!s->bidir)
		return true;
	return s->tx_target ? s->sent >= s->tx_target : s->end_seen;
}

static void
sv_result(struct raw *r, struct sv *s)
{
	struct perf_ctl c;
	uint64_t total = rte_rdtsc() - s->t_start;

	perf_ctl_init(&c, PERF_MSG_RESULT, s->p, r->size);
	c.count = rte_cpu_to_be_64(s->received);
	c.bytes = rte_cpu_to_be_64(s->p->verb == PERF_VERB_READ ?
				   (s->resp_tail * (uint64_t)r->size) : s->bytes);
	if (s->p->verb == PERF_VERB_READ)
		c.count = rte_cpu_to_be_64(s->resp_tail);
	c.busy = rte_cpu_to_be_64(r->busy);
	c.total = rte_cpu_to_be_64(total);
	c.total_ns = rte_cpu_to_be_64((uint64_t)((double)total * 1e9 / (double)r->hz));
	c.sent = rte_cpu_to_be_64(s->sent);
	sv_reply(r, s, &c);
	s->in_test = false;
	s->result_due = false;
	if (!s->warmup)
		s->sizes++;
}

/*
 * BYE_ACK is on the wire: stop polling now (net_memif must not lose its peer
 * while one of them still polls) and let the client see it and close its end
 * first. Only the link status is read from here on: it goes down when a
 * net_memif client closes, which ends the wait; a cable's link stays up, so
 * the wait is bounded (RAW_LINGER_MS). A fixed 200 ms was too short on a
 * loaded machine: the client, not scheduled in time, met a closed port and
 * lost the BYE_ACK ("BYE: no answer from the server").
 */
static void
raw_linger(struct raw *r)
{
	unsigned int ms;

	for (ms = 0; ms < RAW_LINGER_MS; ms += 10) {
		if (rte_iwarp_port_link_status(r->port) == 0)
			return;
		rte_delay_ms(10);
	}
}

static int
raw_server(struct raw *r)
{
	struct sv s = { .p = r->p };
	uint64_t t0;
	unsigned int work, made, k;

	r->last_progress = rte_rdtsc();
	while (!(s.bye && r->pend_n == 0)) {
		t0 = rte_rdtsc();
		r->iter_t0 = t0;
		work = raw_poll(r, sv_ev, &s);
		if (s.error)
			return -1;
		/* Answer as many queued requests as a TX burst holds. */
		made = 0;
		while (r->pend_n < RAW_TX_BURST) {
			if (!r->tx_active) {
				if (s.resp_tail == s.resp_head)
					break;
				raw_start_msg(r, s.resp[s.resp_tail++ % RAW_RESP_RING]);
			}
			k = raw_gen(r);
			if (k == 0)
				break;
			made += k;
		}
		work += made;
		/* -b: stream our own messages within the client's credits. */
		made = 0;
		while (s.in_test && s.bidir && r->pend_n < RAW_TX_BURST) {
			if (!r->tx_active) {
				if (!sv_can_issue(&s))
					break;
				raw_start_msg(r, (uint32_t)s.sent++);
			}
			k = raw_gen(r);
			if (k == 0)
				break;
			made += k;
		}
		work += made;
		if (s.result_due && raw_tx_idle(r) && s.resp_tail == s.resp_head &&
		    sv_stream_done(&s)) {
			sv_result(r, &s);
			if (s.error)
				return -1;
			work++;
		}
		work += raw_flush(r);
		if (raw_account(r, t0, work) < 0) {
			if (s.sizes == 0 && !s.in_test)
				perf_error("no client on %s within %u s", r->info.name,
					   r->p->timeout_s);
			else
				perf_error("%s: the client went silent for %u s (%" PRIu64
					   " messages in, %" PRIu64 " malformed frames)%s",
					   r->info.name, r->p->timeout_s, s.received,
					   r->malformed, raw_link_down(r) ?
					   ": the link is down (client gone?)" : "");
			return -1;
		}
	}
	raw_linger(r);
	printf(PERF_PROG ": served %u size(s) of %s on %s\n", s.sizes, r->p->test_name,
	       r->info.name);
	return 0;
}

static int
raw_client(struct raw *r)
{
	const struct perf_params *p = r->p;
	struct cl c = { .p = p, .user = p };
	struct perf_params warm;
	struct perf_result res;
	struct perf_ctl m;
	uint32_t size;
	int rc = -1, jrc;

	/* Find the server: broadcast (or its MAC) until it answers. */
	if (rte_ether_unformat_addr(p->server, &r->peer) != 0)
		memset(&r->peer, 0xff, sizeof(r->peer));
	perf_ctl_init(&m, PERF_MSG_HELLO, p, 0);
	if (cl_exchange(r, &c, &m, PERF_MSG_HELLO_ACK, true, "HELLO") < 0)
		goto out;
	rte_ether_addr_copy(&c.from, &r->peer);
	snprintf(r->desc, sizeof(r->desc), "%s to " RTE_ETHER_ADDR_PRT_FMT ", TX %s",
		 r->info.name, RTE_ETHER_ADDR_BYTES(&r->peer),
		 r->zero_copy ? "zero-copy" : "copied");
	perf_report_banner(p, r->desc);
	perf_report_header(p);
	/* Warm-up: the first size, unreported, to fault in mbufs, pages and rings. */
	warm = *p;
	warm.iters = RTE_MAX(perf_warmup_iters(perf_first_size(p)), (uint64_t)PERF_WARM_FRAMES);
	warm.duration = 0;
	warm.rate_limit = 0;
	r->p = c.p = &warm;
	rc = cl_size(r, &c, perf_first_size(p), &res);
	r->p = c.p = p;
	if (rc < 0)
		goto out;
	rc = -1;
	for (size = perf_first_size(p); size != 0; size = perf_next_size(p, size)) {
		if (cl_size(r, &c, size, &res) < 0)
			goto out;
		perf_report_line(p, &res);
	}
	perf_report_footer(p);
	perf_ctl_init(&m, PERF_MSG_BYE, p, 0);
	if (cl_exchange(r, &c, &m, PERF_MSG_BYE_ACK, true, "BYE") < 0)
		goto out;
	jrc = perf_report_json_write(p, r->desc);
	if (jrc < 0) {
		perf_error("--out_json_file %s: %s", p->json_file, strerror(-jrc));
		goto out;
	}
	rc = 0;
out:
	free(c.posted);
	free(c.completed);
	return rc;
}

static int
raw_open(struct raw *r)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_iwarp_port_conf conf;
	uint16_t pid;
	unsigned int ms;
	bool found = false;

	memset(&conf, 0, sizeof(conf));
	conf.nb_queues = 1;
	/* header + data chains: TX without a copy */
	conf.offloads = RTE_IWARP_PORT_OFF_MULTISEG;
	if (r->p->dev != NULL) {
		conf.dev = r->p->dev;
	} else {
		RTE_ETH_FOREACH_DEV(pid) {
			conf.port_id = pid;
			found = true;
			break;
		}
		if (!found) {
			perf_error("--raw: no DPDK port: give one with --vdev/-a before '--' or "
				   "--dev NAME");
			return -1;
		}
	}
	if (conf.dev != NULL)
		snprintf(name, sizeof(name), "%s", conf.dev);
	else if (rte_eth_dev_get_name_by_port(conf.port_id, name) != 0)
		snprintf(name, sizeof(name), "port %d", conf.port_id);
	r->port = rte_iwarp_port_open(&conf);
	if (r->port == NULL) {
		if (rte_errno == ENODEV)
			perf_error("--dev: no such device '%s'", name);
		else
			perf_error("cannot start %s: %s%s", name, rte_strerror(rte_errno),
				   strncmp(name, "net_memif", 9) == 0 && r->p->server != NULL ?
				   " (a net_memif client needs its server running)" : "");
		return -1;
	}
	if (rte_iwarp_port_info_get(r->port, &r->info) != 0) {
		perf_error("cannot describe %s", name);
		return -1;
	}
	memcpy(r->mac.addr_bytes, r->info.mac_addr, RTE_ETHER_ADDR_LEN);
	r->pool = rte_iwarp_port_mempool(r->port, 0);
	r->zero_copy = r->info.max_tx_segs >= 2;
	r->shinfo.free_cb = raw_extbuf_free;
	r->shinfo.fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(&r->shinfo, 1);
	r->frag_max = r->info.mtu - (uint32_t)sizeof(struct raw_hdr);
	r->rx_burst = (uint16_t)RTE_MIN(r->p->rx_depth, RAW_RX_MAX);
	r->hz = perf_tsc_hz();
	r->timeout = (uint64_t)r->p->timeout_s * r->hz;
	ms = r->p->timeout_s * 1000;
	if (r->p->server == NULL) {
		printf(PERF_PROG ": waiting for a client on %s (MAC " RTE_ETHER_ADDR_PRT_FMT
		       ", up to %u s)\n", r->info.name, RTE_ETHER_ADDR_BYTES(&r->mac),
		       r->p->timeout_s);
		fflush(stdout);
	}
	if (rte_iwarp_port_wait_link(r->port, ms) != 0) {
		perf_error("link of %s still down after %u s: is the %s running?", r->info.name,
			   r->p->timeout_s, r->p->server ? "server" : "client");
		return -1;
	}
	return 0;
}

static int
raw_run(const struct perf_params *p)
{
	struct raw *r;
	int rc;

	if (p->bidir && p->verb == PERF_VERB_READ) {
		perf_error("-b: read_bw in both directions is not implemented (write_bw and "
			   "send_bw take -b)");
		return PERF_EXIT_USAGE;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		perf_error("out of memory");
		return PERF_EXIT_FAIL;
	}
	r->p = p;
	rc = raw_open(r);
	if (rc == 0)
		rc = p->server != NULL ? raw_client(r) : raw_server(r);
	if (r->port != NULL) {
		/* Free what was never sent before the pools go. */
		rte_pktmbuf_free_bulk(r->pend, r->pend_n);
		rte_iwarp_port_close(r->port);
	}
	rte_free(r->tbuf);
	free(r->rbuf);
	free(r);
	return rc == 0 ? 0 : PERF_EXIT_FAIL;
}

const struct perf_transport perf_raw_transport = {
	.name = "raw",
	.needs_eal = true,
	.run = raw_run,
};
