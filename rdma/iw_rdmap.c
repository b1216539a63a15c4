/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DDP/RDMAP header parse and build, driven by one table per opcode.
 */
#include <string.h>

#include "iw_log_pvt.h"
#include "iw_rdmap.h"

RTE_LOG_REGISTER_SUFFIX(iw_proto_logtype, proto, NOTICE);

#define DDP_T	(IW_DDP_F_TAGGED | IW_DDP_VERSION)
#define DDP_U	(IW_DDP_VERSION)
#define RV(op)	((IW_RDMAP_VERSION << IW_RDMAP_RV_SHIFT) | (op))
#define U_HDR	IW_DDP_UNTAGGED_HDR_LEN

const struct iw_opcode_info iw_opcode_table[IW_OP_COUNT] = {
	[IW_OP_WRITE] = {
		.name = "RDMA Write", .hdr_len = IW_DDP_TAGGED_HDR_LEN,
		.ddp_ctrl = DDP_T, .rdmap_ctrl = RV(IW_OP_WRITE),
		.flags = IW_OPF_PAYLOAD | IW_OPF_MULTI, .rx_slot = IW_RX_PLACE_TAGGED,
	},
	[IW_OP_READ_REQ] = {
		.name = "RDMA Read Request", .hdr_len = U_HDR + IW_RDMAP_RREQ_LEN,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_READ_REQ), .qn = IW_QN_READ_REQ,
		.rx_slot = IW_RX_READ_REQ,
	},
	[IW_OP_READ_RESP] = {
		.name = "RDMA Read Response", .hdr_len = IW_DDP_TAGGED_HDR_LEN,
		.ddp_ctrl = DDP_T, .rdmap_ctrl = RV(IW_OP_READ_RESP),
		.flags = IW_OPF_PAYLOAD | IW_OPF_MULTI, .rx_slot = IW_RX_PLACE_TAGGED,
	},
	[IW_OP_SEND] = {
		.name = "Send", .hdr_len = U_HDR,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_SEND), .qn = IW_QN_SEND,
		.flags = IW_OPF_PAYLOAD | IW_OPF_MULTI, .rx_slot = IW_RX_PLACE_UNTAGGED,
	},
	[IW_OP_SEND_INV] = {
		.name = "Send with Invalidate", .hdr_len = U_HDR,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_SEND_INV), .qn = IW_QN_SEND,
		.flags = IW_OPF_INV | IW_OPF_PAYLOAD | IW_OPF_MULTI,
		.rx_slot = IW_RX_PLACE_UNTAGGED,
	},
	[IW_OP_SEND_SE] = {
		.name = "Send with SE", .hdr_len = U_HDR,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_SEND_SE), .qn = IW_QN_SEND,
		.flags = IW_OPF_SE | IW_OPF_PAYLOAD | IW_OPF_MULTI,
		.rx_slot = IW_RX_PLACE_UNTAGGED,
	},
	[IW_OP_SEND_SE_INV] = {
		.name = "Send with SE and Invalidate", .hdr_len = U_HDR,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_SEND_SE_INV), .qn = IW_QN_SEND,
		.flags = IW_OPF_SE | IW_OPF_INV | IW_OPF_PAYLOAD | IW_OPF_MULTI,
		.rx_slot = IW_RX_PLACE_UNTAGGED,
	},
	[IW_OP_TERMINATE] = {
		.name = "Terminate", .hdr_len = U_HDR + IW_TERM_LEN,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_TERMINATE), .qn = IW_QN_TERMINATE,
		.flags = IW_OPF_PAYLOAD, .rx_slot = IW_RX_TERMINATE,
	},
	[IW_OP_IMM_DATA] = {
		.name = "Immediate Data", .hdr_len = U_HDR + IW_RDMAP_IMM_LEN,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_IMM_DATA), .qn = IW_QN_SEND,
		.rx_slot = IW_RX_IMMEDIATE,
	},
	[IW_OP_IMM_DATA_SE] = {
		.name = "Immediate Data with SE", .hdr_len = U_HDR + IW_RDMAP_IMM_LEN,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_IMM_DATA_SE), .qn = IW_QN_SEND,
		.flags = IW_OPF_SE, .rx_slot = IW_RX_IMMEDIATE,
	},
	[IW_OP_ATOMIC_REQ] = {
		.name = "Atomic Request", .hdr_len = U_HDR + IW_RDMAP_ATOMIC_REQ_LEN,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_ATOMIC_REQ), .qn = IW_QN_ATOMIC,
		.rx_slot = IW_RX_ATOMIC_REQ,
	},
	[IW_OP_ATOMIC_RESP] = {
		.name = "Atomic Response", .hdr_len = U_HDR + IW_RDMAP_ATOMIC_RESP_LEN,
		.ddp_ctrl = DDP_U, .rdmap_ctrl = RV(IW_OP_ATOMIC_RESP), .qn = IW_QN_ATOMIC,
		.rx_slot = IW_RX_ATOMIC_RESP,
	},
};

