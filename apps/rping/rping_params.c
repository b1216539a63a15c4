/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-rping command line: rping's flags (-s -c -a -p -C -S -v -V -d -P, -I
 * for our own address) plus the DPDK side (--dev, --ip, --config FILE with
 * [port], [net] and [mpa] sections read by rte_cfgfile) and MPA options.
 * Every error is one line naming the flag or key and its value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "rping.h"

void
rping_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(RPING_PROG ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(void)
{
	printf("usage: " RPING_PROG " [EAL args --] -s [-vVdP] [-S size] [-C count] [-a addr] "
	       "[-p port] --ip ADDR[/LEN] [options]\n"
	       "       " RPING_PROG " [EAL args --] -c [-vVd] [-S size] [-C count] -a addr "
	       "[-p port] --ip ADDR[/LEN] [options]\n"
	       "  -s          server side\n"
	       "  -c          client side\n"
	       "  -a addr     server address (client); address to serve on (server)\n"
	       "  -p port     TCP port (default %u)\n"
	       "  -C count    ping count (default: for ever)\n"
	       "  -S size     ping data size, %u..%u (default %u)\n"
	       "  -v          display ping data to stdout\n"
	       "  -V          validate ping data\n"
	       "  -d          debug lines\n"
	       "  -P          persistent server: serve connection after connection\n"
	       "  -I addr     our address (same as --ip)\n"
	       "DPDK side:\n"
	       "  --dev NAME          EAL device or vdev with devargs (default: the first port)\n"
	       "  --ip ADDR[/LEN]     our IPv4 address (default netmask /24)\n"
	       "  --gateway ADDR      next hop for other subnets\n"
	       "  --mtu N             IP MTU (default: the port's)\n"
	       "  --config FILE       INI file: [port] dev, mtu; [net] ip, netmask, gateway;\n"
	       "                      [mpa] rev, crc, p2p, rtr, first_delay_ms (flags win)\n"
	       "MPA and timing:\n"
	       "  --mpa-rev 1|2       MPA revision to ask for (default 2)\n"
	       "  --no-crc            do not ask for CRC32c (the peer may still ask)\n"
	       "  --p2p               peer-to-peer mode with a ready-to-receive message\n"
	       "  --rtr write|read|send  the RTR message to offer (default: all)\n"
	       "  --ird N, --ord N    READs in flight each way (default 1, as rping)\n"
	       "  --first-delay-ms N  client: hold the first FPDU (RTR included) N ms after the\n"
	       "                      MPA reply (siw's race on the first FPDU; docs/interop.md)\n"
	       "  --timeout SEC       link, connection and each ping step (default 10)\n"
	       "  --bad-rkey          test aid: the client advertises, the server uses, a wrong\n"
	       "                      STag for the data buffer (the peer must TERMINATE)\n",
	       RPING_DEFAULT_PORT, RPING_MIN_SIZE, RPING_MAX_SIZE, RPING_DEFAULT_SIZE);
}

static int
get_uint(const char *what, const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long x;

	errno = 0;
	if (v[0] == '\0' || v[0] == '-' || v[0] == '+')
		goto bad;
	x = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		goto bad;
	*out = x;
	return 0;
bad:
	rping_error("%s: '%s' is not a number in %lu..%lu", what, v, min, max);
	return -1;
}

static int
get_addr(const char *what, const char *v, rte_be32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1) {
		rping_error("%s: '%s' is not an IPv4 address", what, v);
		return -1;
	}
	*out = a.s_addr;
	return 0;
}

/* ADDR or ADDR/LEN */
static int
get_ip(const char *what, const char *v, struct rping_params *p)
{
	char buf[64], *slash;
	unsigned long len;

	if (strlen(v) >= sizeof(buf)) {
		rping_error("%s: '%s' is not an IPv4 address", what, v);
		return -1;
	}
	strcpy(buf, v);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (get_uint(what, slash + 1, 1, 31, &len) < 0)
			return -1;
		p->netmask = rte_cpu_to_be_32(~0u << (32 - len));
	}
	if (get_addr(what, buf, &p->ip) < 0)
		return -1;
	if ((rte_be_to_cpu_32(p->ip) >> 24) == 0 || (rte_be_to_cpu_32(p->ip) >> 24) == 127 ||
	    (rte_be_to_cpu_32(p->ip) >> 24) >= 224) {
		rping_error("%s: '%s' is not a unicast host address", what, v);
		return -1;
	}
	return 0;
}

