//===- CompileDriver.cpp - cim-opt's ONNX compile path --------------------===//

#include "compiler/driver/CompileDriver.h"
#include "compiler/driver/CompileOptions.h"

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
    // A layer with nodes folded into it (cim-fold-batch-norm): its own node location is the
    // FusedLoc's only one (the folded names are its metadata).
    if (auto fused = dyn_cast<FusedLoc>(child); fused && !fused.getLocations().empty())
      child = fused.getLocations().front();
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

std::string checkCompileOptions(const CompileOptions &o) {
  if (o.emit != "plan" && o.emit != "mlir" && o.emit != "import")
    return "--emit=" + o.emit + " is not one of plan, mlir, import";
  if (o.emit == "plan" && o.output.empty())
    return "give the plan file with -o PLAN.bin";
  if (!o.calibration.empty() && !o.calibrationTable.empty())
    return "give one of --calibration DATASET and --calibration-table FILE";
  if (o.saveCalibration && o.saveCalibration->empty())
    return "--save-calibration needs a file name";
  if (o.saveCalibration && o.calibration.empty())
    return "--save-calibration keeps the table measured with --calibration DATASET; give that "
           "too";
  if (o.saveCalibration && o.emit == "import")
    return "--emit=import does no calibration: --save-calibration would write nothing (drop it "
           "or --emit)";
  if (o.calibrationLimit && o.calibration.empty())
    return std::string("--calibration-limit applies to --calibration DATASET") +
           (o.calibrationTable.empty() ? "" : " (a --calibration-table is not measured)") +
           "; give that too or drop it";
  if (o.calibrationSplit && o.calibration.empty())
    return "--calibration-split applies to --calibration DATASET; give that too or drop it";
  if (o.calibrationLimit && *o.calibrationLimit < 1)
    return "--calibration-limit must be at least 1";
  return "";
}

namespace {

/// One compilation: the options, the device loaded once, the staged outputs and the module,
/// through the stages in order. Each stage prints its error and fails; nothing is written
/// until every output is ready (commit).
class Compilation {
public:
  Compilation(MLIRContext &context, const CompileOptions &options)
      : context_(context), o_(options) {}

  LogicalResult loadDevice();
  LogicalResult stageOutputs();
  LogicalResult import();
  /// Placement, calibration where a layer needs it, then one pass per decision.
  LogicalResult compile();
  LogicalResult writeOutputs();
  LogicalResult commit();

private:
  LogicalResult fail(const std::string &error) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return failure();
  }
  LogicalResult calibrate();
  ModuleOp module() { return *model_->module; }

  MLIRContext &context_;
  const CompileOptions &o_;
  std::shared_ptr<device::DeviceConfig> device_;
  std::string deviceJson_; ///< for the plan's metadata
  OutputSet staged_;
  std::string outputTemp_, reportTemp_, tableTemp_;
  /// The model, its weights (in the protobuf and external data, not copied) and the module.
  std::optional<ImportedModel> model_;
  std::shared_ptr<const calibration::Table> table_;
  std::string tableName_;
};

LogicalResult Compilation::loadDevice() {
  // The device file is read once, here; the placement pass gets it in memory.
  device_ = std::make_shared<device::DeviceConfig>();
  if (std::string error = device::tryLoadDevice(o_.device, *device_); !error.empty())
    return fail(error);
  deviceJson_ = device::toJsonText(*device_, -1);
  return success();
}

LogicalResult Compilation::stageOutputs() {
  // A run writes all its outputs or none: no output may be an input or another output,
  // and every output is staged (its folder checked) before the long work, then committed
  // together once everything was written.
  const std::string save = o_.saveCalibration.value_or("");
  std::string deviceFile = llvm::sys::fs::exists(o_.device) ? o_.device : std::string();
  if (std::string error = checkDistinctFiles(
          {{"-o", o_.output}, {"--report", o_.report}, {"--save-calibration", save}},
          {{"the model", o_.input},
           {"--device", deviceFile},
           {"--calibration", o_.calibration},
           {"--calibration-table", o_.calibrationTable},
           {"--freeze-inputs", o_.freezeInputs}});
      !error.empty())
    return fail(error);
  for (auto [path, temp] : {std::pair<std::string, std::string *>{o_.output, &outputTemp_},
                            {o_.report, &reportTemp_},
                            {save, &tableTemp_}})
    if (!path.empty())
      if (std::string error = staged_.tryAdd(path, *temp); !error.empty())
        return fail(error);
  return success();
}

LogicalResult Compilation::import() {
  InputShapes shapes;
  for (const std::string &text : o_.inputShapes)
    if (std::string error = parseInputShape(text, shapes); !error.empty())
      return fail(error);
  FrozenInputs frozen;
  if (!o_.freezeInputs.empty() && failed(loadFrozenInputs(context_, o_.freezeInputs, frozen)))
    return failure();
  auto imported = importOnnxModel(context_, o_.input, frozen, shapes);
  if (failed(imported))
    return failure();
  model_ = std::move(*imported);
  return success();
}

LogicalResult Compilation::compile() {
  if (o_.emit == "import")
    return success();
  PassManager placement(&context_);
  buildPlacementPipeline(placement, device_, !o_.keepBatchNorm);
  if (failed(placement.run(module())) || failed(calibrate()))
    return failure();
  PassManager decisions(&context_);
  buildDecisionPipeline(decisions, table_, tableName_);
  return decisions.run(module());
}

