/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two processes on two cores over net_memif, each an engine with its own EAL:
 * every opcode in both directions with the data checked byte for byte on
 * the receiving side. The peers learn each other's buffers, rkeys and the
 * fast-register STag to invalidate from the CM private data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_byteorder.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_verbs.h"

#define MEM (256 * 1024)
#define SRC 0
#define DST (64 * 1024)
#define RCV (128 * 1024)
#define WORD (192 * 1024)
#define FRMR_AREA (200 * 1024)
#define BIG 20000
#define MPORT 7471

struct peer_info {
	uint64_t base;
	uint32_t rkey;
	uint32_t frmr_rkey;
} __rte_packed;

struct side {
	struct iw_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;	/* sends */
	struct rte_iwarp_cq *rcq;	/* receives */
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_mr *mr, *fr;
	struct rte_iwarp_cm_id *id;
	uint8_t *mem;
	struct peer_info me, peer;
	int role;	/* 0 server, 1 client */
};

static int
wait_wc(struct side *s, struct rte_iwarp_wc *wc, uint64_t wr_id, int opcode)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;
	int n;

	do {
		n = rte_iwarp_poll_cq(s->cq, 1, wc);
	} while (n == 0 && rte_get_timer_cycles() < end);
	IWT_ASSERT_EQ(n, 1, "role %d: completion of %llu", s->role, (unsigned long long)wr_id);
	IWT_ASSERT(wc->status == RTE_IWARP_WC_SUCCESS, "role %d wr %llu: %s", s->role,
		   (unsigned long long)wc->wr_id, rte_iwarp_wc_status_str(wc->status));
	IWT_ASSERT_EQ(wc->wr_id, wr_id, "role %d: wr_id", s->role);
	IWT_ASSERT_EQ(wc->opcode, opcode, "role %d: opcode", s->role);
	return IWT_PASS;
}

static int
wait_event(struct side *s, enum rte_iwarp_cm_event_type t, struct rte_iwarp_cm_event *ev)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;

	while (rte_get_timer_cycles() < end) {
		if (rte_iwarp_cm_get_event(s->dev, ev) < 0)
			continue;
		if (ev->event == t)
			return IWT_PASS;
		IWT_LOG("role %d: event %s", s->role, rte_iwarp_cm_event_str(ev->event));
		rte_iwarp_cm_ack_event(ev);
	}
	IWT_LOG("role %d: no %s", s->role, rte_iwarp_cm_event_str(t));
	return IWT_FAIL;
}

static int
post(struct side *s, struct rte_iwarp_send_wr *wr)
{
	struct rte_iwarp_send_wr *bad;

	return rte_iwarp_post_send(s->qp, wr, &bad);
}

