//===- CompileDriver.cpp - cim-opt's ONNX compile path --------------------===//

#include "compiler/driver/CompileDriver.h"
#include "compiler/driver/CompileOptions.h"

#include "compiler/driver/CalibrationData.h"
#include "compiler/driver/FrozenInputs.h"
#include "compiler/driver/LayerReport.h"
#include "compiler/driver/Sensitivity.h"
#include "compiler/emitter/PlanEmitter.h"
#include "compiler/importer/OnnxImporter.h"
#include "core/OutputFile.h"
#include "core/Printable.h"
#include "passes/CalibrationTableFile.h"
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
/// an LLM); they stay out unless asked for. The locations are printed (as #loc aliases after
/// the module): they hold the ONNX node names that the CIM passes name layers by and the
/// nodes fused into each, so that the IR fed back to cim-opt keeps them.
void printModule(ModuleOp module, llvm::raw_ostream &os, bool printWeights) {
  OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
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

namespace {

/// The rules between --sensitivity and its options (docs/sensitivity.md).
std::string checkSensitivityOptions(const CompileOptions &o) {
  const std::pair<bool, const char *> needSensitivity[] = {
      {o.sensitivityMetric.has_value(), "--sensitivity-metric"},
      {o.sensitivitySplit.has_value(), "--sensitivity-split"},
      {o.sensitivityBackend.has_value(), "--sensitivity-backend"},
      {o.sensitivityLimit.has_value(), "--sensitivity-limit"},
      {!o.sensitivityReport.empty(), "--sensitivity-report"},
      {o.digitalBudget.has_value(), "--digital-budget"}};
  for (auto [given, option] : needSensitivity)
    if (given && o.sensitivity.empty())
      return std::string(option) + " applies to --sensitivity DATASET; give that too or drop it";
  const std::pair<bool, const char *> needBudget[] = {
      {o.budgetBy.has_value(), "--budget-by"},
      {o.budgetCandidates.has_value(), "--budget-candidates"},
      {!o.saveDevice.empty(), "--save-device"}};
  for (auto [given, option] : needBudget)
    if (given && !o.digitalBudget)
      return std::string(option) + " applies to --digital-budget P; give that too or drop it";
  if (o.sensitivity.empty())
    return "";
  if (o.emit == "import")
    return "--emit=import places no layer: --sensitivity would measure nothing (drop one)";
  const std::string metric = o.sensitivityMetric.value_or("accuracy");
  if (metric != "accuracy" && metric != "kl" && metric != "mse")
    return "--sensitivity-metric " + metric + " is not one of accuracy, kl, mse";
  if (o.sensitivityLimit && *o.sensitivityLimit < 1)
    return "--sensitivity-limit must be at least 1";
  if (o.digitalBudget && !(*o.digitalBudget > 0 && *o.digitalBudget <= 100))
    return "--digital-budget is a percentage: more than 0, at most 100";
  if (o.budgetBy && *o.budgetBy != "weights" && *o.budgetBy != "macs")
    return "--budget-by " + *o.budgetBy + " is not one of weights, macs";
  if (o.budgetCandidates && *o.budgetCandidates < 1)
    return "--budget-candidates must be at least 1";
  return "";
}

} // namespace

std::string checkCompileOptions(const CompileOptions &o) {
  if (o.emit != "plan" && o.emit != "mlir" && o.emit != "import")
    return "--emit=" + o.emit + " is not one of plan, mlir, import";
  if (o.emit == "plan" && o.output.empty() && o.sensitivity.empty())
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
  return checkSensitivityOptions(o);
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
  LogicalResult smooth();
  LogicalResult measureSensitivity(ModuleOp imported);
  ModuleOp module() { return *model_->module; }
  /// The fusions the options leave on (--keep-activations, --keep-elementwise,
  /// --keep-normalization).
  Fusions fusions() const {
    return {!o_.keepActivations, !o_.keepElementwise, !o_.keepNormalization};
  }

  MLIRContext &context_;
  const CompileOptions &o_;
  std::shared_ptr<device::DeviceConfig> device_;
  std::string deviceJson_; ///< for the plan's metadata
  OutputSet staged_;
  std::string outputTemp_, reportTemp_, tableTemp_, sensitivityTemp_, deviceTemp_;
  /// The model, its weights (in the protobuf and external data, not copied) and the module.
  std::optional<ImportedModel> model_;
  std::shared_ptr<const calibration::Table> table_;
  std::string tableName_;
  std::optional<SensitivityReport> sensitivity_;
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
  if (std::string error = checkDistinctFiles({{"-o", o_.output},
                                              {"--report", o_.report},
                                              {"--save-calibration", save},
                                              {"--sensitivity-report", o_.sensitivityReport},
                                              {"--save-device", o_.saveDevice}},
                                             {{"the model", o_.input},
                                              {"--device", deviceFile},
                                              {"--calibration", o_.calibration},
                                              {"--calibration-table", o_.calibrationTable},
                                              {"--freeze-inputs", o_.freezeInputs},
                                              {"--sensitivity", o_.sensitivity}});
      !error.empty())
    return fail(error);
  for (auto [path, temp] : {std::pair<std::string, std::string *>{o_.output, &outputTemp_},
                            {o_.report, &reportTemp_},
                            {save, &tableTemp_},
                            {o_.sensitivityReport, &sensitivityTemp_},
                            {o_.saveDevice, &deviceTemp_}})
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
  // Sensitivity places the imported model once per configuration it measures.
  OwningOpRef<ModuleOp> imported;
  if (!o_.sensitivity.empty())
    imported = module().clone();
  PassManager placement(&context_);
  buildPlacementPipeline(placement, device_, !o_.keepBatchNorm);
  if (failed(placement.run(module())) || failed(calibrate()))
    return failure();
  if (imported) {
    if (failed(measureSensitivity(*imported)))
      return failure();
    // The layers the budget keeps digital: the model placed again, with their marks.
    if (std::vector<std::string> marked = sensitivity_->marked(); !marked.empty()) {
      PassManager marking(&context_);
      buildPlacementPipeline(marking, device_, !o_.keepBatchNorm, marked, table_, tableName_);
      if (failed(marking.run(*imported)))
        return failure();
      model_->module = std::move(imported);
    }
  }
  PassManager decisions(&context_);
  buildDecisionPipeline(decisions, table_, tableName_, fusions());
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
    return fail(
        "no layer has static input scales, a calibrated ADC or smoothed inputs: --save-calibration "
        "would write no table (drop it)");
  if (!need) {
    if (!o_.calibration.empty() || !o_.calibrationTable.empty())
      llvm::errs() << "cim-opt: note: no layer has static input scales, a calibrated ADC or "
                      "smoothed inputs; "
                      "nothing to calibrate\n";
    return success();
  }
  if (!o_.calibrationTable.empty()) {
    auto read = readCalibrationTable(context_, o_.calibrationTable);
    if (failed(read))
      return failure();
    table_ = std::make_shared<const calibration::Table>(std::move(*read));
    tableName_ = o_.calibrationTable;
    return smooth();
  }
  CalibrationDataOptions options;
  options.dataset = o_.calibration;
  options.split = o_.calibrationSplit.value_or("train");
  options.splitGiven = o_.calibrationSplit.has_value();
  options.limit = o_.calibrationLimit.value_or(512);
  options.sourceName = o_.input;
  options.deviceFingerprint = device::fingerprint(*device_);
  options.deviceJson = deviceJson_;
  // With smoothing, the first run measures only the channel maxima it needs.
  const bool smoothing = needsSmoothing(module());
  options.channelMaximaOnly = smoothing;
  auto measured = calibrateModule(module(), options);
  if (failed(measured))
    return failure();
  table_ = std::make_shared<const calibration::Table>(std::move(*measured));
  tableName_ = "measured on " + o_.calibration;
  if (!smoothing)
    return success();
  if (failed(smooth()))
    return failure();
  // Smoothing changed the inputs the static scales and full scales are measured on: measure
  // them again, on the smoothed layers, and keep the channel maxima of the fp32 network.
  if (!findCalibrationNeed(module(), /*scalesOnly=*/true))
    return success();
  options.channelMaximaOnly = false;
  auto scales = calibrateModule(module(), options);
  if (failed(scales))
    return failure();
  for (auto &[name, layer] : scales->layers)
    if (auto it = table_->layers.find(name); it != table_->layers.end())
      layer.inputChannelMax = it->second.inputChannelMax;
  table_ = std::make_shared<const calibration::Table>(std::move(*scales));
  return success();
}

/// cim-smooth-inputs with this compilation's table, where a layer asks for it (a placement
/// after calibration runs it in its pipeline: --sensitivity's runs, the budget's marks).
LogicalResult Compilation::smooth() {
  if (!needsSmoothing(module()))
    return success();
  PassManager pm(&context_);
  pm.addNestedPass<func::FuncOp>(createSmoothInputs(table_, tableName_));
  return pm.run(module());
}

/// --sensitivity (docs/sensitivity.md), between calibration and the decisions: on the
/// imported model, with the device and the calibration table of this compilation.
LogicalResult Compilation::measureSensitivity(ModuleOp imported) {
  SensitivityCompile compile;
  compile.device = device_;
  compile.foldBatchNorm = !o_.keepBatchNorm;
  compile.fusions = fusions();
  compile.table = table_;
  compile.tableName = tableName_;
  compile.sourceName = o_.input;
  compile.deviceJson = deviceJson_;
  compile.deviceFingerprint = device::fingerprint(*device_);
  SensitivityOptions options;
  options.dataset = o_.sensitivity;
  options.split = o_.sensitivitySplit.value_or("train");
  options.splitGiven = o_.sensitivitySplit.has_value();
  options.limit = o_.sensitivityLimit;
  options.metric = o_.sensitivityMetric.value_or("accuracy");
  options.backend = o_.sensitivityBackend.value_or("auto");
  options.budgetPercent = o_.digitalBudget;
  options.budgetBy = o_.budgetBy.value_or("weights");
  options.budgetCandidates = o_.budgetCandidates.value_or(options.budgetCandidates);
  options.saveDevice = !o_.saveDevice.empty();
  auto report = cimlir::measureSensitivity(imported, compile, options);
  if (failed(report))
    return failure();
  sensitivity_ = std::move(*report);
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
  if (!o_.sensitivityReport.empty() &&
      failed(writeTextFile(context_, sensitivityTemp_, o_.sensitivityReport,
                           sensitivityJson(*sensitivity_))))
    return failure();
  if (!o_.saveDevice.empty() &&
      failed(writeKeptDigitalDevice(context_, *device_, *sensitivity_, deviceTemp_, o_.saveDevice)))
    return failure();
  if (o_.emit == "plan" && o_.output.empty())
    return success(); // --sensitivity alone: the measurement is the output
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
  if (sensitivity_) {
    // On standard output, unless the IR goes there.
    const bool irOnStdout = o_.emit != "plan" && o_.output.empty();
    (irOnStdout ? llvm::errs() : llvm::outs()) << sensitivityTable(*sensitivity_);
  }
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
  cl::opt<bool> keepActivations(
      "keep-activations",
      cl::desc("keep each ReLU, and each bias Add after a MatMul, a digital step after its "
               "layer instead of fusing it into the layer's epilogue (the outputs are the same)"),
      cl::init(false), cl::cat(category));
  cl::opt<bool> keepElementwise(
      "keep-elementwise",
      cl::desc("keep each elementwise op a digital step of its own instead of fusing chains "
               "of them (x/255 - mean, GELU's ops, ...) into one step (the outputs are the "
               "same)"),
      cl::init(false), cl::cat(category));
  cl::opt<bool> keepNormalization(
      "keep-normalization",
      cl::desc("keep each LayerNormalization a digital step of its own instead of fusing it "
               "into the input quantization of the CIM layers it feeds (the outputs are the "
               "same)"),
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
  cl::opt<std::string> sensitivity(
      "sensitivity",
      cl::desc("measure how much each CIM layer costs on this dataset (as --calibration takes "
               "it; docs/sensitivity.md): 2 runs per layer plus 2, minutes on the CPU; prints a "
               "table; -o is then optional"),
      cl::value_desc("dataset"), cl::init(""), cl::cat(category));
  cl::opt<std::string> sensitivityMetric(
      "sensitivity-metric",
      cl::desc("the end-to-end metric: accuracy (default; needs labels), kl or mse (against the "
               "all-digital outputs)"),
      cl::init("accuracy"), cl::cat(category));
  cl::opt<int64_t> sensitivityLimit(
      "sensitivity-limit",
      cl::desc("measure on at most this many samples (1000 on the CPU, 10000 on a GPU)"),
      cl::init(1000), cl::cat(category));
  cl::opt<std::string> sensitivitySplit("sensitivity-split",
                                        cl::desc("IDX split to measure on (default train)"),
                                        cl::init("train"), cl::cat(category));
  // cl::desc keeps a pointer to its text: the text must outlive the option.
  static const std::string backendHelp = "backend of the measuring runs: " + sensitivityBackends() +
                                         " (auto, the default: the GPU if there is one)";
  cl::opt<std::string> sensitivityBackend("sensitivity-backend", cl::desc(backendHelp),
                                          cl::init("auto"), cl::cat(category));
  cl::opt<std::string> sensitivityReport(
      "sensitivity-report", cl::desc("also write the measurements as JSON"),
      cl::value_desc("file.json"), cl::init(""), cl::cat(category));
  cl::opt<double> digitalBudget(
      "digital-budget",
      cl::desc("with --sensitivity: keep the most sensitive layers digital, greedily with "
               "re-measurement, within P percent of the CIM layers' weights (or MACs)"),
      cl::value_desc("P"), cl::init(10.0), cl::cat(category));
  cl::opt<std::string> budgetBy("budget-by",
                                cl::desc("what --digital-budget counts: weights (default) or macs"),
                                cl::init("weights"), cl::cat(category));
  cl::opt<int64_t> budgetCandidates(
      "budget-candidates", cl::desc("layers re-measured per greedy round of --digital-budget (4)"),
      cl::init(4), cl::cat(category));
  cl::opt<std::string> saveDevice(
      "save-device",
      cl::desc("write the device file with a layers entry keeping each layer the budget chose "
               "digital"),
      cl::value_desc("file.json"), cl::init(""), cl::cat(category));
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
  o.keepActivations = keepActivations;
  o.keepElementwise = keepElementwise;
  o.keepNormalization = keepNormalization;
  o.calibration = calibration;
  o.calibrationTable = calibrationTable;
  if (calibrationLimit.getNumOccurrences())
    o.calibrationLimit = calibrationLimit;
  if (calibrationSplit.getNumOccurrences())
    o.calibrationSplit = calibrationSplit;
  if (saveCalibration.getNumOccurrences())
    o.saveCalibration = saveCalibration;
  o.sensitivity = sensitivity;
  if (sensitivityMetric.getNumOccurrences())
    o.sensitivityMetric = sensitivityMetric;
  if (sensitivityLimit.getNumOccurrences())
    o.sensitivityLimit = sensitivityLimit;
  if (sensitivitySplit.getNumOccurrences())
    o.sensitivitySplit = sensitivitySplit;
  if (sensitivityBackend.getNumOccurrences())
    o.sensitivityBackend = sensitivityBackend;
  o.sensitivityReport = sensitivityReport;
  if (digitalBudget.getNumOccurrences())
    o.digitalBudget = digitalBudget;
  if (budgetBy.getNumOccurrences())
    o.budgetBy = budgetBy;
  if (budgetCandidates.getNumOccurrences())
    o.budgetCandidates = budgetCandidates;
  o.saveDevice = saveDevice;
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
