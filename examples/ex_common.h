/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the three examples share: EAL and port set-up, a connection (server:
 * listen and accept; client: connect, retried while the server is not yet
 * listening), bounded waits for completions and CM events, and the teardown.
 * Only public headers: <rte_iwarp.h> (which includes <rte_iwarp_port.h>) and
 * DPDK's.
 *
 * Every example runs as
 *
 *   PROGRAM [EAL args] -- server|client [options]
 *
 * on one end each of a net_memif pair: the server end creates the memif
 * socket (--socket, default /tmp/iwarp-example.sock), the client end waits for
 * it. The server is 10.0.0.1, the client 10.0.0.2, TCP port 7471 (--tcp-port).
 * The EAL args need no PCI device (--no-pci) and either hugepages or
 * --no-huge -m 256. Exit status 0 on success, 1 on any failure.
 */
#ifndef EX_COMMON_H
#define EX_COMMON_H

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_iwarp.h>

#define EX_SERVER_IP "10.0.0.1"
#define EX_CLIENT_IP "10.0.0.2"
#define EX_WAIT_MS 20000 /* the longest any single wait lasts */

struct ex {
	const char *prog;
	bool server;
	const char *socket;
	uint16_t tcp_port;
	unsigned long iters;          /* -n */
	unsigned long size;           /* -s */
	struct rte_iwarp_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_cm_id *listen_id;
	struct rte_iwarp_cm_id *id;
	bool eal_up;
	uint64_t sends_done;          /* send-queue completions seen by ex_wait() */
	struct rte_iwarp_mr *mrs[4];  /* ex_reg()'s, deregistered and freed by ex_close() */
	unsigned int nb_mrs;
};

/* What a side tells its peer in the MPA private data (big endian). */
struct ex_region {
	rte_be64_t addr;              /* a buffer the peer may access, or 0 */
	rte_be32_t rkey;
	rte_be32_t len;
	rte_be64_t iters;
};

static inline void
ex_fail(const struct ex *x, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: error: ", x->prog, x->server ? "server" : "client");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline uint64_t
ex_deadline(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

/*
 * EAL, then the example's own arguments after "--": server|client, and
 * -n ITERATIONS, -s SIZE, --socket PATH, --tcp-port N.
 */
static inline int
ex_init(struct ex *x, int argc, char **argv, const char *prog, unsigned long iters,
	unsigned long size)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "tcp-port", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int n, c;

	memset(x, 0, sizeof(*x));
	x->prog = prog;
	x->socket = "/tmp/iwarp-example.sock";
	x->tcp_port = 7471;
	x->iters = iters;
	x->size = size;
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "%s: error: EAL: %s\n", prog, rte_strerror(rte_errno));
		return -1;
	}
	x->eal_up = true;
	argc -= n;
	argv += n;
	if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
		fprintf(stderr, "usage: %s [EAL args] -- server|client [-n N] [-s SIZE] "
			"[--socket PATH] [--tcp-port N]\n", prog);
		return -1;
	}
	x->server = strcmp(argv[1], "server") == 0;
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			x->iters = strtoul(optarg, NULL, 0);
			break;
		case 's':
			x->size = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			x->socket = optarg;
			break;
		case 'P':
			x->tcp_port = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		default:
			return -1;
		}
	}
	if (x->iters == 0 || x->size == 0 || x->size > (1ul << 30)) {
		ex_fail(x, "-n and -s must be positive (-s at most 1 GiB)");
		return -1;
	}
	return 0;
}

