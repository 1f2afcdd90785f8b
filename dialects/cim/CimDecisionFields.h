//===- CimDecisionFields.h - a decision's settings fields in the IR --*- C++ -*-===//
//
// Each decision attribute of CimAttrs.td holds the fields of a layer's settings that its pass
// decides (LayerField::decision) as one parameter, the section's struct (WeightSettings, ...).
// This is that parameter's printer, parser, verifier and hash, all driven by the field
// table (kernels/cim/LayerSettings.h): a new device-file field shows, parses and is checked
// in the IR without a change here.
//
// The syntax is the fields in table order, `name = value` separated by commas:
//   bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0
// (integers and seeds as integers, numbers with a decimal point, names as keywords or
// strings, slices as a list); the parser takes them in any order, each once.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_DIALECTS_CIM_CIMDECISIONFIELDS_H
#define CIMLIR_DIALECTS_CIM_CIMDECISIONFIELDS_H

#include "kernels/cim/LayerSettings.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/Hashing.h"

namespace cimlir::cim {

/// The member of LayerSettings that holds a section struct.
template <typename Section> constexpr Section LayerSettings::*sectionMember();
template <> constexpr CrossbarSettings LayerSettings::*sectionMember<CrossbarSettings>() {
  return &LayerSettings::crossbar;
}
template <> constexpr WeightSettings LayerSettings::*sectionMember<WeightSettings>() {
  return &LayerSettings::weights;
}
template <> constexpr InputSettings LayerSettings::*sectionMember<InputSettings>() {
  return &LayerSettings::inputs;
}
template <> constexpr AdcSettings LayerSettings::*sectionMember<AdcSettings>() {
  return &LayerSettings::adc;
}
template <> constexpr NoiseSettings LayerSettings::*sectionMember<NoiseSettings>() {
  return &LayerSettings::noise;
}

/// Settings that hold `section` and defaults elsewhere (the table reads whole settings).
template <typename Section> LayerSettings withSection(const Section &section) {
  LayerSettings all;
  all.*sectionMember<Section>() = section;
  return all;
}

void printDecisionFields(mlir::AsmPrinter &printer, llvm::StringRef decision,
                         const LayerSettings &settings);
mlir::LogicalResult parseDecisionFields(mlir::AsmParser &parser, llvm::StringRef decision,
                                        LayerSettings &settings);
/// Each field of `decision` in its range (LayerField::check): "weights.bits is 20, expected
/// 2..16".
mlir::LogicalResult verifyDecisionFields(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                                         llvm::StringRef decision, const LayerSettings &settings);
/// The fields of `decision` as the plan writes them (CimFieldAttrs.h's forms), for
/// toDictionary.
void appendDecisionFields(mlir::Builder &b, llvm::StringRef decision, const LayerSettings &settings,
                          llvm::SmallVectorImpl<mlir::NamedAttribute> &out);
/// A hash of every field of `section` (the StorageUniquer's key).
llvm::hash_code hashSectionFields(llvm::StringRef section, const LayerSettings &settings);

/// The parameter's printer and parser (CimAttrs.td's Cim_SettingsParameter).
template <typename Section>
void printSection(mlir::AsmPrinter &printer, llvm::StringRef decision, const Section &section) {
  printDecisionFields(printer, decision, withSection(section));
}
template <typename Section>
mlir::FailureOr<Section> parseSection(mlir::AsmParser &parser, llvm::StringRef decision) {
  LayerSettings all;
  if (mlir::failed(parseDecisionFields(parser, decision, all)))
    return mlir::failure();
  return all.*sectionMember<Section>();
}

/// An attribute of type AttrT in its full form (CimAttrs.td's Cim_ArrayParameter).
template <typename AttrT> mlir::FailureOr<AttrT> parseAttributeOf(mlir::AsmParser &parser) {
  AttrT attr;
  if (parser.parseAttribute(attr))
    return mlir::failure();
  return attr;
}

// The hash of each section struct, found by the attribute storage through ADL.
llvm::hash_code hash_value(const CrossbarSettings &s);
llvm::hash_code hash_value(const WeightSettings &s);
llvm::hash_code hash_value(const InputSettings &s);
llvm::hash_code hash_value(const AdcSettings &s);
llvm::hash_code hash_value(const NoiseSettings &s);

} // namespace cimlir::cim

#endif
