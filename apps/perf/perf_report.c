/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perftest's report: the same banner shape, the same header lines, column
 * layout and units (MB/sec = 2^20 bytes per second, Gb/sec = 10^9 bits per
 * second, Mpps = 10^6 messages per second, usec), the same latency statistics
 * (min, max, median as t_typical, mean, standard deviation, 99% and 99.9%
 * percentiles). --cpu_util appends perftest's CPU_Util[%] column (here the
 * busy share of the polling core, see perf_cpu.c) and cycles per byte.
 * --out_json collects every line into one JSON document.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "perf.h"

#define RESULT_LINE "-------------------------------------------" \
	"--------------------------------------------\n"
#define RESULT_FMT " #bytes     #iterations    BW peak[MB/sec]    " \
	"BW average[MB/sec]   MsgRate[Mpps]"
#define RESULT_FMT_G " #bytes     #iterations    BW peak[Gb/sec]    " \
	"BW average[Gb/sec]   MsgRate[Mpps]"
#define RESULT_FMT_LAT " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    " \
	"t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] "
#define RESULT_FMT_LAT_DUR " #bytes        #iterations       t_avg[usec]    tps average"
#define RESULT_EXT_CPU "    CPU_Util[%]    cycles/byte"

#define REPORT_FMT " %-7lu    %-10lu       %-7.2lf            %-7.2lf\t\t   %-7.6lf"
#define REPORT_FMT_LAT " %-7lu %d          %-7.2f        %-7.2f      %-7.2f  \t       %-7.2f" \
	"     \t%-7.2f\t\t%-7.2f \t\t%-7.2f"
#define REPORT_FMT_LAT_DUR " %-7lu       %d            %-7.2f        %-7.2f"
#define REPORT_EXT_CPU "\t    %-3.2f\t    %-7.2f"

/* Units of perftest's report. */
#define MB_PER_SEC 1048576.0     /* 0x100000 */
#define GBIT_PER_SEC 125000000.0 /* 10^9 bits in bytes */

/* JSON rows kept for --out_json. */
struct json_row {
	char text[2048];
};
static struct json_row *json_rows;
static unsigned int json_nb, json_cap;

static const char *
verb_title(enum perf_verb v)
{
	switch (v) {
	case PERF_VERB_WRITE:
		return "RDMA_Write";
	case PERF_VERB_READ:
		return "RDMA_Read";
	case PERF_VERB_SEND:
	default:
		return "Send";
	}
}

const char *
perf_report_header_text(enum perf_kind kind, bool gbits)
{
	if (kind == PERF_KIND_LAT)
		return RESULT_FMT_LAT;
	return gbits ? RESULT_FMT_G : RESULT_FMT;
}

void
perf_report_banner(const struct perf_params *p, const char *transport_desc)
{
	printf(RESULT_LINE);
	printf("                    %s %s Test\n", verb_title(p->verb),
	       p->kind == PERF_KIND_BW ? "BW" : "Latency");
	printf(" Dual-port       : OFF\t\tDevice         : %s\n", transport_desc);
	printf(" Number of qps   : %u\t\tTransport type : %s\n", p->qps,
	       p->transport == PERF_TRANSPORT_RAW ? "raw L2 (ethertype 0x88B5)" :
	       p->transport == PERF_TRANSPORT_RDMA ? "iWARP (librte_iwarp)" : "kernel TCP");
	printf(" Connection type : %s\t\tUsing SRQ      : OFF\n",
	       p->transport == PERF_TRANSPORT_RAW ? "RawEth" :
	       p->transport == PERF_TRANSPORT_RDMA ? "RC" : "TCP");
	if (p->kind == PERF_KIND_BW)
		printf(" TX depth        : %u\n", p->tx_depth);
	if (p->verb == PERF_VERB_READ && p->kind == PERF_KIND_BW)
		printf(" Outstand reads  : %u\n", p->out_reads);
	printf(" Mtu             : %s\n", p->transport != PERF_TRANSPORT_KTCP ? "port's" :
	       "kernel's");
	if (p->duration)
		printf(" Duration        : %u sec per size\n", p->duration);
	if (p->rate_limit > 0) {
		char rate[64];

		printf(" Rate limit      : %s (software pacing)\n",
		       perf_pace_text(p, rate, sizeof(rate)));
	}
	printf(" Role            : %s\n", p->server ? "client" : "server");
	printf(RESULT_LINE);
}

