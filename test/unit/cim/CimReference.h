// A brute-force model of cim-numerics.md §1–§7 (noise-free), written independently of
// kernels/cpu/cim: full sorts for percentiles, floor-based half-to-even rounding, int64 loops
// over every (row block, input slice, weight slice, row, output, cell), codes from exact
// rational comparisons, and the recombination in double.
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace cimlir::cim::test {

/// Percentile per §1 by full sort (evaluated in numpy's order, see Quantization.h).
inline float refPercentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  if (v.empty())
    return 0.0f;
  double h = (v.size() - 1) * (p / 100.0);
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(v.size() - 1, static_cast<size_t>(std::ceil(h)));
  double g = h - lo;
  double d = v[hi] - v[lo];
  return static_cast<float>(g >= 0.5 ? v[hi] - d * (1.0 - g) : v[lo] + d * g);
}

/// Round half to even of a float, by floor and comparison.
inline int64_t refRint(double t) {
  double f = std::floor(t);
  double frac = t - f;
  int64_t i = static_cast<int64_t>(f);
  if (frac > 0.5 || (frac == 0.5 && (i % 2 != 0)))
    ++i;
  return i;
}

inline float refScale(const std::vector<double> &mags, double percentile, int bits) {
  float clip = percentile >= 100.0 ? static_cast<float>(*std::max_element(mags.begin(), mags.end()))
                                   : refPercentile(mags, percentile);
  float qmax = static_cast<float>((1 << (bits - 1)) - 1);
  const float s = clip / qmax;
  return s == 0.0f ? 1.0f : s; // a clip of 0, or one whose scale underflows, gives 1
}

inline int64_t refQuant(float v, float s, int bits) {
  int64_t qmax = (int64_t(1) << (bits - 1)) - 1;
  float t = v / s; // IEEE float32 division
  return std::clamp<int64_t>(refRint(t), -qmax, qmax);
}

/// rint(num / den) half to even for den > 0, by floor division and remainder.
inline int64_t refDivRint(int64_t num, int64_t den) {
  int64_t q = num / den, rem = num % den;
  if (rem < 0) {
    q -= 1;
    rem += den;
  }
  if (2 * rem > den || (2 * rem == den && (q % 2 != 0)))
    ++q;
  return q;
}

struct RefCim {
  int64_t M = 0, K = 0, N = 0, Rb = 0, T = 0, S = 0;
  std::vector<float> sx, sw;            // [M], [N]
  std::vector<int64_t> wq;              // [K,N]
  std::vector<int64_t> xq, analog, dig; // [M,K]
  std::vector<int64_t> P, codes;        // [m][r][i][j][n] (codes: non-ideal modes)
  std::vector<double> FS;               // [m][r][i][j][n]: integers except `calibrated`
  std::vector<double> sumSquares;       // [m][r][i]: sum of u_i^2 over the block
  std::vector<double> y, mag;           // expected y and the sum of |terms| behind it
  int64_t digitalNonzero = 0;

  size_t at(int64_t m, int64_t r, int64_t i, int64_t j, int64_t n) const {
    return static_cast<size_t>((((m * Rb + r) * T + i) * S + j) * N + n);
  }
};

/// level(j, sign, k, n) gives the programmed integer level of a cell; empty means the ideal
/// level from Wq (§2).
using LevelFn = std::function<int64_t(int, int, int64_t, int64_t)>;

