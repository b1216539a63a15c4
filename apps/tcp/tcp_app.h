/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_APP_H
#define TCP_APP_H

/*
 * iwarp-tcp: bulk transfer and ping-pong over lib/tcp on a DPDK port, or over
 * kernel sockets (--kernel) as the baseline, with the same options and the
 * same report lines.
 */
#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#define PROG "iwarp-tcp"

enum app_mode { MODE_NONE, MODE_BULK, MODE_PINGPONG, MODE_SINK, MODE_ECHO };

struct app_opts {
	bool kernel;
	const char *dev;
	in_addr_t ip, netmask, gateway;   /* network order */
	uint16_t mtu;
	bool server;
	in_addr_t peer;
	uint16_t port;
	enum app_mode mode;
	uint64_t bytes;                    /* bulk */
	uint32_t count;                    /* ping-pong round trips */
	uint32_t size;                     /* ping-pong message size */
	uint32_t timeout_s;
	bool newreno;
	uint32_t rto_min_us;
	bool quiet;
};

/** Print "iwarp-tcp: error: ..." on stderr. */
void app_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Seconds since an arbitrary point (CLOCK_MONOTONIC). */
double app_now(void);

/** Report lines shared by both modes. */
void app_report_bulk(const char *what, uint64_t bytes, const char *sha, double secs);
void app_report_pingpong(uint32_t size, uint32_t n, double *rtt_us);

int app_run_kernel(const struct app_opts *o);
int app_run_dpdk(const struct app_opts *o);

#endif
