/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_PERFTEST_H
#define IWT_PERFTEST_H

/**
 * @file
 * Checks of perftest's tables, as perftest itself (in siw-peer's guest) and
 * iwarp-perf -R print them, and of iwarp-perf -R's closing line
 * ("... done: N FPDUs in, M out").
 */

#include <stdbool.h>
#include <stdint.h>

#define IWT_PT_ROW 256

/** The rows under the table's " #bytes" header. @return how many (<= max). */
int iwt_pt_rows(const char *out, char rows[][IWT_PT_ROW], int max);
/**
 * A row reports size and iters: BW with a message rate above zero (and a
 * bandwidth above zero from 4 KiB up), latency with 0 < t_min <= t_typical
 * <= t_max. @return IWT_PASS or IWT_FAIL (logged).
 */
int iwt_pt_check_row(const char *row, bool lat, uint32_t size, uint64_t iters);
/** iwarp-perf -R's FPDU counts. @return 0, or -1 when the line is missing. */
int iwt_pt_fpdus(const char *out, uint64_t *in, uint64_t *out_fpdus);
/** FPDUs that n messages of size bytes need at least (MSS 1460). */
uint64_t iwt_pt_min_fpdus(uint32_t size, uint64_t n);

#endif
