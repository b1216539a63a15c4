/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-l3: an IPv4 endpoint on a DPDK port. Brings the port up with the
 * address of a config file and answers ARP and ping until SIGINT/SIGTERM or
 * the given duration, then prints its counters.
 *
 *   iwarp-l3 [EAL args] -- -c FILE.ini [--duration SECONDS] [--quiet]
 *
 * Errors end with exactly one line "iwarp-l3: error: <what>" on stderr and a
 * non-zero exit status.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "iw_net.h"
#include "iw_port.h"
#include "l3_config.h"

#define PROG "iwarp-l3"
#define EXIT_USAGE 2

static volatile sig_atomic_t stop;
static uint64_t end_tsc;   /* 0: no duration */

/* The queues (stack instances) one lcore polls. */
struct l3_lcore {
	struct iw_net *nets[IW_PORT_MAX_QUEUES];
	uint16_t n;
};
static struct l3_lcore lcores[RTE_MAX_LCORE];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void __attribute__((format(printf, 1, 2)))
error_line(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: " PROG " [EAL args] -- -c FILE.ini [--duration SECONDS] "
		"[--quiet]\n"
		"  Answers ARP and ICMP echo on the port and address of FILE.ini\n"
		"  (see config/l3-veth.ini) until SIGINT/SIGTERM or SECONDS.\n");
}

struct app_opts {
	const char *config;
	double duration;
	bool quiet;
};

static int
parse_app_args(int argc, char **argv, struct app_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:d:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(o->duration > 0)) {
				error_line("--duration: '%s' is not a positive number of seconds",
					   optarg);
				return -1;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			error_line("unknown or incomplete option '%s' (see --help)",
				   argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		error_line("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->config == NULL) {
		error_line("no config file: give -c FILE.ini after --");
		return -1;
	}
	return 0;
}

static bool
has_arg(int argc, char **argv, const char *prefix)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* Explain a failed rte_eal_init(): most often, missing hugepages. */
static void
eal_error(int argc, char **argv, int err)
{
	if (!has_arg(argc, argv, "--no-huge") &&
	    (err == EACCES || err == ENOMEM || err == EFAULT || err == ENOENT))
		error_line("EAL init failed: no usable hugepages (%s); reserve hugepages "
			   "(scripts/setup.sh) or run with --no-huge", rte_strerror(err));
	else
		error_line("EAL init failed: %s", rte_strerror(err));
}

/* Poll this lcore's instances until a signal or the end of the duration. */
static int
l3_loop(void *arg)
{
	struct l3_lcore *lc = arg;
	uint16_t i;

	while (!stop && !(end_tsc != 0 && rte_get_timer_cycles() >= end_tsc))
		for (i = 0; i < lc->n; i++)
			iw_net_poll(lc->nets[i]);
	for (i = 0; i < lc->n; i++)
		iw_net_park(lc->nets[i]);
	return 0;
}

static void
print_start(const struct l3_config *cfg, const struct iw_port *port)
{
	char off[256], ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	struct rte_eth_link link;

	iw_port_offload_str(port, off, sizeof(off));
	inet_ntop(AF_INET, &cfg->net.ip, ip, sizeof(ip));
	if (cfg->net.gateway)
		inet_ntop(AF_INET, &cfg->net.gateway, gw, sizeof(gw));
	else
		strcpy(gw, "none");
	if (iw_port_link(port, &link) != 0)
		memset(&link, 0, sizeof(link));
	printf(PROG ": port %s (ethdev %u, %u queue(s)) MAC " RTE_ETHER_ADDR_PRT_FMT
	       " IP %s/%d gateway %s MTU %u link %s\n",
	       port->name, port->port_id, port->nb_queues, RTE_ETHER_ADDR_BYTES(&port->mac), ip,
	       __builtin_popcount(cfg->net.netmask ? cfg->net.netmask : htonl(0xffffff00u)),
	       gw, port->mtu, link.link_status ? "up" : "down");
	printf(PROG ": offloads %s\n", off);
	printf(PROG ": %u queue(s) polled by %u lcore(s); answering ARP and ping until "
	       "SIGINT/SIGTERM\n", port->nb_queues, RTE_MIN(rte_lcore_count(),
							 (unsigned int)port->nb_queues));
}

static void
print_summary(struct iw_net **nets, uint16_t n, double secs)
{
	struct iw_net_stats t, s;
	uint64_t *a = (uint64_t *)&t;
	const uint64_t *b = (const uint64_t *)&s;
	size_t k;
	uint16_t i;

	/* Every counter is a uint64_t: sum the instances field by field. */
	RTE_BUILD_BUG_ON(sizeof(t) % sizeof(uint64_t) != 0);
	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		iw_net_stats_get(nets[i], &s);
		for (k = 0; k < sizeof(t) / sizeof(uint64_t); k++)
			a[k] += b[k];
	}
	printf(PROG ": ran %.1f s: rx %" PRIu64 " tx %" PRIu64 " frames; ARP: requests "
	       "answered %" PRIu64 ", sent %" PRIu64 " (with the gratuitous one), resolved %"
	       PRIu64 "; echo requests %"
	       PRIu64 ", replies sent %" PRIu64 "\n", secs, t.rx_pkts, t.tx_pkts, t.rx_arp,
	       t.tx_arp_request, t.arp_resolved, t.rx_icmp_echo, t.tx_icmp_echo_reply);
	printf(PROG ": dropped: not ours %" PRIu64 ", unknown ethertype %" PRIu64 ", short %"
	       PRIu64 ", bad ARP %" PRIu64 ", bad IP (version %" PRIu64 " hlen %" PRIu64
	       " cksum %" PRIu64 " len %" PRIu64 ") %" PRIu64 ", fragments %" PRIu64
	       ", unknown protocol %" PRIu64 ", bad ICMP %" PRIu64 ", tx %" PRIu64 "\n",
	       t.rx_not_ours, t.rx_unknown_l2, t.rx_short, t.rx_arp_bad, t.rx_ip_bad_version,
	       t.rx_ip_bad_hlen, t.rx_ip_bad_cksum, t.rx_ip_bad_len,
	       t.rx_ip_bad_version + t.rx_ip_bad_hlen + t.rx_ip_bad_cksum + t.rx_ip_bad_len,
	       t.rx_ip_frag, t.rx_ip_unknown_proto, t.rx_icmp_bad, t.tx_drop);
}

