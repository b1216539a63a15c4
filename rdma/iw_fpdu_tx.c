/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FPDU transmit framing and DDP segmentation (see iw_fpdu.h).
 */
#include <errno.h>
#include <string.h>

#include "iw_fpdu.h"

void
iw_fpdu_tx_init(struct iw_fpdu_tx *tx, bool crc_on, bool markers_on, uint64_t start_pos)
{
	tx->crc_on = crc_on;
	tx->markers_on = markers_on;
	tx->pos = start_pos;
}

uint32_t
iw_fpdu_tx_wire_len(const struct iw_fpdu_tx *tx, uint32_t ulpdu_len)
{
	uint32_t left = iw_mpa_fpdu_len(ulpdu_len), total = 0, chunk;
	uint64_t pos = tx->pos;

	if (!tx->markers_on)
		return left;
	while (left > 0) {
		if (pos % IW_MPA_MARKER_SPACING == 0) {
			pos += IW_MPA_MARKER_LEN;
			total += IW_MPA_MARKER_LEN;
		}
		chunk = RTE_MIN(left, (uint32_t)(IW_MPA_MARKER_SPACING -
				pos % IW_MPA_MARKER_SPACING));
		pos += chunk;
		left -= chunk;
		total += chunk;
	}
	return total;
}

uint32_t
iw_fpdu_tx_max_ulpdu(const struct iw_fpdu_tx *tx, uint32_t mss)
{
	uint32_t u;

	if (mss < iw_mpa_fpdu_len(0) || iw_fpdu_tx_wire_len(tx, 0) > mss)
		return 0;
	if (!tx->markers_on) {
		/* the largest u with 2 + u + pad(u) + 4 <= mss: (2 + u) a multiple of 4 */
		u = ((mss - IW_MPA_CRC_LEN) & ~3u) - IW_MPA_LEN_FIELD;
		if (u <= UINT16_MAX)
			return u;
	}
	u = RTE_MIN(mss - IW_MPA_LEN_FIELD - IW_MPA_CRC_LEN, (uint32_t)UINT16_MAX);
	while (u > 0 && iw_fpdu_tx_wire_len(tx, u) > mss)
		u--;
	return u;
}

/* Writes bytes into the stream, inserting markers at every 512-byte boundary. */
struct emitter {
	uint8_t *out;
	size_t n;
	uint64_t pos;
	uint64_t fpdu_start;
	bool markers;
	bool crc_active;
	struct iw_crc32c crc;
};

/* A marker if the position is on a 512-byte boundary. */
static void
emit_marker(struct emitter *e)
{
	uint8_t *m = e->out + e->n;
	uint64_t ptr = e->pos - e->fpdu_start;

	if (!e->markers || e->pos % IW_MPA_MARKER_SPACING != 0)
		return;
	m[0] = 0;
	m[1] = 0;
	m[2] = (uint8_t)(ptr >> 8);
	m[3] = (uint8_t)ptr;
	if (e->crc_active)
		iw_crc32c_update(&e->crc, m, IW_MPA_MARKER_LEN);
	e->n += IW_MPA_MARKER_LEN;
	e->pos += IW_MPA_MARKER_LEN;
}

static void
emit(struct emitter *e, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint32_t chunk;

	while (len > 0) {
		chunk = len;
		if (e->markers) {
			emit_marker(e);
			chunk = RTE_MIN(len, (uint32_t)(IW_MPA_MARKER_SPACING -
					e->pos % IW_MPA_MARKER_SPACING));
		}
		memcpy(e->out + e->n, s, chunk);
		if (e->crc_active)
			iw_crc32c_update(&e->crc, s, chunk);
		e->n += chunk;
		e->pos += chunk;
		s += chunk;
		len -= chunk;
	}
}

