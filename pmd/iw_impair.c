/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded impairment stage on a queue's receive side: drop, duplicate, reorder,
 * corrupt, delay (fixed plus uniform jitter). The same seed and the same input
 * give the same impairments, so a failing test reproduces.
 *
 * Packets that survive go through a FIFO of ready packets; delayed ones wait in
 * a small array ordered by release time. Reorder holds one packet back and
 * releases it behind the next one (or after REORDER_MAX_US, so the last packet
 * of a burst is not held forever).
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iw_port.h"
#include "iw_port_pvt.h"

#define READY_SIZE 4096   /* power of 2 */
#define DELAY_SIZE 4096
#define REORDER_MAX_US 1000

struct delayed {
	uint64_t at;
	struct rte_mbuf *m;
};

struct iw_impair {
	struct iw_impair_conf conf;
	struct iw_impair_stats st;
	uint64_t rng;
	uint64_t hz_us;              /* timer cycles per microsecond */
	struct rte_mbuf *held;       /* reorder slot */
	uint64_t held_at;
	uint32_t r_head, r_tail;     /* ready FIFO */
	struct rte_mbuf *ready[READY_SIZE];
	uint32_t nb_delayed;
	struct delayed delayed[DELAY_SIZE];
};

/* xorshift64*: small, fast, good enough for test impairments. */
static inline uint64_t
rng_next(struct iw_impair *im)
{
	uint64_t x = im->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	im->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline int
chance(struct iw_impair *im, uint32_t ppm)
{
	return ppm != 0 && (rng_next(im) >> 32) % 1000000u < ppm;
}

static void
ready_push(struct iw_impair *im, struct rte_mbuf *m)
{
	if (im->r_tail - im->r_head >= READY_SIZE) {
		rte_pktmbuf_free(m);
		im->st.dropped++;
		return;
	}
	im->ready[im->r_tail++ & (READY_SIZE - 1)] = m;
}

/* A packet that passed drop/corrupt/dup: delay it or make it ready. */
static void
emit(struct iw_impair *im, struct rte_mbuf *m, uint64_t now)
{
	uint64_t d;
	uint32_t i;

	if (im->conf.delay_us == 0 && im->conf.jitter_us == 0) {
		ready_push(im, m);
		return;
	}
	d = im->conf.delay_us;
	if (im->conf.jitter_us)
		d += rng_next(im) % im->conf.jitter_us;
	if (im->nb_delayed == DELAY_SIZE) {
		rte_pktmbuf_free(m);
		im->st.dropped++;
		return;
	}
	/* Insert keeping release order; equal times keep arrival order. */
	i = im->nb_delayed;
	while (i > 0 && im->delayed[i - 1].at > now + d * im->hz_us) {
		im->delayed[i] = im->delayed[i - 1];
		i--;
	}
	im->delayed[i].at = now + d * im->hz_us;
	im->delayed[i].m = m;
	im->nb_delayed++;
	im->st.delayed++;
}

static void
release_due(struct iw_impair *im, uint64_t now)
{
	uint32_t n = 0;

	while (n < im->nb_delayed && im->delayed[n].at <= now)
		ready_push(im, im->delayed[n++].m);
	if (n) {
		memmove(im->delayed, im->delayed + n,
			(im->nb_delayed - n) * sizeof(im->delayed[0]));
		im->nb_delayed -= n;
	}
}

uint16_t
iw_impair_rx(struct iw_impair *im, struct rte_mbuf **pkts, uint16_t nb, uint16_t max)
{
	uint64_t now = rte_get_timer_cycles();
	uint16_t i, out = 0;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i], *dup = NULL;

		im->st.seen++;
		if (chance(im, im->conf.drop_ppm)) {
			rte_pktmbuf_free(m);
			im->st.dropped++;
			continue;
		}
		if (chance(im, im->conf.corrupt_ppm) &&
		    rte_pktmbuf_data_len(m) > RTE_ETHER_HDR_LEN) {
			uint32_t span = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
			uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *,
				RTE_ETHER_HDR_LEN + (uint32_t)(rng_next(im) % span));

			*p ^= (uint8_t)(1u << (rng_next(im) & 7));
			im->st.corrupted++;
		}
		if (chance(im, im->conf.dup_ppm)) {
			dup = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
			if (dup != NULL)
				im->st.duplicated++;
		}
		if (im->held == NULL && chance(im, im->conf.reorder_ppm)) {
			im->held = m;
			im->held_at = now;
			im->st.reordered++;
		} else {
			emit(im, m, now);
			if (im->held != NULL) {
				emit(im, im->held, now);
				im->held = NULL;
			}
		}
		if (dup != NULL)
			emit(im, dup, now);
	}
	if (im->held != NULL && now - im->held_at > REORDER_MAX_US * im->hz_us) {
		emit(im, im->held, now);
		im->held = NULL;
	}
	release_due(im, now);
	while (out < max && im->r_head != im->r_tail)
		pkts[out++] = im->ready[im->r_head++ & (READY_SIZE - 1)];
	return out;
}

void
iw_impair_free(struct iw_impair *im)
{
	uint32_t i;

	if (im == NULL)
		return;
	rte_pktmbuf_free(im->held);
	while (im->r_head != im->r_tail)
		rte_pktmbuf_free(im->ready[im->r_head++ & (READY_SIZE - 1)]);
	for (i = 0; i < im->nb_delayed; i++)
		rte_pktmbuf_free(im->delayed[i].m);
	rte_free(im);
}

int
iw_port_impair(struct iw_port *port, uint16_t queue, const struct iw_impair_conf *conf)
{
	struct iw_impair *im;

	if (port == NULL || queue >= port->nb_queues)
		return -EINVAL;
	if (conf == NULL) {
		im = port->q[queue].impair;
		port->q[queue].impair = NULL;
		iw_impair_free(im);
		return 0;
	}
	if (conf->drop_ppm > 1000000 || conf->dup_ppm > 1000000 ||
	    conf->reorder_ppm > 1000000 || conf->corrupt_ppm > 1000000)
		return -EINVAL;
	im = port->q[queue].impair;
	if (im == NULL) {
		im = rte_zmalloc_socket("iw_impair", sizeof(*im), RTE_CACHE_LINE_SIZE,
					port->socket_id);
		if (im == NULL)
			return -ENOMEM;
	}
	im->conf = *conf;
	im->rng = conf->seed ? conf->seed : 0x9E3779B97F4A7C15ULL;
	im->hz_us = rte_get_timer_hz() / 1000000;
	if (im->hz_us == 0)
		im->hz_us = 1;
	port->q[queue].impair = im;
	IW_PORT_LOG(INFO, "%s q%u impairment: seed %" PRIu64 " drop %u dup %u reorder %u "
		    "corrupt %u ppm, delay %u+%u us", port->name, queue, conf->seed,
		    conf->drop_ppm, conf->dup_ppm, conf->reorder_ppm, conf->corrupt_ppm,
		    conf->delay_us, conf->jitter_us);
	return 0;
}

int
iw_port_impair_stats(const struct iw_port *port, uint16_t queue, struct iw_impair_stats *stats)
{
	if (port == NULL || stats == NULL || queue >= port->nb_queues)
		return -EINVAL;
	if (port->q[queue].impair == NULL)
		return -ENOENT;
	*stats = port->q[queue].impair->st;
	return 0;
}
