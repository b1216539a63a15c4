/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the iwarp-rping tests (see iwt_rping.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_rping.h"

const char *
iwt_rping_bin(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/apps/rping/iwarp-rping", iwt_build_dir());
	return path;
}

void
iwt_rping_text(uint32_t n, uint32_t size, char *out)
{
	int start = 65 + (int)(n % 58), cc;
	unsigned char c;
	uint32_t i;

	/* the pattern's first letter advances by one per ping over 'A'..'z' (58 letters) */
	cc = snprintf(out, size, "rdma-ping-%u: ", n);
	for (i = (uint32_t)cc, c = (unsigned char)start; i < size; i++) {
		out[i] = (char)c;
		if (++c > 122)
			c = 65;
	}
	out[size - 1] = '\0';
}

int
iwt_rping_check_lines(const char *out, const char *prefix, uint32_t count, uint32_t size)
{
	char *want = malloc(size + 1);
	const char *line = out, *nl;
	size_t plen = strlen(prefix);
	uint32_t n = 0;

	IWT_ASSERT(want != NULL, "malloc");
	while (*line != '\0') {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		if (strncmp(line, prefix, plen) == 0 &&
		    strncmp(line + plen, "rdma-ping-", 10) == 0) {
			iwt_rping_text(n, size, want);
			if ((size_t)(nl - line) != plen + strlen(want) ||
			    strncmp(line + plen, want, strlen(want)) != 0) {
				IWT_LOG("ping %u: '%.*s' is not '%s%s'", n, (int)(nl - line), line,
					prefix, want);
				free(want);
				return IWT_FAIL;
			}
			n++;
		}
		line = *nl ? nl + 1 : nl;
	}
	free(want);
	IWT_ASSERT_EQ(n, count, "'%s' lines, each rping's text", prefix);
	return IWT_PASS;
}

int
iwt_rping_errors(const char *err, char *last, size_t len)
{
	const char *line = err, *nl;
	int n = 0;

	last[0] = '\0';
	while (*line != '\0') {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		if (strncmp(line, "iwarp-rping: error:", 19) == 0)
			n++;
		if (nl > line)
			snprintf(last, len, "%.*s", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
	return n;
}

int
iwt_rping_expect_error(const char *prefix, const char *args, const char *what, int secs)
{
	static struct iwt_perf_run r;
	char cmd[2048], last[1024];
	int n;

	snprintf(cmd, sizeof(cmd), "%s %s %s", prefix, iwt_rping_bin(), args);
	IWT_ASSERT_EQ(iwt_perf_run_fg(cmd, secs, &r), 0, "ran '%s'", cmd);
	IWT_ASSERT(r.status != 0 && r.status != 124, "non-zero exit, no hang, for '%s' (%d)",
		   args, r.status);
	n = iwt_rping_errors(r.err, last, sizeof(last));
	IWT_ASSERT_EQ(n, 1, "exactly one error line for '%s'", args);
	IWT_ASSERT(strncmp(last, "iwarp-rping: error: ", 20) == 0,
		   "the error line is the last: '%s'", last);
	IWT_ASSERT(strstr(last, what) != NULL, "'%s' names the cause (%s)", last, what);
	return IWT_PASS;
}

int
iwt_ns_veth(const char *ns, const char *a, const char *b)
{
	iwt_sh_quiet("ip netns del %s", ns);
	return iwt_sh("ip netns add %s && ip -n %s link set lo up && "
		      "ip -n %s link add %s type veth peer name %s && "
		      "ip -n %s link set %s up && ip -n %s link set %s up && "
		      "ip netns exec %s ethtool -K %s tx off >/dev/null && "
		      "ip netns exec %s ethtool -K %s tx off >/dev/null && "
		      "ip netns exec %s sh -c 'echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus && "
		      "echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus'",
		      ns, ns, ns, a, b, ns, a, ns, b, ns, a, ns, b, ns, a, b);
}

/* Start the server, wait for its ready line, run the client, collect both. */
int
iwt_rping_pair(const char *srv_cmd, const char *cli_cmd, int secs, bool stop_server,
     struct iwt_perf_run *srv, struct iwt_perf_run *cli)
{
	struct iwt_perf_bg bs;

	IWT_ASSERT_EQ(iwt_perf_bg_start(&bs, srv_cmd), 0, "server started");
	if (!iwt_perf_bg_ready(&bs, "server listening on", 20)) {
		if (bs.pid > 0)
			kill(bs.pid, SIGKILL);
		iwt_perf_bg_wait(&bs, 5, srv);
		IWT_LOG("server never listened");
		return IWT_FAIL;
	}
	IWT_ASSERT_EQ(iwt_perf_run_fg(cli_cmd, secs, cli), 0, "client ran");
	if (stop_server) {
		usleep(300000);
		kill(bs.pid, SIGTERM);
	}
	iwt_perf_bg_wait(&bs, 20, srv);
	return IWT_PASS;
}

int
iwt_rping_check_ok(const struct iwt_perf_run *r, const char *who)
{
	char last[1024];

	IWT_ASSERT_EQ(r->status, 0, "%s exits 0", who);
	IWT_ASSERT_EQ(iwt_rping_errors(r->err, last, sizeof(last)), 0, "%s: no error line", who);
	return IWT_PASS;
}
