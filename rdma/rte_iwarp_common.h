/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RTE_IWARP_COMMON_H
#define RTE_IWARP_COMMON_H

/**
 * @file
 * librte_iwarp: what the public headers share.
 *
 * API stability. Functions declared with __rte_iwarp_experimental may still
 * change or go in a later release without notice; the others keep their
 * signature and meaning within a major version (the shared library's soname,
 * librte_iwarp.so.MAJOR). The linker version map of the library puts the
 * stable functions in the version node RTE_IWARP_0 and the experimental
 * ones in the node EXPERIMENTAL, as DPDK does (`objdump -T` shows the node
 * of each symbol).
 *
 * Calling an experimental function makes the compiler warn (a deprecation
 * warning naming it) unless the program defines
 * RTE_IWARP_ALLOW_EXPERIMENTAL_API before it includes a librte_iwarp header
 * (e.g. -DRTE_IWARP_ALLOW_EXPERIMENTAL_API), which says it accepts the
 * risk. DPDK's own ALLOW_EXPERIMENTAL_API does not cover librte_iwarp's.
 */

#ifdef RTE_IWARP_ALLOW_EXPERIMENTAL_API
#define __rte_iwarp_experimental
#else
/** Marks a function of the API that may still change (see the file comment). */
#define __rte_iwarp_experimental \
	__attribute__((deprecated("librte_iwarp experimental API: define " \
				  "RTE_IWARP_ALLOW_EXPERIMENTAL_API to use it")))
#endif

#endif /* RTE_IWARP_COMMON_H */
