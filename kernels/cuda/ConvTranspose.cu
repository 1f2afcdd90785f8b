#include "kernels/cuda/ConvTranspose.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"
#include "kernels/cuda/TransposedTaps.cuh"

namespace cimlir::cuda {

namespace {

/// One output per thread. The CPU adds x[ic, i]·w[ic, m, k] into y in rising input channel,
/// then rising input position i (TransposedTaps.cuh).
__global__ void convTransposeKernel(const float *x, const float *w, const float *bias,
                                    TransposedConv t, int64_t images, int64_t channels,
                                    int64_t outputs, int64_t groups, float *y) {
  const int64_t count = images * outputs * t.outSize;
  const int64_t Cg = channels / groups, Mg = outputs / groups;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = idx % t.outSize, m = (idx / t.outSize) % outputs,
                  image = idx / (t.outSize * outputs);
    const int64_t group = m / Mg, mg = m % Mg;
    float sum = bias ? bias[m] : 0.0f;
    for (int64_t ic = group * Cg; ic < (group + 1) * Cg; ++ic) {
      const float *plane = x + (image * channels + ic) * t.inSize;
      const float *filter = w + (ic * Mg + mg) * t.taps;
      forEachTransposedInput(
          t, o, [&](int64_t input, int64_t tap) { sum += plane[input] * filter[tap]; });
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
