/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "tcp_sack.h"
#include "tcp_seq.h"

void
tcp_sack_reset(struct tcp_sackboard *sb, uint32_t una)
{
	sb->nblk = 0;
	sb->sacked = 0;
	sb->high_rxt = una;
	sb->lost_below = una;
}

void
tcp_sack_mark_lost(struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max)
{
	sb->high_rxt = una;
	sb->lost_below = snd_max;
}

/* Drop everything at or below una; trim a block that straddles it. */
static void
sack_prune(struct tcp_sackboard *sb, uint32_t una)
{
	unsigned int i = 0, j;

	while (i < sb->nblk && SEQ_LEQ(sb->blk[i].end, una)) {
		sb->sacked -= sb->blk[i].end - sb->blk[i].start;
		i++;
	}
	if (i > 0) {
		for (j = i; j < sb->nblk; j++)
			sb->blk[j - i] = sb->blk[j];
		sb->nblk -= i;
	}
	if (sb->nblk > 0 && SEQ_LT(sb->blk[0].start, una)) {
		sb->sacked -= una - sb->blk[0].start;
		sb->blk[0].start = una;
	}
	if (SEQ_LT(sb->high_rxt, una))
		sb->high_rxt = una;
	if (SEQ_LT(sb->lost_below, una))
		sb->lost_below = una;
}

/* Insert [s, e) merging with what it touches. @return bytes newly covered. */
static uint32_t
sack_insert(struct tcp_sackboard *sb, uint32_t s, uint32_t e)
{
	unsigned int i, j, first, last;
	uint32_t before = sb->sacked, covered = 0;

	/* first block whose end reaches s */
	for (first = 0; first < sb->nblk && SEQ_LT(sb->blk[first].end, s); first++)
		;
	/* blocks [first, last) touch [s, e) */
	for (last = first; last < sb->nblk && SEQ_LEQ(sb->blk[last].start, e); last++) {
		s = seq_min(s, sb->blk[last].start);
		e = seq_max(e, sb->blk[last].end);
		covered += sb->blk[last].end - sb->blk[last].start;
	}
	if (first == last) {
		/* no overlap: insert at first */
		if (sb->nblk == TCP_SACK_MAX_BLOCKS) {
			if (first == sb->nblk)
				return 0; /* the highest: forget it */
			sb->sacked -= sb->blk[sb->nblk - 1].end - sb->blk[sb->nblk - 1].start;
			sb->nblk--;
		}
		for (j = sb->nblk; j > first; j--)
			sb->blk[j] = sb->blk[j - 1];
		sb->nblk++;
	} else if (last - first > 1) {
		for (i = last, j = first + 1; i < sb->nblk; i++, j++)
			sb->blk[j] = sb->blk[i];
		sb->nblk -= last - first - 1;
	}
	sb->blk[first].start = s;
	sb->blk[first].end = e;
	sb->sacked = sb->sacked - covered + (e - s);
	return sb->sacked > before ? sb->sacked - before : 0;
}

uint32_t
tcp_sack_update(struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max,
		const struct tcp_sack_blk *blk, unsigned int n)
{
	uint32_t added = 0;
	unsigned int i;

	sack_prune(sb, una);
	for (i = 0; i < n; i++) {
		uint32_t s = blk[i].start, e = blk[i].end;

		if (!SEQ_LT(s, e) || SEQ_GT(e, snd_max) || SEQ_LEQ(e, una))
			continue;
		if (SEQ_LT(s, una))
			s = una;
		added += sack_insert(sb, s, e);
	}
	return added;
}

/* Bytes SACKed in blocks [i, nblk). */
static uint32_t
sacked_from(const struct tcp_sackboard *sb, unsigned int i)
{
	uint32_t sum = 0;

	for (; i < sb->nblk; i++)
		sum += sb->blk[i].end - sb->blk[i].start;
	return sum;
}

static bool
hole_lost(const struct tcp_sackboard *sb, unsigned int i, uint32_t above, uint32_t mss)
{
	return i < sb->nblk &&
	       (above > (TCP_DUPTHRESH - 1) * mss || sb->nblk - i >= TCP_DUPTHRESH);
}

bool
tcp_sack_is_lost(const struct tcp_sackboard *sb, uint32_t seq, uint32_t mss)
{
	unsigned int i;

	for (i = 0; i < sb->nblk && SEQ_LEQ(sb->blk[i].start, seq); i++)
		;
	if (i > 0 && SEQ_LT(seq, sb->blk[i - 1].end))
		return false; /* SACKed itself */
	return SEQ_LT(seq, sb->lost_below) || hole_lost(sb, i, sacked_from(sb, i), mss);
}

bool
tcp_sack_is_sacked(const struct tcp_sackboard *sb, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < sb->nblk; i++)
		if (seq_in(seq, sb->blk[i].start, sb->blk[i].end))
			return true;
	return false;
}

uint32_t
tcp_sack_pipe(const struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max, uint32_t mss)
{
	uint32_t pipe = 0, above = sb->sacked, a = una, b;
	unsigned int i;

	for (i = 0; i <= sb->nblk; i++) {
		b = i < sb->nblk ? sb->blk[i].start : snd_max;
		if (SEQ_LT(a, b)) {
			if (!hole_lost(sb, i, above, mss))
				pipe += SEQ_LT(a, sb->lost_below) ?
					b - seq_min(b, sb->lost_below) : b - a;
			if (SEQ_GT(sb->high_rxt, a))
				pipe += seq_min(sb->high_rxt, b) - a;
		}
		if (i < sb->nblk) {
			above -= sb->blk[i].end - sb->blk[i].start;
			a = sb->blk[i].end;
		}
	}
	return pipe;
}

bool
tcp_sack_next_seg(const struct tcp_sackboard *sb, uint32_t una, uint32_t snd_max,
		  uint32_t mss, bool rule3, uint32_t *seq, uint32_t *len)
{
	uint32_t above, a, b, s, lost_end;
	unsigned int i, pass;

	for (pass = 0; pass < (rule3 ? 2u : 1u); pass++) {
		above = sb->sacked;
		a = una;
		/* the holes below each SACKed range, then the one up to snd_max */
		for (i = 0; i <= sb->nblk; i++) {
			b = i < sb->nblk ? sb->blk[i].start : snd_max;
			s = seq_max(a, sb->high_rxt);
			if (pass == 1) /* rule 3: anything below the highest SACK */
				lost_end = i < sb->nblk ? b : s;
			else if (hole_lost(sb, i, above, mss))
				lost_end = b;
			else
				lost_end = seq_min(b, seq_max(sb->lost_below, a));
			if (SEQ_LT(s, lost_end)) {
				*seq = s;
				*len = lost_end - s < mss ? lost_end - s : mss;
				return true;
			}
			if (i < sb->nblk) {
				above -= sb->blk[i].end - sb->blk[i].start;
				a = sb->blk[i].end;
			}
		}
	}
	return false;
}
