// cimlir CPU kernels: a LayerNormalization fused into the input of the CIM layer it feeds
// (cim-fuse-normalization), as a CIM macro's digital periphery would normalise a row on its
// way to the DACs: no normalised tensor is written between the two.
//
// The layer's x [..., K] (a Gemm's or MatMul's rows) is normalised over its last axis exactly
// as the LayerNormalization step computes it (cpu::layerNorm with axis = last: mean and
// variance in float64, y = fl32((x - mean) · invStdDev · scale + bias)), and §3 then
// quantizes those rows; so a fused plan gives the bits of the unfused one. The fields and
// their rules are written once here, for the IR verifier (cim.linear's `layer_norm`) and the
// plan reader (the CimLinear step's `layer_norm`).
#pragma once

#include <cstdint>
#include <string>

namespace cimlir::cpu {

struct LayerNormPrologue {
  /// The attribute of cim.linear and the field of the CimLinear step, and its entries.
  static constexpr const char *kField = "layer_norm";
  static constexpr const char *kEpsilon = "epsilon";
  static constexpr const char *kScale = "scale";
  static constexpr const char *kBias = "bias";

  float epsilon = 0.0f;
  /// The step input that holds the scale [K]: the layer's own inputs (x, W and a Gemm's C or a
  /// MatMul's bias) come before it.
  int64_t scale = 0;
  /// The step input that holds the bias [K] (scale + 1), or -1 without one.
  int64_t bias = -1;

  int64_t layerInputs() const { return scale; }
  /// How many inputs the step has: the layer's, the scale and the bias.
  int64_t inputs() const { return (bias >= 0 ? bias : scale) + 1; }
};

/// What is wrong with a prologue of a layer of kind `kind` whose step has `inputs` inputs
/// (only gemm and matmul take one; scale after the layer's 2 inputs, or 3 after a Gemm's C or
/// a MatMul's bias;
/// bias right after scale or absent; epsilon finite and > 0), or "" when nothing is.
std::string layerNormPrologueError(const LayerNormPrologue &p, const std::string &kind,
                                   int64_t inputs);

} // namespace cimlir::cpu
