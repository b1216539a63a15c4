/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The upper-layer interface of lib/net: protocol handlers, poll hooks and the
 * receive hook (register, refuse duplicates, unregister; the receive hook runs
 * after a burst with frames, before its input), what a handler is given (L4 at
 * data offset, l2/l3 lengths, padding trimmed), and iw_net_output()'s L4
 * checksums in software over single mbufs and chains, and its refusals.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_net.h"

struct sink {
	unsigned int pkts, bad;
	uint32_t last_len;
	uint8_t last_proto;
	uint32_t seq[64];
	uint16_t ip_id[64];
};

static void
sink_input(void *ctx, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	struct sink *s = ctx;
	int ok = 1;

	if (ip->next_proto_id == IPPROTO_TCP && s->pkts < RTE_DIM(s->seq)) {
		const struct rte_tcp_hdr *t = rte_pktmbuf_mtod(m, const struct rte_tcp_hdr *);

		s->seq[s->pkts] = rte_be_to_cpu_32(t->sent_seq);
		s->ip_id[s->pkts] = rte_be_to_cpu_16(ip->packet_id);
	}
	s->pkts++;
	s->last_len = rte_pktmbuf_pkt_len(m);
	s->last_proto = ip->next_proto_id;
	if (m->l2_len != RTE_ETHER_HDR_LEN || m->l3_len != sizeof(*ip) ||
	    (const uint8_t *)ip + sizeof(*ip) != rte_pktmbuf_mtod(m, uint8_t *) ||
	    rte_be_to_cpu_16(ip->total_length) != sizeof(*ip) + m->pkt_len)
		ok = 0;
	if (ip->next_proto_id == IPPROTO_UDP || ip->next_proto_id == IPPROTO_TCP) {
		uint16_t raw = 0;
		uint32_t sum;

		/* Pseudo-header plus segment, folded: all ones when the checksum is right. */
		if (rte_raw_cksum_mbuf(m, 0, m->pkt_len, &raw) != 0)
			ok = 0;
		sum = (uint32_t)raw + rte_ipv4_phdr_cksum(ip, 0);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff)
			ok = 0;
	}
	s->bad += !ok;
	rte_pktmbuf_free(m);
}

/* The receive hook: what the sink had been given when each burst's hook ran. */
struct rx_rec {
	const struct sink *sk;
	unsigned int calls;
	unsigned int delivered_max; /* the most packets the sink held at a call */
};

static int
rx_hook_rec(void *ctx)
{
	struct rx_rec *r = ctx;

	r->calls++;
	r->delivered_max = RTE_MAX(r->delivered_max, r->sk->pkts);
	return 1;
}

static int
hook_work(void *ctx, uint64_t now)
{
	unsigned int *calls = ctx;

	(void)now;
	(*calls)++;
	return 1;
}

