/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_SACK_H
#define TCP_SACK_H

/**
 * @file
 * Sender SACK scoreboard (RFC 2018, loss recovery of RFC 6675): the SACKed
 * ranges above SND.UNA kept sorted, disjoint and merged; IsLost, SetPipe and
 * NextSeg (rules 1 and 3) computed from them with HighRxt. Bounded memory:
 * when more ranges arrive than fit, the highest is forgotten (it will be
 * reported again). Pure code: no EAL needed.
 */

#include <stdbool.h>
#include <stdint.h>

#define TCP_SACK_MAX_BLOCKS 32
#define TCP_DUPTHRESH 3

struct tcp_sack_blk {
	uint32_t start;  /**< first SACKed sequence number */
	uint32_t end;    /**< one past the last */
};

struct tcp_sackboard {
	uint16_t nblk;
	uint32_t sacked;    /**< bytes SACKed above SND.UNA */
	uint32_t high_rxt;  /**< HighRxt: highest sequence retransmitted in recovery */
	uint32_t lost_below;/**< after a timeout: everything unSACKed below is lost */
	struct tcp_sack_blk blk[TCP_SACK_MAX_BLOCKS];
};

/** Forget every range; HighRxt = una; nothing presumed lost. */
void tcp_sack_reset(struct tcp_sackboard *sb, uint32_t una);

/**
 * Record a cumulative ACK (una) and the SACK blocks of one ACK. Blocks that
 * are empty, inverted, below una, or reach past snd_max are ignored
 * (D-SACK and bogus blocks).
 * @return the number of bytes newly SACKed.
 */
uint32_t tcp_sack_update(struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max,
			 const struct tcp_sack_blk *blk, unsigned int n);

/** RFC 6675 IsLost(seq). */
bool tcp_sack_is_lost(const struct tcp_sackboard *sb, uint32_t seq, uint32_t mss);

/** RFC 6675 SetPipe(): bytes estimated in flight. */
uint32_t tcp_sack_pipe(const struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max,
		       uint32_t mss);

/**
 * After a retransmission timeout, keep what was SACKed and presume every
 * unSACKed byte below snd_max lost (retransmitted by NextSeg rule 1 instead of
 * going back N over data the receiver holds).
 */
void tcp_sack_mark_lost(struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max);

/**
 * RFC 6675 NextSeg() rule 1 (lost, not yet retransmitted) or, when rule3 is
 * true and rule 1 finds nothing, rule 3 (unSACKed below the highest SACK).
 * @return true with *seq and *len (<= mss) set, false when nothing qualifies.
 */
bool tcp_sack_next_seg(const struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max,
		       uint32_t mss, bool rule3, uint32_t *seq, uint32_t *len);

/** True when seq is inside a SACKed range. */
bool tcp_sack_is_sacked(const struct tcp_sackboard *sb, uint32_t seq);

#endif /* TCP_SACK_H */
