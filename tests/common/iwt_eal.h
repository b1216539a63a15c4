/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_EAL_H
#define IWT_EAL_H

/**
 * @file
 * EAL start-up for integration and interop cases: --no-huge, --no-pci, a file
 * prefix unique to the process (cases run in parallel), plus the case's own
 * arguments (vdevs, lcores). Returns 0 or a negative errno.
 */
int iwt_eal_init(const char *extra_args);

/**
 * Remove the EAL runtime directory of this process at exit (iwt_eal_init()
 * does it; a case that starts EAL itself calls it after rte_eal_init()).
 */
void iwt_eal_leave_no_trace(void);

/** Run a shell command; returns its exit status (or -1). Echoes it on stderr. */
int iwt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Like iwt_sh but does not echo and ignores the status (for teardown). */
void iwt_sh_quiet(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
