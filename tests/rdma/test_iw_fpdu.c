/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FPDU framing: markers both ways, MSS limits, DDP segmentation, receive errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "iw_fpdu.h"
#include "iw_mpa.h"
#include "iw_rdmap.h"
#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_pcap.h"

#define STREAM_MAX (256 * 1024)
#define MAX_SEGS 4096

/* What the transmit side produced, to check the receive side against. */
struct sent {
	struct iw_hdr hdr[MAX_SEGS];
	uint32_t msg[MAX_SEGS];		/* message index */
	uint32_t off[MAX_SEGS];		/* payload offset in the message */
	uint32_t plen[MAX_SEGS];
	uint64_t start[MAX_SEGS];	/* stream position of each FPDU */
	unsigned int n;
};

struct msgdef {
	struct iw_hdr tmpl;
	uint32_t len;
};

static uint8_t payload_src[8][6000];

static void
make_msgs(struct msgdef *m, unsigned int *n)
{
	unsigned int i = 0, k, b;

	for (k = 0; k < 8; k++)
		for (b = 0; b < sizeof(payload_src[k]); b++)
			payload_src[k][b] = (uint8_t)(k * 31 + b * 7 + (b >> 8));
	memset(m, 0, 10 * sizeof(*m));
	m[i].tmpl.opcode = IW_OP_WRITE;
	m[i].tmpl.t.stag = 0x1234;
	m[i].tmpl.t.to = 0x1000;
	m[i++].len = 5000;
	m[i].tmpl.opcode = IW_OP_SEND;
	m[i].tmpl.u.msn = 1;
	m[i++].len = 3;
	m[i].tmpl.opcode = IW_OP_READ_REQ;
	m[i].tmpl.u.qn = 1;
	m[i].tmpl.u.msn = 1;
	m[i].tmpl.rreq.sink_stag = 0xabcd;
	m[i].tmpl.rreq.size = 4096;
	m[i++].len = 0;
	m[i].tmpl.opcode = IW_OP_SEND;
	m[i].tmpl.u.msn = 2;
	m[i++].len = 0;
	m[i].tmpl.opcode = IW_OP_IMM_DATA_SE;
	m[i].tmpl.u.msn = 3;
	m[i].tmpl.imm = 0x0102030405060708ull;
	m[i++].len = 0;
	m[i].tmpl.opcode = IW_OP_ATOMIC_REQ;
	m[i].tmpl.u.qn = 3;
	m[i].tmpl.areq.aop = IW_ATOMIC_CMP_SWAP;
	m[i].tmpl.areq.stag = 77;
	m[i++].len = 0;
	m[i].tmpl.opcode = IW_OP_ATOMIC_RESP;
	m[i].tmpl.u.qn = 3;
	m[i].tmpl.aresp.orig = 99;
	m[i++].len = 0;
	m[i].tmpl.opcode = IW_OP_SEND_SE_INV;
	m[i].tmpl.u.msn = 4;
	m[i].tmpl.u.inv_stag = 0x5500;
	m[i++].len = 2000;
	m[i].tmpl.opcode = IW_OP_READ_RESP;
	m[i].tmpl.t.stag = 0xabcd;
	m[i++].len = 777;
	m[i].tmpl.opcode = IW_OP_TERMINATE;
	m[i].tmpl.u.qn = 2;
	m[i].tmpl.term.ctrl = 0x20020000;
	m[i++].len = 0;
	*n = i;
}

