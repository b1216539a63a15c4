/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-rping between two namespaces joined by a veth (net_af_packet), a
 * persistent server serving two clients in turn, every ping's text checked;
 * bad flags, a refused and an unreachable peer each end with one error line,
 * a non-zero status and no hang.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_rping.h"

IWT_CASE(rping_bad_flags_refused_unreachable)
{
	static const struct {
		const char *args, *what;
	} bad[] = {
		{ "-s -c --ip 10.1.1.1", "one role only" },
		{ "--ip 10.1.1.1", "give -s (server) or -c (client)" },
		{ "-c --ip 10.1.1.1", "-c needs the server's address" },
		{ "-c -a 10.1.1.2", "no address of ours" },
		{ "-s --ip 10.1.1.1 -S 10", "-S: '10' is not a number in 26..65535" },
		{ "-s --ip 10.1.1.1 -S 65536", "-S: '65536' is not a number in 26..65535" },
		{ "-s --ip 10.1.1.1 -C -1", "-C: '-1' is not a number" },
		{ "-s --ip 10.1.1.1 -p 0", "-p: '0' is not a number in 1..65535" },
		{ "-c -a 10.1.1.300 --ip 10.1.1.1", "-a: '10.1.1.300' is not an IPv4 address" },
		{ "-s --ip 10.1.1.1 -Z", "unknown option '-Z'" },
		{ "-s --ip 10.1.1.1 --frobnicate", "unknown option '--frobnicate'" },
		{ "-s --ip 10.1.1.1 -S", "option '-S' needs a value" },
		{ "-s --ip 10.1.1.1 --mpa-rev 3", "--mpa-rev: '3' is not a number in 1..2" },
		{ "-s --ip 10.1.1.1 --rtr fast", "--rtr: 'fast' is not write, read, send or all" },
		{ "-c -P -a 10.1.1.2 --ip 10.1.1.1", "-P: only a server" },
		{ "-s --ip 10.1.1.1 --config /nonexistent.ini", "--config: cannot read" },
		{ "-s --ip 10.1.1.1 extra", "unexpected argument 'extra'" },
	};
	char args[1024];
	unsigned int k;
	time_t t0;
	int rc;

	for (k = 0; k < RTE_DIM(bad); k++)
		IWT_RUN(iwt_rping_expect_error("", bad[k].args, bad[k].what, 20));
	/* EAL arguments before "--" are EAL's, the flags after it ours */
	snprintf(args, sizeof(args), IWT_RPING_EAL " -- -s --ip 10.1.1.1 -S 9");
	IWT_RUN(iwt_rping_expect_error("", args, "-S: '9' is not a number", 20));

	/*
	 * Refused: a kernel host on the other end of a veth with no listener on
	 * the port (it answers RST). Unreachable: an address of the same subnet
	 * that nobody owns (ARP gets no answer). Nothing leaves the namespace.
	 */
	rc = iwt_ns_veth("iwtrpr", "iwtrpr0", "iwtrpr1");
	if (rc != 0) {
		iwt_sh_quiet("ip netns del iwtrpr");
		IWT_SKIP_BECAUSE("cannot create a namespace with a veth pair (not root?)");
	}
	rc = iwt_sh("ip -n iwtrpr addr add 10.213.9.1/24 dev iwtrpr1");
	if (rc == 0) {
		t0 = time(NULL);
		snprintf(args, sizeof(args), IWT_RPING_EAL " -l 0 --file-prefix=iwtrpr%d "
			 "--vdev=net_af_packet0,iface=iwtrpr0 -- -c -a 10.213.9.1 -p 7999 "
			 "--ip 10.213.9.2/24 --timeout 5", (int)getpid());
		rc = iwt_rping_expect_error("ip netns exec iwtrpr", args,
					    "connect to 10.213.9.1:7999: connection refused", 60);
		IWT_LOG("refused in %ld s", (long)(time(NULL) - t0));
	}
	if (rc == IWT_PASS) {
		t0 = time(NULL);
		snprintf(args, sizeof(args), IWT_RPING_EAL " -l 0 --file-prefix=iwtrpr%d "
			 "--vdev=net_af_packet0,iface=iwtrpr0 -- -c -a 10.213.9.77 "
			 "--ip 10.213.9.2/24 --timeout 5", (int)getpid());
		rc = iwt_rping_expect_error("ip netns exec iwtrpr", args,
					    "connect to 10.213.9.77:7174", 90);
		IWT_LOG("unreachable in %ld s", (long)(time(NULL) - t0));
	}
	iwt_sh_quiet("ip netns del iwtrpr");
	return rc;
}

