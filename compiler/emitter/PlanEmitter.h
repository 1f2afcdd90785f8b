//===- PlanEmitter.h - final IR to plan.bin ---------------------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_EMITTER_PLANEMITTER_H
#define CIMLIR_COMPILER_EMITTER_PLANEMITTER_H

#include "runtime/device/DeviceConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// The device `main` was placed for: its cim.device (which cim-lower-to-cim records, and the
/// cim dialect verifies is a string) read back into `out`, which stays empty for IR never
/// placed. Returns "" or the device file's error ("cim.device: crossbar: ...").
std::string placedDevice(mlir::func::FuncOp main, std::optional<device::DeviceConfig> &out);

/// Writes the plan of `module`'s func.func @main (runtime/plan/PlanFormat.h) into
/// `stagedTemp`, the temporary file cim-opt staged for the plan `path` (core/OutputFile.h:
/// the driver commits it). Every onnx op becomes one step, every constant one 64-byte
/// aligned section; the device the IR was placed for (@main's cim.device, which IR never
/// placed lacks: an error) is recorded in the metadata and its fingerprint in the header. On
/// failure emits a diagnostic naming `path`.
mlir::LogicalResult emitPlan(mlir::ModuleOp module, const std::string &sourceName,
                             const std::string &stagedTemp, const std::string &path);

/// The same plan into `bytes`, for a plan that never leaves the process (cim-opt's
/// calibration and sensitivity plans, the importer's constant folding: that IR may be
/// unplaced, and its plan then records no device).
mlir::LogicalResult emitPlanToMemory(mlir::ModuleOp module, const std::string &sourceName,
                                     std::vector<unsigned char> &bytes);

} // namespace cimlir

#endif
