/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iwt.h"
#include "iwt_wire.h"

int
iwt_wire_close_check(struct iw_port *port[2], const unsigned int pool_full[2])
{
	unsigned int i, avail[2];

	for (i = 0; i < 2; i++) {
		struct rte_mbuf *pkts[32];
		uint16_t n, k;

		if (port[i] == NULL)
			continue;
		iw_port_impair(port[i], 0, NULL);
		while ((n = iw_port_rx(port[i], 0, pkts, 32)) != 0)
			for (k = 0; k < n; k++)
				rte_pktmbuf_free(pkts[k]);
	}
	for (i = 0; i < 2; i++)
		avail[i] = port[i] ? rte_mempool_avail_count(iw_port_pool(port[i], 0)) : 0;
	for (i = 0; i < 2; i++) {
		iw_port_close(port[i]);
		port[i] = NULL;
	}
	for (i = 0; i < 2; i++)
		if (avail[i] != pool_full[i]) {
			IWT_LOG("end %u: %u mbufs of %u back in the pool", i, avail[i],
				pool_full[i]);
			return IWT_FAIL;
		}
	return IWT_PASS;
}