/// Calibration (docs/numerics.md): between placement and the decisions, on the float model.
/// The table goes to cim-apply-calibration in memory; files only where the user names them.
LogicalResult Compilation::calibrate() {
  std::optional<CalibrationNeed> need = findCalibrationNeed(module());
  if (need && o_.calibration.empty() && o_.calibrationTable.empty())
    return fail("layer '" + need->layer + "': " + need->what +
                " needs calibration; give --calibration DATASET (or --calibration-table FILE)");
  if (!need && o_.saveCalibration)
    return fail("no layer has static input scales or a calibrated ADC: --save-calibration "
                "would write no table (drop it)");
  if (!need) {
    if (!o_.calibration.empty() || !o_.calibrationTable.empty())
      llvm::errs() << "cim-opt: note: no layer has static input scales or a calibrated ADC; "
                      "nothing to calibrate\n";
    return success();
  }
  if (!o_.calibrationTable.empty()) {
    auto read = readCalibrationTable(context_, o_.calibrationTable);
    if (failed(read))
      return failure();
    table_ = std::make_shared<const calibration::Table>(std::move(*read));
    tableName_ = o_.calibrationTable;
    return success();
  }
  CalibrationDataOptions options;
  options.dataset = o_.calibration;
  options.split = o_.calibrationSplit.value_or("train");
  options.splitGiven = o_.calibrationSplit.has_value();
  options.limit = o_.calibrationLimit.value_or(512);
  options.sourceName = o_.input;
  options.deviceFingerprint = device::fingerprint(*device_);
  options.deviceJson = deviceJson_;
  auto measured = calibrateModule(module(), options);
  if (failed(measured))
    return failure();
  table_ = std::make_shared<const calibration::Table>(std::move(*measured));
  tableName_ = "measured on " + o_.calibration;
  return success();
}

LogicalResult Compilation::writeOutputs() {
  if (!o_.report.empty() && failed(writeLayerReport(module(), reportTemp_, o_.report)))
    return failure();
  if (o_.saveCalibration) {
    std::string text;
    if (std::string error = calibration::writeTable(*table_, text); !error.empty())
      return fail(error);
    if (failed(writeTextFile(context_, tableTemp_, *o_.saveCalibration, text)))
      return failure();
  }
  if (o_.emit == "plan")
    return emitPlan(module(), o_.input, outputTemp_, o_.output, device::fingerprint(*device_),
                    deviceJson_);
  if (o_.output.empty())
    return success(); // printed to standard output once committed
  std::error_code ec;
  llvm::raw_fd_ostream os(outputTemp_, ec);
  if (!ec) {
    printModule(module(), os, o_.printWeights);
    os.close();
    ec = os.error();
    os.clear_error();
  }
  if (ec)
    return fail(o_.output + ": write error: " + ec.message());
  return success();
}

LogicalResult Compilation::commit() {
  if (std::string error = staged_.tryCommitAll(); !error.empty())
    return fail(error);
  if (o_.emit != "plan" && o_.output.empty()) {
    printModule(module(), llvm::outs(), o_.printWeights);
    llvm::outs().flush();
    if (std::error_code ec = llvm::outs().error()) {
      llvm::outs().clear_error();
      return fail("standard output: write error: " + ec.message());
    }
  }
  return success();
}

/// The command line as CompileOptions (llvm::cl, as MLIR tools parse theirs).
CompileOptions parseCommandLine(int argc, char **argv) {
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
  cl::list<std::string> inputShape(
      "input-shape",
      cl::desc("the shape of graph input NAME, for the dimensions the model leaves symbolic: "
               "sizes separated by x, N for a leading batch dimension (repeatable)"),
      cl::value_desc("NAME=D0xD1x..."), cl::cat(category));
  cl::opt<std::string> report("report",
                              cl::desc("write a CSV table of the layers: placement, shapes, "
                                       "arrays, utilisation, DAC slices and ADC conversions "
                                       "per sample, and the nodes folded into each layer"),
                              cl::value_desc("file.csv"), cl::init(""), cl::cat(category));
  cl::opt<bool> printWeights("print-weights",
                             cl::desc("with --emit: print every weight in full (by default "
                                      "weights over 1 KiB print as \"__elided__\")"),
                             cl::init(false), cl::cat(category));
  cl::opt<bool> keepBatchNorm(
      "keep-batch-norm",
      cl::desc("keep BatchNormalization a digital step after its layer instead of folding it "
               "into the layer's weights and bias before they are quantized"),
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

  CompileOptions o;
  o.input = input;
  o.output = output == "-" ? std::string() : std::string(output);
  o.device = device;
  o.emit = emit;
  o.freezeInputs = freeze;
  o.inputShapes.assign(inputShape.begin(), inputShape.end());
  o.report = report;
  o.printWeights = printWeights;
  o.keepBatchNorm = keepBatchNorm;
  o.calibration = calibration;
  o.calibrationTable = calibrationTable;
  if (calibrationLimit.getNumOccurrences())
    o.calibrationLimit = calibrationLimit;
  if (calibrationSplit.getNumOccurrences())
    o.calibrationSplit = calibrationSplit;
  if (saveCalibration.getNumOccurrences())
    o.saveCalibration = saveCalibration;
  return o;
}

} // namespace

int compile(const CompileOptions &options) {
  if (std::string error = checkCompileOptions(options); !error.empty()) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return 1;
  }
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
  Compilation c(context, options);
  if (failed(c.loadDevice()) || failed(c.stageOutputs()) || failed(c.import()) ||
      failed(c.compile()) || failed(c.writeOutputs()) || failed(c.commit()))
    return 1;
  return 0;
}

int compileMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return compile(parseCommandLine(argc, argv));
}

} // namespace cimlir
