/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The STag table: keyed, never-zero STags; the protection check's verdict for
 * every rule of DESIGN.md "Protection"; memory windows and fast-register
 * life cycles; the TERMINATE codes each verdict maps to.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "iw_stag.h"
#include "iwarp_wire.h"
#include "iwt.h"
#include "iwt_eal.h"

#define PD1 1
#define PD2 2
#define QP1 11
#define QP2 12

static uint8_t region[4096];

IWT_CASE(stag_keyed_never_zero_and_stale_rejected)
{
	struct iw_stag_table *t;
	uint32_t first, again;
	int64_t s;
	uint8_t *where;
	int i;

	IWT_ASSERT(iwt_eal_init(NULL) == 0, "EAL");
	t = iw_stag_table_create(64, SOCKET_ID_ANY, 42);
	IWT_ASSERT(t != NULL, "table");
	for (i = 0; i < 64; i++) {
		s = iw_stag_reg_mr(t, PD1, region, 0x1000, sizeof(region), IW_ACC_REMOTE_READ);
		IWT_ASSERT(s > 0, "reg %d: %lld", i, (long long)s);
		IWT_ASSERT((s >> 8) != 0, "index 0 used");
	}
	/* Full table: the sign of the error is negative. */
	s = iw_stag_reg_mr(t, PD1, region, 0, sizeof(region), IW_ACC_REMOTE_READ);
	IWT_ASSERT_EQ(s, -ENOSPC, "full");
	/* Free one, register again: same index, different key, old STag dead. */
	first = 0x100 | 0; /* find the STag of index 1 */
	for (i = 0; i < 256; i++)
		if (iw_stag_lookup(t, (1u << 8) | (uint32_t)i) != NULL)
			first = (1u << 8) | (uint32_t)i;
	IWT_ASSERT(iw_stag_lookup(t, first) != NULL, "index 1 registered");
	IWT_ASSERT_EQ(iw_stag_dereg(t, first), 0, "dereg");
	IWT_ASSERT_EQ(iw_stag_dereg(t, first), -ENOENT, "double dereg");
	s = iw_stag_reg_mr(t, PD1, region, 0, sizeof(region), IW_ACC_REMOTE_READ);
	IWT_ASSERT(s > 0, "re-reg");
	again = (uint32_t)s;
	IWT_ASSERT_EQ(again >> 8, 1, "index reused");
	IWT_ASSERT(again != first, "key changed on reuse");
	IWT_ASSERT_EQ(iw_stag_check(t, first, PD1, QP1, IW_ACC_REMOTE_READ, 0, 1, &where),
		      IW_PROT_INVALID_STAG, "stale STag");
	IWT_ASSERT_EQ(iw_stag_check(t, 0, PD1, QP1, IW_ACC_REMOTE_READ, 0, 1, &where),
		      IW_PROT_INVALID_STAG, "STag 0");
	/* Bad registrations. */
	IWT_ASSERT_EQ(iw_stag_reg_mr(t, PD1, region, 0, 0, 0), -EINVAL, "len 0");
	IWT_ASSERT_EQ(iw_stag_reg_mr(t, PD1, region, UINT64_MAX - 1, 16, 0), -EINVAL, "va wrap");
	IWT_ASSERT_EQ(iw_stag_reg_mr(t, PD1, region, 0, 16, IW_ACC_REMOTE_WRITE), -EINVAL,
		      "remote write without local write");
	IWT_ASSERT_EQ(iw_stag_reg_mr(t, PD1, region, 0, 16, 1u << 9), -EINVAL, "bad flag");
	IWT_ASSERT(iw_stag_table_create(0, SOCKET_ID_ANY, 0) == NULL, "0 entries");
	iw_stag_table_free(t);
	return IWT_PASS;
}

