//===- CompileOptions.h - what cim-opt is asked to do -----------*- C++ -*-===//
//
// cim-opt's compile options as plain data (CompileCommandLine.cpp parses the command line into
// them), and the rules between them, checked before any work.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_DRIVER_COMPILEOPTIONS_H
#define CIMLIR_COMPILER_DRIVER_COMPILEOPTIONS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

struct CompileOptions {
  std::string input;  ///< model.onnx, model.onnxtext or IR (.mlir, "-": standard input)
  std::string output; ///< -o; "" for standard output (IR only)
  std::string device; ///< --device; "" when not given (digital, or the device IR was placed for)
  std::string emit = "plan"; ///< plan, cim or import
  std::string freezeInputs;  ///< --freeze-inputs IN.npz
  /// --input-shape NAME=D0xD1x... as given, in order (the importer's parseInputShape reads them).
  std::vector<std::string> inputShapes;
  std::string report; ///< --report layers.csv
  bool printWeights = false;
  /// --keep-batch-norm: BatchNormalization stays a digital step (cim-fold-batch-norm not run).
  bool keepBatchNorm = false;
  /// --keep-activations: a ReLU after a layer stays a step (cim-fuse-activations not run).
  bool keepActivations = false;
  /// --keep-elementwise: elementwise ops stay steps of their own (cim-fuse-elementwise not run).
  bool keepElementwise = false;
  /// --keep-normalization: a LayerNormalization stays a step (cim-fuse-normalization not run).
  bool keepNormalization = false;
  std::string calibration;      ///< --calibration DATASET
  std::string calibrationTable; ///< --calibration-table FILE
  /// Given on the command line (each is refused without --calibration).
  std::optional<int64_t> calibrationLimit;
  std::optional<std::string> calibrationSplit;
  /// --save-calibration FILE (given but empty is refused too).
  std::optional<std::string> saveCalibration;
  /// --sensitivity DATASET (docs/sensitivity.md) and its options (each refused without it).
  std::string sensitivity;
  std::optional<std::string> sensitivityMetric, sensitivitySplit, sensitivityBackend;
  std::optional<int64_t> sensitivityLimit;
  std::string sensitivityReport; ///< --sensitivity-report FILE.json
  /// --digital-budget P (percent, needs --sensitivity), --budget-by weights|macs,
  /// --budget-candidates K, --save-device FILE.json (each of the last three needs the budget).
  std::optional<double> digitalBudget;
  std::optional<std::string> budgetBy;
  std::optional<int64_t> budgetCandidates;
  std::string saveDevice;
};

/// "" when the options go together, else the one error line (without "cim-opt: error: ").
std::string checkCompileOptions(const CompileOptions &options);

/// The first option given that sets up cim-opt's default pipeline (--device when `deviceToo`,
/// --keep-*, --calibration*, --sensitivity), or "".
std::string defaultPipelineOption(const CompileOptions &options, bool deviceToo = true);

} // namespace cimlir

#endif
