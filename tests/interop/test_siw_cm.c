/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our connection manager against siw's, with the test process itself as our
 * endpoint (net_af_packet in namespace iwpeer, 192.168.77.50):
 * - MPA revision 1 both ways with rdma-core's rdma_server / rdma_client
 *   (SEND/RECV only: siw's revision-1 sessions have IRD = ORD = 0, so
 *   rping's READ cannot run there: a siw limitation, not tested as ours);
 * - ULP private data both ways through the CM with siw-peer's pdpeer, then
 *   pdpeer's SEND / READ / WRITE / SEND exchange.
 * Our initiator waits IWT_SIW_FIRST_DELAY_MS after the MPA reply before its
 * first FPDU (siw's first-FPDU race, shared/siw-peer/README.md).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_siw.h"

#define RDMA_SRV_PORT 7471
#define PD_PORT 7999

/* pdpeer's message: {be64 addr, be32 rkey, be32 len, char text[48]} */
struct pd_adv {
	rte_be64_t addr;
	rte_be32_t rkey;
	rte_be32_t len;
	char text[48];
} __rte_packed;

struct bufs {
	struct pd_adv rx[2], tx;
	char buf[4096];
	struct rte_iwarp_mr *rx_mr, *tx_mr, *buf_mr;
};

static int
bufs_reg(struct iwt_siw_ep *e, struct bufs *b)
{
	memset(b, 0, sizeof(*b));
	b->rx_mr = rte_iwarp_reg_mr(e->pd, b->rx, sizeof(b->rx), RTE_IWARP_ACCESS_LOCAL_WRITE);
	b->tx_mr = rte_iwarp_reg_mr(e->pd, &b->tx, sizeof(b->tx), 0);
	b->buf_mr = rte_iwarp_reg_mr(e->pd, b->buf, sizeof(b->buf),
				     RTE_IWARP_ACCESS_LOCAL_WRITE | RTE_IWARP_ACCESS_REMOTE_READ |
				     RTE_IWARP_ACCESS_REMOTE_WRITE);
	IWT_ASSERT(b->rx_mr && b->tx_mr && b->buf_mr, "MRs: %s", rte_strerror(rte_errno));
	return IWT_PASS;
}

static void
bufs_dereg(struct bufs *b)
{
	rte_iwarp_dereg_mr(b->rx_mr);
	rte_iwarp_dereg_mr(b->tx_mr);
	rte_iwarp_dereg_mr(b->buf_mr);
}

static struct rte_iwarp_qp *
make_qp(struct iwt_siw_ep *e)
{
	struct rte_iwarp_qp_init_attr a = { .send_cq = e->cq, .recv_cq = e->cq };

	a.cap.max_send_wr = 8;
	a.cap.max_recv_wr = 4;
	a.cap.max_rd_atomic = 1;
	a.cap.max_dest_rd_atomic = 1;
	return rte_iwarp_create_qp(e->pd, &a);
}

static int
post_recv(struct rte_iwarp_qp *qp, void *addr, uint32_t len, uint32_t lkey)
{
	struct rte_iwarp_sge sg = { (uintptr_t)addr, len, lkey };
	struct rte_iwarp_recv_wr wr = { .wr_id = 1, .sg_list = &sg, .num_sge = 1 };
	struct rte_iwarp_recv_wr *bad;

	return rte_iwarp_post_recv(qp, &wr, &bad);
}

static int
post(struct rte_iwarp_qp *qp, enum rte_iwarp_wr_opcode op, void *addr, uint32_t len,
     uint32_t lkey, uint64_t raddr, uint32_t rkey)
{
	struct rte_iwarp_sge sg = { (uintptr_t)addr, len, lkey };
	struct rte_iwarp_send_wr wr = {
		.wr_id = 2, .sg_list = &sg, .num_sge = 1, .opcode = op,
		.send_flags = RTE_IWARP_SEND_SIGNALED,
	};
	struct rte_iwarp_send_wr *bad;

	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	return rte_iwarp_post_send(qp, &wr, &bad);
}

/* Wait for one successful completion of the given opcode. */
static int
one_wc(struct iwt_siw_ep *e, enum rte_iwarp_wc_opcode op, uint32_t *byte_len)
{
	struct rte_iwarp_wc wc;

	IWT_ASSERT_EQ(iwt_siw_ep_wc(e, &wc, 1, 15000), 1, "a completion (opcode %d)", op);
	IWT_ASSERT_EQ(wc.status, RTE_IWARP_WC_SUCCESS, "status %s (vendor_err %#x)",
		      rte_iwarp_wc_status_str(wc.status), wc.vendor_err);
	IWT_ASSERT_EQ(wc.opcode, op, "opcode");
	if (byte_len != NULL)
		*byte_len = wc.byte_len;
	return IWT_PASS;
}

/* Start CMD in the guest in the background with its output and status in LOG; wait
 * until something listens on port (0: do not wait). */
static int
guest_bg(const char *cmd, const char *log, unsigned int port)
{
	char wait[160] = "";

	if (port != 0)
		snprintf(wait, sizeof(wait), "for i in $(seq 100); do ss -ltn | "
			 "grep -q \":%u \" && break; sleep 0.1; done", port);
	IWT_ASSERT_EQ(iwt_siw_sh("guest '(timeout 90 %s >%s 2>&1; echo rc=$? >>%s) & %s'",
				 cmd, log, log, wait), 0, "guest started %s", cmd);
	return IWT_PASS;
}

/* The guest command's output once it has ended (bounded). */
static int
guest_log(const char *log, struct iwt_perf_run *r)
{
	IWT_ASSERT_EQ(iwt_siw_run(r, 60, "guest 'for i in $(seq 300); do grep -q rc= %s && "
				  "break; sleep 0.1; done; cat %s'", log, log), 0, "guest log");
	return IWT_PASS;
}

static int
disconnect_wait(struct iwt_siw_ep *e, struct rte_iwarp_cm_id *id, bool ours)
{
	struct rte_iwarp_cm_event ev;

	if (ours)
		IWT_ASSERT_EQ(rte_iwarp_disconnect(id), 0, "disconnect");
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_DISCONNECTED, &ev, 15000), 0,
		      "DISCONNECTED");
	rte_iwarp_cm_ack_event(&ev);
	rte_iwarp_cm_destroy_id(id);
	return IWT_PASS;
}