void
perf_report_header(const struct perf_params *p)
{
	if (p->kind == PERF_KIND_LAT && p->duration)
		fputs(RESULT_FMT_LAT_DUR, stdout);
	else
		fputs(perf_report_header_text(p->kind, p->report_gbits), stdout);
	if (p->cpu_util)
		fputs(RESULT_EXT_CPU, stdout);
	fputc('\n', stdout);
}

void
perf_report_footer(const struct perf_params *p)
{
	(void)p;
	printf(RESULT_LINE);
	fflush(stdout);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct lat_stats {
	double min, max, typical, avg, stdev, p99, p999;
};

/* Nearest-rank percentile of sorted samples. */
static double
pct(const uint64_t *s, uint64_t n, double q)
{
	uint64_t k = (uint64_t)ceil(q * (double)n);

	if (k == 0)
		k = 1;
	return (double)s[k - 1];
}

static void
lat_compute(const struct perf_result *r, struct lat_stats *st)
{
	double unit = (double)perf_tsc_hz() / 1e6 * r->rtt_factor; /* cycles per reported usec */
	uint64_t n = r->nb_samples, i;
	double sum = 0, var = 0, m;

	qsort(r->samples, n, sizeof(r->samples[0]), cmp_u64);
	for (i = 0; i < n; i++)
		sum += (double)r->samples[i];
	m = sum / (double)n;
	for (i = 0; i < n; i++)
		var += ((double)r->samples[i] - m) * ((double)r->samples[i] - m);
	st->min = (double)r->samples[0] / unit;
	st->max = (double)r->samples[n - 1] / unit;
	if (n % 2 == 0)
		st->typical = ((double)r->samples[n / 2 - 1] + (double)r->samples[n / 2]) / 2 /
			unit;
	else
		st->typical = (double)r->samples[n / 2] / unit;
	st->avg = m / unit;
	st->stdev = sqrt(var / (double)n) / unit;
	st->p99 = pct(r->samples, n, 0.99) / unit;
	st->p999 = pct(r->samples, n, 0.999) / unit;
}

static double
cycles_per_byte(const struct perf_cpu *c, uint64_t bytes)
{
	return bytes ? (double)c->busy / (double)bytes : 0;
}

static int
json_add(const char *text)
{
	struct json_row *n;

	if (json_nb == json_cap) {
		json_cap = json_cap ? json_cap * 2 : 16;
		n = realloc(json_rows, json_cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		json_rows = n;
	}
	snprintf(json_rows[json_nb++].text, sizeof(json_rows[0].text), "%s", text);
	return 0;
}

/*
 * Append how the work went out (rdma): post calls, work requests, inline
 * ones, and with -q the messages of each connection. @return the new length.
 */
static int
json_work(char *row, size_t len, int n, const struct perf_result *r)
{
	unsigned int i;

	if (n <= 0 || (size_t)n >= len)
		return n;
	if (r->posts != 0)
		n += snprintf(row + n, len - (size_t)n, ", \"posts\": %" PRIu64 ", \"wrs\": %"
			      PRIu64 ", \"inline_wrs\": %" PRIu64, r->posts, r->wrs,
			      r->inline_wrs);
	if (r->engine && (size_t)n < len)
		n += snprintf(row + n, len - (size_t)n, ", \"tx_fpdus\": %" PRIu64
			      ", \"tx_data_frames\": %" PRIu64 ", \"tx_frames\": %" PRIu64
			      ", \"rx_frames\": %" PRIu64 ", \"tx_rexmit\": %" PRIu64,
			      r->tx_fpdus, r->tx_data_frames, r->tx_frames, r->rx_frames,
			      r->tx_rexmit);
	for (i = 0; i < r->nb_qps && (size_t)n < len; i++)
		n += snprintf(row + n, len - (size_t)n, "%s%" PRIu64 "%s",
			      i == 0 ? ", \"qp_messages\": [" : ", ", r->qp_msgs[i],
			      i + 1 == r->nb_qps ? "]" : "");
	return n;
}

int
perf_report_line(const struct perf_params *p, const struct perf_result *r)
{
	double unit = p->report_gbits ? GBIT_PER_SEC : MB_PER_SEC;
	double busy = perf_cpu_busy_pct(&r->cpu), cpb = cycles_per_byte(&r->cpu, r->bytes);
	char row[sizeof(json_rows[0].text)];
	struct lat_stats st;
	int n;

	if (p->kind == PERF_KIND_BW) {
		printf(REPORT_FMT, (unsigned long)r->size, (unsigned long)r->iters,
		       p->no_peak ? 0.0 : r->bw_peak / unit, r->bw_avg / unit,
		       r->msg_rate / 1e6);
		n = snprintf(row, sizeof(row), "{\"bytes\": %u, \"iterations\": %" PRIu64
			     ", \"bw_peak_MBps\": %.2f, \"bw_avg_MBps\": %.2f, "
			     "\"bw_peak_Gbps\": %.4f, \"bw_avg_Gbps\": %.4f, "
			     "\"msg_rate_Mpps\": %.6f",
			     r->size, r->iters, p->no_peak ? 0.0 : r->bw_peak / MB_PER_SEC,
			     r->bw_avg / MB_PER_SEC, p->no_peak ? 0.0 : r->bw_peak / GBIT_PER_SEC,
			     r->bw_avg / GBIT_PER_SEC, r->msg_rate / 1e6);
	} else if (p->duration) {
		lat_compute(r, &st);
		printf(REPORT_FMT_LAT_DUR, (unsigned long)r->size, (int)r->iters, st.avg,
		       st.avg > 0 ? 1e6 / (st.avg * r->rtt_factor) : 0.0);
		n = snprintf(row, sizeof(row), "{\"bytes\": %u, \"iterations\": %" PRIu64
			     ", \"t_avg_usec\": %.3f", r->size, r->iters, st.avg);
	} else {
		lat_compute(r, &st);
		printf(REPORT_FMT_LAT, (unsigned long)r->size, (int)r->iters, st.min, st.max,
		       st.typical, st.avg, st.stdev, st.p99, st.p999);
		n = snprintf(row, sizeof(row), "{\"bytes\": %u, \"iterations\": %" PRIu64
			     ", \"t_min_usec\": %.3f, \"t_max_usec\": %.3f, "
			     "\"t_typical_usec\": %.3f, \"t_avg_usec\": %.3f, "
			     "\"t_stdev_usec\": %.3f, \"t_99_usec\": %.3f, \"t_99_9_usec\": %.3f",
			     r->size, r->iters, st.min, st.max, st.typical, st.avg, st.stdev,
			     st.p99, st.p999);
	}
	if (p->cpu_util)
		printf(REPORT_EXT_CPU, busy, cpb);
	fputc('\n', stdout);
	fflush(stdout);
	n = json_work(row, sizeof(row), n, r);
	/* the peer's own view: its payload bytes over its phase, by its clock */
	if (n > 0 && (size_t)n < sizeof(row) && p->kind == PERF_KIND_BW && r->peer_ns != 0)
		n += snprintf(row + n, sizeof(row) - (size_t)n, ", \"peer_bw_Gbps\": %.4f",
			      (double)r->peer_bytes * 8.0 / (double)r->peer_ns);
	if (n > 0 && (size_t)n < sizeof(row))
		snprintf(row + n, sizeof(row) - (size_t)n,
			 ", \"cpu_busy_pct\": %.2f, \"cycles_per_byte\": %.3f, "
			 "\"peer_cpu_busy_pct\": %.2f, \"peer_cycles_per_byte\": %.3f}",
			 busy, cpb, perf_cpu_busy_pct(&r->peer_cpu),
			 cycles_per_byte(&r->peer_cpu, r->peer_bytes));
	return p->out_json ? json_add(row) : 0;
}

int
perf_report_json_write(const struct perf_params *p, const char *transport_desc)
{
	unsigned int i;
	FILE *f;
	int rc = 0;

	if (!p->out_json)
		return 0;
	f = fopen(p->json_file, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"test\": \"%s\",\n  \"transport\": \"%s\",\n  \"device\": \"",
		p->test_name, p->transport == PERF_TRANSPORT_RAW ? "raw" :
		p->transport == PERF_TRANSPORT_RDMA ? "rdma" : "kernel-tcp");
	for (i = 0; transport_desc[i] != '\0'; i++)
		if (transport_desc[i] != '"' && transport_desc[i] != '\\')
			fputc(transport_desc[i], f);
	fprintf(f, "\",\n  \"tsc_hz\": %" PRIu64 ",\n  \"rtt_factor\": %u,\n  \"results\": [\n",
		perf_tsc_hz(), p->verb == PERF_VERB_READ ? 1u : 2u);
	for (i = 0; i < json_nb; i++)
		fprintf(f, "    %s%s\n", json_rows[i].text, i + 1 < json_nb ? "," : "");
	fprintf(f, "  ]\n}\n");
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	free(json_rows);
	json_rows = NULL;
	json_nb = json_cap = 0;
	return rc;
}
