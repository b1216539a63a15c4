/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp against Linux TCP: iwarp-tcp on net_af_packet over one end of a
 * veth pair, the kernel in a network namespace on the other end. 256 MiB each
 * way, sha256 compared with the kernel side's; again with 1% random loss both
 * ways (iptables statistic) and 1% duplication (nft dup) on the kernel side.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iwt.h"
#include "iwt_eal.h"

#define ITK_BYTES (256u << 20)
#define ITK_DPDK_IP "10.77.%d.1"
#define ITK_KERN_IP "10.77.%d.2"

/* Output of the last iwarp-tcp run. */
static char last_app[8192];

struct itk {
	char tag[8];
	char ns[16], dev0[16], dev1[16];
	char dir[64];
	int net;             /* 10.77.<net>.0/24 */
	int app_pid;
};

static void
itk_teardown(struct itk *k)
{
	if (k->app_pid > 0)
		kill(k->app_pid, SIGKILL);
	iwt_sh_quiet("ip netns pids %s 2>/dev/null | xargs -r kill -9", k->ns);
	iwt_sh_quiet("ip netns del %s", k->ns);
	iwt_sh_quiet("ip link del %s", k->dev0);
	iwt_sh_quiet("rm -rf %s", k->dir);
}

static int
itk_setup(struct itk *k, const char *tag, int net)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->tag, sizeof(k->tag), "%s", tag);
	snprintf(k->ns, sizeof(k->ns), "itk%s", tag);
	snprintf(k->dev0, sizeof(k->dev0), "itk%s0", tag);
	snprintf(k->dev1, sizeof(k->dev1), "itk%s1", tag);
	snprintf(k->dir, sizeof(k->dir), "/tmp/iwt-itk-%s", tag);
	k->net = net;
	itk_teardown(k); /* leftovers of a crashed run */
	if (access(iwt_build_dir(), F_OK) != 0)
		return -1;
	if (iwt_sh("mkdir -p %s && ip netns add %s && ip link add %s type veth peer name %s && "
		   "ip link set %s netns %s && ip link set %s up", k->dir, k->ns, k->dev0,
		   k->dev1, k->dev1, k->ns, k->dev0) != 0)
		return -1;
	/* no GRO/TSO merging what af_packet sees; one CPU for RPS keeps order */
	iwt_sh_quiet("ethtool -K %s gro off tso off gso off tx off", k->dev0);
	iwt_sh_quiet("echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus", k->dev0);
	if (iwt_sh("ip netns exec %s sh -c 'ip link set lo up && ip addr add " ITK_KERN_IP
		   "/24 dev %s && ip link set %s up && ethtool -K %s tx off gro off >/dev/null && "
		   "echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus'", k->ns, net, k->dev1,
		   k->dev1, k->dev1, k->dev1) != 0)
		return -1;
	return 0;
}

/* Read a whole small file into buf. */
static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* Wait until path contains s. */
static bool
wait_for(const char *path, const char *s, unsigned int ms)
{
	char buf[8192];

	for (unsigned int t = 0; t < ms; t += 50) {
		slurp(path, buf, sizeof(buf));
		if (strstr(buf, s) != NULL)
			return true;
		usleep(50000);
	}
	return false;
}

/* The value after key in text, as a string up to whitespace. */
static bool
field(const char *text, const char *key, char *out, size_t len)
{
	const char *p = strstr(text, key);
	size_t n = 0;

	if (p == NULL)
		return false;
	p += strlen(key);
	while (*p == ' ')
		p++;
	while (p[n] != '\0' && p[n] != ' ' && p[n] != '\n' && n + 1 < len) {
		out[n] = p[n];
		n++;
	}
	out[n] = '\0';
	return n > 0;
}

/* Start iwarp-tcp in the background with app arguments args. */
static int
app_start(struct itk *k, const char *args, const char *out)
{
	char pidf[128], buf[32];

	snprintf(pidf, sizeof(pidf), "%s/app.pid", k->dir);
	if (iwt_sh("(timeout 300 %s/apps/tcp/iwarp-tcp --no-huge -m 512 --no-pci --no-telemetry "
		   "--file-prefix=itk%s%d -- --dev net_af_packet_%s,iface=%s --ip " ITK_DPDK_IP
		   " %s >%s 2>&1 & echo $! >%s)", iwt_build_dir(), k->tag, (int)getpid(), k->tag,
		   k->dev0, k->net, args, out, pidf) != 0)
		return -1;
	slurp(pidf, buf, sizeof(buf));
	k->app_pid = atoi(buf);
	return k->app_pid > 0 ? 0 : -1;
}

