#ifndef SESSIONGRAPH_FILE_REPLACE_H
#define SESSIONGRAPH_FILE_REPLACE_H

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

/// Swaps the files at `first` and `second` atomically (renameat2 with RENAME_EXCHANGE): each
/// name then holds the other's file. Returns 0, or -1 with errno set: ENOENT when either is
/// missing, EINVAL or ENOSYS where the file system or the system cannot exchange (the caller
/// then renames as usual).
static inline int sessiongraph_exchange_files(const char *first, const char *second) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, first, AT_FDCWD, second, 2 /* RENAME_EXCHANGE */);
#else
    (void)first;
    (void)second;
    errno = ENOSYS;
    return -1;
#endif
}

#endif
