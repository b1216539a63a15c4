/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_STAG_H
#define IW_STAG_H

/**
 * @file
 * The STag table of one engine: memory regions (MR), fast-register MRs and
 * memory windows (MW) addressed by STag, and the protection check every tagged
 * access goes through (DESIGN.md "Protection").
 *
 * An STag is (index << 8) | key. Index 0 is never used, so no STag is 0; the
 * key byte changes whenever an index is reused, re-registered (fast-register)
 * or re-bound, so a stale STag held by a peer fails the check. Lookup is one
 * array index and one compare: no hashing on the data path.
 *
 * The table belongs to one engine lcore and is not locked. Errors: constructors
 * return a pointer or NULL with rte_errno; other calls return 0 or a negative
 * errno; iw_stag_check() returns an enum iw_prot verdict.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Access rights (values match the public RTE_IWARP_ACCESS_* flags). */
#define IW_ACC_LOCAL_WRITE   (1u << 0)
#define IW_ACC_REMOTE_WRITE  (1u << 1)
#define IW_ACC_REMOTE_READ   (1u << 2)
#define IW_ACC_REMOTE_ATOMIC (1u << 3)
#define IW_ACC_MW_BIND       (1u << 4)
#define IW_ACC_ALL (IW_ACC_LOCAL_WRITE | IW_ACC_REMOTE_WRITE | IW_ACC_REMOTE_READ | \
		    IW_ACC_REMOTE_ATOMIC | IW_ACC_MW_BIND)

/** Kinds of table entry. */
enum iw_stag_type {
	IW_STAG_MR = 1,     /**< registered region: valid until deregistered */
	IW_STAG_FRMR,       /**< fast-register region: invalidated and re-registered */
	IW_STAG_MW1,        /**< type 1 window: bound to a PD */
	IW_STAG_MW2,        /**< type 2 window: bound to one QP */
};

/** Verdicts of the protection check (0 = allowed). */
enum iw_prot {
	IW_PROT_OK = 0,
	IW_PROT_INVALID_STAG,  /**< no such STag (index or key mismatch) */
	IW_PROT_INVALIDATED,   /**< the STag exists but is not valid now */
	IW_PROT_NOT_ASSOC,     /**< other PD, or type 2 window of another QP */
	IW_PROT_ACCESS,        /**< access right missing */
	IW_PROT_BOUNDS,        /**< [to, to + len) not inside the region */
	IW_PROT_TO_WRAP,       /**< to + len wraps around 2^64 */
	IW_PROT_CANT_INVALIDATE, /**< invalidation of a plain MR, or of a bound MR */
};

/** One entry. Hot fields first: the check reads one cache line. */
struct iw_stag_entry {
	uint32_t stag;       /**< current STag (index << 8 | key) */
	uint8_t type;        /**< enum iw_stag_type; 0 = free */
	uint8_t valid;       /**< usable for access now */
	uint16_t access;     /**< IW_ACC_* */
	uint32_t pd;         /**< protection domain handle */
	uint32_t qpn;        /**< type 2 window: the QP it is bound to */
	uint64_t va;         /**< tagged offset of the first byte */
	uint64_t len;        /**< length in bytes */
	uint8_t *host;       /**< where va lives in this process */
	uint32_t parent;     /**< window: index of the MR it is bound in */
	uint32_t bound;      /**< MR: windows bound in it */
	uint32_t next_free;  /**< free list link (index) */
	uint32_t pad;
};

/** The table (inline lookups on the data path; change it through the calls below). */
struct iw_stag_table {
	uint32_t size;        /**< entries, index 0 unused */
	uint32_t free_head;   /**< 0 = none */
	uint32_t used;
	uint32_t pad;
	uint64_t rng;
	struct iw_stag_entry e[];
};

/** The table index of an STag (its upper 24 bits; the low byte is the key). */
#define IW_STAG_INDEX(s) ((s) >> 8)

/**
 * Create a table of at most max_entries STags (rounded up; at most 2^24 - 1).
 * @return the table, or NULL with rte_errno EINVAL or ENOMEM.
 */
struct iw_stag_table *iw_stag_table_create(uint32_t max_entries, int socket, uint64_t seed);

/** Free a table. NULL is accepted. */
void iw_stag_table_free(struct iw_stag_table *t);

/**
 * Register a region [addr, addr + len) of this process, addressed by the peer
 * at tagged offsets [va, va + len).
 * @return the new STag (never 0), or a negative errno: -EINVAL (len 0, bad
 *   access flags, va + len wraps), -ENOSPC (table full).
 */
int64_t iw_stag_reg_mr(struct iw_stag_table *t, uint32_t pd, void *addr, uint64_t va,
		       uint64_t len, uint32_t access);

/**
 * Allocate a fast-register MR entry (invalid until iw_stag_fast_reg()).
 * @return the STag, or -ENOSPC.
 */
int64_t iw_stag_alloc_frmr(struct iw_stag_table *t, uint32_t pd);

/**
 * Fast-register: (re)validate a FRMR entry with a new key byte and region.
 * @return 0, -ENOENT (unknown STag), -EINVAL (not a FRMR, still valid, bad
 *   region), -EBUSY (windows still bound).
 */
