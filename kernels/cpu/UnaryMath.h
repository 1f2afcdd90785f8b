// cimlir kernels: the element functions of the unary ONNX ops and Gelu, written once for the
// CPU kernels (kernels/cpu/Elementwise.cpp) and the GPU's (kernels/cuda/Elementwise.cu). Each is
// the formula of the ONNX operator text with the C library's functions; on the GPU those are
// CUDA's (within 2 ulp of the host's, CUDA's programming guide, "Mathematical Functions").
#pragma once

#include "core/HostDevice.h"
#include "kernels/cpu/Elementwise.h"

#include <cmath>
#include <type_traits>

namespace cimlir::cpu {

/// log(1 + e^x) without overflow for large x.
template <typename T> CIMLIR_HOST_DEVICE T softplus(T x) {
  return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// x clamped into [0, 1]; NaN stays NaN (as numpy.clip, the ONNX reference, keeps it).
template <typename T> CIMLIR_HOST_DEVICE T clamp01(T x) {
  return x < T(0) ? T(0) : x > T(1) ? T(1) : x;
}

/// f(x) of one of the unary ops, in T's precision; alpha and beta as unaryOpTypes() names them.
template <typename T> CIMLIR_HOST_DEVICE T applyUnary(UnaryOp op, T x, T alpha, T beta) {
  switch (op) {
  case UnaryOp::Abs:
    return std::fabs(x);
  case UnaryOp::Acos:
    return std::acos(x);
  case UnaryOp::Acosh:
    return std::acosh(x);
  case UnaryOp::Asin:
    return std::asin(x);
  case UnaryOp::Asinh:
    return std::asinh(x);
  case UnaryOp::Atan:
    return std::atan(x);
  case UnaryOp::Atanh:
    return std::atanh(x);
  case UnaryOp::Ceil:
    return std::ceil(x);
  case UnaryOp::Celu: // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
    return x > T(0) ? x : alpha * std::expm1(x / alpha);
  case UnaryOp::Cos:
    return std::cos(x);
  case UnaryOp::Cosh:
    return std::cosh(x);
  case UnaryOp::Elu:
    return x >= T(0) ? x : alpha * std::expm1(x);
  case UnaryOp::Erf:
    return std::erf(x);
  case UnaryOp::Exp:
    return std::exp(x);
  case UnaryOp::Floor:
    return std::floor(x);
  case UnaryOp::HardSigmoid:
    return clamp01(alpha * x + beta);
  case UnaryOp::HardSwish: // x * HardSigmoid(x) with alpha 1/6, beta 1/2
    return x * clamp01(x / T(6) + T(0.5));
  case UnaryOp::LeakyRelu:
    return x >= T(0) ? x : alpha * x;
  case UnaryOp::Log:
    return std::log(x);
  case UnaryOp::Mish:
    return x * std::tanh(softplus(x));
  case UnaryOp::Neg:
    return -x;
  case UnaryOp::Reciprocal:
    return T(1) / x;
  case UnaryOp::Round: // halves to even: the default rounding mode
    return std::nearbyint(x);
  case UnaryOp::Selu:
    return beta * (x > T(0) ? x : alpha * std::expm1(x));
  case UnaryOp::Shrink: // alpha is lambd, beta the bias
    return x < -alpha ? x + beta : x > alpha ? x - beta : T(0);
  case UnaryOp::Sigmoid:
    return T(1) / (T(1) + std::exp(-x));
  case UnaryOp::Sign:
    return x > T(0) ? T(1) : x < T(0) ? T(-1) : x; // 0 and NaN stay
  case UnaryOp::Sin:
    return std::sin(x);
  case UnaryOp::Sinh:
    return std::sinh(x);
  case UnaryOp::Softplus:
    return softplus(x);
  case UnaryOp::Softsign:
    return x / (T(1) + std::fabs(x));
  case UnaryOp::Sqrt:
    return std::sqrt(x);
  case UnaryOp::Tan:
    return std::tan(x);
  case UnaryOp::Tanh:
    return std::tanh(x);
  case UnaryOp::ThresholdedRelu:
    return x > alpha ? x : T(0);
  }
  return x;
}

/// ONNX Gelu of one element: x/2 (1 + erf(x / sqrt 2)), or with `tanhApproximation`
/// x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <typename T> CIMLIR_HOST_DEVICE T geluValue(T v, bool tanhApproximation) {
  const T rootTwoOverPi = static_cast<T>(0.79788456080286535587989211986876373695);
  const T invRootTwo = static_cast<T>(0.70710678118654752440084436210484903928);
  return tanhApproximation
             ? T(0.5) * v * (T(1) + std::tanh(rootTwoOverPi * (v + T(0.044715) * v * v * v)))
             : T(0.5) * v * (T(1) + std::erf(v * invRootTwo));
}

/// Abs, Neg and Sign of a signed integer, wrapping (|lowest| and -lowest are lowest).
template <typename T> CIMLIR_HOST_DEVICE T applyInteger(UnaryOp op, T x) {
  using U = std::make_unsigned_t<T>;
  const T negated = static_cast<T>(U(0) - static_cast<U>(x));
  switch (op) {
  case UnaryOp::Abs:
    return x < 0 ? negated : x;
  case UnaryOp::Neg:
    return negated;
  default: // Sign
    return static_cast<T>((x > 0) - (x < 0));
  }
}

} // namespace cimlir::cpu
