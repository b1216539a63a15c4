/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_TCP_H
#define IWT_TCP_H

/*
 * Helpers of the lib/tcp integration tests: two TCP engines over a ring wire
 * in one process, polled alternately on one core; a deterministic byte
 * pattern to send and check; teardown that checks every mbuf came back.
 */
#include <stdbool.h>
#include <stdint.h>

#include "iw_net.h"
#include "iw_port.h"
#include "iw_tcp.h"
#include "../../apps/tcp/sha256.h"
#include "../../apps/tcp/tcp_pattern.h"

#define IWT_TCP_IP_A RTE_BE32(RTE_IPV4(10, 9, 0, 1))
#define IWT_TCP_IP_B RTE_BE32(RTE_IPV4(10, 9, 0, 2))

struct iwt_tcp_pair {
	struct iw_port *port[2];
	struct iw_net *net[2];
	struct iw_tcp *tcp[2];
	unsigned int pool_full[2];
};

/** EAL, a ring wire, lib/net and lib/tcp on each end (A = 0, B = 1). @return 0 or -errno. */
int iwt_tcp_pair_open(const char *name, struct iwt_tcp_pair *p, const struct iw_tcp_conf *tc,
		      uint32_t nb_mbufs);

/** One poll of each end. */
void iwt_tcp_poll(struct iwt_tcp_pair *p);

/** Poll both ends for ms milliseconds. */
void iwt_tcp_poll_ms(struct iwt_tcp_pair *p, unsigned int ms);

/** Poll until *flag becomes true or ms pass. @return true if it did. */
bool iwt_tcp_poll_until(struct iwt_tcp_pair *p, const volatile bool *flag, unsigned int ms);

/** Tear down; IWT_FAIL when mbufs are missing from a pool. */
int iwt_tcp_pair_close(struct iwt_tcp_pair *p);


/** Print the counters of an engine. */
void iwt_tcp_dump(const char *tag, const struct iw_tcp *tcp);

#endif