int iw_stag_fast_reg(struct iw_stag_table *t, uint32_t stag, uint8_t key, void *addr,
		     uint64_t va, uint64_t len, uint32_t access);

/**
 * Allocate a memory window of type 1 or 2 (unbound).
 * @return the STag, -EINVAL, -ENOSPC.
 */
int64_t iw_stag_alloc_mw(struct iw_stag_table *t, uint32_t pd, enum iw_stag_type type);

/**
 * Bind a window inside a valid MR with IW_ACC_MW_BIND, changing its key.
 * For a type 2 window, qpn names the only QP that may use it.
 * @return 0, -ENOENT (unknown window or MR), -EINVAL (range outside the MR,
 *   access beyond the MR's, MR without MW_BIND, other PD, type 2 still valid),
 *   or the new STag in *new_stag.
 */
int iw_stag_bind_mw(struct iw_stag_table *t, uint32_t mw_stag, uint8_t key, uint32_t mr_stag,
		    uint32_t qpn, uint64_t va, uint64_t len, uint32_t access,
		    uint32_t *new_stag);

/**
 * Invalidate an STag (local invalidate, or the peer's SEND with Invalidate).
 * Only fast-register MRs and windows can be invalidated; the PD must match.
 * @return IW_PROT_OK or the verdict the caller turns into an error
 *   (IW_PROT_INVALID_STAG, IW_PROT_NOT_ASSOC, IW_PROT_CANT_INVALIDATE).
 */
enum iw_prot iw_stag_invalidate(struct iw_stag_table *t, uint32_t stag, uint32_t pd,
				uint32_t qpn);

/**
 * Deregister an MR, FRMR or window and free its index.
 * @return 0, -ENOENT, -EBUSY (an MR with windows bound).
 */
int iw_stag_dereg(struct iw_stag_table *t, uint32_t stag);

/** The entry of an STag, or NULL (index or key mismatch, free). */
const struct iw_stag_entry *iw_stag_lookup(const struct iw_stag_table *t, uint32_t stag);

/** The entry an STag names (index in range, in use, same key), or NULL. */
static inline const struct iw_stag_entry *
iw_stag_entry_of(const struct iw_stag_table *t, uint32_t stag)
{
	uint32_t idx = IW_STAG_INDEX(stag);
	const struct iw_stag_entry *e;

	if (unlikely(idx == 0 || idx >= t->size))
		return NULL;
	e = &t->e[idx];
	if (unlikely(e->type == 0 || e->stag != stag))
		return NULL;
	return e;
}

/**
 * Protection check of a tagged access: the STag is valid, belongs to pd (and,
 * for a type 2 window, to qpn), grants every right in access, and
 * [to, to + len) lies inside it. On IW_PROT_OK, *where is the local address of
 * byte to. len 0 is checked like any other (bounds on to itself).
 */
static inline enum iw_prot
iw_stag_check(const struct iw_stag_table *t, uint32_t stag, uint32_t pd, uint32_t qpn,
	      uint32_t access, uint64_t to, uint64_t len, uint8_t **where)
{
	const struct iw_stag_entry *e = iw_stag_entry_of(t, stag);

	if (unlikely(e == NULL))
		return IW_PROT_INVALID_STAG;
	if (unlikely(!e->valid))
		return IW_PROT_INVALIDATED;
	if (unlikely(e->pd != pd || (e->type == IW_STAG_MW2 && e->qpn != qpn)))
		return IW_PROT_NOT_ASSOC;
	if (unlikely((e->access & access) != access))
		return IW_PROT_ACCESS;
	if (unlikely(to + len < to))
		return IW_PROT_TO_WRAP;
	if (unlikely(to < e->va || to + len > e->va + e->len))
		return IW_PROT_BOUNDS;
	*where = e->host + (to - e->va);
	return IW_PROT_OK;
}

/** Human-readable verdict name. */
const char *iw_prot_str(enum iw_prot p);

/** Where a verdict arose: selects the TERMINATE layer and type. */
enum iw_prot_ctx {
	IW_PROT_CTX_SINK,       /**< placing a tagged DDP segment (WRITE, READ response) */
	IW_PROT_CTX_SOURCE,     /**< data source of a READ request, target of an atomic */
	IW_PROT_CTX_INVALIDATE, /**< SEND with Invalidate */
};

/**
 * The TERMINATE code of a verdict (RFC 5040 section 7.2, RFC 5041 section 7.2).
 * Sink: the DDP layer's tagged buffer errors, except a missing access right,
 * which DDP cannot express and is an RDMAP remote protection error. Source: the
 * RDMAP remote protection errors. Invalidate: "STag cannot be invalidated",
 * as a remote protection error when the STag is another PD's and a remote
 * operation error otherwise (as Linux siw reports it).
 */
void iw_prot_term_code(enum iw_prot p, enum iw_prot_ctx ctx, uint8_t *layer, uint8_t *etype,
		       uint8_t *ecode);

#ifdef __cplusplus
}
#endif

#endif /* IW_STAG_H */
