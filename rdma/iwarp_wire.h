/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWARP_WIRE_H
#define IWARP_WIRE_H

/**
 * @file
 * iWARP wire formats: MPA (RFC 5044, RFC 6581), DDP (RFC 5041), RDMAP (RFC 5040,
 * RFC 7306). One header for the three layers because an FPDU carries all three in
 * one contiguous header (as Linux siw's iwarp.h does).
 *
 * Every multi-byte field is big-endian on the wire (rte_be*_t), every structure is
 * __rte_packed and there are no bitfields: flags are pre-swapped constants applied
 * to whole bytes or words. The one little-endian field of iWARP, the MPA CRC32c,
 * is not a structure member: it is read and written with iw_mpa_crc_get/put().
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

/* ------------------------------------------------------------------------- */
/* MPA (RFC 5044, RFC 6581)                                                  */
/* ------------------------------------------------------------------------- */

#define IW_MPA_KEY_LEN		16
#define IW_MPA_KEY_REQ		"MPA ID Req Frame"
#define IW_MPA_KEY_REP		"MPA ID Rep Frame"
#define IW_MPA_PD_MAX		512	/**< RFC 5044 section 7.1: at most 512 bytes */
#define IW_MPA_REV1		1
#define IW_MPA_REV2		2

/** MPA request/reply frame header (RFC 5044 section 7.1). */
struct iw_mpa_rr_hdr {
	uint8_t key[IW_MPA_KEY_LEN];
	uint8_t flags;		/**< M C R E + reserved bits */
	uint8_t rev;
	rte_be16_t pd_len;
} __rte_packed;

#define IW_MPA_RR_HDR_LEN	20

#define IW_MPA_F_MARKERS	0x80	/**< sender wants to receive markers */
#define IW_MPA_F_CRC		0x40	/**< sender wants CRC32c */
#define IW_MPA_F_REJECT		0x20	/**< reply only: connection rejected */
#define IW_MPA_F_ENHANCED	0x10	/**< rev 2: IRD/ORD words lead the private data */
#define IW_MPA_F_SIW_GSO	0x08	/**< Linux siw's non-standard GSO experiment */
#define IW_MPA_F_RES_MASK	0x1f	/**< the bits RFC 5044 calls Res */

/** RFC 6581 enhanced connection establishment data: first 4 bytes of the PD. */
struct iw_mpa_v2_ird_ord {
	rte_be16_t ird;
	rte_be16_t ord;
} __rte_packed;

#define IW_MPA_V2_LEN		4
#define IW_MPA_V2_P2P		RTE_BE16(0x8000) /**< in IRD: peer-to-peer mode */
#define IW_MPA_V2_SEND_RTR	RTE_BE16(0x4000) /**< in IRD: zero-length SEND RTR */
#define IW_MPA_V2_WRITE_RTR	RTE_BE16(0x8000) /**< in ORD: zero-length WRITE RTR */
#define IW_MPA_V2_READ_RTR	RTE_BE16(0x4000) /**< in ORD: zero-length READ RTR */
#define IW_MPA_V2_VALUE_MASK	0x3fff		 /**< host order IRD/ORD value */

/** MPA marker (RFC 5044 section 5): every 512 bytes of the FPDU stream. */
struct iw_mpa_marker {
	rte_be16_t rsvd;
	rte_be16_t fpdu_ptr;	/**< bytes back from the marker to the FPDU start */
} __rte_packed;

#define IW_MPA_MARKER_LEN	4
#define IW_MPA_MARKER_SPACING	512
#define IW_MPA_LEN_FIELD	2	/**< ULPDU_Length */
#define IW_MPA_CRC_LEN		4

/** Pad after the ULPDU so that length field + ULPDU + pad is a multiple of 4. */
static inline uint32_t
iw_mpa_pad(uint32_t ulpdu_len)
{
	return (4 - ((ulpdu_len + IW_MPA_LEN_FIELD) & 3)) & 3;
}

/** Bytes of an FPDU without markers: length field, ULPDU, pad, CRC. */
static inline uint32_t
iw_mpa_fpdu_len(uint32_t ulpdu_len)
{
	return IW_MPA_LEN_FIELD + ulpdu_len + iw_mpa_pad(ulpdu_len) + IW_MPA_CRC_LEN;
}

/** Read the CRC32c as stored on the wire (little-endian). */
static inline uint32_t
iw_mpa_crc_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

/** Store a CRC32c in wire order (little-endian). */
static inline void
iw_mpa_crc_put(uint8_t *p, uint32_t crc)
{
	p[0] = crc & 0xff;
	p[1] = (crc >> 8) & 0xff;
	p[2] = (crc >> 16) & 0xff;
	p[3] = crc >> 24;
}

