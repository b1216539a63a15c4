/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf -R (perftest's own rdma_cm protocol, perf_perftest.c) against
 * itself: two processes on net_memif, each test -R implements (write_bw,
 * read_bw, send_bw, write_lat, read_lat) over perftest's whole -a sweep,
 * 2 B .. 8 MiB.
 * Both sides print perftest's table; the WRITE/READ server prints the
 * client's report as it came over the control connection; the side that
 * receives the data counted its FPDUs. A -R client meeting a server of our
 * own protocol is refused at once with one error line.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "iwt.h"
#include "../perf/iwt_perf.h"
#include "iwt_perftest.h"

#define SWEEP 23 /* 2^1 .. 2^23 */
#define ITERS 20

/* A server (srv_flags) and a client (cli_flags) of test over net_memif. */
static int
run_pair(const char *test, const char *srv_flags, const char *cli_flags, const char *ready,
	 struct iwt_perf_run *cli, struct iwt_perf_run *srv)
{
	char s[1024], c[1024];

	snprintf(s, sizeof(s), "%s --rdma %s --timeout 30", test, srv_flags);
	snprintf(c, sizeof(c), "%s --rdma %s --timeout 30 10.77.0.1", test, cli_flags);
	return iwt_perf_memif_pair(s, c, ready, cli, srv);
}

static int
pair(const char *test, const char *flags, struct iwt_perf_run *cli, struct iwt_perf_run *srv)
{
	char f[128];

	snprintf(f, sizeof(f), "-R %s", flags);
	IWT_RUN(run_pair(test, f, f, "perftest -R server waiting", cli, srv));
	IWT_ASSERT_EQ(cli->status, 0, "%s client: %s %s", test, cli->out, cli->err);
	IWT_ASSERT_EQ(srv->status, 0, "%s server: %s %s", test, srv->out, srv->err);
	return IWT_PASS;
}

IWT_CASE(perf_rdma_cm_perftest_protocol_memif_sweep)
{
	static struct iwt_perf_run cli, srv;
	static char crows[SWEEP][IWT_PT_ROW], srows[SWEEP][IWT_PT_ROW];
	static const char *const tests[] = { "write_bw", "read_bw", "send_bw", "write_lat",
					     "read_lat" };
	char flags[64];
	unsigned int k;
	int i, nc, ns;

	snprintf(flags, sizeof(flags), "-a -n %d", ITERS);
	for (k = 0; k < RTE_DIM(tests); k++) {
		bool lat = strstr(tests[k], "lat") != NULL;
		bool read = strncmp(tests[k], "read", 4) == 0;
		bool passive = !lat && strcmp(tests[k], "send_bw") != 0;
		uint64_t in[2], out[2], data;

		IWT_RUN(pair(tests[k], flags, &cli, &srv));
		nc = iwt_pt_rows(cli.out, crows, SWEEP);
		ns = iwt_pt_rows(srv.out, srows, SWEEP);
		IWT_ASSERT_EQ(nc, SWEEP, "client rows of %s: %s", tests[k], cli.out);
		for (i = 0; i < nc; i++)
			IWT_RUN(iwt_pt_check_row(crows[i], lat, 2u << i, ITERS));
		if (strcmp(tests[k], "read_lat") == 0) {
			IWT_ASSERT_EQ(ns, 0, "the read_lat server prints no row: %s", srv.out);
		} else if (passive) {
			/* perftest's WRITE/READ server prints the client's last report */
			IWT_ASSERT_EQ(ns, 1, "server rows of %s: %s", tests[k], srv.out);
			IWT_ASSERT(strcmp(srows[0], crows[SWEEP - 1]) == 0,
				   "the server printed the client's report: '%s' vs '%s'",
				   srows[0], crows[SWEEP - 1]);
		} else {
			IWT_ASSERT_EQ(ns, SWEEP, "server rows of %s: %s", tests[k], srv.out);
			for (i = 0; i < ns; i++)
				IWT_RUN(iwt_pt_check_row(srows[i], lat, 2u << i, ITERS));
		}
		IWT_ASSERT_EQ(iwt_pt_fpdus(cli.out, &in[0], &out[0]), 0, "client FPDUs: %s",
			      cli.out);
		IWT_ASSERT_EQ(iwt_pt_fpdus(srv.out, &in[1], &out[1]), 0, "server FPDUs: %s",
			      srv.out);
		/* the data went where the test sends it: 2 B .. 8 MiB x ITERS */
		data = iwt_pt_min_fpdus(16u << 20, ITERS) / 2;
		if (read)
			IWT_ASSERT(in[0] >= data && out[1] >= data, "READ data: %lu in, %lu out",
				   (unsigned long)in[0], (unsigned long)out[1]);
		else
			IWT_ASSERT(out[0] >= data && in[1] >= data, "%s data: %lu out, %lu in",
				   tests[k], (unsigned long)out[0], (unsigned long)in[1]);
		printf("%s -R -a: %d sizes, both sides reported\n", tests[k], nc);
	}
	/* a -R client and a server of our own protocol: refused at once, one line */
	IWT_RUN(run_pair("write_bw", "", "-R -s 64", "waiting for a client", &cli, &srv));
	iwt_perf_scan_err(&cli);
	IWT_ASSERT(cli.status != 0 && cli.error_lines == 1 && strstr(cli.last_err, "refused"),
		   "-R client against our protocol's server: %d, %s", cli.status, cli.err);
	/* -R belongs to --rdma */
	IWT_RUN(iwt_perf_expect_error("write_bw --kernel-tcp -R", "-R"));
	return IWT_PASS;
}
