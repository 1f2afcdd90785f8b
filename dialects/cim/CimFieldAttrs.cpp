//===- CimFieldAttrs.cpp - layer-settings fields as attributes ------------===//

#include "dialects/cim/CimFieldAttrs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace cimlir::cim {

Attribute fieldAttr(Builder &b, const LayerField &f, const FieldValue &v) {
  switch (f.kind) {
  case FieldKind::Int:
    return b.getI64IntegerAttr(v.integer);
  case FieldKind::Seed:
    return b.getIntegerAttr(b.getIntegerType(64, /*isSigned=*/false), v.seed);
  case FieldKind::Number:
    return b.getF64FloatAttr(v.number);
  case FieldKind::Enum:
    return b.getStringAttr(f.choiceName(v));
  case FieldKind::Slices:
    return b.getDenseI64ArrayAttr(SmallVector<int64_t>(v.slices.begin(), v.slices.end()));
  case FieldKind::Bool:
    return b.getBoolAttr(v.boolean);
  }
  return Attribute();
}

std::optional<FieldValue> fieldValue(const LayerField &f, Attribute a) {
  FieldValue v;
  switch (f.kind) {
  case FieldKind::Int: {
    auto i = dyn_cast_or_null<IntegerAttr>(a);
    if (!i || !i.getType().isSignlessInteger(64))
      return std::nullopt;
    v.integer = i.getInt();
    return v;
  }
  case FieldKind::Seed: {
    auto i = dyn_cast_or_null<IntegerAttr>(a);
    if (!i)
      return std::nullopt;
    // An i64 seed is below 2^63 (hand-written settings); cim-lower-to-cim writes ui64.
    if (!i.getType().isUnsignedInteger(64) &&
        !(i.getType().isSignlessInteger(64) && !i.getValue().isNegative()))
      return std::nullopt;
    v.seed = i.getValue().getZExtValue();
    return v;
  }
  case FieldKind::Number:
    if (auto d = dyn_cast_or_null<FloatAttr>(a); d && d.getType().isF64()) {
      v.number = d.getValueAsDouble();
      return v;
    }
    if (auto i = dyn_cast_or_null<IntegerAttr>(a)) {
      v.number = static_cast<double>(i.getValue().getSExtValue());
      return v;
    }
    return std::nullopt;
  case FieldKind::Enum: {
    auto s = dyn_cast_or_null<StringAttr>(a);
    if (!s)
      return std::nullopt;
    auto at = llvm::find(*f.choices, s.getValue().str());
    if (at == f.choices->end())
      return std::nullopt;
    v.integer = at - f.choices->begin();
    return v;
  }
  case FieldKind::Slices:
    if (auto dense = dyn_cast_or_null<DenseI64ArrayAttr>(a)) {
      for (int64_t w : dense.asArrayRef())
        v.slices.push_back(static_cast<int>(std::clamp<int64_t>(w, -1, 1 << 20)));
      return v;
    }
    if (auto list = dyn_cast_or_null<ArrayAttr>(a)) {
      for (Attribute e : list) {
        auto i = dyn_cast<IntegerAttr>(e);
        if (!i)
          return std::nullopt;
        v.slices.push_back(static_cast<int>(std::clamp<int64_t>(i.getInt(), -1, 1 << 20)));
      }
      return v;
    }
    return std::nullopt;
  case FieldKind::Bool:
    if (auto b = dyn_cast_or_null<BoolAttr>(a)) {
      v.boolean = b.getValue();
      return v;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::string fieldKindText(const LayerField &f) {
  switch (f.kind) {
  case FieldKind::Int:
    return "an i64 integer";
  case FieldKind::Seed:
    return "a ui64 integer";
  case FieldKind::Number:
    return "an f64 number";
  case FieldKind::Enum:
    return "one of \"" + llvm::join(*f.choices, "\", \"") + "\"";
  case FieldKind::Slices:
    return "an array<i64>";
  case FieldKind::Bool:
    return "a bool";
  }
  return "";
}

} // namespace cimlir::cim
