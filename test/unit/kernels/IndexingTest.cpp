// GatherElements, ScatterElements, OneHot, TopK, Trilu, CumSum and Mod against definitions
// written from the ONNX operator text.
#include "kernels/cpu/Indexing.h"
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Reduce.h"

#include "KernelTestUtil.h"
#include "test/unit/common/ErrorOf.h"

#include <algorithm>
#include <numeric>

namespace cimlir::cpu {
namespace {

Tensor ints(DType dt, const Shape &s, const std::vector<int64_t> &v) {
  Tensor t = Tensor::allocate(dt, s);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == DType::I64)
      t.data<int64_t>()[i] = v[i];
    else
      t.data<int32_t>()[i] = static_cast<int32_t>(v[i]);
  }
  return t;
}

TEST(GatherScatterElements, RandomAgainstTheDefinition) {
  CIMLIR_RANDOM_TEST();
  const Shape xs = {4, 5}, is = {3, 5};
  Tensor x = rng.f32(xs);
  std::vector<int64_t> idx;
  for (int i = 0; i < 15; ++i)
    idx.push_back(rng.range(-4, 3));
  Tensor indices = ints(DType::I64, is, idx), y = Tensor::allocate(DType::F32, is);
  gatherElements(x, indices, 0, y);
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 5; ++c) {
      const int64_t i = idx[r * 5 + c] < 0 ? idx[r * 5 + c] + 4 : idx[r * 5 + c];
      ASSERT_EQ(y.data<float>()[r * 5 + c], x.data<float>()[i * 5 + c]);
    }
  // ScatterElements with add: every update lands on its row, summed.
  Tensor updates = rng.f32(is), out = Tensor::allocate(DType::F32, xs);
  scatterElements(x, indices, updates, 0, ScatterReduction::Add, out);
  std::vector<double> want(x.data<float>(), x.data<float>() + 20);
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 5; ++c) {
      const int64_t i = idx[r * 5 + c] < 0 ? idx[r * 5 + c] + 4 : idx[r * 5 + c];
      want[i * 5 + c] += updates.data<float>()[r * 5 + c];
    }
  for (int64_t i = 0; i < 20; ++i)
    ASSERT_NEAR(out.data<float>()[i], want[i], 1e-5);
  Tensor bad = ints(DType::I32, {1, 5}, {0, 1, 4, 2, 3});
  Tensor y1 = Tensor::allocate(DType::F32, {1, 5});
  EXPECT_NE(test::errorOf([&] { gatherElements(x, bad, 0, y1); }).find("index 4 is out of range"),
            std::string::npos);
}

TEST(OneHotAndTopK, AgainstTheDefinition) {
  Tensor indices = ints(DType::I64, {4}, {1, -1, 5, 0}), values = Tensor::allocate(DType::F32, {2});
  values.data<float>()[0] = -2;
  values.data<float>()[1] = 7;
  Tensor y = Tensor::allocate(DType::F32, {3, 4});
  oneHot(indices, 3, values, 0, y); // the depth axis first
  const float want[3][4] = {{-2, -2, -2, 7}, {7, -2, -2, -2}, {-2, 7, -2, -2}};
  for (int d = 0; d < 3; ++d)
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(y.data<float>()[d * 4 + i], want[d][i]) << d << "," << i; // 5: a row of off

  CIMLIR_RANDOM_TEST();
  Tensor x = rng.f32({3, 8}), v = Tensor::allocate(DType::F32, {3, 3}),
         ix = Tensor::allocate(DType::I64, {3, 3});
  x.data<float>()[1] = x.data<float>()[2]; // a tie: the lower index first
  for (bool largest : {true, false}) {
    topK(x, 3, 1, largest, v, ix);
    for (int64_t r = 0; r < 3; ++r) {
      std::vector<int64_t> order(8);
      std::iota(order.begin(), order.end(), 0);
      const float *row = x.data<float>() + r * 8;
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return largest ? row[a] > row[b] : row[a] < row[b];
      });
      for (int64_t j = 0; j < 3; ++j) {
        ASSERT_EQ(ix.data<int64_t>()[r * 3 + j], order[j]);
        ASSERT_EQ(v.data<float>()[r * 3 + j], row[order[j]]);
      }
    }
  }
}

TEST(TriluCumSumMod, AgainstTheDefinition) {
  Tensor x = Tensor::allocate(DType::I32, {2, 3, 4});
  for (int i = 0; i < 24; ++i)
    x.data<int32_t>()[i] = i + 1;
  Tensor y = Tensor::allocate(DType::I32, {2, 3, 4});
  for (bool upper : {true, false})
    for (int64_t k : {-1, 0, 2}) {
      trilu(x, upper, k, y);
      for (int m = 0; m < 2; ++m)
        for (int r = 0; r < 3; ++r)
          for (int c = 0; c < 4; ++c) {
            const int at = (m * 3 + r) * 4 + c;
            const bool keep = upper ? c - r >= k : c - r <= k;
            ASSERT_EQ(y.data<int32_t>()[at], keep ? at + 1 : 0);
          }
    }
  Tensor s = Tensor::allocate(DType::I32, {2, 3, 4});
  cumSum(x, 1, true, true, s); // exclusive, from the end: the sum of the rows below
  EXPECT_EQ(s.data<int32_t>()[0], 5 + 9);
  EXPECT_EQ(s.data<int32_t>()[8], 0);
  // Mod: the divisor's sign; FMod: the dividend's.
  Tensor a = ints(DType::I64, {4}, {7, -7, 7, -7}), b = ints(DType::I64, {4}, {3, 3, -3, -3});
  Tensor r = Tensor::allocate(DType::I64, {4});
  binary(BinaryOp::Mod, a, b, r);
  EXPECT_EQ(std::vector<int64_t>(r.data<int64_t>(), r.data<int64_t>() + 4),
            (std::vector<int64_t>{1, 2, -2, -1}));
  binary(BinaryOp::FMod, a, b, r);
  EXPECT_EQ(std::vector<int64_t>(r.data<int64_t>(), r.data<int64_t>() + 4),
            (std::vector<int64_t>{1, -1, 1, -1}));
  Tensor zero = ints(DType::I64, {1}, {0});
  EXPECT_NE(test::errorOf([&] { binary(BinaryOp::Mod, a, zero, r); }).find("division by zero"),
            std::string::npos);
}

} // namespace
} // namespace cimlir::cpu

