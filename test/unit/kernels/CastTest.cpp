// Cast: the conversions cimlir defines where ONNX leaves them open (NaN, out of range,
// narrowing), and round trips, against values worked out by hand.
#include "kernels/cpu/Cast.h"

#include "KernelTestUtil.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace cimlir::cpu {
namespace {

template <typename T> Tensor tensorOf(DType dt, std::vector<T> v) {
  Tensor t = Tensor::allocate(dt, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i)
    t.data<T>()[i] = v[i];
  return t;
}

template <typename T> std::vector<T> valuesOf(const Tensor &t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

TEST(Cast, FloatToIntegerTruncatesSaturatesAndMapsNanToZero) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = INFINITY;
  Tensor x = tensorOf<float>(DType::F32, {2.9f, -2.9f, 127.5f, 128.0f, -129.0f, nan, inf, -inf});
  Tensor y = Tensor::allocate(DType::I8, {8});
  cast(x, y);
  EXPECT_EQ(valuesOf<int8_t>(y), (std::vector<int8_t>{2, -2, 127, 127, -128, 0, 127, -128}));
  Tensor u = Tensor::allocate(DType::U8, {8});
  cast(x, u);
  EXPECT_EQ(valuesOf<uint8_t>(u), (std::vector<uint8_t>{2, 0, 127, 128, 0, 0, 255, 0}));
  Tensor big = tensorOf<double>(DType::F64, {9.3e18, -9.3e18, 9.2233720368547748e18});
  Tensor l = Tensor::allocate(DType::I64, {3});
  cast(big, l);
  EXPECT_EQ(valuesOf<int64_t>(l),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min(),
                                  9223372036854774784})); // 2^63 - 1024, exact
}

TEST(Cast, IntegersWrapAndBoolsAreZeroOrOne) {
  Tensor x = tensorOf<int64_t>(DType::I64, {300, -1, 65535, 0});
  Tensor y = Tensor::allocate(DType::U8, {4});
  cast(x, y);
  EXPECT_EQ(valuesOf<uint8_t>(y), (std::vector<uint8_t>{44, 255, 255, 0}));
  Tensor b = Tensor::allocate(DType::Bool, {4});
  cast(x, b);
  EXPECT_EQ(valuesOf<uint8_t>(b), (std::vector<uint8_t>{1, 1, 1, 0}));
  Tensor f = Tensor::allocate(DType::F32, {4});
  cast(b, f);
  EXPECT_EQ(valuesOf<float>(f), (std::vector<float>{1, 1, 1, 0}));
  Tensor nanIsTrue = tensorOf<float>(DType::F32, {std::numeric_limits<float>::quiet_NaN(), -0.0f});
  Tensor nb = Tensor::allocate(DType::Bool, {2});
  cast(nanIsTrue, nb);
  EXPECT_EQ(valuesOf<uint8_t>(nb), (std::vector<uint8_t>{1, 0}));
}

TEST(Cast, DoubleToFloatRoundsToNearestAndOverflowsToInfinity) {
  const double fmax = std::numeric_limits<float>::max();
  const double halfUlp = std::ldexp(1.0, 103);
  Tensor x = tensorOf<double>(
      DType::F64, {0.1, fmax + halfUlp / 2, fmax + halfUlp, -(fmax + 2 * halfUlp), 1e300});
  Tensor y = Tensor::allocate(DType::F32, {5});
  cast(x, y);
  std::vector<float> got = valuesOf<float>(y);
  EXPECT_EQ(got[0], 0.1f);
  EXPECT_EQ(got[1], std::numeric_limits<float>::max());
  EXPECT_EQ(got[2], INFINITY); // the tie goes to the even neighbour, infinity
  EXPECT_EQ(got[3], -INFINITY);
  EXPECT_EQ(got[4], INFINITY);
}

TEST(Cast, RandomIntegersRoundTripThroughWiderTypes) {
  CIMLIR_RANDOM_TEST();
  Tensor x = Tensor::allocate(DType::I32, {500}), wide = Tensor::allocate(DType::F64, {500}),
         back = Tensor::allocate(DType::I32, {500});
  for (int64_t i = 0; i < 500; ++i)
    x.data<int32_t>()[i] = static_cast<int32_t>(rng.range(INT32_MIN, INT32_MAX));
  cast(x, wide);
  cast(wide, back);
  EXPECT_EQ(valuesOf<int32_t>(back), valuesOf<int32_t>(x));
}

} // namespace
} // namespace cimlir::cpu

