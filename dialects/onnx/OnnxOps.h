//===- OnnxOps.h - onnx dialect operations ----------------------*- C++ -*-===//
#ifndef CIMLIR_DIALECTS_ONNX_ONNXOPS_H
#define CIMLIR_DIALECTS_ONNX_ONNXOPS_H

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.h.inc"

namespace cimlir::onnx {

/// On an onnx.Constant folded from a DequantizeLinear of int8 levels: the model's own
/// quantization, {levels, scale, zero_point (when given), axis}, which cim-quantize-weights
/// takes as a layer's integer weights with `weights.source` "model" (docs/numerics.md).
inline constexpr llvm::StringLiteral kQuantizedOriginAttr = "onnx.quantized_origin";

} // namespace cimlir::onnx

#endif