#include "kernels/cpu/Loss.h"

namespace cimlir::cpu {
namespace {

TEST(NllLoss, WeightsIgnoreIndexAndReductions) {
  // input [N=2, C=3, d=2]; targets with one ignored (-1).
  Tensor input = Tensor::allocate(DType::F32, {2, 3, 2});
  for (int i = 0; i < 12; ++i)
    input.data<float>()[i] = static_cast<float>(i + 1);
  Tensor target = ints(DType::I64, {2, 2}, {0, 2, -1, 1});
  Tensor weight = Tensor::allocate(DType::F32, {3});
  const float w[] = {0.5f, 2.0f, 4.0f};
  std::copy(std::begin(w), std::end(w), weight.data<float>());
  Tensor none = Tensor::allocate(DType::F32, {2, 2});
  nllLoss(input, target, &weight, LossReduction::None, -1, none);
  // input[n, t, d] at (n * 3 + t) * 2 + d: (0,0,0) = 1, (0,2,1) = 6, (1,1,1) = 10.
  EXPECT_EQ(std::vector<float>(none.data<float>(), none.data<float>() + 4),
            (std::vector<float>{-0.5f, -24.0f, 0.0f, -20.0f}));
  Tensor scalar = Tensor::allocate(DType::F32, {});
  nllLoss(input, target, &weight, LossReduction::Mean, -1, scalar);
  EXPECT_FLOAT_EQ(scalar.data<float>()[0], -44.5f / 6.5f); // over the weights that counted
  nllLoss(input, target, nullptr, LossReduction::Sum, -1, scalar);
  EXPECT_FLOAT_EQ(scalar.data<float>()[0], -(1 + 6 + 10));
  EXPECT_NE(test::errorOf([&] {
              nllLoss(input, target, nullptr, LossReduction::Sum, {}, scalar);
            }).find("target -1 is outside"),
            std::string::npos);
  // No classes: every target that is not ignored is out of range.
  Tensor empty = Tensor::allocate(DType::F32, {2, 0, 2});
  EXPECT_NE(test::errorOf([&] {
              nllLoss(empty, target, nullptr, LossReduction::Mean, -1, scalar);
            }).find("target 0 is outside [0, 0)"),
            std::string::npos);
}

} // namespace
} // namespace cimlir::cpu

namespace cimlir::cpu {
namespace {

TEST(GatherScatterND, AgainstTheDefinition) {
  CIMLIR_RANDOM_TEST();
  // GatherND, batch_dims 1: X [2, 3, 4], indices [2, 5, 1] pick rows of each batch's [3, 4].
  Tensor x = rng.f32({2, 3, 4});
  std::vector<int64_t> rows;
  for (int i = 0; i < 10; ++i)
    rows.push_back(rng.range(-3, 2));
  Tensor idx = ints(DType::I64, {2, 5, 1}, rows), y = Tensor::allocate(DType::F32, {2, 5, 4});
  gatherND(x, idx, 1, y);
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 5; ++t) {
      const int64_t r = rows[b * 5 + t] < 0 ? rows[b * 5 + t] + 3 : rows[b * 5 + t];
      for (int c = 0; c < 4; ++c)
        ASSERT_EQ(y.data<float>()[(b * 5 + t) * 4 + c], x.data<float>()[(b * 3 + r) * 4 + c]);
    }
  // ScatterND with mul: full index tuples into X [3, 4].
  Tensor d = rng.f32({3, 4}), tuples = ints(DType::I32, {3, 2}, {0, 1, 2, 3, 0, 1});
  Tensor u = rng.f32({3}), out = Tensor::allocate(DType::F32, {3, 4});
  scatterND(d, tuples, u, ScatterReduction::Mul, out);
  std::vector<float> want(d.data<float>(), d.data<float>() + 12);
  want[1] *= u.data<float>()[0];
  want[11] *= u.data<float>()[1];
  want[1] *= u.data<float>()[2];
  for (int i = 0; i < 12; ++i)
    ASSERT_FLOAT_EQ(out.data<float>()[i], want[i]);
  // GatherND's tuples must index at least one axis (ONNX: indices' last extent >= 1).
  Tensor noAxes = ints(DType::I64, {2, 0}, {}), whole = Tensor::allocate(DType::F32, {2, 2, 3, 4});
  EXPECT_NE(test::errorOf([&] { gatherND(x, noAxes, 0, whole); }).find("index no axis"),
            std::string::npos);
  Tensor far = ints(DType::I32, {1, 2}, {3, 0});
  Tensor one = rng.f32({1});
  EXPECT_NE(test::errorOf([&] {
              scatterND(d, far, one, ScatterReduction::None, out);
            }).find("index 3 is out of range"),
            std::string::npos);
}

} // namespace
} // namespace cimlir::cpu