/* Every opcode towards the peer; what the peer did to us is checked at the end. */
static int
run(struct side *s)
{
	uint32_t ps = 10 + (s->role ^ 1);
	uint64_t pb = s->peer.base, *word = (uint64_t *)(s->mem + WORD);
	uint64_t *res = (uint64_t *)(s->mem + WORD + 64);
	struct rte_iwarp_send_wr wr;
	struct rte_iwarp_sge sg;
	struct rte_iwarp_wc wc;
	int i;

	/* SEND and SEND_SE, several FPDUs */
	for (i = 0; i < 2; i++) {
		sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + SRC, 5000, s->mr->lkey };
		wr = (struct rte_iwarp_send_wr){ .wr_id = 1 + i, .sg_list = &sg, .num_sge = 1,
			.opcode = RTE_IWARP_WR_SEND, .send_flags = RTE_IWARP_SEND_SIGNALED |
			(i ? RTE_IWARP_SEND_SOLICITED : 0) };
		IWT_ASSERT_EQ(post(s, &wr), 0, "SEND");
		IWT_RUN(wait_wc(s, &wc, 1 + i, RTE_IWARP_WC_SEND));
	}
	/* RDMA WRITE and WRITE with immediate into the peer's DST */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + SRC, BIG, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_WRITE, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = pb + DST;
	wr.wr.rdma.rkey = s->peer.rkey;
	IWT_ASSERT_EQ(post(s, &wr), 0, "WRITE");
	IWT_RUN(wait_wc(s, &wc, 3, RTE_IWARP_WC_RDMA_WRITE));
	sg.addr += BIG;
	sg.length = 1000;
	wr.wr_id = 4;
	wr.opcode = RTE_IWARP_WR_RDMA_WRITE_WITH_IMM;
	wr.imm_data = rte_cpu_to_be_32(0xab00 + s->role);
	wr.wr.rdma.remote_addr = pb + DST + BIG;
	IWT_ASSERT_EQ(post(s, &wr), 0, "WRITE_WITH_IMM");
	IWT_RUN(wait_wc(s, &wc, 4, RTE_IWARP_WC_RDMA_WRITE));
	/* RDMA READ of the peer's SRC, checked here */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + DST + 32768, BIG, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 5, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_RDMA_READ, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = pb + SRC;
	wr.wr.rdma.rkey = s->peer.rkey;
	IWT_ASSERT_EQ(post(s, &wr), 0, "READ");
	IWT_RUN(wait_wc(s, &wc, 5, RTE_IWARP_WC_RDMA_READ));
	IWT_ASSERT(iwt_vcheck(s->mem + DST + 32768, BIG, ps) < 0, "role %d READ bytes", s->role);
	/* atomics on the peer's word (100 there) */
	sg = (struct rte_iwarp_sge){ (uintptr_t)res, 8, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 6, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_ATOMIC_FETCH_AND_ADD, .send_flags = RTE_IWARP_SEND_SIGNALED };
	wr.wr.atomic.remote_addr = pb + WORD;
	wr.wr.atomic.rkey = s->peer.rkey;
	wr.wr.atomic.compare_add = 5;
	IWT_ASSERT_EQ(post(s, &wr), 0, "FETCH_ADD");
	IWT_RUN(wait_wc(s, &wc, 6, RTE_IWARP_WC_FETCH_ADD));
	IWT_ASSERT_EQ(*res, 100, "role %d fetch-add result", s->role);
	wr.wr_id = 7;
	wr.opcode = RTE_IWARP_WR_ATOMIC_CMP_AND_SWP;
	wr.wr.atomic.compare_add = 105;
	wr.wr.atomic.swap = 7;
	IWT_ASSERT_EQ(post(s, &wr), 0, "CMP_SWP");
	IWT_RUN(wait_wc(s, &wc, 7, RTE_IWARP_WC_COMP_SWAP));
	IWT_ASSERT_EQ(*res, 105, "role %d cmp-swap result", s->role);
	/* local operations: REG_MR + LOCAL_INV of a second FRMR */
	{
		struct rte_iwarp_mr *f2 = rte_iwarp_alloc_mr(s->pd);

		IWT_ASSERT(f2 != NULL, "alloc_mr");
		wr = (struct rte_iwarp_send_wr){ .wr_id = 8, .opcode = RTE_IWARP_WR_REG_MR,
			.send_flags = RTE_IWARP_SEND_SIGNALED };
		wr.wr.reg.mr = f2;
		wr.wr.reg.addr = s->mem + FRMR_AREA + 4096;
		wr.wr.reg.iova = 0x5000;
		wr.wr.reg.length = 4096;
		wr.wr.reg.key = 0x99;
		wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE;
		IWT_ASSERT_EQ(post(s, &wr), 0, "REG_MR");
		IWT_RUN(wait_wc(s, &wc, 8, RTE_IWARP_WC_REG_MR));
		wr = (struct rte_iwarp_send_wr){ .wr_id = 9, .opcode = RTE_IWARP_WR_LOCAL_INV,
			.send_flags = RTE_IWARP_SEND_SIGNALED, .invalidate_rkey = f2->rkey };
		IWT_ASSERT_EQ(post(s, &wr), 0, "LOCAL_INV");
		IWT_RUN(wait_wc(s, &wc, 9, RTE_IWARP_WC_LOCAL_INV));
		rte_iwarp_dereg_mr(f2);
	}
	/* the last message: SEND with Invalidate of the peer's FRMR */
	sg = (struct rte_iwarp_sge){ (uintptr_t)s->mem + SRC, 100, s->mr->lkey };
	wr = (struct rte_iwarp_send_wr){ .wr_id = 10, .sg_list = &sg, .num_sge = 1,
		.opcode = RTE_IWARP_WR_SEND_WITH_INV, .send_flags = RTE_IWARP_SEND_SIGNALED,
		.invalidate_rkey = s->peer.frmr_rkey };
	IWT_ASSERT_EQ(post(s, &wr), 0, "SEND_INV");
	IWT_RUN(wait_wc(s, &wc, 10, RTE_IWARP_WC_SEND));

	/* what the peer did here: 4 receives (SEND, SEND_SE, IMM, SEND_INV) */
	for (i = 0; i < 4; i++) {
		uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;
		int n;

		do {
			n = rte_iwarp_poll_cq(s->rcq, 1, &wc);
		} while (n == 0 && rte_get_timer_cycles() < end);
		IWT_ASSERT(n == 1 && wc.status == RTE_IWARP_WC_SUCCESS, "role %d recv %d", s->role,
			   i);
		IWT_ASSERT_EQ(wc.wr_id, 100 + i, "recv order");
		if (i < 2) {
			IWT_ASSERT_EQ(wc.byte_len, 5000, "SEND length");
			IWT_ASSERT(iwt_vcheck(s->mem + RCV + 8192 * i, 5000, ps) < 0, "SEND bytes");
			IWT_ASSERT_EQ(!!(wc.wc_flags & RTE_IWARP_WC_SOLICITED), i, "SE flag");
		} else if (i == 2) {
			IWT_ASSERT_EQ(wc.opcode, RTE_IWARP_WC_RECV_RDMA_WITH_IMM, "IMM");
			IWT_ASSERT_EQ(rte_be_to_cpu_32(wc.imm_data), 0xab00u + (s->role ^ 1), "imm");
		} else {
			IWT_ASSERT(wc.wc_flags & RTE_IWARP_WC_WITH_INV, "WITH_INV");
			IWT_ASSERT_EQ(wc.invalidated_rkey, s->me.frmr_rkey, "invalidated rkey");
		}
	}
	IWT_ASSERT(iwt_vcheck(s->mem + DST, BIG, ps) < 0, "role %d WRITE bytes", s->role);
	{
		static uint8_t expect[2 * BIG];

		iwt_vfill(expect, 2 * BIG, ps);
		IWT_ASSERT(memcmp(s->mem + DST + BIG, expect + BIG, 1000) == 0,
			   "role %d WRITE_WITH_IMM bytes", s->role);
	}
	IWT_ASSERT_EQ(*word, 7, "role %d: the peer's atomics on our word", s->role);
	return IWT_PASS;
}

