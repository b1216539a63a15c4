/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PERF_CTLMSG_H
#define PERF_CTLMSG_H

/**
 * @file
 * The parsers of the control messages iwarp-perf receives, apart from the
 * transports so that the fuzz target (tests/fuzz/fuzz_perf_ctl.c) calls
 * exactly what the application runs; nothing here needs EAL:
 *  - perftest's -R control protocol (perf_perftest.c): the version string,
 *    the cycle buffer size, struct pingpong_dest, the BW report;
 *  - iwarp-perf's own control record (perf_proto.h): a server's check of a
 *    BEGIN (perf_rdma.c);
 *  - the record stream of a bidirectional kernel-TCP run (perf_ktcp.c, -b).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "perf.h"
#include "perf_proto.h"

#define PT_VERSION      "6.06"  /* the control protocol spoken (perftest's VERSION) */
#define PT_MIN_VERSION  5.70    /* what 6.06 itself accepts */
#define PT_VERSION_LEN  16      /* perftest's MAX_VERSION */
#define PT_MAX_CYCLE    65536   /* the peer's (its page size): 64 KiB pages at most */

/* perftest's struct pingpong_dest as its -R mode sends it (big-endian). */
struct pt_dest {
	rte_be32_t lid, out_reads, qpn, psn, rkey;
	uint32_t pad;
	rte_be64_t vaddr;
	uint8_t gid[16];
	rte_be32_t srqn, gid_index;
} __rte_packed;

_Static_assert(sizeof(struct pt_dest) == 56, "perftest's pingpong_dest is 56 bytes");

/**
 * The peer's version message (PT_VERSION_LEN bytes, not NUL-terminated): out
 * gets it as a string.
 * @return 0, or -EPROTO when it is older than PT_MIN_VERSION (or no number).
 */
int perf_pt_version(const char theirs[PT_VERSION_LEN], char out[PT_VERSION_LEN + 1]);

/** The peer's cycle buffer size. @return 0, or -ERANGE when over PT_MAX_CYCLE. */
int perf_pt_cycle(rte_be32_t v, uint32_t *cycle);

/**
 * A handshake's keys. @return true and sets vaddr and rkey when it carries
 * them (the handshakes before perftest's set_up_connection() carry zeros).
 */
bool perf_pt_dest_keys(const struct pt_dest *d, uint64_t *vaddr, uint32_t *rkey);

/** The BW report, in units of unit bytes per second (as perftest prints). */
void perf_pt_report_encode(const struct perf_result *mine, double unit, rte_be64_t out[5]);
/** The peer's BW report; theirs is cleared first. */
void perf_pt_report_decode(const rte_be64_t in[5], double unit, struct perf_result *theirs);

/**
 * A server's check of a BEGIN (its duration: the -D seconds that follow it).
 * @return true when a server of this verb, kind and largest size can run it.
 */
bool perf_ctl_begin_ok(const struct perf_ctl *c, uint32_t duration, unsigned int verb,
		       unsigned int kind, uint32_t max_size);

/** -b over kernel TCP: a credit record ('C', 'F'): type, 3 bytes, be32 count. */
#define PERF_DX_CREDIT_LEN 8

/**
 * The length of a record of the -b stream by its type byte: 'D' and 'E' a
 * message of size bytes, 'C' and 'F' a credit, anything else a control
 * record (struct perf_ctl).
 */
size_t perf_dx_rec_len(uint8_t type, uint32_t size);

/**
 * Called per whole record. @return 0 to go on, 1 to stop after this record,
 * negative to fail.
 */
typedef int (*perf_dx_rec_fn)(void *ctx, const uint8_t *rec, size_t len);

/**
 * Cut len buffered bytes of the -b stream into records, calling fn on each
 * whole one. @return the bytes consumed (whole records; the rest waits for
 * more), or fn's negative value.
 */
long perf_dx_split(const uint8_t *in, size_t len, uint32_t size, perf_dx_rec_fn fn, void *ctx);

#endif /* PERF_CTLMSG_H */
