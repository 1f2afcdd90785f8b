//===- Sensitivity.h - cim-opt --sensitivity and --digital-budget -*- C++ -*-===//
//
// Which layers tolerate CIM (docs/sensitivity.md). For every layer the device puts on
// crossbars, on a dataset: the end-to-end metric with only that layer on CIM (every other
// layer digital) and with only that layer digital (every other on CIM); the KL divergence and
// MSE between its CIM and fp32 outputs on the same inputs; and cheap proxies (its inputs'
// range ratio and kurtosis, its weights' kurtosis and energy ratio σ1/Σσ), with Spearman's ρ
// of each against the measured rankings. With a budget, the most sensitive layers are kept
// digital greedily, re-measuring after each, until the budget is spent.
//
// Each configuration is the imported model placed with cim-mark-digital's marks, decided with
// the calibration table, written as a plan in memory and run through the runtime on the CUDA
// backend where a GPU is present, else the CPU. This file calls the runtime, which throws
// cimlir::Error: it is compiled with exceptions (CMakeLists.txt) and turns them into
// diagnostics.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_DRIVER_SENSITIVITY_H
#define CIMLIR_COMPILER_DRIVER_SENSITIVITY_H

#include "passes/Passes.h"
#include "runtime/calibration/CalibrationTable.h"
#include "runtime/device/DeviceConfig.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

struct SensitivityOptions {
  std::string dataset;
  std::string split = "train";
  bool splitGiven = false;
  /// Samples to measure on; unset: 1,000 on the CPU, 10,000 on a GPU.
  std::optional<int64_t> limit;
  std::string metric = "accuracy"; ///< accuracy, kl or mse
  std::string backend = "auto";
  int64_t batch = 64;
  /// --digital-budget P (percent) and what it counts: "weights" or "macs".
  std::optional<double> budgetPercent;
  std::string budgetBy = "weights";
  /// Per greedy round, the most sensitive layers that fit are re-measured, at most this many.
  int64_t budgetCandidates = 4;
  /// --save-device: every CIM layer must be one that an entry of its own can keep digital
  /// (device::keepDigital), checked before the first run.
  bool saveDevice = false;
};

/// What the compilation hands over: the device, placement's switches, the calibration table.
struct SensitivityCompile {
  std::shared_ptr<const device::DeviceConfig> device;
  bool foldBatchNorm = true;
  Fusions fusions;
  std::shared_ptr<const calibration::Table> table;
  std::string tableName;
  std::string sourceName;
};

struct LayerSensitivity {
  std::string name, kind;
  int64_t weights = 0, macs = 0; ///< MACs per sample
  /// The metric with only this layer on CIM, and with only this layer digital.
  double aloneOnCim = 0, aloneDigital = 0;
  /// Its outputs on CIM against fp32 on the same inputs (the "only on CIM" run).
  double outputKl = 0, outputMse = 0, outputNmse = 0;
  /// Proxies: input range ratio and kurtosis (fp32 network), weight kurtosis, σ1/Σσ.
  double rangeRatio = 0, inputKurtosis = 0, weightKurtosis = 0, energyRatio = 0;
};

struct Correlation {
  std::string proxy;
  double withOnCim = 0, withDigital = 0; ///< Spearman's ρ; NaN when undefined
};

struct BudgetStep {
  std::string layer;
  int64_t cost = 0;
  double metric = 0; ///< after keeping it digital
};

struct SensitivityReport {
  std::string metric, dataset, backend;
  int64_t samples = 0;
  double allCim = 0, allDigital = 0;
  std::vector<LayerSensitivity> layers; ///< in model order
  std::vector<Correlation> correlations;
  /// With a budget: what it counts, its size, what was spent, and the layers kept digital.
  std::optional<double> budgetPercent;
  std::string budgetBy;
  int64_t budgetTotal = 0, budgetAllowed = 0, budgetSpent = 0;
  std::vector<BudgetStep> steps;
  /// The marked layers' names (cim-mark-digital's `layers`).
  std::vector<std::string> marked() const;
};

/// Measures on `imported` (the module as the importer left it; not changed). Emits one error
/// and fails when a configuration cannot be compiled or run.
mlir::FailureOr<SensitivityReport> measureSensitivity(mlir::ModuleOp imported,
                                                      const SensitivityCompile &compile,
                                                      const SensitivityOptions &options);

/// --save-device: `device` with a `layers` entry keeping each layer the budget of `report`
/// marked digital (device::keepDigital; a recurrent one in fp32), written into `stagedTemp`
/// (the staged file of `path`). Emits one error naming `path` and fails when it cannot.
mlir::LogicalResult writeKeptDigitalDevice(mlir::MLIRContext &context,
                                           const device::DeviceConfig &device,
                                           const SensitivityReport &report,
                                           const std::string &stagedTemp, const std::string &path);

/// The backends built in, for --sensitivity-backend's help: "auto, cuda, cpu".
std::string sensitivityBackends();

/// The report as JSON (docs/sensitivity.md), and as the table cim-opt prints.
std::string sensitivityJson(const SensitivityReport &report);
std::string sensitivityTable(const SensitivityReport &report);

} // namespace cimlir

#endif