/* A payload of len bytes behind an L4 header of hlen bytes, split into segs mbufs. */
static struct rte_mbuf *
payload(struct iw_net *net, uint16_t hlen, uint16_t len, unsigned int segs)
{
	struct rte_mbuf *head = NULL, *m;
	uint16_t per = (uint16_t)((hlen + len) / segs), i, done = 0;
	unsigned int s;

	for (s = 0; s < segs; s++) {
		uint16_t n = s == segs - 1 ? (uint16_t)(hlen + len - done) : per;
		uint8_t *d;

		m = rte_pktmbuf_alloc(iw_net_pool(net));
		if (m == NULL)
			goto fail;
		d = (uint8_t *)rte_pktmbuf_append(m, n);
		if (d == NULL) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		for (i = 0; i < n; i++)
			d[i] = (uint8_t)(done + i) * 7;
		if (s == 0) {
			memset(d, 0, hlen);
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		done += n;
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

static struct rte_mbuf *
udp(struct iw_net *net, uint16_t len, unsigned int segs)
{
	struct rte_mbuf *m = payload(net, sizeof(struct rte_udp_hdr), len, segs);
	struct rte_udp_hdr *u;

	if (m == NULL)
		return NULL;
	u = rte_pktmbuf_mtod(m, struct rte_udp_hdr *);
	u->src_port = RTE_BE16(4000);
	u->dst_port = RTE_BE16(4001);
	u->dgram_len = rte_cpu_to_be_16(sizeof(*u) + len);
	return m;
}

static struct rte_mbuf *
tcp(struct iw_net *net, uint16_t len, unsigned int segs)
{
	struct rte_mbuf *m = payload(net, sizeof(struct rte_tcp_hdr), len, segs);
	struct rte_tcp_hdr *t;

	if (m == NULL)
		return NULL;
	t = rte_pktmbuf_mtod(m, struct rte_tcp_hdr *);
	t->src_port = RTE_BE16(4000);
	t->dst_port = RTE_BE16(4001);
	t->sent_seq = RTE_BE32(12345);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_ACK_FLAG;
	t->rx_win = RTE_BE16(1000);
	return m;
}

IWT_CASE(net_proto_hooks_and_l4_cksum)
{
	struct iw_net_conf ca = { .ip = RTE_BE32(RTE_IPV4(10, 6, 0, 1)) };
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 6, 0, 2)) };
	struct sink sk = { 0 };
	struct rx_rec rx = { .sk = &sk };
	unsigned int calls[5] = { 0 }, i;
	struct iwt_net_pair p;
	struct iw_net_stats s;
	struct iw_net *a, *b;

	IWT_ASSERT(iwt_net_pair("npo", &p, &ca, &cb) == 0, "set-up");
	a = p.net[0];
	b = p.net[1];

	/* Handlers: one per protocol; ICMP is the instance's own. */
	IWT_ASSERT_EQ(iw_net_register_proto(b, IPPROTO_UDP, sink_input, &sk), 0, "udp");
	IWT_ASSERT_EQ(iw_net_register_proto(b, IPPROTO_TCP, sink_input, &sk), 0, "tcp");
	IWT_ASSERT_EQ(iw_net_register_proto(b, IPPROTO_UDP, sink_input, &sk), -EEXIST, "dup");
	IWT_ASSERT_EQ(iw_net_register_proto(b, IPPROTO_ICMP, sink_input, &sk), -EEXIST, "icmp");
	IWT_ASSERT_EQ(iw_net_unregister_proto(b, IPPROTO_ICMP), -EPERM, "icmp is ours");

	/* Hooks: at most four, each called once per poll, work added to the result. */
	for (i = 0; i < 4; i++)
		IWT_ASSERT_EQ(iw_net_register_hook(a, hook_work, &calls[i]), 0, "hook %u", i);
	IWT_ASSERT_EQ(iw_net_register_hook(a, hook_work, &calls[4]), -ENOSPC, "fifth hook");
	IWT_ASSERT(iw_net_poll(a) >= 4, "hook work counted");
	IWT_ASSERT_EQ(iw_net_unregister_hook(a, hook_work, &calls[1]), 0, "unregister");
	IWT_ASSERT_EQ(iw_net_unregister_hook(a, hook_work, &calls[1]), -ENOENT, "twice");
	iw_net_poll(a);
	IWT_ASSERT(calls[0] == 2 && calls[1] == 1 && calls[2] == 2 && calls[3] == 2,
		   "calls %u %u %u %u", calls[0], calls[1], calls[2], calls[3]);
	for (i = 0; i < 4; i++)
		(void)iw_net_unregister_hook(a, hook_work, &calls[i]);

	/* The receive hook: one per instance, after a burst with frames, before its input. */
	IWT_ASSERT_EQ(iw_net_set_rx_hook(b, rx_hook_rec, &rx), 0, "rx hook");
	IWT_ASSERT_EQ(iw_net_set_rx_hook(b, rx_hook_rec, &rx), -EEXIST, "a second rx hook");

	/* Software L4 checksums (net_ring offers none), single mbufs and chains. */
	IWT_ASSERT_EQ(iw_net_output(a, udp(a, 3, 1), cb.ip, IPPROTO_UDP, IW_NET_TX_L4_CKSUM), 0,
		      "udp, short (ARP first)");
	iwt_net_poll_both(&p, 20);
	IWT_ASSERT(sk.pkts == 1 && sk.last_len == 8 + 3 && sk.last_proto == IPPROTO_UDP,
		   "udp delivered: %u pkts, len %u", sk.pkts, sk.last_len);
	IWT_ASSERT(rx.calls >= 1 && rx.delivered_max == 0,
		   "rx hook before the input of its burst (%u calls, %u delivered at a call)",
		   rx.calls, rx.delivered_max);
	IWT_ASSERT_EQ(iw_net_set_rx_hook(b, NULL, NULL), 0, "rx hook removed");
	i = rx.calls;
	IWT_ASSERT_EQ(iw_net_output(a, udp(a, 1000, 3), cb.ip, IPPROTO_UDP, IW_NET_TX_L4_CKSUM),
		      0, "udp, 3 segments");
	IWT_ASSERT_EQ(iw_net_output(a, tcp(a, 1400, 1), cb.ip, IPPROTO_TCP, IW_NET_TX_L4_CKSUM),
		      0, "tcp");
	IWT_ASSERT_EQ(iw_net_output(a, tcp(a, 1460, 4), cb.ip, IPPROTO_TCP, IW_NET_TX_L4_CKSUM),
		      0, "tcp, full MSS in 4 segments");
	iwt_net_poll_both(&p, 20);
	IWT_ASSERT_EQ(sk.pkts, 4, "all delivered");
	IWT_ASSERT_EQ(rx.calls, i, "no rx hook once removed");
	IWT_ASSERT_EQ(sk.bad, 0, "lengths, offsets and checksums right");

	/* Refusals: too long without TSO, TSO not granted, no headroom. */
	IWT_ASSERT_EQ(iw_net_output(a, tcp(a, 1461, 2), cb.ip, IPPROTO_TCP, IW_NET_TX_L4_CKSUM),
		      -EMSGSIZE, "above the MTU");
	{
		struct rte_mbuf *m = tcp(a, 100, 1);

		IWT_ASSERT(m != NULL, "alloc");
		m->tso_segsz = 0;   /* no MSS */
		IWT_ASSERT_EQ(iw_net_output(a, m, cb.ip, IPPROTO_TCP, IW_NET_TX_TSO), -ENOTSUP,
			      "TSO without an MSS");
	}
	{
		struct rte_mbuf *m = rte_pktmbuf_alloc(iw_net_pool(a));

		IWT_ASSERT(m != NULL, "alloc");
		m->data_off = 20;   /* less than Ethernet + IPv4 */
		IWT_ASSERT(rte_pktmbuf_append(m, 18) != NULL, "append");
		IWT_ASSERT_EQ(iw_net_output(a, m, cb.ip, IPPROTO_UDP, 0), -ENOSPC, "headroom");
	}
	iw_net_stats_get(a, &s);
	IWT_ASSERT_EQ(s.tx_bad, 3, "refusals counted");

	/* Unregistered: the next UDP packet is an unknown protocol. */
	IWT_ASSERT_EQ(iw_net_unregister_proto(b, IPPROTO_UDP), 0, "unregister udp");
	IWT_ASSERT_EQ(iw_net_unregister_proto(b, IPPROTO_UDP), -ENOENT, "twice");
	IWT_ASSERT_EQ(iw_net_output(a, udp(a, 10, 1), cb.ip, IPPROTO_UDP, IW_NET_TX_L4_CKSUM), 0,
		      "udp");
	iwt_net_poll_both(&p, 20);
	iw_net_stats_get(b, &s);
	IWT_ASSERT_EQ(sk.pkts, 4, "not delivered");
	IWT_ASSERT_EQ(s.rx_ip_unknown_proto, 1, "counted as unknown protocol");
	return iwt_net_pair_close(&p);
}

