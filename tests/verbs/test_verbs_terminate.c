/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An application that ends a connection in the same poll in which it sees
 * the TERMINATE event: the TERMINATE still reaches the peer (parsed there,
 * with its code) and the stream then closes in order (a FIN each way, no
 * RST on the wire), whichever side acts first and whether it disconnects or
 * destroys its QP. RFC 5040 section 7.1: the TERMINATE is the last message
 * of the stream.
 *
 * Side A (device 0) violates: it WRITEs to an STag that B never issued. B
 * (device 1) is the victim: it sends the TERMINATE. The TCP flags are
 * counted by ethdev callbacks on port A (both directions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "iwt.h"
#include "iwt_verbs.h"

#define T_DDP_TAGGED_INVALID_STAG 0x010100u
#define WAIT_MS 5000

/* [0]: sent by A, [1]: sent by B */
static unsigned int fins[2], rsts[2];

static void
count_flags(struct rte_mbuf **pkts, uint16_t n, int dir)
{
	uint8_t buf[sizeof(struct rte_ether_hdr) + 60 + sizeof(struct rte_tcp_hdr)];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	uint32_t ihl;
	uint16_t i;

	for (i = 0; i < n; i++) {
		eh = rte_pktmbuf_read(pkts[i], 0, sizeof(*eh) + sizeof(*ip), buf);
		if (eh == NULL || eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
			continue;
		ip = (const struct rte_ipv4_hdr *)(eh + 1);
		if (ip->next_proto_id != IPPROTO_TCP)
			continue;
		ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		th = rte_pktmbuf_read(pkts[i], sizeof(*eh) + ihl, sizeof(*th), buf);
		if (th == NULL)
			continue;
		if (th->tcp_flags & RTE_TCP_FIN_FLAG)
			fins[dir]++;
		if (th->tcp_flags & RTE_TCP_RST_FLAG)
			rsts[dir]++;
	}
}

static uint16_t
cap_rx(uint16_t port, uint16_t q, struct rte_mbuf **pkts, uint16_t n, uint16_t max, void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(q);
	RTE_SET_USED(max);
	RTE_SET_USED(arg);
	count_flags(pkts, n, 1);
	return n;
}

static uint16_t
cap_tx(uint16_t port, uint16_t q, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(q);
	RTE_SET_USED(arg);
	count_flags(pkts, n, 0);
	return n;
}

enum term_end {
	END_DISCONNECT,	/* rte_iwarp_disconnect() on the TERMINATE event */
	END_DESTROY,	/* rte_iwarp_destroy_qp() on the TERMINATE event */
	END_CLOSE,	/* rte_iwarp_disconnect() then rte_iwarp_dev_close() at once */
};

struct term_side {
	bool seen;		/* TERMINATE event taken */
	uint32_t term;		/* its code */
	bool ended;
};

/*
 * Poll device i once; on its TERMINATE event end the connection at once (no
 * other poll in between). Other events are acked.
 */
static int
poll_side(struct iwt_vpair *p, int i, enum term_end how, struct term_side *sd, bool take)
{
	struct rte_iwarp_cm_event ev;
	int rc;

	if (p->dev[i] == NULL)
		return IWT_PASS;
	rte_iwarp_dev_poll(p->dev[i]);
	while (take && rte_iwarp_cm_get_event(p->dev[i], &ev) == 0) {
		if (ev.event == RTE_IWARP_CM_EVENT_TERMINATE && !sd->seen) {
			sd->seen = true;
			sd->term = ev.term;
			rte_iwarp_cm_ack_event(&ev);
			/* the peer's FIN may have come with its TERMINATE: -ENOTCONN */
			if (how != END_DESTROY) {
				rc = rte_iwarp_disconnect(p->id[i]);
				IWT_ASSERT(rc == 0 || rc == -ENOTCONN,
					   "side %d: disconnect at once: %d", i, rc);
			} else
				IWT_ASSERT_EQ(rte_iwarp_destroy_qp(p->qp[i]), 0,
					      "side %d: destroy_qp at once", i);
			if (how == END_DESTROY)
				p->qp[i] = NULL;
			sd->ended = true;
			if (how == END_CLOSE) {
				/* no poll after the disconnect: the device goes at once */
				rte_iwarp_dev_close(p->dev[i]);
				p->dev[i] = NULL;
				p->qp[i] = NULL;
				return IWT_PASS;
			}
			continue;
		}
		rte_iwarp_cm_ack_event(&ev);
	}
	return IWT_PASS;
}

/*
 * first: the side that ends its connection first. Both devices are polled
 * all along; the other side's application takes its events only once the
 * first one has ended (B, the victim, would otherwise always act first).
 */
static int
term_run(int first, enum term_end how)
{
	const struct rte_eth_rxtx_callback *rcb, *tcb;
	struct rte_iwarp_qp_attr qa;
	struct term_side sd[2];
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg;
	struct rte_iwarp_mr *ma;
	struct iwt_vpair p;
	uint8_t *mem = calloc(1, 65536);
	uint64_t end;
	int i, rc;

	IWT_ASSERT(mem != NULL, "memory");
	memset(sd, 0, sizeof(sd));
	IWT_ASSERT_EQ(iwt_vpair_open_connected(&p, "vterm", 64, NULL, NULL, NULL), 0,
		      "connect");
	rcb = rte_eth_add_rx_callback(p.port[0]->port_id, 0, cap_rx, NULL);
	tcb = rte_eth_add_tx_callback(p.port[0]->port_id, 0, cap_tx, NULL);
	IWT_ASSERT(rcb != NULL && tcb != NULL, "capture callbacks");
	ma = rte_iwarp_reg_mr(p.pd[0], mem, 65536, RTE_IWARP_ACCESS_LOCAL_WRITE);
	IWT_ASSERT(ma != NULL, "reg_mr");

	/* A: a WRITE of 40 KB to an STag B never issued */
	sg = (struct rte_iwarp_sge){ (uintptr_t)mem, 40000, ma->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 1, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.rkey = 0x7fff0100;
	wr.wr.rdma.remote_addr = 0x1000;
	IWT_ASSERT_EQ(iwt_post_send1(p.qp[0], &wr), 0, "violating WRITE");

	/* the side polled first ends at once, the other one after it */
	end = rte_get_timer_cycles() + rte_get_timer_hz() * WAIT_MS / 1000;
	while (!(sd[0].ended && sd[1].ended) && rte_get_timer_cycles() < end) {
		for (i = 0; i < 2; i++)
			IWT_RUN(poll_side(&p, i, how, &sd[i], i == first || sd[first].ended));
	}
	IWT_ASSERT(sd[1].seen, "B: TERMINATE event (sent)");
	IWT_ASSERT(sd[0].seen, "A: TERMINATE event: the TERMINATE reached A");
	IWT_ASSERT_EQ(sd[0].term, T_DDP_TAGGED_INVALID_STAG, "A parsed B's TERMINATE code");
	IWT_ASSERT_EQ(sd[1].term, T_DDP_TAGGED_INVALID_STAG, "B's TERMINATE code");
	if (how == END_DISCONNECT) {
		IWT_ASSERT_EQ(rte_iwarp_query_qp(p.qp[0], &qa), 0, "query A");
		IWT_ASSERT_EQ(qa.term_received, T_DDP_TAGGED_INVALID_STAG, "A: term_received");
		IWT_ASSERT_EQ(qa.state, RTE_IWARP_QPS_ERR, "A in ERROR");
	}
	/* both directions close in order */
	end = rte_get_timer_cycles() + rte_get_timer_hz() * WAIT_MS / 1000;
	while ((fins[0] == 0 || fins[1] == 0) && how != END_CLOSE && rte_get_timer_cycles() < end)
		iwt_vpair_poll(&p);
	iwt_vpair_poll_ms(&p, 50);
	IWT_LOG("first %c, %s: FIN %u/%u, RST %u/%u (A/B)", first ? 'B' : 'A',
		how == END_DISCONNECT ? "disconnect" : how == END_DESTROY ? "destroy_qp" :
		"disconnect and dev_close", fins[0], fins[1],
		rsts[0], rsts[1]);
	/* once B's device is gone, nothing ACKs A's data: A's FIN stays queued */
	IWT_ASSERT((fins[0] >= 1 || how == END_CLOSE) && fins[1] >= 1,
		   "a FIN each way (A %u, B %u)", fins[0], fins[1]);
	IWT_ASSERT(rsts[0] == 0 && rsts[1] == 0, "no RST (A %u, B %u)", rsts[0], rsts[1]);

	rte_eth_remove_rx_callback(p.port[0]->port_id, 0, rcb);
	rte_eth_remove_tx_callback(p.port[0]->port_id, 0, tcb);
	rte_iwarp_dereg_mr(ma);
	rc = iwt_vpair_close(&p);
	free(mem);
	return rc;
}

IWT_CASE(verbs_ring_terminate_victim_disconnects_first)
{
	return term_run(1, END_DISCONNECT);
}

IWT_CASE(verbs_ring_terminate_violator_disconnects_first)
{
	return term_run(0, END_DISCONNECT);
}

IWT_CASE(verbs_ring_terminate_victim_destroys_qp_first)
{
	return term_run(1, END_DESTROY);
}

IWT_CASE(verbs_ring_terminate_violator_destroys_qp_first)
{
	return term_run(0, END_DESTROY);
}

IWT_CASE(verbs_ring_terminate_victim_disconnects_and_closes_device)
{
	return term_run(1, END_CLOSE);
}
