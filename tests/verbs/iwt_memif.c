/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_memif.h"

#define MSG_MAX 1024
#define WAIT_MS 10000

/* harness tags */
#define T_PORT IWT_MTAG('P', 'O', 'R', 'T')	/* the server's memif socket exists */
#define T_LSTN IWT_MTAG('L', 'S', 'T', 'N')	/* the server listens */
#define T_DONE IWT_MTAG('D', 'O', 'N', 'E')	/* the scenario passed on this side */
#define T_ABRT IWT_MTAG('A', 'B', 'R', 'T')	/* it failed on this side */
#define T_QSCD IWT_MTAG('Q', 'S', 'C', 'D')	/* this side no longer polls its port */

enum {
	PEER_RUNNING,
	PEER_DONE,      /* DONE received */
	PEER_ABORTED,   /* ABORT received */
	PEER_GONE,      /* the socket closed */
};

struct mmsg {
	uint32_t tag;
	uint32_t len;
	uint8_t data[MSG_MAX];
};

static uint64_t
deadline(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

static const char *
tag_str(uint32_t tag, char buf[16])
{
	int i;

	for (i = 0; i < 4; i++) {
		char ch = (char)(tag >> (24 - 8 * i));

		buf[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	snprintf(buf + 4, 12, "(%08x)", tag);
	return buf;
}

int
iwt_mctl_send(struct iwt_mside *s, uint32_t tag, const void *buf, size_t len)
{
	struct mmsg m = { .tag = tag, .len = (uint32_t)len };

	if (len > MSG_MAX)
		return -EMSGSIZE;
	if (len > 0)
		memcpy(m.data, buf, len);
	if (send(s->ctl, &m, offsetof(struct mmsg, data) + len, MSG_NOSIGNAL) < 0) {
		int err = errno;

		IWT_LOG("%s: control send: %s", s->who, strerror(err));
		return -err;
	}
	return 0;
}

/* Take the next message; the harness states are noted. @return 1, 0 (none), -1 (gone). */
static int
ctl_take(struct iwt_mside *s, struct mmsg *m, int wait_ms)
{
	struct pollfd pfd = { .fd = s->ctl, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, wait_ms) <= 0)
		return 0;
	n = recv(s->ctl, m, sizeof(*m), 0);
	if (n <= 0) {
		s->peer_state = PEER_GONE;
		return -1;
	}
	if (m->tag == T_ABRT)
		s->peer_state = PEER_ABORTED;
	else if (m->tag == T_DONE)
		s->peer_state = PEER_DONE;
	return 1;
}

/* Does the engine need this thread to progress it? */
static bool
progress_here(const struct iwt_mside *s)
{
	return s->dev != NULL && !s->engine_run;
}

void
iwt_mprogress(struct iwt_mside *s)
{
	if (progress_here(s))
		rte_iwarp_dev_poll(s->dev);
	else
		rte_delay_us_sleep(10);
}

void
iwt_mpoll_ms(struct iwt_mside *s, unsigned int ms)
{
	uint64_t end = deadline(ms);

	do {
		iwt_mprogress(s);
	} while (rte_get_timer_cycles() < end);
}

int
iwt_mctl_recv(struct iwt_mside *s, uint32_t tag, void *buf, size_t len, unsigned int ms)
{
	uint64_t end = deadline(ms);
	char t1[16], t2[16];
	struct mmsg m;
	int rc;

	for (;;) {
		rc = ctl_take(s, &m, progress_here(s) ? 0 : 1);
		if (rc < 0) {
			IWT_LOG("%s: the peer process is gone while waiting for %s", s->who,
				tag_str(tag, t1));
			return -1;
		}
		if (rc > 0) {
			if (m.tag == T_ABRT) {
				IWT_LOG("%s: the peer failed while this side waited for %s",
					s->who, tag_str(tag, t1));
				return -1;
			}
			if (m.tag != tag) {
				IWT_LOG("%s: message %s while waiting for %s", s->who,
					tag_str(m.tag, t1), tag_str(tag, t2));
				return -1;
			}
			if (buf != NULL)
				memcpy(buf, m.data, RTE_MIN(len, (size_t)m.len));
			return (int)m.len;
		}
		if (rte_get_timer_cycles() > end) {
			IWT_LOG("%s: no %s from the peer in %u ms", s->who, tag_str(tag, t1), ms);
			return -1;
		}
		if (progress_here(s))
			rte_iwarp_dev_poll(s->dev);
	}
}

int
iwt_msync(struct iwt_mside *s, uint32_t tag)
{
	IWT_ASSERT_EQ(iwt_mctl_send(s, tag, NULL, 0), 0, "%s: send", s->who);
	IWT_ASSERT(iwt_mctl_recv(s, tag, NULL, 0, WAIT_MS) >= 0, "%s: sync", s->who);
	return IWT_PASS;
}

/* Has the peer failed or gone? Looked at every 20 ms at most. */
static bool
peer_failed(struct iwt_mside *s)
{
	uint64_t now = rte_get_timer_cycles();
	struct mmsg m;
	ssize_t n;

	if (s->peer_state == PEER_ABORTED || s->peer_state == PEER_GONE)
		return true;
	if (now < s->next_peek)
		return false;
	s->next_peek = now + rte_get_timer_hz() / 50;
	n = recv(s->ctl, &m, sizeof(m), MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n > 0 && m.tag == T_ABRT)) {
		IWT_LOG("%s: the peer %s", s->who, n == 0 ? "process is gone" : "failed");
		return true;
	}
	return false;
}

int
iwt_mwc(struct iwt_mside *s, struct rte_iwarp_cq *cq, struct rte_iwarp_wc *wc, int n,
	unsigned int ms)
{
	uint64_t end = deadline(ms);
	int got = 0, rc;

	while (got < n) {
		rc = rte_iwarp_poll_cq(cq, n - got, wc + got);
		if (rc < 0)
			return rc;
		got += rc;
		if (got == n || rte_get_timer_cycles() > end)
			break;
		if (peer_failed(s))
			return -ECONNABORTED;
		if (rc == 0)
			iwt_mprogress(s);
	}
	return got;
}

int
iwt_mwc_expect(struct iwt_mside *s, struct rte_iwarp_cq *cq, uint64_t wr_id, int opcode,
	       struct rte_iwarp_wc *out)
{
	struct rte_iwarp_wc wc;
	int n = iwt_mwc(s, cq, &wc, 1, WAIT_MS);

	IWT_ASSERT_EQ(n, 1, "%s: completion of wr %llu", s->who, (unsigned long long)wr_id);
	IWT_ASSERT(wc.status == RTE_IWARP_WC_SUCCESS, "%s: wr %llu status %s", s->who,
		   (unsigned long long)wc.wr_id, rte_iwarp_wc_status_str(wc.status));
	IWT_ASSERT_EQ(wc.wr_id, wr_id, "%s: wr_id", s->who);
	IWT_ASSERT_EQ(wc.opcode, opcode, "%s: opcode of wr %llu", s->who,
		      (unsigned long long)wr_id);
	if (out != NULL)
		*out = wc;
	return IWT_PASS;
}

int
iwt_mcall(struct iwt_mside *s, int (*fn)(void *arg), void *arg)
{
	return rte_iwarp_dev_call(s->dev, fn, arg);
}

struct ev_arg {
	struct iwt_mside *s;
	struct rte_iwarp_cm_event ev;
};

/* On the engine: take one event, copy its private data, ack it. */
static int
take_event(void *arg)
{
	struct ev_arg *a = arg;
	struct rte_iwarp_cm_event *ev = &a->ev;
	struct rte_iwarp_cm_id *id;
	uint16_t len;

	if (rte_iwarp_cm_get_event(a->s->dev, ev) < 0)
		return -EAGAIN;
	len = RTE_MIN(ev->private_data_len, (uint16_t)sizeof(a->s->evpd));
	if (len > 0)
		memcpy(a->s->evpd, ev->private_data, len);
	id = ev->id;
	rte_iwarp_cm_ack_event(ev);	/* clears ev->id */
	ev->id = id;
	ev->private_data = a->s->evpd;
	ev->private_data_len = len;
	return 0;
}

int
iwt_mevent(struct iwt_mside *s, enum rte_iwarp_cm_event_type type,
	   struct rte_iwarp_cm_event *ev, unsigned int ms)
{
	struct ev_arg a = { .s = s };
	uint64_t end = deadline(ms);

	while (rte_get_timer_cycles() < end) {
		if (iwt_mcall(s, take_event, &a) < 0) {
			if (peer_failed(s))
				return -ECONNABORTED;
			iwt_mprogress(s);
			continue;
		}
		if (a.ev.event == type) {
			*ev = a.ev;
			return 0;
		}
		IWT_LOG("%s: event %s (status %d) while waiting for %s", s->who,
			rte_iwarp_cm_event_str(a.ev.event), a.ev.status,
			rte_iwarp_cm_event_str(type));
	}
	IWT_LOG("%s: no %s in %u ms", s->who, rte_iwarp_cm_event_str(type), ms);
	return -ETIMEDOUT;
}

struct cm_arg {
	struct iwt_mside *s;
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_cm_id *id;
	struct rte_iwarp_conn_param cp;
};

static int
do_connect(void *arg)
{
	struct cm_arg *a = arg;

	a->id = rte_iwarp_connect(a->qp, IWT_M_IP(IWT_M_SERVER), IWT_M_PORT, &a->cp, NULL);
	return a->id != NULL ? 0 : -rte_errno;
}

static int
do_accept(void *arg)
{
	struct cm_arg *a = arg;

	return rte_iwarp_accept(a->id, a->qp, &a->cp);
}

static int
do_disconnect(void *arg)
{
	return rte_iwarp_disconnect(arg);
}

int
iwt_mdisconnect(struct iwt_mside *s, struct rte_iwarp_cm_id *id)
{
	return iwt_mcall(s, do_disconnect, id);
}

struct query_arg {
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_qp_attr *attr;
};

static int
do_query(void *arg)
{
	struct query_arg *q = arg;

	return rte_iwarp_query_qp(q->qp, q->attr);
}

int
iwt_mquery_qp(struct iwt_mside *s, struct rte_iwarp_qp *qp, struct rte_iwarp_qp_attr *a)
{
	struct query_arg q = { qp, a };

	return iwt_mcall(s, do_query, &q);
}

static int
learn_peer(struct iwt_mside *s, const struct rte_iwarp_cm_event *ev)
{
	IWT_ASSERT_EQ(ev->private_data_len, sizeof(s->peer), "%s: the peer's private data",
		      s->who);
	memcpy(&s->peer, ev->private_data, sizeof(s->peer));
	return IWT_PASS;
}

int
iwt_mconnect(struct iwt_mside *s, struct rte_iwarp_qp *qp,
	     const struct rte_iwarp_conn_param *cp, struct rte_iwarp_cm_id **id)
{
	struct cm_arg a = { .s = s, .qp = qp };
	struct rte_iwarp_cm_event ev;
	int rc;

	if (cp != NULL)
		a.cp = *cp;
	a.cp.private_data = &s->me;
	a.cp.private_data_len = sizeof(s->me);
	if (s->role == IWT_M_CLIENT) {
		rc = iwt_mcall(s, do_connect, &a);
		IWT_ASSERT_EQ(rc, 0, "client: connect");
		IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, WAIT_MS), 0,
			      "client: ESTABLISHED");
		IWT_RUN(learn_peer(s, &ev));
	} else {
		IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, WAIT_MS), 0,
			      "server: CONNECT_REQUEST");
		IWT_RUN(learn_peer(s, &ev));
		a.id = ev.id;
		IWT_ASSERT_EQ(iwt_mcall(s, do_accept, &a), 0, "server: accept");
		IWT_ASSERT_EQ(iwt_mevent(s, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, WAIT_MS), 0,
			      "server: ESTABLISHED");
	}
	*id = a.id;
	return IWT_PASS;
}

