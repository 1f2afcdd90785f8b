#include "kernels/cpu/cim/CimLinear.h"
#include "kernels/cim/Quantization.h"

#include "CimReference.h"
#include "CimTestUtil.h"
#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cimlir::cim {

using namespace cimlir::cpu;
namespace {

using test::Rng;

struct CimRun {
  Tensor y;
  CimCounters counters;
  CimTrace trace;
};

CimRun runCim(const Tensor &x, const ProgrammedWeights &pw, const CimParams &p, const Tensor *bias,
              RowMapping rows = {}) {
  CimRun run;
  run.y = Tensor::allocate(DType::F32, {x.dim(0), pw.cols()});
  run.counters = cimLinear(x, pw, p, bias, rows, run.y, &run.trace);
  return run;
}

/// x with rows of very different magnitudes, a few exact zeros and sometimes an all-zero row.
Tensor randomInputs(Rng &rng, int64_t M, int64_t K) {
  Tensor x = rng.f32({M, K});
  float *v = x.data<float>();
  for (int64_t m = 0; m < M; ++m) {
    float scale = static_cast<float>(std::pow(10.0, rng.uniform(-3, 3)));
    bool zeroRow = rng.coin(0.1);
    for (int64_t k = 0; k < K; ++k) {
      v[m * K + k] *= scale;
      if (zeroRow || rng.coin(0.05))
        v[m * K + k] = 0.0f;
    }
  }
  return x;
}

std::string describe(const CimParams &p, int64_t M, int64_t K, int64_t N) {
  auto list = [](const std::vector<int> &v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  };
  return "M " + std::to_string(M) + " K " + std::to_string(K) + " N " + std::to_string(N) +
         " rows " + std::to_string(p.crossbar.rows) + " cols " + std::to_string(p.crossbar.cols) +
         " w " + std::to_string(p.weights.bits) + list(p.weights.slices) +
         (p.weights.granularity == WeightGranularity::PerTensor ? " per-tensor" : " per-channel") +
         " clip " + std::to_string(p.weights.clipPercentile) + " x " +
         std::to_string(p.inputs.bits) + list(p.inputs.slices) + " clip " +
         std::to_string(p.inputs.clipPercentile) + " h " +
         std::to_string(p.inputs.hybridAnalogBits) + " adc " + toString(p.adc.mode) + " " +
         std::to_string(p.adc.bits);
}

void maybeHybrid(Rng &rng, CimParams &p, double probability) {
  if (!rng.coin(probability))
    return;
  p.inputs.hybridAnalogBits = static_cast<int>(rng.range(2, p.inputs.bits));
  p.inputs.slices = rng.coin(0.3) ? oneBitSlices(p.inputs.hybridAnalogBits - 1)
                                  : test::randomSlices(rng, p.inputs.hybridAnalogBits - 1);
}

bool bitwiseEqual(const Tensor &a, const Tensor &b) {
  return a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.byteSize()) == 0;
}

/// y = fl32(s_x·s_w) · fl32(sum) + bias for an exact integer sum: what §6 says to the bit.
float exactOutput(const test::RefCim &ref, int64_t m, int64_t n, int64_t sum, const Tensor *bias) {
  float scale = ref.sx[m] * ref.sw[n];
  float product = scale * static_cast<float>(sum);
  return bias ? product + bias->data<float>()[n] : product;
}

