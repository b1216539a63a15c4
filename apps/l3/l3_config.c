/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-l3 configuration file: sections [port] and [net], every key checked,
 * unknown sections and keys refused (a typo must not silently fall back to a
 * default).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "l3_config.h"

struct key {
	const char *section;
	const char *name;
	bool required;
};

static const struct key keys[] = {
	{ "port", "dev", true },
	{ "port", "queues", false },
	{ "port", "mtu", false },
	{ "port", "mbufs", false },
	{ "port", "promisc", false },
	{ "port", "offloads", false },
	{ "net", "ip", true },
	{ "net", "netmask", false },
	{ "net", "gateway", false },
	{ "net", "ttl", false },
	{ "net", "arp_reachable_ms", false },
	{ "net", "arp_retry_ms", false },
	{ "net", "arp_retries", false },
};

static int
fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int
get_uint(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long x;

	if (v[0] == '\0' || v[0] == '-')
		return -1;
	errno = 0;
	x = strtoul(v, &end, 0);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static int
get_addr(const char *v, rte_be32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1)
		return -1;
	*out = a.s_addr;
	return 0;
}

static int
check_addresses(const struct iw_net_conf *n, char *err, size_t errlen)
{
	uint32_t ip = ntohl(n->ip), gw = ntohl(n->gateway);
	uint32_t mask = n->netmask ? ntohl(n->netmask) : 0xffffff00u;
	char a[INET_ADDRSTRLEN];

	if ((ip >> 24) == 0 || (ip >> 24) == 127 || (ip >> 24) >= 224)
		return fail(err, errlen, "[net] ip: %s is not a unicast host address",
			    inet_ntop(AF_INET, &n->ip, a, sizeof(a)));
	if (mask == 0 || ((~mask) & (~mask + 1)) != 0)
		return fail(err, errlen, "[net] netmask: %s is not a contiguous netmask",
			    inet_ntop(AF_INET, &n->netmask, a, sizeof(a)));
	if (gw != 0 && ((gw & mask) != (ip & mask) || gw == ip))
		return fail(err, errlen, "[net] gateway: %s is not another host of the "
			    "local subnet", inet_ntop(AF_INET, &n->gateway, a, sizeof(a)));
	return 0;
}

/* Check that only known sections and keys are present. */
static int
check_known(struct rte_cfgfile *f, char *err, size_t errlen)
{
	struct rte_cfgfile_entry entries[64];
	char *names[16];
	char buf[16][CFG_NAME_LEN];
	int ns, i, j, ne;
	size_t k;

	for (i = 0; i < 16; i++)
		names[i] = buf[i];
	ns = rte_cfgfile_sections(f, names, 16);
	for (i = 0; i < ns; i++) {
		if (strcmp(names[i], "port") != 0 && strcmp(names[i], "net") != 0)
			return fail(err, errlen, "unknown section [%s]", names[i]);
		ne = rte_cfgfile_section_entries(f, names[i], entries, RTE_DIM(entries));
		for (j = 0; j < ne; j++) {
			for (k = 0; k < RTE_DIM(keys); k++)
				if (strcmp(keys[k].section, names[i]) == 0 &&
				    strcmp(keys[k].name, entries[j].name) == 0)
					break;
			if (k == RTE_DIM(keys))
				return fail(err, errlen, "unknown key '%s' in [%s]",
					    entries[j].name, names[i]);
		}
	}
	for (k = 0; k < RTE_DIM(keys); k++)
		if (keys[k].required && !rte_cfgfile_has_entry(f, keys[k].section, keys[k].name))
			return fail(err, errlen, "missing key '%s' in [%s]", keys[k].name,
				    keys[k].section);
	return 0;
}