static int
rev1_steps(struct iwt_siw_ep *e, struct bufs *b)
{
	static struct iwt_perf_run r;
	struct rte_iwarp_conn_param cp = { .mpa_rev = 1, .no_p2p = true };
	struct rte_iwarp_qp_attr qa;
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_cm_id *id, *lid;
	struct rte_iwarp_qp *qp;
	uint32_t len;

	/* 1. our initiator (revision 1) against siw's rdma_server */
	IWT_RUN(guest_bg("rdma_server", "/tmp/rsv.log", RDMA_SRV_PORT));
	qp = make_qp(e);
	IWT_ASSERT(qp != NULL, "QP");
	IWT_ASSERT_EQ(post_recv(qp, b->rx, 16, b->rx_mr->lkey), 0, "recv");
	id = rte_iwarp_connect(qp, inet_addr(IWT_SIW_GUEST), RDMA_SRV_PORT, &cp, NULL);
	IWT_ASSERT(id != NULL, "connect");
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 15000), 0,
		      "ESTABLISHED with siw's rdma_server");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(rte_iwarp_query_qp(qp, &qa), 0, "query");
	IWT_ASSERT_EQ(qa.mpa_rev, 1, "MPA revision 1 negotiated");
	iwt_siw_ep_poll_ms(e, IWT_SIW_FIRST_DELAY_MS);
	snprintf(b->tx.text, 16, "rev1 iwarp ping");
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_SEND, &b->tx, 16, b->tx_mr->lkey, 0, 0), 0, "send");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RECV, &len));
	IWT_ASSERT_EQ(len, 16, "rdma_server's 16-byte answer");
	IWT_RUN(disconnect_wait(e, id, false));
	rte_iwarp_destroy_qp(qp);
	IWT_RUN(guest_log("/tmp/rsv.log", &r));
	IWT_ASSERT(strstr(r.out, "rc=0") != NULL, "rdma_server ended well: %s", r.out);
	printf("step: our MPA rev 1 client -> siw rdma_server: PASS\n");

	/* 2. siw's rdma_client against our responder */
	lid = rte_iwarp_listen(e->dev, RDMA_SRV_PORT, 0, NULL, NULL);
	IWT_ASSERT(lid != NULL, "listen");
	IWT_RUN(guest_bg("rdma_client -s " IWT_SIW_OURS, "/tmp/rcl.log", 0));
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 20000), 0,
		      "CONNECT_REQUEST from rdma_client");
	id = ev.id;
	rte_iwarp_cm_ack_event(&ev);
	qp = make_qp(e);
	IWT_ASSERT(qp != NULL, "QP");
	IWT_ASSERT_EQ(post_recv(qp, b->rx, 16, b->rx_mr->lkey), 0, "recv");
	IWT_ASSERT_EQ(rte_iwarp_accept(id, qp, NULL), 0, "accept");
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 15000), 0,
		      "ESTABLISHED");
	rte_iwarp_cm_ack_event(&ev);
	IWT_ASSERT_EQ(rte_iwarp_query_qp(qp, &qa), 0, "query");
	IWT_ASSERT_EQ(qa.mpa_rev, 1, "revision 1 echoed");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RECV, &len));
	IWT_ASSERT_EQ(len, 16, "rdma_client's 16-byte message");
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_SEND, &b->tx, 16, b->tx_mr->lkey, 0, 0), 0, "send");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(disconnect_wait(e, id, false));
	rte_iwarp_destroy_qp(qp);
	rte_iwarp_cm_destroy_id(lid);
	IWT_RUN(guest_log("/tmp/rcl.log", &r));
	IWT_ASSERT(strstr(r.out, "rc=0") != NULL, "rdma_client ended well: %s", r.out);
	printf("step: siw rdma_client (MPA rev 1) -> our responder: PASS\n");
	return IWT_PASS;
}