TEST(CimLinear, IdealNoiseFreeIsExactlyTheIntegerProduct) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 25; ++t) {
    CimParams p = test::randomParams(rng, AdcMode::Ideal);
    maybeHybrid(rng, p, 0.3);
    int64_t M = rng.range(1, 9), K = test::randomK(rng, p.crossbar.rows);
    int64_t N = test::randomN(rng, p.crossbar.cols);
    SCOPED_TRACE(describe(p, M, K, N));
    Tensor x = randomInputs(rng, M, K), w = rng.f32({K, N}), bias = rng.f32({N});
    const Tensor *b = rng.coin() ? &bias : nullptr;
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    CimRun run = runCim(x, pw, p, b);
    test::RefCim ref = test::referenceCim(x, w, p, b);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t dot = 0, slices = 0;
        for (int64_t k = 0; k < K; ++k)
          dot += ref.xq[m * K + k] * ref.wq[k * N + n];
        // The reference's slice-by-slice sum is the same integer (§3: xq = sum 2^o u).
        for (int64_t r = 0; r < ref.Rb; ++r)
          for (int64_t i = 0; i < ref.T; ++i)
            for (int64_t j = 0; j < ref.S; ++j) {
              std::vector<int> a = p.inputs.slices, bw = p.weights.slices;
              int o = 0, q = 0;
              for (int64_t l = 0; l < i; ++l)
                o += a[l];
              for (int64_t l = 0; l < j; ++l)
                q += bw[l];
              slices += ref.P[ref.at(m, r, i, j, n)] * (int64_t(1) << (o + q));
            }
        for (int64_t k = 0; k < K; ++k)
          slices += ref.dig[m * K + k] * ref.wq[k * N + n];
        ASSERT_EQ(slices, dot);
        ASSERT_EQ(run.y.data<float>()[m * N + n], exactOutput(ref, m, n, dot, b))
            << "y[" << m << "," << n << "]";
      }
    EXPECT_EQ(run.counters.adcConversions, 0);
    EXPECT_TRUE(run.trace.codes.empty());
  }
}

TEST(CimLinear, FullAndDynamicCodesMatchBruteForce) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Full, AdcMode::Dynamic})
    for (int t = 0; t < 14; ++t) {
      CimParams p = test::randomParams(rng, mode);
      maybeHybrid(rng, p, 0.2);
      int64_t M = rng.range(1, 7), K = test::randomK(rng, p.crossbar.rows);
      int64_t N = test::randomN(rng, p.crossbar.cols);
      SCOPED_TRACE(describe(p, M, K, N));
      Tensor x = randomInputs(rng, M, K), w = rng.f32({K, N}), bias = rng.f32({N});
      ProgrammedWeights pw = ProgrammedWeights::program(w, p);
      CimRun run = runCim(x, pw, p, &bias);
      test::RefCim ref = test::referenceCim(x, w, p, &bias);
      ASSERT_EQ(run.trace.codes.size(), ref.codes.size());
      for (size_t e = 0; e < ref.codes.size(); ++e) {
        ASSERT_EQ(run.trace.partialSums[e], static_cast<double>(ref.P[e])) << "entry " << e;
        ASSERT_EQ(run.trace.fullScales[e], static_cast<double>(ref.FS[e])) << "entry " << e;
        ASSERT_EQ(run.trace.codes[e], ref.codes[e])
            << "entry " << e << ": P " << ref.P[e] << " FS " << ref.FS[e];
      }
      for (int64_t i = 0; i < M * N; ++i) {
        double tol = 4e-7 * ref.mag[i] + 1e-35;
        ASSERT_NEAR(run.y.data<float>()[i], ref.y[i], tol) << "y element " << i;
      }
      // A `dynamic` ADC converts nothing for a read whose full scale is 0.
      int64_t made = 0;
      for (double fs : ref.FS)
        made += mode == AdcMode::Full || fs > 0.0;
      EXPECT_EQ(run.counters.adcConversions, made);
      if (mode == AdcMode::Full)
        EXPECT_EQ(made, M * ref.Rb * ref.T * ref.S * N);
    }
}

