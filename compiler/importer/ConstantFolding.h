//===- ConstantFolding.h - ops on constants, run by the CPU kernels -*- C++ -*-===//
//
// Exporters compute shapes and fill weights with small graphs of their own (Shape ->
// Gather -> Concat -> Reshape, ConstantOfShape fills); the importer folds every op whose
// operands are all constants as it builds it, so those graphs are gone before any pass or
// kernel sees them. Folding runs the op as the runtime would: a one-step plan executed by
// the CPU backend, so a folded value and a computed one never differ.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_IMPORTER_CONSTANTFOLDING_H
#define CIMLIR_COMPILER_IMPORTER_CONSTANTFOLDING_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace cimlir {

/// Whether every operand of `op` is an onnx.Constant (and it has at least one, or none
/// at all for an op that makes a value from its attributes alone).
bool hasConstantOperands(mlir::Operation *op);

/// The values of `op`'s results, computed by the CPU backend on its constant operands.
/// Float results of more than a few elements become dense resources (as imported weights
/// do), others DenseElementsAttr. Fails with a diagnostic at the op when the kernel refuses
/// its inputs (the runtime's message) or memory runs out.
mlir::FailureOr<llvm::SmallVector<mlir::ElementsAttr>> foldOnCpu(mlir::Operation *op);

} // namespace cimlir

#endif
