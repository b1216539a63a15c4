/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Golden vectors: every capture of ../shared/iwarp-vectors (Linux siw against
 * itself) is reassembled per TCP direction, its MPA request/reply parsed and
 * re-encoded, and its FPDU stream run through the FPDU receive state machine.
 * Fields are checked against the tshark decodes beside the captures, headers and
 * whole FPDUs are re-encoded with our builders and compared byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iw_fpdu.h"
#include "iw_mpa.h"
#include "iw_rdmap.h"
#include "iwt.h"
#include "iwt_pcap.h"

static const char *const captures[] = {
	"mpa_probe_from_netns",
	"mpa_probe_markers_from_netns",
	"pdpeer_privdata_crc-off",
	"pdpeer_privdata_crc-on",
	"pdpeer_responder-sends-first_FAIL_crc-on",
	"rdma_server_client",
	"read_bw_crc-off",
	"read_bw_crc-on",
	"rping_crc-client-only",
	"rping_crc-off",
	"rping_crc-on",
	"rping_crc-server-only",
	"rping_crc-strict-reject",
	"rping_mpa-v1",
	"rping_p2p-both",
	"rping_p2p",
	"rping_try-gso",
	"send_bw_crc-off",
	"send_bw_crc-on",
	"terminate_badcrc_from_netns",
	"terminate_badstag_from_netns",
	"write_bw_crc-off",
	"write_bw_crc-on",
	"write_bw_crc-on_bootparam",
	"derived/rping_crc-on_corrupted-frame8",
	"derived/rping_crc-off_no-handshake",
};

/* One FPDU as the receive path reported it. */
struct rec {
	struct iw_hdr hdr;
	uint8_t raw[IW_MPA_LEN_FIELD + IW_HDR_MAX_LEN];
	uint32_t rawlen;
	uint32_t payload_len;
	uint32_t payload_seen;
	uint32_t payload_crc;	/* CRC32c of the payload as delivered */
	size_t off;		/* stream offset of the FPDU */
	uint32_t frame;
	bool complete;		/* on_end reached */
	bool crc_bad;
	uint32_t crc_wire, crc_calc;
	struct iw_term_cause cause; /* error reported on this FPDU, if any */
	bool error;
	uint8_t tail[64];	/* first payload bytes (TERMINATE bodies) */
};

struct decode {
	const struct iwt_dir *dir;
	size_t base;		/* stream offset of FPDU mode */
	struct iw_fpdu_rx rx;
	struct rec *recs;
	size_t n, cap;
	struct iw_crc32c pcrc;
	bool oom;
	bool order_error;	/* data out of order or beyond the payload */
};

static struct rec *
cur_rec(struct decode *d)
{
	return d->n > 0 ? &d->recs[d->n - 1] : NULL;
}

static int
cb_hdr(void *ctx, const struct iw_hdr *hdr, uint32_t payload_len, struct iw_term_cause *cause)
{
	struct decode *d = ctx;
	struct rec *r;
	const uint8_t *raw;
	size_t off;

	(void)cause;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 64;
		struct rec *nr = realloc(d->recs, ncap * sizeof(*nr));

		if (nr == NULL) {
			d->oom = true;
			return 0;
		}
		d->recs = nr;
		d->cap = ncap;
	}
	r = &d->recs[d->n++];
	memset(r, 0, sizeof(*r));
	r->hdr = *hdr;
	raw = iw_fpdu_rx_raw_hdr(&d->rx, &r->rawlen);
	memcpy(r->raw, raw, r->rawlen);
	r->payload_len = payload_len;
	off = d->base + (size_t)d->rx.fpdu_start;
	r->off = off;
	/* tshark shows an FPDU in the frame that completes it */
	off += iw_mpa_fpdu_len(d->rx.ulpdu_len) - 1;
	r->frame = off < d->dir->len ? d->dir->frame[off] : 0;
	iw_crc32c_init(&d->pcrc);
	return 0;
}

static int
cb_data(void *ctx, const struct iw_hdr *hdr, uint32_t off, const uint8_t *data, uint32_t len,
		struct iw_term_cause *cause)
{
	struct decode *d = ctx;
	struct rec *r = cur_rec(d);

	(void)hdr;
	(void)cause;
	if (r == NULL || off != r->payload_seen || off + len > r->payload_len) {
		d->order_error = true;
		return 0;
	}
	if (off < sizeof(r->tail))
		memcpy(r->tail + off, data, RTE_MIN(len, (uint32_t)sizeof(r->tail) - off));
	iw_crc32c_update(&d->pcrc, data, len);
	r->payload_seen += len;
	return 0;
}

static void
cb_end(void *ctx, const struct iw_hdr *hdr)
{
	struct decode *d = ctx;
	struct rec *r = cur_rec(d);

	(void)hdr;
	if (r == NULL)
		return;
	r->complete = true;
	r->crc_wire = d->rx.crc_wire;
	r->crc_calc = d->rx.crc_calc;
	r->payload_crc = iw_crc32c_final(&d->pcrc);
}

