//===- CimLinearAttrs.cpp - the decisions a cim.linear carries ------------===//
//
// Each pass of the CIM pipeline writes one decision attribute on a cim.linear (CimOps.td
// lists them): a dictionary, or a typed attribute of CimAttrs.td that verifies itself
// (#cim.hybrid). The verifier checks every dictionary that is there: field types and ranges, slice
// widths that sum to the bits they carry with offsets that are their prefix sums, and lengths
// that fit the weights, the groups and the other decisions.
//
//===----------------------------------------------------------------------===//

#include "dialects/cim/CimOps.h"

#include "dialects/cim/CimFieldAttrs.h"
#include "kernels/cim/LayerSettings.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;
using namespace cimlir::cim;

namespace {

/// One dictionary attribute of the op; every failure is an op error naming "dict.field".
class Section {
public:
  Section(LinearOp op, StringRef name, DictionaryAttr dict) : op_(op), name_(name), dict_(dict) {}

  /// An error about field `field` (empty: the whole dictionary).
  InFlightDiagnostic error(StringRef field) {
    auto diag = op_.emitOpError() << name_;
    if (!field.empty())
      diag << "." << field;
    diag << " ";
    return diag;
  }

  FailureOr<int64_t> integer(StringRef field, int64_t lo, int64_t hi) {
    auto a = dict_.getAs<IntegerAttr>(field);
    if (!a || !a.getType().isSignlessInteger(64))
      return error(field) << "must be an i64 integer";
    if (a.getInt() < lo || a.getInt() > hi)
      return error(field) << "is " << a.getInt() << ", expected " << lo << ".." << hi;
    return a.getInt();
  }
  /// The fields the field table names for `tableSection` (kernels/cim/LayerSettings.h), but
  /// `except`, as this decision holds them (CimFieldAttrs.h): each present, of its kind and in
  /// its range; their values go into `values`. A new device-file field is checked here
  /// without a change.
  LogicalResult tableFields(StringRef tableSection, cimlir::cim::LayerSettings &values,
                            ArrayRef<StringRef> except = {}) {
    for (const cimlir::cim::LayerField *f : cimlir::cim::sectionFields(tableSection)) {
      if (llvm::is_contained(except, f->name))
        continue;
      auto v = cimlir::cim::fieldValue(*f, dict_.get(f->name), /*lenient=*/false);
      if (!v)
        return error(f->name) << "must be " << cimlir::cim::fieldKindText(*f);
      if (f->check(*v))
        return error(f->name) << "is " << f->format(*v) << ", expected " << f->rangeText();
      f->set(values, *v);
      known_.push_back(f->name);
    }
    return success();
  }
  FailureOr<ArrayRef<int64_t>> ints(StringRef field) {
    auto a = dict_.getAs<DenseI64ArrayAttr>(field);
    if (!a)
      return error(field) << "must be an array<i64>";
    return a.asArrayRef();
  }
  FailureOr<ArrayRef<float>> floats(StringRef field) {
    auto a = dict_.getAs<DenseF32ArrayAttr>(field);
    if (!a)
      return error(field) << "must be an array<f32>";
    return a.asArrayRef();
  }
  /// Slice widths (1..7 bits each, at most 15, summing to `bits`) and their offsets.
  FailureOr<ArrayRef<int64_t>> slices(int64_t bits, StringRef what) {
    auto widths = ints("slices"), offsets = ints("offsets");
    if (failed(widths) || failed(offsets))
      return failure();
    if (widths->empty() || widths->size() > 15)
      return error("slices") << "has " << widths->size() << " slices, expected 1..15";
    int64_t sum = 0;
    const cimlir::cim::LayerField &width = tableField("slices", "");
    for (int64_t w : *widths) {
      if (w < width.lo || w > width.hi)
        return error("slices") << "has a slice of " << w << " bits, expected " << width.rangeText();
      sum += w;
    }
    if (sum != bits)
      return error("slices") << "sums to " << sum << " bits, expected " << bits << " (" << what
                             << ")";
    if (offsets->size() != widths->size())
      return error("offsets") << "has " << offsets->size() << " entries for " << widths->size()
                              << " slices";
    for (size_t i = 0, at = 0; i < widths->size(); at += (*widths)[i], ++i)
      if ((*offsets)[i] != static_cast<int64_t>(at))
        return error("offsets") << "must be the sums of the slices below each ([" << i << "] is "
                                << (*offsets)[i] << ", expected " << at << ")";
    return *widths;
  }
  /// No fields other than those tableFields read and `derived` (what the pass adds).
  LogicalResult only(ArrayRef<StringRef> derived) {
    SmallVector<StringRef> known(known_.begin(), known_.end());
    known.append(derived.begin(), derived.end());
    for (NamedAttribute a : dict_)
      if (!llvm::is_contained(known, a.getName().getValue()))
        return error(a.getName().getValue())
               << "is not a field of " << name_ << " (" << llvm::join(known, ", ") << ")";
    return success();
  }

private:
  const cimlir::cim::LayerField &tableField(StringRef field, StringRef key) {
    std::string name = key.empty() ? (name_ + "." + field).str() : key.str();
    const cimlir::cim::LayerField *f = cimlir::cim::findLayerField(name);
    assert(f && "a field of the layer settings table");
    return *f;
  }

