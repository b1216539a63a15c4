/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the FPDU receive state machine.
 *
 * Input: a flags byte (CRC, markers, stream start phase), a chunking seed byte,
 * then the TCP byte stream. The stream is fed twice, in one piece and in pieces
 * cut by the seed; both runs must report the same events. Invariants (abort on
 * violation): payload chunks arrive in order and within the announced payload,
 * a segment ends only after all its payload, at most one error is reported, and
 * after it nothing more is accepted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iw_fpdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

struct trace {
	uint32_t hash;
	uint32_t plen, pdone;
	bool in_seg;
	unsigned int hdrs, ends, errors;
	uint8_t term[IW_TERM_LEN + 64];	/* a TERMINATE's body, for its decoder */
	uint32_t term_len;
	bool is_term;
};

static void
mix(struct trace *t, uint32_t v)
{
	t->hash = (t->hash ^ v) * 16777619u;
}

static int
t_hdr(void *ctx, const struct iw_hdr *h, uint32_t plen, struct iw_term_cause *c)
{
	struct trace *t = ctx;

	check(!t->in_seg && t->errors == 0);
	check(h->hdr_len <= IW_HDR_MAX_LEN && h->opcode < IW_OP_COUNT);
	t->in_seg = true;
	t->plen = plen;
	t->pdone = 0;
	t->hdrs++;
	t->is_term = h->opcode == IW_OP_TERMINATE;
	if (t->is_term) {
		t->term[0] = (uint8_t)(h->term.ctrl >> 24);
		t->term[1] = (uint8_t)(h->term.ctrl >> 16);
		t->term[2] = (uint8_t)(h->term.ctrl >> 8);
		t->term[3] = (uint8_t)h->term.ctrl;
		t->term_len = IW_TERM_LEN;
	}
	mix(t, h->opcode | (uint32_t)h->hdr_len << 8 | (uint32_t)h->last << 16);
	mix(t, plen);
	/* refuse some segments the way an engine would (no STag 0 accepted) */
	if (h->tagged && h->t.stag == 0) {
		c->layer = IW_LAYER_DDP;
		c->etype = IW_DDP_ET_TAGGED;
		c->ecode = IW_DDP_EC_T_INVALID_STAG;
		return -EACCES;
	}
	return 0;
}

static int
t_data(void *ctx, const struct iw_hdr *h, uint32_t off, const uint8_t *d, uint32_t len,
		struct iw_term_cause *c)
{
	struct trace *t = ctx;
	uint32_t i;

	(void)h;
	(void)c;
	check(t->in_seg && off == t->pdone && len > 0 && off + len <= t->plen);
	for (i = 0; i < len; i++) {
		mix(t, d[i]);
		if (t->is_term && t->term_len < sizeof(t->term))
			t->term[t->term_len++] = d[i];
	}
	t->pdone += len;
	return 0;
}

static void
t_end(void *ctx, const struct iw_hdr *h)
{
	struct trace *t = ctx;

	(void)h;
	check(t->in_seg && t->pdone == t->plen);
	t->in_seg = false;
	if (t->is_term && t->plen + IW_TERM_LEN <= sizeof(t->term)) {
		struct iw_term_info ti;
		const uint8_t *end = t->term + t->term_len;

		/* whatever the layout, what it points at is inside the message */
		if (iw_term_decode(t->term, t->term_len, &ti) == 0) {
			check(ti.ddp_hdr == NULL || (ti.ddp_hdr >= t->term &&
				ti.ddp_hdr + ti.ddp_hdr_len <= end));
			check(ti.rdmap_hdr == NULL || (ti.rdmap_hdr >= t->term &&
				ti.rdmap_hdr + IW_RDMAP_RREQ_LEN <= end));
			mix(t, (uint32_t)ti.cause.layer << 16 | ti.cause.ecode | ti.siw_encoding << 8);
		}
	}
	t->ends++;
	mix(t, 0xe0d);
}

static void
t_err(void *ctx, const struct iw_term_cause *c, const struct iw_hdr *h)
{
	struct trace *t = ctx;

	(void)h;
	check(t->errors == 0);
	check(iw_term_cause_valid(c));
	t->errors++;
	mix(t, (uint32_t)c->layer << 16 | (uint32_t)c->etype << 8 | c->ecode);
}

static const struct iw_fpdu_rx_ops ops = {
	.on_hdr = t_hdr, .on_data = t_data, .on_end = t_end, .on_error = t_err,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iw_fpdu_rx rx;
	struct trace one, many;
	bool crc, markers;
	uint64_t start;
	uint32_t seed;
	size_t pos, n;
	int rc1, rc2 = 0;

	if (size < 2)
		return 0;
	crc = data[0] & 1;
	markers = (data[0] & 2) != 0;
	start = (uint64_t)(data[0] >> 2) * 37;
	seed = data[1] | 1u;
	data += 2;
	size -= 2;

	memset(&one, 0, sizeof(one));
	iw_fpdu_rx_init(&rx, crc, markers, start);
	rc1 = iw_fpdu_rx_feed(&rx, data, size, &ops, &one);
	check(rc1 == (int)size || rc1 == -EPROTO);
	check((rc1 < 0) == (one.errors == 1));
	if (rc1 < 0)
		check(iw_fpdu_rx_feed(&rx, data, size, &ops, &one) == -EPROTO && one.errors == 1);

	memset(&many, 0, sizeof(many));
	iw_fpdu_rx_init(&rx, crc, markers, start);
	for (pos = 0; pos < size; pos += n) {
		seed = seed * 1103515245u + 12345u;
		n = RTE_MIN(size - pos, (size_t)(1 + (seed >> 16) % 97));
		rc2 = iw_fpdu_rx_feed(&rx, data + pos, n, &ops, &many);
		if (rc2 < 0)
			break;
		check(rc2 == (int)n);
	}
	check((rc1 < 0) == (rc2 < 0));
	check(one.hash == many.hash && one.hdrs == many.hdrs && one.ends == many.ends &&
		one.errors == many.errors);
	return 0;
}
