/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPA request/reply frames and their negotiation (RFC 5044, RFC 6581).
 */
#include <errno.h>
#include <string.h>

#include "iw_mpa.h"

void
iw_mpa_params_default(struct iw_mpa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->rev = IW_MPA_REV2;
	p->crc = true;
	p->markers_tx_ok = true;
	p->rtr = IW_RTR_ALL;
	p->ird = 1;
	p->ord = 1;
}

int
iw_mpa_parse(const void *buf, size_t len, bool reply, struct iw_mpa_frame *out)
{
	const uint8_t *b = buf;
	uint16_t ird, ord;
	uint32_t total;

	if (len < IW_MPA_RR_HDR_LEN) {
		/* fail early on a wrong key: no need to wait for the rest */
		if (memcmp(b, reply ? IW_MPA_KEY_REP : IW_MPA_KEY_REQ,
				RTE_MIN(len, (size_t)IW_MPA_KEY_LEN)) != 0)
			return -EBADMSG;
		return -EAGAIN;
	}
	if (memcmp(b, reply ? IW_MPA_KEY_REP : IW_MPA_KEY_REQ, IW_MPA_KEY_LEN) != 0)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->reply = reply;
	out->markers = (b[16] & IW_MPA_F_MARKERS) != 0;
	out->crc = (b[16] & IW_MPA_F_CRC) != 0;
	out->reject = (b[16] & IW_MPA_F_REJECT) != 0;
	out->res = b[16] & IW_MPA_F_RES_MASK;
	out->rev = b[17];
	out->pd_len = (uint16_t)(b[18] << 8 | b[19]);
	if (out->pd_len > IW_MPA_PD_MAX)
		return -EMSGSIZE;
	if ((out->reject && !reply) || out->rev == 0)
		return -EBADMSG;
	total = IW_MPA_RR_HDR_LEN + out->pd_len;
	if (len < total)
		return -EAGAIN;
	out->pd = b + IW_MPA_RR_HDR_LEN;
	out->ulp_pd = out->pd;
	out->ulp_pd_len = out->pd_len;
	if (out->rev == IW_MPA_REV2 && (out->res & IW_MPA_F_ENHANCED)) {
		if (out->pd_len < IW_MPA_V2_LEN)
			return -EBADMSG;
		out->enhanced = true;
		ird = (uint16_t)(out->pd[0] << 8 | out->pd[1]);
		ord = (uint16_t)(out->pd[2] << 8 | out->pd[3]);
		out->ird = ird & IW_MPA_V2_VALUE_MASK;
		out->ord = ord & IW_MPA_V2_VALUE_MASK;
		out->p2p = (ird & 0x8000) != 0;
		out->rtr = ((ird & 0x4000) ? IW_RTR_SEND : 0) |
			((ord & 0x8000) ? IW_RTR_WRITE : 0) |
			((ord & 0x4000) ? IW_RTR_READ : 0);
		out->ulp_pd = out->pd + IW_MPA_V2_LEN;
		out->ulp_pd_len = out->pd_len - IW_MPA_V2_LEN;
	}
	return (int)total;
}

int
iw_mpa_build(const struct iw_mpa_frame *f, void *buf, size_t len)
{
	uint8_t *b = buf;
	uint32_t pd_len = f->ulp_pd_len + (f->enhanced ? IW_MPA_V2_LEN : 0);
	uint16_t ird, ord;
	uint8_t *p;

	if (pd_len > IW_MPA_PD_MAX)
		return -EMSGSIZE;
	if (len < IW_MPA_RR_HDR_LEN + pd_len)
		return -ENOSPC;
	memcpy(b, f->reply ? IW_MPA_KEY_REP : IW_MPA_KEY_REQ, IW_MPA_KEY_LEN);
	b[16] = (f->markers ? IW_MPA_F_MARKERS : 0) | (f->crc ? IW_MPA_F_CRC : 0) |
		(f->reject ? IW_MPA_F_REJECT : 0) | (f->res & IW_MPA_F_RES_MASK) |
		(f->enhanced ? IW_MPA_F_ENHANCED : 0);
	b[17] = f->rev;
	b[18] = (uint8_t)(pd_len >> 8);
	b[19] = pd_len & 0xff;
	p = b + IW_MPA_RR_HDR_LEN;
	if (f->enhanced) {
		ird = (f->ird & IW_MPA_V2_VALUE_MASK) | (f->p2p ? 0x8000 : 0) |
			((f->rtr & IW_RTR_SEND) ? 0x4000 : 0);
		ord = (f->ord & IW_MPA_V2_VALUE_MASK) | ((f->rtr & IW_RTR_WRITE) ? 0x8000 : 0) |
			((f->rtr & IW_RTR_READ) ? 0x4000 : 0);
		p[0] = ird >> 8;
		p[1] = ird & 0xff;
		p[2] = ord >> 8;
		p[3] = ord & 0xff;
		p += IW_MPA_V2_LEN;
	}
	if (f->ulp_pd_len > 0)
		memcpy(p, f->ulp_pd, f->ulp_pd_len);
	return (int)(IW_MPA_RR_HDR_LEN + pd_len);
}