inline RefCim referenceCim(const Tensor &x, const Tensor &w, const CimParams &p, const Tensor *bias,
                           LevelFn level = {}, bool partialSums = true) {
  RefCim ref;
  const int64_t M = x.dim(0), K = x.dim(1), N = w.dim(1);
  ref.M = M;
  ref.K = K;
  ref.N = N;
  const float *xv = x.data<float>(), *wv = w.data<float>();

  // §1
  ref.sw.assign(N, 1.0f);
  if (p.weights.granularity == WeightGranularity::PerTensor) {
    std::vector<double> mags;
    for (int64_t i = 0; i < K * N; ++i)
      mags.push_back(std::fabs(wv[i]));
    std::fill(ref.sw.begin(), ref.sw.end(),
              refScale(mags, p.weights.clipPercentile, p.weights.bits));
  } else {
    for (int64_t n = 0; n < N; ++n) {
      std::vector<double> mags;
      for (int64_t k = 0; k < K; ++k)
        mags.push_back(std::fabs(wv[k * N + n]));
      ref.sw[n] = refScale(mags, p.weights.clipPercentile, p.weights.bits);
    }
  }
  ref.wq.resize(K * N);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n)
      ref.wq[k * N + n] = refQuant(wv[k * N + n], ref.sw[n], p.weights.bits);

  // §3, §7
  const int h = p.inputs.hybridAnalogBits;
  const int64_t qmaxAnalog = ((int64_t(1) << ((h ? h : p.inputs.bits) - 1)) - 1);
  ref.sx.resize(M);
  ref.xq.resize(M * K);
  ref.analog.resize(M * K);
  ref.dig.resize(M * K);
  for (int64_t m = 0; m < M; ++m) {
    std::vector<double> mags;
    for (int64_t k = 0; k < K; ++k)
      mags.push_back(std::fabs(xv[m * K + k]));
    ref.sx[m] = p.inputs.scale == InputScale::Static
                    ? p.staticScale
                    : refScale(mags, p.inputs.clipPercentile, p.inputs.bits);
    for (int64_t k = 0; k < K; ++k) {
      int64_t q = refQuant(xv[m * K + k], ref.sx[m], p.inputs.bits);
      int64_t l = std::clamp(q, -qmaxAnalog, qmaxAnalog);
      ref.xq[m * K + k] = q;
      ref.analog[m * K + k] = l;
      ref.dig[m * K + k] = q - l;
      ref.digitalNonzero += q != l;
    }
  }

  // §2, §3 slicing
  std::vector<int> a = p.inputs.slices, b = p.weights.slices;
  std::vector<int> o(a.size()), pj(b.size());
  for (size_t i = 1; i < a.size(); ++i)
    o[i] = o[i - 1] + a[i - 1];
  for (size_t j = 1; j < b.size(); ++j)
    pj[j] = pj[j - 1] + b[j - 1];
  const int64_t T = a.size(), S = b.size(), R = p.crossbar.rows;
  const int64_t Rb = (K + R - 1) / R;
  ref.Rb = Rb;
  ref.T = T;
  ref.S = S;
  auto idealLevel = [&](int j, int sign, int64_t k, int64_t n) -> int64_t {
    int64_t q = ref.wq[k * N + n];
    int64_t half = sign == 0 ? (q > 0 ? q : 0) : (q < 0 ? -q : 0);
    return (half / (int64_t(1) << pj[j])) % (int64_t(1) << b[j]);
  };
  auto cellLevel = [&](int j, int sign, int64_t k, int64_t n) {
    return level ? level(j, sign, k, n) : idealLevel(j, sign, k, n);
  };
  auto u = [&](int64_t m, int64_t i, int64_t k) -> int64_t {
    int64_t v = ref.analog[m * K + k];
    int64_t mag = ((v < 0 ? -v : v) / (int64_t(1) << o[i])) % (int64_t(1) << a[i]);
    return v < 0 ? -mag : mag;
  };

  // §4: every partial sum, cell by cell.
  ref.sumSquares.assign(static_cast<size_t>(M * Rb * T), 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t r = 0; r < Rb; ++r)
      for (int64_t i = 0; i < T; ++i)
        for (int64_t k = r * R; k < std::min(K, (r + 1) * R); ++k)
          ref.sumSquares[(m * Rb + r) * T + i] += static_cast<double>(u(m, i, k) * u(m, i, k));
  if (!partialSums)
    return ref;
  const size_t entries = static_cast<size_t>(M * Rb * T * S * N);
  ref.P.assign(entries, 0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t r = 0; r < Rb; ++r)
      for (int64_t i = 0; i < T; ++i) {
        for (int64_t j = 0; j < S; ++j)
          for (int64_t n = 0; n < N; ++n) {
            int64_t s = 0;
            for (int64_t k = r * R; k < std::min(K, (r + 1) * R); ++k)
              s += u(m, i, k) * (cellLevel(j, 0, k, n) - cellLevel(j, 1, k, n));
            ref.P[ref.at(m, r, i, j, n)] = s;
          }
      }

  // §5
  const int64_t qA = (int64_t(1) << (p.adc.bits - 1)) - 1;
  const int64_t Nc = p.crossbar.cols / 2;
  ref.FS.assign(entries, 0);
  ref.codes.assign(entries, 0);
  if (p.adc.mode != AdcMode::Ideal)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t r = 0; r < Rb; ++r)
        for (int64_t i = 0; i < T; ++i)
          for (int64_t j = 0; j < S; ++j)
            for (int64_t n = 0; n < N; ++n) {
              size_t e = ref.at(m, r, i, j, n);
              if (p.adc.mode == AdcMode::Calibrated) {
                // A calibrated FS is a float: code = rint(P / (FS / qmax_a)) in double.
                double fs = p.calibratedFullScales[i * S + j];
                ref.FS[e] = fs;
                ref.codes[e] = fs == 0.0 ? 0
                                         : std::clamp(refRint(static_cast<double>(ref.P[e]) /
                                                              (fs / static_cast<double>(qA))),
                                                      -qA, qA);
                continue;
              }
              int64_t fs = 0;
              if (p.adc.mode == AdcMode::Full) {
                int64_t rowsInBlock = std::min(K, (r + 1) * R) - r * R;
                fs = rowsInBlock * ((int64_t(1) << a[i]) - 1) * ((int64_t(1) << b[j]) - 1);
              } else {
                int64_t c = n / Nc;
                for (int64_t n2 = c * Nc; n2 < std::min(N, (c + 1) * Nc); ++n2)
                  fs = std::max<int64_t>(fs, std::llabs(ref.P[ref.at(m, r, i, j, n2)]));
              }
              ref.FS[e] = static_cast<double>(fs);
              ref.codes[e] = fs == 0 ? 0 : std::clamp(refDivRint(ref.P[e] * qA, fs), -qA, qA);
            }

  // §6, §7 in double
  ref.y.assign(M * N, 0.0);
  ref.mag.assign(M * N, 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double sum = 0.0, sumAbs = 0.0;
      for (int64_t r = 0; r < Rb; ++r)
        for (int64_t i = 0; i < T; ++i)
          for (int64_t j = 0; j < S; ++j) {
            size_t e = ref.at(m, r, i, j, n);
            double q = p.adc.mode == AdcMode::Ideal ? static_cast<double>(ref.P[e])
                                                    : ref.FS[e] * ref.codes[e] / qA;
            sum += std::ldexp(q, o[i] + pj[j]);
            sumAbs += std::ldexp(std::fabs(q), o[i] + pj[j]);
          }
      for (int64_t k = 0; k < K; ++k) {
        sum += static_cast<double>(ref.dig[m * K + k] * ref.wq[k * N + n]);
        sumAbs += std::fabs(static_cast<double>(ref.dig[m * K + k] * ref.wq[k * N + n]));
      }
      double scale = static_cast<float>(ref.sx[m] * ref.sw[n]);
      double b0 = bias ? bias->data<float>()[n] : 0.0;
      ref.y[m * N + n] = scale * sum + b0;
      // The yardstick of float32 summation order: the sum of |terms| behind y.
      ref.mag[m * N + n] = std::fabs(scale) * sumAbs + std::fabs(b0);
    }
  return ref;
}

} // namespace cimlir::cim::test
