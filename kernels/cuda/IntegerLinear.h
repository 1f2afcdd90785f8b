// cimlir CUDA kernels: MatMulInteger's pieces on the GPU (kernels/cpu/IntegerLinear.h), exact as
// the CPU's: the operands less their zero points widened to float64 for a cuBLAS DGEMM (every
// product and partial sum is an integer below 2^53, so the sum is exact in any order) and the
// sums wrapped to int32. (ConvInteger: kernels/cuda/DirectConv.h.)
#pragma once

#include "core/DType.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// out[i] = x[i] − zero[(i / zeroDivisor) % zeroCount] in float64, for `count` elements; x and
/// the zero points of `t` (int8 or uint8). One zero point: zeroCount 1.
void widenLessZeroPoint(const void *x, const void *zero, DType t, int64_t count,
                        int64_t zeroDivisor, int64_t zeroCount, double *out, cudaStream_t stream);

/// y[i] = z[i] (an exact integer) wrapped to int32, as the CPU stores its int64 sums.
void wrapToInt32(const double *z, int64_t count, int32_t *y, cudaStream_t stream);

} // namespace cimlir::cuda
