// An independent reference of the digital layer (cim-numerics.md §8, docs/numerics.md "§8
// Digital layers") for the kernel and step tests. Written from the contract's text, sharing no
// code with kernels/cpu: its own bf16 rounding (the nearer of the two bf16 neighbours, compared
// in double), its own §1/§3 quantization (max |.| / 127 in float32 with IEEE division, half to
// even by hand, clamp to ±127), int64 sums, and double sums for the float precisions.
//
// Exactness and tolerances:
//  - int8: the integer sums are exact in both, so y = fl32(fl32(s_x·s_w)·fl32(Σ)) + b is
//    computed here with the same three float32 operations and must match bit for bit.
//  - fp32, bf16, w8a16: `value` is the exact result of the formula (in double: bf16 products
//    and bf16·Wq products have at most 16 significant bits, so every term is exact, and the sums
//    of at most a few thousand terms carry a relative error of ~1e-13 of Σ|terms|, far below
//    the tolerance). The kernel accumulates K terms in float32 in BLAS's order: by the standard
//    bound of a float32 dot product, |fl(Σ) - Σ| <= γ_K · Σ|a_k·b_k| with γ_K = K·u/(1 - K·u),
//    u = 2^-24 (this covers fp32's rounded products too); w8a16's dequantizing product adds one
//    rounding (u relative) and the bias addition one more (u of |y|). Hence
//      |y - value| <= (K + 2)·u·(S + |b|),  S = Σ_k |a_k·b_k| (times s_w for w8a16),
//    which is `tolerance`: tight (a few float32 ulps of S per accumulated term), and orders of
//    magnitude below the difference between the precisions (a bf16 rounding is 2^-9 relative).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace cimlir::digitalref {

