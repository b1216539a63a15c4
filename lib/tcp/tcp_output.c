/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: what to send now (SYN, retransmissions chosen by the RFC 6675
 * scoreboard or NewReno, new data within min(cwnd, peer window), FIN, ACKs),
 * segment building (header and options in a fresh mbuf, payload as indirect
 * mbufs referencing the application's chains: no copy), and the segments
 * sent without a connection (RST replies, SYN-ACKs carrying a cookie).
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "tcp_pvt.h"

uint32_t
tcp_flight(const struct iw_tcp_stream *s)
{
	return s->snd_max - s->snd_una;
}

uint32_t
tcp_rcv_window(const struct iw_tcp_stream *s)
{
	uint32_t win = s->opts.rcvbuf > s->rq_bytes ? s->opts.rcvbuf - s->rq_bytes : 0;
	uint32_t max = (uint32_t)UINT16_MAX << s->rcv_wscale;

	if (win > max)
		win = max;
	/* never shrink the window we offered (RFC 9293 3.8.6) */
	if (SEQ_GT(s->rcv_adv, s->rcv_nxt + win))
		win = s->rcv_adv - s->rcv_nxt;
	/* receiver SWS avoidance: do not open by less than one segment */
	if (win < s->smss && win < s->opts.rcvbuf / 2 && SEQ_GEQ(s->rcv_nxt + win, s->rcv_adv))
		win = SEQ_GT(s->rcv_adv, s->rcv_nxt) ? s->rcv_adv - s->rcv_nxt : 0;
	return win;
}

/* A header mbuf with room for the options; NULL when the pool is empty. */
static struct rte_mbuf *
hdr_alloc(struct iw_tcp *tcp, unsigned int optlen, struct rte_tcp_hdr **th)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(tcp->pool);

	if (unlikely(m == NULL)) {
		tcp->st.tx_nombuf++;
		return NULL;
	}
	*th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, (uint16_t)(TCP_HDR_LEN + optlen));
	return m;
}

