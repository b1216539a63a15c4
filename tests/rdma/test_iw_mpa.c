/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPA frames and negotiation (RFC 5044, RFC 6581).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iw_fpdu.h"
#include "iw_mpa.h"
#include "iwt.h"

/* Independent statement of the rules, for the matrix below. */
struct expect {
	int rc_resp;		/* 0 or -ECONNREFUSED */
	uint8_t resp_ecode;
	int rc_init;		/* 0, -ECONNREFUSED, -EPROTO */
	uint8_t init_ecode;
	uint8_t rev;
	bool crc;
	uint8_t rtr;
	uint16_t resp_ord, init_ord;
};

static uint8_t
first_rtr(uint8_t set)
{
	return (set & IW_RTR_WRITE) ? IW_RTR_WRITE : (set & IW_RTR_READ) ? IW_RTR_READ :
		(set & IW_RTR_SEND) ? IW_RTR_SEND : 0;
}

static void
oracle(const struct iw_mpa_params *i, const struct iw_mpa_params *r, struct expect *e)
{
	bool v2;

	memset(e, 0, sizeof(*e));
	e->rev = RTE_MIN(i->rev, r->rev);
	v2 = e->rev == 2;
	e->crc = i->crc || r->crc;
	if ((r->crc_strict && i->crc != r->crc) || (i->markers_rx && !r->markers_tx_ok)) {
		e->rc_resp = -ECONNREFUSED;
		e->resp_ecode = IW_LLP_EC_INVALID_RR;
		e->rc_init = -ECONNREFUSED;
		return;
	}
	if (v2 && i->p2p && r->p2p) {
		e->rtr = first_rtr(i->rtr & r->rtr);
		if (e->rtr == 0) {
			e->rc_resp = -ECONNREFUSED;
			e->resp_ecode = IW_LLP_EC_NO_MATCHING_RTR;
			e->rc_init = -ECONNREFUSED;
			return;
		}
	}
	/* the initiator's own checks on the reply */
	if (i->crc_strict && (i->crc || r->crc) != i->crc) {
		e->rc_init = -EPROTO;
		e->init_ecode = IW_LLP_EC_INVALID_RR;
		return;
	}
	if (r->markers_rx && !i->markers_tx_ok) {
		e->rc_init = -EPROTO;
		e->init_ecode = IW_LLP_EC_INVALID_RR;
		return;
	}
	e->resp_ord = v2 ? RTE_MIN(r->ord, i->ird) : r->ord;
	e->init_ord = i->ord;
	if (v2 && r->ird < i->ord) {
		if (i->ird_ord_strict) {
			e->rc_init = -EPROTO;
			e->init_ecode = IW_LLP_EC_INSUFFICIENT_IRD;
			return;
		}
		e->init_ord = r->ird;
	}
}

