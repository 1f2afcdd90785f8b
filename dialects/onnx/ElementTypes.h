//===- ElementTypes.h - plan dtypes as MLIR element types -------*- C++ -*-===//
//
// The one mapping between the element types of tensors that plans hold (core/DType.h) and
// MLIR types, used both ways: by the importer (ONNX data types through DType), the frozen
// inputs, the plan contract check and the plan emitter.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_DIALECTS_ONNX_ELEMENTTYPES_H
#define CIMLIR_DIALECTS_ONNX_ELEMENTTYPES_H

#include "core/DType.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"

#include <optional>

namespace cimlir {

/// The MLIR element type of `t`: f32, f64, f16, bf16; signless integers for the signed
/// ones, ui8 and ui16 for the unsigned ones, i1 for bool.
mlir::Type elementTypeOf(mlir::MLIRContext *ctx, DType t);

/// The dtype whose elementTypeOf is `t`; nullopt for a type plans cannot hold.
std::optional<DType> dtypeOf(mlir::Type t);

} // namespace cimlir

#endif
