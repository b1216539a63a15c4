/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port layer: open, configure, negotiate offloads, close.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "iw_port.h"
#include "iw_port_pvt.h"

RTE_LOG_REGISTER_DEFAULT(iw_port_logtype, NOTICE);

#define DEF_NB_DESC 1024
#define DEF_NB_MBUFS 8191
#define DEF_GSO_MBUFS 2047
#define DEF_MTU 1500
#define QUIESCE_WAIT_MS 200

static void free_pools(struct rte_mempool **pools);

static struct rte_mempool *
pool_for_socket(struct iw_port *port, const struct iw_port_conf *conf, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int idx = socket < 0 ? 0 : (unsigned int)socket;
	if (idx >= RTE_MAX_NUMA_NODES)
		idx = 0;
	if (port->pools[idx] != NULL)
		return port->pools[idx];
	snprintf(name, sizeof(name), "iwp%u_s%u", port->port_id, idx);
	port->pools[idx] = rte_pktmbuf_pool_create(name,
			conf->nb_mbufs ? conf->nb_mbufs : DEF_NB_MBUFS,
			256, 0, port->mbuf_room, socket);
	if (port->pools[idx] == NULL)
		IW_PORT_LOG(ERR, "%s: mbuf pool on socket %d: %s", port->name, socket,
			    rte_strerror(rte_errno));
	return port->pools[idx];
}

/* Decide which offloads the port does and which fall back to software. */
static void
negotiate(struct iw_port *port, const struct rte_eth_dev_info *di, uint32_t want,
	  struct rte_eth_conf *ec)
{
	uint64_t txc = di->tx_offload_capa, rxc = di->rx_offload_capa;
	uint32_t hw = 0;

