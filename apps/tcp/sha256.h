/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_SHA256_H
#define IWT_SHA256_H

/*
 * SHA-256 (FIPS 180-4), streaming, for the transfer checks of iwarp-tcp and
 * the TCP tests (compared with sha256sum on the kernel side).
 */
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	unsigned int n;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, uint8_t out[32]);
/** Final digest as 64 lower-case hex characters plus NUL. */
void sha256_hex(struct sha256 *c, char out[65]);

#endif
