/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-rping as users run it: client and server in two processes on two
 * cores over net_memif, every ping's text checked against rping's protocol,
 * -V on the client.
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

IWT_CASE(rping_memif_two_processes_verify)
{
	static struct iwt_perf_run srv, cli;
	static const struct {
		const char *flags;
		uint32_t count, size;
		bool verbose;
	} runs[] = {
		{ "-C 100", 100, 64, true },
		{ "-C 30 -S 65535 --p2p", 30, 65535, false },
		{ "-C 40 -S 1000 --no-crc --rtr read --p2p", 40, 1000, true },
	};
	char s[1024], c[1024], sock[64];
	unsigned int k;

	for (k = 0; k < RTE_DIM(runs); k++) {
		snprintf(sock, sizeof(sock), "/tmp/iwt-rping-%d-%u.sock", (int)getpid(), k);
		unlink(sock);
		/* the server's -S is the largest ping it takes; rping's server READs what
		 * the client advertises */
		snprintf(s, sizeof(s), "%s " IWT_RPING_EAL " -l 0 --file-prefix=iwtrps%d "
			 "--vdev=net_memif0,role=server,socket=%s -- -s -V %s -S %u --ip "
			 "10.66.0.1 %s", iwt_rping_bin(), (int)getpid(), sock,
			 runs[k].verbose ? "-v" : "-d", runs[k].size,
			 strstr(runs[k].flags, "--p2p") ? "--p2p" : "");
		snprintf(c, sizeof(c), "%s " IWT_RPING_EAL " -l 1 --file-prefix=iwtrpc%d "
			 "--vdev=net_memif0,role=client,socket=%s -- -c -a 10.66.0.1 "
			 "--ip 10.66.0.2 "
			 "-V %s %s", iwt_rping_bin(), (int)getpid(), sock,
			 runs[k].verbose ? "-v" : "", runs[k].flags);
		IWT_RUN(iwt_rping_pair(s, c, 120, false, &srv, &cli));
		IWT_RUN(iwt_rping_check_ok(&cli, "client"));
		IWT_RUN(iwt_rping_check_ok(&srv, "server (one connection, then exit)"));
		if (runs[k].verbose) {
			IWT_RUN(iwt_rping_check_lines(cli.out, "ping data: ", runs[k].count,
						      runs[k].size));
			IWT_RUN(iwt_rping_check_lines(srv.out, "server ping data: ",
						      runs[k].count, runs[k].size));
		}
		unlink(sock);
	}
	return IWT_PASS;
}
