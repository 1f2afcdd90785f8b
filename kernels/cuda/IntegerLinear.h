// cimlir CUDA kernels: the pieces of MatMulInteger and ConvInteger on the GPU (kernels/cpu/
// IntegerLinear.h), exact as the CPU's: MatMulInteger's operands less their zero points widened
// to float64 for a cuBLAS DGEMM (every product and partial sum is an integer below 2^53, so the
// sum is exact in any order) and the sums wrapped to int32; ConvInteger as one kernel, each
// output's sum wrapping in 32 bits as the CPU's int64 sum does when stored.
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

/// ConvInteger's shape: up to kMaxIntegerConvAxes spatial axes.
constexpr int kMaxIntegerConvAxes = 6;
struct IntegerConv {
  int spatial = 0;
  int64_t images = 0, channels = 0, outputs = 0, groups = 1;
  int64_t in[kMaxIntegerConvAxes] = {}, kernel[kMaxIntegerConvAxes] = {},
          out[kMaxIntegerConvAxes] = {};
  int64_t stride[kMaxIntegerConvAxes] = {}, dilation[kMaxIntegerConvAxes] = {},
          pad[kMaxIntegerConvAxes] = {}; ///< pad: the leading pads
  int64_t inSize = 1, taps = 1, outSize = 1;
};

/// y [N, M, O...] (int32) = conv(x − xZero, w − wZero) for x of `xType` and w of `wType` (int8
/// or uint8, each with its zero points: xZero one value, wZero one or `outputs` values).
void convInteger(const void *x, DType xType, const void *xZero, const void *w, DType wType,
                 const void *wZero, int64_t wZeroCount, const IntegerConv &geometry, int32_t *y,
                 cudaStream_t stream);

} // namespace cimlir::cuda