const char *
iw_opcode_name(uint8_t opcode)
{
	if (opcode >= IW_OP_COUNT || iw_opcode_table[opcode].name == NULL)
		return "reserved";
	return iw_opcode_table[opcode].name;
}

static inline uint32_t
rd32(const uint8_t *p)
{
	rte_be32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static inline uint64_t
rd64(const uint8_t *p)
{
	rte_be64_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_64(v);
}

static inline void
wr32(uint8_t *p, uint32_t x)
{
	rte_be32_t v = rte_cpu_to_be_32(x);

	memcpy(p, &v, sizeof(v));
}

static inline void
wr64(uint8_t *p, uint64_t x)
{
	rte_be64_t v = rte_cpu_to_be_64(x);

	memcpy(p, &v, sizeof(v));
}

static inline int
fail(struct iw_term_cause *cause, uint8_t layer, uint8_t etype, uint8_t ecode)
{
	cause->layer = layer;
	cause->etype = etype;
	cause->ecode = ecode;
	return -EPROTO;
}

int
iw_hdr_parse(const uint8_t *buf, size_t len, uint32_t ulpdu_len, struct iw_hdr *out,
		struct iw_term_cause *cause)
{
	const struct iw_opcode_info *oi;
	uint8_t ddp, rdmap, op;
	bool tagged;
	const uint8_t *p;

	if (len < sizeof(struct iw_ddp_ctrl))
		return -EAGAIN;
	ddp = buf[0];
	rdmap = buf[1];
	tagged = (ddp & IW_DDP_F_TAGGED) != 0;
	if ((ddp & IW_DDP_DV_MASK) != IW_DDP_VERSION)
		return tagged ? fail(cause, IW_LAYER_DDP, IW_DDP_ET_TAGGED, IW_DDP_EC_T_VERSION) :
			fail(cause, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_VERSION);
	if (((rdmap & IW_RDMAP_RV_MASK) >> IW_RDMAP_RV_SHIFT) != IW_RDMAP_VERSION)
		return fail(cause, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION, IW_RDMAP_EC_VERSION);
	op = rdmap & IW_RDMAP_OPCODE_MASK;
	oi = &iw_opcode_table[op];
	if (oi->name == NULL || tagged != ((oi->ddp_ctrl & IW_DDP_F_TAGGED) != 0))
		return fail(cause, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION, IW_RDMAP_EC_OPCODE);
	if (ulpdu_len < oi->hdr_len)
		return fail(cause, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
			IW_RDMAP_EC_UNSPECIFIED);
	if (!(oi->flags & IW_OPF_MULTI) && !(ddp & IW_DDP_F_LAST))
		return fail(cause, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
			IW_RDMAP_EC_UNSPECIFIED);
	if (!(oi->flags & IW_OPF_PAYLOAD) && ulpdu_len != oi->hdr_len)
		return fail(cause, IW_LAYER_RDMAP, IW_RDMAP_ET_OPERATION,
			IW_RDMAP_EC_UNSPECIFIED);
	if (len < oi->hdr_len)
		return -EAGAIN;

	out->opcode = op;
	out->tagged = tagged;
	out->last = (ddp & IW_DDP_F_LAST) != 0;
	out->hdr_len = oi->hdr_len;
	if (tagged) {
		out->t.stag = rd32(buf + 2);
		out->t.to = rd64(buf + 6);
		return oi->hdr_len;
	}
	out->u.inv_stag = rd32(buf + 2);
	out->u.qn = rd32(buf + 6);
	out->u.msn = rd32(buf + 10);
	out->u.mo = rd32(buf + 14);
	if (out->u.qn != oi->qn)
		return fail(cause, IW_LAYER_DDP, IW_DDP_ET_UNTAGGED, IW_DDP_EC_U_INVALID_QN);
	p = buf + IW_DDP_UNTAGGED_HDR_LEN;
	switch (op) {
	case IW_OP_READ_REQ:
		out->rreq.sink_stag = rd32(p);
		out->rreq.sink_to = rd64(p + 4);
		out->rreq.size = rd32(p + 12);
		out->rreq.src_stag = rd32(p + 16);
		out->rreq.src_to = rd64(p + 20);
		break;
	case IW_OP_TERMINATE:
		out->term.ctrl = rd32(p);
		break;
	case IW_OP_IMM_DATA:
	case IW_OP_IMM_DATA_SE:
		out->imm = rd64(p);
		break;
	case IW_OP_ATOMIC_REQ:
		out->areq.aop = rd32(p) & 0xf;
		out->areq.req_id = rd32(p + 4);
		out->areq.stag = rd32(p + 8);
		out->areq.to = rd64(p + 12);
		out->areq.add_swap = rd64(p + 20);
		out->areq.add_swap_mask = rd64(p + 28);
		out->areq.cmp = rd64(p + 36);
		out->areq.cmp_mask = rd64(p + 44);
		break;
	case IW_OP_ATOMIC_RESP:
		out->aresp.req_id = rd32(p);
		out->aresp.orig = rd64(p + 4);
		break;
	default:
		break;
	}
	return oi->hdr_len;
}

int
iw_hdr_build(const struct iw_hdr *hdr, uint8_t *buf, size_t len)
{
	const struct iw_opcode_info *oi;
	uint8_t *p;

	if (hdr->opcode >= IW_OP_COUNT || iw_opcode_table[hdr->opcode].name == NULL)
		return -EINVAL;
	oi = &iw_opcode_table[hdr->opcode];
	if (len < oi->hdr_len)
		return -ENOSPC;
	if (oi->ddp_ctrl & IW_DDP_F_TAGGED) {
		iw_hdr_put_tagged(buf, oi, hdr->last, hdr->t.stag, hdr->t.to);
		return oi->hdr_len;
	}
	iw_hdr_put_untagged(buf, oi, hdr->last, hdr->u.inv_stag, hdr->u.msn, hdr->u.mo);
	p = buf + IW_DDP_UNTAGGED_HDR_LEN;
	switch (hdr->opcode) {
	case IW_OP_READ_REQ:
		wr32(p, hdr->rreq.sink_stag);
		wr64(p + 4, hdr->rreq.sink_to);
		wr32(p + 12, hdr->rreq.size);
		wr32(p + 16, hdr->rreq.src_stag);
		wr64(p + 20, hdr->rreq.src_to);
		break;
	case IW_OP_TERMINATE:
		wr32(p, hdr->term.ctrl);
		break;
	case IW_OP_IMM_DATA:
	case IW_OP_IMM_DATA_SE:
		wr64(p, hdr->imm);
		break;
	case IW_OP_ATOMIC_REQ:
		wr32(p, hdr->areq.aop & 0xf);
		wr32(p + 4, hdr->areq.req_id);
		wr32(p + 8, hdr->areq.stag);
		wr64(p + 12, hdr->areq.to);
		wr64(p + 20, hdr->areq.add_swap);
		wr64(p + 28, hdr->areq.add_swap_mask);
		wr64(p + 36, hdr->areq.cmp);
		wr64(p + 44, hdr->areq.cmp_mask);
		break;
	case IW_OP_ATOMIC_RESP:
		wr32(p, hdr->aresp.req_id);
		wr64(p + 4, hdr->aresp.orig);
		break;
	default:
		break;
	}
	return oi->hdr_len;
}
