/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef L3_CONFIG_H
#define L3_CONFIG_H

/*
 * iwarp-l3 configuration: an INI file read with rte_cfgfile (keys documented in
 * config/l3-veth.ini). Parsing needs no EAL, so bad files fail before it starts.
 */
#include <stdbool.h>

#include "iw_net.h"
#include "iw_port.h"

struct l3_config {
	char dev[256];            /* [port] dev: EAL device name with devargs, or PCI address */
	struct iw_port_conf port;
	struct iw_net_conf net;
};

/**
 * Read and check the file. @return 0, or -1 with a one-line reason in err
 * (no trailing newline).
 */
int l3_config_load(const char *path, struct l3_config *cfg, char *err, size_t errlen);

#endif
