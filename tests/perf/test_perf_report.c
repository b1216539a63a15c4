/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf's report arithmetic against hand-computed answers: perftest's
 * latency statistics (min, max, median of an even count, mean, standard
 * deviation, nearest-rank 99% and 99.9%), half the round trip except READ,
 * the units (MB/sec = 2^20 B/s, Gb/sec = 10^9 bit/s, Mpps) and the peak
 * bandwidth over the best run of consecutive messages.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iwt.h"
#include "../../apps/perf/perf.h"

/* Run perf_report_line() with stdout captured into buf. */
static int
capture_line(const struct perf_params *p, const struct perf_result *r, char *buf, size_t len)
{
	char path[] = "/tmp/iwt-perf-report-XXXXXX";
	int fd = mkstemp(path), saved;
	FILE *f;
	size_t n;

	if (fd < 0)
		return -1;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	perf_report_line(p, r);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	n = f != NULL ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f != NULL)
		fclose(f);
	unlink(path);
	return 0;
}

static void
base_params(struct perf_params *p, enum perf_verb verb, enum perf_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->verb = verb;
	p->kind = kind;
	p->transport = PERF_TRANSPORT_KTCP;
	p->test_name = "test";
}

#define NEAR(a, b) (fabs((a) - (b)) <= 0.011)

IWT_CASE(perf_report_latency_stats_exact)
{
	double us = (double)perf_tsc_hz() / 1e6, v[7];
	uint64_t samples[100];
	struct perf_params p;
	struct perf_result r;
	unsigned long b, it;
	char line[1024];
	unsigned int i;

	/* Round trips of 2..200 usec (half: 1..100), shuffled by a fixed stride. */
	for (i = 0; i < 100; i++)
		samples[i] = (uint64_t)llround(((i * 37) % 100 + 1) * 2 * us);
	base_params(&p, PERF_VERB_WRITE, PERF_KIND_LAT);
	memset(&r, 0, sizeof(r));
	r.size = 64;
	r.iters = 100;
	r.samples = samples;
	r.nb_samples = 100;
	r.rtt_factor = 2;
	IWT_ASSERT_EQ(capture_line(&p, &r, line, sizeof(line)), 0, "captured");
	IWT_ASSERT_EQ(sscanf(line, "%lu %lu %lf %lf %lf %lf %lf %lf %lf", &b, &it, &v[0], &v[1],
			     &v[2], &v[3], &v[4], &v[5], &v[6]), 9, "nine columns: '%s'", line);
	IWT_ASSERT(b == 64 && it == 100, "bytes and iterations: '%s'", line);
	IWT_ASSERT(NEAR(v[0], 1) && NEAR(v[1], 100), "min 1, max 100: '%s'", line);
	IWT_ASSERT(NEAR(v[2], 50.5), "median of an even count averages the middle two: '%s'",
		   line);
	IWT_ASSERT(NEAR(v[3], 50.5), "mean: '%s'", line);
	IWT_ASSERT(NEAR(v[4], sqrt((100.0 * 100.0 - 1) / 12)), "population stdev: '%s'", line);
	IWT_ASSERT(NEAR(v[5], 99) && NEAR(v[6], 100), "nearest-rank 99%% and 99.9%%: '%s'",
		   line);

	/* READ reports the whole round trip (perftest's rtt_factor 1). */
	for (i = 0; i < 100; i++)
		samples[i] = (uint64_t)llround((i + 1) * 2 * us);
	r.rtt_factor = 1;
	p.verb = PERF_VERB_READ;
	IWT_ASSERT_EQ(capture_line(&p, &r, line, sizeof(line)), 0, "captured");
	IWT_ASSERT_EQ(sscanf(line, "%lu %lu %lf %lf %lf", &b, &it, &v[0], &v[1], &v[2]), 5,
		      "columns: '%s'", line);
	IWT_ASSERT(NEAR(v[0], 2) && NEAR(v[1], 200) && NEAR(v[2], 101), "READ: '%s'", line);
	return IWT_PASS;
}

