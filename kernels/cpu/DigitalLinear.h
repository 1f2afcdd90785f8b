// cimlir CPU kernels: a digital layer, y = x·W + b in one of the precisions of
// cim-numerics.md §8 (formulas and epilogue order: docs/numerics.md, "§8 Digital layers").
//
//   fp32   y[m,n] = fl32(Σ_k x[m,k]·W[k,n]) + b[n]                 float32 sgemm, no TF32
//   bf16   y[m,n] = fl32(Σ_k bf16(x[m,k])·bf16(W[k,n])) + b[n]     products exact in float32,
//                                                                  float32 accumulation
//   int8   y[m,n] = fl32(s_x[m]·s_w[n]) · fl32(Σ_k xq[m,k]·Wq[k,n]) + b[n]
//                  W8A8: Wq, s_w per channel (§1, 8 bits, max |W[:,n]|), xq, s_x per row
//                  (§3, 8 bits, dynamic, max |x[m,:]|), the sum exact in integers
//   w8a16  y[m,n] = fl32(s_w[n] · fl32(Σ_k bf16(x[m,k])·Wq[k,n])) + b[n]
//                  Wq, s_w as for int8; products exact in float32, float32 accumulation,
//                  dequantized in the epilogue
// "fl32(Σ …)" of a float sum means float32 accumulation in BLAS's order; the results of fp32,
// bf16 and w8a16 are fixed up to that order, those of int8 bit for bit.
//
// Weights are prepared once (at plan load): fp32 keeps W as given (a view, no copy), bf16 a
// bf16-rounded copy, int8 and w8a16 the int8 levels Wq (stored transposed, [N,K]) and the
// scales s_w. Non-finite inputs: int8 gives a row of NaN for a row of x holding a NaN or an
// infinity (like the CIM kernel); the float precisions propagate them as IEEE arithmetic does.
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/LayerSettings.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir::cpu {

/// §8's precisions, named as in device files and plans (cim::toString, cim::enumFromString).
using cim::DigitalPrecision;

/// The weights of one digital layer, W [K,N], in the form its precision computes with.
class DigitalWeights {
public:
  /// Prepares float32 W [K,N]. Throws cimlir::Error for another dtype or rank, and for a
  /// non-finite weight in int8 and w8a16 (it has no quantized level).
  static DigitalWeights prepare(const Tensor &w, DigitalPrecision precision);

  DigitalPrecision precision() const { return precision_; }
  int64_t rows() const { return k_; } ///< K
  int64_t cols() const { return n_; } ///< N
  /// fp32: W; bf16: bf16(W) (float32 [K,N]). Undefined for int8 and w8a16.
  const Tensor &values() const { return values_; }
  /// int8 and w8a16: Wq transposed, int8 [N,K] (row n holds column n of Wq).
  const Tensor &levelsTransposed() const { return levelsT_; }
  /// int8 and w8a16: s_w, one per column n.
  const std::vector<float> &scales() const { return scales_; }

private:
  DigitalPrecision precision_ = DigitalPrecision::Fp32;
  int64_t k_ = 0, n_ = 0;
  Tensor values_;
  Tensor levelsT_;
  std::vector<float> scales_;
};

/// y [M,N] (pre-allocated float32) = x·W + b in the weights' precision, for x float32 [M,K]
/// and an optional bias float32 [N]. Throws cimlir::Error on bad arguments.
void digitalLinear(const Tensor &x, const DigitalWeights &w, const Tensor *bias, Tensor &y);

} // namespace cimlir::cpu