static int
parse(struct rte_cfgfile *f, struct l3_config *cfg, char *err, size_t errlen)
{
	const char *v;
	unsigned long x;

	if (check_known(f, err, errlen) < 0)
		return -1;
	v = rte_cfgfile_get_entry(f, "port", "dev");
	if (v[0] == '\0' || strlen(v) >= sizeof(cfg->dev))
		return fail(err, errlen, "[port] dev: empty or too long");
	strcpy(cfg->dev, v);
	cfg->port.dev = cfg->dev;
	cfg->port.port_id = -1;
	v = rte_cfgfile_get_entry(f, "port", "queues");
	if (v != NULL) {
		if (get_uint(v, 1, IW_PORT_MAX_QUEUES, &x) < 0)
			return fail(err, errlen, "[port] queues: '%s' is not in 1..%u", v,
				    IW_PORT_MAX_QUEUES);
		cfg->port.nb_queues = (uint16_t)x;
	}
	v = rte_cfgfile_get_entry(f, "port", "mtu");
	if (v != NULL) {
		if (get_uint(v, 68, 9600, &x) < 0)
			return fail(err, errlen, "[port] mtu: '%s' is not in 68..9600", v);
		cfg->port.mtu = (uint16_t)x;
	}
	v = rte_cfgfile_get_entry(f, "port", "mbufs");
	if (v != NULL) {
		if (get_uint(v, 511, 1u << 20, &x) < 0)
			return fail(err, errlen, "[port] mbufs: '%s' is not in 511..%u", v,
				    1u << 20);
		cfg->port.nb_mbufs = (uint32_t)x;
	}
	v = rte_cfgfile_get_entry(f, "port", "promisc");
	if (v != NULL) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return fail(err, errlen, "[port] promisc: '%s' is not yes or no", v);
		cfg->port.promisc = strcmp(v, "yes") == 0;
	}
	v = rte_cfgfile_get_entry(f, "port", "offloads");
	if (v != NULL) {
		if (strcmp(v, "auto") != 0 && strcmp(v, "sw") != 0)
			return fail(err, errlen, "[port] offloads: '%s' is not auto or sw", v);
		cfg->port.no_offloads = strcmp(v, "sw") == 0;
	}
	v = rte_cfgfile_get_entry(f, "net", "ip");
	if (get_addr(v, &cfg->net.ip) < 0)
		return fail(err, errlen, "[net] ip: '%s' is not an IPv4 address", v);
	v = rte_cfgfile_get_entry(f, "net", "netmask");
	if (v != NULL && get_addr(v, &cfg->net.netmask) < 0)
		return fail(err, errlen, "[net] netmask: '%s' is not an IPv4 netmask", v);
	v = rte_cfgfile_get_entry(f, "net", "gateway");
	if (v != NULL && get_addr(v, &cfg->net.gateway) < 0)
		return fail(err, errlen, "[net] gateway: '%s' is not an IPv4 address", v);
	if (check_addresses(&cfg->net, err, errlen) < 0)
		return -1;
	v = rte_cfgfile_get_entry(f, "net", "ttl");
	if (v != NULL) {
		if (get_uint(v, 1, 255, &x) < 0)
			return fail(err, errlen, "[net] ttl: '%s' is not in 1..255", v);
		cfg->net.ttl = (uint8_t)x;
	}
	v = rte_cfgfile_get_entry(f, "net", "arp_reachable_ms");
	if (v != NULL) {
		if (get_uint(v, 10, 86400000, &x) < 0)
			return fail(err, errlen, "[net] arp_reachable_ms: '%s' is not in "
				    "10..86400000", v);
		cfg->net.arp_reachable_ms = (uint32_t)x;
	}
	v = rte_cfgfile_get_entry(f, "net", "arp_retry_ms");
	if (v != NULL) {
		if (get_uint(v, 10, 60000, &x) < 0)
			return fail(err, errlen, "[net] arp_retry_ms: '%s' is not in 10..60000",
				    v);
		cfg->net.arp_retry_ms = (uint32_t)x;
	}
	v = rte_cfgfile_get_entry(f, "net", "arp_retries");
	if (v != NULL) {
		if (get_uint(v, 1, 100, &x) < 0)
			return fail(err, errlen, "[net] arp_retries: '%s' is not in 1..100", v);
		cfg->net.arp_retries = (uint16_t)x;
	}
	return 0;
}

int
l3_config_load(const char *path, struct l3_config *cfg, char *err, size_t errlen)
{
	struct rte_cfgfile_parameters params = { .comment_character = '#' };
	struct rte_cfgfile *f;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (access(path, R_OK) != 0)
		return fail(err, errlen, "cannot read config file %s: %s", path, strerror(errno));
	f = rte_cfgfile_load_with_params(path, 0, &params);
	if (f == NULL)
		return fail(err, errlen, "config file %s is not a valid INI file", path);
	rc = parse(f, cfg, err, errlen);
	rte_cfgfile_close(f);
	return rc;
}