static void
cb_error(void *ctx, const struct iw_term_cause *cause, const struct iw_hdr *hdr)
{
	struct decode *d = ctx;
	struct rec *r = hdr != NULL ? cur_rec(d) : NULL;

	if (r == NULL)
		return;
	r->error = true;
	r->cause = *cause;
	if (cause->layer == IW_LAYER_LLP && cause->ecode == IW_LLP_EC_CRC) {
		r->crc_bad = true;
		r->crc_wire = d->rx.crc_wire;
		r->crc_calc = d->rx.crc_calc;
		r->payload_crc = iw_crc32c_final(&d->pcrc);
	}
}

static const struct iw_fpdu_rx_ops rec_ops = {
	.on_hdr = cb_hdr,
	.on_data = cb_data,
	.on_end = cb_end,
	.on_error = cb_error,
};

/*
 * Decode dir's FPDUs from offset base, fed in the chunks given by cut[] (stream
 * offsets where a new chunk starts, ascending; NULL: the captured segments).
 * Like tshark, carry on after a bad CRC at the next FPDU (the length field is
 * intact), so the rest of the capture is checked too.
 */
static void
decode_dir(struct decode *d, const struct iwt_dir *dir, size_t base, bool crc,
		const size_t *cut, size_t ncut)
{
	size_t pos = base, next, i = 0, s = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	d->dir = dir;
	d->base = base;
	iw_fpdu_rx_init(&d->rx, crc, false, 0);
	while (pos < dir->len) {
		if (cut != NULL) {
			while (i < ncut && cut[i] <= pos)
				i++;
			next = i < ncut ? cut[i] : dir->len;
		} else {
			while (s < dir->nseg && dir->segs[s].off + dir->segs[s].len <= pos)
				s++;
			next = s < dir->nseg ? dir->segs[s].off + dir->segs[s].len : dir->len;
		}
		next = RTE_MIN(next, dir->len);
		rc = iw_fpdu_rx_feed(&d->rx, dir->data + pos, next - pos, &rec_ops, d);
		if (rc < 0) {
			struct rec *r = cur_rec(d);

			if (r == NULL || !r->crc_bad)
				return;
			/* resume behind the bad FPDU */
			pos = r->off + iw_mpa_fpdu_len(d->rx.ulpdu_len);
			d->base = pos;
			iw_fpdu_rx_init(&d->rx, crc, false, 0);
			continue;
		}
		pos = next;
	}
}

/* One connection's handshake as parsed. */
struct hs {
	bool have_req, have_rep;
	struct iw_mpa_frame req, rep;
	int req_len, rep_len;
	bool crc;
	bool fpdu_mode;
};

static void
parse_handshake(const struct iwt_conn *c, struct hs *h)
{
	memset(h, 0, sizeof(*h));
	h->req_len = iw_mpa_parse(c->dir[0].data, c->dir[0].len, false, &h->req);
	h->have_req = h->req_len > 0;
	h->rep_len = iw_mpa_parse(c->dir[1].data, c->dir[1].len, true, &h->rep);
	h->have_rep = h->rep_len > 0;
	if (h->have_req && h->have_rep) {
		h->crc = h->req.crc || h->rep.crc;
		h->fpdu_mode = !h->rep.reject;
	}
}

static int
hexcmp(const uint8_t *b, size_t n, const char *hex)
{
	char tmp[3];
	size_t i;

	if (strlen(hex) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		tmp[0] = hex[2 * i];
		tmp[1] = hex[2 * i + 1];
		tmp[2] = '\0';
		if (strtoul(tmp, NULL, 16) != b[i])
			return -1;
	}
	return 0;
}

static const char *
tshark_op_name(uint8_t op)
{
	static const char *const n[] = {
		"Write", "Read Request", "Read Response", "Send", "Send with Invalidate",
		"Send with SE", "Send with SE and Invalidate", "Terminate",
	};

	return op < RTE_DIM(n) ? n[op] : "?";
}

#define NEED_SHARED() do { \
	if (iwt_shared_dir() == NULL) \
		IWT_SKIP_BECAUSE("../shared/iwarp-vectors not found (set IWARP_SHARED_DIR)"); \
} while (0)

static int
load_pair(const char *name, struct iwt_capture *cap, struct iwt_tshark *ts)
{
	char path[512];

	snprintf(path, sizeof(path), "%s.pcap", name);
	IWT_ASSERT(iwt_pcap_load(iwt_vector_path(path), cap) == 0, "%s: pcap load", name);
	snprintf(path, sizeof(path), "%s.txt", name);
	IWT_ASSERT(iwt_tshark_load(iwt_vector_path(path), ts) == 0, "%s: txt load", name);
	return IWT_PASS;
}

/* ------------------------------------------------------------------------- */

