#include "kernels/cpu/cim/WeightProgramming.h"

#include "CimReference.h"
#include "CimTestUtil.h"
#include "core/Error.h"

namespace cimlir::cim {

using namespace cimlir::cpu;
namespace {

using test::Rng;

TEST(CimWeightProgramming, QuantizationMatchesReference) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 30; ++t) {
    CimParams p = test::randomParams(rng, AdcMode::Full);
    if (t % 5 == 0)
      p.weights.bits = static_cast<int>(rng.range(9, 16)),
      p.weights.slices = oneBitSlices(p.weights.bits - 1);
    int64_t K = rng.range(1, 90), N = rng.range(1, 40);
    Tensor w = rng.f32({K, N}, -rng.uniform(0.01, 5), rng.uniform(0.01, 5));
    if (rng.coin(0.5)) { // a zero column: clip 0 gives s_w = 1
      int64_t zero = rng.range(0, N - 1);
      for (int64_t k = 0; k < K; ++k)
        w.data<float>()[k * N + zero] = 0.0f;
    }
    SCOPED_TRACE("K " + std::to_string(K) + " N " + std::to_string(N) + " bits " +
                 std::to_string(p.weights.bits) + " per-tensor " +
                 std::to_string(p.weights.granularity == WeightGranularity::PerTensor) + " clip " +
                 std::to_string(p.weights.clipPercentile));
    QuantizedWeights q = quantizeWeights(w, p);
    test::RefCim ref = test::referenceCim(Tensor::allocate(DType::F32, {1, K}), w, p, nullptr);
    EXPECT_EQ(q.levels.dtype(), p.weights.bits <= 8 ? DType::I8 : DType::I16);
    EXPECT_EQ(q.scales.size(),
              p.weights.granularity == WeightGranularity::PerTensor ? size_t(1) : size_t(N));
    for (int64_t n = 0; n < N; ++n)
      ASSERT_EQ(q.scale(n), ref.sw[n]) << "column " << n;
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n)
        ASSERT_EQ(q.at(k, n), ref.wq[k * N + n]) << k << "," << n;
  }
}

TEST(CimWeightProgramming, SlicesRecombineToWq) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 20; ++t) {
    CimParams p = test::randomParams(rng, AdcMode::Full);
    int64_t K = rng.range(1, 60), N = rng.range(1, 30);
    ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
    const QuantizedWeights &q = pw.quantized();
    std::vector<int32_t> eff(K * N);
    pw.effectiveWeights(0, K, eff.data());
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) {
        int64_t sum = 0;
        for (int j = 0; j < pw.sliceCount(); ++j) {
          int32_t plus = pw.idealLevel(j, 0, k, n), minus = pw.idealLevel(j, 1, k, n);
          ASSERT_TRUE(plus == 0 || minus == 0) << "a differential pair uses one cell";
          ASSERT_LE(plus, pw.cellRange(j));
          ASSERT_LE(minus, pw.cellRange(j));
          EXPECT_EQ(pw.cell(j, 0, k, n).level, plus);
          sum += (int64_t(plus) - minus) * (int64_t(1) << pw.sliceOffsets()[j]);
        }
        ASSERT_EQ(sum, q.at(k, n));
        ASSERT_EQ(eff[k * N + n], q.at(k, n));
      }
    // A row range of the differential levels.
    int64_t k0 = rng.range(0, K - 1), k1 = rng.range(k0 + 1, K);
    int j = static_cast<int>(rng.range(0, pw.sliceCount() - 1));
    std::vector<int8_t> d((k1 - k0) * N);
    pw.differentialLevels(j, k0, k1, d.data());
    for (int64_t k = k0; k < k1; ++k)
      for (int64_t n = 0; n < N; ++n)
        ASSERT_EQ(d[(k - k0) * N + n], pw.idealLevel(j, 0, k, n) - pw.idealLevel(j, 1, k, n));
  }
}

CimParams noisyParams(Rng &rng) {
  CimParams p;
  p.weights.bits = 8;
  p.weights.slices = {1, 2, 4};
  p.noise.chipSeed = rng.u64();
  p.layerId = rng.u64();
  return p;
}

