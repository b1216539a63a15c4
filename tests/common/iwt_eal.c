/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "iwt_eal.h"

#define MAX_ARGS 64

/*
 * EAL keeps its runtime directory (/var/run/dpdk/PREFIX) after exit. Every
 * test process has a prefix of its own, so without this a test run leaves
 * hundreds of directories of several MB each behind.
 */
static void
remove_runtime_dir(void)
{
	const char *dir = rte_eal_get_runtime_dir();

	/* Only a per-process test prefix, never a shared one. */
	if (dir != NULL && strstr(dir, "/dpdk/iwt") != NULL)
		iwt_sh_quiet("rm -rf '%s'", dir);
}

int
iwt_eal_init(const char *extra_args)
{
	static char buf[2048];
	char *argv[MAX_ARGS];
	int argc = 0;
	char *tok, *save = NULL;
	const char *lvl = getenv("IWT_LOG_LEVEL");

	/* Telemetry stays off unless the case asks for it. */
	snprintf(buf, sizeof(buf),
		 "iwt --no-huge -m 512 --no-pci %s --file-prefix=iwt%d --log-level=%s %s",
		 extra_args != NULL && strstr(extra_args, "--telemetry") != NULL ?
		 "" : "--no-telemetry",
		 (int)getpid(), lvl != NULL ? lvl : "notice",
		 extra_args != NULL ? extra_args : "");
	for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < MAX_ARGS - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return -rte_errno;
	}
	iwt_eal_leave_no_trace();
	return 0;
}

void
iwt_eal_leave_no_trace(void)
{
	static int done;

	if (!done && atexit(remove_runtime_dir) == 0)
		done = 1;
}

static int
run(const char *cmd, int echo)
{
	int st;

	if (echo)
		fprintf(stderr, "+ %s\n", cmd);
	st = system(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
iwt_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run(cmd, 1);
}

void
iwt_sh_quiet(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	(void)run(cmd, 0);
}
