/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the MPA handshake parser and negotiation.
 *
 * Input: one selector byte, then the bytes a peer sent. The selector picks
 * whether the bytes are read as a request (we are the responder) or as a reply
 * (we are the initiator), and the local policy. Invariants checked (abort on
 * violation): a frame that parses re-encodes to exactly its bytes; the reply we
 * build parses back to what we meant; an accepted negotiation never gives the
 * peer more outstanding READs than it allows.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iw_mpa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
policy(uint8_t sel, struct iw_mpa_params *p)
{
	iw_mpa_params_default(p);
	p->rev = (sel & 0x02) ? 1 : 2;
	p->crc = (sel & 0x04) != 0;
	p->crc_strict = (sel & 0x08) != 0;
	p->markers_rx = (sel & 0x10) != 0;
	p->markers_tx_ok = (sel & 0x20) != 0;
	p->p2p = (sel & 0x40) != 0;
	p->rtr = (uint8_t)(((sel >> 5) & 7) | 1);
	p->ird = (uint16_t)(1 + (sel & 0x0f));
	p->ord = (uint16_t)(1 + (sel >> 4));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[IW_MPA_RR_HDR_LEN + IW_MPA_PD_MAX];
	struct iw_mpa_frame f, rep, back, req;
	struct iw_mpa_params p;
	struct iw_mpa_result res;
	uint8_t sel, ec;
	bool as_reply;
	int n, m, rc;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	as_reply = sel & 0x01;
	policy(sel, &p);

	n = iw_mpa_parse(data, size, as_reply, &f);
	check(n == -EAGAIN || n == -EBADMSG || n == -EMSGSIZE || n > 0);
	if (n <= 0)
		return 0;
	check((size_t)n <= size && n == IW_MPA_RR_HDR_LEN + f.pd_len);
	check(f.pd_len <= IW_MPA_PD_MAX && f.ulp_pd_len <= f.pd_len);
	/* parse . build is the identity on the bytes */
	m = iw_mpa_build(&f, out, sizeof(out));
	check(m == n && memcmp(out, data, (size_t)n) == 0);

	if (!as_reply) {
		rc = iw_mpa_negotiate_responder(&p, &f, &rep, &res, &ec);
		check(rc == 0 || rc == -ECONNREFUSED);
		m = iw_mpa_build(&rep, out, sizeof(out));
		check(m >= IW_MPA_RR_HDR_LEN);
		check(iw_mpa_parse(out, (size_t)m, true, &back) == m);
		check(back.reject == (rc != 0) && back.rev == rep.rev);
		if (rc == 0) {
			check(back.crc == (f.crc || p.crc));
			if (back.enhanced && f.enhanced)
				check(back.ord <= f.ird);
			if (back.p2p)
				check(back.rtr != 0 && (back.rtr & (back.rtr - 1)) == 0 &&
					(back.rtr & ~f.rtr) == 0);
		}
		return 0;
	}
	/* as initiator: our request, then the fuzzed reply */
	p.rev = 2;
	if (iw_mpa_make_request(&p, &req) != 0)
		return 0;
	rc = iw_mpa_negotiate_initiator(&p, &req, &f, &res, &ec);
	check(rc == 0 || rc == -ECONNREFUSED || rc == -EPROTO);
	if (rc == 0) {
		check(!f.reject && f.rev <= req.rev);
		check(res.ord <= p.ord);
		if (res.p2p)
			check(res.send_rtr && (res.rtr & req.rtr) == res.rtr);
	}
	return 0;
}
