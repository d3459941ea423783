/*
 * How fast this machine gives a process fresh memory (BENCHMARKS.md, eighteenth round):
 * maps SIZE_MB of anonymous memory (with huge pages asked for, MADV_HUGEPAGE, when HUGE is 1),
 * writes one byte a page, writes it all again, unmaps it; two rounds.
 *
 *   cc -O2 scripts/first_touch.c -o /tmp/first_touch && /tmp/first_touch 2000 1
 *
 * On a virtual machine that reports free pages to its host, the first round is slow when the
 * memory was given back (the host backs each page again) and the second fast (freed a moment
 * before, not yet given back). Run it after `sleep 5` to see the first case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SIZE_MB HUGE(0|1)\n", argv[0]);
        return 2;
    }
    size_t size = (size_t)atol(argv[1]) << 20;
    int huge = atoi(argv[2]);
    for (int round = 1; round <= 2; round++) {
        char *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        if (huge) madvise(memory, size, MADV_HUGEPAGE);
        double start = now();
        for (size_t offset = 0; offset < size; offset += 4096) memory[offset] = 1;
        double touched = now();
        memset(memory, 2, size);
        double written = now();
        printf("round %d: first touch %.3f s (%.2f GB/s), writing it all again %.3f s\n",
               round, touched - start, size / 1e9 / (touched - start), written - touched);
        munmap(memory, size);
    }
    return 0;
}
