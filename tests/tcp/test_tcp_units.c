/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/tcp's pure modules (no EAL): sequence arithmetic, the
 * RFC 6298 estimator, the RFC 6675 scoreboard, NewReno and CUBIC windows,
 * option parsing against malformed input, SYN cookies, ISNs, the timer wheel.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <rte_common.h>

#include "iwt.h"
#include "tcp_cc.h"
#include "tcp_isn.h"
#include "tcp_opt.h"
#include "tcp_rto.h"
#include "tcp_sack.h"
#include "tcp_seq.h"
#include "tcp_wheel.h"

IWT_CASE(tcp_seq_wraparound)
{
	static const uint32_t bases[] = { 0, 1, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff };
	unsigned int i;

	for (i = 0; i < RTE_DIM(bases); i++) {
		uint32_t a = bases[i], b = a + 100; /* b may wrap past 0 */

		IWT_ASSERT(SEQ_LT(a, b) && SEQ_LEQ(a, b) && !SEQ_GT(a, b) && !SEQ_GEQ(a, b),
			   "a=%#x b=%#x", a, b);
		IWT_ASSERT(SEQ_GT(b, a) && SEQ_GEQ(b, a), "b=%#x", b);
		IWT_ASSERT(SEQ_LEQ(a, a) && SEQ_GEQ(a, a) && !SEQ_LT(a, a), "a=%#x", a);
		IWT_ASSERT(seq_max(a, b) == b && seq_min(a, b) == a, "a=%#x", a);
		IWT_ASSERT(seq_in(a + 50, a, b) && !seq_in(b, a, b) && !seq_in(a - 1, a, b),
			   "a=%#x", a);
		/* 2^31 - 1 ahead is still "after" */
		IWT_ASSERT(SEQ_GT(a + 0x7fffffff, a), "a=%#x", a);
	}
	IWT_ASSERT(SEQ_LT(0xfffffff0u, 0x10u), "across zero");
	IWT_ASSERT(SEQ_GT(0x10u, 0xfffffff0u), "across zero");
	return IWT_PASS;
}

IWT_CASE(tcp_rto_estimator_rfc6298)
{
	struct tcp_rto r;

	tcp_rto_init(&r, 200000, 60000000, 1000, TCP_RTO_INITIAL_US);
	IWT_ASSERT_EQ(tcp_rto_get(&r), 1000000, "initial RTO is 1 s (2.1)");
	/* first sample R: SRTT = R, RTTVAR = R/2, RTO = R + 4 R/2 = 3R */
	tcp_rto_sample(&r, 100000);
	IWT_ASSERT_EQ(r.srtt_us, 100000, "");
	IWT_ASSERT_EQ(r.rttvar_us, 50000, "");
	IWT_ASSERT_EQ(tcp_rto_get(&r), 300000, "");
	/* second sample 200 ms: RTTVAR = 3/4*50 + 1/4*100 = 62.5 ms, SRTT = 112.5 ms */
	tcp_rto_sample(&r, 200000);
	IWT_ASSERT_EQ(r.rttvar_us, 62500, "");
	IWT_ASSERT_EQ(r.srtt_us, 112500, "");
	IWT_ASSERT_EQ(tcp_rto_get(&r), 112500 + 250000, "");
	/* backoff doubles up to the maximum; a sample resets it */
	tcp_rto_backoff(&r);
	IWT_ASSERT_EQ(tcp_rto_get(&r), 725000, "");
	for (int i = 0; i < 20; i++)
		tcp_rto_backoff(&r);
	IWT_ASSERT_EQ(tcp_rto_get(&r), 60000000, "clamped at max");
	tcp_rto_sample(&r, 112500);
	IWT_ASSERT_EQ(r.backoff, 0, "");
	IWT_ASSERT(tcp_rto_get(&r) < 1000000, "rto %u", tcp_rto_get(&r));
	/* minimum clamp: tiny RTTs give min_us; G dominates a zero variance */
	tcp_rto_init(&r, 200000, 60000000, 1000, TCP_RTO_INITIAL_US);
	for (int i = 0; i < 50; i++)
		tcp_rto_sample(&r, 10);
	IWT_ASSERT_EQ(tcp_rto_get(&r), 200000, "min clamp");
	tcp_rto_init(&r, 0, 60000000, 1000, TCP_RTO_INITIAL_US);
	for (int i = 0; i < 100; i++)
		tcp_rto_sample(&r, 5000);
	IWT_ASSERT_EQ(tcp_rto_get(&r), 5000 + 1000, "RTO = SRTT + max(G, 4 RTTVAR)");
	/* Karn: a retransmission cancels the timed segment */
	tcp_rto_init(&r, 1000, 60000000, 1000, TCP_RTO_INITIAL_US);
	tcp_rtt_start(&r, 0xfffffff0u, 1000);
	tcp_rtt_start(&r, 5, 2000); /* ignored: one timed at a time */
	IWT_ASSERT_EQ(tcp_rtt_ack(&r, 0xfffffff0u, 9000), 0, "ack not past the timed seq");
	IWT_ASSERT_EQ(tcp_rtt_ack(&r, 0x10u, 41000), 40000, "sample across wrap");
	IWT_ASSERT_EQ(r.srtt_us, 40000, "");
	tcp_rtt_start(&r, 100, 50000);
	tcp_rtt_cancel(&r);
	IWT_ASSERT_EQ(tcp_rtt_ack(&r, 200, 90000), 0, "Karn: no sample after rexmit");
	IWT_ASSERT_EQ(r.srtt_us, 40000, "");
	return IWT_PASS;
}

