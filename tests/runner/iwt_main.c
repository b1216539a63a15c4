/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test runner: `runner CASE` runs one case, `runner --list` lists them all,
 * `runner --check NAME...` verifies that the names given (meson's list) are
 * exactly the registered cases, so no case is ever left out of the suite.
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "iwt.h"

static struct iwt_case *cases;

void
iwt_register(struct iwt_case *c)
{
	c->next = cases;
	cases = c;
}

static struct iwt_case *
find(const char *name)
{
	struct iwt_case *c;

	for (c = cases; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const char *
iwt_source_dir(void)
{
	const char *d = getenv("IWT_SOURCE_DIR");

	return d != NULL ? d : IWT_DEFAULT_SOURCE_DIR;
}

const char *
iwt_build_dir(void)
{
	const char *d = getenv("IWT_BUILD_DIR");

	return d != NULL ? d : IWT_DEFAULT_BUILD_DIR;
}

const char *
iwt_shared_dir(void)
{
	static char path[4096];
	struct stat st;
	const char *d = getenv("IWARP_SHARED_DIR");

	if (d != NULL && stat(d, &st) == 0)
		return d;
	snprintf(path, sizeof(path), "%s/../shared", iwt_source_dir());
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	return NULL;
}

static int
check(int argc, char **argv)
{
	struct iwt_case *c;
	int i, bad = 0, n = 0;

	for (c = cases; c != NULL; c = c->next) {
		n++;
		for (i = 0; i < argc; i++)
			if (strcmp(argv[i], c->name) == 0)
				break;
		if (i == argc) {
			fprintf(stderr, "case %s (%s) is not registered in meson\n",
				c->name, c->file);
			bad++;
		}
	}
	for (i = 0; i < argc; i++)
		if (find(argv[i]) == NULL) {
			fprintf(stderr, "meson names %s, which no source defines\n", argv[i]);
			bad++;
		}
	printf("%d cases, %d meson names, %d mismatches\n", n, argc, bad);
	return bad ? IWT_FAIL : IWT_PASS;
}

int
main(int argc, char **argv)
{
	struct iwt_case *c;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "--list") == 0) {
		for (c = cases; c != NULL; c = c->next)
			printf("%s\n", c->name);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--check") == 0)
		return check(argc - 2, argv + 2);
	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE | --list | --check NAME...\n", argv[0]);
		return 2;
	}
	c = find(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "no test case named %s\n", argv[1]);
		return 2;
	}
	rc = c->fn();
	printf("%s: %s\n", c->name,
	       rc == IWT_PASS ? "PASS" : rc == IWT_SKIP ? "SKIP" : "FAIL");
	return rc == IWT_PASS ? 0 : rc == IWT_SKIP ? 77 : 1;
}
