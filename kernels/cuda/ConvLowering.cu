#include "kernels/cuda/ConvLowering.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"
#include "kernels/cuda/TransposedTaps.cuh"

#include <cstdint>

namespace cimlir::cuda {

namespace {

/// `Index`: int32_t where every index fits (the common case: int64 divisions cost tens of
/// instructions each, and made these kernels compute-bound), else int64_t.
template <typename Index>
__global__ void im2colKernel(const float *x, ConvPatches p, int64_t g, int64_t n0, int64_t n1,
                             float *out) {
  const Index K = static_cast<Index>(p.groupChannels * p.taps);
  const Index positions = static_cast<Index>(p.positions), taps = static_cast<Index>(p.taps);
  const Index count = static_cast<Index>((n1 - n0) * p.positions * K);
  const float *images = x + (n0 * p.channels + g * p.groupChannels) * p.plane;
  for (Index idx = blockIdx.x * Index(blockDim.x) + threadIdx.x; idx < count;
       idx += Index(gridDim.x) * blockDim.x) {
    const Index row = idx / K, k = idx % K;
    const Index n = row / positions, pos = row % positions;
    const Index c = k / taps, q = k % taps;
    const int64_t offset = p.offsets[pos * taps + q];
    out[idx] = offset < 0 ? 0.0f : images[(n * p.channels + c) * p.plane + offset];
  }
}

template <typename Index>
__global__ void scatterKernel(const float *z, int64_t n0, int64_t n1, int64_t P, int64_t Ng,
                              int64_t g, int64_t outChannels, const float *bias, float *y) {
  const Index count = static_cast<Index>((n1 - n0) * Ng * P);
  const Index positions = static_cast<Index>(P), groupOutputs = static_cast<Index>(Ng);
  for (Index idx = blockIdx.x * Index(blockDim.x) + threadIdx.x; idx < count;
       idx += Index(gridDim.x) * blockDim.x) {
    // idx runs over y's layout (image, channel j, position p): coalesced writes.
    const Index p = idx % positions, j = (idx / positions) % groupOutputs,
                image = idx / (positions * groupOutputs);
    const int64_t channel = g * Ng + j;
    const float v = z[(static_cast<int64_t>(image) * P + p) * Ng + j];
    y[((n0 + image) * outChannels + channel) * P + p] = bias ? v + bias[channel] : v;
  }
}

/// Whether every index of a grid-stride kernel over `count` elements fits int32 (the stride
/// included: gridStrideBlocks caps the grid at 2^28 threads).
bool fitsInt32(int64_t count) { return count <= INT32_MAX - (int64_t(1) << 28); }

/// One output element per thread, adding its inputs' contributions in the CPU's order
/// (TransposedTaps.cuh).
__global__ void transposedConvKernel(const float *z, TransposedConv t, int64_t n0, int64_t n1,
                                     int64_t Mg, int64_t g, int64_t outChannels, const float *bias,
                                     float *y) {
  const int64_t count = (n1 - n0) * Mg * t.outSize;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = idx % t.outSize, m = (idx / t.outSize) % Mg, image = idx / (t.outSize * Mg);
    float sum = 0.0f;
    const float *rows = z + image * t.inSize * Mg * t.taps;
    forEachTransposedInput(
        t, o, [&](int64_t row, int64_t tap) { sum += rows[row * Mg * t.taps + m * t.taps + tap]; });
    const int64_t channel = g * Mg + m;
    y[((n0 + image) * outChannels + channel) * t.outSize + o] = bias ? sum + bias[channel] : sum;
  }
}

} // namespace

TransposedConv transposedConv(const std::vector<int64_t> &x, const std::vector<int64_t> &y,
                              const std::vector<int64_t> &kernel,
                              const std::vector<int64_t> &strides,
                              const std::vector<int64_t> &padBegin,
                              const std::vector<int64_t> &dilations) {
  const int64_t d = static_cast<int64_t>(x.size()) - 2;
  TransposedConv t;
  t.axes = static_cast<int>(d);
  for (int64_t a = 0; a < d; ++a) { // the spatial axes last, the others of extent 1
    const int64_t at = kMaxTransposedAxes - d + a;
    const size_t i = static_cast<size_t>(a);
    t.in[at] = x[2 + i];
    t.out[at] = y[2 + i];
    t.kernel[at] = kernel[i];
    t.stride[at] = strides[i];
    t.pad[at] = padBegin[i];
    t.dilation[at] = dilations[i];
    t.inSize *= t.in[at];
    t.outSize *= t.out[at];
    t.taps *= t.kernel[at];
  }
  return t;
}

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
  if (fitsInt32(count))
    im2colKernel<int32_t>
        <<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, patches, g, n0, n1, out);
  else
    im2colKernel<int64_t>
        <<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, patches, g, n0, n1, out);
  checkLaunch("im2col");
}

void scatterConvOutput(const float *z, int64_t n0, int64_t n1, int64_t positions,
                       int64_t groupOutputs, int64_t g, int64_t outChannels, const float *bias,
                       float *y, cudaStream_t stream) {
  const int64_t count = (n1 - n0) * groupOutputs * positions;
  if (count == 0)
    return;
  if (fitsInt32(count))
    scatterKernel<int32_t><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        z, n0, n1, positions, groupOutputs, g, outChannels, bias, y);
  else
    scatterKernel<int64_t><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        z, n0, n1, positions, groupOutputs, g, outChannels, bias, y);
  checkLaunch("conv output scatter");
}

} // namespace cimlir::cuda
