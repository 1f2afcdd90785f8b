// cimlir CUDA kernels: a plan's element types as C++ types, for kernels templated on them.
#pragma once

#include "core/DType.h"
#include "core/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace cimlir::cuda {

/// Calls f with a value of the C++ type of `t` where `t` is one of the number types of
/// cpu::binary (float32, float64, the 8- to 64-bit integers); returns false, calling nothing,
/// for bool and the 16-bit floats.
template <typename F> bool withArithmeticType(DType t, F f) {
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
  default:
    return false;
  }
}

/// Calls f with a value of the C++ type of `t` (BoolType for bool, which plans store as one
/// byte); returns false, calling nothing, for float16 and bfloat16 (only Cast takes them).
template <typename BoolType, typename F> bool withElementType(DType t, F f) {
  if (t == DType::Bool)
    return f(BoolType{}), true;
  return withArithmeticType(t, f);
}

/// Calls `launch` with a value of the C++ type of `t`, float32 or float64; another is an
/// internal error naming `what`.
template <typename Launch> void withRealType(DType t, const char *what, Launch launch) {
  switch (t) {
  case DType::F32:
    return launch(float{});
  case DType::F64:
    return launch(double{});
  default:
    throw Error(std::string("internal: no GPU ") + what + " for " + dtypeName(t));
  }
}

/// Calls `launch` with a value of the C++ type of `t`: float32, float64, int32 or int64; another
/// is an internal error naming `what`.
template <typename Launch> void withNumericType(DType t, const char *what, Launch launch) {
  switch (t) {
  case DType::I32:
    return launch(int32_t{});
  case DType::I64:
    return launch(int64_t{});
  default:
    return withRealType(t, what, launch);
  }
}

/// Calls f with a value of int8_t or uint8_t for `t` (the quantized types of MatMulInteger and
/// ConvInteger); returns false, calling nothing, for another type.
template <typename F> bool withInt8Type(DType t, F f) {
  if (t == DType::I8)
    return f(int8_t{}), true;
  if (t == DType::U8)
    return f(uint8_t{}), true;
  return false;
}

/// Calls `launch` with a value of the unsigned integer type of `elementSize` bytes (1, 2, 4 or
/// 8): kernels that only move elements. Another size is an internal error naming `what`.
template <typename Launch> void byElementSize(size_t elementSize, const char *what, Launch launch) {
  switch (elementSize) {
  case 1:
    return launch(uint8_t{});
  case 2:
    return launch(uint16_t{});
  case 4:
    return launch(uint32_t{});
  case 8:
    return launch(uint64_t{});
  default:
    throw Error(std::string("internal: no GPU ") + what + " for elements of " +
                std::to_string(elementSize) + " bytes");
  }
}

} // namespace cimlir::cuda
