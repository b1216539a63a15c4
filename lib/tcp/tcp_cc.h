/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_CC_H
#define TCP_CC_H

/**
 * @file
 * Congestion control modules behind one ops struct, chosen per connection:
 * NewReno (RFC 5681 slow start and congestion avoidance with appropriate byte
 * counting, RFC 6582 is the recovery driven by the TCB) and CUBIC (RFC 9438,
 * with its Reno-friendly region and fast convergence). Windows are in bytes.
 * The TCB calls ack() for cumulative ACKs outside recovery, loss() when fast
 * retransmit starts a recovery, rto() when the retransmission timer expires.
 * Pure code: no EAL needed.
 */

#include <stdbool.h>
#include <stdint.h>

struct tcp_cc;

struct tcp_cc_ops {
	const char *name;
	void (*init)(struct tcp_cc *cc);
	/** acked new bytes, outside recovery; srtt_us for CUBIC's RTT term */
	void (*ack)(struct tcp_cc *cc, uint32_t acked, uint32_t srtt_us, uint64_t now_us);
	/** loss detected by dupacks/SACK: set ssthresh, cwnd = ssthresh */
	void (*loss)(struct tcp_cc *cc, uint32_t flight);
	/** retransmission timeout: set ssthresh, cwnd = one segment */
	void (*rto)(struct tcp_cc *cc, uint32_t flight);
};

struct tcp_cc {
	const struct tcp_cc_ops *ops;
	uint32_t cwnd;         /**< congestion window (bytes) */
	uint32_t ssthresh;     /**< slow start threshold (bytes) */
	uint32_t mss;          /**< sender MSS */
	uint32_t bytes_acked;  /**< congestion avoidance byte counter */
	/* CUBIC state, in segments and seconds */
	double w_max;          /**< window before the last reduction */
	double k;              /**< time to reach w_max */
	double w_est;          /**< Reno-friendly estimate */
	double cwnd_epoch;     /**< cwnd at the start of the epoch */
	uint64_t t_epoch_us;   /**< epoch start; 0 = not started */
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/** CUBIC constants of RFC 9438. */
#define TCP_CUBIC_C    0.4
#define TCP_CUBIC_BETA 0.7

/**
 * Set up a controller: ops, MSS, initial window (iw_segs segments, RFC 6928
 * style; 0 selects 10) and an unbounded ssthresh.
 */
void tcp_cc_init(struct tcp_cc *cc, const struct tcp_cc_ops *ops, uint32_t mss,
		 uint32_t iw_segs);

/** Slow start growth shared by both modules (RFC 3465 L = 2 SMSS). */
static inline void
tcp_cc_slow_start(struct tcp_cc *cc, uint32_t acked)
{
	uint32_t inc = acked < 2 * cc->mss ? acked : 2 * cc->mss;

	cc->cwnd += inc;
}

static inline bool
tcp_cc_in_slow_start(const struct tcp_cc *cc)
{
	return cc->cwnd < cc->ssthresh;
}

#endif /* TCP_CC_H */