// Wide slices on tall blocks give partial sums beyond int16 (256 · 127 · 127 here), and many
// outputs span several register chunks of the partial-sum kernel: codes stay exact.
TEST(CimLinear, WideSlicesAndManyOutputsStayExact) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Full, AdcMode::Dynamic}) {
    CimParams p;
    p.weights.slices = {7};
    p.inputs.slices = rng.coin() ? std::vector<int>{7} : std::vector<int>{3, 4};
    p.crossbar.rows = 256;
    p.crossbar.cols = 64;
    p.adc.mode = mode;
    p.adc.bits = 12;
    p.layerId = rng.u64();
    const int64_t M = 3, K = 300, N = 150;
    SCOPED_TRACE(describe(p, M, K, N));
    Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
    for (int64_t i = 0; i < M * K; ++i) // same sign: large |P|
      x.data<float>()[i] = std::fabs(x.data<float>()[i]);
    for (int64_t i = 0; i < K * N; ++i)
      w.data<float>()[i] = std::fabs(w.data<float>()[i]) + 0.5f;
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    CimRun run = runCim(x, pw, p, nullptr);
    test::RefCim ref = test::referenceCim(x, w, p, nullptr);
    int64_t largest = 0;
    for (size_t e = 0; e < ref.codes.size(); ++e) {
      ASSERT_EQ(run.trace.partialSums[e], static_cast<double>(ref.P[e])) << "entry " << e;
      ASSERT_EQ(run.trace.codes[e], ref.codes[e]) << "entry " << e;
      largest = std::max<int64_t>(largest, std::abs(ref.P[e]));
    }
    EXPECT_GT(largest, 1 << 15);
  }
}

TEST(CimLinear, FullModeTakesTheFullScalesItIsGiven) {
  // A plan carries the full scales (cim-configure-adc); the kernel converts with those, and
  // without them with fullModeScales(), which is what the reference computes.
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 6; ++t) {
    CimParams p = test::randomParams(rng, AdcMode::Full);
    int64_t M = rng.range(1, 5), K = test::randomK(rng, p.crossbar.rows);
    int64_t N = test::randomN(rng, p.crossbar.cols);
    SCOPED_TRACE(describe(p, M, K, N));
    Tensor x = randomInputs(rng, M, K), w = rng.f32({K, N});
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    test::RefCim ref = test::referenceCim(x, w, p, nullptr);
    const std::vector<int64_t> formula =
        fullModeScales(K, p.crossbar.rows, p.inputs.slices, p.weights.slices);
    CimParams given = p;
    given.fullScales = formula;
    CimRun byFormula = runCim(x, pw, given, nullptr), byDefault = runCim(x, pw, p, nullptr);
    EXPECT_TRUE(bitwiseEqual(byFormula.y, byDefault.y));
    for (size_t e = 0; e < ref.FS.size(); ++e)
      ASSERT_EQ(byDefault.trace.fullScales[e], static_cast<double>(ref.FS[e])) << "entry " << e;
    // Other full scales (e.g. calibrated ones) are used as given.
    for (int64_t &fs : given.fullScales)
      fs = rng.range(0, 3 * fs);
    CimRun custom = runCim(x, pw, given, nullptr);
    const int64_t T = ref.T, S = ref.S, qA = symmetricQmax(p.adc.bits);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t r = 0; r < ref.Rb; ++r)
        for (int64_t i = 0; i < T; ++i)
          for (int64_t j = 0; j < S; ++j)
            for (int64_t n = 0; n < N; ++n) {
              const size_t e = custom.trace.index(m, r, i, j, n);
              const int64_t fs = given.fullScales[(r * T + i) * S + j];
              ASSERT_EQ(custom.trace.fullScales[e], static_cast<double>(fs));
              const int64_t P = static_cast<int64_t>(custom.trace.partialSums[e]);
              const int64_t code =
                  fs == 0 ? 0
                          : std::clamp<int64_t>(
                                std::llround(std::nearbyint(static_cast<long double>(P) * qA / fs)),
                                -qA, qA);
              ASSERT_EQ(custom.trace.codes[e], code) << "P " << P << " FS " << fs;
            }
  }
  CimParams p;
  Tensor x = Tensor::allocate(DType::F32, {1, 4}), w = Tensor::allocate(DType::F32, {4, 2});
  ProgrammedWeights pw = ProgrammedWeights::program(w, p);
  p.fullScales = {1, 2, 3};
  EXPECT_THROW(runCim(x, pw, p, nullptr), Error);
}

