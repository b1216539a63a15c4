/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive side queues: in-order data as one mbuf chain handed to the
 * application without copying, and the out-of-order queue: at most
 * TCP_OOO_MAX contiguous ranges, each an mbuf chain, bounded in mbufs, merged
 * as holes fill, reported as SACK blocks (most recent first, RFC 2018).
 * Small segments are copied into the tail of the queue when it has room, so
 * a peer sending tiny segments cannot pin one mbuf per byte.
 */
#include <string.h>

#include "tcp_pvt.h"

#define TCP_COALESCE_MAX 512

struct rte_mbuf *
tcp_mbuf_adj(struct rte_mbuf *m, uint32_t len)
{
	uint32_t pkt_len = m->pkt_len - len;
	uint16_t nb_segs = m->nb_segs;

	while (m != NULL && len >= m->data_len) {
		struct rte_mbuf *next = m->next;

		len -= m->data_len;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		nb_segs--;
		m = next;
	}
	if (m == NULL)
		return NULL;
	m->data_off += len;
	m->data_len -= len;
	m->pkt_len = pkt_len;
	m->nb_segs = nb_segs;
	return m;
}

void
tcp_mbuf_trim(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t left = keep;
	uint16_t n = 1;

	while (left > seg->data_len) {
		left -= seg->data_len;
		seg = seg->next;
		n++;
	}
	seg->data_len = (uint16_t)left;
	rest = seg->next;
	seg->next = NULL;
	if (rest != NULL) {
		rest->nb_segs = (uint16_t)(m->nb_segs - n);
		rest->pkt_len = m->pkt_len - keep;
		rte_pktmbuf_free(rest);
	}
	m->nb_segs = n;
	m->pkt_len = keep;
}

/* Append chain b (pkt_len bytes) to chain a whose last segment is *tail. */
static void
chain_append(struct rte_mbuf *a, struct rte_mbuf **tail, struct rte_mbuf *b)
{
	(*tail)->next = b;
	a->nb_segs += b->nb_segs;
	a->pkt_len += b->pkt_len;
	*tail = rte_pktmbuf_lastseg(b);
}

void
tcp_rxq_append(struct iw_tcp_stream *s, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *t = s->rq_tail;

	s->rq_bytes += len;
	s->bytes_received += len;
	if (s->rq_head == NULL) {
		s->rq_head = m;
		s->rq_tail = rte_pktmbuf_lastseg(m);
		return;
	}
	if (len <= TCP_COALESCE_MAX && m->nb_segs == 1 && RTE_MBUF_DIRECT(t) &&
	    rte_mbuf_refcnt_read(t) == 1 && rte_pktmbuf_tailroom(t) >= len) {
		memcpy(rte_pktmbuf_mtod_offset(t, char *, t->data_len),
		       rte_pktmbuf_mtod(m, char *), len);
		t->data_len += len;
		s->rq_head->pkt_len += len;
		rte_pktmbuf_free(m);
		return;
	}
	chain_append(s->rq_head, &s->rq_tail, m);
}

void
tcp_rxq_free(struct iw_tcp_stream *s)
{
	unsigned int i;

	rte_pktmbuf_free(s->rq_head);
	s->rq_head = s->rq_tail = NULL;
	s->rq_bytes = 0;
	for (i = 0; i < s->nooo; i++)
		rte_pktmbuf_free(s->ooo[i].head);
	s->nooo = 0;
	s->ooo_mbufs = 0;
	s->ooo_bytes = 0;
}

static void
ooo_remove(struct iw_tcp_stream *s, unsigned int i, bool free_data)
{
	if (free_data) {
		s->ooo_mbufs -= s->ooo[i].head->nb_segs;
		s->ooo_bytes -= s->ooo[i].len;
		rte_pktmbuf_free(s->ooo[i].head);
	}
	memmove(&s->ooo[i], &s->ooo[i + 1], (s->nooo - i - 1) * sizeof(s->ooo[0]));
	s->nooo--;
}