IWT_CASE(tcp_sack_scoreboard_rfc6675)
{
	struct tcp_sackboard sb;
	const uint32_t mss = 1000;
	uint32_t una = 0xfffff000u; /* wraps inside the window */
	uint32_t max = una + 20 * mss, seq, len;
	struct tcp_sack_blk b[4];

	tcp_sack_reset(&sb, una);
	IWT_ASSERT_EQ(tcp_sack_pipe(&sb, una, max, mss), 20 * mss, "no SACK: all in flight");
	IWT_ASSERT(!tcp_sack_next_seg(&sb, una, max, mss, true, &seq, &len), "nothing lost");
	/* segment 0 lost, 1..2 SACKed: not yet lost (2 segments < DupThresh) */
	b[0] = (struct tcp_sack_blk){ una + mss, una + 3 * mss };
	IWT_ASSERT_EQ(tcp_sack_update(&sb, una, max, b, 1), 2 * mss, "");
	IWT_ASSERT(!tcp_sack_is_lost(&sb, una, mss), "2 SACKed above");
	IWT_ASSERT_EQ(tcp_sack_pipe(&sb, una, max, mss), 18 * mss, "");
	/* adjacent block merges; now 3 segments above: lost */
	b[0] = (struct tcp_sack_blk){ una + 3 * mss, una + 4 * mss };
	IWT_ASSERT_EQ(tcp_sack_update(&sb, una, max, b, 1), mss, "");
	IWT_ASSERT_EQ(sb.nblk, 1, "merged");
	IWT_ASSERT(tcp_sack_is_lost(&sb, una, mss), "3 SACKed above");
	IWT_ASSERT(!tcp_sack_is_lost(&sb, una + 2 * mss, mss), "SACKed is not lost");
	IWT_ASSERT_EQ(tcp_sack_pipe(&sb, una, max, mss), 16 * mss, "lost hole leaves pipe");
	/* a second hole [5,6) with 3 SACKed segments [6,9) above it */
	b[0] = (struct tcp_sack_blk){ una + 6 * mss, una + 9 * mss };
	b[1] = (struct tcp_sack_blk){ una + 6 * mss, una + 7 * mss }; /* duplicate */
	b[2] = (struct tcp_sack_blk){ una - 5 * mss, una - mss };     /* D-SACK below una */
	b[3] = (struct tcp_sack_blk){ una + 19 * mss, una + 25 * mss }; /* beyond snd_max */
	IWT_ASSERT_EQ(tcp_sack_update(&sb, una, max, b, 4), 3 * mss, "bogus blocks ignored");
	IWT_ASSERT_EQ(sb.nblk, 2, "");
	IWT_ASSERT_EQ(sb.sacked, 6 * mss, "");
	/* holes: [0,1) lost, [4,6) lost (3 above), [9,20) not lost */
	IWT_ASSERT_EQ(tcp_sack_pipe(&sb, una, max, mss), 11 * mss, "");
	IWT_ASSERT(tcp_sack_next_seg(&sb, una, max, mss, false, &seq, &len), "rule 1");
	IWT_ASSERT(seq == una && len == mss, "seq %#x len %u", seq, len);
	sb.high_rxt = una + mss; /* retransmitted: counted in pipe again */
	IWT_ASSERT_EQ(tcp_sack_pipe(&sb, una, max, mss), 12 * mss, "");
	IWT_ASSERT(tcp_sack_next_seg(&sb, una, max, mss, false, &seq, &len), "rule 1 second hole");
	IWT_ASSERT(seq == una + 4 * mss && len == mss, "seq %#x len %u", seq - una, len);
	sb.high_rxt = una + 6 * mss;
	IWT_ASSERT(!tcp_sack_next_seg(&sb, una, max, mss, true, &seq, &len), "all holes resent");
	/* cumulative ACK past the first block prunes it */
	una += 4 * mss;
	IWT_ASSERT_EQ(tcp_sack_update(&sb, una, max, NULL, 0), 0, "");
	IWT_ASSERT_EQ(sb.nblk, 1, "");
	IWT_ASSERT_EQ(sb.sacked, 3 * mss, "");
	/* ACK in the middle of a block trims it */
	IWT_ASSERT_EQ(tcp_sack_update(&sb, una + 4 * mss, max, NULL, 0), 0, "");
	IWT_ASSERT_EQ(sb.sacked, mss, "");
	/* rule 3: unSACKed, not lost, below the highest SACK */
	una += 7 * mss;
	tcp_sack_reset(&sb, una);
	b[0] = (struct tcp_sack_blk){ una + 2 * mss, una + 3 * mss };
	tcp_sack_update(&sb, una, max, b, 1);
	IWT_ASSERT(!tcp_sack_next_seg(&sb, una, max, mss, false, &seq, &len), "not lost");
	IWT_ASSERT(tcp_sack_next_seg(&sb, una, max, mss, true, &seq, &len) && seq == una &&
		   len == mss, "rule 3");
	/* after a timeout: every unSACKed byte below snd_max is lost, SACKed kept */
	tcp_sack_mark_lost(&sb, una, una + 5 * mss);
	IWT_ASSERT(tcp_sack_is_lost(&sb, una, mss), "");
	IWT_ASSERT(!tcp_sack_is_lost(&sb, una + 2 * mss, mss), "SACKed stays SACKed");
	IWT_ASSERT(tcp_sack_is_lost(&sb, una + 4 * mss, mss), "above the SACK too");
	IWT_ASSERT(!tcp_sack_is_lost(&sb, una + 6 * mss, mss), "sent after the timeout");
	/* nothing retransmitted yet: only [5, max) above lost_below is in flight */
	IWT_ASSERT_EQ(tcp_sack_pipe(&sb, una, una + 7 * mss, mss), 2 * mss, "");
	IWT_ASSERT(tcp_sack_next_seg(&sb, una, una + 7 * mss, mss, false, &seq, &len) &&
		   seq == una && len == mss, "first hole");
	sb.high_rxt = una + 2 * mss;
	IWT_ASSERT(tcp_sack_next_seg(&sb, una, una + 7 * mss, mss, false, &seq, &len) &&
		   seq == una + 3 * mss && len == mss, "then the hole above the SACK: %u",
		   seq - una);
	sb.high_rxt = una + 5 * mss;
	IWT_ASSERT(!tcp_sack_next_seg(&sb, una, una + 7 * mss, mss, false, &seq, &len),
		   "nothing below lost_below left");
	tcp_sack_reset(&sb, una);
	/* bounded memory: many disjoint blocks keep the lowest */
	tcp_sack_reset(&sb, una);
	for (uint32_t i = 0; i < 2 * TCP_SACK_MAX_BLOCKS; i++) {
		struct tcp_sack_blk x = { una + (2 * i + 1) * 10, una + (2 * i + 2) * 10 };

		tcp_sack_update(&sb, una, una + 100000, &x, 1);
	}
	IWT_ASSERT_EQ(sb.nblk, TCP_SACK_MAX_BLOCKS, "bounded");
	IWT_ASSERT_EQ(sb.sacked, TCP_SACK_MAX_BLOCKS * 10, "accounting");
	/* one block covering all merges them */
	b[0] = (struct tcp_sack_blk){ una + 5, una + 5000 };
	tcp_sack_update(&sb, una, una + 100000, b, 1);
	IWT_ASSERT_EQ(sb.nblk, 1, "");
	IWT_ASSERT_EQ(sb.sacked, 4995, "");
	return IWT_PASS;
}