struct rte_iwarp_qp *
iwt_mqp(struct iwt_mside *s, struct rte_iwarp_cq *cq, struct rte_iwarp_srq *srq,
	const struct rte_iwarp_qp_cap *cap)
{
	struct rte_iwarp_qp_init_attr a = { .send_cq = cq, .recv_cq = cq, .srq = srq };

	if (cap != NULL)
		a.cap = *cap;
	return rte_iwarp_create_qp(s->pd, &a);
}

/* ------------------------------------------------------------------------- */
/* One side: open, connect, run, tear down                                   */
/* ------------------------------------------------------------------------- */

static int
engine_loop(void *arg)
{
	struct iwt_mside *s = arg;

	while (!s->engine_stop) {
		rte_iwarp_dev_poll(s->dev);
		s->engine_run = 1;
	}
	return 0;
}

static int
side_eal(struct iwt_mside *s)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = ncpu > 1 ? s->role : 0;
	char args[96];

	/* inline: one lcore on the side's core; service: the engine there, the
	 * application thread on any core (it sleeps while it waits) */
	if (s->c->mode == RTE_IWARP_MODE_SERVICE)
		snprintf(args, sizeof(args), "--lcores=0@(0-%ld),1@%d", ncpu > 1 ? ncpu - 1 : 0,
			 cpu);
	else
		snprintf(args, sizeof(args), "-l %d", cpu);
	IWT_ASSERT_EQ(iwt_eal_init(args), 0, "%s: EAL %s", s->who, args);
	return IWT_PASS;
}

