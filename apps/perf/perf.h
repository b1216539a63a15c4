/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PERF_H
#define PERF_H

/**
 * @file
 * iwarp-perf: perftest's tests and interface in one binary. This header holds
 * what the modules share: the parameters (perf_params.c), the results and their
 * report (perf_report.c), the CPU accounting (perf_cpu.c) and the transport
 * interface every variant implements (perf_rdma.c, perf_raw.c, perf_ktcp.c).
 *
 * Errors end with exactly one line "iwarp-perf: error: <cause>" on stderr
 * (perf_error()) and a non-zero exit status; every wait is bounded.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PERF_PROG "iwarp-perf"

/** Exit statuses. */
#define PERF_EXIT_USAGE 2   /**< bad flags */
#define PERF_EXIT_FAIL  1   /**< run-time failure (peer, device, timeout) */

/** The verb a test measures (perftest's VerbType). */
enum perf_verb {
	PERF_VERB_WRITE,
	PERF_VERB_READ,
	PERF_VERB_SEND,
};

/** Bandwidth or latency (perftest's TestType). */
enum perf_kind {
	PERF_KIND_BW,
	PERF_KIND_LAT,
};

/** Which transport carries the pattern. */
enum perf_transport_id {
	PERF_TRANSPORT_NONE,
	PERF_TRANSPORT_RAW,   /**< bare L2 frames over a DPDK port */
	PERF_TRANSPORT_KTCP,  /**< kernel TCP sockets */
	PERF_TRANSPORT_RDMA,  /**< librte_iwarp on a DPDK port */
};

/** Units of --rate_limit (perftest's --rate_units). */
enum perf_rate_units {
	PERF_RATE_GBPS,  /**< g: 10^9 bit/s (perftest's default) */
	PERF_RATE_MBPS,  /**< M: MB/s, MB = 2^20 bytes (perftest's MB/sec) */
	PERF_RATE_PPS,   /**< p: messages per second */
};

/** Sizes -a sweeps by default (perftest: 2 B .. 8 MiB). */
#define PERF_ALL_MIN_SIZE 2u
#define PERF_ALL_MAX_SIZE (8u << 20)
/** Largest message size accepted. */
#define PERF_MAX_SIZE (1u << 30)

/** Parsed command line (perftest flags plus ours). */
struct perf_params {
	enum perf_verb verb;
	enum perf_kind kind;
	enum perf_transport_id transport;
	const char *test_name;    /**< "write_bw", ... */
	const char *server;       /**< NULL: this is the server */
	uint32_t size;            /**< -s: message size in bytes */
	uint64_t iters;           /**< -n: iterations per size */
	bool all;                 /**< -a: sweep sizes */
	uint32_t size_min;        /**< --size_min: first size of -a */
	uint32_t size_max;        /**< --size_max: last size of -a */
	unsigned int duration;    /**< -D: seconds per size (0: use -n) */
	unsigned int qps;         /**< -q: connections (BW; kernel-tcp, rdma) */
	unsigned int tx_depth;    /**< -t: messages in flight (BW) */
	unsigned int rx_depth;    /**< -r: receive burst (raw) */
	unsigned int inline_size; /**< -I: rdma WRITE/SEND data inline up to this size */
	bool bidir;               /**< -b: both directions at once */
	bool no_peak;             /**< -N: skip the peak computation */
	unsigned int post_list;   /**< -l: messages per post (TX burst) */
	unsigned int out_reads;   /**< -o: READ requests in flight */
	uint16_t port;            /**< -p: TCP port (kernel-tcp), default 18515 */
	bool report_gbits;        /**< --report_gbits */
	bool out_json;            /**< --out_json */
	const char *json_file;    /**< --out_json_file */
	bool cpu_util;            /**< --cpu_util: CPU columns */
	unsigned int timeout_s;   /**< --timeout: bound on every wait for the peer */
	const char *dev;          /**< --dev: DPDK device (raw, rdma) */
	const char *ip;           /**< --ip: this side's IPv4 address (rdma) */
	bool rdma_cm;             /**< -R: speak perftest's own rdma_cm protocol (rdma) */
	double rate_limit;        /**< --rate_limit: the sender's pace in rate_units; 0: none */
	enum perf_rate_units rate_units; /**< --rate_units */
};

