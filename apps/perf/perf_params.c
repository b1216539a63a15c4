/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf command line: perftest's flags (getopt_long, same letters and long
 * names), the test named by the first argument or by the program name
 * (iwarp_write_bw ...), one positional address (client) or none (server).
 * Every mistake becomes one error line; nothing here needs EAL.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "perf.h"

#define DEF_PORT 18515
#define DEF_SIZE_BW 65536
#define DEF_SIZE_LAT 2
#define DEF_ITERS_BW 5000
#define DEF_ITERS_LAT 1000
#define DEF_TX_BW 128
#define DEF_TX_LAT 1
#define DEF_RX 64
#define DEF_RX_PERFTEST 512 /* perftest's DEF_RX_SEND: -R send_bw */
#define DEF_OUT_READS 16
#define DEF_POST_LIST 1
#define DEF_TIMEOUT_S 10
#define DEF_SERVER_WAIT_S 60
#define MIN_ITER 5
#define MAX_ITER 100000000ull
#define MAX_TX 15000
#define MAX_RX 16384
#define MAX_POST_LIST 512
#define MAX_OUT_READS 1024
#define MAX_DURATION 3600
#define MAX_TIMEOUT 3600

static const struct {
	const char *name;
	enum perf_verb verb;
	enum perf_kind kind;
} tests[] = {
	{ "write_bw", PERF_VERB_WRITE, PERF_KIND_BW },
	{ "write_lat", PERF_VERB_WRITE, PERF_KIND_LAT },
	{ "read_bw", PERF_VERB_READ, PERF_KIND_BW },
	{ "read_lat", PERF_VERB_READ, PERF_KIND_LAT },
	{ "send_bw", PERF_VERB_SEND, PERF_KIND_BW },
	{ "send_lat", PERF_VERB_SEND, PERF_KIND_LAT },
};

