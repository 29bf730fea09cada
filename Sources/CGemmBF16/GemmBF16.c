/* GemmBF16.c - BF16 matrix product for x86-64 with AVX512_BF16.
 *
 * Structure (Goto/BLIS style, single thread):
 *   jc over N (NC) -> pc over K (KC) -> pack B block -> ic over M (MC)
 *   -> pack A block -> jr over NR -> ir over MR -> micro-kernel.
 *
 * Packed formats (uint32 = a pair of bf16 for k = 2p (low half), 2p+1 (high)):
 *   A micro-panel (MR rows):  ap[p*MR + i]  = pair(op(A)[i][2p], op(A)[i][2p+1])
 *   B micro-panel (NR cols):  bp[p*NR + j]  = pair(op(B)[2p][j], op(B)[2p+1][j])
 * Rows/cols beyond the matrix and the odd-K tail are zero.
 * The micro-kernel keeps an MR x NR tile of C in MR*NV zmm accumulators
 * (NV = NR/16); per k-pair it loads NV vectors of B and broadcasts MR pairs of
 * A, issuing MR*NV vdpbf16ps.
 */
#include "GemmBF16.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#define LGMCL_UNROLL _Pragma("clang loop unroll(full)")
#define LGMCL_UNROLL2 _Pragma("clang loop unroll_count(2)")
#else
#define LGMCL_UNROLL _Pragma("GCC unroll 32")
#define LGMCL_UNROLL2 _Pragma("GCC unroll 2")
#endif

#define TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

/* Blocking, measured on Zen 4 (32 KB L1d, 1 MB L2): a 14 x 32 tile keeps 28 of the 32 zmm
 * registers as accumulators; KC 512 beat 256 on the square and K = 512 shapes; 12 x 32 was as
 * fast, 8 x 48 and 6 x 64 lost on the attention's N = 32 products. */
#define MR 14
#define NV 2
#define NR (16 * NV)
#define KC 512 /* k values per block (even: packed in pairs) */
#define MC 336 /* rows of A per block, 24 tiles */
#define NC 1024 /* columns of B per block, 32 tiles */

/* ------------------------------------------------------------------ */
/* CPU feature detection                                               */
/* ------------------------------------------------------------------ */
int lgmcl_gemm_bf16_available(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27))) return 0; /* OSXSAVE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    /* XMM(1) YMM(2) opmask(5) ZMM_Hi256(6) Hi16_ZMM(7) */
    if ((lo & 0xE6u) != 0xE6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!(b & (1u << 16))) return 0; /* AVX512F */
    if (!(b & (1u << 30))) return 0; /* AVX512BW */
    if (!(b & (1u << 31))) return 0; /* AVX512VL */
    unsigned max_sub = a;
    if (max_sub < 1) return 0;
    __cpuid_count(7, 1, a, b, c, d);
    if (!(a & (1u << 5))) return 0; /* AVX512_BF16 */
    return 1;
}

/* ------------------------------------------------------------------ */
/* Packing buffers (per thread, grown on demand, 64-byte aligned)      */
/* ------------------------------------------------------------------ */
static _Thread_local uint32_t *g_apack, *g_bpack;
static _Thread_local size_t g_apack_n, g_bpack_n;

static uint32_t *grow(uint32_t **p, size_t *cap, size_t n)
{
    if (n > *cap) {
        free(*p);
        size_t bytes = (n * sizeof(uint32_t) + 63) & ~(size_t)63;
        *p = (uint32_t *)aligned_alloc(64, bytes);
        *cap = *p ? n : 0;
    }
    return *p;
}

static inline __mmask16 mask16(int n)
{
    if (n >= 16) return (__mmask16)0xFFFF;
    if (n <= 0) return 0;
    return (__mmask16)((1u << n) - 1u);
}

/* ------------------------------------------------------------------ */
/* Packing                                                             */
/* ------------------------------------------------------------------ */

