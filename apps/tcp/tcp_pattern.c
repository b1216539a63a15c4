/* SPDX-License-Identifier: BSD-3-Clause */
/* The bulk pattern (tcp_pattern.h): iwarp-tcp and tests/tcp. */
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "tcp_pattern.h"

void
tcp_pattern_fill(uint8_t *buf, uint64_t off, uint32_t len)
{
	uint32_t i = 0;

	/* whole 8-byte words at once (the word's bytes in little-endian order) */
	for (; i < len && ((off + i) & 7) != 0; i++)
		buf[i] = tcp_pattern_byte(off + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t x = ((off + i) >> 3) * 0x9e3779b97f4a7c15ULL;

		x ^= x >> 29;
		x = rte_cpu_to_le_64(x);
		memcpy(buf + i, &x, 8);
	}
	for (; i < len; i++)
		buf[i] = tcp_pattern_byte(off + i);
}

struct rte_mbuf *
tcp_pattern_chain(struct rte_mempool *mp, uint64_t off, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL, *m;
	uint32_t done = 0, n;

	while (done < len) {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = RTE_MIN(len - done, (uint32_t)rte_pktmbuf_tailroom(m));
		tcp_pattern_fill((uint8_t *)rte_pktmbuf_append(m, (uint16_t)n), off + done, n);
		done += n;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
	}
	return head;
}
