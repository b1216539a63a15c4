/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The impaired soak: 1 GiB of mixed RDMA WRITE (64 KiB), RDMA READ (64 KiB)
 * and SEND (4 KiB) on one connection over a ring wire whose impairment stage
 * drops, duplicates, reorders and corrupts frames both ways. Every message is
 * checked byte for byte against the pattern it was sent with, the sinks are
 * guarded memory (a stray write faults), send completions arrive in posting
 * order, and every mbuf is back in its pool at the end. The datapath's
 * changes for speed (packing, ACK policy, zero copy) must keep it green.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "iw_port.h"
#include "iw_tcp.h"
#include "iw_verbs_pvt.h"
#include "iwt.h"
#include "iwt_verbs.h"

#define BIG (64u * 1024)      /* WRITE and READ */
#define SMALL (4u * 1024)     /* SEND */
#define SLOTS 128u            /* buffers per kind, above DEPTH */
#define DEPTH 64u             /* work requests outstanding */
#define MAX_READS 8u          /* READs among them (below the ORD) */
#define RECVS 256u            /* receives kept posted at B */
#define TOTAL (1ull << 30)

enum op { OP_WRITE, OP_READ, OP_SEND };

/* The k-th work request: 5 WRITEs, a READ, 2 SENDs, again. */
static enum op
op_of(uint64_t k)
{
	unsigned int r = (unsigned int)(k % 8);

	return r < 5 ? OP_WRITE : r == 5 ? OP_READ : OP_SEND;
}

static uint32_t
seed_of(uint64_t k)
{
	return (uint32_t)(k * 2654435761u + 17);
}

struct soak {
	struct iwt_vpair *p;
	struct iwt_gmem wsrc, rdst, ssrc;  /* A */
	struct iwt_gmem wdst, rsrc, rbuf;  /* B */
	struct rte_iwarp_mr *mr[6];
	uint64_t posted, done, bytes, reads_out;
	uint64_t sends_posted, sends_recvd;
	uint64_t send_k[DEPTH * 2];        /* the k of each SEND in flight, in order */
};

static int
post_one(struct soak *s, uint64_t k)
{
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg;
	uint64_t slot = k % SLOTS;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = k;
	wr.sg_list = &sg;
	wr.num_sge = 1;
	wr.send_flags = RTE_IWARP_SEND_SIGNALED;
	switch (op_of(k)) {
	case OP_WRITE:
		iwt_vfill(s->wsrc.buf + slot * BIG, BIG, seed_of(k));
		sg = (struct rte_iwarp_sge){ (uintptr_t)s->wsrc.buf + slot * BIG, BIG,
					     s->mr[0]->lkey };
		wr.opcode = RTE_IWARP_WR_RDMA_WRITE;
		wr.wr.rdma.remote_addr = (uintptr_t)s->wdst.buf + slot * BIG;
		wr.wr.rdma.rkey = s->mr[3]->rkey;
		break;
	case OP_READ:
		iwt_vfill(s->rsrc.buf + slot * BIG, BIG, seed_of(k));
		sg = (struct rte_iwarp_sge){ (uintptr_t)s->rdst.buf + slot * BIG, BIG,
					     s->mr[1]->lkey };
		wr.opcode = RTE_IWARP_WR_RDMA_READ;
		wr.wr.rdma.remote_addr = (uintptr_t)s->rsrc.buf + slot * BIG;
		wr.wr.rdma.rkey = s->mr[4]->rkey;
		s->reads_out++;
		break;
	case OP_SEND:
		iwt_vfill(s->ssrc.buf + slot * SMALL, SMALL, seed_of(k));
		sg = (struct rte_iwarp_sge){ (uintptr_t)s->ssrc.buf + slot * SMALL, SMALL,
					     s->mr[2]->lkey };
		wr.opcode = RTE_IWARP_WR_SEND;
		s->send_k[s->sends_posted % RTE_DIM(s->send_k)] = k;
		s->sends_posted++;
		break;
	}
	IWT_ASSERT_EQ(iwt_post_send1(s->p->qp[0], &wr), 0, "post %" PRIu64, k);
	s->posted++;
	return IWT_PASS;
}

