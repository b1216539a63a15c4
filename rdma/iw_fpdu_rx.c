/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FPDU receive state machine (see iw_fpdu.h). One loop, one switch; each state
 * handler consumes at most `room` bytes (the chunk up to the next marker) and
 * returns 0 when its unit is complete, -EAGAIN when it needs more bytes,
 * -EPROTO after terminate().
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "iw_fpdu.h"
#include "iw_log_pvt.h"

void
iw_fpdu_rx_init(struct iw_fpdu_rx *rx, bool crc_on, bool markers_on, uint64_t start_pos)
{
	memset(rx, 0, sizeof(*rx));
	rx->state = IW_RX_GET_HDR;
	rx->crc_on = crc_on;
	rx->markers_on = markers_on;
	rx->pos = start_pos;
}

const uint8_t *
iw_fpdu_rx_raw_hdr(const struct iw_fpdu_rx *rx, uint32_t *len)
{
	*len = rx->hdr_parsed ? (uint32_t)(IW_MPA_LEN_FIELD + rx->hdr.hdr_len) :
		RTE_MIN(rx->got, (uint32_t)sizeof(rx->hbuf));
	return rx->raw != NULL ? rx->raw : rx->hbuf;
}


/* The single exit for protocol errors. */
static int
terminate(struct iw_fpdu_rx *rx, const struct iw_fpdu_rx_ops *ops, void *ctx, uint8_t layer,
		uint8_t etype, uint8_t ecode)
{
	rx->cause.layer = layer;
	rx->cause.etype = etype;
	rx->cause.ecode = ecode;
	rx->state = IW_RX_ERROR;
	IW_PROTO_LOG_DP(DEBUG, "rx terminate layer %u etype %u ecode 0x%02x", layer, etype,
		ecode);
	if (ops->on_error != NULL)
		ops->on_error(ctx, &rx->cause, rx->hdr_parsed ? &rx->hdr : NULL);
	return -EPROTO;
}

int
iw_fpdu_rx_fail(struct iw_fpdu_rx *rx, const struct iw_fpdu_rx_ops *ops, void *ctx,
		const struct iw_term_cause *c)
{
	return terminate(rx, ops, ctx, c->layer, c->etype, c->ecode);
}

static int
terminate_cause(struct iw_fpdu_rx *rx, const struct iw_fpdu_rx_ops *ops, void *ctx,
		const struct iw_term_cause *c)
{
	return terminate(rx, ops, ctx, c->layer, c->etype, c->ecode);
}

static void
fpdu_begin(struct iw_fpdu_rx *rx)
{
	rx->raw = NULL;		/* the header collects in hbuf */
	rx->in_fpdu = true;
	rx->hdr_parsed = false;
	rx->fpdu_start = rx->pos;
	rx->got = 0;
	iw_crc32c_init(&rx->crc);
}

/*
 * Is the CRC field of the current FPDU under way? A marker right before it (after
 * the pad) is inside the FPDU and covered; one inside the field (only possible
 * when FPDU mode did not start 4-byte aligned) cannot be.
 */
static inline bool
in_crc_field(const struct iw_fpdu_rx *rx)
{
	return rx->state == IW_RX_GET_TRAILER && rx->got > iw_mpa_pad(rx->ulpdu_len);
}

static int
rx_get_marker(struct iw_fpdu_rx *rx, const uint8_t *p, size_t left, size_t *used,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	uint32_t take = RTE_MIN((uint32_t)left, (uint32_t)(IW_MPA_MARKER_LEN - rx->mkr_got));
	uint64_t mpos;
	uint16_t ptr;

	if (rx->mkr_got == 0 && !rx->in_fpdu)
		fpdu_begin(rx);		/* an FPDU right behind a marker starts at it */
	if (rx->crc_on && !in_crc_field(rx))
		iw_crc32c_update(&rx->crc, p, take);
	memcpy(rx->mkr + rx->mkr_got, p, take);
	rx->mkr_got += take;
	*used = take;
	if (rx->mkr_got < IW_MPA_MARKER_LEN)
		return -EAGAIN;
	rx->mkr_got = 0;
	rx->markers++;
	mpos = rx->pos + take - IW_MPA_MARKER_LEN;
	ptr = (uint16_t)(rx->mkr[2] << 8 | rx->mkr[3]);
	if (mpos - rx->fpdu_start != ptr)
		return terminate(rx, ops, ctx, IW_LAYER_LLP, IW_LLP_ET_MPA, IW_LLP_EC_MARKER);
	return 0;
}

static int
rx_get_hdr(struct iw_fpdu_rx *rx, const uint8_t *p, size_t room, size_t *used,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	struct iw_term_cause cause;
	uint32_t target, take;
	int rc;

	*used = 0;
	if (!rx->in_fpdu)
		fpdu_begin(rx);
	for (;;) {
		target = IW_MPA_LEN_FIELD + sizeof(struct iw_ddp_ctrl);
		if (rx->got >= target)
			target = IW_MPA_LEN_FIELD +
				iw_opcode_table[rx->hbuf[3] & IW_RDMAP_OPCODE_MASK].hdr_len;
		take = RTE_MIN((uint32_t)(room - *used), target - rx->got);
		memcpy(rx->hbuf + rx->got, p + *used, take);
		if (rx->crc_on)
			iw_crc32c_update(&rx->crc, p + *used, take);
		rx->got += take;
		*used += take;
		if (rx->got >= IW_MPA_LEN_FIELD)
			rx->ulpdu_len = (uint16_t)(rx->hbuf[0] << 8 | rx->hbuf[1]);
		if (rx->got < IW_MPA_LEN_FIELD + sizeof(struct iw_ddp_ctrl))
			return -EAGAIN;
		rc = iw_hdr_parse(rx->hbuf + IW_MPA_LEN_FIELD, rx->got - IW_MPA_LEN_FIELD,
				rx->ulpdu_len, &rx->hdr, &cause);
		if (rc == -EPROTO)
			return terminate_cause(rx, ops, ctx, &cause);
		if (rc > 0)
			break;
		if (*used == room)
			return -EAGAIN;
	}
	rx->hdr_parsed = true;
	rx->payload_len = rx->ulpdu_len - rx->hdr.hdr_len;
	rx->payload_done = 0;
	if (ops->on_hdr != NULL && ops->on_hdr(ctx, &rx->hdr, rx->payload_len, &cause) < 0)
		return terminate_cause(rx, ops, ctx, &cause);
	rx->got = 0;
	rx->state = rx->payload_len > 0 ? IW_RX_GET_DATA_START : IW_RX_GET_TRAILER;
	return 0;
}

