/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers: pcap reading, TCP reassembly, tshark decode parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "iwt.h"
#include "iwt_pcap.h"

#define MAX_STREAM (64u << 20)

struct rawseg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq;
	uint8_t flags;
	uint32_t frame;
	uint32_t len;
	const uint8_t *payload;
};

static uint32_t
rd16be(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
rd32(const uint8_t *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;

	return swap ? __builtin_bswap32(v) : v;
}

static int
dir_grow(struct iwt_dir *d, size_t need)
{
	size_t ncap = d->cap ? d->cap : 4096;
	uint8_t *nd;
	uint32_t *nf;

	if (need <= d->cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nd = realloc(d->data, ncap);
	if (nd == NULL)
		return -ENOMEM;
	d->data = nd;
	nf = realloc(d->frame, ncap * sizeof(*nf));
	if (nf == NULL)
		return -ENOMEM;
	memset(nf + d->cap, 0, (ncap - d->cap) * sizeof(*nf));
	d->frame = nf;
	d->cap = ncap;
	return 0;
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct iwt_seg *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Fold the raw segments of one direction into its stream. */
static int
dir_build(struct iwt_dir *d, const struct rawseg *rs, size_t n, bool have_isn, uint32_t base)
{
	struct iwt_seg *tmp;
	size_t i, k = 0, end, fed = 0;
	uint32_t off;
	bool first = true;

	if (!have_isn) {
		/* no SYN: the earliest data byte is offset 0 */
		for (i = 0; i < n; i++) {
			if (rs[i].len == 0)
				continue;
			if (first || (int32_t)(rs[i].seq - base) < 0)
				base = rs[i].seq;
			first = false;
		}
	}
	tmp = calloc(n + 1, sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (rs[i].len == 0)
			continue;
		off = rs[i].seq - base;
		if (off > MAX_STREAM)
			continue;
		if (dir_grow(d, (size_t)off + rs[i].len) < 0) {
			free(tmp);
			return -ENOMEM;
		}
		for (end = 0; end < rs[i].len; end++) {
			if (d->frame[off + end] == 0) {
				d->data[off + end] = rs[i].payload[end];
				d->frame[off + end] = rs[i].frame;
			}
		}
		tmp[k].off = off;
		tmp[k].len = rs[i].len;
		tmp[k].frame = rs[i].frame;
		k++;
	}
	qsort(tmp, k, sizeof(*tmp), seg_cmp);
	d->segs = calloc(k + 1, sizeof(*d->segs));
	if (d->segs == NULL) {
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < k; i++) {
		end = tmp[i].off + tmp[i].len;
		if (tmp[i].off > fed || end <= fed)
			continue;	/* gap (stop there) or all seen already */
		d->segs[d->nseg].off = fed;
		d->segs[d->nseg].len = (uint32_t)(end - fed);
		d->segs[d->nseg].frame = tmp[i].frame;
		d->nseg++;
		fed = end;
	}
	d->len = fed;
	free(tmp);
	return 0;
}

static bool
same_dir(const struct rawseg *r, const struct iwt_dir *d)
{
	return r->saddr == d->saddr && r->daddr == d->daddr && r->sport == d->sport &&
		r->dport == d->dport;
}

/* Walks the frames of a classic pcap or a pcapng file (Ethernet only). */
struct pcap_cursor {
	const uint8_t *buf;
	size_t size, pos;
	bool swap;
	bool ng;
};

static int
cursor_open(struct pcap_cursor *c, const uint8_t *buf, size_t size)
{
	uint32_t magic;

	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->size = size;
	if (size < 24)
		return -EINVAL;
	magic = rd32(buf, false);
	if (magic == 0x0a0d0d0a) {
		c->ng = true;
		c->swap = rd32(buf + 8, false) != 0x1a2b3c4d;
		return 0;
	}
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		c->swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		c->swap = true;
	else
		return -EINVAL;
	if (rd32(buf + 20, c->swap) != 1)
		return -ENOTSUP;
	c->pos = 24;
	return 0;
}

/* @return 1 with the next frame in p/incl, 0 at the end, negative on a format error. */
static int
cursor_next(struct pcap_cursor *c, const uint8_t **p, uint32_t *incl)
{
	uint32_t type, blen;

	if (!c->ng) {
		if (c->pos + 16 > c->size)
			return 0;
		*incl = rd32(c->buf + c->pos + 8, c->swap);
		if (c->pos + 16 + *incl > c->size)
			return 0;
		*p = c->buf + c->pos + 16;
		c->pos += 16 + *incl;
		return 1;
	}
	while (c->pos + 12 <= c->size) {
		type = rd32(c->buf + c->pos, c->swap);
		blen = rd32(c->buf + c->pos + 4, c->swap);
		if (blen < 12 || (blen & 3) || c->pos + blen > c->size)
			return -EINVAL;
		if (type == 0x0a0d0d0a) {
			c->swap = rd32(c->buf + c->pos + 8, false) != 0x1a2b3c4d;
			blen = rd32(c->buf + c->pos + 4, c->swap);
		} else if (type == 1) {
			if ((c->buf[c->pos + 8] | c->buf[c->pos + 9] << 8) != 1 &&
					(c->buf[c->pos + 9] | c->buf[c->pos + 8] << 8) != 1)
				return -ENOTSUP;
		} else if (type == 6 && blen >= 32) {
			*incl = rd32(c->buf + c->pos + 20, c->swap);
			if (28 + *incl > blen)
				return -EINVAL;
			*p = c->buf + c->pos + 28;
			c->pos += blen;
			return 1;
		}
		c->pos += blen;
	}
	return 0;
}

static int
parse_packets(const uint8_t *buf, size_t size, struct rawseg **out, size_t *nout,
		uint32_t *nframes)
{
	size_t n = 0, cap = 256;
	uint32_t frame = 0, incl;
	struct pcap_cursor cur;
	struct rawseg *rs;
	const uint8_t *p;
	int rc;

	rc = cursor_open(&cur, buf, size);
	if (rc < 0)
		return rc;
	rs = calloc(cap, sizeof(*rs));
	if (rs == NULL)
		return -ENOMEM;
	while ((rc = cursor_next(&cur, &p, &incl)) > 0) {
		const uint8_t *ip, *tcp;
		uint32_t l2 = 14, etype, ihl, iplen, thl;

		frame++;
		if (incl < 14 + 20 + 20)
			continue;
		etype = rd16be(p + 12);
		if (etype == 0x8100) {
			etype = rd16be(p + 16);
			l2 = 18;
		}
		if (etype != 0x0800)
			continue;
		ip = p + l2;
		ihl = (ip[0] & 0xf) * 4u;
		iplen = rd16be(ip + 2);
		if (ip[9] != 6 || ihl < 20 || iplen < ihl + 20 || l2 + iplen > incl)
			continue;
		tcp = ip + ihl;
		thl = (tcp[12] >> 4) * 4u;
		if (thl < 20 || ihl + thl > iplen)
			continue;
		if (n == cap) {
			struct rawseg *nr = realloc(rs, 2 * cap * sizeof(*rs));

			if (nr == NULL) {
				free(rs);
				return -ENOMEM;
			}
			rs = nr;
			cap *= 2;
		}
		rs[n].saddr = rd32be(ip + 12);
		rs[n].daddr = rd32be(ip + 16);
		rs[n].sport = (uint16_t)rd16be(tcp);
		rs[n].dport = (uint16_t)rd16be(tcp + 2);
		rs[n].seq = rd32be(tcp + 4);
		rs[n].flags = tcp[13];
		rs[n].frame = frame;
		rs[n].payload = tcp + thl;
		rs[n].len = iplen - ihl - thl;
		n++;
	}
	if (rc < 0) {
		free(rs);
		return rc;
	}
	*out = rs;
	*nout = n;
	*nframes = frame;
	return 0;
}

int
iwt_pcap_load(const char *path, struct iwt_capture *cap)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;
	struct rawseg *rs = NULL, *sub = NULL;
	size_t n = 0, i, j, k, ns;
	int rc = 0;

	memset(cap, 0, sizeof(*cap));
	if (f == NULL)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -EIO;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return -EIO;
	}
	fclose(f);
	rc = parse_packets(buf, (size_t)size, &rs, &n, &cap->nframes);
	if (rc < 0)
		goto out;
	cap->conns = calloc(n + 1, sizeof(*cap->conns));
	sub = calloc(n + 1, sizeof(*sub));
	if (cap->conns == NULL || sub == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* connections: keyed by the first packet of a 4-tuple; SYN sender is dir 0 */
	for (i = 0; i < n; i++) {
		struct iwt_conn *c = NULL;

		for (k = 0; k < cap->nconn; k++) {
			c = &cap->conns[k];
			if (same_dir(&rs[i], &c->dir[0]) || same_dir(&rs[i], &c->dir[1]))
				break;
		}
		if (k < cap->nconn)
			continue;
		c = &cap->conns[cap->nconn++];
		{
			bool syn_ack = (rs[i].flags & 0x12) == 0x12;
			struct iwt_dir *a = &c->dir[syn_ack ? 1 : 0], *b = &c->dir[syn_ack ? 0 : 1];

			a->saddr = rs[i].saddr;
			a->daddr = rs[i].daddr;
			a->sport = rs[i].sport;
			a->dport = rs[i].dport;
			b->saddr = rs[i].daddr;
			b->daddr = rs[i].saddr;
			b->sport = rs[i].dport;
			b->dport = rs[i].sport;
		}
	}
	for (k = 0; k < cap->nconn; k++) {
		for (j = 0; j < 2; j++) {
			struct iwt_dir *d = &cap->conns[k].dir[j];
			bool have_isn = false;
			uint32_t base = 0;

			ns = 0;
			for (i = 0; i < n; i++) {
				if (!same_dir(&rs[i], d))
					continue;
				if (rs[i].flags & 0x02) {	/* SYN */
					have_isn = true;
					base = rs[i].seq + 1;
					cap->conns[k].syn_seen = true;
				}
				sub[ns++] = rs[i];
			}
			rc = dir_build(d, sub, ns, have_isn, base);
			if (rc < 0)
				goto out;
		}
	}
out:
	free(sub);
	free(rs);
	free(buf);
	if (rc < 0)
		iwt_capture_free(cap);
	return rc;
}

void
iwt_capture_free(struct iwt_capture *cap)
{
	size_t k, j;

	for (k = 0; k < cap->nconn; k++)
		for (j = 0; j < 2; j++) {
			free(cap->conns[k].dir[j].data);
			free(cap->conns[k].dir[j].frame);
			free(cap->conns[k].dir[j].segs);
		}
	free(cap->conns);
	memset(cap, 0, sizeof(*cap));
}

/* ---- tshark decode ---- */

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		*--e = '\0';
	return s;
}

enum section { S_NONE, S_TYPES, S_MPA, S_CRC, S_DETAIL };

static void
add_kv(struct iwt_tframe *fr, const char *line)
{
	const char *eq, *colon;
	struct iwt_kv *nkv;
	size_t kl;

	/* "0... .... = Tagged flag: False" -> key after "= " */
	eq = strstr(line, " = ");
	if (eq != NULL && strchr(line, ':') > eq)
		line = eq + 3;
	colon = strstr(line, ": ");
	if (colon == NULL)
		return;
	nkv = realloc(fr->kv, (fr->nkv + 1) * sizeof(*nkv));
	if (nkv == NULL)
		return;
	fr->kv = nkv;
	kl = RTE_MIN((size_t)(colon - line), sizeof(nkv->key) - 1);
	memcpy(fr->kv[fr->nkv].key, line, kl);
	fr->kv[fr->nkv].key[kl] = '\0';
	snprintf(fr->kv[fr->nkv].val, sizeof(nkv->val), "%s", colon + 2);
	fr->nkv++;
}

int
iwt_tshark_load(const char *path, struct iwt_tshark *t)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	enum section sec = S_NONE;
	struct iwt_tframe *cur = NULL;
	bool skip_block = false;

	memset(t, 0, sizeof(*t));
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line);

		if (strncmp(line, "### ", 4) == 0) {
			sec = strstr(line, "frame types") ? S_TYPES :
				strstr(line, "request/reply fields") ? S_MPA :
				strstr(line, "CRC check results") ? S_CRC :
				strstr(line, "### detail") ? S_DETAIL : S_NONE;
			continue;
		}
		switch (sec) {
		case S_TYPES: {
			unsigned int cnt;
			int used;

			if (t->ntypes < RTE_DIM(t->types) && sscanf(s, "%u %n", &cnt, &used) == 1) {
				snprintf(t->types[t->ntypes].label, sizeof(t->types[0].label), "%s",
					s + used);
				t->types[t->ntypes++].count = cnt;
			}
			break;
		}
		case S_MPA: {
			struct iwt_mpa_row *r = &t->mpa[t->nmpa];
			unsigned int fr, sp, dp;

			if (t->nmpa >= RTE_DIM(t->mpa))
				break;
			r->pd_hex[0] = '\0';
			if (sscanf(s, "%u %u %u %d %d %d %x %d %d %1099s", &fr, &sp, &dp,
					&r->marker, &r->crc, &r->rej, &r->res, &r->rev,
					&r->pd_len, r->pd_hex) >= 9) {
				r->frame = fr;
				r->sport = (uint16_t)sp;
				r->dport = (uint16_t)dp;
				t->nmpa++;
			}
			break;
		}
		case S_CRC: {
			unsigned int cnt;

			if (sscanf(s, "%u", &cnt) != 1)
				break;
			if (strstr(s, "Good CRC32"))
				t->crc_good += cnt;
			else if (strstr(s, "Bad CRC32"))
				t->crc_bad += cnt;
			else if (strstr(s, "CRC: "))
				t->crc_unchecked += cnt;
			break;
		}
		case S_DETAIL: {
			unsigned int fr;

			if (strncmp(s, "Frame ", 6) == 0 && sscanf(s, "Frame %u:", &fr) == 1) {
				struct iwt_tframe *nf = realloc(t->frames,
						(t->nframes + 1) * sizeof(*nf));

				if (nf == NULL)
					break;
				t->frames = nf;
				cur = &t->frames[t->nframes++];
				memset(cur, 0, sizeof(*cur));
				cur->frame = fr;
				skip_block = false;
				break;
			}
			if (cur == NULL)
				break;
			if (strstr(s, "Request frame header") || strstr(s, "Reply frame header"))
				skip_block = true;
			if (!skip_block)
				add_kv(cur, s);
			break;
		}
		default:
			break;
		}
	}
	fclose(f);
	/* drop the MPA frames' blocks */
	{
		size_t i, k = 0;

		for (i = 0; i < t->nframes; i++) {
			if (iwt_tframe_get(&t->frames[i], "ULPDU length") != NULL)
				t->frames[k++] = t->frames[i];
			else
				free(t->frames[i].kv);
		}
		t->nframes = k;
	}
	return 0;
}

