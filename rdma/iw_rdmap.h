/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_RDMAP_H
#define IW_RDMAP_H

/**
 * @file
 * DDP/RDMAP headers in parsed (host order) form, their parse and build, the
 * per-opcode table that drives receive dispatch and transmit templates, and
 * TERMINATE messages.
 *
 * Error convention: parse functions return the number of header bytes consumed
 * (> 0) or a negative errno: -EAGAIN when more bytes are needed, -EPROTO when
 * the bytes are not a valid header; on -EPROTO the iw_term_cause filled in says
 * which TERMINATE (layer, error type, error code) RFC 5040/5041 asks for.
 * Build functions return the bytes written or -ENOSPC / -EINVAL.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "iwarp_wire.h"

/** Why a stream is terminated: RFC 5040 section 7 layer, error type, code. */
struct iw_term_cause {
	uint8_t layer;	/**< enum iw_term_layer */
	uint8_t etype;
	uint8_t ecode;
};

/** Receive handler slot of an opcode (what the engine does with it). */
enum iw_rx_slot {
	IW_RX_INVALID = 0,	/**< reserved opcode: TERMINATE */
	IW_RX_PLACE_TAGGED,	/**< WRITE, READ response: place at STag/TO */
	IW_RX_PLACE_UNTAGGED,	/**< SEND variants: place into the posted receive */
	IW_RX_READ_REQ,		/**< queue a READ response */
	IW_RX_TERMINATE,	/**< peer terminated */
	IW_RX_IMMEDIATE,	/**< RFC 7306 immediate data */
	IW_RX_ATOMIC_REQ,	/**< RFC 7306 atomic request */
	IW_RX_ATOMIC_RESP,	/**< RFC 7306 atomic response */
};

/** Opcode property flags. */
#define IW_OPF_SE		0x01	/**< solicited event */
#define IW_OPF_INV		0x02	/**< carries an Invalidate STag */
#define IW_OPF_PAYLOAD		0x04	/**< may carry payload after the header */
#define IW_OPF_MULTI		0x08	/**< a message may span several DDP segments */

/** One row of the opcode table (siw iwarp_pktinfo[] style). */
struct iw_opcode_info {
	const char *name;	/**< NULL for reserved opcodes */
	uint8_t hdr_len;	/**< DDP + RDMAP header bytes (no MPA length) */
	uint8_t ddp_ctrl;	/**< DDP control template: T flag, DV; L added per segment */
	uint8_t rdmap_ctrl;	/**< RDMAP control: RV and opcode */
	uint8_t qn;		/**< untagged queue number (unused when tagged) */
	uint8_t flags;		/**< IW_OPF_* */
	uint8_t rx_slot;	/**< enum iw_rx_slot */
};

/** The table, indexed by RDMAP opcode (16 rows; reserved ones have name NULL). */
extern const struct iw_opcode_info iw_opcode_table[IW_OP_COUNT];

/** Parsed terminate control word and what follows it. */
struct iw_term_info {
	struct iw_term_cause cause;
	bool m, d, r;		/**< header control bits */
	bool siw_encoding;	/**< the control word was in siw's little-endian layout */
	uint16_t seg_len;	/**< DDP segment length (valid if m) */
	uint8_t ddp_hdr_len;	/**< terminated DDP header length (14 or 18, if d) */
	const uint8_t *ddp_hdr;	/**< points into the parsed buffer, if d */
	const uint8_t *rdmap_hdr; /**< 28 bytes of the terminated READ request, if r */
};

/** A DDP/RDMAP header in host order. */
struct iw_hdr {
	uint8_t opcode;		/**< enum iw_opcode */
	bool tagged;
	bool last;
	uint8_t hdr_len;	/**< bytes of the wire header */
	union {
		struct {
			uint32_t stag;
			uint64_t to;
		} t;		/**< tagged */
		struct {
			uint32_t inv_stag; /**< RsvdULP: Invalidate STag or 0 */
			uint32_t qn;
			uint32_t msn;
			uint32_t mo;
		} u;		/**< untagged */
	};
	union {
		struct {
			uint32_t sink_stag;
			uint64_t sink_to;
			uint32_t size;
			uint32_t src_stag;
			uint64_t src_to;
		} rreq;
		struct {
			uint32_t ctrl;	/**< the raw control word as on the wire */
		} term;
		struct {
			uint8_t aop;
			uint32_t req_id;
			uint32_t stag;
			uint64_t to;
			uint64_t add_swap;
			uint64_t add_swap_mask;
			uint64_t cmp;
			uint64_t cmp_mask;
		} areq;
		struct {
			uint32_t req_id;
			uint64_t orig;
		} aresp;
		uint64_t imm;
	};
};

