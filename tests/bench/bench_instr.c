/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwt-bench-instr: the instruction budget of the fast path, both ends in one
 * process.
 *
 * Two engines (A, B) over a ring wire, polled alternately by this one thread;
 * one connected QP pair, MPA v2 with CRC32c. A streams COUNT messages of SIZE
 * bytes to B as perftest's write_bw / send_bw does: at most DEPTH outstanding,
 * every CQ_MOD-th signalled, each posted alone (a post list of 1). Phases:
 *
 *   warm-up    WARMUP messages (caches, TCP's window opens)
 *   measured   COUNT messages, from the first post until the last completion
 *   idle       IDLE polls of each engine with nothing to do
 *
 * Run under `valgrind --tool=callgrind`, the measured and idle phases are
 * dumped as parts of their own (CALLGRIND_ZERO_STATS / CALLGRIND_DUMP_STATS_AT);
 * scripts/bench-instr.sh reads their totals and subtracts the idle polls of
 * the measured phase (rte_iwarp_dev_stats: polls - busy_polls) at the idle
 * phase's cost per poll. The program prints what it counted, one key=value
 * per line; run natively it also prints the message rate of one core driving
 * both ends. The received bytes are checked against what was sent.
 *
 *   iwt-bench-instr [--op write|send] [--size B] [--count N] [--warmup N]
 *                   [--depth D] [--cq-mod M] [--idle N]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <valgrind/callgrind.h>

#include "iw_net.h"
#include "iw_tcp.h"
#include "iw_verbs_pvt.h"
#include "iwt.h"
#include "iwt_verbs.h"

#define SLOTS 256               /* distinct message slots in each buffer */
#define RQ_DEPTH 1024

struct cfg {
	bool send;
	uint32_t size, count, warmup, depth, cq_mod, idle;
};

struct run {
	struct cfg c;
	struct iwt_vpair p;
	uint8_t *src, *dst;
	struct rte_iwarp_mr *smr, *dmr;
	uint64_t posted, done, recv_done, rq_posted;
};

static int
usage(const char *arg)
{
	fprintf(stderr, "iwt-bench-instr: bad argument '%s'\n"
		"usage: iwt-bench-instr [--op write|send] [--size B] [--count N] [--warmup N]\n"
		"                       [--depth D] [--cq-mod M] [--idle N]\n", arg);
	return 2;
}

static int
parse(int argc, char **argv, struct cfg *c)
{
	int i;
	char *end;
	unsigned long v;

	*c = (struct cfg){ .size = 64, .count = 20000, .warmup = 5000, .depth = 128,
			   .cq_mod = 64, .idle = 2000 };
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage(argv[i]);
		if (strcmp(argv[i], "--op") == 0) {
			if (strcmp(argv[i + 1], "send") == 0)
				c->send = true;
			else if (strcmp(argv[i + 1], "write") != 0)
				return usage(argv[i + 1]);
			continue;
		}
		errno = 0;
		v = strtoul(argv[i + 1], &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX)
			return usage(argv[i + 1]);
		if (strcmp(argv[i], "--size") == 0 && v <= 65536)
			c->size = (uint32_t)v;
		else if (strcmp(argv[i], "--count") == 0)
			c->count = (uint32_t)v;
		else if (strcmp(argv[i], "--warmup") == 0)
			c->warmup = (uint32_t)v;
		else if (strcmp(argv[i], "--depth") == 0 && v <= 512)
			c->depth = (uint32_t)v;
		else if (strcmp(argv[i], "--cq-mod") == 0 && v <= 512)
			c->cq_mod = (uint32_t)v;
		else if (strcmp(argv[i], "--idle") == 0)
			c->idle = (uint32_t)v;
		else
			return usage(argv[i]);
	}
	if (c->cq_mod > c->depth)
		c->cq_mod = c->depth;
	return 0;
}

static uint8_t *
slot(uint8_t *base, const struct cfg *c, uint64_t i)
{
	return base + (i % SLOTS) * c->size;
}

