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
#include "dialects/cim/CimDialect.h"
#include "passes/CalibrationTableFile.h"
#include "passes/Passes.h"
#include "runtime/device/DeviceConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
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

bool isOnnxModel(llvm::StringRef path) {
  return path.ends_with(".onnx") || path.ends_with(".onnxtext");
}

bool namesPlan(llvm::StringRef output) {
  return output.ends_with(".plan") || output.ends_with(".bin");
}

std::string defaultPipelineOption(const CompileOptions &o, bool deviceToo) {
  const std::pair<bool, const char *> options[] = {
      {deviceToo && !o.device.empty(), "--device"},
      {o.keepBatchNorm, "--keep-batch-norm"},
      {o.keepActivations, "--keep-activations"},
      {o.keepElementwise, "--keep-elementwise"},
      {o.keepNormalization, "--keep-normalization"},
      {!o.calibration.empty(), "--calibration"},
      {!o.calibrationTable.empty(), "--calibration-table"},
      {o.calibrationLimit.has_value(), "--calibration-limit"},
      {o.calibrationSplit.has_value(), "--calibration-split"},
      {o.saveCalibration.has_value(), "--save-calibration"},
      {!o.sensitivity.empty(), "--sensitivity"}};
  for (auto [given, option] : options)
    if (given)
      return option;
  return "";
}

std::string checkCompileOptions(const CompileOptions &o) {
  if (o.emit != "plan" && o.emit != "cim" && o.emit != "import")
    return "--emit=" + o.emit + " is not one of plan, cim, import";
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
  Compilation(MLIRContext &context, const CompileOptions &options, const MlirOptMainConfig &config)
      : context_(context), o_(options), config_(config) {
    applyDefaultTimingManagerCLOptions(timing_);
    rootTiming_ = timing_.getRootScope(); // after the options: a disabled manager times nothing
  }

  LogicalResult loadDevice();
  LogicalResult stageOutputs();
  /// The ONNX model imported, or the .mlir input parsed.
  LogicalResult import();
  /// The pipeline --pass-pipeline names, or the default one: placement, calibration where a
  /// layer needs it, then one pass per decision (none for IR placed already).
  LogicalResult compile();
  LogicalResult writeOutputs();
  LogicalResult commit();

private:
  LogicalResult fail(const std::string &error) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    reported_ = true;
    return failure();
  }

public:
  /// Whether a failure was reported by fail() or a parser message (diagnostics aside).
  bool reported() const { return reported_; }

private:
  LogicalResult parseMlir();
  /// For IR placed already: the device it was placed for (@main's cim.device).
  LogicalResult adoptPlacedDevice();
  /// MLIR's pass-manager options (--mlir-print-ir-*, --mlir-pass-statistics, --verify-each)
  /// and --mlir-timing, on one of this compilation's pass managers.
  LogicalResult configure(PassManager &pm);
  LogicalResult runDefaultPipeline();
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
  const MlirOptMainConfig &config_;
  DefaultTimingManager timing_;
  TimingScope rootTiming_;
  std::shared_ptr<device::DeviceConfig> device_;
  bool placed_ = false; ///< the input IR was placed already (@main has cim.device)
  bool reported_ = false;
  /// The model the plan records as its source: the ONNX file, or for IR the file @main's
  /// location names (the model cim-opt imported it from, or the .mlir file itself).
  std::string source_;
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
  if (std::string error =
          device::tryLoadDevice(o_.device.empty() ? "digital" : o_.device, *device_);
      !error.empty())
    return fail(error);
  return success();
}

LogicalResult Compilation::adoptPlacedDevice() {
  auto main = module().lookupSymbol<func::FuncOp>("main");
  std::optional<device::DeviceConfig> placed;
  if (main)
    if (std::string error = placedDevice(main, placed); !error.empty())
      return fail(o_.input + ": @main's " + error);
  placed_ = placed.has_value();
  if (!placed_)
    return success();
  auto config = std::make_shared<device::DeviceConfig>(std::move(*placed));
  if (!o_.device.empty() && device::toJsonText(*config, -1) != device::toJsonText(*device_, -1))
    return fail(o_.input + " was placed for another device than --device " + o_.device +
                " (@main's " + cim::kDeviceAttr.str() +
                "): drop --device, or compile the imported IR (--emit=import)");
  device_ = std::move(config);
  return success();
}

LogicalResult Compilation::configure(PassManager &pm) {
  pm.enableVerifier(config_.shouldVerifyPasses());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  pm.enableTiming(rootTiming_);
  return success();
}

LogicalResult Compilation::stageOutputs() {
  // A run writes all its outputs or none: no output may be an input or another output,
  // and every output is staged (its folder checked) before the long work, then committed
  // together once everything was written.
  const std::string save = o_.saveCalibration.value_or("");
  std::string deviceFile =
      !o_.device.empty() && llvm::sys::fs::exists(o_.device) ? o_.device : std::string();
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
  TimingScope timing = rootTiming_.nest("import");
  if (!isOnnxModel(o_.input))
    return parseMlir();
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
  source_ = o_.input;
  model_ = std::move(*imported);
  return success();
}

