/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "tcp_isn.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

uint64_t
tcp_siphash(const struct tcp_secret *key, const void *data, unsigned int len)
{
	const uint8_t *p = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ key->k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ key->k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ key->k0;
	uint64_t v3 = 0x7465646279746573ULL ^ key->k1;
	uint64_t m, b = (uint64_t)len << 56;
	unsigned int i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (unsigned int j = 0; j < left; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t
tcp_isn(const struct tcp_secret *key, const struct tcp_tuple *t, uint64_t now_us)
{
	/* M: a timer ticking every 4 microseconds (RFC 6528 section 3) */
	return (uint32_t)(now_us / 4) + (uint32_t)tcp_siphash(key, t, sizeof(*t));
}

/* MSS values a cookie can carry (3 bits), ascending. */
static const uint16_t cookie_mss[8] = { 536, 1024, 1220, 1360, 1440, 1460, 4312, 8960 };

static uint32_t
cookie_hash(const struct tcp_secret *key, const struct tcp_tuple *t, uint32_t irs,
	    uint32_t count)
{
	struct {
		struct tcp_tuple t;
		uint32_t irs, count;
	} in;

	memset(&in, 0, sizeof(in));
	in.t = *t;
	in.irs = irs;
	in.count = count;
	return (uint32_t)tcp_siphash(key, &in, sizeof(in)) & 0xffffff;
}

uint32_t
tcp_cookie_make(const struct tcp_secret *key, const struct tcp_tuple *t, uint32_t irs,
		uint16_t mss, uint64_t now_s)
{
	uint32_t count = (uint32_t)(now_s / 64) & 0x1f, idx = 0, i;

	for (i = 0; i < 8; i++)
		if (cookie_mss[i] <= mss)
			idx = i;
	return count << 27 | idx << 24 | cookie_hash(key, t, irs, count);
}

bool
tcp_cookie_check(const struct tcp_secret *key, const struct tcp_tuple *t, uint32_t irs,
		 uint32_t cookie, uint64_t now_s, uint16_t *mss)
{
	uint32_t count = cookie >> 27, now = (uint32_t)(now_s / 64) & 0x1f;

	if (((now - count) & 0x1f) > TCP_COOKIE_MAX_AGE)
		return false;
	if (cookie_hash(key, t, irs, count) != (cookie & 0xffffff))
		return false;
	*mss = cookie_mss[(cookie >> 24) & 7];
	return true;
}

uint32_t
tcp_cookie_ts_encode(uint8_t wscale, bool sack_ok)
{
	return (wscale > 14 ? 0xfu : wscale) | (sack_ok ? 0x10u : 0);
}

void
tcp_cookie_ts_decode(uint32_t tsecr, struct tcp_cookie_info *ci)
{
	ci->wscale = tsecr & 0xf;
	ci->sack_ok = (tsecr & 0x10) != 0;
}
