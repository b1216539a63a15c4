/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One connection past 2 GiB: TCP sequence numbers compare modulo 2^32, so
 * anything that stays anchored at the initial sequence number turns around
 * half way. Seen here: after 2^31 bytes every ACK counted no acknowledged
 * data (the send queue never emptied again, the stream stalled with 128
 * WRITEs outstanding: make bench's 256 KiB write_bw), and RFC 6582's
 * "recover", left at the ISN, would have kept any later loss from a fast
 * retransmit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iw_port.h"
#include "iw_tcp.h"
#include "iw_verbs_pvt.h"
#include "iwt.h"
#include "iwt_verbs.h"

#define MSG (64 * 1024)
#define SLOTS 64
#define DEPTH 128
#define SIG 64

struct stream {
	struct iwt_vpair *p;
	uint8_t *src, *dst;
	struct rte_iwarp_mr *smr, *dmr;
	uint64_t posted, done;
};

/* n more 64 KiB WRITEs, DEPTH outstanding, every SIG-th signalled, within ms. */
static int
write_n(struct stream *st, uint64_t n, unsigned int ms)
{
	uint64_t end = st->posted + n, deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * ms / 1000;
	struct rte_iwarp_send_wr wr, *bad;
	struct rte_iwarp_wc wc[32];
	struct rte_iwarp_sge sg;
	int i, k;

	memset(&wr, 0, sizeof(wr));
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE;
	wr.sg_list = &sg;
	wr.num_sge = 1;
	wr.wr.rdma.rkey = st->dmr->rkey;
	sg.length = MSG;
	sg.lkey = st->smr->lkey;
	while (st->done < end) {
		while (st->posted < end && st->posted - st->done < DEPTH) {
			sg.addr = (uintptr_t)st->src + (st->posted % SLOTS) * MSG;
			wr.wr.rdma.remote_addr = (uintptr_t)st->dst + (st->posted % SLOTS) * MSG;
			wr.wr_id = st->posted;
			wr.send_flags = ((st->posted + 1) % SIG == 0 || st->posted + 1 == end) ?
				RTE_IWARP_SEND_SIGNALED : 0;
			IWT_ASSERT_EQ(rte_iwarp_post_send(st->p->qp[0], &wr, &bad), 0, "post %" PRIu64,
				      st->posted);
			st->posted++;
		}
		k = rte_iwarp_poll_cq(st->p->cq[0], RTE_DIM(wc), wc);
		IWT_ASSERT(k >= 0, "poll_cq %d", k);
		for (i = 0; i < k; i++) {
			IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "WRITE %" PRIu64 ": %s",
				   wc[i].wr_id, rte_iwarp_wc_status_str(wc[i].status));
			st->done = wc[i].wr_id + 1;
		}
		rte_iwarp_dev_poll(st->p->dev[1]);
		IWT_ASSERT(rte_get_timer_cycles() < deadline,
			   "stalled: %" PRIu64 " WRITEs done (%" PRIu64 " bytes), %" PRIu64 " posted",
			   st->done, st->done * MSG, st->posted);
	}
	return IWT_PASS;
}

IWT_CASE(verbs_ring_one_connection_past_2_gib)
{
	struct rte_iwarp_qp_cap cap = { .max_send_wr = 512 };
	struct iw_impair_conf ic = { .seed = 20261205, .drop_ppm = 10000 /* 1 % */ };
	struct iw_tcp_stats t0, t1;
	struct iwt_vpair p;
	struct stream st = { .p = &p };
	/* past 2^31 bytes of the stream, with 64 MiB to spare */
	uint64_t n = ((1ull << 31) + (64ull << 20)) / MSG;
	size_t len = (size_t)SLOTS * MSG, i;

	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vls", 1024, &cap, &cap, NULL), 0, "set-up");
	st.src = rte_malloc("vls_src", len, 64);
	st.dst = rte_zmalloc("vls_dst", len, 64);
	IWT_ASSERT(st.src != NULL && st.dst != NULL, "memory");
	for (i = 0; i < len; i++)
		st.src[i] = (uint8_t)(i * 31 + (i >> 16));
	st.smr = rte_iwarp_reg_mr(p.pd[0], st.src, len, RTE_IWARP_ACCESS_LOCAL_WRITE);
	st.dmr = rte_iwarp_reg_mr(p.pd[1], st.dst, len, RTE_IWARP_ACCESS_LOCAL_WRITE |
				  RTE_IWARP_ACCESS_REMOTE_WRITE);
	IWT_ASSERT(st.smr != NULL && st.dmr != NULL, "reg_mr: %s", strerror(rte_errno));
	IWT_RUN(write_n(&st, n, 60000));
	IWT_ASSERT(memcmp(st.src, st.dst, len) == 0, "the last %zu bytes arrived as sent", len);
	IWT_ASSERT(iw_tcp_acked(p.qp[0]->s) > (1ull << 31), "%" PRIu64 " bytes acknowledged",
		   iw_tcp_acked(p.qp[0]->s));

	/*
	 * Losses now, more than 2 GiB after the ISN: the first one is recovered
	 * by a fast retransmit, not by a timeout (a timeout moves "recover" on
	 * and hides the fault for the losses after it).
	 */
	memset(st.dst, 0, len);
	iw_tcp_stats_get(p.dev[0]->tcp, &t0);
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &ic), 0, "impair B rx");
	for (i = 0; i < 64; i++) {
		IWT_RUN(write_n(&st, 16, 60000));
		iw_tcp_stats_get(p.dev[0]->tcp, &t1);
		if (t1.fast_rexmit != t0.fast_rexmit || t1.rto_expired != t0.rto_expired)
			break;
	}
	IWT_ASSERT(t1.fast_rexmit > t0.fast_rexmit && t1.rto_expired == t0.rto_expired,
		   "the first loss: %" PRIu64 " fast retransmits, %" PRIu64 " timeouts",
		   t1.fast_rexmit - t0.fast_rexmit, t1.rto_expired - t0.rto_expired);
	IWT_RUN(write_n(&st, 1024 - 16 * (i + 1), 60000));
	iw_tcp_stats_get(p.dev[0]->tcp, &t1);
	IWT_ASSERT(memcmp(st.src, st.dst, len) == 0, "the WRITEs under loss arrived as sent");
	fprintf(stderr, "  after 2 GiB, 64 MiB at 1 %% loss: %" PRIu64 " fast retransmits, %"
		PRIu64 " timeouts\n", t1.fast_rexmit - t0.fast_rexmit,
		t1.rto_expired - t0.rto_expired);
	IWT_ASSERT(t1.fast_rexmit > t0.fast_rexmit, "losses started fast retransmits");
	iw_port_impair(p.port[1], 0, NULL);
	rte_iwarp_dereg_mr(st.smr);
	rte_iwarp_dereg_mr(st.dmr);
	rte_free(st.src);
	rte_free(st.dst);
	return iwt_vpair_close(&p);
}
