#include "kernels/cuda/ConvLowering.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

namespace cimlir::cuda {

namespace {

__global__ void im2colKernel(const float *x, ConvPatches p, int64_t g, int64_t n0, int64_t n1,
                             float *out) {
  const int64_t K = p.groupChannels * p.taps;
  const int64_t count = (n1 - n0) * p.positions * K;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t row = idx / K, k = idx % K;
    const int64_t n = n0 + row / p.positions, pos = row % p.positions;
    const int64_t c = k / p.taps, q = k % p.taps;
    const int64_t offset = p.offsets[pos * p.taps + q];
    out[idx] = offset < 0 ? 0.0f : x[(n * p.channels + g * p.groupChannels + c) * p.plane + offset];
  }
}

__global__ void scatterKernel(const float *z, int64_t n0, int64_t n1, int64_t P, int64_t Ng,
                              int64_t g, int64_t outChannels, const float *bias, float *y) {
  const int64_t count = (n1 - n0) * Ng * P;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    // idx runs over y's layout (image, channel j, position p): coalesced writes.
    const int64_t p = idx % P, j = (idx / P) % Ng, image = idx / (P * Ng);
    const int64_t channel = g * Ng + j;
    const float v = z[(image * P + p) * Ng + j];
    y[((n0 + image) * outChannels + channel) * P + p] = bias ? v + bias[channel] : v;
  }
}

/// One output element per thread: its input positions found per axis from the taps, the
/// highest tap first, so that they come in rising input order (the outer axis outermost).
__global__ void transposedConvKernel(const float *z, TransposedConv t, int64_t n0, int64_t n1,
                                     int64_t Mg, int64_t g, int64_t outChannels, const float *bias,
                                     float *y) {
  const int64_t count = (n1 - n0) * Mg * t.outSize;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = idx % t.outSize, m = (idx / t.outSize) % Mg, image = idx / (t.outSize * Mg);
    int64_t pos[kMaxTransposedAxes];
    for (int64_t a = kMaxTransposedAxes - 1, r = o; a >= 0; --a) {
      pos[a] = r % t.out[a];
      r /= t.out[a];
    }
    // The input position and tap of axis a for its tap k, or -1 where k does not land on pos.
    auto inputAt = [&](int a, int64_t k) -> int64_t {
      const int64_t numerator = pos[a] + t.pad[a] - k * t.dilation[a];
      if (numerator < 0 || numerator % t.stride[a] != 0 || numerator / t.stride[a] >= t.in[a])
        return -1;
      return numerator / t.stride[a];
    };
    float sum = 0.0f;
    const float *rows = z + image * t.inSize * Mg * t.taps;
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
          const int64_t row = (i0 * t.in[1] + i1) * t.in[2] + i2;
          const int64_t tap = (k0 * t.kernel[1] + k1) * t.kernel[2] + k2;
          sum += rows[row * Mg * t.taps + m * t.taps + tap];
        }
      }
    }
    const int64_t channel = g * Mg + m;
    y[((n0 + image) * outChannels + channel) * t.outSize + o] = bias ? sum + bias[channel] : sum;
  }
}

} // namespace

void transposedConvOutput(const float *z, const TransposedConv &geometry, int64_t n0, int64_t n1,
                          int64_t groupOutputs, int64_t g, int64_t outChannels, const float *bias,
                          float *y, cudaStream_t stream) {
  const int64_t count = (n1 - n0) * groupOutputs * geometry.outSize;
  if (count == 0)
    return;
  transposedConvKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
      z, geometry, n0, n1, groupOutputs, g, outChannels, bias, y);
  checkLaunch("transposed conv output");
}

void im2col(const float *x, const ConvPatches &patches, int64_t g, int64_t n0, int64_t n1,
            float *out, cudaStream_t stream) {
  const int64_t count = (n1 - n0) * patches.positions * patches.groupChannels * patches.taps;
  if (count == 0)
    return;
  im2colKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, patches, g, n0, n1,
                                                                           out);
  checkLaunch("im2col");
}

void scatterConvOutput(const float *z, int64_t n0, int64_t n1, int64_t positions,
                       int64_t groupOutputs, int64_t g, int64_t outChannels, const float *bias,
                       float *y, cudaStream_t stream) {
  const int64_t count = (n1 - n0) * groupOutputs * positions;
  if (count == 0)
    return;
  scatterKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
      z, n0, n1, positions, groupOutputs, g, outChannels, bias, y);
  checkLaunch("conv output scatter");
}

} // namespace cimlir::cuda
