//===- ApplyCalibration.cpp - calibrated scales from a table (§3, §5) -----===//
//
// The table (runtime/calibration/CalibrationTable.h, docs/numerics.md "Calibration") comes
// from a file (table=FILE) or, from cim-opt --calibration, in memory; this pass only reads it.
//
//===----------------------------------------------------------------------===//

#include "kernels/cim/LayerSettings.h"
#include "passes/CalibrationTableFile.h"
#include "passes/LinearLayers.h"
#include "passes/Passes.h"
#include "runtime/calibration/CalibrationTable.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace cimlir {
#define GEN_PASS_DEF_APPLYCALIBRATION
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// A number as messages show it: 0.5, -2, inf.
std::string shown(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// The layer's decided value named like "inputs.bits" (a decision, then its field, as the
/// plan writes it; a settings section names the decision that holds its fields, as
/// "crossbar.rows" does mapping.rows; hybrid.analog_bits is 0 without a hybrid split), as
/// JSON; null when absent.
llvm::json::Value decidedValue(cim::LinearOp op, llvm::StringRef key) {
  auto [section, field] = key.split('.');
  StringRef decision = section;
  if (const cim::LayerField *f = cim::findLayerField(key.str()); f && f->decision())
    decision = f->decision();
  auto attr = dyn_cast_or_null<cim::DecisionAttrInterface>(op->getAttr(decision));
  if (decision == "hybrid" && !attr)
    return int64_t(0);
  Attribute a = attr ? attr.toDictionary().get(field) : Attribute();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return i.getInt();
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto s = dyn_cast_or_null<StringAttr>(a))
    return s.getValue().str();
  if (auto v = dyn_cast_or_null<DenseI64ArrayAttr>(a)) {
    llvm::json::Array out;
    for (int64_t e : v.asArrayRef())
      out.push_back(e);
    return llvm::json::Value(std::move(out));
  }
  return nullptr;
}

/// Numbers compare by value (100 equals 100.0), the rest as JSON.
bool sameValue(const llvm::json::Value &a, const llvm::json::Value &b) {
  if (a.getAsNumber() && b.getAsNumber())
    return *a.getAsNumber() == *b.getAsNumber();
  const llvm::json::Array *x = a.getAsArray(), *y = b.getAsArray();
  if (x && y) {
    if (x->size() != y->size())
      return false;
    for (size_t i = 0; i < x->size(); ++i)
      if (!sameValue((*x)[i], (*y)[i]))
        return false;
    return true;
  }
  return a == b;
}

struct ApplyCalibrationPass : public cimlir::impl::ApplyCalibrationBase<ApplyCalibrationPass> {
  using ApplyCalibrationBase::ApplyCalibrationBase;
  /// The table in memory (cim-opt --calibration measured it); `name` names it in messages.
  ApplyCalibrationPass(std::shared_ptr<const calibration::Table> measured, std::string name)
      : table_(std::move(measured)) {
    table = std::move(name);
  }

  LogicalResult initialize(MLIRContext *ctx) final {
    if (!table_ && table.empty())
      return emitError(UnknownLoc::get(ctx)) << "cim-apply-calibration needs table=FILE";
    return loadTableOption(*ctx, table, table_);
  }

