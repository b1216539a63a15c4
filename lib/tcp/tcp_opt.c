/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "tcp_opt.h"

#define TCP_TS_ALIGNED_LEN 12   /* NOP, NOP, kind 8, length 10 */

static uint32_t
get32(const uint8_t *p)
{
	rte_be32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int
tcp_opt_parse(const uint8_t *p, unsigned int len, bool syn, struct tcp_opts *o)
{
	unsigned int i = 0, ol, j;

	o->present = 0;
	o->nsack = 0;
	/* what nearly every segment carries: NOP, NOP, timestamps (RFC 7323 appendix A) */
	if (len == TCP_TS_ALIGNED_LEN && p[0] == TCPOPT_NOP && p[1] == TCPOPT_NOP &&
	    p[2] == TCPOPT_TS && p[3] == 10) {
		o->tsval = get32(p + 4);
		o->tsecr = get32(p + 8);
		o->present = TCP_OPT_TS;
		return 0;
	}
	while (i < len) {
		uint8_t kind = p[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EBADMSG;
		ol = p[i + 1];
		if (ol < 2 || i + ol > len)
			return -EBADMSG;
		switch (kind) {
		case TCPOPT_MSS:
			if (ol != 4)
				return -EBADMSG;
			if (syn) {
				o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
				o->present |= TCP_OPT_MSS;
			}
			break;
		case TCPOPT_WS:
			if (ol != 3)
				return -EBADMSG;
			if (syn) {
				o->wscale = p[i + 2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : p[i + 2];
				o->present |= TCP_OPT_WS;
			}
			break;
		case TCPOPT_SACK_OK:
			if (ol != 2)
				return -EBADMSG;
			if (syn)
				o->present |= TCP_OPT_SACK_OK;
			break;
		case TCPOPT_TS:
			if (ol != 10)
				return -EBADMSG;
			o->tsval = get32(p + i + 2);
			o->tsecr = get32(p + i + 6);
			o->present |= TCP_OPT_TS;
			break;
		case TCPOPT_SACK:
			if ((ol - 2) % 8 != 0 || ol == 2)
				return -EBADMSG;
			for (j = 0; j < (ol - 2u) / 8 && o->nsack < TCP_MAX_SACK_BLOCKS; j++) {
				o->sack[o->nsack].start = get32(p + i + 2 + 8 * j);
				o->sack[o->nsack].end = get32(p + i + 6 + 8 * j);
				o->nsack++;
			}
			o->present |= TCP_OPT_SACK;
			break;
		default:
			break; /* unknown options are skipped by their length */
		}
		i += ol;
	}
	return 0;
}

unsigned int
tcp_opt_build_syn(uint8_t *p, const struct tcp_syn_opts *so)
{
	unsigned int n = 0;

	p[n++] = TCPOPT_MSS;
	p[n++] = 4;
	p[n++] = so->mss >> 8;
	p[n++] = so->mss & 0xff;
	if (so->sack_ok && so->ts) {
		p[n++] = TCPOPT_SACK_OK;
		p[n++] = 2;
	} else if (so->sack_ok) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK_OK;
		p[n++] = 2;
	}
	if (so->ts) {
		if (!so->sack_ok) {
			p[n++] = TCPOPT_NOP;
			p[n++] = TCPOPT_NOP;
		}
		p[n++] = TCPOPT_TS;
		p[n++] = 10;
		put32(p + n, so->tsval);
		put32(p + n + 4, so->tsecr);
		n += 8;
	}
	if (so->wscale >= 0) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WS;
		p[n++] = 3;
		p[n++] = (uint8_t)so->wscale;
	}
	return n;
}

unsigned int
tcp_opt_build(uint8_t *p, bool ts, uint32_t tsval, uint32_t tsecr,
	      const struct tcp_sack_blk *sack, unsigned int n)
{
	unsigned int len = 0, i;

	if (ts) {
		p[len++] = TCPOPT_NOP;
		p[len++] = TCPOPT_NOP;
		p[len++] = TCPOPT_TS;
		p[len++] = 10;
		put32(p + len, tsval);
		put32(p + len + 4, tsecr);
		len += 8;
	}
	if (n > 0) {
		unsigned int room = (TCP_MAX_OPT_LEN - len - 4) / 8;

		if (n > room)
			n = room;
		p[len++] = TCPOPT_NOP;
		p[len++] = TCPOPT_NOP;
		p[len++] = TCPOPT_SACK;
		p[len++] = (uint8_t)(2 + 8 * n);
		for (i = 0; i < n; i++) {
			put32(p + len, sack[i].start);
			put32(p + len + 4, sack[i].end);
			len += 8;
		}
	}
	return len;
}
