// Range searches (kernels/cim/RangeSearch.h): the MSE clip against a brute-force search on the
// raw samples (not the histogram the function takes), and the KL threshold's behaviour on
// distributions whose answer is known (uniform data keeps its range, an outlier is cut off),
// on fresh random data.
#include "kernels/cim/RangeSearch.h"

#include "core/Error.h"
#include "test/unit/cim/CimTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <random>

namespace cimlir::cim {
namespace {

/// Normal samples (Box–Muller on the test's generator).
std::vector<double> normals(test::Rng &rng, int64_t count, double sd) {
  std::vector<double> out;
  while (static_cast<int64_t>(out.size()) < count) {
    const double u = rng.uniform(1e-12, 1.0), v = rng.uniform(0.0, 1.0);
    out.push_back(sd * std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v));
  }
  return out;
}

/// The squared error of the symmetric quantizer with clip c on the samples themselves.
double bruteError(const std::vector<double> &x, double clip, int64_t qmax) {
  const double step = clip / static_cast<double>(qmax);
  double error = 0.0;
  for (double v : x) {
    const double q = std::max(-static_cast<double>(qmax),
                              std::min(static_cast<double>(qmax), std::nearbyint(v / step)));
    error += (v - q * step) * (v - q * step);
  }
  return error;
}

TEST(RangeSearch, MagnitudesMergeSortAndTakeAbsoluteValues) {
  const Magnitudes m = Magnitudes::of({3.0, -1.0, 0.0, 1.0, -3.0, 3.0});
  EXPECT_EQ(m.values, (std::vector<double>{0.0, 1.0, 3.0}));
  EXPECT_EQ(m.counts, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(m.total(), 6);
  EXPECT_EQ(m.largest(), 3.0);
}

TEST(RangeSearch, MseClipIsTheBruteForceMinimum) {
  CIMLIR_CIM_RANDOM_TEST();
  for (const int64_t qmax : {1, 3, 7, 31, 127}) {
    SCOPED_TRACE("qmax " + std::to_string(qmax));
    const double sd = rng.uniform(0.1, 10.0);
    std::vector<double> x = normals(rng, 5000, sd);
    x.push_back(30.0 * sd); // an outlier, which few levels clip and many keep
    const Magnitudes m = Magnitudes::of(x);
    EXPECT_NEAR(quantizationError(m, 1.3, qmax), bruteError(x, 1.3, qmax),
                1e-9 * bruteError(x, 1.3, qmax));
    const double clip = mseClip(m, qmax);
    double bestBrute = std::numeric_limits<double>::infinity();
    for (int c = 1; c <= 4000; ++c)
      bestBrute = std::min(bestBrute, bruteError(x, m.largest() * c / 4000.0, qmax));
    const double got = bruteError(x, clip, qmax);
    // With many levels the error is jagged at fine scales (each clip moves the rounding of
    // thousands of values), with many minima within a few 1e-6 of each other: the search
    // finds one of them.
    EXPECT_LE(got, bestBrute * (1.0 + 1e-5)) << std::setprecision(12) << "clip " << clip
                                             << ": error " << got << ", brute force " << bestBrute;
    if (qmax <= 7) { // few levels: the outlier is clipped, the bulk kept
      EXPECT_LT(clip, 0.3 * m.largest());
    }
  }
}

TEST(RangeSearch, MseClipKeepsTheRangeWhenLevelsAreFine) {
  CIMLIR_CIM_RANDOM_TEST();
  std::vector<double> x;
  for (int i = 0; i < 5000; ++i)
    x.push_back(rng.uniform(-2.0, 2.0));
  const Magnitudes m = Magnitudes::of(x);
  // With 2^20 levels, rounding costs nothing next to clipping: the clip stays at the top.
  EXPECT_GE(mseClip(m, int64_t(1) << 20), 0.999 * m.largest());
}

// (A lone far outlier is beyond any 2048-bin histogram's reach: the bulk falls into its first
// bins, below the smallest threshold of 128 bins. INT8 tools share that limit.)
TEST(RangeSearch, KlThresholdKeepsUniformDataAndCutsAGaussiansTails) {
  CIMLIR_CIM_RANDOM_TEST();
  std::vector<double> x;
  for (int i = 0; i < 20000; ++i)
    x.push_back(rng.uniform(-1.0, 1.0));
  const Magnitudes uniform = Magnitudes::of(x);
  EXPECT_GE(klClip(uniform, 127), 0.95 * uniform.largest());
  const double sd = rng.uniform(0.1, 10.0);
  const Magnitudes gaussian = Magnitudes::of(normals(rng, 100000, sd));
  // Few levels cut the tails and keep the bulk; more levels afford a wider range. (The largest
  // of 100,000 normals is 4.4 to 5 sd; 7 levels' clip is about 4 sd: 0.9 of the largest
  // failed for one seed in about 50.)
  const double coarse = klClip(gaussian, 7), fine = klClip(gaussian, 127);
  EXPECT_LT(coarse, 0.95 * gaussian.largest());
  EXPECT_GT(coarse, 1.5 * sd);
  EXPECT_LE(coarse, fine);
  // Integer magnitudes (an ADC's |P|): thresholds are bin edges of [0, largest].
  const Magnitudes integers = Magnitudes::of({0, 1, 1, 2, 3, 3, 3, 4, 7, 40});
  const double t = klClip(integers, 3, 40);
  EXPECT_GT(t, 0.0);
  EXPECT_LE(t, 40.0);
  EXPECT_DOUBLE_EQ(std::fmod(t, 1.0), 0.0);
}

TEST(RangeSearch, DegenerateInputs) {
  EXPECT_EQ(mseClip(Magnitudes::of({0.0, 0.0}), 7), 0.0);
  EXPECT_EQ(klClip(Magnitudes::of({}), 7), 0.0);
  EXPECT_THROW(mseClip(Magnitudes::of({1.0}), 0), Error);
  EXPECT_THROW(klClip(Magnitudes::of({1.0}), 2048, 2048), Error);
}

} // namespace
} // namespace cimlir::cim
