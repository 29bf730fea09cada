// The single-thread sgemm rate of this machine's OpenBLAS: the reference the text encoder's useful
// FLOP rate is held against (issue 19). Row-major C = A·B at the given shape, best of REPEATS.
//
//   cc -O2 scripts/sgemm_rate.c -o /tmp/sgemm_rate -lopenblas
//   OPENBLAS_NUM_THREADS=1 /tmp/sgemm_rate [M N K [REPEATS]]      (defaults 2048 2048 2048 5)
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int m = argc > 3 ? atoi(argv[1]) : 2048, n = argc > 3 ? atoi(argv[2]) : 2048, k = argc > 3 ? atoi(argv[3]) : 2048;
    int repeats = argc > 4 ? atoi(argv[4]) : 5;
    if (m <= 0 || n <= 0 || k <= 0 || repeats <= 0) {
        fprintf(stderr, "usage: sgemm_rate [M N K [REPEATS]]\n");
        return 2;
    }
    float *a = malloc(sizeof(float) * (size_t)m * k), *b = malloc(sizeof(float) * (size_t)k * n);
    float *c = malloc(sizeof(float) * (size_t)m * n);
    if (!a || !b || !c) { fprintf(stderr, "sgemm_rate: out of memory\n"); return 1; }
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (float)(i % 7) * 0.25f;
    for (size_t i = 0; i < (size_t)k * n; i++) b[i] = (float)(i % 5) * 0.5f;
    double best = 1e300;
    for (int r = 0; r <= repeats; r++) {   // the first call (r = 0) warms up and is not counted
        double start = seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
        double elapsed = seconds() - start;
        if (r > 0 && elapsed < best) best = elapsed;
    }
    printf("sgemm %dx%dx%d, %s: %.1f GFLOP/s (best of %d)\n", m, n, k, openblas_get_config(), 2.0 * m * n * k / best / 1e9, repeats);
    free(a); free(b); free(c);
    return 0;
}
