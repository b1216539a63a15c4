/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_NET_H
#define IWT_NET_H

/*
 * Helpers of the lib/net tests: two stack instances over a ring wire, polled
 * together, torn down with a check that every mbuf went back to its pool.
 */
#include "iw_net.h"
#include "iw_port.h"

struct iwt_net_pair {
	struct iw_port *port[2];
	struct iw_net *net[2];
	unsigned int pool_full[2];
};

/** EAL, a ring wire called name, one instance on each end. @return 0 or -errno. */
int iwt_net_pair(const char *name, struct iwt_net_pair *p, const struct iw_net_conf *ca,
		 const struct iw_net_conf *cb);

/** The same with extra EAL arguments; NULL: EAL is already up. */
int iwt_net_pair_eal(const char *name, struct iwt_net_pair *p, const struct iw_net_conf *ca,
		     const struct iw_net_conf *cb, const char *eal_args);

/** Poll both ends for ms milliseconds (at least once). */
void iwt_net_poll_both(struct iwt_net_pair *p, unsigned int ms);

/** Destroy both instances and ports; IWT_FAIL if an mbuf did not return to its pool. */
int iwt_net_pair_close(struct iwt_net_pair *p);

/** Print every counter of an instance on stderr (for failing cases). */
void iwt_net_dump(const char *tag, const struct iw_net *net);

#endif
