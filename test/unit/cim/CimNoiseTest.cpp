// Statistical tests of the random device effects (cim-numerics.md §4, §5): residuals
// standardised by the variance the contract implies must look like N(0, 1) over >= 10^5 samples.
#include "kernels/cpu/cim/CimLinear.h"

#include "CimReference.h"
#include "CimTestUtil.h"

#include <cstring>

namespace cimlir::cim {

using namespace cimlir::cpu;
namespace {

using test::Rng;

Tensor run(const Tensor &x, const ProgrammedWeights &pw, const CimParams &p,
           CimTrace *trace = nullptr) {
  Tensor y = Tensor::allocate(DType::F32, {x.dim(0), pw.cols()});
  cimLinear(x, pw, p, nullptr, {}, y, trace);
  return y;
}

std::vector<int> offsetsOf(const std::vector<int> &widths) { return sliceOffsets(widths); }

/// §6 with noise: y = fl32(s_x s_w) · sum_{r,i,j} 2^{o_i+p_j} Delta code, recomputed from the
/// trace of the conversions (no bias), up to float32 rounding.
void expectRecombinesTrace(const Tensor &y, const CimTrace &trace, const test::RefCim &ref,
                           const CimParams &p) {
  std::vector<int> o = offsetsOf(p.inputs.slices), q = offsetsOf(p.weights.slices);
  const double qA = (1 << (p.adc.bits - 1)) - 1;
  for (int64_t m = 0; m < trace.rows; ++m)
    for (int64_t n = 0; n < trace.cols; ++n) {
      double sum = 0.0, mag = 0.0;
      for (int64_t r = 0; r < trace.rowBlocks; ++r)
        for (int64_t i = 0; i < trace.inputSlices; ++i)
          for (int64_t j = 0; j < trace.weightSlices; ++j) {
            size_t e = trace.index(m, r, i, j, n);
            double v = std::ldexp(trace.fullScales[e] / qA * trace.codes[e], o[i] + q[j]);
            sum += v;
            mag += std::fabs(v);
          }
      double scale = static_cast<float>(ref.sx[m] * ref.sw[n]);
      ASSERT_NEAR(y.data<float>()[m * trace.cols + n], scale * sum, 4e-7 * scale * mag + 1e-30)
          << "y[" << m << "," << n << "]";
    }
}

// Read noise through the ideal ADC: y - y_clean = s_x s_w sum_{r,i,j} 2^{o_i+p_j} nu, with
// nu ~ N(0, 2 sigma_r^2 r_j^2 sum_{k in r} u_i[m,k]^2) independent per (r, i, j, m, n).
TEST(CimNoise, ReadNoiseStandardizedAtTheOutput) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = test::randomParams(rng, AdcMode::Ideal);
  p.inputs.bits = static_cast<int>(rng.range(3, 8));
  p.inputs.slices = test::randomSlices(rng, p.inputs.bits - 1);
  p.weights.bits = static_cast<int>(rng.range(3, 8));
  p.weights.slices = test::randomSlices(rng, p.weights.bits - 1);
  p.noise.read = rng.uniform(0.01, 0.1);
  const int64_t M = 400, N = 260, K = test::randomK(rng, p.crossbar.rows);
  Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
  ProgrammedWeights pw = ProgrammedWeights::program(w, p);
  Tensor noisy = run(x, pw, p);
  CimParams quiet = p;
  quiet.noise.read = 0.0;
  Tensor clean = run(x, pw, quiet);
  test::RefCim ref = test::referenceCim(x, w, p, nullptr, {}, /*partialSums=*/false);
  std::vector<int> a = p.inputs.slices, b = p.weights.slices;
  std::vector<int> o = offsetsOf(a), q = offsetsOf(b);
  std::vector<double> z;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double var = 0.0;
      for (int64_t r = 0; r < ref.Rb; ++r)
        for (size_t i = 0; i < a.size(); ++i)
          for (size_t j = 0; j < b.size(); ++j) {
            double rj = (1 << b[j]) - 1;
            double weight = std::ldexp(1.0, o[i] + q[j]);
            var += weight * weight * 2.0 * p.noise.read * p.noise.read * rj * rj *
                   ref.sumSquares[(m * ref.Rb + r) * ref.T + i];
          }
      if (var == 0.0)
        continue;
      double scale = static_cast<float>(ref.sx[m] * ref.sw[n]);
      double diff =
          static_cast<double>(noisy.data<float>()[m * N + n]) - clean.data<float>()[m * N + n];
      z.push_back(diff / (scale * std::sqrt(var)));
    }
  test::expectStandardNormal(z);
}

