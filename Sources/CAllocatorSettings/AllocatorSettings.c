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
 *
 * percpu_arena:percpu gives each CPU one arena, used by the thread running on it (Linux): the
 * default of four arenas a CPU left more huge pages partly used. At 488 MB of input, peak RSS
 * 338-347 MB fell to 308-318 MB, and the run was no slower (BENCHMARKS.md).
 */
#if defined(__linux__)
const char *malloc_conf = "thp:always,metadata_thp:always,percpu_arena:percpu";
#else
const char *malloc_conf = "thp:always,metadata_thp:always";
#endif

const char *sessiongraph_allocator_summary(void) {
    static char summary[160];
    const char *version = NULL;
    const char *thp = NULL;
    size_t size = sizeof(version);
    /* mallctl answers only when jemalloc is linked; malloc itself may still be another's. */
    if (mallctl("version", &version, &size, NULL, 0) != 0 || version == NULL) return "system malloc";
    const char *arenas = NULL;
    size = sizeof(thp);
    if (mallctl("opt.thp", &thp, &size, NULL, 0) != 0 || thp == NULL) thp = "?";
    size = sizeof(arenas);
    if (mallctl("opt.percpu_arena", &arenas, &size, NULL, 0) != 0 || arenas == NULL) arenas = "?";
    snprintf(summary, sizeof(summary), "jemalloc %s, thp %s, percpu_arena %s", version, thp, arenas);
    return summary;
}
