// core/ShapeMath.h against the same arithmetic in 128-bit integers, on fresh random numbers
// small and near the int64 limits: checked sums and products, tensor sizes and windows.
#include "CoreTestUtil.h"

#include "core/ShapeMath.h"

#include <limits>

using namespace cimlir;
using namespace cimlir::coretest;

namespace {

using i128 = __int128;
constexpr i128 kInt64Max = std::numeric_limits<int64_t>::max();

/// Numbers as shapes from files hold them: mostly small, some near 2^62 and int64's ends.
int64_t anyNumber(std::mt19937_64 &g) {
  switch (std::uniform_int_distribution<int>(0, 5)(g)) {
  case 0:
    return std::uniform_int_distribution<int64_t>(-3, 3)(g);
  case 1:
    return std::uniform_int_distribution<int64_t>(0, 40)(g);
  case 2:
    return int64_t(1) << std::uniform_int_distribution<int>(20, 62)(g);
  case 3:
    return std::numeric_limits<int64_t>::max() - std::uniform_int_distribution<int64_t>(0, 3)(g);
  case 4:
    return std::numeric_limits<int64_t>::min() + std::uniform_int_distribution<int64_t>(0, 3)(g);
  default:
    return static_cast<int64_t>(g());
  }
}

} // namespace

TEST(ShapeMath, CheckedSumsAndProductsAreExactOrNothing) {
  std::mt19937_64 g(rng()());
  for (int round = 0; round < 100000; ++round) {
    const int64_t a = anyNumber(g), b = anyNumber(g);
    const i128 sum = i128(a) + b, product = i128(a) * b;
    const auto fits = [](i128 v) { return v >= -kInt64Max - 1 && v <= kInt64Max; };
    ASSERT_EQ(checkedAdd(a, b).has_value(), fits(sum)) << a << " + " << b;
    if (fits(sum))
      ASSERT_EQ(*checkedAdd(a, b), sum);
    ASSERT_EQ(checkedMul(a, b).has_value(), fits(product)) << a << " * " << b;
    if (fits(product))
      ASSERT_EQ(*checkedMul(a, b), product);
  }
}

TEST(ShapeMath, TensorSizesUpToTheLimitAndNoFurther) {
  std::mt19937_64 g(rng()());
  for (int round = 0; round < 20000; ++round) {
    std::vector<int64_t> shape(std::uniform_int_distribution<size_t>(0, 5)(g));
    for (int64_t &d : shape)
      d = std::uniform_int_distribution<int>(0, 3)(g) == 0
              ? anyNumber(g)
              : std::uniform_int_distribution<int64_t>(0, 300)(g);
    const size_t item = size_t(1) << std::uniform_int_distribution<int>(0, 3)(g);
    bool negative = false, empty = false;
    i128 bytes = item;
    for (int64_t d : shape) {
      negative |= d < 0;
      empty |= d == 0;
    }
    for (int64_t d : shape)
      bytes = bytes > kMaxTensorBytes ? bytes : bytes * (d < 0 ? 1 : d);
    const bool fits = !negative && (empty || bytes <= kMaxTensorBytes);
    ASSERT_EQ(tensorSizeProblem(shape, item).empty(), fits) << shape.size() << " dims";
  }
  EXPECT_EQ(tensorSizeProblem({int64_t(1) << 46}, 4), "") << "exactly 2^48 bytes";
  EXPECT_NE(tensorSizeProblem({(int64_t(1) << 46) + 1}, 4), "");
  EXPECT_EQ(tensorSizeProblem({0, int64_t(1) << 62, 4}, 8), "") << "holds nothing";
}

TEST(ShapeMath, WindowsFitAsThe128BitArithmeticSays) {
  std::mt19937_64 g(rng()());
  for (int round = 0; round < 100000; ++round) {
    WindowAxis a;
    const bool small = round % 2 == 0;
    auto pick = [&](int64_t lo, int64_t hi) {
      return small ? std::uniform_int_distribution<int64_t>(lo, hi)(g) : anyNumber(g);
    };
    a.in = pick(0, 20);
    a.kernel = pick(1, 6);
    a.stride = pick(1, 4);
    a.dilation = pick(1, 3);
    a.padBegin = pick(0, 4);
    a.padEnd = pick(0, 4);
    WindowFit fit;
    const std::string problem = fitWindow(a, fit);
    if (a.kernel < 1 || a.stride < 1 || a.dilation < 1 || a.padBegin < 0 || a.padEnd < 0 ||
        a.in < 0) {
      ASSERT_NE(problem.find("needs"), std::string::npos) << problem;
      continue;
    }
    const i128 extent = i128(a.kernel - 1) * a.dilation + 1;
    const i128 padded = i128(a.in) + a.padBegin + a.padEnd;
    if (extent > kInt64Max || padded > kInt64Max) {
      ASSERT_NE(problem.find("overflows int64"), std::string::npos) << problem;
      continue;
    }
    if (extent > padded) {
      ASSERT_NE(problem.find("does not fit"), std::string::npos) << problem;
      continue;
    }
    ASSERT_EQ(problem, "");
    const i128 room = padded - extent;
    ASSERT_EQ(fit.extent, extent);
    ASSERT_EQ(fit.room, room);
    ASSERT_EQ(fit.floorOut, room / a.stride + 1);
    ASSERT_EQ(fit.ceilOut, (room + a.stride - 1) / a.stride + 1);
  }
}