int
tcp_ooo_insert(struct iw_tcp_stream *s, struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint32_t end = seq + len;
	unsigned int i;
	struct tcp_ooo *b;

	/* duplicate of what is queued, or covering whole ranges */
	for (i = 0; i < s->nooo;) {
		b = &s->ooo[i];
		if (SEQ_LEQ(b->seq, seq) && SEQ_GEQ(b->seq + b->len, end)) {
			s->tcp->st.rx_dup_bytes += len;
			rte_pktmbuf_free(m);
			s->ooo_last = b->seq;
			return 0;
		}
		if (SEQ_LEQ(seq, b->seq) && SEQ_GEQ(end, b->seq + b->len))
			ooo_remove(s, i, true);
		else
			i++;
	}
	/* position: first range starting after seq */
	for (i = 0; i < s->nooo && SEQ_LT(s->ooo[i].seq, seq); i++)
		;
	if (i > 0 && SEQ_GT(s->ooo[i - 1].seq + s->ooo[i - 1].len, seq)) {
		uint32_t cut = s->ooo[i - 1].seq + s->ooo[i - 1].len - seq;

		m = tcp_mbuf_adj(m, cut);
		seq += cut;
		len -= cut;
	}
	if (i < s->nooo && SEQ_LT(s->ooo[i].seq, end)) {
		len = s->ooo[i].seq - seq;
		end = seq + len;
		tcp_mbuf_trim(m, len);
	}
	if (s->ooo_mbufs + m->nb_segs > s->opts.ooo_max_mbufs) {
		s->tcp->st.rx_ooo_drop++;
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	s->ooo_mbufs += m->nb_segs;
	s->ooo_bytes += len;
	s->tcp->st.rx_ooo_segs++;
	if (i > 0 && s->ooo[i - 1].seq + s->ooo[i - 1].len == seq) {
		b = &s->ooo[i - 1];
		chain_append(b->head, &b->tail, m);
		b->len += len;
	} else {
		if (s->nooo == TCP_OOO_MAX) {
			s->ooo_mbufs -= m->nb_segs;
			s->ooo_bytes -= len;
			s->tcp->st.rx_ooo_drop++;
			rte_pktmbuf_free(m);
			return -ENOSPC;
		}
		memmove(&s->ooo[i + 1], &s->ooo[i], (s->nooo - i) * sizeof(s->ooo[0]));
		s->nooo++;
		b = &s->ooo[i];
		b->seq = seq;
		b->len = len;
		b->head = m;
		b->tail = rte_pktmbuf_lastseg(m);
		i++;
	}
	/* b ends where the next range starts: merge it in */
	if (i < s->nooo && b->seq + b->len == s->ooo[i].seq) {
		chain_append(b->head, &b->tail, s->ooo[i].head);
		b->len += s->ooo[i].len;
		ooo_remove(s, i, false);
	}
	s->ooo_last = b->seq;
	return 0;
}

void
tcp_ooo_pull(struct iw_tcp_stream *s)
{
	while (s->nooo > 0 && SEQ_LEQ(s->ooo[0].seq, s->rcv_nxt)) {
		struct tcp_ooo b = s->ooo[0];
		uint32_t end = b.seq + b.len;

		s->ooo_mbufs -= b.head->nb_segs;
		s->ooo_bytes -= b.len;
		ooo_remove(s, 0, false);
		if (SEQ_LEQ(end, s->rcv_nxt)) {
			rte_pktmbuf_free(b.head);
			continue;
		}
		if (SEQ_LT(b.seq, s->rcv_nxt))
			b.head = tcp_mbuf_adj(b.head, s->rcv_nxt - b.seq);
		tcp_rxq_append(s, b.head, end - s->rcv_nxt);
		s->rcv_nxt = end;
	}
}

unsigned int
tcp_ooo_sack(const struct iw_tcp_stream *s, struct tcp_sack_blk *blk, unsigned int max)
{
	unsigned int i, n = 0, first = s->nooo;

	for (i = 0; i < s->nooo; i++)
		if (s->ooo[i].seq == s->ooo_last)
			first = i;
	if (first < s->nooo && n < max) {
		blk[n].start = s->ooo[first].seq;
		blk[n].end = s->ooo[first].seq + s->ooo[first].len;
		n++;
	}
	/* then the highest ranges: the sender learns about recent data first */
	for (i = s->nooo; i-- > 0 && n < max;) {
		if (i == first)
			continue;
		blk[n].start = s->ooo[i].seq;
		blk[n].end = s->ooo[i].seq + s->ooo[i].len;
		n++;
	}
	return n;
}
