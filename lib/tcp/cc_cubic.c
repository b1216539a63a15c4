/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC congestion control, RFC 9438: W_cubic(t) = C (t - K)^3 + W_max with
 * C = 0.4, beta = 0.7, fast convergence, the Reno-friendly estimate W_est and
 * the target clamp [cwnd, 1.5 cwnd]. Windows in segments inside, bytes outside.
 */
#include <math.h>

#include "tcp_cc.h"

static void
cubic_init(struct tcp_cc *cc)
{
	cc->w_max = 0;
	cc->k = 0;
	cc->w_est = 0;
	cc->t_epoch_us = 0;
	cc->bytes_acked = 0;
}

static double
w_cubic(const struct tcp_cc *cc, double t)
{
	double d = t - cc->k;

	return TCP_CUBIC_C * d * d * d + cc->w_max;
}

static void
cubic_ack(struct tcp_cc *cc, uint32_t acked, uint32_t srtt_us, uint64_t now_us)
{
	double cwnd = (double)cc->cwnd / cc->mss, t, target, alpha;

	if (tcp_cc_in_slow_start(cc)) {
		tcp_cc_slow_start(cc, acked);
		return;
	}
	if (cc->t_epoch_us == 0) {
		/* RFC 9438 4.2: a new congestion avoidance epoch */
		cc->t_epoch_us = now_us ? now_us : 1;
		cc->cwnd_epoch = cwnd;
		cc->w_est = cwnd;
		if (cc->w_max < cwnd) {
			cc->w_max = cwnd;
			cc->k = 0;
		} else {
			cc->k = cbrt((cc->w_max - cwnd) / TCP_CUBIC_C);
		}
	}
	t = (double)(now_us - cc->t_epoch_us) / 1e6;
	/* 4.3: Reno-friendly region */
	alpha = cc->w_est >= cc->w_max ? 1.0 :
		3.0 * (1.0 - TCP_CUBIC_BETA) / (1.0 + TCP_CUBIC_BETA);
	cc->w_est += alpha * ((double)acked / cc->mss) / cwnd;
	if (w_cubic(cc, t) < cc->w_est) {
		if (cc->w_est > cwnd)
			cc->cwnd = (uint32_t)(cc->w_est * cc->mss);
		return;
	}
	/* 4.4/4.5: concave and convex regions, target one RTT ahead */
	target = w_cubic(cc, t + (double)srtt_us / 1e6);
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	cwnd += (target - cwnd) / cwnd * ((double)acked / cc->mss);
	if (cwnd * cc->mss > (double)UINT32_MAX / 2)
		cwnd = (double)UINT32_MAX / 2 / cc->mss;
	cc->cwnd = (uint32_t)(cwnd * cc->mss);
}

/* 4.6/4.7: multiplicative decrease with fast convergence. */
static void
cubic_reduce(struct tcp_cc *cc)
{
	double cwnd = (double)cc->cwnd / cc->mss;
	uint32_t ss;

	if (cwnd < cc->w_max)
		cc->w_max = cwnd * (1.0 + TCP_CUBIC_BETA) / 2.0;
	else
		cc->w_max = cwnd;
	ss = (uint32_t)(cc->cwnd * TCP_CUBIC_BETA);
	cc->ssthresh = ss > 2 * cc->mss ? ss : 2 * cc->mss;
	cc->t_epoch_us = 0;
}

static void
cubic_loss(struct tcp_cc *cc, uint32_t flight)
{
	(void)flight;
	cubic_reduce(cc);
	cc->cwnd = cc->ssthresh;
}

static void
cubic_rto(struct tcp_cc *cc, uint32_t flight)
{
	(void)flight;
	cubic_reduce(cc);
	cc->cwnd = cc->mss;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.ack = cubic_ack,
	.loss = cubic_loss,
	.rto = cubic_rto,
};