IWT_CASE(tcp_cc_newreno_windows)
{
	struct tcp_cc cc;
	const uint32_t mss = 1000;

	tcp_cc_init(&cc, &tcp_cc_newreno, mss, 10);
	IWT_ASSERT_EQ(cc.cwnd, 10 * mss, "IW10");
	/* slow start: one RTT of full ACKs doubles cwnd */
	for (int i = 0; i < 10; i++)
		cc.ops->ack(&cc, mss, 1000, 0);
	IWT_ASSERT_EQ(cc.cwnd, 20 * mss, "doubled");
	/* L = 2 SMSS cap on a stretch ACK */
	cc.ops->ack(&cc, 10 * mss, 1000, 0);
	IWT_ASSERT_EQ(cc.cwnd, 22 * mss, "ABC L=2");
	/* loss: ssthresh = max(flight/2, 2 SMSS), cwnd = ssthresh */
	cc.ops->loss(&cc, 22 * mss);
	IWT_ASSERT_EQ(cc.ssthresh, 11 * mss, "");
	IWT_ASSERT_EQ(cc.cwnd, 11 * mss, "");
	/* congestion avoidance: +1 SMSS per cwnd of ACKed bytes */
	for (int i = 0; i < 11; i++)
		cc.ops->ack(&cc, mss, 1000, 0);
	IWT_ASSERT_EQ(cc.cwnd, 12 * mss, "CA +1");
	for (int i = 0; i < 6; i++)
		cc.ops->ack(&cc, mss, 1000, 0);
	IWT_ASSERT_EQ(cc.cwnd, 12 * mss, "not yet a full window");
	cc.ops->loss(&cc, 2 * mss);
	IWT_ASSERT_EQ(cc.ssthresh, 2 * mss, "floor 2 SMSS");
	cc.ops->rto(&cc, 12 * mss);
	IWT_ASSERT_EQ(cc.cwnd, mss, "RTO: loss window");
	IWT_ASSERT_EQ(cc.ssthresh, 6 * mss, "");
	return IWT_PASS;
}