static const char kernel_sink_py[] =
	"import socket,hashlib,sys\n"
	"s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
	"s.bind((sys.argv[1],int(sys.argv[2]))); s.listen(1)\n"
	"print('listening',flush=True)\n"
	"c,_=s.accept(); h=hashlib.sha256(); n=0\n"
	"while True:\n"
	"    b=c.recv(1<<20)\n"
	"    if not b: break\n"
	"    h.update(b); n+=len(b)\n"
	"c.close(); print('kernel received',n,'sha256',h.hexdigest(),flush=True)\n";

/* Our client sends to a kernel server; compare the sha256 of both sides. */
static int
dpdk_to_kernel(struct itk *k, uint16_t port, double *secs_out)
{
	char py[128], kout[128], aout[128], kbuf[4096], abuf[8192], h1[80], h2[80], n1[32],
	     stall[32], args[128];

	snprintf(py, sizeof(py), "%s/sink.py", k->dir);
	snprintf(kout, sizeof(kout), "%s/kernel-%u.out", k->dir, port);
	snprintf(aout, sizeof(aout), "%s/app-%u.out", k->dir, port);
	FILE *f = fopen(py, "w");

	IWT_ASSERT(f != NULL, "");
	fputs(kernel_sink_py, f);
	fclose(f);
	IWT_ASSERT(iwt_sh("ip netns exec %s timeout 300 python3 %s " ITK_KERN_IP " %u >%s 2>&1 &",
			  k->ns, py, k->net, port, kout) == 0, "kernel server");
	IWT_ASSERT(wait_for(kout, "listening", 10000), "kernel server up");
	snprintf(args, sizeof(args), "--client " ITK_KERN_IP ":%u --bulk %u --timeout 200",
		 k->net, port, ITK_BYTES);
	IWT_ASSERT(app_start(k, args, aout) == 0, "app started");
	IWT_ASSERT(wait_for(kout, "kernel received", 240000), "transfer finished");
	IWT_ASSERT(wait_for(aout, "tcp: rx", 20000), "app reported");
	slurp(kout, kbuf, sizeof(kbuf));
	slurp(aout, abuf, sizeof(abuf));
	fprintf(stderr, "%s%s", abuf, kbuf);
	memcpy(last_app, abuf, sizeof(last_app));
	IWT_ASSERT(field(kbuf, "kernel received", n1, sizeof(n1)) &&
		   strtoull(n1, NULL, 0) == ITK_BYTES, "kernel got %s bytes", n1);
	IWT_ASSERT(field(kbuf, "sha256", h1, sizeof(h1)) && field(abuf, "sha256", h2, sizeof(h2)),
		   "digests");
	IWT_ASSERT(strcmp(h1, h2) == 0, "sha256 kernel %s vs ours %s", h1, h2);
	IWT_ASSERT(field(abuf, "max stall", stall, sizeof(stall)), "stall reported");
	IWT_ASSERT(atof(stall) < 4000, "no stall past the RTO bounds: %s ms", stall);
	if (secs_out != NULL) {
		char s[32];

		*secs_out = field(abuf, " in", s, sizeof(s)) ? atof(s) : 0;
	}
	k->app_pid = 0;
	return IWT_PASS;
}

/* A kernel client sends a random file to our server. */
static int
kernel_to_dpdk(struct itk *k, uint16_t port)
{
	char data[128], aout[128], abuf[8192], h1[80], h2[80], n1[32], stall[32], args[64];
	char sumf[128], sbuf[256];

	snprintf(data, sizeof(data), "%s/data.bin", k->dir);
	snprintf(aout, sizeof(aout), "%s/app-%u.out", k->dir, port);
	snprintf(sumf, sizeof(sumf), "%s/data.sha", k->dir);
	if (access(data, F_OK) != 0)
		IWT_ASSERT(iwt_sh("head -c %u /dev/urandom >%s && sha256sum %s >%s", ITK_BYTES,
				  data, data, sumf) == 0, "random data");
	slurp(sumf, sbuf, sizeof(sbuf));
	snprintf(h1, sizeof(h1), "%.64s", sbuf);
	snprintf(args, sizeof(args), "--server %u --sink --timeout 200", port);
	IWT_ASSERT(app_start(k, args, aout) == 0, "app started");
	IWT_ASSERT(wait_for(aout, "listening", 20000), "our server up");
	if (iwt_sh("ip netns exec %s timeout 240 socat -u %s TCP:" ITK_DPDK_IP ":%u", k->ns,
		   data, k->net, port) != 0) {
		usleep(500000);
		slurp(aout, abuf, sizeof(abuf));
		IWT_LOG("kernel client failed; iwarp-tcp said:\n%s", abuf);
		return IWT_FAIL;
	}
	IWT_ASSERT(wait_for(aout, "tcp: rx", 30000), "app reported");
	slurp(aout, abuf, sizeof(abuf));
	fprintf(stderr, "%s", abuf);
	memcpy(last_app, abuf, sizeof(last_app));
	IWT_ASSERT(field(abuf, "bulk received", n1, sizeof(n1)) &&
		   strtoull(n1, NULL, 0) == ITK_BYTES, "we got %s bytes", n1);
	IWT_ASSERT(field(abuf, "sha256", h2, sizeof(h2)), "digest");
	IWT_ASSERT(strcmp(h1, h2) == 0, "sha256 file %s vs received %s", h1, h2);
	IWT_ASSERT(field(abuf, "max stall", stall, sizeof(stall)), "");
	IWT_ASSERT(atof(stall) < 4000, "no stall past the RTO bounds: %s ms", stall);
	k->app_pid = 0;
	return IWT_PASS;
}

