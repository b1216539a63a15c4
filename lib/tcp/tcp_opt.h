/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_OPT_H
#define TCP_OPT_H

/**
 * @file
 * TCP option parsing and building: MSS (RFC 9293), window scale and
 * timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
 * The parser never reads past the option area and reports malformed input
 * (zero or overrunning lengths, wrong fixed lengths) instead of guessing.
 * Pure code: no EAL needed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "tcp_sack.h"

#define TCPOPT_EOL      0
#define TCPOPT_NOP      1
#define TCPOPT_MSS      2
#define TCPOPT_WS       3
#define TCPOPT_SACK_OK  4
#define TCPOPT_SACK     5
#define TCPOPT_TS       8

#define TCP_OPT_MSS     (1u << 0)
#define TCP_OPT_WS      (1u << 1)
#define TCP_OPT_SACK_OK (1u << 2)
#define TCP_OPT_TS      (1u << 3)
#define TCP_OPT_SACK    (1u << 4)

#define TCP_MAX_OPT_LEN 40
#define TCP_MAX_WSCALE  14
#define TCP_MAX_SACK_BLOCKS 4

struct tcp_opts {
	uint32_t present;   /**< TCP_OPT_* seen */
	uint16_t mss;
	uint8_t wscale;     /**< clamped to 14 (RFC 7323 2.3) */
	uint8_t nsack;
	uint32_t tsval, tsecr;
	struct tcp_sack_blk sack[TCP_MAX_SACK_BLOCKS]; /**< host order */
};

/**
 * Parse len bytes of options. MSS, WS and SACK-permitted are taken only when
 * syn is true (RFC 9293, RFC 7323, RFC 2018).
 * @return 0, or -EBADMSG for a malformed option (what was parsed before it is
 *   kept in o).
 */
int tcp_opt_parse(const uint8_t *p, unsigned int len, bool syn, struct tcp_opts *o);

/** What a SYN or SYN-ACK carries. */
struct tcp_syn_opts {
	uint16_t mss;
	int8_t wscale;      /**< -1: no window scale option */
	bool sack_ok;
	bool ts;
	uint32_t tsval, tsecr;
};

/** Build SYN options into p (TCP_MAX_OPT_LEN). @return length, multiple of 4. */
unsigned int tcp_opt_build_syn(uint8_t *p, const struct tcp_syn_opts *so);

/**
 * Build the options of a non-SYN segment: timestamps when ts, then as many of
 * the n SACK blocks as fit. @return length, multiple of 4.
 */
unsigned int tcp_opt_build(uint8_t *p, bool ts, uint32_t tsval, uint32_t tsecr,
			   const struct tcp_sack_blk *sack, unsigned int n);

#endif /* TCP_OPT_H */
