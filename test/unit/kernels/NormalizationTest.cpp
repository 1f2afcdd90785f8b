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