static int
check_mpa_frame(const char *name, const struct iwt_dir *d, const struct iw_mpa_frame *f, int len,
		const struct iwt_tshark *ts)
{
	const struct iwt_mpa_row *row = NULL;
	uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	size_t i;
	int n;

	for (i = 0; i < ts->nmpa; i++)
		if (ts->mpa[i].frame == d->frame[0])
			row = &ts->mpa[i];
	IWT_ASSERT(row != NULL, "%s: no tshark row for MPA frame %u", name, d->frame[0]);
	IWT_ASSERT_EQ(row->sport, d->sport, "%s frame %u", name, row->frame);
	IWT_ASSERT_EQ(row->dport, d->dport, "%s frame %u", name, row->frame);
	IWT_ASSERT_EQ(row->marker, f->markers, "%s frame %u M", name, row->frame);
	IWT_ASSERT_EQ(row->crc, f->crc, "%s frame %u C", name, row->frame);
	IWT_ASSERT_EQ(row->rej, f->reject, "%s frame %u R", name, row->frame);
	IWT_ASSERT_EQ(row->res, f->res, "%s frame %u Res", name, row->frame);
	IWT_ASSERT_EQ(row->rev, f->rev, "%s frame %u Rev", name, row->frame);
	IWT_ASSERT_EQ(row->pd_len, f->pd_len, "%s frame %u PD_Length", name, row->frame);
	IWT_ASSERT(hexcmp(f->pd, f->pd_len, row->pd_hex) == 0, "%s frame %u private data %s",
		name, row->frame, row->pd_hex);
	if (f->enhanced) {
		IWT_ASSERT_EQ(f->ird, ((f->pd[0] << 8) | f->pd[1]) & 0x3fff, "%s", name);
		IWT_ASSERT_EQ(f->ord, ((f->pd[2] << 8) | f->pd[3]) & 0x3fff, "%s", name);
	}
	/* re-encode bit-exact */
	n = iw_mpa_build(f, buf, sizeof(buf));
	IWT_ASSERT_EQ(n, len, "%s frame %u re-encoded length", name, row->frame);
	IWT_ASSERT(memcmp(buf, d->data, (size_t)n) == 0, "%s frame %u re-encoding differs",
		name, row->frame);
	return IWT_PASS;
}

IWT_CASE(mpa_siw_vectors)
{
	size_t i, k, frames = 0;

	NEED_SHARED();
	for (i = 0; i < RTE_DIM(captures); i++) {
		struct iwt_capture cap;
		struct iwt_tshark ts;
		unsigned int n_req = 0, n_rep = 0;

		IWT_RUN(load_pair(captures[i], &cap, &ts));
		for (k = 0; k < cap.nconn; k++) {
			const struct iwt_conn *c = &cap.conns[k];
			struct iw_mpa_params p;
			struct iw_mpa_frame mine;
			struct iw_mpa_result res;
			uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
			uint8_t ecode = 0;
			struct hs h;
			int rc;

			parse_handshake(c, &h);
			if (!h.have_req) {
				/* only the capture cut behind the handshake has none */
				IWT_ASSERT(strstr(captures[i], "no-handshake") != NULL,
					"%s: request not parsed (%d)", captures[i], h.req_len);
				IWT_ASSERT_EQ(h.req_len, -EBADMSG, "%s", captures[i]);
				continue;
			}
			IWT_ASSERT(h.have_rep, "%s: reply not parsed (%d)", captures[i], h.rep_len);
			n_req++;
			n_rep++;
			IWT_RUN(check_mpa_frame(captures[i], &c->dir[0], &h.req, h.req_len, &ts));
			IWT_RUN(check_mpa_frame(captures[i], &c->dir[1], &h.rep, h.rep_len, &ts));
			frames += 2;

			/* our request for the same policy is siw's request, bit for bit */
			iw_mpa_params_default(&p);
			p.rev = h.req.rev;
			p.crc = h.req.crc;
			p.markers_rx = h.req.markers;
			p.p2p = h.req.p2p;
			p.rtr = h.req.rtr;
			p.ird = h.req.ird;
			p.ord = h.req.ord;
			p.ulp_pd = h.req.ulp_pd;
			p.ulp_pd_len = h.req.ulp_pd_len;
			IWT_ASSERT_EQ(iw_mpa_make_request(&p, &mine), 0, "%s", captures[i]);
			if ((h.req.res & ~IW_MPA_F_ENHANCED) == 0 &&
					(h.req.enhanced || h.req.pd_len == 0)) {
				rc = iw_mpa_build(&mine, buf, sizeof(buf));
				IWT_ASSERT(rc == h.req_len && memcmp(buf, c->dir[0].data, rc) == 0,
					"%s: our request differs from siw's", captures[i]);
			}
			/* the initiator's view of siw's reply matches what happened next */
			rc = iw_mpa_negotiate_initiator(&p, &h.req, &h.rep, &res, &ecode);
			if (h.rep.reject) {
				IWT_ASSERT_EQ(rc, -ECONNREFUSED, "%s", captures[i]);
				IWT_ASSERT(c->dir[0].len == (size_t)h.req_len &&
					c->dir[1].len == (size_t)h.rep_len,
					"%s: FPDUs after a reject", captures[i]);
				continue;
			}
			IWT_ASSERT_EQ(rc, 0, "%s: ecode %u", captures[i], ecode);
			IWT_ASSERT_EQ(res.crc, h.req.crc || h.rep.crc, "%s", captures[i]);
			IWT_ASSERT_EQ(res.p2p, h.rep.p2p, "%s", captures[i]);
			if (h.rep.p2p) {
				/*
				 * siw picked a zero-length WRITE: our RTR for that choice is
				 * siw's first FPDU, bit for bit, and our responder would take
				 * siw's as the RTR
				 */
				struct iw_mpa_params pr;
				struct iw_mpa_frame rep;
				struct iw_mpa_result rres;
				struct iw_term_cause cause;
				struct iw_fpdu_tx tx;
				struct iw_hdr rtr, got;

				IWT_ASSERT_EQ(res.rtr, IW_RTR_WRITE, "%s", captures[i]);
				IWT_ASSERT(res.send_rtr, "%s", captures[i]);
				IWT_ASSERT_EQ(iw_mpa_rtr_hdr(res.rtr, &rtr), 0, "");
				iw_fpdu_tx_init(&tx, res.crc, res.markers_tx, 0);
				rc = iw_fpdu_tx_build(&tx, &rtr, NULL, 0, buf, sizeof(buf));
				IWT_ASSERT(rc > 0 && (size_t)(h.req_len + rc) <= c->dir[0].len &&
					memcmp(buf, c->dir[0].data + h.req_len, (size_t)rc) == 0,
					"%s: our RTR differs from siw's", captures[i]);
				iw_mpa_params_default(&pr);
				pr.p2p = true;
				pr.crc = h.rep.crc;
				IWT_ASSERT_EQ(iw_mpa_negotiate_responder(&pr, &h.req, &rep, &rres,
					&ecode), 0, "%s", captures[i]);
				IWT_ASSERT(rres.expect_rtr && rres.rtr == IW_RTR_WRITE, "%s",
					captures[i]);
				IWT_ASSERT(rep.p2p && rep.rtr == h.rep.rtr, "%s", captures[i]);
				rc = iw_hdr_parse(c->dir[0].data + h.req_len + 2,
					c->dir[0].len - h.req_len - 2, 14, &got, &cause);
				IWT_ASSERT(rc == 14 && iw_mpa_rtr_match(&rres, &got, 0),
					"%s: siw's RTR not recognised", captures[i]);
			}
			if (h.rep.enhanced)
				IWT_ASSERT_EQ(res.ord, RTE_MIN(h.req.ord, h.rep.ird), "%s",
					captures[i]);
		}
		IWT_ASSERT_EQ(n_req, iwt_tshark_type_count(&ts, "MPA Request Frame"), "%s",
			captures[i]);
		IWT_ASSERT_EQ(n_rep, iwt_tshark_type_count(&ts, "MPA Reply Frame"), "%s",
			captures[i]);
		IWT_ASSERT_EQ(n_req + n_rep, ts.nmpa, "%s", captures[i]);
		iwt_capture_free(&cap);
		iwt_tshark_free(&ts);
	}
	printf("%zu MPA frames in %zu captures parsed, checked and re-encoded\n", frames,
		RTE_DIM(captures));
	return IWT_PASS;
}