IWT_CASE(siw_mpa_rev1_rdma_server_client)
{
	static struct bufs b;
	struct iwt_siw_ep e;
	char pcap[128];
	int rc;

	rc = iwt_siw_up();
	if (rc != IWT_PASS)
		return rc;
	iwt_siw_pcap(pcap, sizeof(pcap), "rev1");
	rc = iwt_siw_param("mpa_version", 1) == 0 ? IWT_PASS : IWT_FAIL;
	if (rc == IWT_PASS)
		rc = iwt_siw_sh("capture start %s", pcap) == 0 ? IWT_PASS : IWT_FAIL;
	if (rc == IWT_PASS)
		rc = iwt_siw_ep_open(&e);
	if (rc == IWT_PASS)
		rc = bufs_reg(&e, &b);
	if (rc == IWT_PASS)
		rc = rev1_steps(&e, &b);
	iwt_siw_sh("capture stop");
	if (rc == IWT_PASS && iwt_siw_sh("check %s any", pcap) != 0) {
		IWT_LOG("capture %s does not decode cleanly", pcap);
		rc = IWT_FAIL;
	}
	bufs_dereg(&b);
	iwt_siw_ep_close(&e);
	iwt_siw_down();
	if (rc == IWT_PASS)
		unlink(pcap);
	return rc;
}

static bool
pd_is(const struct rte_iwarp_cm_event *ev, const char *want)
{
	return ev->private_data_len == strlen(want) &&
	       memcmp(ev->private_data, want, strlen(want)) == 0;
}

