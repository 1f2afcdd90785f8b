#include "kernels/cuda/IntegerLinear.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

template <typename T>
__global__ void widenKernel(const T *x, const T *zero, int64_t count, int64_t zeroDivisor,
                            int64_t zeroCount, double *out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = static_cast<double>(static_cast<int32_t>(x[i]) -
                                 static_cast<int32_t>(zero[(i / zeroDivisor) % zeroCount]));
}

__global__ void wrapKernel(const double *z, int64_t count, int32_t *y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(z[i])));
}

/// One output per thread: the CPU's loops over the group's channels and the kernel taps, the
/// sum in uint32 (wrapping: the low 32 bits of the CPU's int64 sum).
template <typename X, typename W>
__global__ void convIntegerKernel(const X *x, const X *xZero, const W *w, const W *wZero,
                                  int64_t wZeroCount, IntegerConv g, int32_t *y) {
  const int64_t count = g.images * g.outputs * g.outSize;
  const int64_t Cg = g.channels / g.groups, Mg = g.outputs / g.groups;
  const int32_t zx = static_cast<int32_t>(xZero[0]);
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t op = idx % g.outSize, m = (idx / g.outSize) % g.outputs,
                  n = idx / (g.outSize * g.outputs);
    int64_t o[kMaxIntegerConvAxes];
    int64_t rest = op;
    for (int d = g.spatial - 1; d >= 0; --d) {
      o[d] = rest % g.out[d];
      rest /= g.out[d];
    }
    const int64_t group = m / Mg;
    const int32_t zw = static_cast<int32_t>(wZero[wZeroCount == 1 ? 0 : m]);
    uint32_t sum = 0;
    for (int64_t c = 0; c < Cg; ++c) {
      const X *plane = x + (n * g.channels + group * Cg + c) * g.inSize;
      const W *filter = w + (m * Cg + c) * g.taps;
      for (int64_t kp = 0; kp < g.taps; ++kp) {
        int64_t pos = 0, stride = 1, r = kp;
        bool inside = true;
        for (int d = g.spatial - 1; d >= 0; --d) {
          const int64_t k = r % g.kernel[d];
          r /= g.kernel[d];
          const int64_t at = o[d] * g.stride[d] - g.pad[d] + k * g.dilation[d];
          inside = inside && at >= 0 && at < g.in[d];
          pos += at * stride;
          stride *= g.in[d];
        }
        if (!inside) // padding: X − x_zero_point is 0 there
          continue;
        const int32_t xv = static_cast<int32_t>(plane[pos]) - zx;
        const int32_t wv = static_cast<int32_t>(filter[kp]) - zw;
        sum += static_cast<uint32_t>(xv * wv); // |xv·wv| <= 255², no int32 overflow
      }
    }
    y[idx] = static_cast<int32_t>(sum);
  }
}

/// Calls f with a value of int8_t or uint8_t for `t`.
template <typename F> void withInt8Type(DType t, const char *what, F f) {
  if (t == DType::I8)
    return f(int8_t{});
  if (t == DType::U8)
    return f(uint8_t{});
  throw Error(std::string("internal: no GPU ") + what + " of " + dtypeName(t));
}

} // namespace

void widenLessZeroPoint(const void *x, const void *zero, DType t, int64_t count,
                        int64_t zeroDivisor, int64_t zeroCount, double *out, cudaStream_t stream) {
  if (count == 0)
    return;
  withInt8Type(t, "integer widening", [&](auto e) {
    using T = decltype(e);
    widenKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(x), static_cast<const T *>(zero), count, zeroDivisor, zeroCount,
        out);
  });
  checkLaunch("widening less the zero point");
}

void wrapToInt32(const double *z, int64_t count, int32_t *y, cudaStream_t stream) {
  if (count == 0)
    return;
  wrapKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(z, count, y);
  checkLaunch("wrapping to int32");
}

void convInteger(const void *x, DType xType, const void *xZero, const void *w, DType wType,
                 const void *wZero, int64_t wZeroCount, const IntegerConv &geometry, int32_t *y,
                 cudaStream_t stream) {
  const int64_t count = geometry.images * geometry.outputs * geometry.outSize;
  if (count == 0)
    return;
  withInt8Type(xType, "ConvInteger", [&](auto xe) {
    withInt8Type(wType, "ConvInteger", [&](auto we) {
      using X = decltype(xe);
      using W = decltype(we);
      convIntegerKernel<X, W><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
          static_cast<const X *>(x), static_cast<const X *>(xZero), static_cast<const W *>(w),
          static_cast<const W *>(wZero), wZeroCount, geometry, y);
    });
  });
  checkLaunch("ConvInteger");
}

} // namespace cimlir::cuda
