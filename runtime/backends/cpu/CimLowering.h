// cimlir runtime: how a CimLinear convolution becomes the matrix products of the CIM kernel
// (cim-numerics.md §0): the im2col rows x [M,K] (the per-group weight matrices W_g [K,N] are
// kernels/cim/WeightLayout.h's).
//
// The K order of a convolution patch is ONNX's W[Cout, Cin/g, k1, ..., kd] flattened:
// k = ((c·k1 + d1)·k2 + d2)·... (for 2-D: (c·kh + dy)·kw + dx), so row m of W (one output
// channel) is column m of W_g as it lies in memory. Rows of a group's im2col matrix run over
// (image, output position) with the position row-major (oy·OW + ox), which is the row order
// §9 keys the fresh noise with.
#pragma once

#include "core/Tensor.h"
#include "runtime/exec/LinearStep.h"

#include <cstdint>
#include <vector>

namespace cimlir {

/// The im2col rows of images [n0, n1) of x [N, C, D...] for group g: row (n-n0)·P + p holds
/// the patch of output position p (P = positions()), K = patchSize() values in the order
/// above, zero where the patch reaches into the padding. `offsets` is geo.tapOffsets() of the
/// bound geometry; `out` has (n1-n0)·P·K floats.
void im2col(const float *x, const ConvGeometry &geo, const std::vector<int64_t> &offsets, int64_t g,
            int64_t n0, int64_t n1, float *out);

} // namespace cimlir
