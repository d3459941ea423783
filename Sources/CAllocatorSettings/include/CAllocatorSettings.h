#ifndef SESSIONGRAPH_ALLOCATOR_SETTINGS_H
#define SESSIONGRAPH_ALLOCATOR_SETTINGS_H

/// The allocator serving `malloc` in this process, as one line for the profile: jemalloc's
/// version, its transparent-huge-page setting and its arenas, or "system malloc" when jemalloc is not the
/// one that answers (the executable was linked or preloaded otherwise).
const char *sessiongraph_allocator_summary(void);

#endif