/* The memif port (the client waits for the server's socket), the device, a PD and a CQ. */
static inline int
ex_open(struct ex *x)
{
	struct rte_iwarp_port_conf pc;
	struct rte_iwarp_dev_conf dc;
	struct in_addr ip;
	struct stat st;
	char dev[512];
	uint64_t end;
	int attempt, rc;

	if (!x->server) {
		end = ex_deadline(EX_WAIT_MS);
		while (stat(x->socket, &st) != 0) {
			if (rte_get_timer_cycles() > end) {
				ex_fail(x, "no memif server socket %s", x->socket);
				return -1;
			}
			usleep(10000);
		}
	}
	snprintf(dev, sizeof(dev), "net_memif0,role=%s,socket=%s,socket-abstract=no,bsize=16384",
		 x->server ? "server" : "client", x->socket);
	memset(&pc, 0, sizeof(pc));
	pc.dev = dev;
	pc.nb_queues = 1;
	/*
	 * A memif client that connects while its server is still setting up
	 * its socket stays down: then it closes its port and opens it again.
	 * The server's link comes up when a client connects.
	 */
	for (attempt = 0;; attempt++) {
		x->port = rte_iwarp_port_open(&pc);
		if (x->port == NULL) {
			ex_fail(x, "rte_iwarp_port_open(%s): %s", dev, rte_strerror(rte_errno));
			return -1;
		}
		if (x->server)
			break;
		rc = rte_iwarp_port_wait_link(x->port, 2000);
		if (rc == 0)
			break;
		rte_iwarp_port_close(x->port);
		x->port = NULL;
		if (rc != -ETIMEDOUT || attempt == 9) {
			ex_fail(x, "the memif link stays down: %s", strerror(-rc));
			return -1;
		}
		usleep(200000);
	}
	memset(&dc, 0, sizeof(dc));
	dc.port = x->port;
	inet_pton(AF_INET, x->server ? EX_SERVER_IP : EX_CLIENT_IP, &ip);
	dc.ip = ip.s_addr;
	x->dev = rte_iwarp_dev_open(&dc);
	if (x->dev == NULL) {
		ex_fail(x, "rte_iwarp_dev_open: %s", rte_strerror(rte_errno));
		return -1;
	}
	x->pd = rte_iwarp_alloc_pd(x->dev);
	x->cq = rte_iwarp_create_cq(x->dev, 256, NULL);
	if (x->pd == NULL || x->cq == NULL) {
		ex_fail(x, "PD or CQ: %s", rte_strerror(rte_errno));
		return -1;
	}
	if (x->server) {
		x->listen_id = rte_iwarp_listen(x->dev, x->tcp_port, 0, NULL, NULL);
		if (x->listen_id == NULL) {
			ex_fail(x, "rte_iwarp_listen: %s", rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

static inline struct rte_iwarp_qp *
ex_create_qp(struct ex *x)
{
	struct rte_iwarp_qp_init_attr a;

	memset(&a, 0, sizeof(a));
	a.send_cq = x->cq;
	a.recv_cq = x->cq;
	a.cap.max_send_wr = 64;
	a.cap.max_recv_wr = 64;
	return rte_iwarp_create_qp(x->pd, &a);
}

/* The next CM event (inline mode: this progresses the device), within ms. */
static inline int
ex_event(struct ex *x, struct rte_iwarp_cm_event *ev, unsigned int ms)
{
	uint64_t end = ex_deadline(ms);
	int rc;

	do {
		rc = rte_iwarp_cm_get_event(x->dev, ev);
		if (rc != -EAGAIN)
			return rc;
	} while (rte_get_timer_cycles() < end);
	return -ETIMEDOUT;
}

/*
 * Connect. prepost(x) posts what must be in the receive queue before the peer
 * may send (called on each new QP). The server accepts the first request,
 * answering with mine as private data; the client connects with mine, retrying
 * while the server does not listen yet. *peer gets the peer's private data
 * (peer_len bytes exactly, else failure).
 */
static inline int
ex_connect(struct ex *x, const void *mine, uint16_t mine_len, void *peer, uint16_t peer_len,
	   int (*prepost)(struct ex *x))
{
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	struct in_addr dst;
	int attempt, rc;

	memset(&cp, 0, sizeof(cp));
	cp.private_data = mine;
	cp.private_data_len = mine_len;
	if (x->server) {
		rc = ex_event(x, &ev, EX_WAIT_MS);
		if (rc != 0 || ev.event != RTE_IWARP_CM_EVENT_CONNECT_REQUEST) {
			ex_fail(x, "no connection request (%s)", rc != 0 ? strerror(-rc) :
				rte_iwarp_cm_event_str(ev.event));
			return -1;
		}
		x->id = ev.id;
		if (ev.private_data_len != peer_len) {
			ex_fail(x, "the client sent %u bytes of private data, not %u",
				ev.private_data_len, peer_len);
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		memcpy(peer, ev.private_data, peer_len);
		rte_iwarp_cm_ack_event(&ev);
		x->qp = ex_create_qp(x);
		if (x->qp == NULL || prepost(x) != 0) {
			ex_fail(x, "QP set-up: %s", rte_strerror(rte_errno));
			return -1;
		}
		rc = rte_iwarp_accept(x->id, x->qp, &cp);
		if (rc != 0) {
			ex_fail(x, "rte_iwarp_accept: %s", strerror(-rc));
			return -1;
		}
		rc = ex_event(x, &ev, EX_WAIT_MS);
		if (rc != 0 || ev.event != RTE_IWARP_CM_EVENT_ESTABLISHED) {
			ex_fail(x, "not established (%s)", rc != 0 ? strerror(-rc) :
				rte_iwarp_cm_event_str(ev.event));
			if (rc == 0)
				rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		rte_iwarp_cm_ack_event(&ev);
		return 0;
	}
	inet_pton(AF_INET, EX_SERVER_IP, &dst);
	for (attempt = 0; attempt < 100; attempt++) {
		if (attempt > 0)
			usleep(100000);
		x->qp = ex_create_qp(x);
		if (x->qp == NULL || prepost(x) != 0) {
			ex_fail(x, "QP set-up: %s", rte_strerror(rte_errno));
			return -1;
		}
		x->id = rte_iwarp_connect(x->qp, dst.s_addr, x->tcp_port, &cp, NULL);
		if (x->id == NULL) {
			ex_fail(x, "rte_iwarp_connect: %s", rte_strerror(rte_errno));
			return -1;
		}
		rc = ex_event(x, &ev, EX_WAIT_MS);
		if (rc == 0 && ev.event == RTE_IWARP_CM_EVENT_ESTABLISHED) {
			if (ev.private_data_len != peer_len) {
				ex_fail(x, "the server sent %u bytes of private data, not %u",
					ev.private_data_len, peer_len);
				rte_iwarp_cm_ack_event(&ev);
				return -1;
			}
			memcpy(peer, ev.private_data, peer_len);
			rte_iwarp_cm_ack_event(&ev);
			return 0;
		}
		if (rc != 0 || ev.event != RTE_IWARP_CM_EVENT_UNREACHABLE) {
			ex_fail(x, "connect: %s", rc != 0 ? strerror(-rc) :
				rte_iwarp_cm_event_str(ev.event));
			if (rc == 0)
				rte_iwarp_cm_ack_event(&ev);
			return -1;
		}
		/* not listening yet: a new QP and id, and again */
		rte_iwarp_cm_ack_event(&ev);
		rte_iwarp_cm_destroy_id(x->id);
		x->id = NULL;
		rte_iwarp_destroy_qp(x->qp);
		x->qp = NULL;
	}
	ex_fail(x, "the server never listened");
	return -1;
}

/*
 * Wait for the next completion of opcode op. Every completion must succeed;
 * send-queue completions of other opcodes met on the way are counted in
 * x->sends_done (a receive of another opcode is a failure).
 */
static inline int
ex_wait(struct ex *x, enum rte_iwarp_wc_opcode op, struct rte_iwarp_wc *wc)
{
	uint64_t end = ex_deadline(EX_WAIT_MS);
	int n;

	do {
		n = rte_iwarp_poll_cq(x->cq, 1, wc);
		if (n < 0) {
			ex_fail(x, "rte_iwarp_poll_cq: %s", strerror(-n));
			return -1;
		}
		if (n == 0)
			continue;
		if (wc->status != RTE_IWARP_WC_SUCCESS) {
			ex_fail(x, "completion of wr_id %llu: %s",
				(unsigned long long)wc->wr_id,
				rte_iwarp_wc_status_str(wc->status));
			return -1;
		}
		if (wc->opcode == op)
			return 0;
		if (wc->opcode >= RTE_IWARP_WC_RECV) {
			ex_fail(x, "unexpected receive completion (opcode %d)", wc->opcode);
			return -1;
		}
		x->sends_done++;
	} while (rte_get_timer_cycles() < end);
	ex_fail(x, "no completion in %u ms", EX_WAIT_MS);
	return -1;
}

/* Wait until n send-queue completions of opcode op have been seen in all. */
static inline int
ex_wait_sends(struct ex *x, enum rte_iwarp_wc_opcode op, uint64_t n)
{
	struct rte_iwarp_wc wc;

	while (x->sends_done < n) {
		if (ex_wait(x, op, &wc) != 0)
			return -1;
		x->sends_done++;
	}
	return 0;
}

/* Register len bytes of fresh page-aligned memory. */
static inline struct rte_iwarp_mr *
ex_reg(struct ex *x, uint64_t len, uint32_t access)
{
	struct rte_iwarp_mr *mr;
	void *p;

	if (x->nb_mrs == RTE_DIM(x->mrs)) {
		ex_fail(x, "too many memory regions");
		return NULL;
	}
	p = aligned_alloc(4096, (len + 4095) & ~4095ull);
	if (p == NULL) {
		ex_fail(x, "out of memory");
		return NULL;
	}
	memset(p, 0, len);
	mr = rte_iwarp_reg_mr(x->pd, p, len, access);
	if (mr == NULL) {
		ex_fail(x, "rte_iwarp_reg_mr: %s", rte_strerror(rte_errno));
		free(p);
		return NULL;
	}
	x->mrs[x->nb_mrs++] = mr;
	return mr;
}

/*
 * The end: the client disconnects, the server waits for it; both wait for
 * DISCONNECTED, free everything, let the peer stop polling the shared-memory
 * wire, and close the port. Returns rc, or 1 when the teardown failed.
 */
static inline int
ex_close(struct ex *x, int rc)
{
	struct rte_iwarp_cm_event ev;
	uint64_t end;

	if (x->id != NULL && rc == 0) {
		if (!x->server && rte_iwarp_disconnect(x->id) != 0) {
			ex_fail(x, "rte_iwarp_disconnect failed");
			rc = 1;
		}
		end = ex_deadline(EX_WAIT_MS);
		for (;;) {
			if (rte_get_timer_cycles() > end) {
				ex_fail(x, "no DISCONNECTED event");
				rc = 1;
				break;
			}
			if (ex_event(x, &ev, 100) != 0)
				continue;
			rte_iwarp_cm_ack_event(&ev);
			if (ev.event == RTE_IWARP_CM_EVENT_DISCONNECTED)
				break;
		}
	}
	if (x->id != NULL)
		rte_iwarp_cm_destroy_id(x->id);
	if (x->listen_id != NULL)
		rte_iwarp_cm_destroy_id(x->listen_id);
	if (x->qp != NULL)
		rte_iwarp_destroy_qp(x->qp);
	while (x->nb_mrs > 0) {
		struct rte_iwarp_mr *mr = x->mrs[--x->nb_mrs];
		void *p = mr->addr;

		rte_iwarp_dereg_mr(mr);
		free(p);
	}
	if (x->cq != NULL)
		rte_iwarp_destroy_cq(x->cq);
	if (x->pd != NULL)
		rte_iwarp_dealloc_pd(x->pd);
	rte_iwarp_dev_close(x->dev);
	if (x->port != NULL) {
		/* the peer must not be mid-poll when the shared memory goes */
		usleep(250000);
		rte_iwarp_port_close(x->port);
	}
	if (x->eal_up)
		rte_eal_cleanup();
	return rc;
}

/* The data of the examples: byte i of block b of stream s. */
static inline uint8_t
ex_pattern(uint32_t s, uint64_t b, uint64_t i)
{
	uint64_t v = (s + 1) * 0x9e3779b97f4a7c15ull ^ (b + 1) * 0xc2b2ae3d27d4eb4full ^ i;

	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ull;
	return (uint8_t)(v >> 32);
}

static inline void
ex_fill(uint8_t *p, uint64_t len, uint32_t s, uint64_t b)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = ex_pattern(s, b, i);
}

/* The first offset where p differs from the pattern, or -1. */
static inline int64_t
ex_check(const uint8_t *p, uint64_t len, uint32_t s, uint64_t b)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ex_pattern(s, b, i))
			return (int64_t)i;
	return -1;
}

#endif /* EX_COMMON_H */
