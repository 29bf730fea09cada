#ifndef LGMCL_TARGET_CPU_H
#define LGMCL_TARGET_CPU_H

/// The CPU the Swift code of this build was compiled for: "haswell" (AVX2, FMA; `make build`
/// picks it on a CPU that has them) or "x86-64" (any 64-bit x86; `make build TARGET_CPU=x86-64`).
const char *lgmcl_target_cpu(void);

/// The features of that target this CPU lacks, space-separated ("" when it has them all). A
/// process on such a CPU never reaches Swift code: a constructor in this file stops it first.
const char *lgmcl_missing_cpu_features(void);

#endif
