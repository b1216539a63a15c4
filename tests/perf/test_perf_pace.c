/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-perf's --rate_limit token bucket (apps/perf/perf_pace.c) on a
 * simulated clock, no waiting: the gap each unit gives, the first message at
 * once, a greedy sender never ahead of 1 + t / gap messages, a full bucket
 * of -t after an idle spell and not one more, perf_pace_wait() naming the
 * first cycle of the next message, -q lanes their share, no rate no pacing.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <rte_common.h>

#include "iwt.h"
#include "../../apps/perf/perf.h"

static void
pace_params(struct perf_params *p, double rate, enum perf_rate_units u)
{
	memset(p, 0, sizeof(*p));
	p->kind = PERF_KIND_BW;
	p->rate_limit = rate;
	p->rate_units = u;
}

/* The gap of each unit, in TSC cycles per message. */
IWT_CASE(perf_pace_gap_per_unit)
{
	double hz = (double)perf_tsc_hz();
	struct perf_params p;
	struct perf_pace pc;

	pace_params(&p, 2, PERF_RATE_GBPS);
	perf_pace_start(&pc, &p, 65536, 1, 128);
	IWT_ASSERT(fabs(pc.gap - hz * 65536 * 8 / 2e9) < 1e-6 * pc.gap, "g: %f", pc.gap);
	pace_params(&p, 100, PERF_RATE_MBPS);
	perf_pace_start(&pc, &p, 1 << 20, 1, 128);
	IWT_ASSERT(fabs(pc.gap - hz / 100) < 1e-6 * pc.gap, "M is 2^20 bytes/s: %f", pc.gap);
	pace_params(&p, 4000, PERF_RATE_PPS);
	perf_pace_start(&pc, &p, 123, 1, 128);
	IWT_ASSERT(fabs(pc.gap - hz / 4000) < 1e-6 * pc.gap, "p: messages/s: %f", pc.gap);
	perf_pace_start(&pc, &p, 123, 4, 128);
	IWT_ASSERT(fabs(pc.gap - 4 * hz / 4000) < 1e-6 * pc.gap, "-q 4: a quarter each: %f",
		   pc.gap);
	pace_params(&p, 0, PERF_RATE_GBPS);
	perf_pace_start(&pc, &p, 65536, 1, 128);
	IWT_ASSERT(!perf_pace_on(&pc), "no --rate_limit: not paced");
	IWT_ASSERT_EQ(perf_pace_avail(&pc, pc.base + 1, 77), 77, "unpaced: all at once");
	IWT_ASSERT_EQ(perf_pace_wait(&pc, pc.base + 1), 0, "unpaced: no wait");
	return IWT_PASS;
}

/*
 * A sender that takes everything earned, polling at uneven steps (most
 * shorter than a gap, some up to 10 gaps long, within the bucket): at every
 * step its total is 1 + t / gap rounded down, never more; after an idle
 * spell a full bucket holds exactly -t (burst) messages.
 */
IWT_CASE(perf_pace_never_ahead_of_the_rate)
{
	struct perf_params p;
	struct perf_pace pc;
	uint64_t t, taken = 0, k, seed = 12345, step;
	double gap, bound;
	unsigned int i;

	/* 64 B at 100 Gbit/s: a gap of a few cycles, fractions matter */
	pace_params(&p, 100, PERF_RATE_GBPS);
	perf_pace_start(&pc, &p, 64, 1, 16);
	gap = pc.gap;
	IWT_ASSERT(gap > 0, "paced");
	IWT_ASSERT_EQ(perf_pace_avail(&pc, pc.base, 1000), 1, "the first message at once");
	t = 0;
	for (i = 0; i < 200000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		step = (seed >> 33) % 5 == 0 ? (seed >> 40) % (uint64_t)(10 * gap) :
			(seed >> 40) % (uint64_t)(gap + 1);
		t += step;
		k = perf_pace_avail(&pc, pc.base + t, 1000);
		IWT_ASSERT(k <= 16, "at most -t (16) at once: %" PRIu64 " at %" PRIu64, k, t);
		perf_pace_take(&pc, k);
		taken += k;
		/* within a cycle: the doubles round, the clock does not stop between */
		bound = 1.0 + (double)(t + 1) / gap;
		IWT_ASSERT((double)taken <= bound, "%" PRIu64 " messages by cycle %" PRIu64
			   ": more than 1 + (t + 1) / gap = %.6f", taken, t, bound);
		bound = 1.0 + (double)(t - RTE_MIN(t, 1ul)) / gap;
		IWT_ASSERT((double)taken >= floor(bound), "%" PRIu64 " messages by cycle %"
			   PRIu64 ": behind 1 + (t - 1) / gap = %.6f", taken, t, bound);
	}

	/* idle for 1000 gaps: a full bucket of -t, then nothing until the next gap */
	pace_params(&p, 2, PERF_RATE_GBPS);
	perf_pace_start(&pc, &p, 65536, 1, 128);
	gap = pc.gap;
	t = (uint64_t)(1000 * gap);
	k = perf_pace_avail(&pc, pc.base + t, 100000);
	IWT_ASSERT_EQ(k, 128, "after an idle spell: the burst (-t 128), not %" PRIu64, k);
	perf_pace_take(&pc, k);
	IWT_ASSERT_EQ(perf_pace_avail(&pc, pc.base + t, 100000), 0, "the bucket is empty");
	step = perf_pace_wait(&pc, pc.base + t);
	IWT_ASSERT(step > 0 && (double)step <= gap + 1, "the next in at most a gap: %" PRIu64,
		   step);
	IWT_ASSERT_EQ(perf_pace_avail(&pc, pc.base + t + step - 1, 10), 0,
		      "not a cycle early");
	IWT_ASSERT_EQ(perf_pace_avail(&pc, pc.base + t + step, 10), 1,
		      "earned at the cycle perf_pace_wait() named");
	return IWT_PASS;
}
