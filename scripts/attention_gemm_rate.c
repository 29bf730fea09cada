// The attention products of the text encoder (small preset: 64 molecules, 4 heads, L 160, d_h 32)
// as lgmcl calls them: each (molecule, head) block read in place through the leading dimension
// (d = 128), over maps too large for cache, against scripts/sgemm_rate.c. One thread:
//   gcc -O2 scripts/attention_gemm_rate.c -o /tmp/attention_gemm_rate -lopenblas && OPENBLAS_NUM_THREADS=1 /tmp/attention_gemm_rate [MOLECULES]
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
// P.V over M molecules x H heads: P (M,H,L,L) contiguous; V (M,L,d) heads as column blocks; out (M,L,d)
int main(int argc,char**argv){
  int M=argc > 1 ? atoi(argv[1]) : 64,H=4,L=160,dh=32,d=128;   // molecules: 1 or 2 keep the blocks in cache
  float*P=malloc(sizeof(float)*M*H*L*L),*V=malloc(sizeof(float)*M*L*d),*O=malloc(sizeof(float)*M*L*d);
  float*Q=malloc(sizeof(float)*M*L*d),*K=malloc(sizeof(float)*M*L*d);
  for(long i=0;i<(long)M*H*L*L;i++)P[i]=0.001f; for(long i=0;i<(long)M*L*d;i++){V[i]=0.5f;Q[i]=0.1f;K[i]=0.2f;}
  for(int rep=0;rep<3;rep++){
  double t=now();
  for(int m=0;m<M;m++)for(int h=0;h<H;h++)
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,L,dh,L,1,P+((long)m*H+h)*L*L,L,V+(long)m*L*d+h*dh,d,0,O+(long)m*L*d+h*dh,d);
  t=now()-t; printf("PV strided: %.1f GFLOP/s\n",2.0*M*H*L*L*dh/t/1e9);
  t=now();
  for(int h=0;h<H;h++)for(int m=0;m<M;m++)
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,L,L,dh,1,Q+(long)m*L*d+h*dh,d,K+(long)m*L*d+h*dh,d,0,P+((long)h*M+m)*L*L,L);
  t=now()-t; printf("QK strided: %.1f GFLOP/s\n",2.0*M*H*L*L*dh/t/1e9);
  t=now();
  for(int m=0;m<M;m++)for(int h=0;h<H;h++)
    cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,L,dh,L,1,P+((long)m*H+h)*L*L,L,O+(long)m*L*d+h*dh,d,1,V+(long)m*L*d+h*dh,d);
  t=now()-t; printf("dV = P^T G strided: %.1f GFLOP/s\n",2.0*M*H*L*L*dh/t/1e9);
  }
  return 0;}
