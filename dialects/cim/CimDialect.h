//===- CimDialect.h - the cim dialect ---------------------------*- C++ -*-===//
#ifndef CIMLIR_DIALECTS_CIM_CIMDIALECT_H
#define CIMLIR_DIALECTS_CIM_CIMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/cim/CimDialect.h.inc"

namespace cimlir::cim {

/// On func.func @main: the device file the layers were placed for, resolved (every field,
/// defaults filled in) as compact JSON text. cim-lower-to-cim puts it there; the plan emitter
/// records it in the plan (its metadata and the header's fingerprint), so that IR compiled in
/// one cim-opt run becomes a plan in another.
inline constexpr llvm::StringLiteral kDeviceAttr = "cim.device";

/// On any op that becomes a plan step: a dictionary a pass (a plugin's, typically) fills with
/// its results for the runtime, keys namespaced as "<pass>.<name>" (docs/write-a-pass.md).
/// The plan emitter copies it into the step's `ext` (docs/plan-format.md) and cim-run's report
/// lists it per step, without either knowing the pass.
inline constexpr llvm::StringLiteral kExtAttr = "cim.ext";

} // namespace cimlir::cim

#endif
