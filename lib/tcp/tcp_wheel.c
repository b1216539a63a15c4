/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "tcp_wheel.h"

void
tcp_wheel_init(struct tcp_wheel *w, uint32_t tick_us, uint64_t now_us)
{
	memset(w, 0, sizeof(*w));
	w->tick_us = tick_us ? tick_us : 1000;
	w->now_tick = now_us / w->tick_us;
	w->next_us = (w->now_tick + 1) * w->tick_us;
}

static void
slot_insert(struct tcp_wheel *w, struct tcp_tnode *n)
{
	struct tcp_tnode **head = &w->slot[n->expire & (TCP_WHEEL_SLOTS - 1)];

	n->next = *head;
	if (n->next != NULL)
		n->next->pprev = &n->next;
	*head = n;
	n->pprev = head;
}

static void
node_unlink(struct tcp_tnode *n)
{
	*n->pprev = n->next;
	if (n->next != NULL)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
}

void
tcp_wheel_arm(struct tcp_wheel *w, struct tcp_tnode *n, uint64_t expire_us)
{
	uint64_t tick = (expire_us + w->tick_us - 1) / w->tick_us;

	if (n->pprev != NULL)
		node_unlink(n);
	else
		w->armed++;
	if (tick <= w->now_tick)
		tick = w->now_tick + 1;
	n->expire = tick;
	slot_insert(w, n);
}

void
tcp_wheel_cancel(struct tcp_wheel *w, struct tcp_tnode *n)
{
	if (n->pprev == NULL)
		return;
	node_unlink(n);
	w->armed--;
}

unsigned int
tcp_wheel_advance(struct tcp_wheel *w, uint64_t now_us, tcp_wheel_cb_t cb, void *arg)
{
	uint64_t target;
	unsigned int fired = 0;

	/* the common poll: within the tick already processed (no division) */
	if (now_us < w->next_us)
		return 0;
	target = now_us / w->tick_us;
	while (w->now_tick < target) {
		struct tcp_tnode *list, *n;

		if (w->armed == 0) {
			w->now_tick = target;
			break;
		}
		/* more than one revolution behind: one pass over every slot */
		if (target - w->now_tick > TCP_WHEEL_SLOTS)
			w->now_tick = target - TCP_WHEEL_SLOTS;
		w->now_tick++;
		list = w->slot[w->now_tick & (TCP_WHEEL_SLOTS - 1)];
		w->slot[w->now_tick & (TCP_WHEEL_SLOTS - 1)] = NULL;
		if (list != NULL)
			list->pprev = &list;
		while (list != NULL) {
			n = list;
			node_unlink(n);
			if (n->expire <= w->now_tick) {
				w->armed--;
				fired++;
				cb(n, arg);
			} else {
				slot_insert(w, n);
			}
		}
	}
	w->next_us = (w->now_tick + 1) * w->tick_us;
	return fired;
}
