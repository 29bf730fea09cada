#ifndef LGMCL_BUILD_COMMIT_H
#define LGMCL_BUILD_COMMIT_H

/// The git commit the build was made from, as `make build` recorded it ("<sha>", or "<sha>-dirty"
/// when tracked files differed from it); NULL for a build made without the Makefile.
const char *lgmcl_build_commit(void);

#endif
