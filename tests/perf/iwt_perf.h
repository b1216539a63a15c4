/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_PERF_H
#define IWT_PERF_H

/**
 * @file
 * Helpers of the iwarp-perf app tests: run the binary in the foreground or
 * the background with bounded waits, collect its output, count its error
 * lines; perftest's header lines as perftest_parameters.h defines them.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define IWT_PERF_OUT_MAX 65536
#define IWT_PERF_EAL "--no-huge -m 256 --no-pci --no-telemetry --log-level=*:warning"

/* perftest's header lines (RESULT_LINE, RESULT_FMT, RESULT_FMT_G, RESULT_FMT_LAT). */
#define PT_LINE "-------------------------------------------" \
	"--------------------------------------------"
#define PT_BW " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]"
#define PT_BW_G " #bytes     #iterations    BW peak[Gb/sec]    BW average[Gb/sec]   MsgRate[Mpps]"
#define PT_LAT " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    " \
	"t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] "
/* Ours, after perftest's columns with --cpu_util. */
#define PT_CPU_COLS "    CPU_Util[%]    cycles/byte"

/** A finished run: exit status (124: killed after its time), output, error lines. */
struct iwt_perf_run {
	int status;
	int error_lines;
	char last_err[1024];
	char out[IWT_PERF_OUT_MAX];
	char err[IWT_PERF_OUT_MAX];
};

/** A process running in the background with its output in files. */
struct iwt_perf_bg {
	pid_t pid;
	char outf[64], errf[64];
};

/** The built binary. */
const char *iwt_perf_bin(void);
/** Read a file into buf (NUL-terminated, truncated to len). */
void iwt_perf_slurp(const char *file, char *buf, size_t len);
/** Count the "iwarp-perf: error:" lines of r->err and keep the last line. */
void iwt_perf_scan_err(struct iwt_perf_run *r);
/** Start `cmd` (sh -c) with its output in temporary files. @return 0 or -1. */
int iwt_perf_bg_start(struct iwt_perf_bg *b, const char *cmd);
/** Wait up to secs, kill it past that (status 124), collect its output. */
int iwt_perf_bg_wait(struct iwt_perf_bg *b, int secs, struct iwt_perf_run *r);
/** Wait up to secs until its stdout contains `what`; false if it exits or times out. */
bool iwt_perf_bg_ready(struct iwt_perf_bg *b, const char *what, int secs);
/** Run `cmd` in the foreground, bounded by secs. */
int iwt_perf_run_fg(const char *cmd, int secs, struct iwt_perf_run *r);
/** A loopback TCP port with no listener right now. */
uint16_t iwt_perf_free_port(void);
/**
 * An iwarp-perf server (srv_args: test and flags after "--") and client
 * (cli_args, with the server's address) over one net_memif pair, server on
 * lcore 0, client on lcore 1, bsize 16384; the client starts once the
 * server's stdout shows `ready`. Both outputs are collected; exit statuses are
 * the caller's to check. @return IWT_PASS, or IWT_FAIL (logged) when the
 * server never got ready or a process could not start.
 */
int iwt_perf_memif_pair(const char *srv_args, const char *cli_args, const char *ready,
			struct iwt_perf_run *cli, struct iwt_perf_run *srv);
/** Run iwarp-perf ARGS; expect non-zero, no hang, one error line naming `what`. */
int iwt_perf_expect_error(const char *args, const char *what);

#endif
