// cimlir core: the 16-bit floating-point storage types of ONNX, IEEE binary16 (FLOAT16) and
// bfloat16 (BFLOAT16). cimlir stores tensors of them but computes in float32 (the importer
// casts around every op, docs/onnx-support.md "Half precision"); these are the conversions,
// rounding to nearest even as the ONNX Cast operator and IEEE 754 say.
#pragma once

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

/// The exact value (every half and bfloat16 value is a double).
double toDouble(Float16 x);
double toDouble(BFloat16 x);

/// `x` rounded once, to nearest with ties to even; beyond the largest finite value it rounds
/// to infinity as IEEE 754 says, and a NaN stays a (quiet) NaN of the same sign.
Float16 toFloat16(double x);
BFloat16 toBFloat16(double x);

} // namespace cimlir