/**
 * Parse the DDP/RDMAP header at the start of a ULPDU.
 *
 * Checks the DDP and RDMAP versions, the opcode, that the T flag and the queue
 * number match the opcode, that the ULPDU is long enough and that opcodes
 * without payload carry none.
 *
 * @param buf
 *   ULPDU bytes (after the MPA length field).
 * @param len
 *   Bytes available in buf.
 * @param ulpdu_len
 *   The ULPDU length from the MPA header (so payload-free opcodes can be checked).
 * @param out
 *   Parsed header.
 * @param cause
 *   On -EPROTO: the TERMINATE to send.
 * @return
 *   Header length (> 0); -EAGAIN if len is too short to tell; -EPROTO if invalid.
 */
int iw_hdr_parse(const uint8_t *buf, size_t len, uint32_t ulpdu_len, struct iw_hdr *out,
		struct iw_term_cause *cause);

/**
 * The header of the data path's common segments, parsed inline: RDMA Write
 * and Read Response (tagged), the four Sends (untagged, queue 0), with the
 * reserved bits clear. @return the header length, or 0 when it is anything
 * else (iw_hdr_parse() then decides, and reports what is wrong).
 */
static inline int
iw_hdr_parse_fast(const uint8_t *buf, uint32_t ulpdu_len, struct iw_hdr *out)
{
	uint8_t ddp = buf[0], rdmap = buf[1], op = rdmap & IW_RDMAP_OPCODE_MASK;
	rte_be32_t w[4];
	rte_be64_t to;

	if ((rdmap & ~IW_RDMAP_OPCODE_MASK) != IW_RDMAP_VERSION << IW_RDMAP_RV_SHIFT)
		return 0;
	switch (op) {
	case IW_OP_WRITE:
	case IW_OP_READ_RESP:
		if ((ddp & ~IW_DDP_F_LAST) != (IW_DDP_F_TAGGED | IW_DDP_VERSION) ||
		    ulpdu_len < IW_DDP_TAGGED_HDR_LEN)
			return 0;
		memcpy(w, buf + 2, 4);
		memcpy(&to, buf + 6, 8);
		out->opcode = op;
		out->tagged = true;
		out->last = (ddp & IW_DDP_F_LAST) != 0;
		out->hdr_len = IW_DDP_TAGGED_HDR_LEN;
		out->t.stag = rte_be_to_cpu_32(w[0]);
		out->t.to = rte_be_to_cpu_64(to);
		return IW_DDP_TAGGED_HDR_LEN;
	case IW_OP_SEND:
	case IW_OP_SEND_INV:
	case IW_OP_SEND_SE:
	case IW_OP_SEND_SE_INV:
		if ((ddp & ~IW_DDP_F_LAST) != IW_DDP_VERSION || ulpdu_len < IW_DDP_UNTAGGED_HDR_LEN)
			return 0;
		memcpy(w, buf + 2, sizeof(w));
		if (w[1] != RTE_BE32(IW_QN_SEND))
			return 0;
		out->opcode = op;
		out->tagged = false;
		out->last = (ddp & IW_DDP_F_LAST) != 0;
		out->hdr_len = IW_DDP_UNTAGGED_HDR_LEN;
		out->u.inv_stag = rte_be_to_cpu_32(w[0]);
		out->u.qn = IW_QN_SEND;
		out->u.msn = rte_be_to_cpu_32(w[2]);
		out->u.mo = rte_be_to_cpu_32(w[3]);
		return IW_DDP_UNTAGGED_HDR_LEN;
	default:
		return 0;
	}
}

/**
 * Write the DDP (and RDMAP control) header of a tagged segment: the fast
 * path's builder, also used by iw_hdr_build(). oi is the opcode's row.
 */
