// Compiled without -target-cpu (the Makefile passes that to Swift only), so this file runs on any
// x86-64 CPU and can refuse to start a build whose Swift code uses instructions the CPU lacks.
// Without it such a process dies of SIGILL somewhere in its first vectorised loop, which on a
// cluster of mixed node types reads like a bug in lgmcl or MPI.
#include "TargetCPU.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *lgmcl_target_cpu(void) {
#if defined(LGMCL_TARGET_HASWELL)
    return "haswell";
#elif defined(__x86_64__)
    return "x86-64";
#else
    return "default";
#endif
}

const char *lgmcl_missing_cpu_features(void) {
    static char missing[96];
    missing[0] = '\0';
#if defined(LGMCL_TARGET_HASWELL) && defined(__x86_64__)
    __builtin_cpu_init();
    // __builtin_cpu_supports wants literal names, hence one line per feature.
    if (!__builtin_cpu_supports("avx")) strcat(missing, " avx");
    if (!__builtin_cpu_supports("avx2")) strcat(missing, " avx2");
    if (!__builtin_cpu_supports("fma")) strcat(missing, " fma");
    if (!__builtin_cpu_supports("bmi")) strcat(missing, " bmi");
    if (!__builtin_cpu_supports("bmi2")) strcat(missing, " bmi2");
    if (!__builtin_cpu_supports("f16c")) strcat(missing, " f16c");
    if (!__builtin_cpu_supports("movbe")) strcat(missing, " movbe");
    // Haswell's level also has lzcnt and xsave, which __builtin_cpu_supports names only as a level.
    if (missing[0] == '\0' && !__builtin_cpu_supports("x86-64-v3")) strcat(missing, " x86-64-v3");
#endif
    return missing[0] == '\0' ? missing : missing + 1;
}

__attribute__((constructor)) static void lgmcl_check_target_cpu(void) {
    const char *missing = lgmcl_missing_cpu_features();
    if (missing[0] == '\0') return;
    fprintf(stderr,
            "error: this lgmcl build was compiled for TARGET_CPU=%s, and this CPU lacks %s. Rebuild it on "
            "this machine (make build), or for every node type of a mixed cluster with "
            "`make build TARGET_CPU=x86-64` (docs/cluster.md, \"Building for the nodes\").\n",
            lgmcl_target_cpu(), missing);
    _exit(1);
}