static int
side_run(int role, const char *sock)
{
	char args[512];
	struct side s;
	struct iw_port_conf pc = { .port_id = -1 };
	struct rte_iwarp_dev_conf dc = { 0 };
	struct rte_iwarp_conn_param cp = { 0 };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_send_wr wr, *bad;
	char devargs[256];
	int i, rc;

	memset(&s, 0, sizeof(s));
	s.role = role;
	snprintf(args, sizeof(args), "-l %d", role);
	IWT_ASSERT_EQ(iwt_eal_init(args), 0, "EAL role %d", role);
	snprintf(devargs, sizeof(devargs), "net_memif0,role=%s,socket=%s",
		 role ? "client" : "server", sock);
	pc.dev = devargs;
	s.port = iw_port_open(&pc);
	IWT_ASSERT(s.port != NULL, "iw_port_open %s", devargs);
	IWT_ASSERT_EQ(iw_port_wait_link(s.port, 10000), 0, "role %d link", role);
	dc.port = s.port;
	dc.ip = role ? RTE_BE32(RTE_IPV4(10, 9, 7, 2)) : RTE_BE32(RTE_IPV4(10, 9, 7, 1));
	s.dev = rte_iwarp_dev_open(&dc);
	IWT_ASSERT(s.dev != NULL, "dev_open");
	s.pd = rte_iwarp_alloc_pd(s.dev);
	s.cq = rte_iwarp_create_cq(s.dev, 256, NULL);
	s.rcq = rte_iwarp_create_cq(s.dev, 256, NULL);
	s.mem = aligned_alloc(4096, MEM);
	IWT_ASSERT(s.pd && s.cq && s.rcq && s.mem, "objects");
	memset(s.mem, 0, MEM);
	iwt_vfill(s.mem + SRC, 2 * BIG, 10 + role);
	*(uint64_t *)(s.mem + WORD) = 100;
	s.mr = rte_iwarp_reg_mr(s.pd, s.mem, MEM, RTE_IWARP_ACCESS_LOCAL_WRITE |
				RTE_IWARP_ACCESS_REMOTE_WRITE | RTE_IWARP_ACCESS_REMOTE_READ |
				RTE_IWARP_ACCESS_REMOTE_ATOMIC);
	s.fr = rte_iwarp_alloc_mr(s.pd);
	{
		struct rte_iwarp_qp_init_attr qa = { .send_cq = s.cq, .recv_cq = s.rcq };

		s.qp = rte_iwarp_create_qp(s.pd, &qa);
	}
	IWT_ASSERT(s.mr && s.fr && s.qp, "MR, FRMR, QP");
	/* fast-register the FRMR the peer invalidates (runs once connected) */
	wr = (struct rte_iwarp_send_wr){ .wr_id = 50, .opcode = RTE_IWARP_WR_REG_MR };
	wr.wr.reg.mr = s.fr;
	wr.wr.reg.addr = s.mem + FRMR_AREA;
	wr.wr.reg.iova = 0x10000;
	wr.wr.reg.length = 4096;
	wr.wr.reg.key = 0x5a;
	wr.wr.reg.access = RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE;
	IWT_ASSERT_EQ(rte_iwarp_post_send(s.qp, &wr, &bad), 0, "REG_MR");
	for (i = 0; i < 4; i++)
		IWT_ASSERT_EQ(iwt_post_recv1(s.qp, 100 + i, s.mem + RCV + 8192 * i, 8192,
					     s.mr->lkey), 0, "recv");
	s.me.base = (uintptr_t)s.mem;
	s.me.rkey = s.mr->rkey;
	s.me.frmr_rkey = (s.fr->rkey & ~0xffu) | 0x5a;
	cp.private_data = &s.me;
	cp.private_data_len = sizeof(s.me);
	if (role == 0) {
		IWT_ASSERT(rte_iwarp_listen(s.dev, MPORT, 0, NULL, NULL) != NULL, "listen");
		IWT_RUN(wait_event(&s, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev));
		IWT_ASSERT_EQ(ev.private_data_len, sizeof(s.peer), "peer info");
		memcpy(&s.peer, ev.private_data, sizeof(s.peer));
		s.id = ev.id;
		rte_iwarp_cm_ack_event(&ev);
		IWT_ASSERT_EQ(rte_iwarp_accept(s.id, s.qp, &cp), 0, "accept");
		IWT_RUN(wait_event(&s, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev));
		rte_iwarp_cm_ack_event(&ev);
	} else {
		uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;

		/* the server may not listen yet: retry on UNREACHABLE */
		for (;;) {
			s.id = rte_iwarp_connect(s.qp, RTE_BE32(RTE_IPV4(10, 9, 7, 1)), MPORT, &cp,
						 NULL);
			IWT_ASSERT(s.id != NULL, "connect");
			while (rte_iwarp_cm_get_event(s.dev, &ev) < 0)
				;
			if (ev.event == RTE_IWARP_CM_EVENT_ESTABLISHED)
				break;
			IWT_ASSERT(ev.event == RTE_IWARP_CM_EVENT_UNREACHABLE &&
				   rte_get_timer_cycles() < end, "connect: %s",
				   rte_iwarp_cm_event_str(ev.event));
			rte_iwarp_cm_ack_event(&ev);
			rte_iwarp_cm_destroy_id(s.id);
			rte_delay_ms(50);
		}
		IWT_ASSERT_EQ(ev.private_data_len, sizeof(s.peer), "peer info");
		memcpy(&s.peer, ev.private_data, sizeof(s.peer));
		rte_iwarp_cm_ack_event(&ev);
	}
	rc = run(&s);
	if (rc != IWT_PASS)
		return rc;
	if (role == 1) {
		IWT_ASSERT_EQ(rte_iwarp_disconnect(s.id), 0, "disconnect");
		for (i = 0; i < 100; i++)
			rte_iwarp_dev_poll(s.dev);
	} else {
		IWT_RUN(wait_event(&s, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev));
		rte_iwarp_cm_ack_event(&ev);
	}
	printf("role %d: every opcode both ways checked\n", role);
	return IWT_PASS;
}

IWT_CASE(verbs_memif_every_opcode_two_processes)
{
	char sock[96];
	pid_t child;
	int st, rc;

	snprintf(sock, sizeof(sock), "/tmp/iwt-vmemif-%d.sock", (int)getpid());
	unlink(sock);
	fflush(NULL);
	child = fork();
	IWT_ASSERT(child >= 0, "fork");
	if (child == 0) {
		rte_delay_us_sleep(200000);	/* the server creates the socket */
		_exit(side_run(1, sock));
	}
	rc = side_run(0, sock);
	if (rc != IWT_PASS)
		kill(child, SIGKILL);
	IWT_ASSERT(waitpid(child, &st, 0) == child, "waitpid");
	unlink(sock);
	IWT_ASSERT_EQ(rc, IWT_PASS, "server side");
	IWT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == IWT_PASS, "client side: status %d", st);
	return IWT_PASS;
}
