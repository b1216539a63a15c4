/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RPING_H
#define RPING_H

/**
 * @file
 * iwarp-rping: librdmacm's rping (examples/rping.c) on librte_iwarp. Same
 * command line, same wire protocol: a 16-byte {be64 addr, be32 rkey, be32
 * size} message; the client SENDs its source buffer, the server READs it and
 * SENDs a go-ahead, the client SENDs its sink buffer, the server WRITEs the
 * data back and SENDs a go-ahead; repeat.
 *
 * Modules: rping_params.c (command line and INI file), rping_conn.c (one
 * connection's buffers and ping state machine, both roles), rping_main.c
 * (EAL, port, device, CM events, the poll loop).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "rte_iwarp.h"

#define RPING_PROG "iwarp-rping"
#define RPING_DEFAULT_PORT 7174
#define RPING_DEFAULT_SIZE 64
/* rping's limits: sizeof(stringify(INT_MAX)) + sizeof(RPING_MSG_FMT) .. 64 KiB - 1 */
#define RPING_MIN_SIZE 26
#define RPING_MAX_SIZE 65535
#define RPING_MSG_FMT "rdma-ping-%d: "

#define RPING_EXIT_OK 0
#define RPING_EXIT_FAIL 1
#define RPING_EXIT_USAGE 2

/** rping's advertisement message, exactly as on the wire. */
struct rping_rdma_info {
	rte_be64_t buf;
	rte_be32_t rkey;
	rte_be32_t size;
} __rte_packed;

/** A peer's buffer, as its advertisement names it (host order). */
struct rping_remote {
	uint64_t addr;
	uint32_t rkey;
	uint32_t len;
};

/*
 * rping_msg.c: the advertisement and the server's checks of it (no EAL).
 */

/** Decode a received advertisement. @return 0, or -EMSGSIZE unless byte_len is 16. */
int rping_info_decode(const void *msg, uint32_t byte_len, struct rping_remote *r);

/** Encode an advertisement of a buffer of ours. */
void rping_info_encode(struct rping_rdma_info *m, uint64_t addr, uint32_t rkey, uint32_t size);

/**
 * Can the server READ the client's source (our -S is size)?
 * @return 0, or -EMSGSIZE when it is empty or larger than ours.
 */
int rping_src_check(const struct rping_remote *r, uint32_t size);

/**
 * The bytes the server WRITEs into the client's sink: the ping in ping
 * (size bytes, size >= 1) up to its NUL, and the NUL.
 * @return 0, or -EMSGSIZE when the sink is smaller than that (*len is set).
 */
int rping_sink_len(const char *ping, uint32_t size, const struct rping_remote *r, uint32_t *len);

/** Everything the command line and the INI file set. */
struct rping_params {
	bool server;            /**< -s (else -c) */
	bool persistent;        /**< -P */
	int verbose;            /**< -v */
	bool validate;          /**< -V */
	int debug;              /**< -d */
	uint32_t count;         /**< -C (0: for ever) */
	uint32_t size;          /**< -S */
	rte_be32_t addr;        /**< -a: the server (client), the bind address (server) */
	bool addr_set;
	uint16_t port;          /**< -p */
	/* the DPDK side */
	char dev[256];          /**< --dev: EAL device (default: the first port) */
	rte_be32_t ip;          /**< --ip: our address */
	rte_be32_t netmask;
	rte_be32_t gateway;
	uint16_t mtu;           /**< --mtu (0: the port's) */
	/* MPA */
	uint8_t mpa_rev;        /**< --mpa-rev 1|2 */
	bool no_crc;            /**< --no-crc */
	bool p2p;               /**< --p2p: peer-to-peer mode (RFC 6581) */
	uint8_t rtr;            /**< --rtr write|read|send (0: all) */
	uint16_t ird, ord;      /**< --ird/--ord (default 1 each, as rping) */
	uint32_t first_delay_ms; /**< --first-delay-ms: the CM holds the client's first FPDU
				  *   (RTR included) this long after the MPA reply */
	uint32_t timeout_s;     /**< --timeout: link, connect and each ping step */
	bool bad_rkey;          /**< --bad-rkey (test aid): client advertises, server uses,
				 *   a wrong STag, so that the peer must TERMINATE */
	char config[256];       /**< --config FILE */
};

/** Print "iwarp-rping: error: ..." on stderr (one line). */
void rping_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Parse the application's arguments (after "--", or all of them without it).
 * @return 0, or -1 after one error line.
 */
int rping_params_parse(int argc, char **argv, struct rping_params *p);

/** Connection roles and states. */
enum rping_state {
	RPING_ST_CONNECTING = 0,  /**< client: connect sent; server: accepted */
	RPING_ST_WAIT_SRC,        /**< server: waiting for the source advert */
	RPING_ST_READING,         /**< server: READ of the source posted */
	RPING_ST_WAIT_SINK,       /**< server: go-ahead sent, waiting for the sink */
	RPING_ST_WRITING,         /**< server: WRITE to the sink posted */
	RPING_ST_WAIT_GO1,        /**< client: source sent, waiting for go-ahead */
	RPING_ST_WAIT_GO2,        /**< client: sink sent, waiting for go-ahead */
	RPING_ST_DONE,            /**< client: count reached, disconnecting */
	RPING_ST_CLOSED,          /**< gone (cleanly or not) */
};

/** One rping connection (either role). */
struct rping_conn {
	const struct rping_params *p;
	struct rte_iwarp_cm_id *id;
	struct rte_iwarp_cq *cq;
	struct rte_iwarp_qp *qp;
	struct rte_iwarp_mr *recv_mr, *send_mr, *rdma_mr, *start_mr;
	struct rping_rdma_info recv_buf;
	struct rping_rdma_info send_buf;
	char *rdma_buf;         /**< server: READ sink and WRITE source; client: sink */
	char *start_buf;        /**< client: the source */
	uint32_t remote_rkey, remote_len;
	uint64_t remote_addr;
	enum rping_state state;
	uint32_t ping;          /**< pings completed */
	int start;              /**< client: first letter of the next ping's pattern */
	uint64_t step_deadline; /**< TSC; 0: none */
	bool failed;
	bool closing;          /**< disconnect requested after a failure */
	char err[256];          /**< first error of the connection */
};

/** Create a connection's CQ, QP and buffers. @return 0 or a negative errno. */
int rping_conn_init(struct rping_conn *c, const struct rping_params *p, struct rte_iwarp_pd *pd,
		    struct rte_iwarp_dev *dev);
/** The connection is established: start its ping loop. */
void rping_conn_established(struct rping_conn *c);
/** Poll its CQ and move its state machine. @return the number of completions. */
int rping_conn_poll(struct rping_conn *c);
/** Mark it failed with the first cause (later causes are ignored). */
void rping_conn_fail(struct rping_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Free its QP, CQ, MRs and buffers (the CM id is destroyed by the caller). */
void rping_conn_free(struct rping_conn *c);

#endif
