/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_PORT_PVT_H
#define IW_PORT_PVT_H

#include <rte_log.h>

#include "iw_port.h"

extern int iw_port_logtype;
#define IW_PORT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iw_port_logtype, "iw_port: " fmt "\n", ##__VA_ARGS__)

void iw_impair_free(struct iw_impair *im);

/*
 * A ring wire: its rings and, once an end is closed, that end's pools. The ends
 * exchange mbufs, so nothing is freed before both ends are closed.
 */
struct iw_wire {
	unsigned int refs;                 /* open ends */
	unsigned int nb_rings;
	struct rte_ring *rings[2 * IW_PORT_MAX_QUEUES];
	struct rte_mempool *pools[2][IW_PORT_NB_POOLS]; /* of closed ends */
};

#endif
