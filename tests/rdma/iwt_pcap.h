/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_PCAP_H
#define IWT_PCAP_H

/**
 * @file
 * Test helpers: a classic pcap reader, TCP stream reassembly per direction (by
 * sequence number: retransmissions and reordering fold into one byte stream),
 * and a reader for the tshark decodes (.txt) beside the captures in
 * iwarp-vectors/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A TCP segment with payload, as captured. */
struct iwt_seg {
	size_t off;		/**< stream offset of its first byte */
	uint32_t len;
	uint32_t frame;		/**< 1-based frame number in the capture */
};

/** One direction of a TCP connection, reassembled. */
struct iwt_dir {
	uint32_t saddr, daddr;	/**< host order */
	uint16_t sport, dport;
	uint8_t *data;		/**< stream bytes */
	uint32_t *frame;	/**< frame that first carried each byte (0: gap) */
	size_t len;		/**< contiguous bytes from offset 0 */
	size_t cap;
	struct iwt_seg *segs;	/**< in stream order, overlaps cut away */
	size_t nseg;
};

/** A TCP connection: dir[0] from the initiator (SYN sender), dir[1] back. */
struct iwt_conn {
	struct iwt_dir dir[2];
	bool syn_seen;
};

struct iwt_capture {
	struct iwt_conn *conns;
	size_t nconn;
	uint32_t nframes;
};

/**
 * Load a pcap (Ethernet, IPv4, TCP) and reassemble every connection.
 * @return 0, or a negative errno (file missing, bad format).
 */
int iwt_pcap_load(const char *path, struct iwt_capture *cap);

void iwt_capture_free(struct iwt_capture *cap);

/** One "Frame N:" block of the tshark detail, as key/value strings. */
struct iwt_kv {
	char key[64];
	char val[96];
};

struct iwt_tframe {
	uint32_t frame;
	struct iwt_kv *kv;
	size_t nkv;
};

/** One row of the MPA request/reply table. */
struct iwt_mpa_row {
	uint32_t frame;
	uint16_t sport, dport;
	int marker, crc, rej;
	unsigned int res;
	int rev;
	int pd_len;
	char pd_hex[1100];
};

/** What a tshark decode file says. */
struct iwt_tshark {
	struct { char label[64]; unsigned int count; } types[32];
	size_t ntypes;
	struct iwt_mpa_row mpa[8];
	size_t nmpa;
	unsigned int crc_good, crc_bad, crc_unchecked;
	struct iwt_tframe *frames;	/**< detail blocks of FPDUs (MPA frames skipped) */
	size_t nframes;
};

/** Parse a tshark .txt decode. @return 0 or a negative errno. */
int iwt_tshark_load(const char *path, struct iwt_tshark *t);

void iwt_tshark_free(struct iwt_tshark *t);

/** @return the value for key in a detail block, or NULL. */
const char *iwt_tframe_get(const struct iwt_tframe *f, const char *key);

/** @return the count of a frame type label ("Send [last DDP segment]"), 0 if absent. */
unsigned int iwt_tshark_type_count(const struct iwt_tshark *t, const char *label);

/** @return the detail block of frame n, or NULL. */
const struct iwt_tframe *iwt_tshark_frame(const struct iwt_tshark *t, uint32_t n);

/** Writes a TCP conversation (client 0, server 1) as a classic Ethernet pcap. */
struct iwt_pcap_writer {
	void *f;
	uint32_t seq[2];	/**< next sequence number per side */
	uint32_t frames;
};

/** Create the file and write SYN, SYN-ACK, ACK. @return 0 or a negative errno. */
int iwt_pcap_open(struct iwt_pcap_writer *w, const char *path);

/** One segment from side (0 client, 1 server) carrying payload. @return 0 or -EIO. */
int iwt_pcap_segment(struct iwt_pcap_writer *w, int side, const void *payload, uint32_t len);

/** Close the file. @return 0 or -EIO. */
int iwt_pcap_close(struct iwt_pcap_writer *w);

/** Path of a file in the vectors directory (static buffer); NULL without shared/. */
const char *iwt_vector_path(const char *name);

#endif /* IWT_PCAP_H */