int
iw_mpa_make_request(const struct iw_mpa_params *p, struct iw_mpa_frame *req)
{
	if (p->rev != IW_MPA_REV1 && p->rev != IW_MPA_REV2)
		return -EINVAL;
	memset(req, 0, sizeof(*req));
	req->markers = p->markers_rx;
	req->crc = p->crc;
	req->rev = p->rev;
	if (p->rev == IW_MPA_REV2) {
		req->enhanced = true;
		req->res = IW_MPA_F_ENHANCED;
		req->ird = p->ird & IW_MPA_V2_VALUE_MASK;
		req->ord = p->ord & IW_MPA_V2_VALUE_MASK;
		req->p2p = p->p2p;
		req->rtr = p->p2p ? (p->rtr & IW_RTR_ALL) : 0;
	}
	req->ulp_pd = p->ulp_pd;
	req->ulp_pd_len = p->ulp_pd_len;
	req->pd_len = req->ulp_pd_len + (req->enhanced ? IW_MPA_V2_LEN : 0);
	if (req->pd_len > IW_MPA_PD_MAX)
		return -EMSGSIZE;
	return 0;
}

/* Our preference among RTR types: WRITE (what siw and others expect), READ, SEND. */
static uint8_t
pick_rtr(uint8_t offered)
{
	if (offered & IW_RTR_WRITE)
		return IW_RTR_WRITE;
	if (offered & IW_RTR_READ)
		return IW_RTR_READ;
	if (offered & IW_RTR_SEND)
		return IW_RTR_SEND;
	return 0;
}

static int
reject(struct iw_mpa_frame *rep, uint8_t *ecode, uint8_t why)
{
	rep->reject = true;
	rep->p2p = false;
	rep->rtr = 0;
	rep->ird = 0;
	rep->ord = 0;
	rep->ulp_pd = NULL;
	rep->ulp_pd_len = 0;
	rep->pd_len = rep->enhanced ? IW_MPA_V2_LEN : 0;
	if (ecode != NULL)
		*ecode = why;
	return -ECONNREFUSED;
}

int
iw_mpa_negotiate_responder(const struct iw_mpa_params *p, const struct iw_mpa_frame *req,
		struct iw_mpa_frame *rep, struct iw_mpa_result *res, uint8_t *ecode)
{
	uint8_t rtr;

	memset(rep, 0, sizeof(*rep));
	memset(res, 0, sizeof(*res));
	rep->reply = true;
	rep->rev = req->rev != 0 ? RTE_MIN(req->rev, p->rev) : p->rev;
	if (rep->rev == IW_MPA_REV2 && req->enhanced) {
		rep->enhanced = true;
		rep->res = IW_MPA_F_ENHANCED;
	}
	res->rev = rep->rev;
	res->crc = req->crc || p->crc;
	rep->crc = res->crc;
	rep->markers = p->markers_rx;
	res->markers_rx = p->markers_rx;
	res->markers_tx = req->markers;
	if (req->reply || req->reject || req->rev == 0)
		return reject(rep, ecode, IW_LLP_EC_INVALID_RR);
	if (p->crc_strict && req->crc != p->crc)
		return reject(rep, ecode, IW_LLP_EC_INVALID_RR);
	if (req->markers && !p->markers_tx_ok)
		return reject(rep, ecode, IW_LLP_EC_INVALID_RR);