void
perf_error(const char *fmt, ...)
{
	static int printed;
	va_list ap;

	/* One error line per process, even when several threads fail at once. */
	if (__atomic_exchange_n(&printed, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	fflush(stdout);
	fputs(PERF_PROG ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
perf_usage(FILE *out)
{
	fprintf(out,
		"usage: " PERF_PROG " [EAL args --] TEST --rdma|--raw|--kernel-tcp [options] [SERVER]\n"
		"       iwarp_TEST [EAL args --] --rdma|--raw|--kernel-tcp [options] [SERVER]\n"
		"  TEST: write_bw write_lat read_bw read_lat send_bw send_lat\n"
		"  No SERVER: wait for a client. SERVER: run as client against it.\n"
		"\n"
		"Transport (one is required):\n"
		"  --rdma              librte_iwarp (RDMA over TCP) on a DPDK port. SERVER is\n"
		"                      the server's IPv4 address (its --ip)\n"
		"  --ip A.B.C.D        --rdma: this side's address, /24 (default 10.77.0.1\n"
		"                      for a server, 10.77.0.2 for a client)\n"
		"  --raw               bare L2 frames (ethertype 0x88B5) over a DPDK port:\n"
		"                      the physical floor of the link. SERVER is the peer's\n"
		"                      MAC (aa:bb:cc:dd:ee:ff) or any other word for\n"
		"                      'find the server by broadcast'.\n"
		"  --dev NAME          --raw, --rdma: the DPDK device (default: the first\n"
		"                      port EAL made,\n"
		"                      e.g. from --vdev=net_memif0,...)\n"
		"  --kernel-tcp        kernel TCP sockets (TCP_NODELAY), no DPDK, no EAL\n"
		"  -R, --rdma_cm       --rdma: speak perftest's own rdma_cm protocol (its\n"
		"                      ib_*_bw/lat -R, control protocol 6.06) instead of\n"
		"                      ours: the peer may be perftest on any iWARP RNIC\n"
		"\n"
		"perftest options:\n"
		"  -s, --size=N        message size (default %u BW, %u LAT)\n"
		"  -n, --iters=N       iterations per size (default %u BW, %u LAT)\n"
		"  -a, --all           sweep sizes 2 B .. 8 MiB (see --size_min/--size_max)\n"
		"  -D, --duration=S    run each size for S seconds instead of -n (rdma: a\n"
		"                      warm-up of S/4, at most 2 s, is not counted; the row\n"
		"                      has the iterations done, no peak)\n"
		"  -q, --qp=N          connections, BW, kernel-tcp and rdma (give it to both\n"
		"                      sides, at most 64): -n each; kernel-tcp runs one\n"
		"                      thread each (the CPU share then counts cores), rdma\n"
		"                      posts round robin on one engine; the row sums them\n"
		"  -t, --tx-depth=N    messages in flight, BW (default %u)\n"
		"  -r, --rx-depth=N    receive burst, raw (default %u); receives kept\n"
		"                      posted per connection, rdma send_bw (and -b: give\n"
		"                      the server the same) (default %u, perftest's)\n"
		"  -I, --inline_size=N rdma WRITE and SEND: data up to N bytes goes inline\n"
		"                      (copied when posted; the QP's cap, at most 912)\n"
		"  -b, --bidirectional both directions at once (write_bw, send_bw; rdma also\n"
		"                      read_bw): BW and MsgRate sum both directions, the\n"
		"                      peak adds the incoming direction's average\n"
		"  -N, --noPeak        do not compute the peak bandwidth\n"
		"  -l, --post_list=N   rdma: work requests per post (at most 64); raw and\n"
		"                      kernel-tcp post one message at a time (raw packs up\n"
		"                      to 64 frames per TX burst)\n"
		"  -o, --outs=N        READ requests in flight, read_bw (default %u)\n"
		"  -p, --port=N        TCP port, kernel-tcp and rdma (default %u)\n"
		"  --report_gbits      bandwidth in Gb/sec instead of MB/sec\n"
		"  --out_json          also write the results as JSON\n"
		"  --out_json_file=F   where (default iwarp-perf.json)\n"
		"  --cpu_util          add CPU columns: busy share of the polling core [%%]\n"
		"                      and cycles per byte (kernel-tcp: thread CPU time)\n"
		"  --rate_limit=R      BW tests: the sender posts no faster than R (software\n"
		"                      pacing, perftest's --rate_limit_type=SW: a message\n"
		"                      goes once its bytes are earned, bursts of -t at most)\n"
		"  --rate_units=U      units of --rate_limit: g Gb/sec (default), M MB/sec\n"
		"                      (2^20 bytes), p messages/sec\n"
		"beyond perftest:\n"
		"  --size_min=N --size_max=N  the range of -a\n"
		"  --timeout=S         bound on every wait for the peer (default %u s;\n"
		"                      a server waits %u s for its client)\n"
		"  -h, --help          this text\n"
		"\n"
		"Latency is half the round trip (READ: the whole round trip, as perftest).\n",
		DEF_SIZE_BW, DEF_SIZE_LAT, DEF_ITERS_BW, DEF_ITERS_LAT, DEF_TX_BW, DEF_RX,
		DEF_RX_PERFTEST,
		DEF_OUT_READS, DEF_PORT, DEF_TIMEOUT_S, DEF_SERVER_WAIT_S);
}

static int
find_test(const char *name, struct perf_params *p)
{
	size_t i;

	for (i = 0; i < RTE_DIM(tests); i++) {
		if (strcmp(name, tests[i].name) == 0) {
			p->test_name = tests[i].name;
			p->verb = tests[i].verb;
			p->kind = tests[i].kind;
			return 0;
		}
	}
	return -1;
}

/* Parse an unsigned decimal (or 0x hex) in [min, max] with an optional K/M/G suffix. */
static int
parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, bool suffix,
	  uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '\0')
		goto bad;
	v = strtoull(arg, &end, 0);
	if (errno != 0)
		goto bad;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K':
			v <<= 10;
			end++;
			break;
		case 'm': case 'M':
			v <<= 20;
			end++;
			break;
		case 'g': case 'G':
			v <<= 30;
			end++;
			break;
		default:
			break;
		}
	}
	if (*end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	perf_error("%s: '%s' is not a number between %" PRIu64 " and %" PRIu64, opt, arg, min,
		   max);
	return -1;
}

#define OPT_REPORT_GBITS 256
#define OPT_OUT_JSON 257
#define OPT_OUT_JSON_FILE 258
#define OPT_CPU_UTIL 259
#define OPT_RAW 260
#define OPT_KTCP 261
#define OPT_RDMA 262
#define OPT_DEV 263
#define OPT_TIMEOUT 264
#define OPT_SIZE_MIN 265
#define OPT_SIZE_MAX 266
#define OPT_IP 267
#define OPT_RATE_LIMIT 268
#define OPT_RATE_UNITS 269

static const struct option longopts[] = {
	{ "size", required_argument, NULL, 's' },
	{ "iters", required_argument, NULL, 'n' },
	{ "all", no_argument, NULL, 'a' },
	{ "duration", required_argument, NULL, 'D' },
	{ "qp", required_argument, NULL, 'q' },
	{ "tx-depth", required_argument, NULL, 't' },
	{ "rx-depth", required_argument, NULL, 'r' },
	{ "inline_size", required_argument, NULL, 'I' },
	{ "bidirectional", no_argument, NULL, 'b' },
	{ "noPeak", no_argument, NULL, 'N' },
	{ "post_list", required_argument, NULL, 'l' },
	{ "outs", required_argument, NULL, 'o' },
	{ "port", required_argument, NULL, 'p' },
	{ "report_gbits", no_argument, NULL, OPT_REPORT_GBITS },
	{ "out_json", no_argument, NULL, OPT_OUT_JSON },
	{ "out_json_file", required_argument, NULL, OPT_OUT_JSON_FILE },
	{ "cpu_util", no_argument, NULL, OPT_CPU_UTIL },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "kernel-tcp", no_argument, NULL, OPT_KTCP },
	{ "rdma", no_argument, NULL, OPT_RDMA },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "size_min", required_argument, NULL, OPT_SIZE_MIN },
	{ "size_max", required_argument, NULL, OPT_SIZE_MAX },
	{ "rdma_cm", no_argument, NULL, 'R' },
	{ "rate_limit", required_argument, NULL, OPT_RATE_LIMIT },
	{ "rate_units", required_argument, NULL, OPT_RATE_UNITS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The option's name as the user wrote it, for messages. */
static const char *
opt_name(int c, int idx, char *buf, size_t len)
{
	if (idx >= 0)
		snprintf(buf, len, "--%s", longopts[idx].name);
	else
		snprintf(buf, len, "-%c", c);
	return buf;
}

static int
set_transport(struct perf_params *p, enum perf_transport_id t)
{
	if (p->transport != PERF_TRANSPORT_NONE && p->transport != t) {
		perf_error("--rdma, --raw, --kernel-tcp: choose one transport");
		return -1;
	}
	p->transport = t;
	return 0;
}

static void
set_defaults(struct perf_params *p)
{
	memset(p, 0, sizeof(*p));
	p->size_min = PERF_ALL_MIN_SIZE;
	p->size_max = PERF_ALL_MAX_SIZE;
	p->qps = 1;
	p->rx_depth = DEF_RX;
	p->post_list = DEF_POST_LIST;
	p->out_reads = DEF_OUT_READS;
	p->port = DEF_PORT;
	p->json_file = "iwarp-perf.json";
	p->timeout_s = DEF_TIMEOUT_S;
	p->rate_units = PERF_RATE_GBPS;
}

int
perf_params_parse(int argc, char **argv, const char *argv0, struct perf_params *p)
{
	bool have_size = false, have_iters = false, have_tx = false, have_timeout = false;
	bool have_rx = false;
	const char *base, *pos[3];
	int c, idx, npos = 0, i;
	char name[64];
	uint64_t v;

	set_defaults(p);
	base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	if (strncmp(base, "iwarp_", 6) == 0 && find_test(base + 6, p) < 0) {
		perf_error("program name '%s' names no test (iwarp_write_bw, iwarp_write_lat, "
			   "iwarp_read_bw, iwarp_read_lat, iwarp_send_bw, iwarp_send_lat)", base);
		return -1;
	}

	optind = 1;
	opterr = 0;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, ":s:n:aD:q:t:r:I:bNl:o:p:Rh", longopts, &idx);
		if (c == -1)
			break;
		switch (c) {
		case 's':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1,
				      PERF_MAX_SIZE, true, &v) < 0)
				return -1;
			p->size = (uint32_t)v;
			have_size = true;
			break;
		case 'n':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, MIN_ITER,
				      MAX_ITER, false, &v) < 0)
				return -1;
			p->iters = v;
			have_iters = true;
			break;
		case 'a':
			p->all = true;
			break;
		case 'D':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1,
				      MAX_DURATION, false, &v) < 0)
				return -1;
			p->duration = (unsigned int)v;
			break;
		case 'q':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1, 16384,
				      false, &v) < 0)
				return -1;
			p->qps = (unsigned int)v;
			break;
		case 't':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1, MAX_TX,
				      false, &v) < 0)
				return -1;
			p->tx_depth = (unsigned int)v;
			have_tx = true;
			break;
		case 'r':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1, MAX_RX,
				      false, &v) < 0)
				return -1;
			p->rx_depth = (unsigned int)v;
			have_rx = true;
			break;
		case 'R':
			p->rdma_cm = true;
			break;
		case 'I':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 0, 912,
				      false, &v) < 0)
				return -1;
			p->inline_size = (unsigned int)v;
			break;
		case 'b':
			p->bidir = true;
			break;
		case 'N':
			p->no_peak = true;
			break;
		case 'l':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1,
				      MAX_POST_LIST, false, &v) < 0)
				return -1;
			p->post_list = (unsigned int)v;
			break;
		case 'o':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1,
				      MAX_OUT_READS, false, &v) < 0)
				return -1;
			p->out_reads = (unsigned int)v;
			break;
		case 'p':
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1, 65535,
				      false, &v) < 0)
				return -1;
			p->port = (uint16_t)v;
			break;
		case OPT_REPORT_GBITS:
			p->report_gbits = true;
			break;
		case OPT_OUT_JSON:
			p->out_json = true;
			break;
		case OPT_OUT_JSON_FILE:
			p->json_file = optarg;
			p->out_json = true;
			break;
		case OPT_CPU_UTIL:
			p->cpu_util = true;
			break;
		case OPT_RAW:
			if (set_transport(p, PERF_TRANSPORT_RAW) < 0)
				return -1;
			break;
		case OPT_KTCP:
			if (set_transport(p, PERF_TRANSPORT_KTCP) < 0)
				return -1;
			break;
		case OPT_RDMA:
			if (set_transport(p, PERF_TRANSPORT_RDMA) < 0)
				return -1;
			break;
		case OPT_IP: {
			struct in_addr a;

			if (inet_pton(AF_INET, optarg, &a) != 1) {
				perf_error("--ip: '%s' is not an IPv4 address", optarg);
				return -1;
			}
			p->ip = optarg;
			break;
		}
		case OPT_DEV:
			p->dev = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1,
				      MAX_TIMEOUT, false, &v) < 0)
				return -1;
			p->timeout_s = (unsigned int)v;
			have_timeout = true;
			break;
		case OPT_SIZE_MIN:
		case OPT_SIZE_MAX:
			if (parse_u64(opt_name(c, idx, name, sizeof(name)), optarg, 1,
				      PERF_MAX_SIZE, true, &v) < 0)
				return -1;
			if (c == OPT_SIZE_MIN)
				p->size_min = (uint32_t)v;
			else
				p->size_max = (uint32_t)v;
			break;
		case OPT_RATE_LIMIT: {
			char *end;
			double r;

			errno = 0;
			r = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !isfinite(r) ||
			    r <= 0) {
				perf_error("--rate_limit: '%s' is not a positive rate", optarg);
				return -1;
			}
			p->rate_limit = r;
			break;
		}
		case OPT_RATE_UNITS:
			if (strcmp(optarg, "g") == 0) {
				p->rate_units = PERF_RATE_GBPS;
			} else if (strcmp(optarg, "M") == 0) {
				p->rate_units = PERF_RATE_MBPS;
			} else if (strcmp(optarg, "p") == 0) {
				p->rate_units = PERF_RATE_PPS;
			} else {
				perf_error("--rate_units: '%s' is not g (Gb/sec), M (MB/sec) or p "
					   "(messages/sec)", optarg);
				return -1;
			}
			break;
		case 'h':
			perf_usage(stdout);
			exit(0);
		case ':':
			perf_error("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			perf_error("unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	for (i = optind; i < argc; i++) {
		if (npos == (int)RTE_DIM(pos)) {
			perf_error("unexpected argument '%s'", argv[i]);
			return -1;
		}
		pos[npos++] = argv[i];
	}
	i = 0;
	if (p->test_name == NULL) {
		if (npos == 0) {
			perf_error("no test given: the first argument names it (write_bw, "
				   "write_lat, read_bw, read_lat, send_bw, send_lat)");
			return -1;
		}
		if (find_test(pos[0], p) < 0) {
			perf_error("unknown test '%s' (write_bw, write_lat, read_bw, read_lat, "
				   "send_bw, send_lat)", pos[0]);
			return -1;
		}
		i = 1;
	}
	if (npos - i > 1) {
		perf_error("unexpected argument '%s' (one server address at most)", pos[i + 1]);
		return -1;
	}
	p->server = npos - i == 1 ? pos[i] : NULL;

	if (p->transport == PERF_TRANSPORT_NONE) {
		perf_error("no transport: give --rdma, --raw or --kernel-tcp");
		return -1;
	}
	if (!have_timeout)
		p->timeout_s = p->server != NULL ? DEF_TIMEOUT_S : DEF_SERVER_WAIT_S;
	if (!have_size)
		p->size = p->kind == PERF_KIND_BW ? DEF_SIZE_BW : DEF_SIZE_LAT;
	if (!have_iters)
		p->iters = p->kind == PERF_KIND_BW ? DEF_ITERS_BW : DEF_ITERS_LAT;
	if (!have_tx)
		p->tx_depth = p->kind == PERF_KIND_BW ? DEF_TX_BW : DEF_TX_LAT;
	if (p->size_min > p->size_max) {
		perf_error("--size_min %u is above --size_max %u", p->size_min, p->size_max);
		return -1;
	}
	if (p->qps != 1 && p->transport == PERF_TRANSPORT_RAW) {
		perf_error("-q %u: the raw transport runs one flow", p->qps);
		return -1;
	}
	if (p->qps != 1 && p->kind != PERF_KIND_BW) {
		perf_error("-q %u: several connections apply to the BW tests", p->qps);
		return -1;
	}
	if (p->qps > 64) {
		perf_error("-q %u: at most 64 connections", p->qps);
		return -1;
	}
	if (p->bidir && p->kind != PERF_KIND_BW) {
		perf_error("-b: bidirectional applies to the BW tests only");
		return -1;
	}
	if (p->ip != NULL && p->transport != PERF_TRANSPORT_RDMA) {
		perf_error("--ip: this side's address goes with --rdma");
		return -1;
	}
	if (p->inline_size != 0 && p->transport != PERF_TRANSPORT_RDMA) {
		perf_error("-I: inline data goes with --rdma (raw and kernel-tcp post no work "
			   "requests)");
		return -1;
	}
	if (p->inline_size != 0 && p->verb == PERF_VERB_READ) {
		perf_error("-I: a READ request carries no data to put inline (write and send "
			   "tests)");
		return -1;
	}
	if (p->rdma_cm && p->transport != PERF_TRANSPORT_RDMA) {
		perf_error("-R: perftest's rdma_cm protocol goes with --rdma");
		return -1;
	}
	if (p->rdma_cm && p->all && (p->size_min != PERF_ALL_MIN_SIZE ||
				     p->size_max != PERF_ALL_MAX_SIZE)) {
		perf_error("-R -a: perftest sweeps 2 B .. 8 MiB; --size_min/--size_max do "
			   "not apply (run -s sizes instead)");
		return -1;
	}
	if (p->cpu_util && p->rdma_cm) {
		perf_error("--cpu_util: not with -R (perftest's protocol mode does no CPU "
			   "accounting)");
		return -1;
	}
	if (p->rate_limit > 0 && p->kind != PERF_KIND_BW) {
		perf_error("--rate_limit: pacing applies to the BW tests (write_bw, read_bw, "
			   "send_bw)");
		return -1;
	}
	if (p->rate_limit > 0 && p->bidir) {
		perf_error("--rate_limit: not with -b (one paced direction: run without -b)");
		return -1;
	}
	if (p->rate_limit > 0 && p->rdma_cm) {
		perf_error("--rate_limit: not with -R (perftest's protocol mode is not paced)");
		return -1;
	}
	/*
	 * rdma: perftest's receive depth (ib_send_bw's 512). With 64 the sender
	 * of a 64 B send_bw waited for credits: one credit WRITE in flight, so
	 * at most 64 SENDs per credit round trip (about half the rate).
	 */
	if ((p->rdma_cm || p->transport == PERF_TRANSPORT_RDMA) && !have_rx)
		p->rx_depth = DEF_RX_PERFTEST;
	if (p->transport == PERF_TRANSPORT_KTCP && p->dev != NULL) {
		perf_error("--dev: a DPDK device goes with --raw, not --kernel-tcp");
		return -1;
	}
	return 0;
}
