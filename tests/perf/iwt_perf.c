/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the iwarp-perf app tests (see iwt_perf.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iwt.h"
#include "iwt_perf.h"

const char *
iwt_perf_bin(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/apps/perf/iwarp-perf", iwt_build_dir());
	return path;
}

void
iwt_perf_slurp(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

void
iwt_perf_scan_err(struct iwt_perf_run *r)
{
	char *save = NULL, *line, copy[IWT_PERF_OUT_MAX];

	snprintf(copy, sizeof(copy), "%s", r->err);
	r->error_lines = 0;
	r->last_err[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "iwarp-perf: error:") != NULL)
			r->error_lines++;
		if (line[0] != '\0')
			snprintf(r->last_err, sizeof(r->last_err), "%s", line);
	}
}


int
iwt_perf_bg_start(struct iwt_perf_bg *b, const char *cmd)
{
	char full[4096];

	snprintf(b->outf, sizeof(b->outf), "/tmp/iwt-perf-o-%d-XXXXXX", (int)getpid());
	snprintf(b->errf, sizeof(b->errf), "/tmp/iwt-perf-e-%d-XXXXXX", (int)getpid());
	close(mkstemp(b->outf));
	close(mkstemp(b->errf));
	snprintf(full, sizeof(full), "exec %s >%s 2>%s", cmd, b->outf, b->errf);
	fprintf(stderr, "+ %s &\n", cmd);
	b->pid = fork();
	if (b->pid < 0)
		return -1;
	if (b->pid == 0) {
		execl("/bin/sh", "sh", "-c", full, (char *)NULL);
		_exit(127);
	}
	return 0;
}

/* Wait up to secs for the process; kill it if it does not end. */
int
iwt_perf_bg_wait(struct iwt_perf_bg *b, int secs, struct iwt_perf_run *r)
{
	int st = 0, i;
	pid_t w = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < secs * 20; i++) {
		w = waitpid(b->pid, &st, WNOHANG);
		if (w == b->pid)
			break;
		usleep(50000);
	}
	if (w != b->pid) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, &st, 0);
		r->status = 124;   /* hung */
	} else {
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	iwt_perf_slurp(b->outf, r->out, sizeof(r->out));
	iwt_perf_slurp(b->errf, r->err, sizeof(r->err));
	unlink(b->outf);
	unlink(b->errf);
	iwt_perf_scan_err(r);
	if (r->out[0] != '\0')
		fprintf(stderr, "--- stdout:\n%s", r->out);
	if (r->err[0] != '\0')
		fprintf(stderr, "--- stderr:\n%s", r->err);
	return 0;
}

/* Wait until the background process printed `what` (its ready line). */
bool
iwt_perf_bg_ready(struct iwt_perf_bg *b, const char *what, int secs)
{
	char buf[4096];
	int i;

	for (i = 0; i < secs * 20; i++) {
		iwt_perf_slurp(b->outf, buf, sizeof(buf));
		if (strstr(buf, what) != NULL)
			return true;
		if (waitpid(b->pid, NULL, WNOHANG) == b->pid) {
			b->pid = -1;
			return false;
		}
		usleep(50000);
	}
	return false;
}

int
iwt_perf_run_fg(const char *cmd, int secs, struct iwt_perf_run *r)
{
	struct iwt_perf_bg b;

	if (iwt_perf_bg_start(&b, cmd) < 0)
		return -1;
	return iwt_perf_bg_wait(&b, secs, r);
}

/* A TCP port nobody listens on right now (bound, then released). */
uint16_t
iwt_perf_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int
iwt_perf_expect_error(const char *args, const char *what)
{
	char cmd[2048];
	struct iwt_perf_run r;

	snprintf(cmd, sizeof(cmd), "%s %s", iwt_perf_bin(), args);
	IWT_ASSERT_EQ(iwt_perf_run_fg(cmd, 60, &r), 0, "ran '%s'", cmd);
	IWT_ASSERT(r.status != 0 && r.status != 124, "non-zero exit, no hang, for '%s' (%d)",
		   args, r.status);
	IWT_ASSERT_EQ(r.error_lines, 1, "exactly one error line for '%s'", args);
	IWT_ASSERT(strncmp(r.last_err, "iwarp-perf: error: ", 19) == 0,
		   "the error line is the last: '%s'", r.last_err);
	IWT_ASSERT(strstr(r.last_err, what) != NULL, "'%s' names the cause (%s)", r.last_err,
		   what);
	return IWT_PASS;
}

int
iwt_perf_memif_pair(const char *srv_args, const char *cli_args, const char *ready,
		    struct iwt_perf_run *cli, struct iwt_perf_run *srv)
{
	static unsigned int seq;
	char s[2048], c[2048], sock[64];
	struct iwt_perf_bg bg;
	int rc = IWT_PASS;

	snprintf(sock, sizeof(sock), "/tmp/iwt-perfm-%d-%u.sock", (int)getpid(), seq++);
	unlink(sock);
	snprintf(s, sizeof(s), "%s " IWT_PERF_EAL " -l 0 --file-prefix=iwtpms%d "
		 "--vdev=net_memif0,role=server,socket=%s,bsize=16384 -- %s", iwt_perf_bin(),
		 (int)getpid(), sock, srv_args);
	snprintf(c, sizeof(c), "%s " IWT_PERF_EAL " -l 1 --file-prefix=iwtpmc%d "
		 "--vdev=net_memif0,role=client,socket=%s,bsize=16384 -- %s", iwt_perf_bin(),
		 (int)getpid(), sock, cli_args);
	IWT_ASSERT_EQ(iwt_perf_bg_start(&bg, s), 0, "server started: %s", s);
	if (!iwt_perf_bg_ready(&bg, ready, 30)) {
		if (bg.pid > 0)
			kill(bg.pid, SIGKILL);
		iwt_perf_bg_wait(&bg, 5, srv);
		IWT_LOG("the server never printed '%s': %s %s", ready, srv->out, srv->err);
		rc = IWT_FAIL;
	} else if (iwt_perf_run_fg(c, 120, cli) != 0) {
		IWT_LOG("client did not start: %s", c);
		rc = IWT_FAIL;
	}
	if (rc == IWT_PASS)
		iwt_perf_bg_wait(&bg, 30, srv);
	else if (bg.pid > 0)
		iwt_perf_bg_wait(&bg, 1, srv);
	unlink(sock);
	return rc;
}
