// Reductions against sums written element by element over the multi-index (no transpose),
// and ArgMax/ArgMin's ties, select_last_index and NaN.
#include "kernels/cpu/Reduce.h"

#include "KernelTestUtil.h"
#include "test/unit/common/ErrorOf.h"

#include <cmath>

namespace cimlir::cpu {
namespace {

long double fold(ReduceOp op, const std::vector<long double> &v) {
  long double acc = op == ReduceOp::Prod ? 1 : 0;
  long double best = op == ReduceOp::Max ? -INFINITY : INFINITY;
  for (long double e : v) {
    switch (op) {
    case ReduceOp::L1:
      acc += fabsl(e);
      break;
    case ReduceOp::L2:
    case ReduceOp::SumSquare:
      acc += e * e;
      break;
    case ReduceOp::LogSumExp:
      acc += expl(e);
      break;
    case ReduceOp::Prod:
      acc *= e;
      break;
    case ReduceOp::Max:
      best = std::max(best, e);
      break;
    case ReduceOp::Min:
      best = std::min(best, e);
      break;
    default:
      acc += e;
    }
  }
  switch (op) {
  case ReduceOp::L2:
    return sqrtl(acc);
  case ReduceOp::LogSum:
  case ReduceOp::LogSumExp:
    return logl(acc);
  case ReduceOp::Mean:
    return acc / static_cast<long double>(v.size());
  case ReduceOp::Max:
  case ReduceOp::Min:
    return best;
  default:
    return acc;
  }
}

TEST(Reduce, EveryOpOverRandomAxesAgainstTheDefinition) {
  CIMLIR_RANDOM_TEST();
  for (size_t o = 0; o < reduceOpTypes().size(); ++o) {
    const auto op = static_cast<ReduceOp>(o);
    for (int round = 0; round < 8; ++round) {
      Shape xs;
      for (int64_t r = rng.range(1, 4); r > 0; --r)
        xs.push_back(rng.range(1, 4));
      std::vector<int64_t> axes;
      for (int64_t a = 0; a < static_cast<int64_t>(xs.size()); ++a)
        if (rng.coin())
          axes.push_back(a);
      const bool keep = rng.coin();
      SCOPED_TRACE(reduceOpTypes()[o] + " X " + shapeToString(xs) + " axes " + shapeToString(axes));
      Tensor x = rng.f32(xs, 0.1, 2.0); // positive: LogSum and Prod stay in range
      Shape ys;
      for (int64_t a = 0; a < x.rank(); ++a) {
        const bool reduced = std::find(axes.begin(), axes.end(), a) != axes.end();
        if (!reduced || keep)
          ys.push_back(reduced ? 1 : xs[a]);
      }
      Tensor y = Tensor::allocate(DType::F32, ys);
      reduce(op, x, axes, keep, y);
      // Gather each output's elements by walking X and matching the kept coordinates.
      std::vector<std::vector<long double>> groups(static_cast<size_t>(y.numel()));
      for (int64_t i = 0; i < x.numel(); ++i) {
        std::vector<int64_t> xi = test::unravel(i, xs), yi;
        for (int64_t a = 0; a < x.rank(); ++a) {
          const bool reduced = std::find(axes.begin(), axes.end(), a) != axes.end();
          if (!reduced)
            yi.push_back(xi[a]);
          else if (keep)
            yi.push_back(0);
        }
        int64_t flat = 0;
        for (size_t a = 0; a < yi.size(); ++a)
          flat = flat * ys[a] + yi[a];
        groups[static_cast<size_t>(flat)].push_back(x.data<float>()[i]);
      }
      for (int64_t j = 0; j < y.numel(); ++j) {
        const long double want = fold(op, groups[static_cast<size_t>(j)]);
        ASSERT_NEAR(y.data<float>()[j], want, 1e-6L * fabsl(want) + 1e-30L) << "output " << j;
      }
    }
  }
}

TEST(Reduce, IntegersAndEmptyAxes) {
  Tensor x = Tensor::allocate(DType::I64, {2, 3}), y = Tensor::allocate(DType::I64, {2});
  for (int64_t i = 0; i < 6; ++i)
    x.data<int64_t>()[i] = i - 2; // -2 -1 0 / 1 2 3
  reduce(ReduceOp::Sum, x, {1}, false, y);
  EXPECT_EQ(y.data<int64_t>()[0], -3);
  EXPECT_EQ(y.data<int64_t>()[1], 6);
  reduce(ReduceOp::Min, x, {1}, false, y);
  EXPECT_EQ(y.data<int64_t>()[0], -2);
  Tensor same = Tensor::allocate(DType::I64, {2, 3});
  reduce(ReduceOp::Max, x, {}, true, same); // no axes: Y is X
  EXPECT_EQ(same.data<int64_t>()[5], 3);
  Tensor xi = Tensor::allocate(DType::I32, {2}), yi = Tensor::allocate(DType::I32, {});
  EXPECT_NE(test::errorOf([&] { reduce(ReduceOp::Mean, xi, {0}, false, yi); }).find("int32"),
            std::string::npos);
}

TEST(ArgExtreme, TiesLastIndexAndNan) {
  Tensor x = Tensor::allocate(DType::F32, {2, 4}), y = Tensor::allocate(DType::I64, {2});
  const float v[] = {1, 5, 5, 0, 2, NAN, 7, NAN};
  std::copy(std::begin(v), std::end(v), x.data<float>());
  argExtreme(true, x, 1, false, false, y);
  EXPECT_EQ(y.data<int64_t>()[0], 1);
  EXPECT_EQ(y.data<int64_t>()[1], 1); // the first NaN
  argExtreme(true, x, 1, false, true, y);
  EXPECT_EQ(y.data<int64_t>()[0], 2); // the last of the tie
  argExtreme(false, x, 1, false, false, y);
  EXPECT_EQ(y.data<int64_t>()[0], 3);
  Tensor empty = Tensor::allocate(DType::F32, {2, 0});
  EXPECT_NE(test::errorOf([&] { argExtreme(true, empty, 1, false, false, y); }).find("empty"),
            std::string::npos);
}

} // namespace
} // namespace cimlir::cpu
