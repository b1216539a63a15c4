/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_WHEEL_H
#define TCP_WHEEL_H

/**
 * @file
 * A hashed timer wheel for one lcore: O(1) arm and cancel, expiry in tick
 * order when advanced tick by tick. Timers further than one revolution ahead
 * stay in their slot until their tick comes. Nothing is allocated: nodes are
 * embedded in their owners. Pure code: no EAL needed.
 */

#include <stdbool.h>
#include <stdint.h>

#define TCP_WHEEL_SLOTS 4096u /* power of 2 */

struct tcp_tnode {
	struct tcp_tnode *next;
	struct tcp_tnode **pprev; /**< NULL when not armed */
	uint64_t expire;          /**< tick */
};

struct tcp_wheel {
	uint64_t now_tick;        /**< last tick processed */
	uint64_t next_us;         /**< when the next tick starts: nothing to do before */
	uint32_t tick_us;
	uint32_t armed;
	struct tcp_tnode *slot[TCP_WHEEL_SLOTS];
};

typedef void (*tcp_wheel_cb_t)(struct tcp_tnode *n, void *arg);

void tcp_wheel_init(struct tcp_wheel *w, uint32_t tick_us, uint64_t now_us);

static inline bool
tcp_tnode_armed(const struct tcp_tnode *n)
{
	return n->pprev != NULL;
}

/** Arm (or re-arm) n to expire at now_us-or-later time expire_us. */
void tcp_wheel_arm(struct tcp_wheel *w, struct tcp_tnode *n, uint64_t expire_us);

/** Cancel n if armed. */
void tcp_wheel_cancel(struct tcp_wheel *w, struct tcp_tnode *n);

/**
 * Advance to now_us, calling cb for every node that expired (the node is
 * disarmed first; cb may re-arm it or arm others).
 * @return the number of callbacks made.
 */
unsigned int tcp_wheel_advance(struct tcp_wheel *w, uint64_t now_us, tcp_wheel_cb_t cb,
			       void *arg);

#endif /* TCP_WHEEL_H */