static int
side_open(struct iwt_mside *s, const char *sock, unsigned int *pool_full)
{
	struct iw_port_conf pc = { .port_id = -1 };
	struct rte_iwarp_dev_conf dc = { .mode = s->c->mode };
	char dev[256];

	IWT_RUN(side_eal(s));
	if (s->role == IWT_M_CLIENT)	/* net_memif's client needs the server's socket */
		IWT_ASSERT(iwt_mctl_recv(s, T_PORT, NULL, 0, WAIT_MS) >= 0, "client: PORT");
	snprintf(dev, sizeof(dev), "net_memif0,role=%s,socket=%s,bsize=16384", s->who, sock);
	pc.dev = dev;
	s->port = iw_port_open(&pc);
	IWT_ASSERT(s->port != NULL, "%s: iw_port_open %s: %s", s->who, dev,
		   rte_strerror(rte_errno));
	if (s->role == IWT_M_SERVER)
		IWT_ASSERT_EQ(iwt_mctl_send(s, T_PORT, NULL, 0), 0, "server: PORT");
	IWT_ASSERT_EQ(iw_port_wait_link(s->port, WAIT_MS), 0, "%s: link", s->who);
	*pool_full = rte_mempool_avail_count(iw_port_pool(s->port, 0));
	dc.port = iw_port_handle(s->port);
	dc.ip = IWT_M_IP(s->role);
	s->dev = rte_iwarp_dev_open(&dc);
	IWT_ASSERT(s->dev != NULL, "%s: dev_open: %s", s->who, rte_strerror(rte_errno));
	s->pd = rte_iwarp_alloc_pd(s->dev);
	s->cq = rte_iwarp_create_cq(s->dev, s->c->cqe ? s->c->cqe : 1024, NULL);
	s->mem_len = s->c->mem_len ? s->c->mem_len : 1 << 20;
	s->mem = aligned_alloc(4096, s->mem_len);
	IWT_ASSERT(s->pd && s->cq && s->mem, "%s: PD, CQ, memory", s->who);
	memset(s->mem, 0, s->mem_len);
	s->mr = rte_iwarp_reg_mr(s->pd, s->mem, s->mem_len, IWT_M_ACC_ALL);
	IWT_ASSERT(s->mr != NULL, "%s: reg_mr", s->who);
	s->me.base = (uintptr_t)s->mem;
	s->me.rkey = s->mr->rkey;
	if (s->role == IWT_M_SERVER) {
		s->lid = rte_iwarp_listen(s->dev, IWT_M_PORT, 1024, NULL, NULL);
		IWT_ASSERT(s->lid != NULL, "server: listen");
		IWT_ASSERT_EQ(iwt_mctl_send(s, T_LSTN, NULL, 0), 0, "server: LSTN");
	} else {
		IWT_ASSERT(iwt_mctl_recv(s, T_LSTN, NULL, 0, WAIT_MS) >= 0, "client: LSTN");
	}
	return IWT_PASS;
}

