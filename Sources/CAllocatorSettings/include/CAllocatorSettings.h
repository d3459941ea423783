#ifndef SESSIONGRAPH_ALLOCATOR_SETTINGS_H
#define SESSIONGRAPH_ALLOCATOR_SETTINGS_H

#include <stddef.h>

/// Writes into `buffer` (at most `size` bytes, NUL-terminated) the allocator that serves
/// `malloc` in this process, as one line for the profile: jemalloc's version, its
/// transparent-huge-page setting and its arenas when jemalloc answers a `malloc` call, else
/// "system malloc" and why (jemalloc not linked, or linked but another allocator answers).
void sessiongraph_allocator_summary(char *buffer, size_t size);

#endif
