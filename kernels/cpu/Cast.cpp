#include "kernels/cpu/Cast.h"

#include "kernels/cpu/Check.h"

#include "kernels/cpu/CastValue.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {

using detail::fail;

namespace {

template <typename To, typename From> void castTyped(const Tensor &x, Tensor &y) {
  const int64_t n = x.numel();
  const auto *xv = static_cast<const unsigned char *>(x.raw());
  auto *yv = static_cast<unsigned char *>(y.raw());
  for (int64_t i = 0; i < n; ++i) {
    From v;
    std::memcpy(&v, xv + i * sizeof(From), sizeof(From));
    const To out = castValue<To>(v);
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
    return castTyped<CastBool, From>(x, y);
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
    return castFrom<CastBool>(x, y);
  case DType::F16:
    return castFrom<Float16>(x, y);
  case DType::BF16:
    return castFrom<BFloat16>(x, y);
  }
  fail(kn, "unsupported source dtype");
}

} // namespace cimlir::cpu
