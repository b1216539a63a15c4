/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --kernel-tcp: the perftest patterns over kernel TCP sockets (blocking,
 * TCP_NODELAY, one send() per message), the baseline a user would otherwise
 * pick. No DPDK, no EAL, no hugepages.
 *
 * Every message starts with a marker byte: 'D' data, 'P' ping, 'R' read
 * request, 'E' end of the pattern (the end message is not counted; the server
 * answers it with RESULT). write and send are the same byte pattern here: the
 * kernel has no remote memory to write into. Every wait is bounded by
 * --timeout (SO_RCVTIMEO/SO_SNDTIMEO, a polled non-blocking connect).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "perf.h"
#include "perf_proto.h"
#include "perf_ctlmsg.h"

#define REQ_LEN 8
/** Most connections -q opens. */
#define PERF_KTCP_MAX_QPS 64
#define CREDIT_LEN PERF_DX_CREDIT_LEN

struct ktcp {
	const struct perf_params *p;
	int fd;
	char peer[96];
	uint8_t *buf;
	uint32_t buf_len;
	/* Bytes a bidirectional run read past its end (the next BEGIN): read first. */
	uint8_t *back;
	size_t back_len, back_off;
};

static int
io_error(struct ktcp *k, const char *what, ssize_t rc)
{
	if (rc == 0)
		perf_error("%s %s: the peer closed the connection", what, k->peer);
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		perf_error("%s %s: the peer was silent for %u s", what, k->peer,
			   k->p->timeout_s);
	else
		perf_error("%s %s: %s", what, k->peer, strerror(errno));
	return -1;
}

