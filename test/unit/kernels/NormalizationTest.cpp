#include "kernels/cpu/Normalization.h"

#include "KernelTestUtil.h"

#include <cmath>

namespace cimlir::cpu {
namespace {

using test::expectClose;

TEST(BatchNorm, MatchesFormula) {
  CIMLIR_RANDOM_TEST();
  for (int rank = 2; rank <= 5; ++rank) {
    Shape xs = {rng.range(1, 3), rng.range(1, 8)};
    for (int i = 2; i < rank; ++i)
      xs.push_back(rng.range(1, rank == 5 ? 5 : 12));
    SCOPED_TRACE("X " + shapeToString(xs));
    int64_t c = xs[1];
    Tensor x = rng.f32(xs, -5, 5);
    Tensor scale = rng.f32({c}, -2, 2), bias = rng.f32({c}, -2, 2);
    Tensor mean = rng.f32({c}, -3, 3), var = rng.f32({c}, 0.05, 4);
    float eps = static_cast<float>(rng.uniform(1e-6, 1e-2));
    Tensor y = rng.f32(xs);
    batchNorm(x, scale, bias, mean, var, eps, y);

    int64_t inner = x.numel() / (xs[0] * c);
    std::vector<double> want(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i) {
      int64_t ch = (i / inner) % c;
      double xv = x.data<float>()[i];
      want[i] = (xv - mean.data<float>()[ch]) /
                    std::sqrt(double(var.data<float>()[ch]) + double(eps)) *
                    scale.data<float>()[ch] +
                bias.data<float>()[ch];
    }
    expectClose(y, want, 1e-5, 1e-5);
  }
}

TEST(BatchNorm, RejectsMismatchedShapes) {
  auto t = [](Shape s) { return Tensor::allocate(DType::F32, std::move(s)); };
  Tensor x = t({2, 3, 4}), c3 = t({3}), c4 = t({4});
  Tensor y = t({2, 3, 4});
  EXPECT_NO_THROW(batchNorm(x, c3, c3, c3, c3, 1e-5f, y));
  EXPECT_THROW(batchNorm(x, c4, c3, c3, c3, 1e-5f, y), Error);
  EXPECT_THROW(batchNorm(x, c3, c3, c3, c4, 1e-5f, y), Error);
  Tensor yBad = t({2, 3, 5});
  EXPECT_THROW(batchNorm(x, c3, c3, c3, c3, 1e-5f, yBad), Error);
  Tensor x1 = t({3});
  Tensor y1 = t({3});
  EXPECT_THROW(batchNorm(x1, c3, c3, c3, c3, 1e-5f, y1), Error);
}

/// Softmax along `axis` in double, max-subtracted like the kernel but independent of it.
std::vector<double> naiveSoftmax(const Tensor &x, int64_t axis) {
  const Shape &s = x.shape();
  std::vector<int64_t> st = test::stridesOf(s);
  std::vector<double> y(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) {
    std::vector<int64_t> idx = test::unravel(i, s);
    int64_t base = i - idx[axis] * st[axis];
    double mx = -INFINITY;
    for (int64_t j = 0; j < s[axis]; ++j)
      mx = std::max(mx, double(x.data<float>()[base + j * st[axis]]));
    double sum = 0;
    for (int64_t j = 0; j < s[axis]; ++j)
      sum += std::exp(double(x.data<float>()[base + j * st[axis]]) - mx);
    y[i] = std::exp(double(x.data<float>()[i]) - mx) / sum;
  }
  return y;
}

TEST(Softmax, EveryAxisOfRank3) {
  CIMLIR_RANDOM_TEST();
  Shape s = {rng.range(2, 5), rng.range(2, 9), rng.range(2, 17)};
  for (int64_t axis = 0; axis < 3; ++axis) {
    SCOPED_TRACE("X " + shapeToString(s) + " axis " + std::to_string(axis));
    Tensor x = rng.f32(s, -8, 8);
    Tensor y = rng.f32(s);
    softmax(x, axis, y);
    expectClose(y, naiveSoftmax(x, axis), 1e-5, 1e-7);
  }
}

TEST(Softmax, LargeValuesDoNotOverflow) {
  CIMLIR_RANDOM_TEST();
  Shape s = {rng.range(2, 4), rng.range(2, 6), rng.range(2, 7)};
  for (int64_t axis = 0; axis < 3; ++axis) {
    SCOPED_TRACE("X " + shapeToString(s) + " axis " + std::to_string(axis));
    // Around +-1e4 exp() overflows float and double alike without the max subtraction; the
    // spread of a few units keeps several entries per row non-negligible.
    Tensor x = rng.f32(s, -4, 4);
    for (int64_t i = 0; i < x.numel(); ++i)
      x.data<float>()[i] += (i % 3 == 0 ? -1e4f : 1e4f);
    Tensor y = rng.f32(s);
    softmax(x, axis, y);
    for (int64_t i = 0; i < y.numel(); ++i)
      ASSERT_TRUE(std::isfinite(y.data<float>()[i])) << "element " << i;
    expectClose(y, naiveSoftmax(x, axis), 1e-5, 1e-7);
  }
}

/// A 20,000-entry softmax with one dominant entry and many small ones (a classifier over a
/// large vocabulary: PP-OCRv5's recogniser has 18,385 characters): a float32 running sum
/// drifts there (1.3e-4 of that model's largest output). Along the last axis and along an
/// axis with inner elements.
TEST(Softmax, LongAxesSumWithoutDrift) {
  CIMLIR_RANDOM_TEST();
  const int64_t len = 20000;
  for (int64_t inner : {1, 3}) {
    SCOPED_TRACE("inner " + std::to_string(inner));
    Tensor x = rng.f32({len, inner}, -11, -9);
    for (int64_t i = 0; i < inner; ++i)
      x.data<float>()[i] = 0; // the dominant entry of every softmax
    Tensor y = rng.f32({len, inner});
    softmax(x, 0, y);
    std::vector<double> want(static_cast<size_t>(len * inner));
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t l = 0; l < len; ++l)
        sum += std::exp(double(x.data<float>()[l * inner + i]));
      for (int64_t l = 0; l < len; ++l)
        want[l * inner + i] = std::exp(double(x.data<float>()[l * inner + i])) / sum;
    }
    expectClose(y, want, 1e-6, 0);
  }
}

