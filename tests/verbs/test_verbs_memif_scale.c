/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 1,000 connections between two engines in two processes over net_memif:
 * each QP carries one message each way (client to server a WRITE then a
 * SEND, server to client a SEND), every byte checked on the receiving side,
 * then every connection is closed and both sides see it.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "iwt.h"
#include "iwt_memif.h"
#include "iwt_verbs.h"

#define NQP 1000
#define MSG 64
#define SLOT 256            /* per connection: SEND in, WRITE in, SEND in (client) */

#define T_BASE IWT_MTAG('B', 'A', 'S', 'E')

struct base {
	uint64_t addr;
	uint32_t rkey;
};

static struct rte_iwarp_qp *qp[NQP];
static struct rte_iwarp_cm_id *id[NQP];

static uint8_t *
slot(struct iwt_mside *s, uint32_t i)
{
	return s->mem + (size_t)i * SLOT;
}

static int
scale_setup(struct iwt_mside *s)
{
	int i;

	for (i = 0; i < NQP; i++) {
		qp[i] = iwt_mqp(s, s->cq, NULL, NULL);
		IWT_ASSERT(qp[i] != NULL, "%s: create_qp %d", s->who, i);
	}
	return IWT_PASS;
}

/* Wait for n CM events of a type (counted into *got), accepting requests on the server. */
static int
scale_events(struct iwt_mside *s, enum rte_iwarp_cm_event_type type, int *got, int n,
	     unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_sge sg;
	struct rte_iwarp_send_wr wr;
	int acc = 0;
	uint32_t idx;

	while (*got < n && rte_get_timer_cycles() < end) {
		if (rte_iwarp_cm_get_event(s->dev, &ev) < 0)
			continue;
		if (ev.event == RTE_IWARP_CM_EVENT_CONNECT_REQUEST) {
			/* the client's QP index: receive into its slot, answer from it */
			IWT_ASSERT_EQ(ev.private_data_len, 4, "private data");
			memcpy(&idx, ev.private_data, 4);
			IWT_ASSERT(idx < NQP, "index %u", idx);
			IWT_ASSERT_EQ(iwt_post_recv1(qp[acc], idx, slot(s, idx), MSG,
						     s->mr->lkey), 0, "recv");
			iwt_vfill(slot(s, idx) + 2 * MSG, MSG, 9 * idx + 1);
			sg = (struct rte_iwarp_sge){ (uintptr_t)slot(s, idx) + 2 * MSG, MSG,
						     s->mr->lkey };
			wr = (struct rte_iwarp_send_wr){ .wr_id = idx, .sg_list = &sg,
				.num_sge = 1, .opcode = RTE_IWARP_WR_SEND,
				.send_flags = RTE_IWARP_SEND_SIGNALED };
			/* posted before the connection: sent once it is up */
			IWT_ASSERT_EQ(iwt_post_send1(qp[acc], &wr), 0, "SEND %u", idx);
			IWT_ASSERT_EQ(rte_iwarp_accept(ev.id, qp[acc], NULL), 0, "accept %d", acc);
			acc++;
		} else if (ev.event == type) {
			(*got)++;
		} else {
			IWT_LOG("%s: event %s", s->who, rte_iwarp_cm_event_str(ev.event));
		}
		rte_iwarp_cm_ack_event(&ev);
	}
	IWT_ASSERT_EQ(*got, n, "%s: %s events", s->who, rte_iwarp_cm_event_str(type));
	return IWT_PASS;
}

/* n completions, all successful. */
static int
scale_wc(struct iwt_mside *s, int n, int *recvs)
{
	static struct rte_iwarp_wc wc[256];
	int got = 0, k, i;

	while (got < n) {
		k = iwt_mwc(s, s->cq, wc, RTE_MIN(256, n - got), 30000);
		IWT_ASSERT(k > 0, "%s: %d of %d completions", s->who, got, n);
		for (i = 0; i < k; i++) {
			IWT_ASSERT(wc[i].status == RTE_IWARP_WC_SUCCESS, "%s: wr %llu: %s", s->who,
				   (unsigned long long)wc[i].wr_id,
				   rte_iwarp_wc_status_str(wc[i].status));
			if (wc[i].opcode == RTE_IWARP_WC_RECV) {
				IWT_ASSERT_EQ(wc[i].byte_len, MSG, "%s: length", s->who);
				(*recvs)++;
			}
		}
		got += k;
	}
	return IWT_PASS;
}

