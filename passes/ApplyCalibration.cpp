//===- ApplyCalibration.cpp - calibrated scales from a table (§3, §5) -----===//
//
// The table (runtime/calibration/CalibrationTable.h, docs/numerics.md "Calibration") comes
// from a file (table=FILE) or, from cim-opt --calibration, in memory; this pass only reads it.
//
//===----------------------------------------------------------------------===//

#include "kernels/cim/LayerSettings.h"
#include "passes/LinearLayers.h"
#include "passes/Passes.h"
#include "runtime/calibration/CalibrationTable.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

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

/// The entries of a decided slice list.
int64_t sliceCount(DictionaryAttr decision) {
  auto slices = decision ? decision.getAs<DenseI64ArrayAttr>("slices") : nullptr;
  return slices ? static_cast<int64_t>(slices.size()) : 0;
}

/// The layer's decided value named like "inputs.bits" (the attribute dictionary, then the
/// field; hybrid.analog_bits is 0 without a hybrid split), as JSON; null when absent.
llvm::json::Value decidedValue(cim::LinearOp op, llvm::StringRef key) {
  auto [section, field] = key.split('.');
  DictionaryAttr dict;
  if (section == "inputs")
    dict = op.getInputsAttr();
  else if (section == "weights")
    dict = op.getWeightsAttr();
  else if (section == "adc")
    dict = op.getAdcAttr();
  else if (section == "hybrid" && op.getHybridAttr())
    dict = op.getHybridAttr().toDictionary();
  else if (section == "crossbar")
    return decidedValue(op, ("mapping." + field).str());
  else if (section == "mapping")
    dict = op->getAttrOfType<DictionaryAttr>("mapping");
  if (section == "hybrid" && !dict)
    return int64_t(0);
  Attribute a = dict ? dict.get(field) : Attribute();
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
    if (table_)
      return success();
    Location loc = FileLineColLoc::get(ctx, table, 0, 0);
    if (table.empty())
      return emitError(UnknownLoc::get(ctx)) << "cim-apply-calibration needs table=FILE";
    auto buffer = llvm::MemoryBuffer::getFile(table);
    if (!buffer)
      return emitError(loc) << "cannot read the calibration table: " << buffer.getError().message();
    auto parsed = std::make_shared<calibration::Table>();
    if (std::string error = calibration::readTable((*buffer)->getBuffer(), table, *parsed);
        !error.empty())
      return emitError(loc) << "the calibration table " << error;
    table_ = std::move(parsed);
    return success();
  }

  void runOnOperation() final {
    WalkResult result = getOperation().walk([&](cim::LinearOp op) {
      return failed(apply(op)) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult apply(cim::LinearOp op) {
    DictionaryAttr inputs = op.getInputsAttr(), adc = op.getAdcAttr();
    const bool isStatic =
        inputs && inputs.getAs<StringAttr>("scale") == cim::toString(cim::InputScale::Static);
    const bool calibrated =
        adc && adc.getAs<StringAttr>("mode") == cim::toString(cim::AdcMode::Calibrated);
    if (!inputs || !adc)
      return layerError(op) << "needs its inputs and adc decided; run cim-apply-calibration "
                               "after cim-configure-adc";
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
    const int64_t pairs = sliceCount(inputs) * sliceCount(op.getWeightsAttr());
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
    if (isStatic) {
      NamedAttrList attrs(inputs);
      attrs.set("static_scales", b.getDenseF32ArrayAttr(scales));
      op.setInputsAttr(attrs.getDictionary(op.getContext()));
    }
    if (calibrated) {
      NamedAttrList attrs(adc);
      attrs.set("calibrated_full_scales", b.getDenseF32ArrayAttr(fullScales));
      op.setAdcAttr(attrs.getDictionary(op.getContext()));
    }
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