static inline void
iw_hdr_put_tagged(uint8_t *buf, const struct iw_opcode_info *oi, bool last, uint32_t stag,
		  uint64_t to)
{
	rte_be32_t s = rte_cpu_to_be_32(stag);
	rte_be64_t t = rte_cpu_to_be_64(to);

	buf[0] = oi->ddp_ctrl | (last ? IW_DDP_F_LAST : 0);
	buf[1] = oi->rdmap_ctrl;
	memcpy(buf + 2, &s, sizeof(s));
	memcpy(buf + 6, &t, sizeof(t));
}

/** The same for an untagged segment's DDP header (RsvdULP, QN, MSN, MO). */
static inline void
iw_hdr_put_untagged(uint8_t *buf, const struct iw_opcode_info *oi, bool last, uint32_t inv,
		    uint32_t msn, uint32_t mo)
{
	rte_be32_t w[4] = {
		rte_cpu_to_be_32((oi->flags & IW_OPF_INV) ? inv : 0),
		rte_cpu_to_be_32(oi->qn), rte_cpu_to_be_32(msn), rte_cpu_to_be_32(mo),
	};

	buf[0] = oi->ddp_ctrl | (last ? IW_DDP_F_LAST : 0);
	buf[1] = oi->rdmap_ctrl;
	memcpy(buf + 2, w, sizeof(w));
}

/**
 * Encode a header from its parsed form; the control bytes come from the opcode
 * table, the Last flag from hdr->last, reserved bits are 0.
 *
 * @param hdr
 *   Header; hdr->opcode selects the layout, hdr->hdr_len is ignored.
 * @param buf
 *   Output.
 * @param len
 *   Space in buf.
 * @return
 *   Bytes written; -EINVAL for a reserved opcode; -ENOSPC if len is too small.
 */
int iw_hdr_build(const struct iw_hdr *hdr, uint8_t *buf, size_t len);

/**
 * Decode a TERMINATE message: the control word and the optional DDP segment
 * length, terminated DDP header and terminated RDMAP header behind it.
 *
 * Tolerates Linux siw's encoding, which writes the control word with
 * little-endian bitfields: byte 0 holds etype<<4|layer (nibbles swapped) and the
 * M/D/R bits are bits 0/1/2 of byte 2. The layout chosen is the one under which
 * (layer, etype, ecode) is a combination RFC 5040/5041/5044 defines and the
 * header control bits agree with the bytes that follow; the RFC layout wins a tie.
 *
 * @param msg
 *   The terminate message: control word first (i.e. the ULPDU after the
 *   18-byte untagged DDP header).
 * @param len
 *   Its length.
 * @param out
 *   Decoded fields; pointers point into msg.
 * @return
 *   0; -EPROTO if shorter than the control word or than the headers it announces.
 */
int iw_term_decode(const uint8_t *msg, size_t len, struct iw_term_info *out);

/**
 * Encode a TERMINATE message body per RFC 5040 section 4.8 (control word, then
 * the DDP segment length and offending DDP header if given, then the offending
 * READ request header if given).
 *
 * @param cause
 *   Layer, error type, error code.
 * @param bad_seg_len
 *   ULPDU length of the offending segment (used when bad_ddp != NULL).
 * @param bad_ddp
 *   The offending DDP header (14 bytes if tagged, else 18), or NULL.
 * @param bad_rreq
 *   The offending RDMA READ request header (28 bytes), or NULL.
 * @param buf
 *   Output.
 * @param len
 *   Space in buf.
 * @return
 *   Bytes written; -ENOSPC.
 */
int iw_term_encode(const struct iw_term_cause *cause, uint16_t bad_seg_len,
		const uint8_t *bad_ddp, const uint8_t *bad_rreq, uint8_t *buf, size_t len);

/**
 * @return true if (layer, etype, ecode) is a combination defined by RFC 5040,
 * RFC 5041, RFC 5044 or RFC 6581.
 */
bool iw_term_cause_valid(const struct iw_term_cause *cause);

/** @return the opcode's name, "reserved" for reserved opcodes. */
const char *iw_opcode_name(uint8_t opcode);

#endif /* IW_RDMAP_H */
