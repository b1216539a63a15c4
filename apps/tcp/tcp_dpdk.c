/* SPDX-License-Identifier: BSD-3-Clause */
/* iwarp-tcp over lib/tcp on one DPDK port, one lcore, busy polling. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iw_tcp.h"
#include "sha256.h"
#include "tcp_app.h"
#include "tcp_pattern.h"

struct app {
	const struct app_opts *o;
	struct iw_port *port;
	struct iw_net *net;
	struct iw_tcp *tcp;
	struct iw_tcp_stream *s;
	double deadline;
};

static bool
expired(struct app *a, const char *what)
{
	if (app_now() < a->deadline)
		return false;
	app_error("timed out %s", what);
	return true;
}

static int
open_stream(struct app *a, struct iw_tcp_opts *to)
{
	const struct app_opts *o = a->o;

	if (o->server) {
		struct iw_tcp_stream *l = iw_tcp_listen(a->tcp, o->port, 16, to, NULL);

		if (l == NULL) {
			app_error("listen on port %u: %s", o->port, rte_strerror(rte_errno));
			return -1;
		}
		printf(PROG ": listening on port %u\n", o->port);
		while (iw_tcp_accept(l, &a->s, 1) == 0) {
			iw_net_poll(a->net);
			if (expired(a, "waiting for a connection"))
				return -1;
		}
		iw_tcp_close(l);
		return 0;
	}
	a->s = iw_tcp_connect(a->tcp, o->peer, o->port, 0, to, NULL);
	if (a->s == NULL) {
		app_error("connect: %s", rte_strerror(rte_errno));
		return -1;
	}
	while (iw_tcp_state(a->s) != IW_TCP_ESTABLISHED) {
		iw_net_poll(a->net);
		if (iw_tcp_error(a->s) != 0) {
			app_error("connect: %s", strerror(iw_tcp_error(a->s)));
			return -1;
		}
		if (expired(a, "connecting"))
			return -1;
	}
	return 0;
}

static void
sha_chain(struct sha256 *c, const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		sha256_update(c, rte_pktmbuf_mtod(m, const void *), m->data_len);
}

/* Wait for the peer's FIN (recv returns 0) or the end of the connection. */
static int
wait_eof(struct app *a)
{
	struct rte_mbuf *m;
	int n;

	for (;;) {
		iw_net_poll(a->net);
		n = iw_tcp_recv(a->s, &m);
		if (n > 0)
			rte_pktmbuf_free(m);
		else if (n == 0 || n != -EAGAIN)
			return 0;
		if (expired(a, "waiting for the peer to close"))
			return -1;
	}
}

static int
run_bulk(struct app *a)
{
	struct rte_mempool *mp = iw_net_pool(a->net);
	uint64_t sent = 0, total = a->o->bytes;
	struct sha256 c;
	char hex[65];
	double t0 = app_now();

	double last = t0, stall = 0;
	uint64_t acked = 0;

	sha256_init(&c);
	while (iw_tcp_acked(a->s) < total) {
		if (iw_tcp_acked(a->s) != acked) {
			acked = iw_tcp_acked(a->s);
			stall = RTE_MAX(stall, app_now() - last);
			last = app_now();
		}
		while (sent < total && iw_tcp_send_space(a->s) >= 65536) {
			uint32_t len = (uint32_t)RTE_MIN((uint64_t)65536, total - sent);
			struct rte_mbuf *m = tcp_pattern_chain(mp, sent, len);

			if (m == NULL)
				break;
			sha_chain(&c, m);
			if (iw_tcp_send(a->s, m, 0) < 0) {
				rte_pktmbuf_free(m);
				break;
			}
			sent += len;
		}
		iw_net_poll(a->net);
		if (iw_tcp_error(a->s) != 0) {
			app_error("connection ended: %s", strerror(iw_tcp_error(a->s)));
			return -1;
		}
		if (expired(a, "sending"))
			return -1;
	}
	stall = RTE_MAX(stall, app_now() - last);
	sha256_hex(&c, hex);
	app_report_bulk("sent", total, hex, app_now() - t0);
	printf(PROG ": max stall %.0f ms\n", stall * 1e3);
	iw_tcp_shutdown(a->s);
	return wait_eof(a);
}

static int
run_sink(struct app *a)
{
	struct sha256 c;
	struct rte_mbuf *m;
	uint64_t done = 0;
	double t0 = 0, last = 0, stall = 0;
	char hex[65];
	int n;

	sha256_init(&c);
	for (;;) {
		iw_net_poll(a->net);
		n = iw_tcp_recv(a->s, &m);
		if (n > 0) {
			if (done == 0)
				t0 = last = app_now();
			stall = RTE_MAX(stall, app_now() - last);
			last = app_now();
			sha_chain(&c, m);
			rte_pktmbuf_free(m);
			done += (uint64_t)n;
		} else if (n == 0) {
			break;
		} else if (n != -EAGAIN) {
			app_error("connection ended: %s", strerror(-n));
			return -1;
		}
		if (expired(a, "receiving"))
			return -1;
	}
	sha256_hex(&c, hex);
	app_report_bulk("received", done, hex, done ? app_now() - t0 : 0);
	printf(PROG ": max stall %.0f ms\n", stall * 1e3);
	return 0;
}