/* ------------------------------------------------------------------------- */
/* DDP (RFC 5041) and RDMAP (RFC 5040, RFC 7306)                             */
/* ------------------------------------------------------------------------- */

/* DDP control byte */
#define IW_DDP_F_TAGGED		0x80
#define IW_DDP_F_LAST		0x40
#define IW_DDP_RSVD_MASK	0x3c
#define IW_DDP_DV_MASK		0x03
#define IW_DDP_VERSION		1

/* RDMAP control byte */
#define IW_RDMAP_RV_MASK	0xc0
#define IW_RDMAP_RV_SHIFT	6
#define IW_RDMAP_RSVD_MASK	0x30
#define IW_RDMAP_OPCODE_MASK	0x0f
#define IW_RDMAP_VERSION	1

/** Common start of every DDP segment: DDP control, RDMAP control. */
struct iw_ddp_ctrl {
	uint8_t ddp;
	uint8_t rdmap;
} __rte_packed;

/** Tagged buffer model DDP header (RFC 5041 section 4.2). */
struct iw_ddp_tagged_hdr {
	struct iw_ddp_ctrl ctrl;
	rte_be32_t stag;
	rte_be64_t to;
} __rte_packed;

/** Untagged buffer model DDP header (RFC 5041 section 4.3). */
struct iw_ddp_untagged_hdr {
	struct iw_ddp_ctrl ctrl;
	rte_be32_t rsvd_ulp;	/**< RDMAP: Invalidate STag, or reserved (0) */
	rte_be32_t qn;
	rte_be32_t msn;
	rte_be32_t mo;
} __rte_packed;

#define IW_DDP_TAGGED_HDR_LEN	14
#define IW_DDP_UNTAGGED_HDR_LEN	18

/** Untagged queue numbers used by RDMAP. */
#define IW_QN_SEND		0	/**< SEND variants, Immediate Data */
#define IW_QN_READ_REQ		1	/**< RDMA Read Request */
#define IW_QN_TERMINATE		2	/**< Terminate */
#define IW_QN_ATOMIC		3	/**< RFC 7306 atomic request and response */

/** RDMAP opcodes (RFC 5040 section 4.3, RFC 7306 section 8). */
enum iw_opcode {
	IW_OP_WRITE = 0x0,
	IW_OP_READ_REQ = 0x1,
	IW_OP_READ_RESP = 0x2,
	IW_OP_SEND = 0x3,
	IW_OP_SEND_INV = 0x4,
	IW_OP_SEND_SE = 0x5,
	IW_OP_SEND_SE_INV = 0x6,
	IW_OP_TERMINATE = 0x7,
	IW_OP_IMM_DATA = 0x8,
	IW_OP_IMM_DATA_SE = 0x9,
	IW_OP_ATOMIC_REQ = 0xa,
	IW_OP_ATOMIC_RESP = 0xb,
	IW_OP_COUNT = 16,
};

/** RDMA Read Request header, after the untagged DDP header (RFC 5040 4.4). */
struct iw_rdmap_rreq {
	rte_be32_t sink_stag;
	rte_be64_t sink_to;
	rte_be32_t size;
	rte_be32_t src_stag;
	rte_be64_t src_to;
} __rte_packed;

#define IW_RDMAP_RREQ_LEN	28

/** Terminate control word, after the untagged DDP header (RFC 5040 4.8). */
struct iw_rdmap_term {
	rte_be32_t ctrl;
} __rte_packed;

#define IW_TERM_LEN		4
#define IW_TERM_LAYER_MASK	RTE_BE32(0xf0000000)
#define IW_TERM_ETYPE_MASK	RTE_BE32(0x0f000000)
#define IW_TERM_ECODE_MASK	RTE_BE32(0x00ff0000)
#define IW_TERM_F_M		RTE_BE32(0x00008000) /**< DDP segment length valid */
#define IW_TERM_F_D		RTE_BE32(0x00004000) /**< DDP header included */
#define IW_TERM_F_R		RTE_BE32(0x00002000) /**< RDMAP header included */
#define IW_TERM_RSVD_MASK	RTE_BE32(0x00001fff)
#define IW_TERM_SEGLEN_LEN	2

/** Terminate layers. */
enum iw_term_layer {
	IW_LAYER_RDMAP = 0,
	IW_LAYER_DDP = 1,
	IW_LAYER_LLP = 2,
};

/** RDMAP error types (layer 0). */
enum {
	IW_RDMAP_ET_CATASTROPHIC = 0,
	IW_RDMAP_ET_PROTECTION = 1,
	IW_RDMAP_ET_OPERATION = 2,
};