static int
rx_get_data(struct iw_fpdu_rx *rx, const uint8_t *p, size_t room, size_t *used,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	struct iw_term_cause cause;
	uint32_t take = RTE_MIN((uint32_t)room, rx->payload_len - rx->payload_done);

	if (rx->crc_on)
		iw_crc32c_update(&rx->crc, p, take);
	if (ops->on_data != NULL &&
			ops->on_data(ctx, &rx->hdr, rx->payload_done, p, take, &cause) < 0) {
		*used = take;
		return terminate_cause(rx, ops, ctx, &cause);
	}
	rx->payload_done += take;
	*used = take;
	rx->state = IW_RX_GET_DATA_MORE;
	if (rx->payload_done < rx->payload_len)
		return -EAGAIN;
	rx->got = 0;
	rx->state = IW_RX_GET_TRAILER;
	return 0;
}

static int
rx_get_trailer(struct iw_fpdu_rx *rx, const uint8_t *p, size_t room, size_t *used,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	uint32_t pad = iw_mpa_pad(rx->ulpdu_len);
	uint32_t need = pad + IW_MPA_CRC_LEN;
	uint32_t take = RTE_MIN((uint32_t)room, need - rx->got);

	if (rx->crc_on && rx->got < pad)
		iw_crc32c_update(&rx->crc, p, RTE_MIN(take, pad - rx->got));
	memcpy(rx->trailer + rx->got, p, take);
	rx->got += take;
	*used = take;
	if (rx->got < need)
		return -EAGAIN;
	rx->crc_wire = iw_mpa_crc_get(rx->trailer + pad);
	rx->crc_calc = rx->crc_on ? iw_crc32c_final(&rx->crc) : 0;
	if (rx->crc_on && rx->crc_wire != rx->crc_calc) {
		rx->crc_errors++;
		return terminate(rx, ops, ctx, IW_LAYER_LLP, IW_LLP_ET_MPA, IW_LLP_EC_CRC);
	}
	rx->fpdus++;
	rx->in_fpdu = false;
	rx->got = 0;
	rx->state = IW_RX_GET_HDR;
	if (ops->on_end != NULL)
		ops->on_end(ctx, &rx->hdr);
	return 0;
}

int
iw_fpdu_rx_feed(struct iw_fpdu_rx *rx, const uint8_t *data, size_t len,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	const uint8_t *p = data;
	size_t left = len, room, used;
	uint32_t phase;
	int rc;

	if (rx->state == IW_RX_ERROR)
		return -EPROTO;
	if (len > INT32_MAX)
		return -EINVAL;
	while (left > 0) {
		room = left;
		if (rx->markers_on) {
			phase = (uint32_t)(rx->pos % IW_MPA_MARKER_SPACING);
			if (phase == 0 || rx->mkr_got > 0) {
				rc = rx_get_marker(rx, p, left, &used, ops, ctx);
				p += used;
				left -= used;
				rx->pos += used;
				if (rc == -EPROTO)
					return rc;
				continue;
			}
			room = RTE_MIN(left, (size_t)(IW_MPA_MARKER_SPACING - phase));
		}
		used = 0;
		switch (rx->state) {
		case IW_RX_GET_HDR:
			rc = iw_fpdu_rx_fast(rx, p, left, ops, ctx);
			if (rc < 0)
				return rc;
			if (rc > 0) {
				p += rc;
				left -= (size_t)rc;
				continue;
			}
			rc = rx_get_hdr(rx, p, room, &used, ops, ctx);
			break;
		case IW_RX_GET_DATA_START:
		case IW_RX_GET_DATA_MORE:
			rc = rx_get_data(rx, p, room, &used, ops, ctx);
			break;
		case IW_RX_GET_TRAILER:
			rc = rx_get_trailer(rx, p, room, &used, ops, ctx);
			break;
		default:
			return -EPROTO;
		}
		p += used;
		left -= used;
		rx->pos += used;
		if (rc == -EPROTO)
			return rc;
	}
	return (int)len;
}

int
iw_fpdu_rx_feed_mbuf(struct iw_fpdu_rx *rx, const struct rte_mbuf *m, uint32_t off,
		const struct iw_fpdu_rx_ops *ops, void *ctx)
{
	uint32_t total = 0;
	int rc;

	for (; m != NULL; m = m->next) {
		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		rc = iw_fpdu_rx_feed(rx, rte_pktmbuf_mtod_offset(m, const uint8_t *, off),
				m->data_len - off, ops, ctx);
		if (rc < 0)
			return rc;
		total += m->data_len - off;
		off = 0;
	}
	return (int)total;
}
