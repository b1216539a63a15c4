/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_FPDU_H
#define IW_FPDU_H

/**
 * @file
 * MPA FPDU framing (RFC 5044 sections 4-6) with DDP segmentation (RFC 5041).
 *
 * Receive: iw_fpdu_rx_feed() takes the in-order TCP byte stream in chunks of any
 * size (a TCP segment, an mbuf segment, one byte) and runs an explicit state
 * machine (GET_HDR, GET_DATA_START, GET_DATA_MORE, GET_TRAILER) in one loop; a
 * state handler returns -EAGAIN when its chunk is used up. It strips markers when
 * they were negotiated, parses the DDP/RDMAP header, hands every payload chunk to
 * the consumer with its offset inside the segment (so the engine copies it once,
 * straight into the target memory) while the CRC32c runs over the same bytes,
 * and checks the CRC at the trailer. Every protocol error goes through one
 * terminate(layer, etype, ecode) path, which reports it through ops->on_error
 * and stops the stream.
 *
 * Placement happens before the CRC is known (the CRC covers the whole FPDU): a
 * CRC error terminates the stream, so the consumer must treat the placed bytes
 * of that FPDU as garbage and never complete the message (RFC 5041 allows
 * placement before delivery).
 *
 * Markers (RFC 5044 section 5): one every 512 bytes of the TCP stream counted
 * from the first byte after the MPA handshake; the 16-bit FPDU pointer gives the
 * distance back to the start of the FPDU that contains the marker, and is 0 when
 * the marker immediately precedes an FPDU (the FPDU then starts at the marker).
 * Markers inside an FPDU, including that leading one and one between the pad and
 * the CRC, are covered by its CRC (as Wireshark's MPA dissector checks it).
 *
 * Transmit: iw_fpdu_tx_build() frames one DDP segment: MPA length, header,
 * payload gathered from segments, pad, CRC32c (0 when CRC is off), markers if
 * negotiated; iw_fpdu_tx_max_ulpdu() says how large a ULPDU fits in the MSS at
 * the current stream position, and iw_ddp_seg_next() cuts a message into DDP
 * segments no larger than that.
 *
 * Error convention: 0 / byte counts on success, negative errno on failure.
 * Neither side allocates; all state is in the caller's structures.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>

#include "iw_crc32c.h"
#include "iw_rdmap.h"
#include "iwarp_wire.h"

/** Receive states. */
enum iw_rx_state {
	IW_RX_GET_HDR = 0,	/**< MPA length and DDP/RDMAP header */
	IW_RX_GET_DATA_START,	/**< first payload byte of the segment */
	IW_RX_GET_DATA_MORE,	/**< rest of the payload */
	IW_RX_GET_TRAILER,	/**< pad and CRC */
	IW_RX_ERROR,		/**< terminated: nothing more is accepted */
};

/** Consumer callbacks of the receive path. ctx is passed back unchanged. */
struct iw_fpdu_rx_ops {
	/**
	 * A DDP segment's header arrived (before any of its payload).
	 * @return 0 to go on; negative to refuse it, with *cause set (e.g. invalid
	 *   STag, no posted receive): the stream is terminated with that cause.
	 */
	int (*on_hdr)(void *ctx, const struct iw_hdr *hdr, uint32_t payload_len,
			struct iw_term_cause *cause);
	/**
	 * Payload bytes [off, off + len) of the current segment (tagged: at
	 * TO + off; untagged: at MO + off). Called once or more per segment.
	 * @return 0, or negative with *cause set to terminate.
	 */
	int (*on_data)(void *ctx, const struct iw_hdr *hdr, uint32_t off, const uint8_t *data,
			uint32_t len, struct iw_term_cause *cause);
	/**
	 * Optional: the one contiguous range of memory a whole segment's payload
	 * of len bytes goes to (a tagged sink, a receive of one SGE), asked after
	 * on_hdr accepted the segment when its FPDU arrived whole. The receive
	 * path then copies the payload there itself, in the same pass as its
	 * CRC, instead of calling on_data. NULL (or no callback): on_data.
	 */
	uint8_t *(*dst)(void *ctx, const struct iw_hdr *hdr, uint32_t len);
	/** The segment is complete and its CRC (when negotiated) is good. */
	void (*on_end)(void *ctx, const struct iw_hdr *hdr);
	/**
	 * The stream is terminated. hdr is the offending segment's header when it
	 * was parsed, else NULL; iw_fpdu_rx_raw_hdr() gives its wire bytes for the
	 * TERMINATE message.
	 */
	void (*on_error)(void *ctx, const struct iw_term_cause *cause, const struct iw_hdr *hdr);
};

