// cimlir kernels: one instruction of an elementwise chain (ElementwiseChain.h) on one element,
// written once for the CPU kernel (kernels/cpu/ElementwiseChain.cpp) and the GPU's
// (kernels/cuda/ElementwiseChain.cu) with the single ops' own element functions.
#pragma once

#include "core/HostDevice.h"
#include "kernels/cpu/BinaryMath.h"
#include "kernels/cpu/ElementwiseChain.h"
#include "kernels/cpu/UnaryMath.h"

namespace cimlir::cpu {

/// a op b for a binary op a chain holds (chainOpNamed).
template <typename T> CIMLIR_HOST_DEVICE T applyChainBinary(BinaryOp op, T a, T b) {
  switch (op) {
  case BinaryOp::Add:
    return applyBinary<BinaryOp::Add>(a, b);
  case BinaryOp::Sub:
    return applyBinary<BinaryOp::Sub>(a, b);
  case BinaryOp::Mul:
    return applyBinary<BinaryOp::Mul>(a, b);
  case BinaryOp::Div:
    return applyBinary<BinaryOp::Div>(a, b);
  case BinaryOp::Max:
    return applyBinary<BinaryOp::Max>(a, b);
  case BinaryOp::Min:
    return applyBinary<BinaryOp::Min>(a, b);
  case BinaryOp::Pow:
    return applyBinary<BinaryOp::Pow>(a, b);
  case BinaryOp::PRelu:
    return applyBinary<BinaryOp::PRelu>(a, b);
  default: // Mod and FMod take no float chain (chainOpNamed)
    return a;
  }
}

/// The value after instruction `in`, v being the chain's value and `b` the instruction's
/// operand element (unused by one-operand ops).
template <typename T>
CIMLIR_HOST_DEVICE T applyChainInstruction(const ChainInstruction &in, T v, T b) {
  switch (in.op.kind) {
  case ChainOpKind::Binary:
    return in.swapped ? applyChainBinary(in.op.binary, b, v) : applyChainBinary(in.op.binary, v, b);
  case ChainOpKind::Unary:
    return applyUnary(in.op.unary, v, static_cast<T>(in.alpha), static_cast<T>(in.beta));
  case ChainOpKind::Relu:
    return v < T(0) ? T(0) : v; // NaN stays NaN, as cpu::relu
  case ChainOpKind::Gelu:
    return geluValue(v, in.alpha != 0);
  case ChainOpKind::Softmax: // over the row, after the elementwise part (the kernels')
    return v;
  }
  return v;
}

} // namespace cimlir::cpu
