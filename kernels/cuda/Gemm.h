// cimlir CUDA kernels: ONNX Gemm in float32 on the GPU, the CPU kernel's arithmetic order
// (kernels/cpu/Gemm.h): Y is filled with beta·C (C broadcast; beta = 0 reads no C), then
// cublasSgemm adds alpha·op(A)·op(B) without TF32.
#pragma once

#include "kernels/cpu/Gemm.h"
#include "kernels/cuda/Blas.h"

namespace cimlir::cuda {

/// y [m,n] = alpha·op(a)·op(b) + beta·c on device memory; `e` from cpu::gemmExtents.
void gemm(Blas &blas, const float *a, const float *b, const float *c, const cpu::GemmExtents &e,
          float alpha, float beta, bool transA, bool transB, float *y);

/// numpy.matmul of float32 device memory with `e` from cpu::matmulExtents: one cuBLAS call
/// when B is shared by every batch, else strided-batched calls over the innermost batch axis.
void matmul(Blas &blas, const float *a, const float *b, const cpu::MatmulExtents &e, float *y);
/// The same in float64 (MatMulInteger's exact integer products).
void matmul(Blas &blas, const double *a, const double *b, const cpu::MatmulExtents &e, double *y);

/// z [M, N] = x [M, K] · w^T for w [N, K] (row-major, float32, no TF32): a convolution's
/// im2col rows times one group's filters.
void rowsTimesTransposed(Blas &blas, const float *x, int64_t M, int64_t K, const float *w,
                         int64_t N, float *z);
/// The same in float64 (ConvInteger's exact integer products).
void rowsTimesTransposed(Blas &blas, const double *x, int64_t M, int64_t K, const double *w,
                         int64_t N, double *z);

} // namespace cimlir::cuda
