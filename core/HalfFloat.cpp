#include "core/HalfFloat.h"

#include <algorithm>
#include <cmath>

namespace cimlir {

namespace {

/// A 16-bit binary format: `mantissaBits` stored significand bits, the rest of the 15 bits
/// the exponent, IEEE-style (bias 2^(e-1) - 1, subnormals, all-ones exponent for inf/NaN).
struct Format {
  int mantissaBits;
  int exponentBits() const { return 15 - mantissaBits; }
  int bias() const { return (1 << (exponentBits() - 1)) - 1; }
  uint16_t infinityBits() const {
    return static_cast<uint16_t>(((1 << exponentBits()) - 1) << mantissaBits);
  }
};

constexpr Format kFloat16{10};
constexpr Format kBFloat16{7};

double decode(uint16_t bits, Format f) {
  const double sign = (bits & 0x8000) ? -1.0 : 1.0;
  const int exponent = (bits >> f.mantissaBits) & ((1 << f.exponentBits()) - 1);
  const int mantissa = bits & ((1 << f.mantissaBits) - 1);
  if (exponent == (1 << f.exponentBits()) - 1)
    return mantissa ? std::copysign(NAN, sign) : sign * INFINITY;
  if (exponent == 0) // subnormal: mantissa * 2^(1 - bias - mantissaBits)
    return sign * std::ldexp(mantissa, 1 - f.bias() - f.mantissaBits);
  return sign * std::ldexp(mantissa + (1 << f.mantissaBits), exponent - f.bias() - f.mantissaBits);
}

uint16_t encode(double x, Format f) {
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (std::isnan(x)) // quiet NaN: the top significand bit set
    return sign | f.infinityBits() | static_cast<uint16_t>(1 << (f.mantissaBits - 1));
  const double a = std::fabs(x);
  if (std::isinf(a))
    return sign | f.infinityBits();
  const int minNormalExponent = 1 - f.bias();
  int e = 0;
  std::frexp(a, &e); // a = m * 2^e, m in [0.5, 1): a's leading bit is 2^(e-1)
  // The weight of the last significand bit at a's scale (subnormals share the smallest).
  const int lastBit = std::max(e - 1, minNormalExponent) - f.mantissaBits;
  // Scaling by a power of two is exact; nearbyint rounds to nearest even (the default mode).
  const double q = std::nearbyint(std::ldexp(a, -lastBit));
  // q counts units of 2^lastBit: below 2^mantissaBits a subnormal, otherwise a normal whose
  // rounding may have carried into the next binade (q = 2^(mantissaBits+1)).
  auto units = static_cast<uint64_t>(q);
  int exponentField = 0;
  if (units >= (uint64_t{1} << f.mantissaBits)) {
    int exponent = lastBit + f.mantissaBits;
    if (units >= (uint64_t{2} << f.mantissaBits)) {
      units >>= 1;
      ++exponent;
    }
    exponentField = exponent + f.bias();
    if (exponentField >= (1 << f.exponentBits()) - 1)
      return sign | f.infinityBits();
    units -= uint64_t{1} << f.mantissaBits;
  }
  return sign | static_cast<uint16_t>(exponentField << f.mantissaBits) |
         static_cast<uint16_t>(units);
}

} // namespace

double toDouble(Float16 x) { return decode(x.bits, kFloat16); }
double toDouble(BFloat16 x) { return decode(x.bits, kBFloat16); }
Float16 toFloat16(double x) { return {encode(x, kFloat16)}; }
BFloat16 toBFloat16(double x) { return {encode(x, kBFloat16)}; }

} // namespace cimlir
