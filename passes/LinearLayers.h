//===- LinearLayers.h - what the CIM passes share ---------------*- C++ -*-===//
//
// The layers with constant weights (cim-numerics.md §0) and how they become cim.linear or
// cim.digital_linear ops; errors that name the layer; and SettingsSection, through which each
// pass takes the device settings it decides out of a cim.linear's `settings`.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_PASSES_LINEARLAYERS_H
#define CIMLIR_PASSES_LINEARLAYERS_H

#include "dialects/cim/CimOps.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace cimlir {

/// The mark cim-lower-to-cim puts on a layer the device keeps digital: its precision
/// (a name of cim::DigitalPrecision). cim-digital-layers lowers and removes it.
inline constexpr llvm::StringLiteral kDigitalPrecisionAttr = "cim.digital_precision";

/// The ONNX node name the importer put in an op's location ("" when there is none).
std::string layerName(mlir::Operation *op);

/// An error on `op` that starts by naming its layer: "layer '/fc1/Gemm': ...".
mlir::InFlightDiagnostic layerError(mlir::Operation *op);

/// An onnx.Gemm, onnx.MatMul or onnx.Conv whose weight is constant and that a linear layer
/// op can compute: a MatMul needs an activation of rank >= 2 and a 2-D weight (§0).
bool isLinearLayer(mlir::Operation *op);

/// Replaces the linear layer `op` (isLinearLayer) by an op named `opName` (cim.linear or
/// cim.digital_linear) with the same operands, `kind`, `layer` and the kind's attributes,
/// plus `extra`; a Gemm's transA becomes an onnx.Transpose in front (§0). Returns the new op.
mlir::Operation *replaceWithLinear(mlir::Operation *op, llvm::StringRef opName,
                                   llvm::ArrayRef<mlir::NamedAttribute> extra);

/// Runs `decide` on every cim.linear under `root` that has no attribute `decision` yet (a
/// pass decides a layer once), stopping at the first failure.
mlir::LogicalResult forEachUndecided(mlir::Operation *root, llvm::StringRef decision,
                                     llvm::function_ref<mlir::LogicalResult(cim::LinearOp)> decide);

/// `slices` (widths LSB first) and `offsets` (the sum of the widths below each slice), as
/// a cim.linear's `weights` and `inputs` hold them.
llvm::SmallVector<mlir::NamedAttribute, 2> sliceAttrs(mlir::Builder &b,
                                                      llvm::ArrayRef<int64_t> widths);

/// One section of a cim.linear's `settings` (the device settings cim-lower-to-cim resolved).
/// A pass takes the fields it decides: each take* reads a field, with an error naming the
/// layer and the field when it is missing or mistyped (after the first such error, the
/// others fail silently: one error per layer), and marks it taken; commit() writes
/// `settings` back without the taken fields, dropping a section once empty and `settings`
/// once nothing is left. What stays in `settings` is what no pass has decided yet.
class SettingsSection {
public:
  SettingsSection(cim::LinearOp op, llvm::StringRef section);

  /// Whether the section holds `field` (taken or not).
  bool has(llvm::StringRef field) const;
  mlir::FailureOr<int64_t> peekInteger(llvm::StringRef field);
  mlir::FailureOr<int64_t> takeInteger(llvm::StringRef field);
  /// A number written as an integer or a float.
  mlir::FailureOr<double> takeNumber(llvm::StringRef field);
  mlir::FailureOr<std::string> takeString(llvm::StringRef field);
  /// A list of integers ([1, 2] or array<i64: 1, 2>).
  mlir::FailureOr<llvm::SmallVector<int64_t>> takeIntegers(llvm::StringRef field);
  /// A seed: a non-negative integer up to 2^64 - 1.
  mlir::FailureOr<uint64_t> takeSeed(llvm::StringRef field);
  /// Failure once a field was missing or mistyped (its error is out).
  mlir::LogicalResult status() const { return mlir::failure(failed_); }
  void commit();

private:
  mlir::Attribute find(llvm::StringRef field);
  mlir::InFlightDiagnostic missing(llvm::StringRef field, llvm::StringRef what);

  cim::LinearOp op_;
  std::string section_;
  mlir::DictionaryAttr dict_;
  llvm::SmallVector<std::string> taken_;
  bool failed_ = false;
};

} // namespace cimlir

#endif