namespace cimlir::cpu {
namespace {

#ifdef __FLT16_MAX__
/// float16 against GCC's _Float16 on fresh random values of every source type: from float32
/// and float64 (one rounding from the double itself), from integers (int8 to int64) and
/// back to each of them (truncation, saturation, NaN to 0 as from any float).
TEST(Cast, Float16AgainstGccFloat16) {
  CIMLIR_RANDOM_TEST();
  const int64_t n = 4096;
  Tensor f = Tensor::allocate(DType::F32, {n});
  Tensor d = Tensor::allocate(DType::F64, {n});
  Tensor i = Tensor::allocate(DType::I64, {n});
  for (int64_t k = 0; k < n; ++k) {
    f.data<float>()[k] = std::ldexp(rng.uniform(-2, 2), static_cast<int>(rng.range(-26, 17)));
    d.data<double>()[k] = std::ldexp(rng.uniform(-2, 2), static_cast<int>(rng.range(-26, 17))) *
                          (1 + std::ldexp(rng.uniform(0, 1), -30)); // below float's precision
    i.data<int64_t>()[k] = rng.range(-70000, 70000);
  }
  auto bitsOf = [](_Float16 h) {
    uint16_t b;
    std::memcpy(&b, &h, 2);
    return b;
  };
  for (const Tensor *x : {&f, &d, &i}) {
    Tensor h = Tensor::allocate(DType::F16, {n});
    cast(*x, h);
    for (int64_t k = 0; k < n; ++k) {
      const _Float16 want = x->dtype() == DType::F32 ? static_cast<_Float16>(x->data<float>()[k])
                            : x->dtype() == DType::F64
                                ? static_cast<_Float16>(x->data<double>()[k])
                                : static_cast<_Float16>(x->data<int64_t>()[k]);
      ASSERT_EQ(h.data<uint16_t>()[k], bitsOf(want)) << dtypeName(x->dtype()) << " element " << k;
    }
    // Back: float32 and float64 exactly; int32 truncating toward zero, saturating at inf.
    Tensor back = Tensor::allocate(DType::F32, {n}), wide = Tensor::allocate(DType::F64, {n});
    Tensor ints = Tensor::allocate(DType::I32, {n});
    cast(h, back);
    cast(h, wide);
    cast(h, ints);
    for (int64_t k = 0; k < n; ++k) {
      _Float16 v;
      std::memcpy(&v, h.data<uint16_t>() + k, 2);
      ASSERT_EQ(back.data<float>()[k], static_cast<float>(v));
      ASSERT_EQ(wide.data<double>()[k], static_cast<double>(v));
      const float fv = static_cast<float>(v);
      const int32_t wantInt = std::isinf(fv) ? (fv > 0 ? std::numeric_limits<int32_t>::max()
                                                       : std::numeric_limits<int32_t>::min())
                                             : static_cast<int32_t>(fv);
      ASSERT_EQ(ints.data<int32_t>()[k], wantInt) << fv;
    }
  }
}
#endif

/// bfloat16 against rounding a float32's bits to nearest even (the formula every framework
/// uses), and back exactly; bools are 0 and 1.
TEST(Cast, BFloat16RoundsToNearestEven) {
  CIMLIR_RANDOM_TEST();
  const int64_t n = 4096;
  Tensor f = rng.f32({n}, -1000, 1000);
  Tensor b = Tensor::allocate(DType::BF16, {n});
  cast(f, b);
  Tensor back = Tensor::allocate(DType::F32, {n});
  cast(b, back);
  for (int64_t k = 0; k < n; ++k) {
    uint32_t u;
    std::memcpy(&u, f.data<float>() + k, 4);
    const auto want = static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
    ASSERT_EQ(b.data<uint16_t>()[k], want) << f.data<float>()[k];
    const uint32_t wantBack = uint32_t(want) << 16;
    ASSERT_EQ(std::memcmp(back.data<float>() + k, &wantBack, 4), 0);
  }
  Tensor bools = tensorOf<uint8_t>(DType::Bool, {1, 0});
  Tensor bb = Tensor::allocate(DType::BF16, {2});
  cast(bools, bb);
  EXPECT_EQ(valuesOf<uint16_t>(bb), (std::vector<uint16_t>{0x3F80, 0x0000}));
}

} // namespace
} // namespace cimlir::cpu
