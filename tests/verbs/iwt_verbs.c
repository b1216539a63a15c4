/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mempool.h>

#include "iwt.h"
#include "iwt_wire.h"
#include "iwt_eal.h"
#include "iwt_verbs.h"

int
iwt_vpair_open(struct iwt_vpair *p, const char *name, uint32_t cqe)
{
	return iwt_vpair_open_mode(p, name, cqe, RTE_IWARP_MODE_INLINE);
}

int
iwt_vpair_open_mode(struct iwt_vpair *p, const char *name, uint32_t cqe,
		    enum rte_iwarp_mode mode)
{
	return iwt_vpair_open_eal(p, name, cqe, mode, "");
}

int
iwt_vpair_open_eal(struct iwt_vpair *p, const char *name, uint32_t cqe,
		   enum rte_iwarp_mode mode, const char *eal_args)
{
	struct rte_iwarp_dev_conf dc = { .no_gratuitous_arp = true, .mode = mode };

	return iwt_vpair_open_conf(p, name, cqe, &dc, eal_args);
}

int
iwt_vpair_open_conf(struct iwt_vpair *p, const char *name, uint32_t cqe,
		    const struct rte_iwarp_dev_conf *tmpl, const char *eal_args)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 16383 };
	struct rte_iwarp_dev_conf dc = *tmpl;
	int i, rc;

	memset(p, 0, sizeof(*p));
	rc = iwt_eal_init(eal_args);
	if (rc < 0)
		return rc;
	rc = iw_wire_create(name, &pc, p->port);
	if (rc < 0) {
		IWT_LOG("iw_wire_create: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < 2; i++) {
		p->pool_full[i] = rte_mempool_avail_count(iw_port_pool(p->port[i], 0));
		dc.port = iw_port_handle(p->port[i]);
		dc.ip = i == 0 ? IWT_V_IP_A : IWT_V_IP_B;
		p->dev[i] = rte_iwarp_dev_open(&dc);
		if (p->dev[i] == NULL) {
			IWT_LOG("rte_iwarp_dev_open: %s", strerror(rte_errno));
			return -rte_errno;
		}
		p->pd[i] = rte_iwarp_alloc_pd(p->dev[i]);
		p->cq[i] = rte_iwarp_create_cq(p->dev[i], cqe, NULL);
		if (p->pd[i] == NULL || p->cq[i] == NULL)
			return -ENOMEM;
	}
	return 0;
}

struct rte_iwarp_qp *
iwt_vpair_qp(struct iwt_vpair *p, int i, const struct rte_iwarp_qp_cap *cap)
{
	struct rte_iwarp_qp_init_attr a = {
		.send_cq = p->cq[i],
		.recv_cq = p->cq[i],
	};

	if (cap != NULL)
		a.cap = *cap;
	return rte_iwarp_create_qp(p->pd[i], &a);
}

void
iwt_vpair_poll(struct iwt_vpair *p)
{
	rte_iwarp_dev_poll(p->dev[0]);
	rte_iwarp_dev_poll(p->dev[1]);
}