int
iw_fpdu_tx_build(struct iw_fpdu_tx *tx, const struct iw_hdr *hdr, const struct iw_seg *segs,
		unsigned int nseg, uint8_t *out, size_t out_len)
{
	uint8_t hbuf[IW_MPA_LEN_FIELD + IW_HDR_MAX_LEN];
	static const uint8_t zero[3];
	uint8_t crcb[IW_MPA_CRC_LEN];
	struct emitter e;
	uint64_t payload = 0;
	uint32_t ulpdu, wire;
	unsigned int i;
	int hl;

	for (i = 0; i < nseg; i++)
		payload += segs[i].len;
	if (!tx->markers_on) {
		/*
		 * Contiguous FPDU, built in place: header, the payload copied
		 * and run through the CRC in the same pass, pad, CRC.
		 */
		struct iw_crc32c c;
		uint32_t n, pad;

		if (out_len < IW_MPA_LEN_FIELD)
			return -ENOSPC;
		hl = iw_hdr_build(hdr, out + IW_MPA_LEN_FIELD, out_len - IW_MPA_LEN_FIELD);
		if (hl < 0)
			return hl == -ENOSPC ? -ENOSPC : -EINVAL;
		if (payload + (uint32_t)hl > UINT16_MAX)
			return -EINVAL;
		ulpdu = (uint32_t)payload + (uint32_t)hl;
		wire = iw_mpa_fpdu_len(ulpdu);
		if (out_len < wire)
			return -ENOSPC;
		out[0] = (uint8_t)(ulpdu >> 8);
		out[1] = ulpdu & 0xff;
		n = IW_MPA_LEN_FIELD + (uint32_t)hl;
		pad = iw_mpa_pad(ulpdu);
		if (tx->crc_on) {
			iw_crc32c_init(&c);
			iw_crc32c_update(&c, out, n);
			for (i = 0; i < nseg; i++) {
				iw_crc32c_copy(&c, out + n, segs[i].addr, segs[i].len);
				n += segs[i].len;
			}
			memset(out + n, 0, pad);
			iw_crc32c_update(&c, out + n, pad);
			iw_mpa_crc_put(out + n + pad, iw_crc32c_final(&c));
		} else {
			for (i = 0; i < nseg; i++) {
				memcpy(out + n, segs[i].addr, segs[i].len);
				n += segs[i].len;
			}
			memset(out + n, 0, pad);
			iw_mpa_crc_put(out + n + pad, 0);
		}
		tx->pos += wire;
		return (int)wire;
	}

	hl = iw_hdr_build(hdr, hbuf + IW_MPA_LEN_FIELD, sizeof(hbuf) - IW_MPA_LEN_FIELD);
	if (hl < 0)
		return -EINVAL;
	if (payload + (uint32_t)hl > UINT16_MAX)
		return -EINVAL;
	ulpdu = (uint32_t)payload + (uint32_t)hl;
	wire = iw_fpdu_tx_wire_len(tx, ulpdu);
	if (out_len < wire)
		return -ENOSPC;
	hbuf[0] = (uint8_t)(ulpdu >> 8);
	hbuf[1] = ulpdu & 0xff;

	e.out = out;
	e.n = 0;
	e.pos = tx->pos;
	e.fpdu_start = tx->pos;
	e.markers = tx->markers_on;
	e.crc_active = true;
	iw_crc32c_init(&e.crc);
	emit(&e, hbuf, IW_MPA_LEN_FIELD + (uint32_t)hl);
	for (i = 0; i < nseg; i++)
		emit(&e, segs[i].addr, segs[i].len);
	emit(&e, zero, iw_mpa_pad(ulpdu));
	/* a marker between pad and CRC is inside the FPDU: the CRC covers it */
	emit_marker(&e);
	e.crc_active = false;
	iw_mpa_crc_put(crcb, tx->crc_on ? iw_crc32c_final(&e.crc) : 0);
	emit(&e, crcb, IW_MPA_CRC_LEN);
	tx->pos = e.pos;
	return (int)e.n;
}