TEST(Softmax, RejectsMismatches) {
  Tensor x = Tensor::allocate(DType::F32, {2, 3});
  Tensor y = Tensor::allocate(DType::F32, {2, 3});
  EXPECT_NO_THROW(softmax(x, 1, y));
  EXPECT_THROW(softmax(x, 2, y), Error);
  EXPECT_THROW(softmax(x, -1, y), Error);
  Tensor yBad = Tensor::allocate(DType::F32, {3, 2});
  EXPECT_THROW(softmax(x, 0, yBad), Error);
  Tensor x64 = Tensor::allocate(DType::F64, {2, 3});
  EXPECT_THROW(softmax(x64, 0, y), Error);
}

} // namespace
} // namespace cimlir::cpu

namespace cimlir::cpu {
namespace {

TEST(SoftmaxFamily, LogSoftmaxAndHardmaxAgainstTheDefinition) {
  CIMLIR_RANDOM_TEST();
  const Shape s = {3, 5, 4};
  Tensor x = rng.f32(s, -30, 30), y = Tensor::allocate(DType::F32, s),
         h = Tensor::allocate(DType::F32, s);
  x.data<float>()[1 * 4] = x.data<float>()[0]; // a tie along axis 1: the first one wins
  softmax(x, 1, y, SoftmaxKind::LogSoftmax);
  softmax(x, 1, h, SoftmaxKind::Hardmax);
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t i = 0; i < 4; ++i) {
      long double total = 0;
      int64_t first = 0;
      for (int64_t l = 0; l < 5; ++l) {
        const float v = x.data<float>()[(o * 5 + l) * 4 + i];
        total += expl(v);
        if (v > x.data<float>()[(o * 5 + first) * 4 + i])
          first = l;
      }
      for (int64_t l = 0; l < 5; ++l) {
        const int64_t at = (o * 5 + l) * 4 + i;
        const long double want = x.data<float>()[at] - logl(total);
        ASSERT_NEAR(y.data<float>()[at], want, 1e-5L * (1 + fabsl(want)));
        ASSERT_EQ(h.data<float>()[at], l == first ? 1.0f : 0.0f);
      }
    }
}

TEST(LayerNorm, StatisticsAndBroadcastScale) {
  CIMLIR_RANDOM_TEST();
  Tensor x = rng.f32({2, 3, 4}, -5, 5), scale = rng.f32({4}), bias = rng.f32({3, 1});
  Tensor y = Tensor::allocate(DType::F32, {2, 3, 4}),
         mean = Tensor::allocate(DType::F32, {2, 1, 1}),
         inv = Tensor::allocate(DType::F32, {2, 1, 1});
  layerNorm(x, scale, &bias, 1, 1e-5f, y, &mean, &inv);
  for (int64_t r = 0; r < 2; ++r) {
    long double mu = 0, var = 0;
    for (int64_t i = 0; i < 12; ++i)
      mu += x.data<float>()[r * 12 + i];
    mu /= 12;
    for (int64_t i = 0; i < 12; ++i)
      var += (x.data<float>()[r * 12 + i] - mu) * (x.data<float>()[r * 12 + i] - mu);
    var /= 12;
    const long double istd = 1 / sqrtl(var + 1e-5L);
    EXPECT_NEAR(mean.data<float>()[r], mu, 1e-6);
    EXPECT_NEAR(inv.data<float>()[r], istd, 1e-5 * istd);
    for (int64_t i = 0; i < 12; ++i) {
      const long double want =
          (x.data<float>()[r * 12 + i] - mu) * istd * scale.data<float>()[i % 4] +
          bias.data<float>()[i / 4];
      ASSERT_NEAR(y.data<float>()[r * 12 + i], want, 1e-5);
    }
  }
  Tensor badScale = rng.f32({3});
  EXPECT_THROW(layerNorm(x, badScale, nullptr, 1, 1e-5f, y, nullptr, nullptr), Error);
}

TEST(InstanceNormAndLrn, AgainstTheDefinition) {
  CIMLIR_RANDOM_TEST();
  Tensor x = rng.f32({2, 5, 3}, -2, 2), scale = rng.f32({5}), bias = rng.f32({5});
  Tensor y = Tensor::allocate(DType::F32, {2, 5, 3});
  instanceNorm(x, scale, bias, 1e-5f, y);
  for (int64_t nc = 0; nc < 10; ++nc) {
    long double mu = 0, var = 0;
    for (int64_t j = 0; j < 3; ++j)
      mu += x.data<float>()[nc * 3 + j];
    mu /= 3;
    for (int64_t j = 0; j < 3; ++j)
      var += powl(x.data<float>()[nc * 3 + j] - mu, 2);
    var /= 3;
    for (int64_t j = 0; j < 3; ++j) {
      const long double want =
          (x.data<float>()[nc * 3 + j] - mu) / sqrtl(var + 1e-5L) * scale.data<float>()[nc % 5] +
          bias.data<float>()[nc % 5];
      ASSERT_NEAR(y.data<float>()[nc * 3 + j], want, 1e-4);
    }
  }
  // LRN with size 3: the channel window [c - 1, c + 1].
  lrn(x, 3, 0.5f, 0.75f, 2.0f, y);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 5; ++c)
      for (int64_t j = 0; j < 3; ++j) {
        long double squares = 0;
        for (int64_t k = std::max<int64_t>(0, c - 1); k <= std::min<int64_t>(4, c + 1); ++k)
          squares += powl(x.data<float>()[(n * 5 + k) * 3 + j], 2);
        const long double want =
            x.data<float>()[(n * 5 + c) * 3 + j] / powl(2.0L + 0.5L / 3 * squares, 0.75L);
        ASSERT_NEAR(y.data<float>()[(n * 5 + c) * 3 + j], want, 1e-6);
      }
}

} // namespace
} // namespace cimlir::cpu
