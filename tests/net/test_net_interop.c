/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop: the Linux kernel in a network namespace pings an in-process lib/net
 * endpoint 1,000 times, over a veth read by net_af_packet and over a net_tap
 * interface moved into the namespace. None may be lost, and the kernel's
 * neighbour table must hold the endpoint's MAC.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_net.h"

#define NB_PINGS 1000

struct kpeer {
	const char *ns;
	const char *kif;       /* kernel-side interface (in ns) */
	const char *dpdk_ip;
	struct iw_port *port;
	struct iw_net *net;
};

static int
have_tools(void)
{
	return iwt_sh("command -v ip >/dev/null && command -v ping >/dev/null") == 0;
}

/* Start the kernel's ping in the namespace; poll the endpoint until it ends. */
static int
ping_from_kernel(struct kpeer *k, const char *outfile)
{
	char cmd[512];
	uint64_t end;
	pid_t pid;
	int st = -1;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s ping -c %d -i 0.002 -W 2 -q %s >%s 2>&1",
		 k->ns, NB_PINGS, k->dpdk_ip, outfile);
	fprintf(stderr, "+ %s\n", cmd);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	end = rte_get_timer_cycles() + 60 * rte_get_timer_hz();
	for (;;) {
		iw_net_poll(k->net);
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (rte_get_timer_cycles() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			IWT_LOG("ping did not finish within 60 s");
			return -1;
		}
	}
	/* Answer the kernel's neighbour probes for a moment longer. */
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
	while (rte_get_timer_cycles() < end)
		iw_net_poll(k->net);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The kernel's neighbour entry for the endpoint must carry its MAC. */
static int
check_neigh(struct kpeer *k)
{
	char cmd[256], line[512], mac[32];
	FILE *f;
	int ok = 0, i;

	snprintf(mac, sizeof(mac), RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&k->port->mac));
	for (i = 0; mac[i]; i++)
		mac[i] = (char)tolower((unsigned char)mac[i]);
	snprintf(cmd, sizeof(cmd), "ip -n %s neigh show %s dev %s", k->ns, k->dpdk_ip, k->kif);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		fprintf(stderr, "neigh: %s", line);
		if (strstr(line, mac) != NULL &&
		    (strstr(line, "REACHABLE") || strstr(line, "STALE") || strstr(line, "DELAY")))
			ok = 1;
	}
	pclose(f);
	if (!ok)
		IWT_LOG("no neighbour entry %s lladdr %s in %s", k->dpdk_ip, mac, k->ns);
	return ok ? 0 : -1;
}

static int
check_ping_output(const char *outfile)
{
	char line[512];
	int ok = 0;
	FILE *f = fopen(outfile, "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		fprintf(stderr, "ping: %s", line);
		if (strstr(line, " 0% packet loss") != NULL)
			ok = 1;
	}
	if (f != NULL)
		fclose(f);
	return ok ? 0 : -1;
}

static int
run_pings(struct kpeer *k)
{
	char out[] = "/tmp/iwt-ping-XXXXXX";
	struct iw_net_stats s;
	int rc;

	close(mkstemp(out));
	rc = ping_from_kernel(k, out);
	if (check_ping_output(out) != 0 || rc != 0) {
		unlink(out);
		IWT_LOG("ping failed (status %d) or lost packets", rc);
		iwt_net_dump("endpoint", k->net);
		return IWT_FAIL;
	}
	unlink(out);
	iw_net_stats_get(k->net, &s);
	iwt_net_dump("endpoint", k->net);
	IWT_ASSERT(s.rx_icmp_echo >= NB_PINGS, "echo requests seen: %" PRIu64, s.rx_icmp_echo);
	IWT_ASSERT(s.tx_icmp_echo_reply >= NB_PINGS, "replies: %" PRIu64, s.tx_icmp_echo_reply);
	IWT_ASSERT(s.tx_arp_reply >= 1, "the kernel resolved us by ARP");
	IWT_ASSERT_EQ(s.rx_ip_bad_cksum + s.rx_icmp_bad + s.tx_drop, 0, "clean exchange");
	IWT_ASSERT(check_neigh(k) == 0, "kernel neighbour table");
	return IWT_PASS;
}

