/* bench_gemm_bf16.c - lgmcl_gemm_bf16 (Sources/CGemmBF16, `--precision bf16-mixed`) against
 * single-thread OpenBLAS cblas_sgemm at the `small` model's shapes (docs/benchmarks-bf16.md).
 *
 *   clang -O3 -D_GNU_SOURCE -I Sources/CGemmBF16/include scripts/bench_gemm_bf16.c \
 *      Sources/CGemmBF16/GemmBF16.c -o /tmp/bench_gemm_bf16 -lopenblas -lm
 *   OPENBLAS_NUM_THREADS=1 /tmp/bench_gemm_bf16 [rounds] [min_ms]      (defaults 7 25)
 *
 * For each shape both kernels run on the same operands, alternating
 * (bf16 batch, sgemm batch, bf16 batch, ...) so that background load hits both
 * alike. Each batch repeats the call until >= ~25 ms. Reported:
 *   best-of-rounds GFLOP/s of each (FLOPs = 2*M*N*K), ratio of the bests,
 *   median of the per-round ratios, and each kernel's best as a percentage of
 *   the in-situ loop peak (pure vdpbf16ps / vfmadd231ps loops, measured at the
 *   start of the run).
 */
#include "GemmBF16.h"

#include <cblas.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct {
    const char *name;
    int ta, tb, M, N, K;
} shape_t;

static float *rand_mat(size_t n, unsigned *seed)
{
    float *p = aligned_alloc(64, ((n * sizeof(float)) + 63) & ~(size_t)63);
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        p[i] = (float)((*seed >> 8) & 0xFFFF) / 32768.0f - 1.0f;
    }
    return p;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static volatile float g_sink;

/* In-situ throughput of a pure vdpbf16ps / vfmadd231ps loop (16 independent
 * zmm accumulators): the practical ceiling under the current machine load. */
#define TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define ACC16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
TGT __attribute__((noinline)) static double loop_peak(int bf16)
{
    const long iters = 4000000;
    __m512 acc[16];
    for (int i = 0; i < 16; i++) acc[i] = _mm512_setzero_ps();
    const __m512bh x = (__m512bh)_mm512_set1_epi32(0x3F803F80 + (int)g_sink);
    const __m512bh y = (__m512bh)_mm512_set1_epi32(0x3F003F00);
    const __m512 xf = _mm512_set1_ps(1.0f + g_sink), yf = _mm512_set1_ps(0.5f);
    double t0 = now();
    if (bf16) {
        for (long it = 0; it < iters; it++) {
#define DP(i) acc[i] = _mm512_dpbf16_ps(acc[i], x, y); __asm__ volatile("" : "+v"(acc[i]));
            ACC16(DP)
        }
    } else {
        for (long it = 0; it < iters; it++) {
#define FM(i) acc[i] = _mm512_fmadd_ps(xf, yf, acc[i]); __asm__ volatile("" : "+v"(acc[i]));
            ACC16(FM)
        }
    }
    double t = now() - t0;
    __m512 s = acc[0];
    for (int i = 1; i < 16; i++) s = _mm512_add_ps(s, acc[i]);
    g_sink = _mm512_reduce_add_ps(s);
    return (double)iters * 16 * (bf16 ? 64 : 32) / t * 1e-9;
}

static double g_peak_bf16, g_peak_fp32;

static void report_peaks(const char *when)
{
    double bp = 0, fp = 0;
    for (int r = 0; r < 5; r++) {
        double b = loop_peak(1), f = loop_peak(0);
        if (b > bp) bp = b;
        if (f > fp) fp = f;
    }
    if (bp > g_peak_bf16) g_peak_bf16 = bp;
    if (fp > g_peak_fp32) g_peak_fp32 = fp;
    printf("%s: in-situ loop peak  vdpbf16ps %.1f GFLOP/s, vfmadd231ps %.1f GFLOP/s\n", when, bp, fp);
}

