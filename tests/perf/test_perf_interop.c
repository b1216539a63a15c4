/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf --kernel-tcp against a refusing and an unreachable peer: one
 * error line, a non-zero status, bounded time. The unreachable peer lives in
 * a network namespace of its own (nothing leaves the machine).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_perf.h"

IWT_CASE(perf_kernel_tcp_refused_and_unreachable)
{
	char args[512];
	time_t t0;
	int rc;

	/* Refused: a loopback port with no listener. */
	snprintf(args, sizeof(args), "write_lat --kernel-tcp -p %u 127.0.0.1", iwt_perf_free_port());
	IWT_RUN(iwt_perf_expect_error(args, "connection refused"));

	/*
	 * Unreachable: a namespace with a veth pair, our address on one end and
	 * nobody behind the other; nothing leaves the namespace. Whether ARP
	 * gives up first (host unreachable) or the connect timeout fires, the
	 * client must end with one line naming the peer, in bounded time.
	 */
	iwt_sh_quiet("ip netns del iwtpfu 2>/dev/null");
	if (iwt_sh("ip netns add iwtpfu") != 0)
		IWT_SKIP_BECAUSE("cannot create a network namespace (not root?)");
	rc = iwt_sh("ip -n iwtpfu link add iwtpfu0 type veth peer name iwtpfu1 && "
		    "ip -n iwtpfu addr add 10.213.7.1/24 dev iwtpfu0 && "
		    "ip -n iwtpfu link set iwtpfu0 up && ip -n iwtpfu link set iwtpfu1 up && "
		    "ip -n iwtpfu link set lo up");
	if (rc == 0) {
		t0 = time(NULL);
		snprintf(args, sizeof(args), "write_lat --kernel-tcp --timeout 2 10.213.7.2");
		{
			char cmd[2048];
			struct iwt_perf_run r;

			snprintf(cmd, sizeof(cmd), "ip netns exec iwtpfu %s %s", iwt_perf_bin(), args);
			rc = iwt_perf_run_fg(cmd, 30, &r);
			if (rc == 0 && (r.status == 0 || r.status == 124 || r.error_lines != 1 ||
					strstr(r.last_err, "connect to 10.213.7.2:18515") == NULL))
				rc = -1;
			IWT_LOG("unreachable: status %d, %d error line(s), '%s', %ld s", r.status,
				r.error_lines, r.last_err, (long)(time(NULL) - t0));
		}
	}
	iwt_sh_quiet("ip netns del iwtpfu 2>/dev/null");
	IWT_ASSERT_EQ(rc, 0, "unreachable peer: one error line naming it, non-zero, no hang");
	return IWT_PASS;
}
