//===- ApplyCalibration.cpp - calibrated scales from a table (§3, §5) -----===//
//
// The table is JSON (docs/numerics.md, "Calibration"): {"layers": {NAME: {"groups":
// [{"input_scale": s_x, "adc_full_scales": [FS at i·S + j, ...]}, ...]}}, ...}. cim-opt
// --calibration measures it (runtime/tooling/CalibrationRun.h); this pass only reads it.
//
//===----------------------------------------------------------------------===//

#include "kernels/cim/LayerSettings.h"
#include "passes/LinearLayers.h"
#include "passes/Passes.h"
#include "runtime/device/DeviceConfig.h"

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

/// The first field of `object` not among `known`, as "PATH: unknown field (known: ...)".
std::string unknownField(const llvm::json::Object &object, const std::string &path,
                         std::initializer_list<const char *> known) {
  for (const auto &kv : object) {
    bool ok = false;
    for (const char *k : known)
      ok |= kv.first == k;
    if (ok)
      continue;
    std::string names;
    for (const char *k : known)
      names += (names.empty() ? "" : ", ") + std::string(k);
    return path + kv.first.str() + ": unknown field (known: " + names + ")";
  }
  return "";
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
  else if (section == "hybrid")
    dict = op->getAttrOfType<DictionaryAttr>("hybrid");
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

/// The header and the fields of every layer and group (docs/numerics.md, "Calibration");
/// the values themselves are checked where a layer uses them. "" when the table is fine.
std::string checkTable(const llvm::json::Object &root) {
  if (std::string bad =
          unknownField(root, "", {"format", "version", "dataset", "samples", "layers"});
      !bad.empty())
    return bad;
  std::optional<llvm::StringRef> format = root.getString("format");
  if (!root.get("format"))
    return "format: missing (expected \"cimlir-calibration\")";
  if (!format || *format != "cimlir-calibration")
    return "format: expected \"cimlir-calibration\"; not a cimlir calibration table";
  const llvm::json::Value *version = root.get("version");
  if (!version)
    return "version: missing (expected 1)";
  if (version->kind() != llvm::json::Value::Number || version->getAsInteger() != 1)
    return "version: expected the integer 1 (this cim-opt reads version 1 only)";
  if (const llvm::json::Value *d = root.get("dataset"); d && !d->getAsString())
    return "dataset: expected a string";
  if (const llvm::json::Value *n = root.get("samples"); n && !n->getAsInteger())
    return "samples: expected an integer";
  for (const auto &[name, value] : *root.getObject("layers")) {
    std::string path = "layers." + name.str() + ".";
    const llvm::json::Object *layer = value.getAsObject();
    if (!layer)
      return path.substr(0, path.size() - 1) + ": expected an object";
    if (std::string bad = unknownField(*layer, path, {"groups", "measured_for"}); !bad.empty())
      return bad;
    const llvm::json::Array *groups = layer->getArray("groups");
    if (!groups)
      continue; // named where the layer is used
    for (size_t g = 0; g < groups->size(); ++g)
      if (const llvm::json::Object *group = (*groups)[g].getAsObject())
        if (std::string bad = unknownField(*group, path + "groups[" + std::to_string(g) + "].",
                                           {"input_scale", "adc_full_scales"});
            !bad.empty())
          return bad;
  }
  return "";
}

struct ApplyCalibrationPass : public cimlir::impl::ApplyCalibrationBase<ApplyCalibrationPass> {
  using ApplyCalibrationBase::ApplyCalibrationBase;

  LogicalResult initialize(MLIRContext *ctx) final {
    Location loc = FileLineColLoc::get(ctx, table, 0, 0);
    if (table.empty())
      return emitError(UnknownLoc::get(ctx)) << "cim-apply-calibration needs table=FILE";
    auto buffer = llvm::MemoryBuffer::getFile(table);
    if (!buffer)
      return emitError(loc) << "cannot read the calibration table: " << buffer.getError().message();
    // Device files' rules first (runtime/device): the depth before llvm::json's recursive
    // parser sees the text, and duplicate keys, which it would resolve silently.
    std::string structural = device::checkJsonText((*buffer)->getBuffer(), table);
    if (!structural.empty())
      return emitError(loc) << "the calibration table " << structural;
    auto parsed = llvm::json::parse((*buffer)->getBuffer());
    if (!parsed)
      return emitError(loc) << "the calibration table is not JSON: "
                            << llvm::toString(parsed.takeError());
    const llvm::json::Object *root = parsed->getAsObject();
    const llvm::json::Object *layers = root ? root->getObject("layers") : nullptr;
    if (!layers)
      return emitError(loc) << "the calibration table has no object \"layers\"";
    if (std::string bad = checkTable(*root); !bad.empty())
      return emitError(loc) << "the calibration table " << table << ": " << bad;
    root_ = std::make_shared<llvm::json::Value>(std::move(*parsed));
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
    const llvm::json::Object *layers = root_->getAsObject()->getObject("layers");
    const llvm::json::Value *entry = layers->get(op.getLayer());
    if (!entry)
      return layerError(op) << "is not in the calibration table " << table
                            << " (calibrate with the same model and device)";
    const llvm::json::Object *layer = entry->getAsObject();
    const llvm::json::Array *groups = layer ? layer->getArray("groups") : nullptr;
    if (!groups)
      return layerError(op) << "the calibration table " << table
                            << " has no array \"groups\" for it";
    // A table measured for other settings does not fit this layer: name the first field
    // that differs ("measured_for" is written by cim-opt --calibration; a hand-written table
    // may leave it out).
    if (const llvm::json::Object *measured = layer->getObject("measured_for"))
      for (const auto &[key, value] : *measured) {
        llvm::json::Value decided = decidedValue(op, key);
        if (decided.kind() == llvm::json::Value::Null)
          return layerError(op) << "the calibration table " << table << ": measured_for."
                                << key.str() << ": not a setting of the layer";
        if (!sameValue(decided, value)) {
          std::string was, is;
          llvm::raw_string_ostream(was) << value;
          llvm::raw_string_ostream(is) << decided;
          return layerError(op) << "the calibration table " << table << " was measured for "
                                << key.str() << " = " << was << ", the layer has " << is
                                << " (calibrate again for this device)";
        }
      }
    const int64_t G = cim::getLinearShape(op).groups;
    if (static_cast<int64_t>(groups->size()) != G)
      return layerError(op) << "the calibration table " << table << " has " << groups->size()
                            << " groups for it, expected " << G;
    const int64_t pairs = sliceCount(inputs) * sliceCount(op.getWeightsAttr());
    SmallVector<float> scales, fullScales;
    for (int64_t g = 0; g < G; ++g) {
      const llvm::json::Object *group = (*groups)[g].getAsObject();
      auto where = [&]() {
        return layerError(op) << "the calibration table " << table << ", group " << g << ": ";
      };
      if (!group)
        return where() << "is not an object";
      if (isStatic) {
        std::optional<double> s = group->getNumber("input_scale");
        if (!s)
          return where() << "has no number \"input_scale\" (the layer's inputs are static)";
        if (!std::isfinite(static_cast<float>(*s)) || !(static_cast<float>(*s) > 0.0f))
          return where() << "input_scale is " << shown(*s) << ", expected a finite scale > 0";
        scales.push_back(static_cast<float>(*s));
      }
      if (calibrated) {
        const llvm::json::Array *fs = group->getArray("adc_full_scales");
        if (!fs)
          return where() << "has no array \"adc_full_scales\" (the layer's ADC is calibrated)";
        if (static_cast<int64_t>(fs->size()) != pairs)
          return where() << "has " << fs->size() << " adc_full_scales, expected " << pairs
                         << " (input slices x weight slices)";
        for (const llvm::json::Value &v : *fs) {
          std::optional<double> d = v.getAsNumber();
          if (!d)
            return where() << "adc_full_scales holds a non-number";
          if (!std::isfinite(static_cast<float>(*d)) || static_cast<float>(*d) < 0.0f)
            return where() << "adc_full_scales holds " << shown(*d)
                           << ", expected finite full scales >= 0";
          fullScales.push_back(static_cast<float>(*d));
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

  std::shared_ptr<llvm::json::Value> root_;
};

} // namespace
