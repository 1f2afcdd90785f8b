// Helpers shared by the CPU kernel tests: seeded random inputs and tolerant comparison.
//
// Every test draws fresh random data from a seed it prints (SCOPED_TRACE), so a failure
// can be replayed with CIMLIR_TEST_SEED=<seed>.
#pragma once

#include "core/Error.h"
#include "core/Tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace cimlir::test {

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
  bool coin() { return range(0, 1) == 1; }
  std::mt19937 &engine() { return gen_; }

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

/// Declares `seed` and `rng` for one test and records the seed in every failure message.
#define CIMLIR_RANDOM_TEST()                                                                       \
  const uint32_t seed = ::cimlir::test::freshSeed();                                               \
  SCOPED_TRACE("seed " + std::to_string(seed) +                                                    \
               " (replay with CIMLIR_TEST_SEED=" + std::to_string(seed) + ")");                    \
  ::cimlir::test::Rng rng(seed)

/// Row-major strides of a shape, in elements.
inline std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    s[i - 1] = s[i] * shape[i];
  return s;
}

/// Multi-index of flat position `flat` in `shape`.
inline std::vector<int64_t> unravel(int64_t flat, const Shape &shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return idx;
}

/// Checks |got - want| <= atol + rtol * scale element-wise, where scale is mag[i] when
/// given (the sum of |terms| behind want[i], the right yardstick for float32 sums whose
/// result may cancel to near zero) and |want[i]| otherwise. Reports the first few misses.
inline void expectClose(const Tensor &got, const std::vector<double> &want, double rtol,
                        double atol, const std::vector<double> *mag = nullptr) {
  ASSERT_EQ(got.dtype(), DType::F32);
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size());
  if (mag) {
    ASSERT_EQ(mag->size(), want.size());
  }
  const float *g = got.data<float>();
  int misses = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    double scale = mag ? (*mag)[i] : std::fabs(want[i]);
    double tol = atol + rtol * scale;
    double diff = std::fabs(static_cast<double>(g[i]) - want[i]);
    if (!(diff <= tol)) { // also catches NaN
      ADD_FAILURE() << "element " << i << " of " << shapeToString(got.shape()) << ": got " << g[i]
                    << ", want " << want[i] << " (diff " << diff << ", tol " << tol << ")";
      if (++misses == 5)
        return;
    }
  }
}

} // namespace cimlir::test