static int
post_recvs(struct run *r)
{
	struct rte_iwarp_sge sg;
	struct rte_iwarp_recv_wr wr = { .sg_list = &sg, .num_sge = 1 }, *bad;
	int rc;

	while (r->rq_posted - r->recv_done < RQ_DEPTH) {
		sg.addr = (uintptr_t)slot(r->dst, &r->c, r->rq_posted);
		sg.length = r->c.size;
		sg.lkey = r->dmr->lkey;
		wr.wr_id = r->rq_posted;
		rc = rte_iwarp_post_recv(r->p.qp[1], &wr, &bad);
		if (rc < 0) {
			IWT_LOG("post_recv: %d", rc);
			return rc;
		}
		r->rq_posted++;
	}
	return 0;
}

/* Stream n messages; @return 0 when all completed (and, for SEND, arrived). */
static int
stream(struct run *r, uint64_t n)
{
	const struct cfg *c = &r->c;
	uint64_t end = r->posted + n, stall = 0;
	struct rte_iwarp_wc wc[32];
	struct rte_iwarp_sge sg;
	struct rte_iwarp_send_wr wr, *bad;
	int i, k, rc;

	memset(&wr, 0, sizeof(wr));
	wr.sg_list = &sg;
	wr.num_sge = 1;
	wr.opcode = c->send ? RTE_IWARP_WR_SEND : RTE_IWARP_WR_RDMA_WRITE;
	sg.length = c->size;
	sg.lkey = r->smr->lkey;
	while (r->done < end || (c->send && r->recv_done < end)) {
		while (r->posted < end && r->posted - r->done < c->depth) {
			sg.addr = (uintptr_t)slot(r->src, c, r->posted);
			wr.wr_id = r->posted;
			wr.send_flags = ((r->posted + 1) % c->cq_mod == 0 || r->posted + 1 == end) ?
				RTE_IWARP_SEND_SIGNALED : 0;
			wr.wr.rdma.remote_addr = (uintptr_t)slot(r->dst, c, r->posted);
			wr.wr.rdma.rkey = r->dmr->rkey;
			rc = rte_iwarp_post_send(r->p.qp[0], &wr, &bad);
			if (rc < 0) {
				IWT_LOG("post_send %" PRIu64 ": %d", r->posted, rc);
				return rc;
			}
			r->posted++;
		}
		k = rte_iwarp_poll_cq(r->p.cq[0], RTE_DIM(wc), wc);
		for (i = 0; i < k; i++) {
			if (wc[i].status != RTE_IWARP_WC_SUCCESS) {
				IWT_LOG("completion %" PRIu64 ": %s", wc[i].wr_id,
					rte_iwarp_wc_status_str(wc[i].status));
				return -EIO;
			}
			r->done = wc[i].wr_id + 1;
		}
		if (c->send) {
			k = rte_iwarp_poll_cq(r->p.cq[1], RTE_DIM(wc), wc);
			for (i = 0; i < k; i++) {
				if (wc[i].status != RTE_IWARP_WC_SUCCESS ||
				    wc[i].wr_id != r->recv_done || wc[i].byte_len != c->size) {
					IWT_LOG("receive %" PRIu64 ": %s, %u bytes", wc[i].wr_id,
						rte_iwarp_wc_status_str(wc[i].status),
						wc[i].byte_len);
					return -EIO;
				}
				r->recv_done++;
			}
			if (k > 0 && post_recvs(r) < 0)
				return -EIO;
		} else {
			rte_iwarp_dev_poll(r->p.dev[1]);
		}
		if (k < 0)
			return k;
		if (++stall > 2000000000ull) {
			IWT_LOG("no progress: %" PRIu64 " posted, %" PRIu64 " done", r->posted,
				r->done);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

struct snap {
	struct rte_iwarp_dev_stats dev[2];
	struct iw_net_stats net[2];
	struct iw_tcp_stats tcp[2];
};

static void
snap(struct run *r, struct snap *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		rte_iwarp_dev_stats_get(r->p.dev[i], &s->dev[i]);
		iw_net_stats_get(r->p.dev[i]->net, &s->net[i]);
		iw_tcp_stats_get(r->p.dev[i]->tcp, &s->tcp[i]);
	}
}

#define D(f) (b->f - a->f)

static void
print_phase(const char *name, const struct snap *a, const struct snap *b)
{
	printf("%s_polls=%" PRIu64 "\n%s_busy_polls=%" PRIu64 "\n", name,
	       D(dev[0].polls) + D(dev[1].polls), name,
	       D(dev[0].busy_polls) + D(dev[1].busy_polls));
	printf("%s_idle_polls=%" PRIu64 "\n", name,
	       D(dev[0].polls) + D(dev[1].polls) - D(dev[0].busy_polls) - D(dev[1].busy_polls));
	printf("%s_fpdus=%" PRIu64 "\n%s_frames_a_to_b=%" PRIu64 "\n%s_frames_b_to_a=%" PRIu64
	       "\n", name, D(dev[0].tx_fpdus), name, D(net[0].tx_pkts), name, D(net[1].tx_pkts));
	printf("%s_rexmit=%" PRIu64 "\n", name, D(tcp[0].tx_rexmit) + D(tcp[1].tx_rexmit));
}

int
main(int argc, char **argv)
{
	struct rte_iwarp_qp_cap cap = { .max_send_wr = 512, .max_recv_wr = RQ_DEPTH };
	struct snap s0, s1, s2, s3;
	struct run r;
	uint64_t t0, t1;
	uint32_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = parse(argc, argv, &r.c);
	if (rc != 0)
		return rc;
	rc = iwt_vpair_open_connected(&r.p, "bi", 4096, &cap, &cap, NULL);
	if (rc < 0) {
		IWT_LOG("set-up failed: %s", strerror(-rc));
		return 1;
	}
	r.src = rte_malloc("bi_src", (size_t)SLOTS * r.c.size, 64);
	r.dst = rte_zmalloc("bi_dst", (size_t)SLOTS * r.c.size, 64);
	if (r.src == NULL || r.dst == NULL)
		return 1;
	for (i = 0; i < SLOTS * r.c.size; i++)
		r.src[i] = (uint8_t)(i * 7 + 3);
	r.smr = rte_iwarp_reg_mr(r.p.pd[0], r.src, (size_t)SLOTS * r.c.size,
				 RTE_IWARP_ACCESS_LOCAL_WRITE);
	r.dmr = rte_iwarp_reg_mr(r.p.pd[1], r.dst, (size_t)SLOTS * r.c.size,
				 RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE);
	if (r.smr == NULL || r.dmr == NULL) {
		IWT_LOG("reg_mr: %s", strerror(rte_errno));
		return 1;
	}
	if (r.c.send && post_recvs(&r) < 0)
		return 1;
	if (stream(&r, r.c.warmup) < 0)
		return 1;
	/* let the last ACKs land: the measured phase starts quiet */
	iwt_vpair_poll_ms(&r.p, 20);

	snap(&r, &s0);
	t0 = rte_rdtsc();
	CALLGRIND_ZERO_STATS;
	rc = stream(&r, r.c.count);
	CALLGRIND_DUMP_STATS_AT("measured");
	t1 = rte_rdtsc();
	snap(&r, &s1);
	if (rc < 0)
		return 1;
	iwt_vpair_poll_ms(&r.p, 20);

	snap(&r, &s2);
	CALLGRIND_ZERO_STATS;
	for (i = 0; i < r.c.idle; i++) {
		rte_iwarp_dev_poll(r.p.dev[0]);
		rte_iwarp_dev_poll(r.p.dev[1]);
	}
	CALLGRIND_DUMP_STATS_AT("idle");
	snap(&r, &s3);

	if (memcmp(r.src, r.dst, (size_t)SLOTS * r.c.size) != 0) {
		IWT_LOG("the received bytes differ from the sent ones");
		return 1;
	}
	printf("op=%s\nsize=%u\ncount=%u\ndepth=%u\ncq_mod=%u\n", r.c.send ? "send" : "write",
	       r.c.size, r.c.count, r.c.depth, r.c.cq_mod);
	print_phase("measured", &s0, &s1);
	print_phase("idle", &s2, &s3);
	printf("cycles=%" PRIu64 "\nmsg_per_s=%.0f\n", t1 - t0,
	       (double)r.c.count * (double)rte_get_tsc_hz() / (double)(t1 - t0));
	rc = iwt_vpair_close(&r.p);
	return rc == IWT_PASS ? 0 : 1;
}