TEST(CimLinear, StuckAtFaultsKeepEveryModeExact) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Ideal, AdcMode::Full, AdcMode::Dynamic})
    for (int t = 0; t < 6; ++t) {
      CimParams p = test::randomParams(rng, mode);
      p.noise.stuckAtMin = rng.uniform(0.0, 0.2);
      p.noise.stuckAtMax = rng.uniform(0.0, 0.2);
      int64_t M = rng.range(1, 6), K = test::randomK(rng, p.crossbar.rows);
      int64_t N = test::randomN(rng, p.crossbar.cols);
      SCOPED_TRACE(describe(p, M, K, N));
      Tensor x = randomInputs(rng, M, K), w = rng.f32({K, N});
      ProgrammedWeights pw = ProgrammedWeights::program(w, p);
      CimRun run = runCim(x, pw, p, nullptr);
      test::LevelFn chip = [&](int j, int sign, int64_t k, int64_t n) {
        return static_cast<int64_t>(pw.cell(j, sign, k, n).level);
      };
      test::RefCim ref = test::referenceCim(x, w, p, nullptr, chip);
      if (mode == AdcMode::Ideal) {
        std::vector<int> a = p.inputs.slices, bw = p.weights.slices;
        for (int64_t m = 0; m < M; ++m)
          for (int64_t n = 0; n < N; ++n) {
            int64_t sum = 0;
            for (int64_t r = 0; r < ref.Rb; ++r)
              for (int64_t i = 0, o = 0; i < ref.T; o += a[i], ++i)
                for (int64_t j = 0, q = 0; j < ref.S; q += bw[j], ++j)
                  sum += ref.P[ref.at(m, r, i, j, n)] * (int64_t(1) << (o + q));
            ASSERT_EQ(run.y.data<float>()[m * N + n], exactOutput(ref, m, n, sum, nullptr));
          }
        continue;
      }
      for (size_t e = 0; e < ref.codes.size(); ++e)
        ASSERT_EQ(run.trace.codes[e], ref.codes[e]) << "entry " << e;
      for (int64_t i = 0; i < M * N; ++i)
        ASSERT_NEAR(run.y.data<float>()[i], ref.y[i], 4e-7 * ref.mag[i] + 1e-35);
    }
}

TEST(CimLinear, HybridIsAnalogClampPlusExactDigitalResidual) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Ideal, AdcMode::Full, AdcMode::Dynamic})
    for (int t = 0; t < 6; ++t) {
      CimParams p = test::randomParams(rng, mode);
      p.inputs.bits = static_cast<int>(rng.range(4, 10));
      p.inputs.hybridAnalogBits = static_cast<int>(rng.range(2, p.inputs.bits - 1));
      p.inputs.slices = rng.coin() ? oneBitSlices(p.inputs.hybridAnalogBits - 1)
                                   : test::randomSlices(rng, p.inputs.hybridAnalogBits - 1);
      int64_t M = rng.range(1, 8), K = test::randomK(rng, p.crossbar.rows);
      int64_t N = test::randomN(rng, p.crossbar.cols);
      SCOPED_TRACE(describe(p, M, K, N));
      // Heavy-tailed inputs: most values inside the analog range, some outside.
      Tensor x = rng.f32({M, K});
      for (int64_t i = 0; i < M * K; ++i)
        x.data<float>()[i] = static_cast<float>(std::pow(x.data<float>()[i], 3));
      Tensor w = rng.f32({K, N}), bias = rng.f32({N});
      ProgrammedWeights pw = ProgrammedWeights::program(w, p);
      CimRun run = runCim(x, pw, p, &bias);
      test::RefCim ref = test::referenceCim(x, w, p, &bias);
      EXPECT_EQ(run.counters.digitalElements, M * K);
      EXPECT_EQ(run.counters.digitalNonzero, ref.digitalNonzero);
      EXPECT_GT(ref.digitalNonzero, 0) << "the test should exercise the digital path";
      EXPECT_DOUBLE_EQ(run.counters.digitalActivity(),
                       static_cast<double>(ref.digitalNonzero) / (M * K));
      for (size_t e = 0; e < ref.codes.size() && mode != AdcMode::Ideal; ++e)
        ASSERT_EQ(run.trace.codes[e], ref.codes[e]) << "entry " << e;
      for (int64_t i = 0; i < M * N; ++i)
        ASSERT_NEAR(run.y.data<float>()[i], ref.y[i], 4e-7 * ref.mag[i] + 1e-35);
    }
}

