// cimlir CPU kernels: N-d convolution (1-D, 2-D, 3-D), float32.
#pragma once

#include "core/Tensor.h"

#include <vector>

namespace cimlir::cpu {

/// Attributes after the compiler's normalisation: every list has one entry per spatial
/// axis (pads: all begins, then all ends, as ONNX orders them); auto_pad already resolved.
struct ConvParams {
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
  int64_t group = 1;
};

/// A convolution's extents and per-axis attributes (spelled out).
struct ConvExtents {
  size_t k = 0;                    ///< spatial rank
  std::vector<int64_t> in, kernel; ///< D1..Dk, K1..Kk
  std::vector<int64_t> out;        ///< O1..Ok
  std::vector<int64_t> strides, padBegin, dilations;
  int64_t inSize = 1, kernelSize = 1, outSize = 1;
};
/// Checks conv's operands as it does (float32, ranks, group, B, each window and Y's extents)
/// and returns the extents. Reads only shapes and dtypes (the CUDA backend's too).
ConvExtents convExtents(const Tensor &x, const Tensor &w, const Tensor *b, const ConvParams &p,
                        const Tensor &y);

/// X [N, C, D1..Dk], W [M, C/group, K1..Kk], B [M] or null; Y pre-allocated [N, M, O1..Ok].
void conv(const Tensor &x, const Tensor &w, const Tensor *b, const ConvParams &p, Tensor &y);

/// A transposed convolution's per-axis attributes (spelled out).
struct ConvTransposeGeometry {
  std::vector<int64_t> strides, dilations, pads; ///< pads: the begins, then the ends
};
/// Checks convTranspose's operands as it does (float32, ranks, group, attributes, B) and
/// returns the attributes per axis. Reads only shapes and dtypes (the CUDA backend's too).
ConvTransposeGeometry convTransposeGeometry(const Tensor &x, const Tensor &w, const Tensor *b,
                                            const ConvParams &p, const Tensor &y);

/// ONNX ConvTranspose with the same normalised attributes (output_padding and output_shape
/// already folded into Y's shape and the pads): X [N, C, D1..Dk], W [C, M/group, K1..Kk],
/// B [M] or null; Y [N, M, O1..Ok]. Every input position scatters into
/// O = D * stride - pad_begin + K * dilation; positions outside Y are dropped. Each output is
/// B (or 0) plus its contributions in float32, in rising input channel, then input position.
void convTranspose(const Tensor &x, const Tensor &w, const Tensor *b, const ConvParams &p,
                   Tensor &y);

} // namespace cimlir::cpu
