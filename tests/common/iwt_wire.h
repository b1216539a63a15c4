/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_WIRE_H
#define IWT_WIRE_H

#include "iw_port.h"

/**
 * Close the two ends of a ring wire after the stacks on them are gone, and
 * check that no mbuf leaked: what is still on the wire or held by an
 * impairment stage goes back first, then each queue-0 pool must hold
 * pool_full[i] mbufs again. The ports are closed and the array entries set to
 * NULL in every case. @return IWT_PASS or IWT_FAIL (with a message).
 */
int iwt_wire_close_check(struct iw_port *port[2], const unsigned int pool_full[2]);

#endif