static int
get_bool(const char *what, const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "no") == 0 || strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		*out = false;
		return 0;
	}
	rping_error("%s: '%s' is not yes or no", what, v);
	return -1;
}

static int
get_rtr(const char *what, const char *v, uint8_t *out)
{
	if (strcmp(v, "write") == 0)
		*out = RTE_IWARP_RTR_WRITE;
	else if (strcmp(v, "read") == 0)
		*out = RTE_IWARP_RTR_READ;
	else if (strcmp(v, "send") == 0)
		*out = RTE_IWARP_RTR_SEND;
	else if (strcmp(v, "all") == 0)
		*out = 0;
	else {
		rping_error("%s: '%s' is not write, read, send or all", what, v);
		return -1;
	}
	return 0;
}

/* [section] key pairs an INI file may hold. */
static const char *const cfg_keys[][2] = {
	{ "port", "dev" }, { "port", "mtu" },
	{ "net", "ip" }, { "net", "netmask" }, { "net", "gateway" },
	{ "mpa", "rev" }, { "mpa", "crc" }, { "mpa", "p2p" }, { "mpa", "rtr" },
	{ "mpa", "first_delay_ms" },
};

static int
cfg_check(struct rte_cfgfile *f, const char *file)
{
	struct rte_cfgfile_entry e[32];
	char names[8][CFG_NAME_LEN], *np[8];
	int ns, ne, i, j;
	size_t k;

	for (i = 0; i < 8; i++)
		np[i] = names[i];
	ns = rte_cfgfile_num_sections(f, NULL, 0);
	if (ns > 8) {
		rping_error("%s: %d sections, at most [port], [net] and [mpa]", file, ns);
		return -1;
	}
	ns = rte_cfgfile_sections(f, np, 8);
	for (i = 0; i < ns; i++) {
		ne = rte_cfgfile_section_entries(f, np[i], e, RTE_DIM(e));
		if (ne == 0 && strcmp(np[i], "port") != 0 && strcmp(np[i], "net") != 0 &&
		    strcmp(np[i], "mpa") != 0) {
			rping_error("%s: unknown section [%s]", file, np[i]);
			return -1;
		}
		for (j = 0; j < ne; j++) {
			for (k = 0; k < RTE_DIM(cfg_keys); k++)
				if (strcmp(cfg_keys[k][0], np[i]) == 0 &&
				    strcmp(cfg_keys[k][1], e[j].name) == 0)
					break;
			if (k == RTE_DIM(cfg_keys)) {
				rping_error("%s: unknown key '%s' in [%s]", file, e[j].name, np[i]);
				return -1;
			}
		}
	}
	return 0;
}

