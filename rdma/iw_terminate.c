/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TERMINATE messages (RFC 5040 section 4.8): RFC-exact encoding, and a decoder
 * that also understands Linux siw's little-endian bitfield control word.
 */
#include <string.h>

#include "iw_rdmap.h"

bool
iw_term_cause_valid(const struct iw_term_cause *c)
{
	switch (c->layer) {
	case IW_LAYER_RDMAP:
		switch (c->etype) {
		case IW_RDMAP_ET_CATASTROPHIC:
			return true;	/* any code (RFC 6580: 0x0/0x0/ALL) */
		case IW_RDMAP_ET_PROTECTION:
			return c->ecode <= IW_RDMAP_EC_TO_WRAP ||
				c->ecode == IW_RDMAP_EC_CANT_INVALIDATE ||
				c->ecode == IW_RDMAP_EC_UNSPECIFIED;
		case IW_RDMAP_ET_OPERATION:
			return (c->ecode >= IW_RDMAP_EC_VERSION &&
				c->ecode <= IW_RDMAP_EC_CANT_INVALIDATE) ||
				c->ecode == IW_RDMAP_EC_UNSPECIFIED;
		}
		return false;
	case IW_LAYER_DDP:
		switch (c->etype) {
		case IW_DDP_ET_CATASTROPHIC:
			return c->ecode == 0;
		case IW_DDP_ET_TAGGED:
			return c->ecode <= IW_DDP_EC_T_VERSION;
		case IW_DDP_ET_UNTAGGED:
			return c->ecode >= IW_DDP_EC_U_INVALID_QN &&
				c->ecode <= IW_DDP_EC_U_VERSION;
		}
		return false;
	case IW_LAYER_LLP:
		return c->etype == IW_LLP_ET_MPA && c->ecode >= IW_LLP_EC_TCP_LOST &&
			c->ecode <= IW_LLP_EC_NO_MATCHING_RTR;
	}
	return false;
}

/* One way of reading the control word. */
struct reading {
	struct iw_term_cause cause;
	bool m, d, r;
	bool rsvd_zero;
};

/* Bytes after the control word that the M/D/R bits announce; -1 if unknowable. */
static long
announced(const struct reading *rd, const uint8_t *rest, size_t rest_len)
{
	long n = 0;

	if (rd->m || rd->d)
		n += IW_TERM_SEGLEN_LEN;
	if (rd->d) {
		if (rest_len < IW_TERM_SEGLEN_LEN + 1)
			return -1;
		n += (rest[IW_TERM_SEGLEN_LEN] & IW_DDP_F_TAGGED) ?
			IW_DDP_TAGGED_HDR_LEN : IW_DDP_UNTAGGED_HDR_LEN;
	}
	if (rd->r)
		n += IW_RDMAP_RREQ_LEN;
	return n;
}

static int
score(const struct reading *rd, const uint8_t *rest, size_t rest_len)
{
	int s = 0;

	if (iw_term_cause_valid(&rd->cause))
		s += 2;
	if (rd->rsvd_zero)
		s += 1;
	if (announced(rd, rest, rest_len) == (long)rest_len)
		s += 2;
	return s;
}

int
iw_term_decode(const uint8_t *msg, size_t len, struct iw_term_info *out)
{
	struct reading rfc, siw;
	const struct reading *pick;
	const uint8_t *rest;
	size_t rest_len, off;
	long need;

	if (len < IW_TERM_LEN)
		return -EPROTO;
	rest = msg + IW_TERM_LEN;
	rest_len = len - IW_TERM_LEN;

	rfc.cause.layer = msg[0] >> 4;
	rfc.cause.etype = msg[0] & 0xf;
	rfc.cause.ecode = msg[1];
	rfc.m = (msg[2] & 0x80) != 0;
	rfc.d = (msg[2] & 0x40) != 0;
	rfc.r = (msg[2] & 0x20) != 0;
	rfc.rsvd_zero = (msg[2] & 0x1f) == 0 && msg[3] == 0;

	/* siw: __be32 with little-endian bitfields layer:4 etype:4 ecode:8 m d r */
	siw.cause.layer = msg[0] & 0xf;
	siw.cause.etype = msg[0] >> 4;
	siw.cause.ecode = msg[1];
	siw.m = (msg[2] & 0x01) != 0;
	siw.d = (msg[2] & 0x02) != 0;
	siw.r = (msg[2] & 0x04) != 0;
	siw.rsvd_zero = (msg[2] & 0xf8) == 0 && msg[3] == 0;

	pick = score(&siw, rest, rest_len) > score(&rfc, rest, rest_len) ? &siw : &rfc;

	memset(out, 0, sizeof(*out));
	out->cause = pick->cause;
	out->m = pick->m;
	out->d = pick->d;
	out->r = pick->r;
	out->siw_encoding = pick == &siw;
	need = announced(pick, rest, rest_len);
	if (need < 0 || (size_t)need > rest_len)
		return -EPROTO;
	off = 0;
	if (pick->m || pick->d) {
		out->seg_len = (uint16_t)(rest[0] << 8 | rest[1]);
		off += IW_TERM_SEGLEN_LEN;
	}
	if (pick->d) {
		out->ddp_hdr = rest + off;
		out->ddp_hdr_len = (rest[off] & IW_DDP_F_TAGGED) ?
			IW_DDP_TAGGED_HDR_LEN : IW_DDP_UNTAGGED_HDR_LEN;
		off += out->ddp_hdr_len;
	}
	if (pick->r)
		out->rdmap_hdr = rest + off;
	return 0;
}

int
iw_term_encode(const struct iw_term_cause *cause, uint16_t bad_seg_len,
		const uint8_t *bad_ddp, const uint8_t *bad_rreq, uint8_t *buf, size_t len)
{
	size_t need = IW_TERM_LEN, ddp_len = 0;
	uint8_t *p = buf;

	if (bad_ddp != NULL) {
		ddp_len = (bad_ddp[0] & IW_DDP_F_TAGGED) ? IW_DDP_TAGGED_HDR_LEN :
			IW_DDP_UNTAGGED_HDR_LEN;
		need += IW_TERM_SEGLEN_LEN + ddp_len;
	}
	if (bad_rreq != NULL)
		need += IW_RDMAP_RREQ_LEN;
	if (len < need)
		return -ENOSPC;
	p[0] = (uint8_t)((cause->layer & 0xf) << 4 | (cause->etype & 0xf));
	p[1] = cause->ecode;
	p[2] = (bad_ddp != NULL ? 0xc0 : 0) | (bad_rreq != NULL ? 0x20 : 0);
	p[3] = 0;
	p += IW_TERM_LEN;
	if (bad_ddp != NULL) {
		p[0] = bad_seg_len >> 8;
		p[1] = bad_seg_len & 0xff;
		memcpy(p + IW_TERM_SEGLEN_LEN, bad_ddp, ddp_len);
		p += IW_TERM_SEGLEN_LEN + ddp_len;
	}
	if (bad_rreq != NULL)
		memcpy(p, bad_rreq, IW_RDMAP_RREQ_LEN);
	return (int)need;
}