static int
hdr_send(struct iw_tcp *tcp, struct rte_mbuf *m, struct rte_tcp_hdr *th, rte_be32_t dst,
	 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
	 uint16_t win, unsigned int optlen)
{
	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)(((TCP_HDR_LEN + optlen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	th->cksum = 0;
	th->tcp_urp = 0;
	m->l4_len = (uint8_t)(TCP_HDR_LEN + optlen);
	tcp->st.tx_segs++;
	return iw_net_output(tcp->net, m, dst, IPPROTO_TCP, IW_NET_TX_L4_CKSUM);
}

/* Attach [seq, seq + len) of the send queue to hdr as indirect mbufs. */
static int
sndq_slice(struct iw_tcp_stream *s, struct rte_mbuf *hdr, uint32_t seq, uint32_t len)
{
	uint16_t mask = s->sq_size - 1, e;
	uint32_t eseq, sseq, off, n;
	struct rte_mbuf *seg, *tail = hdr, *mi;

	if (s->cur_valid && SEQ_GEQ(seq, s->cur_seg_seq) && SEQ_GEQ(s->cur_ent_seq, s->sq_seq)) {
		e = s->cur_ent;
		eseq = s->cur_ent_seq;
		seg = s->cur_seg;
		sseq = s->cur_seg_seq;
	} else {
		e = s->sq_head;
		eseq = s->sq_seq;
		seg = s->sq[e].m;
		sseq = eseq;
	}
	for (;;) {
		if (SEQ_GEQ(seq, eseq + s->sq[e].len)) {
			eseq += s->sq[e].len;
			e = (e + 1) & mask;
			seg = s->sq[e].m;
			sseq = eseq;
		} else if (SEQ_GEQ(seq, sseq + seg->data_len)) {
			sseq += seg->data_len;
			seg = seg->next;
		} else {
			break;
		}
	}
	off = seq - sseq;
	while (len > 0) {
		n = seg->data_len - off;
		if (n > len)
			n = len;
		if (n > 0) {
			mi = rte_pktmbuf_alloc(s->tcp->pool);
			if (unlikely(mi == NULL)) {
				s->tcp->st.tx_nombuf++;
				return -ENOBUFS;
			}
			rte_pktmbuf_attach(mi, seg);
			mi->data_off = (uint16_t)(seg->data_off + off);
			mi->data_len = (uint16_t)n;
			mi->pkt_len = n;
			tail->next = mi;
			tail = mi;
			hdr->nb_segs++;
			hdr->pkt_len += n;
			len -= n;
		}
		off = 0;
		if (len == 0)
			break;
		sseq += seg->data_len;
		seg = seg->next;
		if (seg == NULL) {
			eseq += s->sq[e].len;
			e = (e + 1) & mask;
			seg = s->sq[e].m;
			sseq = eseq;
		}
	}
	s->cur_ent = e;
	s->cur_ent_seq = eseq;
	s->cur_seg = seg;
	s->cur_seg_seq = sseq;
	s->cur_valid = true;
	return 0;
}

/*
 * The options of a segment carrying len bytes of data. SMSS leaves room for
 * the timestamps only: a data segment takes as many SACK blocks as fit in
 * the rest (RFC 6691), the first (most recent) ones; a full-sized one none
 * (with them it would exceed the MTU and never leave: both directions with
 * holes at once, each side's retransmission carrying the SACKs of its own
 * receive holes, stalled both for good).
 */
static unsigned int
build_opts(struct iw_tcp_stream *s, uint8_t *opt, uint8_t flags, uint32_t len)
{
	struct tcp_sack_blk blk[TCP_MAX_SACK_BLOCKS];
	uint32_t room = s->smss + ((s->flags & TF_TS) ? TCP_TS_OPT_LEN : 0);
	unsigned int n = 0, optlen;

	if (flags & RTE_TCP_SYN_FLAG) {
		struct tcp_syn_opts so = {
			.mss = tcp_local_mss(s),
			.wscale = (s->opts.no_wscale || (s->state == IW_TCP_SYN_RCVD &&
							 !(s->flags & TF_WS))) ?
				  -1 : (int8_t)s->rcv_wscale,
			.sack_ok = !s->opts.no_sack && (s->state != IW_TCP_SYN_RCVD ||
							(s->flags & TF_SACK)),
			.ts = !s->opts.no_timestamps && (s->state != IW_TCP_SYN_RCVD ||
							 (s->flags & TF_TS)),
			.tsval = tcp_ts_now(s),
			.tsecr = s->state == IW_TCP_SYN_RCVD ? s->ts_recent : 0,
		};

		return tcp_opt_build_syn(opt, &so);
	}
	if ((s->flags & TF_SACK) && s->nooo > 0)
		n = tcp_ooo_sack(s, blk, TCP_MAX_SACK_BLOCKS);
	for (;;) {
		optlen = tcp_opt_build(opt, (s->flags & TF_TS) != 0, tcp_ts_now(s), s->ts_recent,
				       blk, n);
		if (n == 0 || len == 0 || len + optlen <= room)
			return optlen;
		n--;
	}
}

/*
 * Send one segment of the connection: [seq, seq + len) of the send queue
 * with flags; ACK (when synchronized), window and options filled in.
 */
static int
tcp_xmit(struct iw_tcp_stream *s, uint32_t seq, uint32_t len, uint8_t flags)
{
	struct iw_tcp *tcp = s->tcp;
	uint8_t opt[TCP_MAX_OPT_LEN];
	unsigned int optlen;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t win;
	int rc;

	optlen = build_opts(s, opt, flags, len);
	m = hdr_alloc(tcp, optlen, &th);
	if (unlikely(m == NULL))
		return -ENOBUFS;
	memcpy(th + 1, opt, optlen);
	if (len > 0) {
		if (sndq_slice(s, m, seq, len) != 0) {
			rte_pktmbuf_free(m);
			return -ENOBUFS;
		}
		tcp->st.tx_data_segs++;
	}
	if (s->state != IW_TCP_SYN_SENT)
		flags |= RTE_TCP_ACK_FLAG;
	win = tcp_rcv_window(s);
	s->rcv_wnd_adv = win;
	if (SEQ_GT(s->rcv_nxt + win, s->rcv_adv))
		s->rcv_adv = s->rcv_nxt + win;
	s->last_ack_sent = s->rcv_nxt;
	s->flags &= ~TF_ACKNOW;
	s->t_delack = 0;
	if (flags & RTE_TCP_SYN_FLAG)
		win = RTE_MIN(win, (uint32_t)UINT16_MAX);
	else
		win >>= s->rcv_wscale;
	rc = hdr_send(tcp, m, th, s->tuple.raddr, s->tuple.lport, s->tuple.rport, seq,
		      s->rcv_nxt, flags, (uint16_t)RTE_MIN(win, (uint32_t)UINT16_MAX), optlen);
	return rc == -ENOBUFS ? 0 : rc; /* held for ARP overflow: like a loss */
}

void
tcp_send_ack(struct iw_tcp_stream *s)
{
	if (tcp_xmit(s, s->snd_nxt, 0, 0) == 0)
		s->t_delack = 0;
}

void
tcp_send_challenge_ack(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;
	uint64_t sec = tcp->now_us / 1000000;

	if (sec != tcp->chack_sec) {
		tcp->chack_sec = sec;
		tcp->chack_cnt = 0;
	}
	if (tcp->chack_cnt >= tcp->conf.challenge_ack_limit)
		return;
	tcp->chack_cnt++;
	tcp->st.challenge_acks++;
	tcp_send_ack(s);
}


void
tcp_send_rst_stream(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m = hdr_alloc(tcp, 0, &th);

	if (m == NULL)
		return;
	tcp->st.tx_rst++;
	hdr_send(tcp, m, th, s->tuple.raddr, s->tuple.lport, s->tuple.rport, s->snd_nxt,
		 s->rcv_nxt, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, 0);
}

void
tcp_send_rst_reply(struct iw_tcp *tcp, rte_be32_t raddr, const struct rte_tcp_hdr *in,
		   uint32_t seglen)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t seq, ack;
	uint8_t flags;

	if (in->tcp_flags & RTE_TCP_RST_FLAG)
		return;
	/* RFC 9293 3.10.7.1 */
	if (in->tcp_flags & RTE_TCP_ACK_FLAG) {
		seq = rte_be_to_cpu_32(in->recv_ack);
		ack = 0;
		flags = RTE_TCP_RST_FLAG;
	} else {
		seq = 0;
		ack = rte_be_to_cpu_32(in->sent_seq) + seglen;
		flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	m = hdr_alloc(tcp, 0, &th);
	if (m == NULL)
		return;
	tcp->st.tx_rst++;
	hdr_send(tcp, m, th, raddr, in->dst_port, in->src_port, seq, ack, flags, 0, 0);
}

int
tcp_send_synack_cookie(struct iw_tcp *tcp, const struct tcp_tuple *t, uint32_t iss,
		       uint32_t irs, const struct tcp_opts *o, uint16_t mss)
{
	struct tcp_syn_opts so = { .mss = mss, .wscale = -1 };
	uint8_t opt[TCP_MAX_OPT_LEN];
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	unsigned int optlen;

	/* window scale and SACK-permitted survive only in the timestamp */
	if (o->present & TCP_OPT_TS) {
		so.ts = true;
		so.tsecr = o->tsval;
		so.tsval = (((uint32_t)(tcp->now_us / 1000) - 64) & ~TCP_COOKIE_TS_MASK) |
			   tcp_cookie_ts_encode((o->present & TCP_OPT_WS) ? o->wscale : 0xff,
						(o->present & TCP_OPT_SACK_OK) != 0);
		so.sack_ok = (o->present & TCP_OPT_SACK_OK) != 0;
		if (o->present & TCP_OPT_WS)
			so.wscale = (int8_t)tcp_pick_wscale(UINT32_MAX);
	}
	optlen = tcp_opt_build_syn(opt, &so);
	m = hdr_alloc(tcp, optlen, &th);
	if (m == NULL)
		return -ENOBUFS;
	memcpy(th + 1, opt, optlen);
	tcp->st.syn_cookies_sent++;
	return hdr_send(tcp, m, th, t->raddr, t->lport, t->rport, iss, irs + 1,
			RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, UINT16_MAX, optlen);
}

/* End of queued data (the FIN, if any, follows it). */
static inline uint32_t
data_end(const struct iw_tcp_stream *s)
{
	return s->sq_seq + s->sq_bytes;
}

/*
 * Length of the segment to send at seq given at most max bytes: in record
 * mode a prefix ending on a record boundary (a record longer than max is cut).
 */
static uint32_t
seg_len_rec(struct iw_tcp_stream *s, uint32_t seq, uint32_t max, bool *rec)
{
	uint16_t mask = s->sq_size - 1, e = s->sq_head;
	uint32_t eseq = s->sq_seq, len = 0, end;
	unsigned int i;

	*rec = false;
	/* at the end of the data (the FIN's place): nothing of the queue */
	if (SEQ_GEQ(seq, data_end(s)))
		return 0;
	if (s->cur_valid && SEQ_GEQ(seq, s->cur_ent_seq) && SEQ_GEQ(s->cur_ent_seq, s->sq_seq)) {
		e = s->cur_ent;
		eseq = s->cur_ent_seq;
	}
	while (SEQ_GEQ(seq, eseq + s->sq[e].len)) {
		eseq += s->sq[e].len;
		e = (e + 1) & mask;
	}
	*rec = (s->sq[e].flags & IW_TCP_SEND_RECORD) != 0;
	if (!*rec)
		return RTE_MIN(max, data_end(s) - seq);
	for (i = 0; i < s->sq_cnt; i++) {
		end = eseq + s->sq[e].len;
		if (SEQ_GT(end, seq + max))
			break;
		len = end - seq;
		if (!(s->sq[e].flags & IW_TCP_SEND_RECORD) || end == data_end(s))
			break;
		eseq = end;
		e = (e + 1) & mask;
		if (!(s->sq[e].flags & IW_TCP_SEND_RECORD))
			break;
	}
	return len > 0 ? len : RTE_MIN(max, data_end(s) - seq);
}

static uint32_t
seg_len(struct iw_tcp_stream *s, uint32_t seq, uint32_t max)
{
	bool rec;

	return seg_len_rec(s, seq, max, &rec);
}

static int
send_data(struct iw_tcp_stream *s, uint32_t seq, uint32_t len, bool rexmit)
{
	uint8_t flags = 0;
	int rc;

	if (seq + len == data_end(s) && len > 0)
		flags |= RTE_TCP_PSH_FLAG;
	if ((s->flags & TF_FIN_QUEUED) && seq + len == s->fin_seq)
		flags |= RTE_TCP_FIN_FLAG;
	rc = tcp_xmit(s, seq, len, flags);
	if (rc != 0)
		return rc;
	if (s->snd_una == s->snd_max)
		s->t_unacked_since = s->tcp->now_us;
	if (flags & RTE_TCP_FIN_FLAG)
		s->flags |= TF_FIN_SENT;
	if (rexmit || SEQ_LT(seq, s->snd_max)) {
		if (seq == s->snd_una && (s->flags & TF_SACK)) {
			s->rxt_una_seq = seq;
			s->rxt_una_mark = s->snd_max;
			s->flags |= TF_RXT_WATCH;
		}
		s->tcp->st.tx_rexmit++;
		s->n_rexmit++;
		tcp_rtt_cancel(&s->rto);
	} else if (len > 0) {
		tcp_rtt_start(&s->rto, seq, s->tcp->now_us);
	}
	len += (flags & RTE_TCP_FIN_FLAG) ? 1 : 0;
	if (SEQ_GT(seq + len, s->snd_max)) {
		s->bytes_sent += seq + len - s->snd_max - ((flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
		s->snd_max = seq + len;
	}
	if (s->t_rexmt == 0)
		tcp_rexmt_arm(s);
	return 0;
}

/* RFC 6675 recovery: retransmit and send while cwnd - pipe >= 1 SMSS. */
static void
output_sack_recovery(struct iw_tcp_stream *s)
{
	uint32_t seq, len, pipe;
	int guard = 64;

	while (guard-- > 0) {
		pipe = tcp_sack_pipe(&s->sb, s->snd_una, s->snd_max, s->smss);
		if (s->cc.cwnd < pipe + s->smss)
			break;
		if (tcp_sack_next_seg(&s->sb, s->snd_una, s->snd_max, s->smss, false, &seq, &len)) {
			len = seg_len(s, seq, len);
			if (send_data(s, seq, len, true) != 0)
				break;
			/* len 0: the hole is the FIN alone, which send_data() sent */
			s->sb.high_rxt = seq + (len > 0 ? len : 1);
			continue;
		}
		if (SEQ_LT(s->snd_max, data_end(s)) &&
		    SEQ_LT(s->snd_max - s->snd_una, s->snd_wnd)) {
			len = RTE_MIN(s->smss, s->snd_una + s->snd_wnd - s->snd_max);
			len = seg_len(s, s->snd_max, len);
			if (send_data(s, s->snd_max, len, false) != 0)
				break;
			s->snd_nxt = s->snd_max;
			continue;
		}
		if (tcp_sack_next_seg(&s->sb, s->snd_una, s->snd_max, s->smss, true, &seq, &len)) {
			len = seg_len(s, seq, len);
			if (send_data(s, seq, len, true) != 0)
				break;
			s->sb.high_rxt = seq + (len > 0 ? len : 1);
			continue;
		}
		break;
	}
	if (SEQ_LT(s->snd_nxt, s->snd_max))
		s->snd_nxt = s->snd_max;
}

int
tcp_output(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;
	uint32_t wnd, flight, usable, len, end;
	bool rec;
	int sent = 0;

	s->flags &= ~TF_OUTPUT;
	switch (s->state) {
	case IW_TCP_CLOSED:
	case IW_TCP_LISTEN:
		return 0;
	case IW_TCP_SYN_SENT:
	case IW_TCP_SYN_RCVD:
		if (s->snd_max == s->iss) {
			uint8_t f = RTE_TCP_SYN_FLAG;

			if (tcp_xmit(s, s->iss, 0, f) == 0) {
				s->snd_nxt = s->snd_max = s->iss + 1;
				tcp_rexmt_arm(s);
				/* time the handshake unless this is a retransmission */
				if (s->syn_rtx == 0)
					tcp_rtt_start(&s->rto, s->iss, tcp->now_us);
				else
					tcp_rtt_cancel(&s->rto);
			}
		} else if (s->flags & TF_ACKNOW) {
			tcp_xmit(s, s->iss, 0, RTE_TCP_SYN_FLAG); /* SYN-ACK again */
		}
		tcp_timer_update(s);
		return 1;
	case IW_TCP_TIME_WAIT:
		if (s->flags & TF_ACKNOW)
			tcp_send_ack(s);
		return 1;
	default:
		break;
	}
	/* NewReno / RFC 6675 (4.3): the first presumed-lost segment now */
	if (s->flags & TF_RTX_UNA) {
		s->flags &= ~TF_RTX_UNA;
		if (SEQ_LT(s->snd_una, s->snd_max)) {
			end = (s->flags & TF_FIN_QUEUED) ? s->fin_seq : data_end(s);
			len = RTE_MIN(s->smss, end - s->snd_una);
			if (len > 0)
				len = seg_len(s, s->snd_una, len);
			if (send_data(s, s->snd_una, len, true) == 0) {
				sent++;
				if (SEQ_GT(s->snd_una + len, s->sb.high_rxt))
					s->sb.high_rxt = s->snd_una + len;
			}
		}
	}
	if ((s->flags & (TF_RECOVERY | TF_SACK)) == (TF_RECOVERY | TF_SACK)) {
		output_sack_recovery(s);
	} else {
		/* new data (or go-back-N after a timeout) */
		/* Limited Transmit (RFC 3042): one more segment per early DupAck */
		uint32_t cwnd = s->cc.cwnd;

		if (!(s->flags & TF_RECOVERY) && s->dupacks > 0 && s->dupacks < TCP_DUPTHRESH)
			cwnd += s->dupacks * s->smss;
		while (SEQ_LT(s->snd_nxt, data_end(s))) {
			wnd = RTE_MIN(s->snd_wnd, cwnd);
			flight = s->snd_nxt - s->snd_una;
			if (flight >= wnd)
				break;
			usable = wnd - flight;
			len = RTE_MIN(s->smss, data_end(s) - s->snd_nxt);
			len = seg_len_rec(s, s->snd_nxt, len, &rec);
			if (len > usable) {
				/*
				 * Sender SWS avoidance (RFC 9293 3.8.6.2.1); a record
				 * waits for room rather than being split.
				 */
				if (flight > 0 && (rec || (usable < s->max_sndwnd / 2 &&
							   usable < s->smss)))
					break;
				len = seg_len(s, s->snd_nxt, usable);
			}
			if (len < s->smss && s->snd_nxt + len == data_end(s) &&
			    !(s->flags & TF_FIN_QUEUED) &&
			    (((s->flags & TF_MORE)) ||
			     (s->opts.nagle && s->snd_una != s->snd_max)))
				break; /* Nagle, or the application has more */
			if (SEQ_LT(s->snd_nxt, s->snd_max) && SEQ_GT(s->snd_nxt + len, s->snd_max))
				len = s->snd_max - s->snd_nxt; /* keep old segment edges */
			if (send_data(s, s->snd_nxt, len, false) != 0)
				break;
			s->snd_nxt += len;
			if ((s->flags & TF_FIN_QUEUED) && s->snd_nxt == s->fin_seq)
				s->snd_nxt++;
			sent++;
		}
	}
	/* FIN alone */
	if ((s->flags & TF_FIN_QUEUED) && s->snd_nxt == s->fin_seq &&
	    s->snd_nxt == data_end(s)) {
		if (send_data(s, s->fin_seq, 0, false) == 0) {
			s->snd_nxt = s->fin_seq + 1;
			s->flags |= TF_FIN_SENT;
			sent++;
		}
	}
	/* zero window with data waiting and nothing in flight: probe */
	if (SEQ_LT(s->snd_nxt, data_end(s)) && s->snd_wnd == 0 && s->snd_una == s->snd_max) {
		if (!(s->flags & TF_PERSIST)) {
			s->flags |= TF_PERSIST;
			s->t_persist = tcp->now_us + tcp_rto_get(&s->rto);
		}
	}
	if (sent == 0 && (s->flags & TF_ACKNOW))
		tcp_send_ack(s);
	tcp_timer_update(s);
	return sent;
}

void
tcp_output_probe(struct iw_tcp_stream *s)
{
	/* an ACK with an old sequence number draws an ACK with the window */
	tcp_xmit(s, s->snd_una - 1, 0, 0);
}

void
tcp_output_rtx_una(struct iw_tcp_stream *s)
{
	s->flags |= TF_RTX_UNA;
	tcp_pend(s);
}

/* A chain of n mbufs leaves the send queue. */
static inline void
sndq_unaccount(struct iw_tcp_stream *s, uint32_t n)
{
	s->sq_mbufs -= n;
	s->tcp->sq_acct.mbufs -= n;
	if (s->sq_mbufs == 0)
		s->tcp->sq_acct.streams--;
}

/* Release the chains the cumulative ACK covers. */
void
tcp_sndq_acked(struct iw_tcp_stream *s, uint32_t ack)
{
	uint16_t mask = s->sq_size - 1;

	while (s->sq_cnt > 0) {
		struct tcp_sndq_ent *e = &s->sq[s->sq_head];

		if (SEQ_LT(ack, s->sq_seq + e->len))
			break;
		s->sq_seq += e->len;
		s->sq_bytes -= e->len;
		sndq_unaccount(s, e->m->nb_segs);
		rte_pktmbuf_free(e->m);
		e->m = NULL;
		s->sq_head = (s->sq_head + 1) & mask;
		s->sq_cnt--;
	}
}

void
tcp_sndq_free(struct iw_tcp_stream *s)
{
	uint16_t mask = s->sq_size - 1;

	while (s->sq_cnt > 0) {
		sndq_unaccount(s, s->sq[s->sq_head].m->nb_segs);
		rte_pktmbuf_free(s->sq[s->sq_head].m);
		s->sq[s->sq_head].m = NULL;
		s->sq_seq += s->sq[s->sq_head].len;
		s->sq_bytes -= s->sq[s->sq_head].len;
		s->sq_head = (s->sq_head + 1) & mask;
		s->sq_cnt--;
	}
	s->cur_valid = false;
}
