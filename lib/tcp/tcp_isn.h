/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_ISN_H
#define TCP_ISN_H

/**
 * @file
 * Initial sequence numbers (RFC 6528: ISN = M + F(4-tuple, secret), M a 4 us
 * clock, F SipHash-2-4 under a 128-bit random key) and SYN cookies (the
 * server's ISN carries a 5-bit minute counter, a 3-bit MSS index and a 24-bit
 * keyed hash of the 4-tuple, the client's ISN and the counter; window scale
 * and SACK-permitted travel in the low bits of the timestamp when the client
 * sent timestamps). Pure code: no EAL needed.
 */

#include <stdbool.h>
#include <stdint.h>

struct tcp_secret {
	uint64_t k0, k1;
};

/** The 4-tuple in network byte order as it appears on the wire. */
struct tcp_tuple {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
};

/** SipHash-2-4 of len bytes. */
uint64_t tcp_siphash(const struct tcp_secret *key, const void *data, unsigned int len);

/** RFC 6528 ISN for a tuple at time now_us. */
uint32_t tcp_isn(const struct tcp_secret *key, const struct tcp_tuple *t, uint64_t now_us);

/** What a SYN cookie remembers of the SYN. */
struct tcp_cookie_info {
	uint16_t mss;       /**< peer MSS rounded down to a table value */
	uint8_t wscale;     /**< peer window scale; 0xf = none */
	bool sack_ok;
};

/** Number of 64-second periods a cookie stays valid. */
#define TCP_COOKIE_MAX_AGE 2

/**
 * The server ISN for a SYN with client ISN irs.
 * @param now_s
 *   Seconds clock.
 */
uint32_t tcp_cookie_make(const struct tcp_secret *key, const struct tcp_tuple *t,
			 uint32_t irs, uint16_t mss, uint64_t now_s);

/**
 * Check the ACK of a cookie SYN-ACK: ack - 1 must be a cookie made for this
 * tuple and irs = seq - 1 within TCP_COOKIE_MAX_AGE periods.
 * @return true with *mss set from the table.
 */
bool tcp_cookie_check(const struct tcp_secret *key, const struct tcp_tuple *t, uint32_t irs,
		      uint32_t cookie, uint64_t now_s, uint16_t *mss);

/** Low timestamp bits carrying window scale and SACK-permitted. */
#define TCP_COOKIE_TS_MASK 0x1fu
uint32_t tcp_cookie_ts_encode(uint8_t wscale, bool sack_ok);
void tcp_cookie_ts_decode(uint32_t tsecr, struct tcp_cookie_info *ci);

#endif /* TCP_ISN_H */