static int
side_setup(struct iwt_mside *s)
{
	if (s->c->setup != NULL)
		IWT_RUN(s->c->setup(s));
	if (s->qp == NULL && !s->c->no_qp)
		s->qp = iwt_mqp(s, s->cq, NULL, &s->c->cap);
	IWT_ASSERT(s->qp != NULL || s->c->no_qp, "%s: create_qp: %s", s->who,
		   rte_strerror(rte_errno));
	return IWT_PASS;
}

static int
side_connect(struct iwt_mside *s)
{
	if (s->c->prepost != NULL)
		IWT_RUN(s->c->prepost(s));
	if (s->c->no_qp)
		return IWT_PASS;
	return iwt_mconnect(s, s->qp, NULL, &s->id);
}

static int
engine_start(struct iwt_mside *s)
{
	uint64_t end = deadline(WAIT_MS);

	s->engine_lcore = rte_get_next_lcore(-1, 1, 0);
	IWT_ASSERT(s->engine_lcore < RTE_MAX_LCORE, "%s: no engine lcore", s->who);
	IWT_ASSERT_EQ(rte_eal_remote_launch(engine_loop, s, s->engine_lcore), 0,
		      "%s: launch the engine", s->who);
	while (!s->engine_run && rte_get_timer_cycles() < end)
		rte_pause();
	IWT_ASSERT(s->engine_run, "%s: the engine never polled", s->who);
	return IWT_PASS;
}