static void
teardown(struct kpeer *k, const char *extra_link)
{
	iw_net_destroy(k->net);
	iw_port_close(k->port);
	iwt_sh_quiet("ip netns del %s", k->ns);
	if (extra_link != NULL)
		iwt_sh_quiet("ip link del %s", extra_link);
}

IWT_CASE(net_kernel_ping_af_packet_1000)
{
	struct kpeer k = { .ns = "iwtkpa", .kif = "iwtkpa-k", .dpdk_ip = "10.77.0.2" };
	struct iw_port_conf pc = { .port_id = -1, .dev = "net_af_packet0,iface=iwtkpa-d" };
	struct iw_net_conf nc = { .ip = RTE_BE32(RTE_IPV4(10, 77, 0, 2)) };
	int rc;

	if (!have_tools())
		IWT_SKIP_BECAUSE("ip or ping missing");
	iwt_sh_quiet("ip netns del %s", k.ns);
	iwt_sh_quiet("ip link del iwtkpa-d");
	if (iwt_sh("ip netns add %s && ip link add iwtkpa-d type veth peer name %s && "
		   "ip link set %s netns %s && ip link set iwtkpa-d up && "
		   "ip -n %s addr add 10.77.0.1/24 dev %s && ip -n %s link set %s up && "
		   "ip netns exec %s ethtool -K %s tx off >/dev/null",
		   k.ns, k.kif, k.kif, k.ns, k.ns, k.kif, k.ns, k.kif, k.ns, k.kif) != 0) {
		teardown(&k, "iwtkpa-d");
		IWT_ASSERT(0, "namespace and veth set-up");
	}
	rc = iwt_eal_init("");
	iwt_eal_leave_no_trace();
	if (rc == 0) {
		k.port = iw_port_open(&pc);
		if (k.port != NULL)
			k.net = iw_net_create(&nc, k.port, 0);
	}
	if (rc != 0 || k.port == NULL || k.net == NULL) {
		IWT_LOG("endpoint set-up: %s", rte_strerror(rte_errno));
		teardown(&k, "iwtkpa-d");
		return IWT_FAIL;
	}
	rc = run_pings(&k);
	teardown(&k, "iwtkpa-d");
	return rc;
}

IWT_CASE(net_kernel_ping_tap_1000)
{
	struct kpeer k = { .ns = "iwtkpt", .kif = "iwtkpt0", .dpdk_ip = "10.78.0.2" };
	struct iw_port_conf pc = { .port_id = -1, .dev = "net_tap0,iface=iwtkpt0" };
	struct iw_net_conf nc = { .ip = RTE_BE32(RTE_IPV4(10, 78, 0, 2)) };
	char off[128];
	int rc;

	if (!have_tools())
		IWT_SKIP_BECAUSE("ip or ping missing");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		IWT_SKIP_BECAUSE("no /dev/net/tun");
	iwt_sh_quiet("ip netns del %s", k.ns);
	iwt_sh_quiet("ip link del %s", k.kif);
	rc = iwt_eal_init("");
	iwt_eal_leave_no_trace();
	if (rc == 0) {
		k.port = iw_port_open(&pc);
		if (k.port != NULL)
			k.net = iw_net_create(&nc, k.port, 0);
	}
	if (rc != 0 || k.port == NULL || k.net == NULL) {
		IWT_LOG("endpoint set-up: %s", rte_strerror(rte_errno));
		teardown(&k, NULL);
		return IWT_FAIL;
	}
	iw_port_offload_str(k.port, off, sizeof(off));
	IWT_LOG("net_tap offloads: %s", off);
	/* DPDK created the kernel side of the tap in this namespace: move it away. */
	if (iwt_sh("ip netns add %s && ip link set %s netns %s && "
		   "ip -n %s addr add 10.78.0.1/24 dev %s && ip -n %s link set %s up",
		   k.ns, k.kif, k.ns, k.ns, k.kif, k.ns, k.kif) != 0) {
		teardown(&k, NULL);
		IWT_ASSERT(0, "namespace set-up");
	}
	rc = run_pings(&k);
	teardown(&k, NULL);
	return rc;
}
