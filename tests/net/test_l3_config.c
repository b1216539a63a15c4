/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iwarp-l3 configuration parsing (no EAL): the shipped examples load, every
 * key lands in its field, bad values are refused with a reason.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "iwt.h"
#include "../../apps/l3/l3_config.h"

static int
load_text(const char *text, struct l3_config *cfg, char *err, size_t len)
{
	char path[] = "/tmp/iwt-l3c-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	close(fd);
	rc = l3_config_load(path, cfg, err, len);
	unlink(path);
	return rc;
}

IWT_CASE(l3_config_keys_parsed)
{
	struct l3_config c;
	char err[256], path[4096];

	snprintf(path, sizeof(path), "%s/config/l3-veth.ini", iwt_source_dir());
	IWT_ASSERT_EQ(l3_config_load(path, &c, err, sizeof(err)), 0, "%s: %s", path, err);
	IWT_ASSERT(strncmp(c.dev, "net_af_packet0,iface=", 21) == 0, "dev %s", c.dev);
	snprintf(path, sizeof(path), "%s/config/l3-tap.ini", iwt_source_dir());
	IWT_ASSERT_EQ(l3_config_load(path, &c, err, sizeof(err)), 0, "%s: %s", path, err);
	snprintf(path, sizeof(path), "%s/config/l3-pci.ini", iwt_source_dir());
	IWT_ASSERT_EQ(l3_config_load(path, &c, err, sizeof(err)), 0, "%s: %s", path, err);

	IWT_ASSERT_EQ(load_text("# comment\n[port]\ndev = 0000:03:00.4\nqueues = 4\nmtu = 9000\n"
				"mbufs = 4095\npromisc = yes\noffloads = sw\n[net]\n"
				"ip = 192.168.7.2\nnetmask = 255.255.0.0\ngateway = 192.168.0.1\n"
				"ttl = 9\narp_reachable_ms = 1000\narp_retry_ms = 20\n"
				"arp_retries = 5\n", &c, err, sizeof(err)), 0, "%s", err);
	IWT_ASSERT(strcmp(c.port.dev, "0000:03:00.4") == 0, "dev");
	IWT_ASSERT_EQ(c.port.port_id, -1, "by name");
	IWT_ASSERT_EQ(c.port.nb_queues, 4, "queues");
	IWT_ASSERT_EQ(c.port.mtu, 9000, "mtu");
	IWT_ASSERT_EQ(c.port.nb_mbufs, 4095, "mbufs");
	IWT_ASSERT(c.port.promisc && c.port.no_offloads, "promisc, sw offloads");
	IWT_ASSERT_EQ(c.net.ip, htonl(0xc0a80702), "ip in network order");
	IWT_ASSERT_EQ(c.net.netmask, htonl(0xffff0000), "netmask");
	IWT_ASSERT_EQ(c.net.gateway, htonl(0xc0a80001), "gateway");
	IWT_ASSERT_EQ(c.net.ttl, 9, "ttl");
	IWT_ASSERT_EQ(c.net.arp_reachable_ms, 1000, "reachable");
	IWT_ASSERT_EQ(c.net.arp_retry_ms, 20, "retry");
	IWT_ASSERT_EQ(c.net.arp_retries, 5, "retries");

	IWT_ASSERT_EQ(load_text("[port]\ndev = x\nmtu = 70000\n[net]\nip = 10.0.0.1\n", &c, err,
				sizeof(err)), -1, "mtu out of range");
	IWT_ASSERT(strstr(err, "[port] mtu") != NULL, "reason: %s", err);
	IWT_ASSERT_EQ(load_text("[port]\ndev = x\n[net]\nip = 10.0.0.1\nttl = -1\n", &c, err,
				sizeof(err)), -1, "negative ttl");
	IWT_ASSERT(strstr(err, "[net] ttl") != NULL, "reason: %s", err);
	IWT_ASSERT_EQ(load_text("[port]\ndev = x\npromisc = maybe\n[net]\nip = 10.0.0.1\n", &c,
				err, sizeof(err)), -1, "promisc");
	IWT_ASSERT_EQ(load_text("[port]\ndev = x\n[net]\nip = 10.0.0\n", &c, err, sizeof(err)),
		      -1, "three-part address");
	IWT_ASSERT_EQ(load_text("[port]\ndev = x\n[net]\nip = 127.0.0.1\n", &c, err, sizeof(err)),
		      -1, "loopback");
	return IWT_PASS;
}
