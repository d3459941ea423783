#ifndef SESSIONGRAPH_ALLOCATOR_SETTINGS_H
#define SESSIONGRAPH_ALLOCATOR_SETTINGS_H

#include <stddef.h>

/// Writes into `buffer` (at most `size` bytes, NUL-terminated) the allocator that serves
/// `malloc` in this process, as one line for the profile: jemalloc's version, its
/// transparent-huge-page setting and its arenas when jemalloc answers a `malloc` call, else
/// "system malloc" and why (jemalloc not linked, or linked but another allocator answers).
/// "(huge pages off for this run)" follows the setting when the process's transparent huge pages
/// are off (``sessiongraph_use_small_pages``, or a parent that turned them off), and "(huge
/// pages cannot be turned off here)" when the process cannot use that control (a kernel before
/// Linux 3.15, or a sandbox that refuses the call).
void sessiongraph_allocator_summary(char *buffer, size_t size);

/// Turns transparent huge pages off for the rest of the process (Linux; elsewhere it does
/// nothing). Returns 1 when they were turned off.
int sessiongraph_use_small_pages(void);

#endif