/* Frame all messages at MSS mss; returns stream bytes. */
static int
transmit(struct iw_fpdu_tx *tx, const struct msgdef *m, unsigned int nm, uint32_t mss,
		uint8_t *stream, size_t *len, struct sent *s)
{
	unsigned int i;

	*len = 0;
	s->n = 0;
	for (i = 0; i < nm; i++) {
		struct iw_ddp_seg_iter it;
		struct iw_hdr seg;
		uint32_t off;
		int n;

		iw_ddp_seg_init(&it, &m[i].tmpl, m[i].len);
		while ((n = iw_ddp_seg_next(&it, iw_fpdu_tx_max_ulpdu(tx, mss), &seg, &off)) >= 0) {
			struct iw_seg ps[2];
			unsigned int nps = 0;
			int w;

			IWT_ASSERT(s->n < MAX_SEGS, "");
			/* gather the payload from two pieces when possible */
			if (n > 1) {
				ps[nps].addr = payload_src[i % 8] + off;
				ps[nps++].len = (uint32_t)n / 2;
				ps[nps].addr = payload_src[i % 8] + off + n / 2;
				ps[nps++].len = (uint32_t)n - (uint32_t)n / 2;
			} else if (n == 1) {
				ps[nps].addr = payload_src[i % 8] + off;
				ps[nps++].len = 1;
			}
			s->hdr[s->n] = seg;
			s->msg[s->n] = i;
			s->off[s->n] = off;
			s->plen[s->n] = (uint32_t)n;
			s->start[s->n] = tx->pos;
			w = iw_fpdu_tx_build(tx, &seg, ps, nps, stream + *len, STREAM_MAX - *len);
			IWT_ASSERT(w > 0, "build %d", w);
			IWT_ASSERT((uint32_t)w <= mss, "FPDU of %d bytes over MSS %u", w, mss);
			IWT_ASSERT_EQ((uint64_t)w, tx->pos - s->start[s->n], "");
			*len += (size_t)w;
			s->n++;
		}
		IWT_ASSERT_EQ(n, -ENOENT, "message %u at MSS %u", i, mss);
	}
	return IWT_PASS;
}

struct rxlog {
	const struct sent *s;
	unsigned int n;		/* headers seen */
	unsigned int ends;
	bool bad;
	char why[128];
	struct iw_term_cause err;
	unsigned int errors;
	uint8_t place[10][6000];	/* target memory per message */
};

static int
rx_hdr(void *ctx, const struct iw_hdr *h, uint32_t plen, struct iw_term_cause *c)
{
	struct rxlog *l = ctx;
	const struct iw_hdr *e;
	uint8_t a[IW_HDR_MAX_LEN], b[IW_HDR_MAX_LEN];

	(void)c;
	if (l->n >= l->s->n) {
		l->bad = true;
		snprintf(l->why, sizeof(l->why), "extra header");
		return 0;
	}
	e = &l->s->hdr[l->n];
	if (iw_hdr_build(h, a, sizeof(a)) != iw_hdr_build(e, b, sizeof(b)) ||
			memcmp(a, b, h->hdr_len) != 0 || plen != l->s->plen[l->n]) {
		l->bad = true;
		snprintf(l->why, sizeof(l->why), "header %u differs", l->n);
	}
	l->n++;
	return 0;
}

static int
rx_data(void *ctx, const struct iw_hdr *h, uint32_t off, const uint8_t *d, uint32_t len,
		struct iw_term_cause *c)
{
	struct rxlog *l = ctx;
	unsigned int k = l->n - 1;
	uint32_t at = l->s->off[k] + off;

	(void)h;
	(void)c;
	if (at + len > sizeof(l->place[0])) {
		l->bad = true;
		return 0;
	}
	memcpy(l->place[l->s->msg[k]] + at, d, len);	/* the one copy */
	return 0;
}

static void
rx_end(void *ctx, const struct iw_hdr *h)
{
	struct rxlog *l = ctx;

	(void)h;
	l->ends++;
}

static void
rx_err(void *ctx, const struct iw_term_cause *c, const struct iw_hdr *h)
{
	struct rxlog *l = ctx;

	(void)h;
	l->err = *c;
	l->errors++;
}

static const struct iw_fpdu_rx_ops log_ops = {
	.on_hdr = rx_hdr, .on_data = rx_data, .on_end = rx_end, .on_error = rx_err,
};

static int
feed_random(struct iw_fpdu_rx *rx, const uint8_t *b, size_t len, unsigned int maxchunk,
		struct rxlog *l)
{
	size_t pos = 0, n;
	int rc = 0;

	while (pos < len) {
		n = RTE_MIN(len - pos, (size_t)(1 + rand() % maxchunk));
		rc = iw_fpdu_rx_feed(rx, b + pos, n, &log_ops, l);
		if (rc < 0)
			return rc;
		IWT_ASSERT_EQ(rc, (int)n, "");
		pos += n;
	}
	return 0;
}

