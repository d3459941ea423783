#ifndef SESSIONGRAPH_MEMORY_HINTS_H
#define SESSIONGRAPH_MEMORY_HINTS_H

/// Asks the processor to start loading the cache line at `address` for reading. A hint only:
/// it never faults, whatever the address, and changes no value the program sees.
static inline void sessiongraph_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
