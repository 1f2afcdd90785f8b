#include "kernels/cpu/Cast.h"

#include "kernels/cpu/Check.h"

#include "core/HalfFloat.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {

using detail::fail;

namespace {

/// Plans store bools as one byte, 0 or 1.
struct Bool {
  uint8_t v;
};

template <typename To, typename From> To convert(From x) {
  if constexpr (kIsHalfFloat<From>) {
    // Every float16 and bfloat16 value is a double: convert from that, exactly as from it.
    return convert<To>(toDouble(x));
  } else if constexpr (kIsHalfFloat<To>) {
    // One rounding, from the value itself (an integer up to 2^53 is exact as a double).
    double v;
    if constexpr (std::is_same_v<From, Bool>)
      v = x.v != 0;
    else
      v = static_cast<double>(x);
    if constexpr (std::is_same_v<To, Float16>)
      return toFloat16(v);
    else
      return toBFloat16(v);
  } else if constexpr (std::is_same_v<To, Bool>) {
    if constexpr (std::is_same_v<From, Bool>)
      return x;
    else
      return Bool{static_cast<uint8_t>(x != From(0) || x != x)}; // NaN != 0
  } else if constexpr (std::is_same_v<From, Bool>) {
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

template <typename To, typename From> void castTyped(const Tensor &x, Tensor &y) {
  const int64_t n = x.numel();
  const auto *xv = static_cast<const unsigned char *>(x.raw());
  auto *yv = static_cast<unsigned char *>(y.raw());
  for (int64_t i = 0; i < n; ++i) {
    From v;
    std::memcpy(&v, xv + i * sizeof(From), sizeof(From));
    const To out = convert<To>(v);
    std::memcpy(yv + i * sizeof(To), &out, sizeof(To));
  }
}

template <typename From> void castFrom(const Tensor &x, Tensor &y) {
  switch (y.dtype()) {
  case DType::F32:
    return castTyped<float, From>(x, y);
  case DType::F64:
    return castTyped<double, From>(x, y);
  case DType::I8:
    return castTyped<int8_t, From>(x, y);
  case DType::U8:
    return castTyped<uint8_t, From>(x, y);
  case DType::I16:
    return castTyped<int16_t, From>(x, y);
  case DType::U16:
    return castTyped<uint16_t, From>(x, y);
  case DType::I32:
    return castTyped<int32_t, From>(x, y);
  case DType::I64:
    return castTyped<int64_t, From>(x, y);
  case DType::Bool:
    return castTyped<Bool, From>(x, y);
  case DType::F16:
    return castTyped<Float16, From>(x, y);
  case DType::BF16:
    return castTyped<BFloat16, From>(x, y);
  }
  fail("cast", "unsupported target dtype");
}

} // namespace

void cast(const Tensor &x, Tensor &y) {
  const char *kn = "cast";
  detail::requireData(kn, "X", x);
  detail::requireData(kn, "Y", y);
  detail::requireShape(kn, "Y", y, x.shape());
  switch (x.dtype()) {
  case DType::F32:
    return castFrom<float>(x, y);
  case DType::F64:
    return castFrom<double>(x, y);
  case DType::I8:
    return castFrom<int8_t>(x, y);
  case DType::U8:
    return castFrom<uint8_t>(x, y);
  case DType::I16:
    return castFrom<int16_t>(x, y);
  case DType::U16:
    return castFrom<uint16_t>(x, y);
  case DType::I32:
    return castFrom<int32_t>(x, y);
  case DType::I64:
    return castFrom<int64_t>(x, y);
  case DType::Bool:
    return castFrom<Bool>(x, y);
  case DType::F16:
    return castFrom<Float16>(x, y);
  case DType::BF16:
    return castFrom<BFloat16>(x, y);
  }
  fail(kn, "unsupported source dtype");
}

} // namespace cimlir::cpu