	if ((want & IW_OFF_IPV4_CKSUM) && (txc & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
		hw |= IW_OFF_IPV4_CKSUM;
		ec->txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	}
	if ((want & IW_OFF_TCP_CKSUM) && (txc & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) {
		hw |= IW_OFF_TCP_CKSUM;
		ec->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	}
	if ((want & IW_OFF_MULTISEG) && (txc & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) {
		hw |= IW_OFF_MULTISEG;
		ec->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	/* TSO needs the checksums it implies. */
	if ((want & IW_OFF_TSO) && (txc & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
	    (hw & IW_OFF_TCP_CKSUM) && (hw & IW_OFF_IPV4_CKSUM)) {
		hw |= IW_OFF_TSO;
		ec->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	}
	if ((want & IW_OFF_RX_CKSUM) &&
	    (rxc & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) ==
	    (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) {
		hw |= IW_OFF_RX_CKSUM;
		ec->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
				       RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	}
	port->hw_offloads = hw;
	port->sw_offloads = want & ~hw;
	/* TSO bursts are bounded by the IPv4 total length. */
	port->tso_max = (hw & IW_OFF_TSO) ? UINT16_MAX : 0;
	/* Chains: as many segments as the PMD takes (0 = no stated limit), else one. */
	if (hw & IW_OFF_MULTISEG)
		port->max_tx_segs = di->tx_desc_lim.nb_mtu_seg_max ?
				    di->tx_desc_lim.nb_mtu_seg_max :
				    di->tx_desc_lim.nb_seg_max ? di->tx_desc_lim.nb_seg_max :
				    UINT16_MAX;
	else
		port->max_tx_segs = 1;
}

/* The ethdev whose own name or whose device's name (PCI address) is name. */
static int
find_port(const char *name, uint16_t *port_id)
{
	uint16_t pid;

	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_eth_dev_info di;

		if (rte_eth_dev_info_get(pid, &di) == 0 && di.device != NULL &&
		    strcmp(rte_dev_name(di.device), name) == 0) {
			*port_id = pid;
			return 0;
		}
	}
	return -ENODEV;
}

/*
 * Find the device named by dev ("NAME[,devargs]"); hot-plug it (vdev or PCI)
 * when it is not there yet. *probed tells whether this call plugged it.
 */
static int
find_or_probe(const char *dev, uint16_t *port_id, bool *probed)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	const char *comma = strchr(dev, ',');
	size_t len = comma ? (size_t)(comma - dev) : strlen(dev);
	int rc;

	*probed = false;
	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, dev, len);
	name[len] = '\0';
	if (find_port(name, port_id) == 0)
		return 0;
	rc = rte_dev_probe(dev);
	if (rc != 0) {
		IW_PORT_LOG(DEBUG, "probe %s: %s", dev, rte_strerror(-rc));
		return -ENODEV;
	}
	if (find_port(name, port_id) != 0)
		return -ENODEV;
	*probed = true;
	return 0;
}

/* Undo a hot-plug of iw_port_open() that failed later on. */
static void
unplug(uint16_t pid, bool owned)
{
	struct rte_eth_dev_info di;

	if (!owned || rte_eth_dev_info_get(pid, &di) != 0)
		return;
	(void)rte_eth_dev_close(pid);
	if (di.device != NULL)
		(void)rte_dev_remove(di.device);
}

struct iw_port *
iw_port_open(const struct iw_port_conf *conf)
{
	struct rte_eth_conf ec;
	struct rte_eth_dev_info di;
	struct iw_port *port;
	uint16_t pid, q, nbq, rxd, txd, mtu;
	uint32_t frame, room;
	int rc, socket;
	bool owned = false;

	if (conf == NULL || (conf->dev == NULL && conf->port_id < 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	nbq = conf->nb_queues ? conf->nb_queues : 1;
	if (nbq > IW_PORT_MAX_QUEUES) {
		IW_PORT_LOG(ERR, "%u queues asked, at most %u", nbq, IW_PORT_MAX_QUEUES);
		rte_errno = EINVAL;
		return NULL;
	}
	if (conf->dev != NULL) {
		rc = find_or_probe(conf->dev, &pid, &owned);
		if (rc < 0) {
			IW_PORT_LOG(ERR, "no device %s", conf->dev);
			rte_errno = ENODEV;
			return NULL;
		}
	} else {
		if (!rte_eth_dev_is_valid_port((uint16_t)conf->port_id)) {
			rte_errno = ENODEV;
			return NULL;
		}
		pid = (uint16_t)conf->port_id;
	}
	rc = rte_eth_dev_info_get(pid, &di);
	if (rc != 0) {
		unplug(pid, owned);
		rte_errno = -rc;
		return NULL;
	}
	if (nbq > di.max_rx_queues || nbq > di.max_tx_queues) {
		IW_PORT_LOG(ERR, "port %u (%s) has %u/%u queues, %u asked", pid,
			    di.driver_name, di.max_rx_queues, di.max_tx_queues, nbq);
		unplug(pid, owned);
		rte_errno = EINVAL;
		return NULL;
	}
	socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = 0;
	port = rte_zmalloc_socket("iw_port", sizeof(*port), RTE_CACHE_LINE_SIZE, socket);
	if (port == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	port->port_id = pid;
	port->nb_queues = nbq;
	port->socket_id = socket;
	port->owned = owned;
	port->dev = di.device;
	rte_eth_dev_get_name_by_port(pid, port->name);

	memset(&ec, 0, sizeof(ec));
	negotiate(port, &di, conf->no_offloads ? 0 :
		  (conf->offloads ? conf->offloads : IW_OFF_ALL), &ec);
	if (nbq > 1) {
		ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ec.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP) &
						 di.flow_type_rss_offloads;
		if (ec.rx_adv_conf.rss_conf.rss_hf == 0)
			ec.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	/* The MTU first: it sizes the mbufs (or asks for scattered receive). */
	mtu = conf->mtu;
	if (mtu != 0 && (mtu < RTE_ETHER_MIN_MTU || (di.max_mtu && mtu > di.max_mtu))) {
		IW_PORT_LOG(ERR, "%s: MTU %u outside [%u, %u]", port->name, mtu,
			    RTE_ETHER_MIN_MTU, di.max_mtu);
		rc = -EINVAL;
		goto fail;
	}
	if (mtu == 0 && (rte_eth_dev_get_mtu(pid, &mtu) != 0 || mtu == 0))
		mtu = DEF_MTU;
	frame = (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + RTE_VLAN_HLEN;
	room = conf->mbuf_size ? conf->mbuf_size : RTE_MAX((uint32_t)RTE_MBUF_DEFAULT_BUF_SIZE,
							  frame + RTE_PKTMBUF_HEADROOM);
	if (room > UINT16_MAX) {
		rc = -EINVAL;
		goto fail;
	}
	port->mbuf_room = (uint16_t)room;
	if (frame + RTE_PKTMBUF_HEADROOM > room) {
		if (!(di.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
			IW_PORT_LOG(ERR, "%s: MTU %u needs %u-byte mbufs or scattered receive, "
				    "which the port lacks", port->name, mtu,
				    frame + RTE_PKTMBUF_HEADROOM);
			rc = -EINVAL;
			goto fail;
		}
		ec.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	}
	ec.rxmode.mtu = mtu;
	rc = rte_eth_dev_configure(pid, nbq, nbq, &ec);
	if (rc != 0) {
		IW_PORT_LOG(ERR, "%s: configure: %s", port->name, rte_strerror(-rc));
		goto fail;
	}
	if (conf->mtu != 0) {
		rc = rte_eth_dev_set_mtu(pid, mtu);
		if (rc != 0 && rc != -ENOTSUP) {
			IW_PORT_LOG(ERR, "%s: set MTU %u: %s", port->name, mtu,
				    rte_strerror(-rc));
			goto fail;
		}
	}
	port->mtu = mtu;
	rxd = conf->nb_rxd ? conf->nb_rxd : DEF_NB_DESC;
	txd = conf->nb_txd ? conf->nb_txd : DEF_NB_DESC;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (rc != 0)
		goto fail;
	for (q = 0; q < nbq; q++) {
		struct rte_eth_rxconf rxc = di.default_rxconf;
		struct rte_eth_txconf txc = di.default_txconf;
		struct rte_mempool *mp;
		int qs = socket;

		/* A queue lives on the socket of the lcore that polls it. */
		if (conf->queue_lcores != NULL && conf->queue_lcores[q] < RTE_MAX_LCORE &&
		    rte_lcore_to_socket_id(conf->queue_lcores[q]) < RTE_MAX_NUMA_NODES)
			qs = (int)rte_lcore_to_socket_id(conf->queue_lcores[q]);
		mp = pool_for_socket(port, conf, qs);
		if (mp == NULL) {
			rc = -rte_errno;
			goto fail;
		}
		port->q[q].pool = mp;
		port->q[q].socket_id = qs;
		rxc.offloads = ec.rxmode.offloads;
		txc.offloads = ec.txmode.offloads;
		rc = rte_eth_rx_queue_setup(pid, q, rxd, (unsigned int)qs, &rxc, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, q, txd, (unsigned int)qs, &txc);
		if (rc != 0) {
			IW_PORT_LOG(ERR, "%s: queue %u setup: %s", port->name, q,
				    rte_strerror(-rc));
			goto fail;
		}
	}
	if (port->sw_offloads & IW_OFF_TSO) {
		char name[RTE_MEMPOOL_NAMESIZE];

		/* Software TSO: headers in the queue's pool, payload by reference. */
		snprintf(name, sizeof(name), "iwp%u_gso", pid);
		port->pools[IW_PORT_GSO_POOL] = rte_pktmbuf_pool_create(name, DEF_GSO_MBUFS,
									 64, 0, 0, socket);
		if (port->pools[IW_PORT_GSO_POOL] == NULL) {
			IW_PORT_LOG(ERR, "%s: GSO pool: %s", port->name,
				    rte_strerror(rte_errno));
			rc = -rte_errno;
			goto fail;
		}
	}
	rc = rte_eth_macaddr_get(pid, &port->mac);
	if (rc != 0)
		goto fail;
	if (!rte_is_valid_assigned_ether_addr(&port->mac)) {
		/* net_ring starts with an all-zero MAC: use a random local one. */
		rte_eth_random_addr(port->mac.addr_bytes);
		(void)rte_eth_dev_default_mac_addr_set(pid, &port->mac);
		IW_PORT_LOG(INFO, "%s: no MAC, using " RTE_ETHER_ADDR_PRT_FMT, port->name,
			    RTE_ETHER_ADDR_BYTES(&port->mac));
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0) {
		IW_PORT_LOG(ERR, "%s: start: %s", port->name, rte_strerror(-rc));
		goto fail;
	}
	if (conf->promisc)
		(void)rte_eth_promiscuous_enable(pid);
	IW_PORT_LOG(INFO, "%s: port %u up, %u queue(s), MTU %u", port->name, pid, nbq,
		    port->mtu);
	return port;
fail:
	free_pools(port->pools);
	unplug(pid, owned);
	rte_free(port);
	rte_errno = rc < 0 ? -rc : EINVAL;
	return NULL;
}

int
iw_port_quiesce(struct iw_port *port)
{
	uint64_t deadline, hz = rte_get_timer_hz();
	int self = rte_gettid(), rc = 0;
	uint16_t q;

	if (port == NULL)
		return -EINVAL;
	port->quiesce = 1;
	rte_smp_mb();
	deadline = rte_get_timer_cycles() + hz * IW_PORT_QUIESCE_MS / 1000;
	for (q = 0; q < port->nb_queues; q++) {
		struct iw_port_queue *pq = &port->q[q];
		unsigned int lc = __atomic_load_n(&pq->poller_lcore, __ATOMIC_RELAXED);

		/*
		 * Never polled, polled by this very thread, or by an EAL lcore whose
		 * function has returned: nobody is inside a burst.
		 */
		if (__atomic_load_n(&pq->polls, __ATOMIC_ACQUIRE) == 0 ||
		    __atomic_load_n(&pq->poller_tid, __ATOMIC_RELAXED) == self ||
		    (lc < RTE_MAX_LCORE && lc != rte_get_main_lcore() &&
		     rte_eal_get_lcore_state(lc) == WAIT))
			continue;
		while (!__atomic_load_n(&pq->parked, __ATOMIC_ACQUIRE) &&
		       rte_get_timer_cycles() < deadline)
			rte_delay_us_sleep(100);
		if (!pq->parked) {
			/* A poller that has been silent this long is not inside a burst. */
			IW_PORT_LOG(WARNING, "%s: queue %u not parked after %u ms", port->name,
				    q, IW_PORT_QUIESCE_MS);
			rc = -ETIMEDOUT;
			/* Wait for it only once. */
			pq->parked = 1;
		}
	}
	rte_smp_mb();
	return rc;
}

static void
free_pools(struct rte_mempool **pools)
{
	unsigned int i;

	for (i = 0; i < IW_PORT_NB_POOLS; i++) {
		rte_mempool_free(pools[i]);
		pools[i] = NULL;
	}
}

static void
ring_drain(struct rte_ring *r)
{
	void *m = NULL;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free((struct rte_mbuf *)m);
}

/*
 * One end of a wire is closed: what waits in its receive rings is freed (no one
 * will read it), its pools are kept (the peer may still hold its mbufs); the
 * last end frees everything.
 */
static void
wire_release(struct iw_wire *w, uint8_t end, struct rte_mempool **pools)
{
	unsigned int i;

	/* rings[] holds ab0, ba0, ab1, ba1...: end 0 receives from ba, end 1 from ab. */
	for (i = end == 0 ? 1 : 0; i < w->nb_rings; i += 2)
		ring_drain(w->rings[i]);
	memcpy(w->pools[w->refs - 1], pools, sizeof(w->pools[0]));
	memset(pools, 0, sizeof(w->pools[0]));
	if (--w->refs != 0)
		return;
	for (i = 0; i < w->nb_rings; i++) {
		ring_drain(w->rings[i]);
		rte_ring_free(w->rings[i]);
	}
	free_pools(w->pools[0]);
	free_pools(w->pools[1]);
	rte_free(w);
}

struct stop_close {
	uint16_t port_id;
	int stop_rc;
	int close_rc;
};

static void
stop_close(struct stop_close *sc)
{
	sc->stop_rc = rte_eth_dev_stop(sc->port_id);
	sc->close_rc = rte_eth_dev_close(sc->port_id);
}

/*
 * Does the PMD handle its control channel in the EAL interrupt thread?
 * net_memif does (memif_socket.c, DPDK 22.11): when the peer goes,
 * memif_intr_handler() runs memif_disconnect() there, which marks the link
 * down first and then, outside any lock, closes the queues' event fds and
 * frees the shared-memory regions (memif_free_regions()). A stop on another
 * thread in the meantime frees the same regions again, and the close then
 * frees the queues and private data that handler is still using.
 */
static bool
ctl_in_intr_thread(uint16_t port_id)
{
	struct rte_eth_dev_info di;

	return rte_eth_dev_info_get(port_id, &di) == 0 && di.driver_name != NULL &&
	       strcmp(di.driver_name, "net_memif") == 0;
}

/*
 * Stop and close in the interrupt thread: an interrupt source of the port
 * layer (an eventfd), registered on first use and never unregistered. Not an
 * EAL alarm: once the alarm handler is registered, rte_eal_cleanup()
 * unregisters it, which makes the interrupt thread rebuild its wait list
 * while rte_eal_cleanup() unmaps the memory of the sources still registered
 * (net_memif never unregisters its server's listener): iwarp-perf servers
 * crashed in rte_intr_fd_get() at exit.
 *
 * The job runs in two steps. First the stop and close. A net_memif stop that
 * unregisters its control channel has the interrupt thread rebuild its wait
 * list after this callback; so the callback then moves its eventfd to a new
 * file (dup2: the wait list in use loses it) and forces a rebuild itself (a
 * source registered and unregistered). Only that rebuild puts the eventfd
 * back, so the second step, which ends the job, runs after every rebuild the
 * first one caused: nothing of the port is left for the interrupt thread, and
 * rte_eal_cleanup() may follow at once.
 */
struct intr_job {
	struct stop_close *sc;
	int step;
	uint32_t done;
};

static pthread_mutex_t intr_job_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rte_intr_handle *intr_job_ih;
static struct intr_job *intr_job_cur;
static bool intr_job_broken;

static void
intr_nop(void *arg __rte_unused)
{
}

/*
 * Have the interrupt thread rebuild its wait list once this callback returns:
 * registering a source wakes it up for that (called in that thread).
 * @return 0, or a negative errno: no rebuild is coming.
 */
static int
intr_force_rebuild(void)
{
	struct rte_intr_handle *ih = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), rc = -ENOMEM;

	if (ih != NULL && fd >= 0 && rte_intr_fd_set(ih, fd) == 0 &&
	    rte_intr_type_set(ih, RTE_INTR_HANDLE_EXT) == 0)
		rc = rte_intr_callback_register(ih, intr_nop, NULL);
	/* never active, so removed at once (a source left in EAL keeps its fd) */
	if (rc == 0 && rte_intr_callback_unregister(ih, intr_nop, NULL) < 0)
		return 0;
	if (fd >= 0)
		close(fd);
	rte_intr_instance_free(ih);
	return rc;
}

static void
intr_job_run(void *arg __rte_unused)
{
	struct intr_job *job = __atomic_load_n(&intr_job_cur, __ATOMIC_ACQUIRE);
	int fd = rte_intr_fd_get(intr_job_ih), nfd;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		IW_PORT_LOG(DEBUG, "interrupt job eventfd: %s", strerror(errno));
	if (job == NULL || __atomic_load_n(&job->done, __ATOMIC_RELAXED))
		return;
	if (job->step == 0) {
		stop_close(job->sc);
		job->step = 1;
		nfd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
		if (nfd >= 0 && dup2(nfd, fd) == fd) {
			close(nfd);
			if (intr_force_rebuild() == 0)
				return;
			/* the eventfd is in no wait list until some rebuild */
			intr_job_broken = true;
			IW_PORT_LOG(WARNING, "interrupt job: no wait-list rebuild; later "
				    "closes stop in their own thread");
		} else {
			IW_PORT_LOG(WARNING, "interrupt job: new eventfd: %s", strerror(errno));
			if (nfd >= 0)
				close(nfd);
		}
	}
	__atomic_store_n(&job->done, 1, __ATOMIC_RELEASE);
}

static int
intr_job_setup(void)
{
	int fd, rc;

	if (intr_job_ih != NULL)
		return 0;
	intr_job_ih = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (intr_job_ih == NULL)
		return -ENOMEM;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rc = fd < 0 ? -errno : 0;
	if (rc == 0 && (rte_intr_fd_set(intr_job_ih, fd) != 0 ||
			rte_intr_type_set(intr_job_ih, RTE_INTR_HANDLE_EXT) != 0))
		rc = -EINVAL;
	if (rc == 0)
		rc = rte_intr_callback_register(intr_job_ih, intr_job_run, NULL);
	if (rc != 0) {
		if (fd >= 0)
			close(fd);
		rte_intr_instance_free(intr_job_ih);
		intr_job_ih = NULL;
	}
	return rc;
}

/*
 * Stop and close the ethdev: for a PMD of ctl_in_intr_thread() in the
 * interrupt thread, after whatever handler of the PMD runs there now and
 * before any later one; the caller waits.
 */
static void
port_stop_close(struct iw_port *port, struct stop_close *sc)
{
	struct intr_job job = { .sc = sc };
	uint64_t one = 1, note;
	int rc;

	sc->port_id = port->port_id;
	if (!ctl_in_intr_thread(port->port_id) || rte_thread_is_intr()) {
		stop_close(sc);
		return;
	}
	pthread_mutex_lock(&intr_job_lock);
	rc = intr_job_broken ? -ENOTSUP : intr_job_setup();
	if (rc == 0) {
		__atomic_store_n(&intr_job_cur, &job, __ATOMIC_RELEASE);
		if (write(rte_intr_fd_get(intr_job_ih), &one, sizeof(one)) < 0)
			rc = -errno;
	}
	if (rc != 0) {
		__atomic_store_n(&intr_job_cur, NULL, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&intr_job_lock);
		IW_PORT_LOG(WARNING, "%s: stop in the interrupt thread: %s; stopping here",
			    port->name, rte_strerror(-rc));
		stop_close(sc);
		return;
	}
	note = rte_get_timer_cycles() + rte_get_timer_hz();
	while (!__atomic_load_n(&job.done, __ATOMIC_ACQUIRE)) {
		rte_delay_us_sleep(100);
		if (note != 0 && rte_get_timer_cycles() > note) {
			IW_PORT_LOG(WARNING, "%s: waiting for the interrupt thread to stop it",
				    port->name);
			note = 0;
		}
	}
	__atomic_store_n(&intr_job_cur, NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&intr_job_lock);
}

void
iw_port_close(struct iw_port *port)
{
	struct stop_close sc = { 0 };
	uint16_t q;
	int rc;

	if (port == NULL)
		return;
	(void)iw_port_quiesce(port);
	port_stop_close(port, &sc);
	if (sc.stop_rc != 0)
		IW_PORT_LOG(WARNING, "%s: stop: %s", port->name, rte_strerror(-sc.stop_rc));
	if (sc.close_rc != 0)
		IW_PORT_LOG(WARNING, "%s: close: %s", port->name, rte_strerror(-sc.close_rc));
	for (q = 0; q < port->nb_queues; q++) {
		iw_impair_free(port->q[q].impair);
		port->q[q].impair = NULL;
	}
	if (port->owned && port->dev != NULL) {
		rc = rte_dev_remove(port->dev);
		if (rc != 0)
			IW_PORT_LOG(WARNING, "%s: remove: %s", port->name, rte_strerror(-rc));
	}
	if (port->wire != NULL)
		wire_release(port->wire, port->wire_end, port->pools);
	else
		free_pools(port->pools);
	IW_PORT_LOG(INFO, "%s: closed", port->name);
	rte_free(port);
}

int
iw_wire_create(const char *name, const struct iw_port_conf *conf, struct iw_port *ends[2])
{
	struct rte_ring *ab[IW_PORT_MAX_QUEUES], *ba[IW_PORT_MAX_QUEUES];
	struct iw_port_conf c;
	struct iw_wire *w;
	char rn[RTE_RING_NAMESIZE];
	uint16_t nbq, q;
	int pid[2], rc, i;

	if (name == NULL || conf == NULL || ends == NULL)
		return -EINVAL;
	ends[0] = ends[1] = NULL;
	nbq = conf->nb_queues ? conf->nb_queues : 1;
	if (nbq > IW_PORT_MAX_QUEUES)
		return -EINVAL;
	w = rte_zmalloc("iw_wire", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL)
		return -ENOMEM;
	for (q = 0; q < nbq; q++) {
		snprintf(rn, sizeof(rn), "%s_ab%u", name, q);
		ab[q] = rte_ring_create(rn, 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ab[q] == NULL)
			goto ring_fail;
		w->rings[w->nb_rings++] = ab[q];
		snprintf(rn, sizeof(rn), "%s_ba%u", name, q);
		ba[q] = rte_ring_create(rn, 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ba[q] == NULL)
			goto ring_fail;
		w->rings[w->nb_rings++] = ba[q];
	}
	snprintf(rn, sizeof(rn), "net_ring_%s_a", name);
	pid[0] = rte_eth_from_rings(rn, ba, nbq, ab, nbq, SOCKET_ID_ANY);
	snprintf(rn, sizeof(rn), "net_ring_%s_b", name);
	pid[1] = pid[0] < 0 ? -1 : rte_eth_from_rings(rn, ab, nbq, ba, nbq, SOCKET_ID_ANY);
	if (pid[0] < 0 || pid[1] < 0) {
		rc = -rte_errno;
		IW_PORT_LOG(ERR, "wire %s: rte_eth_from_rings: %s", name, rte_strerror(rte_errno));
		for (i = 0; i < 2; i++)
			if (pid[i] >= 0)
				(void)rte_eth_dev_close((uint16_t)pid[i]);
		goto free_rings;
	}
	c = *conf;
	c.dev = NULL;
	for (i = 0; i < 2; i++) {
		struct rte_eth_dev_info di;
		c.port_id = pid[i];
		ends[i] = iw_port_open(&c);
		if (ends[i] == NULL) {
			rc = -rte_errno;
			if (i == 1) {
				iw_port_close(ends[0]);
				ends[0] = NULL;
			} else {
				(void)rte_eth_dev_close((uint16_t)pid[0]);
			}
			(void)rte_eth_dev_close((uint16_t)pid[1]);
			return rc;
		}
		/* The ring vdev was plugged for this wire: remove it on close. */
		if (rte_eth_dev_info_get((uint16_t)pid[i], &di) == 0)
			ends[i]->dev = di.device;
		ends[i]->owned = true;
		ends[i]->wire = w;
		ends[i]->wire_end = (uint8_t)i;
		w->refs++;
	}
	return 0;
ring_fail:
	rc = -rte_errno;
free_rings:
	for (i = 0; i < (int)w->nb_rings; i++)
		rte_ring_free(w->rings[i]);
	rte_free(w);
	return rc;
}

int
iw_port_link(const struct iw_port *port, struct rte_eth_link *link)
{
	if (port == NULL || link == NULL)
		return -EINVAL;
	return rte_eth_link_get_nowait(port->port_id, link);
}

int
iw_port_wait_link(const struct iw_port *port, unsigned int timeout_ms)
{
	struct rte_eth_link link;
	unsigned int waited = 0;

	for (;;) {
		int rc = iw_port_link(port, &link);

		if (rc != 0)
			return rc;
		if (link.link_status == RTE_ETH_LINK_UP)
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		rte_delay_us_sleep(10000);
		waited += 10;
	}
}

int
iw_port_offload_str(const struct iw_port *port, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ IW_OFF_IPV4_CKSUM, "ipv4-cksum" },
		{ IW_OFF_TCP_CKSUM, "tcp-cksum" },
		{ IW_OFF_TSO, "tso" },
		{ IW_OFF_MULTISEG, "multi-seg" },
		{ IW_OFF_RX_CKSUM, "rx-cksum" },
	};
	size_t i, off = 0;
	int n;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < RTE_DIM(names); i++) {
		const char *how = (port->hw_offloads & names[i].bit) ? "hw" :
				  (port->sw_offloads & names[i].bit) ? "sw" : "off";

		n = snprintf(buf + RTE_MIN(off, len), off < len ? len - off : 0,
			     "%s%s:%s", i ? " " : "", names[i].name, how);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return (int)off;
}
