/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: header and checksum validation, option parsing, demux to a
 * connection or a listener (SYN backlog, SYN cookies), and segment
 * processing in the order of RFC 9293 3.10.7: PAWS (RFC 7323), sequence
 * acceptability, RST and SYN with RFC 5961 challenge ACKs, ACK processing
 * (window update, SACK scoreboard, RTT, congestion control, NewReno or
 * RFC 6675 recovery), data (in order up without copy, out of order queued),
 * FIN and the close states.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "iw_cksum.h"
#include "tcp_pvt.h"


uint32_t
tcp_ts_now(const struct iw_tcp_stream *s)
{
	return (uint32_t)(s->tcp->now_us / 1000) + s->ts_offset;
}

/* Apply the SYN's options (ours are in s->opts). */
static void
negotiate(struct iw_tcp_stream *s, const struct tcp_opts *o)
{
	if ((o->present & TCP_OPT_SACK_OK) && !s->opts.no_sack)
		s->flags |= TF_SACK;
	if ((o->present & TCP_OPT_TS) && !s->opts.no_timestamps) {
		s->flags |= TF_TS;
		s->ts_recent = o->tsval;
	}
	if ((o->present & TCP_OPT_WS) && !s->opts.no_wscale) {
		s->flags |= TF_WS;
		s->snd_wscale = o->wscale;
	} else {
		s->snd_wscale = 0;
		s->rcv_wscale = 0;
	}
	tcp_set_mss(s, (o->present & TCP_OPT_MSS) ? o->mss : 536);
}

/* A child of listener l for tuple t; NULL when out of memory. */
static struct iw_tcp_stream *
child_create(struct iw_tcp_stream *l, const struct tcp_tuple *t, uint32_t irs,
	     const struct tcp_opts *o)
{
	struct iw_tcp *tcp = l->tcp;
	struct iw_tcp_stream *s = tcp_stream_alloc(tcp, &l->opts, t);

	if (s == NULL)
		return NULL;
	s->cb = l->cb;
	s->parent = l;
	s->flags |= TF_PASSIVE | TF_RELEASED; /* no handle until accepted */
	s->iss = tcp_isn(&tcp->secret, t, tcp->now_us);
	s->snd_una = s->snd_nxt = s->snd_max = s->recover = s->iss;
	s->sq_seq = s->iss + 1;
	s->irs = irs;
	s->rcv_nxt = irs + 1;
	s->rcv_adv = s->rcv_nxt;
	s->rcv_wscale = tcp_pick_wscale(s->opts.rcvbuf);
	negotiate(s, o);
	if (tcp_table_add(s) != 0) {
		s->flags |= TF_FREE;
		tcp_pend(s);
		return NULL;
	}
	return s;
}

