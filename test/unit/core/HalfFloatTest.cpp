// core/HalfFloat.h against independent conversions: GCC's _Float16 (libgcc's correctly rounded
// binary16 conversions) for float16, the round-to-nearest-even bit formula of bfloat16 for
// bfloat16; every one of the 65,536 bit patterns of each round-trips; and the edges by hand.
#include "CoreTestUtil.h"

#include "core/HalfFloat.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace cimlir;
using namespace cimlir::coretest;

namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// Floats where rounding to 16 bits is interesting: any bit pattern, values near half's
/// range ends and its subnormals, and exact ties between two half values.
float anyFloat(std::mt19937_64 &g) {
  switch (std::uniform_int_distribution<int>(0, 3)(g)) {
  case 0:
    return floatOf(static_cast<uint32_t>(g()));
  case 1:
    return std::ldexp(std::uniform_real_distribution<float>(-2, 2)(g),
                      std::uniform_int_distribution<int>(-27, 17)(g));
  case 2: { // a float16 value plus half its last bit: a tie
    const int e = std::uniform_int_distribution<int>(-24, 15)(g);
    const float m = static_cast<float>(std::uniform_int_distribution<int>(0, 2047)(g));
    return std::ldexp(m + 0.5f, std::max(e, -14) - 10) * (g() & 1 ? 1.0f : -1.0f);
  }
  default:
    return std::uniform_real_distribution<float>(-70000, 70000)(g);
  }
}

TEST(Float16, EveryBitPatternRoundTrips) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const Float16 h{static_cast<uint16_t>(b)};
    const double v = toDouble(h);
    const Float16 back = toFloat16(v);
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(toDouble(back))) << b;
      ASSERT_EQ(back.bits & 0x8000, b & 0x8000) << b;
    } else {
      ASSERT_EQ(back.bits, b) << "bits " << b << " value " << v;
    }
  }
}

#ifdef __FLT16_MAX__
TEST(Float16, RoundsAsGccFloat16) {
  auto &g = rng();
  for (int i = 0; i < 200000; ++i) {
    const float f = anyFloat(g);
    const _Float16 want = static_cast<_Float16>(f);
    uint16_t wantBits;
    std::memcpy(&wantBits, &want, 2);
    const Float16 got = toFloat16(f);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(toDouble(got)));
      continue;
    }
    ASSERT_EQ(got.bits, wantBits) << "float " << f;
    ASSERT_EQ(toDouble(got), static_cast<double>(want));
  }
}
#endif

TEST(Float16, Edges) {
  EXPECT_EQ(toFloat16(65504.0).bits, 0x7BFF);                 // the largest finite
  EXPECT_EQ(toFloat16(65519.99).bits, 0x7BFF);                // below the tie
  EXPECT_EQ(toFloat16(65520.0).bits, 0x7C00);                 // the tie rounds to infinity
  EXPECT_EQ(toFloat16(-1e300).bits, 0xFC00);                  // -inf
  EXPECT_EQ(toFloat16(std::ldexp(1.0, -24)).bits, 0x0001);    // the smallest subnormal
  EXPECT_EQ(toFloat16(std::ldexp(1.0, -25)).bits, 0x0000);    // its half: a tie to even, 0
  EXPECT_EQ(toFloat16(std::ldexp(1.5, -25)).bits, 0x0001);    // above the tie
  EXPECT_EQ(toFloat16(std::ldexp(1023.5, -24)).bits, 0x0400); // carries into the normals
  EXPECT_EQ(toFloat16(-0.0).bits, 0x8000);
  EXPECT_EQ(toFloat16(1.0 + std::ldexp(1.0, -11)).bits, 0x3C00);     // tie to even: 1
  EXPECT_EQ(toFloat16(1.0 + 3 * std::ldexp(1.0, -11)).bits, 0x3C02); // tie to even: up
  // Double rounding through float would give 0x3C01 here; one rounding from double gives 1.
  EXPECT_EQ(toFloat16(1.0 + std::ldexp(1.0, -11) - std::ldexp(1.0, -40)).bits, 0x3C00);
  EXPECT_TRUE(std::isnan(toDouble(toFloat16(NAN))));
  EXPECT_EQ(toDouble(Float16{0x7C00}), std::numeric_limits<double>::infinity());
}

TEST(BFloat16, EveryBitPatternIsTheUpperHalfOfAFloat) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const float f = floatOf(b << 16);
    const double v = toDouble(BFloat16{static_cast<uint16_t>(b)});
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(v)) << b;
      continue;
    }
    ASSERT_EQ(v, static_cast<double>(f)) << b;
    ASSERT_EQ(toBFloat16(v).bits, b) << b;
  }
}

TEST(BFloat16, RoundsAsTheBitFormula) {
  auto &g = rng();
  for (int i = 0; i < 200000; ++i) {
    float f = anyFloat(g);
    if (i % 2)
      f = floatOf(static_cast<uint32_t>(g())); // all exponents, subnormals too
    if (std::isnan(f))
      continue;
    const uint32_t u = bitsOf(f);
    // Round to nearest even on the float's bits; a carry into the exponent is right, and
    // one past the largest finite value gives infinity.
    const auto want = static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
    ASSERT_EQ(toBFloat16(f).bits, want) << "float " << f;
  }
}

} // namespace
