#include "CAllocatorSettings.h"
#include <jemalloc/jemalloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

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
 *
 * Transparent huge pages and per-CPU arenas are Linux features; elsewhere jemalloc's defaults
 * stand.
 *
 * Huge pages pay off for large inputs only: see sessiongraph_use_small_pages below.
 */
#if defined(__linux__)
const char *malloc_conf = "thp:always,metadata_thp:always,percpu_arena:percpu";
#endif

/*
 * Turns transparent huge pages off for the rest of the process (prctl PR_SET_THP_DISABLE, which
 * overrides jemalloc's madvise). The executable calls it before reading an input under its
 * threshold. On the benchmark's virtual machine the first touch of a fresh huge page was slow
 * (0.65 GB/s against 2.6 GB/s for 4 KiB pages, touching 300 MB; most likely the host backing
 * 2 MiB blocks the guest had given back, while small pages came from blocks still backed). A
 * small run touches a few hundred MB once and gains little from fewer faults; a large one takes a
 * million faults without huge pages (BENCHMARKS.md has both).
 */
int sessiongraph_use_small_pages(void) {
#if defined(__linux__)
    return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0;
#else
    return 0;
#endif
}

/* Called through a volatile pointer, so the compiler cannot pair and drop the malloc and free
 * below: the call must reach whichever allocator the dynamic linker bound `malloc` to. */
static void *(*volatile allocate)(size_t) = malloc;

void sessiongraph_allocator_summary(char *buffer, size_t size) {
    if (buffer == NULL || size == 0) return;
    const char *version = NULL;
    size_t length = sizeof(version);
    /* mallctl answers whenever jemalloc is loaded, even when another allocator serves malloc. */
    if (mallctl("version", &version, &length, NULL, 0) != 0 || version == NULL) {
        snprintf(buffer, size, "system malloc (jemalloc not linked)");
        return;
    }
    /* Whether this thread's jemalloc byte count grows when malloc is called. */
    uint64_t *allocated = NULL;
    length = sizeof(allocated);
    if (mallctl("thread.allocatedp", &allocated, &length, NULL, 0) != 0 || allocated == NULL) {
        snprintf(buffer, size, "jemalloc %s linked; whether it serves malloc is unknown (no statistics)", version);
        return;
    }
    uint64_t before = *allocated;
    void *probe = allocate(4096);
    uint64_t after = *allocated;
    free(probe);
    if (after <= before) {
        snprintf(buffer, size, "system malloc (jemalloc %s linked, but another allocator serves malloc)", version);
        return;
    }
    const char *thp = NULL;
    const char *arenas = NULL;
    length = sizeof(thp);
    if (mallctl("opt.thp", &thp, &length, NULL, 0) != 0 || thp == NULL) thp = "?";
    length = sizeof(arenas);
    if (mallctl("opt.percpu_arena", &arenas, &length, NULL, 0) != 0 || arenas == NULL) arenas = "?";
    const char *pages = "";
#if defined(__linux__)
    /* Set by sessiongraph_use_small_pages, or inherited from the parent process. */
    int disabled = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
    if (disabled == 1) pages = " (huge pages off for this run)";
    else if (disabled > 1) pages = " (huge pages only where advised)";
    else if (disabled < 0) pages = " (huge pages cannot be turned off here)";
#endif
    snprintf(buffer, size, "jemalloc %s, thp %s%s, percpu_arena %s", version, thp, pages, arenas);
}
