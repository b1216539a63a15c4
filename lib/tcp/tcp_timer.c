/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection timers on the instance's wheel: one node per connection armed
 * at the earliest of its deadlines (retransmission, zero-window probe,
 * keepalive, delayed ACK, TIME_WAIT / orphan FIN_WAIT_2). Expiry handling:
 * RFC 6298 backoff and go-back-N with the congestion window collapsed, SYN
 * retries, the user timeout, keepalive probes.
 */
#include <errno.h>

#include "tcp_pvt.h"

void
tcp_timer_update(struct iw_tcp_stream *s)
{
	uint64_t t = 0, d[5] = { s->t_rexmt, s->t_persist, s->t_keep, s->t_2msl, s->t_delack };
	unsigned int i;

	for (i = 0; i < RTE_DIM(d); i++)
		if (d[i] != 0 && (t == 0 || d[i] < t))
			t = d[i];
	if (t == 0) {
		tcp_wheel_cancel(&s->tcp->wheel, &s->tn);
		return;
	}
	if (tcp_tnode_armed(&s->tn) &&
	    s->tn.expire == (t + s->tcp->wheel.tick_us - 1) / s->tcp->wheel.tick_us)
		return;
	tcp_wheel_arm(&s->tcp->wheel, &s->tn, t);
}

void
tcp_rexmt_arm(struct iw_tcp_stream *s)
{
	uint64_t uto = (uint64_t)s->opts.user_timeout_ms * 1000;

	s->t_rexmt = s->tcp->now_us + tcp_rto_get(&s->rto);
	/* the user timeout ends a dead connection on time, not at the next backoff */
	if (s->t_unacked_since != 0 && s->t_unacked_since + uto > s->tcp->now_us &&
	    s->t_rexmt > s->t_unacked_since + uto)
		s->t_rexmt = s->t_unacked_since + uto;
}

static void
rexmt_expired(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;

	tcp->st.rto_expired++;
	s->n_rto++;
	if (s->state == IW_TCP_SYN_SENT || s->state == IW_TCP_SYN_RCVD) {
		if (++s->syn_rtx > s->opts.syn_retries) {
			tcp->st.conn_timeout++;
			tcp_drop(s, ETIMEDOUT);
			return;
		}
		tcp_rto_backoff(&s->rto);
		s->snd_nxt = s->snd_max = s->iss; /* output sends the SYN again */
		tcp_pend(s);
		return;
	}
	if (s->snd_una == s->snd_max)
		return;
	if ((s->t_unacked_since != 0 &&
	     tcp->now_us - s->t_unacked_since >= (uint64_t)s->opts.user_timeout_ms * 1000) ||
	    ++s->rtx_count > TCP_MAX_RTX) {
		TCP_LOG(INFO, "connection to port %u timed out after %u retransmissions",
			rte_be_to_cpu_16(s->tuple.rport), s->rtx_count);
		tcp->st.conn_timeout++;
		tcp_drop(s, ETIMEDOUT);
		return;
	}
	tcp_rto_backoff(&s->rto);
	tcp_rtt_cancel(&s->rto);
	s->cc.ops->rto(&s->cc, tcp_flight(s));
	s->recover = s->snd_max;
	s->dupacks = 0;
	if ((s->flags & TF_SACK) && s->rtx_count == 1) {
		/*
		 * Keep what the receiver SACKed and retransmit the rest through
		 * NextSeg, in slow start from one segment (RFC 6675 5.1 leaves
		 * this open; Linux does the same). A second timeout in a row
		 * suggests reneging: then forget the SACKs (RFC 2018 section 8).
		 */
		tcp_sack_mark_lost(&s->sb, s->snd_una, s->snd_max);
		s->flags |= TF_RECOVERY | TF_RTO_LOSS;
		s->snd_nxt = s->snd_max;
	} else {
		/* go back to SND.UNA */
		tcp_sack_reset(&s->sb, s->snd_una);
		s->flags &= ~(TF_RECOVERY | TF_RTO_LOSS);
		s->snd_nxt = s->snd_una;
	}
	tcp_pend(s);
}

static void
timer_fire(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;
	uint64_t now = tcp->now_us;

	if (s->t_2msl != 0 && now >= s->t_2msl) {
		s->t_2msl = 0;
		tcp_closed(s);
		return;
	}
	if (s->t_rexmt != 0 && now >= s->t_rexmt) {
		s->t_rexmt = 0;
		rexmt_expired(s);
		if (s->state == IW_TCP_CLOSED)
			return;
	}
	if (s->t_persist != 0 && now >= s->t_persist) {
		uint64_t next = (uint64_t)tcp_rto_get(&s->rto) << RTE_MIN(s->rtx_count, 16);

		s->t_persist = 0;
		if ((s->flags & TF_PERSIST) && s->snd_wnd == 0) {
			tcp_output_probe(s);
			s->n_zwp++;
			if (s->rtx_count < 16)
				s->rtx_count++;
			s->t_persist = now + RTE_MIN(next, (uint64_t)s->rto.max_us);
		} else {
			s->flags &= ~TF_PERSIST;
		}
	}
	if (s->t_delack != 0 && now >= s->t_delack) {
		s->t_delack = 0;
		s->flags |= TF_ACKNOW;
		tcp_pend(s);
	}
	if (s->t_keep != 0 && now >= s->t_keep) {
		uint64_t idle = (uint64_t)s->opts.keepalive_idle_ms * 1000;

		s->t_keep = 0;
		if (now - s->t_last_rx < idle) {
			s->t_keep = s->t_last_rx + idle;
		} else if (s->ka_probes >= s->opts.keepalive_cnt) {
			tcp->st.conn_timeout++;
			tcp_drop(s, ETIMEDOUT);
			return;
		} else {
			s->ka_probes++;
			s->n_ka++;
			tcp_output_probe(s);
			s->t_keep = now + (uint64_t)s->opts.keepalive_intvl_ms * 1000;
		}
	}
	tcp_timer_update(s);
}

static void
wheel_cb(struct tcp_tnode *n, void *arg)
{
	struct iw_tcp_stream *s = container_of(n, struct iw_tcp_stream, tn);

	RTE_SET_USED(arg);
	timer_fire(s);
}

void
tcp_timers_run(struct iw_tcp *tcp)
{
	tcp_wheel_advance(&tcp->wheel, tcp->now_us, wheel_cb, tcp);
}