/*
 * Tell the peer how this side ended, keep the engine going until the peer
 * has ended too (its last segments need our ACKs), stop polling, and wait
 * until the peer no longer polls either before the port goes.
 */
static void
side_finish(struct iwt_mside *s, int *rc, unsigned int pool_full)
{
	uint64_t end = deadline(s->c->timeout_s * 1000);
	struct mmsg m;
	unsigned int avail;
	uint64_t note = deadline(2000);

	iwt_mctl_send(s, *rc == IWT_PASS ? T_DONE : T_ABRT, NULL, 0);
	while (s->peer_state == PEER_RUNNING && rte_get_timer_cycles() < end) {
		if (ctl_take(s, &m, progress_here(s) ? 0 : 1) == 0 && progress_here(s))
			rte_iwarp_dev_poll(s->dev);
		if (note != 0 && rte_get_timer_cycles() > note) {
			IWT_LOG("%s: %s; waiting for the peer to finish", s->who,
				*rc == IWT_PASS ? "passed" : "failed");
			note = 0;
		}
	}
	if (s->peer_state != PEER_DONE && *rc == IWT_PASS) {
		IWT_LOG("%s: passed, but the peer %s", s->who,
			s->peer_state == PEER_ABORTED ? "failed" : "did not finish");
		*rc = IWT_FAIL;
	}
	if (s->engine_run) {
		s->engine_stop = 1;
		rte_eal_wait_lcore(s->engine_lcore);
		s->engine_run = 0;
	}
	if (s->port != NULL) {
		iw_port_quiesce(s->port);
		iwt_mctl_send(s, T_QSCD, NULL, 0);
		end = deadline(5000);
		while (s->peer_state != PEER_GONE && rte_get_timer_cycles() < end)
			if (ctl_take(s, &m, 10) > 0 && m.tag == T_QSCD)
				break;
	}
	rte_iwarp_dev_close(s->dev);
	s->dev = NULL;
	/*
	 * Both sides close now, in either order or at once: iw_port_close() stops
	 * and closes a net_memif port in the EAL interrupt thread, so it never
	 * runs beside net_memif's own handling of the peer's disconnection there
	 * (memif_disconnect() marks the link down first and frees the shared
	 * regions after: waiting for the link to go down did not tell that it had
	 * finished).
	 */
	if (s->port != NULL) {
		avail = rte_mempool_avail_count(iw_port_pool(s->port, 0));
		if (avail != pool_full && *rc == IWT_PASS) {
			IWT_LOG("%s: %u mbufs of %u back in the pool", s->who, avail, pool_full);
			*rc = IWT_FAIL;
		}
		iw_port_close(s->port);
	}
	free(s->mem);
}

