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
#include "kernels/cim/LayerSettings.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace cimlir {

/// The mark cim-lower-to-cim puts on a layer the device keeps digital: its precision
/// (a name of cim::DigitalPrecision). cim-digital-layers lowers and removes it.
inline constexpr llvm::StringLiteral kDigitalPrecisionAttr = "cim.digital_precision";

/// cim-mark-digital's mark (a BoolAttr, true) on a layer chosen to stay digital (cim-opt
/// --digital-budget): cim-lower-to-cim keeps the layer digital and the mark stays on the
/// digital op, so that the plan's step carries it.
inline constexpr llvm::StringLiteral kMarkedDigitalAttr = "cim.marked_digital";

/// The layer's location with `folded` (a node fused into it) recorded: the layer keeps its
/// name (layerName); under it a FusedLoc of the layer's own location alone, whose metadata
/// lists the fused nodes' names (read by cim-opt --report and by messages).
mlir::Location fusedLocation(mlir::Operation *layer, mlir::Operation *folded);

/// cim-smooth-inputs' mark on a layer whose inputs it smoothed: cim-slice-inputs refuses a
/// layer with inputs.smooth_alpha > 0 without it (the smoothing would be recorded, not done).
inline constexpr llvm::StringLiteral kSmoothedAttr = "cim.smoothed";

/// A cim.linear's inputs.smooth_alpha while it is still in its settings (0 when absent).
double smoothAlpha(cim::LinearOp op);

/// The ONNX node name the importer put in an op's location ("" when there is none).
std::string layerName(mlir::Operation *op);

/// An error on `op` that starts by naming its layer: "layer '/fc1/Gemm': ...".
mlir::InFlightDiagnostic layerError(mlir::Operation *op);

/// An onnx.Gemm, onnx.MatMul, onnx.Conv or onnx.ConvTranspose whose weight is constant and
/// that a linear layer op can compute: a MatMul needs an activation of rank >= 2 and a 2-D
/// weight (§0).
bool isLinearLayer(mlir::Operation *op);

/// Replaces the linear layer `op` (isLinearLayer) by a LinearOpTy (cim::LinearOp or
/// cim::DigitalLinearOp, built by its ODS builder) with the same operands, `kind`, `layer` and the
/// kind's attributes, its cim.ext if it has one, plus `extra`; a Gemm's transA becomes an
/// onnx.Transpose in front (§0). Returns the new op.
template <typename LinearOpTy>
LinearOpTy replaceWithLinear(mlir::Operation *op, llvm::ArrayRef<mlir::NamedAttribute> extra);

/// A cim.digital_linear in fp32 computing what the cim.linear `op` computes on crossbars: the
/// same operands (its float W, so before cim-quantize-weights) and attributes but `settings`,
/// built just before `op` (which stays). The calibration plan and the sensitivity runs
/// (cim-opt --calibration, --sensitivity) compute layers through it.
cim::DigitalLinearOp createFp32Twin(cim::LinearOp op);

/// The float32 values of a constant (dense or resource), in its layout; an error on `op`
/// (naming its layer) when it has none.
mlir::FailureOr<std::vector<float>> constantFloats(mlir::Operation *op, mlir::ElementsAttr value);

/// A constant of `type` holding `data` (type's element count of T): dense when small (up to
/// 16 elements, which the IR prints), else a resource named `key`, which `--emit=cim` leaves
/// out of the text as the importer does.
template <typename T>
mlir::ElementsAttr constantData(mlir::RankedTensorType type, const T *data, llvm::StringRef key);

/// Runs `decide` on every cim.linear under `root` that has no attribute `decision` yet (a
/// pass decides a layer once), stopping at the first failure.
mlir::LogicalResult forEachUndecided(mlir::Operation *root, llvm::StringRef decision,
                                     llvm::function_ref<mlir::LogicalResult(cim::LinearOp)> decide);

/// One section of a cim.linear's `settings` (the device settings cim-lower-to-cim resolved).
/// A pass takes the fields it decides: takeFields takes every field of the section that the
/// field table gives to a decision (LayerField::decision, kernels/cim/LayerSettings.h), so that a
/// new device-file field reaches the decision, the plan and the runtime without a change here;
/// takeInteger reads one field. A field missing, mistyped or out of its range is an error naming
/// the layer and the field (after the first such error, the others fail silently: one error per
/// layer). commit() writes `settings` back without the taken fields, dropping a section once empty
/// and `settings` once nothing is left. What stays in `settings` is what no pass has decided yet.
class SettingsSection {
public:
  SettingsSection(cim::LinearOp op, llvm::StringRef section);

  /// Whether the section holds `field` (taken or not).
  bool has(llvm::StringRef field) const;
  mlir::FailureOr<int64_t> peekInteger(llvm::StringRef field);
  mlir::FailureOr<int64_t> takeInteger(llvm::StringRef field);
  /// Takes every field of the section that a decision holds, each checked by the field
  /// table's rules, and sets them in `values` (for the pass's decision attribute).
  mlir::LogicalResult takeFields(cim::LayerSettings &values);
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