IWT_CASE(tcp_cc_cubic_windows)
{
	struct tcp_cc cc;
	const uint32_t mss = 1000;
	uint64_t now = 1000000;
	double k, prev, w;

	tcp_cc_init(&cc, &tcp_cc_cubic, mss, 10);
	/* slow start up to 100 segments, then a loss */
	while (cc.cwnd < 100 * mss)
		cc.ops->ack(&cc, mss, 10000, now);
	cc.cwnd = 100 * mss;
	cc.ops->loss(&cc, cc.cwnd);
	IWT_ASSERT_EQ(cc.cwnd, 70 * mss, "beta 0.7");
	IWT_ASSERT_EQ(cc.ssthresh, 70 * mss, "");
	IWT_ASSERT(fabs(cc.w_max - 100) < 1e-9, "w_max %f", cc.w_max);
	/* K = cbrt(W_max (1 - beta) / C) = cbrt(75) */
	k = cbrt(100 * (1 - TCP_CUBIC_BETA) / TCP_CUBIC_C);
	cc.ops->ack(&cc, mss, 10000, now);
	IWT_ASSERT(fabs(cc.k - k) < 1e-6, "K %f want %f", cc.k, k);
	/* concave: with a 200 ms RTT the cubic curve dominates; growth slows
	 * down approaching w_max at t = K */
	prev = cc.cwnd;
	while (now < 1000000 + (uint64_t)(k * 1e6)) {
		now += 200000; /* one ACK per segment of a full window per RTT */
		for (uint32_t i = 0; i < cc.cwnd / mss; i++)
			cc.ops->ack(&cc, mss, 200000, now);
		IWT_ASSERT(cc.cwnd >= prev, "monotonic %u < %f", cc.cwnd, prev);
		IWT_ASSERT(cc.cwnd <= 1.5 * prev + mss, "clamp 1.5 cwnd");
		prev = cc.cwnd;
	}
	w = (double)cc.cwnd / mss;
	IWT_ASSERT(w > 95 && w < 106, "at t=K cwnd %.1f ~ W_max 100", w);
	/* convex: past K it grows beyond W_max */
	for (int r = 0; r < 20; r++) {
		now += 200000;
		for (uint32_t i = 0; i < cc.cwnd / mss; i++)
			cc.ops->ack(&cc, mss, 200000, now);
	}
	IWT_ASSERT((double)cc.cwnd / mss > 130, "convex %u", cc.cwnd / mss);
	/* Reno-friendly region: with a 1 ms RTT the curve barely moves in 100
	 * RTTs and W_est sets cwnd: +0.53 segment per RTT below W_max (57 RTTs
	 * from 70 to 100), +1 per RTT above it (43 more): about 143 */
	cc.cwnd = 100 * mss;
	cc.w_max = 0; /* no fast convergence: W_max = 100 */
	cc.ops->loss(&cc, cc.cwnd);
	for (int r = 0; r < 100; r++) {
		now += 1000;
		for (uint32_t i = 0; i < cc.cwnd / mss; i++)
			cc.ops->ack(&cc, mss, 1000, now);
	}
	w = (double)cc.cwnd / mss;
	IWT_ASSERT(w > 138 && w < 148, "reno-friendly cwnd %.1f, want ~143", w);
	/* fast convergence: a loss below the previous W_max lowers W_max further */
	cc.cwnd = 80 * mss;
	cc.w_max = 100;
	cc.ops->loss(&cc, cc.cwnd);
	IWT_ASSERT(fabs(cc.w_max - 80 * (1 + TCP_CUBIC_BETA) / 2) < 1e-9, "fast conv %f",
		   cc.w_max);
	cc.ops->rto(&cc, cc.cwnd);
	IWT_ASSERT_EQ(cc.cwnd, mss, "RTO: one segment");
	return IWT_PASS;
}

