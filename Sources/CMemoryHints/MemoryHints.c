// The hint is a static inline function in include/CMemoryHints.h; this file gives the target
// the source file a C target needs.
#include "CMemoryHints.h"