void
iwt_tshark_free(struct iwt_tshark *t)
{
	size_t i;

	for (i = 0; i < t->nframes; i++)
		free(t->frames[i].kv);
	free(t->frames);
	memset(t, 0, sizeof(*t));
}

const char *
iwt_tframe_get(const struct iwt_tframe *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nkv; i++)
		if (strcmp(f->kv[i].key, key) == 0)
			return f->kv[i].val;
	return NULL;
}

unsigned int
iwt_tshark_type_count(const struct iwt_tshark *t, const char *label)
{
	size_t i;

	for (i = 0; i < t->ntypes; i++)
		if (strcmp(t->types[i].label, label) == 0)
			return t->types[i].count;
	return 0;
}

const struct iwt_tframe *
iwt_tshark_frame(const struct iwt_tshark *t, uint32_t n)
{
	size_t i;

	for (i = 0; i < t->nframes; i++)
		if (t->frames[i].frame == n)
			return &t->frames[i];
	return NULL;
}

const char *
iwt_vector_path(const char *name)
{
	static char path[4096];
	const char *d = iwt_shared_dir();

	if (d == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/iwarp-vectors/%s", d, name);
	return path;
}

/* ---- pcap writing ---- */

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int
write_frame(struct iwt_pcap_writer *w, int side, uint8_t flags, const void *payload,
		uint32_t len)
{
	static const uint8_t mac[2][6] = {
		{ 0x52, 0x54, 0x00, 0x77, 0x00, 0x11 }, { 0x52, 0x54, 0x00, 0x77, 0x00, 0x10 },
	};
	static const uint32_t ip[2] = { 0xc0a84d0b, 0xc0a84d0a };	/* .11 -> .10 */
	static const uint16_t port[2] = { 40000, 7174 };
	uint8_t hdr[16 + 14 + 20 + 20];
	uint32_t caplen = 14 + 20 + 20 + len, sum = 0, i;
	uint8_t *e = hdr + 16, *iph = e + 14, *tcp = iph + 20;

	memset(hdr, 0, sizeof(hdr));
	/* record header: ts, incl_len, orig_len (host order, magic written so) */
	memcpy(hdr, &w->frames, 4);
	memcpy(hdr + 8, &caplen, 4);
	memcpy(hdr + 12, &caplen, 4);
	memcpy(e, mac[!side], 6);
	memcpy(e + 6, mac[side], 6);
	put16(e + 12, 0x0800);
	iph[0] = 0x45;
	put16(iph + 2, 20 + 20 + len);
	put16(iph + 4, w->frames);
	iph[6] = 0x40;
	iph[8] = 64;
	iph[9] = 6;
	put32(iph + 12, ip[side]);
	put32(iph + 16, ip[!side]);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)iph[i] << 8 | iph[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(iph + 10, ~sum & 0xffff);
	put16(tcp, port[side]);
	put16(tcp + 2, port[!side]);
	put32(tcp + 4, w->seq[side]);
	put32(tcp + 8, (flags & 0x10) ? w->seq[!side] : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 65000);
	if (fwrite(hdr, sizeof(hdr), 1, w->f) != 1 ||
			(len > 0 && fwrite(payload, len, 1, w->f) != 1))
		return -EIO;
	w->seq[side] += len + ((flags & 0x02) ? 1 : 0);
	w->frames++;
	return 0;
}

int
iwt_pcap_open(struct iwt_pcap_writer *w, const char *path)
{
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "wb");
	if (w->f == NULL)
		return -errno;
	w->seq[0] = 1000;
	w->seq[1] = 5000;
	if (fwrite(gh, sizeof(gh), 1, w->f) != 1 || write_frame(w, 0, 0x02, NULL, 0) < 0 ||
			write_frame(w, 1, 0x12, NULL, 0) < 0 ||
			write_frame(w, 0, 0x10, NULL, 0) < 0) {
		fclose(w->f);
		return -EIO;
	}
	return 0;
}

int
iwt_pcap_segment(struct iwt_pcap_writer *w, int side, const void *payload, uint32_t len)
{
	return write_frame(w, side, 0x18, payload, len);
}

int
iwt_pcap_close(struct iwt_pcap_writer *w)
{
	return fclose(w->f) == 0 ? 0 : -EIO;
}
