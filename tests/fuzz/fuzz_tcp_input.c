/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/tcp's segment input, through lib/net's Ethernet and
 * IPv4 input, against a listening and an established connection.
 *
 * Set-up once: EAL (--no-huge, no PCI, no telemetry), a ring wire, lib/net and
 * lib/tcp on each end (A = 10.9.0.1, B = 10.9.0.2). Per input: B listens, A
 * connects, B accepts (one established connection); optionally B queues data
 * for A (unacknowledged data in flight) and A sends B some. Then the input's
 * frames are handed to B's iw_net_input() as if they came from A, and only B
 * is polled: B's answers wait in A's receive ring. At the end everything is
 * aborted and both ends are polled until no stream is left and every mbuf is
 * back in the pools (abort otherwise: a leak or a stuck stream).
 *
 * Input: a mode byte, then frames, each a big-endian 16-bit length and that
 * many bytes of IPv4 packet (header and TCP segment).
 * Mode bits:
 *   0: frames go to the listener's port (else to the established connection)
 *   1: fix the IPv4 header: protocol TCP, A -> B, total length, checksum
 *   2: fix the TCP ports (the connection's, or the listener's destination port)
 *      and the TCP checksum
 *   3: sequence and acknowledgment numbers are relative: B's rcv_nxt and snd_una
 *      are added
 *   4: B has 3000 bytes in flight to A before the frames
 *   5: A has sent B 1000 bytes before the frames (B has data to read)
 *   6: B is polled 3 times after each frame (else once)
 *   7: B has shut its direction down (sent its FIN) before the frames: the
 *      FIN_WAIT, CLOSING and TIME_WAIT side
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iw_tcp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IP_A RTE_BE32(RTE_IPV4(10, 9, 0, 1))
#define IP_B RTE_BE32(RTE_IPV4(10, 9, 0, 2))
#define LPORT 5001
#define MAX_FRAMES 64
#define MAX_FRAME 1500

static struct iw_port *port[2];
static struct iw_net *net[2];
static struct iw_tcp *tcp[2];
static unsigned int pool_base[2];
static uint16_t next_sport = 20000;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_tcp_input: %s\n", what);
	abort();
}

static uint64_t
ms_now(void)
{
	return rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
}

static void
poll_both(void)
{
	iw_net_poll(net[0]);
	iw_net_poll(net[1]);
}

static unsigned int
pool_avail(int i)
{
	return rte_mempool_avail_count(iw_port_pool(port[i], 0));
}