static void
listen_input(struct iw_tcp_stream *l, const struct rte_ipv4_hdr *ip,
	     const struct rte_tcp_hdr *th, const struct tcp_tuple *t, const struct tcp_opts *o,
	     uint32_t dlen)
{
	struct iw_tcp *tcp = l->tcp;
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq), ack = rte_be_to_cpu_32(th->recv_ack);
	struct iw_tcp_stream *s;
	uint16_t mss;

	if (flags & RTE_TCP_RST_FLAG)
		return;
	if (flags & RTE_TCP_ACK_FLAG) {
		struct tcp_cookie_info ci = { .wscale = 0xf };
		struct tcp_opts co = *o;

		/* the third step of a cookie handshake? */
		if ((flags & RTE_TCP_SYN_FLAG) || tcp->conf.no_syncookies ||
		    !tcp_cookie_check(&tcp->secret, t, seq - 1, ack - 1, tcp->now_us / 1000000,
				      &mss)) {
			if (!tcp->conf.no_syncookies && !(flags & RTE_TCP_SYN_FLAG))
				tcp->st.syn_cookies_bad++;
			tcp->st.rx_no_conn++;
			tcp_send_rst_reply(tcp, ip->src_addr, th, dlen);
			return;
		}
		if (l->acc_cnt >= l->backlog) {
			tcp->st.syn_drop++;
			return;
		}
		co.present = TCP_OPT_MSS | (o->present & TCP_OPT_TS);
		co.mss = mss;
		if (o->present & TCP_OPT_TS) {
			tcp_cookie_ts_decode(o->tsecr, &ci);
			if (ci.sack_ok)
				co.present |= TCP_OPT_SACK_OK;
			if (ci.wscale <= TCP_MAX_WSCALE) {
				co.present |= TCP_OPT_WS;
				co.wscale = ci.wscale;
			}
		}
		s = child_create(l, t, seq - 1, &co);
		if (s == NULL)
			return;
		/* the SYN-ACK used our cookie as ISN and the largest window scale */
		s->iss = ack - 1;
		s->snd_una = s->snd_nxt = s->snd_max = s->recover = ack;
		s->sq_seq = ack;
		if (s->flags & TF_WS)
			s->rcv_wscale = tcp_pick_wscale(UINT32_MAX);
		s->rcv_adv = s->rcv_nxt + ((uint32_t)UINT16_MAX << s->rcv_wscale);
		s->snd_wnd = (uint32_t)rte_be_to_cpu_16(th->rx_win) << s->snd_wscale;
		s->max_sndwnd = s->snd_wnd;
		s->snd_wl1 = seq;
		s->snd_wl2 = ack;
		tcp->st.syn_cookies_ok++;
		tcp_established(s);
		return;
	}
	if (!(flags & RTE_TCP_SYN_FLAG))
		return;
	if (l->syn_cnt >= l->backlog || l->acc_cnt >= l->backlog) {
		if (tcp->conf.no_syncookies) {
			tcp->st.syn_drop++;
			return;
		}
		tcp_send_synack_cookie(tcp, t,
				       tcp_cookie_make(&tcp->secret, t, seq,
						       (o->present & TCP_OPT_MSS) ? o->mss : 536,
						       tcp->now_us / 1000000),
				       seq, o, tcp_local_mss(l));
		return;
	}
	s = child_create(l, t, seq, o);
	if (s == NULL) {
		tcp->st.syn_drop++;
		return;
	}
	s->flags |= TF_SYNQ;
	l->syn_cnt++;
	tcp_set_state(s, IW_TCP_SYN_RCVD);
	tcp_pend(s); /* the SYN-ACK */
}

static void
synsent_input(struct iw_tcp_stream *s, const struct rte_ipv4_hdr *ip,
	      const struct rte_tcp_hdr *th, const struct tcp_opts *o, uint32_t dlen)
{
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq), ack = rte_be_to_cpu_32(th->recv_ack);

	if (flags & RTE_TCP_ACK_FLAG) {
		if (SEQ_LEQ(ack, s->iss) || SEQ_GT(ack, s->snd_max)) {
			tcp_send_rst_reply(s->tcp, ip->src_addr, th, dlen);
			return;
		}
	}
	if (flags & RTE_TCP_RST_FLAG) {
		if (flags & RTE_TCP_ACK_FLAG) {
			s->tcp->st.rx_rst++;
			tcp_drop(s, ECONNREFUSED);
		}
		return;
	}
	if (!(flags & RTE_TCP_SYN_FLAG))
		return;
	s->irs = seq;
	s->rcv_nxt = seq + 1;
	s->rcv_adv = s->rcv_nxt;
	negotiate(s, o);
	s->snd_wnd = rte_be_to_cpu_16(th->rx_win); /* never scaled in a SYN */
	s->max_sndwnd = s->snd_wnd;
	s->snd_wl1 = seq;
	s->snd_wl2 = ack;
	s->flags |= TF_ACKNOW;
	if (flags & RTE_TCP_ACK_FLAG) {
		tcp_rtt_ack(&s->rto, ack, s->tcp->now_us);
		s->snd_una = ack;
		if (SEQ_LT(s->snd_nxt, ack))
			s->snd_nxt = ack;
		s->t_rexmt = 0;
		tcp_established(s);
	} else {
		/* simultaneous open: SYN-ACK with our ISN (RFC 9293 3.5) */
		tcp_set_state(s, IW_TCP_SYN_RCVD);
	}
	tcp_pend(s);
}

/* Our FIN has been acknowledged. */
static inline bool
fin_acked(const struct iw_tcp_stream *s)
{
	return (s->flags & TF_FIN_SENT) && SEQ_GT(s->snd_una, s->fin_seq);
}