static uint64_t
deadline_ms(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

void
iwt_vpair_poll_ms(struct iwt_vpair *p, unsigned int ms)
{
	uint64_t end = deadline_ms(ms);

	do {
		iwt_vpair_poll(p);
	} while (rte_get_timer_cycles() < end);
}

int
iwt_vpair_wc(struct iwt_vpair *p, struct rte_iwarp_cq *cq, struct rte_iwarp_wc *wc, int n,
	     unsigned int ms)
{
	uint64_t end = deadline_ms(ms);
	int got = 0, rc;

	while (got < n) {
		iwt_vpair_poll(p);
		rc = rte_iwarp_poll_cq(cq, n - got, wc + got);
		if (rc < 0)
			return rc;
		got += rc;
		if (rte_get_timer_cycles() > end)
			break;
	}
	return got;
}

int
iwt_vpair_event(struct iwt_vpair *p, int i, enum rte_iwarp_cm_event_type type,
		struct rte_iwarp_cm_event *ev, unsigned int ms)
{
	uint64_t end = deadline_ms(ms);

	while (rte_get_timer_cycles() < end) {
		rte_iwarp_dev_poll(p->dev[i ^ 1]);
		rte_iwarp_dev_poll(p->dev[i]);
		if (rte_iwarp_cm_get_event(p->dev[i], ev) < 0)
			continue;
		if (ev->event == type)
			return 0;
		IWT_LOG("side %d: event %s (status %d) while waiting for %s", i,
			rte_iwarp_cm_event_str(ev->event), ev->status,
			rte_iwarp_cm_event_str(type));
		rte_iwarp_cm_ack_event(ev);
	}
	return -ETIMEDOUT;
}

int
iwt_vpair_connect(struct iwt_vpair *p, struct rte_iwarp_qp *a, struct rte_iwarp_qp *b,
		  const struct rte_iwarp_conn_param *cparam,
		  const struct rte_iwarp_conn_param *aparam,
		  struct rte_iwarp_cm_id **ida, struct rte_iwarp_cm_id **idb)
{
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_cm_id *req;
	int rc;

	if (p->lid == NULL) {
		p->lid = rte_iwarp_listen(p->dev[1], IWT_V_PORT, 0, NULL, NULL);
		if (p->lid == NULL) {
			IWT_LOG("listen: %s", strerror(rte_errno));
			return -rte_errno;
		}
	}
	*ida = rte_iwarp_connect(a, IWT_V_IP_B, IWT_V_PORT, cparam, NULL);
	if (*ida == NULL) {
		IWT_LOG("connect: %s", strerror(rte_errno));
		return -rte_errno;
	}
	rc = iwt_vpair_event(p, 1, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 5000);
	if (rc < 0) {
		IWT_LOG("no CONNECT_REQUEST");
		return rc;
	}
	req = ev.id;
	rte_iwarp_cm_ack_event(&ev);
	rc = rte_iwarp_accept(req, b, aparam);
	if (rc < 0) {
		IWT_LOG("accept: %d", rc);
		return rc;
	}
	*idb = req;
	rc = iwt_vpair_event(p, 0, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 5000);
	if (rc < 0) {
		IWT_LOG("no ESTABLISHED on the initiator");
		return rc;
	}
	rte_iwarp_cm_ack_event(&ev);
	rc = iwt_vpair_event(p, 1, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 5000);
	if (rc < 0) {
		IWT_LOG("no ESTABLISHED on the responder");
		return rc;
	}
	rte_iwarp_cm_ack_event(&ev);
	return 0;
}

int
iwt_vpair_close(struct iwt_vpair *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		rte_iwarp_dev_close(p->dev[i]);
		p->dev[i] = NULL;
	}
	return iwt_wire_close_check(p->port, p->pool_full);
}

int
iwt_gmem_alloc(struct iwt_gmem *g, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	g->len = (len + pg - 1) / pg * pg;
	g->map_len = g->len + 2 * pg;
	g->base = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (g->base == MAP_FAILED)
		return -errno;
	g->buf = g->base + pg;
	if (mprotect(g->base, pg, PROT_NONE) < 0 ||
	    mprotect(g->buf + g->len, pg, PROT_NONE) < 0)
		return -errno;
	return 0;
}

void
iwt_gmem_free(struct iwt_gmem *g)
{
	if (g->base != NULL && g->base != MAP_FAILED)
		munmap(g->base, g->map_len);
	g->base = NULL;
}

static uint8_t
pat(size_t i, uint32_t seed)
{
	uint64_t x = ((uint64_t)i >> 2) * 0x9e3779b97f4a7c15ULL + seed;

	x ^= x >> 31;
	return (uint8_t)(x >> (8 * (i & 3)));
}

void
iwt_vfill(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(i, seed);
}

long
iwt_vcheck(const uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pat(i, seed))
			return (long)i;
	return -1;
}

int
iwt_vpair_open_connected(struct iwt_vpair *p, const char *name, uint32_t cqe,
			 const struct rte_iwarp_qp_cap *ca, const struct rte_iwarp_qp_cap *cb,
			 const struct rte_iwarp_conn_param *cparam)
{
	int rc;

	rc = iwt_vpair_open(p, name, cqe);
	if (rc < 0)
		return rc;
	p->qp[0] = iwt_vpair_qp(p, 0, ca);
	p->qp[1] = iwt_vpair_qp(p, 1, cb);
	if (p->qp[0] == NULL || p->qp[1] == NULL) {
		IWT_LOG("create_qp: %s", strerror(rte_errno));
		return -rte_errno;
	}
	return iwt_vpair_connect(p, p->qp[0], p->qp[1], cparam, NULL, &p->id[0], &p->id[1]);
}

int
iwt_post_send1(struct rte_iwarp_qp *qp, struct rte_iwarp_send_wr *wr)
{
	struct rte_iwarp_send_wr *bad = NULL;
	int rc = rte_iwarp_post_send(qp, wr, &bad);

	if (rc < 0)
		IWT_LOG("post_send opcode %d: %d", wr->opcode, rc);
	return rc;
}

int
iwt_post_recv1(struct rte_iwarp_qp *qp, uint64_t wr_id, void *buf, uint32_t len, uint32_t lkey)
{
	struct rte_iwarp_sge sg = { (uintptr_t)buf, len, lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = wr_id, .sg_list = &sg, .num_sge = 1 };
	struct rte_iwarp_recv_wr *bad;
	int rc = rte_iwarp_post_recv(qp, &wr, &bad);

	if (rc < 0)
		IWT_LOG("post_recv: %d", rc);
	return rc;
}
