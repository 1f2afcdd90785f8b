#include "kernels/cpu/Gemm.h"

#include "KernelTestUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cpu {
namespace {

using test::expectClose;
using test::Rng;

constexpr double kRtol = 2e-6; // relative to the sum of |terms| of each output
constexpr double kAtol = 1e-6;

enum class CKind { None, Scalar, One, Row, Col, Full };

Shape cShape(CKind kind, int64_t m, int64_t n) {
  switch (kind) {
  case CKind::Scalar:
    return {};
  case CKind::One:
    return {1};
  case CKind::Row:
    return {n};
  case CKind::Col:
    return {m, 1};
  case CKind::Full:
    return {m, n};
  default:
    return {};
  }
}

/// C's element for Y[i, j], broadcast by hand from C's shape.
double cAt(const Tensor &c, int64_t i, int64_t j) {
  const Shape &s = c.shape();
  int64_t rows = s.size() == 2 ? s[0] : 1;
  int64_t cols = s.empty() ? 1 : s.back();
  int64_t r = rows == 1 ? 0 : i, q = cols == 1 ? 0 : j;
  return c.data<float>()[r * cols + q];
}

TEST(Gemm, MatchesNaiveForAllTransposesAndBiasShapes) {
  CIMLIR_RANDOM_TEST();
  const CKind kinds[] = {CKind::None, CKind::Scalar, CKind::One,
                         CKind::Row,  CKind::Col,    CKind::Full};
  for (int trans = 0; trans < 4; ++trans)
    for (CKind kind : kinds) {
      bool tA = trans & 1, tB = trans & 2;
      int64_t m = rng.range(1, 37), n = rng.range(1, 41), k = rng.range(1, 150);
      float alpha = static_cast<float>(rng.uniform(-2, 2));
      float beta = static_cast<float>(rng.uniform(-2, 2));
      SCOPED_TRACE("transA " + std::to_string(tA) + " transB " + std::to_string(tB) + " C kind " +
                   std::to_string(static_cast<int>(kind)) + " M " + std::to_string(m) + " N " +
                   std::to_string(n) + " K " + std::to_string(k));
      Tensor a = rng.f32(tA ? Shape{k, m} : Shape{m, k});
      Tensor b = rng.f32(tB ? Shape{n, k} : Shape{k, n});
      Tensor c = rng.f32(cShape(kind, m, n));
      Tensor y = Tensor::allocate(DType::F32, {m, n});
      gemm(a, b, kind == CKind::None ? nullptr : &c, alpha, beta, tA, tB, y);

      std::vector<double> want(static_cast<size_t>(m * n)), mag(want.size());
      const float *av = a.data<float>(), *bv = b.data<float>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double s = 0, sm = 0;
          for (int64_t p = 0; p < k; ++p) {
            double x = tA ? av[p * m + i] : av[i * k + p];
            double w = tB ? bv[j * k + p] : bv[p * n + j];
            s += x * w;
            sm += std::fabs(x * w);
          }
          double cv = kind == CKind::None ? 0.0 : beta * cAt(c, i, j);
          want[i * n + j] = alpha * s + cv;
          mag[i * n + j] = std::fabs(alpha) * sm + std::fabs(cv);
        }
      expectClose(y, want, kRtol, kAtol, &mag);
    }
}

