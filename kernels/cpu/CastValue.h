// cimlir kernels: one element of ONNX Cast (kernels/cpu/Cast.h says how each pair converts),
// written once for the CPU kernel and the GPU's (kernels/cuda/Cast.cu), every pair of types.
#pragma once

#include "core/HalfFloat.h"
#include "core/HostDevice.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {

/// A bool element: plans store bools as one byte, 0 or 1.
struct CastBool {
  uint8_t v;
};

/// X converted as cast() says, one element.
template <typename To, typename From> CIMLIR_HOST_DEVICE To castValue(From x) {
  if constexpr (kIsHalfFloat<From>) {
    // Every float16 and bfloat16 value is a double: convert from that, exactly as from it.
    return castValue<To>(toDouble(x));
  } else if constexpr (kIsHalfFloat<To>) {
    // One rounding, from the value itself (an integer up to 2^53 is exact as a double).
    double v;
    if constexpr (std::is_same_v<From, CastBool>)
      v = x.v != 0;
    else
      v = static_cast<double>(x);
    if constexpr (std::is_same_v<To, Float16>)
      return toFloat16(v);
    else
      return toBFloat16(v);
  } else if constexpr (std::is_same_v<To, CastBool>) {
    if constexpr (std::is_same_v<From, CastBool>)
      return x;
    else
      return CastBool{static_cast<uint8_t>(x != From(0) || x != x)}; // NaN != 0
  } else if constexpr (std::is_same_v<From, CastBool>) {
    return static_cast<To>(x.v != 0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(x))
      return To(0);
    // Bounds as From: the lowest is a power of two, exact; the highest + 1 is one too.
    const From lo = static_cast<From>(std::numeric_limits<To>::lowest());
    const From hiPlusOne = static_cast<From>(std::numeric_limits<To>::max() / 2 + 1) * From(2);
    if (x <= lo)
      return std::numeric_limits<To>::lowest();
    if (x >= hiPlusOne)
      return std::numeric_limits<To>::max();
    return static_cast<To>(x); // truncates toward zero, in range
  } else if constexpr (std::is_same_v<To, float> && std::is_same_v<From, double>) {
    // IEEE rounding to nearest, spelled out: C++ leaves a double beyond float's range
    // undefined. Up to half an ulp (2^103) above the largest float rounds down to it; the
    // tie and beyond round to infinity (the largest float's significand is odd).
    const double fltMax = std::numeric_limits<float>::max();
    if (std::isfinite(x) && std::fabs(x) > fltMax)
      return std::fabs(x) < fltMax + std::ldexp(1.0, 103)
                 ? std::copysign(std::numeric_limits<float>::max(), x > 0 ? 1.0f : -1.0f)
                 : std::copysign(std::numeric_limits<float>::infinity(), x > 0 ? 1.0f : -1.0f);
    return static_cast<float>(x);
  } else if constexpr (std::is_integral_v<To> && std::is_integral_v<From>) {
    // Modulo 2^bits through the unsigned type (defined for every pair).
    return static_cast<To>(static_cast<std::make_unsigned_t<To>>(x));
  } else {
    return static_cast<To>(x);
  }
}

} // namespace cimlir::cpu