IWT_CASE(tcp_options_parse_malformed)
{
	struct tcp_opts o;
	uint8_t buf[TCP_MAX_OPT_LEN], big[64];
	struct tcp_syn_opts so = { .mss = 1460, .wscale = 7, .sack_ok = true, .ts = true,
				   .tsval = 0x01020304, .tsecr = 0 };
	struct tcp_sack_blk sk[4] = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } };
	unsigned int n;

	n = tcp_opt_build_syn(buf, &so);
	IWT_ASSERT(n % 4 == 0 && n <= TCP_MAX_OPT_LEN, "len %u", n);
	IWT_ASSERT_EQ(tcp_opt_parse(buf, n, true, &o), 0, "");
	IWT_ASSERT(o.present == (TCP_OPT_MSS | TCP_OPT_WS | TCP_OPT_SACK_OK | TCP_OPT_TS),
		   "present %#x", o.present);
	IWT_ASSERT(o.mss == 1460 && o.wscale == 7 && o.tsval == 0x01020304, "values");
	/* SYN-only options ignored on other segments */
	IWT_ASSERT_EQ(tcp_opt_parse(buf, n, false, &o), 0, "");
	IWT_ASSERT_EQ(o.present, TCP_OPT_TS, "");
	/* data segment: TS + at most 3 SACK blocks fit */
	n = tcp_opt_build(buf, true, 5, 6, sk, 4);
	IWT_ASSERT_EQ(n, 40, "");
	IWT_ASSERT_EQ(tcp_opt_parse(buf, n, false, &o), 0, "");
	IWT_ASSERT(o.nsack == 3 && o.sack[2].start == 5 && o.sack[2].end == 6, "sack");
	n = tcp_opt_build(buf, false, 0, 0, sk, 4);
	IWT_ASSERT_EQ(n, 36, "4 blocks without TS");
	/* malformed: zero length, overrun, truncated kind, wrong fixed lengths */
	{
		static const uint8_t zero[] = { TCPOPT_TS, 0, 1, 1 };
		static const uint8_t overrun[] = { TCPOPT_NOP, 99, 40, 1 };
		static const uint8_t trunc[] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_MSS };
		static const uint8_t mss3[] = { TCPOPT_MSS, 3, 5, 0 };
		static const uint8_t ws4[] = { TCPOPT_WS, 4, 5, 0 };
		static const uint8_t sack9[] = { TCPOPT_SACK, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		static const uint8_t sack2[] = { TCPOPT_SACK, 2, 1, 1 };
		static const uint8_t ts9[] = { TCPOPT_TS, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1 };

		IWT_ASSERT_EQ(tcp_opt_parse(zero, 4, false, &o), -EBADMSG, "zero length");
		IWT_ASSERT_EQ(tcp_opt_parse(overrun, 4, false, &o), -EBADMSG, "overrun");
		IWT_ASSERT_EQ(tcp_opt_parse(trunc, 4, true, &o), -EBADMSG, "kind at end");
		IWT_ASSERT_EQ(tcp_opt_parse(mss3, 4, true, &o), -EBADMSG, "mss len 3");
		IWT_ASSERT_EQ(tcp_opt_parse(ws4, 4, true, &o), -EBADMSG, "ws len 4");
		IWT_ASSERT_EQ(tcp_opt_parse(sack9, 12, false, &o), -EBADMSG, "sack len 9");
		IWT_ASSERT_EQ(tcp_opt_parse(sack2, 4, false, &o), -EBADMSG, "sack empty");
		IWT_ASSERT_EQ(tcp_opt_parse(ts9, 12, false, &o), -EBADMSG, "ts len 9");
	}
	/* EOL stops; unknown options are skipped; WS clamps at 14 */
	{
		static const uint8_t ok[] = { 30, 4, 0xaa, 0xbb, TCPOPT_WS, 3, 200, TCPOPT_EOL,
					      TCPOPT_MSS, 1 };

		IWT_ASSERT_EQ(tcp_opt_parse(ok, sizeof(ok), true, &o), 0, "");
		IWT_ASSERT(o.present == TCP_OPT_WS && o.wscale == 14, "ws %u", o.wscale);
	}
	/* random garbage never reads out of bounds and never crashes */
	srand(7);
	for (int it = 0; it < 200000; it++) {
		unsigned int len = (unsigned int)rand() % (sizeof(big) + 1);

		for (unsigned int i = 0; i < len; i++)
			big[i] = (uint8_t)(rand() % 12);
		(void)tcp_opt_parse(big, len, it & 1, &o);
		IWT_ASSERT(o.nsack <= TCP_MAX_SACK_BLOCKS, "");
	}
	return IWT_PASS;
}

