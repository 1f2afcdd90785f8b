// cimlir CUDA kernels: a plan's element types as C++ types, for kernels templated on them.
#pragma once

#include "core/DType.h"

#include <cstdint>

namespace cimlir::cuda {

/// Calls f with a value of the C++ type of `t` (BoolType for bool, which plans store as one
/// byte); returns false, calling nothing, for float16 and bfloat16 (host-only conversions).
template <typename BoolType, typename F> bool withElementType(DType t, F f) {
  switch (t) {
  case DType::F32:
    return f(float{}), true;
  case DType::F64:
    return f(double{}), true;
  case DType::I8:
    return f(int8_t{}), true;
  case DType::U8:
    return f(uint8_t{}), true;
  case DType::I16:
    return f(int16_t{}), true;
  case DType::U16:
    return f(uint16_t{}), true;
  case DType::I32:
    return f(int32_t{}), true;
  case DType::I64:
    return f(int64_t{}), true;
  case DType::Bool:
    return f(BoolType{}), true;
  default:
    return false;
  }
}

} // namespace cimlir::cuda