/** Parse the application arguments (after "--", or all of argv). */
int perf_params_parse(int argc, char **argv, const char *argv0, struct perf_params *p);

/** Print the usage text. */
void perf_usage(FILE *out);

/** CPU accounting of the polling thread (perf_cpu.c). */
struct perf_cpu {
	uint64_t busy;   /**< cycles of poll iterations that did work (or CPU time) */
	uint64_t total;  /**< all cycles of the measured phase */
};

/** Cycles per second of the TSC (calibrated once, works without EAL). */
uint64_t perf_tsc_hz(void);
/** Take the TSC rate from EAL (call after rte_eal_init()). */
void perf_tsc_from_eal(void);
/** Start/stop the thread CPU time accounting of a blocking (kernel) transport. */
uint64_t perf_thread_cpu_ns(void);
/** Busy share in percent. */
double perf_cpu_busy_pct(const struct perf_cpu *c);

/**
 * --rate_limit (perf_pace.c): perftest's software rate limiter as a token
 * bucket on the TSC. A message may be posted once it is earned: one every
 * `gap` cycles from the start, the first at once; what the sender does not
 * spend accumulates up to `burst` messages (-t). By any time t after the
 * start at most 1 + t / gap messages have been posted.
 */
struct perf_pace {
	double gap;     /**< TSC cycles per message; 0: not paced */
	double next;    /**< when the next message is earned, in cycles after base */
	double burst;   /**< messages that may be earned ahead at most */
	uint64_t base;  /**< TSC at the start */
};

/**
 * Start pacing messages of `size` bytes at p's --rate_limit (none: unpaced),
 * this sender's 1/share of it (-q lanes each with their own bucket), with a
 * burst of at most `burst` messages.
 */
void perf_pace_start(struct perf_pace *pc, const struct perf_params *p, uint32_t size,
		     unsigned int share, unsigned int burst);
/** Is the sender paced? */
static inline bool
perf_pace_on(const struct perf_pace *pc)
{
	return pc->gap > 0;
}
/** Messages earned at TSC `now`, at most max (max when not paced). */
uint64_t perf_pace_avail(struct perf_pace *pc, uint64_t now, uint64_t max);
/** Spend n earned messages (posted). */
void perf_pace_take(struct perf_pace *pc, uint64_t n);
/** TSC cycles from `now` until the next message is earned (0: one is). */
uint64_t perf_pace_wait(const struct perf_pace *pc, uint64_t now);
/** The rate as text for the banner ("2.00 Gb/sec"), into buf. */
const char *perf_pace_text(const struct perf_params *p, char *buf, size_t len);

/** One size's results, as perftest reports them plus ours. */
struct perf_result {
	uint32_t size;
	uint64_t iters;           /**< messages completed */
	/* BW */
	double bw_peak;           /**< bytes per second */
	double bw_avg;            /**< bytes per second */
	double msg_rate;          /**< messages per second */
	/* LAT: samples in TSC cycles, one per iteration (the round trip) */
	uint64_t *samples;
	uint64_t nb_samples;
	unsigned int rtt_factor;  /**< 2: report half the round trip; 1: all (READ) */
	/* CPU */
	struct perf_cpu cpu;      /**< this side */
	struct perf_cpu peer_cpu; /**< the peer's, as it reported it */
	uint64_t t_start, t_end;  /**< TSC span of the measured phase */
	uint64_t bytes;           /**< payload bytes moved this side (for cycles/byte) */
	uint64_t peer_bytes;
	uint64_t peer_ns;         /**< the peer's phase in ns (its own clock); 0: unknown */
	/* rdma: how the work went out (JSON only; 0 when the transport has none) */
	const uint64_t *qp_msgs;  /**< -q: messages completed per connection */
	unsigned int nb_qps;      /**< entries of qp_msgs */
	uint64_t posts;           /**< post calls of the pattern */
	uint64_t wrs;             /**< work requests they carried */
	uint64_t inline_wrs;      /**< of which inline (-I) */
	/* rdma: this side's engine over the pattern (JSON only) */
	bool engine;              /**< the counters below are set */
	uint64_t tx_fpdus;        /**< FPDUs sent */
	uint64_t tx_data_frames;  /**< TCP segments with data sent */
	uint64_t tx_frames;       /**< frames sent (data, ACKs, control) */
	uint64_t rx_frames;       /**< frames received */
	uint64_t tx_rexmit;       /**< TCP retransmissions */
};