IWT_CASE(perf_report_bw_units_and_peak)
{
	uint64_t posted[10], completed[10], hz = perf_tsc_hz();
	struct perf_params p;
	struct perf_result r;
	double v[3], peak;
	unsigned long b, it;
	char line[1024];
	unsigned int i;

	/*
	 * One message posted every 1000 cycles, each complete 500 cycles after
	 * its post: the best run is one message in 500 cycles; any longer run
	 * of k messages takes (k - 1) * 1000 + 500 cycles.
	 */
	for (i = 0; i < 10; i++) {
		posted[i] = 1000000 + i * 1000ull;
		completed[i] = posted[i] + 500;
	}
	peak = perf_peak_bw(posted, completed, 10, 4096);
	IWT_ASSERT(fabs(peak - 4096.0 * (double)hz / 500) < 1e-6 * peak, "peak %.1f", peak);
	/* A late completion of the first message spoils only runs that include it. */
	completed[0] = posted[0] + 100000;
	IWT_ASSERT(fabs(perf_peak_bw(posted, completed, 10, 4096) - peak) < 1e-6 * peak,
		   "best run excludes the slow one");

	base_params(&p, PERF_VERB_WRITE, PERF_KIND_BW);
	memset(&r, 0, sizeof(r));
	r.size = 65536;
	r.iters = 5000;
	r.bw_peak = 2.0 * 1048576 * 1000;  /* 2000 MB/sec */
	r.bw_avg = 1048576.0 * 1000;       /* 1000 MB/sec */
	r.msg_rate = r.bw_avg / 65536;     /* 0.016 Mpps */
	IWT_ASSERT_EQ(capture_line(&p, &r, line, sizeof(line)), 0, "captured");
	IWT_ASSERT_EQ(sscanf(line, "%lu %lu %lf %lf %lf", &b, &it, &v[0], &v[1], &v[2]), 5,
		      "five columns: '%s'", line);
	IWT_ASSERT(b == 65536 && it == 5000, "bytes and iterations: '%s'", line);
	IWT_ASSERT(NEAR(v[0], 2000) && NEAR(v[1], 1000), "MB/sec is 2^20 B/s: '%s'", line);
	IWT_ASSERT(fabs(v[2] - 0.016000) < 1e-6, "MsgRate in Mpps: '%s'", line);

	p.report_gbits = true;
	IWT_ASSERT_EQ(capture_line(&p, &r, line, sizeof(line)), 0, "captured");
	IWT_ASSERT_EQ(sscanf(line, "%lu %lu %lf %lf", &b, &it, &v[0], &v[1]), 4, "columns");
	IWT_ASSERT(NEAR(v[1], 1048576.0 * 1000 * 8 / 1e9), "Gb/sec is 10^9 bit/s: '%s'", line);

	/* -N prints a zero peak, as perftest. */
	p.no_peak = true;
	IWT_ASSERT_EQ(capture_line(&p, &r, line, sizeof(line)), 0, "captured");
	IWT_ASSERT_EQ(sscanf(line, "%lu %lu %lf", &b, &it, &v[0]), 3, "columns");
	IWT_ASSERT(v[0] == 0, "no peak with -N: '%s'", line);

	/* --cpu_util: the busy share and cycles per byte follow. */
	p.no_peak = false;
	p.cpu_util = true;
	r.cpu.busy = 250;
	r.cpu.total = 1000;
	r.bytes = 100;
	IWT_ASSERT_EQ(capture_line(&p, &r, line, sizeof(line)), 0, "captured");
	IWT_ASSERT_EQ(sscanf(line, "%*u %*u %*f %*f %*f %lf %lf", &v[0], &v[1]), 2,
		      "CPU columns: '%s'", line);
	IWT_ASSERT(NEAR(v[0], 25) && NEAR(v[1], 2.5), "25%% busy, 2.5 cycles/byte: '%s'", line);
	return IWT_PASS;
}
