/* SPDX-License-Identifier: BSD-3-Clause */
/* The TERMINATE layer/type/code of each protection verdict (RFC 5040/5041 7.2). */
#include <rte_common.h>

#include "iw_stag.h"
#include "iwt.h"

IWT_CASE(stag_terminate_codes)
{
	static const struct {
		enum iw_prot p;
		enum iw_prot_ctx ctx;
		uint8_t layer, etype, ecode;
	} want[] = {
		{ IW_PROT_INVALID_STAG, IW_PROT_CTX_SINK, 1, 1, 0x00 },
		{ IW_PROT_INVALIDATED, IW_PROT_CTX_SINK, 1, 1, 0x00 },
		{ IW_PROT_BOUNDS, IW_PROT_CTX_SINK, 1, 1, 0x01 },
		{ IW_PROT_NOT_ASSOC, IW_PROT_CTX_SINK, 1, 1, 0x02 },
		{ IW_PROT_TO_WRAP, IW_PROT_CTX_SINK, 1, 1, 0x03 },
		{ IW_PROT_ACCESS, IW_PROT_CTX_SINK, 0, 1, 0x02 },
		{ IW_PROT_INVALID_STAG, IW_PROT_CTX_SOURCE, 0, 1, 0x00 },
		{ IW_PROT_BOUNDS, IW_PROT_CTX_SOURCE, 0, 1, 0x01 },
		{ IW_PROT_ACCESS, IW_PROT_CTX_SOURCE, 0, 1, 0x02 },
		{ IW_PROT_NOT_ASSOC, IW_PROT_CTX_SOURCE, 0, 1, 0x03 },
		{ IW_PROT_TO_WRAP, IW_PROT_CTX_SOURCE, 0, 1, 0x04 },
		{ IW_PROT_CANT_INVALIDATE, IW_PROT_CTX_INVALIDATE, 0, 2, 0x09 },
		{ IW_PROT_NOT_ASSOC, IW_PROT_CTX_INVALIDATE, 0, 1, 0x09 },
	};
	unsigned int i;
	uint8_t l, e, c;

	for (i = 0; i < RTE_DIM(want); i++) {
		iw_prot_term_code(want[i].p, want[i].ctx, &l, &e, &c);
		IWT_ASSERT(l == want[i].layer && e == want[i].etype && c == want[i].ecode,
			   "%s ctx %d: got %u/%u/0x%02x want %u/%u/0x%02x",
			   iw_prot_str(want[i].p), want[i].ctx, l, e, c, want[i].layer,
			   want[i].etype, want[i].ecode);
	}
	return IWT_PASS;
}
