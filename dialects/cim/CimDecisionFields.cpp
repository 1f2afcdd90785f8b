//===- CimDecisionFields.cpp - a decision's settings fields in the IR -----===//

#include "dialects/cim/CimDecisionFields.h"

#include "dialects/cim/CimFieldAttrs.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/bit.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace cimlir::cim {

namespace {

/// A number as MLIR reads it back: formatNumber's shortest form, with the decimal point the
/// MLIR lexer needs before an exponent ("1.0e+300"); non-finite values in MLIR's hex form.
void printNumber(AsmPrinter &p, double v) {
  if (!std::isfinite(v)) {
    p.printFloat(llvm::APFloat(v));
    return;
  }
  std::string text = formatNumber(v);
  if (size_t e = text.find('e'); e != std::string::npos && text.find('.') == std::string::npos)
    text.insert(e, ".0");
  p << text;
}

void printValue(AsmPrinter &p, const LayerField &f, const FieldValue &v) {
  switch (f.kind) {
  case FieldKind::Int:
    p << v.integer;
    return;
  case FieldKind::Seed:
    p << v.seed;
    return;
  case FieldKind::Number:
    printNumber(p, v.number);
    return;
  case FieldKind::Enum:
    p.printKeywordOrString(f.choiceName(v));
    return;
  case FieldKind::Slices:
    p << '[';
    llvm::interleaveComma(v.slices, p);
    p << ']';
    return;
  case FieldKind::Bool:
    p << (v.boolean ? "true" : "false");
    return;
  }
}

ParseResult parseValue(AsmParser &p, StringRef decision, const LayerField &f, FieldValue &v) {
  SMLoc loc = p.getCurrentLocation();
  switch (f.kind) {
  case FieldKind::Int:
    return p.parseInteger(v.integer);
  case FieldKind::Seed: {
    // AsmParser::parseInteger<uint64_t> would take -1 as 2^64 - 1.
    llvm::APInt value;
    OptionalParseResult parsed = p.parseOptionalInteger(value);
    if (!parsed.has_value())
      return p.emitError(loc) << decision << "." << f.name << " must be an integer in 0..2^64 - 1";
    if (failed(*parsed))
      return failure();
    if (value.isNegative() || value.getActiveBits() > 64)
      return p.emitError(loc) << decision << "." << f.name << " is "
                              << llvm::toString(value, 10, /*Signed=*/true)
                              << ", expected 0..2^64 - 1";
    v.seed = value.getZExtValue();
    return success();
  }
  case FieldKind::Number:
    return p.parseFloat(v.number);
  case FieldKind::Enum: {
    std::string name;
    if (p.parseKeywordOrString(&name))
      return failure();
    auto at = llvm::find(*f.choices, name);
    if (at == f.choices->end())
      return p.emitError(loc) << decision << "." << f.name << " is '" << name << "', expected "
                              << fieldKindText(f);
    v.integer = at - f.choices->begin();
    return success();
  }
  case FieldKind::Slices:
    return p.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&]() -> ParseResult {
      int64_t width = 0;
      if (p.parseInteger(width))
        return failure();
      // The range is the verifier's; a width far outside it stays outside it as an int.
      v.slices.push_back(static_cast<int>(std::clamp<int64_t>(width, -1, 1 << 20)));
      return success();
    });
  case FieldKind::Bool: {
    StringRef word;
    if (p.parseKeyword(&word) || (word != "true" && word != "false"))
      return p.emitError(loc) << decision << "." << f.name << " must be true or false";
    v.boolean = word == "true";
    return success();
  }
  }
  return failure();
}

} // namespace

void printDecisionFields(AsmPrinter &printer, StringRef decision, const LayerSettings &settings) {
  llvm::interleaveComma(decisionFields(decision), printer, [&](const LayerField *f) {
    printer << f->name << " = ";
    printValue(printer, *f, f->get(settings));
  });
}

LogicalResult parseDecisionFields(AsmParser &parser, StringRef decision, LayerSettings &settings) {
  const std::vector<const LayerField *> fields = decisionFields(decision);
  std::vector<bool> given(fields.size(), false);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i && parser.parseComma())
      return failure();
    SMLoc loc = parser.getCurrentLocation();
    StringRef name;
    if (parser.parseKeyword(&name))
      return failure();
    auto at = llvm::find_if(fields, [&](const LayerField *f) { return name == f->name; });
    if (at == fields.end() || given[at - fields.begin()]) {
      SmallVector<StringRef> missing;
      for (size_t k = 0; k < fields.size(); ++k)
        if (!given[k])
          missing.push_back(fields[k]->name);
      auto diag = parser.emitError(loc) << decision;
      if (at == fields.end())
        diag << " has no field '" << name << "'";
      else
        diag << "." << name << " is given twice";
      return diag << " (still to give: " << llvm::join(missing, ", ") << ")";
    }
    given[at - fields.begin()] = true;
    FieldValue value;
    if (parser.parseEqual() || parseValue(parser, decision, **at, value))
      return failure();
    (*at)->set(settings, value);
  }
  return success();
}

LogicalResult verifyDecisionFields(function_ref<InFlightDiagnostic()> emitError, StringRef decision,
                                   const LayerSettings &settings) {
  for (const LayerField *f : decisionFields(decision)) {
    const FieldValue v = f->get(settings);
    std::optional<FieldProblem> problem = f->check(v);
    if (!problem)
      continue;
    const SettingsProblem p = f->describe((decision + "." + f->name).str(), v, *problem);
    return emitError() << p.field << ": " << p.what;
  }
  return success();
}

void appendDecisionFields(Builder &b, StringRef decision, const LayerSettings &settings,
                          SmallVectorImpl<NamedAttribute> &out) {
  for (const LayerField *f : decisionFields(decision))
    out.push_back(b.getNamedAttr(f->name, fieldAttr(b, *f, f->get(settings))));
}

llvm::hash_code hashSectionFields(StringRef section, const LayerSettings &settings) {
  llvm::hash_code h = llvm::hash_value(section);
  for (const LayerField *f : sectionFields(section)) {
    const FieldValue v = f->get(settings);
    // -0.0 == 0.0, so they hash alike.
    const uint64_t number = llvm::bit_cast<uint64_t>(v.number == 0.0 ? 0.0 : v.number);
    h = llvm::hash_combine(h, v.integer, v.seed, number, v.boolean,
                           llvm::hash_combine_range(v.slices.begin(), v.slices.end()));
  }
  return h;
}

llvm::hash_code hash_value(const CrossbarSettings &s) {
  return hashSectionFields("crossbar", withSection(s));
}
llvm::hash_code hash_value(const WeightSettings &s) {
  return hashSectionFields("weights", withSection(s));
}
llvm::hash_code hash_value(const InputSettings &s) {
  return hashSectionFields("inputs", withSection(s));
}
llvm::hash_code hash_value(const AdcSettings &s) {
  return hashSectionFields("adc", withSection(s));
}
llvm::hash_code hash_value(const NoiseSettings &s) {
  return hashSectionFields("noise", withSection(s));
}

} // namespace cimlir::cim
