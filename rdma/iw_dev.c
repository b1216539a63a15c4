/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device (one engine per lcore): network stack + TCP + STag table + QP
 * table; protection domains, memory regions and memory windows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "iw_verbs_pvt.h"

/* TCP streams beyond one per QP: listeners and connections being set up */
#define IW_DEV_SPARE_STREAMS 1024

RTE_LOG_REGISTER_SUFFIX(iw_verbs_logtype, verbs, NOTICE);
RTE_LOG_REGISTER_SUFFIX(iw_cm_logtype, cm, NOTICE);

/* Registered memory belongs to the application: nothing to free. */
static void
zc_free(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	RTE_SET_USED(opaque);
}

struct rte_iwarp_dev *
rte_iwarp_dev_open(const struct rte_iwarp_dev_conf *conf)
{
	struct iw_net_conf nc = { 0 };
	struct iw_tcp_conf tc = { 0 };
	struct rte_iwarp_dev *dev;
	uint32_t nev;
	int err;

	if (conf == NULL || conf->port == NULL || conf->ip == 0 ||
			(conf->mode != RTE_IWARP_MODE_INLINE &&
			 conf->mode != RTE_IWARP_MODE_SERVICE) ||
			(unsigned int)conf->tx_zero_copy > RTE_IWARP_TX_ZC_NEVER ||
			(conf->tcp_rto_min_us != 0 && (conf->tcp_rto_min_us < 1000 ||
						       conf->tcp_rto_min_us > 60000000))) {
		rte_errno = EINVAL;
		return NULL;
	}
	nev = conf->max_cm_events ? conf->max_cm_events : 4096;
	if (!rte_is_power_of_2(nev) || nev > (1u << 20)) {
		rte_errno = EINVAL;
		return NULL;
	}
	dev = rte_zmalloc("iwarp_dev", sizeof(*dev), RTE_CACHE_LINE_SIZE);
	if (dev == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	dev->rto_min_us = conf->tcp_rto_min_us;
	TAILQ_INIT(&dev->tx_list);
	TAILQ_INIT(&dev->cm_ids);
	TAILQ_INIT(&dev->cm_watch);
	dev->mode = conf->mode;
	dev->max_qps = conf->max_qps ? conf->max_qps : 16384;
	dev->qps = rte_zmalloc("iwarp_qps", sizeof(dev->qps[0]) * dev->max_qps, 0);
	dev->ev = rte_zmalloc("iwarp_cm_ev", sizeof(dev->ev[0]) * nev, 0);
	dev->ev_mask = nev - 1;
	if (dev->qps == NULL || dev->ev == NULL) {
		err = ENOMEM;
		goto fail;
	}
	dev->stags = iw_stag_table_create(conf->max_stags ? conf->max_stags : 65536,
					  iw_port_of(conf->port)->socket_id, rte_rdtsc());
	if (dev->stags == NULL) {
		err = rte_errno;
		goto fail;
	}
	nc.ip = conf->ip;
	nc.netmask = conf->netmask;
	nc.gateway = conf->gateway;
	nc.no_gratuitous_arp = conf->no_gratuitous_arp;
	dev->net = iw_net_create(&nc, iw_port_of(conf->port), conf->queue);
	if (dev->net == NULL) {
		err = rte_errno;
		goto fail;
	}
	/* a stream per QP, and room for listeners and connections being set up */
	tc.max_streams = dev->max_qps + IW_DEV_SPARE_STREAMS;
	dev->tcp = iw_tcp_create(dev->net, &tc);
	if (dev->tcp == NULL) {
		err = rte_errno;
		goto fail;
	}
	if (dev->mode == RTE_IWARP_MODE_SERVICE) {
		err = iw_svc_init(dev);
		if (err == 0)
			err = iw_net_set_rx_hook(dev->net, iw_svc_rx_hook, dev);
		if (err < 0) {
			err = -err;
			goto fail;
		}
	}
	dev->pool = iw_net_pool(dev->net);
	if (conf->tx_sndq_mbufs != 0 && (conf->tx_sndq_mbufs < 64 ||
					 conf->tx_sndq_mbufs > dev->pool->size)) {
		err = EINVAL;
		goto fail;
	}
	dev->admit_max = conf->tx_sndq_mbufs != 0 ? conf->tx_sndq_mbufs :
		RTE_MAX(dev->pool->size / 4, 64u);
	dev->admit_half = dev->admit_max / 2;
	dev->sndq = iw_tcp_sndq_acct(dev->tcp);
	dev->mbuf_room = rte_pktmbuf_data_room_size(dev->pool) - RTE_PKTMBUF_HEADROOM;
	dev->pd_next = 1;
	dev->zc_shinfo.free_cb = zc_free;
	dev->zc_shinfo.fcb_opaque = NULL;
	/* the device's own reference: the count never reaches 0 while it lives */
	rte_mbuf_ext_refcnt_set(&dev->zc_shinfo, 1);
	/*
	 * With IOVA as physical addresses, application memory (malloc, not
	 * DPDK's) is not physically contiguous across pages: copy instead.
	 */
	dev->zc_ok = rte_eal_iova_mode() == RTE_IOVA_VA &&
		(conf->tx_zero_copy == RTE_IWARP_TX_ZC_ALWAYS ||
		 (conf->tx_zero_copy == RTE_IWARP_TX_ZC_AUTO &&
		  (iw_net_hw_offloads(dev->net) & IW_OFF_TCP_CKSUM)));
	return dev;
fail:
	iw_svc_fini(dev);
	iw_tcp_destroy(dev->tcp);
	iw_net_destroy(dev->net);
	iw_stag_table_free(dev->stags);
	rte_free(dev->ev);
	rte_free(dev->qps);
	rte_free(dev);
	rte_errno = err;
	return NULL;
}

void
rte_iwarp_dev_close(struct rte_iwarp_dev *dev)
{
	uint32_t i;

	if (dev == NULL)
		return;
	/* what is left in the channels is not run (their QPs and SRQs go now) */
	iw_net_set_rx_hook(dev->net, NULL, NULL);
	iw_cm_dev_close(dev);
	for (i = 0; i < dev->max_qps; i++)
		if (dev->qps[i] != NULL)
			rte_iwarp_destroy_qp(dev->qps[i]);
	/*
	 * What the streams still have queued leaves once (best effort, no
	 * retransmission): a TERMINATE and the FIN behind it of a connection
	 * the application has just ended, the RSTs of the aborted ones.
	 */
	iw_net_poll(dev->net);
	iw_net_flush(dev->net);
	iw_tcp_destroy(dev->tcp);
	iw_net_destroy(dev->net);
	iw_stag_table_free(dev->stags);
	iw_svc_fini(dev);
	rte_free(dev->ev);
	rte_free(dev->qps);
	rte_free(dev);
}

/* Transmit what the listed QPs have ready. @return messages and local operations handled. */
static int
dev_tx(struct rte_iwarp_dev *dev)
{
	struct rte_iwarp_qp *qp, *nx;
	unsigned int work = 0;

	dev->admit_full = false;
	for (qp = TAILQ_FIRST(&dev->tx_list); qp != NULL; qp = nx) {
		nx = TAILQ_NEXT(qp, tx_next);
		if (iw_qp_tx(qp, &work) != -EAGAIN) {
			TAILQ_REMOVE(&dev->tx_list, qp, tx_next);
			qp->tx_listed = false;
		} else if (unlikely(dev->admit_full)) {
			/*
			 * The send queues hold all admission allows: the QPs
			 * behind this one wait their turn (in order: the head
			 * of the list goes first as acknowledgements free room).
			 */
			break;
		}
	}
	return (int)work;
}

int
rte_iwarp_dev_poll(struct rte_iwarp_dev *dev)
{
	int n;

	if (unlikely(dev == NULL))
		return -EINVAL;
	n = dev->svc_call != NULL ? iw_svc_poll(dev) : 0;
	if (!TAILQ_EMPTY(&dev->tx_list))
		n += dev_tx(dev);
	n += iw_net_poll(dev->net);
	if (!TAILQ_EMPTY(&dev->tx_list))
		n += dev_tx(dev);
	iw_cm_poll(dev, rte_get_timer_cycles());
	dev->st.polls++;
	dev->st.busy_polls += n > 0;
	return n;
}

uint64_t
rte_iwarp_dev_busy_polls(const struct rte_iwarp_dev *dev)
{
	return dev != NULL ? dev->st.busy_polls : 0;
}

int
rte_iwarp_dev_stats_get(const struct rte_iwarp_dev *dev, struct rte_iwarp_dev_stats *st)
{
	struct iw_net_stats ns;
	struct iw_tcp_stats ts;

	if (dev == NULL || st == NULL)
		return -EINVAL;
	*st = dev->st;
	iw_net_stats_get(dev->net, &ns);
	iw_tcp_stats_get(dev->tcp, &ts);
	st->rx_frames = ns.rx_pkts;
	st->tx_frames = ns.tx_pkts;
	st->tx_segs = ts.tx_segs;
	st->tx_data_segs = ts.tx_data_segs;
	st->tx_rexmit = ts.tx_rexmit;
	st->tx_sndq_mbufs = dev->sndq->mbufs;
	st->tx_sndq_mbufs_max = dev->admit_max;
	return 0;
}

struct rte_iwarp_pd *
rte_iwarp_alloc_pd(struct rte_iwarp_dev *dev)
{
	struct rte_iwarp_pd *pd;

	if (dev == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pd = rte_zmalloc("iwarp_pd", sizeof(*pd), 0);
	if (pd == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pd->dev = dev;
	pd->handle = dev->pd_next++;
	if (dev->pd_next == 0)
		dev->pd_next = 1;
	dev->nb_pds++;
	return pd;
}

int
rte_iwarp_dealloc_pd(struct rte_iwarp_pd *pd)
{
	if (pd == NULL)
		return -EINVAL;
	if (pd->refs != 0)
		return -EBUSY;
	pd->dev->nb_pds--;
	rte_free(pd);
	return 0;
}

#define ACC_ALL (RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_WRITE | \
		 RTE_IWARP_ACCESS_REMOTE_READ | RTE_IWARP_ACCESS_REMOTE_ATOMIC | \
		 RTE_IWARP_ACCESS_MW_BIND)

static bool
access_ok(uint32_t access)
{
	if (access & ~ACC_ALL)
		return false;
	/* ibverbs rule: remote write/atomic need local write */
	if ((access & (RTE_IWARP_ACCESS_REMOTE_WRITE | RTE_IWARP_ACCESS_REMOTE_ATOMIC)) &&
			!(access & RTE_IWARP_ACCESS_LOCAL_WRITE))
		return false;
	return true;
}

struct rte_iwarp_mr *
rte_iwarp_reg_mr(struct rte_iwarp_pd *pd, void *addr, size_t length, uint32_t access)
{
	struct rte_iwarp_mr *mr;
	int64_t s;

	if (pd == NULL || addr == NULL || length == 0 || !access_ok(access)) {
		rte_errno = EINVAL;
		return NULL;
	}
	mr = rte_zmalloc("iwarp_mr", sizeof(*mr), 0);
	if (mr == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s = iw_stag_reg_mr(pd->dev->stags, pd->handle, addr, (uint64_t)(uintptr_t)addr,
			   length, access);
	if (s < 0) {
		rte_free(mr);
		rte_errno = (int)-s;
		return NULL;
	}
	pd->refs++;
	mr->pd = pd;
	mr->addr = addr;
	mr->length = length;
	mr->lkey = mr->rkey = (uint32_t)s;
	mr->access = access;
	return mr;
}

struct rte_iwarp_mr *
rte_iwarp_alloc_mr(struct rte_iwarp_pd *pd)
{
	struct rte_iwarp_mr *mr;
	int64_t s;

	if (pd == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	mr = rte_zmalloc("iwarp_mr", sizeof(*mr), 0);
	if (mr == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s = iw_stag_alloc_frmr(pd->dev->stags, pd->handle);
	if (s < 0) {
		rte_free(mr);
		rte_errno = (int)-s;
		return NULL;
	}
	pd->refs++;
	mr->pd = pd;
	mr->lkey = mr->rkey = (uint32_t)s;
	mr->fast_reg = true;
	return mr;
}

int
rte_iwarp_dereg_mr(struct rte_iwarp_mr *mr)
{
	int rc;

	if (mr == NULL)
		return -EINVAL;
	rc = iw_stag_dereg(mr->pd->dev->stags, mr->lkey);
	if (rc == -EBUSY)
		return rc;
	mr->pd->refs--;
	rte_free(mr);
	return 0;
}

struct rte_iwarp_mw *
rte_iwarp_alloc_mw(struct rte_iwarp_pd *pd, enum rte_iwarp_mw_type type)
{
	struct rte_iwarp_mw *mw;
	int64_t s;

	if (pd == NULL || (type != RTE_IWARP_MW_TYPE_1 && type != RTE_IWARP_MW_TYPE_2)) {
		rte_errno = EINVAL;
		return NULL;
	}
	mw = rte_zmalloc("iwarp_mw", sizeof(*mw), 0);
	if (mw == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s = iw_stag_alloc_mw(pd->dev->stags, pd->handle,
			     type == RTE_IWARP_MW_TYPE_1 ? IW_STAG_MW1 : IW_STAG_MW2);
	if (s < 0) {
		rte_free(mw);
		rte_errno = (int)-s;
		return NULL;
	}
	pd->refs++;
	mw->pd = pd;
	mw->rkey = (uint32_t)s;
	mw->type = type;
	return mw;
}

int
rte_iwarp_dealloc_mw(struct rte_iwarp_mw *mw)
{
	if (mw == NULL)
		return -EINVAL;
	iw_stag_dereg(mw->pd->dev->stags, mw->rkey);
	mw->pd->refs--;
	rte_free(mw);
	return 0;
}

int
rte_iwarp_bind_mw(struct rte_iwarp_mw *mw, const struct rte_iwarp_mw_bind_info *info)
{
	uint32_t ns;
	int rc;

	if (mw == NULL || info == NULL || info->mr == NULL || mw->type != RTE_IWARP_MW_TYPE_1 ||
			info->mr->pd != mw->pd)
		return -EINVAL;
	rc = iw_stag_bind_mw(mw->pd->dev->stags, mw->rkey, (uint8_t)(mw->rkey + 1),
			     info->mr->lkey, 0, info->addr, info->length, info->mw_access_flags,
			     &ns);
	if (rc < 0)
		return -EINVAL;
	mw->rkey = ns;
	return 0;
}

static const char *const wc_status_names[] = {
	"success", "local length error", "local QP operation error",
	"local EE context operation error", "local protection error", "flushed",
	"memory window bind error", "bad response", "local access error",
	"remote invalid request", "remote access error", "remote operation error",
	"retry exceeded", "RNR retry exceeded", "local RDD violation",
	"remote invalid RD request", "remote aborted", "invalid EECN",
	"invalid EE context state", "fatal error", "response timeout", "general error",
};

const char *
rte_iwarp_wc_status_str(enum rte_iwarp_wc_status status)
{
	if ((unsigned int)status >= RTE_DIM(wc_status_names))
		return "unknown";
	return wc_status_names[status];
}
