// The statistics of cim-opt --sensitivity (runtime/tooling/SensitivityStats.h) against direct
// computations on fresh random data: moments and quantiles of all the values at once, KL of
// the smoothed histograms bin by bin, softmax KL row by row, and Spearman's ρ from ranks
// counted pair by pair.
#include "runtime/tooling/SensitivityStats.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace cimlir {
namespace {

/// A generator on a fresh seed, which a failure prints (the trace lives as long as the test).
#define FRESH_RNG(rng)                                                                             \
  const uint32_t rng##Seed = std::random_device{}();                                               \
  SCOPED_TRACE("seed " + std::to_string(rng##Seed));                                               \
  std::mt19937 rng(rng##Seed)

TEST(SensitivityStats, MomentsAndQuantilesOverBatchesAreThoseOfAllTheValues) {
  FRESH_RNG(rng);
  std::student_t_distribution<float> heavy(5.0f); // a kurtosis well away from 0
  std::vector<float> all(20000);
  for (float &v : all)
    v = 3.0f + 2.0f * heavy(rng);
  ValueStats stats; // reservoir larger than the stream: exact quantiles
  std::uniform_int_distribution<size_t> cut(0, 3000);
  for (size_t at = 0; at < all.size();) {
    const size_t n = std::min(all.size() - at, cut(rng));
    stats.add(all.data() + at, n);
    at += n;
  }
  long double mean = 0;
  for (float v : all)
    mean += v;
  mean /= all.size();
  long double m2 = 0, m4 = 0;
  for (float v : all) {
    const long double d = v - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  const double n = static_cast<double>(all.size());
  EXPECT_EQ(stats.count(), static_cast<int64_t>(all.size()));
  EXPECT_NEAR(stats.mean(), static_cast<double>(mean), 1e-9 * std::fabs(double(mean)));
  EXPECT_NEAR(stats.variance(), static_cast<double>(m2 / n), 1e-9 * double(m2 / n));
  const double kurtosis = static_cast<double>(n * m4 / (m2 * m2)) - 3.0;
  EXPECT_NEAR(stats.kurtosis(), kurtosis, 1e-8 * std::fabs(kurtosis) + 1e-10);
  std::vector<float> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(stats.min(), sorted.front());
  EXPECT_EQ(stats.max(), sorted.back());
  for (double q : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double pos = q * (sorted.size() - 1);
    const size_t i = static_cast<size_t>(pos);
    const double want =
        sorted[i] + (pos - i) * (sorted[std::min(i + 1, sorted.size() - 1)] - sorted[i]);
    EXPECT_NEAR(stats.quantile(q), want, 1e-6) << q;
  }
  EXPECT_NEAR(stats.rangeRatio(),
              (double(sorted.back()) - sorted.front()) /
                  (stats.quantile(0.75) - stats.quantile(0.25)),
              1e-9);
}

TEST(SensitivityStats, AReservoirEstimatesTheQuartilesOfALongStream) {
  FRESH_RNG(rng);
  std::uniform_real_distribution<float> uniform(-1.0f, 3.0f);
  ValueStats stats(4096);
  std::vector<float> batch(10000);
  for (int b = 0; b < 20; ++b) {
    for (float &v : batch)
      v = uniform(rng);
    stats.add(batch.data(), batch.size());
  }
  // 4,096 of 200,000 uniform values: the quartiles' standard error is about 0.03.
  EXPECT_NEAR(stats.quantile(0.25), 0.0, 0.12);
  EXPECT_NEAR(stats.quantile(0.75), 2.0, 0.12);
  EXPECT_NEAR(stats.rangeRatio(), 2.0, 0.25);
}

TEST(SensitivityStats, NonFiniteValuesAreCountedApart) {
  std::vector<float> v{1.0f, NAN, 2.0f, INFINITY, 3.0f};
  ValueStats stats;
  stats.add(v.data(), v.size());
  EXPECT_EQ(stats.count(), 3);
  EXPECT_EQ(stats.nonFinite(), 2);
  EXPECT_DOUBLE_EQ(stats.mean(), 2.0);
  EXPECT_EQ(stats.max(), 3.0);
  std::vector<float> constant(10, 4.0f);
  ValueStats flat;
  flat.add(constant.data(), constant.size());
  EXPECT_TRUE(std::isnan(flat.kurtosis()));
  EXPECT_TRUE(std::isnan(flat.rangeRatio()));
}

TEST(SensitivityStats, OutputDivergenceIsTheSmoothedHistogramKlAndTheMeanSquaredError) {
  FRESH_RNG(rng);
  std::normal_distribution<float> normal;
  const int bins = 64;
  const double lo = -2.0, hi = 2.5;
  std::vector<float> digital(5000), cim(5000);
  for (size_t i = 0; i < digital.size(); ++i) {
    digital[i] = normal(rng);
    cim[i] = digital[i] + 0.3f * normal(rng);
  }
  OutputDivergence div(lo, hi, bins);
  div.add(digital.data(), cim.data(), 2000);
  div.add(digital.data() + 2000, cim.data() + 2000, 3000);
  std::vector<double> p(bins, 0.5), q(bins, 0.5);
  double se = 0, ss = 0;
  for (size_t i = 0; i < digital.size(); ++i) {
    auto bin = [&](double v) {
      int b = static_cast<int>(std::floor((v - lo) / (hi - lo) * bins));
      return std::clamp(b, 0, bins - 1);
    };
    p[bin(digital[i])] += 1;
    q[bin(cim[i])] += 1;
    se += (double(cim[i]) - digital[i]) * (double(cim[i]) - digital[i]);
    ss += double(digital[i]) * digital[i];
  }
  double kl = 0;
  for (int b = 0; b < bins; ++b)
    kl += p[b] / (5000 + 0.5 * bins) * std::log(p[b] / q[b]);
  EXPECT_NEAR(div.kl(), kl, 1e-9);
  EXPECT_GT(div.kl(), 0.0);
  EXPECT_NEAR(div.mse(), se / 5000, 1e-9);
  EXPECT_NEAR(div.nmse(), se / ss, 1e-9);
  OutputDivergence same(lo, hi, bins);
  same.add(digital.data(), digital.data(), digital.size());
  EXPECT_EQ(same.kl(), 0.0);
  EXPECT_EQ(same.mse(), 0.0);
  EXPECT_THROW(OutputDivergence(0.0, INFINITY), Error);
  // Values past the range, infinities too, count in the edge bins.
  OutputDivergence edges(0.0, 1.0, 4);
  const float d[] = {0.1f, 0.9f}, c[] = {-INFINITY, INFINITY};
  edges.add(d, c, 2);
  EXPECT_EQ(edges.kl(), 0.0);
  // Constant fp32 outputs: no histogram to compare.
  OutputDivergence flat(2.0, 2.0);
  flat.add(d, c, 2);
  EXPECT_TRUE(std::isnan(flat.kl()));
}

TEST(SensitivityStats, RunScoresAgainstLabelsAndTheAllDigitalOutputs) {
  FRESH_RNG(rng);
  std::normal_distribution<float> normal;
  const int64_t samples = 50, classes = 7;
  std::vector<float> ref(samples * classes), out(ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    ref[i] = 2.0f * normal(rng);
    out[i] = ref[i] + 0.5f * normal(rng);
  }
  std::vector<int64_t> labels(samples);
  std::uniform_int_distribution<int64_t> label(0, classes - 1);
  for (int64_t &l : labels)
    l = label(rng);
  RunScore accuracy("accuracy", &labels, nullptr, classes), kl("kl", nullptr, &ref, classes),
      mse("mse", nullptr, &ref, classes);
  for (RunScore *s : {&accuracy, &kl, &mse}) {
    s->add(0, 20, out.data(), classes);
    s->add(20, 30, out.data() + 20 * classes, classes);
  }
  int correct = 0;
  double klSum = 0, se = 0;
  for (int64_t s = 0; s < samples; ++s) {
    const float *o = out.data() + s * classes, *r = ref.data() + s * classes;
    correct += std::max_element(o, o + classes) - o == labels[s];
    double zr = 0, zo = 0;
    for (int64_t c = 0; c < classes; ++c) {
      zr += std::exp(double(r[c]));
      zo += std::exp(double(o[c]));
      se += (double(o[c]) - r[c]) * (double(o[c]) - r[c]);
    }
    for (int64_t c = 0; c < classes; ++c) {
      const double p = std::exp(double(r[c])) / zr, q = std::exp(double(o[c])) / zo;
      klSum += p * std::log(p / q);
    }
  }
  EXPECT_DOUBLE_EQ(accuracy.value(), double(correct) / samples);
  EXPECT_DOUBLE_EQ(accuracy.loss(), 1.0 - double(correct) / samples);
  EXPECT_NEAR(kl.value(), klSum / samples, 1e-9);
  EXPECT_NEAR(mse.value(), se / (samples * classes), 1e-9);
  EXPECT_THROW(RunScore("top5", &labels, nullptr, classes), Error);
  EXPECT_THROW(RunScore("accuracy", nullptr, &ref, classes), Error);
}

TEST(SensitivityStats, ProbabilityRowsAreComparedAsTheyAre) {
  std::vector<float> ref{0.7f, 0.2f, 0.1f}, out{0.5f, 0.25f, 0.25f};
  RunScore kl("kl", nullptr, &ref, 3);
  kl.add(0, 1, out.data(), 3);
  const double want =
      0.7 * std::log(0.7 / 0.5) + 0.2 * std::log(0.2 / 0.25) + 0.1 * std::log(0.1 / 0.25);
  EXPECT_NEAR(kl.value(), want, 1e-6);
  // A softmax probability that underflows to 0 adds nothing, not 0·log 0 = NaN.
  std::vector<float> sharp{0.0f, 2000.0f, 0.0f}, close{1.0f, 2000.0f, 0.0f};
  RunScore underflow("kl", nullptr, &sharp, 3);
  underflow.add(0, 1, close.data(), 3);
  EXPECT_EQ(underflow.value(), 0.0);
  // Accuracy needs one row per sample.
  std::vector<int64_t> labels{0};
  RunScore rows("accuracy", &labels, nullptr, 3);
  std::vector<float> twoRows(6, 0.0f);
  EXPECT_THROW(rows.add(0, 1, twoRows.data(), 6), Error);
}

/// Spearman's ρ straight from its definition: each value's rank counted pair by pair (ties
/// share the mean rank), then Pearson's r of the ranks.
double spearmanByCounting(const std::vector<double> &a, const std::vector<double> &b) {
  auto rank = [](const std::vector<double> &v) {
    std::vector<double> r(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      double less = 0, equal = 0;
      for (double w : v) {
        less += w < v[i];
        equal += w == v[i];
      }
      r[i] = less + (equal + 1) / 2;
    }
    return r;
  };
  const std::vector<double> x = rank(a), y = rank(b);
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i] / x.size();
    my += y[i] / y.size();
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(SensitivityStats, SpearmanIsPearsonOfTheRanks) {
  FRESH_RNG(rng);
  std::uniform_int_distribution<int> small(0, 5); // many ties
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> a(12), b(12);
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = small(rng);
      b[i] = a[i] + small(rng);
    }
    if (*std::min_element(a.begin(), a.end()) == *std::max_element(a.begin(), a.end()))
      continue;
    EXPECT_NEAR(spearman(a, b), spearmanByCounting(a, b), 1e-12);
  }
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 30, INFINITY}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // A NaN drops its pair; two pairs or a constant side say nothing.
  EXPECT_DOUBLE_EQ(spearman({1, 2, NAN, 3}, {1, 2, 5, 3}), 1.0);
  EXPECT_TRUE(std::isnan(spearman({1, 2}, {2, 1})));
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}

} // namespace
} // namespace cimlir