static int
check_tools(void)
{
	if (iwt_sh("command -v socat >/dev/null && command -v python3 >/dev/null && "
		   "command -v ethtool >/dev/null") != 0)
		return -1;
	return 0;
}

IWT_CASE(tcp_kernel_bulk_to_dpdk)
{
	struct itk k;
	int rc;

	if (check_tools() != 0)
		IWT_SKIP_BECAUSE("socat, python3 or ethtool missing");
	if (itk_setup(&k, "kd", 1) != 0) {
		itk_teardown(&k);
		IWT_SKIP_BECAUSE("cannot create a network namespace and veth pair (not root?)");
	}
	rc = kernel_to_dpdk(&k, 9001);
	itk_teardown(&k);
	return rc;
}

IWT_CASE(tcp_dpdk_bulk_to_kernel)
{
	struct itk k;
	int rc;

	if (check_tools() != 0)
		IWT_SKIP_BECAUSE("socat, python3 or ethtool missing");
	if (itk_setup(&k, "dk", 2) != 0) {
		itk_teardown(&k);
		IWT_SKIP_BECAUSE("cannot create a network namespace and veth pair (not root?)");
	}
	rc = dpdk_to_kernel(&k, 9002, NULL);
	itk_teardown(&k);
	return rc;
}

IWT_CASE(tcp_kernel_bulk_loss)
{
	struct itk k;
	int rc;

	if (check_tools() != 0)
		IWT_SKIP_BECAUSE("socat, python3 or ethtool missing");
	if (itk_setup(&k, "kl", 3) != 0) {
		itk_teardown(&k);
		IWT_SKIP_BECAUSE("cannot create a network namespace and veth pair (not root?)");
	}
	/* kernel side: 1% of TCP dropped each way, 1% of what it sends duplicated */
	if (iwt_sh("ip netns exec %s sh -c 'iptables -A INPUT -p tcp -m statistic --mode random "
		   "--probability 0.01 -j DROP && iptables -A OUTPUT -p tcp -m statistic --mode "
		   "random --probability 0.01 -j DROP'", k.ns) != 0) {
		itk_teardown(&k);
		IWT_ASSERT(0, "iptables statistic loss rules");
	}
	if (iwt_sh("ip netns exec %s sh -c 'nft add table ip itkdup && nft add chain ip itkdup "
		   "post \"{ type filter hook postrouting priority 0; }\" && "
		   "nft add rule ip itkdup "
		   "post ip daddr " ITK_DPDK_IP " numgen random mod 100 \"<\" 1 dup to "
		   ITK_DPDK_IP " device %s'", k.ns, k.net, k.net, k.dev1) != 0) {
		itk_teardown(&k);
		IWT_ASSERT(0, "nft dup rule");
	}
	rc = kernel_to_dpdk(&k, 9003);
	if (rc == IWT_PASS) {
		char v[32];

		/* duplicates arrived and were recognized as such */
		if (!field(last_app, "dup bytes", v, sizeof(v)) || strtoull(v, NULL, 0) == 0) {
			IWT_LOG("no duplicate bytes seen: nft dup had no effect");
			rc = IWT_FAIL;
		}
	}
	if (rc == IWT_PASS)
		rc = dpdk_to_kernel(&k, 9004, NULL);
	if (rc == IWT_PASS) {
		char v[32];

		/* losses were repaired by our retransmissions */
		if (!field(last_app, "rexmit", v, sizeof(v)) || strtoull(v, NULL, 0) == 0) {
			IWT_LOG("no retransmission: the loss rules had no effect");
			rc = IWT_FAIL;
		}
	}
	iwt_sh("ip netns exec %s sh -c 'iptables -L -v -n | grep DROP; nft list table ip itkdup'",
	       k.ns);
	itk_teardown(&k);
	return rc;
}