IWT_CASE(net_soft_tso_segments)
{
	struct iw_net_conf ca = { .ip = RTE_BE32(RTE_IPV4(10, 9, 0, 1)) };
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 9, 0, 2)) };
	struct sink sk = { 0 };
	struct iwt_net_pair p;
	struct iw_net_stats s;
	struct rte_mbuf *m;
	unsigned int i;

	IWT_ASSERT(iwt_net_pair("nts", &p, &ca, &cb) == 0, "set-up");
	IWT_ASSERT(!(iw_net_hw_offloads(p.net[0]) & IW_OFF_TSO), "net_ring has no TSO");
	IWT_ASSERT(iw_port_gso_pool(p.port[0]) != NULL, "software TSO pool");
	IWT_ASSERT(iw_net_tso_available(p.net[0]), "TSO available (in software)");
	IWT_ASSERT_EQ(iw_net_register_proto(p.net[1], IPPROTO_TCP, sink_input, &sk), 0, "tcp");
	/* 10,000 bytes in a chain of 6 mbufs, MSS 1,000: ten segments on the wire. */
	m = tcp(p.net[0], 10000, 6);
	IWT_ASSERT(m != NULL, "chain");
	m->tso_segsz = 1000;
	m->l4_len = sizeof(struct rte_tcp_hdr);
	IWT_ASSERT_EQ(iw_net_output(p.net[0], m, cb.ip, IPPROTO_TCP, IW_NET_TX_TSO), 0,
		      "TSO burst held for ARP");
	iwt_net_poll_both(&p, 30);
	IWT_ASSERT_EQ(sk.pkts, 10, "ten segments");
	IWT_ASSERT_EQ(sk.bad, 0, "lengths and checksums of every segment");
	for (i = 0; i < 10; i++) {
		IWT_ASSERT_EQ(sk.seq[i], 12345 + 1000 * i, "sequence of segment %u", i);
		if (i > 0)
			IWT_ASSERT_EQ((uint16_t)(sk.ip_id[i] - sk.ip_id[i - 1]), 1, "IP ID %u", i);
	}
	IWT_ASSERT_EQ(sk.last_len, 20 + 1000, "last segment full");
	iw_net_stats_get(p.net[0], &s);
	IWT_ASSERT_EQ(s.tx_soft_tso, 1, "counted");
	return iwt_net_pair_close(&p);
}

