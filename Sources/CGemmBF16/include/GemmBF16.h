/* GemmBF16.h - BF16 (AVX512_BF16) matrix product, single-threaded, row-major.
 *
 * C = alpha * op(A) * op(B) + beta * C
 *   op(X) = X if transX == 0, X^T otherwise (row-major, like cblas_sgemm with
 *   CblasRowMajor). op(A) is M x K, op(B) is K x N, C is M x N.
 *   Inputs are rounded to bfloat16 (round-to-nearest-even; fp32 denormal
 *   inputs become signed zero, as the AVX512_BF16 instructions do), products are
 *   accumulated in float32. beta == 0 overwrites C without reading it.
 *
 * Call lgmcl_gemm_bf16_available() first; when it returns 0 the CPU/OS lacks
 * AVX512F+BW+VL+BF16 (or ZMM state) and lgmcl_gemm_bf16 must not be called.
 */
#ifndef LGMCL_GEMM_BF16_H
#define LGMCL_GEMM_BF16_H

#ifdef __cplusplus
extern "C" {
#endif

int lgmcl_gemm_bf16_available(void);

void lgmcl_gemm_bf16(int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc);

#ifdef __cplusplus
}
#endif

#endif