/* ------------------------------------------------------------------------- */

static uint64_t
hex_field(const struct iwt_tframe *f, const char *key, bool *found)
{
	const char *v = iwt_tframe_get(f, key);
	const char *paren;

	*found = v != NULL;
	if (v == NULL)
		return 0;
	/* "Send (0x3)" or "Remote Operation Error (0x2)" */
	paren = strstr(v, "(0x");
	if (paren != NULL)
		return strtoull(paren + 1, NULL, 16);
	return strtoull(v, NULL, 0);
}

static int
check_detail(const char *name, const struct iwt_tframe *tf, const struct rec *r)
{
	bool f;
	uint64_t v;
	const char *s;

	IWT_ASSERT_EQ(hex_field(tf, "ULPDU length", &f), r->rawlen >= 2 ?
		(r->raw[0] << 8 | r->raw[1]) : 0, "%s frame %u", name, tf->frame);
	s = iwt_tframe_get(tf, "CRC check");
	if (s != NULL) {
		v = strtoull(s, NULL, 16);
		IWT_ASSERT_EQ(v, __builtin_bswap32(r->crc_wire), "%s frame %u CRC", name,
			tf->frame);
		IWT_ASSERT_EQ(strstr(s, "Good CRC32") != NULL, !r->crc_bad, "%s frame %u",
			name, tf->frame);
	} else {
		v = hex_field(tf, "CRC", &f);
		IWT_ASSERT(f, "%s frame %u: no CRC line", name, tf->frame);
		IWT_ASSERT_EQ(v, __builtin_bswap32(r->crc_wire), "%s frame %u CRC", name,
			tf->frame);
	}
	s = iwt_tframe_get(tf, "Tagged flag");
	IWT_ASSERT(s != NULL && (strcmp(s, "True") == 0) == r->hdr.tagged, "%s frame %u T",
		name, tf->frame);
	s = iwt_tframe_get(tf, "Last flag");
	IWT_ASSERT(s != NULL && (strcmp(s, "True") == 0) == r->hdr.last, "%s frame %u L",
		name, tf->frame);
	IWT_ASSERT_EQ(hex_field(tf, "DDP protocol version", &f), 1, "%s", name);
	IWT_ASSERT_EQ(hex_field(tf, "Version", &f), 1, "%s", name);
	IWT_ASSERT_EQ(hex_field(tf, "OpCode", &f), r->hdr.opcode, "%s frame %u", name,
		tf->frame);
	if (r->hdr.tagged) {
		IWT_ASSERT_EQ(hex_field(tf, "(Data Sink) Steering Tag", &f), r->hdr.t.stag,
			"%s frame %u", name, tf->frame);
		IWT_ASSERT_EQ(hex_field(tf, "(Data Sink) Tagged offset", &f), r->hdr.t.to,
			"%s frame %u", name, tf->frame);
	} else {
		IWT_ASSERT_EQ(hex_field(tf, "Queue number", &f), r->hdr.u.qn, "%s frame %u", name,
			tf->frame);
		IWT_ASSERT_EQ(hex_field(tf, "Message sequence number", &f), r->hdr.u.msn,
			"%s frame %u", name, tf->frame);
		IWT_ASSERT_EQ(hex_field(tf, "Message offset", &f), r->hdr.u.mo, "%s frame %u",
			name, tf->frame);
	}
	if (r->hdr.opcode == IW_OP_READ_REQ) {
		IWT_ASSERT_EQ(hex_field(tf, "Data Sink STag", &f), r->hdr.rreq.sink_stag, "%s",
			name);
		IWT_ASSERT_EQ(hex_field(tf, "Data Sink Tagged Offset", &f), r->hdr.rreq.sink_to,
			"%s", name);
		IWT_ASSERT_EQ(strtoul(iwt_tframe_get(tf, "RDMA Read Message Size"), NULL, 10),
			r->hdr.rreq.size, "%s", name);
		IWT_ASSERT_EQ(hex_field(tf, "Data Source STag", &f), r->hdr.rreq.src_stag, "%s",
			name);
		IWT_ASSERT_EQ(hex_field(tf, "Data Source Tagged Offset", &f), r->hdr.rreq.src_to,
			"%s", name);
	}
	if (r->hdr.opcode == IW_OP_TERMINATE) {
		/* tshark reads the control word the RFC way: layer = high nibble */
		uint8_t b0 = (uint8_t)(r->hdr.term.ctrl >> 24);

		IWT_ASSERT_EQ(hex_field(tf, "Layer", &f), b0 >> 4, "%s", name);
	}
	return IWT_PASS;
}