IWT_CASE(tcp_syncookie_roundtrip)
{
	struct tcp_secret key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
	struct tcp_secret other = { 1, 2 };
	struct tcp_tuple t = { 0x0100000a, 0x0200000a, 0x5000, 0x1234 };
	struct tcp_tuple t2 = t;
	struct tcp_cookie_info ci;
	uint64_t now = 1000000;
	uint32_t c;
	uint16_t mss;

	c = tcp_cookie_make(&key, &t, 0xdeadbeef, 1460, now);
	IWT_ASSERT(tcp_cookie_check(&key, &t, 0xdeadbeef, c, now, &mss), "fresh");
	IWT_ASSERT_EQ(mss, 1460, "");
	IWT_ASSERT(tcp_cookie_check(&key, &t, 0xdeadbeef, c, now + 64 * TCP_COOKIE_MAX_AGE,
				    &mss), "still valid");
	IWT_ASSERT(!tcp_cookie_check(&key, &t, 0xdeadbeef, c,
				     now + 64 * (TCP_COOKIE_MAX_AGE + 1), &mss), "expired");
	IWT_ASSERT(!tcp_cookie_check(&key, &t, 0xdeadbeee, c, now, &mss), "other irs");
	IWT_ASSERT(!tcp_cookie_check(&other, &t, 0xdeadbeef, c, now, &mss), "other key");
	t2.rport++;
	IWT_ASSERT(!tcp_cookie_check(&key, &t2, 0xdeadbeef, c, now, &mss), "other tuple");
	IWT_ASSERT(!tcp_cookie_check(&key, &t, 0xdeadbeef, c ^ 1, now, &mss), "bit flip");
	/* MSS rounds down to the table */
	c = tcp_cookie_make(&key, &t, 7, 1400, now);
	IWT_ASSERT(tcp_cookie_check(&key, &t, 7, c, now, &mss) && mss == 1360, "mss %u", mss);
	c = tcp_cookie_make(&key, &t, 7, 100, now);
	IWT_ASSERT(tcp_cookie_check(&key, &t, 7, c, now, &mss) && mss == 536, "mss %u", mss);
	/* forgeries: at most ~1 in 2^24 passes */
	{
		unsigned int pass = 0;

		for (uint32_t i = 0; i < 100000; i++)
			pass += tcp_cookie_check(&key, &t, 7, i * 2654435761u, now, &mss);
		IWT_ASSERT(pass <= 2, "forged cookies accepted: %u", pass);
	}
	tcp_cookie_ts_decode(tcp_cookie_ts_encode(7, true), &ci);
	IWT_ASSERT(ci.wscale == 7 && ci.sack_ok, "");
	tcp_cookie_ts_decode(tcp_cookie_ts_encode(0xff, false), &ci);
	IWT_ASSERT(ci.wscale == 0xf && !ci.sack_ok, "");
	/* RFC 6528: ISNs differ per tuple and advance with the clock */
	IWT_ASSERT(tcp_isn(&key, &t, 0) != tcp_isn(&key, &t2, 0), "per tuple");
	IWT_ASSERT_EQ(tcp_isn(&key, &t, 4000) - tcp_isn(&key, &t, 0), 1000, "4 us clock");
	IWT_ASSERT(tcp_isn(&key, &t, 0) != tcp_isn(&other, &t, 0), "keyed");
	return IWT_PASS;
}