/* A's completions: in posting order, each message's bytes where they belong. */
static int
reap_a(struct soak *s)
{
	struct rte_iwarp_wc wc[32];
	int i, n = rte_iwarp_poll_cq(s->p->cq[0], RTE_DIM(wc), wc);
	uint64_t k, slot;
	long bad;

	IWT_ASSERT(n >= 0, "poll_cq A: %d", n);
	for (i = 0; i < n; i++) {
		k = wc[i].wr_id;
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "WR %" PRIu64 ": %s", k,
			   rte_iwarp_wc_status_str(wc[i].status));
		IWT_ASSERT_EQ(k, s->done, "send completions in posting order");
		slot = k % SLOTS;
		switch (op_of(k)) {
		case OP_WRITE:
			bad = iwt_vcheck(s->wdst.buf + slot * BIG, BIG, seed_of(k));
			IWT_ASSERT(bad < 0, "WRITE %" PRIu64 ": byte %ld differs at B", k, bad);
			s->bytes += BIG;
			break;
		case OP_READ:
			bad = iwt_vcheck(s->rdst.buf + slot * BIG, BIG, seed_of(k));
			IWT_ASSERT(bad < 0, "READ %" PRIu64 ": byte %ld differs at A", k, bad);
			s->reads_out--;
			s->bytes += BIG;
			break;
		case OP_SEND:
			s->bytes += SMALL;
			break;
		}
		s->done++;
	}
	return IWT_PASS;
}

/* B's receives: the SENDs in order, each checked, the receive posted again. */
static int
reap_b(struct soak *s)
{
	struct rte_iwarp_wc wc[32];
	int i, n = rte_iwarp_poll_cq(s->p->cq[1], RTE_DIM(wc), wc);
	uint64_t slot, k;
	long bad;

	IWT_ASSERT(n >= 0, "poll_cq B: %d", n);
	for (i = 0; i < n; i++) {
		IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "receive %" PRIu64 ": %s",
			   s->sends_recvd, rte_iwarp_wc_status_str(wc[i].status));
		IWT_ASSERT(s->sends_recvd < s->sends_posted, "a receive without a SEND");
		IWT_ASSERT_EQ(wc[i].byte_len, SMALL, "SEND length");
		k = s->send_k[s->sends_recvd % RTE_DIM(s->send_k)];
		slot = wc[i].wr_id;
		bad = iwt_vcheck(s->rbuf.buf + slot * SMALL, SMALL, seed_of(k));
		IWT_ASSERT(bad < 0, "SEND %" PRIu64 ": byte %ld differs at B", k, bad);
		s->sends_recvd++;
		IWT_ASSERT_EQ(iwt_post_recv1(s->p->qp[1], slot, s->rbuf.buf + slot * SMALL, SMALL,
					     s->mr[5]->lkey), 0, "repost");
	}
	return IWT_PASS;
}

