/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iwarp-l3 app: bad configuration ends with exactly one final line
 * "iwarp-l3: error: <what>" and a non-zero status; a good one runs for its
 * duration and exits 0 with its start line and summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "iwt.h"

#define EAL_OK "--no-huge -m 128 --no-pci --no-telemetry"

struct run {
	int status;
	int error_lines;        /* lines containing "iwarp-l3: error:" */
	char last[1024];        /* last non-empty line of stderr */
	char out[8192];         /* stdout */
};

/* Write ini (if not NULL) to a temp file, run the app, collect stderr/stdout. */
static int
run_app(const char *eal, const char *ini, const char *extra, struct run *r)
{
	char cfg[] = "/tmp/iwt-l3-XXXXXX", errf[] = "/tmp/iwt-l3e-XXXXXX";
	char outf[] = "/tmp/iwt-l3o-XXXXXX", cmd[4096], line[1024];
	int fd, st;
	FILE *f;
	size_t n;

	memset(r, 0, sizeof(*r));
	fd = mkstemp(cfg);
	if (fd < 0)
		return -1;
	if (ini != NULL && write(fd, ini, strlen(ini)) != (ssize_t)strlen(ini)) {
		close(fd);
		return -1;
	}
	close(fd);
	close(mkstemp(errf));
	close(mkstemp(outf));
	snprintf(cmd, sizeof(cmd), "%s/apps/l3/iwarp-l3 %s --file-prefix=iwtl3%d -- -c %s %s "
		 ">%s 2>%s", iwt_build_dir(), eal, (int)getpid(), ini ? cfg : "/nonexistent.ini",
		 extra ? extra : "", outf, errf);
	fprintf(stderr, "+ %s\n", cmd);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	f = fopen(errf, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		fputs(line, stderr);
		if (strstr(line, "iwarp-l3: error:") != NULL)
			r->error_lines++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '\0')
			snprintf(r->last, sizeof(r->last), "%s", line);
	}
	if (f != NULL)
		fclose(f);
	f = fopen(outf, "r");
	if (f != NULL) {
		n = fread(r->out, 1, sizeof(r->out) - 1, f);
		r->out[n] = '\0';
		fclose(f);
	}
	unlink(cfg);
	unlink(errf);
	unlink(outf);
	/* EAL leaves its runtime directory behind. */
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/iwtl3%d", (int)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove /var/run/dpdk/iwtl3%d\n", (int)getpid());
	return 0;
}

static int
expect_error(const char *eal, const char *ini, const char *what)
{
	struct run r;

	IWT_ASSERT(access(iwt_build_dir(), F_OK) == 0, "build dir");
	IWT_ASSERT_EQ(run_app(eal, ini, NULL, &r), 0, "ran");
	IWT_ASSERT(r.status != 0, "non-zero exit for '%s'", what);
	IWT_ASSERT_EQ(r.error_lines, 1, "exactly one error line for '%s'", what);
	IWT_ASSERT(strncmp(r.last, "iwarp-l3: error: ", 17) == 0, "error line last: '%s'",
		   r.last);
	IWT_ASSERT(strstr(r.last, what) != NULL, "'%s' names the problem (%s)", r.last, what);
	return IWT_PASS;
}

#define GOOD_PORT "[port]\ndev = net_null0\n"

IWT_CASE(l3_bad_config_missing_file)
{
	IWT_RUN(expect_error(EAL_OK, NULL, "cannot read config file /nonexistent.ini"));
	IWT_RUN(expect_error(EAL_OK, "[port\ndev = x\n", "not a valid INI file"));
	return IWT_PASS;
}

IWT_CASE(l3_bad_config_missing_key)
{
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT, "missing key 'ip' in [net]"));
	IWT_RUN(expect_error(EAL_OK, "[net]\nip = 10.1.1.1\n", "missing key 'dev' in [port]"));
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "[net]\nip = 10.1.1.1\nnetmsk = 255.0.0.0\n",
			     "unknown key 'netmsk' in [net]"));
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "[net]\nip = 10.1.1.1\n[tcp]\nmss = 1\n",
			     "unknown section [tcp]"));
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "queues = 0\n[net]\nip = 10.1.1.1\n",
			     "[port] queues"));
	return IWT_PASS;
}