// Read noise in the partial sums that reach a (16-bit, so nearly transparent) full-range ADC.
TEST(CimNoise, ReadNoiseStandardizedInThePartialSums) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Full, AdcMode::Dynamic}) {
    CimParams p = test::randomParams(rng, mode);
    p.inputs.bits = 5;
    p.inputs.slices = {1, 3};
    p.weights.bits = 7;
    p.weights.slices = {1, 2, 3};
    p.adc.bits = 16;
    p.noise.read = rng.uniform(0.01, 0.1);
    p.crossbar.rows = 40;
    const int64_t M = 100, N = 100, K = 75;
    Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    CimTrace noisy, clean;
    Tensor y = run(x, pw, p, &noisy);
    CimParams quiet = p;
    quiet.noise.read = 0.0;
    run(x, pw, quiet, &clean);
    test::RefCim ref = test::referenceCim(x, w, p, nullptr, {}, /*partialSums=*/false);
    std::vector<double> z;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t r = 0; r < ref.Rb; ++r)
        for (int64_t i = 0; i < ref.T; ++i)
          for (int64_t j = 0; j < ref.S; ++j) {
            double ss = ref.sumSquares[(m * ref.Rb + r) * ref.T + i];
            if (ss == 0.0)
              continue;
            double sd = std::sqrt(2.0 * ss) * p.noise.read * pw.cellRange(static_cast<int>(j));
            for (int64_t n = 0; n < N; ++n) {
              size_t e = noisy.index(m, r, i, j, n);
              z.push_back((noisy.partialSums[e] - clean.partialSums[e]) / sd);
              // §5: `full` has the fixed range of the block, `dynamic` the largest noisy |P| of
              // the column block.
              double fs = 0.0;
              if (mode == AdcMode::Full) {
                int64_t rows = std::min<int64_t>(K, (r + 1) * 40) - r * 40;
                fs = static_cast<double>(rows * ((1 << p.inputs.slices[i]) - 1) *
                                         pw.cellRange(static_cast<int>(j)));
              } else {
                int64_t perBlock = p.crossbar.cols / 2, c = n / perBlock;
                for (int64_t n2 = c * perBlock; n2 < std::min(N, (c + 1) * perBlock); ++n2)
                  fs = std::max(fs, std::fabs(noisy.partialSums[noisy.index(m, r, i, j, n2)]));
              }
              ASSERT_EQ(noisy.fullScales[e], fs) << "entry " << e;
              // The ADC adds at most half an LSB of the 16-bit grid on top.
              ASSERT_LE(
                  std::fabs(noisy.codes[e] * noisy.fullScales[e] / 32767.0 - noisy.partialSums[e]),
                  0.5 * noisy.fullScales[e] / 32767.0 * (1 + 1e-9) +
                      std::max(0.0, std::fabs(noisy.partialSums[e]) - noisy.fullScales[e]));
            }
          }
    SCOPED_TRACE(toString(mode));
    test::expectStandardNormal(z);
    expectRecombinesTrace(y, noisy, ref, p);
  }
}

// Programming noise through the ideal ADC. Each row of x touches its own 4 rows of W, so the
// outputs see disjoint (independent) cells: y - y_clean = s_x s_w sum_k xq[m,k] sum_j 2^{p_j}
// sigma_p r_j (eta+ - eta-), variance s^2 sum_k xq^2 sum_j 4^{p_j} 2 sigma_p^2 r_j^2.
TEST(CimNoise, ProgrammingNoiseStandardizedAtTheOutput) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = test::randomParams(rng, AdcMode::Ideal);
  p.weights.bits = static_cast<int>(rng.range(3, 8));
  p.weights.slices = test::randomSlices(rng, p.weights.bits - 1);
  p.noise.program = rng.uniform(0.01, 0.1);
  p.inputs.clipPercentile = 100.0; // every row then has a nonzero xq
  const int64_t group = 4, M = 260, K = M * group, N = 400;
  Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k)
      if (k / group != m)
        x.data<float>()[m * K + k] = 0.0f;
  ProgrammedWeights chip = ProgrammedWeights::program(w, p);
  Tensor noisy = run(x, chip, p);
  CimParams quiet = p;
  quiet.noise.program = 0.0;
  Tensor clean = run(x, ProgrammedWeights::program(w, quiet), quiet);
  test::RefCim ref = test::referenceCim(x, w, p, nullptr, {}, /*partialSums=*/false);
  std::vector<int> b = p.weights.slices, q = offsetsOf(b);
  double perCell = 0.0; // sum_j 4^{p_j} 2 sigma_p^2 r_j^2
  for (size_t j = 0; j < b.size(); ++j) {
    double rj = (1 << b[j]) - 1;
    perCell += std::ldexp(1.0, 2 * q[j]) * 2.0 * p.noise.program * p.noise.program * rj * rj;
  }
  std::vector<double> z;
  for (int64_t m = 0; m < M; ++m) {
    double xsq = 0.0;
    for (int64_t k = 0; k < K; ++k)
      xsq += static_cast<double>(ref.xq[m * K + k] * ref.xq[m * K + k]);
    if (xsq == 0.0)
      continue;
    for (int64_t n = 0; n < N; ++n) {
      double scale = static_cast<float>(ref.sx[m] * ref.sw[n]);
      double diff =
          static_cast<double>(noisy.data<float>()[m * N + n]) - clean.data<float>()[m * N + n];
      z.push_back(diff / (scale * std::sqrt(xsq * perCell)));
    }
  }
  test::expectStandardNormal(z);
}