static int
send_all(struct ktcp *k, const void *data, size_t len)
{
	const uint8_t *d = data;
	ssize_t n;

	while (len > 0) {
		n = send(k->fd, d, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_error(k, "send to", n);
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
recv_all(struct ktcp *k, void *data, size_t len)
{
	uint8_t *d = data;
	ssize_t n;
	size_t b;

	if (k->back_off < k->back_len) {
		b = RTE_MIN(len, k->back_len - k->back_off);
		memcpy(d, k->back + k->back_off, b);
		k->back_off += b;
		d += b;
		len -= b;
		if (k->back_off == k->back_len) {
			free(k->back);
			k->back = NULL;
			k->back_len = k->back_off = 0;
		}
	}
	while (len > 0) {
		n = recv(k->fd, d, len, MSG_WAITALL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_error(k, "receive from", n);
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
recv_ctl(struct ktcp *k, struct perf_ctl *c, enum perf_msg want)
{
	if (recv_all(k, c, sizeof(*c)) < 0)
		return -1;
	if (!perf_ctl_valid(c) || rte_be_to_cpu_16(c->type) != want) {
		perf_error("%s: unexpected control message (type %u): not an iwarp-perf peer "
			   "of this version?", k->peer, rte_be_to_cpu_16(c->type));
		return -1;
	}
	return 0;
}

static int
set_sockopts(struct ktcp *k)
{
	struct timeval tv = { .tv_sec = k->p->timeout_s, .tv_usec = 0 };
	int one = 1;

	if (setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    setsockopt(k->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(k->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		perf_error("socket options: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
ensure_buf(struct ktcp *k, uint32_t size)
{
	uint8_t *b;

	if (size < REQ_LEN)
		size = REQ_LEN;
	if (k->buf_len >= size)
		return 0;
	b = realloc(k->buf, size);
	if (b == NULL)
		return -1;
	memset(b, 0x5a, size);
	k->buf = b;
	k->buf_len = size;
	return 0;
}

/* ---- client ---- */

static int
ktcp_connect(struct ktcp *k)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];
	struct pollfd pfd;
	socklen_t len;
	int rc, err = 0, fl;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", k->p->port);
	rc = getaddrinfo(k->p->server, port, &hints, &ai);
	if (rc != 0) {
		perf_error("server address '%s': %s", k->p->server, gai_strerror(rc));
		return -1;
	}
	snprintf(k->peer, sizeof(k->peer), "%s:%u",
		 inet_ntoa(((struct sockaddr_in *)ai->ai_addr)->sin_addr), k->p->port);
	k->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (k->fd < 0) {
		freeaddrinfo(ai);
		perf_error("socket: %s", strerror(errno));
		return -1;
	}
	fl = fcntl(k->fd, F_GETFL);
	fcntl(k->fd, F_SETFL, fl | O_NONBLOCK);
	rc = connect(k->fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc < 0 && errno != EINPROGRESS) {
		err = errno;
	} else if (rc < 0) {
		pfd.fd = k->fd;
		pfd.events = POLLOUT;
		do {
			rc = poll(&pfd, 1, (int)k->p->timeout_s * 1000);
		} while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			perf_error("connect to %s: no answer within %u s (unreachable?)",
				   k->peer, k->p->timeout_s);
			return -1;
		}
		len = sizeof(err);
		if (rc < 0)
			err = errno;
		else if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	}
	if (err != 0) {
		if (err == ECONNREFUSED)
			perf_error("connect to %s: connection refused (no server listening)",
				   k->peer);
		else
			perf_error("connect to %s: %s", k->peer, strerror(err));
		return -1;
	}
	fcntl(k->fd, F_SETFL, fl & ~O_NONBLOCK);
	return set_sockopts(k);
}

static bool
keep_going(const struct perf_params *p, uint64_t i, uint64_t deadline)
{
	return p->duration ? rte_rdtsc() < deadline : i < p->iters;
}

/*
 * --rate_limit: take the next message's turn, sleeping until it is earned
 * (a blocking sender sleeps: the wait is no CPU time of the thread).
 * @return true, or false when -D ended first.
 */
static bool
pace_turn(struct perf_pace *pc, const struct perf_params *p, uint64_t deadline)
{
	uint64_t now, w, ns, hz = perf_tsc_hz();
	struct timespec ts;

	for (;;) {
		now = rte_rdtsc();
		if (p->duration && now >= deadline)
			return false;
		if (perf_pace_avail(pc, now, 1) > 0) {
			perf_pace_take(pc, 1);
			return true;
		}
		w = perf_pace_wait(pc, now);
		if (p->duration)
			w = RTE_MIN(w, deadline - now);
		ns = (uint64_t)((double)w * 1e9 / (double)hz) + 1;
		ts.tv_sec = (time_t)(ns / 1000000000u);
		ts.tv_nsec = (long)(ns % 1000000000u);
		nanosleep(&ts, NULL);
	}
}

static int
ts_grow(uint64_t **a, uint64_t *cap, uint64_t need)
{
	uint64_t *n, c = *cap ? *cap : 1024;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*a, c * sizeof(**a));
	if (n == NULL)
		return -1;
	*a = n;
	*cap = c;
	return 0;
}

struct ktcp_arrays {
	uint64_t *posted, *completed;
	uint64_t cap_p, cap_c;
	uint64_t issued, credited;   /* BW write/send: messages sent and credited */
};

/*
 * Read one record from the server while streaming: a credit ('C', then the
 * 32-bit count of messages it has received) completes messages; anything else
 * must be the control record `ctl` (when ctl is not NULL).
 */
static int
recv_credit(struct ktcp *k, struct ktcp_arrays *ts, struct perf_ctl *ctl)
{
	uint8_t rec[CREDIT_LEN];
	uint32_t count, delta;
	uint64_t now;

	if (recv_all(k, rec, sizeof(rec)) < 0)
		return -1;
	if (rec[0] != 'C') {
		if (ctl == NULL) {
			perf_error("%s: unexpected record while streaming", k->peer);
			return -1;
		}
		memcpy(ctl, rec, sizeof(rec));
		return recv_all(k, (uint8_t *)ctl + sizeof(rec), sizeof(*ctl) - sizeof(rec)) < 0 ?
			-1 : 1;
	}
	memcpy(&count, rec + 4, sizeof(count));
	delta = rte_be_to_cpu_32(count) - (uint32_t)ts->credited;
	now = rte_rdtsc();
	while (delta-- > 0 && ts->credited < ts->issued)
		ts->completed[ts->credited++] = now;
	return 0;
}

/*
 * -b: both directions at once, on one thread: a non-blocking socket, poll(),
 * a buffered parser of what comes in (records start with their type byte:
 * 'D'/'E' a whole message, 'C' a credit, 'I' a control record) and a writer
 * that never cuts a message to send a credit. The client ends its stream with
 * an 'E' message; the server ends its stream with RESULT once it has the
 * client's 'E' and has sent all of its own.
 */
struct duplex {
	struct ktcp *k;
	bool client;
	uint32_t size, credit_every;
	uint64_t target, deadline, depth;
	uint64_t issued, credited, rx_count, rx_since;
	bool data_active, end_queued, peer_end, credit_due;
	bool fin_queued, fin_seen;         /* 'F': the client's last credit is out */
	uint32_t data_off;
	uint8_t cred[CREDIT_LEN];
	uint32_t cred_len, cred_off;
	struct perf_ctl out_ctl, in_ctl;
	uint32_t ctl_len, ctl_off;
	uint8_t *in;
	size_t in_len, in_cap;
	struct ktcp_arrays *ts;
};

static int
dx_record(struct duplex *d, const uint8_t *rec)
{
	uint32_t count, delta;
	uint64_t now;

	switch (rec[0]) {
	case 'D':
		d->rx_count++;
		if (++d->rx_since >= d->credit_every) {
			d->rx_since = 0;
			d->credit_due = true;
		}
		return 0;
	case 'E':
		if (d->client)
			break;
		d->peer_end = true;
		return 0;
	case 'C':
		memcpy(&count, rec + 4, sizeof(count));
		delta = rte_be_to_cpu_32(count) - (uint32_t)d->credited;
		now = rte_rdtsc();
		while (delta-- > 0 && d->credited < d->issued) {
			if (d->client)
				d->ts->completed[d->credited] = now;
			d->credited++;
		}
		return 0;
	case 'F':
		if (d->client)
			break;
		d->fin_seen = true;
		return 0;
	case 'I':
		if (!d->client)
			break;
		memcpy(&d->in_ctl, rec, sizeof(d->in_ctl));
		if (!perf_ctl_valid(&d->in_ctl) ||
		    rte_be_to_cpu_16(d->in_ctl.type) != PERF_MSG_RESULT)
			break;
		d->peer_end = true;
		return 0;
	default:
		break;
	}
	perf_error("%s: unexpected record (type 0x%02x) in a bidirectional run", d->k->peer,
		   rec[0]);
	return -1;
}

/* perf_dx_split()'s callback: one record; stop when the phase is over. */
static int
dx_rec(void *ctx, const uint8_t *rec, size_t len)
{
	struct duplex *d = ctx;

	RTE_SET_USED(len);
	if (dx_record(d, rec) < 0)
		return -1;
	return !d->client && d->fin_seen ? 1 : 0;
}

static int
dx_read(struct duplex *d)
{
	ssize_t n;
	long off;

	n = recv(d->k->fd, d->in + d->in_len, d->in_cap - d->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0)
		return io_error(d->k, "receive from", n);
	d->in_len += (size_t)n;
	off = perf_dx_split(d->in, d->in_len, d->size, dx_rec, d);
	if (off < 0)
		return -1;
	if (!d->client && d->fin_seen && (size_t)off < d->in_len) {
		/* The phase is over: what follows is the next BEGIN. */
		d->k->back = malloc(d->in_len - (size_t)off);
		if (d->k->back == NULL) {
			perf_error("out of memory");
			return -1;
		}
		memcpy(d->k->back, d->in + off, d->in_len - (size_t)off);
		d->k->back_len = d->in_len - (size_t)off;
		d->k->back_off = 0;
		d->in_len = 0;
		return 0;
	}
	memmove(d->in, d->in + off, d->in_len - (size_t)off);
	d->in_len -= (size_t)off;
	return 0;
}

static bool
dx_stream_done(const struct duplex *d)
{
	if (d->target)
		return d->issued >= d->target;
	return d->client ? rte_rdtsc() >= d->deadline : d->peer_end;
}

/* Send what can go without blocking; returns -1 on error. */
static int
dx_write(struct duplex *d)
{
	ssize_t n;
	uint32_t cnt;

	for (;;) {
		if (!d->data_active && d->client && d->peer_end && !d->fin_queued &&
		    !d->credit_due && d->cred_len == 0) {
			/* RESULT is in: no credit follows this record. */
			memset(d->cred, 0, sizeof(d->cred));
			d->cred[0] = 'F';
			d->cred_len = CREDIT_LEN;
			d->cred_off = 0;
			d->fin_queued = true;
		}
		if (!d->data_active && d->credit_due && d->cred_off == d->cred_len) {
			memset(d->cred, 0, sizeof(d->cred));
			d->cred[0] = 'C';
			cnt = rte_cpu_to_be_32((uint32_t)d->rx_count);
			memcpy(d->cred + 4, &cnt, sizeof(cnt));
			d->cred_len = CREDIT_LEN;
			d->cred_off = 0;
			d->credit_due = false;
		}
		if (d->cred_off < d->cred_len) {
			n = send(d->k->fd, d->cred + d->cred_off, d->cred_len - d->cred_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n <= 0)
				break;
			d->cred_off += (uint32_t)n;
			if (d->cred_off == d->cred_len)
				d->cred_off = d->cred_len = 0;
			continue;
		}
		if (d->ctl_off < d->ctl_len) {
			n = send(d->k->fd, (uint8_t *)&d->out_ctl + d->ctl_off,
				 d->ctl_len - d->ctl_off, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n <= 0)
				break;
			d->ctl_off += (uint32_t)n;
			continue;
		}
		if (!d->data_active) {
			if (!dx_stream_done(d) && d->issued - d->credited < d->depth) {
				if (d->client &&
				    (ts_grow(&d->ts->posted, &d->ts->cap_p, d->issued + 1) < 0 ||
				     ts_grow(&d->ts->completed, &d->ts->cap_c, d->issued + 1) < 0)) {
					perf_error("out of memory for the timestamps of %" PRIu64
						   " messages", d->issued);
					return -1;
				}
				if (d->client)
					d->ts->posted[d->issued] = rte_rdtsc();
				d->issued++;
				d->k->buf[0] = 'D';
			} else if (dx_stream_done(d) && !d->end_queued && d->client) {
				d->k->buf[0] = 'E';
				d->end_queued = true;
			} else {
				return 0;   /* window full, or nothing left */
			}
			d->data_active = true;
			d->data_off = 0;
		}
		n = send(d->k->fd, d->k->buf + d->data_off, d->size - d->data_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n <= 0)
			break;
		d->data_off += (uint32_t)n;
		if (d->data_off == d->size)
			d->data_active = false;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return io_error(d->k, "send to", n);
}

/* The server's RESULT goes out once its stream is over and the client's 'E' is in. */
static void
dx_server_result(struct duplex *d, uint64_t c0, uint64_t t0)
{
	const struct perf_params *p = d->k->p;

	perf_ctl_init(&d->out_ctl, PERF_MSG_RESULT, p, d->size);
	d->out_ctl.count = rte_cpu_to_be_64(d->rx_count);
	d->out_ctl.bytes = rte_cpu_to_be_64((d->rx_count + d->issued) * d->size);
	d->out_ctl.busy = rte_cpu_to_be_64((uint64_t)((double)(perf_thread_cpu_ns() - c0) *
						      (double)perf_tsc_hz() / 1e9));
	d->out_ctl.total = rte_cpu_to_be_64(rte_rdtsc() - t0);
	d->out_ctl.total_ns = rte_cpu_to_be_64((uint64_t)((double)(rte_rdtsc() - t0) * 1e9 /
							  (double)perf_tsc_hz()));
	d->out_ctl.sent = rte_cpu_to_be_64(d->issued);
	d->ctl_len = sizeof(d->out_ctl);
	d->ctl_off = 0;
	d->end_queued = true;
}

static int
dx_run(struct duplex *d)
{
	uint64_t c0 = perf_thread_cpu_ns(), t0 = rte_rdtsc();
	struct pollfd pfd = { .fd = d->k->fd };
	int fl, rc = -1, n;

	d->in_cap = (size_t)d->size + 65536;
	d->in = malloc(d->in_cap);
	if (d->in == NULL) {
		perf_error("out of memory for a %zu-byte receive buffer", d->in_cap);
		return -1;
	}
	fl = fcntl(d->k->fd, F_GETFL);
	fcntl(d->k->fd, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		if (dx_write(d) < 0)
			goto out;
		if (!d->client && !d->end_queued && d->peer_end && dx_stream_done(d) &&
		    !d->data_active && d->cred_len == 0) {
			dx_server_result(d, c0, t0);
			continue;
		}
		if (d->client ? d->peer_end && !d->data_active && d->end_queued && d->fin_queued &&
		    d->cred_len == 0 :
		    d->end_queued && d->ctl_off == d->ctl_len && d->fin_seen) {
			rc = 0;
			break;
		}
		pfd.events = POLLIN;
		if (d->data_active || d->cred_len || d->ctl_off < d->ctl_len || d->credit_due ||
		    (d->client && d->peer_end && !d->fin_queued) ||
		    (!dx_stream_done(d) && d->issued - d->credited < d->depth))
			pfd.events |= POLLOUT;
		n = poll(&pfd, 1, (int)d->k->p->timeout_s * 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			perf_error("%s: the peer was silent for %u s (bidirectional: %" PRIu64
				   " sent, %" PRIu64 " credited, %" PRIu64 " received)", d->k->peer,
				   d->k->p->timeout_s, d->issued, d->credited, d->rx_count);
			goto out;
		}
		if (n < 0) {
			perf_error("poll: %s", strerror(errno));
			goto out;
		}
		if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) && dx_read(d) < 0)
			goto out;
	}
out:
	fcntl(d->k->fd, F_SETFL, fl);
	free(d->in);
	return rc;
}

static int
client_pattern(struct ktcp *k, uint32_t size, struct perf_result *r, struct ktcp_arrays *ts,
	       uint64_t *n_out)
{
	const struct perf_params *p = k->p;
	uint64_t hz = perf_tsc_hz(), deadline, i = 0, issued = 0, t;
	uint8_t req[REQ_LEN] = { 'R' };
	struct perf_pace pc;

	/* -q: each connection (thread) paces its share of the rate */
	perf_pace_start(&pc, p, size, p->qps, p->tx_depth);
	deadline = rte_rdtsc() + (uint64_t)p->duration * hz;
	if (p->verb == PERF_VERB_READ && p->kind == PERF_KIND_BW) {
		/* Up to -o requests in flight; each completes with its whole response. */
		while (keep_going(p, issued, deadline) || issued > i) {
			while (issued - i < p->out_reads && keep_going(p, issued, deadline)) {
				if (perf_pace_avail(&pc, rte_rdtsc(), 1) > 0)
					perf_pace_take(&pc, 1);
				else if (issued > i)
					break; /* not earned yet: take a response first */
				else if (!pace_turn(&pc, p, deadline))
					break; /* -D ended while waiting for the pace */
				if (ts_grow(&ts->posted, &ts->cap_p, issued + 1) < 0)
					goto nomem;
				ts->posted[issued++] = rte_rdtsc();
				if (send_all(k, req, sizeof(req)) < 0)
					return -1;
			}
			if (issued == i)
				continue; /* -D ended while waiting for the pace */
			if (recv_all(k, k->buf, size) < 0)
				return -1;
			if (ts_grow(&ts->completed, &ts->cap_c, i + 1) < 0)
				goto nomem;
			ts->completed[i++] = rte_rdtsc();
		}
	} else if (p->kind == PERF_KIND_BW) {
		/*
		 * Stream, at most -t messages beyond the server's last credit: a
		 * message completes when the server has it, as an RC completion.
		 */
		k->buf[0] = 'D';
		ts->credited = 0;
		while (keep_going(p, i, deadline)) {
			if (ts_grow(&ts->posted, &ts->cap_p, i + 1) < 0 ||
			    ts_grow(&ts->completed, &ts->cap_c, i + 1) < 0)
				goto nomem;
			while (i - ts->credited >= p->tx_depth)
				if (recv_credit(k, ts, NULL) < 0)
					return -1;
			if (perf_pace_on(&pc) && !pace_turn(&pc, p, deadline))
				break;
			ts->posted[i++] = rte_rdtsc();
			if (send_all(k, k->buf, size) < 0)
				return -1;
			ts->issued = i;
		}
	} else {
		/* Ping-pong (write/send) or request-response (read): one in flight. */
		k->buf[0] = 'P';
		while (keep_going(p, i, deadline)) {
			if (ts_grow(&r->samples, &ts->cap_c, i + 1) < 0)
				goto nomem;
			t = rte_rdtsc();
			if (p->verb == PERF_VERB_READ) {
				if (send_all(k, req, sizeof(req)) < 0)
					return -1;
			} else {
				k->buf[0] = 'P';
				if (send_all(k, k->buf, size) < 0)
					return -1;
			}
			if (recv_all(k, k->buf, size) < 0)
				return -1;
			r->samples[i++] = rte_rdtsc() - t;
		}
	}
	*n_out = i;
	return 0;
nomem:
	perf_error("out of memory for the timestamps of %" PRIu64 " messages", i);
	return -1;
}

static int
client_size(struct ktcp *k, uint32_t size, struct perf_result *r, struct ktcp_arrays *ts,
	    bool warmup)
{
	const struct perf_params *p = k->p;
	uint64_t t0, t1, c0, c1, n = 0, hz = perf_tsc_hz(), got, rx = 0;
	uint8_t end[REQ_LEN] = { 'E' };
	struct perf_ctl c;
	int rc;

	if (ensure_buf(k, size) < 0) {
		perf_error("out of memory for a %u-byte buffer", size);
		return -1;
	}
	perf_ctl_init(&c, PERF_MSG_BEGIN, p, size);
	c.count = rte_cpu_to_be_64(p->duration ? 0 : p->iters);
	c.window = rte_cpu_to_be_32(RTE_MAX(1u, p->tx_depth / 2));
	if (warmup)
		c.flags |= PERF_CTL_WARMUP;
	if (p->bidir)
		c.flags |= PERF_CTL_BIDIR;
	if (send_all(k, &c, sizeof(c)) < 0 || recv_ctl(k, &c, PERF_MSG_BEGIN_ACK) < 0)
		return -1;
	if (rte_be_to_cpu_32(c.status) != PERF_ST_OK) {
		perf_error("server %s refused the test: %s", k->peer,
			   rte_be_to_cpu_32(c.status) == PERF_ST_TEST_MISMATCH ?
			   "it runs another test" : "no memory for the buffers");
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->rtt_factor = p->verb == PERF_VERB_READ ? 1 : 2;
	c0 = perf_thread_cpu_ns();
	t0 = rte_rdtsc();
	r->t_start = t0;
	if (p->kind == PERF_KIND_LAT) {
		r->samples = ts->completed;
		ts->completed = NULL;
	}
	if (p->bidir) {
		struct duplex d = {
			.k = k, .client = true, .size = size,
			.credit_every = RTE_MAX(1u, p->tx_depth / 2),
			.target = p->duration ? 0 : p->iters,
			.deadline = t0 + (uint64_t)p->duration * hz, .depth = p->tx_depth,
		};

		d.ts = ts;
		if (dx_run(&d) < 0)
			return -1;
		c = d.in_ctl;
		n = d.issued;
		ts->credited = d.credited;
		ts->issued = d.issued;
		if (rte_be_to_cpu_64(c.sent) != d.rx_count) {
			perf_error("server %s streamed %" PRIu64 " messages, %" PRIu64 " arrived",
				   k->peer, (uint64_t)rte_be_to_cpu_64(c.sent), d.rx_count);
			return -1;
		}
		rx = d.rx_count;
	} else if (client_pattern(k, size, r, ts, &n) < 0) {
		if (p->kind == PERF_KIND_LAT) {
			ts->completed = r->samples;
			r->samples = NULL;
		}
		return -1;
	}
	/* The end marker: a whole message (write/send) or a request (read). */
	if (p->bidir) {
		/* dx_run() sent 'E' and has the RESULT. */
	} else if (p->verb == PERF_VERB_READ) {
		if (send_all(k, end, sizeof(end)) < 0)
			return -1;
	} else {
		k->buf[0] = 'E';
		if (send_all(k, k->buf, size) < 0)
			return -1;
	}
	if (p->bidir) {
		/* RESULT already in c. */
	} else if (p->kind == PERF_KIND_BW && p->verb != PERF_VERB_READ) {
		while ((rc = recv_credit(k, ts, &c)) == 0)
			;
		if (rc < 0)
			return -1;
		if (!perf_ctl_valid(&c) || rte_be_to_cpu_16(c.type) != PERF_MSG_RESULT) {
			perf_error("%s: expected the RESULT record", k->peer);
			return -1;
		}
	} else if (recv_ctl(k, &c, PERF_MSG_RESULT) < 0) {
		return -1;
	}
	t1 = rte_rdtsc();
	/* The RESULT completes what no credit did. */
	while (p->kind == PERF_KIND_BW && p->verb != PERF_VERB_READ && ts->credited < n)
		ts->completed[ts->credited++] = t1;
	c1 = perf_thread_cpu_ns();
	got = rte_be_to_cpu_64(c.count);
	if (got != n) {
		perf_error("server %s handled %" PRIu64 " of %" PRIu64 " messages", k->peer, got,
			   n);
		return -1;
	}
	r->t_end = t1;
	r->iters = n;
	r->bytes = n * size;
	r->cpu.busy = (uint64_t)((double)(c1 - c0) * (double)hz / 1e9);
	r->cpu.total = t1 - t0;
	r->peer_cpu.busy = rte_be_to_cpu_64(c.busy);
	r->peer_cpu.total = rte_be_to_cpu_64(c.total);
	r->peer_bytes = rte_be_to_cpu_64(c.bytes);
	r->peer_ns = rte_be_to_cpu_64(c.total_ns);
	if (p->kind == PERF_KIND_BW) {
		/* -b sums both directions, as perftest; see the raw transport. */
		r->bytes += rx * size;
		r->bw_avg = (double)r->bytes * (double)hz / (double)(t1 - t0);
		r->msg_rate = (double)(n + rx) * (double)hz / (double)(t1 - t0);
		if (!p->no_peak)
			r->bw_peak = perf_peak_bw(ts->posted, ts->completed, n, size);
		if (!p->no_peak && p->bidir)
			r->bw_peak += (double)(rx * size) * (double)hz / (double)(t1 - t0);
	} else {
		r->nb_samples = n;
	}
	return 0;
}

/* One connection of the client (several with -q), run by its own thread. */
struct lane {
	struct ktcp k;
	struct ktcp_arrays ts;
	struct perf_result r;
	struct perf_params warm;
	uint32_t size;
	bool warmup;
	int rc;
};

static void *
lane_thread(void *arg)
{
	struct lane *l = arg;

	/* Latency: the samples of the last size go back to be reused. */
	if (l->r.samples != NULL) {
		l->ts.completed = l->r.samples;
		l->r.samples = NULL;
	}
	if (l->warmup) {
		l->k.p = &l->warm;
		l->rc = client_size(&l->k, l->size, &l->r, &l->ts, true);
	} else {
		l->rc = client_size(&l->k, l->size, &l->r, &l->ts, false);
	}
	return NULL;
}

/* Run one size on every lane at once; 0 or -1. */
static int
run_lanes(struct lane *ls, unsigned int n, uint32_t size, bool warmup)
{
	pthread_t th[PERF_KTCP_MAX_QPS];
	unsigned int i, started = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		ls[i].size = size;
		ls[i].warmup = warmup;
		ls[i].rc = -1;
	}
	for (i = 1; i < n; i++) {
		if (pthread_create(&th[i], NULL, lane_thread, &ls[i]) != 0) {
			perf_error("cannot start a thread for connection %u", i);
			rc = -1;
			break;
		}
		started = i;
	}
	if (rc == 0)
		lane_thread(&ls[0]);
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n && rc == 0; i++)
		if (ls[i].rc != 0)
			rc = -1;
	return rc;
}

/*
 * -q: the connections' sum: bytes and messages over the span from the first
 * start to the last end, the peaks added, CPU time added (so the busy share
 * is in cores: above 100% with several threads).
 */
static void
sum_lanes(const struct lane *ls, unsigned int n, struct perf_result *sum)
{
	uint64_t start = UINT64_MAX, end = 0, msgs = 0, hz = perf_tsc_hz();
	unsigned int i;

	*sum = ls[0].r;
	if (n == 1)
		return;
	sum->bytes = sum->peer_bytes = 0;
	sum->cpu.busy = sum->peer_cpu.busy = sum->peer_cpu.total = sum->peer_ns = 0;
	sum->bw_peak = 0;
	for (i = 0; i < n; i++) {
		const struct perf_result *r = &ls[i].r;

		start = RTE_MIN(start, r->t_start);
		end = RTE_MAX(end, r->t_end);
		msgs += (uint64_t)(r->msg_rate * (double)(r->t_end - r->t_start) / (double)hz +
				   0.5);
		sum->bytes += r->bytes;
		sum->peer_bytes += r->peer_bytes;
		sum->cpu.busy += r->cpu.busy;
		sum->peer_cpu.busy += r->peer_cpu.busy;
		sum->peer_cpu.total = RTE_MAX(sum->peer_cpu.total, r->peer_cpu.total);
		sum->peer_ns = RTE_MAX(sum->peer_ns, r->peer_ns);
		sum->bw_peak += r->bw_peak;
	}
	sum->cpu.total = end - start;
	sum->bw_avg = (double)sum->bytes * (double)hz / (double)(end - start);
	sum->msg_rate = (double)msgs * (double)hz / (double)(end - start);
}

static int
ktcp_client(const struct perf_params *p)
{
	struct lane *ls;
	struct perf_result r;
	struct perf_ctl c;
	unsigned int i, n = p->qps;
	uint32_t size;
	char desc[160];
	int rc = PERF_EXIT_FAIL, jrc;

	ls = calloc(n, sizeof(*ls));
	if (ls == NULL) {
		perf_error("out of memory");
		return PERF_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		ls[i].k.p = p;
		ls[i].k.fd = -1;
		/* Warm-up: the first size, unreported (slow start, first page touches). */
		ls[i].warm = *p;
		ls[i].warm.iters = perf_warmup_iters(perf_first_size(p));
		ls[i].warm.duration = 0;
		ls[i].warm.rate_limit = 0;
	}
	for (i = 0; i < n; i++)
		if (ktcp_connect(&ls[i].k) < 0)
			goto out;
	snprintf(desc, sizeof(desc), "kernel TCP to %s%s", ls[0].k.peer,
		 n > 1 ? " (-q: several connections)" : "");
	perf_report_banner(p, desc);
	perf_report_header(p);
	if (run_lanes(ls, n, perf_first_size(p), true) < 0)
		goto out;
	for (i = 0; i < n; i++)
		ls[i].k.p = p;
	for (size = perf_first_size(p); size != 0; size = perf_next_size(p, size)) {
		if (run_lanes(ls, n, size, false) < 0)
			goto out;
		sum_lanes(ls, n, &r);
		perf_report_line(p, &r);
	}
	perf_report_footer(p);
	for (i = 0; i < n; i++) {
		perf_ctl_init(&c, PERF_MSG_BYE, p, 0);
		if (send_all(&ls[i].k, &c, sizeof(c)) < 0 ||
		    recv_ctl(&ls[i].k, &c, PERF_MSG_BYE_ACK) < 0)
			goto out;
	}
	jrc = perf_report_json_write(p, desc);
	if (jrc < 0) {
		perf_error("--out_json_file %s: %s", p->json_file, strerror(-jrc));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		if (ls[i].k.fd >= 0)
			close(ls[i].k.fd);
		free(ls[i].k.buf);
		free(ls[i].k.back);
		free(ls[i].ts.posted);
		free(ls[i].ts.completed);
		free(ls[i].r.samples);
	}
	free(ls);
	return rc;
}

/* ---- server ---- */

static int
ktcp_accept(struct ktcp *ks, unsigned int n)
{
	const struct perf_params *p = ks[0].p;
	struct sockaddr_in sa;
	socklen_t len;
	struct pollfd pfd;
	int ls, one = 1, rc;
	unsigned int i;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0) {
		perf_error("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	sa.sin_port = htons(p->port);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, (int)n) < 0) {
		perf_error("listen on TCP port %u: %s", p->port, strerror(errno));
		close(ls);
		return -1;
	}
	printf(PERF_PROG ": waiting for a client on TCP port %u (up to %u s)\n", p->port,
	       p->timeout_s);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pfd.fd = ls;
		pfd.events = POLLIN;
		do {
			rc = poll(&pfd, 1, (int)p->timeout_s * 1000);
		} while (rc < 0 && errno == EINTR);
		if (rc <= 0) {
			if (i == 0)
				perf_error("no client connected to TCP port %u within %u s",
					   p->port, p->timeout_s);
			else
				perf_error("only %u of -q %u connections arrived within %u s", i,
					   n, p->timeout_s);
			close(ls);
			return -1;
		}
		len = sizeof(sa);
		ks[i].fd = accept(ls, (struct sockaddr *)&sa, &len);
		if (ks[i].fd < 0) {
			perf_error("accept: %s", strerror(errno));
			close(ls);
			return -1;
		}
		snprintf(ks[i].peer, sizeof(ks[i].peer), "%s:%u", inet_ntoa(sa.sin_addr),
			 ntohs(sa.sin_port));
		if (set_sockopts(&ks[i]) < 0) {
			close(ls);
			return -1;
		}
	}
	close(ls);
	return 0;
}

/*
 * Serve one size: count what arrives until the end marker, then RESULT. The
 * phase started at t0 (CPU time c0), before BEGIN_ACK went: the client cannot
 * have started before it.
 */
static int
server_size(struct ktcp *k, uint32_t size, uint32_t window, bool bidir, uint64_t count,
	    uint64_t t0, uint64_t c0)
{
	const struct perf_params *p = k->p;
	uint64_t n = 0, t1, hz = perf_tsc_hz();
	uint8_t req[REQ_LEN], credit[CREDIT_LEN] = { 'C' };
	uint32_t since = 0;
	rte_be32_t cnt;
	struct perf_ctl c;

	if (bidir) {
		struct duplex d = {
			.k = k, .client = false, .size = size, .credit_every = window,
			.target = count, .depth = 2 * (uint64_t)window,
		};

		return dx_run(&d);
	}
	for (;;) {
		if (p->verb == PERF_VERB_READ) {
			if (recv_all(k, req, sizeof(req)) < 0)
				return -1;
			if (req[0] == 'E')
				break;
			if (send_all(k, k->buf, size) < 0)
				return -1;
		} else {
			if (recv_all(k, k->buf, size) < 0)
				return -1;
			if (k->buf[0] == 'E')
				break;
			if (p->kind == PERF_KIND_LAT && send_all(k, k->buf, size) < 0)
				return -1;
		}
		n++;
		if (p->kind == PERF_KIND_BW && p->verb != PERF_VERB_READ && ++since >= window) {
			since = 0;
			cnt = rte_cpu_to_be_32((uint32_t)n);
			memcpy(credit + 4, &cnt, sizeof(cnt));
			if (send_all(k, credit, sizeof(credit)) < 0)
				return -1;
		}
	}
	perf_ctl_init(&c, PERF_MSG_RESULT, p, size);
	c.count = rte_cpu_to_be_64(n);
	c.bytes = rte_cpu_to_be_64(n * size);
	c.busy = rte_cpu_to_be_64((uint64_t)((double)(perf_thread_cpu_ns() - c0) * (double)hz /
					     1e9));
	t1 = rte_rdtsc();
	c.total = rte_cpu_to_be_64(t1 - t0);
	c.total_ns = rte_cpu_to_be_64((uint64_t)((double)(t1 - t0) * 1e9 / (double)hz));
	return send_all(k, &c, sizeof(c));
}

/* Serve one connection until BYE; *sizes counts the sizes served. */
static int
ktcp_serve(struct ktcp *k, unsigned int *sizes)
{
	const struct perf_params *p = k->p;
	struct perf_ctl c;
	uint32_t size, window;
	uint8_t verb, kind;
	uint16_t type;
	bool warmup, bidir;
	uint64_t count, t0, c0;

	for (;;) {
		if (recv_all(k, &c, sizeof(c)) < 0)
			return -1;
		type = rte_be_to_cpu_16(c.type);
		if (!perf_ctl_valid(&c) || (type != PERF_MSG_BEGIN && type != PERF_MSG_BYE)) {
			perf_error("client %s: unexpected message: not an iwarp-perf client?",
				   k->peer);
			return -1;
		}
		if (type == PERF_MSG_BYE)
			break;
		size = rte_be_to_cpu_32(c.size);
		window = RTE_MAX(1u, rte_be_to_cpu_32(c.window));
		warmup = (c.flags & PERF_CTL_WARMUP) != 0;
		bidir = (c.flags & PERF_CTL_BIDIR) != 0 && p->kind == PERF_KIND_BW &&
			p->verb != PERF_VERB_READ;
		count = rte_be_to_cpu_64(c.count);
		verb = c.verb;
		kind = c.kind;
		perf_ctl_init(&c, PERF_MSG_BEGIN_ACK, p, size);
		if (verb != p->verb || kind != p->kind) {
			c.status = rte_cpu_to_be_32(PERF_ST_TEST_MISMATCH);
			send_all(k, &c, sizeof(c));
			perf_error("client %s runs %s, this server %s", k->peer,
				   perf_test_name(verb, kind), p->test_name);
			return -1;
		}
		if (size == 0 || size > PERF_MAX_SIZE || ensure_buf(k, size) < 0) {
			c.status = rte_cpu_to_be_32(PERF_ST_NO_MEMORY);
			send_all(k, &c, sizeof(c));
			perf_error("client %s: no buffer of %u bytes", k->peer, size);
			return -1;
		}
		c0 = perf_thread_cpu_ns();
		t0 = rte_rdtsc();
		if (send_all(k, &c, sizeof(c)) < 0 ||
		    server_size(k, size, window, bidir, count, t0, c0) < 0)
			return -1;
		if (!warmup)
			(*sizes)++;
	}
	perf_ctl_init(&c, PERF_MSG_BYE_ACK, p, 0);
	return send_all(k, &c, sizeof(c));
}

/* -q: one thread per connection, each a ktcp_serve(). */
struct lane_srv {
	struct ktcp *k;
	unsigned int sizes;
	int rc;
};

static void *
serve_thread(void *arg)
{
	struct lane_srv *l = arg;

	l->rc = ktcp_serve(l->k, &l->sizes);
	return NULL;
}

static int
ktcp_server(const struct perf_params *p)
{
	struct ktcp ks[PERF_KTCP_MAX_QPS];
	struct lane_srv ls[PERF_KTCP_MAX_QPS];
	pthread_t th[PERF_KTCP_MAX_QPS];
	unsigned int i, n = p->qps, started = 0;
	int rc = PERF_EXIT_FAIL;

	memset(ks, 0, sizeof(ks));
	memset(ls, 0, sizeof(ls));
	for (i = 0; i < n; i++) {
		ks[i].p = p;
		ks[i].fd = -1;
		ls[i].k = &ks[i];
	}
	if (ktcp_accept(ks, n) < 0)
		goto out;
	printf(PERF_PROG ": client %s connected%s\n", ks[0].peer,
	       n > 1 ? " (and more: -q)" : "");
	fflush(stdout);
	for (i = 1; i < n; i++) {
		if (pthread_create(&th[i], NULL, serve_thread, &ls[i]) != 0) {
			perf_error("cannot start a thread for connection %u", i);
			goto join;
		}
		started = i;
	}
	serve_thread(&ls[0]);
join:
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n; i++)
		if (ls[i].rc != 0 || (i > started && i > 0))
			goto out;
	printf(PERF_PROG ": served %u size(s) of %s to %s\n", ls[0].sizes, p->test_name,
	       ks[0].peer);
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		if (ks[i].fd >= 0)
			close(ks[i].fd);
		free(ks[i].buf);
		free(ks[i].back);
	}
	return rc;
}

static int
ktcp_run(const struct perf_params *p)
{
	if (p->bidir && p->verb == PERF_VERB_READ) {
		perf_error("-b: read_bw in both directions is not implemented (write_bw and "
			   "send_bw take -b)");
		return PERF_EXIT_USAGE;
	}
	perf_tsc_hz();   /* calibrate once, before any thread needs it */
	return p->server != NULL ? ktcp_client(p) : ktcp_server(p);
}

const struct perf_transport perf_ktcp_transport = {
	.name = "kernel-tcp",
	.needs_eal = false,
	.run = ktcp_run,
};
