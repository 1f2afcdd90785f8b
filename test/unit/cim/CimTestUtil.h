// Helpers of the CIM kernel tests: seeded random numbers, random layer configurations, and a
// check that a statistic looks like a standard normal.
//
// Every test draws fresh random data from a seed it prints (SCOPED_TRACE); replay a failure
// with CIMLIR_TEST_SEED=<seed>.
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace cimlir::cim::test {

inline uint32_t freshSeed() {
  if (const char *s = std::getenv("CIMLIR_TEST_SEED"))
    return static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

class Rng {
public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  int64_t range(int64_t lo, int64_t hi) { // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(gen_);
  }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(gen_);
  }
  bool coin(double p = 0.5) { return uniform(0.0, 1.0) < p; }
  uint64_t u64() { return (static_cast<uint64_t>(gen_()) << 32) | gen_(); }

  /// Float32 tensor uniform in [lo, hi).
  Tensor f32(const Shape &shape, double lo = -1.0, double hi = 1.0) {
    Tensor t = Tensor::allocate(DType::F32, shape);
    float *p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i)
      p[i] = static_cast<float>(uniform(lo, hi));
    return t;
  }

private:
  std::mt19937 gen_;
};

#define CIMLIR_CIM_RANDOM_TEST()                                                                   \
  const uint32_t seed = ::cimlir::cim::test::freshSeed();                                          \
  SCOPED_TRACE("seed " + std::to_string(seed) +                                                    \
               " (replay with CIMLIR_TEST_SEED=" + std::to_string(seed) + ")");                    \
  ::cimlir::cim::test::Rng rng(seed)

/// A random split of `total` bits into slices of 1..7 bits (uneven on purpose).
inline std::vector<int> randomSlices(Rng &rng, int total) {
  std::vector<int> s;
  while (total > 0) {
    int w = static_cast<int>(rng.range(1, std::min(total, 4)));
    if (rng.coin(0.2))
      w = std::min(total, 7);
    s.push_back(w);
    total -= w;
  }
  return s;
}

/// A random, valid layer configuration for small shapes: uneven slices, a few crossbar sizes,
/// either granularity, sometimes clip percentiles. No noise.
inline CimParams randomParams(Rng &rng, AdcMode mode) {
  CimParams p;
  p.weights.bits = static_cast<int>(rng.range(2, 10));
  p.weights.slices =
      rng.coin(0.2) ? oneBitSlices(p.weights.bits - 1) : randomSlices(rng, p.weights.bits - 1);
  p.weights.granularity = rng.coin() ? WeightGranularity::PerChannel : WeightGranularity::PerTensor;
  p.weights.clipPercentile = rng.coin(0.3) ? rng.uniform(80.0, 99.9) : 100.0;
  p.inputs.bits = static_cast<int>(rng.range(2, 10));
  p.inputs.slices =
      rng.coin(0.2) ? oneBitSlices(p.inputs.bits - 1) : randomSlices(rng, p.inputs.bits - 1);
  p.inputs.clipPercentile = rng.coin(0.3) ? rng.uniform(80.0, 99.9) : 100.0;
  const int64_t rowChoices[] = {7, 16, 32, 50};
  p.crossbar.rows = rowChoices[rng.range(0, 3)];
  const int64_t colChoices[] = {4, 9, 16, 34};
  p.crossbar.cols = colChoices[rng.range(0, 3)];
  p.adc.mode = mode;
  p.adc.bits = static_cast<int>(rng.range(2, 10));
  p.layerId = rng.u64();
  p.noise.seed = rng.u64();
  p.noise.chipSeed = rng.u64();
  return p;
}

/// K not a multiple of the crossbar rows, spanning at least two row blocks.
inline int64_t randomK(Rng &rng, int64_t rows) {
  int64_t k = rng.range(rows + 1, 4 * rows + 3);
  return k % rows == 0 ? k + 1 : k;
}
/// N spanning several column blocks (the last one partial when possible).
inline int64_t randomN(Rng &rng, int64_t cols) {
  int64_t perBlock = cols / 2;
  int64_t n = rng.range(2 * perBlock + 1, 4 * perBlock + 3);
  return n;
}

/// Asserts that samples look like N(0, 1): |mean| and |variance - 1| within tolerance.
inline void expectStandardNormal(const std::vector<double> &z, double meanTol = 0.02,
                                 double varTol = 0.03) {
  ASSERT_GE(z.size(), size_t(100000)) << "too few samples for the statistics";
  double sum = 0.0, sq = 0.0;
  for (double v : z)
    sum += v;
  double mean = sum / z.size();
  for (double v : z)
    sq += (v - mean) * (v - mean);
  double var = sq / (z.size() - 1);
  EXPECT_LT(std::fabs(mean), meanTol) << "mean " << mean << " over " << z.size();
  EXPECT_LT(std::fabs(var - 1.0), varTol) << "variance " << var << " over " << z.size();
}

} // namespace cimlir::cim::test