/** Receive side of one connection. Initialise with iw_fpdu_rx_init(). */
struct iw_fpdu_rx {
	uint8_t state;		/**< enum iw_rx_state */
	bool crc_on;
	bool markers_on;
	bool in_fpdu;		/**< between the first byte of an FPDU and its CRC */
	bool hdr_parsed;
	uint8_t mkr_got;	/**< bytes of the current marker seen */
	uint16_t ulpdu_len;
	uint32_t got;		/**< bytes of the current unit (header, trailer) held */
	uint32_t payload_len;
	uint32_t payload_done;
	uint64_t pos;		/**< stream position of the next byte (markers counted) */
	uint64_t fpdu_start;	/**< stream position where the current FPDU starts */
	struct iw_crc32c crc;
	uint32_t crc_wire;	/**< CRC of the last FPDU as received */
	uint32_t crc_calc;	/**< CRC of the last FPDU as computed */
	struct iw_hdr hdr;
	struct iw_term_cause cause;
	uint8_t mkr[IW_MPA_MARKER_LEN];
	uint8_t trailer[3 + IW_MPA_CRC_LEN];
	uint8_t hbuf[IW_MPA_LEN_FIELD + IW_HDR_MAX_LEN];
	const uint8_t *raw;	/**< the current header's wire bytes when not in hbuf
				 *   (fast path: in the bytes being fed) */
	/* statistics */
	uint64_t fpdus;		/**< good FPDUs */
	uint64_t markers;	/**< markers stripped */
	uint64_t crc_errors;
};

/**
 * Initialise a receive side for FPDU mode.
 *
 * @param rx
 *   State to initialise.
 * @param crc_on
 *   CRC32c negotiated: check it.
 * @param markers_on
 *   The peer inserts markers: strip and check them.
 * @param start_pos
 *   Stream position of the first byte fed, relative to the start of FPDU mode
 *   (0 normally; markers depend on it).
 */
void iw_fpdu_rx_init(struct iw_fpdu_rx *rx, bool crc_on, bool markers_on, uint64_t start_pos);

/**
 * Feed in-order stream bytes.
 *
 * @param rx
 *   Receive state.
 * @param data
 *   Bytes.
 * @param len
 *   Number of bytes (any; 0 allowed).
 * @param ops
 *   Callbacks; on_data and on_end may be NULL.
 * @param ctx
 *   Passed to the callbacks.
 * @return
 *   len (all consumed); -EPROTO if the stream is or becomes terminated (the
 *   error was reported once through ops->on_error); -EINVAL if len > INT32_MAX.
 */
int iw_fpdu_rx_feed(struct iw_fpdu_rx *rx, const uint8_t *data, size_t len,
		const struct iw_fpdu_rx_ops *ops, void *ctx);

/**
 * The error exit of the receive side (state ERROR, ops->on_error with cause c).
 * @return -EPROTO.
 */
int iw_fpdu_rx_fail(struct iw_fpdu_rx *rx, const struct iw_fpdu_rx_ops *ops, void *ctx,
		    const struct iw_term_cause *c);

/**
 * The receive fast path, inline so that a consumer calling it with a constant
 * ops table gets its callbacks inlined: one whole FPDU at p, at an FPDU
 * boundary, without markers (the common case: TCP segments carry whole
 * FPDUs). Same events and state as the state machine would produce; the
 * payload goes to ops->dst (copied in the CRC's pass) or to on_data.
 * Placement happens before the CRC is checked (see above).
 * @return bytes consumed (> 0); 0 when iw_fpdu_rx_feed() must take these
 *   bytes (no whole FPDU here, markers, mid-FPDU); -EPROTO (terminated).
 */