/* Poll both ends until no stream is left and the pools are back at their base. */
static bool
drain(unsigned int ms)
{
	uint64_t end = ms_now() + ms;

	for (;;) {
		poll_both();
		if (iw_tcp_stream_count(tcp[0]) == 0 && iw_tcp_stream_count(tcp[1]) == 0 &&
		    pool_avail(0) == pool_base[0] && pool_avail(1) == pool_base[1])
			return true;
		if (ms_now() > end)
			return false;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct iw_port_conf pc = { .port_id = -1, .nb_mbufs = 4095 };
	struct iw_net_conf na = { .ip = IP_A, .no_gratuitous_arp = true };
	struct iw_net_conf nb = { .ip = IP_B, .no_gratuitous_arp = true };
	struct iw_tcp_conf tc = { .secret = { 0x0123456789abcdefull, 0xfedcba9876543210ull } };
	char prefix[64];
	char *eal[] = { "fuzz_tcp_input", "--no-huge", "-m", "256", "--no-pci",
			"--no-telemetry", "--log-level=1", prefix, NULL };
	int i;

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fuzztcp%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		die("EAL init failed");
	if (iw_wire_create("fuzzwire", &pc, port) < 0)
		die("iw_wire_create failed");
	net[0] = iw_net_create(&na, port[0], 0);
	net[1] = iw_net_create(&nb, port[1], 0);
	if (net[0] == NULL || net[1] == NULL)
		die("iw_net_create failed");
	for (i = 0; i < 2; i++) {
		tcp[i] = iw_tcp_create(net[i], &tc);
		if (tcp[i] == NULL)
			die("iw_tcp_create failed");
	}
	for (i = 0; i < 2; i++)
		pool_base[i] = pool_avail(i);
	return 0;
}

/* B listens, A connects, B accepts. */
static void
establish(struct iw_tcp_stream **l, struct iw_tcp_stream **a, struct iw_tcp_stream **b)
{
	uint64_t end;

	*l = iw_tcp_listen(tcp[1], LPORT, 8, NULL, NULL);
	if (*l == NULL)
		die("listen failed");
	/* a fresh source port each time: no old segment matches the new connection */
	next_sport = next_sport >= 60000 ? 20000 : next_sport + 1;
	*a = iw_tcp_connect(tcp[0], IP_B, LPORT, next_sport, NULL, NULL);
	if (*a == NULL)
		die("connect failed");
	*b = NULL;
	end = ms_now() + 5000;
	while (*b == NULL || iw_tcp_state(*a) != IW_TCP_ESTABLISHED) {
		if (ms_now() > end)
			die("no connection within 5 s");
		poll_both();
		if (*b == NULL)
			iw_tcp_accept(*l, b, 1);
	}
}

static void
prefill(struct iw_tcp_stream *from, uint32_t len, bool deliver)
{
	static uint8_t buf[4096];
	uint64_t end = ms_now() + 5000;
	int n;

	memset(buf, 'x', sizeof(buf));
	n = iw_tcp_write(from, buf, len);
	if (n != (int)len)
		die("prefill write failed");
	if (!deliver) {
		/* B transmits; A's end of the wire holds the segments unread */
		iw_net_poll(net[1]);
		return;
	}
	while (ms_now() < end) {
		struct iw_tcp_info ti;

		poll_both();
		iw_tcp_info_get(from, &ti);
		if (ti.snd_una == ti.snd_nxt)
			return;
	}
	die("prefill not acknowledged within 5 s");
}

static void
inject(const uint8_t *p, uint32_t len, uint8_t mode, struct iw_tcp_stream *b)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(iw_port_pool(port[1], 0));
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t ihl;
	uint8_t *d;

	if (m == NULL)
		die("mbuf pool empty");
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eh) + len));
	if (eh == NULL)
		die("frame does not fit an mbuf");
	eh->dst_addr = port[1]->mac;
	eh->src_addr = port[0]->mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	d = (uint8_t *)(eh + 1);
	memcpy(d, p, len);
	if (len < sizeof(*ip))
		goto out;
	ip = (struct rte_ipv4_hdr *)d;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (mode & 2) {
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = IP_A;
		ip->dst_addr = IP_B;
		ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	}
	if (ihl >= sizeof(*ip) && ihl + sizeof(struct rte_tcp_hdr) <= len) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(d + ihl);

		if (mode & 4) {
			if ((mode & 1) == 0) {
				rte_be32_t la, ra;
				uint16_t lp, rp;

				iw_tcp_endpoints(b, &la, &lp, &ra, &rp);
				th->src_port = rte_cpu_to_be_16(rp);
				th->dst_port = rte_cpu_to_be_16(lp);
			} else {
				th->dst_port = RTE_BE16(LPORT);
			}
		}
		if ((mode & 8) && (mode & 1) == 0) {
			struct iw_tcp_info ti;

			iw_tcp_info_get(b, &ti);
			th->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + ti.rcv_nxt);
			th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->recv_ack) + ti.snd_una);
		}
		if ((mode & 4) && (mode & 2)) {
			th->cksum = 0;
			th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		}
	}
	if ((mode & 2) && ihl >= sizeof(*ip) && ihl <= len) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
out:
	iw_net_input(net[1], &m, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iw_tcp_stream *l, *a, *b;
	unsigned int frames = 0, polls, i;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	polls = mode & 0x40 ? 3 : 1;
	data++;
	size--;

	establish(&l, &a, &b);
	if (mode & 0x20)
		prefill(a, 1000, true);
	if (mode & 0x10)
		prefill(b, 3000, false);
	if (mode & 0x80) {
		if (iw_tcp_shutdown(b) != 0)
			die("shutdown failed");
		iw_net_poll(net[1]);
	}

	while (size >= 2 && frames++ < MAX_FRAMES) {
		uint32_t len = (uint32_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		len = RTE_MIN(len, (uint32_t)size);
		if (len <= MAX_FRAME)
			inject(data, len, mode, b);
		data += len;
		size -= len;
		for (i = 0; i < polls; i++)
			iw_net_poll(net[1]);
		/* what B reads must be there to read */
		if (iw_tcp_state(b) != IW_TCP_CLOSED) {
			uint8_t sink[2048];

			while (iw_tcp_read(b, sink, sizeof(sink)) > 0)
				;
		}
	}

	iw_tcp_abort(b);
	iw_tcp_abort(a);
	iw_tcp_abort(l);
	if (!drain(5000)) {
		fprintf(stderr, "streams %u %u, mbufs %u/%u %u/%u\n",
			iw_tcp_stream_count(tcp[0]), iw_tcp_stream_count(tcp[1]),
			pool_avail(0), pool_base[0], pool_avail(1), pool_base[1]);
		die("streams or mbufs not back after abort");
	}
	return 0;
}
