/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PERF_PROTO_H
#define PERF_PROTO_H

/**
 * @file
 * The control record client and server exchange, the same on every
 * transport (inside a raw L2 frame of ethertype 0x88B5, or in the TCP
 * stream). The client drives: BEGIN (test, size, iterations) per size, the
 * server answers BEGIN_ACK (status 0, or why it refuses), the pattern runs,
 * the server reports RESULT (what it received and its CPU), and at the end
 * BYE / BYE_ACK so both sides stop polling before either closes the port.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "perf.h"

#define PERF_MAGIC 0x49575046u /* "IWPF" */

enum perf_msg {
	PERF_MSG_BEGIN = 1,
	PERF_MSG_BEGIN_ACK,
	PERF_MSG_RESULT,
	PERF_MSG_BYE,
	PERF_MSG_BYE_ACK,
	PERF_MSG_HELLO,       /**< raw: find the server */
	PERF_MSG_HELLO_ACK,
	PERF_MSG_END,         /**< raw: the client has sent everything (count) */
};

/** BEGIN flags. */
#define PERF_CTL_WARMUP RTE_BE32(1) /**< a warm-up run: not reported, not counted */
#define PERF_CTL_BIDIR RTE_BE32(2)  /**< -b: the server streams to the client too */

/** BEGIN_ACK status values. */
enum perf_status {
	PERF_ST_OK = 0,
	PERF_ST_TEST_MISMATCH = 1, /**< the server runs another test */
	PERF_ST_NO_MEMORY = 2,
};

struct perf_ctl {
	rte_be32_t magic;
	rte_be16_t type;      /**< enum perf_msg */
	uint8_t verb;         /**< enum perf_verb */
	uint8_t kind;         /**< enum perf_kind */
	rte_be32_t size;      /**< message size */
	rte_be32_t window;    /**< BEGIN: credit interval (raw) */
	rte_be32_t status;    /**< BEGIN_ACK: enum perf_status */
	rte_be32_t flags;     /**< BEGIN: PERF_CTL_* */
	rte_be64_t count;     /**< BEGIN: iterations (0: duration); END: sent; RESULT: received */
	rte_be64_t bytes;     /**< RESULT: payload bytes received or sent */
	rte_be64_t busy;      /**< RESULT: busy cycles of the peer */
	rte_be64_t total;     /**< RESULT: all cycles of the peer's phase */
	rte_be64_t sent;      /**< RESULT (-b): messages the server streamed */
	rte_be64_t total_ns;  /**< RESULT: `total` in nanoseconds (the peer's clock) */
} __rte_packed;

static inline void
perf_ctl_init(struct perf_ctl *c, enum perf_msg type, const struct perf_params *p, uint32_t size)
{
	memset(c, 0, sizeof(*c));
	c->magic = rte_cpu_to_be_32(PERF_MAGIC);
	c->type = rte_cpu_to_be_16((uint16_t)type);
	c->verb = (uint8_t)p->verb;
	c->kind = (uint8_t)p->kind;
	c->size = rte_cpu_to_be_32(size);
}

static inline bool
perf_ctl_valid(const struct perf_ctl *c)
{
	return rte_be_to_cpu_32(c->magic) == PERF_MAGIC;
}

static inline const char *
perf_test_name(uint8_t verb, uint8_t kind)
{
	static const char *const names[3][2] = {
		{ "write_bw", "write_lat" }, { "read_bw", "read_lat" }, { "send_bw", "send_lat" },
	};

	if (verb > PERF_VERB_SEND || kind > PERF_KIND_LAT)
		return "unknown";
	return names[verb][kind];
}

#endif /* PERF_PROTO_H */
