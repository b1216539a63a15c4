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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "perf.h"
#include "perf_proto.h"

#define REQ_LEN 8
#define CREDIT_LEN 8

struct ktcp {
	const struct perf_params *p;
	int fd;
	char peer[96];
	uint8_t *buf;
	uint32_t buf_len;
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

static int
client_pattern(struct ktcp *k, uint32_t size, struct perf_result *r, struct ktcp_arrays *ts,
	       uint64_t *n_out)
{
	const struct perf_params *p = k->p;
	uint64_t hz = perf_tsc_hz(), deadline, i = 0, issued = 0, t;
	uint8_t req[REQ_LEN] = { 'R' };

	deadline = rte_rdtsc() + (uint64_t)p->duration * hz;
	if (p->verb == PERF_VERB_READ && p->kind == PERF_KIND_BW) {
		/* Up to -o requests in flight; each completes with its whole response. */
		while (keep_going(p, issued, deadline) || issued > i) {
			while (issued - i < p->out_reads && keep_going(p, issued, deadline)) {
				if (ts_grow(&ts->posted, &ts->cap_p, issued + 1) < 0)
					goto nomem;
				ts->posted[issued++] = rte_rdtsc();
				if (send_all(k, req, sizeof(req)) < 0)
					return -1;
			}
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
	uint64_t t0, t1, c0, c1, n = 0, hz = perf_tsc_hz(), got;
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
		c.flags = PERF_CTL_WARMUP;
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
	if (p->kind == PERF_KIND_LAT) {
		r->samples = ts->completed;
		ts->completed = NULL;
	}
	if (client_pattern(k, size, r, ts, &n) < 0) {
		if (p->kind == PERF_KIND_LAT) {
			ts->completed = r->samples;
			r->samples = NULL;
		}
		return -1;
	}
	/* The end marker: a whole message (write/send) or a request (read). */
	if (p->verb == PERF_VERB_READ) {
		if (send_all(k, end, sizeof(end)) < 0)
			return -1;
	} else {
		k->buf[0] = 'E';
		if (send_all(k, k->buf, size) < 0)
			return -1;
	}
	if (p->kind == PERF_KIND_BW && p->verb != PERF_VERB_READ) {
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
	r->iters = n;
	r->bytes = n * size;
	r->cpu.busy = (uint64_t)((double)(c1 - c0) * (double)hz / 1e9);
	r->cpu.total = t1 - t0;
	r->peer_cpu.busy = rte_be_to_cpu_64(c.busy);
	r->peer_cpu.total = rte_be_to_cpu_64(c.total);
	r->peer_bytes = rte_be_to_cpu_64(c.bytes);
	if (p->kind == PERF_KIND_BW) {
		r->bw_avg = (double)r->bytes * (double)hz / (double)(t1 - t0);
		r->msg_rate = (double)n * (double)hz / (double)(t1 - t0);
		if (!p->no_peak)
			r->bw_peak = perf_peak_bw(ts->posted, ts->completed, n, size);
	} else {
		r->nb_samples = n;
	}
	return 0;
}

static int
ktcp_client(const struct perf_params *p)
{
	struct ktcp k = { .p = p, .fd = -1 };
	struct ktcp_arrays ts = { NULL, NULL, 0, 0, 0, 0 };
	struct perf_params warm;
	struct perf_result r;
	struct perf_ctl c;
	uint32_t size;
	char desc[128];
	int rc = PERF_EXIT_FAIL;

	if (ktcp_connect(&k) < 0)
		goto out;
	snprintf(desc, sizeof(desc), "kernel TCP to %s", k.peer);
	perf_report_banner(p, desc);
	perf_report_header(p);
	/* Warm-up: the first size, unreported (slow start, first page touches). */
	warm = *p;
	warm.iters = perf_warmup_iters(perf_first_size(p));
	warm.duration = 0;
	k.p = &warm;
	size = perf_first_size(p);
	if (client_size(&k, size, &r, &ts, true) < 0)
		goto out;
	k.p = p;
	if (p->kind == PERF_KIND_LAT) {
		ts.completed = r.samples;
		r.samples = NULL;
	}
	for (size = perf_first_size(p); size != 0; size = perf_next_size(p, size)) {
		if (client_size(&k, size, &r, &ts, false) < 0)
			goto out;
		perf_report_line(p, &r);
		if (p->kind == PERF_KIND_LAT) {
			/* Keep the sample buffer for the next size. */
			ts.completed = r.samples;
			r.samples = NULL;
		}
	}
	perf_report_footer(p);
	perf_ctl_init(&c, PERF_MSG_BYE, p, 0);
	if (send_all(&k, &c, sizeof(c)) < 0 || recv_ctl(&k, &c, PERF_MSG_BYE_ACK) < 0)
		goto out;
	if (perf_report_json_write(p, desc) < 0) {
		perf_error("--out_json_file %s: %s", p->json_file, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (k.fd >= 0)
		close(k.fd);
	free(k.buf);
	free(ts.posted);
	free(ts.completed);
	return rc;
}

/* ---- server ---- */

static int
ktcp_accept(struct ktcp *k)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct pollfd pfd;
	int ls, one = 1, rc;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0) {
		perf_error("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	sa.sin_port = htons(k->p->port);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
		perf_error("listen on TCP port %u: %s", k->p->port, strerror(errno));
		close(ls);
		return -1;
	}
	printf(PERF_PROG ": waiting for a client on TCP port %u (up to %u s)\n", k->p->port,
	       k->p->timeout_s);
	fflush(stdout);
	pfd.fd = ls;
	pfd.events = POLLIN;
	do {
		rc = poll(&pfd, 1, (int)k->p->timeout_s * 1000);
	} while (rc < 0 && errno == EINTR);
	if (rc <= 0) {
		perf_error("no client connected to TCP port %u within %u s", k->p->port,
			   k->p->timeout_s);
		close(ls);
		return -1;
	}
	k->fd = accept(ls, (struct sockaddr *)&sa, &len);
	close(ls);
	if (k->fd < 0) {
		perf_error("accept: %s", strerror(errno));
		return -1;
	}
	snprintf(k->peer, sizeof(k->peer), "%s:%u", inet_ntoa(sa.sin_addr), ntohs(sa.sin_port));
	return set_sockopts(k);
}

/* Serve one size: count what arrives until the end marker, then RESULT. */
static int
server_size(struct ktcp *k, uint32_t size, uint32_t window)
{
	const struct perf_params *p = k->p;
	uint64_t n = 0, t0, c0, hz = perf_tsc_hz();
	uint8_t req[REQ_LEN], credit[CREDIT_LEN] = { 'C' };
	uint32_t since = 0;
	rte_be32_t cnt;
	struct perf_ctl c;

	c0 = perf_thread_cpu_ns();
	t0 = rte_rdtsc();
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
	c.total = rte_cpu_to_be_64(rte_rdtsc() - t0);
	return send_all(k, &c, sizeof(c));
}

static int
ktcp_server(const struct perf_params *p)
{
	struct ktcp k = { .p = p, .fd = -1 };
	struct perf_ctl c;
	unsigned int sizes = 0;
	uint32_t size, window;
	int rc = PERF_EXIT_FAIL;
	uint8_t verb, kind;
	uint16_t type;
	bool warmup;

	if (ktcp_accept(&k) < 0)
		goto out;
	printf(PERF_PROG ": client %s connected\n", k.peer);
	fflush(stdout);
	for (;;) {
		if (recv_all(&k, &c, sizeof(c)) < 0)
			goto out;
		type = rte_be_to_cpu_16(c.type);
		if (!perf_ctl_valid(&c) || (type != PERF_MSG_BEGIN && type != PERF_MSG_BYE)) {
			perf_error("client %s: unexpected message: not an iwarp-perf client?",
				   k.peer);
			goto out;
		}
		if (type == PERF_MSG_BYE)
			break;
		size = rte_be_to_cpu_32(c.size);
		window = RTE_MAX(1u, rte_be_to_cpu_32(c.window));
		warmup = (c.flags & PERF_CTL_WARMUP) != 0;
		verb = c.verb;
		kind = c.kind;
		perf_ctl_init(&c, PERF_MSG_BEGIN_ACK, p, size);
		if (verb != p->verb || kind != p->kind) {
			c.status = rte_cpu_to_be_32(PERF_ST_TEST_MISMATCH);
			send_all(&k, &c, sizeof(c));
			perf_error("client %s runs %s, this server %s", k.peer,
				   perf_test_name(verb, kind), p->test_name);
			goto out;
		}
		if (size == 0 || size > PERF_MAX_SIZE || ensure_buf(&k, size) < 0) {
			c.status = rte_cpu_to_be_32(PERF_ST_NO_MEMORY);
			send_all(&k, &c, sizeof(c));
			perf_error("client %s: no buffer of %u bytes", k.peer, size);
			goto out;
		}
		if (send_all(&k, &c, sizeof(c)) < 0 || server_size(&k, size, window) < 0)
			goto out;
		if (!warmup)
			sizes++;
	}
	perf_ctl_init(&c, PERF_MSG_BYE_ACK, p, 0);
	if (send_all(&k, &c, sizeof(c)) < 0)
		goto out;
	printf(PERF_PROG ": served %u size(s) of %s to %s\n", sizes, p->test_name, k.peer);
	rc = 0;
out:
	if (k.fd >= 0)
		close(k.fd);
	free(k.buf);
	return rc;
}

static int
ktcp_run(const struct perf_params *p)
{
	if (p->bidir) {
		perf_error("-b: bidirectional runs are not implemented for --kernel-tcp yet");
		return PERF_EXIT_USAGE;
	}
	return p->server != NULL ? ktcp_client(p) : ktcp_server(p);
}

const struct perf_transport perf_ktcp_transport = {
	.name = "kernel-tcp",
	.needs_eal = false,
	.run = ktcp_run,
};
