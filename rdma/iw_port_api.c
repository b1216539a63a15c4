/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public port API (rte_iwarp_port.h): thin wrappers over the port layer
 * (pmd/iw_port.h). The opaque handle is the port layer's struct iw_port
 * itself, converted by iw_port_of() / iw_port_handle().
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "iw_port.h"
#include "rte_iwarp_port.h"

static_assert(RTE_IWARP_PORT_OFF_IPV4_CKSUM == IW_OFF_IPV4_CKSUM &&
	      RTE_IWARP_PORT_OFF_TCP_CKSUM == IW_OFF_TCP_CKSUM &&
	      RTE_IWARP_PORT_OFF_TSO == IW_OFF_TSO &&
	      RTE_IWARP_PORT_OFF_MULTISEG == IW_OFF_MULTISEG &&
	      RTE_IWARP_PORT_OFF_RX_CKSUM == IW_OFF_RX_CKSUM,
	      "public and port layer offload bits differ");
static_assert(sizeof(((struct rte_iwarp_port_info *)0)->name) >= RTE_ETH_NAME_MAX_LEN,
	      "port name does not fit");

struct rte_iwarp_port *
rte_iwarp_port_open(const struct rte_iwarp_port_conf *conf)
{
	struct iw_port_conf pc;

	if (conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	memset(&pc, 0, sizeof(pc));
	pc.dev = conf->dev;
	pc.port_id = conf->dev != NULL ? -1 : (int)conf->port_id;
	pc.nb_queues = conf->nb_queues;
	pc.nb_rxd = conf->nb_rxd;
	pc.nb_txd = conf->nb_txd;
	pc.nb_mbufs = conf->nb_mbufs;
	pc.mbuf_size = conf->mbuf_size;
	pc.mtu = conf->mtu;
	pc.offloads = conf->offloads & RTE_IWARP_PORT_OFF_ALL;
	pc.no_offloads = conf->no_offloads;
	pc.promisc = conf->promisc;
	pc.queue_lcores = conf->queue_lcores;
	return iw_port_handle(iw_port_open(&pc));
}

void
rte_iwarp_port_close(struct rte_iwarp_port *port)
{
	iw_port_close(iw_port_of(port));
}

int
rte_iwarp_port_quiesce(struct rte_iwarp_port *port)
{
	if (port == NULL)
		return -EINVAL;
	return iw_port_quiesce(iw_port_of(port));
}

int
rte_iwarp_port_info_get(const struct rte_iwarp_port *port, struct rte_iwarp_port_info *info)
{
	const struct iw_port *p = iw_port_of_const(port);

	if (p == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", p->name);
	info->port_id = p->port_id;
	info->nb_queues = p->nb_queues;
	info->mtu = p->mtu;
	info->socket_id = p->socket_id;
	memcpy(info->mac_addr, p->mac.addr_bytes, sizeof(info->mac_addr));
	info->hw_offloads = p->hw_offloads;
	info->sw_offloads = p->sw_offloads;
	info->tso_max = p->tso_max;
	info->max_tx_segs = p->max_tx_segs;
	info->mbuf_room = p->mbuf_room;
	return 0;
}

int
rte_iwarp_port_id(const struct rte_iwarp_port *port)
{
	const struct iw_port *p = iw_port_of_const(port);

	return p == NULL ? -EINVAL : (int)p->port_id;
}

int
rte_iwarp_port_mac(const struct rte_iwarp_port *port, uint8_t mac[6])
{
	const struct iw_port *p = iw_port_of_const(port);

	if (p == NULL || mac == NULL)
		return -EINVAL;
	memcpy(mac, p->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	return 0;
}

int
rte_iwarp_port_stats_get(const struct rte_iwarp_port *port, struct rte_iwarp_port_stats *stats)
{
	const struct iw_port *p = iw_port_of_const(port);
	struct rte_eth_stats es;
	uint16_t q;
	int rc;

	if (p == NULL || stats == NULL)
		return -EINVAL;
	rc = rte_eth_stats_get(p->port_id, &es);
	if (rc != 0)
		return rc < 0 ? rc : -rc;
	memset(stats, 0, sizeof(*stats));
	stats->rx_packets = es.ipackets;
	stats->tx_packets = es.opackets;
	stats->rx_bytes = es.ibytes;
	stats->tx_bytes = es.obytes;
	stats->rx_missed = es.imissed;
	stats->rx_errors = es.ierrors;
	stats->tx_errors = es.oerrors;
	stats->rx_nombuf = es.rx_nombuf;
	for (q = 0; q < p->nb_queues; q++) {
		stats->tx_refused += p->q[q].tx_full;
		stats->polls += p->q[q].polls;
	}
	return 0;
}

int
rte_iwarp_port_link_status(const struct rte_iwarp_port *port)
{
	struct rte_eth_link link;
	int rc;

	if (port == NULL)
		return -EINVAL;
	rc = iw_port_link(iw_port_of_const(port), &link);
	if (rc != 0)
		return rc < 0 ? rc : -rc;
	return link.link_status == RTE_ETH_LINK_UP ? 1 : 0;
}

int
rte_iwarp_port_wait_link(const struct rte_iwarp_port *port, unsigned int timeout_ms)
{
	if (port == NULL)
		return -EINVAL;
	return iw_port_wait_link(iw_port_of_const(port), timeout_ms);
}

int
rte_iwarp_port_offload_str(const struct rte_iwarp_port *port, char *buf, size_t len)
{
	if (port == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	return iw_port_offload_str(iw_port_of_const(port), buf, len);
}

uint16_t
rte_iwarp_port_rx_burst(struct rte_iwarp_port *port, uint16_t queue, struct rte_mbuf **pkts,
			uint16_t nb)
{
	struct iw_port *p = iw_port_of(port);

	if (unlikely(p == NULL || queue >= p->nb_queues))
		return 0;
	return iw_port_rx(p, queue, pkts, nb);
}

uint16_t
rte_iwarp_port_tx_burst(struct rte_iwarp_port *port, uint16_t queue, struct rte_mbuf **pkts,
			uint16_t nb)
{
	struct iw_port *p = iw_port_of(port);

	if (unlikely(p == NULL || queue >= p->nb_queues))
		return 0;
	return iw_port_tx(p, queue, pkts, nb);
}

struct rte_mempool *
rte_iwarp_port_mempool(const struct rte_iwarp_port *port, uint16_t queue)
{
	const struct iw_port *p = iw_port_of_const(port);

	if (p == NULL || queue >= p->nb_queues) {
		rte_errno = EINVAL;
		return NULL;
	}
	return iw_port_pool(p, queue);
}
