// cimlir CUDA kernels: a convolution as matrix products (cim-numerics.md §0), on device memory:
// the im2col rows of a group and the scatter of the product back to [N, M, O...] with the bias.
// The same layout as the CPU's (runtime/backends/cpu/CimLowering.h), from the same tap offsets
// (ConvGeometry::tapOffsets).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

namespace cimlir::cuda {

/// Where the patches of one convolution come from: x [N, C, plane] with `groupChannels`
/// channels per group, P output positions and `taps` kernel taps; offsets [P·taps] (device).
struct ConvPatches {
  int64_t channels = 0, plane = 0, groupChannels = 0, positions = 0, taps = 0;
  const int64_t *offsets = nullptr;
};

/// out [(n1-n0)·P, groupChannels·taps]: row (n-n0)·P + p, column c·taps + q holds
/// x[n, g·groupChannels + c, offsets[p·taps + q]], or 0 where the offset is -1.
void im2col(const float *x, const ConvPatches &patches, int64_t g, int64_t n0, int64_t n1,
            float *out, cudaStream_t stream);

/// y[n, g·groupOutputs + j, p] = z[(n-n0)·P + p, j] (+ bias[g·groupOutputs + j]) for images
/// [n0, n1); y has `outChannels` channels of P positions.
void scatterConvOutput(const float *z, int64_t n0, int64_t n1, int64_t positions,
                       int64_t groupOutputs, int64_t g, int64_t outChannels, const float *bias,
                       float *y, cudaStream_t stream);

/// A transposed convolution's geometry for transposedConvOutput: up to kMaxTransposedAxes
/// spatial axes (the others of extent 1), per axis the input and output extents, kernel,
/// stride, leading pad and dilation.
constexpr int kMaxTransposedAxes = 3;
struct TransposedConv {
  int axes = 0;
  int64_t in[kMaxTransposedAxes] = {1, 1, 1}, out[kMaxTransposedAxes] = {1, 1, 1};
  int64_t kernel[kMaxTransposedAxes] = {1, 1, 1}, stride[kMaxTransposedAxes] = {1, 1, 1};
  int64_t pad[kMaxTransposedAxes] = {0, 0, 0}, dilation[kMaxTransposedAxes] = {1, 1, 1};
  int64_t inSize = 1, outSize = 1, taps = 1;
};

/// The geometry of a transposed convolution of x [N, C, D...] into y [N, M, O...], at most
/// kMaxTransposedAxes spatial axes (the caller checked): per spatial axis the kernel extent,
/// stride, leading pad (padBegin's first entries) and dilation.
TransposedConv transposedConv(const std::vector<int64_t> &x, const std::vector<int64_t> &y,
                              const std::vector<int64_t> &kernel,
                              const std::vector<int64_t> &strides,
                              const std::vector<int64_t> &padBegin,
                              const std::vector<int64_t> &dilations);

/// The col2im of a transposed convolution, for images [n0, n1) and group g: y[n, g·Mg + m, o]
/// = the sum of z[(n-n0)·inSize + i, m·taps + t] over the input positions i whose tap t lands
/// on o, added in rising i from 0 as the CPU adds them, then + bias[channel] (bias may be
/// null). Writes every element of the group's channels of those images; y has `outChannels`.
void transposedConvOutput(const float *z, const TransposedConv &geometry, int64_t n0, int64_t n1,
                          int64_t groupOutputs, int64_t g, int64_t outChannels, const float *bias,
                          float *y, cudaStream_t stream);

} // namespace cimlir::cuda