TEST(CimLinear, HybridWithFullAnalogRangeEqualsPlainAnalog) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = test::randomParams(rng, AdcMode::Dynamic);
  p.inputs.slices = test::randomSlices(rng, p.inputs.bits - 1);
  int64_t M = 5, K = test::randomK(rng, p.crossbar.rows), N = test::randomN(rng, p.crossbar.cols);
  Tensor x = randomInputs(rng, M, K);
  ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
  CimRun plain = runCim(x, pw, p, nullptr);
  CimParams hybrid = p;
  hybrid.inputs.hybridAnalogBits = p.inputs.bits; // l = xq, d = 0
  CimRun h = runCim(x, pw, hybrid, nullptr);
  EXPECT_TRUE(bitwiseEqual(plain.y, h.y));
  EXPECT_EQ(h.counters.digitalNonzero, 0);
}

/// Parameters with every kind of noise on.
CimParams noisyParams(Rng &rng, AdcMode mode) {
  CimParams p = test::randomParams(rng, mode);
  p.noise.read = 0.05;
  p.noise.program = 0.03;
  p.noise.stuckAtMin = 0.01;
  p.noise.stuckAtMax = 0.01;
  p.adc.noiseLsb = mode == AdcMode::Ideal ? 0.0 : 0.7;
  p.adc.samples = 2;
  return p;
}

TEST(CimLinear, OutputsAreBitwiseIndependentOfBatchSize) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Ideal, AdcMode::Full, AdcMode::Dynamic})
    for (int64_t rowsPerSample : {1, 3}) {
      CimParams p = noisyParams(rng, mode);
      const int64_t samples = 64, M = samples * rowsPerSample;
      int64_t K = test::randomK(rng, p.crossbar.rows), N = test::randomN(rng, p.crossbar.cols);
      SCOPED_TRACE(describe(p, M, K, N) + " rows per sample " + std::to_string(rowsPerSample));
      Tensor x = randomInputs(rng, M, K), bias = rng.f32({N});
      ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
      const int64_t first = rng.range(0, 100000);
      CimRun whole = runCim(x, pw, p, &bias, {first, rowsPerSample});
      for (int64_t batch : {1, 7}) {
        for (int64_t s0 = 0; s0 < samples; s0 += batch) {
          int64_t s1 = std::min(samples, s0 + batch);
          Tensor part = x.sliceRows(s0 * rowsPerSample, s1 * rowsPerSample);
          CimRun run = runCim(part, pw, p, &bias, {first + s0, rowsPerSample});
          Tensor want = whole.y.sliceRows(s0 * rowsPerSample, s1 * rowsPerSample);
          ASSERT_TRUE(bitwiseEqual(run.y, want)) << "batch " << batch << " samples " << s0;
          if (mode == AdcMode::Ideal)
            continue;
          size_t per = static_cast<size_t>(whole.trace.index(1, 0, 0, 0, 0));
          size_t offset = static_cast<size_t>(s0 * rowsPerSample) * per;
          ASSERT_EQ(run.trace.codes.size(), static_cast<size_t>(s1 - s0) * rowsPerSample * per);
          for (size_t e = 0; e < run.trace.codes.size(); ++e) {
            ASSERT_EQ(run.trace.codes[e], whole.trace.codes[offset + e]);
            ASSERT_EQ(run.trace.partialSums[e], whole.trace.partialSums[offset + e]);
          }
        }
      }
    }
}