TEST(CimWeightProgramming, StuckAtFractionsAndLevels) {
  CIMLIR_CIM_RANDOM_TEST();
  for (double sigma : {0.0, 0.05}) {
    CimParams p = noisyParams(rng);
    p.noise.stuckAtMin = rng.uniform(0.01, 0.1);
    p.noise.stuckAtMax = rng.uniform(0.01, 0.1);
    p.noise.program = sigma;
    SCOPED_TRACE("p_min " + std::to_string(p.noise.stuckAtMin) + " p_max " +
                 std::to_string(p.noise.stuckAtMax) + " sigma_p " +
                 std::to_string(p.noise.program));
    const int64_t K = 150, N = 120; // 3 slices x 2 signs x 18000 = 108000 cells
    ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
    int64_t cells = 0, atMin = 0, atMax = 0;
    for (int j = 0; j < pw.sliceCount(); ++j)
      for (int sign = 0; sign < 2; ++sign)
        for (int64_t k = 0; k < K; ++k)
          for (int64_t n = 0; n < N; ++n) {
            ProgrammedCell c = pw.cell(j, sign, k, n);
            ++cells;
            if (c.fault == CellFault::StuckAtMin) {
              ++atMin;
              ASSERT_EQ(c.level, 0.0f);
            } else if (c.fault == CellFault::StuckAtMax) {
              ++atMax;
              ASSERT_EQ(c.level, static_cast<float>(pw.cellRange(j)));
            } else if (p.noise.program == 0.0) {
              ASSERT_EQ(c.level, pw.idealLevel(j, sign, k, n));
            }
          }
    ASSERT_GE(cells, 100000);
    auto expectFraction = [&](int64_t count, double prob, const char *what) {
      double sd = std::sqrt(prob * (1 - prob) / cells);
      EXPECT_NEAR(static_cast<double>(count) / cells, prob, 5 * sd) << what;
    };
    expectFraction(atMin, p.noise.stuckAtMin, "stuck at min");
    expectFraction(atMax, p.noise.stuckAtMax, "stuck at max");
    // The stored levels are the cells' levels.
    std::vector<float> d(K * N);
    for (int j = 0; j < pw.sliceCount(); ++j) {
      pw.differentialLevels(j, 0, K, d.data());
      for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n)
          ASSERT_EQ(d[k * N + n], pw.cell(j, 0, k, n).level - pw.cell(j, 1, k, n).level);
    }
  }
}

TEST(CimWeightProgramming, ProgrammingNoiseIsStandardizedGaussian) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = noisyParams(rng);
  p.noise.program = rng.uniform(0.01, 0.2);
  p.noise.stuckAtMin = 0.02;
  const int64_t K = 130, N = 140;
  ProgrammedWeights pw = ProgrammedWeights::program(rng.f32({K, N}), p);
  std::vector<double> z;
  for (int j = 0; j < pw.sliceCount(); ++j)
    for (int sign = 0; sign < 2; ++sign)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n) {
          ProgrammedCell c = pw.cell(j, sign, k, n);
          if (c.fault != CellFault::None)
            continue;
          // Level-0 cells get programming noise too (§4).
          z.push_back((c.level - pw.idealLevel(j, sign, k, n)) /
                      (p.noise.program * pw.cellRange(j)));
        }
  test::expectStandardNormal(z);
}

TEST(CimWeightProgramming, StaticEffectsDependOnChipSeedAndLayerOnly) {
  CIMLIR_CIM_RANDOM_TEST();
  CimParams p = noisyParams(rng);
  p.noise.program = 0.1;
  p.noise.stuckAtMin = 0.05;
  p.noise.stuckAtMax = 0.05;
  const int64_t K = 40, N = 30;
  Tensor w = rng.f32({K, N});
  auto levels = [&](const CimParams &q, size_t cache) {
    ProgrammedWeights pw = ProgrammedWeights::program(w, q, cache);
    std::vector<double> eff(K * N);
    pw.effectiveWeights(0, K, eff.data());
    return eff;
  };
  std::vector<double> base = levels(p, kDefaultLevelCacheBytes);
  EXPECT_EQ(base, levels(p, kDefaultLevelCacheBytes));
  EXPECT_EQ(base, levels(p, 0)) << "on-the-fly levels differ from the cached ones";
  CimParams fresh = p;
  fresh.noise.seed += 1;
  fresh.repeat += 1;
  fresh.noise.read = 0.3;
  fresh.adc.bits = 3;
  fresh.crossbar.rows = 7;
  EXPECT_EQ(base, levels(fresh, 0)) << "run-time fields changed the chip";
  CimParams chip = p;
  chip.noise.chipSeed += 1;
  EXPECT_NE(base, levels(chip, 0));
  CimParams layer = p;
  layer.layerId ^= 1;
  EXPECT_NE(base, levels(layer, 0));
}

TEST(CimWeightProgramming, RejectsBadWeights) {
  CimParams p;
  Tensor w = Tensor::allocate(DType::F32, {3, 2});
  w.data<float>()[3] = std::nanf("");
  EXPECT_THROW(quantizeWeights(w, p), Error);
  w.data<float>()[3] = INFINITY;
  EXPECT_THROW(quantizeWeights(w, p), Error);
  EXPECT_THROW(quantizeWeights(Tensor::allocate(DType::F64, {3, 2}), p), Error);
  EXPECT_THROW(quantizeWeights(Tensor::allocate(DType::F32, {6}), p), Error);
  QuantizedWeights q = quantizeWeights(Tensor::allocate(DType::F32, {3, 2}), p);
  CimParams other = p;
  other.weights.bits = 6;
  EXPECT_THROW(ProgrammedWeights::program(q, other), Error);
  other = p;
  other.weights.granularity = WeightGranularity::PerTensor;
  EXPECT_THROW(ProgrammedWeights::program(q, other), Error);
}

} // namespace
} // namespace cimlir::cim