IWT_CASE(rping_veth_namespaces_verify)
{
	static struct iwt_perf_run srv, cli;
	char s[1024], c[1024];
	int rc;

	/* two namespaces, a veth between them, iwarp-rping on net_af_packet in each */
	iwt_sh_quiet("ip netns del iwtrva");
	iwt_sh_quiet("ip netns del iwtrvb");
	rc = iwt_sh("ip netns add iwtrva && ip netns add iwtrvb && "
		    "ip link add iwtrva0 netns iwtrva type veth peer name iwtrvb0 netns iwtrvb && "
		    "ip -n iwtrva link set iwtrva0 up && ip -n iwtrvb link set iwtrvb0 up && "
		    "ip netns exec iwtrva ethtool -K iwtrva0 tx off >/dev/null && "
		    "ip netns exec iwtrvb ethtool -K iwtrvb0 tx off >/dev/null && "
		    "ip netns exec iwtrva sh -c "
		    "'echo 1 > /sys/class/net/iwtrva0/queues/rx-0/rps_cpus' && "
		    "ip netns exec iwtrvb sh -c "
		    "'echo 1 > /sys/class/net/iwtrvb0/queues/rx-0/rps_cpus'");
	if (rc != 0) {
		iwt_sh_quiet("ip netns del iwtrva");
		iwt_sh_quiet("ip netns del iwtrvb");
		IWT_SKIP_BECAUSE("cannot create namespaces joined by a veth (not root?)");
	}
	/* a persistent server (-P) serves two clients, one after the other */
	snprintf(s, sizeof(s), "ip netns exec iwtrva %s " IWT_RPING_EAL " -l 0 "
		 "--file-prefix=iwtrva%d --vdev=net_af_packet0,iface=iwtrva0 -- -s -P -v -V "
		 "-S 65535 --ip 10.214.0.1/24", iwt_rping_bin(), (int)getpid());
	snprintf(c, sizeof(c), "ip netns exec iwtrvb sh -c '%s " IWT_RPING_EAL " -l 1 "
		 "--file-prefix=iwtrvb%d --vdev=net_af_packet0,iface=iwtrvb0 -- -c -a 10.214.0.1 "
		 "--ip 10.214.0.2/24 -v -V -C 100 && %s " IWT_RPING_EAL " -l 1 "
		 "--file-prefix=iwtrvb%d --vdev=net_af_packet0,iface=iwtrvb0 -- -c -a 10.214.0.1 "
		 "--ip 10.214.0.2/24 -V -C 40 -S 65535 --p2p'", iwt_rping_bin(), (int)getpid(),
		 iwt_rping_bin(), (int)getpid());
	rc = iwt_rping_pair(s, c, 180, true, &srv, &cli);
	iwt_sh_quiet("ip netns del iwtrva");
	iwt_sh_quiet("ip netns del iwtrvb");
	IWT_RUN(rc);
	IWT_RUN(iwt_rping_check_ok(&cli, "both clients"));
	IWT_RUN(iwt_rping_check_ok(&srv, "persistent server, stopped by SIGTERM"));
	IWT_RUN(iwt_rping_check_lines(cli.out, "ping data: ", 100, 64));
	/* 100 pings of 64 B, then 40 of 64 KiB - 1 (not compared line by line here) */
	IWT_ASSERT(strstr(srv.out, "server ping data: rdma-ping-99: ") != NULL,
		   "first connection's last ping served");
	IWT_ASSERT(strstr(srv.out, "server ping data: rdma-ping-39: ") != NULL,
		   "second connection's last ping served");
	return IWT_PASS;
}
