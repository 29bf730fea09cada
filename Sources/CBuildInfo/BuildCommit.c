#include "BuildCommit.h"
#include <stddef.h>

// The Makefile writes the header into .build/build-info (on the include path it gives) and
// rewrites it only when the commit changes, so a new commit recompiles this file alone. A copy of
// the executable then still knows what it was built from.
#if __has_include("lgmcl_build_commit.h")
#include "lgmcl_build_commit.h"
#endif

const char *lgmcl_build_commit(void) {
#ifdef LGMCL_BUILD_COMMIT
    return LGMCL_BUILD_COMMIT;
#else
    return NULL;
#endif
}