static inline int
iw_fpdu_rx_fast(struct iw_fpdu_rx *rx, const uint8_t *p, size_t left,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	struct iw_term_cause cause;
	const uint8_t *payload;
	uint32_t ulpdu, flen, pad, plen;
	uint8_t *dst;
	int hl;

	if (rx->state != IW_RX_GET_HDR || rx->markers_on || rx->in_fpdu ||
	    left < IW_MPA_LEN_FIELD)
		return 0;
	ulpdu = (uint32_t)(p[0] << 8 | p[1]);
	flen = iw_mpa_fpdu_len(ulpdu);
	if (left < flen)
		return 0;
	hl = iw_hdr_parse_fast(p + IW_MPA_LEN_FIELD, ulpdu, &rx->hdr);
	if (hl == 0)
		hl = iw_hdr_parse(p + IW_MPA_LEN_FIELD, ulpdu, ulpdu, &rx->hdr, &cause);
	if (hl <= 0)
		return 0;	/* the state machine reports it */
	pad = iw_mpa_pad(ulpdu);
	plen = ulpdu - (uint32_t)hl;
	rx->raw = p;
	rx->fpdu_start = rx->pos;
	rx->ulpdu_len = (uint16_t)ulpdu;
	rx->got = IW_MPA_LEN_FIELD + (uint32_t)hl;
	rx->hdr_parsed = true;
	rx->payload_len = plen;
	rx->payload_done = 0;
	payload = p + IW_MPA_LEN_FIELD + hl;
	iw_crc32c_init(&rx->crc);
	if (rx->crc_on)
		iw_crc32c_update(&rx->crc, p, IW_MPA_LEN_FIELD + (uint32_t)hl);
	if (ops->on_hdr != NULL && ops->on_hdr(ctx, &rx->hdr, plen, &cause) < 0)
		return iw_fpdu_rx_fail(rx, ops, ctx, &cause);
	if (plen > 0) {
		dst = ops->dst != NULL ? ops->dst(ctx, &rx->hdr, plen) : NULL;
		if (dst != NULL) {
			/* placed and checked in one pass */
			if (rx->crc_on)
				iw_crc32c_copy(&rx->crc, dst, payload, plen);
			else
				memcpy(dst, payload, plen);
		} else {
			if (rx->crc_on)
				iw_crc32c_update(&rx->crc, payload, plen);
			if (ops->on_data != NULL &&
			    ops->on_data(ctx, &rx->hdr, 0, payload, plen, &cause) < 0)
				return iw_fpdu_rx_fail(rx, ops, ctx, &cause);
		}
		rx->payload_done = plen;
	}
	rx->crc_wire = iw_mpa_crc_get(payload + plen + pad);
	rx->crc_calc = 0;
	if (rx->crc_on) {
		if (pad > 0)
			iw_crc32c_update(&rx->crc, payload + plen, pad);
		rx->crc_calc = iw_crc32c_final(&rx->crc);
		if (unlikely(rx->crc_wire != rx->crc_calc)) {
			rx->state = IW_RX_GET_TRAILER;
			rx->in_fpdu = true;
			rx->crc_errors++;
			cause.layer = IW_LAYER_LLP;
			cause.etype = IW_LLP_ET_MPA;
			cause.ecode = IW_LLP_EC_CRC;
			return iw_fpdu_rx_fail(rx, ops, ctx, &cause);
		}
	}
	rx->fpdus++;
	rx->got = 0;
	rx->pos += flen;
	if (ops->on_end != NULL)
		ops->on_end(ctx, &rx->hdr);
	return (int)flen;
}

/**
 * The wire bytes of the current (or offending) segment's header: MPA length
 * field followed by the DDP/RDMAP header (valid while the bytes fed are: the
 * callbacks may use it).
 *
 * @param len
 *   Set to the number of header bytes held.
 */
const uint8_t *iw_fpdu_rx_raw_hdr(const struct iw_fpdu_rx *rx, uint32_t *len);

struct rte_mbuf;

/**
 * Feed the data of an mbuf chain, segment by segment (no copy, no linearising).
 *
 * @param rx
 *   Receive state.
 * @param m
 *   First segment; the chain is followed through m->next.
 * @param off
 *   Bytes of the chain to skip first (e.g. the TCP payload offset).
 * @param ops
 *   Callbacks.
 * @param ctx
 *   Passed to the callbacks.
 * @return
 *   Bytes fed; -EPROTO as iw_fpdu_rx_feed().
 */
int iw_fpdu_rx_feed_mbuf(struct iw_fpdu_rx *rx, const struct rte_mbuf *m, uint32_t off,
		const struct iw_fpdu_rx_ops *ops, void *ctx);

/** A piece of payload for the transmit side. */
struct iw_seg {
	const void *addr;
	uint32_t len;
};

/** Transmit side of one connection. */
struct iw_fpdu_tx {
	bool crc_on;
	bool markers_on;
	uint64_t pos;		/**< stream position of the next byte (markers counted) */
};

/** Initialise a transmit side (start_pos as for iw_fpdu_rx_init()). */
void iw_fpdu_tx_init(struct iw_fpdu_tx *tx, bool crc_on, bool markers_on, uint64_t start_pos);

