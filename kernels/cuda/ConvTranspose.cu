#include "kernels/cuda/ConvTranspose.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

namespace cimlir::cuda {

namespace {

/// One output per thread. The CPU adds x[ic, i]·w[ic, m, k] into y in rising input channel,
/// then rising input position i; along each axis the positions that reach an output come from
/// its taps, the highest tap first (i = (o + pad − k·dilation) / stride falls as k rises).
__global__ void convTransposeKernel(const float *x, const float *w, const float *bias,
                                    TransposedConv t, int64_t images, int64_t channels,
                                    int64_t outputs, int64_t groups, float *y) {
  const int64_t count = images * outputs * t.outSize;
  const int64_t Cg = channels / groups, Mg = outputs / groups;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = idx % t.outSize, m = (idx / t.outSize) % outputs,
                  image = idx / (t.outSize * outputs);
    int64_t pos[kMaxTransposedAxes];
    for (int64_t a = kMaxTransposedAxes - 1, r = o; a >= 0; --a) {
      pos[a] = r % t.out[a];
      r /= t.out[a];
    }
    auto inputAt = [&](int a, int64_t k) -> int64_t {
      const int64_t numerator = pos[a] + t.pad[a] - k * t.dilation[a];
      if (numerator < 0 || numerator % t.stride[a] != 0 || numerator / t.stride[a] >= t.in[a])
        return -1;
      return numerator / t.stride[a];
    };
    const int64_t group = m / Mg, mg = m % Mg;
    float sum = bias ? bias[m] : 0.0f;
    for (int64_t ic = group * Cg; ic < (group + 1) * Cg; ++ic) {
      const float *plane = x + (image * channels + ic) * t.inSize;
      const float *filter = w + (ic * Mg + mg) * t.taps;
      for (int64_t k0 = t.kernel[0] - 1; k0 >= 0; --k0) {
        const int64_t i0 = inputAt(0, k0);
        if (i0 < 0)
          continue;
        for (int64_t k1 = t.kernel[1] - 1; k1 >= 0; --k1) {
          const int64_t i1 = inputAt(1, k1);
          if (i1 < 0)
            continue;
          for (int64_t k2 = t.kernel[2] - 1; k2 >= 0; --k2) {
            const int64_t i2 = inputAt(2, k2);
            if (i2 < 0)
              continue;
            sum += plane[(i0 * t.in[1] + i1) * t.in[2] + i2] *
                   filter[(k0 * t.kernel[1] + k1) * t.kernel[2] + k2];
          }
        }
      }
    }
    y[idx] = sum;
  }
}

} // namespace

void convTranspose(const float *x, const float *w, const float *bias,
                   const TransposedConv &geometry, int64_t images, int64_t channels,
                   int64_t outputs, int64_t groups, float *y, cudaStream_t stream) {
  const int64_t count = images * outputs * geometry.outSize;
  if (count == 0)
    return;
  convTransposeKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
      x, w, bias, geometry, images, channels, outputs, groups, y);
  checkLaunch("ConvTranspose");
}

} // namespace cimlir::cuda