IWT_CASE(mpa_v2_negotiation_matrix)
{
	static const uint8_t rtr_i[] = { 0, IW_RTR_WRITE, IW_RTR_READ, IW_RTR_SEND,
		IW_RTR_READ | IW_RTR_SEND, IW_RTR_ALL };
	static const uint8_t rtr_r[] = { IW_RTR_ALL, IW_RTR_SEND, IW_RTR_READ | IW_RTR_SEND };
	static const uint16_t irdord[][4] = {	/* i.ird, i.ord, r.ird, r.ord */
		{ 1, 1, 1, 1 }, { 128, 128, 128, 128 }, { 4, 16, 8, 2 }, { 16, 4, 2, 32 },
	};
	static const char ipd[] = "initiator private data";
	static const char rpd[] = "the responder's";
	unsigned int bits, a, b, c, runs = 0, accepted = 0, refused = 0, failed = 0;

	for (bits = 0; bits < (1u << 12); bits++)
		for (a = 0; a < RTE_DIM(rtr_i); a++)
			for (b = 0; b < RTE_DIM(rtr_r); b++)
				for (c = 0; c < RTE_DIM(irdord); c++) {
	struct iw_mpa_params pi, pr;
	struct iw_mpa_frame req, rq, rep, rp;
	struct iw_mpa_result ri, rr;
	uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	uint8_t ec_r = 0, ec_i = 0;
	struct expect e;
	int n, rc;

	iw_mpa_params_default(&pi);
	iw_mpa_params_default(&pr);
	pi.rev = (bits & 1) ? 1 : 2;
	pr.rev = (bits & 2) ? 1 : 2;
	pi.crc = (bits & 4) != 0;
	pr.crc = (bits & 8) != 0;
	pr.crc_strict = (bits & 16) != 0;
	pi.crc_strict = (bits & 32) != 0 && (bits & 16) != 0;
	pi.markers_rx = (bits & 64) != 0;
	pr.markers_rx = (bits & 128) != 0;
	pr.markers_tx_ok = (bits & 256) != 0;
	pi.markers_tx_ok = (bits & 256) == 0 || (bits & 512) != 0;
	pi.p2p = (bits & 1024) != 0;
	pr.p2p = (bits & 2048) != 0;
	pi.ird_ord_strict = (bits & 512) != 0;
	pi.rtr = rtr_i[a];
	pr.rtr = rtr_r[b];
	pi.ird = irdord[c][0];
	pi.ord = irdord[c][1];
	pr.ird = irdord[c][2];
	pr.ord = irdord[c][3];
	pi.ulp_pd = ipd;
	pi.ulp_pd_len = sizeof(ipd);
	pr.ulp_pd = rpd;
	pr.ulp_pd_len = sizeof(rpd);
	oracle(&pi, &pr, &e);
	runs++;

	/* initiator -> wire -> responder */
	IWT_ASSERT_EQ(iw_mpa_make_request(&pi, &req), 0, "");
	n = iw_mpa_build(&req, buf, sizeof(buf));
	IWT_ASSERT_EQ(n, IW_MPA_RR_HDR_LEN + sizeof(ipd) + (pi.rev == 2 ? 4 : 0), "");
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, false, &rq), n, "");
	IWT_ASSERT(rq.rev == pi.rev && rq.crc == pi.crc && rq.markers == pi.markers_rx &&
		rq.enhanced == (pi.rev == 2) && rq.ulp_pd_len == sizeof(ipd) &&
		memcmp(rq.ulp_pd, ipd, sizeof(ipd)) == 0, "request fields");
	if (rq.enhanced)
		IWT_ASSERT(rq.ird == pi.ird && rq.ord == pi.ord && rq.p2p == pi.p2p &&
			rq.rtr == (pi.p2p ? pi.rtr : 0), "IRD/ORD words");
	rc = iw_mpa_negotiate_responder(&pr, &rq, &rep, &rr, &ec_r);
	IWT_ASSERT_EQ(rc, e.rc_resp, "responder, case bits %#x rtr %u/%u", bits, a, b);
	if (rc < 0)
		IWT_ASSERT_EQ(ec_r, e.resp_ecode, "reject reason, bits %#x", bits);

	/* responder -> wire -> initiator */
	n = iw_mpa_build(&rep, buf, sizeof(buf));
	IWT_ASSERT(n >= IW_MPA_RR_HDR_LEN, "");
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, true, &rp), n, "");
	IWT_ASSERT_EQ(rp.reject, rc < 0, "");
	IWT_ASSERT_EQ(rp.rev, e.rev, "");
	rc = iw_mpa_negotiate_initiator(&pi, &req, &rp, &ri, &ec_i);
	IWT_ASSERT_EQ(rc, e.rc_init, "initiator, case bits %#x rtr %u/%u ird/ord %u", bits, a,
		b, c);
	if (rc == -EPROTO)
		IWT_ASSERT_EQ(ec_i, e.init_ecode, "bits %#x", bits);
	if (rc == -ECONNREFUSED) {
		refused++;
		continue;
	}
	if (rc < 0) {
		failed++;
		continue;
	}
	accepted++;
	/* both sides agree, and with the rules */
	IWT_ASSERT(ri.rev == e.rev && rr.rev == e.rev, "");
	IWT_ASSERT(ri.crc == e.crc && rr.crc == e.crc, "CRC bits %#x", bits);
	IWT_ASSERT(ri.markers_tx == pr.markers_rx && rr.markers_rx == pr.markers_rx, "");
	IWT_ASSERT(rr.markers_tx == pi.markers_rx && ri.markers_rx == pi.markers_rx, "");
	IWT_ASSERT(ri.p2p == (e.rtr != 0) && rr.p2p == (e.rtr != 0), "p2p bits %#x", bits);
	IWT_ASSERT(ri.rtr == e.rtr && rr.rtr == e.rtr, "RTR bits %#x", bits);
	IWT_ASSERT(ri.send_rtr == (e.rtr != 0) && !ri.expect_rtr, "");
	IWT_ASSERT(rr.expect_rtr == (e.rtr != 0) && !rr.send_rtr, "");
	IWT_ASSERT_EQ(rr.ord, e.resp_ord, "responder ORD");
	IWT_ASSERT_EQ(ri.ord, e.init_ord, "initiator ORD");
	IWT_ASSERT(ri.ird_ord_known == (e.rev == 2) && rr.ird_ord_known == (e.rev == 2), "");
	/* the responder never sends more READs than the initiator takes, and back */
	if (e.rev == 2)
		IWT_ASSERT(rr.ord <= pi.ird && ri.ord <= pr.ird, "");
	IWT_ASSERT(rp.ulp_pd_len == sizeof(rpd) && memcmp(rp.ulp_pd, rpd, sizeof(rpd)) == 0,
		"reply private data");
				}
	IWT_ASSERT(accepted > 0 && refused > 0 && failed > 0, "%u %u %u", accepted, refused,
		failed);
	printf("%u negotiations: %u agreed, %u rejected by the responder, %u failed by the "
		"initiator\n", runs, accepted, refused, failed);
	return IWT_PASS;
}