IWT_CASE(stag_protection_rules)
{
	struct iw_stag_table *t;
	uint8_t *where = NULL;
	uint32_t mr, ro;
	int64_t s;
	const uint64_t va = 0x7f0000001000ULL;

	IWT_ASSERT(iwt_eal_init(NULL) == 0, "EAL");
	t = iw_stag_table_create(16, SOCKET_ID_ANY, 7);
	IWT_ASSERT(t != NULL, "table");
	s = iw_stag_reg_mr(t, PD1, region, va, sizeof(region),
			   IW_ACC_LOCAL_WRITE | IW_ACC_REMOTE_WRITE | IW_ACC_REMOTE_READ);
	IWT_ASSERT(s > 0, "reg");
	mr = (uint32_t)s;
	s = iw_stag_reg_mr(t, PD1, region, va, sizeof(region), IW_ACC_REMOTE_READ);
	IWT_ASSERT(s > 0, "reg ro");
	ro = (uint32_t)s;

	/* Allowed: whole region, last byte, zero length at the end. */
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_WRITE, va, sizeof(region),
				    &where), IW_PROT_OK, "whole");
	IWT_ASSERT(where == region, "address of va");
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_WRITE,
				    va + sizeof(region) - 1, 1, &where), IW_PROT_OK, "last byte");
	IWT_ASSERT(where == region + sizeof(region) - 1, "address of last byte");

	/* Unknown STag (index beyond the table, free index, wrong key). */
	IWT_ASSERT_EQ(iw_stag_check(t, 0xffffff00u, PD1, QP1, IW_ACC_REMOTE_WRITE, va, 1, &where),
		      IW_PROT_INVALID_STAG, "index beyond");
	IWT_ASSERT_EQ(iw_stag_check(t, (9u << 8) | 1, PD1, QP1, IW_ACC_REMOTE_WRITE, va, 1,
				    &where), IW_PROT_INVALID_STAG, "free index");
	IWT_ASSERT_EQ(iw_stag_check(t, mr ^ 0x5a, PD1, QP1, IW_ACC_REMOTE_WRITE, va, 1, &where),
		      IW_PROT_INVALID_STAG, "wrong key");
	/* Wrong PD. */
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD2, QP1, IW_ACC_REMOTE_WRITE, va, 1, &where),
		      IW_PROT_NOT_ASSOC, "other PD");
	/* Missing access right. */
	IWT_ASSERT_EQ(iw_stag_check(t, ro, PD1, QP1, IW_ACC_REMOTE_WRITE, va, 1, &where),
		      IW_PROT_ACCESS, "write to read-only");
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_ATOMIC, va, 8, &where),
		      IW_PROT_ACCESS, "atomic without the right");
	/* Out of bounds: before, past the end, straddling. */
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_WRITE, va - 1, 1, &where),
		      IW_PROT_BOUNDS, "before");
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_WRITE, va + sizeof(region),
				    1, &where), IW_PROT_BOUNDS, "past end");
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_WRITE, va + 4000, 200,
				    &where), IW_PROT_BOUNDS, "straddles end");
	/* Wrap of to + len. */
	IWT_ASSERT_EQ(iw_stag_check(t, mr, PD1, QP1, IW_ACC_REMOTE_WRITE, UINT64_MAX - 3, 8,
				    &where), IW_PROT_TO_WRAP, "wrap");
	/* Plain MRs cannot be invalidated; after dereg the STag is unknown. */
	IWT_ASSERT_EQ(iw_stag_invalidate(t, mr, PD1, QP1), IW_PROT_CANT_INVALIDATE, "plain MR");
	IWT_ASSERT_EQ(iw_stag_dereg(t, ro), 0, "dereg");
	IWT_ASSERT_EQ(iw_stag_check(t, ro, PD1, QP1, IW_ACC_REMOTE_READ, va, 1, &where),
		      IW_PROT_INVALID_STAG, "deregistered");
	iw_stag_table_free(t);
	return IWT_PASS;
}

