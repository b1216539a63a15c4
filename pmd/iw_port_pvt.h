/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IW_PORT_PVT_H
#define IW_PORT_PVT_H

#include <rte_log.h>

#include "iw_port.h"

extern int iw_port_logtype;
#define IW_PORT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iw_port_logtype, "iw_port: " fmt "\n", ##__VA_ARGS__)

void iw_impair_free(struct iw_impair *im);

#endif