/* In-register transpose of a 16x16 matrix of 32-bit elements. */
TGT static inline void transpose16x16(__m512i r[16])
{
    __m512i a[16], b[16];
    for (int i = 0; i < 8; i++) {
        a[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int g = 0; g < 4; g++) {
        b[4 * g + 0] = _mm512_unpacklo_epi64(a[4 * g + 0], a[4 * g + 2]);
        b[4 * g + 1] = _mm512_unpackhi_epi64(a[4 * g + 0], a[4 * g + 2]);
        b[4 * g + 2] = _mm512_unpacklo_epi64(a[4 * g + 1], a[4 * g + 3]);
        b[4 * g + 3] = _mm512_unpackhi_epi64(a[4 * g + 1], a[4 * g + 3]);
    }
    for (int c = 0; c < 4; c++) {
        __m512i c0 = _mm512_shuffle_i32x4(b[c], b[4 + c], 0x88);
        __m512i c1 = _mm512_shuffle_i32x4(b[c], b[4 + c], 0xDD);
        __m512i d0 = _mm512_shuffle_i32x4(b[8 + c], b[12 + c], 0x88);
        __m512i d1 = _mm512_shuffle_i32x4(b[8 + c], b[12 + c], 0xDD);
        r[0 + c] = _mm512_shuffle_i32x4(c0, d0, 0x88);
        r[8 + c] = _mm512_shuffle_i32x4(c0, d0, 0xDD);
        r[4 + c] = _mm512_shuffle_i32x4(c1, d1, 0x88);
        r[12 + c] = _mm512_shuffle_i32x4(c1, d1, 0xDD);
    }
}

/* Panel of width W (lanes), w <= W valid, kc values of k.
 * Source element (r, k) = src[r*ld + k]   (k contiguous).
 * dst[p*W + r] = pair(k=2p, 2p+1). */
TGT static void pack_kcontig(uint32_t *dst, int W, const float *src, long ld,
                             int w, int kc)
{
    for (int r0 = 0; r0 < W; r0 += 16) {
        const int rn = (W - r0) < 16 ? (W - r0) : 16;
        int rv = w - r0;
        if (rv > rn) rv = rn;
        if (rv < 0) rv = 0;
        const __mmask16 smask = mask16(rn);
        for (int k0 = 0; k0 < kc; k0 += 32) {
            const int kn = (kc - k0) < 32 ? (kc - k0) : 32;
            __m512i rows[16];
            if (kn == 32) {
                for (int i = 0; i < 16; i++) {
                    if (i < rv) {
                        const float *p = src + (long)(r0 + i) * ld + k0;
                        __m512 lo = _mm512_loadu_ps(p);
                        __m512 hi = _mm512_loadu_ps(p + 16);
                        rows[i] = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
                    } else {
                        rows[i] = _mm512_setzero_si512();
                    }
                }
            } else {
                const __mmask16 m0 = mask16(kn), m1 = mask16(kn - 16);
                for (int i = 0; i < 16; i++) {
                    if (i < rv) {
                        const float *p = src + (long)(r0 + i) * ld + k0;
                        __m512 lo = _mm512_maskz_loadu_ps(m0, p);
                        __m512 hi = _mm512_maskz_loadu_ps(m1, p + 16);
                        rows[i] = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
                    } else {
                        rows[i] = _mm512_setzero_si512();
                    }
                }
            }
            transpose16x16(rows);
            const int pn = (kn + 1) / 2;
            uint32_t *d = dst + (long)(k0 / 2) * W + r0;
            for (int t = 0; t < pn; t++)
                _mm512_mask_storeu_epi32(d + (long)t * W, smask, rows[t]);
        }
    }
}

/* Source element (r, k) = src[k*ld + r]   (r contiguous). */
TGT static void pack_rcontig(uint32_t *dst, int W, const float *src, long ld,
                             int w, int kc)
{
    const int kc2 = (kc + 1) / 2;
    /* interleave: out16[2i] = lo16[i], out16[2i+1] = lo16[16+i] */
    static const uint16_t idx_tab[32] = {
        0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
        8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i idx = _mm512_loadu_si512(idx_tab);
    for (int p = 0; p < kc2; p++) {
        const float *p0 = src + (long)(2 * p) * ld;
        const int has1 = (2 * p + 1) < kc;
        const float *p1 = p0 + ld;
        uint32_t *d = dst + (long)p * W;
        for (int r0 = 0; r0 < W; r0 += 16) {
            const int rn = (W - r0) < 16 ? (W - r0) : 16;
            int rv = w - r0;
            if (rv > rn) rv = rn;
            __m512 x0, x1;
            if (rv == 16) {
                x0 = _mm512_loadu_ps(p0 + r0);
                x1 = has1 ? _mm512_loadu_ps(p1 + r0) : _mm512_setzero_ps();
            } else {
                const __mmask16 m = mask16(rv);
                x0 = _mm512_maskz_loadu_ps(m, p0 + r0);
                x1 = has1 ? _mm512_maskz_loadu_ps(m, p1 + r0) : _mm512_setzero_ps();
            }
            __m512i v = (__m512i)_mm512_cvtne2ps_pbh(x1, x0);
            v = _mm512_permutexvar_epi16(idx, v);
            _mm512_mask_storeu_epi32(d + r0, mask16(rn), v);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Micro-kernel                                                        */
/* ------------------------------------------------------------------ */
TGT static void kernel(int kc2, const uint32_t *restrict a,
                       const uint32_t *restrict b, float *restrict C, long ldc,
                       int mr, int nr, float alpha, float beta)
{
    __m512 acc[MR][NV];
    /* the C tile is touched only after the K loop: start fetching it now */
    for (int i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(C + (long)i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(C + (long)i * ldc + NR - 1), _MM_HINT_T0);
    }
LGMCL_UNROLL
    for (int i = 0; i < MR; i++)
LGMCL_UNROLL
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();

LGMCL_UNROLL2
    for (int p = 0; p < kc2; p++) {
        __m512bh bv[NV];
LGMCL_UNROLL
        for (int v = 0; v < NV; v++)
            bv[v] = (__m512bh)_mm512_load_si512((const void *)(b + 16 * v));
LGMCL_UNROLL
        for (int i = 0; i < MR; i++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[i]);
LGMCL_UNROLL
            for (int v = 0; v < NV; v++)
                acc[i][v] = _mm512_dpbf16_ps(acc[i][v], bv[v], av);
        }
        a += MR;
        b += NR;
    }

    __mmask16 mk[NV];
LGMCL_UNROLL
    for (int v = 0; v < NV; v++) mk[v] = mask16(nr - 16 * v);
    const __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
LGMCL_UNROLL
        for (int i = 0; i < MR; i++) {
            if (i < mr) {
                float *c = C + (long)i * ldc;
LGMCL_UNROLL
                for (int v = 0; v < NV; v++)
                    _mm512_mask_storeu_ps(c + 16 * v, mk[v],
                                          _mm512_mul_ps(acc[i][v], va));
            }
        }
    } else {
        /* β = 1 too: x · 1 is x exactly, and the tile is stored once per K block. */
        const __m512 vb = _mm512_set1_ps(beta);
LGMCL_UNROLL
        for (int i = 0; i < MR; i++) {
            if (i < mr) {
                float *c = C + (long)i * ldc;
LGMCL_UNROLL
                for (int v = 0; v < NV; v++) {
                    __m512 cv = _mm512_maskz_loadu_ps(mk[v], c + 16 * v);
                    cv = _mm512_mul_ps(cv, vb);
                    _mm512_mask_storeu_ps(c + 16 * v, mk[v],
                                          _mm512_fmadd_ps(acc[i][v], va, cv));
                }
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */
/* ------------------------------------------------------------------ */
static void scale_c(int M, int N, float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++) {
        float *c = C + (long)i * ldc;
        if (beta == 0.0f)
            memset(c, 0, sizeof(float) * (size_t)N);
        else if (beta != 1.0f)
            for (int j = 0; j < N; j++) c[j] *= beta;
    }
}

TGT static void gemm_impl(int transA, int transB, int M, int N, int K,
                          float alpha, const float *A, long lda,
                          const float *B, long ldb, float beta, float *C,
                          long ldc, uint32_t *ap, uint32_t *bp)
{
    for (int jc = 0; jc < N; jc += NC) {
        const int nc = (N - jc) < NC ? (N - jc) : NC;
        for (int pc = 0; pc < K; pc += KC) {
            const int kc = (K - pc) < KC ? (K - pc) : KC;
            const int kc2 = (kc + 1) / 2;
            const float beta_eff = pc == 0 ? beta : 1.0f;
            /* pack B block: kc x nc */
            for (int jr = 0; jr < nc; jr += NR) {
                uint32_t *dst = bp + (long)(jr / NR) * kc2 * NR;
                const int w = (nc - jr) < NR ? (nc - jr) : NR;
                if (!transB)
                    pack_rcontig(dst, NR, B + (long)pc * ldb + jc + jr, ldb, w, kc);
                else
                    pack_kcontig(dst, NR, B + (long)(jc + jr) * ldb + pc, ldb, w, kc);
            }
            for (int ic = 0; ic < M; ic += MC) {
                const int mc = (M - ic) < MC ? (M - ic) : MC;
                for (int ir = 0; ir < mc; ir += MR) {
                    uint32_t *dst = ap + (long)(ir / MR) * kc2 * MR;
                    const int w = (mc - ir) < MR ? (mc - ir) : MR;
                    if (!transA)
                        pack_kcontig(dst, MR, A + (long)(ic + ir) * lda + pc, lda, w, kc);
                    else
                        pack_rcontig(dst, MR, A + (long)pc * lda + ic + ir, lda, w, kc);
                }
                for (int jr = 0; jr < nc; jr += NR) {
                    const int nr = (nc - jr) < NR ? (nc - jr) : NR;
                    const uint32_t *bpp = bp + (long)(jr / NR) * kc2 * NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        const int mr = (mc - ir) < MR ? (mc - ir) : MR;
                        kernel(kc2, ap + (long)(ir / MR) * kc2 * MR, bpp,
                               C + (long)(ic + ir) * ldc + jc + jr, ldc, mr, nr,
                               alpha, beta_eff);
                    }
                }
            }
        }
    }
}

void lgmcl_gemm_bf16(int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    const int kcmax = K < KC ? K : KC;
    const size_t kc2 = (size_t)(kcmax + 1) / 2;
    const int mcmax = M < MC ? M : MC;
    const int ncmax = N < NC ? N : NC;
    const size_t mpan = (size_t)(mcmax + MR - 1) / MR;
    const size_t npan = (size_t)(ncmax + NR - 1) / NR;
    uint32_t *ap = grow(&g_apack, &g_apack_n, mpan * MR * kc2);
    uint32_t *bp = grow(&g_bpack, &g_bpack_n, npan * NR * kc2);
    if (!ap || !bp) {
        fprintf(stderr, "lgmcl_gemm_bf16: out of memory for the packing buffers (%d x %d x %d)\n", M, N, K);
        abort();
    }
    gemm_impl(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
              ap, bp);
}

#else
/* Not x86-64: no AVX512_BF16, and callers check before they call. */
#include <stdio.h>
#include <stdlib.h>

int lgmcl_gemm_bf16_available(void) { return 0; }

void lgmcl_gemm_bf16(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc)
{
    (void)transA; (void)transB; (void)M; (void)N; (void)K; (void)alpha; (void)A; (void)lda;
    (void)B; (void)ldb; (void)beta; (void)C; (void)ldc;
    fprintf(stderr, "lgmcl_gemm_bf16: bfloat16 products need x86-64 with AVX512_BF16\n");
    abort();
}

#endif
