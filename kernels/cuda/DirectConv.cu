#include "kernels/cuda/DirectConv.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

/// Output idx's taps that fall inside x: visit(plane offset of x, offset in w) for each group
/// channel, then each kernel tap, in the CPU's order (c · taps + tap); `m` is idx's channel.
template <typename Visit>
__device__ void forEachTap(const DirectConv &g, int64_t idx, int64_t &m, Visit visit) {
  const int64_t Cg = g.channels / g.groups, Mg = g.outputs / g.groups;
  const int64_t op = idx % g.outSize, n = idx / (g.outSize * g.outputs);
  m = (idx / g.outSize) % g.outputs;
  int64_t o[kMaxDirectConvAxes];
  int64_t rest = op;
  for (int d = g.spatial - 1; d >= 0; --d) {
    o[d] = rest % g.out[d];
    rest /= g.out[d];
  }
  const int64_t group = m / Mg;
  for (int64_t c = 0; c < Cg; ++c) {
    const int64_t plane = (n * g.channels + group * Cg + c) * g.inSize;
    const int64_t filter = (m * Cg + c) * g.taps;
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
      if (inside) // padding contributes nothing (X − x_zero_point is 0 there)
        visit(plane + pos, filter + kp);
    }
  }
}

/// The sum in uint32: the low 32 bits of the CPU's int64 sum.
template <typename X, typename W>
__global__ void convIntegerKernel(const X *x, const X *xZero, const W *w, const W *wZero,
                                  int64_t wZeroCount, DirectConv g, int32_t *y) {
  const int64_t count = g.images * g.outputs * g.outSize;
  const int32_t zx = static_cast<int32_t>(xZero[0]);
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    uint32_t sum = 0;
    int64_t m = 0;
    int32_t zw = 0;
    forEachTap(g, idx, m, [&](int64_t xi, int64_t wi) {
      zw = static_cast<int32_t>(wZero[wZeroCount == 1 ? 0 : m]);
      const int32_t xv = static_cast<int32_t>(x[xi]) - zx;
      const int32_t wv = static_cast<int32_t>(w[wi]) - zw;
      sum += static_cast<uint32_t>(xv * wv); // |xv·wv| <= 255², no int32 overflow
    });
    y[idx] = static_cast<int32_t>(sum);
  }
}

__global__ void convFloatKernel(const float *x, const float *w, const float *bias, DirectConv g,
                                float *y) {
  const int64_t count = g.images * g.outputs * g.outSize;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    float sum = 0.0f;
    int64_t m = 0;
    forEachTap(g, idx, m, [&](int64_t xi, int64_t wi) { sum += x[xi] * w[wi]; });
    y[idx] = bias ? sum + bias[m] : sum;
  }
}

} // namespace

DirectConv directConv(const char *kernel, const cpu::ConvExtents &e, int64_t images,
                      int64_t channels, int64_t outputs, int64_t groups) {
  if (e.k > static_cast<size_t>(kMaxDirectConvAxes))
    throw Error(std::string(kernel) + ": " + std::to_string(e.k) +
                " spatial axes, more than the GPU's " + std::to_string(kMaxDirectConvAxes));
  DirectConv g;
  g.spatial = static_cast<int>(e.k);
  g.images = images;
  g.channels = channels;
  g.outputs = outputs;
  g.groups = groups;
  for (size_t d = 0; d < e.k; ++d) {
    g.in[d] = e.in[d];
    g.kernel[d] = e.kernel[d];
    g.out[d] = e.out[d];
    g.stride[d] = e.strides[d];
    g.dilation[d] = e.dilations[d];
    g.pad[d] = e.padBegin[d];
  }
  g.inSize = e.inSize;
  g.taps = e.kernelSize;
  g.outSize = e.outSize;
  return g;
}

void convInteger(const void *x, DType xType, const void *xZero, const void *w, DType wType,
                 const void *wZero, int64_t wZeroCount, const DirectConv &geometry, int32_t *y,
                 cudaStream_t stream) {
  const int64_t count = geometry.images * geometry.outputs * geometry.outSize;
  if (count == 0)
    return;
  bool typed = false;
  withInt8Type(xType, [&](auto xe) {
    typed = withInt8Type(wType, [&](auto we) {
      using X = decltype(xe);
      using W = decltype(we);
      convIntegerKernel<X, W><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
          static_cast<const X *>(x), static_cast<const X *>(xZero), static_cast<const W *>(w),
          static_cast<const W *>(wZero), wZeroCount, geometry, y);
    });
  });
  if (!typed)
    throw Error(std::string("internal: no GPU ConvInteger of ") + dtypeName(xType) + " and " +
                dtypeName(wType));
  checkLaunch("ConvInteger");
}

void convFloat(const float *x, const float *w, const float *bias, const DirectConv &geometry,
               float *y, cudaStream_t stream) {
  const int64_t count = geometry.images * geometry.outputs * geometry.outSize;
  if (count == 0)
    return;
  convFloatKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, w, bias, geometry,
                                                                              y);
  checkLaunch("direct convolution");
}

} // namespace cimlir::cuda
