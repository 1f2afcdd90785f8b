//===- CalibrationData.h - cim-opt --calibration ----------------*- C++ -*-===//
//
// Calibration from data for the layers whose device asks for `static` input scales or a
// `calibrated` ADC (docs/numerics.md, "Calibration"). After the placement pipeline, every CIM
// layer is a cim.linear with its resolved `settings` and its float W; calibrateModule turns a
// clone of the module into a calibration plan (each cim.linear a cim.digital_linear in fp32
// on W, carrying its settings as `calibrate`; every digital layer in fp32 too: calibration
// observes the fp32 network), writes it into memory and runs the runtime's calibration
// (runtime/tooling/CalibrationRun.h) on it. The result is the table
// cim-apply-calibration takes, in memory.
//
// This file calls the runtime, which throws cimlir::Error: it is compiled with exceptions
// (CMakeLists.txt) and turns them into diagnostics, so none crosses into the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_DRIVER_CALIBRATIONDATA_H
#define CIMLIR_COMPILER_DRIVER_CALIBRATIONDATA_H

#include "runtime/calibration/CalibrationTable.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cimlir {

/// The first cim.linear (in IR order) whose settings need calibration: its layer name and
/// what needs it ("inputs.scale 'static'", "adc.mode 'calibrated'", or, unless
/// `scalesOnly`, "inputs.smooth_alpha" for the input channel maxima of cim-smooth-inputs).
struct CalibrationNeed {
  std::string layer;
  std::string what;
};
std::optional<CalibrationNeed> findCalibrationNeed(mlir::ModuleOp module, bool scalesOnly = false);
/// Whether some cim.linear has inputs.smooth_alpha > 0 (cim-smooth-inputs has work).
bool needsSmoothing(mlir::ModuleOp module);

struct CalibrationDataOptions {
  std::string dataset;
  std::string split = "train";
  bool splitGiven = false;
  int64_t limit = 512;
  int64_t batch = 64;
  bool channelMaximaOnly = false; ///< CalibrationOptions::channelMaximaOnly
  /// For the calibration plan's metadata.
  std::string sourceName;
};

/// Runs calibration on `module` (after the placement pipeline; the module is not changed)
/// and returns the table, or emits one error and fails.
mlir::FailureOr<calibration::Table> calibrateModule(mlir::ModuleOp module,
                                                    const CalibrationDataOptions &options);

/// Writes `text` into `stagedTemp`, the temporary file cim-opt staged for the output `path`
/// (core/OutputFile.h; the driver commits it): emits an error naming the path and fails when
/// it cannot.
mlir::LogicalResult writeTextFile(mlir::MLIRContext &context, const std::string &stagedTemp,
                                  const std::string &path, const std::string &text);

} // namespace cimlir

#endif
