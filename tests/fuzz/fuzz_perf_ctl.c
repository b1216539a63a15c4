/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the control message parsers of iwarp-perf
 * (apps/perf/perf_ctlmsg.c, which perf_perftest.c, perf_rdma.c and
 * perf_ktcp.c call).
 *
 * Input: a selector byte, then
 *   0: perftest's version message (16 bytes)
 *   1: perftest's cycle buffer size (be32)
 *   2: perftest's pingpong_dest (56 bytes)
 *   3: a flag byte (Gbit/s or MiB/s units), then perftest's BW report (5 x be64)
 *   4: our verb, kind, largest size (be32), the -D seconds (be32), then an
 *      iwarp-perf BEGIN record as a server checks it
 *   5: a seed byte (how the stream is cut into receives), the message size
 *      (be32, brought into 1 .. 64 KiB), then the record stream of a -b
 *      kernel-TCP run
 * Each message is given to its parser in a buffer of exactly its size, so a
 * read past it is caught. Invariants (abort on violation): the decoders
 * invert the encoders; the checks accept exactly what they document; the
 * stream is cut into the same records whole or in pieces, each of the
 * length its type byte says.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perf_ctlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A heap copy of exactly n bytes (ASan sees a read past it). */
static void *
dup_exact(const uint8_t *p, size_t n)
{
	void *c = malloc(n ? n : 1);

	check(c != NULL);
	memcpy(c, p, n);
	return c;
}

static void
version(const uint8_t *d, size_t n)
{
	char out[PT_VERSION_LEN + 1];
	char *in;
	int rc;

	if (n < PT_VERSION_LEN)
		return;
	in = dup_exact(d, PT_VERSION_LEN);
	rc = perf_pt_version(in, out);
	check(out[PT_VERSION_LEN] == '\0' && memcmp(out, in, PT_VERSION_LEN) == 0);
	check((rc == 0) == !(strtod(out, NULL) < PT_MIN_VERSION));
	check(rc == 0 || rc == -EPROTO);
	free(in);
}

static void
cycle(const uint8_t *d, size_t n)
{
	uint32_t c;
	rte_be32_t v;
	int rc;

	if (n < sizeof(v))
		return;
	memcpy(&v, d, sizeof(v));
	rc = perf_pt_cycle(v, &c);
	check(c == be32(d));
	check((rc == 0) == (c <= PT_MAX_CYCLE) && (rc == 0 || rc == -ERANGE));
}

static void
dest(const uint8_t *d, size_t n)
{
	struct pt_dest *in;
	uint64_t vaddr = 1;
	uint32_t rkey = 2, i;
	bool any = false;

	if (n < sizeof(*in))
		return;
	in = dup_exact(d, sizeof(*in));
	for (i = 24; i < 32; i++) /* vaddr */
		any |= d[i] != 0;
	if (perf_pt_dest_keys(in, &vaddr, &rkey)) {
		check(any && vaddr == rte_be_to_cpu_64(in->vaddr) && rkey == be32(d + 16));
	} else {
		check(!any && vaddr == 1 && rkey == 2); /* untouched */
	}
	free(in);
}

static bool
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b)) || a == b;
}

static void
report(const uint8_t *d, size_t n)
{
	double unit;
	struct perf_result r, r2;
	rte_be64_t *in, out[5];

	if (n < 1 + 5 * sizeof(rte_be64_t))
		return;
	unit = d[0] & 1 ? 125000000.0 : 1048576.0;
	in = dup_exact(d + 1, 5 * sizeof(rte_be64_t));
	perf_pt_report_decode(in, unit, &r);
	check(r.size == (uint32_t)rte_be_to_cpu_64(in[0]) && r.iters == rte_be_to_cpu_64(in[1]));
	check(r.samples == NULL && r.nb_samples == 0);
	/* what was decoded encodes and decodes to the same figures */
	perf_pt_report_encode(&r, unit, out);
	perf_pt_report_decode(out, unit, &r2);
	check(r2.size == r.size && r2.iters == r.iters);
	/* unit scaling may round in the last bit or overflow; NaN stays NaN */
	check(isnan(r.bw_peak) == isnan(r2.bw_peak) && isnan(r.msg_rate) == isnan(r2.msg_rate));
	check(!isfinite(r.bw_avg) || !isfinite(r2.bw_avg) ||
	      fabs(r.bw_avg - r2.bw_avg) <= fabs(r.bw_avg) * 1e-12 || same_double(r.bw_avg, r2.bw_avg));
	free(in);
}

