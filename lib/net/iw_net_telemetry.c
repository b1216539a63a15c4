/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of lib/net: every live instance is listed in a small registry
 * (control path only, under a lock) so that `dpdk-telemetry.py` can read its
 * counters:
 *   /iwarp/net/list          instance indexes
 *   /iwarp/net/info,N        port, queue, MAC, address, MTU of instance N
 *   /iwarp/net/stats,N       every counter of instance N
 * The counters are read while the owner lcore updates them: each 64-bit value
 * is read whole, the set is not a snapshot.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "iw_net.h"
#include "iw_net_pvt.h"

#define MAX_INSTANCES 128

static struct iw_net *registry[MAX_INSTANCES];
static rte_spinlock_t registry_lock = RTE_SPINLOCK_INITIALIZER;

#define STAT(f) { #f, offsetof(struct iw_net_stats, f) }
static const struct {
	const char *name;
	size_t off;
} stat_names[] = {
	STAT(rx_pkts), STAT(tx_pkts), STAT(tx_drop), STAT(rx_short), STAT(rx_not_ours),
	STAT(rx_unknown_l2), STAT(rx_arp), STAT(rx_arp_bad), STAT(tx_arp_request),
	STAT(tx_arp_reply), STAT(arp_resolved), STAT(arp_failed), STAT(arp_hold_drop),
	STAT(rx_ip), STAT(rx_ip_bad_version), STAT(rx_ip_bad_hlen), STAT(rx_ip_bad_cksum),
	STAT(rx_ip_bad_len), STAT(rx_ip_frag), STAT(rx_ip_unknown_proto), STAT(rx_icmp_echo),
	STAT(tx_icmp_echo_reply), STAT(rx_icmp_bad), STAT(tx_no_route), STAT(arp_aged),
	STAT(arp_conflict), STAT(rx_icmp_echo_reply), STAT(tx_icmp_echo), STAT(tx_bad),
	STAT(tx_soft_tso),
};

void
iw_net_telemetry_add(struct iw_net *net)
{
	unsigned int i;

	rte_spinlock_lock(&registry_lock);
	for (i = 0; i < MAX_INSTANCES; i++)
		if (registry[i] == NULL) {
			registry[i] = net;
			break;
		}
	rte_spinlock_unlock(&registry_lock);
}

void
iw_net_telemetry_del(struct iw_net *net)
{
	unsigned int i;

	rte_spinlock_lock(&registry_lock);
	for (i = 0; i < MAX_INSTANCES; i++)
		if (registry[i] == net)
			registry[i] = NULL;
	rte_spinlock_unlock(&registry_lock);
}

static int
parse_index(const char *params)
{
	char *end;
	long v;

	if (params == NULL || *params == '\0')
		return -1;
	v = strtol(params, &end, 10);
	if (*end != '\0' || v < 0 || v >= MAX_INSTANCES)
		return -1;
	return (int)v;
}

static int
tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	rte_spinlock_lock(&registry_lock);
	for (i = 0; i < MAX_INSTANCES; i++)
		if (registry[i] != NULL)
			rte_tel_data_add_array_int(d, (int)i);
	rte_spinlock_unlock(&registry_lock);
	return 0;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int idx = parse_index(params);
	const struct iw_net *net;
	char buf[64];
	int rc = -EINVAL;

	RTE_SET_USED(cmd);
	if (idx < 0)
		return -EINVAL;
	rte_spinlock_lock(&registry_lock);
	net = registry[idx];
	if (net != NULL) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "port", net->port->name);
		rte_tel_data_add_dict_int(d, "queue", net->queue);
		snprintf(buf, sizeof(buf), RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&net->mac));
		rte_tel_data_add_dict_string(d, "mac", buf);
		snprintf(buf, sizeof(buf), IW_IP_FMT, IW_IP_ARGS(net->ip));
		rte_tel_data_add_dict_string(d, "ip", buf);
		snprintf(buf, sizeof(buf), IW_IP_FMT, IW_IP_ARGS(net->netmask));
		rte_tel_data_add_dict_string(d, "netmask", buf);
		snprintf(buf, sizeof(buf), IW_IP_FMT, IW_IP_ARGS(net->gateway));
		rte_tel_data_add_dict_string(d, "gateway", buf);
		rte_tel_data_add_dict_int(d, "mtu", net->mtu);
		rc = 0;
	}
	rte_spinlock_unlock(&registry_lock);
	return rc;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int idx = parse_index(params);
	struct iw_net_stats st;
	unsigned int i;
	int rc = -EINVAL;

	RTE_SET_USED(cmd);
	RTE_BUILD_BUG_ON(RTE_DIM(stat_names) != sizeof(st) / sizeof(uint64_t));
	if (idx < 0)
		return -EINVAL;
	rte_spinlock_lock(&registry_lock);
	if (registry[idx] != NULL) {
		st = registry[idx]->st;
		rc = 0;
	}
	rte_spinlock_unlock(&registry_lock);
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	for (i = 0; i < RTE_DIM(stat_names); i++) {
		uint64_t v;

		memcpy(&v, (const char *)&st + stat_names[i].off, sizeof(v));
		rte_tel_data_add_dict_u64(d, stat_names[i].name, v);
	}
	return 0;
}

RTE_INIT(iw_net_telemetry_init)
{
	rte_telemetry_register_cmd("/iwarp/net/list", tel_list,
				   "Returns the indexes of the lib/net instances. No parameters");
	rte_telemetry_register_cmd("/iwarp/net/info", tel_info,
				   "Returns port, queue and addresses of an instance. "
				   "Parameters: int index");
	rte_telemetry_register_cmd("/iwarp/net/stats", tel_stats,
				   "Returns the counters of an instance. Parameters: int index");
}