IWT_CASE(mpa_markers_roundtrip)
{
	static const uint64_t starts[] = { 0, 1, 3, 100, 508, 510, 511, 512, 1000, 70000 };
	static const uint32_t msses[] = { 100, 536, 1448, 9000 };
	static uint8_t stream[STREAM_MAX];
	static struct sent s;
	static struct rxlog l;
	struct msgdef m[10];
	unsigned int nm, si, mi, crc, i, k, markers_total = 0, runs = 0;

	make_msgs(m, &nm);
	srand(11);
	for (si = 0; si < RTE_DIM(starts); si++)
		for (mi = 0; mi < RTE_DIM(msses); mi++)
			for (crc = 0; crc < 2; crc++) {
	struct iw_fpdu_tx tx;
	struct iw_fpdu_rx rx;
	uint64_t p, first;
	size_t len;
	unsigned int nmk = 0;

	iw_fpdu_tx_init(&tx, crc, true, starts[si]);
	IWT_RUN(transmit(&tx, m, nm, msses[mi], stream, &len, &s));
	/* a marker at every 512th stream position, pointing at its FPDU */
	first = (starts[si] + 511) / 512 * 512;
	for (p = first; p < starts[si] + len; p += 512) {
		const uint8_t *mk = stream + (p - starts[si]);
		uint64_t fstart = 0;

		for (k = 0; k < s.n && s.start[k] <= p; k++)
			fstart = s.start[k];
		IWT_ASSERT(p + 4 <= starts[si] + len, "marker cut at the end");
		IWT_ASSERT(mk[0] == 0 && mk[1] == 0 && (uint32_t)(mk[2] << 8 | mk[3]) ==
			p - fstart, "marker at %lu: ptr %u, FPDU at %lu (start %lu mss %u)",
			(unsigned long)p, mk[2] << 8 | mk[3], (unsigned long)fstart,
			(unsigned long)starts[si], msses[mi]);
		nmk++;
	}
	markers_total += nmk;
	/* receive in random pieces: same headers, payload placed in place */
	for (i = 0; i < 3; i++) {
		memset(&l, 0, sizeof(l));
		l.s = &s;
		iw_fpdu_rx_init(&rx, crc, true, starts[si]);
		IWT_ASSERT_EQ(feed_random(&rx, stream, len, i == 0 ? 1 : i == 1 ? 13 : 3000, &l),
			0, "rx error %u/%u/%u start %lu mss %u", l.err.layer, l.err.etype,
			l.err.ecode, (unsigned long)starts[si], msses[mi]);
		IWT_ASSERT(!l.bad, "%s", l.why);
		IWT_ASSERT(l.n == s.n && l.ends == s.n && l.errors == 0, "");
		IWT_ASSERT_EQ(rx.markers, nmk, "markers stripped");
		IWT_ASSERT_EQ(rx.state, IW_RX_GET_HDR, "");
		for (k = 0; k < nm; k++)
			IWT_ASSERT(memcmp(l.place[k], payload_src[k % 8], m[k].len) == 0,
				"message %u placed wrong", k);
		runs++;
	}
	/* a marker whose pointer lies: MPA error 0x03 */
	if (nmk > 1) {
		uint8_t *mk = stream + (first + 512 - starts[si]);

		mk[3] ^= 0x10;
		memset(&l, 0, sizeof(l));
		l.s = &s;
		iw_fpdu_rx_init(&rx, crc, true, starts[si]);
		IWT_ASSERT_EQ(feed_random(&rx, stream, len, 50, &l), -EPROTO, "");
		IWT_ASSERT(l.errors == 1 && l.err.layer == IW_LAYER_LLP &&
			l.err.ecode == IW_LLP_EC_MARKER, "");
		IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, stream, 1, &log_ops, &l), -EPROTO, "");
		IWT_ASSERT_EQ(l.errors, 1, "reported once");
		mk[3] ^= 0x10;
	}
			}
	printf("%u marker streams received identically, %u markers checked\n", runs,
		markers_total);
	return IWT_PASS;
}

