/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STag table: MRs, fast-register MRs and memory windows, and the protection
 * check of every tagged access.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iw_stag.h"
#include "iwarp_wire.h"

#define STAG_INDEX(s) IW_STAG_INDEX(s)
#define STAG_KEY(s) ((uint8_t)((s) & 0xff))
#define MAX_INDEX ((1u << 24) - 1)

static uint8_t
next_key(struct iw_stag_table *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return (uint8_t)((x * 0x2545F4914F6CDD1DULL) >> 56);
}

struct iw_stag_table *
iw_stag_table_create(uint32_t max_entries, int socket, uint64_t seed)
{
	struct iw_stag_table *t;
	uint32_t i, n;

	if (max_entries == 0 || max_entries >= MAX_INDEX) {
		rte_errno = EINVAL;
		return NULL;
	}
	n = max_entries + 1;
	t = rte_zmalloc_socket("iw_stag", sizeof(*t) + (size_t)n * sizeof(t->e[0]),
			       RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->size = n;
	t->rng = seed ? seed : 0x853c49e6748fea9bULL;
	/* Free list in index order: 1, 2, ... */
	for (i = 1; i < n; i++)
		t->e[i].next_free = i + 1 < n ? i + 1 : 0;
	t->free_head = 1;
	return t;
}

void
iw_stag_table_free(struct iw_stag_table *t)
{
	rte_free(t);
}

static struct iw_stag_entry *
entry_alloc(struct iw_stag_table *t, uint8_t type, uint32_t pd)
{
	struct iw_stag_entry *e;
	uint32_t idx = t->free_head;
	uint8_t key;

	if (idx == 0)
		return NULL;
	e = &t->e[idx];
	t->free_head = e->next_free;
	/* A reused index gets a key different from its previous one. */
	key = next_key(t);
	if (key == STAG_KEY(e->stag))
		key++;
	memset(e, 0, sizeof(*e));
	e->stag = idx << 8 | key;
	e->type = type;
	e->pd = pd;
	t->used++;
	return e;
}

/* The header's lookup, writable: the table's own code changes the entry. */
static struct iw_stag_entry *
entry_of(const struct iw_stag_table *t, uint32_t stag)
{
	return (struct iw_stag_entry *)(uintptr_t)iw_stag_entry_of(t, stag);
}

const struct iw_stag_entry *
iw_stag_lookup(const struct iw_stag_table *t, uint32_t stag)
{
	return entry_of(t, stag);
}

static bool
region_ok(uint64_t va, uint64_t len, uint32_t access)
{
	return len != 0 && va + len > va && (access & ~IW_ACC_ALL) == 0;
}

int64_t
iw_stag_reg_mr(struct iw_stag_table *t, uint32_t pd, void *addr, uint64_t va, uint64_t len,
	       uint32_t access)
{
	struct iw_stag_entry *e;

	if (t == NULL || addr == NULL || !region_ok(va, len, access) ||
	    (uintptr_t)addr + len < (uintptr_t)addr)
		return -EINVAL;
	/* Remote write or atomic needs local write (as ibv_reg_mr requires). */
	if ((access & (IW_ACC_REMOTE_WRITE | IW_ACC_REMOTE_ATOMIC)) &&
	    !(access & IW_ACC_LOCAL_WRITE))
		return -EINVAL;
	e = entry_alloc(t, IW_STAG_MR, pd);
	if (e == NULL)
		return -ENOSPC;
	e->access = (uint16_t)access;
	e->va = va;
	e->len = len;
	e->host = addr;
	e->valid = 1;
	return e->stag;
}

int64_t
iw_stag_alloc_frmr(struct iw_stag_table *t, uint32_t pd)
{
	struct iw_stag_entry *e;

	if (t == NULL)
		return -EINVAL;
	e = entry_alloc(t, IW_STAG_FRMR, pd);
	return e != NULL ? (int64_t)e->stag : -ENOSPC;
}

static void
rekey(struct iw_stag_entry *e, uint8_t key)
{
	e->stag = (e->stag & ~0xffu) | key;
}

int
iw_stag_fast_reg(struct iw_stag_table *t, uint32_t stag, uint8_t key, void *addr, uint64_t va,
		 uint64_t len, uint32_t access)
{
	struct iw_stag_entry *e;

	if (t == NULL)
		return -EINVAL;
	/* The WR names the STag by index; the key in it is the old one. */
	e = entry_of(t, stag);
	if (e == NULL)
		return -ENOENT;
	if (e->type != IW_STAG_FRMR || e->valid || addr == NULL || !region_ok(va, len, access))
		return -EINVAL;
	if (e->bound)
		return -EBUSY;
	rekey(e, key);
	e->access = (uint16_t)access;
	e->va = va;
	e->len = len;
	e->host = addr;
	e->valid = 1;
	return 0;
}

int64_t
iw_stag_alloc_mw(struct iw_stag_table *t, uint32_t pd, enum iw_stag_type type)
{
	struct iw_stag_entry *e;

	if (t == NULL || (type != IW_STAG_MW1 && type != IW_STAG_MW2))
		return -EINVAL;
	e = entry_alloc(t, (uint8_t)type, pd);
	return e != NULL ? (int64_t)e->stag : -ENOSPC;
}

int
iw_stag_bind_mw(struct iw_stag_table *t, uint32_t mw_stag, uint8_t key, uint32_t mr_stag,
		uint32_t qpn, uint64_t va, uint64_t len, uint32_t access, uint32_t *new_stag)
{
	struct iw_stag_entry *w, *mr, *old;

	if (t == NULL || new_stag == NULL)
		return -EINVAL;
	w = entry_of(t, mw_stag);
	mr = entry_of(t, mr_stag);
	if (w == NULL || mr == NULL)
		return -ENOENT;
	if ((w->type != IW_STAG_MW1 && w->type != IW_STAG_MW2) ||
	    (mr->type != IW_STAG_MR && mr->type != IW_STAG_FRMR) || !mr->valid ||
	    !(mr->access & IW_ACC_MW_BIND) || w->pd != mr->pd ||
	    (access & ~(IW_ACC_REMOTE_WRITE | IW_ACC_REMOTE_READ | IW_ACC_REMOTE_ATOMIC)) ||
	    (access & ~mr->access) != 0)
		return -EINVAL;
	/* A type 2 window must be invalidated before it is bound again. */
	if (w->type == IW_STAG_MW2 && w->valid)
		return -EINVAL;
	if (len != 0 && (va + len < va || va < mr->va || va + len > mr->va + mr->len))
		return -EINVAL;
	if (w->valid && w->parent != 0) {
		old = &t->e[w->parent];
		old->bound--;
	}
	rekey(w, key);
	w->access = (uint16_t)access;
	w->qpn = qpn;
	w->va = va;
	w->len = len;
	w->host = mr->host + (va - mr->va);
	w->parent = STAG_INDEX(mr->stag);
	w->valid = len != 0; /* a zero-length bind unbinds a type 1 window */
	if (w->valid)
		mr->bound++;
	else
		w->parent = 0;
	*new_stag = w->stag;
	return 0;
}

static void
unbind(struct iw_stag_table *t, struct iw_stag_entry *w)
{
	if (w->parent != 0 && w->valid)
		t->e[w->parent].bound--;
	w->parent = 0;
	w->valid = 0;
}

enum iw_prot
iw_stag_invalidate(struct iw_stag_table *t, uint32_t stag, uint32_t pd, uint32_t qpn)
{
	struct iw_stag_entry *e;

	if (t == NULL)
		return IW_PROT_INVALID_STAG;
	e = entry_of(t, stag);
	if (e == NULL)
		return IW_PROT_INVALID_STAG;
	if (e->pd != pd || (e->type == IW_STAG_MW2 && e->valid && e->qpn != qpn))
		return IW_PROT_NOT_ASSOC;
	switch (e->type) {
	case IW_STAG_FRMR:
		if (e->bound)
			return IW_PROT_CANT_INVALIDATE;
		e->valid = 0;
		return IW_PROT_OK;
	case IW_STAG_MW1:
	case IW_STAG_MW2:
		unbind(t, e);
		return IW_PROT_OK;
	default:
		return IW_PROT_CANT_INVALIDATE;
	}
}

int
iw_stag_dereg(struct iw_stag_table *t, uint32_t stag)
{
	struct iw_stag_entry *e;
	uint32_t idx;

	if (t == NULL)
		return -EINVAL;
	e = entry_of(t, stag);
	if (e == NULL)
		return -ENOENT;
	if (e->bound)
		return -EBUSY;
	if (e->type == IW_STAG_MW1 || e->type == IW_STAG_MW2)
		unbind(t, e);
	idx = STAG_INDEX(stag);
	/* Keep the old key so the next owner of the index gets another one. */
	e->type = 0;
	e->valid = 0;
	e->host = NULL;
	e->next_free = t->free_head;
	t->free_head = idx;
	t->used--;
	return 0;
}

const char *
iw_prot_str(enum iw_prot p)
{
	switch (p) {
	case IW_PROT_OK: return "ok";
	case IW_PROT_INVALID_STAG: return "invalid STag";
	case IW_PROT_INVALIDATED: return "STag invalidated";
	case IW_PROT_NOT_ASSOC: return "STag not associated with this stream";
	case IW_PROT_ACCESS: return "access rights violation";
	case IW_PROT_BOUNDS: return "base or bounds violation";
	case IW_PROT_TO_WRAP: return "tagged offset wrap";
	case IW_PROT_CANT_INVALIDATE: return "STag cannot be invalidated";
	}
	return "?";
}

void
iw_prot_term_code(enum iw_prot p, enum iw_prot_ctx ctx, uint8_t *layer, uint8_t *etype,
		  uint8_t *ecode)
{
	*layer = IW_LAYER_RDMAP;
	if (ctx == IW_PROT_CTX_INVALIDATE) {
		*etype = p == IW_PROT_NOT_ASSOC ? IW_RDMAP_ET_PROTECTION : IW_RDMAP_ET_OPERATION;
		*ecode = IW_RDMAP_EC_CANT_INVALIDATE;
		return;
	}
	if (ctx == IW_PROT_CTX_SINK && p != IW_PROT_ACCESS) {
		*layer = IW_LAYER_DDP;
		*etype = IW_DDP_ET_TAGGED;
		switch (p) {
		case IW_PROT_BOUNDS:
			*ecode = IW_DDP_EC_T_BASE_BOUNDS;
			break;
		case IW_PROT_NOT_ASSOC:
			*ecode = IW_DDP_EC_T_STAG_NOT_ASSOC;
			break;
		case IW_PROT_TO_WRAP:
			*ecode = IW_DDP_EC_T_TO_WRAP;
			break;
		default: /* invalid or invalidated */
			*ecode = IW_DDP_EC_T_INVALID_STAG;
			break;
		}
		return;
	}
	*etype = IW_RDMAP_ET_PROTECTION;
	switch (p) {
	case IW_PROT_BOUNDS:
		*ecode = IW_RDMAP_EC_BASE_BOUNDS;
		break;
	case IW_PROT_ACCESS:
		*ecode = IW_RDMAP_EC_ACCESS;
		break;
	case IW_PROT_NOT_ASSOC:
		*ecode = IW_RDMAP_EC_STAG_NOT_ASSOC;
		break;
	case IW_PROT_TO_WRAP:
		*ecode = IW_RDMAP_EC_TO_WRAP;
		break;
	default:
		*ecode = IW_RDMAP_EC_INVALID_STAG;
		break;
	}
}
