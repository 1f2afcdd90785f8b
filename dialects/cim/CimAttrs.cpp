//===- CimAttrs.cpp - cim dialect attributes ------------------------------===//
//
// Each decision's own rules (what it can check without W or the other decisions) and the
// object a plan writes for it. The fields of the device's settings are checked through the
// field table (CimDecisionFields.h); the rules across decisions are the op's
// (CimLinearAttrs.cpp).
//
//===----------------------------------------------------------------------===//

#include "dialects/cim/CimOps.h"

#include "dialects/cim/CimDecisionFields.h"
#include "kernels/cim/CimParams.h"
#include "kernels/cim/LayerSettings.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace cimlir::cim;

#include "dialects/cim/CimAttrInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/cim/CimAttrs.cpp.inc"

namespace {

using EmitError = function_ref<InFlightDiagnostic()>;

/// The rules across the fields of one section (checkAcrossFields; the other sections keep
/// their valid defaults).
LogicalResult verifySection(EmitError emitError, StringRef decision, const LayerSettings &all) {
  if (failed(verifyDecisionFields(emitError, decision, all)))
    return failure();
  if (auto problem = checkAcrossFields(all))
    return emitError() << problem->field << ": " << problem->what;
  return success();
}

/// Values that calibration or a pass measured: at least one, finite, > 0 (`positive`) or >= 0.
template <typename T>
LogicalResult verifyValues(EmitError emitError, StringRef name, ArrayRef<T> values, bool positive) {
  if (values.empty())
    return emitError() << name << " is empty";
  for (T v : values)
    if (!std::isfinite(static_cast<double>(v)) || (positive ? !(v > 0) : v < 0))
      return emitError() << name << " holds " << v << ", expected finite values "
                         << (positive ? "> 0" : ">= 0");
  return success();
}

/// `offsets`: the sums of the slices below each (p_j, o_i), as the plan writes them.
NamedAttribute offsetsAttr(Builder &b, const std::vector<int> &widths) {
  std::vector<int> offsets = sliceOffsets(widths);
  return b.getNamedAttr(
      "offsets", b.getDenseI64ArrayAttr(SmallVector<int64_t>(offsets.begin(), offsets.end())));
}

} // namespace

// ---- weights ----------------------------------------------------------------------------

LogicalResult WeightsAttr::verify(EmitError emitError, WeightSettings settings,
                                  DenseF32ArrayAttr scales) {
  if (failed(verifySection(emitError, "weights", withSection(settings))))
    return failure();
  if (!scales)
    return emitError() << "weights.scales is missing";
  return verifyValues(emitError, "weights.scales", scales.asArrayRef(), /*positive=*/true);
}

DictionaryAttr WeightsAttr::toDictionary() const {
  Builder b(getContext());
  SmallVector<NamedAttribute> fields;
  appendDecisionFields(b, "weights", withSection(getSettings()), fields);
  fields.push_back(b.getNamedAttr("scales", getScales()));
  fields.push_back(offsetsAttr(b, getSettings().slices));
  return b.getDictionaryAttr(fields);
}

// ---- hybrid -----------------------------------------------------------------------------

LogicalResult HybridAttr::verify(EmitError emitError, int64_t analogBits, int64_t analogQmax) {
  // h > 0 here, in the range of the device-file field it comes from.
  const LayerField *h = findLayerField("inputs.hybrid_analog_bits");
  if (analogBits < h->lo || analogBits > h->hi)
    return emitError() << "hybrid.analog_bits is " << analogBits << ", expected " << h->rangeText();
  const int64_t qmax = (int64_t(1) << (analogBits - 1)) - 1;
  if (analogQmax != qmax)
    return emitError() << "hybrid.analog_qmax is " << analogQmax
                       << ", expected 2^(analog_bits - 1) - 1 = " << qmax;
  return success();
}

DictionaryAttr HybridAttr::toDictionary() const {
  Builder b(getContext());
  return b.getDictionaryAttr({b.getNamedAttr("analog_bits", b.getI64IntegerAttr(getAnalogBits())),
                              b.getNamedAttr("analog_qmax", b.getI64IntegerAttr(getAnalogQmax()))});
}

// ---- inputs -----------------------------------------------------------------------------

LogicalResult InputsAttr::verify(EmitError emitError, InputSettings settings,
                                 DenseF32ArrayAttr staticScales) {
  // What the slices sum to depends on `hybrid`: the op checks it.
  if (settings.hybridAnalogBits != 0)
    return emitError() << "inputs holds no hybrid_analog_bits (the hybrid decision holds h)";
  if (failed(verifyDecisionFields(emitError, "inputs", withSection(settings))))
    return failure();
  if (!staticScales)
    return success();
  if (settings.scale != InputScale::Static)
    return emitError() << "inputs.static_scales is for inputs.scale 'static', not '"
                       << toString(settings.scale) << "'";
  return verifyValues(emitError, "inputs.static_scales", staticScales.asArrayRef(),
                      /*positive=*/true);
}

