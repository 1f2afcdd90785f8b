// The singular values behind cim-opt --sensitivity's weight-energy proxy: a matrix built as
// U·diag(s)·Vᵀ from random orthogonal U and V (products of Householder reflections) gives s
// back, whatever its shape.
#include "kernels/cpu/SingularValues.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace cimlir::kernels {
namespace {

/// A random n x n orthogonal matrix (row-major): the product of n Householder reflections.
std::vector<double> orthogonal(int64_t n, std::mt19937 &rng) {
  std::normal_distribution<double> normal;
  std::vector<double> q(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    q[i * n + i] = 1.0;
  for (int64_t r = 0; r < n; ++r) {
    std::vector<double> v(n);
    double norm = 0;
    for (double &x : v) {
      x = normal(rng);
      norm += x * x;
    }
    // Q <- Q (I - 2 v vᵀ / |v|²)
    for (int64_t i = 0; i < n; ++i) {
      double dot = 0;
      for (int64_t k = 0; k < n; ++k)
        dot += q[i * n + k] * v[k];
      for (int64_t k = 0; k < n; ++k)
        q[i * n + k] -= 2.0 * dot * v[k] / norm;
    }
  }
  return q;
}

TEST(SingularValues, RecoversTheValuesOfUSVt) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed)); // a failure says how to repeat it
  std::mt19937 rng(seed);
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{7, 7}, {5, 12}, {13, 4}, {1, 9}}) {
    const int64_t k = std::min(rows, cols);
    std::uniform_real_distribution<double> value(0.01, 5.0);
    std::vector<double> s(k);
    for (double &x : s)
      x = value(rng);
    std::sort(s.rbegin(), s.rend());
    const std::vector<double> u = orthogonal(rows, rng), v = orthogonal(cols, rng);
    std::vector<float> a(rows * cols);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        double sum = 0;
        for (int64_t t = 0; t < k; ++t)
          sum += u[i * rows + t] * s[t] * v[j * cols + t];
        a[i * cols + j] = static_cast<float>(sum);
      }
    const std::vector<float> got = singularValues(a.data(), rows, cols);
    ASSERT_EQ(got.size(), static_cast<size_t>(k)) << rows << "x" << cols;
    for (int64_t t = 0; t < k; ++t)
      EXPECT_NEAR(got[t], s[t], 1e-4 * s[0]) << rows << "x" << cols << " value " << t;
  }
}

TEST(SingularValues, ANonFiniteValueIsAnError) {
  std::vector<float> a{1.0f, NAN, 0.0f, 2.0f};
  EXPECT_THROW(singularValues(a.data(), 2, 2), Error);
}

} // namespace
} // namespace cimlir::kernels