IWT_CASE(fpdu_tx_respects_mss)
{
	uint64_t start;
	uint32_t mss, u;
	unsigned int mk, checked = 0;

	for (mk = 0; mk < 2; mk++)
		for (start = 0; start < 1100; start += 37)
			for (mss = 0; mss < 2100; mss += (mss < 64 ? 1 : 29)) {
				struct iw_fpdu_tx tx;

				iw_fpdu_tx_init(&tx, true, mk, start);
				u = iw_fpdu_tx_max_ulpdu(&tx, mss);
				if (u == 0) {
					IWT_ASSERT(iw_fpdu_tx_wire_len(&tx, 0) > mss ||
						iw_fpdu_tx_wire_len(&tx, 1) > mss, "mss %u", mss);
					continue;
				}
				IWT_ASSERT(iw_fpdu_tx_wire_len(&tx, u) <= mss, "mss %u", mss);
				IWT_ASSERT(iw_fpdu_tx_wire_len(&tx, u + 1) > mss,
					"mss %u: ULPDU %u is not the largest", mss, u);
				checked++;
			}
	/* never over 65535: the ULPDU length is 16 bits */
	{
		struct iw_fpdu_tx tx;

		iw_fpdu_tx_init(&tx, true, false, 0);
		IWT_ASSERT_EQ(iw_fpdu_tx_max_ulpdu(&tx, 200000), 65535, "");
	}
	printf("%u (MSS, position, markers) combinations at their largest ULPDU\n", checked);
	return IWT_PASS;
}

IWT_CASE(fpdu_rx_rejects_malformed)
{
	static uint8_t buf[4096];
	static const uint8_t pay[100] = "payload";
	static struct sent s;
	static struct rxlog l;
	struct iw_fpdu_tx tx;
	struct iw_fpdu_rx rx;
	struct iw_hdr h;
	struct iw_seg seg = { .addr = pay, .len = sizeof(pay) };
	int n;

	memset(&h, 0, sizeof(h));
	h.opcode = IW_OP_SEND;
	h.last = true;
	h.u.msn = 1;
	s.n = 1;
	s.hdr[0] = h;
	s.hdr[0].hdr_len = 18;
	s.plen[0] = sizeof(pay);

	/* a good one */
	iw_fpdu_tx_init(&tx, true, false, 0);
	n = iw_fpdu_tx_build(&tx, &h, &seg, 1, buf, sizeof(buf));
	IWT_ASSERT_EQ(n, 2 + 18 + 100 + 0 + 4, "");
	memset(&l, 0, sizeof(l));
	l.s = &s;
	iw_fpdu_rx_init(&rx, true, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, (size_t)n, &log_ops, &l), n, "");
	IWT_ASSERT(l.ends == 1 && l.errors == 0 && rx.fpdus == 1 && !l.bad, "");

	/* a payload bit flipped: CRC error, no completion, one error */
	buf[40] ^= 1;
	memset(&l, 0, sizeof(l));
	l.s = &s;
	iw_fpdu_rx_init(&rx, true, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, (size_t)n, &log_ops, &l), -EPROTO, "");
	IWT_ASSERT(l.ends == 0 && l.errors == 1 && l.err.layer == IW_LAYER_LLP &&
		l.err.etype == IW_LLP_ET_MPA && l.err.ecode == IW_LLP_EC_CRC, "");
	IWT_ASSERT(rx.crc_errors == 1 && rx.crc_wire != rx.crc_calc, "");
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, 4, &log_ops, &l), -EPROTO, "");
	IWT_ASSERT_EQ(l.errors, 1, "");
	/* the same with CRC off is accepted (and the CRC field is 0 on transmit) */
	memset(&l, 0, sizeof(l));
	l.s = &s;
	iw_fpdu_rx_init(&rx, false, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, (size_t)n, &log_ops, &l), n, "");
	IWT_ASSERT_EQ(l.ends, 1, "");
	buf[40] ^= 1;
	iw_fpdu_tx_init(&tx, false, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_tx_build(&tx, &h, &seg, 1, buf, sizeof(buf)), n, "");
	IWT_ASSERT_EQ(iw_mpa_crc_get(buf + n - 4), 0, "");

	/* reserved opcode: RDMAP remote operation error, unexpected opcode */
	buf[3] = 0x40 | 0xd;
	memset(&l, 0, sizeof(l));
	l.s = &s;
	iw_fpdu_rx_init(&rx, false, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, (size_t)n, &log_ops, &l), -EPROTO, "");
	IWT_ASSERT(l.errors == 1 && l.n == 0 && l.err.layer == IW_LAYER_RDMAP &&
		l.err.etype == IW_RDMAP_ET_OPERATION && l.err.ecode == IW_RDMAP_EC_OPCODE, "");
	buf[3] = 0x40 | IW_OP_SEND;

	/* NULL callbacks are allowed; the raw header is kept for a TERMINATE */
	{
		struct iw_term_cause why = { IW_LAYER_DDP, IW_DDP_ET_UNTAGGED,
			IW_DDP_EC_U_NO_BUFFER };
		struct iw_fpdu_rx_ops none = { 0 };
		const uint8_t *raw;
		uint32_t rawlen;
		uint8_t term[64];

		iw_fpdu_rx_init(&rx, false, false, 0);
		IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, (size_t)n, &none, NULL), n, "");
		memset(&l, 0, sizeof(l));
		l.s = &s;
		iw_fpdu_rx_init(&rx, false, false, 0);
		IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, 30, &log_ops, &l), 30, "");
		raw = iw_fpdu_rx_raw_hdr(&rx, &rawlen);
		IWT_ASSERT(rawlen == 20 && memcmp(raw, buf, 20) == 0, "");
		n = iw_term_encode(&why, (uint16_t)(raw[0] << 8 | raw[1]), raw + 2, NULL, term,
			sizeof(term));
		IWT_ASSERT_EQ(n, 4 + 2 + 18, "");
		IWT_ASSERT(term[0] == 0x12 && term[1] == 0x02 && term[2] == 0xc0, "");
		IWT_ASSERT(term[4] == 0 && term[5] == 118 && memcmp(term + 6, buf + 2, 18) == 0,
			"");
	}
	/* feeding the junk after a terminate never calls back again */
	{
		unsigned int i;

		memset(&l, 0, sizeof(l));
		l.s = &s;
		iw_fpdu_rx_init(&rx, true, false, 0);
		for (i = 0; i < 64; i++)
			buf[i] = (uint8_t)(i * 37);
		buf[2] = 0x41;
		buf[3] = 0x43;
		IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, 64, &log_ops, &l), -EPROTO, "");
		IWT_ASSERT_EQ(l.errors, 1, "");
	}
	return IWT_PASS;
}