static void
enter_time_wait(struct iw_tcp_stream *s)
{
	tcp_set_state(s, IW_TCP_TIME_WAIT);
	tcp_sndq_free(s);
	s->t_rexmt = s->t_persist = s->t_keep = s->t_delack = 0;
	s->t_2msl = s->tcp->now_us + 2000ull * s->tcp->conf.msl_ms;
	if (!(s->flags & TF_RELEASED))
		tcp_event(s, IW_TCP_EV_CLOSED);
}

/* A cumulative ACK ack with window win; returns false if the segment is to be dropped. */
static bool
ack_input(struct iw_tcp_stream *s, uint32_t seq, uint32_t ack, uint32_t win, uint32_t dlen,
	  uint8_t flags, const struct tcp_opts *o)
{
	struct iw_tcp *tcp = s->tcp;
	bool wnd_changed = false;
	uint32_t sacked = 0;

	/* RFC 5961 5.2: ACK acceptability */
	if (SEQ_GT(ack, s->snd_max) ||
	    SEQ_LT(ack, s->snd_una - RTE_MAX(s->max_sndwnd, 65535u))) {
		tcp_send_challenge_ack(s);
		return false;
	}
	/* window update (RFC 9293 3.10.7.4, fifth) */
	if (SEQ_LT(s->snd_wl1, seq) || (s->snd_wl1 == seq && SEQ_LEQ(s->snd_wl2, ack))) {
		uint32_t w = win << s->snd_wscale;

		wnd_changed = w != s->snd_wnd;
		s->snd_wnd = w;
		s->snd_wl1 = seq;
		s->snd_wl2 = ack;
		if (w > s->max_sndwnd)
			s->max_sndwnd = w;
		if (w > 0 && (s->flags & TF_PERSIST)) {
			s->flags &= ~TF_PERSIST;
			s->t_persist = 0;
			s->rtx_count = 0;
		}
		if (wnd_changed)
			tcp_pend(s);
	}
	if ((s->flags & TF_SACK) && (o->nsack > 0 || SEQ_GT(ack, s->snd_una))) {
		/* new SACK blocks, or a cumulative ACK that prunes the scoreboard */
		sacked = tcp_sack_update(&s->sb, seq_max(ack, s->snd_una), s->snd_max, o->sack,
					 o->nsack);
		if (sacked > 0)
			tcp_pend(s);
	}
	if (SEQ_GT(ack, s->snd_una)) {
		/*
		 * The data this ACK covers: past the SYN if it acknowledges it.
		 * (Not seq_max(snd_una, iss + 1): 2 GiB after the ISN the
		 * comparison wraps and every later ACK counted no data.)
		 */
		uint32_t lo = s->snd_una == s->iss ? s->iss + 1 : s->snd_una;
		uint32_t hi = ack, acked = ack - s->snd_una;
		uint64_t data_acked = 0;

		if ((s->flags & TF_FIN_SENT) && SEQ_GT(hi, s->fin_seq))
			hi = s->fin_seq;
		if (SEQ_GT(hi, lo))
			data_acked = hi - lo;
		if (tcp_rtt_ack(&s->rto, ack, tcp->now_us) == 0 && s->rto.backoff > 0 &&
		    (s->flags & TF_TS) && (o->present & TCP_OPT_TS) && o->tsecr != 0) {
			/*
			 * Backed off and only retransmissions in flight: Karn gives no
			 * sample, the echoed timestamp does (RFC 7323 4.1), in ms.
			 */
			uint32_t d = tcp_ts_now(s) - o->tsecr;

			if (d < 60000)
				tcp_rto_sample(&s->rto, d * 1000 + 500);
		}
		if (data_acked > 0) {
			s->acked_total += data_acked;
			tcp_sndq_acked(s, ack);
			s->flags |= TF_ACKED_EV;
			if ((s->flags & TF_WANT_WRITE) && s->sq_cnt < s->sq_size &&
			    s->sq_bytes < s->opts.sndbuf) {
				s->flags &= ~TF_WANT_WRITE;
				s->ev |= IW_TCP_EV_WRITABLE;
			}
		}
		s->snd_una = ack;
		if (SEQ_LT(s->snd_nxt, ack))
			s->snd_nxt = ack;
		/*
		 * Outside recovery, RFC 6582's "recover" follows SND.UNA: left at
		 * the ISN, it falls 2 GiB behind, the wrap-around comparison
		 * below turns and no later loss could start a fast retransmit.
		 */
		if (!(s->flags & (TF_RECOVERY | TF_RTO_LOSS)) && SEQ_GT(ack, s->recover))
			s->recover = ack;
		s->rtx_count = 0;
		if (s->flags & TF_RTO_LOSS) {
			/* after a timeout: slow start while the holes are refilled */
			if (data_acked > 0)
				s->cc.ops->ack(&s->cc, (uint32_t)data_acked, s->rto.srtt_us,
					       tcp->now_us);
			if (SEQ_GEQ(ack, s->recover))
				s->flags &= ~(TF_RECOVERY | TF_RTO_LOSS);
		} else if (s->flags & TF_RECOVERY) {
			if (SEQ_GEQ(ack, s->recover)) {
				/* full ACK: recovery over (RFC 6582 3.2 (3), RFC 6675 5 (1)) */
				s->flags &= ~TF_RECOVERY;
				if (!(s->flags & TF_SACK)) {
					uint32_t fl = tcp_flight(s) + s->smss;

					s->cc.cwnd = RTE_MIN(s->cc.ssthresh, fl);
				} else {
					s->cc.cwnd = s->cc.ssthresh;
				}
			} else if (!(s->flags & TF_SACK)) {
				/* partial ACK: retransmit the next hole, deflate */
				s->cc.cwnd = s->cc.cwnd > acked ? s->cc.cwnd - acked : 0;
				s->cc.cwnd += s->smss;
				tcp_output_rtx_una(s);
			}
		} else if (data_acked > 0) {
			s->cc.ops->ack(&s->cc, (uint32_t)data_acked, s->rto.srtt_us, tcp->now_us);
		}
		s->dupacks = 0;
		if (s->snd_una == s->snd_max) {
			s->t_rexmt = 0;
			s->t_unacked_since = 0;
		} else {
			s->t_unacked_since = tcp->now_us;
			tcp_rexmt_arm(s);
		}
		tcp_pend(s);
	} else if (ack == s->snd_una && s->snd_max != s->snd_una &&
		   ((dlen == 0 && !wnd_changed &&
		     !(flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG))) || sacked > 0)) {
		/*
		 * duplicate ACK (RFC 5681 section 2), or one that SACKs new data
		 * whatever its window (RFC 6675 section 2, DupAck)
		 */
		s->dupacks++;
		if (!(s->flags & TF_RECOVERY)) {
			if ((s->dupacks >= TCP_DUPTHRESH ||
			     ((s->flags & TF_SACK) &&
			      tcp_sack_is_lost(&s->sb, s->snd_una, s->smss))) &&
			    SEQ_GT(s->snd_una, s->recover - 1)) {
				/* fast retransmit, enter recovery */
				s->recover = s->snd_max;
				s->cc.ops->loss(&s->cc, tcp_flight(s));
				if (!(s->flags & TF_SACK))
					s->cc.cwnd = s->cc.ssthresh + 3 * s->smss;
				s->flags |= TF_RECOVERY;
				s->sb.high_rxt = s->snd_una;
				tcp->st.fast_rexmit++;
				s->n_recovery++;
				tcp_output_rtx_una(s);
			} else {
				tcp_pend(s); /* Limited Transmit */
			}
		} else if (!(s->flags & TF_SACK)) {
			s->cc.cwnd += s->smss; /* RFC 6582 3.2 (4): inflate */
			tcp_pend(s);
		}
	}
	/*
	 * Lost retransmission: data sent after the retransmission at SND.UNA
	 * (three segments of it) has been SACKed, SND.UNA has not moved:
	 * send it again rather than wait for the timeout.
	 */
	if (s->flags & TF_RXT_WATCH) {
		if (!(s->flags & TF_RECOVERY) || SEQ_GT(s->snd_una, s->rxt_una_seq)) {
			s->flags &= ~TF_RXT_WATCH;
		} else if (s->sb.nblk > 0 && SEQ_GEQ(s->sb.blk[s->sb.nblk - 1].end,
						     s->rxt_una_mark + 3 * s->smss)) {
			s->flags &= ~TF_RXT_WATCH;
			tcp->st.lost_rexmit++;
			tcp_output_rtx_una(s);
		}
	}
	return true;
}

