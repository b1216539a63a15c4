/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The instance (connection table in an rte_hash without concurrency flags,
 * listeners, the timer wheel, the pending list that runs output and delivers
 * events from the poll hook) and the stream side of the API.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "tcp_pvt.h"

RTE_LOG_REGISTER_SUFFIX(iw_tcp_logtype, tcp, NOTICE);

static const char *const state_names[] = {
	[IW_TCP_CLOSED] = "CLOSED",
	[IW_TCP_LISTEN] = "LISTEN",
	[IW_TCP_SYN_SENT] = "SYN_SENT",
	[IW_TCP_SYN_RCVD] = "SYN_RCVD",
	[IW_TCP_ESTABLISHED] = "ESTABLISHED",
	[IW_TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[IW_TCP_FIN_WAIT_2] = "FIN_WAIT_2",
	[IW_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[IW_TCP_CLOSING] = "CLOSING",
	[IW_TCP_LAST_ACK] = "LAST_ACK",
	[IW_TCP_TIME_WAIT] = "TIME_WAIT",
};

const char *
iw_tcp_state_name(enum iw_tcp_state st)
{
	return (unsigned int)st < RTE_DIM(state_names) ? state_names[st] : "?";
}

uint64_t
tcp_now(struct iw_tcp *tcp)
{
	return (uint64_t)((double)rte_get_tsc_cycles() * tcp->us_per_tsc);
}

void
iw_tcp_opts_default(struct iw_tcp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cc = IW_TCP_CC_CUBIC;
	o->sndbuf = 4u << 20;
	o->rcvbuf = 4u << 20;
	o->sndq_chains = 256;
	o->keepalive_intvl_ms = 75000;
	o->keepalive_cnt = 9;
	o->user_timeout_ms = 300000;
	o->rto_min_us = 200000;
	o->rto_max_us = 60000000;
	o->syn_retries = 6;
	o->ooo_max_mbufs = 2048;
	o->ack_segs = 4;
}

/* Fill zero fields of o from the defaults. */
static void
opts_fix(struct iw_tcp_opts *o)
{
	struct iw_tcp_opts d;

	iw_tcp_opts_default(&d);
	if (o->sndbuf == 0)
		o->sndbuf = d.sndbuf;
	if (o->rcvbuf == 0)
		o->rcvbuf = d.rcvbuf;
	if (o->sndq_chains == 0)
		o->sndq_chains = d.sndq_chains;
	if (o->keepalive_intvl_ms == 0)
		o->keepalive_intvl_ms = d.keepalive_intvl_ms;
	if (o->keepalive_cnt == 0)
		o->keepalive_cnt = d.keepalive_cnt;
	if (o->user_timeout_ms == 0)
		o->user_timeout_ms = d.user_timeout_ms;
	if (o->rto_min_us == 0)
		o->rto_min_us = d.rto_min_us;
	if (o->rto_max_us == 0)
		o->rto_max_us = d.rto_max_us;
	if (o->syn_retries == 0)
		o->syn_retries = d.syn_retries;
	if (o->ooo_max_mbufs == 0)
		o->ooo_max_mbufs = d.ooo_max_mbufs;
	if (o->ack_segs == 0)
		o->ack_segs = d.ack_segs;
	if (o->rcvbuf > (1u << 30))
		o->rcvbuf = 1u << 30;
	if (o->sndbuf > (1u << 30))
		o->sndbuf = 1u << 30;
	if (o->sndq_chains > 32768)
		o->sndq_chains = 32768;
	if (o->sndq_chains < 2)
		o->sndq_chains = 2; /* one entry is kept for a final record */
}

uint8_t
tcp_pick_wscale(uint32_t rcvbuf)
{
	uint8_t ws = 0;

	while (ws < TCP_MAX_WSCALE && ((uint64_t)UINT16_MAX << ws) < rcvbuf)
		ws++;
	return ws;
}

uint16_t
tcp_local_mss(const struct iw_tcp_stream *s)
{
	uint32_t mss = s->tcp->mtu - 40u;

	if (s->opts.mss != 0 && s->opts.mss < mss)
		mss = s->opts.mss;
	return (uint16_t)mss;
}

void
tcp_set_mss(struct iw_tcp_stream *s, uint32_t peer_mss)
{
	uint32_t mss = RTE_MIN(peer_mss, (uint32_t)tcp_local_mss(s));

	if (mss < 88)
		mss = 88; /* RFC 9293: at least room for the options */
	s->peer_mss = peer_mss;
	s->smss = mss - ((s->flags & TF_TS) ? TCP_TS_OPT_LEN : 0);
	tcp_cc_init(&s->cc, s->cc_ops, s->smss, 10);
}

void
tcp_pend(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;

	if (s->flags & TF_IN_LIST)
		return;
	s->flags |= TF_IN_LIST;
	s->next_pend = NULL;
	if (tcp->pend_tail != NULL)
		tcp->pend_tail->next_pend = s;
	else
		tcp->pend_head = s;
	tcp->pend_tail = s;
}

void
tcp_event(struct iw_tcp_stream *s, uint32_t ev)
{
	s->ev |= ev;
	tcp_pend(s);
}

void
tcp_set_state(struct iw_tcp_stream *s, enum iw_tcp_state st)
{
	TCP_DP_LOG(DEBUG, "%p %s -> %s", (void *)s, iw_tcp_state_name(s->state),
		   iw_tcp_state_name(st));
	s->state = (uint8_t)st;
}

struct iw_tcp_stream *
tcp_lookup(struct iw_tcp *tcp, const struct tcp_tuple *t)
{
	struct iw_tcp_stream *s = tcp->last;
	void *data;

	/* a burst mostly carries one connection's segments: the last one found */
	if (s != NULL && s->tuple.raddr == t->raddr && s->tuple.laddr == t->laddr &&
	    s->tuple.lport == t->lport && s->tuple.rport == t->rport)
		return s;
	if (rte_hash_lookup_data(tcp->table, t, &data) < 0)
		return NULL;
	tcp->last = data;
	return data;
}

int
tcp_table_add(struct iw_tcp_stream *s)
{
	int rc = rte_hash_add_key_data(s->tcp->table, &s->tuple, s);

	if (rc == 0)
		s->flags |= TF_IN_TABLE;
	return rc;
}

void
tcp_table_del(struct iw_tcp_stream *s)
{
	if (!(s->flags & TF_IN_TABLE))
		return;
	rte_hash_del_key(s->tcp->table, &s->tuple);
	s->flags &= ~TF_IN_TABLE;
	if (s->tcp->last == s)
		s->tcp->last = NULL;
}

struct iw_tcp_stream *
tcp_listener_find(struct iw_tcp *tcp, uint16_t port_be)
{
	unsigned int i;

	for (i = 0; i < tcp->nb_lst; i++)
		if (tcp->lst[i].port == port_be)
			return tcp->lst[i].s;
	return NULL;
}

struct iw_tcp_stream *
tcp_stream_alloc(struct iw_tcp *tcp, const struct iw_tcp_opts *o, const struct tcp_tuple *t)
{
	struct iw_tcp_stream *s;
	uint32_t sq = rte_align32pow2(o->sndq_chains);

	if (tcp->nb_streams >= tcp->max_streams) {
		rte_errno = ENOSPC;
		return NULL;
	}
	s = rte_zmalloc_socket("iw_tcp_stream", sizeof(*s) + sq * sizeof(struct tcp_sndq_ent),
			       RTE_CACHE_LINE_SIZE, tcp->pool->socket_id);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->tcp = tcp;
	s->opts = *o;
	s->sq = (struct tcp_sndq_ent *)(s + 1);
	s->sq_size = (uint16_t)sq;
	if (t != NULL)
		s->tuple = *t;
	s->cc_ops = o->cc == IW_TCP_CC_NEWRENO ? &tcp_cc_newreno : &tcp_cc_cubic;
	tcp_rto_init(&s->rto, o->rto_min_us, o->rto_max_us, tcp->wheel.tick_us,
		     TCP_RTO_INITIAL_US);
	s->ts_offset = (uint32_t)tcp_siphash(&tcp->secret, &s->tuple, sizeof(s->tuple)) >> 1;
	s->rcv_wscale = o->no_wscale ? 0 : tcp_pick_wscale(o->rcvbuf);
	s->smss = tcp_local_mss(s);
	tcp_cc_init(&s->cc, s->cc_ops, s->smss, 10);
	s->all_next = tcp->all;
	if (tcp->all != NULL)
		tcp->all->all_prev = s;
	tcp->all = s;
	tcp->nb_streams++;
	return s;
}

static void
stream_free(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;

	tcp_wheel_cancel(&tcp->wheel, &s->tn);
	tcp_table_del(s);
	if ((s->flags & TF_SYNQ) && s->parent != NULL)
		s->parent->syn_cnt--;
	tcp_sndq_free(s);
	tcp_rxq_free(s);
	rte_free(s->acceptq);
	if (s->all_prev != NULL)
		s->all_prev->all_next = s->all_next;
	else
		tcp->all = s->all_next;
	if (s->all_next != NULL)
		s->all_next->all_prev = s->all_prev;
	tcp->nb_streams--;
	rte_free(s);
}

void
tcp_closed(struct iw_tcp_stream *s)
{
	tcp_set_state(s, IW_TCP_CLOSED);
	tcp_table_del(s);
	s->t_rexmt = s->t_persist = s->t_keep = s->t_2msl = s->t_delack = 0;
	tcp_wheel_cancel(&s->tcp->wheel, &s->tn);
	tcp_sndq_free(s);
	if (s->flags & TF_RELEASED) {
		s->flags |= TF_FREE;
		tcp_pend(s);
	} else if (s->err == 0) {
		tcp_event(s, IW_TCP_EV_CLOSED);
	}
}

void
tcp_drop(struct iw_tcp_stream *s, int err)
{
	if (err != ECONNRESET && err != ECONNREFUSED && s->state >= IW_TCP_SYN_RCVD &&
	    s->state != IW_TCP_TIME_WAIT)
		tcp_send_rst_stream(s);
	s->err = err;
	if (!(s->flags & TF_RELEASED))
		tcp_event(s, err == ECONNRESET ? IW_TCP_EV_RESET | IW_TCP_EV_READABLE :
			  IW_TCP_EV_ERROR | IW_TCP_EV_READABLE);
	tcp_closed(s);
}

void
tcp_established(struct iw_tcp_stream *s)
{
	struct iw_tcp *tcp = s->tcp;
	struct iw_tcp_stream *l = s->parent;

	tcp_set_state(s, IW_TCP_ESTABLISHED);
	tcp->st.conn_open++;
	s->t_rexmt = 0;
	s->syn_rtx = 0;
	s->t_last_rx = tcp->now_us;
	if (s->opts.keepalive_idle_ms != 0)
		s->t_keep = tcp->now_us + (uint64_t)s->opts.keepalive_idle_ms * 1000;
	if (s->flags & TF_FIN_QUEUED)
		tcp_set_state(s, IW_TCP_FIN_WAIT_1);
	if (l != NULL) {
		if (s->flags & TF_SYNQ) {
			s->flags &= ~TF_SYNQ;
			l->syn_cnt--;
		}
		if (l->acc_cnt >= l->backlog) {
			tcp->st.syn_drop++;
			tcp_drop(s, ECONNABORTED); /* RST: the accept queue is full */
			return;
		}
		l->acceptq[(l->acc_head + l->acc_cnt) % l->backlog] = s;
		l->acc_cnt++;
		s->flags &= ~TF_RELEASED; /* the application will own it */
		tcp_event(l, IW_TCP_EV_ACCEPT);
	} else {
		tcp_event(s, IW_TCP_EV_CONNECTED);
	}
	tcp_pend(s);
}

/*
 * Deliver events and run output for the pending streams. Events go first: the
 * consumer reads what arrived (the window it opens), queues what it answers,
 * and the one output pass then carries data, ACK and window update together.
 * A callback may close its stream: it stays allocated until its TF_FREE turn.
 */
static int
pend_run(struct iw_tcp *tcp)
{
	struct iw_tcp_stream *s;
	int work = 0;

	while ((s = tcp->pend_head) != NULL) {
		uint32_t ev;

		tcp->pend_head = s->next_pend;
		if (tcp->pend_head == NULL)
			tcp->pend_tail = NULL;
		s->flags &= ~TF_IN_LIST;
		work++;
		if (s->flags & TF_FREE) {
			stream_free(s);
			continue;
		}
		if (s->parent == NULL && !(s->flags & TF_RELEASED)) {
			if ((s->flags & TF_ACKED_EV) && s->acked_total != s->acked_reported) {
				s->acked_reported = s->acked_total;
				s->ev |= IW_TCP_EV_ACKED;
				if (s->cb.acked != NULL)
					s->cb.acked(s, s->acked_total, s->cb.arg);
			}
			s->flags &= ~TF_ACKED_EV;
			if (s->cb.event != NULL && s->ev != 0 && !(s->flags & TF_RELEASED)) {
				ev = s->ev;
				s->ev = 0;
				s->cb.event(s, ev, s->cb.arg);
			}
		}
		/* pended again by its callbacks: its output runs at that turn */
		if (s->state != IW_TCP_LISTEN && !(s->flags & (TF_FREE | TF_IN_LIST)))
			tcp_output(s);
	}
	return work;
}

static int
tcp_hook(void *ctx, uint64_t now_tsc)
{
	struct iw_tcp *tcp = ctx;

	tcp->now_us = (uint64_t)((double)now_tsc * tcp->us_per_tsc);
	tcp_timers_run(tcp);
	return pend_run(tcp);
}

struct iw_tcp *
iw_tcp_create(struct iw_net *net, const struct iw_tcp_conf *conf)
{
	struct rte_hash_parameters hp = { 0 };
	struct iw_tcp *tcp;
	char name[RTE_HASH_NAMESIZE];
	int rc;

	if (net == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	tcp = rte_zmalloc_socket("iw_tcp", sizeof(*tcp), RTE_CACHE_LINE_SIZE,
				 iw_net_pool(net)->socket_id);
	if (tcp == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (conf != NULL)
		tcp->conf = *conf;
	if (tcp->conf.max_streams == 0)
		tcp->conf.max_streams = 4096;
	if (tcp->conf.tick_us == 0)
		tcp->conf.tick_us = 500;
	if (tcp->conf.msl_ms == 0)
		tcp->conf.msl_ms = 30000;
	if (tcp->conf.challenge_ack_limit == 0)
		tcp->conf.challenge_ack_limit = 1000;
	tcp->net = net;
	tcp->pool = iw_net_pool(net);
	tcp->laddr = iw_net_addr(net);
	tcp->mtu = iw_net_mtu(net);
	tcp->hw_off = iw_net_hw_offloads(net);
	tcp->max_streams = tcp->conf.max_streams;
	tcp->us_per_tsc = 1e6 / (double)rte_get_tsc_hz();
	tcp->now_us = tcp_now(tcp);
	tcp->next_eph = TCP_EPHEMERAL_LO + (uint16_t)(rte_rand() %
					      (TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO));
	if (tcp->conf.secret[0] == 0 && tcp->conf.secret[1] == 0) {
		tcp->secret.k0 = rte_rand();
		tcp->secret.k1 = rte_rand();
	} else {
		tcp->secret.k0 = tcp->conf.secret[0];
		tcp->secret.k1 = tcp->conf.secret[1];
	}
	tcp_wheel_init(&tcp->wheel, tcp->conf.tick_us, tcp->now_us);
	snprintf(name, sizeof(name), "iwtcp_%p", (void *)tcp);
	hp.name = name;
	hp.entries = RTE_MAX(tcp->max_streams * 2, 64u);
	hp.key_len = sizeof(struct tcp_tuple);
	hp.hash_func = rte_jhash;
	hp.socket_id = tcp->pool->socket_id;
	tcp->table = rte_hash_create(&hp);
	if (tcp->table == NULL) {
		rte_free(tcp);
		rte_errno = ENOMEM;
		return NULL;
	}
	rc = iw_net_register_proto(net, IPPROTO_TCP, tcp_input, tcp);
	if (rc == 0) {
		rc = iw_net_register_hook(net, tcp_hook, tcp);
		if (rc != 0)
			(void)iw_net_unregister_proto(net, IPPROTO_TCP);
	}
	if (rc != 0) {
		rte_hash_free(tcp->table);
		rte_free(tcp);
		rte_errno = -rc;
		return NULL;
	}
	TCP_LOG(INFO, "instance on %u.%u.%u.%u, mtu %u, hw offloads %#x",
		((uint8_t *)&tcp->laddr)[0], ((uint8_t *)&tcp->laddr)[1],
		((uint8_t *)&tcp->laddr)[2], ((uint8_t *)&tcp->laddr)[3], tcp->mtu, tcp->hw_off);
	return tcp;
}

void
iw_tcp_destroy(struct iw_tcp *tcp)
{
	if (tcp == NULL)
		return;
	/* The net instance may outlive us: it must not call into freed memory. */
	(void)iw_net_unregister_hook(tcp->net, tcp_hook, tcp);
	(void)iw_net_unregister_proto(tcp->net, IPPROTO_TCP);
	tcp->pend_head = tcp->pend_tail = NULL;
	while (tcp->all != NULL) {
		struct iw_tcp_stream *s = tcp->all;

		s->flags &= ~(TF_IN_TABLE | TF_SYNQ);
		s->parent = NULL;
		stream_free(s);
	}
	rte_hash_free(tcp->table);
	rte_free(tcp);
}

struct iw_tcp_stream *
iw_tcp_connect(struct iw_tcp *tcp, rte_be32_t dst, uint16_t dport, uint16_t sport,
	       const struct iw_tcp_opts *opts, const struct iw_tcp_cb *cb)
{
	struct iw_tcp_opts o;
	struct iw_tcp_stream *s;
	struct tcp_tuple t;
	unsigned int tries;

	if (tcp == NULL || dst == 0 || dport == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (opts != NULL)
		o = *opts;
	else
		iw_tcp_opts_default(&o);
	opts_fix(&o);
	t.laddr = tcp->laddr;
	t.raddr = dst;
	t.rport = rte_cpu_to_be_16(dport);
	if (sport != 0) {
		t.lport = rte_cpu_to_be_16(sport);
		if (tcp_lookup(tcp, &t) != NULL) {
			rte_errno = EADDRINUSE;
			return NULL;
		}
	} else {
		for (tries = 0; tries < TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO; tries++) {
			if (++tcp->next_eph > TCP_EPHEMERAL_HI)
				tcp->next_eph = TCP_EPHEMERAL_LO;
			t.lport = rte_cpu_to_be_16(tcp->next_eph);
			if (tcp_lookup(tcp, &t) == NULL &&
			    tcp_listener_find(tcp, t.lport) == NULL)
				break;
		}
		if (tries == TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO) {
			rte_errno = EADDRINUSE;
			return NULL;
		}
	}
	tcp->now_us = tcp_now(tcp);
	s = tcp_stream_alloc(tcp, &o, &t);
	if (s == NULL)
		return NULL;
	if (cb != NULL)
		s->cb = *cb;
	s->iss = tcp_isn(&tcp->secret, &t, tcp->now_us);
	s->snd_una = s->snd_nxt = s->snd_max = s->recover = s->iss;
	s->sq_seq = s->iss + 1;
	if (tcp_table_add(s) != 0) {
		tcp->nb_streams--;
		rte_free(s);
		rte_errno = ENOSPC;
		return NULL;
	}
	tcp_set_state(s, IW_TCP_SYN_SENT);
	tcp_pend(s);
	return s;
}

struct iw_tcp_stream *
iw_tcp_listen(struct iw_tcp *tcp, uint16_t port, uint32_t backlog,
	      const struct iw_tcp_opts *opts, const struct iw_tcp_cb *cb)
{
	struct iw_tcp_opts o;
	struct iw_tcp_stream *s;

	if (tcp == NULL || port == 0 || backlog > 65535) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (tcp_listener_find(tcp, rte_cpu_to_be_16(port)) != NULL ||
	    tcp->nb_lst == TCP_MAX_LISTEN) {
		rte_errno = EADDRINUSE;
		return NULL;
	}
	if (opts != NULL)
		o = *opts;
	else
		iw_tcp_opts_default(&o);
	opts_fix(&o);
	o.sndq_chains = 1;
	s = tcp_stream_alloc(tcp, &o, NULL);
	if (s == NULL)
		return NULL;
	s->opts.sndq_chains = opts != NULL && opts->sndq_chains ? opts->sndq_chains : 256;
	s->backlog = backlog ? backlog : 128;
	s->acceptq = rte_zmalloc("iw_tcp_acceptq", s->backlog * sizeof(s), 0);
	if (s->acceptq == NULL) {
		tcp->nb_streams--;
		rte_free(s);
		rte_errno = ENOMEM;
		return NULL;
	}
	if (cb != NULL)
		s->cb = *cb;
	s->tuple.laddr = tcp->laddr;
	s->tuple.lport = rte_cpu_to_be_16(port);
	tcp_set_state(s, IW_TCP_LISTEN);
	tcp->lst[tcp->nb_lst].port = s->tuple.lport;
	tcp->lst[tcp->nb_lst].s = s;
	tcp->nb_lst++;
	return s;
}

uint16_t
iw_tcp_accept(struct iw_tcp_stream *l, struct iw_tcp_stream **out, uint16_t n)
{
	uint16_t i;

	if (l == NULL || l->state != IW_TCP_LISTEN)
		return 0;
	for (i = 0; i < n && l->acc_cnt > 0; i++) {
		struct iw_tcp_stream *s = l->acceptq[l->acc_head];

		l->acc_head = (uint16_t)((l->acc_head + 1) % l->backlog);
		l->acc_cnt--;
		s->parent = NULL;
		out[i] = s;
		if (s->ev != 0 || s->cb.acked != NULL)
			tcp_pend(s); /* deliver what happened before accept */
	}
	return i;
}

void
iw_tcp_set_cb(struct iw_tcp_stream *s, const struct iw_tcp_cb *cb)
{
	if (cb != NULL)
		s->cb = *cb;
	else
		memset(&s->cb, 0, sizeof(s->cb));
	if (s->ev != 0)
		tcp_pend(s);
}

uint32_t
iw_tcp_send_space(const struct iw_tcp_stream *s)
{
	if (s->sq_cnt >= s->sq_size - 1 || s->sq_bytes >= s->opts.sndbuf)
		return 0;
	return s->opts.sndbuf - s->sq_bytes;
}

const struct iw_tcp_sndq_acct *
iw_tcp_sndq_acct(const struct iw_tcp *tcp)
{
	return &tcp->sq_acct;
}

uint32_t
iw_tcp_sndq_mbufs(const struct iw_tcp_stream *s)
{
	return s->sq_mbufs;
}

static int
send_check(struct iw_tcp_stream *s)
{
	switch (s->state) {
	case IW_TCP_SYN_SENT:
	case IW_TCP_SYN_RCVD:
	case IW_TCP_ESTABLISHED:
	case IW_TCP_CLOSE_WAIT:
		break;
	case IW_TCP_CLOSED:
		return s->err ? -s->err : -ENOTCONN;
	case IW_TCP_LISTEN:
		return -ENOTCONN;
	default:
		return -EPIPE;
	}
	if (s->flags & TF_FIN_QUEUED)
		return -EPIPE;
	return 0;
}

int
iw_tcp_send(struct iw_tcp_stream *s, struct rte_mbuf *m, uint32_t flags)
{
	struct tcp_sndq_ent *e;
	uint32_t len;
	int rc;

	if (s == NULL || m == NULL || m->pkt_len == 0)
		return -EINVAL;
	rc = send_check(s);
	if (rc != 0)
		return rc;
	len = m->pkt_len;
	/* the last entry is kept for a final record (a TERMINATE must find one) */
	if (s->sq_cnt >= s->sq_size - ((flags & IW_TCP_SEND_FINAL) ? 0 : 1)) {
		s->flags |= TF_WANT_WRITE;
		return -ENOBUFS;
	}
	if (s->sq_bytes > 0 && s->sq_bytes + len > s->opts.sndbuf &&
			!(flags & IW_TCP_SEND_FINAL)) {
		s->flags |= TF_WANT_WRITE;
		return -EAGAIN;
	}
	e = &s->sq[(s->sq_head + s->sq_cnt) & (s->sq_size - 1)];
	e->m = m;
	e->len = len;
	e->flags = flags;
	s->sq_cnt++;
	s->sq_bytes += len;
	if (s->sq_mbufs == 0)
		s->tcp->sq_acct.streams++;
	s->sq_mbufs += m->nb_segs;
	s->tcp->sq_acct.mbufs += m->nb_segs;
	s->queued_total += len;
	if (flags & IW_TCP_SEND_MORE)
		s->flags |= TF_MORE;
	else
		s->flags &= ~TF_MORE;
	tcp_pend(s);
	return (int)len;
}

/*
 * The last queued chain can take len more bytes in place: one plain mbuf
 * (direct, not shared, one segment) holding records, no byte of it ever
 * transmitted (so no segment references it yet), and with them it still fits
 * one segment and its buffer.
 */
void *
iw_tcp_send_tail(struct iw_tcp_stream *s, uint32_t len)
{
	struct tcp_sndq_ent *e;
	struct rte_mbuf *m;

	if (s->sq_cnt == 0 || s->sq_bytes + len > s->opts.sndbuf)
		return NULL;
	e = &s->sq[(s->sq_head + s->sq_cnt - 1) & (s->sq_size - 1)];
	m = e->m;
	if (!(e->flags & IW_TCP_SEND_RECORD) || e->len + len > s->smss ||
	    SEQ_LT(s->sq_seq + s->sq_bytes - e->len, s->snd_max) ||
	    m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	    rte_pktmbuf_tailroom(m) < len || (s->flags & TF_FIN_QUEUED))
		return NULL;
	return rte_pktmbuf_mtod_offset(m, uint8_t *, m->data_len);
}

void
iw_tcp_send_commit(struct iw_tcp_stream *s, uint32_t len)
{
	struct tcp_sndq_ent *e = &s->sq[(s->sq_head + s->sq_cnt - 1) & (s->sq_size - 1)];

	e->m->data_len = (uint16_t)(e->m->data_len + len);
	e->m->pkt_len += len;
	e->len += len;
	s->sq_bytes += len;
	s->queued_total += len;
	s->flags &= ~TF_MORE;
	tcp_pend(s);
}

int
iw_tcp_write(struct iw_tcp_stream *s, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	struct rte_mbuf *head = NULL, *tail = NULL, *m;
	uint32_t space, done = 0, n;
	int rc;

	if (s == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	rc = send_check(s);
	if (rc != 0)
		return rc;
	space = iw_tcp_send_space(s);
	if (space == 0) {
		s->flags |= TF_WANT_WRITE;
		return -EAGAIN;
	}
	if (len > space)
		len = space;
	if (len > 1u << 20)
		len = 1u << 20; /* one chain of at most 1 MiB */
	while (done < len) {
		m = rte_pktmbuf_alloc(s->tcp->pool);
		if (m == NULL)
			break;
		n = RTE_MIN(len - done, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), p + done, n);
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
	if (head == NULL)
		return -ENOMEM;
	rc = iw_tcp_send(s, head, 0);
	if (rc < 0)
		rte_pktmbuf_free(head);
	return rc;
}

/* After the application took data: announce a window that opened. */
static void
window_update(struct iw_tcp_stream *s)
{
	uint32_t w;

	if (!tcp_synchronized(s) || (s->flags & TF_RCVD_FIN))
		return;
	w = tcp_rcv_window(s);
	if (w > s->rcv_wnd_adv && (w - s->rcv_wnd_adv >= 2 * s->smss ||
				   s->rcv_wnd_adv < s->smss)) {
		s->flags |= TF_ACKNOW;
		tcp_pend(s);
	}
}

static int
recv_status(const struct iw_tcp_stream *s)
{
	if (s->flags & TF_RCVD_FIN)
		return 0;
	if (s->err != 0)
		return -s->err;
	if (s->state == IW_TCP_LISTEN || s->state == IW_TCP_CLOSED)
		return -ENOTCONN;
	return -EAGAIN;
}

int
iw_tcp_recv(struct iw_tcp_stream *s, struct rte_mbuf **m)
{
	uint32_t n;

	if (s == NULL || m == NULL)
		return -EINVAL;
	if (s->rq_head == NULL)
		return recv_status(s);
	*m = s->rq_head;
	n = s->rq_bytes;
	s->rq_head = s->rq_tail = NULL;
	s->rq_bytes = 0;
	window_update(s);
	return (int)n;
}

int
iw_tcp_read(struct iw_tcp_stream *s, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t done = 0, n;

	if (s == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (s->rq_head == NULL)
		return recv_status(s);
	while (done < len && s->rq_head != NULL) {
		struct rte_mbuf *m = s->rq_head;

		n = RTE_MIN(len - done, (uint32_t)m->data_len);
		memcpy(p + done, rte_pktmbuf_mtod(m, void *), n);
		done += n;
		s->rq_bytes -= n;
		s->rq_head = tcp_mbuf_adj(m, n);
		if (s->rq_head == NULL)
			s->rq_tail = NULL;
	}
	window_update(s);
	return (int)done;
}

int
iw_tcp_shutdown(struct iw_tcp_stream *s)
{
	if (s == NULL)
		return -EINVAL;
	switch (s->state) {
	case IW_TCP_SYN_SENT:
	case IW_TCP_SYN_RCVD:
		break; /* FIN after the handshake */
	case IW_TCP_ESTABLISHED:
		tcp_set_state(s, IW_TCP_FIN_WAIT_1);
		break;
	case IW_TCP_CLOSE_WAIT:
		tcp_set_state(s, IW_TCP_LAST_ACK);
		break;
	case IW_TCP_LISTEN:
	case IW_TCP_CLOSED:
		return -ENOTCONN;
	default:
		return 0; /* already closing */
	}
	if (!(s->flags & TF_FIN_QUEUED)) {
		s->flags |= TF_FIN_QUEUED;
		s->flags &= ~TF_MORE;
		s->fin_seq = s->sq_seq + s->sq_bytes;
		tcp_pend(s);
	}
	return 0;
}

static void
listener_close(struct iw_tcp_stream *l)
{
	struct iw_tcp *tcp = l->tcp;
	const void *key;
	void *data;
	uint32_t it = 0;
	unsigned int i;

	for (i = 0; i < tcp->nb_lst; i++) {
		if (tcp->lst[i].s == l) {
			tcp->lst[i] = tcp->lst[tcp->nb_lst - 1];
			tcp->nb_lst--;
			break;
		}
	}
	/*
	 * Children not yet accepted go with it. Those established wait in the
	 * accept queue, where one that has closed since (reset by the peer) is
	 * no longer in the connection table: free them from the queue.
	 */
	for (i = 0; i < l->acc_cnt; i++) {
		struct iw_tcp_stream *c = l->acceptq[(l->acc_head + i) % l->backlog];

		c->parent = NULL;
		c->flags |= TF_RELEASED;
		if (c->state != IW_TCP_CLOSED) {
			tcp_drop(c, ECONNABORTED);
		} else {
			c->flags |= TF_FREE;
			tcp_pend(c);
		}
	}
	/* then those in SYN_RCVD, found in the table */
	while (rte_hash_iterate(tcp->table, &key, &data, &it) >= 0) {
		struct iw_tcp_stream *c = data;

		if (c->parent != l)
			continue;
		if (c->flags & TF_SYNQ) {
			c->flags &= ~TF_SYNQ;
			l->syn_cnt--;
		}
		c->parent = NULL;
		c->flags |= TF_RELEASED;
		if (c->state != IW_TCP_CLOSED)
			tcp_drop(c, ECONNABORTED);
	}
	l->acc_cnt = 0;
	l->flags |= TF_RELEASED | TF_FREE;
	tcp_set_state(l, IW_TCP_CLOSED);
	tcp_pend(l);
}

void
iw_tcp_close(struct iw_tcp_stream *s)
{
	if (s == NULL || (s->flags & TF_RELEASED))
		return;
	if (s->state == IW_TCP_LISTEN) {
		listener_close(s);
		return;
	}
	s->flags |= TF_RELEASED;
	memset(&s->cb, 0, sizeof(s->cb));
	switch (s->state) {
	case IW_TCP_CLOSED:
		s->flags |= TF_FREE;
		tcp_pend(s);
		return;
	case IW_TCP_SYN_SENT:
		tcp_closed(s);
		return;
	case IW_TCP_TIME_WAIT:
		return; /* freed when 2 MSL expire */
	default:
		break;
	}
	if (s->rq_bytes > 0 || s->nooo > 0) {
		/* unread data: reset (RFC 9293 3.6, RFC 2525 2.17) */
		tcp_send_rst_stream(s);
		tcp_closed(s);
		return;
	}
	iw_tcp_shutdown(s);
	if (s->state == IW_TCP_FIN_WAIT_2)
		s->t_2msl = s->tcp->now_us + 2000ull * s->tcp->conf.msl_ms;
}

void
iw_tcp_abort(struct iw_tcp_stream *s)
{
	if (s == NULL || (s->flags & TF_RELEASED))
		return;
	if (s->state == IW_TCP_LISTEN) {
		listener_close(s);
		return;
	}
	s->flags |= TF_RELEASED;
	if (s->state >= IW_TCP_SYN_RCVD && s->state != IW_TCP_TIME_WAIT)
		tcp_send_rst_stream(s);
	tcp_rxq_free(s);
	if (s->state == IW_TCP_CLOSED) {
		s->flags |= TF_FREE;
		tcp_pend(s);
	} else {
		tcp_closed(s);
	}
}

uint32_t
iw_tcp_events(struct iw_tcp_stream *s)
{
	uint32_t ev = s->ev;

	if (s->acked_total != s->acked_reported) {
		s->acked_reported = s->acked_total;
		ev |= IW_TCP_EV_ACKED;
	}
	s->ev = 0;
	return ev;
}

enum iw_tcp_state
iw_tcp_state(const struct iw_tcp_stream *s)
{
	return (enum iw_tcp_state)s->state;
}

int
iw_tcp_error(const struct iw_tcp_stream *s)
{
	return s->err;
}

uint32_t
iw_tcp_mss(const struct iw_tcp_stream *s)
{
	return s->smss;
}

uint64_t
iw_tcp_acked(const struct iw_tcp_stream *s)
{
	return s->acked_total;
}

uint64_t
iw_tcp_queued_total(const struct iw_tcp_stream *s)
{
	return s->queued_total;
}

uint32_t
iw_tcp_readable(const struct iw_tcp_stream *s)
{
	return s->rq_bytes;
}

void
iw_tcp_endpoints(const struct iw_tcp_stream *s, rte_be32_t *laddr, uint16_t *lport,
		 rte_be32_t *raddr, uint16_t *rport)
{
	if (laddr != NULL)
		*laddr = s->tuple.laddr;
	if (lport != NULL)
		*lport = rte_be_to_cpu_16(s->tuple.lport);
	if (raddr != NULL)
		*raddr = s->tuple.raddr;
	if (rport != NULL)
		*rport = rte_be_to_cpu_16(s->tuple.rport);
}

void
iw_tcp_set_userdata(struct iw_tcp_stream *s, void *p)
{
	s->userdata = p;
}

void *
iw_tcp_userdata(const struct iw_tcp_stream *s)
{
	return s->userdata;
}

void
iw_tcp_info_get(const struct iw_tcp_stream *s, struct iw_tcp_info *i)
{
	memset(i, 0, sizeof(*i));
	i->state = (enum iw_tcp_state)s->state;
	i->snd_una = s->snd_una;
	i->snd_nxt = s->snd_nxt;
	i->rcv_nxt = s->rcv_nxt;
	i->mss = s->smss;
	i->cwnd = s->cc.cwnd;
	i->ssthresh = s->cc.ssthresh;
	i->snd_wnd = s->snd_wnd;
	i->rcv_wnd = s->rcv_wnd_adv;
	i->srtt_us = s->rto.srtt_us;
	i->rto_us = tcp_rto_get(&s->rto);
	i->snd_wscale = s->snd_wscale;
	i->rcv_wscale = s->rcv_wscale;
	i->sack = (s->flags & TF_SACK) != 0;
	i->timestamps = (s->flags & TF_TS) != 0;
	i->bytes_sent = s->bytes_sent;
	i->bytes_acked = s->acked_total;
	i->bytes_received = s->bytes_received;
	i->rexmits = s->n_rexmit;
	i->fast_recoveries = s->n_recovery;
	i->rtos = s->n_rto;
	i->zwp_sent = s->n_zwp;
	i->keepalives_sent = s->n_ka;
}

void
iw_tcp_stats_get(const struct iw_tcp *tcp, struct iw_tcp_stats *st)
{
	*st = tcp->st;
}

uint32_t
iw_tcp_stream_count(const struct iw_tcp *tcp)
{
	return tcp->nb_streams;
}

struct iw_net *
iw_tcp_net(const struct iw_tcp *tcp)
{
	return tcp->net;
}