/* The consumer's refusal in on_hdr and on_data terminates with its cause. */
struct refuse {
	bool in_data;
	unsigned int calls;
	struct iw_term_cause got;
};

static int
refuse_hdr(void *ctx, const struct iw_hdr *h, uint32_t plen, struct iw_term_cause *c)
{
	struct refuse *r = ctx;

	(void)h;
	(void)plen;
	if (r->in_data)
		return 0;
	c->layer = IW_LAYER_DDP;
	c->etype = IW_DDP_ET_TAGGED;
	c->ecode = IW_DDP_EC_T_INVALID_STAG;
	return -EACCES;
}

static int
refuse_data(void *ctx, const struct iw_hdr *h, uint32_t off, const uint8_t *d, uint32_t len,
		struct iw_term_cause *c)
{
	(void)ctx;
	(void)h;
	(void)off;
	(void)d;
	(void)len;
	c->layer = IW_LAYER_DDP;
	c->etype = IW_DDP_ET_TAGGED;
	c->ecode = IW_DDP_EC_T_BASE_BOUNDS;
	return -ERANGE;
}

static void
refuse_err(void *ctx, const struct iw_term_cause *c, const struct iw_hdr *h)
{
	struct refuse *r = ctx;

	r->calls++;
	r->got = *c;
	if (h == NULL || h->opcode != IW_OP_WRITE)
		r->got.layer = 0xff;
}

IWT_CASE(fpdu_rx_consumer_terminates)
{
	static const uint8_t pay[300];
	static const struct iw_fpdu_rx_ops ops = {
		.on_hdr = refuse_hdr, .on_data = refuse_data, .on_error = refuse_err,
	};
	uint8_t buf[512];
	struct iw_fpdu_tx tx;
	struct iw_fpdu_rx rx;
	struct iw_hdr h;
	struct iw_seg seg = { .addr = pay, .len = sizeof(pay) };
	struct refuse r;
	int n;

	memset(&h, 0, sizeof(h));
	h.opcode = IW_OP_WRITE;
	h.last = true;
	h.t.stag = 0xdeadbe00;
	iw_fpdu_tx_init(&tx, true, false, 0);
	n = iw_fpdu_tx_build(&tx, &h, &seg, 1, buf, sizeof(buf));
	IWT_ASSERT(n > 0, "");

	memset(&r, 0, sizeof(r));
	iw_fpdu_rx_init(&rx, true, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, (size_t)n, &ops, &r), -EPROTO, "");
	IWT_ASSERT(r.calls == 1 && r.got.layer == IW_LAYER_DDP &&
		r.got.ecode == IW_DDP_EC_T_INVALID_STAG, "");

	memset(&r, 0, sizeof(r));
	r.in_data = true;
	iw_fpdu_rx_init(&rx, true, false, 0);
	IWT_ASSERT_EQ(iw_fpdu_rx_feed(&rx, buf, 100, &ops, &r), -EPROTO, "");
	IWT_ASSERT(r.calls == 1 && r.got.layer == IW_LAYER_DDP &&
		r.got.ecode == IW_DDP_EC_T_BASE_BOUNDS, "");
	IWT_ASSERT_EQ(rx.state, IW_RX_ERROR, "");
	return IWT_PASS;
}

