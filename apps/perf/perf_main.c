/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf: perftest's write/read/send bandwidth and latency tests in one
 * binary, over a chosen transport (struct perf_transport):
 *
 *   iwarp-perf [EAL args --] TEST --rdma|--raw|--kernel-tcp [perftest flags] [SERVER]
 *   iwarp-perf [EAL args --] TEST --rdma -R ...  (perftest's own -R protocol)
 *   iwarp_write_bw ...   (the test from the program name)
 *
 * EAL starts only for transports that need it (rdma, raw); kernel-tcp runs without
 * DPDK. Errors end with one line "iwarp-perf: error: <cause>" and a non-zero
 * exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "perf.h"

static bool
has_arg(int argc, char **argv, const char *prefix)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static const struct perf_transport *
transport_of(const struct perf_params *p)
{
	switch (p->transport) {
	case PERF_TRANSPORT_RAW:
		return &perf_raw_transport;
	case PERF_TRANSPORT_KTCP:
		return &perf_ktcp_transport;
	case PERF_TRANSPORT_RDMA:
		return p->rdma_cm ? &perf_perftest_transport : &perf_rdma_transport;
	default:
		return NULL;
	}
}

int
main(int argc, char **argv)
{
	const struct perf_transport *t;
	struct perf_params p;
	int sep, eal_argc, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep == argc) {
		/* No "--": every argument is the application's, no EAL arguments. */
		eal_argc = 1;
		sep = 0;
	} else {
		eal_argc = sep;
	}
	if (perf_params_parse(argc - sep, argv + sep, argv[0], &p) < 0)
		return PERF_EXIT_USAGE;
	t = transport_of(&p);
	if (t == NULL) {
		perf_error("no transport (use --rdma, --raw or --kernel-tcp)");
		return PERF_EXIT_USAGE;
	}
	if (t->needs_eal) {
		if (rte_eal_init(eal_argc, argv) < 0) {
			if (!has_arg(eal_argc, argv, "--no-huge") &&
			    (rte_errno == EACCES || rte_errno == ENOMEM || rte_errno == EFAULT ||
			     rte_errno == ENOENT))
				perf_error("EAL init failed: no usable hugepages (%s); reserve "
					   "hugepages (scripts/setup.sh) or run with --no-huge",
					   rte_strerror(rte_errno));
			else
				perf_error("EAL init failed: %s", rte_strerror(rte_errno));
			return PERF_EXIT_FAIL;
		}
		perf_tsc_from_eal();
	}
	rc = t->run(&p);
	if (t->needs_eal)
		rte_eal_cleanup();
	return rc;
}
