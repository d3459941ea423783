#include "CAllocatorSettings.h"
#include <jemalloc/jemalloc.h>
#include <stdio.h>

/*
 * jemalloc reads its options from this global when the process starts (before main).
 *
 * thp:always asks the kernel for transparent huge pages (2 MiB) for the heap, through
 * madvise(MADV_HUGEPAGE): the machine's THP mode is "madvise", so nothing is huge unless asked.
 * A run of SessionGraph fills a few hundred MB to a few GB of fresh heap (one object per event,
 * the link indexes, the outputs); with 4 KiB pages the kernel took one fault, and zeroed one
 * page, per 4 KiB: 0.9 million faults and about 9 % of all CPU time at 4.9 GB of input. With
 * huge pages the faults fall about tenfold (BENCHMARKS.md).
 *
 * metadata_thp:always does the same for jemalloc's own bookkeeping.
 */
const char *malloc_conf = "thp:always,metadata_thp:always";

const char *sessiongraph_allocator_summary(void) {
    static char summary[160];
    const char *version = NULL;
    const char *thp = NULL;
    size_t size = sizeof(version);
    /* mallctl answers only when jemalloc is linked; malloc itself may still be another's. */
    if (mallctl("version", &version, &size, NULL, 0) != 0 || version == NULL) return "system malloc";
    size = sizeof(thp);
    if (mallctl("opt.thp", &thp, &size, NULL, 0) != 0 || thp == NULL) thp = "?";
    snprintf(summary, sizeof(summary), "jemalloc %s, thp %s", version, thp);
    return summary;
}