  void runOnOperation() final {
    WalkResult result = getOperation().walk([&](cim::LinearOp op) {
      return failed(apply(op)) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult apply(cim::LinearOp op) {
    cim::InputsAttr inputs = op.getInputsAttr();
    cim::AdcAttr adc = op.getAdcAttr();
    if (!inputs || !adc || !op.getWeightsAttr())
      return layerError(op) << "needs its weights, inputs and adc decided; run "
                               "cim-apply-calibration after cim-configure-adc";
    const bool isStatic = inputs.getSettings().scale == cim::InputScale::Static;
    const bool calibrated = adc.getSettings().mode == cim::AdcMode::Calibrated;
    if (!isStatic && !calibrated)
      return success();
    auto entry = table_->layers.find(op.getLayer().str());
    if (entry == table_->layers.end())
      return layerError(op) << "is not in the calibration table " << table
                            << " (calibrate with the same model and device)";
    const calibration::Layer &layer = entry->second;
    if (!layer.groups)
      return layerError(op) << "the calibration table " << table
                            << " has no array \"groups\" for it";
    // A table measured for other settings does not fit this layer: name the first field
    // that differs ("measured_for" is written by cim-opt --calibration; a hand-written table
    // may leave it out).
    for (const auto &[key, text] : layer.measuredFor) {
      llvm::json::Value decided = decidedValue(op, key);
      if (decided.kind() == llvm::json::Value::Null)
        return layerError(op) << "the calibration table " << table << ": measured_for." << key
                              << ": not a setting of the layer";
      auto value = llvm::json::parse(text);
      if (!value) {
        llvm::consumeError(value.takeError());
        return layerError(op) << "the calibration table " << table << ": measured_for." << key
                              << ": unreadable value";
      }
      if (!sameValue(decided, *value)) {
        std::string is;
        llvm::raw_string_ostream(is) << decided;
        return layerError(op) << "the calibration table " << table << " was measured for " << key
                              << " = " << text << ", the layer has " << is
                              << " (calibrate again for this device)";
      }
    }
    const int64_t G = cim::getLinearShape(op).groups;
    if (static_cast<int64_t>(layer.groups->size()) != G)
      return layerError(op) << "the calibration table " << table << " has " << layer.groups->size()
                            << " groups for it, expected " << G;
    const int64_t pairs = static_cast<int64_t>(inputs.getSettings().slices.size() *
                                               op.getWeightsAttr().getSettings().slices.size());
    SmallVector<float> scales, fullScales;
    for (int64_t g = 0; g < G; ++g) {
      const calibration::Group &group = (*layer.groups)[g];
      auto where = [&]() {
        return layerError(op) << "the calibration table " << table << ", group " << g << ": ";
      };
      if (isStatic) {
        if (!group.inputScale)
          return where() << "has no number \"input_scale\" (the layer's inputs are static)";
        const double s = *group.inputScale;
        if (!std::isfinite(static_cast<float>(s)) || !(static_cast<float>(s) > 0.0f))
          return where() << "input_scale is " << shown(s) << ", expected a finite scale > 0";
        scales.push_back(static_cast<float>(s));
      }
      if (calibrated) {
        if (!group.adcFullScales)
          return where() << "has no array \"adc_full_scales\" (the layer's ADC is calibrated)";
        if (static_cast<int64_t>(group.adcFullScales->size()) != pairs)
          return where() << "has " << group.adcFullScales->size() << " adc_full_scales, expected "
                         << pairs << " (input slices x weight slices)";
        for (double d : *group.adcFullScales) {
          if (!std::isfinite(static_cast<float>(d)) || static_cast<float>(d) < 0.0f)
            return where() << "adc_full_scales holds " << shown(d)
                           << ", expected finite full scales >= 0";
          fullScales.push_back(static_cast<float>(d));
        }
      }
    }
    Builder b(op.getContext());
    if (isStatic)
      op.setInputsAttr(cim::InputsAttr::get(op.getContext(), inputs.getSettings(),
                                            b.getDenseF32ArrayAttr(scales)));
    if (calibrated)
      op.setAdcAttr(cim::AdcAttr::get(op.getContext(), adc.getSettings(), adc.getFullScales(),
                                      b.getDenseF32ArrayAttr(fullScales)));
    ++numCalibrated;
    return success();
  }

  std::shared_ptr<const calibration::Table> table_;
};

} // namespace

std::unique_ptr<Pass>
cimlir::createApplyCalibration(std::shared_ptr<const calibration::Table> table, std::string name) {
  return std::make_unique<ApplyCalibrationPass>(std::move(table), std::move(name));
}
