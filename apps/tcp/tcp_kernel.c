/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel TCP baseline: the same bulk and ping-pong over sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sha256.h"
#include "tcp_app.h"
#include "tcp_pattern.h"

static int
k_connect(const struct app_opts *o)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(o->port),
				  .sin_addr.s_addr = o->peer };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		app_error("connect: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
k_accept(const struct app_opts *o)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(o->port),
				  .sin_addr.s_addr = o->ip };
	int l = socket(AF_INET, SOCK_STREAM, 0), fd, one = 1;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(l, 16) != 0) {
		app_error("listen on port %u: %s", o->port, strerror(errno));
		return -1;
	}
	printf(PROG ": listening on port %u\n", o->port);
	fd = accept(l, NULL, NULL);
	close(l);
	if (fd < 0) {
		app_error("accept: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int
app_run_kernel(const struct app_opts *o)
{
	static uint8_t buf[1 << 16];
	struct sha256 c;
	char hex[65];
	uint64_t done = 0;
	double t0;
	ssize_t n;
	int fd = o->server ? k_accept(o) : k_connect(o);

	if (fd < 0)
		return 1;
	sha256_init(&c);
	t0 = app_now();
	switch (o->mode) {
	case MODE_BULK:
		while (done < o->bytes) {
			uint32_t len = (uint32_t)(o->bytes - done < sizeof(buf) ?
						  o->bytes - done : sizeof(buf));

			tcp_pattern_fill(buf, done, len);
			sha256_update(&c, buf, len);
			for (uint32_t off = 0; off < len; off += (uint32_t)n) {
				n = write(fd, buf + off, len - off);
				if (n <= 0) {
					app_error("write: %s", strerror(errno));
					return 1;
				}
			}
			done += len;
		}
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		sha256_hex(&c, hex);
		app_report_bulk("sent", done, hex, app_now() - t0);
		break;
	case MODE_SINK:
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			sha256_update(&c, buf, (size_t)n);
			done += (uint64_t)n;
		}
		sha256_hex(&c, hex);
		app_report_bulk("received", done, hex, app_now() - t0);
		break;
	case MODE_ECHO:
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				break;
		break;
	case MODE_PINGPONG: {
		double *rtt = calloc(o->count, sizeof(*rtt));

		memset(buf, 0x5a, o->size);
		for (uint32_t i = 0; i < o->count && rtt != NULL; i++) {
			double t = app_now();

			if (write(fd, buf, o->size) != (ssize_t)o->size) {
				app_error("write: %s", strerror(errno));
				return 1;
			}
			for (uint32_t got = 0; got < o->size; got += (uint32_t)n) {
				n = read(fd, buf, o->size - got);
				if (n <= 0) {
					app_error("read: connection ended");
					return 1;
				}
			}
			rtt[i] = (app_now() - t) * 1e6;
		}
		app_report_pingpong(o->size, o->count, rtt);
		free(rtt);
		break;
	}
	default:
		break;
	}
	close(fd);
	return 0;
}