/** Compute perftest's peak from per-message post and completion times. */
double perf_peak_bw(const uint64_t *posted, const uint64_t *completed, uint64_t n,
		    uint32_t size);

/* Report (perf_report.c): perftest's exact tables. */
void perf_report_banner(const struct perf_params *p, const char *transport_desc);
void perf_report_header(const struct perf_params *p);
int perf_report_line(const struct perf_params *p, const struct perf_result *r);
void perf_report_footer(const struct perf_params *p);
/** Write the collected JSON (--out_json). @return 0 or -errno. */
int perf_report_json_write(const struct perf_params *p, const char *transport_desc);
/** The header line as perftest prints it (without CPU columns and newline). */
const char *perf_report_header_text(enum perf_kind kind, bool gbits);

/** Print "iwarp-perf: error: ..." on stderr (the one error line). */
void perf_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * A transport (testpmd's struct fwd_engine). run() does the whole job of one
 * process: connect (client) or wait for a client (server), run every size,
 * report each through perf_report_line() (client), shut down in order.
 * It returns 0, or a non-zero exit status after printing the one error line.
 * EAL (if needs_eal) is initialised by main before run().
 */
struct perf_transport {
	const char *name;
	bool needs_eal;
	int (*run)(const struct perf_params *p);
};

extern const struct perf_transport perf_raw_transport;
extern const struct perf_transport perf_ktcp_transport;
extern const struct perf_transport perf_rdma_transport;
extern const struct perf_transport perf_perftest_transport;

/* The engine of the two RDMA transports (perf_engine.c). */
struct rte_iwarp_port;
struct rte_iwarp_dev;

/** An IPv4 address in network order from s, or def when s is NULL or not one. */
uint32_t perf_engine_ip(const char *s, uint32_t def);

/**
 * Open the DPDK port (--dev, else the first port EAL made), print "<waiting>
 * on PORT ..." when this is the server, wait for the link, open an inline-mode
 * device on it at --ip (default 10.77.0.1 server, 10.77.0.2 client).
 * @return 0, or -1 after the one error line; *port and *dev are set as far as
 *   they were opened (perf_engine_close() takes them either way).
 */
int perf_engine_open(const struct perf_params *p, const char *waiting,
		     struct rte_iwarp_port **port, struct rte_iwarp_dev **dev);

/**
 * Poll the device drain_ms so the last segments of the close leave, quiesce
 * the port (a net_memif peer must stop first), close the device and the port.
 * NULLs are accepted.
 */
/** The ethdev name of a port, for messages ("?" when unknown; a static buffer). */
const char *perf_port_name(const struct rte_iwarp_port *port);

void perf_engine_close(const struct perf_params *p, struct rte_iwarp_port *port,
		       struct rte_iwarp_dev *dev, unsigned int drain_ms);

/**
 * Iterations of the unreported warm-up before the first size: enough frames
 * to touch every mbuf and page once (no hugepages: first touches fault).
 */
static inline uint64_t
perf_warmup_iters(uint32_t size)
{
	uint64_t n = (4u << 20) / size;

	return n < 16 ? 16 : n > 2000 ? 2000 : n;
}

/**
 * Frames the warm-up sends at least, in its busier direction (a quarter of
 * it in the other): four times a ring of 1,024 descriptors, net_memif's
 * default. A port's ring buffers are faulted in on their first use, and
 * net_memif's shared buffers are plain 4 KiB pages: until every descriptor
 * was used once, each frame costs a page fault in both processes (64 B
 * WRITEs over net_memif ran at 0.7 M/s for the first ~1,000 frames and at
 * 9 M/s once warm). The rdma transport packs up to 16 small messages per
 * frame, so a warm-up counted in messages, as perf_warmup_iters(), leaves
 * most of the ring cold.
 */
#define PERF_WARM_FRAMES 4096u

/** The sizes to run: -s once, or -a from size_min doubling to size_max. */
static inline uint32_t
perf_first_size(const struct perf_params *p)
{
	return p->all ? p->size_min : p->size;
}

static inline uint32_t
perf_next_size(const struct perf_params *p, uint32_t size)
{
	if (!p->all || size >= p->size_max)
		return 0;
	return size * 2 > p->size_max ? p->size_max : size * 2;
}

#endif /* PERF_H */