/** RDMAP error codes. */
enum {
	IW_RDMAP_EC_INVALID_STAG = 0x00,
	IW_RDMAP_EC_BASE_BOUNDS = 0x01,
	IW_RDMAP_EC_ACCESS = 0x02,
	IW_RDMAP_EC_STAG_NOT_ASSOC = 0x03,
	IW_RDMAP_EC_TO_WRAP = 0x04,
	IW_RDMAP_EC_VERSION = 0x05,
	IW_RDMAP_EC_OPCODE = 0x06,
	IW_RDMAP_EC_CATA_STREAM = 0x07,
	IW_RDMAP_EC_CATA_GLOBAL = 0x08,
	IW_RDMAP_EC_CANT_INVALIDATE = 0x09,
	IW_RDMAP_EC_UNSPECIFIED = 0xff,
};

/** DDP error types (layer 1). */
enum {
	IW_DDP_ET_CATASTROPHIC = 0,
	IW_DDP_ET_TAGGED = 1,
	IW_DDP_ET_UNTAGGED = 2,
};

/** DDP tagged buffer error codes. */
enum {
	IW_DDP_EC_T_INVALID_STAG = 0x00,
	IW_DDP_EC_T_BASE_BOUNDS = 0x01,
	IW_DDP_EC_T_STAG_NOT_ASSOC = 0x02,
	IW_DDP_EC_T_TO_WRAP = 0x03,
	IW_DDP_EC_T_VERSION = 0x04,
};

/** DDP untagged buffer error codes. */
enum {
	IW_DDP_EC_U_INVALID_QN = 0x01,
	IW_DDP_EC_U_NO_BUFFER = 0x02,
	IW_DDP_EC_U_MSN_RANGE = 0x03,
	IW_DDP_EC_U_INVALID_MO = 0x04,
	IW_DDP_EC_U_TOO_LONG = 0x05,
	IW_DDP_EC_U_VERSION = 0x06,
};

/** LLP (MPA) error type and codes (layer 2; RFC 5044 8, RFC 6581 9). */
enum {
	IW_LLP_ET_MPA = 0,
};
enum {
	IW_LLP_EC_TCP_LOST = 0x01,
	IW_LLP_EC_CRC = 0x02,
	IW_LLP_EC_MARKER = 0x03,
	IW_LLP_EC_INVALID_RR = 0x04,
	IW_LLP_EC_LOCAL_CATA = 0x05,
	IW_LLP_EC_INSUFFICIENT_IRD = 0x06,
	IW_LLP_EC_NO_MATCHING_RTR = 0x07,
};

/** RFC 7306 Atomic Request header, after the untagged DDP header. */
struct iw_rdmap_atomic_req {
	rte_be32_t aopcode;	/**< reserved (28 bits) + atomic opcode (4) */
	rte_be32_t req_id;
	rte_be32_t stag;
	rte_be64_t to;
	rte_be64_t add_swap;
	rte_be64_t add_swap_mask;
	rte_be64_t cmp;
	rte_be64_t cmp_mask;
} __rte_packed;

#define IW_RDMAP_ATOMIC_REQ_LEN		52
#define IW_ATOMIC_OP_MASK		RTE_BE32(0x0000000f)
#define IW_ATOMIC_FETCH_ADD		0x0
#define IW_ATOMIC_CMP_SWAP		0x2

/** RFC 7306 Atomic Response header, after the untagged DDP header. */
struct iw_rdmap_atomic_resp {
	rte_be32_t req_id;
	rte_be64_t orig;
} __rte_packed;

#define IW_RDMAP_ATOMIC_RESP_LEN	12

/** RFC 7306 Immediate Data: 8 bytes after the untagged DDP header. */
struct iw_rdmap_imm {
	rte_be64_t data;
} __rte_packed;

#define IW_RDMAP_IMM_LEN	8

/** The longest DDP+RDMAP header of any opcode (atomic request). */
#define IW_HDR_MAX_LEN		(IW_DDP_UNTAGGED_HDR_LEN + IW_RDMAP_ATOMIC_REQ_LEN)

/* Accessors on the two control bytes */

static inline int
iw_ddp_is_tagged(const struct iw_ddp_ctrl *c)
{
	return (c->ddp & IW_DDP_F_TAGGED) != 0;
}

static inline int
iw_ddp_is_last(const struct iw_ddp_ctrl *c)
{
	return (c->ddp & IW_DDP_F_LAST) != 0;
}

static inline uint8_t
iw_ddp_version(const struct iw_ddp_ctrl *c)
{
	return c->ddp & IW_DDP_DV_MASK;
}

static inline uint8_t
iw_rdmap_version(const struct iw_ddp_ctrl *c)
{
	return (c->rdmap & IW_RDMAP_RV_MASK) >> IW_RDMAP_RV_SHIFT;
}

static inline uint8_t
iw_rdmap_opcode(const struct iw_ddp_ctrl *c)
{
	return c->rdmap & IW_RDMAP_OPCODE_MASK;
}

#endif /* IWARP_WIRE_H */