static int
side_main(const struct iwt_mcase *c, int role, int ctl, const char *sock)
{
	struct iwt_mside s;
	unsigned int pool_full = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.role = role;
	s.who = role == IWT_M_SERVER ? "server" : "client";
	s.ctl = ctl;
	rc = side_open(&s, sock, &pool_full);
	if (rc == IWT_PASS)
		rc = side_setup(&s);
	if (rc == IWT_PASS && c->mode == RTE_IWARP_MODE_SERVICE)
		rc = engine_start(&s);
	if (rc == IWT_PASS)
		rc = side_connect(&s);
	if (rc == IWT_PASS)
		rc = role == IWT_M_SERVER ? c->server(&s) : c->client(&s);
	if (rc != IWT_PASS)
		IWT_LOG("%s: %s failed", s.who, c->name);
	side_finish(&s, &rc, pool_full);
	return rc;
}

/* ------------------------------------------------------------------------- */
/* The parent: fork both sides, supervise them                               */
/* ------------------------------------------------------------------------- */

static int
child_verdict(const char *who, int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == IWT_PASS)
		return IWT_PASS;
	if (WIFEXITED(st))
		IWT_LOG("%s side: exit status %d", who, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		IWT_LOG("%s side: killed by signal %d", who, WTERMSIG(st));
	return IWT_FAIL;
}

int
iwt_memif_run(const struct iwt_mcase *c)
{
	static const char *const who[2] = { "server", "client" };
	struct iwt_mcase cc = *c;
	unsigned int timeout_s = c->timeout_s ? c->timeout_s : 60;
	struct timespec t0, t1;
	pid_t pid[2];
	int sv[2], st[2], done[2] = { 0, 0 }, i, rc = IWT_PASS;
	char sock[96];
	double el;

	cc.timeout_s = timeout_s;
	snprintf(sock, sizeof(sock), "/tmp/iwt-vm-%d.sock", (int)getpid());
	unlink(sock);
	IWT_ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0, "socketpair");
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		IWT_ASSERT(pid[i] >= 0, "fork");
		if (pid[i] == 0) {
			close(sv[i ^ 1]);
			exit(side_main(&cc, i, sv[i], sock));
		}
	}
	close(sv[0]);
	close(sv[1]);
	for (;;) {
		for (i = 0; i < 2; i++)
			if (!done[i] && waitpid(pid[i], &st[i], WNOHANG) == pid[i])
				done[i] = 1;
		if (done[0] && done[1])
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (el > timeout_s) {
			for (i = 0; i < 2; i++) {
				if (done[i])
					continue;
				IWT_LOG("%s: the %s side still runs after %u s: killed (its last "
					"message above says where it waited)", c->name, who[i],
					timeout_s);
				kill(pid[i], SIGKILL);
				waitpid(pid[i], &st[i], 0);
				/* what its atexit handler would have removed */
				iwt_sh_quiet("rm -rf /var/run/dpdk/iwt%d", (int)pid[i]);
				done[i] = 1;
				rc = IWT_FAIL;
			}
			break;
		}
		usleep(10000);
	}
	unlink(sock);
	for (i = 0; i < 2; i++)
		if (child_verdict(who[i], st[i]) != IWT_PASS)
			rc = IWT_FAIL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %s mode, %.1f s, %s\n", c->name,
	       c->mode == RTE_IWARP_MODE_SERVICE ? "service" : "inline",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       rc == IWT_PASS ? "both sides passed" : "FAILED");
	return rc;
}
