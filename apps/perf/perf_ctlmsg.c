/* SPDX-License-Identifier: BSD-3-Clause */
/* The control message parsers of iwarp-perf (perf_ctlmsg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perf_ctlmsg.h"

int
perf_pt_version(const char theirs[PT_VERSION_LEN], char out[PT_VERSION_LEN + 1])
{
	memcpy(out, theirs, PT_VERSION_LEN);
	out[PT_VERSION_LEN] = '\0';
	return strtod(out, NULL) < PT_MIN_VERSION ? -EPROTO : 0;
}

int
perf_pt_cycle(rte_be32_t v, uint32_t *cycle)
{
	*cycle = rte_be_to_cpu_32(v);
	/* perftest cycles small messages through its peer's buffer over this much */
	return *cycle > PT_MAX_CYCLE ? -ERANGE : 0;
}

bool
perf_pt_dest_keys(const struct pt_dest *d, uint64_t *vaddr, uint32_t *rkey)
{
	if (d->vaddr == 0)
		return false;
	*vaddr = rte_be_to_cpu_64(d->vaddr);
	*rkey = rte_be_to_cpu_32(d->rkey);
	return true;
}

void
perf_pt_report_encode(const struct perf_result *mine, double unit, rte_be64_t out[5])
{
	double d[3] = { mine->bw_peak / unit, mine->bw_avg / unit, mine->msg_rate / 1e6 };
	unsigned int i;

	out[0] = rte_cpu_to_be_64(mine->size);
	out[1] = rte_cpu_to_be_64(mine->iters);
	for (i = 0; i < 3; i++) {
		uint64_t u;

		memcpy(&u, &d[i], sizeof(u));
		out[2 + i] = rte_cpu_to_be_64(u);
	}
}

void
perf_pt_report_decode(const rte_be64_t in[5], double unit, struct perf_result *theirs)
{
	double d[3];
	unsigned int i;

	memset(theirs, 0, sizeof(*theirs));
	theirs->size = (uint32_t)rte_be_to_cpu_64(in[0]);
	theirs->iters = rte_be_to_cpu_64(in[1]);
	for (i = 0; i < 3; i++) {
		uint64_t u = rte_be_to_cpu_64(in[2 + i]);

		memcpy(&d[i], &u, sizeof(u));
	}
	theirs->bw_peak = d[0] * unit;
	theirs->bw_avg = d[1] * unit;
	theirs->msg_rate = d[2] * 1e6;
}

bool
perf_ctl_begin_ok(const struct perf_ctl *c, uint32_t duration, unsigned int verb,
		  unsigned int kind, uint32_t max_size)
{
	uint32_t size = rte_be_to_cpu_32(c->size), window = rte_be_to_cpu_32(c->window);
	uint64_t n = rte_be_to_cpu_64(c->count);

	return c->verb == verb && c->kind == kind && size != 0 && size <= max_size &&
		window != 0 && (n != 0 ? window <= n : duration != 0 && duration <= 3600);
}

size_t
perf_dx_rec_len(uint8_t type, uint32_t size)
{
	switch (type) {
	case 'D':
	case 'E':
		return size;
	case 'C':
	case 'F':
		return PERF_DX_CREDIT_LEN;
	default:
		return sizeof(struct perf_ctl);
	}
}

long
perf_dx_split(const uint8_t *in, size_t len, uint32_t size, perf_dx_rec_fn fn, void *ctx)
{
	size_t need, off = 0;
	int rc;

	while (off < len) {
		need = perf_dx_rec_len(in[off], size);
		if (len - off < need)
			break;
		rc = fn(ctx, in + off, need);
		if (rc < 0)
			return rc;
		off += need;
		if (rc > 0)
			break;
	}
	return (long)off;
}