IWT_CASE(verbs_ring_impaired_soak_1_gib_mixed)
{
	struct rte_iwarp_qp_cap cap = { .max_send_wr = 256, .max_recv_wr = 512 };
	struct iw_impair_conf ic = { .seed = 20261205, .drop_ppm = 5000, .dup_ppm = 5000,
				     .reorder_ppm = 10000, .corrupt_ppm = 1000 };
	struct iw_impair_stats is[2];
	struct iw_tcp_stats t0, t1;
	struct iwt_vpair p;
	struct soak s = { .p = &p };
	uint64_t deadline, i, t_start;
	struct iwt_gmem *g[6] = { &s.wsrc, &s.rdst, &s.ssrc, &s.wdst, &s.rsrc, &s.rbuf };
	const size_t len[6] = { SLOTS * BIG, SLOTS * BIG, SLOTS * SMALL,
				SLOTS * BIG, SLOTS * BIG, RECVS * SMALL };
	const uint32_t acc[6] = { 0, RTE_IWARP_ACCESS_LOCAL_WRITE, 0,
				  RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE,
				  RTE_IWARP_ACCESS_REMOTE_READ, RTE_IWARP_ACCESS_LOCAL_WRITE };
	unsigned int k;

	/* IWT_SOAK_SEED=N: another run of impairments (the default is fixed) */
	if (getenv("IWT_SOAK_SEED") != NULL)
		ic.seed = strtoull(getenv("IWT_SOAK_SEED"), NULL, 0);
	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vsk", 2048, &cap, &cap, NULL), 0, "set-up");
	for (k = 0; k < 6; k++) {
		IWT_ASSERT_EQ(iwt_gmem_alloc(g[k], len[k]), 0, "memory");
		s.mr[k] = rte_iwarp_reg_mr(p.pd[k < 3 ? 0 : 1], g[k]->buf, len[k], acc[k]);
		IWT_ASSERT(s.mr[k] != NULL, "reg_mr %u: %s", k, strerror(rte_errno));
	}
	for (i = 0; i < RECVS; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(p.qp[1], i, s.rbuf.buf + i * SMALL, SMALL,
					     s.mr[5]->lkey), 0, "recv");
	iw_tcp_stats_get(p.dev[0]->tcp, &t0);
	IWT_ASSERT_EQ(iw_port_impair(p.port[0], 0, &ic), 0, "impair A rx");
	ic.seed++;
	IWT_ASSERT_EQ(iw_port_impair(p.port[1], 0, &ic), 0, "impair B rx");
	t_start = rte_get_timer_cycles();
	deadline = t_start + rte_get_timer_hz() * 150;
	while (s.bytes < TOTAL || s.done < s.posted) {
		while (s.bytes + (s.posted - s.done) * BIG < TOTAL &&
		       s.posted - s.done < DEPTH &&
		       !(op_of(s.posted) == OP_READ && s.reads_out >= MAX_READS))
			IWT_RUN(post_one(&s, s.posted));
		rte_iwarp_dev_poll(p.dev[1]);
		IWT_RUN(reap_a(&s));
		IWT_RUN(reap_b(&s));
		IWT_ASSERT(rte_get_timer_cycles() < deadline,
			   "stalled: %" PRIu64 " of %" PRIu64 " WRs done, %" PRIu64 " bytes",
			   s.done, s.posted, s.bytes);
	}
	/* the last SENDs' receives may complete after A's completions */
	for (i = 0; i < 1000000 && s.sends_recvd < s.sends_posted; i++) {
		iwt_vpair_poll(&p);
		IWT_RUN(reap_b(&s));
	}
	IWT_ASSERT_EQ(s.sends_recvd, s.sends_posted, "every SEND received");
	iw_tcp_stats_get(p.dev[0]->tcp, &t1);
	iw_port_impair_stats(p.port[0], 0, &is[0]);
	iw_port_impair_stats(p.port[1], 0, &is[1]);
	iw_port_impair(p.port[0], 0, NULL);
	iw_port_impair(p.port[1], 0, NULL);
	fprintf(stderr, "  %" PRIu64 " bytes in %" PRIu64 " WRs (%" PRIu64 " SENDs), %.1f s; "
		"impaired frames (A rx + B rx): %" PRIu64 " dropped, %" PRIu64 " duplicated, %"
		PRIu64 " reordered, %" PRIu64 " corrupted; A: %" PRIu64 " retransmitted "
		"segments, %" PRIu64 " fast recoveries, %" PRIu64 " timeouts\n",
		s.bytes, s.done, s.sends_posted,
		(double)(rte_get_timer_cycles() - t_start) / (double)rte_get_timer_hz(),
		is[0].dropped + is[1].dropped, is[0].duplicated + is[1].duplicated,
		is[0].reordered + is[1].reordered, is[0].corrupted + is[1].corrupted,
		t1.tx_rexmit - t0.tx_rexmit, t1.fast_rexmit - t0.fast_rexmit,
		t1.rto_expired - t0.rto_expired);
	IWT_ASSERT(s.bytes >= TOTAL, "1 GiB moved");
	for (k = 0; k < 2; k++)
		IWT_ASSERT(is[k].dropped > 0 && is[k].duplicated > 0 && is[k].reordered > 0 &&
			   is[k].corrupted > 0, "every impairment happened on %c's side", 'A' + k);
	IWT_ASSERT(t1.tx_rexmit > t0.tx_rexmit, "losses were repaired by retransmission");
	rte_iwarp_disconnect(p.id[0]);
	iwt_vpair_poll_ms(&p, 50);
	for (k = 0; k < 6; k++)
		rte_iwarp_dereg_mr(s.mr[k]);
	IWT_RUN(iwt_vpair_close(&p));
	for (k = 0; k < 6; k++)
		iwt_gmem_free(g[k]);
	return IWT_PASS;
}
