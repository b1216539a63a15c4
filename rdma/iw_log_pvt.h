/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_LOG_PVT_H
#define IW_LOG_PVT_H

#include <rte_log.h>

/** Log type of the protocol engine: "lib.iwarp.proto". */
extern int iw_proto_logtype;

/** Datapath debug message (compiled out above RTE_LOG_DP_LEVEL). */
#define IW_PROTO_LOG_DP(level, fmt, ...) \
	RTE_LOG_DP(level, IW_PROTO, "iwarp: " fmt "\n", ##__VA_ARGS__)

#define RTE_LOGTYPE_IW_PROTO iw_proto_logtype

#endif /* IW_LOG_PVT_H */
