/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_MPA_H
#define IW_MPA_H

/**
 * @file
 * MPA connection setup (RFC 5044 section 7, RFC 6581): request, reply and reject
 * frames, revisions 1 and 2, and the negotiation as pure functions over frames.
 * Timers and the TCP connection around them belong to the connection manager.
 *
 * Negotiation rules implemented here:
 * - CRC32c: asked for by default; used in both directions when either side asks
 *   (RFC 5044 7.1); a strict endpoint rejects a peer whose choice differs
 *   (Linux siw's mpa_crc_strict behaviour, for interop tests).
 * - Markers: the M bit asks the peer to insert markers towards the sender; each
 *   direction is independent. An endpoint that does not accept to insert
 *   markers rejects a request with M set.
 * - Revision: the responder answers min(request rev, its own); rev 2 carries the
 *   RFC 6581 IRD/ORD words (flag IW_MPA_F_ENHANCED) before the application's
 *   private data; rev 1 carries none.
 * - IRD/ORD: the responder's ORD is limited to the initiator's IRD; the initiator
 *   lowers its ORD to the responder's IRD (or fails with "insufficient IRD" in
 *   strict mode) and fails if the responder's ORD exceeds its IRD.
 * - Peer-to-peer: the initiator offers the ready-to-receive (RTR) message types
 *   it can send; the responder picks one of them (its own preference order:
 *   zero-length WRITE, READ, SEND) and echoes the P2P flag, or rejects with
 *   "no matching RTR". A responder not in peer-to-peer mode answers without P2P
 *   (client-server).
 *
 * Error convention: functions return 0 or a byte count on success, or a negative
 * errno: -EAGAIN (need more bytes), -EBADMSG (malformed frame), -EMSGSIZE
 * (private data over 512 bytes), -ENOSPC (output too small), -EINVAL (bad
 * argument), -ECONNREFUSED (the peer rejected / we reject), -EPROTO (reply
 * violates the negotiation). Where a TERMINATE or reject reason applies, the
 * LLP error code (IW_LLP_EC_*) is returned through an out parameter.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iw_rdmap.h"
#include "iwarp_wire.h"

/** Ready-to-receive message types (bit set). */
#define IW_RTR_WRITE	0x01	/**< zero-length RDMA WRITE */
#define IW_RTR_READ	0x02	/**< zero-length RDMA READ */
#define IW_RTR_SEND	0x04	/**< zero-length SEND */
#define IW_RTR_ALL	(IW_RTR_WRITE | IW_RTR_READ | IW_RTR_SEND)

/** A request or reply frame in parsed form. */
struct iw_mpa_frame {
	bool reply;		/**< key "MPA ID Rep Frame" */
	bool markers;		/**< M */
	bool crc;		/**< C */
	bool reject;		/**< R */
	uint8_t res;		/**< remaining flag bits (E, siw GSO, reserved) as sent */
	uint8_t rev;
	uint16_t pd_len;	/**< all private data on the wire */
	const uint8_t *pd;	/**< private data (points into the parsed buffer) */
	bool enhanced;		/**< rev 2 with IRD/ORD words */
	uint16_t ird, ord;	/**< IRD/ORD values (14 bits), if enhanced */
	bool p2p;		/**< peer-to-peer flag, if enhanced */
	uint8_t rtr;		/**< IW_RTR_* offered (request) or chosen (reply) */
	const uint8_t *ulp_pd;	/**< the application's private data */
	uint16_t ulp_pd_len;
};

/** Local MPA policy. */
struct iw_mpa_params {
	uint8_t rev;		/**< highest revision: 1 or 2 */
	bool crc;		/**< ask for CRC (default: true) */
	bool crc_strict;	/**< reject a peer whose CRC choice differs */
	bool markers_rx;	/**< ask the peer to insert markers */
	bool markers_tx_ok;	/**< agree to insert markers when asked */
	bool p2p;		/**< peer-to-peer mode (RFC 6581) */
	uint8_t rtr;		/**< RTR types offered/accepted (IW_RTR_*) */
	bool ird_ord_strict;	/**< initiator: fail instead of lowering ORD */
	uint16_t ird, ord;	/**< local inbound/outbound READ depths */
	const void *ulp_pd;	/**< application private data */
	uint16_t ulp_pd_len;
};

/** What was agreed. */
struct iw_mpa_result {
	uint8_t rev;
	bool crc;		/**< CRC32c in both directions */
	bool markers_tx;	/**< we insert markers */
	bool markers_rx;	/**< the peer inserts markers */
	bool ird_ord_known;	/**< rev 2 exchange happened */
	uint16_t ird, ord;	/**< local IRD/ORD to use */
	bool p2p;
	uint8_t rtr;		/**< the one RTR type agreed (0: none) */
	bool send_rtr;		/**< we must send the RTR (initiator in p2p) */
	bool expect_rtr;	/**< we must wait for the RTR (responder in p2p) */
};