static int
scale_server(struct iwt_mside *s)
{
	struct base b = { (uintptr_t)s->mem, s->mr->rkey };
	uint8_t expect[2 * MSG];
	int est = 0, disc = 0, recvs = 0;
	uint32_t i;

	IWT_ASSERT_EQ(iwt_mctl_send(s, T_BASE, &b, sizeof(b)), 0, "BASE");
	IWT_RUN(scale_events(s, RTE_IWARP_CM_EVENT_ESTABLISHED, &est, NQP, 90000));
	/* 1,000 SENDs out, 1,000 in (each after its QP's WRITE) */
	IWT_RUN(scale_wc(s, 2 * NQP, &recvs));
	IWT_ASSERT_EQ(recvs, NQP, "server: receives");
	for (i = 0; i < NQP; i++) {
		iwt_vfill(expect, 2 * MSG, 7 * i);
		IWT_ASSERT(memcmp(slot(s, i), expect, 2 * MSG) == 0,
			   "server: QP %u: SEND and WRITE bytes", i);
	}
	IWT_RUN(scale_events(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &disc, NQP, 30000));
	return IWT_PASS;
}

static int
scale_client(struct iwt_mside *s)
{
	struct rte_iwarp_conn_param cp = { .private_data_len = 4 };
	struct rte_iwarp_send_wr wr[2];
	struct rte_iwarp_sge sg[2];
	struct base b;
	uint64_t t0 = rte_get_timer_cycles();
	int est = 0, disc = 0, recvs = 0;
	uint32_t i;

	IWT_ASSERT_EQ(iwt_mctl_recv(s, T_BASE, &b, sizeof(b), 10000), sizeof(b), "BASE");
	for (i = 0; i < NQP; i++) {
		cp.private_data = &i;
		IWT_ASSERT_EQ(iwt_post_recv1(qp[i], NQP + i, slot(s, i) + 2 * MSG, MSG,
					     s->mr->lkey), 0, "recv");
		id[i] = rte_iwarp_connect(qp[i], IWT_M_IP(IWT_M_SERVER), IWT_M_PORT, &cp, NULL);
		IWT_ASSERT(id[i] != NULL, "connect %u", i);
	}
	IWT_RUN(scale_events(s, RTE_IWARP_CM_EVENT_ESTABLISHED, &est, NQP, 90000));
	printf("client: %d connections established in %.1f s\n", NQP,
	       (double)(rte_get_timer_cycles() - t0) / (double)rte_get_timer_hz());
	for (i = 0; i < NQP; i++) {
		/* WRITE the second half, then SEND the first: placed in that order */
		iwt_vfill(slot(s, i), 2 * MSG, 7 * i);
		sg[0] = (struct rte_iwarp_sge){ (uintptr_t)slot(s, i) + MSG, MSG, s->mr->lkey };
		sg[1] = (struct rte_iwarp_sge){ (uintptr_t)slot(s, i), MSG, s->mr->lkey };
		wr[0] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg[0], .num_sge = 1,
			.opcode = RTE_IWARP_WR_RDMA_WRITE, .next = &wr[1] };
		wr[0].wr.rdma.remote_addr = b.addr + (uint64_t)i * SLOT + MSG;
		wr[0].wr.rdma.rkey = b.rkey;
		wr[1] = (struct rte_iwarp_send_wr){ .wr_id = i, .sg_list = &sg[1], .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND,
			.send_flags = RTE_IWARP_SEND_SIGNALED | RTE_IWARP_SEND_INLINE };
		IWT_ASSERT_EQ(iwt_post_send1(qp[i], wr), 0, "post %u", i);
	}
	/* 1,000 SEND completions (the WRITEs unsignalled), 1,000 receives */
	IWT_RUN(scale_wc(s, 2 * NQP, &recvs));
	IWT_ASSERT_EQ(recvs, NQP, "client: receives");
	for (i = 0; i < NQP; i++) {
		uint8_t expect[MSG];

		iwt_vfill(expect, MSG, 9 * i + 1);
		IWT_ASSERT(memcmp(slot(s, i) + 2 * MSG, expect, MSG) == 0,
			   "client: QP %u: the server's SEND bytes", i);
	}
	for (i = 0; i < NQP; i++)
		IWT_ASSERT_EQ(rte_iwarp_disconnect(id[i]), 0, "disconnect %u", i);
	IWT_RUN(scale_events(s, RTE_IWARP_CM_EVENT_DISCONNECTED, &disc, NQP, 30000));
	printf("client: 1,000 QPs in %.1f s\n",
	       (double)(rte_get_timer_cycles() - t0) / (double)rte_get_timer_hz());
	return IWT_PASS;
}

IWT_CASE(verbs_memif_1000_qps)
{
	static const struct iwt_mcase c = {
		.name = "1,000 QPs", .no_qp = true, .cqe = 4096, .timeout_s = 120,
		.setup = scale_setup, .server = scale_server, .client = scale_client,
	};

	return iwt_memif_run(&c);
}
