/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IWT_H
#define IWT_H

/**
 * @file
 * The test runner's registration and assertion macros.
 *
 * Every test case is a function registered by a constructor (IWT_CASE), so one
 * executable per suite holds all its cases; meson runs each case as its own test
 * (`runner CASE`), so a failing name says what broke. A case returns IWT_PASS,
 * IWT_SKIP (exit 77; it must print why) or IWT_FAIL.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IWT_PASS 0
#define IWT_FAIL 1
#define IWT_SKIP 77

struct iwt_case {
	const char *name;
	const char *file;
	int (*fn)(void);
	struct iwt_case *next;
};

void iwt_register(struct iwt_case *c);

#define IWT_CASE(cname) \
	static int iwt_fn_##cname(void); \
	static struct iwt_case iwt_case_##cname = { \
		.name = #cname, .file = __FILE__, .fn = iwt_fn_##cname, \
	}; \
	__attribute__((constructor)) static void iwt_reg_##cname(void) \
	{ \
		iwt_register(&iwt_case_##cname); \
	} \
	static int iwt_fn_##cname(void)

/** Print a message prefixed by the case's location. */
#define IWT_LOG(fmt, ...) \
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

#define IWT_ASSERT(cond, fmt, ...) do { \
	if (!(cond)) { \
		IWT_LOG("assertion '%s' failed: " fmt, #cond, ##__VA_ARGS__); \
		return IWT_FAIL; \
	} \
} while (0)

#define IWT_ASSERT_EQ(a, b, fmt, ...) do { \
	long long iwt_a_ = (long long)(a), iwt_b_ = (long long)(b); \
	if (iwt_a_ != iwt_b_) { \
		IWT_LOG("%s == %s failed: %lld != %lld: " fmt, #a, #b, iwt_a_, \
			iwt_b_, ##__VA_ARGS__); \
		return IWT_FAIL; \
	} \
} while (0)

#define IWT_SKIP_BECAUSE(fmt, ...) do { \
	printf("SKIP: " fmt "\n", ##__VA_ARGS__); \
	return IWT_SKIP; \
} while (0)

/** Run a sub-step and propagate its failure. */
#define IWT_RUN(expr) do { \
	int iwt_rc_ = (expr); \
	if (iwt_rc_ != IWT_PASS) \
		return iwt_rc_; \
} while (0)

/** Directory holding ../shared (iwarp-vectors, siw-peer); NULL if not found. */
const char *iwt_shared_dir(void);
/** The source tree's root (for config/ and corpus files). */
const char *iwt_source_dir(void);
/** The build tree (for apps). */
const char *iwt_build_dir(void);

#endif /* IWT_H */
