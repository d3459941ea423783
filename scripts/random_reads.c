/*
 * How the cost of a cache miss grows with the memory a pass reaches (BENCHMARKS.md, twentieth
 * round): for each size in MB, a random cyclic chain of 64-byte lines over that much memory is
 * followed, one dependent read after another, and the time per read printed.
 *
 *   cc -O2 scripts/random_reads.c -o /tmp/random_reads && /tmp/random_reads 64 256 1024 2048
 *
 * The link and detection passes reach each event's object in an order of their own; at 488 MB
 * the objects take about 80 MB, at 4.9 GB about 800 MB.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    for (int arg = 1; arg < argc; arg++) {
        size_t megabytes = strtoul(argv[arg], NULL, 10), lines = megabytes * 1024 * 1024 / 64;
        if (lines < 2) continue;
        uint64_t *memory = aligned_alloc(64, lines * 64), *order = malloc(lines * sizeof *order);
        if (!memory || !order) return 1;
        for (size_t i = 0; i < lines; i++) order[i] = i;
        uint64_t state = 88172645463325252ull;  // xorshift64: a fixed shuffle
        for (size_t i = lines - 1; i > 0; i--) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            size_t j = state % (i + 1);
            uint64_t swap = order[i]; order[i] = order[j]; order[j] = swap;
        }
        for (size_t i = 0; i < lines; i++) memory[order[i] * 8] = order[(i + 1) % lines];
        size_t steps = 20000000, at = order[0];
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (size_t i = 0; i < steps; i++) at = memory[at * 8];
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / steps;
        printf("%6zu MB: %6.1f ns a read (end %zu)\n", megabytes, ns, at & 1);
        free(memory);
        free(order);
    }
    return 0;
}
