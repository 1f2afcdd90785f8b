//===- CompileCommandLine.cpp - cim-opt's compile options -----------------===//

#include "compiler/driver/CompileCommandLine.h"
#include "compiler/driver/Sensitivity.h"

#include "llvm/Support/CommandLine.h"

namespace cimlir {

namespace cl = llvm::cl;

namespace {

/// cl::desc keeps a pointer to its text: the text must outlive the option.
const char *backendHelp() {
  static const std::string text = "backend of the measuring runs: " + sensitivityBackends() +
                                  " (auto, the default: the GPU if there is one)";
  return text.c_str();
}

} // namespace

struct CompileCommandLine::Options {
  cl::OptionCategory category{"cim-opt: compiling (ONNX input, or .mlir input given any of "
                              "these or -o FILE.plan|FILE.bin)"};
  cl::opt<std::string> device{"device",
                              cl::desc("device preset or file (default: digital; for IR placed "
                                       "already, the device it was placed for)"),
                              cl::init("digital"), cl::cat(category)};
  cl::opt<std::string> emit{"emit",
                            cl::desc("what to write: plan (default), cim (the IR the plan is "
                                     "made from), import (the IR before any pass)"),
                            cl::init("plan"), cl::cat(category)};
  cl::opt<std::string> freeze{"freeze-inputs",
                              cl::desc("turn the graph inputs found in this .npz into constants"),
                              cl::value_desc("file.npz"), cl::init(""), cl::cat(category)};
  cl::list<std::string> inputShape{
      "input-shape",
      cl::desc("the shape of graph input NAME, for the dimensions the model leaves symbolic: "
               "sizes separated by x, N for a leading batch dimension (repeatable)"),
      cl::value_desc("NAME=D0xD1x..."), cl::cat(category)};
  cl::opt<std::string> report{"report",
                              cl::desc("write a CSV table of the layers: placement, shapes, "
                                       "arrays, utilisation, DAC slices and ADC conversions "
                                       "per sample, and the nodes folded into each layer"),
                              cl::value_desc("file.csv"), cl::init(""), cl::cat(category)};
  cl::opt<bool> printWeights{"print-weights",
                             cl::desc("with --emit: print every weight in full (by default "
                                      "weights over 1 KiB print as \"__elided__\")"),
                             cl::init(false), cl::cat(category)};
  cl::opt<bool> keepActivations{
      "keep-activations",
      cl::desc("keep each ReLU, and each bias Add after a MatMul, a digital step after its "
               "layer instead of fusing it into the layer's epilogue (the outputs are the same)"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> keepElementwise{
      "keep-elementwise",
      cl::desc("keep each elementwise op a digital step of its own instead of fusing chains "
               "of them (x/255 - mean, GELU's ops, ...) into one step (the outputs are the "
               "same)"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> keepNormalization{
      "keep-normalization",
      cl::desc("keep each LayerNormalization a digital step of its own instead of fusing it "
               "into the input quantization of the CIM layers it feeds (the outputs are the "
               "same)"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> keepBatchNorm{
      "keep-batch-norm",
      cl::desc("keep BatchNormalization a digital step after its layer instead of folding it "
               "into the layer's weights and bias before they are quantized"),
      cl::init(false), cl::cat(category)};
  cl::opt<std::string> calibration{
      "calibration",
      cl::desc("calibrate the layers with static input scales or a calibrated ADC on this "
               "dataset (as cim-run --dataset takes it: IDX folder, .npz, ONNX test data)"),
      cl::value_desc("dataset"), cl::init(""), cl::cat(category)};
  cl::opt<int64_t> calibrationLimit{"calibration-limit",
                                    cl::desc("calibrate on at most this many samples (512)"),
                                    cl::init(512), cl::cat(category)};
  cl::opt<std::string> calibrationSplit{
      "calibration-split",
      cl::desc("IDX split to calibrate on (default train: calibrating on the test set would "
               "leak it into the plan)"),
      cl::init("train"), cl::cat(category)};
  cl::opt<std::string> calibrationTable{
      "calibration-table", cl::desc("use this saved calibration table instead of data"),
      cl::value_desc("table.json"), cl::init(""), cl::cat(category)};
  cl::opt<std::string> saveCalibration{
      "save-calibration", cl::desc("write the calibration table measured with --calibration"),
      cl::value_desc("table.json"), cl::init(""), cl::cat(category)};
  cl::opt<std::string> sensitivity{
      "sensitivity",
      cl::desc("measure how much each CIM layer costs on this dataset (as --calibration takes "
               "it; docs/sensitivity.md): 2 runs per layer plus 2, minutes on the CPU; prints a "
               "table; -o is then optional"),
      cl::value_desc("dataset"), cl::init(""), cl::cat(category)};
  cl::opt<std::string> sensitivityMetric{
      "sensitivity-metric",
      cl::desc("the end-to-end metric: accuracy (default; needs labels), kl or mse (against the "
               "all-digital outputs)"),
      cl::init("accuracy"), cl::cat(category)};
  cl::opt<int64_t> sensitivityLimit{
      "sensitivity-limit",
      cl::desc("measure on at most this many samples (1000 on the CPU, 10000 on a GPU)"),
      cl::init(1000), cl::cat(category)};
  cl::opt<std::string> sensitivitySplit{"sensitivity-split",
                                        cl::desc("IDX split to measure on (default train)"),
                                        cl::init("train"), cl::cat(category)};
  cl::opt<std::string> sensitivityBackend{"sensitivity-backend", cl::desc(backendHelp()),
                                          cl::init("auto"), cl::cat(category)};
  cl::opt<std::string> sensitivityReport{
      "sensitivity-report", cl::desc("also write the measurements as JSON"),
      cl::value_desc("file.json"), cl::init(""), cl::cat(category)};
  cl::opt<double> digitalBudget{
      "digital-budget",
      cl::desc("with --sensitivity: keep the most sensitive layers digital, greedily with "
               "re-measurement, within P percent of the CIM layers' weights (or MACs)"),
      cl::value_desc("P"), cl::init(10.0), cl::cat(category)};
  cl::opt<std::string> budgetBy{"budget-by",
                                cl::desc("what --digital-budget counts: weights (default) or macs"),
                                cl::init("weights"), cl::cat(category)};
  cl::opt<int64_t> budgetCandidates{
      "budget-candidates", cl::desc("layers re-measured per greedy round of --digital-budget (4)"),
      cl::init(4), cl::cat(category)};
  cl::opt<std::string> saveDevice{
      "save-device",
      cl::desc("write the device file with a layers entry keeping each layer the budget chose "
               "digital"),
      cl::value_desc("file.json"), cl::init(""), cl::cat(category)};
};

CompileCommandLine::CompileCommandLine() : l_(std::make_unique<Options>()) {}
CompileCommandLine::~CompileCommandLine() = default;

std::string CompileCommandLine::firstGiven() const {
  const cl::Option *first = nullptr;
  for (auto &entry : cl::getRegisteredOptions()) {
    const cl::Option *option = entry.second;
    if (!option->getNumOccurrences() || !llvm::is_contained(option->Categories, &l_->category))
      continue;
    if (!first || option->getPosition() < first->getPosition())
      first = option;
  }
  return first ? "--" + first->ArgStr.str() : std::string();
}

CompileOptions CompileCommandLine::options(const std::string &input,
                                           const std::string &output) const {
  CompileOptions o;
  o.input = input;
  o.output = output == "-" ? std::string() : output;
  if (l_->device.getNumOccurrences())
    o.device = l_->device;
  o.emit = l_->emit;
  o.freezeInputs = l_->freeze;
  o.inputShapes.assign(l_->inputShape.begin(), l_->inputShape.end());
  o.report = l_->report;
  o.printWeights = l_->printWeights;
  o.keepBatchNorm = l_->keepBatchNorm;
  o.keepActivations = l_->keepActivations;
  o.keepElementwise = l_->keepElementwise;
  o.keepNormalization = l_->keepNormalization;
  o.calibration = l_->calibration;
  o.calibrationTable = l_->calibrationTable;
  if (l_->calibrationLimit.getNumOccurrences())
    o.calibrationLimit = l_->calibrationLimit;
  if (l_->calibrationSplit.getNumOccurrences())
    o.calibrationSplit = l_->calibrationSplit;
  if (l_->saveCalibration.getNumOccurrences())
    o.saveCalibration = l_->saveCalibration;
  o.sensitivity = l_->sensitivity;
  if (l_->sensitivityMetric.getNumOccurrences())
    o.sensitivityMetric = l_->sensitivityMetric;
  if (l_->sensitivityLimit.getNumOccurrences())
    o.sensitivityLimit = l_->sensitivityLimit;
  if (l_->sensitivitySplit.getNumOccurrences())
    o.sensitivitySplit = l_->sensitivitySplit;
  if (l_->sensitivityBackend.getNumOccurrences())
    o.sensitivityBackend = l_->sensitivityBackend;
  o.sensitivityReport = l_->sensitivityReport;
  if (l_->digitalBudget.getNumOccurrences())
    o.digitalBudget = l_->digitalBudget;
  if (l_->budgetBy.getNumOccurrences())
    o.budgetBy = l_->budgetBy;
  if (l_->budgetCandidates.getNumOccurrences())
    o.budgetCandidates = l_->budgetCandidates;
  o.saveDevice = l_->saveDevice;
  return o;
}

} // namespace cimlir