TEST(CimLinear, FreshEffectsFollowSeedAndRepeatStaticEffectsFollowChipSeed) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Ideal, AdcMode::Full}) {
    CimParams p = noisyParams(rng, mode);
    p.adc.bits = 10;
    int64_t M = 6, K = test::randomK(rng, p.crossbar.rows), N = test::randomN(rng, p.crossbar.cols);
    SCOPED_TRACE(describe(p, M, K, N));
    Tensor x = randomInputs(rng, M, K), w = rng.f32({K, N});
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    Tensor y0 = runCim(x, pw, p, nullptr).y;
    EXPECT_TRUE(bitwiseEqual(y0, runCim(x, pw, p, nullptr).y)) << "same seeds, same outputs";
    EXPECT_TRUE(bitwiseEqual(y0, runCim(x, ProgrammedWeights::program(w, p), p, nullptr).y))
        << "reprogramming with the same chip seed changed the outputs";
    CimParams seed = p;
    seed.noise.seed += 1;
    EXPECT_FALSE(bitwiseEqual(y0, runCim(x, pw, seed, nullptr).y)) << "seed ignored";
    CimParams repeat = p;
    repeat.repeat += 1;
    EXPECT_FALSE(bitwiseEqual(y0, runCim(x, pw, repeat, nullptr).y)) << "repeat ignored";
    CimParams chip = p;
    chip.noise.chipSeed += 1;
    EXPECT_FALSE(bitwiseEqual(y0, runCim(x, ProgrammedWeights::program(w, chip), chip, nullptr).y))
        << "chip seed ignored";
    // Without fresh noise, the seed changes nothing and the chip seed still matters.
    CimParams quiet = p;
    quiet.noise.read = 0.0;
    quiet.adc.noiseLsb = 0.0;
    Tensor q0 = runCim(x, pw, quiet, nullptr).y;
    CimParams quietSeed = quiet;
    quietSeed.noise.seed += 12345;
    quietSeed.repeat += 3;
    EXPECT_TRUE(bitwiseEqual(q0, runCim(x, pw, quietSeed, nullptr).y));
    CimParams quietChip = quiet;
    quietChip.noise.chipSeed += 1;
    EXPECT_FALSE(bitwiseEqual(
        q0, runCim(x, ProgrammedWeights::program(w, quietChip), quietChip, nullptr).y));
    // Weights derived on the fly give the same numbers as cached ones.
    EXPECT_TRUE(bitwiseEqual(y0, runCim(x, ProgrammedWeights::program(w, p, 0), p, nullptr).y));
  }
}

TEST(CimLinear, ColumnBlocksMatterOnlyInDynamicMode) {
  CIMLIR_CIM_RANDOM_TEST();
  for (AdcMode mode : {AdcMode::Ideal, AdcMode::Full, AdcMode::Dynamic}) {
    CimParams p = test::randomParams(rng, mode);
    p.crossbar.cols = 8;
    p.adc.bits = 4;
    int64_t M = 6, K = test::randomK(rng, p.crossbar.rows), N = 40;
    Tensor x = randomInputs(rng, M, K);
    ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
    CimRun narrow = runCim(x, pw, p, nullptr);
    CimParams wide = p;
    wide.crossbar.cols = 2 * N;
    CimRun one = runCim(x, pw, wide, nullptr);
    EXPECT_EQ(bitwiseEqual(narrow.y, one.y), mode != AdcMode::Dynamic) << toString(mode);
    EXPECT_EQ(narrow.counters.arrayReads, 10 * one.counters.arrayReads);
  }
}

TEST(CimLinear, CountersFollowTheMapping) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = test::randomParams(rng, AdcMode::Full);
  int64_t M = 5, K = test::randomK(rng, p.crossbar.rows), N = test::randomN(rng, p.crossbar.cols);
  SCOPED_TRACE(describe(p, M, K, N));
  ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
  CimRun run = runCim(randomInputs(rng, M, K), pw, p, nullptr);
  int64_t Rb = (K + p.crossbar.rows - 1) / p.crossbar.rows;
  int64_t Cb = (N + p.crossbar.cols / 2 - 1) / (p.crossbar.cols / 2);
  int64_t T = p.inputs.slices.size(), S = p.weights.slices.size();
  EXPECT_EQ(run.counters.rows, M);
  EXPECT_EQ(run.counters.inputDigits, M * K * T);
  EXPECT_EQ(run.counters.dacInputSlices, M * Rb * T);
  EXPECT_EQ(run.counters.arrayReads, M * Rb * Cb * T * S);
  EXPECT_EQ(run.counters.adcConversions, M * Rb * T * S * N);
  EXPECT_EQ(run.counters.digitalElements, 0);
  EXPECT_EQ(run.counters.digitalActivity(), 0.0);
}