/* siw's little-endian bitfield layout of an RFC control word */
static uint32_t
siw_term_ctrl(uint32_t rfc)
{
	uint8_t b0 = rfc >> 24, b1 = (rfc >> 16) & 0xff, b2 = (rfc >> 8) & 0xff;
	uint8_t s0 = (uint8_t)((b0 & 0xf) << 4 | b0 >> 4);
	uint8_t s2 = (uint8_t)((b2 & 0x80 ? 1 : 0) | (b2 & 0x40 ? 2 : 0) | (b2 & 0x20 ? 4 : 0));

	return (uint32_t)s0 << 24 | (uint32_t)b1 << 16 | (uint32_t)s2 << 8;
}

/* Re-encode one FPDU from its parsed header and payload; compare with the wire. */
static int
check_reencode(const char *name, const struct iwt_dir *d, const struct rec *r, bool crc,
		unsigned int *siw_term, unsigned int *dirty_pad)
{
	uint8_t hb[IW_HDR_MAX_LEN], out[70000];
	struct iw_fpdu_tx tx;
	struct iw_seg seg;
	struct iw_hdr h = r->hdr;
	uint32_t ulpdu = (uint32_t)(r->raw[0] << 8 | r->raw[1]);
	uint32_t flen = iw_mpa_fpdu_len(ulpdu);
	uint32_t pad;
	int n;

	if (h.opcode == IW_OP_TERMINATE) {
		struct iw_term_info ti;
		uint8_t body[IW_TERM_LEN + 64];
		uint8_t enc[IW_TERM_LEN + 64];
		uint32_t blen = IW_TERM_LEN + r->payload_len;
		uint32_t rfc_ctrl;

		IWT_ASSERT(r->payload_len <= 60, "%s", name);
		memcpy(body, r->raw + IW_MPA_LEN_FIELD + IW_DDP_UNTAGGED_HDR_LEN, IW_TERM_LEN);
		memcpy(body + IW_TERM_LEN, r->tail, r->payload_len);
		IWT_ASSERT_EQ(iw_term_decode(body, blen, &ti), 0, "%s", name);
		n = iw_term_encode(&ti.cause, ti.seg_len, ti.ddp_hdr, ti.rdmap_hdr, enc,
			sizeof(enc));
		IWT_ASSERT_EQ(n, (int)blen, "%s", name);
		IWT_ASSERT(memcmp(enc + IW_TERM_LEN, body + IW_TERM_LEN, blen - IW_TERM_LEN) == 0,
			"%s: terminated headers re-encode differently", name);
		rfc_ctrl = (uint32_t)enc[0] << 24 | (uint32_t)enc[1] << 16 |
			(uint32_t)enc[2] << 8 | enc[3];
		if (ti.siw_encoding) {
			/* ours is RFC-exact; siw's differs exactly by its bitfield bug */
			IWT_ASSERT(rfc_ctrl != h.term.ctrl, "%s", name);
			IWT_ASSERT_EQ(siw_term_ctrl(rfc_ctrl), h.term.ctrl, "%s", name);
			(*siw_term)++;
		} else {
			IWT_ASSERT_EQ(rfc_ctrl, h.term.ctrl, "%s", name);
		}
	}
	n = iw_hdr_build(&h, hb, sizeof(hb));
	IWT_ASSERT(n == r->hdr.hdr_len && (uint32_t)n + 2 == r->rawlen &&
		memcmp(hb, r->raw + 2, n) == 0, "%s frame %u: header re-encoding differs", name,
		r->frame);
	/* the whole FPDU: length, header, payload, pad, CRC */
	IWT_ASSERT(r->off + flen <= d->len, "%s", name);
	iw_fpdu_tx_init(&tx, crc, false, 0);
	seg.addr = d->data + r->off + 2 + r->hdr.hdr_len;
	seg.len = r->payload_len;
	n = iw_fpdu_tx_build(&tx, &h, &seg, 1, out, sizeof(out));
	IWT_ASSERT_EQ(n, (int)flen, "%s frame %u", name, r->frame);
	pad = iw_mpa_pad(ulpdu);
	if (memcmp(out + 2 + ulpdu, d->data + r->off + 2 + ulpdu, pad) != 0) {
		/*
		 * siw leaves stale bytes in the pad (RFC 5044 says zero, ours are):
		 * take siw's pad, and the CRC over it, and compare the rest.
		 */
		memcpy(out + 2 + ulpdu, d->data + r->off + 2 + ulpdu, pad);
		if (crc)
			iw_mpa_crc_put(out + flen - 4, iw_crc32c(out, flen - 4));
		(*dirty_pad)++;
	}
	if (r->crc_bad) {
		/* a corrupted FPDU: everything but the CRC is the same */
		IWT_ASSERT(memcmp(out, d->data + r->off, flen - 4) == 0, "%s", name);
		IWT_ASSERT_EQ(iw_mpa_crc_get(out + flen - 4), r->crc_calc, "%s", name);
		IWT_ASSERT(memcmp(out + flen - 4, d->data + r->off + flen - 4, 4) != 0, "%s",
			name);
		return IWT_PASS;
	}
	if (h.opcode == IW_OP_TERMINATE && memcmp(out, d->data + r->off, flen) != 0) {
		/* only siw's control word and (so) the CRC may differ */
		IWT_ASSERT(memcmp(out, d->data + r->off, 2 + IW_DDP_UNTAGGED_HDR_LEN) == 0, "%s",
			name);
		IWT_ASSERT(memcmp(out + 2 + 22, d->data + r->off + 2 + 22, flen - 24 - 4) == 0,
			"%s", name);
		return IWT_PASS;
	}
	IWT_ASSERT(memcmp(out, d->data + r->off, flen) == 0,
		"%s frame %u: FPDU re-encoding differs", name, r->frame);
	return IWT_PASS;
}