	res->ird = p->ird;
	res->ord = p->ord;
	if (rep->enhanced) {
		res->ird_ord_known = true;
		/* never more outstanding READs than the initiator can take */
		res->ord = RTE_MIN(p->ord, req->ird);
		rep->ird = res->ird;
		rep->ord = res->ord;
		if (req->p2p && p->p2p) {
			rtr = pick_rtr(req->rtr & p->rtr);
			if (rtr == 0)
				return reject(rep, ecode, IW_LLP_EC_NO_MATCHING_RTR);
			rep->p2p = true;
			rep->rtr = rtr;
			res->p2p = true;
			res->rtr = rtr;
			res->expect_rtr = true;
		}
	}
	rep->ulp_pd = p->ulp_pd;
	rep->ulp_pd_len = p->ulp_pd_len;
	rep->pd_len = rep->ulp_pd_len + (rep->enhanced ? IW_MPA_V2_LEN : 0);
	if (rep->pd_len > IW_MPA_PD_MAX)
		return reject(rep, ecode, IW_LLP_EC_LOCAL_CATA);
	return 0;
}

static int
violation(uint8_t *ecode, uint8_t why)
{
	if (ecode != NULL)
		*ecode = why;
	return -EPROTO;
}

int
iw_mpa_negotiate_initiator(const struct iw_mpa_params *p, const struct iw_mpa_frame *req,
		const struct iw_mpa_frame *rep, struct iw_mpa_result *res, uint8_t *ecode)
{
	memset(res, 0, sizeof(*res));
	if (rep->reject) {
		if (ecode != NULL)
			*ecode = IW_LLP_EC_INVALID_RR;
		return -ECONNREFUSED;
	}
	if (!rep->reply || rep->rev == 0 || rep->rev > req->rev)
		return violation(ecode, IW_LLP_EC_INVALID_RR);
	res->rev = rep->rev;
	res->crc = req->crc || rep->crc;
	if (p->crc_strict && rep->crc != p->crc)
		return violation(ecode, IW_LLP_EC_INVALID_RR);
	res->markers_tx = rep->markers;
	res->markers_rx = req->markers;
	if (rep->markers && !p->markers_tx_ok)
		return violation(ecode, IW_LLP_EC_INVALID_RR);
	res->ird = p->ird;
	res->ord = p->ord;
	if (rep->enhanced && req->enhanced) {
		res->ird_ord_known = true;
		if (rep->ord > req->ird)
			return violation(ecode, IW_LLP_EC_INSUFFICIENT_IRD);
		if (rep->ird < req->ord) {
			if (p->ird_ord_strict)
				return violation(ecode, IW_LLP_EC_INSUFFICIENT_IRD);
			res->ord = rep->ird;
		}
		if (rep->p2p) {
			if (!req->p2p || rep->rtr == 0 || (rep->rtr & (rep->rtr - 1)) != 0 ||
					(rep->rtr & ~req->rtr) != 0)
				return violation(ecode, IW_LLP_EC_NO_MATCHING_RTR);
			res->p2p = true;
			res->rtr = rep->rtr;
			res->send_rtr = true;
		}
	}
	return 0;
}

int
iw_mpa_rtr_hdr(uint8_t rtr, struct iw_hdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->last = true;
	switch (rtr) {
	case IW_RTR_WRITE:
		hdr->opcode = IW_OP_WRITE;
		hdr->tagged = true;
		hdr->t.stag = IW_MPA_RTR_STAG;
		break;
	case IW_RTR_READ:
		hdr->opcode = IW_OP_READ_REQ;
		hdr->u.qn = IW_QN_READ_REQ;
		hdr->u.msn = 1;
		hdr->rreq.sink_stag = IW_MPA_RTR_STAG;
		hdr->rreq.src_stag = IW_MPA_RTR_STAG;
		break;
	case IW_RTR_SEND:
		hdr->opcode = IW_OP_SEND;
		hdr->u.qn = IW_QN_SEND;
		hdr->u.msn = 1;
		break;
	default:
		return -EINVAL;
	}
	hdr->hdr_len = iw_opcode_table[hdr->opcode].hdr_len;
	return 0;
}

bool
iw_mpa_rtr_match(const struct iw_mpa_result *res, const struct iw_hdr *hdr,
		uint32_t payload_len)
{
	if (!res->expect_rtr || payload_len != 0 || !hdr->last)
		return false;
	switch (res->rtr) {
	case IW_RTR_WRITE:
		return hdr->opcode == IW_OP_WRITE;
	case IW_RTR_READ:
		return hdr->opcode == IW_OP_READ_REQ && hdr->rreq.size == 0 &&
			hdr->u.msn == 1;
	case IW_RTR_SEND:
		return hdr->opcode == IW_OP_SEND && hdr->u.msn == 1 && hdr->u.mo == 0;
	default:
		return false;
	}
}
