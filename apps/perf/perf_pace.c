/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --rate_limit and --rate_units: perftest's software rate limiter
 * (--rate_limit_type=SW) for the BW tests, as a token bucket on the TSC.
 *
 * The rate is turned into a gap between messages (M: MB/s of 2^20 bytes, g:
 * 10^9 bit/s, both of the message size; p: messages per second). A sender
 * posts a message only once it is earned: the first at the start, then one
 * every gap. What it does not spend (its window was full, the peer was slow)
 * accumulates up to a burst of -t messages and no more, so the sender never
 * gets ahead of the line "rate x time since the start", and after a stall it
 * catches up by at most -t messages at once. Each sender has its own bucket;
 * kernel TCP's -q lanes each get 1/q of the rate.
 *
 * Doubles keep the fraction of a cycle (64 B at 100 Gbit/s is ~11 cycles a
 * message) and are exact for ~50 days of TSC at 2 GHz.
 */
#include <math.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "perf.h"

void
perf_pace_start(struct perf_pace *pc, const struct perf_params *p, uint32_t size,
		unsigned int share, unsigned int burst)
{
	double per_s;

	memset(pc, 0, sizeof(*pc));
	if (p->rate_limit <= 0 || size == 0)
		return;
	switch (p->rate_units) {
	case PERF_RATE_MBPS:
		per_s = p->rate_limit * 1048576.0 / size;
		break;
	case PERF_RATE_PPS:
		per_s = p->rate_limit;
		break;
	case PERF_RATE_GBPS:
	default:
		per_s = p->rate_limit * 1e9 / 8.0 / size;
		break;
	}
	pc->gap = (double)perf_tsc_hz() * RTE_MAX(1u, share) / per_s;
	pc->burst = RTE_MAX(1u, burst);
	pc->next = 0;
	pc->base = rte_rdtsc();
}

uint64_t
perf_pace_avail(struct perf_pace *pc, uint64_t now, uint64_t max)
{
	double t, full, k;

	if (pc->gap <= 0)
		return max;
	t = (double)(now - pc->base);
	if (t < pc->next)
		return 0;
	/* a full bucket holds `burst` messages: what came beyond is lost */
	full = t - (pc->burst - 1) * pc->gap;
	if (pc->next <= full) {
		pc->next = full;
		k = pc->burst;
	} else {
		k = floor((t - pc->next) / pc->gap) + 1;
	}
	return k < (double)max ? (uint64_t)k : max;
}

void
perf_pace_take(struct perf_pace *pc, uint64_t n)
{
	if (pc->gap > 0)
		pc->next += (double)n * pc->gap;
}

uint64_t
perf_pace_wait(const struct perf_pace *pc, uint64_t now)
{
	double t;

	if (pc->gap <= 0)
		return 0;
	t = (double)(now - pc->base);
	return t >= pc->next ? 0 : (uint64_t)ceil(pc->next - t);
}

const char *
perf_pace_text(const struct perf_params *p, char *buf, size_t len)
{
	snprintf(buf, len, "%.2f %s", p->rate_limit, p->rate_units == PERF_RATE_MBPS ?
		 "MB/sec" : p->rate_units == PERF_RATE_PPS ? "messages/sec" : "Gb/sec");
	return buf;
}