IWT_CASE(mpa_frame_parse_errors)
{
	static uint8_t pd[IW_MPA_PD_MAX + 1];
	uint8_t buf[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX + 8];
	struct iw_mpa_params p;
	struct iw_mpa_frame f, g;
	unsigned int i;
	int n;

	/* private data: 512 bytes is the limit (IRD/ORD words count) */
	iw_mpa_params_default(&p);
	p.ulp_pd = pd;
	p.ulp_pd_len = IW_MPA_PD_MAX - IW_MPA_V2_LEN;
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
	n = iw_mpa_build(&f, buf, sizeof(buf));
	IWT_ASSERT_EQ(n, IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX, "");
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, false, &g), n, "");
	IWT_ASSERT_EQ(iw_mpa_build(&f, buf, (size_t)n - 1), -ENOSPC, "");
	/* every strict prefix needs more */
	for (i = 0; i < (unsigned int)n; i++)
		IWT_ASSERT_EQ(iw_mpa_parse(buf, i, false, &g), -EAGAIN, "prefix %u", i);
	/* the wrong key fails as soon as a byte differs */
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, true, &g), -EBADMSG, "");
	IWT_ASSERT_EQ(iw_mpa_parse(buf, 12, true, &g), -EBADMSG, "");
	p.ulp_pd_len++;
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), -EMSGSIZE, "");
	f.ulp_pd_len = p.ulp_pd_len;
	IWT_ASSERT_EQ(iw_mpa_build(&f, buf, sizeof(buf)), -EMSGSIZE, "");
	p.rev = 1;
	p.ulp_pd_len = IW_MPA_PD_MAX;
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
	p.ulp_pd_len = IW_MPA_PD_MAX + 1;
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), -EMSGSIZE, "");
	p.rev = 3;
	p.ulp_pd_len = 0;
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), -EINVAL, "");

	/* a PD_Length over 512 is refused from the header alone */
	iw_mpa_params_default(&p);
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
	n = iw_mpa_build(&f, buf, sizeof(buf));
	buf[18] = 0x02;
	buf[19] = 0x01;
	IWT_ASSERT_EQ(iw_mpa_parse(buf, IW_MPA_RR_HDR_LEN, false, &g), -EMSGSIZE, "");
	buf[18] = 0;
	buf[19] = 4;
	/* R in a request, revision 0, rev 2 with E but no IRD/ORD words */
	buf[16] |= IW_MPA_F_REJECT;
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, false, &g), -EBADMSG, "");
	buf[16] &= ~IW_MPA_F_REJECT;
	buf[17] = 0;
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, false, &g), -EBADMSG, "");
	buf[17] = 2;
	buf[19] = 2;
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, false, &g), -EBADMSG, "");
	/* rev 2 without E: no IRD/ORD words, all private data is the ULP's */
	buf[16] &= ~IW_MPA_F_ENHANCED;
	IWT_ASSERT_EQ(iw_mpa_parse(buf, (size_t)n, false, &g), IW_MPA_RR_HDR_LEN + 2, "");
	IWT_ASSERT(!g.enhanced && g.ulp_pd_len == 2, "");

	/* a reply parsed as a request and a request handed to the responder as reply */
	iw_mpa_params_default(&p);
	IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
	f.reply = true;
	{
		struct iw_mpa_frame rep;
		struct iw_mpa_result res;
		uint8_t ec = 0;

		IWT_ASSERT_EQ(iw_mpa_negotiate_responder(&p, &f, &rep, &res, &ec),
			-ECONNREFUSED, "");
		IWT_ASSERT_EQ(ec, IW_LLP_EC_INVALID_RR, "");
		IWT_ASSERT(rep.reject && rep.reply, "");
		/* an initiator refuses a reply that raises the revision */
		p.rev = 1;
		IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
		g = f;
		g.reply = true;
		g.rev = 2;
		IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&p, &f, &g, &res, &ec), -EPROTO, "");
		/* or that picks an RTR it was not offered, or two */
		iw_mpa_params_default(&p);
		p.p2p = true;
		p.rtr = IW_RTR_READ;
		IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
		g = f;
		g.reply = true;
		g.rtr = IW_RTR_WRITE;
		IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&p, &f, &g, &res, &ec), -EPROTO, "");
		IWT_ASSERT_EQ(ec, IW_LLP_EC_NO_MATCHING_RTR, "");
		p.rtr = IW_RTR_ALL;
		IWT_ASSERT_EQ(iw_mpa_make_request(&p, &f), 0, "");
		g = f;
		g.reply = true;
		g.rtr = IW_RTR_WRITE | IW_RTR_READ;
		IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&p, &f, &g, &res, &ec), -EPROTO, "");
		/* or whose ORD exceeds our IRD */
		g.rtr = IW_RTR_READ;
		g.ord = (uint16_t)(p.ird + 1);
		IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&p, &f, &g, &res, &ec), -EPROTO, "");
		IWT_ASSERT_EQ(ec, IW_LLP_EC_INSUFFICIENT_IRD, "");
		g.ord = p.ird;
		IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&p, &f, &g, &res, &ec), 0, "");
		IWT_ASSERT(res.p2p && res.rtr == IW_RTR_READ && res.send_rtr, "");
	}
	return IWT_PASS;
}