static void
begin(const uint8_t *d, size_t n)
{
	struct perf_ctl *c;
	uint32_t max_size, dur, size, window;
	uint64_t count;
	bool ok, want;

	if (n < 10 + sizeof(*c))
		return;
	max_size = be32(d + 2);
	dur = be32(d + 6);
	c = dup_exact(d + 10, sizeof(*c));
	ok = perf_ctl_begin_ok(c, dur, d[0] % 3, d[1] % 2, max_size);
	size = rte_be_to_cpu_32(c->size);
	window = rte_be_to_cpu_32(c->window);
	count = rte_be_to_cpu_64(c->count);
	want = c->verb == d[0] % 3 && c->kind == d[1] % 2 && size >= 1 && size <= max_size &&
		window >= 1 && (count ? window <= count : dur >= 1 && dur <= 3600);
	check(ok == want);
	free(c);
}

struct recs {
	uint32_t size;
	uint32_t hash, n;
	size_t bytes;
	unsigned int stop_after; /* 0: never */
};

static int
rec_cb(void *ctx, const uint8_t *rec, size_t len)
{
	struct recs *r = ctx;
	size_t i;

	check(len >= 1 && len == perf_dx_rec_len(rec[0], r->size));
	for (i = 0; i < len; i++)
		r->hash = (r->hash ^ rec[i]) * 16777619u;
	r->hash = (r->hash ^ (uint32_t)len) * 16777619u;
	r->n++;
	r->bytes += len;
	return r->stop_after != 0 && r->n >= r->stop_after ? 1 : 0;
}

static void
stream(const uint8_t *d, size_t n)
{
	struct recs one = { .hash = 2166136261u }, many;
	uint32_t size, seed;
	size_t pos = 0, len = 0, cap;
	uint8_t *buf, *all;
	long off;

	if (n < 6)
		return;
	seed = d[0] | 1u;
	size = 1 + be32(d + 1) % 65536;
	d += 5;
	n -= 5;
	one.size = size;
	many = one;
	/* whole: the records are consecutive and each has its type's length */
	all = dup_exact(d, n);
	off = perf_dx_split(all, n, size, rec_cb, &one);
	check(off >= 0 && (size_t)off == one.bytes && (size_t)off <= n);
	if ((size_t)off < n)
		check(n - (size_t)off < perf_dx_rec_len(all[off], size));
	/* in pieces, with perf_ktcp.c's buffer (size + 64 KiB): the same records */
	cap = (size_t)size + 65536;
	buf = malloc(cap);
	check(buf != NULL);
	while (pos < n) {
		size_t k;

		seed = seed * 1103515245u + 12345u;
		k = RTE_MIN(n - pos, (size_t)(1 + (seed >> 16) % 300));
		k = RTE_MIN(k, cap - len);
		check(k > 0); /* the buffer always has room for the rest of a record */
		memcpy(buf + len, d + pos, k);
		len += k;
		pos += k;
		off = perf_dx_split(buf, len, size, rec_cb, &many);
		check(off >= 0 && (size_t)off <= len);
		memmove(buf, buf + off, len - (size_t)off);
		len -= (size_t)off;
	}
	check(one.n == many.n && one.hash == many.hash && one.bytes == many.bytes);
	/* a callback that stops ends the cut right after its record */
	if (one.n > 1) {
		struct recs st = { .size = size, .stop_after = 1 };

		off = perf_dx_split(all, n, size, rec_cb, &st);
		check(st.n == 1 && (size_t)off == st.bytes);
	}
	free(buf);
	free(all);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0: version(data + 1, size - 1); break;
	case 1: cycle(data + 1, size - 1); break;
	case 2: dest(data + 1, size - 1); break;
	case 3: report(data + 1, size - 1); break;
	case 4: begin(data + 1, size - 1); break;
	default: stream(data + 1, size - 1); break;
	}
	return 0;
}