IWT_CASE(stag_fast_reg_and_windows)
{
	struct iw_stag_table *t;
	uint8_t *where;
	uint32_t mr, fr, w1, w2, nw;
	int64_t s;
	const uint32_t all = IW_ACC_LOCAL_WRITE | IW_ACC_REMOTE_WRITE | IW_ACC_REMOTE_READ |
			     IW_ACC_MW_BIND;

	IWT_ASSERT(iwt_eal_init(NULL) == 0, "EAL");
	t = iw_stag_table_create(16, SOCKET_ID_ANY, 9);
	IWT_ASSERT(t != NULL, "table");

	/* Fast-register: invalid until registered, then valid under the new key. */
	s = iw_stag_alloc_frmr(t, PD1);
	IWT_ASSERT(s > 0, "alloc frmr");
	fr = (uint32_t)s;
	IWT_ASSERT_EQ(iw_stag_check(t, fr, PD1, QP1, IW_ACC_REMOTE_READ, 0, 1, &where),
		      IW_PROT_INVALIDATED, "frmr before registration");
	IWT_ASSERT_EQ(iw_stag_fast_reg(t, fr, 0x77, region, 0, 128, IW_ACC_REMOTE_READ), 0,
		      "fast reg");
	IWT_ASSERT_EQ(iw_stag_check(t, fr, PD1, QP1, IW_ACC_REMOTE_READ, 0, 1, &where),
		      IW_PROT_INVALID_STAG, "old key after fast reg");
	fr = (fr & ~0xffu) | 0x77;
	IWT_ASSERT_EQ(iw_stag_check(t, fr, PD1, QP1, IW_ACC_REMOTE_READ, 0, 128, &where),
		      IW_PROT_OK, "new key");
	IWT_ASSERT_EQ(iw_stag_fast_reg(t, fr, 0x78, region, 0, 128, IW_ACC_REMOTE_READ), -EINVAL,
		      "fast reg of a valid FRMR");
	IWT_ASSERT_EQ(iw_stag_invalidate(t, fr, PD2, QP1), IW_PROT_NOT_ASSOC, "other PD");
	IWT_ASSERT_EQ(iw_stag_invalidate(t, fr, PD1, QP1), IW_PROT_OK, "invalidate");
	IWT_ASSERT_EQ(iw_stag_check(t, fr, PD1, QP1, IW_ACC_REMOTE_READ, 0, 1, &where),
		      IW_PROT_INVALIDATED, "invalidated FRMR");

	/* Windows. */
	s = iw_stag_reg_mr(t, PD1, region, 0x10000, sizeof(region), all);
	IWT_ASSERT(s > 0, "mr");
	mr = (uint32_t)s;
	s = iw_stag_alloc_mw(t, PD1, IW_STAG_MW1);
	IWT_ASSERT(s > 0, "mw1");
	w1 = (uint32_t)s;
	s = iw_stag_alloc_mw(t, PD1, IW_STAG_MW2);
	IWT_ASSERT(s > 0, "mw2");
	w2 = (uint32_t)s;
	IWT_ASSERT_EQ(iw_stag_alloc_mw(t, PD1, IW_STAG_MR), -EINVAL, "bad type");
	/* Range outside the MR, access beyond the MR's, other PD: refused. */
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w1, 1, mr, 0, 0x10000 + 4000, 200, IW_ACC_REMOTE_READ,
				      &nw), -EINVAL, "range");
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w1, 1, mr, 0, 0x10000, 16, IW_ACC_REMOTE_ATOMIC, &nw),
		      -EINVAL, "access beyond MR");
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w1, 1, mr, 0, 0x10000, 16, IW_ACC_LOCAL_WRITE, &nw),
		      -EINVAL, "local right on a window");
	/* Bind a type 1 window on 256 bytes at offset 512: read only. */
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w1, 0x31, mr, 0, 0x10200, 256, IW_ACC_REMOTE_READ, &nw),
		      0, "bind mw1");
	IWT_ASSERT_EQ(nw, (w1 & ~0xffu) | 0x31, "new key");
	w1 = nw;
	IWT_ASSERT_EQ(iw_stag_check(t, w1, PD1, QP2, IW_ACC_REMOTE_READ, 0x10200, 256, &where),
		      IW_PROT_OK, "read window");
	IWT_ASSERT(where == region + 0x200, "window address");
	IWT_ASSERT_EQ(iw_stag_check(t, w1, PD1, QP2, IW_ACC_REMOTE_WRITE, 0x10200, 1, &where),
		      IW_PROT_ACCESS, "write through read window");
	IWT_ASSERT_EQ(iw_stag_check(t, w1, PD1, QP2, IW_ACC_REMOTE_READ, 0x10200, 257, &where),
		      IW_PROT_BOUNDS, "beyond window");
	IWT_ASSERT_EQ(iw_stag_dereg(t, mr), -EBUSY, "MR with a bound window");
	/* A type 2 window belongs to one QP. */
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w2, 0x42, mr, QP1, 0x10000, 64,
				      IW_ACC_REMOTE_WRITE, &nw), 0, "bind mw2");
	w2 = nw;
	IWT_ASSERT_EQ(iw_stag_check(t, w2, PD1, QP1, IW_ACC_REMOTE_WRITE, 0x10000, 64, &where),
		      IW_PROT_OK, "own QP");
	IWT_ASSERT_EQ(iw_stag_check(t, w2, PD1, QP2, IW_ACC_REMOTE_WRITE, 0x10000, 64, &where),
		      IW_PROT_NOT_ASSOC, "other QP");
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w2, 0x43, mr, QP1, 0x10000, 64, IW_ACC_REMOTE_WRITE,
				      &nw), -EINVAL, "rebind valid type 2");
	IWT_ASSERT_EQ(iw_stag_invalidate(t, w2, PD1, QP2), IW_PROT_NOT_ASSOC, "other QP inv");
	IWT_ASSERT_EQ(iw_stag_invalidate(t, w2, PD1, QP1), IW_PROT_OK, "invalidate mw2");
	IWT_ASSERT_EQ(iw_stag_check(t, w2, PD1, QP1, IW_ACC_REMOTE_WRITE, 0x10000, 1, &where),
		      IW_PROT_INVALIDATED, "invalidated window");
	IWT_ASSERT_EQ(iw_stag_invalidate(t, w1, PD1, QP1), IW_PROT_OK, "invalidate mw1");
	IWT_ASSERT_EQ(iw_stag_dereg(t, mr), 0, "MR free once windows are unbound");
	IWT_ASSERT_EQ(iw_stag_bind_mw(t, w1, 1, mr, 0, 0x10000, 16, IW_ACC_REMOTE_READ, &nw),
		      -ENOENT, "bind on a freed MR");
	iw_stag_table_free(t);
	return IWT_PASS;
}