TEST(Gemm, BetaZeroDoesNotReadC) {
  CIMLIR_RANDOM_TEST();
  int64_t m = rng.range(1, 9), n = rng.range(1, 9), k = rng.range(1, 9);
  Tensor a = rng.f32({m, k}), b = rng.f32({k, n});
  Tensor c = Tensor::allocate(DType::F32, {m, n});
  for (int64_t i = 0; i < c.numel(); ++i)
    c.data<float>()[i] = std::numeric_limits<float>::quiet_NaN();
  Tensor y = rng.f32({m, n}); // stale contents must be overwritten, not accumulated
  gemm(a, b, &c, 1.0f, 0.0f, false, false, y);
  std::vector<double> want(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        want[i * n + j] += double(a.data<float>()[i * k + p]) * b.data<float>()[p * n + j];
  expectClose(y, want, 1e-5, 1e-6);
}

TEST(Gemm, RejectsMismatchedShapes) {
  Tensor a = Tensor::allocate(DType::F32, {3, 4});
  Tensor b = Tensor::allocate(DType::F32, {5, 6});
  Tensor y = Tensor::allocate(DType::F32, {3, 6});
  EXPECT_THROW(gemm(a, b, nullptr, 1, 1, false, false, y), Error); // K 4 vs 5
  Tensor b2 = Tensor::allocate(DType::F32, {4, 6});
  Tensor yBad = Tensor::allocate(DType::F32, {6, 3});
  EXPECT_THROW(gemm(a, b2, nullptr, 1, 1, false, false, yBad), Error);
  Tensor cBad = Tensor::allocate(DType::F32, {2, 6});
  EXPECT_THROW(gemm(a, b2, &cBad, 1, 1, false, false, y), Error);
  Tensor cRank3 = Tensor::allocate(DType::F32, {1, 3, 6});
  EXPECT_THROW(gemm(a, b2, &cRank3, 1, 1, false, false, y), Error);
  Tensor a3 = Tensor::allocate(DType::F32, {1, 3, 4});
  EXPECT_THROW(gemm(a3, b2, nullptr, 1, 1, false, false, y), Error);
  Tensor a64 = Tensor::allocate(DType::F64, {3, 4});
  EXPECT_THROW(gemm(a64, b2, nullptr, 1, 1, false, false, y), Error);
  EXPECT_NO_THROW(gemm(a, b2, nullptr, 1, 1, false, false, y));
}

/// numpy.matmul's result shape, written out independently of the kernel.
Shape matmulShape(const Shape &a, const Shape &b) {
  Shape as = a, bs = b;
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  size_t batchRank = std::max(as.size(), bs.size()) - 2;
  Shape out;
  for (size_t i = 0; i < batchRank; ++i) {
    size_t fromEnd = batchRank - i; // 1 = the batch axis next to the matrix axes
    int64_t da = fromEnd + 2 <= as.size() ? as[as.size() - 2 - fromEnd] : 1;
    int64_t db = fromEnd + 2 <= bs.size() ? bs[bs.size() - 2 - fromEnd] : 1;
    out.push_back(std::max(da, db));
  }
  if (a.size() > 1)
    out.push_back(as[as.size() - 2]);
  if (b.size() > 1)
    out.push_back(bs.back());
  return out;
}

/// Direct numpy.matmul: every output element as its own dot product.
std::vector<double> naiveMatmul(const Tensor &a, const Tensor &b, const Shape &outShape,
                                std::vector<double> &mag) {
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  size_t matrixAxes = (a.rank() > 1 ? 1 : 0) + (b.rank() > 1 ? 1 : 0);
  Shape batch(outShape.begin(), outShape.end() - static_cast<std::ptrdiff_t>(matrixAxes));
  auto offsetIn = [&](const Shape &s, const std::vector<int64_t> &bidx) {
    // Batch axes of s, right-aligned against the output batch; size-1 axes broadcast.
    int64_t off = 0;
    size_t sb = s.size() - 2;
    for (size_t i = 0; i < sb; ++i) {
      int64_t d = s[i];
      int64_t ix = bidx[batch.size() - sb + i];
      off = off * d + (d == 1 ? 0 : ix);
    }
    return off;
  };
  int64_t batches = shapeNumel(batch);
  std::vector<double> out(static_cast<size_t>(batches * m * n));
  mag.assign(out.size(), 0.0);
  for (int64_t t = 0; t < batches; ++t) {
    std::vector<int64_t> bidx = test::unravel(t, batch);
    const float *ap = a.data<float>() + offsetIn(as, bidx) * m * k;
    const float *bp = b.data<float>() + offsetIn(bs, bidx) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0, sm = 0;
        for (int64_t p = 0; p < k; ++p) {
          double v = double(ap[i * k + p]) * bp[p * n + j];
          s += v;
          sm += std::fabs(v);
        }
        out[(t * m + i) * n + j] = s;
        mag[(t * m + i) * n + j] = sm;
      }
  }
  return out;
}

TEST(MatMul, MatchesNaiveWithBatchBroadcasting) {
  CIMLIR_RANDOM_TEST();
  for (int round = 0; round < 3; ++round) {
    int64_t m = rng.range(1, 17), k = rng.range(1, 70), n = rng.range(1, 19);
    int64_t b1 = rng.range(2, 4), b2 = rng.range(2, 3);
    const std::pair<Shape, Shape> cases[] = {
        {{k}, {k}},                     // 1-D . 1-D -> scalar
        {{k}, {k, n}},                  // vector-matrix
        {{m, k}, {k}},                  // matrix-vector
        {{m, k}, {k, n}},               // plain 2-D
        {{b1, m, k}, {k, n}},           // shared B (one tall product)
        {{m, k}, {b1, k, n}},           // shared A
        {{b1, m, k}, {b1, k, n}},       // batched 3-D
        {{b1, 1, m, k}, {b2, k, n}},    // 4-D against 3-D, both broadcast
        {{1, b2, m, k}, {b1, 1, k, n}}, // 4-D each way
        {{k}, {b1, b2, k, n}},          // 1-D A promoted into a batch
        {{b1, b2, m, k}, {k}},          // 1-D B squeezed out
        {{b1, 1, m, k}, {1, 1, k, n}},  // B batch all ones
    };
    for (const auto &[as, bs] : cases) {
      SCOPED_TRACE("A " + shapeToString(as) + " B " + shapeToString(bs));
      Tensor a = rng.f32(as), b = rng.f32(bs);
      Shape ys = matmulShape(as, bs);
      Tensor y = rng.f32(ys); // garbage that must be overwritten
      matmul(a, b, y);
      std::vector<double> mag;
      std::vector<double> want = naiveMatmul(a, b, ys, mag);
      expectClose(y, want, kRtol, kAtol, &mag);
    }
  }
}

TEST(MatMul, RejectsMismatchedShapes) {
  auto t = [](Shape s) { return Tensor::allocate(DType::F32, std::move(s)); };
  Tensor y23 = t({2, 3});
  EXPECT_THROW(matmul(t({2, 4}), t({5, 3}), y23), Error); // K 4 vs 5
  Tensor y3 = t({3, 2, 3});
  EXPECT_THROW(matmul(t({3, 2, 4}), t({2, 4, 3}), y3), Error); // batch 3 vs 2
  Tensor yBad = t({2, 2, 3});
  EXPECT_THROW(matmul(t({3, 2, 4}), t({4, 3}), yBad), Error); // Y batch wrong
  Tensor yVec = t({2, 1});
  EXPECT_THROW(matmul(t({2, 4}), t({4}), yVec), Error); // 1-D B must be squeezed
  Tensor y0 = t({});
  EXPECT_THROW(matmul(t({}), t({4}), y0), Error); // rank 0
  Tensor y2 = t({2});
  EXPECT_NO_THROW(matmul(t({2, 4}), t({4}), y2));
}

} // namespace
} // namespace cimlir::cpu