  LinearOp op_;
  StringRef name_;
  DictionaryAttr dict_;
  SmallVector<StringRef> known_; // the table's fields read so far
};

/// What the later checks need from the earlier decisions.
struct Decided {
  std::optional<int64_t> weightSlices, inputSlices, rowBlocks;
};

/// Calibrated values (cim-apply-calibration): `count` finite floats, each > 0 (`positive`) or
/// >= 0.
LogicalResult calibratedValues(Section &s, StringRef field, int64_t count, StringRef what,
                               bool positive) {
  auto values = s.floats(field);
  if (failed(values))
    return failure();
  if (static_cast<int64_t>(values->size()) != count)
    return s.error(field) << "has " << values->size() << " entries, expected " << count << " ("
                          << what << ")";
  for (float v : *values)
    if (!std::isfinite(v) || (positive ? !(v > 0.0f) : v < 0.0f))
      return s.error(field) << "holds " << v << ", expected finite values "
                            << (positive ? "> 0" : ">= 0");
  return success();
}

LogicalResult verifyWeights(LinearOp op, const LinearShape &shape, Decided &decided) {
  Section s(op, "weights", op.getWeightsAttr());
  cimlir::cim::LayerSettings values;
  if (failed(s.tableFields("weights", values, {"slices"})))
    return failure();
  auto slices = s.slices(values.weights.bits - 1, "weights.bits - 1");
  auto scales = s.floats("scales");
  if (failed(slices) || failed(scales) || failed(s.only({"scales", "slices", "offsets"})))
    return failure();
  const bool perTensor = values.weights.granularity == cimlir::cim::WeightGranularity::PerTensor;
  int64_t expected = perTensor ? shape.groups : shape.groups * shape.n;
  if (static_cast<int64_t>(scales->size()) != expected)
    return s.error("scales") << "has " << scales->size() << " scales, expected " << expected
                             << (perTensor ? " (one per group)" : " (one per output channel)");
  for (float v : *scales)
    if (!(v > 0.0f) || !std::isfinite(v))
      return s.error("scales") << "holds " << v << ", expected finite scales > 0";
  decided.weightSlices = slices->size();
  return success();
}

LogicalResult verifyHybridAndInputs(LinearOp op, const LinearShape &shape, Decided &decided) {
  std::optional<int64_t> analogBits;
  if (auto hybrid = op.getHybridAttr())
    analogBits = hybrid.getAnalogBits(); // its own rules: HybridAttr::verify
  auto inputs = op.getInputsAttr();
  if (!inputs)
    return success();
  Section s(op, "inputs", inputs);
  cimlir::cim::LayerSettings values;
  if (failed(s.tableFields("inputs", values, {"slices", "hybrid_analog_bits"})))
    return failure();
  const int *bits = &values.inputs.bits;
  if (inputs.contains("static_scales")) {
    if (values.inputs.scale != cimlir::cim::InputScale::Static)
      return s.error("static_scales") << "is for inputs.scale 'static', not '"
                                      << cimlir::cim::toString(values.inputs.scale) << "'";
    if (failed(calibratedValues(s, "static_scales", shape.groups, "one per group", true)))
      return failure();
  }
  if (analogBits && *analogBits > *bits)
    return s.error("bits") << "is " << *bits << ", below hybrid.analog_bits " << *analogBits;
  auto slices = analogBits ? s.slices(*analogBits - 1, "hybrid.analog_bits - 1: the DAC "
                                                       "carries the analog part")
                           : s.slices(*bits - 1, "inputs.bits - 1");
  if (failed(slices) || failed(s.only({"slices", "offsets", "static_scales"})))
    return failure();
  decided.inputSlices = slices->size();
  return success();
}

LogicalResult verifyMapping(LinearOp op, const LinearShape &shape, Decided &decided) {
  Section s(op, "mapping", op.getMappingAttr());
  cimlir::cim::LayerSettings values;
  if (failed(s.tableFields("crossbar", values)))
    return failure();
  const int64_t *rows = &values.crossbar.rows;
  auto k = s.integer("k", 1, std::numeric_limits<int64_t>::max());
  auto n = s.integer("n", 1, std::numeric_limits<int64_t>::max());
  auto groups = s.integer("groups", 1, std::numeric_limits<int64_t>::max());
  auto rowBlocks = s.integer("row_blocks", 1, std::numeric_limits<int64_t>::max());
  auto slices = s.integer("slices", 1, 15);
  if (failed(k) || failed(n) || failed(groups) || failed(rowBlocks) || failed(slices) ||
      failed(s.only({"k", "n", "groups", "row_blocks", "col_blocks", "slices", "arrays",
                     "rows_per_sample", "utilisation"})))
    return failure();
  if (*k != shape.k || *n != shape.n || *groups != shape.groups)
    return s.error("") << "is for " << *groups << " groups of " << *k << " x " << *n
                       << ", but W holds " << shape.groups << " of " << shape.k << " x " << shape.n;
  if (*rowBlocks != (*k + *rows - 1) / *rows)
    return s.error("row_blocks") << "is " << *rowBlocks
                                 << ", expected ceil(k / rows) = " << (*k + *rows - 1) / *rows;
  if (decided.weightSlices && *slices != *decided.weightSlices)
    return s.error("slices") << "is " << *slices << ", but weights.slices has "
                             << *decided.weightSlices;
  decided.rowBlocks = *rowBlocks;
  return success();
}

LogicalResult verifyAdc(LinearOp op, const LinearShape &shape, const Decided &decided) {
  Section s(op, "adc", op.getAdcAttr());
  cimlir::cim::LayerSettings values;
  if (failed(s.tableFields("adc", values)))
    return failure();
  auto fullScales = s.ints("full_scales");
  if (failed(fullScales) || failed(s.only({"full_scales", "calibrated_full_scales"})))
    return failure();
  if (!decided.rowBlocks || !decided.inputSlices || !decided.weightSlices)
    return s.error("") << "needs mapping, inputs and weights (its full scales are per row "
                          "block, input slice and weight slice)";
  int64_t pairs = *decided.rowBlocks * *decided.inputSlices * *decided.weightSlices;
  if (static_cast<int64_t>(fullScales->size()) != pairs)
    return s.error("full_scales") << "has " << fullScales->size() << " entries, expected " << pairs
                                  << " (row blocks x input slices x weight slices)";
  for (int64_t v : *fullScales)
    if (v < 0)
      return s.error("full_scales") << "holds " << v << ", expected full scales >= 0";
  if (op.getAdcAttr().contains("calibrated_full_scales")) {
    if (values.adc.mode != cimlir::cim::AdcMode::Calibrated)
      return s.error("calibrated_full_scales") << "is for adc.mode 'calibrated', not '"
                                               << cimlir::cim::toString(values.adc.mode) << "'";
    return calibratedValues(s, "calibrated_full_scales",
                            shape.groups * *decided.inputSlices * *decided.weightSlices,
                            "groups x input slices x weight slices", false);
  }
  return success();
}

LogicalResult verifyNoise(LinearOp op, const LinearShape &shape) {
  Section s(op, "noise", op.getNoiseAttr());
  cimlir::cim::LayerSettings values;
  if (failed(s.tableFields("noise", values)))
    return failure();
  // The rule across the noise fields (the other sections keep valid defaults in `values`).
  if (auto problem = cimlir::cim::checkAcrossFields(values))
    return op.emitOpError() << problem->field << ": " << problem->what;
  auto ids = op.getNoiseAttr().getAs<ArrayAttr>("layer_ids");
  if (!ids || !llvm::all_of(ids, [](Attribute a) {
        auto i = dyn_cast<IntegerAttr>(a);
        return i && i.getType().isUnsignedInteger(64);
      }))
    return s.error("layer_ids") << "must be an array of ui64 integers";
  if (static_cast<int64_t>(ids.size()) != shape.groups)
    return s.error("layer_ids") << "has " << ids.size() << " ids for " << shape.groups << " groups";
  return s.only({"layer_ids"});
}

} // namespace

namespace cimlir::cim {

LogicalResult verifyLinearDecisions(LinearOp op) {
  const LinearShape shape = getLinearShape(op);
  Decided decided;
  if (op.getWeightsAttr() && failed(verifyWeights(op, shape, decided)))
    return failure();
  if (failed(verifyHybridAndInputs(op, shape, decided)))
    return failure();
  if (op.getMappingAttr() && failed(verifyMapping(op, shape, decided)))
    return failure();
  if (op.getAdcAttr() && failed(verifyAdc(op, shape, decided)))
    return failure();
  if (op.getNoiseAttr() && failed(verifyNoise(op, shape)))
    return failure();
  return success();
}

} // namespace cimlir::cim