// ADC thermal noise: code - P/Delta = n_a/Delta + rounding, with n_a ~ N(0, (sigma_a Delta)^2 / S)
// and the rounding error uniform on [-1/2, 1/2] (sigma_a / sqrt(S) >= 0.7 makes it independent
// of n_a to ~1e-4), so the variance is sigma_a^2 / S + 1/12.
TEST(CimNoise, AdcThermalNoiseStandardized) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int samples : {1, 3}) {
    SCOPED_TRACE("adc.samples " + std::to_string(samples));
    CimParams p = test::randomParams(rng, AdcMode::Full);
    p.inputs.bits = 5;
    p.inputs.slices = {1, 3};
    p.weights.bits = 8;
    p.weights.slices = {2, 2, 3};
    p.crossbar.rows = 50;
    p.adc.bits = 8;
    p.adc.noiseLsb = rng.uniform(1.5, 2.5);
    p.adc.samples = samples;
    const int64_t M = 100, N = 100, K = 100;
    Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    CimTrace trace;
    Tensor y = run(x, pw, p, &trace);
    expectRecombinesTrace(y, trace, test::referenceCim(x, w, p, nullptr, {}, false), p);
    const double sd = std::sqrt(p.adc.noiseLsb * p.adc.noiseLsb / p.adc.samples + 1.0 / 12.0);
    std::vector<double> z;
    for (size_t e = 0; e < trace.codes.size(); ++e) {
      ASSERT_EQ(trace.partialSums[e], std::nearbyint(trace.partialSums[e])) << "P is an integer";
      if (std::abs(trace.codes[e]) == 127)
        continue; // clipped
      double exact = trace.partialSums[e] * 127.0 / trace.fullScales[e];
      z.push_back((trace.codes[e] - exact) / sd);
    }
    test::expectStandardNormal(z);

    // The ideal ADC converts nothing, so it adds no ADC noise.
    CimParams ideal = p;
    ideal.adc.mode = AdcMode::Ideal;
    CimParams idealQuiet = ideal;
    idealQuiet.adc.noiseLsb = 0.0;
    Tensor a = run(x, pw, ideal), b = run(x, pw, idealQuiet);
    EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.byteSize()), 0);
  }
}

// `ideal` multiplies by the chip's effective weights once per row block but draws the read noise
// of every (r, i, j, m, n) with the counters of the ADC modes, so with the same seeds it sees the
// very noise a 16-bit `full` ADC converts: the two differ by the ADC's rounding (and clipping of
// P beyond FS) only. This ties the shortcut to the slice-by-slice path, noise included.
TEST(CimNoise, IdealAndFullAdcShareOneNoiseRealization) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 4; ++t) {
    CimParams p = test::randomParams(rng, AdcMode::Full);
    p.adc.bits = 16;
    p.noise.read = rng.uniform(0.01, 0.1);
    p.noise.program = rng.coin() ? rng.uniform(0.01, 0.1) : 0.0;
    p.noise.stuckAtMin = rng.coin() ? 0.02 : 0.0;
    p.noise.stuckAtMax = rng.coin() ? 0.02 : 0.0;
    const int64_t M = 8, K = test::randomK(rng, p.crossbar.rows);
    const int64_t N = test::randomN(rng, p.crossbar.cols);
    SCOPED_TRACE("trial " + std::to_string(t) + " K " + std::to_string(K) + " N " +
                 std::to_string(N) + " rows " + std::to_string(p.crossbar.rows));
    Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    CimTrace trace;
    Tensor full = run(x, pw, p, &trace);
    CimParams ideal = p;
    ideal.adc.mode = AdcMode::Ideal;
    Tensor exact = run(x, pw, ideal);
    test::RefCim ref = test::referenceCim(x, w, p, nullptr, {}, false);
    std::vector<int> o = offsetsOf(p.inputs.slices), q = offsetsOf(pw.sliceWidths());
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double bound = 0.0;
        for (int64_t r = 0; r < trace.rowBlocks; ++r)
          for (int64_t i = 0; i < trace.inputSlices; ++i)
            for (int64_t j = 0; j < trace.weightSlices; ++j) {
              size_t e = trace.index(m, r, i, j, n);
              double fs = trace.fullScales[e];
              double err = fs / 32767.0 / 2 + std::max(0.0, std::fabs(trace.partialSums[e]) - fs);
              bound += std::ldexp(err, o[i] + q[j]);
            }
        double scale = static_cast<float>(ref.sx[m] * ref.sw[n]);
        double a = full.data<float>()[m * N + n], b = exact.data<float>()[m * N + n];
        ASSERT_NEAR(a, b, scale * bound * (1 + 1e-9) + 3e-7 * (std::fabs(a) + std::fabs(b)))
            << "y[" << m << "," << n << "]";
      }
  }
}

} // namespace
} // namespace cimlir::cim