static int
cfg_load(const char *file, struct rping_params *p)
{
	struct rte_cfgfile *f;
	const char *v;
	unsigned long x;
	int rc = -1;

	f = rte_cfgfile_load(file, 0);
	if (f == NULL) {
		rping_error("--config: cannot read '%s'", file);
		return -1;
	}
	if (cfg_check(f, file) < 0)
		goto out;
	v = rte_cfgfile_get_entry(f, "port", "dev");
	if (v != NULL) {
		if (v[0] == '\0' || strlen(v) >= sizeof(p->dev)) {
			rping_error("%s: [port] dev: empty or too long", file);
			goto out;
		}
		strcpy(p->dev, v);
	}
	v = rte_cfgfile_get_entry(f, "port", "mtu");
	if (v != NULL) {
		if (get_uint("[port] mtu", v, 68, 9600, &x) < 0)
			goto out;
		p->mtu = (uint16_t)x;
	}
	v = rte_cfgfile_get_entry(f, "net", "ip");
	if (v != NULL && get_ip("[net] ip", v, p) < 0)
		goto out;
	v = rte_cfgfile_get_entry(f, "net", "netmask");
	if (v != NULL && get_addr("[net] netmask", v, &p->netmask) < 0)
		goto out;
	v = rte_cfgfile_get_entry(f, "net", "gateway");
	if (v != NULL && get_addr("[net] gateway", v, &p->gateway) < 0)
		goto out;
	v = rte_cfgfile_get_entry(f, "mpa", "rev");
	if (v != NULL) {
		if (get_uint("[mpa] rev", v, 1, 2, &x) < 0)
			goto out;
		p->mpa_rev = (uint8_t)x;
	}
	v = rte_cfgfile_get_entry(f, "mpa", "crc");
	if (v != NULL) {
		bool crc;

		if (get_bool("[mpa] crc", v, &crc) < 0)
			goto out;
		p->no_crc = !crc;
	}
	v = rte_cfgfile_get_entry(f, "mpa", "p2p");
	if (v != NULL && get_bool("[mpa] p2p", v, &p->p2p) < 0)
		goto out;
	v = rte_cfgfile_get_entry(f, "mpa", "rtr");
	if (v != NULL && get_rtr("[mpa] rtr", v, &p->rtr) < 0)
		goto out;
	v = rte_cfgfile_get_entry(f, "mpa", "first_delay_ms");
	if (v != NULL) {
		if (get_uint("[mpa] first_delay_ms", v, 0, 10000, &x) < 0)
			goto out;
		p->first_delay_ms = (uint32_t)x;
	}
	rc = 0;
out:
	rte_cfgfile_close(f);
	return rc;
}