static double time_batch(int which, const shape_t *s, const float *A, int lda,
                         const float *B, int ldb, float *C, int ldc, int reps)
{
    double t0 = now();
    for (int r = 0; r < reps; r++) {
        if (which == 0)
            lgmcl_gemm_bf16(s->ta, s->tb, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
        else
            cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                        s->tb ? CblasTrans : CblasNoTrans, s->M, s->N, s->K, 1.0f, A, lda,
                        B, ldb, 0.0f, C, ldc);
    }
    double t = (now() - t0) / reps;
    g_sink = C[0];
    return t;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 7;
    double min_s = (argc > 2 ? atof(argv[2]) : 25.0) * 1e-3;
    if (!lgmcl_gemm_bf16_available()) {
        fprintf(stderr, "AVX512_BF16 not available\n");
        return 77;
    }
    openblas_set_num_threads(1);

    static const shape_t shapes[] = {
        {"square 2048", 0, 0, 2048, 2048, 2048},
        {"proj R=2560", 0, 0, 2560, 128, 128},
        {"proj^T R=2560", 0, 1, 2560, 128, 128},
        {"ffn-up R=2560", 0, 0, 2560, 512, 128},
        {"ffn-down R=2560", 0, 0, 2560, 128, 512},
        {"wgrad d R=2560", 1, 0, 128, 128, 2560},
        {"wgrad ffn R=2560", 1, 0, 512, 128, 2560},
        {"proj R=10240", 0, 0, 10240, 128, 128},
        {"proj^T R=10240", 0, 1, 10240, 128, 128},
        {"ffn-up R=10240", 0, 0, 10240, 512, 128},
        {"ffn-down R=10240", 0, 0, 10240, 128, 512},
        {"wgrad d R=10240", 1, 0, 128, 128, 10240},
        {"wgrad ffn R=10240", 1, 0, 512, 128, 10240},
        {"attn QK^T L=160", 0, 1, 160, 160, 32},
        {"attn PV L=160", 0, 0, 160, 32, 160},
        {"attn P^T dO L=160", 1, 0, 160, 32, 160},
        {"attn QK^T L=40", 0, 1, 40, 40, 32},
        {"attn PV L=40", 0, 0, 40, 32, 40},
    };
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);

    printf("OpenBLAS: %s (core %s), threads=%d; rounds=%d, batch>=%.0f ms\n",
           openblas_get_config(), openblas_get_corename(), openblas_get_num_threads(), rounds,
           min_s * 1e3);
    report_peaks("start");
    printf("| %-18s | op | %5s x %5s x %5s | bf16 GF/s | sgemm GF/s | ratio(best) | ratio(median) | bf16 %%pk  | sgemm %%pk  |\n",
           "shape", "M", "N", "K");
    printf("|--------------------|----|-----------------------|-----------|------------|-------------|---------------|-----------|------------|\n");
    for (int si = 0; si < nshapes; si++) {
        const shape_t *s = &shapes[si];
        const int arows = s->ta ? s->K : s->M, acols = s->ta ? s->M : s->K;
        const int brows = s->tb ? s->N : s->K, bcols = s->tb ? s->K : s->N;
        unsigned seed = 1234u + (unsigned)si;
        float *A = rand_mat((size_t)arows * acols, &seed);
        float *B = rand_mat((size_t)brows * bcols, &seed);
        float *C = rand_mat((size_t)s->M * s->N, &seed);
        const double flops = 2.0 * s->M * s->N * (double)s->K;

        /* warm-up + calibrate batch size */
        int reps[2];
        for (int w = 0; w < 2; w++) {
            double t = time_batch(w, s, A, acols, B, bcols, C, s->N, 1);
            t = time_batch(w, s, A, acols, B, bcols, C, s->N, 1);
            reps[w] = (int)(min_s / t) + 1;
        }
        double best[2] = {1e30, 1e30};
        double *ratios = malloc(sizeof(double) * (size_t)rounds);
        for (int r = 0; r < rounds; r++) {
            double t[2];
            for (int w0 = 0; w0 < 2; w0++) {
                int w = (r & 1) ? 1 - w0 : w0; /* alternate who goes first */
                t[w] = time_batch(w, s, A, acols, B, bcols, C, s->N, reps[w]);
                if (t[w] < best[w]) best[w] = t[w];
            }
            ratios[r] = t[1] / t[0];
        }
        qsort(ratios, (size_t)rounds, sizeof(double), cmp_d);
        const double med = (rounds & 1) ? ratios[rounds / 2]
                                        : 0.5 * (ratios[rounds / 2 - 1] + ratios[rounds / 2]);
        const double gf0 = flops / best[0] * 1e-9, gf1 = flops / best[1] * 1e-9;
        printf("| %-18s | %c%c | %5d x %5d x %5d | %9.1f | %10.1f | %10.2fx | %12.2fx | %9.0f%% | %9.0f%% |\n",
               s->name, s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', s->M, s->N, s->K, gf0, gf1,
               best[1] / best[0], med, 100.0 * gf0 / g_peak_bf16, 100.0 * gf1 / g_peak_fp32);
        fflush(stdout);
        free(ratios);
        free(A);
        free(B);
        free(C);
    }
    report_peaks("end");
    return 0;
}