/** @return the bytes an FPDU with this ULPDU takes at the current position. */
uint32_t iw_fpdu_tx_wire_len(const struct iw_fpdu_tx *tx, uint32_t ulpdu_len);

/**
 * @return the largest ULPDU whose FPDU (markers included) fits in mss bytes at
 *   the current position; 0 if not even an empty one fits.
 */
uint32_t iw_fpdu_tx_max_ulpdu(const struct iw_fpdu_tx *tx, uint32_t mss);

/**
 * Frame one DDP segment into a flat buffer and advance the stream position.
 *
 * @param tx
 *   Transmit state.
 * @param hdr
 *   The segment's header (see iw_hdr_build()).
 * @param segs
 *   Payload pieces, in order.
 * @param nseg
 *   Number of pieces.
 * @param out
 *   Output buffer.
 * @param out_len
 *   Its size.
 * @return
 *   Bytes written; -EINVAL for a reserved opcode or a ULPDU over 65535 bytes;
 *   -ENOSPC if out is too small (nothing is advanced).
 */
int iw_fpdu_tx_build(struct iw_fpdu_tx *tx, const struct iw_hdr *hdr, const struct iw_seg *segs,
		unsigned int nseg, uint8_t *out, size_t out_len);

/** Room for an FPDU's head: MPA length field and the longest header. */
#define IW_FPDU_HEAD_MAX	(IW_MPA_LEN_FIELD + IW_HDR_MAX_LEN)
/** Room for an FPDU's trailer: pad and CRC. */
#define IW_FPDU_TRAILER_MAX	(3 + IW_MPA_CRC_LEN)

/** One FPDU framed for zero-copy transmit: head, payload in place, trailer. */
struct iw_fpdu_frame {
	uint8_t head[IW_FPDU_HEAD_MAX];
	uint8_t trailer[IW_FPDU_TRAILER_MAX];
	uint8_t head_len;
	uint8_t trailer_len;
};

/**
 * Frame n DDP segments whose payload stays in place (registered memory sent as
 * external mbuf segments): for each, the head (MPA length and header) and the
 * trailer (pad, CRC32c) to send around its payload piece. The CRCs of the burst
 * are computed interleaved (iw_crc32c_update_multi()). Advances the stream
 * position by the n FPDUs.
 *
 * @param tx
 *   Transmit state; markers must be off (they would land inside the payload:
 *   use iw_fpdu_tx_build()).
 * @param hdrs
 *   n headers.
 * @param payloads
 *   n payload pieces, one contiguous piece per FPDU (len 0 allowed).
 * @param n
 *   Number of FPDUs.
 * @param out
 *   n frames.
 * @return
 *   0; -ENOTSUP if markers are on; -EINVAL for a reserved opcode or an
 *   oversize ULPDU (nothing is advanced).
 */
int iw_fpdu_tx_frame_burst(struct iw_fpdu_tx *tx, const struct iw_hdr *hdrs,
		const struct iw_seg *payloads, unsigned int n, struct iw_fpdu_frame *out);

/** Cuts one message into DDP segments. */
struct iw_ddp_seg_iter {
	struct iw_hdr hdr;	/**< template: opcode, STag/TO or QN/MSN/MO/inv_stag */
	uint32_t total;		/**< message payload bytes */
	uint32_t done;		/**< bytes already segmented */
	bool finished;
};

/**
 * Start segmenting a message.
 *
 * @param it
 *   Iterator.
 * @param tmpl
 *   Header of the message's first segment (TO or MO of its first byte).
 * @param total
 *   Message payload bytes.
 */
void iw_ddp_seg_init(struct iw_ddp_seg_iter *it, const struct iw_hdr *tmpl, uint32_t total);

/**
 * The next segment of the message.
 *
 * @param it
 *   Iterator.
 * @param max_ulpdu
 *   Largest ULPDU allowed (iw_fpdu_tx_max_ulpdu()).
 * @param seg
 *   Header of the segment: TO/MO advanced, Last set on the final one.
 * @param off
 *   Offset of the segment's payload inside the message.
 * @return
 *   Payload bytes of the segment (>= 0); -ENOSPC if max_ulpdu cannot hold the
 *   header and a byte of a non-empty remainder; -ENOENT when the message is done.
 */
int iw_ddp_seg_next(struct iw_ddp_seg_iter *it, uint32_t max_ulpdu, struct iw_hdr *seg,
		uint32_t *off);

#endif /* IW_FPDU_H */
