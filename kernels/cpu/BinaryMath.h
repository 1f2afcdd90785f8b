// cimlir kernels: the element functions of the binary ONNX ops (Add, Sub, Mul, Div, Max, Min,
// Pow, PRelu, Mod, FMod) in every element type cpu::binary takes, written once for the CPU
// kernel (kernels/cpu/Elementwise.cpp) and the GPU's (kernels/cuda/Elementwise.cu).
#pragma once

#include "core/HostDevice.h"
#include "kernels/cpu/Elementwise.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {

/// Integer arithmetic wraps (as onnxruntime's does on every target) instead of being
/// undefined: it runs in an unsigned type at least as wide as int, so neither signed
/// overflow nor the promotion of uint16 * uint16 to a signed int can occur.
template <typename T>
using Wide = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

/// Integer a^b by squaring, wrapping; a negative b gives 1 / a truncated.
template <typename T> CIMLIR_HOST_DEVICE T integerPow(T a, T b) {
  using U = Wide<T>;
  if constexpr (std::is_signed_v<T>) {
    if (b < 0)
      return a == 1 ? T(1) : a == -1 ? (b % 2 ? T(-1) : T(1)) : T(0);
  }
  U result = 1, base = static_cast<U>(a);
  for (auto e = static_cast<std::make_unsigned_t<T>>(b); e; e >>= 1) {
    if (e & 1)
      result *= base;
    base *= base;
  }
  return static_cast<T>(result);
}

/// a op b in T. An integer divisor of 0 is the caller's to refuse (Div, Mod, FMod).
template <BinaryOp Op, typename T> CIMLIR_HOST_DEVICE inline T applyBinary(T a, T b) {
  if constexpr (Op == BinaryOp::Max || Op == BinaryOp::Min) {
    if constexpr (std::is_floating_point_v<T>)
      if (a != a || b != b)
        return std::numeric_limits<T>::quiet_NaN();
    return Op == BinaryOp::Max ? (a < b ? b : a) : (b < a ? b : a);
  } else if constexpr (Op == BinaryOp::FMod) {
    if constexpr (std::is_floating_point_v<T>)
      return std::fmod(a, b);
    else if constexpr (std::is_signed_v<T>)
      return b == -1 ? T(0) : static_cast<T>(a % b); // lowest % -1 overflows in C
    else
      return static_cast<T>(a % b);
  } else if constexpr (Op == BinaryOp::Mod) {
    if constexpr (std::is_floating_point_v<T>) {
      const T r = std::fmod(a, b);
      return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    } else {
      const T r = applyBinary<BinaryOp::FMod>(a, b);
      if constexpr (std::is_signed_v<T>)
        return r != 0 && ((r < 0) != (b < 0)) ? static_cast<T>(r + b) : r;
      else
        return r;
    }
  } else if constexpr (Op == BinaryOp::PRelu) {
    if constexpr (std::is_unsigned_v<T>)
      return a; // never below 0
    else
      return a < T(0) ? applyBinary<BinaryOp::Mul>(a, b) : a;
  } else if constexpr (Op == BinaryOp::Pow) {
    if constexpr (std::is_floating_point_v<T>)
      return std::pow(a, b);
    else
      return integerPow(a, b);
  } else if constexpr (std::is_floating_point_v<T>) {
    if constexpr (Op == BinaryOp::Add)
      return a + b;
    else if constexpr (Op == BinaryOp::Sub)
      return a - b;
    else if constexpr (Op == BinaryOp::Mul)
      return a * b;
    else
      return a / b;
  } else {
    using U = Wide<T>;
    if constexpr (Op == BinaryOp::Add)
      return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
    else if constexpr (Op == BinaryOp::Sub)
      return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
    else if constexpr (Op == BinaryOp::Mul)
      return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
    else if constexpr (std::is_signed_v<T>)
      // lowest / -1 overflows; negation in U wraps it to lowest, as two's complement does.
      return b == -1 ? static_cast<T>(U(0) - static_cast<U>(a)) : static_cast<T>(a / b);
    else
      return static_cast<T>(a / b);
  }
}

/// Whether Op divides, so that an integer divisor of 0 must be refused.
constexpr bool dividesBy(BinaryOp op) {
  return op == BinaryOp::Div || op == BinaryOp::Mod || op == BinaryOp::FMod;
}

} // namespace cimlir::cpu