static void
fin_input(struct iw_tcp_stream *s)
{
	s->rcv_nxt++;
	s->flags |= TF_RCVD_FIN | TF_ACKNOW;
	s->flags &= ~TF_OOO_FIN;
	if (!(s->flags & TF_RELEASED))
		tcp_event(s, IW_TCP_EV_PEER_FIN | IW_TCP_EV_READABLE);
	switch (s->state) {
	case IW_TCP_SYN_RCVD:
	case IW_TCP_ESTABLISHED:
		tcp_set_state(s, IW_TCP_CLOSE_WAIT);
		break;
	case IW_TCP_FIN_WAIT_1:
		if (fin_acked(s))
			enter_time_wait(s);
		else
			tcp_set_state(s, IW_TCP_CLOSING);
		break;
	case IW_TCP_FIN_WAIT_2:
		enter_time_wait(s);
		break;
	default:
		break;
	}
	tcp_pend(s);
}

/* Segment processing for a connection past SYN_SENT. m is at the TCP header. */
static void
conn_input(struct iw_tcp_stream *s, struct rte_mbuf *m, const struct rte_tcp_hdr *th,
	   uint32_t hlen, uint32_t dlen, const struct tcp_opts *o)
{
	struct iw_tcp *tcp = s->tcp;
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq), ack = rte_be_to_cpu_32(th->recv_ack);
	uint32_t win = rte_be_to_cpu_16(th->rx_win), rwnd, slen, off = hlen;
	bool acceptable;

	/* an old duplicate of the SYN we have: strip it, answer with an ACK */
	if ((flags & RTE_TCP_SYN_FLAG) && seq == s->irs) {
		flags &= ~RTE_TCP_SYN_FLAG;
		seq++;
		s->flags |= TF_ACKNOW;
		tcp_pend(s);
	}
	/* PAWS (RFC 7323 5.3) */
	if ((s->flags & TF_TS) && (o->present & TCP_OPT_TS) && !(flags & RTE_TCP_RST_FLAG) &&
	    SEQ_LT(o->tsval, s->ts_recent)) {
		tcp->st.rx_paws++;
		s->flags |= TF_ACKNOW;
		tcp_pend(s);
		goto drop;
	}
	/* acceptability (RFC 9293 3.10.7.4, first) */
	rwnd = SEQ_GT(s->rcv_adv, s->rcv_nxt) ? s->rcv_adv - s->rcv_nxt : 0;
	slen = dlen + ((flags & RTE_TCP_SYN_FLAG) ? 1 : 0) + ((flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	if (slen == 0)
		acceptable = rwnd == 0 ? seq == s->rcv_nxt :
			     seq_in(seq, s->rcv_nxt, s->rcv_nxt + rwnd);
	else
		acceptable = rwnd != 0 && (seq_in(seq, s->rcv_nxt, s->rcv_nxt + rwnd) ||
					   seq_in(seq + slen - 1, s->rcv_nxt, s->rcv_nxt + rwnd));
	/* a zero window still takes ACKs and the FIN at RCV.NXT */
	if (!acceptable && rwnd == 0 && seq == s->rcv_nxt)
		acceptable = true;
	if (!acceptable) {
		if (!(flags & RTE_TCP_RST_FLAG)) {
			tcp->st.rx_out_of_window++;
			if (dlen > 0)
				tcp->st.rx_dup_bytes += dlen;
			s->flags |= TF_ACKNOW;
			if (s->state == IW_TCP_TIME_WAIT && (flags & RTE_TCP_FIN_FLAG))
				s->t_2msl = tcp->now_us + 2000ull * tcp->conf.msl_ms;
			tcp_send_ack(s);
		}
		goto drop;
	}
	/* trim what was already received, and what is beyond the window */
	if (SEQ_LT(seq, s->rcv_nxt)) {
		uint32_t cut = s->rcv_nxt - seq;

		if (cut >= dlen) {
			tcp->st.rx_dup_bytes += dlen;
			cut = dlen;
			s->flags |= TF_ACKNOW;
			tcp_pend(s);
		} else {
			tcp->st.rx_dup_bytes += cut;
		}
		off += cut;
		dlen -= cut;
		seq += cut;
	}
	if (SEQ_GT(seq + dlen, s->rcv_nxt + rwnd)) {
		dlen = SEQ_GT(s->rcv_nxt + rwnd, seq) ? s->rcv_nxt + rwnd - seq : 0;
		flags &= ~RTE_TCP_FIN_FLAG;
		s->flags |= TF_ACKNOW;
		tcp_pend(s);
	}
	/* timestamps to echo (RFC 7323 4.3) */
	if ((s->flags & TF_TS) && (o->present & TCP_OPT_TS) &&
	    SEQ_LEQ(seq, s->last_ack_sent) && SEQ_GEQ(o->tsval, s->ts_recent))
		s->ts_recent = o->tsval;
	/* RST (RFC 5961 3.2) */
	if (flags & RTE_TCP_RST_FLAG) {
		if (seq != s->rcv_nxt) {
			tcp_send_challenge_ack(s);
			goto drop;
		}
		tcp->st.rx_rst++;
		switch (s->state) {
		case IW_TCP_SYN_RCVD:
			tcp_drop(s, (s->flags & TF_PASSIVE) ? ECONNRESET : ECONNREFUSED);
			break;
		case IW_TCP_CLOSING:
		case IW_TCP_LAST_ACK:
		case IW_TCP_TIME_WAIT:
			tcp_closed(s);
			break;
		default:
			tcp_drop(s, ECONNRESET);
			break;
		}
		goto drop;
	}
	/* SYN in a synchronized state (RFC 5961 4.2) */
	if (flags & RTE_TCP_SYN_FLAG) {
		tcp_send_challenge_ack(s);
		goto drop;
	}
	if (!(flags & RTE_TCP_ACK_FLAG))
		goto drop;
	if (s->state == IW_TCP_SYN_RCVD) {
		if (!(SEQ_GT(ack, s->snd_una) && SEQ_LEQ(ack, s->snd_max))) {
			tcp_send_rst_reply(tcp, s->tuple.raddr, th, dlen);
			goto drop;
		}
		s->snd_wnd = win << s->snd_wscale;
		s->max_sndwnd = s->snd_wnd;
		s->snd_wl1 = seq;
		s->snd_wl2 = ack;
		tcp_established(s);
		if (s->state != IW_TCP_ESTABLISHED && s->state != IW_TCP_FIN_WAIT_1)
			goto drop;
	}
	if (!ack_input(s, seq, ack, win, dlen, flags, o))
		goto drop;
	switch (s->state) {
	case IW_TCP_FIN_WAIT_1:
		if (fin_acked(s)) {
			tcp_set_state(s, IW_TCP_FIN_WAIT_2);
			if (s->flags & TF_RELEASED) /* orphan: bounded FIN_WAIT_2 */
				s->t_2msl = tcp->now_us + 2000ull * tcp->conf.msl_ms;
		}
		break;
	case IW_TCP_CLOSING:
		if (fin_acked(s))
			enter_time_wait(s);
		break;
	case IW_TCP_LAST_ACK:
		if (fin_acked(s)) {
			tcp_closed(s);
			goto drop;
		}
		break;
	case IW_TCP_TIME_WAIT:
		if (flags & RTE_TCP_FIN_FLAG) {
			s->flags |= TF_ACKNOW;
			s->t_2msl = tcp->now_us + 2000ull * tcp->conf.msl_ms;
			tcp_pend(s);
		}
		goto drop;
	default:
		break;
	}
	/* data */
	if (dlen > 0 && (s->state == IW_TCP_ESTABLISHED || s->state == IW_TCP_FIN_WAIT_1 ||
			 s->state == IW_TCP_FIN_WAIT_2)) {
		m = tcp_mbuf_adj(m, off);
		tcp_mbuf_trim(m, dlen);
		if (seq == s->rcv_nxt) {
			bool had_ooo = s->nooo > 0;

			tcp_rxq_append(s, m, dlen);
			s->rcv_nxt += dlen;
			if (had_ooo)
				tcp_ooo_pull(s);
			if (s->flags & TF_RELEASED)
				tcp_rxq_free(s);
			else
				tcp_event(s, IW_TCP_EV_READABLE);
			if (s->rcv_nxt - s->last_ack_sent >=
			    (s->opts.delack_us != 0 ? 2u : s->opts.ack_segs) * s->smss) {
				/*
				 * ack_segs full segments unacknowledged (2 with
				 * delayed ACKs, RFC 5681 4.2): the ACK leaves now,
				 * before the rest of the burst is taken in and
				 * placed, so the sender's next window overlaps this
				 * side's work (with one ACK per burst the two ends
				 * took turns). Every 4 rather than 2: half the ACKs,
				 * 7 % fewer instructions per 64 KiB WRITE, both ends
				 * (an ACK costs ~1,800), and 64 KiB write_bw 18.8 ->
				 * 21 Gbit/s over memif; every 8 starved a window of 8
				 * frames (64 B WRITEs at depth 128): 11 -> 9 M/s.
				 */
				tcp_send_ack(s);
				iw_net_flush(tcp->net);
			} else if (had_ooo || s->opts.delack_us == 0 || s->t_delack != 0) {
				s->flags |= TF_ACKNOW;
			} else {
				s->t_delack = tcp->now_us + s->opts.delack_us;
				tcp_timer_update(s);
			}
			tcp_pend(s);
		} else {
			tcp_ooo_insert(s, m, seq, dlen);
			tcp_send_ack(s); /* immediate duplicate ACK with SACK (RFC 5681 4.2) */
		}
		m = NULL;
	}
	if (flags & RTE_TCP_FIN_FLAG) {
		if (seq + dlen == s->rcv_nxt && !(s->flags & TF_RCVD_FIN))
			fin_input(s);
		else if (SEQ_GT(seq + dlen, s->rcv_nxt)) {
			s->flags |= TF_OOO_FIN;
			s->ooo_fin_seq = seq + dlen;
		}
	}
	if ((s->flags & TF_OOO_FIN) && s->ooo_fin_seq == s->rcv_nxt && !(s->flags & TF_RCVD_FIN))
		fin_input(s);
drop:
	rte_pktmbuf_free(m);
}

void
tcp_input(void *ctx, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	struct iw_tcp *tcp = ctx;
	const struct rte_tcp_hdr *th;
	struct iw_tcp_stream *s;
	struct tcp_tuple t;
	struct tcp_opts o;
	uint32_t hlen, dlen;
	uint64_t ck;

	tcp->now_us = tcp_now(tcp);
	tcp->st.rx_segs++;
	if (unlikely(m->data_len < TCP_HDR_LEN)) {
		tcp->st.rx_bad_hdr++;
		goto drop;
	}
	th = rte_pktmbuf_mtod(m, const struct rte_tcp_hdr *);
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(hlen < TCP_HDR_LEN || hlen > m->data_len)) {
		tcp->st.rx_bad_hdr++;
		goto drop;
	}
	ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if ((tcp->hw_off & IW_OFF_RX_CKSUM) && ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		/* checked by the port */
	} else if (((tcp->hw_off & IW_OFF_RX_CKSUM) && ck == RTE_MBUF_F_RX_L4_CKSUM_BAD) ||
		   iw_ipv4_udptcp_cksum_mbuf_verify(m, ip, 0) != 0) {
		tcp->st.rx_bad_cksum++;
		goto drop;
	}
	dlen = m->pkt_len - hlen;
	if (unlikely(tcp_opt_parse((const uint8_t *)(th + 1), hlen - TCP_HDR_LEN,
				   (th->tcp_flags & RTE_TCP_SYN_FLAG) != 0, &o) != 0)) {
		tcp->st.rx_bad_opt++;
		goto drop;
	}
	t.laddr = ip->dst_addr;
	t.raddr = ip->src_addr;
	t.lport = th->dst_port;
	t.rport = th->src_port;
	s = tcp_lookup(tcp, &t);
	if (s == NULL) {
		struct iw_tcp_stream *l = tcp_listener_find(tcp, th->dst_port);

		if (l != NULL) {
			listen_input(l, ip, th, &t, &o, dlen);
		} else {
			uint32_t slen = dlen + ((th->tcp_flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
					((th->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

			tcp->st.rx_no_conn++;
			tcp_send_rst_reply(tcp, ip->src_addr, th, slen);
		}
		goto drop;
	}
	s->t_last_rx = tcp->now_us;
	s->ka_probes = 0;
	if (s->state == IW_TCP_SYN_SENT) {
		synsent_input(s, ip, th, &o, dlen);
		goto drop;
	}
	if (s->state == IW_TCP_CLOSED) {
		goto drop;
	}
	conn_input(s, m, th, hlen, dlen, &o);
	if (s->state != IW_TCP_CLOSED)
		tcp_timer_update(s);
	return;
drop:
	rte_pktmbuf_free(m);
}