/* Each RTR type, built by the initiator, framed, received, matched by the responder. */
IWT_CASE(mpa_p2p_rtr_messages)
{
	static const uint8_t types[] = { IW_RTR_WRITE, IW_RTR_READ, IW_RTR_SEND };
	unsigned int a, b, crc;

	for (a = 0; a < RTE_DIM(types); a++)
		for (crc = 0; crc < 2; crc++) {
			struct iw_mpa_params pi, pr;
			struct iw_mpa_frame req, rep;
			struct iw_mpa_result ri, rr, other;
			struct iw_term_cause cause;
			struct iw_fpdu_tx tx;
			struct iw_hdr h, got;
			uint8_t buf[128], ec;
			int n;

			iw_mpa_params_default(&pi);
			iw_mpa_params_default(&pr);
			pi.p2p = pr.p2p = true;
			pi.crc = crc;
			pr.rtr = types[a];
			IWT_ASSERT_EQ(iw_mpa_make_request(&pi, &req), 0, "");
			IWT_ASSERT_EQ(iw_mpa_negotiate_responder(&pr, &req, &rep, &rr, &ec), 0, "");
			IWT_ASSERT_EQ(iw_mpa_negotiate_initiator(&pi, &req, &rep, &ri, &ec), 0, "");
			IWT_ASSERT(ri.rtr == types[a] && rr.rtr == types[a] && ri.send_rtr &&
				rr.expect_rtr, "");
			IWT_ASSERT_EQ(iw_mpa_rtr_hdr(ri.rtr, &h), 0, "");
			iw_fpdu_tx_init(&tx, ri.crc, false, 0);
			n = iw_fpdu_tx_build(&tx, &h, NULL, 0, buf, sizeof(buf));
			IWT_ASSERT(n > 0, "");
			IWT_ASSERT_EQ((buf[0] << 8 | buf[1]), iw_opcode_table[h.opcode].hdr_len,
				"");
			IWT_ASSERT(iw_hdr_parse(buf + 2, (size_t)n - 2, (uint32_t)(buf[0] << 8 |
				buf[1]), &got, &cause) > 0, "");
			IWT_ASSERT(iw_mpa_rtr_match(&rr, &got, 0), "type %u", types[a]);
			IWT_ASSERT(!iw_mpa_rtr_match(&rr, &got, 1), "RTR with payload");
			if (got.tagged)
				IWT_ASSERT(got.t.stag != 0, "STag 0 on the wire");
			else if (got.opcode == IW_OP_READ_REQ)
				IWT_ASSERT(got.rreq.sink_stag != 0 && got.rreq.src_stag != 0, "");
			/* an RTR of another type is not the agreed one */
			for (b = 0; b < RTE_DIM(types); b++) {
				if (b == a)
					continue;
				other = rr;
				other.rtr = types[b];
				IWT_ASSERT(!iw_mpa_rtr_match(&other, &got, 0), "%u as %u", types[a],
					types[b]);
			}
			other = rr;
			other.expect_rtr = false;
			IWT_ASSERT(!iw_mpa_rtr_match(&other, &got, 0), "");
		}
	IWT_ASSERT_EQ(iw_mpa_rtr_hdr(IW_RTR_WRITE | IW_RTR_READ, &(struct iw_hdr){ 0 }),
		-EINVAL, "");
	IWT_ASSERT_EQ(iw_mpa_rtr_hdr(0, &(struct iw_hdr){ 0 }), -EINVAL, "");
	return IWT_PASS;
}
