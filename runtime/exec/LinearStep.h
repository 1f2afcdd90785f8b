// cimlir runtime: a step that computes a layer as one matrix product per group,
// z = f(x_g · W_g) (CimLinear and DigitalLinear, docs/plan-format.md), decoded for every
// backend: its kind (gemm, matmul, conv, or the hidden product of a recurrent cell: rnn, gru,
// lstm), the kind's attributes, the convolution's geometry and
// where each group's matrix W_g [K,N] lies in W (cim-numerics.md §0). How a backend lowers x to
// rows and assembles y is its own (backends/cpu/LinearStepLayout.h).
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/WeightLayout.h"
#include "kernels/cpu/LayerNormPrologue.h"
#include "kernels/cpu/Recurrent.h"
#include "runtime/exec/RecurrentAttrs.h"
#include "runtime/exec/StepAttrs.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// A convolution's shape: the attributes (normalised as for the Conv step: one entry per
/// spatial axis, pads all begins then all ends) and, once bound to an input, its extents.
struct ConvGeometry {
  int64_t channels = 0;    ///< C
  int64_t outChannels = 0; ///< M
  int64_t groups = 1;
  std::vector<int64_t> kernel, strides, pads, dilations;
  std::vector<int64_t> in, out; ///< spatial extents of x and y (set by bind)

  int64_t spatialRank() const { return static_cast<int64_t>(kernel.size()); }
  int64_t channelsPerGroup() const { return channels / groups; }
  int64_t outputsPerGroup() const { return outChannels / groups; }
  /// K of a group: (C/groups)·prod(k).
  int64_t patchSize() const;
  /// Output positions per image, prod(O): the rows per sample of §9.
  int64_t positions() const;
  /// Sets `in` from x [N, C, D1..Dd] and computes `out` (core/ShapeMath.h fitWindow); what
  /// does not fit, or "".
  std::string bind(const Shape &xShape);
  /// For a bound geometry: entry p·taps + q is the offset within one input channel's plane
  /// that tap q (row-major over the kernel) of output position p (row-major) reads, or -1 in
  /// the padding. im2col of any backend is out[.., c·taps + q] = plane_c[offset] or 0.
  std::vector<int64_t> tapOffsets() const;
};

enum class LinearKind { Gemm, MatMul, Conv, ConvTranspose, Recurrent };

struct LinearStep {
  LinearKind kind = LinearKind::Gemm;
  float alpha = 1.0f, beta = 1.0f; ///< gemm
  bool transB = false;             ///< gemm
  /// A ReLU fused into the step (cim-fuse-activations): y = max(y, 0) last, after the bias.
  /// Not for the recurrent kind.
  bool relu = false;
  /// A LayerNormalization fused into the step's input (cim-fuse-normalization; gemm and matmul
  /// of a CimLinear step): x's rows are normalised over K first, as the LayerNormalization step
  /// computes them; its scale and bias [K] are the inputs it names, after the layer's own.
  std::optional<cpu::LayerNormPrologue> layerNorm;
  /// conv (not bound to an input); conv_transpose too, with `channels` C and `outChannels` M
  /// of the transposed convolution (W [C, M/g, k...]); its output extents come from y.
  ConvGeometry conv;
  /// rnn, gru, lstm: the cell around the hidden product H·R_d^T (W [D, G·H, H] is R; x the
  /// input gates [seq, batch, D·G·H]), and where its optional ONNX operands are among the
  /// inputs after R (B [D, 2·G·H], whose R half is read; sequence_lens, initial_h, initial_c,
  /// P); the outputs are Y, Y_h and LSTM's Y_c.
  cpu::RecurrentSpec cell;
  RecurrentInputs recurrentInputs{};
  /// Where each group's W_g [K,N] lies in the step's W: W itself (matmul, gemm), its
  /// transpose (gemm with transB) or the group's output channels flattened (conv); the same
  /// definition the compiler quantizes weights with.
  cim::WeightLayout weights;
  int64_t k = 0, n = 0; ///< K and N of each group's matrix

  /// Reads the step's kind, arity, W (input 1, a constant of element type `weightType`:
  /// float32 for DigitalLinear, the integer levels for CimLinear; `weightWhat` describes it in
  /// the message) and the kind's attributes. `constantWhy` ends the message for a W that is not
  /// a constant ("... is not a constant: <why>"). Fails through `a` (one line naming the step)
  /// on anything malformed.
  static LinearStep decode(const StepAttrs &a, const std::string &constantWhy, DType weightType,
                           const std::string &weightWhat);

  /// A plain Conv step (W a float32 constant) as a conv-kind linear step: the same attributes
  /// (strides, pads, dilations, group) and checks as decode's conv kind.
  static LinearStep convolution(const StepAttrs &a);

  /// The step inputs that are the layer's own (x, W, a Gemm's C, a convolution's bias, a
  /// recurrent layer's optional operands): all but a fused normalisation's.
  size_t layerInputs(size_t stepInputs) const {
    return layerNorm ? static_cast<size_t>(layerNorm->layerInputs()) : stepInputs;
  }
  /// Checks a fused normalisation's scale and bias (float32 [K]) among the step's inputs.
  void checkLayerNorm(const std::vector<const Tensor *> &in) const;

  /// Groups (1 unless conv, or a recurrent layer's directions).
  int64_t groups() const {
    return kind == LinearKind::Conv || kind == LinearKind::ConvTranspose ? conv.groups
           : kind == LinearKind::Recurrent                               ? cell.directions()
                                                                         : 1;
  }
  /// "gemm", "matmul", "conv", "conv_transpose", "rnn", "gru" or "lstm".
  const char *kindName() const;
  /// W_g [K,N] of group g, copied out of the step's W.
  Tensor groupWeights(const StepAttrs &a, int64_t g) const;

  // The shapes of one run, checked the same way on every backend (cimlir::Error, one line,
  // for inputs the step cannot take); each backend lowers and assembles on its own memory.

  /// gemm: x [M,K], y [M,N] and C (null, or float32 of rank <= 2 broadcasting to y).
  struct GemmShape {
    int64_t M = 0, cRows = 1, cCols = 1;
  };
  GemmShape bindGemm(const Tensor &x, const Tensor &y, const Tensor *c) const;
  /// matmul: x [..., K] of rank >= 2, y [..., N] and the bias (null or float32 [N], added to
  /// every row after the product, as §6 adds it); the rows of §9: every row of a 2-D x is a
  /// sample, an N-D x has x.dim(0) samples of rowsPerSample rows.
  struct MatMulShape {
    int64_t M = 0, rowsPerSample = 1;
  };
  MatMulShape bindMatMul(const Tensor &x, const Tensor &y, const Tensor *bias) const;
  /// conv: x [N, C, D...], y [N, M, O...] and the bias (null or float32 [M]); returns the
  /// geometry bound to x (its `in` and `out`).
  ConvGeometry bindConv(const Tensor &x, const Tensor &y, const Tensor *bias) const;
  /// conv_transpose: x [N, C, D...], y [N, M, O...] with conv's spatial rank and the bias (null
  /// or float32 [M]); throws cimlir::Error naming what does not fit.
  void checkConvTranspose(const Tensor &x, const Tensor &y, const Tensor *bias) const;
};

} // namespace cimlir
