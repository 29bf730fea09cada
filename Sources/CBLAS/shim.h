#ifndef LGMCL_CBLAS_SHIM_H
#define LGMCL_CBLAS_SHIM_H
#include <cblas.h>

/* LAPACK routines OpenBLAS exports (Fortran calling convention: every argument by pointer).
   Debian's OpenBLAS ships no lapacke.h beside cblas.h, so the two used are declared here. */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b,
            const int *ldb, int *info);
#endif