IWT_CASE(ddp_rdmap_siw_vectors_reencode)
{
	size_t i, k, j, m, total = 0, nterm_siw = 0;
	unsigned int siw_term = 0, dirty_pad = 0;

	NEED_SHARED();
	for (i = 0; i < RTE_DIM(captures); i++) {
		const char *name = captures[i];
		struct iwt_capture cap;
		struct iwt_tshark ts;
		unsigned int good = 0, bad = 0, unchecked = 0, nf = 0, labels = 0, nseg = 0;
		struct { char label[64]; unsigned int n; } hist[32];
		size_t nh = 0, details = 0;

		IWT_RUN(load_pair(name, &cap, &ts));
		for (k = 0; k < cap.nconn; k++) {
			const struct iwt_conn *c = &cap.conns[k];
			struct hs h;

			parse_handshake(c, &h);
			if (!h.have_req) {
				h.fpdu_mode = true;	/* no-handshake: CRC was off */
				h.crc = false;
				h.req_len = 0;
				h.rep_len = 0;
			}
			if (!h.fpdu_mode)
				continue;
			for (j = 0; j < 2; j++) {
				const struct iwt_dir *d = &c->dir[j];
				size_t base = j == 0 ? (size_t)h.req_len : (size_t)h.rep_len;
				struct decode dec;

				decode_dir(&dec, d, base, h.crc, NULL, 0);
				IWT_ASSERT(!dec.oom && !dec.order_error, "%s", name);
				for (m = 0; m < d->nseg; m++)
					nseg += d->segs[m].off >= base;
				for (m = 0; m < dec.n; m++) {
					const struct rec *r = &dec.recs[m];
					const struct iwt_tframe *tf;
					char label[64];
					size_t q;

					IWT_ASSERT(r->complete || r->crc_bad,
						"%s frame %u: FPDU not complete (error %u/%u/%u)",
						name, r->frame, r->cause.layer, r->cause.etype,
						r->cause.ecode);
					nf++;
					if (h.crc)
						r->crc_bad ? bad++ : good++;
					else
						unchecked++;
					snprintf(label, sizeof(label), "%s [%s DDP segment%s]",
						tshark_op_name(r->hdr.opcode),
						r->hdr.last ? "last" : "more",
						r->hdr.last ? "" : "s");
					/*
					 * tshark names a frame once, after the last FPDU
					 * it completes: count frames, not FPDUs
					 */
					if (m + 1 < dec.n && dec.recs[m + 1].frame == r->frame)
						goto labelled;
					for (q = 0; q < nh; q++)
						if (strcmp(hist[q].label, label) == 0)
							break;
					if (q == nh) {
						IWT_ASSERT(nh < RTE_DIM(hist), "%s", name);
						snprintf(hist[nh].label,
							sizeof(hist[0].label), "%s", label);
						hist[nh++].n = 0;
					}
					hist[q].n++;
labelled:
					tf = iwt_tshark_frame(&ts, r->frame);
					if (tf != NULL) {
						IWT_RUN(check_detail(name, tf, r));
						details++;
					}
					IWT_RUN(check_reencode(name, d, r, h.crc, &siw_term,
						&dirty_pad));
					if (r->hdr.opcode == IW_OP_TERMINATE)
						nterm_siw++;
				}
				free(dec.recs);
			}
		}
		/* FPDU counts per type, and CRC verdicts, as tshark saw them */
		if (ts.nmpa == 0) {
			/* tshark cannot decode without the handshake: one FPDU per segment */
			IWT_ASSERT_EQ(nf, nseg, "%s", name);
		} else {
			for (k = 0; k < nh; k++) {
				IWT_ASSERT_EQ(hist[k].n, iwt_tshark_type_count(&ts, hist[k].label),
					"%s: %s", name, hist[k].label);
				labels += hist[k].n;
			}
			for (k = 0; k < ts.ntypes; k++)
				if (strncmp(ts.types[k].label, "MPA ", 4) != 0)
					labels -= ts.types[k].count;
			IWT_ASSERT_EQ(labels, 0, "%s: tshark lists FPDU types we did not see",
				name);
			IWT_ASSERT_EQ(good, ts.crc_good, "%s", name);
			IWT_ASSERT_EQ(bad, ts.crc_bad, "%s", name);
			IWT_ASSERT_EQ(unchecked, ts.crc_unchecked, "%s", name);
			IWT_ASSERT_EQ(details, ts.nframes, "%s: detail blocks matched", name);
		}
		if (strstr(name, "corrupted") != NULL || strstr(name, "badcrc") != NULL)
			IWT_ASSERT_EQ(bad, 1, "%s: the corrupted FPDU is not detected", name);
		else
			IWT_ASSERT_EQ(bad, 0, "%s", name);
		total += nf;
		iwt_capture_free(&cap);
		iwt_tshark_free(&ts);
	}
	IWT_ASSERT_EQ(siw_term, 2, "siw TERMINATEs seen");
	printf("%zu FPDUs in %zu captures parsed and re-encoded bit-exact (%zu TERMINATEs, "
		"%u in siw's encoding; %u with siw's non-zero pad)\n", total, RTE_DIM(captures),
		nterm_siw, siw_term, dirty_pad);
	return IWT_PASS;
}