DictionaryAttr InputsAttr::toDictionary() const {
  Builder b(getContext());
  SmallVector<NamedAttribute> fields;
  appendDecisionFields(b, "inputs", withSection(getSettings()), fields);
  fields.push_back(offsetsAttr(b, getSettings().slices));
  if (getStaticScales())
    fields.push_back(b.getNamedAttr("static_scales", getStaticScales()));
  return b.getDictionaryAttr(fields);
}

// ---- mapping ----------------------------------------------------------------------------

LogicalResult MappingAttr::verify(EmitError emitError, CrossbarSettings crossbar, int64_t k,
                                  int64_t n, int64_t groups, int64_t slices, int64_t) {
  if (failed(verifySection(emitError, "mapping", withSection(crossbar))))
    return failure();
  for (auto [name, value] : {std::pair<StringRef, int64_t>{"k", k}, {"n", n}, {"groups", groups}})
    if (value < 1)
      return emitError() << "mapping." << name << " is " << value << ", expected 1 or more";
  if (slices < 1 || slices > 15)
    return emitError() << "mapping.slices is " << slices << ", expected 1..15";
  return success();
}

int64_t MappingAttr::rowBlocks() const { return rowBlockCount(getK(), getCrossbar().rows); }

int64_t MappingAttr::colBlocks() const { return colBlockCount(getN(), getCrossbar().cols); }

int64_t MappingAttr::arrays() const {
  return rowBlocks() * colBlocks() * getSlices() * getGroups();
}

double MappingAttr::utilisation() const {
  const int64_t k = getK(), n = getN(), slices = getSlices(), groups = getGroups();
  return 2.0 * k * n * slices * groups /
         (double(arrays()) * getCrossbar().rows * getCrossbar().cols);
}

DictionaryAttr MappingAttr::toDictionary() const {
  Builder b(getContext());
  SmallVector<NamedAttribute> fields;
  appendDecisionFields(b, "mapping", withSection(getCrossbar()), fields);
  auto integer = [&](StringRef name, int64_t v) {
    fields.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(v)));
  };
  integer("k", getK());
  integer("n", getN());
  integer("groups", getGroups());
  integer("row_blocks", rowBlocks());
  integer("col_blocks", colBlocks());
  integer("slices", getSlices());
  integer("arrays", arrays());
  integer("rows_per_sample", getRowsPerSample());
  fields.push_back(b.getNamedAttr("utilisation", b.getF64FloatAttr(utilisation())));
  return b.getDictionaryAttr(fields);
}

// ---- adc --------------------------------------------------------------------------------

LogicalResult AdcAttr::verify(EmitError emitError, AdcSettings settings,
                              DenseI64ArrayAttr fullScales, DenseF32ArrayAttr calibrated) {
  if (failed(verifySection(emitError, "adc", withSection(settings))))
    return failure();
  if (!fullScales)
    return emitError() << "adc.full_scales is missing";
  if (failed(verifyValues(emitError, "adc.full_scales", fullScales.asArrayRef(),
                          /*positive=*/false)))
    return failure();
  if (!calibrated)
    return success();
  if (settings.mode != AdcMode::Calibrated)
    return emitError() << "adc.calibrated_full_scales is for adc.mode 'calibrated', not '"
                       << toString(settings.mode) << "'";
  return verifyValues(emitError, "adc.calibrated_full_scales", calibrated.asArrayRef(),
                      /*positive=*/false);
}

DictionaryAttr AdcAttr::toDictionary() const {
  Builder b(getContext());
  SmallVector<NamedAttribute> fields;
  appendDecisionFields(b, "adc", withSection(getSettings()), fields);
  fields.push_back(b.getNamedAttr("full_scales", getFullScales()));
  if (getCalibratedFullScales())
    fields.push_back(b.getNamedAttr("calibrated_full_scales", getCalibratedFullScales()));
  return b.getDictionaryAttr(fields);
}

// ---- noise ------------------------------------------------------------------------------

LogicalResult NoiseAttr::verify(EmitError emitError, NoiseSettings settings,
                                ArrayRef<uint64_t> layerIds) {
  if (failed(verifySection(emitError, "noise", withSection(settings))))
    return failure();
  if (layerIds.empty())
    return emitError() << "noise.layer_ids is empty";
  return success();
}

DictionaryAttr NoiseAttr::toDictionary() const {
  Builder b(getContext());
  SmallVector<NamedAttribute> fields;
  appendDecisionFields(b, "noise", withSection(getSettings()), fields);
  Type u64 = b.getIntegerType(64, /*isSigned=*/false);
  SmallVector<Attribute> ids;
  for (uint64_t id : getLayerIds())
    ids.push_back(b.getIntegerAttr(u64, id));
  fields.push_back(b.getNamedAttr("layer_ids", b.getArrayAttr(ids)));
  return b.getDictionaryAttr(fields);
}

void CimDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/cim/CimAttrs.cpp.inc"
      >();
}