IWT_CASE(l3_bad_config_bad_address)
{
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "[net]\nip = 10.1.1.300\n",
			     "[net] ip: '10.1.1.300' is not an IPv4 address"));
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "[net]\nip = 224.0.0.1\n",
			     "[net] ip: 224.0.0.1 is not a unicast host address"));
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "[net]\nip = 10.1.1.1\nnetmask = 255.0.255.0\n",
			     "[net] netmask: 255.0.255.0 is not a contiguous netmask"));
	IWT_RUN(expect_error(EAL_OK, GOOD_PORT "[net]\nip = 10.1.1.1\ngateway = 10.2.0.1\n",
			     "[net] gateway: 10.2.0.1 is not another host of the local subnet"));
	return IWT_PASS;
}

IWT_CASE(l3_bad_config_unknown_device)
{
	IWT_RUN(expect_error(EAL_OK, "[port]\ndev = net_nosuchpmd0\n[net]\nip = 10.1.1.1\n",
			     "no such device 'net_nosuchpmd0'"));
	IWT_RUN(expect_error(EAL_OK, "[port]\ndev = 0000:ff:1f.7\n[net]\nip = 10.1.1.1\n",
			     "no such device '0000:ff:1f.7'"));
	IWT_RUN(expect_error(EAL_OK, "[port]\ndev = net_af_packet0,iface=iwtnosuch0\n"
			     "[net]\nip = 10.1.1.1\n", "no such device"));
	return IWT_PASS;
}

IWT_CASE(l3_bad_config_no_hugepages)
{
	char dir[] = "/tmp/iwt-nohuge-XXXXXX";
	int rc;

	/*
	 * A --huge-dir that is not a hugetlbfs mount leaves EAL without hugepages
	 * whatever this machine has reserved: the app must say so and name the
	 * --no-huge fallback.
	 */
	if (mkdtemp(dir) == NULL)
		IWT_SKIP_BECAUSE("cannot create a temporary directory");
	{
		char eal[256];

		snprintf(eal, sizeof(eal), "--no-pci --no-telemetry --huge-dir=%s", dir);
		rc = expect_error(eal, GOOD_PORT "[net]\nip = 10.1.1.1\n", "no usable hugepages");
		if (rc == IWT_PASS)
			rc = expect_error(eal, GOOD_PORT "[net]\nip = 10.1.1.1\n", "--no-huge");
	}
	rmdir(dir);
	return rc;
}

IWT_CASE(l3_app_duration_clean_exit)
{
	struct run r;

	/* net_null floods 64-byte frames of zeros: all dropped, counted, and the app exits. */
	IWT_ASSERT_EQ(run_app(EAL_OK, GOOD_PORT "[net]\nip = 10.1.1.1\n", "--duration 1", &r), 0,
		      "ran");
	IWT_ASSERT_EQ(r.status, 0, "clean exit");
	IWT_ASSERT_EQ(r.error_lines, 0, "no error");
	IWT_ASSERT(strstr(r.out, "iwarp-l3: port net_null0") != NULL, "start line: %s", r.out);
	IWT_ASSERT(strstr(r.out, "iwarp-l3: offloads ") != NULL, "offloads line");
	IWT_ASSERT(strstr(r.out, "iwarp-l3: ran ") != NULL, "summary line");
	IWT_ASSERT(strstr(r.out, "dropped: not ours ") != NULL, "drop summary");

	/* Two queues on two lcores: both pollers stop on time and park, exit 0. */
	IWT_ASSERT_EQ(run_app("-l 0,1 " EAL_OK, "[port]\ndev = net_null0\nqueues = 2\n"
			      "[net]\nip = 10.1.1.1\n", "--duration 1", &r), 0, "ran");
	IWT_ASSERT_EQ(r.status, 0, "clean exit with two lcores");
	IWT_ASSERT(strstr(r.out, "2 queue(s) polled by 2 lcore(s)") != NULL, "%s", r.out);
	IWT_ASSERT(strstr(r.out, "iwarp-l3: ran ") != NULL, "summary line");
	return IWT_PASS;
}