int
iw_fpdu_tx_frame_burst(struct iw_fpdu_tx *tx, const struct iw_hdr *hdrs,
		const struct iw_seg *payloads, unsigned int n, struct iw_fpdu_frame *out)
{
	struct iw_crc32c crc[IW_CRC32C_LANES];
	const void *bufs[IW_CRC32C_LANES];
	uint32_t lens[IW_CRC32C_LANES];
	static const uint8_t zero[3];
	unsigned int i, k, lanes;
	uint64_t pos = tx->pos;
	uint32_t ulpdu, pad;
	int hl;

	if (tx->markers_on)
		return -ENOTSUP;
	for (i = 0; i < n; i++) {
		hl = iw_hdr_build(&hdrs[i], out[i].head + IW_MPA_LEN_FIELD, IW_HDR_MAX_LEN);
		if (hl < 0 || (uint64_t)payloads[i].len + (uint32_t)hl > UINT16_MAX)
			return -EINVAL;
		ulpdu = (uint32_t)hl + payloads[i].len;
		out[i].head[0] = (uint8_t)(ulpdu >> 8);
		out[i].head[1] = ulpdu & 0xff;
		out[i].head_len = (uint8_t)(IW_MPA_LEN_FIELD + hl);
		pad = iw_mpa_pad(ulpdu);
		memset(out[i].trailer, 0, pad);
		out[i].trailer_len = (uint8_t)(pad + IW_MPA_CRC_LEN);
		pos += iw_mpa_fpdu_len(ulpdu);
	}
	for (i = 0; i < n; i += lanes) {
		lanes = RTE_MIN(n - i, (unsigned int)IW_CRC32C_LANES);
		if (!tx->crc_on) {
			for (k = 0; k < lanes; k++)
				iw_mpa_crc_put(out[i + k].trailer + out[i + k].trailer_len -
					IW_MPA_CRC_LEN, 0);
			continue;
		}
		for (k = 0; k < lanes; k++) {
			iw_crc32c_init(&crc[k]);
			iw_crc32c_update(&crc[k], out[i + k].head, out[i + k].head_len);
			bufs[k] = payloads[i + k].addr;
			lens[k] = payloads[i + k].len;
		}
		/* the payloads, where the bytes are: interleaved */
		iw_crc32c_update_multi(crc, bufs, lens, lanes);
		for (k = 0; k < lanes; k++) {
			pad = out[i + k].trailer_len - IW_MPA_CRC_LEN;
			iw_crc32c_update(&crc[k], zero, pad);
			iw_mpa_crc_put(out[i + k].trailer + pad, iw_crc32c_final(&crc[k]));
		}
	}
	tx->pos = pos;
	return 0;
}

void
iw_ddp_seg_init(struct iw_ddp_seg_iter *it, const struct iw_hdr *tmpl, uint32_t total)
{
	it->hdr = *tmpl;
	it->hdr.tagged = (iw_opcode_table[tmpl->opcode & IW_RDMAP_OPCODE_MASK].ddp_ctrl &
			IW_DDP_F_TAGGED) != 0;
	it->total = total;
	it->done = 0;
	it->finished = false;
}

int
iw_ddp_seg_next(struct iw_ddp_seg_iter *it, uint32_t max_ulpdu, struct iw_hdr *seg,
		uint32_t *off)
{
	const struct iw_opcode_info *oi = &iw_opcode_table[it->hdr.opcode & IW_RDMAP_OPCODE_MASK];
	uint32_t room, n, left = it->total - it->done;

	if (it->finished)
		return -ENOENT;
	if (oi->name == NULL || max_ulpdu < oi->hdr_len)
		return -ENOSPC;
	room = max_ulpdu - oi->hdr_len;
	if (!(oi->flags & IW_OPF_PAYLOAD))
		room = 0;
	n = RTE_MIN(room, left);
	if ((n == 0 && left > 0) || (!(oi->flags & IW_OPF_MULTI) && n < left))
		return -ENOSPC;
	*seg = it->hdr;
	seg->hdr_len = oi->hdr_len;
	if (seg->tagged)
		seg->t.to = it->hdr.t.to + it->done;
	else
		seg->u.mo = it->hdr.u.mo + it->done;
	*off = it->done;
	it->done += n;
	seg->last = it->done == it->total;
	it->finished = seg->last;
	return (int)n;
}
