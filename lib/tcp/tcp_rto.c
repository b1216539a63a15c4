/* SPDX-License-Identifier: BSD-3-Clause */
#include "tcp_rto.h"
#include "tcp_seq.h"

static void
rto_clamp(struct tcp_rto *r, uint64_t rto)
{
	if (rto < r->min_us)
		rto = r->min_us;
	if (rto > r->max_us)
		rto = r->max_us;
	r->rto_us = (uint32_t)rto;
}

void
tcp_rto_init(struct tcp_rto *r, uint32_t min_us, uint32_t max_us, uint32_t gran_us,
	     uint32_t initial_us)
{
	*r = (struct tcp_rto){ .min_us = min_us, .max_us = max_us, .gran_us = gran_us };
	if (r->max_us < r->min_us)
		r->max_us = r->min_us;
	rto_clamp(r, initial_us);
}

void
tcp_rto_sample(struct tcp_rto *r, uint32_t rtt_us)
{
	uint64_t var;

	if (rtt_us == 0)
		rtt_us = 1;
	if (!r->have_sample) {
		/* (2.2) first measurement */
		r->srtt_us = rtt_us;
		r->rttvar_us = rtt_us / 2;
		r->have_sample = true;
	} else {
		/* (2.3) RTTVAR first, with the old SRTT */
		uint32_t err = r->srtt_us > rtt_us ? r->srtt_us - rtt_us : rtt_us - r->srtt_us;

		r->rttvar_us = (uint32_t)(((uint64_t)r->rttvar_us * 3 + err) / 4);
		r->srtt_us = (uint32_t)(((uint64_t)r->srtt_us * 7 + rtt_us) / 8);
	}
	var = (uint64_t)r->rttvar_us * 4;
	if (var < r->gran_us)
		var = r->gran_us;
	r->backoff = 0;
	rto_clamp(r, (uint64_t)r->srtt_us + var);
}

void
tcp_rto_backoff(struct tcp_rto *r)
{
	if (r->backoff < 31)
		r->backoff++;
	rto_clamp(r, (uint64_t)r->rto_us * 2);
}

void
tcp_rtt_start(struct tcp_rto *r, uint32_t seq, uint64_t now_us)
{
	if (r->timing)
		return;
	r->timing = true;
	r->rt_seq = seq;
	r->rt_start_us = now_us;
}

uint32_t
tcp_rtt_ack(struct tcp_rto *r, uint32_t ack, uint64_t now_us)
{
	uint64_t rtt;

	if (!r->timing || SEQ_LEQ(ack, r->rt_seq))
		return 0;
	r->timing = false;
	rtt = now_us > r->rt_start_us ? now_us - r->rt_start_us : 1;
	if (rtt > UINT32_MAX)
		rtt = UINT32_MAX;
	tcp_rto_sample(r, (uint32_t)rtt);
	return (uint32_t)rtt;
}