static int
pd_steps(struct iwt_siw_ep *e, struct bufs *b)
{
	static const char our_cli[] = "IWARP-CLIENT-PD", our_srv[] = "IWARP-SERVER-PD";
	static struct iwt_perf_run r;
	struct rte_iwarp_conn_param cp = { .ird = 1, .ord = 1 };
	struct rte_iwarp_cm_event ev;
	struct rte_iwarp_cm_id *id, *lid;
	struct rte_iwarp_qp *qp;
	uint64_t raddr;
	uint32_t rkey, len;

	/* 1. our initiator's private data to pdpeer -s, and pdpeer's back in the reply */
	IWT_RUN(guest_bg("/share/pdpeer -s -p 7999 -P SIWPEER-SERVER-PD", "/tmp/pds.log",
			 PD_PORT));
	qp = make_qp(e);
	IWT_ASSERT(qp != NULL, "QP");
	IWT_ASSERT_EQ(post_recv(qp, &b->rx[0], sizeof(b->rx[0]), b->rx_mr->lkey), 0, "recv");
	cp.private_data = our_cli;
	cp.private_data_len = (uint16_t)strlen(our_cli);
	id = rte_iwarp_connect(qp, inet_addr(IWT_SIW_GUEST), PD_PORT, &cp, NULL);
	IWT_ASSERT(id != NULL, "connect");
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 15000), 0,
		      "ESTABLISHED");
	IWT_ASSERT(pd_is(&ev, "SIWPEER-SERVER-PD"), "pdpeer's private data in the MPA reply "
		   "(%u bytes)", ev.private_data_len);
	rte_iwarp_cm_ack_event(&ev);
	iwt_siw_ep_poll_ms(e, IWT_SIW_FIRST_DELAY_MS);
	snprintf(b->tx.text, sizeof(b->tx.text), "hello from iwarp");
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_SEND, &b->tx, sizeof(b->tx), b->tx_mr->lkey, 0, 0),
		      0, "send hello");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RECV, &len));
	IWT_ASSERT_EQ(len, sizeof(b->rx[0]), "pdpeer's advert");
	raddr = rte_be_to_cpu_64(b->rx[0].addr);
	rkey = rte_be_to_cpu_32(b->rx[0].rkey);
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_RDMA_READ, b->buf, 64, b->buf_mr->lkey, raddr, rkey),
		      0, "read");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RDMA_READ, NULL));
	IWT_ASSERT(strcmp(b->buf, "server buffer initial contents") == 0, "READ got '%.64s'",
		   b->buf);
	strcpy(b->buf, "written by iwarp RDMA WRITE");
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_RDMA_WRITE, b->buf, (uint32_t)strlen(b->buf) + 1,
			   b->buf_mr->lkey, raddr, rkey), 0, "write");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RDMA_WRITE, NULL));
	snprintf(b->tx.text, sizeof(b->tx.text), "done from iwarp");
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_SEND, &b->tx, sizeof(b->tx), b->tx_mr->lkey, 0, 0),
		      0, "send done");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(disconnect_wait(e, id, false));
	rte_iwarp_destroy_qp(qp);
	IWT_RUN(guest_log("/tmp/pds.log", &r));
	IWT_ASSERT(strstr(r.out, "received (MPA request) private data (15 bytes)") != NULL &&
		   strstr(r.out, "\"IWARP-CLIENT-PD\"") != NULL,
		   "pdpeer got our private data: %s", r.out);
	IWT_ASSERT(strstr(r.out, "buffer after client RDMA WRITE: \"written by iwarp RDMA "
			  "WRITE\"") != NULL && strstr(r.out, "rc=0") != NULL,
		   "pdpeer saw our WRITE and ended well: %s", r.out);
	printf("step: our private data -> pdpeer -s, its reply's back, SEND/READ/WRITE: PASS\n");

	/* 2. pdpeer -c's private data to our listener, ours back in the reply */
	lid = rte_iwarp_listen(e->dev, PD_PORT, 0, NULL, NULL);
	IWT_ASSERT(lid != NULL, "listen");
	IWT_RUN(guest_bg("/share/pdpeer -c " IWT_SIW_OURS " -p 7999 -P SIWPEER-CLIENT-PD",
			 "/tmp/pdc.log", 0));
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_CONNECT_REQUEST, &ev, 20000), 0,
		      "CONNECT_REQUEST");
	IWT_ASSERT(pd_is(&ev, "SIWPEER-CLIENT-PD"), "pdpeer's private data in the MPA request "
		   "(%u bytes)", ev.private_data_len);
	id = ev.id;
	rte_iwarp_cm_ack_event(&ev);
	qp = make_qp(e);
	IWT_ASSERT(qp != NULL, "QP");
	IWT_ASSERT_EQ(post_recv(qp, &b->rx[0], sizeof(b->rx[0]), b->rx_mr->lkey), 0, "recv");
	IWT_ASSERT_EQ(post_recv(qp, &b->rx[1], sizeof(b->rx[1]), b->rx_mr->lkey), 0, "recv");
	cp.private_data = our_srv;
	cp.private_data_len = (uint16_t)strlen(our_srv);
	IWT_ASSERT_EQ(rte_iwarp_accept(id, qp, &cp), 0, "accept");
	IWT_ASSERT_EQ(iwt_siw_ep_event(e, RTE_IWARP_CM_EVENT_ESTABLISHED, &ev, 15000), 0,
		      "ESTABLISHED");
	rte_iwarp_cm_ack_event(&ev);
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RECV, NULL));
	IWT_ASSERT(strcmp(b->rx[0].text, "hello from client") == 0, "'%s'", b->rx[0].text);
	strcpy(b->buf, "server buffer initial contents");
	b->tx.addr = rte_cpu_to_be_64((uintptr_t)b->buf);
	b->tx.rkey = rte_cpu_to_be_32(b->buf_mr->rkey);
	b->tx.len = rte_cpu_to_be_32(sizeof(b->buf));
	snprintf(b->tx.text, sizeof(b->tx.text), "buffer advert from iwarp");
	IWT_ASSERT_EQ(post(qp, RTE_IWARP_WR_SEND, &b->tx, sizeof(b->tx), b->tx_mr->lkey, 0, 0),
		      0, "send advert");
	IWT_RUN(one_wc(e, RTE_IWARP_WC_SEND, NULL));
	IWT_RUN(one_wc(e, RTE_IWARP_WC_RECV, NULL));
	IWT_ASSERT(strcmp(b->rx[1].text, "done from client") == 0, "'%s'", b->rx[1].text);
	IWT_ASSERT(strcmp(b->buf, "written by client RDMA WRITE") == 0, "pdpeer's WRITE: '%.64s'",
		   b->buf);
	IWT_RUN(disconnect_wait(e, id, false));
	rte_iwarp_destroy_qp(qp);
	rte_iwarp_cm_destroy_id(lid);
	IWT_RUN(guest_log("/tmp/pdc.log", &r));
	IWT_ASSERT(strstr(r.out, "received (MPA reply) private data (15 bytes)") != NULL &&
		   strstr(r.out, "\"IWARP-SERVER-PD\"") != NULL && strstr(r.out, "rc=0") != NULL,
		   "pdpeer -c got our reply's private data and ended well: %s", r.out);
	printf("step: pdpeer -c private data -> our listener, ours back, SEND/READ/WRITE: PASS\n");
	return IWT_PASS;
}

