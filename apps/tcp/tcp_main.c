/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-tcp: bulk transfer and ping-pong over lib/tcp, for tests and
 * benchmarks, and the same over kernel sockets for the baseline.
 *
 *   iwarp-tcp [EAL args] -- --dev DEV --ip ADDR [--netmask M] [--gateway G] [--mtu N]
 *             (--server PORT (--sink | --echo) | --client ADDR:PORT
 *              (--bulk BYTES | --pingpong COUNT [--size BYTES]))
 *             [--cc cubic|newreno] [--rto-min-us US] [--timeout S] [--quiet]
 *   iwarp-tcp --kernel [same options without --dev/--ip]
 *
 * Report lines: "iwarp-tcp: bulk sent|received N bytes sha256 HEX in S s, G Gbit/s"
 * and "iwarp-tcp: pingpong size B count N rtt_us min .. p50 .. p90 .. p99 .. max ..".
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "tcp_app.h"

void
app_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

double
app_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
app_report_bulk(const char *what, uint64_t bytes, const char *sha, double secs)
{
	printf(PROG ": bulk %s %llu bytes sha256 %s in %.3f s, %.3f Gbit/s\n", what,
	       (unsigned long long)bytes, sha, secs, secs > 0 ? bytes * 8 / secs / 1e9 : 0.0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
app_report_pingpong(uint32_t size, uint32_t n, double *rtt)
{
	if (n == 0)
		return;
	qsort(rtt, n, sizeof(*rtt), cmp_double);
	printf(PROG ": pingpong size %u count %u rtt_us min %.2f p50 %.2f p90 %.2f p99 %.2f "
	       "max %.2f\n", size, n, rtt[0], rtt[n / 2], rtt[(uint64_t)n * 90 / 100],
	       rtt[(uint64_t)n * 99 / 100], rtt[n - 1]);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [EAL args] -- --dev DEV --ip ADDR [--netmask M] "
		"[--gateway G] [--mtu N]\n"
		"         (--server PORT (--sink | --echo) | --client ADDR:PORT (--bulk BYTES | "
		"--pingpong COUNT [--size BYTES]))\n"
		"         [--cc cubic|newreno] [--rto-min-us US] [--timeout S] [--quiet]\n"
		"       " PROG " --kernel [the same without --dev and --ip]\n");
}

static int
parse_addr(const char *s, in_addr_t *a, const char *what)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		app_error("%s: '%s' is not an IPv4 address", what, s);
		return -1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct app_opts *o)
{
	static const struct option lo[] = {
		{ "kernel", no_argument, NULL, 'K' },
		{ "dev", required_argument, NULL, 'd' },
		{ "ip", required_argument, NULL, 'i' },
		{ "netmask", required_argument, NULL, 'm' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "mtu", required_argument, NULL, 'M' },
		{ "server", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "bulk", required_argument, NULL, 'b' },
		{ "pingpong", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 'z' },
		{ "sink", no_argument, NULL, 'S' },
		{ "echo", no_argument, NULL, 'E' },
		{ "cc", required_argument, NULL, 'C' },
		{ "rto-min-us", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, *colon;
	int c;

	o->size = 64;
	o->timeout_s = 120;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'K':
			o->kernel = true;
			break;
		case 'd':
			o->dev = optarg;
			break;
		case 'i':
			if (parse_addr(optarg, &o->ip, "--ip"))
				return -1;
			break;
		case 'm':
			if (parse_addr(optarg, &o->netmask, "--netmask"))
				return -1;
			break;
		case 'g':
			if (parse_addr(optarg, &o->gateway, "--gateway"))
				return -1;
			break;
		case 'M':
			o->mtu = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			o->server = true;
			o->port = (uint16_t)strtoul(optarg, &end, 0);
			if (*end != '\0' || o->port == 0) {
				app_error("--server: '%s' is not a port", optarg);
				return -1;
			}
			break;
		case 'c':
			colon = strrchr(optarg, ':');
			if (colon == NULL) {
				app_error("--client: want ADDR:PORT, got '%s'", optarg);
				return -1;
			}
			*colon = '\0';
			if (parse_addr(optarg, &o->peer, "--client"))
				return -1;
			o->port = (uint16_t)strtoul(colon + 1, NULL, 0);
			break;
		case 'b':
			o->mode = MODE_BULK;
			o->bytes = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			o->mode = MODE_PINGPONG;
			o->count = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'z':
			o->size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'S':
			o->mode = MODE_SINK;
			break;
		case 'E':
			o->mode = MODE_ECHO;
			break;
		case 'C':
			if (strcmp(optarg, "newreno") == 0) {
				o->newreno = true;
			} else if (strcmp(optarg, "cubic") != 0) {
				app_error("--cc: '%s' is not cubic or newreno", optarg);
				return -1;
			}
			break;
		case 'r':
			o->rto_min_us = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->timeout_s = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			app_error("unknown or incomplete option (see --help)");
			return -1;
		}
	}
	if (o->port == 0 || o->mode == MODE_NONE ||
	    (o->server != (o->mode == MODE_SINK || o->mode == MODE_ECHO))) {
		app_error("give --server PORT with --sink or --echo, or --client ADDR:PORT with "
			  "--bulk or --pingpong");
		return -1;
	}
	if (o->mode == MODE_PINGPONG && (o->size == 0 || o->size > (1u << 20) || o->count == 0)) {
		app_error("--pingpong COUNT and --size BYTES must be positive (size <= 1 MiB)");
		return -1;
	}
	if (!o->kernel && (o->dev == NULL || o->ip == 0)) {
		app_error("--dev and --ip are required (or --kernel)");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct app_opts o;
	int sep, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&o, 0, sizeof(o));
	if (argc > 1 && strcmp(argv[1], "--kernel") == 0) {
		if (parse_args(argc, argv, &o) != 0)
			return 2;
		return app_run_kernel(&o);
	}
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep == argc) {
		usage(stderr);
		return 2;
	}
	argv[sep] = argv[0];
	if (parse_args(argc - sep, argv + sep, &o) != 0)
		return 2;
	if (rte_eal_init(sep, argv) < 0) {
		app_error("EAL init failed: %s", rte_strerror(rte_errno));
		return 1;
	}
	rc = o.kernel ? app_run_kernel(&o) : app_run_dpdk(&o);
	rte_eal_cleanup();
	return rc;
}
