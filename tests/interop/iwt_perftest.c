/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing perftest's tables: the header line starts with " #bytes", each row
 * with a space and the message size, the table ends at perftest's dashed
 * RESULT_LINE.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "iwt.h"
#include "iwt_perftest.h"

int
iwt_pt_rows(const char *out, char rows[][IWT_PT_ROW], int max)
{
	const char *p = strstr(out, "\n #bytes");
	int n = 0;

	if (p == NULL)
		return 0;
	p = strchr(p + 1, '\n');
	while (p != NULL && n < max) {
		const char *e;
		size_t len;

		p++;
		if (p[0] != ' ' || p[1] < '0' || p[1] > '9')
			break;
		e = strchr(p, '\n');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len >= IWT_PT_ROW)
			len = IWT_PT_ROW - 1;
		memcpy(rows[n], p, len);
		rows[n++][len] = '\0';
		p = e;
	}
	return n;
}

int
iwt_pt_check_row(const char *row, bool lat, uint32_t size, uint64_t iters)
{
	unsigned long sz, it;
	double a, b, c, d;

	if (lat) {
		IWT_ASSERT_EQ(sscanf(row, " %lu %lu %lf %lf %lf %lf", &sz, &it, &a, &b, &c, &d), 6,
			      "latency row: '%s'", row);
		IWT_ASSERT(a > 0 && a <= c && c <= b, "0 < t_min <= t_typical <= t_max: '%s'",
			   row);
	} else {
		IWT_ASSERT_EQ(sscanf(row, " %lu %lu %lf %lf %lf", &sz, &it, &a, &b, &c), 5,
			      "BW row: '%s'", row);
		IWT_ASSERT(c > 0, "a message rate: '%s'", row);
		IWT_ASSERT(size < 4096 || b > 0, "a bandwidth: '%s'", row);
	}
	IWT_ASSERT_EQ(sz, (unsigned long)size, "size of '%s'", row);
	IWT_ASSERT_EQ(it, (unsigned long)iters, "iterations of '%s'", row);
	return IWT_PASS;
}

int
iwt_pt_fpdus(const char *out, uint64_t *in, uint64_t *out_fpdus)
{
	const char *p = strstr(out, " done: ");

	if (p == NULL || sscanf(p, " done: %" SCNu64 " FPDUs in, %" SCNu64 " out", in,
				out_fpdus) != 2)
		return -1;
	return 0;
}

uint64_t
iwt_pt_min_fpdus(uint32_t size, uint64_t n)
{
	return n * ((size + 1459) / 1460);
}
