// cimlir CIM kernels: where the matrices W_g [K,N] of a layer's groups lie in its weight
// tensor as the ONNX model holds it (cim-numerics.md §0), and §1 for a whole layer.
//
// The compiler quantizes a layer's weights once (quantizeLayerWeights, through the
// exception-free tryQuantizeLayerWeights) and writes the integer levels into the plan in the
// layer's own layout, with the scales; the runtime takes each group back out of them
// (groupQuantizedWeights) and programs it (ProgrammedWeights::program). Both sides use this
// one definition of the layout and of §1.
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"
#include "kernels/cim/Quantization.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir::cim {

/// gemm/matmul: W [K,N], or [N,K] for a Gemm with transB; one group.
/// conv: W [M, C/g, k1..kd], groups g: W_g[k,n] is output channel g·N + n flattened at k,
/// K = (C/g)·prod(k), N = M/g (the K order of §0).
/// recurrent (rnn, gru, lstm): R [D, G·H, H], a group per direction, R_d transposed.
/// conv_transpose: W [C, M/g, k1..kd], groups g: W_g[k,n] is input channel g·K + k's row,
/// K = C/g, N = (M/g)·prod(k) (output channel m of the group and kernel position t at
/// n = m·prod(k) + t): each input pixel's channels times W_g give what it adds to the output.
struct WeightLayout {
  int64_t groups = 1;
  int64_t K = 0, N = 0;     ///< of each group's matrix
  bool outputMajor = false; ///< W[n][k] (Gemm with transB, conv) rather than W[k][n]

  /// A matrix [K,N], or [N,K] when `transposed`. Throws cimlir::Error unless `shape` is 2-D.
  static WeightLayout matrix(const Shape &shape, bool transposed);
  /// A convolution weight [M, C/g, k...]. Throws cimlir::Error unless `groups` >= 1 divides M
  /// and the rank is at least 3.
  static WeightLayout conv(const Shape &shape, int64_t groups);
  /// A recurrent layer's R [D, G·H, H]: one group per direction d, W_d[k,n] = R[d][n][k]
  /// (K = H, N = G·H). Throws cimlir::Error unless `shape` is 3-D.
  static WeightLayout recurrent(const Shape &shape);
  /// A transposed convolution's W [C, M/g, k...]. Throws cimlir::Error unless `groups` >= 1
  /// divides C and the rank is at least 3.
  static WeightLayout convTranspose(const Shape &shape, int64_t groups);

  /// The element index of W_g[k,n] in the weight tensor.
  int64_t index(int64_t g, int64_t k, int64_t n) const {
    return outputMajor ? (g * N + n) * K + k : (g * K + k) * N + n;
  }
  /// Number of scales of the whole layer: groups·N per channel, groups per tensor.
  int64_t scaleCount(WeightGranularity granularity) const {
    return granularity == WeightGranularity::PerTensor ? groups : groups * N;
  }
};

/// W_g [K,N] of group g, copied out of `w` (any element type; `w` has the layout's shape).
Tensor groupMatrix(const Tensor &w, const WeightLayout &layout, int64_t g);

/// A whole layer's quantized weights (§1): the levels Wq where W had its values (same shape,
/// int8, or int16 above 8 bits) and the scales s_w of group after group (per channel: the
/// scale of output channel g·N + n at g·N + n; per tensor: one per group).
struct LayerWeights {
  std::vector<float> scales;
  Tensor levels;
};

/// quantizeWeights (§1) on each group's W_g of the float32 weight `w`, put back in its layout.
/// Uses params.weights only. Throws cimlir::Error as quantizeWeights does.
LayerWeights quantizeLayerWeights(const Tensor &w, const WeightLayout &layout,
                                  const CimParams &params);
/// The same without exceptions (for the compiler, built with -fno-exceptions): returns "" on
/// success, else the one-line error (`out` is then unchanged).
std::string tryQuantizeLayerWeights(const Tensor &w, const WeightLayout &layout,
                                    const CimParams &params, LayerWeights &out);

/// A layer's quantized weights taken from the model instead of §1 (`weights.source` "model"):
/// the int8 `levels` of its DequantizeLinear (the weight's shape; zero point 0, checked by the
/// caller) with `scale`, one value or one per index of `axis`. The levels must lie within
/// ±(2^(bits−1) − 1) of params.weights.bits; the scales must be one per output channel of the
/// layout (per_channel; one model scale for all gives each channel that scale) or one per
/// group (per_tensor), finite and positive. Returns "" and fills `out` (levels int8, or int16
/// above 8 bits, in the layer's layout; scales as quantizeLayerWeights writes them), or what
/// is wrong.
std::string tryModelLayerWeights(const Tensor &levels, const std::vector<float> &scale,
                                 int64_t axis, const WeightLayout &layout, const CimParams &params,
                                 LayerWeights &out);

/// Group g of a layer's quantized weights (`levels` and `scales` as quantizeLayerWeights
/// writes them), ready for ProgrammedWeights::program. Throws cimlir::Error when `levels` does
/// not have the layout's element count or `scales` has the wrong length.
QuantizedWeights groupQuantizedWeights(const Tensor &levels, const std::vector<float> &scales,
                                       const WeightLayout &layout, int64_t g, int bits,
                                       WeightGranularity granularity);

} // namespace cimlir::cim