// The input digits that drive rows are the nonzero u_i of the analog inputs (§3, §7), counted
// here from the brute-force model's l; rows with a NaN drive none.
TEST(CimLinear, ActiveInputDigitsAreTheNonzeroDacSlices) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 20; ++t) {
    CimParams p = test::randomParams(rng, t % 2 ? AdcMode::Ideal : AdcMode::Full);
    maybeHybrid(rng, p, 0.3);
    int64_t M = rng.range(1, 6), K = test::randomK(rng, p.crossbar.rows);
    int64_t N = test::randomN(rng, p.crossbar.cols);
    SCOPED_TRACE(describe(p, M, K, N));
    Tensor x = randomInputs(rng, M, K), w = rng.f32({K, N});
    // The model sees x without the NaN (it would not quantize it), the kernel with it.
    Tensor xRun = Tensor::allocate(DType::F32, x.shape());
    std::memcpy(xRun.raw(), x.raw(), x.byteSize());
    const bool nanRow = M > 1 && rng.coin(0.3);
    if (nanRow)
      xRun.data<float>()[K] = std::nanf("");
    CimRun run = runCim(xRun, ProgrammedWeights::program(w, p), p, nullptr);
    test::RefCim ref = test::referenceCim(x, w, p, nullptr, {}, /*partialSums=*/false);
    int64_t active = 0;
    for (int64_t m = 0; m < M; ++m) {
      if (nanRow && m == 1)
        continue;
      for (int64_t k = 0; k < K; ++k) {
        int64_t magnitude = std::abs(ref.analog[m * K + k]), below = 1;
        for (int width : p.inputs.slices) {
          active += (magnitude / below) % (int64_t(1) << width) != 0;
          below <<= width;
        }
      }
    }
    EXPECT_EQ(run.counters.activeInputDigits, active);
    EXPECT_EQ(run.counters.inputDigits, M * K * static_cast<int64_t>(p.inputs.slices.size()));
  }
}

TEST(CimLinear, NonFiniteRowGivesNaNRowOnly) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = test::randomParams(rng, AdcMode::Full);
  int64_t M = 4, K = test::randomK(rng, p.crossbar.rows), N = test::randomN(rng, p.crossbar.cols);
  Tensor x = randomInputs(rng, M, K);
  ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
  CimRun clean = runCim(x, pw, p, nullptr);
  x.data<float>()[2 * K + 1] = std::nanf("");
  CimRun dirty = runCim(x, pw, p, nullptr);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float v = dirty.y.data<float>()[m * N + n];
      if (m == 2)
        EXPECT_TRUE(std::isnan(v));
      else
        EXPECT_EQ(v, clean.y.data<float>()[m * N + n]);
    }
}

