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

} // namespace cimlir::cuda