/* Zero-copy framing: head + payload in place + trailer is what build() copies. */
IWT_CASE(fpdu_tx_zero_copy_burst)
{
	static uint8_t pay[9][3000], flat[4000], joined[4000];
	struct iw_fpdu_frame fr[9];
	struct iw_hdr hdrs[9];
	struct iw_seg segs[9];
	unsigned int n, i, crc, r, checked = 0;

	srand(5);
	for (i = 0; i < 9; i++)
		for (r = 0; r < sizeof(pay[i]); r++)
			pay[i][r] = (uint8_t)rand();
	for (crc = 0; crc < 2; crc++)
		for (n = 1; n <= 9; n++)
			for (r = 0; r < 20; r++) {
				struct iw_fpdu_tx a, b;

				for (i = 0; i < n; i++) {
					memset(&hdrs[i], 0, sizeof(hdrs[i]));
					hdrs[i].opcode = (i & 1) ? IW_OP_SEND : IW_OP_WRITE;
					hdrs[i].last = (rand() & 1) != 0;
					hdrs[i].t.stag = (uint32_t)rand();
					hdrs[i].t.to = (uint64_t)rand();
					if (i & 1) {
						hdrs[i].u.msn = (uint32_t)rand();
						hdrs[i].u.mo = (uint32_t)rand();
					}
					segs[i].addr = pay[i] + rand() % 7;
					segs[i].len = (uint32_t)(rand() % 2990);
				}
				iw_fpdu_tx_init(&a, crc, false, (uint64_t)r * 1000);
				iw_fpdu_tx_init(&b, crc, false, (uint64_t)r * 1000);
				IWT_ASSERT_EQ(iw_fpdu_tx_frame_burst(&a, hdrs, segs, n, fr), 0, "");
				for (i = 0; i < n; i++) {
					int w = iw_fpdu_tx_build(&b, &hdrs[i], &segs[i], 1, flat,
						sizeof(flat));
					size_t k = 0;

					memcpy(joined, fr[i].head, fr[i].head_len);
					k += fr[i].head_len;
					memcpy(joined + k, segs[i].addr, segs[i].len);
					k += segs[i].len;
					memcpy(joined + k, fr[i].trailer, fr[i].trailer_len);
					k += fr[i].trailer_len;
					IWT_ASSERT(w > 0 && (size_t)w == k &&
						memcmp(flat, joined, k) == 0,
						"FPDU %u of %u (crc %u)", i, n, crc);
					checked++;
				}
				IWT_ASSERT_EQ(a.pos, b.pos, "");
			}
	{
		struct iw_fpdu_tx m;

		iw_fpdu_tx_init(&m, true, true, 0);
		IWT_ASSERT_EQ(iw_fpdu_tx_frame_burst(&m, hdrs, segs, 1, fr), -ENOTSUP, "");
		hdrs[0].opcode = 0xe;
		iw_fpdu_tx_init(&m, true, false, 0);
		IWT_ASSERT_EQ(iw_fpdu_tx_frame_burst(&m, hdrs, segs, 1, fr), -EINVAL, "");
		IWT_ASSERT_EQ(m.pos, 0, "");
	}
	printf("%u FPDUs framed for zero-copy, identical to the copying builder\n", checked);
	return IWT_PASS;
}

