/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_RTO_H
#define TCP_RTO_H

/**
 * @file
 * Retransmission timeout estimator of RFC 6298 in microseconds: SRTT and
 * RTTVAR smoothing (alpha 1/8, beta 1/4, K 4), clock granularity G, minimum
 * and maximum clamps, exponential backoff, and Karn's algorithm through a
 * single timed sequence number that is forgotten when anything is
 * retransmitted. Pure code: no EAL needed.
 */

#include <stdbool.h>
#include <stdint.h>

struct tcp_rto {
	uint32_t srtt_us;    /**< smoothed RTT (0 until the first sample) */
	uint32_t rttvar_us;  /**< RTT variation */
	uint32_t rto_us;     /**< current timeout including backoff */
	uint32_t min_us;     /**< lower clamp */
	uint32_t max_us;     /**< upper clamp */
	uint32_t gran_us;    /**< clock granularity G */
	uint8_t backoff;     /**< consecutive doublings since the last sample */
	bool have_sample;    /**< at least one RTT measured */
	bool timing;         /**< a segment is being timed */
	uint32_t rt_seq;     /**< sequence number being timed */
	uint64_t rt_start_us;/**< when it was sent */
};

/** Initial RTO of RFC 6298 (2.1): one second. */
#define TCP_RTO_INITIAL_US 1000000u

/** Set up an estimator: RTO = initial, clamped to [min, max]. */
void tcp_rto_init(struct tcp_rto *r, uint32_t min_us, uint32_t max_us, uint32_t gran_us,
		  uint32_t initial_us);

/** Feed one RTT measurement (RFC 6298 2.2/2.3), resets the backoff. */
void tcp_rto_sample(struct tcp_rto *r, uint32_t rtt_us);

/** The timer expired: double the RTO (5.5), up to the maximum. */
void tcp_rto_backoff(struct tcp_rto *r);

/** Current RTO in microseconds. */
static inline uint32_t
tcp_rto_get(const struct tcp_rto *r)
{
	return r->rto_us;
}

/** Start timing the segment starting at seq unless one is already timed. */
void tcp_rtt_start(struct tcp_rto *r, uint32_t seq, uint64_t now_us);

/** Karn: a retransmission happened, the timed segment gives no sample. */
static inline void
tcp_rtt_cancel(struct tcp_rto *r)
{
	r->timing = false;
}

/**
 * A cumulative ACK arrived: when it covers the timed segment, take the sample.
 * @return the RTT in microseconds taken, or 0 when none.
 */
uint32_t tcp_rtt_ack(struct tcp_rto *r, uint32_t ack, uint64_t now_us);

#endif /* TCP_RTO_H */
