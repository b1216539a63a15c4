/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_SIW_H
#define IWT_SIW_H

/**
 * @file
 * Interop with Linux soft-iWARP: siw-peer's qemu guest (192.168.77.10, in
 * namespace iwpeer) and our endpoint on net_af_packet at 192.168.77.50 on the
 * same bridge, all through tests/interop/siw_harness.sh. A case boots the
 * guest once (iwt_siw_up), runs its steps, and always stops it (iwt_siw_down).
 */

#include <stdbool.h>
#include <stdint.h>

#include "iwt_rping.h"

#define IWT_SIW_GUEST "192.168.77.10"
#define IWT_SIW_OURS "192.168.77.50"
/* siw's race on the first FPDU right behind its MPA reply (siw-peer README) */
#define IWT_SIW_FIRST_DELAY_MS 100

/** Build and boot the peer, attach our veth. @return IWT_PASS, IWT_SKIP (printed why). */
int iwt_siw_up(void);
/** Stop the guest, delete the namespace (idempotent). */
void iwt_siw_down(void);
/** Run `siw_harness.sh ARGS` (echoed); @return its exit status. */
int iwt_siw_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Run `siw_harness.sh ARGS` collecting the output, bounded by secs. */
int iwt_siw_run(struct iwt_perf_run *r, int secs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Set siw's module parameter in the guest. @return 0 or non-zero. */
int iwt_siw_param(const char *name, int value);
/** The guest's kernel log lines (dmesg) into buf. */
void iwt_siw_dmesg(char *buf, size_t len);
/** A capture file name for this step (under /tmp, removed by the case). */
void iwt_siw_pcap(char *buf, size_t len, const char *step);

#endif

/* ---- our endpoint inside the test process (for the CM cases) ---- */
#include "rte_iwarp.h"

struct iw_port;

/** Our endpoint: the test process on net_af_packet over iwsv1, 192.168.77.50. */
struct iwt_siw_ep {
	struct iw_port *port;
	struct rte_iwarp_dev *dev;
	struct rte_iwarp_pd *pd;
	struct rte_iwarp_cq *cq;
};

/** Enter namespace iwpeer, start EAL on iwsv1, open the device. @return IWT_PASS/FAIL. */
int iwt_siw_ep_open(struct iwt_siw_ep *e);
/** Close the device and the port. */
void iwt_siw_ep_close(struct iwt_siw_ep *e);
/** Wait (polling) for a CM event of the given type; others are logged and acked. */
int iwt_siw_ep_event(struct iwt_siw_ep *e, enum rte_iwarp_cm_event_type type,
		     struct rte_iwarp_cm_event *ev, unsigned int ms);
/** Poll the CQ for n completions within ms. @return how many. */
int iwt_siw_ep_wc(struct iwt_siw_ep *e, struct rte_iwarp_wc *wc, int n, unsigned int ms);
/** Poll the device for ms milliseconds. */
void iwt_siw_ep_poll_ms(struct iwt_siw_ep *e, unsigned int ms);
