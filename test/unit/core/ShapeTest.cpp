// Element and byte counts of shapes: exact when they fit int64, an Error (or false from the
// checked forms) when they do not; Tensor::allocate refuses sizes that overflow.
#include "CoreTestUtil.h"

#include "core/Tensor.h"

#include <cstdint>
#include <limits>

using namespace cimlir;
using namespace cimlir::coretest;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t p(int bits) { return int64_t(1) << bits; }

} // namespace

TEST(Shape, NumelOfRandomShapesIsTheProduct) {
  for (int round = 0; round < 500; ++round) {
    Shape s(std::uniform_int_distribution<size_t>(0, 6)(rng()));
    __int128 want = 1;
    for (auto &d : s) {
      d = std::uniform_int_distribution<int64_t>(0, 1000)(rng());
      want *= d;
    }
    int64_t got = -1;
    ASSERT_TRUE(checkedShapeNumel(s, got)) << shapeToString(s);
    ASSERT_EQ(got, static_cast<int64_t>(want)) << shapeToString(s);
    ASSERT_EQ(shapeNumel(s), got);
  }
  EXPECT_EQ(shapeNumel({}), 1);
  EXPECT_EQ(shapeNumel({kMax}), kMax);
  EXPECT_EQ(shapeNumel({p(31), p(31)}), p(62));
  EXPECT_EQ(shapeNumel({p(31), p(31), -1}), -p(62)) << "an unbound (-1) dimension counts as -1";
}

TEST(Shape, NumelOverflowIsAnError) {
  const Shape overflowing[] = {
      {p(62), 4}, {p(32), p(32)}, {kMax, 2}, {3, p(62)}, {p(21), p(21), p(21), 2}};
  for (const Shape &s : overflowing) {
    int64_t n;
    EXPECT_FALSE(checkedShapeNumel(s, n)) << shapeToString(s);
    std::string msg = errorOf([&] { shapeNumel(s); });
    EXPECT_TRUE(contains(msg, shapeToString(s))) << msg;
  }
  // Random pairs around the limit: overflow exactly when the true product exceeds int64.
  for (int round = 0; round < 500; ++round) {
    int64_t a = std::uniform_int_distribution<int64_t>(1, p(40))(rng());
    int64_t b = std::uniform_int_distribution<int64_t>(1, p(40))(rng());
    bool fits = static_cast<__int128>(a) * b <= kMax;
    int64_t n;
    ASSERT_EQ(checkedShapeNumel({a, b}, n), fits) << a << " x " << b;
    if (fits) {
      ASSERT_EQ(n, a * b);
    }
  }
}

TEST(Shape, AZeroDimensionMakesNoElementsWhateverTheOthers) {
  int64_t n = -1;
  EXPECT_TRUE(checkedShapeNumel({p(62), 4, 0}, n));
  EXPECT_EQ(n, 0);
  EXPECT_EQ(shapeNumel({0, kMax, kMax}), 0);
}

TEST(Shape, ByteSizeOverflowIsReported) {
  int64_t bytes = -1;
  EXPECT_TRUE(checkedShapeBytes({p(60)}, 4, bytes));
  EXPECT_EQ(bytes, p(62));
  EXPECT_FALSE(checkedShapeBytes({p(61)}, 4, bytes)) << "2^63 bytes";
  EXPECT_FALSE(checkedShapeBytes({p(62), 4}, 1, bytes)) << "the count itself overflows";
  EXPECT_TRUE(checkedShapeBytes({0, p(62), 4}, 8, bytes));
  EXPECT_EQ(bytes, 0);
  for (int round = 0; round < 200; ++round) {
    int64_t d = std::uniform_int_distribution<int64_t>(1, kMax)(rng());
    size_t item = size_t(1) << std::uniform_int_distribution<int>(0, 3)(rng());
    bool fits = static_cast<__int128>(d) * static_cast<__int128>(item) <= kMax;
    ASSERT_EQ(checkedShapeBytes({d}, item, bytes), fits) << d << " x " << item;
  }
}

TEST(Tensor, AllocateRefusesSizesThatOverflow) {
  const std::pair<DType, Shape> cases[] = {
      {DType::F32, {p(62), 4}},   // the element count wraps to 0
      {DType::F64, {p(61)}},      // 2^64 bytes wraps size_t to 0
      {DType::F32, {p(62) - 1}},  // 2^64 - 4 bytes: rounding up to 64 bytes wraps
      {DType::U8, {kMax, kMax}}}; // the count overflows
  for (const auto &[dtype, shape] : cases) {
    std::string msg = errorOf([&] { Tensor::allocate(dtype, shape); });
    EXPECT_TRUE(contains(msg, shapeToString(shape))) << msg;
    EXPECT_TRUE(contains(msg, "overflow")) << msg;
  }
  // Sizes that fit still allocate, with zeros.
  Tensor t = Tensor::allocate(DType::F32, {3, 0, p(40)});
  EXPECT_EQ(t.numel(), 0);
  Tensor u = Tensor::allocate(DType::I16, {7, 9});
  EXPECT_EQ(u.byteSize(), 126u);
  for (int i = 0; i < 63; ++i)
    EXPECT_EQ(u.data<int16_t>()[i], 0);
}
