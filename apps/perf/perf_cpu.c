/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPU accounting in the spirit of the seed paper's %CPU curves.
 *
 * A polling transport (raw) counts, with rte_rdtsc(), the cycles of the poll
 * iterations that did work (received or sent something) against all cycles
 * of the measured phase: the busy share of the polling core. A blocking
 * transport (kernel TCP) sleeps in the kernel when idle, so its busy share is
 * the thread's CPU time (user + system, CLOCK_THREAD_CPUTIME_ID) over the wall
 * time. Cycles per byte is busy cycles over payload bytes moved.
 *
 * The TSC rate comes from EAL when it runs, otherwise from a short
 * calibration against CLOCK_MONOTONIC_RAW, so the kernel-tcp mode needs no EAL.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "perf.h"

static uint64_t tsc_hz;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
perf_tsc_from_eal(void)
{
	tsc_hz = rte_get_tsc_hz();
}

uint64_t
perf_tsc_hz(void)
{
	uint64_t n0, n1, c0, c1;

	if (tsc_hz != 0)
		return tsc_hz;
	/* 50 ms against the monotonic clock: a few ppm, plenty for a report. */
	n0 = mono_ns();
	c0 = rte_rdtsc();
	do {
		n1 = mono_ns();
	} while (n1 - n0 < 50000000ull);
	c1 = rte_rdtsc();
	tsc_hz = (uint64_t)((double)(c1 - c0) * 1e9 / (double)(n1 - n0));
	return tsc_hz;
}

uint64_t
perf_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double
perf_cpu_busy_pct(const struct perf_cpu *c)
{
	if (c->total == 0)
		return 0;
	return 100.0 * (double)c->busy / (double)c->total;
}

/*
 * perftest's peak: the best rate over any run of consecutive messages, from
 * the post time of the first to the completion of the last. Exact below
 * PEAK_EXACT messages, sampled start points above (O(n^2) otherwise).
 */
#define PEAK_EXACT 8192

double
perf_peak_bw(const uint64_t *posted, const uint64_t *completed, uint64_t n, uint32_t size)
{
	uint64_t i, j, stride;
	double best = 0, t;

	if (n == 0)
		return 0;
	stride = n > PEAK_EXACT ? n / PEAK_EXACT : 1;
	for (i = 0; i < n; i += stride) {
		for (j = i; j < n; j += stride) {
			if (completed[j] <= posted[i])
				continue;
			t = (double)(completed[j] - posted[i]) / (double)(j - i + 1);
			if (best == 0 || t < best)
				best = t;
		}
	}
	if (best == 0)
		return 0;
	return (double)size * (double)perf_tsc_hz() / best;
}
