#include "kernels/cpu/Layout.h"

#include "KernelTestUtil.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace cimlir::cpu {
namespace {

using test::Rng;

/// Fills every byte, so a misplaced element of any width shows up.
Tensor randomBytes(Rng &rng, DType dt, const Shape &s) {
  Tensor t = Tensor::allocate(dt, s);
  auto *p = static_cast<uint8_t *>(t.raw());
  for (size_t i = 0; i < t.byteSize(); ++i)
    p[i] = static_cast<uint8_t>(rng.range(0, 255));
  return t;
}

/// Direct definition: Y[i0..ik] = X[j] with j[perm[a]] = i[a], element by element.
void checkTranspose(Rng &rng, DType dt, const Shape &xs, const std::vector<int64_t> &perm) {
  SCOPED_TRACE(std::string(dtypeName(dt)) + " X " + shapeToString(xs) + " perm " +
               shapeToString(perm));
  Shape ys(xs.size());
  for (size_t a = 0; a < xs.size(); ++a)
    ys[a] = xs[perm[a]];
  Tensor x = randomBytes(rng, dt, xs);
  Tensor y = randomBytes(rng, dt, ys);
  transpose(x, perm, y);
  std::vector<int64_t> xst = test::stridesOf(xs);
  size_t es = dtypeSize(dt);
  for (int64_t i = 0; i < y.numel(); ++i) {
    std::vector<int64_t> yi = test::unravel(i, ys);
    int64_t src = 0;
    for (size_t a = 0; a < xs.size(); ++a)
      src += yi[a] * xst[perm[a]];
    ASSERT_EQ(std::memcmp(static_cast<const uint8_t *>(y.raw()) + i * es,
                          static_cast<const uint8_t *>(x.raw()) + src * es, es),
              0)
        << "element " << i;
  }
}

TEST(Transpose, RandomPermutationsAllElementSizes) {
  CIMLIR_RANDOM_TEST();
  for (DType dt : {DType::U8, DType::I16, DType::F32, DType::I32, DType::I64, DType::F64}) {
    for (int round = 0; round < 12; ++round) {
      int64_t rank = rng.range(0, 5);
      Shape xs;
      for (int64_t i = 0; i < rank; ++i)
        xs.push_back(rng.range(1, rank >= 4 ? 5 : 9));
      std::vector<int64_t> perm(static_cast<size_t>(rank));
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng.engine());
      checkTranspose(rng, dt, xs, perm);
    }
  }
}

TEST(Transpose, CommonLayouts) {
  CIMLIR_RANDOM_TEST();
  Shape nchw = {rng.range(1, 3), rng.range(1, 9), rng.range(1, 9), rng.range(1, 9)};
  checkTranspose(rng, DType::F32, nchw, {0, 2, 3, 1}); // NCHW -> NHWC
  checkTranspose(rng, DType::F32, nchw, {0, 3, 1, 2}); // NHWC -> NCHW
  checkTranspose(rng, DType::U8, {rng.range(2, 70), rng.range(2, 70)}, {1, 0});
  checkTranspose(rng, DType::I64, {1, rng.range(2, 9), 1, rng.range(2, 9)}, {2, 0, 3, 1});
  checkTranspose(rng, DType::F64, {rng.range(2, 9), rng.range(2, 9), 3}, {0, 1, 2}); // identity
}

TEST(Transpose, RejectsBadPermOrShape) {
  Tensor x = Tensor::allocate(DType::F32, {2, 3, 4});
  Tensor y = Tensor::allocate(DType::F32, {4, 2, 3});
  EXPECT_NO_THROW(transpose(x, {2, 0, 1}, y));
  EXPECT_THROW(transpose(x, {2, 1, 0}, y), Error); // Y shape does not match the perm
  EXPECT_THROW(transpose(x, {2, 0}, y), Error);    // too short
  EXPECT_THROW(transpose(x, {2, 0, 0}, y), Error); // repeated axis
  EXPECT_THROW(transpose(x, {3, 0, 1}, y), Error); // out of range
  EXPECT_THROW(transpose(x, {-1, 0, 1}, y), Error);
  Tensor yType = Tensor::allocate(DType::I32, {4, 2, 3});
  EXPECT_THROW(transpose(x, {2, 0, 1}, yType), Error);
}

} // namespace
} // namespace cimlir::cpu