/* ------------------------------------------------------------------------- */

static int
same_recs(const struct decode *a, const struct decode *b, const char *what)
{
	size_t i;

	IWT_ASSERT_EQ(a->n, b->n, "%s: FPDU count", what);
	IWT_ASSERT(!b->order_error && !b->oom, "%s", what);
	for (i = 0; i < a->n; i++) {
		const struct rec *x = &a->recs[i], *y = &b->recs[i];

		IWT_ASSERT(x->rawlen == y->rawlen && memcmp(x->raw, y->raw, x->rawlen) == 0,
			"%s: FPDU %zu header", what, i);
		IWT_ASSERT(x->payload_len == y->payload_len && x->payload_seen == y->payload_seen &&
			x->payload_crc == y->payload_crc, "%s: FPDU %zu payload", what, i);
		IWT_ASSERT(x->complete == y->complete && x->crc_bad == y->crc_bad &&
			x->crc_wire == y->crc_wire && x->crc_calc == y->crc_calc &&
			x->error == y->error && x->off == y->off, "%s: FPDU %zu verdict", what, i);
	}
	return IWT_PASS;
}

static int
split_one(const char *name, size_t limit)
{
	struct iwt_capture cap;
	size_t k, j, c, r, cuts[256];
	char path[512];
	unsigned int runs = 0;

	snprintf(path, sizeof(path), "%s.pcap", name);
	IWT_ASSERT(iwt_pcap_load(iwt_vector_path(path), &cap) == 0, "%s", name);
	srand(7);
	for (k = 0; k < cap.nconn; k++) {
		struct hs h;

		parse_handshake(&cap.conns[k], &h);
		if (!h.fpdu_mode)
			continue;
		for (j = 0; j < 2; j++) {
			struct iwt_dir d = cap.conns[k].dir[j];
			size_t base = j == 0 ? (size_t)h.req_len : (size_t)h.rep_len;
			struct decode ref, alt;

			if (d.len <= base)
				continue;
			if (d.len - base > limit)
				d.len = base + limit;
			/* reference: one chunk */
			{
				size_t none[1] = { d.len };

				decode_dir(&ref, &d, base, h.crc, none, 1);
			}
			IWT_ASSERT(ref.n > 0, "%s: no FPDU", name);
			/* every two-way cut */
			for (c = base + 1; c < d.len; c++) {
				decode_dir(&alt, &d, base, h.crc, &c, 1);
				IWT_RUN(same_recs(&ref, &alt, name));
				free(alt.recs);
				runs++;
			}
			/* the captured segmentation, byte by byte, random */
			decode_dir(&alt, &d, base, h.crc, NULL, 0);
			IWT_RUN(same_recs(&ref, &alt, name));
			free(alt.recs);
			for (r = 0; r < 100; r++) {
				size_t pos = base, n = 0;

				while (pos < d.len && n < RTE_DIM(cuts)) {
					pos += 1 + (size_t)rand() % (r < 50 ? 8 : 300);
					cuts[n++] = pos;
				}
				decode_dir(&alt, &d, base, h.crc, cuts, n);
				IWT_RUN(same_recs(&ref, &alt, name));
				free(alt.recs);
				runs++;
			}
			free(ref.recs);
		}
	}
	iwt_capture_free(&cap);
	printf("%s: %u segmentations decoded identically\n", name, runs);
	return IWT_PASS;
}

