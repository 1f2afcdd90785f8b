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

} // namespace

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