IWT_CASE(siw_private_data_both_ways)
{
	static struct bufs b;
	struct iwt_siw_ep e;
	char pcap[128];
	int rc;

	rc = iwt_siw_up();
	if (rc != IWT_PASS)
		return rc;
	if (iwt_siw_sh("guest 'test -x /share/pdpeer'") != 0) {
		iwt_siw_down();
		IWT_SKIP_BECAUSE("siw-peer built no pdpeer (the host needs librdmacm-dev)");
	}
	iwt_siw_pcap(pcap, sizeof(pcap), "pd");
	rc = iwt_siw_sh("capture start %s", pcap) == 0 ? IWT_PASS : IWT_FAIL;
	if (rc == IWT_PASS)
		rc = iwt_siw_ep_open(&e);
	if (rc == IWT_PASS)
		rc = bufs_reg(&e, &b);
	if (rc == IWT_PASS)
		rc = pd_steps(&e, &b);
	iwt_siw_sh("capture stop");
	if (rc == IWT_PASS && iwt_siw_sh("check %s any", pcap) != 0) {
		IWT_LOG("capture %s does not decode cleanly", pcap);
		rc = IWT_FAIL;
	}
	bufs_dereg(&b);
	iwt_siw_ep_close(&e);
	iwt_siw_down();
	if (rc == IWT_PASS)
		unlink(pcap);
	return rc;
}
