/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The librte_iwarp engine of iwarp-perf's two RDMA transports (--rdma with
 * iwarp-perf's own protocol, perf_rdma.c, and -R with perftest's,
 * perf_perftest.c): the DPDK port, its link, the inline-mode device on it,
 * and their orderly close.
 */
#include <string.h>
#include <arpa/inet.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "rte_iwarp.h"
#include "perf.h"

uint32_t
perf_engine_ip(const char *s, uint32_t def)
{
	struct in_addr a;

	if (s != NULL && inet_pton(AF_INET, s, &a) == 1)
		return a.s_addr;
	return def;
}

const char *
perf_port_name(const struct rte_iwarp_port *port)
{
	static struct rte_iwarp_port_info info;

	if (rte_iwarp_port_info_get(port, &info) != 0)
		return "?";
	return info.name;
}

static int
open_port(const struct perf_params *p, const char *waiting, struct rte_iwarp_port **portp)
{
	struct rte_iwarp_port_conf conf;
	struct rte_iwarp_port_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_iwarp_port *port;
	uint16_t pid;
	bool found = false;

	memset(&conf, 0, sizeof(conf));
	conf.nb_queues = 1;
	if (p->dev != NULL) {
		conf.dev = p->dev;
		snprintf(name, sizeof(name), "%s", p->dev);
	} else {
		RTE_ETH_FOREACH_DEV(pid) {
			conf.port_id = pid;
			found = true;
			break;
		}
		if (!found) {
			perf_error("--rdma: no DPDK port: give one with --vdev/-a before '--' or "
				   "--dev NAME");
			return -1;
		}
		if (rte_eth_dev_get_name_by_port(conf.port_id, name) != 0)
			snprintf(name, sizeof(name), "port %d", conf.port_id);
	}
	port = rte_iwarp_port_open(&conf);
	if (port == NULL) {
		if (rte_errno == ENODEV)
			perf_error("--dev: no such device '%s'", name);
		else
			perf_error("cannot start %s: %s%s", name, rte_strerror(rte_errno),
				   strncmp(name, "net_memif", 9) == 0 && p->server != NULL ?
				   " (a net_memif client needs its server running)" : "");
		return -1;
	}
	*portp = port;
	if (rte_iwarp_port_info_get(port, &info) == 0)
		snprintf(name, sizeof(name), "%s", info.name);
	if (p->server == NULL) {
		printf(PERF_PROG ": %s on %s (%s port %u, up to %u s)\n", waiting, name,
		       p->ip != NULL ? p->ip : "10.77.0.1", p->port, p->timeout_s);
		fflush(stdout);
	}
	if (rte_iwarp_port_wait_link(port, p->timeout_s * 1000) != 0) {
		perf_error("link of %s still down after %u s: is the %s running?", name,
			   p->timeout_s, p->server ? "server" : "client");
		return -1;
	}
	return 0;
}

int
perf_engine_open(const struct perf_params *p, const char *waiting,
		 struct rte_iwarp_port **port, struct rte_iwarp_dev **dev)
{
	struct rte_iwarp_dev_conf dc;

	*port = NULL;
	*dev = NULL;
	if (open_port(p, waiting, port) < 0)
		return -1;
	memset(&dc, 0, sizeof(dc));
	dc.port = *port;
	dc.ip = perf_engine_ip(p->ip, p->server == NULL ? RTE_BE32(RTE_IPV4(10, 77, 0, 1)) :
			       RTE_BE32(RTE_IPV4(10, 77, 0, 2)));
	*dev = rte_iwarp_dev_open(&dc);
	if (*dev == NULL) {
		perf_error("rte_iwarp_dev_open on %s: %s", perf_port_name(*port),
			   rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void
perf_engine_close(const struct perf_params *p, struct rte_iwarp_port *port,
		  struct rte_iwarp_dev *dev,
		  unsigned int drain_ms)
{
	uint64_t end;

	if (dev != NULL) {
		/* let the last segments and ACKs of the close go out */
		end = rte_rdtsc() + perf_tsc_hz() * drain_ms / 1000;
		while (rte_rdtsc() < end)
			rte_iwarp_dev_poll(dev);
	}
	if (port != NULL) {
		/*
		 * Stop polling, then give the peer time to stop too before this end
		 * of a net_memif pair goes away (the server waits longer: the
		 * client closes first).
		 */
		rte_iwarp_port_quiesce(port);
		rte_delay_ms(p->server != NULL ? 200 : 600);
	}
	rte_iwarp_dev_close(dev);
	if (port != NULL)
		rte_iwarp_port_close(port);
}