struct wheel_log {
	uint64_t fired[64];
	unsigned int n;
	struct tcp_wheel *w;
	struct tcp_tnode *rearm;
};

static void
wheel_cb(struct tcp_tnode *n, void *arg)
{
	struct wheel_log *l = arg;

	l->fired[l->n++] = n->expire;
	if (n == l->rearm) {
		l->rearm = NULL;
		tcp_wheel_arm(l->w, n, (n->expire + 10) * l->w->tick_us);
	}
}

IWT_CASE(tcp_timer_wheel_order)
{
	static struct tcp_wheel w;
	struct tcp_tnode nodes[20];
	struct wheel_log log = { .w = &w };
	uint64_t t;
	unsigned int i;

	memset(nodes, 0, sizeof(nodes));
	tcp_wheel_init(&w, 100, 0);
	/* arm out of order, including far beyond one revolution */
	for (i = 0; i < 20; i++)
		tcp_wheel_arm(&w, &nodes[i], (uint64_t)((i * 7919) % 20 + 1) * 100 +
			      (i == 3 ? (uint64_t)TCP_WHEEL_SLOTS * 100 * 3 : 0));
	tcp_wheel_cancel(&w, &nodes[5]);
	tcp_wheel_cancel(&w, &nodes[5]); /* idempotent */
	IWT_ASSERT(!tcp_tnode_armed(&nodes[5]), "");
	log.rearm = &nodes[0];
	for (t = 0; t <= (uint64_t)TCP_WHEEL_SLOTS * 100 * 4; t += 100)
		tcp_wheel_advance(&w, t, wheel_cb, &log);
	IWT_ASSERT_EQ(log.n, 20, "20 armed - 1 cancelled + 1 rearmed");
	for (i = 1; i < log.n; i++)
		IWT_ASSERT(log.fired[i - 1] <= log.fired[i], "order at %u: %lu > %lu", i,
			   (unsigned long)log.fired[i - 1], (unsigned long)log.fired[i]);
	IWT_ASSERT_EQ(log.fired[log.n - 1], TCP_WHEEL_SLOTS * 3 + 1 + (3 * 7919) % 20, "far");
	IWT_ASSERT_EQ(w.armed, 0, "");
	/* a big jump still fires everything due, and nothing early */
	log.n = 0;
	tcp_wheel_arm(&w, &nodes[1], t + 50 * 100);
	tcp_wheel_arm(&w, &nodes[2], t + 100000 * 100);
	tcp_wheel_advance(&w, t + 60000 * 100, wheel_cb, &log);
	IWT_ASSERT_EQ(log.n, 1, "only the due one");
	tcp_wheel_advance(&w, t + 100000 * 100, wheel_cb, &log);
	IWT_ASSERT_EQ(log.n, 2, "");
	/* arming in the past fires on the next tick */
	tcp_wheel_arm(&w, &nodes[3], 0);
	tcp_wheel_advance(&w, t + 100001 * 100, wheel_cb, &log);
	IWT_ASSERT_EQ(log.n, 3, "");
	return IWT_PASS;
}
