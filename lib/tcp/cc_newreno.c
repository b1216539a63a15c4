/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno congestion control: RFC 5681 slow start and congestion avoidance
 * (one SMSS per window of acknowledged bytes), halving on loss.
 */
#include "tcp_cc.h"

void
tcp_cc_init(struct tcp_cc *cc, const struct tcp_cc_ops *ops, uint32_t mss, uint32_t iw_segs)
{
	*cc = (struct tcp_cc){ .ops = ops, .mss = mss };
	if (iw_segs == 0)
		iw_segs = 10;
	cc->cwnd = iw_segs * mss;
	cc->ssthresh = UINT32_MAX;
	ops->init(cc);
}

static void
newreno_init(struct tcp_cc *cc)
{
	cc->bytes_acked = 0;
}

static void
newreno_ack(struct tcp_cc *cc, uint32_t acked, uint32_t srtt_us, uint64_t now_us)
{
	(void)srtt_us;
	(void)now_us;
	if (tcp_cc_in_slow_start(cc)) {
		tcp_cc_slow_start(cc, acked);
		return;
	}
	/* RFC 5681 (3.1): cwnd += SMSS once per cwnd of acknowledged bytes */
	cc->bytes_acked += acked;
	if (cc->bytes_acked >= cc->cwnd) {
		cc->bytes_acked -= cc->cwnd;
		cc->cwnd += cc->mss;
	}
}

static uint32_t
half_flight(const struct tcp_cc *cc, uint32_t flight)
{
	uint32_t s = flight / 2;

	return s > 2 * cc->mss ? s : 2 * cc->mss;
}

static void
newreno_loss(struct tcp_cc *cc, uint32_t flight)
{
	cc->ssthresh = half_flight(cc, flight); /* RFC 5681 (4) */
	cc->cwnd = cc->ssthresh;
	cc->bytes_acked = 0;
}

static void
newreno_rto(struct tcp_cc *cc, uint32_t flight)
{
	cc->ssthresh = half_flight(cc, flight);
	cc->cwnd = cc->mss; /* loss window */
	cc->bytes_acked = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.init = newreno_init,
	.ack = newreno_ack,
	.loss = newreno_loss,
	.rto = newreno_rto,
};
