/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_RPING_H
#define IWT_RPING_H

/**
 * @file
 * Helpers of the iwarp-rping tests: the binary, the ping text rping sends
 * (to check -v output against the protocol, independently of -V), error line
 * counting, and namespace/veth set-up for DPDK processes on net_af_packet.
 * Processes run in the background through tests/perf's iwt_perf_bg_*.
 */

#include <stdbool.h>
#include <stdint.h>

#include "../perf/iwt_perf.h"

#define IWT_RPING_EAL "--no-huge -m 256 --no-pci --no-telemetry --log-level=*:warning"

/** The built iwarp-rping. */
const char *iwt_rping_bin(void);

/** Ping number n of rping's client with size bytes: "rdma-ping-n: " then letters. */
void iwt_rping_text(uint32_t n, uint32_t size, char *out);

/**
 * Check that `out` holds exactly `count` lines "<prefix>rdma-ping-N: ..." in order,
 * each equal to rping's text for size bytes. @return IWT_PASS or IWT_FAIL.
 */
int iwt_rping_check_lines(const char *out, const char *prefix, uint32_t count, uint32_t size);

/** Count "iwarp-rping: error:" lines in err; keep the last line of err. */
int iwt_rping_errors(const char *err, char *last, size_t len);

/**
 * Run iwarp-rping ARGS (with `prefix` before it, e.g. "ip netns exec X"), bounded
 * by secs; expect a non-zero status, no hang and exactly one error line, the
 * last one, containing `what`.
 */
int iwt_rping_expect_error(const char *prefix, const char *args, const char *what, int secs);

/**
 * A namespace `ns` holding a veth pair a/b, both up, TX checksum offload off,
 * RPS on CPU 0 (in order delivery to net_af_packet). Deletes leftovers first.
 * @return 0 or the failing command's status.
 */
int iwt_ns_veth(const char *ns, const char *a, const char *b);

/**
 * Start the server command in the background, wait for its "server listening
 * on" line, run the client command in the foreground (bounded by secs), then
 * (stop_server) send the server SIGTERM, and collect both.
 */
int iwt_rping_pair(const char *srv_cmd, const char *cli_cmd, int secs, bool stop_server,
		   struct iwt_perf_run *srv, struct iwt_perf_run *cli);

/** Status 0 and no error line. */
int iwt_rping_check_ok(const struct iwt_perf_run *r, const char *who);

#endif
