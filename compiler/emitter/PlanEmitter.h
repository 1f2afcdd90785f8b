//===- PlanEmitter.h - final IR to plan.bin ---------------------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_EMITTER_PLANEMITTER_H
#define CIMLIR_COMPILER_EMITTER_PLANEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir {

/// Writes the plan of `module`'s func.func @main (runtime/plan/PlanFormat.h) into
/// `stagedTemp`, the temporary file cim-opt staged for the plan `path` (core/OutputFile.h:
/// the driver commits it). Every onnx op becomes one step, every constant one 64-byte
/// aligned section; the resolved device file is recorded in the metadata and its
/// fingerprint in the header. On failure emits a diagnostic naming `path`.
mlir::LogicalResult emitPlan(mlir::ModuleOp module, const std::string &sourceName,
                             const std::string &stagedTemp, const std::string &path,
                             uint64_t deviceFingerprint, const std::string &deviceJson);

/// The same plan into `bytes`, for a plan that never leaves the process (cim-opt's
/// calibration plan).
mlir::LogicalResult emitPlanToMemory(mlir::ModuleOp module, const std::string &sourceName,
                                     uint64_t deviceFingerprint, const std::string &deviceJson,
                                     std::vector<unsigned char> &bytes);

} // namespace cimlir

#endif
