// cimlir CUDA kernels: the ONNX ConvTranspose op in float32 (kernels/cpu/Conv.h's convTranspose),
// one thread per output adding its contributions in the CPU's order, so the output is the CPU's
// bits. (The CIM and digital layers of kind conv_transpose take the product path instead,
// kernels/cuda/ConvLowering.h.)
#pragma once

#include "kernels/cuda/ConvLowering.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// y [N, M, O...] = bias (or 0) + the transposed convolution of x [N, C, D...] with
/// w [C, M/groups, K...], `geometry` holding up to kMaxTransposedAxes spatial axes.
void convTranspose(const float *x, const float *w, const float *bias,
                   const TransposedConv &geometry, int64_t images, int64_t channels,
                   int64_t outputs, int64_t groups, float *y, cudaStream_t stream);

} // namespace cimlir::cuda
