// cimlir core: the 16-bit floating-point storage types of ONNX, IEEE binary16 (FLOAT16) and
// bfloat16 (BFLOAT16). cimlir stores tensors of them but computes in float32 (the importer
// casts around every op, docs/onnx-support.md "Half precision"); these are the conversions,
// rounding to nearest even as the ONNX Cast operator and IEEE 754 say, written once for the
// host and the GPU (the CUDA backend's Cast).
#pragma once

#include "core/HostDevice.h"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace cimlir {

/// An IEEE binary16 value: 1 sign, 5 exponent and 10 significand bits.
struct Float16 {
  uint16_t bits;
};
/// A bfloat16 value: the upper half of a float32 (1 sign, 8 exponent, 7 significand bits).
struct BFloat16 {
  uint16_t bits;
};

/// Whether T is one of the two, for conversions written once over every element type.
template <typename T>
inline constexpr bool kIsHalfFloat = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

namespace halffloat {

/// A 16-bit binary format: `mantissaBits` stored significand bits, the rest of the 15 bits
/// the exponent, IEEE-style (bias 2^(e-1) - 1, subnormals, all-ones exponent for inf/NaN).
struct Format {
  int mantissaBits;
  CIMLIR_HOST_DEVICE int exponentBits() const { return 15 - mantissaBits; }
  CIMLIR_HOST_DEVICE int bias() const { return (1 << (exponentBits() - 1)) - 1; }
  CIMLIR_HOST_DEVICE uint16_t infinityBits() const {
    return static_cast<uint16_t>(((1 << exponentBits()) - 1) << mantissaBits);
  }
};

/// binary16 keeps 10 significand bits, bfloat16 7.
CIMLIR_HOST_DEVICE constexpr Format float16Format() { return {10}; }
CIMLIR_HOST_DEVICE constexpr Format bfloat16Format() { return {7}; }

CIMLIR_HOST_DEVICE inline double decode(uint16_t bits, Format f) {
  const double sign = (bits & 0x8000) ? -1.0 : 1.0;
  const int exponent = (bits >> f.mantissaBits) & ((1 << f.exponentBits()) - 1);
  const int mantissa = bits & ((1 << f.mantissaBits) - 1);
  if (exponent == (1 << f.exponentBits()) - 1)
    return mantissa ? std::copysign(NAN, sign) : sign * INFINITY;
  if (exponent == 0) // subnormal: mantissa * 2^(1 - bias - mantissaBits)
    return sign * std::ldexp(mantissa, 1 - f.bias() - f.mantissaBits);
  return sign * std::ldexp(mantissa + (1 << f.mantissaBits), exponent - f.bias() - f.mantissaBits);
}

CIMLIR_HOST_DEVICE inline uint16_t encode(double x, Format f) {
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
  const int lastBit = (e - 1 > minNormalExponent ? e - 1 : minNormalExponent) - f.mantissaBits;
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

} // namespace halffloat

/// The exact value (every half and bfloat16 value is a double).
CIMLIR_HOST_DEVICE inline double toDouble(Float16 x) {
  return halffloat::decode(x.bits, halffloat::float16Format());
}
CIMLIR_HOST_DEVICE inline double toDouble(BFloat16 x) {
  return halffloat::decode(x.bits, halffloat::bfloat16Format());
}

/// `x` rounded once, to nearest with ties to even; beyond the largest finite value it rounds
/// to infinity as IEEE 754 says, and a NaN stays a (quiet) NaN of the same sign.
CIMLIR_HOST_DEVICE inline Float16 toFloat16(double x) {
  return {halffloat::encode(x, halffloat::float16Format())};
}
CIMLIR_HOST_DEVICE inline BFloat16 toBFloat16(double x) {
  return {halffloat::encode(x, halffloat::bfloat16Format())};
}

} // namespace cimlir
