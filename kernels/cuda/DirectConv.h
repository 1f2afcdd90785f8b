// cimlir CUDA kernels: convolutions one thread per output, for the cases the im2col and GEMM
// path does not take: ConvInteger (exact, each sum wrapping in 32 bits as the CPU's int64 sum
// does when stored as int32) and a float32 Conv whose weights are an activation (no constant to
// lay out at load; the sums in float32 in another order than the CPU's BLAS, within its
// rounding).
#pragma once

#include "core/DType.h"
#include "kernels/cpu/Conv.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// A convolution's shape: up to kMaxDirectConvAxes spatial axes.
constexpr int kMaxDirectConvAxes = 6;
struct DirectConv {
  int spatial = 0;
  int64_t images = 0, channels = 0, outputs = 0, groups = 1;
  int64_t in[kMaxDirectConvAxes] = {}, kernel[kMaxDirectConvAxes] = {},
          out[kMaxDirectConvAxes] = {};
  int64_t stride[kMaxDirectConvAxes] = {}, dilation[kMaxDirectConvAxes] = {},
          pad[kMaxDirectConvAxes] = {}; ///< pad: the leading pads
  int64_t inSize = 1, taps = 1, outSize = 1;
};

/// The geometry of a convolution of `images` × `channels` inputs into `outputs` channels in
/// `groups`, from the CPU's extents (cpu::convExtents, cpu::convIntegerExtents). Throws
/// cimlir::Error beyond kMaxDirectConvAxes spatial axes, naming `kernel`.
DirectConv directConv(const char *kernel, const cpu::ConvExtents &e, int64_t images,
                      int64_t channels, int64_t outputs, int64_t groups);

/// y [N, M, O...] (int32) = conv(x − xZero, w − wZero) for x of `xType` and w of `wType` (int8
/// or uint8, each with its zero points: xZero one value, wZero one or `outputs` values).
void convInteger(const void *x, DType xType, const void *xZero, const void *w, DType wType,
                 const void *wZero, int64_t wZeroCount, const DirectConv &geometry, int32_t *y,
                 cudaStream_t stream);

/// y [N, M, O...] = conv(x, w) + bias (null: none), float32.
void convFloat(const float *x, const float *w, const float *bias, const DirectConv &geometry,
               float *y, cudaStream_t stream);

} // namespace cimlir::cuda