LogicalResult Compilation::parseMlir() {
  for (auto [given, option] :
       {std::pair<bool, const char *>{!o_.freezeInputs.empty(), "--freeze-inputs"},
        {!o_.inputShapes.empty(), "--input-shape"}})
    if (given)
      return fail(std::string(option) + " applies to ONNX input; " + o_.input +
                  " is MLIR (freeze the inputs when importing the model)");
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(o_.input, &error);
  if (!file)
    return fail(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  // Parse errors name the line and column, as mlir-opt's do.
  SourceMgrDiagnosticHandler handler(sourceMgr, &context_);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context_));
  if (!module) {
    reported_ = true; // the handler above printed why
    return failure();
  }
  // IR printed without --print-weights reads back with empty weights ("__elided__").
  WalkResult elided = module->walk([](Operation *op) {
    for (NamedAttribute a : op->getAttrs())
      if (auto res = dyn_cast<DenseResourceElementsAttr>(a.getValue());
          res && !res.getRawHandle().getBlob())
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (elided.wasInterrupted())
    return fail(o_.input + " holds no weights (they print as \"__elided__\" unless --print-weights "
                           "is given): print the IR again with --print-weights to compile it");
  model_.emplace();
  model_->module = std::move(module);
  source_ = o_.input;
  if (auto main = model_->module->lookupSymbol<func::FuncOp>("main"))
    if (auto file = dyn_cast<FileLineColLoc>(main.getLoc()))
      source_ = file.getFilename().str();
  return adoptPlacedDevice();
}

LogicalResult Compilation::compile() {
  // --pass-pipeline (or -p, or a pass's own flag, which all count on the one option of the
  // pass list, the one `canonicalize` names): that pipeline instead of the default one.
  bool ownPipeline = false;
  const auto &registered = llvm::cl::getRegisteredOptions();
  for (const char *name : {"pass-pipeline", "p", "canonicalize"})
    if (llvm::cl::Option *option = registered.lookup(name))
      ownPipeline |= option->getNumOccurrences() > 0;
  PassManager pipeline(&context_, ModuleOp::getOperationName(), OpPassManager::Nesting::Implicit);
  if (ownPipeline && failed(config_.setupPassPipeline(pipeline)))
    return failure();
  if (o_.emit == "import")
    return ownPipeline ? fail("--emit=import writes the IR before any pass: drop it or the passes")
                       : success();
  if (!ownPipeline)
    return runDefaultPipeline();
  if (std::string option = defaultPipelineOption(o_); !option.empty())
    return fail(option + " sets up cim-opt's default pipeline, which --pass-pipeline replaces: "
                         "give the setting in the pipeline (e.g. cim-compile{device=rram-256}) "
                         "or drop --pass-pipeline");
  if (failed(configure(pipeline)) || failed(pipeline.run(module())))
    return failure();
  // The device the pipeline placed the model for (cim-compile{device=...}) prices --report.
  return adoptPlacedDevice();
}

LogicalResult Compilation::runDefaultPipeline() {
  if (placed_) {
    // IR placed already (--emit=cim, a pipeline's output) is taken as compiled.
    if (std::string option = defaultPipelineOption(o_, /*deviceToo=*/false); !option.empty())
      return fail(option + " sets up placement and the passes after it, which " + o_.input +
                  " went through already (@main has cim.device): give the imported IR");
    return success();
  }
  if (config_.shouldDumpPassPipeline()) {
    // What --pass-pipeline would take to run the same: cim-compile with these options.
    CompilePipelineOptions same;
    same.device = o_.device.empty() ? std::string("digital") : o_.device;
    same.calibrationTable = o_.calibrationTable;
    same.keepBatchNorm = o_.keepBatchNorm;
    same.keepActivations = o_.keepActivations;
    same.keepElementwise = o_.keepElementwise;
    same.keepNormalization = o_.keepNormalization;
    OpPassManager pipeline(ModuleOp::getOperationName(), OpPassManager::Nesting::Implicit);
    buildCompilePipeline(pipeline, same);
    llvm::errs() << "cim-opt: the default pipeline, as --pass-pipeline takes it"
                 << (o_.calibration.empty() ? ""
                                            : " (--calibration DATASET measures the table "
                                              "between cim-digital-layers and cim-hybrid-split; "
                                              "a pipeline reads it: calibration-table=FILE)")
                 << ":\n";
    pipeline.printAsTextualPipeline(llvm::errs());
    llvm::errs() << "\n";
  }
  // Sensitivity places the imported model once per configuration it measures.
  OwningOpRef<ModuleOp> imported;
  if (!o_.sensitivity.empty())
    imported = module().clone();
  PassManager placement(&context_);
  buildPlacementPipeline(placement, device_, !o_.keepBatchNorm);
  if (failed(configure(placement)) || failed(placement.run(module())) || failed(calibrate()))
    return failure();
  if (imported) {
    if (failed(measureSensitivity(*imported)))
      return failure();
    // The layers the budget keeps digital: the model placed again, with their marks.
    if (std::vector<std::string> marked = sensitivity_->marked(); !marked.empty()) {
      PassManager marking(&context_);
      buildPlacementPipeline(marking, device_, !o_.keepBatchNorm, marked, table_, tableName_);
      if (failed(configure(marking)) || failed(marking.run(*imported)))
        return failure();
      model_->module = std::move(imported);
    }
  }
  PassManager decisions(&context_);
  buildDecisionPipeline(decisions, table_, tableName_, fusions());
  if (failed(configure(decisions)))
    return failure();
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
  options.sourceName = source_;
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
  if (failed(configure(pm)))
    return failure();
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
  compile.sourceName = source_;
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
  if (!o_.report.empty() &&
      failed(writeLayerReport(module(), device_->cost, reportTemp_, o_.report)))
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
  if (o_.emit == "plan") {
    // Whatever pipeline ran (a plugin's passes among them), the plan holds what the runtime
    // reads: cim-verify-plan-contract says which layer breaks it, before anything is written.
    PassManager verify(&context_);
    verify.addNestedPass<func::FuncOp>(createVerifyPlanContract());
    TimingScope timing = rootTiming_.nest("plan");
    if (failed(verify.run(module())))
      return failure();
    return emitPlan(module(), source_, outputTemp_, o_.output);
  }
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

} // namespace

int compile(const CompileOptions &options, DialectRegistry &registry,
            const MlirOptMainConfig &config) {
  if (std::string error = checkCompileOptions(options); !error.empty()) {
    llvm::errs() << printable("cim-opt: error: " + error) << "\n";
    return 1;
  }
  // The options of MLIR's tools that act on how mlir-opt runs .mlir input (MlirOptMain's own,
  // its action tracing, the remark engine), which compiling does not do: given, they would be
  // ignored. MLIR's context, printing, pass-manager and timing options do apply.
  static const char *const optOnly[] = {"split-input-file",
                                        "verify-diagnostics",
                                        "emit-bytecode",
                                        "emit-bytecode-version",
                                        "elide-resource-data-from-bytecode",
                                        "show-dialects",
                                        "list-passes",
                                        "run-reproducer",
                                        "verify-roundtrip",
                                        "irdl-file",
                                        "no-implicit-module",
                                        "output-split-marker",
                                        "mlir-very-unsafe-disable-verifier-on-parsing",
                                        "mlir-generate-reproducer",
                                        "mlir-enable-debugger-hook",
                                        "log-actions-to",
                                        "log-mlir-actions-filter",
                                        "profile-actions-to",
                                        "mlir-debug-counter",
                                        "mlir-print-debug-counter",
                                        "remark-format",
                                        "remark-policy",
                                        "remarks-filter",
                                        "remarks-filter-analyse",
                                        "remarks-filter-failed",
                                        "remarks-filter-missed",
                                        "remarks-filter-passed",
                                        "remarks-output-file"};
  const auto &registered = llvm::cl::getRegisteredOptions();
  for (const char *name : optOnly)
    if (llvm::cl::Option *option = registered.lookup(name); option && option->getNumOccurrences()) {
      llvm::errs() << "cim-opt: error: --" << name
                   << " runs .mlir input as mlir-opt does; it does not apply when compiling "
                      "(ONNX input, a compile option, or -o naming a plan)\n";
      return 1;
    }
  MLIRContext context(registry);
  context.allowUnregisteredDialects(config.shouldAllowUnregisteredDialects());
  bool diagnosed = false;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Remark)
      return success();
    diagnosed |= diag.getSeverity() == DiagnosticSeverity::Error;
    const char *kind = diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
                       : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                           : "note";
    std::string where = describeLocation(diag.getLocation());
    // A message of several lines (a pass pipeline's parse error shows the text and a caret)
    // stays several lines; each is made printable on its own.
    const std::string message = diag.str();
    llvm::StringRef rest(message);
    std::string first = "cim-opt: " + (where.empty() ? "" : where + ": ") + kind + ": ";
    do {
      auto [line, next] = rest.split('\n');
      llvm::errs() << printable(first + line.str()) << "\n";
      first.clear();
      rest = next;
    } while (!rest.empty());
    return success();
  });
  Compilation c(context, options, config);
  if (succeeded(c.loadDevice()) && succeeded(c.stageOutputs()) && succeeded(c.import()) &&
      succeeded(c.compile()) && succeeded(c.writeOutputs()) && succeeded(c.commit()))
    return 0;
  // A pass may fail without a word (signalPassFailure alone): still one error line.
  if (!diagnosed && !c.reported())
    llvm::errs() << "cim-opt: error: the pass pipeline failed, and no pass said why\n";
  return 1;
}

} // namespace cimlir