/* The receive path over an mbuf chain equals the flat one. */
IWT_CASE(fpdu_rx_mbuf_chain)
{
	static uint8_t stream[STREAM_MAX];
	static struct sent s;
	static struct rxlog la, lb;
	static struct rte_mbuf mb[512];
	struct msgdef m[10];
	struct iw_fpdu_tx tx;
	struct iw_fpdu_rx ra, rb;
	unsigned int nm, r, k, nmb;
	size_t len, pos;
	int rc;

	make_msgs(m, &nm);
	srand(9);
	for (r = 0; r < 30; r++) {
		iw_fpdu_tx_init(&tx, r & 1, (r & 2) != 0, 0);
		IWT_RUN(transmit(&tx, m, nm, 1448, stream + 40, &len, &s));
		memset(stream, 0xee, 40);	/* e.g. TCP header bytes to skip */
		memset(&la, 0, sizeof(la));
		la.s = &s;
		lb = la;
		iw_fpdu_rx_init(&ra, r & 1, (r & 2) != 0, 0);
		IWT_ASSERT_EQ(iw_fpdu_rx_feed(&ra, stream + 40, len, &log_ops, &la), (int)len, "");
		memset(mb, 0, sizeof(mb));
		for (pos = 0, nmb = 0; pos < len + 40; nmb++) {
			uint16_t seg = (uint16_t)RTE_MIN(len + 40 - pos,
				(size_t)(1 + rand() % 400));

			IWT_ASSERT(nmb < RTE_DIM(mb), "");
			mb[nmb].buf_addr = stream + pos;
			mb[nmb].data_off = 0;
			mb[nmb].data_len = seg;
			if (nmb > 0)
				mb[nmb - 1].next = &mb[nmb];
			pos += seg;
		}
		iw_fpdu_rx_init(&rb, r & 1, (r & 2) != 0, 0);
		rc = iw_fpdu_rx_feed_mbuf(&rb, &mb[0], 40, &log_ops, &lb);
		IWT_ASSERT_EQ(rc, (int)len, "");
		IWT_ASSERT(!la.bad && !lb.bad && la.n == s.n && lb.n == s.n && la.ends == s.n &&
			lb.ends == s.n && lb.errors == 0, "%s", lb.why);
		for (k = 0; k < nm; k++)
			IWT_ASSERT(memcmp(lb.place[k], payload_src[k % 8], m[k].len) == 0, "");
		IWT_ASSERT(ra.pos == rb.pos && ra.markers == rb.markers, "");
	}
	return IWT_PASS;
}

/* FPDUs of a stream that end with a marker between pad and CRC. */
static unsigned int
markers_before_crc(const struct sent *s, uint64_t end_pos)
{
	unsigned int k, n = 0;

	for (k = 0; k < s->n; k++) {
		uint64_t end = k + 1 < s->n ? s->start[k + 1] : end_pos;

		n += (end - IW_MPA_CRC_LEN - IW_MPA_MARKER_LEN) % IW_MPA_MARKER_SPACING == 0;
	}
	return n;
}

static int
count_lines(const char *path, const char *needle, unsigned int *n)
{
	char line[512];
	FILE *f = fopen(path, "r");

	IWT_ASSERT(f != NULL, "%s", path);
	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		*n += strstr(line, needle) != NULL;
	fclose(f);
	return IWT_PASS;
}

/*
 * Wireshark's MPA dissector, an independent reading of RFC 5044, checks our
 * markers and CRCs: both sides ask for markers and CRC, every FPDU goes in its
 * own TCP segment (what the dissector expects with markers), and tshark must
 * call every CRC good, including FPDUs with a marker between pad and CRC.
 */
