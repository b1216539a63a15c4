/* SPDX-License-Identifier: BSD-3-Clause */
/* Interop with siw-peer's guest through siw_harness.sh (see iwt_siw.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "iwt.h"
#include "iwt_eal.h"
#include "iwt_siw.h"

static char harness[1024];

static const char *
harness_path(void)
{
	const char *shared = iwt_shared_dir();

	if (harness[0] == '\0') {
		snprintf(harness, sizeof(harness), "%s/tests/interop/siw_harness.sh",
			 iwt_source_dir());
		if (shared != NULL)
			setenv("IWARP_SHARED_DIR", shared, 1);
		setenv("IWT_BUILD_DIR", iwt_build_dir(), 1);
		/* a guest command may run for minutes under TCG (64 KiB x 1000 pings) */
		setenv("SIWPEER_TO", "500", 1);
	}
	return harness;
}

int
iwt_siw_sh(const char *fmt, ...)
{
	char args[3072];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return iwt_sh("%s %s", harness_path(), args);
}

int
iwt_siw_run(struct iwt_perf_run *r, int secs, const char *fmt, ...)
{
	char args[3072], cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s", harness_path(), args);
	return iwt_perf_run_fg(cmd, secs, r);
}

/*
 * siw-peer is one machine-wide resource (namespace iwpeer, its run directory):
 * cases of two test runs at the same time would stop each other's guest. A
 * case holds this lock from up to exit (the kernel drops it with the process).
 */
#define SIW_LOCK "/var/tmp/iwt-siw-peer.lock"
#define SIW_LOCK_WAIT_S 420

static int
siw_lock(void)
{
	int fd = open(SIW_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int i;

	if (fd < 0)
		return -1;
	for (i = 0; i < SIW_LOCK_WAIT_S * 10; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0; /* fd stays open: held until the process ends */
		if (i == 0)
			printf("siw-peer is in use by another test run: waiting up to %d s\n",
			       SIW_LOCK_WAIT_S);
		usleep(100000);
	}
	close(fd);
	return -1;
}

int
iwt_siw_up(void)
{
	static struct iwt_perf_run r;

	if (iwt_shared_dir() == NULL)
		IWT_SKIP_BECAUSE("no shared/ beside the source tree (set IWARP_SHARED_DIR): "
				 "siw-peer is not here");
	if (siw_lock() < 0)
		IWT_SKIP_BECAUSE("siw-peer stayed busy with another test run for %d s",
				 SIW_LOCK_WAIT_S);
	IWT_ASSERT_EQ(iwt_siw_run(&r, 600, "up"), 0, "harness ran");
	if (r.status == 77) {
		iwt_siw_down();
		IWT_SKIP_BECAUSE("%s", strstr(r.out, "SKIP: ") ? strstr(r.out, "SKIP: ") + 6 :
				 "siw-peer unavailable");
	}
	if (r.status != 0) {
		iwt_siw_down();
		IWT_LOG("siw_harness.sh up failed (%d)", r.status);
		return IWT_FAIL;
	}
	return IWT_PASS;
}

void
iwt_siw_down(void)
{
	iwt_sh_quiet("%s down", harness_path());
}

int
iwt_siw_param(const char *name, int value)
{
	return iwt_siw_sh("param %s %d", name, value);
}

void
iwt_siw_dmesg(char *buf, size_t len)
{
	static struct iwt_perf_run r;

	buf[0] = '\0';
	if (iwt_siw_run(&r, 60, "guest 'dmesg | tail -60'") == 0)
		snprintf(buf, len, "%s", r.out);
}

void
iwt_siw_pcap(char *buf, size_t len, const char *step)
{
	snprintf(buf, len, "/tmp/iwt-siw-%d-%s.pcap", (int)getpid(), step);
}

/* ------------------------------------------------------------------ endpoint */
#include <sched.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "iw_port.h"

int
iwt_siw_ep_open(struct iwt_siw_ep *e)
{
	struct iw_port_conf pc = { .dev = "net_af_packet0", .port_id = -1, .nb_queues = 1 };
	struct rte_iwarp_dev_conf dc = { 0 };
	int fd, rc;

	memset(e, 0, sizeof(*e));
	fd = open("/var/run/netns/iwpeer", O_RDONLY);
	IWT_ASSERT(fd >= 0, "namespace iwpeer exists");
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	IWT_ASSERT_EQ(rc, 0, "setns into iwpeer");
	IWT_ASSERT_EQ(iwt_eal_init("-l 1 --vdev=net_af_packet0,iface=iwsv1"), 0, "EAL");
	e->port = iw_port_open(&pc);
	IWT_ASSERT(e->port != NULL, "port on iwsv1: %s", rte_strerror(rte_errno));
	IWT_ASSERT_EQ(iw_port_wait_link(e->port, 5000), 0, "link up");
	dc.port = iw_port_handle(e->port);
	dc.ip = inet_addr(IWT_SIW_OURS);
	dc.netmask = inet_addr("255.255.255.0");
	e->dev = rte_iwarp_dev_open(&dc);
	IWT_ASSERT(e->dev != NULL, "device: %s", rte_strerror(rte_errno));
	e->pd = rte_iwarp_alloc_pd(e->dev);
	e->cq = rte_iwarp_create_cq(e->dev, 64, NULL);
	IWT_ASSERT(e->pd != NULL && e->cq != NULL, "PD and CQ");
	return IWT_PASS;
}

void
iwt_siw_ep_close(struct iwt_siw_ep *e)
{
	if (e->dev != NULL) {
		iwt_siw_ep_poll_ms(e, 50);
		rte_iwarp_dev_close(e->dev);
	}
	if (e->port != NULL)
		iw_port_close(e->port);
	e->dev = NULL;
	e->port = NULL;
}

static uint64_t
ms_from_now(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

void
iwt_siw_ep_poll_ms(struct iwt_siw_ep *e, unsigned int ms)
{
	uint64_t end = ms_from_now(ms);

	while (rte_get_timer_cycles() < end)
		rte_iwarp_dev_poll(e->dev);
}

int
iwt_siw_ep_event(struct iwt_siw_ep *e, enum rte_iwarp_cm_event_type type,
		 struct rte_iwarp_cm_event *ev, unsigned int ms)
{
	uint64_t end = ms_from_now(ms);

	while (rte_get_timer_cycles() < end) {
		if (rte_iwarp_cm_get_event(e->dev, ev) < 0)
			continue;
		if (ev->event == type)
			return 0;
		IWT_LOG("event %s (status %d) while waiting for %s",
			rte_iwarp_cm_event_str(ev->event), ev->status,
			rte_iwarp_cm_event_str(type));
		rte_iwarp_cm_ack_event(ev);
	}
	return -ETIMEDOUT;
}

int
iwt_siw_ep_wc(struct iwt_siw_ep *e, struct rte_iwarp_wc *wc, int n, unsigned int ms)
{
	uint64_t end = ms_from_now(ms);
	int got = 0, rc;

	while (got < n && rte_get_timer_cycles() < end) {
		rc = rte_iwarp_poll_cq(e->cq, n - got, wc + got);
		if (rc < 0)
			return rc;
		got += rc;
	}
	return got;
}
