//===- CimFieldAttrs.h - layer-settings fields as attributes ----*- C++ -*-===//
//
// The fields of a layer's settings (kernels/cim/LayerSettings.h, the one field table) as MLIR
// attributes: cim-lower-to-cim writes a layer's resolved `settings` with them, each CIM pass
// reads the fields it decides out of them, and a decision's toDictionary (the object a plan
// writes, CimAttrs.td) gives its fields in them. One form per kind: integers i64, numbers
// f64, names strings (of the enumeration), seeds ui64, slices array<i64>, flags bool.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_DIALECTS_CIM_CIMFIELDATTRS_H
#define CIMLIR_DIALECTS_CIM_CIMFIELDATTRS_H

#include "kernels/cim/LayerSettings.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

#include <optional>

namespace cimlir::cim {

/// The attribute of `value` (of `field`'s kind).
mlir::Attribute fieldAttr(mlir::Builder &b, const LayerField &field, const FieldValue &value);

/// The value `a` holds for `field`, or nothing when it is not of the field's kind. It also
/// takes what hand-written `settings` may spell otherwise: an integer for a number, a
/// non-negative i64 for a seed, a list [..] for slices. The range is not checked here
/// (LayerField::check).
std::optional<FieldValue> fieldValue(const LayerField &field, mlir::Attribute a);

/// What fieldValue expects, for messages: "an i64 integer", "an f64 number", "a ui64
/// integer", "one of \"ideal\", \"full\", ...", "an array<i64>", "a bool".
std::string fieldKindText(const LayerField &field);

} // namespace cimlir::cim

#endif