IWT_CASE(mpa_markers_tshark_decode)
{
	static const uint32_t msses[] = { 536, 700, 1000, 1448, 1200, 900 };
	static uint8_t cs[STREAM_MAX], ss[STREAM_MAX];
	static struct sent sc, sv;
	struct iw_mpa_params pi, pr;
	struct iw_mpa_frame req, rep;
	struct iw_mpa_result ri, rr;
	struct iwt_pcap_writer w;
	struct iw_fpdu_tx tc, tv;
	struct msgdef m[10];
	uint8_t frame[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX], ec;
	char pcap[256], txt[300];
	unsigned int nm, i, k, j, good, bad, wrong, edge = 0;
	size_t clen = 0, slen = 0;
	int n;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		IWT_SKIP_BECAUSE("tshark not installed");
	make_msgs(m, &nm);
	iw_mpa_params_default(&pi);
	iw_mpa_params_default(&pr);
	pi.markers_rx = pr.markers_rx = true;
	IWT_ASSERT_EQ(iw_mpa_make_request(&pi, &req), 0, "");
	IWT_ASSERT_EQ(iw_mpa_negotiate_responder(&pr, &req, &rep, &rr, &ec), 0, "");
	IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&pi, &req, &rep, &ri, &ec), 0, "");
	IWT_ASSERT(ri.crc && ri.markers_tx && ri.markers_rx && rr.markers_tx, "");

	/* pick MSSes so that some FPDU has a marker right before its CRC */
	for (i = 0; i < RTE_DIM(msses) && edge == 0; i++)
		for (j = 0; j < RTE_DIM(msses) && edge == 0; j++) {
			iw_fpdu_tx_init(&tc, ri.crc, ri.markers_tx, 0);
			iw_fpdu_tx_init(&tv, rr.crc, rr.markers_tx, 0);
			IWT_RUN(transmit(&tc, m, nm, msses[i], cs, &clen, &sc));
			IWT_RUN(transmit(&tv, m, nm, msses[j], ss, &slen, &sv));
			edge = markers_before_crc(&sc, clen) + markers_before_crc(&sv, slen);
		}
	IWT_ASSERT(edge > 0, "no FPDU with a marker before its CRC");

	snprintf(pcap, sizeof(pcap), "%s/mpa_markers_tshark.pcap", iwt_build_dir());
	snprintf(txt, sizeof(txt), "%s.txt", pcap);
	IWT_ASSERT_EQ(iwt_pcap_open(&w, pcap), 0, "%s", pcap);
	n = iw_mpa_build(&req, frame, sizeof(frame));
	IWT_ASSERT(n > 0 && iwt_pcap_segment(&w, 0, frame, (uint32_t)n) == 0, "");
	n = iw_mpa_build(&rep, frame, sizeof(frame));
	IWT_ASSERT(n > 0 && iwt_pcap_segment(&w, 1, frame, (uint32_t)n) == 0, "");
	for (k = 0; k < RTE_MAX(sc.n, sv.n); k++) {
		if (k < sc.n) {
			uint64_t end = k + 1 < sc.n ? sc.start[k + 1] : clen;

			IWT_ASSERT_EQ(iwt_pcap_segment(&w, 0, cs + sc.start[k],
				(uint32_t)(end - sc.start[k])), 0, "");
		}
		if (k < sv.n) {
			uint64_t end = k + 1 < sv.n ? sv.start[k + 1] : slen;

			IWT_ASSERT_EQ(iwt_pcap_segment(&w, 1, ss + sv.start[k],
				(uint32_t)(end - sv.start[k])), 0, "");
		}
	}
	IWT_ASSERT_EQ(iwt_pcap_close(&w), 0, "");
	IWT_ASSERT_EQ(iwt_sh("tshark -r %s -V --disable-heuristic rpcrdma_iwarp > %s 2>/dev/null",
		pcap, txt), 0, "tshark failed");
	IWT_RUN(count_lines(txt, "(Good CRC32)", &good));
	IWT_RUN(count_lines(txt, "(Bad CRC32", &bad));
	IWT_RUN(count_lines(txt, "does not contain the expected length", &wrong));
	printf("tshark: %u good CRCs, %u bad, %u length errors over %u FPDUs with markers "
		"(%u with a marker before the CRC); decode in %s\n", good, bad, wrong,
		sc.n + sv.n, edge, txt);
	IWT_ASSERT(bad == 0 && wrong == 0, "tshark disagrees, see %s", txt);
	IWT_ASSERT_EQ(good, sc.n + sv.n, "see %s", txt);
	/* our TERMINATE control word reads, the RFC way, as what we meant */
	IWT_RUN(count_lines(txt, "Error Code for LLP layer: MPA CRC Error (0x02)", &k));
	IWT_ASSERT_EQ(k, 2, "TERMINATE (LLP, MPA, CRC) as tshark reads it");
	IWT_RUN(count_lines(txt, "OpCode: CmpSwap (2)", &k));
	IWT_ASSERT_EQ(k, 2, "atomic request as tshark reads it");
	return IWT_PASS;
}
