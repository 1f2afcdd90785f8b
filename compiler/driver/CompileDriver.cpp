//===- CompileDriver.cpp - cim-opt's ONNX compile path --------------------===//

#include "compiler/driver/CompileDriver.h"

#include "compiler/driver/CalibrationData.h"
#include "compiler/driver/FrozenInputs.h"
#include "compiler/driver/LayerReport.h"
#include "compiler/emitter/PlanEmitter.h"
#include "compiler/importer/OnnxImporter.h"
#include "core/OutputFile.h"
#include "core/Printable.h"
#include "passes/Passes.h"
#include "runtime/device/DeviceConfig.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace mlir;

namespace cimlir {

namespace {

/// "FILE: node 'conv1' (Conv, domain 'ai.onnx', opset 17)" for an imported node's
/// location, "FILE" for a file location.
std::string describeLocation(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    Location child = name.getChildLoc();
    if (auto inner = dyn_cast<NameLoc>(child))
      return describeLocation(inner.getChildLoc()) + ": node '" + name.getName().str() + "' (" +
             inner.getName().str() + ")";
    std::string where = describeLocation(child);
    return (where.empty() ? "" : where + ": ") + name.getName().str();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      return describeLocation(fused.getLocations().front());
  return "";
}

/// The IR as --emit writes it. A model's weights would drown the IR (gigabytes of hex for
/// an LLM); they stay out unless asked for.
void printModule(ModuleOp module, llvm::raw_ostream &os, bool printWeights) {
  OpPrintingFlags flags;
  if (!printWeights)
    flags.elideLargeResourceString(1024);
  module.print(os, flags);
  os << "\n";
}

} // namespace

int printDeviceMain(const std::string &fileOrPreset) {
  device::DeviceConfig config;
  if (std::string error = device::tryLoadDevice(fileOrPreset, config); !error.empty()) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return 1;
  }
  llvm::outs() << device::toJsonText(config) << "\n";
  return 0;
}

int compileMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  namespace cl = llvm::cl;
  cl::OptionCategory category("cim-opt (ONNX input)");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx | model.onnxtext>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output("o", cl::desc("output file (the plan, or the IR with --emit)"),
                              cl::value_desc("file"), cl::init("-"), cl::cat(category));
  cl::opt<std::string> device("device", cl::desc("device preset or file (default: digital)"),
                              cl::init("digital"), cl::cat(category));
  cl::opt<std::string> emit("emit",
                            cl::desc("what to write: plan (default), mlir (the IR the plan is "
                                     "made from), import (the IR right after import)"),
                            cl::init("plan"), cl::cat(category));
  cl::opt<std::string> freeze("freeze-inputs",
                              cl::desc("turn the graph inputs found in this .npz into constants"),
                              cl::value_desc("file.npz"), cl::init(""), cl::cat(category));
  cl::opt<std::string> report("report",
                              cl::desc("write a CSV table of the layers: placement, shapes, "
                                       "arrays, utilisation, DAC slices and ADC conversions "
                                       "per sample"),
                              cl::value_desc("file.csv"), cl::init(""), cl::cat(category));
  cl::opt<bool> printWeights("print-weights",
                             cl::desc("with --emit: print every weight in full (by default "
                                      "weights over 1 KiB print as \"__elided__\")"),
                             cl::init(false), cl::cat(category));
  cl::opt<std::string> calibration(
      "calibration",
      cl::desc("calibrate the layers with static input scales or a calibrated ADC on this "
               "dataset (as cim-run --dataset takes it: IDX folder, .npz, ONNX test data)"),
      cl::value_desc("dataset"), cl::init(""), cl::cat(category));
  cl::opt<int64_t> calibrationLimit("calibration-limit",
                                    cl::desc("calibrate on at most this many samples (512)"),
                                    cl::init(512), cl::cat(category));
  cl::opt<std::string> calibrationSplit(
      "calibration-split",
      cl::desc("IDX split to calibrate on (default train: calibrating on the test set would "
               "leak it into the plan)"),
      cl::init("train"), cl::cat(category));
  cl::opt<std::string> calibrationTable(
      "calibration-table", cl::desc("use this saved calibration table instead of data"),
      cl::value_desc("table.json"), cl::init(""), cl::cat(category));
  cl::opt<std::string> saveCalibration(
      "save-calibration", cl::desc("write the calibration table measured with --calibration"),
      cl::value_desc("table.json"), cl::init(""), cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "cimlir compiler: ONNX model -> CIM plan\n");

  MLIRContext context;
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Remark)
      return success();
    const char *kind = diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
                       : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                           : "note";
    std::string where = describeLocation(diag.getLocation());
    llvm::errs() << printable("cim-opt: " + (where.empty() ? "" : where + ": ") + kind + ": " +
                              diag.str())
                 << "\n";
    return success();
  });

  if (emit != "plan" && emit != "mlir" && emit != "import") {
    llvm::errs() << "cim-opt: error: --emit=" << emit << " is not one of plan, mlir, import\n";
    return 1;
  }
  if (emit == "plan" && output == "-") {
    llvm::errs() << "cim-opt: error: give the plan file with -o PLAN.bin\n";
    return 1;
  }
  if (!calibration.empty() && !calibrationTable.empty()) {
    llvm::errs() << "cim-opt: error: give one of --calibration DATASET and --calibration-table "
                    "FILE\n";
    return 1;
  }
  if (saveCalibration.getNumOccurrences() && saveCalibration.empty()) {
    llvm::errs() << "cim-opt: error: --save-calibration needs a file name\n";
    return 1;
  }
  if (!saveCalibration.empty() && calibration.empty()) {
    llvm::errs() << "cim-opt: error: --save-calibration keeps the table measured with "
                    "--calibration DATASET; give that too\n";
    return 1;
  }
  if (!saveCalibration.empty() && emit == "import") {
    llvm::errs() << "cim-opt: error: --emit=import does no calibration: --save-calibration "
                    "would write nothing (drop it or --emit)\n";
    return 1;
  }
  if (calibrationLimit.getNumOccurrences() && calibration.empty()) {
    llvm::errs() << "cim-opt: error: --calibration-limit applies to --calibration DATASET"
                 << (calibrationTable.empty() ? "" : " (a --calibration-table is not measured)")
                 << "; give that too or drop it\n";
    return 1;
  }
  if (calibrationSplit.getNumOccurrences() && calibration.empty()) {
    llvm::errs() << "cim-opt: error: --calibration-split applies to --calibration DATASET; "
                    "give that too or drop it\n";
    return 1;
  }
  if (calibrationLimit < 1) {
    llvm::errs() << "cim-opt: error: --calibration-limit must be at least 1\n";
    return 1;
  }
  // The device file is read once, here; the placement pass gets the resolved device.
  auto loadedDevice = std::make_shared<device::DeviceConfig>();
  device::DeviceConfig &deviceConfig = *loadedDevice;
  if (std::string error = device::tryLoadDevice(device, deviceConfig); !error.empty()) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return 1;
  }
  const std::string deviceJson = device::toJsonText(deviceConfig, -1);

  // A run writes all its outputs or none: no output may be an input or another output,
  // and every output is staged (its folder checked) before the long work, then committed
  // together once everything was written.
  const std::string outputPath = output == "-" ? std::string() : std::string(output);
  std::string deviceFile = llvm::sys::fs::exists(device) ? std::string(device) : std::string();
  if (std::string error = checkDistinctFiles(
          {{"-o", outputPath}, {"--report", report}, {"--save-calibration", saveCalibration}},
          {{"the model", input},
           {"--device", deviceFile},
           {"--calibration", calibration},
           {"--calibration-table", calibrationTable},
           {"--freeze-inputs", freeze}});
      !error.empty()) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return 1;
  }
  OutputSet staged;
  std::string outputTemp, reportTemp, tableTemp;
  const std::string reportPath = report, tablePath = saveCalibration;
  for (auto [path, temp] : {std::pair<const std::string *, std::string *>{&outputPath, &outputTemp},
                            {&reportPath, &reportTemp},
                            {&tablePath, &tableTemp}})
    if (!path->empty())
      if (std::string error = staged.tryAdd(*path, *temp); !error.empty()) {
        llvm::errs() << printable("cim-opt: error: " + error) << "\n";
        return 1;
      }

  FrozenInputs frozen;
  if (!freeze.empty() && failed(loadFrozenInputs(context, freeze, frozen)))
    return 1;
  auto imported = importOnnxModel(context, input, frozen);
  if (failed(imported))
    return 1;
  ModuleOp module = *imported->module;

  // Calibration (docs/numerics.md): between placement and the decisions, on the float model.
  // The table goes to cim-apply-calibration in memory; files only where the user names them.
  std::shared_ptr<const calibration::Table> table;
  if (emit != "import") {
    PassManager placement(&context);
    buildPlacementPipeline(placement, loadedDevice);
    if (failed(placement.run(module)))
      return 1;
    std::optional<CalibrationNeed> need = findCalibrationNeed(module);
    if (need && calibration.empty() && calibrationTable.empty()) {
      llvm::errs() << printable("cim-opt: error: layer '" + need->layer + "': " + need->what +
                                " needs calibration; give --calibration DATASET (or "
                                "--calibration-table FILE)")
                   << "\n";
      return 1;
    }
    if (!need && !saveCalibration.empty()) {
      llvm::errs() << "cim-opt: error: no layer has static input scales or a calibrated ADC: "
                      "--save-calibration would write no table (drop it)\n";
      return 1;
    }
    if (!need && (!calibration.empty() || !calibrationTable.empty()))
      llvm::errs() << "cim-opt: note: no layer has static input scales or a calibrated ADC; "
                      "nothing to calibrate\n";
    std::string tableName;
    if (need && !calibrationTable.empty()) {
      auto read = readCalibrationTable(context, calibrationTable);
      if (failed(read))
        return 1;
      table = std::make_shared<const calibration::Table>(std::move(*read));
      tableName = calibrationTable;
    }
    if (need && !calibration.empty()) {
      CalibrationDataOptions options;
      options.dataset = calibration;
      options.split = calibrationSplit;
      options.splitGiven = calibrationSplit.getNumOccurrences() > 0;
      options.limit = calibrationLimit;
      options.sourceName = input;
      options.deviceFingerprint = device::fingerprint(deviceConfig);
      options.deviceJson = deviceJson;
      auto measured = calibrateModule(module, options);
      if (failed(measured))
        return 1;
      table = std::make_shared<const calibration::Table>(std::move(*measured));
      tableName = "measured on " + calibration;
    }
    PassManager decisions(&context);
    buildDecisionPipeline(decisions, table, tableName);
    if (failed(decisions.run(module)))
      return 1;
  }
  if (!report.empty() && failed(writeLayerReport(module, reportTemp, report)))
    return 1;
  if (!saveCalibration.empty()) {
    std::string text;
    if (std::string error = calibration::writeTable(*table, text); !error.empty()) {
      llvm::errs() << printable("cim-opt: error: " + error) << "\n";
      return 1;
    }
    if (failed(writeTextFile(context, tableTemp, text)))
      return 1;
  }

  if (emit == "plan") {
    if (failed(emitPlan(module, input, outputTemp, device::fingerprint(deviceConfig), deviceJson)))
      return 1;
  } else if (!outputPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(outputTemp, ec);
    if (!ec) {
      printModule(module, os, printWeights);
      os.close();
      ec = os.error();
      os.clear_error();
    }
    if (ec) {
      llvm::errs() << printable("cim-opt: error: " + outputPath + ": write error: " + ec.message())
                   << "\n";
      return 1;
    }
  }
  if (std::string error = staged.tryCommitAll(); !error.empty()) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return 1;
  }
  if (emit != "plan" && outputPath.empty()) {
    printModule(module, llvm::outs(), printWeights);
    llvm::outs().flush();
    if (std::error_code ec = llvm::outs().error()) {
      llvm::outs().clear_error();
      llvm::errs() << "cim-opt: error: standard output: write error: " << ec.message() << "\n";
      return 1;
    }
  }
  return 0;
}

} // namespace cimlir
