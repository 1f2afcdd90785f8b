// cimlir CUDA kernels: elementwise steps on device memory, enqueued on a stream, with the
// CPU kernels' float32 arithmetic (no FMA contraction: the CUDA code is built with
// --fmad=false).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// y [M,N] = alpha·y + beta·C, C [cRows, cCols] broadcast (each 1 or the full extent); C null
/// means no C term.
void gemmEpilogue(float *y, int64_t M, int64_t N, float alpha, const float *C, int64_t cRows,
                  int64_t cCols, float beta, cudaStream_t stream);

/// y = x < 0 ? 0 : x over `count` floats (NaN stays NaN, as in the CPU kernel).
void relu(const float *x, float *y, int64_t count, cudaStream_t stream);

} // namespace cimlir::cuda