TEST(CimLinear, BadParametersThrow) {
  CimParams good;
  good.crossbar.rows = 8;
  good.crossbar.cols = 8;
  EXPECT_NO_THROW(validateCimParams(good));
  auto bad = [&](auto edit, const char *what) {
    CimParams p = good;
    edit(p);
    EXPECT_THROW(validateCimParams(p), Error) << what;
  };
  bad([](CimParams &p) { p.weights.slices = {1, 2, 2}; }, "weight slices sum to 5, not 7");
  bad([](CimParams &p) { p.inputs.slices = {4, 4}; }, "input slices sum to 8, not 7");
  bad(
      [](CimParams &p) {
        p.weights.slices = {8};
        p.weights.bits = 9;
      },
      "slice of 8 bits");
  bad([](CimParams &p) { p.inputs.slices = {0, 7}; }, "slice of 0 bits");
  bad([](CimParams &p) { p.weights.bits = 1; }, "weights.bits 1");
  bad([](CimParams &p) { p.inputs.bits = 17; }, "inputs.bits 17");
  bad([](CimParams &p) { p.adc.bits = 1; }, "adc.bits 1");
  bad([](CimParams &p) { p.inputs.hybridAnalogBits = 1; }, "h = 1");
  bad([](CimParams &p) { p.inputs.hybridAnalogBits = 9; }, "h > bits");
  bad(
      [](CimParams &p) {
        p.inputs.hybridAnalogBits = 4;
        p.inputs.slices = {1, 1, 1, 1, 1, 1, 1};
      },
      "h = 4 with 7 input slice bits");
  bad([](CimParams &p) { p.crossbar.rows = 0; }, "rows 0");
  bad([](CimParams &p) { p.crossbar.cols = 1; }, "cols 1");
  bad(
      [](CimParams &p) {
        p.crossbar.rows = 1 << 20;
        p.weights.slices = {7};
        p.inputs.slices = {7};
      },
      "rows·127·127 >= 2^31");
  bad([](CimParams &p) { p.noise.read = -0.1; }, "negative read noise");
  bad([](CimParams &p) { p.noise.program = NAN; }, "NaN program noise");
  bad([](CimParams &p) { p.noise.stuckAtMin = -0.1; }, "negative probability");
  bad([](CimParams &p) { p.noise.stuckAtMin = 0.6, p.noise.stuckAtMax = 0.5; }, "p sum > 1");
  bad([](CimParams &p) { p.adc.noiseLsb = -1; }, "negative adc noise");
  bad([](CimParams &p) { p.adc.samples = 0; }, "adc.samples 0");
  bad([](CimParams &p) { p.weights.clipPercentile = 100.5; }, "percentile > 100");
  bad([](CimParams &p) { p.inputs.clipPercentile = -1; }, "percentile < 0");
  {
    CimParams p = good;
    p.inputs.hybridAnalogBits = 4;
    p.inputs.slices = {1, 2};
    EXPECT_NO_THROW(validateCimParams(p)) << "hybrid slices sum to h - 1";
  }

  // Call-level errors.
  Tensor w = Tensor::allocate(DType::F32, {10, 6});
  w.data<float>()[7] = 0.5f;
  ProgrammedWeights pw = ProgrammedWeights::program(w, good);
  Tensor x = Tensor::allocate(DType::F32, {3, 10}), y = Tensor::allocate(DType::F32, {3, 6});
  EXPECT_NO_THROW(cimLinear(x, pw, good, nullptr, {}, y));
  CimParams other = good;
  other.noise.chipSeed = 1;
  EXPECT_THROW(cimLinear(x, pw, other, nullptr, {}, y), Error) << "other chip seed";
  other = good;
  other.weights.slices = {3, 4};
  EXPECT_THROW(cimLinear(x, pw, other, nullptr, {}, y), Error) << "other weight slices";
  other = good;
  other.inputs.slices = {3, 3};
  EXPECT_THROW(cimLinear(x, pw, other, nullptr, {}, y), Error) << "invalid call parameters";
  Tensor xBad = Tensor::allocate(DType::F32, {3, 9});
  EXPECT_THROW(cimLinear(xBad, pw, good, nullptr, {}, y), Error) << "K mismatch";
  Tensor yBad = Tensor::allocate(DType::F32, {3, 5});
  EXPECT_THROW(cimLinear(x, pw, good, nullptr, {}, yBad), Error) << "y shape";
  Tensor biasBad = Tensor::allocate(DType::F32, {5});
  EXPECT_THROW(cimLinear(x, pw, good, &biasBad, {}, y), Error) << "bias shape";
  EXPECT_THROW(cimLinear(x, pw, good, nullptr, {0, 0}, y), Error) << "rowsPerSample 0";
  EXPECT_THROW(cimLinear(x, pw, good, nullptr, {-1, 1}, y), Error) << "negative sample";
  EXPECT_THROW(cimLinear(x, pw, good, nullptr, {(int64_t(1) << 32) - 2, 1}, y), Error)
      << "sample index beyond 2^32";
  Tensor xInt = Tensor::allocate(DType::I32, {3, 10});
  EXPECT_THROW(cimLinear(xInt, pw, good, nullptr, {}, y), Error) << "x dtype";
}

} // namespace
} // namespace cimlir::cim