/** Fill params with the defaults: rev 2, CRC asked, no markers, IRD=ORD=1. */
void iw_mpa_params_default(struct iw_mpa_params *p);

/**
 * Parse a request or reply frame.
 *
 * @param buf
 *   Stream bytes starting at the frame.
 * @param len
 *   Bytes available.
 * @param reply
 *   true to expect the reply key, false for the request key.
 * @param out
 *   Parsed frame; pointers point into buf.
 * @return
 *   Frame length (20 + PD length); -EAGAIN if incomplete; -EBADMSG for a wrong
 *   key, a reject bit in a request, revision 0, or IRD/ORD words missing;
 *   -EMSGSIZE if the private data length exceeds 512.
 */
int iw_mpa_parse(const void *buf, size_t len, bool reply, struct iw_mpa_frame *out);

/**
 * Encode a frame from its parsed form: key from f->reply; flags from
 * markers/crc/reject/res (E is forced on for enhanced frames); IRD/ORD words
 * from ird/ord/p2p/rtr if f->enhanced; then ulp_pd.
 *
 * @return
 *   Bytes written; -EMSGSIZE if the private data would exceed 512; -ENOSPC.
 */
int iw_mpa_build(const struct iw_mpa_frame *f, void *buf, size_t len);

/**
 * Initiator: the request frame for local policy p.
 *
 * @return 0; -EINVAL for an unsupported revision; -EMSGSIZE for too much PD.
 */
int iw_mpa_make_request(const struct iw_mpa_params *p, struct iw_mpa_frame *req);

/**
 * Responder: decide on a parsed request.
 *
 * @param p
 *   Local policy.
 * @param req
 *   The request received.
 * @param rep
 *   The reply to send (accept, or reject with R set).
 * @param res
 *   What was agreed (valid when 0 is returned).
 * @param ecode
 *   On -ECONNREFUSED: the LLP reason (IW_LLP_EC_*).
 * @return
 *   0 to accept; -ECONNREFUSED when rep is a reject.
 */
int iw_mpa_negotiate_responder(const struct iw_mpa_params *p, const struct iw_mpa_frame *req,
		struct iw_mpa_frame *rep, struct iw_mpa_result *res, uint8_t *ecode);

/**
 * Initiator: check the reply against the request sent.
 *
 * @param p
 *   Local policy (the one the request was made from).
 * @param req
 *   The request sent.
 * @param rep
 *   The reply received.
 * @param res
 *   What was agreed (valid when 0 is returned).
 * @param ecode
 *   On -EPROTO: the LLP code for the TERMINATE to send.
 * @return
 *   0; -ECONNREFUSED if the peer rejected; -EPROTO if the reply breaks the
 *   negotiation (revision raised, unknown or several RTRs, ORD over our IRD,
 *   strict CRC or IRD mismatch).
 */
int iw_mpa_negotiate_initiator(const struct iw_mpa_params *p, const struct iw_mpa_frame *req,
		const struct iw_mpa_frame *rep, struct iw_mpa_result *res, uint8_t *ecode);

/**
 * STag carried by the zero-length RTR messages. RFC 6581 does not name one; it
 * is never 0 on the wire (DESIGN), and Linux siw uses 1: so do we.
 */
#define IW_MPA_RTR_STAG 1

/**
 * The ready-to-receive message of a peer-to-peer connection (RFC 6581 section
 * 5): a zero-length RDMA WRITE to IW_MPA_RTR_STAG, a zero-length RDMA READ
 * request (sink and source IW_MPA_RTR_STAG, size 0; the responder answers with a
 * zero-length READ response to the sink STag), or a zero-length SEND. It is the
 * first message on its queue, so an untagged one carries MSN 1.
 *
 * @param rtr
 *   Exactly one of IW_RTR_WRITE, IW_RTR_READ, IW_RTR_SEND (iw_mpa_result.rtr).
 * @param hdr
 *   The header to send (Last set; the FPDU has no payload).
 * @return
 *   0; -EINVAL if rtr is not exactly one type.
 */
int iw_mpa_rtr_hdr(uint8_t rtr, struct iw_hdr *hdr);

/**
 * Is a received segment the ready-to-receive message agreed in res?
 *
 * @param res
 *   The negotiation result of a responder (res->expect_rtr).
 * @param hdr
 *   The first segment received after the MPA exchange.
 * @param payload_len
 *   Its payload length.
 * @return
 *   true if it is the agreed zero-length message (any STag accepted for READ
 *   and WRITE: the initiator picks it); false otherwise, in which case the
 *   responder terminates with IW_LLP_EC_NO_MATCHING_RTR.
 */
bool iw_mpa_rtr_match(const struct iw_mpa_result *res, const struct iw_hdr *hdr,
		uint32_t payload_len);

#endif /* IW_MPA_H */
