#include "kernels/cim/Quantization.h"

#include "CimReference.h"
#include "CimTestUtil.h"

namespace cimlir::cim {
namespace {

// numpy 2.4: np.float32(np.percentile(np.abs(v).astype(np.float64), p)).
TEST(CimQuantization, PercentileMatchesNumpy) {
  const std::vector<float> v = {0.5f, -1.25f, 3.0f, 0.1f, -0.7f, 2.2f, 0.0f, 1.9f, -2.6f, 0.33f};
  const std::pair<double, double> cases[] = {
      {0, 0x0.0p+0},       {10, 0x1.70a3d8p-4},   {25, 0x1.7d70a4p-2},  {33.3, 0x1.ff7a4ep-2},
      {50, 0x1.f33334p-1}, {90, 0x1.51eb84p+1},   {99, 0x1.7b645ap+1},  {99.9, 0x1.7f8a0ap+1},
      {100, 0x1.8p+1},     {12.5, 0x1.07ae14p-3}, {87.5, 0x1.466666p+1}};
  for (auto [p, want] : cases) {
    std::vector<float> mags;
    for (float x : v)
      mags.push_back(std::fabs(x));
    EXPECT_EQ(percentileInPlace(mags, p), static_cast<float>(want)) << "p = " << p;
    EXPECT_EQ(clipValue(v.data(), static_cast<int64_t>(v.size()), 1, p), static_cast<float>(want))
        << "p = " << p;
  }
}

TEST(CimQuantization, PercentileMatchesSortOnRandomData) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 200; ++t) {
    int64_t n = rng.range(1, 300);
    std::vector<float> vals(n);
    std::vector<double> mags(n);
    for (int64_t i = 0; i < n; ++i) {
      vals[i] = static_cast<float>(rng.uniform(-3, 3));
      if (rng.coin(0.1))
        vals[i] = vals[rng.range(0, i)]; // ties
      mags[i] = std::fabs(vals[i]);
    }
    double p = rng.coin(0.1) ? 100.0 : rng.uniform(0, 100);
    EXPECT_EQ(clipValue(vals.data(), n, 1, p), test::refPercentile(mags, p)) << n << " " << p;
  }
}

// §1/§3: x / s with IEEE division, never x · (1/s). Near-ties of x / s tell the two apart.
TEST(CimQuantization, UsesIeeeDivisionNotTheReciprocal) {
  CIMLIR_CIM_RANDOM_TEST();
  int reciprocalDiffers = 0;
  for (int t = 0; t < 200000; ++t) {
    float s = static_cast<float>(rng.uniform(1e-3, 10.0));
    float v = static_cast<float>((static_cast<double>(rng.range(-120, 120)) + 0.5) * s);
    int32_t want = static_cast<int32_t>(test::refQuant(v, s, 8));
    ASSERT_EQ(quantizeSymmetric(v, s, 127), want) << v << " / " << s;
    float viaReciprocal = std::nearbyint(v * (1.0f / s));
    reciprocalDiffers += std::clamp(viaReciprocal, -127.0f, 127.0f) != static_cast<float>(want);
  }
  EXPECT_GT(reciprocalDiffers, 0) << "no case told division and reciprocal apart";
}

TEST(CimQuantization, RoundingIsHalfToEvenEverywhere) {
  EXPECT_EQ(quantizeSymmetric(2.5f, 1.0f, 127), 2);
  EXPECT_EQ(quantizeSymmetric(3.5f, 1.0f, 127), 4);
  EXPECT_EQ(quantizeSymmetric(-2.5f, 1.0f, 127), -2);
  EXPECT_EQ(quantizeSymmetric(-0.5f, 1.0f, 127), 0);
  EXPECT_EQ(quantizeSymmetric(1000.0f, 1.0f, 127), 127);
  EXPECT_EQ(quantizeSymmetric(-1000.0f, 1.0f, 127), -127);
  EXPECT_EQ(symmetricScale(0.0f, 127), 1.0f);
  EXPECT_EQ(symmetricScale(1.0f, 127), 1.0f / 127.0f);
  EXPECT_EQ(symmetricScale(1e-44f, 127), 1.0f); // 1e-44 / 127 underflows: like a clip of 0
  EXPECT_EQ(quantizeSymmetric(1e-44f, symmetricScale(1e-44f, 127), 127), 0);
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 100000; ++t) {
    int64_t den = rng.range(1, 5000);
    int64_t num = rng.range(-3000000, 3000000);
    if (rng.coin(0.3)) // exact ties
      num = (2 * rng.range(-500, 500) + 1) * (den % 2 == 0 ? den / 2 : den);
    ASSERT_EQ(roundDivHalfEven(num, den), test::refDivRint(num, den)) << num << "/" << den;
  }
  // Both paths: the double division up to |num| < 2^52 (near the limit, with large
  // denominators where the quotient's rounding error is largest) and the integer one beyond.
  for (int t = 0; t < 100000; ++t) {
    int64_t den = rng.range(1, int64_t(1) << 31);
    int64_t num = rng.range(-(int64_t(1) << 53), int64_t(1) << 53);
    if (rng.coin(0.3)) // ties near the limit
      num = (2 * rng.range(-(int64_t(1) << 20), int64_t(1) << 20) + 1) *
            (den % 2 == 0 ? den / 2 : den);
    ASSERT_EQ(roundDivHalfEven(num, den), test::refDivRint(num, den)) << num << "/" << den;
  }
  EXPECT_EQ(roundDivHalfEven(5, 2), 2);
  EXPECT_EQ(roundDivHalfEven(7, 2), 4);
  EXPECT_EQ(roundDivHalfEven(-5, 2), -2);
  EXPECT_EQ(roundDivHalfEven(-7, 2), -4);
}

} // namespace
} // namespace cimlir::cim