enum {
	OPT_DEV = 256,
	OPT_IP,
	OPT_GATEWAY,
	OPT_MTU,
	OPT_CONFIG,
	OPT_MPA_REV,
	OPT_NO_CRC,
	OPT_P2P,
	OPT_RTR,
	OPT_IRD,
	OPT_ORD,
	OPT_FIRST_DELAY,
	OPT_TIMEOUT,
	OPT_BAD_RKEY,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "mpa-rev", required_argument, NULL, OPT_MPA_REV },
	{ "no-crc", no_argument, NULL, OPT_NO_CRC },
	{ "p2p", no_argument, NULL, OPT_P2P },
	{ "rtr", required_argument, NULL, OPT_RTR },
	{ "ird", required_argument, NULL, OPT_IRD },
	{ "ord", required_argument, NULL, OPT_ORD },
	{ "first-delay-ms", required_argument, NULL, OPT_FIRST_DELAY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "bad-rkey", no_argument, NULL, OPT_BAD_RKEY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char short_opts[] = ":a:I:Pp:C:S:scvVdh";

/* The name of the option getopt just stumbled on. */
static void
bad_option(char **argv, int c, bool missing)
{
	const char *arg = argv[optind - 1];

	if (c != 0 && c != '?' && c != ':' && !(arg[0] == '-' && arg[1] == '-'))
		rping_error(missing ? "option '-%c' needs a value" : "unknown option '-%c'", c);
	else if (missing)
		rping_error("option '%s' needs a value", arg);
	else
		rping_error("unknown option '%s'", arg);
}

static int
one_opt(int c, const char *arg, struct rping_params *p, int *role)
{
	unsigned long x;

	switch (c) {
	case 's':
	case 'c':
		if (*role != -1 && *role != (c == 's')) {
			rping_error("-s and -c: one role only");
			return -1;
		}
		*role = c == 's';
		break;
	case 'a':
		if (get_addr("-a", arg, &p->addr) < 0)
			return -1;
		p->addr_set = true;
		break;
	case 'I':
		return get_ip("-I", arg, p);
	case 'P':
		p->persistent = true;
		break;
	case 'p':
		if (get_uint("-p", arg, 1, 65535, &x) < 0)
			return -1;
		p->port = (uint16_t)x;
		break;
	case 'C':
		if (get_uint("-C", arg, 0, INT32_MAX, &x) < 0)
			return -1;
		p->count = (uint32_t)x;
		break;
	case 'S':
		if (get_uint("-S", arg, RPING_MIN_SIZE, RPING_MAX_SIZE, &x) < 0)
			return -1;
		p->size = (uint32_t)x;
		break;
	case 'v':
		p->verbose++;
		break;
	case 'V':
		p->validate = true;
		break;
	case 'd':
		p->debug++;
		break;
	case OPT_DEV:
		if (arg[0] == '\0' || strlen(arg) >= sizeof(p->dev)) {
			rping_error("--dev: empty or too long");
			return -1;
		}
		strcpy(p->dev, arg);
		break;
	case OPT_IP:
		return get_ip("--ip", arg, p);
	case OPT_GATEWAY:
		return get_addr("--gateway", arg, &p->gateway);
	case OPT_MTU:
		if (get_uint("--mtu", arg, 68, 9600, &x) < 0)
			return -1;
		p->mtu = (uint16_t)x;
		break;
	case OPT_MPA_REV:
		if (get_uint("--mpa-rev", arg, 1, 2, &x) < 0)
			return -1;
		p->mpa_rev = (uint8_t)x;
		break;
	case OPT_NO_CRC:
		p->no_crc = true;
		break;
	case OPT_P2P:
		p->p2p = true;
		break;
	case OPT_RTR:
		return get_rtr("--rtr", arg, &p->rtr);
	case OPT_IRD:
	case OPT_ORD:
		if (get_uint(c == OPT_IRD ? "--ird" : "--ord", arg, 1, 128, &x) < 0)
			return -1;
		if (c == OPT_IRD)
			p->ird = (uint16_t)x;
		else
			p->ord = (uint16_t)x;
		break;
	case OPT_FIRST_DELAY:
		if (get_uint("--first-delay-ms", arg, 0, 10000, &x) < 0)
			return -1;
		p->first_delay_ms = (uint32_t)x;
		break;
	case OPT_TIMEOUT:
		if (get_uint("--timeout", arg, 1, 3600, &x) < 0)
			return -1;
		p->timeout_s = (uint32_t)x;
		break;
	case OPT_BAD_RKEY:
		p->bad_rkey = true;
		break;
	default:
		break;
	}
	return 0;
}

int
rping_params_parse(int argc, char **argv, struct rping_params *p)
{
	int c, role = -1;

	memset(p, 0, sizeof(*p));
	p->port = RPING_DEFAULT_PORT;
	p->size = RPING_DEFAULT_SIZE;
	p->mpa_rev = 2;
	p->ird = 1;
	p->ord = 1;
	p->timeout_s = 10;
	opterr = 0;
	/* first pass: --config and --help only (the flags override the file) */
	optind = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (c == OPT_HELP || c == 'h') {
			usage();
			exit(RPING_EXIT_OK);
		}
		if (c == OPT_CONFIG) {
			if (strlen(optarg) >= sizeof(p->config)) {
				rping_error("--config: path too long");
				return -1;
			}
			strcpy(p->config, optarg);
		}
	}
	if (p->config[0] != '\0' && cfg_load(p->config, p) < 0)
		return -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			bad_option(argv, optopt, c == ':');
			return -1;
		}
		if (one_opt(c, optarg, p, &role) < 0)
			return -1;
	}
	if (optind < argc) {
		rping_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (role == -1) {
		rping_error("give -s (server) or -c (client)");
		return -1;
	}
	p->server = role == 1;
	if (!p->server && !p->addr_set) {
		rping_error("-c needs the server's address: -a ADDR");
		return -1;
	}
	if (!p->server && p->persistent) {
		rping_error("-P: only a server (-s) can be persistent");
		return -1;
	}
	if (p->ip == 0) {
		rping_error("no address of ours: give --ip ADDR[/LEN] (or [net] ip in --config)");
		return -1;
	}
	if (p->server && p->addr_set && p->addr != 0 && p->addr != p->ip) {
		rping_error("-a: the server serves on its own address (--ip), not on another");
		return -1;
	}
	if (!p->server && p->addr == p->ip) {
		rping_error("-a: that is our own address (--ip)");
		return -1;
	}
	return 0;
}
