/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-rping: rping (librdmacm examples/rping.c) over librte_iwarp on a DPDK
 * port, both roles, wire-compatible with rping on any iWARP device.
 *
 *   iwarp-rping [EAL args --] -s|-c [rping flags] --ip ADDR[/LEN] [--dev NAME]
 *
 * One thread polls everything (the device, the CM events, each connection's
 * CQ). Errors end with one line "iwarp-rping: error: <cause>" and a non-zero
 * status; every wait is bounded by --timeout except a server waiting for its
 * next client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "rping.h"

#define MAX_CONNS 64
/* time both ends of a shared-memory wire get to stop polling before a port closes */
#define QUIET_BEFORE_CLOSE_US 250000

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

struct rping_app {
	struct rping_params p;
	struct rte_iwarp_port *port;
	char port_name[256];
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cm_id *lid;
	struct rping_conn *conns[MAX_CONNS];
	uint32_t served;
	char peer[32];
};

static const char *
ip_str(rte_be32_t a, char *buf, size_t len)
{
	struct in_addr in = { .s_addr = a };

	return inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

static int
open_port(struct rping_app *a)
{
	struct rte_iwarp_port_conf pc;
	struct rte_iwarp_port_info info;
	char name[sizeof(a->p.dev)];
	uint16_t pid;
	bool found = false;

	memset(&pc, 0, sizeof(pc));
	pc.nb_queues = 1;
	pc.mtu = a->p.mtu;
	if (a->p.dev[0] != '\0') {
		pc.dev = a->p.dev;
		snprintf(name, sizeof(name), "%s", a->p.dev);
	} else {
		RTE_ETH_FOREACH_DEV(pid) {
			pc.port_id = pid;
			found = true;
			break;
		}
		if (!found) {
			rping_error("no DPDK port: give one with --vdev/-a before '--' or "
				    "--dev NAME");
			return -1;
		}
		if (rte_eth_dev_get_name_by_port(pc.port_id, name) != 0)
			snprintf(name, sizeof(name), "port %d", pc.port_id);
	}
	a->port = rte_iwarp_port_open(&pc);
	if (a->port == NULL) {
		if (rte_errno == ENODEV)
			rping_error("--dev: no such device '%s'", name);
		else
			rping_error("cannot start %s: %s", name, rte_strerror(rte_errno));
		return -1;
	}
	if (rte_iwarp_port_info_get(a->port, &info) == 0)
		snprintf(a->port_name, sizeof(a->port_name), "%s", info.name);
	else
		snprintf(a->port_name, sizeof(a->port_name), "%s", name);
	return 0;
}

static int
open_dev(struct rping_app *a)
{
	struct rte_iwarp_dev_conf dc;

	memset(&dc, 0, sizeof(dc));
	dc.port = a->port;
	dc.ip = a->p.ip;
	dc.netmask = a->p.netmask;
	dc.gateway = a->p.gateway;
	a->dev = rte_iwarp_dev_open(&dc);
	if (a->dev == NULL) {
		rping_error("cannot open the iWARP device on %s: %s", a->port_name,
			    rte_strerror(rte_errno));
		return -1;
	}
	a->pd = rte_iwarp_alloc_pd(a->dev);
	if (a->pd == NULL) {
		rping_error("cannot allocate a protection domain: %s", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void
conn_param(const struct rping_params *p, struct rte_iwarp_conn_param *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->ird = p->ird;
	cp->ord = p->ord;
	cp->mpa_rev = p->mpa_rev;
	cp->no_crc = p->no_crc;
	cp->no_p2p = !p->p2p;
	cp->rtr = p->rtr;
	cp->timeout_ms = p->timeout_s * 1000;
	/* the CM holds the initiator's first FPDU, the RTR included */
	cp->first_fpdu_delay_ms = p->server ? 0 : p->first_delay_ms;
}

static struct rping_conn *
conn_new(struct rping_app *a)
{
	struct rping_conn *c;
	int i, rc;

	for (i = 0; i < MAX_CONNS; i++)
		if (a->conns[i] == NULL)
			break;
	if (i == MAX_CONNS)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	rc = rping_conn_init(c, &a->p, a->pd, a->dev);
	if (rc < 0) {
		rping_error("cannot set up a connection: %s", strerror(-rc));
		rping_conn_free(c);
		free(c);
		return NULL;
	}
	a->conns[i] = c;
	return c;
}

static void
conn_del(struct rping_app *a, struct rping_conn *c)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (a->conns[i] == c)
			a->conns[i] = NULL;
	if (c->id != NULL)
		rte_iwarp_cm_destroy_id(c->id);
	rping_conn_free(c);
	free(c);
}

static const char *const term_layer[] = { "RDMAP", "DDP", "MPA" };

/* "TERMINATE received from the peer: DDP layer, type 1, code 1" (RFC 5040 section 7) */
static void
term_fail(struct rping_conn *c, uint32_t term)
{
	struct rte_iwarp_qp_attr qa;
	unsigned int layer = (term >> 16) & 0xff;
	const char *dir = "exchanged";

	if (c->qp != NULL && rte_iwarp_query_qp(c->qp, &qa) == 0) {
		if (qa.term_received == term)
			dir = "received from the peer";
		else if (qa.term_sent == term)
			dir = "sent to the peer";
	}
	rping_conn_fail(c, "TERMINATE %s: %s layer, type %u, code %u", dir,
			layer < RTE_DIM(term_layer) ? term_layer[layer] : "unknown",
			(term >> 8) & 0xff, term & 0xff);
}

/* Post rping's first receive (before accept/connect, as rping does). */
static int
first_recv(struct rping_conn *c)
{
	struct rte_iwarp_sge sg = { (uintptr_t)&c->recv_buf, sizeof(c->recv_buf),
				    c->recv_mr->lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = 1, .sg_list = &sg, .num_sge = 1 };
	struct rte_iwarp_recv_wr *bad;

	return rte_iwarp_post_recv(c->qp, &wr, &bad);
}

/* ------------------------------------------------------------------ server */

static int
server_request(struct rping_app *a, struct rte_iwarp_cm_event *ev)
{
	struct rte_iwarp_conn_param cp;
	struct rping_conn *c;
	int i, active = 0, rc;

	for (i = 0; i < MAX_CONNS; i++)
		active += a->conns[i] != NULL;
	if (!a->p.persistent && (active > 0 || a->served > 0)) {
		/* rping without -P serves one connection */
		rte_iwarp_reject(ev->id, NULL, 0);
		rte_iwarp_cm_destroy_id(ev->id);
		return 0;
	}
	c = conn_new(a);
	if (c == NULL) {
		rte_iwarp_reject(ev->id, NULL, 0);
		rte_iwarp_cm_destroy_id(ev->id);
		return a->p.persistent ? 0 : -1;
	}
	c->id = ev->id;
	rte_iwarp_cm_set_context(ev->id, c);
	if (first_recv(c) < 0) {
		rping_error("post recv failed");
		conn_del(a, c);
		return -1;
	}
	conn_param(&a->p, &cp);
	rc = rte_iwarp_accept(ev->id, c->qp, &cp);
	if (rc < 0) {
		if (a->p.debug)
			printf("accept: %s\n", strerror(-rc));
		conn_del(a, c);
		if (!a->p.persistent) {
			rping_error("accept failed: %s", strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* A connection of the server ended: @return -1 if the server must stop with it. */
static int
server_conn_end(struct rping_app *a, struct rping_conn *c, const char *why)
{
	int rc = 0;

	if (c->failed || why != NULL) {
		if (a->p.persistent)
			fprintf(stderr, RPING_PROG ": connection %u: %s\n", a->served + 1,
				c->failed ? c->err : why);
		else
			rping_error("%s", c->failed ? c->err : why);
		rc = a->p.persistent ? 0 : -1;
	} else if (a->p.debug) {
		printf("server DISCONNECT EVENT...\n");
	}
	a->served++;
	conn_del(a, c);
	return rc;
}

static int
server_event(struct rping_app *a, struct rte_iwarp_cm_event *ev)
{
	struct rping_conn *c = rte_iwarp_cm_context(ev->id);
	int rc = 0;

	if (a->p.debug)
		printf("cma_event type %s status %d\n", rte_iwarp_cm_event_str(ev->event),
		       ev->status);
	switch (ev->event) {
	case RTE_IWARP_CM_EVENT_CONNECT_REQUEST:
		rc = server_request(a, ev);
		break;
	case RTE_IWARP_CM_EVENT_ESTABLISHED:
		if (c != NULL)
			rping_conn_established(c);
		break;
	case RTE_IWARP_CM_EVENT_TERMINATE:
		if (c != NULL)
			term_fail(c, ev->term);
		break;
	case RTE_IWARP_CM_EVENT_DISCONNECTED:
	case RTE_IWARP_CM_EVENT_CONNECT_ERROR:
		if (c != NULL) {
			if (ev->event == RTE_IWARP_CM_EVENT_CONNECT_ERROR)
				rping_conn_fail(c, "connection setup failed: %s",
						strerror(-ev->status));
			rte_iwarp_cm_ack_event(ev);
			return server_conn_end(a, c, NULL);
		}
		break;
	default:
		break;
	}
	rte_iwarp_cm_ack_event(ev);
	return rc;
}

static int
run_server(struct rping_app *a)
{
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	char ip[INET_ADDRSTRLEN];
	int i, rc = 0;

	conn_param(&a->p, &cp);
	a->lid = rte_iwarp_listen(a->dev, a->p.port, 3, &cp, a);
	if (a->lid == NULL) {
		rping_error("listen on port %u: %s", a->p.port, strerror(rte_errno));
		return -1;
	}
	if (a->p.verbose || a->p.debug)
		printf(RPING_PROG ": server listening on %s:%u\n", ip_str(a->p.ip, ip, sizeof(ip)),
		       a->p.port);
	fflush(stdout);
	while (!stop_signal) {
		while (rte_iwarp_cm_get_event(a->dev, &ev) == 0) {
			rc = server_event(a, &ev);
			if (rc < 0)
				return -1;
		}
		for (i = 0; i < MAX_CONNS; i++) {
			struct rping_conn *c = a->conns[i];

			if (c == NULL)
				continue;
			rping_conn_poll(c);
			if (c->failed && !c->closing) {
				/* tell the client; DISCONNECTED ends it */
				c->closing = true;
				if (c->id == NULL || rte_iwarp_disconnect(c->id) < 0)
					if (server_conn_end(a, c, NULL) < 0)
						return -1;
			}
		}
		if (!a->p.persistent && a->served > 0)
			return 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ client */

static int
client_wait_event(struct rping_app *a, struct rping_conn *c, struct rte_iwarp_cm_event *ev,
		  uint64_t deadline)
{
	while (!stop_signal) {
		if (rte_iwarp_cm_get_event(a->dev, ev) == 0)
			return 0;
		if (c != NULL)
			rping_conn_poll(c);
		if (deadline != 0 && rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
	}
	return -EINTR;
}

static uint64_t
after_s(uint32_t s)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * s;
}

static int
client_connect(struct rping_app *a, struct rping_conn *c)
{
	struct rte_iwarp_conn_param cp;
	struct rte_iwarp_cm_event ev;
	uint64_t dl;
	int rc;

	conn_param(&a->p, &cp);
	if (first_recv(c) < 0) {
		rping_error("post recv failed");
		return -1;
	}
	c->id = rte_iwarp_connect(c->qp, a->p.addr, a->p.port, &cp, c);
	if (c->id == NULL) {
		rping_error("connect to %s:%u: %s", a->peer, a->p.port, strerror(rte_errno));
		return -1;
	}
	/* ARP, the handshake and MPA: the CM reports each failure; this bounds the lot */
	dl = after_s(a->p.timeout_s * 3);
	for (;;) {
		rc = client_wait_event(a, NULL, &ev, dl);
		if (rc == -EINTR) {
			rping_error("interrupted while connecting to %s:%u", a->peer, a->p.port);
			return -1;
		}
		if (rc == -ETIMEDOUT) {
			rping_error("connect to %s:%u: no answer after %u s", a->peer, a->p.port,
				    a->p.timeout_s * 3);
			return -1;
		}
		if (a->p.debug)
			printf("cma_event type %s status %d\n", rte_iwarp_cm_event_str(ev.event),
			       ev.status);
		switch (ev.event) {
		case RTE_IWARP_CM_EVENT_ESTABLISHED:
			rte_iwarp_cm_ack_event(&ev);
			rping_conn_established(c);
			return 0;
		case RTE_IWARP_CM_EVENT_UNREACHABLE:
			if (ev.status == -ECONNREFUSED)
				rping_error("connect to %s:%u: connection refused (nobody listens "
					    "there)", a->peer, a->p.port);
			else
				rping_error("connect to %s:%u: peer unreachable (%s)", a->peer,
					    a->p.port, strerror(-ev.status));
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		case RTE_IWARP_CM_EVENT_REJECTED:
			rping_error("connect to %s:%u: rejected by the peer", a->peer, a->p.port);
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		case RTE_IWARP_CM_EVENT_CONNECT_ERROR:
			rping_error("connect to %s:%u: MPA negotiation failed (%s)", a->peer,
				    a->p.port, strerror(-ev.status));
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		case RTE_IWARP_CM_EVENT_DISCONNECTED:
			rping_error("connect to %s:%u: closed by the peer during set-up", a->peer,
				    a->p.port);
			rte_iwarp_cm_ack_event(&ev);
			return -1;
		default:
			rte_iwarp_cm_ack_event(&ev);
			break;
		}
	}
}

static int
run_client(struct rping_app *a)
{
	struct rte_iwarp_cm_event ev;
	struct rping_conn *c;
	int rc;

	ip_str(a->p.addr, a->peer, sizeof(a->peer));
	if (rte_iwarp_port_wait_link(a->port, a->p.timeout_s * 1000) != 0) {
		rping_error("link of %s still down after %u s", a->port_name, a->p.timeout_s);
		return -1;
	}
	c = conn_new(a);
	if (c == NULL)
		return -1;
	if (client_connect(a, c) < 0)
		return -1;
	while (!stop_signal && c->state != RPING_ST_DONE && !c->failed) {
		rping_conn_poll(c);
		if (rte_iwarp_cm_get_event(a->dev, &ev) != 0)
			continue;
		if (a->p.debug)
			printf("cma_event type %s status %d\n", rte_iwarp_cm_event_str(ev.event),
			       ev.status);
		if (ev.event == RTE_IWARP_CM_EVENT_TERMINATE) {
			term_fail(c, ev.term);
		} else if (ev.event == RTE_IWARP_CM_EVENT_DISCONNECTED) {
			/* drain completions that came before the close */
			rping_conn_poll(c);
			if (c->state != RPING_ST_DONE)
				rping_conn_fail(c, "the server closed the connection after %u "
						"pings", c->ping);
			c->id = NULL; /* gone: nothing to disconnect */
			rte_iwarp_cm_ack_event(&ev);
			break;
		}
		rte_iwarp_cm_ack_event(&ev);
	}
	if (stop_signal && !c->failed && c->state != RPING_ST_DONE)
		rping_conn_fail(c, "interrupted after %u pings", c->ping);
	rc = c->failed ? -1 : 0;
	if (c->failed)
		rping_error("%s", c->err);
	if (c->id != NULL && rte_iwarp_disconnect(c->id) == 0) {
		uint64_t dl = after_s(a->p.timeout_s);

		/* wait for the orderly close (bounded) */
		while (client_wait_event(a, c, &ev, dl) == 0) {
			bool done = ev.event == RTE_IWARP_CM_EVENT_DISCONNECTED;

			rte_iwarp_cm_ack_event(&ev);
			if (done)
				break;
		}
	}
	return rc;
}

/* ------------------------------------------------------------------ main */

static void
app_close(struct rping_app *a)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (a->conns[i] != NULL)
			conn_del(a, a->conns[i]);
	if (a->lid != NULL)
		rte_iwarp_cm_destroy_id(a->lid);
	if (a->dev != NULL) {
		/* let the last segments out before the device goes */
		uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 20;

		while (rte_get_timer_cycles() < end)
			rte_iwarp_dev_poll(a->dev);
		if (a->pd != NULL)
			rte_iwarp_dealloc_pd(a->pd);
		rte_iwarp_dev_close(a->dev);
	}
	if (a->port != NULL) {
		/* a shared-memory peer must not be mid-poll when the wire goes */
		usleep(QUIET_BEFORE_CLOSE_US);
		rte_iwarp_port_close(a->port);
	}
}

int
main(int argc, char **argv)
{
	static struct rping_app app;
	int sep, eal_argc, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep == argc) {
		eal_argc = 1;
		sep = 0;
	} else {
		eal_argc = sep;
	}
	if (rping_params_parse(argc - sep, argv + sep, &app.p) < 0)
		return RPING_EXIT_USAGE;
	if (rte_eal_init(eal_argc, argv) < 0) {
		rping_error("EAL init failed: %s", rte_strerror(rte_errno));
		return RPING_EXIT_FAIL;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = open_port(&app);
	if (rc == 0)
		rc = open_dev(&app);
	if (rc == 0)
		rc = app.p.server ? run_server(&app) : run_client(&app);
	app_close(&app);
	rte_eal_cleanup();
	return rc == 0 ? RPING_EXIT_OK : RPING_EXIT_FAIL;
}
