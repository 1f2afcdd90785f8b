// cimlir CIM kernels: the scalar quantization rules shared by weights and inputs
// (cim-numerics.md §1, §3, §5).
//
// All float work is float32 with IEEE division (x / s, never x · (1/s)) and round-half-to-even,
// so that every backend derives the same integers.
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"
#include "kernels/cim/Percentile.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace cimlir::cim {

/// qmax = 2^(bits-1) - 1 of a signed symmetric quantizer.
inline int32_t symmetricQmax(int bits) { return (int32_t(1) << (bits - 1)) - 1; }

/// The p-th percentile of `values` (0 <= p <= 100) by the rule of §1: sorted v_0 <= ... <= v_{n-1},
/// h = (n-1)·p/100, v_floor(h) + (h - floor(h))·(v_ceil(h) - v_floor(h)) in float64, rounded to
/// float32. It is evaluated exactly as numpy.percentile(values.astype(float64), p) (default
/// "linear" method) does: h = (n-1)·(p/100), and for h - floor(h) >= 0.5 the equivalent
/// v_ceil - (v_ceil - v_floor)·(1 - (h - floor(h))), so that Python references agree bit for bit.
/// `values` is reordered (partially sorted); an empty list gives 0.
float percentileInPlace(std::vector<float> &values, double p);

/// The clip of §1/§3: max |v| for p >= 100, else the p-th percentile of |v|.
float clipValue(const float *values, int64_t count, int64_t stride, double percentile);

/// s = clip / qmax in float32 (IEEE division); a clip of 0 gives 1, and so does a clip so
/// small (below qmax·2^-150) that s underflows to 0: every value then quantizes to 0, as it
/// would for any s this small, and x / s stays defined.
inline float symmetricScale(float clip, int32_t qmax) {
  const float s = clip / static_cast<float>(qmax);
  return s == 0.0f ? 1.0f : s;
}

/// clamp(rint(v / s), -qmax, qmax), rint half to even. v and s must be finite, s > 0.
inline int32_t quantizeSymmetric(float v, float s, int32_t qmax) {
  float q = std::nearbyint(v / s);
  float lim = static_cast<float>(qmax);
  q = q < -lim ? -lim : (q > lim ? lim : q);
  return static_cast<int32_t>(q);
}

/// §3 and §7 for one row x[0, K) (finite): s_x (`static`: params.staticScale; else from
/// the row's clip), then xq = clamp(rint(x / s_x), ±qmax_x), the analog part
/// l = clamp(xq, ±qmax of hybrid_analog_bits) (= xq without hybrid) and, when `residual` is
/// given, the digital part d = xq - l. Returns s_x.
float quantizeInputRow(const float *x, int64_t K, const CimParams &params, int16_t *analog,
                       int32_t *residual);

/// rint(num / den), half to even, exactly; den > 0. For |num| < 2^52 (every ADC code of
/// cim-numerics.md §5: |P·qmax_a| < 2^46) one IEEE double division and rint give the exact
/// result: num and den are exact doubles, the quotient q is off by at most half an ulp,
/// 2^-53·|q| < 1/(2·den), less than the distance 1/(2·den) from any other quotient of these
/// integers to a half-integer, and a half-integer q itself is representable. Larger |num|
/// takes the integer path.
inline int64_t roundDivHalfEven(int64_t num, int64_t den) {
  constexpr int64_t kExactDouble = int64_t(1) << 52;
  if (num > -kExactDouble && num < kExactDouble && den < kExactDouble)
    return static_cast<int64_t>(
        std::nearbyint(static_cast<double>(num) / static_cast<double>(den)));
  bool negative = num < 0;
  uint64_t a = negative ? uint64_t(0) - static_cast<uint64_t>(num) : static_cast<uint64_t>(num);
  uint64_t d = static_cast<uint64_t>(den);
  uint64_t q = a / d, r = a % d;
  if (2 * r > d || (2 * r == d && (q & 1)))
    ++q;
  return negative ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

/// §1: the quantized weights of one group matrix.
struct QuantizedWeights {
  int bits = 8;
  WeightGranularity granularity = WeightGranularity::PerChannel;
  /// s_w: N entries (per channel) or one (per tensor).
  std::vector<float> scales;
  /// Wq [K,N], int8 when bits <= 8, else int16.
  Tensor levels;

  int64_t rows() const { return levels.dim(0); }
  int64_t cols() const { return levels.dim(1); }
  float scale(int64_t n) const { return scales.size() == 1 ? scales[0] : scales[n]; }
  int32_t at(int64_t k, int64_t n) const {
    int64_t idx = k * cols() + n;
    return levels.dtype() == DType::I8 ? levels.data<int8_t>()[idx] : levels.data<int16_t>()[idx];
  }
};

/// §1: s_w per column (or per tensor) from max |W| or the clip percentile, Wq = clamp(rint(W /
/// s_w)). `w` is float32 [K,N] and finite. Uses params.weights only.
QuantizedWeights quantizeWeights(const Tensor &w, const CimParams &params);

} // namespace cimlir::cim