/* Send one telemetry command over the v2 socket and read the JSON reply. */
static int
telemetry(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    read(fd, out, len - 1) <= 0 ||                 /* the greeting */
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    (n = read(fd, out, len - 1)) <= 0) {
		close(fd);
		return -1;
	}
	out[n] = '\0';
	close(fd);
	return 0;
}

IWT_CASE(net_telemetry_stats)
{
	struct iw_net_conf ca = { .ip = RTE_BE32(RTE_IPV4(10, 8, 0, 1)) };
	struct iw_net_conf cb = { .ip = RTE_BE32(RTE_IPV4(10, 8, 0, 2)) };
	struct iwt_net_pair p;
	struct iw_net_stats s;
	char buf[8192], want[128];
	uint16_t i;

	char prefix[64];
	char *argv[] = { (char *)"iwt", (char *)"--no-huge", (char *)"-m", (char *)"256",
			 (char *)"--no-pci", prefix, NULL };

	/* iwt_eal_init() turns telemetry off: start EAL with it on. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=iwttl%d", (int)getpid());
	IWT_ASSERT(rte_eal_init((int)RTE_DIM(argv) - 1, argv) >= 0, "EAL with telemetry");
	IWT_ASSERT(iwt_net_pair_eal("ntl", &p, &ca, &cb, NULL) == 0, "set-up");
	for (i = 0; i < 5; i++)
		IWT_ASSERT_EQ(iw_net_ping(p.net[0], cb.ip, 1, i, NULL, 8), 0, "ping");
	iwt_net_poll_both(&p, 30);
	IWT_ASSERT_EQ(telemetry("/iwarp/net/list", buf, sizeof(buf)), 0, "list");
	IWT_ASSERT(strstr(buf, "[0,1]") != NULL, "two instances: %s", buf);
	IWT_ASSERT_EQ(telemetry("/iwarp/net/info,1", buf, sizeof(buf)), 0, "info");
	IWT_ASSERT(strstr(buf, "\"ip\":\"10.8.0.2\"") != NULL, "b's address: %s", buf);
	IWT_ASSERT_EQ(telemetry("/iwarp/net/stats,0", buf, sizeof(buf)), 0, "stats");
	iw_net_stats_get(p.net[0], &s);
	snprintf(want, sizeof(want), "\"tx_icmp_echo\":%" PRIu64, s.tx_icmp_echo);
	IWT_ASSERT(s.tx_icmp_echo == 5 && strstr(buf, want) != NULL, "%s in %s", want, buf);
	snprintf(want, sizeof(want), "\"rx_pkts\":%" PRIu64 ",", s.rx_pkts);
	IWT_ASSERT(strstr(buf, want) != NULL, "%s in %s", want, buf);
	IWT_ASSERT_EQ(telemetry("/iwarp/net/stats,7", buf, sizeof(buf)), 0, "absent index");
	IWT_ASSERT(strstr(buf, "null") != NULL, "no such instance: %s", buf);
	return iwt_net_pair_close(&p);
}