inline uint32_t bitsOf(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}
inline float fromBits(uint32_t u) {
  float v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

/// bf16(v) by comparing v with its two bf16 neighbours: the one towards zero (v with the low 16
/// bits cleared) and the next one away from zero; the nearer wins, a tie goes to the one whose
/// last mantissa bit (bit 16 of the float) is 0. Beyond the largest finite bf16 the next
/// neighbour counts as 2^128 (IEEE's overflow rule): rounding to it gives infinity.
inline float bf16(float v) {
  if (std::isnan(v))
    return v;
  if (std::isinf(v))
    return v;
  const uint32_t u = bitsOf(v);
  const uint32_t down = u & 0xffff0000u;
  const uint32_t up = down + 0x10000u; // same sign, one bf16 step further from zero
  const double a = std::fabs(static_cast<double>(fromBits(down)));
  const double b = (up & 0x7fffffffu) == 0x7f800000u ? std::ldexp(1.0, 128)
                                                     : std::fabs(static_cast<double>(fromBits(up)));
  const double m = std::fabs(static_cast<double>(v));
  bool takeUp = m - a > b - m || (m - a == b - m && (down & 0x10000u) != 0);
  return fromBits(takeUp ? up : down);
}

/// The 8-bit symmetric scale of §1/§3 from max |v|: max / 127 (float32), 1 when max is 0.
inline float scaleOf(const float *v, int64_t count, int64_t stride) {
  float mx = 0.0f;
  for (int64_t i = 0; i < count; ++i)
    mx = std::max(mx, std::fabs(v[i * stride]));
  const float s = mx / 127.0f;
  return s == 0.0f ? 1.0f : s; // a clip of 0, or one whose scale underflows, gives 1
}

/// clamp(rint(v / s), -127, 127): the quotient in float32, half to even done by hand.
inline int64_t levelOf(float v, float s) {
  const float q = v / s;
  const double f = std::floor(static_cast<double>(q));
  const double frac = static_cast<double>(q) - f;
  int64_t r = static_cast<int64_t>(f);
  if (frac > 0.5 || (frac == 0.5 && (r % 2 != 0)))
    ++r;
  return std::max<int64_t>(-127, std::min<int64_t>(127, r));
}

/// Per-channel weights of §1: levels [K,N] and one scale per column.
struct QuantizedMatrix {
  std::vector<int64_t> levels;
  std::vector<float> scales;
};

inline QuantizedMatrix quantizeColumns(const float *w, int64_t K, int64_t N) {
  QuantizedMatrix q;
  q.levels.resize(static_cast<size_t>(K * N));
  q.scales.resize(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    q.scales[n] = scaleOf(w + n, K, N);
    for (int64_t k = 0; k < K; ++k)
      q.levels[k * N + n] = levelOf(w[k * N + n], q.scales[n]);
  }
  return q;
}

struct Result {
  bool exact = false;            ///< int8: compare `y` bit for bit
  std::vector<float> y;          ///< int8: the float32 result (NaN rows included)
  std::vector<double> value;     ///< float precisions: the exact result of the formula
  std::vector<double> tolerance; ///< float precisions: the allowed |y - value|
};

/// y = x·W + b of x [M,K], w [K,N] (row-major), bias [N] or null, in `precision` ("fp32",
/// "bf16", "int8" or "w8a16").
inline Result digitalLinear(const std::string &precision, const float *x, int64_t M, int64_t K,
                            const float *w, int64_t N, const float *bias) {
  const double u = std::ldexp(1.0, -24);
  const size_t outputs = static_cast<size_t>(M * N);
  Result r;
  if (precision == "int8") {
    r.exact = true;
    r.y.assign(outputs, std::numeric_limits<float>::quiet_NaN());
    const QuantizedMatrix wq = quantizeColumns(w, K, N);
    std::vector<int64_t> xq(static_cast<size_t>(K));
    for (int64_t m = 0; m < M; ++m) {
      const float *row = x + m * K;
      bool finite = true;
      for (int64_t k = 0; k < K; ++k)
        finite = finite && std::isfinite(row[k]);
      if (!finite)
        continue; // a NaN row
      const float sx = scaleOf(row, K, 1);
      for (int64_t k = 0; k < K; ++k)
        xq[k] = levelOf(row[k], sx);
      for (int64_t n = 0; n < N; ++n) {
        int64_t sum = 0;
        for (int64_t k = 0; k < K; ++k)
          sum += xq[k] * wq.levels[k * N + n];
        const float scale = sx * wq.scales[n];
        const float product = scale * static_cast<float>(sum);
        r.y[m * N + n] = bias ? product + bias[n] : product;
      }
    }
    return r;
  }

  const bool roundX = precision != "fp32";
  const bool quantizeW = precision == "w8a16";
  const bool roundW = precision == "bf16";
  QuantizedMatrix wq;
  if (quantizeW)
    wq = quantizeColumns(w, K, N);
  r.value.resize(outputs);
  r.tolerance.resize(outputs);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double sum = 0.0, magnitude = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const double a = roundX ? bf16(x[m * K + k]) : x[m * K + k];
        const double b = quantizeW ? static_cast<double>(wq.levels[k * N + n])
                         : roundW  ? bf16(w[k * N + n])
                                   : w[k * N + n];
        sum += a * b;
        magnitude += std::fabs(a * b);
      }
      if (quantizeW) {
        sum *= wq.scales[n];
        magnitude *= wq.scales[n];
      }
      const double b = bias ? bias[n] : 0.0;
      r.value[m * N + n] = sum + b;
      r.tolerance[m * N + n] = static_cast<double>(K + 2) * u * (magnitude + std::fabs(b));
    }
  return r;
}

/// got (count floats) against the reference: bit for bit (NaN for NaN) when exact, else
/// within the tolerance. Reports the first few mismatches.
inline void expectMatches(const float *got, const Result &ref, const std::string &what) {
  const size_t count = ref.exact ? ref.y.size() : ref.value.size();
  int bad = 0;
  for (size_t i = 0; i < count && bad < 8; ++i) {
    bool ok;
    if (ref.exact)
      ok = std::isnan(ref.y[i]) ? std::isnan(got[i]) : bitsOf(got[i]) == bitsOf(ref.y[i]);
    else
      ok = std::fabs(static_cast<double>(got[i]) - ref.value[i]) <= ref.tolerance[i];
    if (ok)
      continue;
    ++bad;
    if (ref.exact)
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << " (bits " << std::hex
                    << bitsOf(got[i]) << "), expected exactly " << ref.y[i] << " (bits "
                    << bitsOf(ref.y[i]) << ")" << std::dec;
    else
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", expected "
                    << ref.value[i] << " within " << ref.tolerance[i];
  }
}

} // namespace cimlir::digitalref