IWT_CASE(fpdu_rx_split_every_boundary)
{
	NEED_SHARED();
	IWT_RUN(split_one("rping_crc-on", SIZE_MAX));
	IWT_RUN(split_one("rping_p2p", SIZE_MAX));
	IWT_RUN(split_one("pdpeer_privdata_crc-on", SIZE_MAX));
	IWT_RUN(split_one("terminate_badstag_from_netns", SIZE_MAX));
	IWT_RUN(split_one("terminate_badcrc_from_netns", SIZE_MAX));
	IWT_RUN(split_one("derived/rping_crc-on_corrupted-frame8", SIZE_MAX));
	IWT_RUN(split_one("write_bw_crc-on", 6000));
	IWT_RUN(split_one("send_bw_crc-off", 6000));
	return IWT_PASS;
}

/* ------------------------------------------------------------------------- */

/*
 * Cut the first multi-segment message of a capture again with our DDP
 * segmentation at siw's FPDU size: the FPDUs must come out byte for byte as siw
 * sent them (headers with advancing TO/MO, Last flag, pad, CRC).
 */
static int
resegment_one(const char *name, uint8_t opcode)
{
	struct iwt_capture cap;
	static uint8_t msg[1 << 20], out[70000];
	size_t k, j, m;
	bool done = false;

	IWT_ASSERT(iwt_pcap_load(iwt_vector_path(name), &cap) == 0, "%s", name);
	for (k = 0; k < cap.nconn && !done; k++) {
		struct hs h;

		parse_handshake(&cap.conns[k], &h);
		if (!h.fpdu_mode)
			continue;
		for (j = 0; j < 2 && !done; j++) {
			const struct iwt_dir *d = &cap.conns[k].dir[j];
			size_t base = j == 0 ? (size_t)h.req_len : (size_t)h.rep_len;
			struct decode dec;
			size_t first = SIZE_MAX, last = 0, total = 0, wire_off, mss;
			struct iw_ddp_seg_iter it;
			struct iw_fpdu_tx tx;
			struct iw_hdr seg;
			uint32_t off, nseg = 0;
			int n;

			decode_dir(&dec, d, base, h.crc, NULL, 0);
			for (m = 0; m < dec.n; m++) {
				if (first == SIZE_MAX && dec.recs[m].hdr.opcode == opcode &&
						!dec.recs[m].hdr.last)
					first = m;
				if (first != SIZE_MAX && dec.recs[m].hdr.last) {
					last = m;
					break;
				}
			}
			if (first == SIZE_MAX || m == dec.n) {
				free(dec.recs);
				continue;
			}
			for (m = first; m <= last; m++) {
				const struct rec *r = &dec.recs[m];

				IWT_ASSERT(total + r->payload_len <= sizeof(msg), "%s", name);
				memcpy(msg + total, d->data + r->off + 2 + r->hdr.hdr_len,
					r->payload_len);
				total += r->payload_len;
			}
			mss = iw_mpa_fpdu_len(dec.recs[first].payload_len +
				dec.recs[first].hdr.hdr_len);
			iw_fpdu_tx_init(&tx, h.crc, false, 0);
			iw_ddp_seg_init(&it, &dec.recs[first].hdr, (uint32_t)total);
			wire_off = dec.recs[first].off;
			while ((n = iw_ddp_seg_next(&it, iw_fpdu_tx_max_ulpdu(&tx, (uint32_t)mss),
					&seg, &off)) >= 0) {
				struct iw_seg ps = { .addr = msg + off, .len = (uint32_t)n };
				int w = iw_fpdu_tx_build(&tx, &seg, &ps, 1, out, sizeof(out));

				IWT_ASSERT(w > 0 && (size_t)w <= mss, "%s", name);
				IWT_ASSERT(wire_off + (size_t)w <= d->len &&
					memcmp(out, d->data + wire_off, (size_t)w) == 0,
					"%s: FPDU %u of the message differs from siw's", name,
					nseg);
				wire_off += (size_t)w;
				nseg++;
			}
			IWT_ASSERT_EQ(n, -ENOENT, "%s", name);
			IWT_ASSERT_EQ(nseg, last - first + 1, "%s: segment count", name);
			printf("%s: %s of %zu bytes re-segmented at MSS %zu into %u FPDUs, "
				"identical to siw's\n", name, iw_opcode_name(opcode), total, mss,
				nseg);
			done = true;
			free(dec.recs);
		}
	}
	iwt_capture_free(&cap);
	IWT_ASSERT(done, "%s: no multi-FPDU %s message found", name, iw_opcode_name(opcode));
	return IWT_PASS;
}

IWT_CASE(ddp_segmentation_matches_siw)
{
	NEED_SHARED();
	IWT_RUN(resegment_one("write_bw_crc-on.pcap", IW_OP_WRITE));
	IWT_RUN(resegment_one("write_bw_crc-off.pcap", IW_OP_WRITE));
	IWT_RUN(resegment_one("read_bw_crc-on.pcap", IW_OP_READ_RESP));
	IWT_RUN(resegment_one("send_bw_crc-on.pcap", IW_OP_SEND));
	IWT_RUN(resegment_one("send_bw_crc-off.pcap", IW_OP_SEND));
	return IWT_PASS;
}