static int
run_echo(struct app *a)
{
	struct rte_mbuf *m, *pending = NULL;
	int n;

	for (;;) {
		iw_net_poll(a->net);
		if (pending != NULL) {
			if (iw_tcp_send(a->s, pending, 0) < 0)
				continue;
			pending = NULL;
		}
		n = iw_tcp_recv(a->s, &m);
		if (n > 0) {
			if (iw_tcp_send(a->s, m, 0) < 0)
				pending = m; /* zero copy back, when there is room */
		} else if (n == 0) {
			return 0;
		} else if (n != -EAGAIN) {
			app_error("connection ended: %s", strerror(-n));
			return -1;
		}
		if (expired(a, "echoing"))
			return -1;
	}
}

static int
run_pingpong(struct app *a)
{
	const struct app_opts *o = a->o;
	double *rtt = calloc(o->count, sizeof(*rtt)), hz = (double)rte_get_tsc_hz();
	uint8_t *buf = calloc(1, o->size);
	uint32_t i, got;
	int n;

	if (rtt == NULL || buf == NULL) {
		app_error("out of memory");
		return -1;
	}
	memset(buf, 0x5a, o->size);
	for (i = 0; i < o->count; i++) {
		uint64_t t = rte_rdtsc();

		if (iw_tcp_write(a->s, buf, o->size) != (int)o->size) {
			app_error("send refused");
			return -1;
		}
		for (got = 0; got < o->size;) {
			iw_net_poll(a->net);
			n = iw_tcp_read(a->s, buf, o->size - got);
			if (n > 0) {
				got += (uint32_t)n;
			} else if (n != -EAGAIN) {
				app_error("connection ended");
				return -1;
			} else if ((i & 1023) == 0 && expired(a, "in ping-pong")) {
				return -1;
			}
		}
		rtt[i] = (double)(rte_rdtsc() - t) * 1e6 / hz;
	}
	app_report_pingpong(o->size, o->count, rtt);
	free(rtt);
	free(buf);
	iw_tcp_shutdown(a->s);
	return wait_eof(a);
}

int
app_run_dpdk(const struct app_opts *o)
{
	struct iw_port_conf pc = { .dev = o->dev, .port_id = -1, .mtu = o->mtu };
	struct iw_net_conf nc = { .ip = o->ip, .netmask = o->netmask, .gateway = o->gateway };
	struct app a = { .o = o, .deadline = app_now() + o->timeout_s };
	struct iw_tcp_opts to;
	struct iw_tcp_stats st;
	char off[256];
	int rc = -1;

	a.port = iw_port_open(&pc);
	if (a.port == NULL) {
		app_error("cannot open port '%s': %s", o->dev, rte_strerror(rte_errno));
		return 1;
	}
	iw_port_wait_link(a.port, 5000);
	iw_port_offload_str(a.port, off, sizeof(off));
	a.net = iw_net_create(&nc, a.port, 0);
	a.tcp = a.net ? iw_tcp_create(a.net, NULL) : NULL;
	if (a.tcp == NULL) {
		app_error("cannot create the stack: %s", rte_strerror(rte_errno));
		goto out;
	}
	if (!o->quiet)
		printf(PROG ": port %s MTU %u offloads %s\n", a.port->name, a.port->mtu, off);
	iw_tcp_opts_default(&to);
	to.cc = o->newreno ? IW_TCP_CC_NEWRENO : IW_TCP_CC_CUBIC;
	if (o->rto_min_us)
		to.rto_min_us = o->rto_min_us;
	if (open_stream(&a, &to) != 0)
		goto out;
	switch (o->mode) {
	case MODE_BULK:
		rc = run_bulk(&a);
		break;
	case MODE_SINK:
		rc = run_sink(&a);
		break;
	case MODE_ECHO:
		rc = run_echo(&a);
		break;
	case MODE_PINGPONG:
		rc = run_pingpong(&a);
		break;
	default:
		break;
	}
	if (a.s != NULL) {
		double end = app_now() + 0.2;
		struct iw_tcp_info ti;

		iw_tcp_info_get(a.s, &ti);
		if (!o->quiet)
			printf(PROG ": connection: mss %u cwnd %u srtt %u us, retransmits %" PRIu64
			       ", fast recoveries %" PRIu64 ", timeouts %" PRIu64 "\n", ti.mss,
			       ti.cwnd, ti.srtt_us, ti.rexmits, ti.fast_recoveries, ti.rtos);
		iw_tcp_close(a.s);
		while (app_now() < end) /* let the FIN exchange finish */
			iw_net_poll(a.net);
	}
	iw_tcp_stats_get(a.tcp, &st);
	if (!o->quiet)
		printf(PROG ": tcp: rx %" PRIu64 " tx %" PRIu64 " rexmit %" PRIu64 " bad cksum %"
		       PRIu64 " ooo %" PRIu64 " dup bytes %" PRIu64 "\n", st.rx_segs, st.tx_segs,
		       st.tx_rexmit, st.rx_bad_cksum, st.rx_ooo_segs, st.rx_dup_bytes);
out:
	iw_tcp_destroy(a.tcp);
	iw_net_destroy(a.net);
	iw_port_close(a.port);
	return rc == 0 ? 0 : 1;
}