int
main(int argc, char **argv)
{
	struct iw_net *nets[IW_PORT_MAX_QUEUES] = { NULL };
	struct app_opts o = { NULL, 0, false };
	struct l3_config cfg;
	struct iw_port *port;
	struct sigaction sa;
	char err[512];
	unsigned int queue_lcore[IW_PORT_MAX_QUEUES];
	uint64_t start;
	int sep, eal_argc, rc = 0;
	uint16_t q;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	eal_argc = sep;
	if (sep == argc) {
		if (has_arg(argc, argv, "-h") || has_arg(argc, argv, "--help")) {
			usage(stdout);
			return 0;
		}
		error_line("no application arguments: use [EAL args] -- -c FILE.ini");
		return EXIT_USAGE;
	}
	/* Application arguments and the config first: they need no EAL. */
	argv[sep] = argv[0];
	if (parse_app_args(argc - sep, argv + sep, &o) < 0)
		return EXIT_USAGE;
	if (l3_config_load(o.config, &cfg, err, sizeof(err)) < 0) {
		error_line("%s", err);
		return EXIT_FAILURE;
	}
	if (rte_eal_init(eal_argc, argv) < 0) {
		eal_error(eal_argc, argv, rte_errno);
		return EXIT_FAILURE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Queue q is polled by the q-th lcore of the EAL list (round robin). */
	{
		unsigned int lc, k = 0, nb = rte_lcore_count();
		unsigned int order[RTE_MAX_LCORE];

		RTE_LCORE_FOREACH(lc)
			order[k++] = lc;
		for (q = 0; q < (cfg.port.nb_queues ? cfg.port.nb_queues : 1); q++)
			queue_lcore[q] = order[q % nb];
		cfg.port.queue_lcores = queue_lcore;
	}
	port = iw_port_open(&cfg.port);
	if (port == NULL) {
		if (rte_errno == ENODEV)
			error_line("[port] dev: no such device '%s'", cfg.dev);
		else
			error_line("[port] dev: cannot open '%s': %s", cfg.dev,
				   rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	for (q = 0; q < port->nb_queues; q++) {
		nets[q] = iw_net_create(&cfg.net, port, q);
		if (nets[q] == NULL) {
			error_line("cannot start the stack on queue %u: %s", q,
				   rte_strerror(rte_errno));
			rc = EXIT_FAILURE;
			goto out;
		}
		lcores[queue_lcore[q]].nets[lcores[queue_lcore[q]].n++] = nets[q];
	}
	if (!o.quiet)
		print_start(&cfg, port);
	start = rte_get_timer_cycles();
	if (o.duration > 0)
		end_tsc = start + (uint64_t)(o.duration * (double)rte_get_timer_hz());
	{
		unsigned int lc;

		RTE_LCORE_FOREACH_WORKER(lc)
			if (lcores[lc].n != 0)
				rte_eal_remote_launch(l3_loop, &lcores[lc], lc);
		l3_loop(&lcores[rte_get_main_lcore()]);
		rte_eal_mp_wait_lcore();
	}
	if (!o.quiet)
		print_summary(nets, port->nb_queues,
			      (double)(rte_get_timer_cycles() - start) / rte_get_timer_hz());
out:
	for (q = 0; q < port->nb_queues; q++)
		iw_net_destroy(nets[q]);
	iw_port_close(port);
	rte_eal_cleanup();
	return rc;
}
