//===- Sensitivity.cpp - cim-opt --sensitivity and --digital-budget -------===//

#include "compiler/driver/Sensitivity.h"

#include "compiler/driver/CalibrationData.h"
#include "compiler/emitter/PlanEmitter.h"
#include "core/Error.h"
#include "dialects/cim/CimOps.h"
#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/SingularValues.h"
#include "passes/LinearLayers.h"
#include "passes/Passes.h"
#include "runtime/backends/Registry.h"
#include "runtime/data/Dataset.h"
#include "runtime/exec/Executor.h"
#include "runtime/plan/PlanReader.h"
#include "runtime/tooling/SensitivityStats.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <set>

using namespace mlir;

namespace cimlir {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Elements of a value per sample: its dimensions after the first (an open one counts 1).
int64_t perSampleElements(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t)
    return 1;
  int64_t n = 1;
  for (int64_t i = 1; i < t.getRank(); ++i)
    n *= t.isDynamicDim(i) ? 1 : t.getDimSize(i);
  return n;
}

/// The graph function: @main, else the module's first function.
func::FuncOp mainOf(ModuleOp module) {
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    return main;
  for (auto f : module.getOps<func::FuncOp>())
    return f;
  return {};
}

/// Adds `values` to the graph outputs, named `names`, each through an onnx.Identity (so that a
/// graph input, or a value returned already, is an output of its own).
void addGraphOutputs(func::FuncOp f, ArrayRef<Value> values, ArrayRef<std::string> names) {
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  OpBuilder b(ret);
  SmallVector<Value> operands(ret.getOperands());
  SmallVector<Type> types(f.getResultTypes());
  SmallVector<Attribute> attrs;
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    attrs.push_back(f.getResultAttrDict(i) ? Attribute(f.getResultAttrDict(i))
                                           : Attribute(b.getDictionaryAttr({})));
  for (auto [value, name] : llvm::zip(values, names)) {
    Value copy = onnx::IdentityOp::create(b, ret.getLoc(), value.getType(), value);
    operands.push_back(copy);
    types.push_back(copy.getType());
    attrs.push_back(b.getDictionaryAttr({b.getNamedAttr("onnx.name", b.getStringAttr(name))}));
  }
  ret->setOperands(operands);
  f.setType(FunctionType::get(f.getContext(), f.getArgumentTypes(), types));
  f.setAllResultAttrs(attrs);
}

/// The row-major weight blocks whose singular values are the layer's (block-diagonal over
/// groups and directions), as (rows, cols) each, consecutive in W.
std::pair<int64_t, int64_t> weightBlock(cim::LinearOp op, ArrayRef<int64_t> w, int64_t &blocks) {
  const int64_t numel = std::max<int64_t>(
      1, std::accumulate(w.begin(), w.end(), int64_t(1), std::multiplies<int64_t>()));
  const int64_t g = static_cast<int64_t>(op.getGroup().value_or(1));
  StringRef kind = op.getKind();
  blocks = 1;
  if ((kind == "conv" || kind == "conv_transpose") && w.size() >= 2 && g >= 1 && w[0] % g == 0) {
    blocks = g; // conv: [M, C/g, k...] in g blocks of M/g rows; conv_transpose: [C, M/g, k...]
    return {w[0] / g, numel / w[0]};
  }
  if (w.size() == 3) { // a recurrent product's R: [D, G·H, H]
    blocks = w[0];
    return {w[1], w[2]};
  }
  const int64_t rows = w.empty() ? 1 : w[0];
  return {rows, numel / rows};
}

/// Multiply-accumulates per sample of one layer.
int64_t macsPerSample(cim::LinearOp op, int64_t weightElements) {
  auto w = cast<RankedTensorType>(op.getWeight().getType()).getShape();
  StringRef kind = op.getKind();
  if (kind == "conv")
    return perSampleElements(op.getY().getType()) * (weightElements / std::max<int64_t>(1, w[0]));
  if (kind == "conv_transpose")
    return perSampleElements(op.getX().getType()) * (weightElements / std::max<int64_t>(1, w[0]));
  if (kind == "gemm" || kind == "matmul") {
    auto y = cast<RankedTensorType>(op.getY().getType());
    const int64_t n = y.getRank() ? y.getShape().back() : 1;
    return perSampleElements(y) * (weightElements / std::max<int64_t>(1, n));
  }
  // A recurrent product: every step multiplies by the whole R (the sequence length when known).
  auto x = cast<RankedTensorType>(op.getX().getType());
  const int64_t steps = x.getRank() && !x.isDynamicDim(0) ? x.getDimSize(0) : 1;
  return steps * weightElements;
}

/// One layer the device puts on crossbars (an ONNX node: a recurrent node's two products are
/// one layer).
struct Unit {
  std::string name, kind;
  int64_t weights = 0, macs = 0;
  ValueStats weightStats{1}; // moments only
  double sigmaTop = 0, sigmaSum = 0;
  bool floatWeights = true;
  // From the all-digital run: its inputs (proxies) and its outputs' range.
  ValueStats inputs{size_t(1) << 16}, outputs{1};
  std::optional<OutputDivergence> divergence;
  double aloneOnCim = kNaN, aloneDigital = kNaN;
};

class Measurement {
public:
  Measurement(ModuleOp imported, const SensitivityCompile &c, const SensitivityOptions &o)
      : imported_(imported), c_(c), o_(o),
        loc_(FileLineColLoc::get(imported.getContext(), o.dataset, 0, 0)) {}

  FailureOr<SensitivityReport> run();

private:
  using Tapper = std::function<LogicalResult(func::FuncOp)>;
  using BatchSink = std::function<void(int64_t begin, int64_t count, const TensorMap &)>;

  FailureOr<OwningOpRef<ModuleOp>> place(const std::vector<std::string> &digital);
  LogicalResult findUnits();
  /// Places with `digital` kept digital, taps, decides, writes the plan in memory and runs it
  /// over the samples: the metric's value. `reference`: this is the all-digital run, whose
  /// first output the kl and mse metrics compare with.
  FailureOr<double> runConfiguration(const std::string &what,
                                     const std::vector<std::string> &digital, const Tapper &tap,
                                     const BatchSink &sink, bool reference = false);
  std::vector<std::string> allBut(const std::string &name) const;
  /// The ONNX node a placed op computes: its layer name, but for a recurrent node's two
  /// products ("<node>.W", "<node>.R", passes/RecurrentLayers.h) the node's.
  std::string nodeOf(Operation *op) const;
  double loss(double value) const { return metricLoss(o_.metric, value); }
  /// A loss to rank by: a NaN (a run whose outputs are not finite) ranks worst.
  double rankLoss(double value) const {
    const double l = loss(value);
    return std::isnan(l) ? std::numeric_limits<double>::infinity() : l;
  }
  LogicalResult budget(SensitivityReport &report);
  void progress(const std::string &line) const {
    llvm::errs() << "cim-opt: sensitivity: " << line << "\n";
  }
  std::string format(double v) const {
    char text[32];
    std::snprintf(text, sizeof text, o_.metric == "accuracy" ? "%.4f" : "%.4g", v);
    return text;
  }

  ModuleOp imported_;
  const SensitivityCompile &c_;
  const SensitivityOptions &o_;
  Location loc_;
  std::vector<Unit> units_;
  std::set<std::string> recurrentNodes_;
  std::string backend_;
  int64_t samples_ = 0, limit_ = 0, runs_ = 0;
  std::optional<std::vector<int64_t>> labels_;
  std::vector<float> reference_;
  int64_t rowLength_ = 0;
  std::string datasetName_;
};

FailureOr<OwningOpRef<ModuleOp>> Measurement::place(const std::vector<std::string> &digital) {
  OwningOpRef<ModuleOp> module(imported_.clone());
  PassManager pm(imported_.getContext());
  buildPlacementPipeline(pm, c_.device, c_.foldBatchNorm, digital, c_.table, c_.tableName);
  if (failed(pm.run(*module)))
    return failure();
  return module;
}

std::vector<std::string> Measurement::allBut(const std::string &name) const {
  std::vector<std::string> out;
  for (const Unit &u : units_)
    if (u.name != name)
      out.push_back(u.name);
  return out;
}

std::string Measurement::nodeOf(Operation *op) const {
  std::string name = layerName(op);
  if (isa<cim::LinearOp>(op))
    for (const char *suffix : {".W", ".R"})
      if (name.size() > 2 && name.compare(name.size() - 2, 2, suffix) == 0 &&
          recurrentNodes_.count(name.substr(0, name.size() - 2)))
        return name.substr(0, name.size() - 2);
  return name;
}

LogicalResult Measurement::findUnits() {
  imported_.walk([&](Operation *op) {
    if (isa<onnx::RNNOp, onnx::GRUOp, onnx::LSTMOp>(op))
      recurrentNodes_.insert(layerName(op));
  });
  auto placed = place({});
  if (failed(placed))
    return failure();
  std::map<std::string, size_t> byName;
  bool failedWeights = false;
  (*placed)->walk([&](cim::LinearOp op) {
    const std::string name = nodeOf(op);
    auto [it, fresh] = byName.try_emplace(name, units_.size());
    if (fresh) {
      units_.emplace_back();
      units_.back().name = name;
      units_.back().kind = op.getKind().str();
    }
    Unit &u = units_[it->second];
    if (recurrentNodes_.count(name) && op.getKind() != "matmul")
      u.kind = op.getKind().str(); // rnn, gru or lstm: the cell's kind, not its input product's
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    const int64_t numel = wType.getNumElements();
    u.weights += numel;
    u.macs += macsPerSample(op, numel);
    ElementsAttr value;
    if (!wType.getElementType().isF32() || !matchPattern(op.getWeight(), m_Constant(&value))) {
      u.floatWeights = false;
      return;
    }
    auto w = constantFloats(op, value);
    if (failed(w)) {
      failedWeights = true;
      return;
    }
    u.weightStats.add(w->data(), w->size());
    int64_t blocks = 1;
    auto [rows, cols] = weightBlock(op, wType.getShape(), blocks);
    try {
      for (int64_t b = 0; b < blocks && rows * cols * (b + 1) <= numel; ++b)
        for (float s : kernels::singularValues(w->data() + b * rows * cols, rows, cols)) {
          u.sigmaTop = std::max<double>(u.sigmaTop, s);
          u.sigmaSum += s;
        }
    } catch (const Error &) {
      u.floatWeights = false; // a weight that is not finite: no energy ratio
    }
  });
  if (failedWeights)
    return failure();
  if (units_.empty())
    return emitError(loc_) << "sensitivity: the device puts no layer of the model on CIM: "
                              "there is nothing to measure";
  return success();
}

FailureOr<double> Measurement::runConfiguration(const std::string &what,
                                                const std::vector<std::string> &digital,
                                                const Tapper &tap, const BatchSink &sink,
                                                bool reference) {
  const auto start = std::chrono::steady_clock::now();
  auto placed = place(digital);
  if (failed(placed))
    return failure();
  func::FuncOp main = mainOf(**placed);
  if (!main)
    return emitError(loc_) << "sensitivity: the model has no graph function";
  if (tap && failed(tap(main)))
    return failure();
  PassManager decisions(imported_.getContext());
  buildDecisionPipeline(decisions, c_.table, c_.tableName, c_.fusions);
  if (failed(decisions.run(**placed)))
    return failure();
  std::vector<unsigned char> bytes;
  if (failed(emitPlanToMemory(**placed, c_.sourceName, bytes)))
    return failure();
  try {
    auto program = Program::fromPlan(plan::PlanFile::fromMemory(bytes, "the sensitivity plan"));
    std::vector<unsigned char>().swap(bytes);
    auto dataset = openDataset(o_.dataset, o_.split, program->inputs(), program->outputs());
    if (o_.splitGiven && dataset->describe().rfind("idx:", 0) != 0)
      throw Error("--sensitivity-split " + o_.split + ": the dataset " + o_.dataset +
                  " has no splits (only an IDX dataset does); drop it");
    if (samples_ == 0) {
      samples_ = std::min(dataset->size(), limit_);
      if (samples_ == 0)
        throw Error("the dataset " + dataset->describe() + " holds no samples");
      labels_ = dataset->labels();
      datasetName_ = dataset->describe();
      if (o_.metric == "accuracy" && !labels_)
        throw Error("the dataset " + dataset->describe() +
                    " has no labels: the accuracy metric needs them (--sensitivity-metric kl or "
                    "mse compares with the all-digital outputs instead)");
    }
    const TensorSpec &first = program->outputs().front();
    if (first.dtype != DType::F32)
      throw Error("the model's first output '" + first.name + "' is " + dtypeName(first.dtype) +
                  ", not float32: the metrics read float scores");
    Executor executor(program, createBackend(backend_, BackendOptions{}));
    std::optional<RunScore> score;
    const int64_t batch = program->hasBatchAxis() ? o_.batch : 1;
    for (int64_t begin = 0; begin < samples_; begin += batch) {
      const int64_t count = std::min(batch, samples_ - begin);
      TensorMap outputs = executor.run(dataset->inputs(begin, count), RunContext{begin, 0});
      const Tensor &y = outputs.at(first.name);
      const int64_t perSample = y.numel() / count;
      if (!score) {
        rowLength_ = y.rank() ? y.dim(y.rank() - 1) : 1;
        score.emplace(o_.metric, labels_ ? &*labels_ : nullptr,
                      o_.metric == "accuracy" ? nullptr : &reference_, rowLength_);
      }
      if (reference) {
        if ((reference_.size() + static_cast<size_t>(y.numel())) * sizeof(float) >
            (size_t(4) << 30))
          throw Error("the all-digital outputs of " + std::to_string(samples_) +
                      " samples need more than 4 GiB; give a smaller --sensitivity-limit");
        reference_.insert(reference_.end(), y.data<float>(), y.data<float>() + y.numel());
      }
      score->add(begin, count, y.data<float>(), perSample);
      if (sink)
        sink(begin, count, outputs);
    }
    const double value = score->value();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char time[32];
    std::snprintf(time, sizeof time, "%.1f s", seconds);
    progress("[" + std::to_string(++runs_) + "] " + what + ": " + o_.metric + " " + format(value) +
             " (" + time + ")");
    return value;
  } catch (const Error &e) {
    return emitError(loc_) << "sensitivity (" << what << "): " << e.what();
  } catch (const std::bad_alloc &) {
    return emitError(loc_) << "sensitivity (" << what
                           << ") ran out of host memory (try a smaller --sensitivity-limit)";
  } catch (const std::exception &e) {
    return emitError(loc_) << "sensitivity (" << what << "): " << e.what();
  }
}

FailureOr<SensitivityReport> Measurement::run() {
  try {
    backend_ = findBackend(o_.backend).name;
  } catch (const Error &e) {
    // The registry speaks of cim-run's --backend: here the option is --sensitivity-backend.
    std::string what = e.what();
    if (what.rfind("--backend", 0) == 0)
      what = "--sensitivity-backend" + what.substr(9);
    return emitError(loc_) << what;
  }
  limit_ = o_.limit.value_or(backend_ == "cpu" ? 1000 : 10000);
  if (failed(findUnits()))
    return failure();
  if (o_.saveDevice) {
    // Whichever layers the budget keeps, --save-device must be able to write them: found
    // now, not after the measurement.
    std::vector<std::string> names, recurrent;
    for (const Unit &u : units_) {
      names.push_back(u.name);
      if (recurrentNodes_.count(u.name))
        recurrent.push_back(u.name);
    }
    try {
      device::keepDigital(*c_.device, names, recurrent);
    } catch (const Error &e) {
      return emitError(loc_) << "--save-device: " << e.what();
    }
  }
  progress(std::to_string(units_.size()) + " CIM layers, " + std::to_string(2 * units_.size() + 2) +
           " runs on the " + backend_ + " backend");

  // The all-digital run: the reference outputs, and each layer's inputs and outputs (the
  // layers are the marked ops, in model order).
  std::vector<std::string> all;
  for (const Unit &u : units_)
    all.push_back(u.name);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < units_.size(); ++i)
    index[units_[i].name] = i;
  auto tapAll = [&](func::FuncOp f) {
    SmallVector<Value> values;
    std::vector<std::string> names;
    std::set<std::string> seen;
    f.walk([&](Operation *op) {
      if (!op->hasAttr(kMarkedDigitalAttr) || op->getNumOperands() == 0 ||
          !seen.insert(nodeOf(op)).second)
        return;
      const size_t u = index.at(nodeOf(op));
      values.push_back(op->getOperand(0));
      names.push_back("cimlir.sensitivity.in." + std::to_string(u));
      // A recurrent node's Y is not what its first product computes (docs/sensitivity.md).
      if (!recurrentNodes_.count(nodeOf(op))) {
        values.push_back(op->getResult(0));
        names.push_back("cimlir.sensitivity.out." + std::to_string(u));
      }
    });
    addGraphOutputs(f, values, names);
    return success();
  };
  auto observeAll = [&](int64_t, int64_t, const TensorMap &outputs) {
    for (size_t u = 0; u < units_.size(); ++u) {
      auto in = outputs.find("cimlir.sensitivity.in." + std::to_string(u));
      auto out = outputs.find("cimlir.sensitivity.out." + std::to_string(u));
      if (in != outputs.end() && in->second.dtype() == DType::F32)
        units_[u].inputs.add(in->second.data<float>(), static_cast<size_t>(in->second.numel()));
      if (out != outputs.end() && out->second.dtype() == DType::F32)
        units_[u].outputs.add(out->second.data<float>(), static_cast<size_t>(out->second.numel()));
    }
  };
  SensitivityReport report;
  report.metric = o_.metric;
  report.backend = backend_;
  auto allDigital = runConfiguration("all digital", all, tapAll, observeAll, /*reference=*/true);
  if (failed(allDigital))
    return failure();
  report.allDigital = *allDigital;
  auto allCim = runConfiguration("all on CIM", {}, nullptr, nullptr);
  if (failed(allCim))
    return failure();
  report.allCim = *allCim;

  for (size_t u = 0; u < units_.size(); ++u) {
    Unit &unit = units_[u];
    // Only this layer on CIM: its CIM outputs and an fp32 twin's on the same inputs (not for
    // a recurrent node: its products' outputs have no counterpart in the fp32 network).
    auto tapOne = [&](func::FuncOp f) {
      if (recurrentNodes_.count(unit.name))
        return success();
      cim::LinearOp first;
      f.walk([&](cim::LinearOp op) {
        if (!first && nodeOf(op) == unit.name)
          first = op;
      });
      if (!first)
        return LogicalResult(emitError(loc_) << "sensitivity: layer '" << unit.name
                                             << "' is not on CIM in its own run");
      cim::DigitalLinearOp twin = createFp32Twin(first);
      addGraphOutputs(f, {first.getY(), twin.getY()},
                      {"cimlir.sensitivity.cim", "cimlir.sensitivity.fp32"});
      return success();
    };
    if (unit.outputs.count() > 0)
      unit.divergence.emplace(unit.outputs.min(), unit.outputs.max());
    auto compare = [&](int64_t, int64_t, const TensorMap &outputs) {
      auto cimIt = outputs.find("cimlir.sensitivity.cim");
      auto fp32It = outputs.find("cimlir.sensitivity.fp32");
      if (cimIt == outputs.end() || fp32It == outputs.end())
        return;
      const Tensor &cim = cimIt->second, &fp32 = fp32It->second;
      if (unit.divergence && cim.dtype() == DType::F32 && fp32.numel() == cim.numel())
        unit.divergence->add(fp32.data<float>(), cim.data<float>(),
                             static_cast<size_t>(cim.numel()));
    };
    auto onCim =
        runConfiguration("only " + unit.name + " on CIM", allBut(unit.name), tapOne, compare);
    if (failed(onCim))
      return failure();
    unit.aloneOnCim = *onCim;
    auto digital =
        runConfiguration("only " + unit.name + " digital", {unit.name}, nullptr, nullptr);
    if (failed(digital))
      return failure();
    unit.aloneDigital = *digital;
  }

  report.dataset = datasetName_;
  report.samples = samples_;
  for (const Unit &u : units_) {
    LayerSensitivity l;
    l.name = u.name;
    l.kind = u.kind;
    l.weights = u.weights;
    l.macs = u.macs;
    l.aloneOnCim = u.aloneOnCim;
    l.aloneDigital = u.aloneDigital;
    l.outputKl = u.divergence ? u.divergence->kl() : kNaN;
    l.outputMse = u.divergence ? u.divergence->mse() : kNaN;
    l.outputNmse = u.divergence ? u.divergence->nmse() : kNaN;
    l.rangeRatio = u.inputs.rangeRatio();
    l.inputKurtosis = u.inputs.kurtosis();
    l.weightKurtosis = u.floatWeights ? u.weightStats.kurtosis() : kNaN;
    l.energyRatio = u.floatWeights && u.sigmaSum > 0 ? u.sigmaTop / u.sigmaSum : kNaN;
    report.layers.push_back(l);
  }
  // The measured rankings: the loss a layer causes alone on CIM, and the loss it removes alone
  // digital (the negated loss left: Spearman's ρ needs only the order).
  std::vector<double> onCim, digital;
  for (const LayerSensitivity &l : report.layers) {
    onCim.push_back(loss(l.aloneOnCim));
    digital.push_back(-loss(l.aloneDigital));
  }
  const std::vector<std::pair<const char *, double LayerSensitivity::*>> proxies = {
      {"output_kl", &LayerSensitivity::outputKl},
      {"output_mse", &LayerSensitivity::outputMse},
      {"output_nmse", &LayerSensitivity::outputNmse},
      {"input_range_ratio", &LayerSensitivity::rangeRatio},
      {"input_kurtosis", &LayerSensitivity::inputKurtosis},
      {"weight_kurtosis", &LayerSensitivity::weightKurtosis},
      {"weight_energy_ratio", &LayerSensitivity::energyRatio},
      {"weights", nullptr}};
  for (auto [name, member] : proxies) {
    std::vector<double> v;
    for (const LayerSensitivity &l : report.layers)
      v.push_back(member ? l.*member : double(l.weights));
    report.correlations.push_back({name, spearman(v, onCim), spearman(v, digital)});
  }
  if (o_.budgetPercent && failed(budget(report)))
    return failure();
  return report;
}

LogicalResult Measurement::budget(SensitivityReport &report) {
  const bool byMacs = o_.budgetBy == "macs";
  auto cost = [&](const Unit &u) { return byMacs ? u.macs : u.weights; };
  report.budgetPercent = o_.budgetPercent;
  report.budgetBy = o_.budgetBy;
  for (const Unit &u : units_)
    report.budgetTotal += cost(u);
  report.budgetAllowed = static_cast<int64_t>(
      std::floor(double(report.budgetTotal) * *o_.budgetPercent / 100.0 + 1e-9));
  // Each layer's loss with the marked ones and itself digital: first the "only digital" runs,
  // then re-measured for the best few candidates of each round.
  std::map<std::string, double> lossWith;
  for (const Unit &u : units_)
    lossWith[u.name] = rankLoss(u.aloneDigital);
  std::vector<std::string> marked;
  double current = rankLoss(report.allCim);
  for (int round = 0;; ++round) {
    std::vector<const Unit *> candidates;
    for (const Unit &u : units_)
      if (std::find(marked.begin(), marked.end(), u.name) == marked.end() &&
          cost(u) <= report.budgetAllowed - report.budgetSpent)
        candidates.push_back(&u);
    if (candidates.empty())
      break;
    std::stable_sort(candidates.begin(), candidates.end(), [&](const Unit *a, const Unit *b) {
      return lossWith[a->name] < lossWith[b->name];
    });
    if (static_cast<int64_t>(candidates.size()) > o_.budgetCandidates)
      candidates.resize(static_cast<size_t>(o_.budgetCandidates));
    if (round > 0)
      for (const Unit *u : candidates) {
        std::vector<std::string> digital = marked;
        digital.push_back(u->name);
        auto value = runConfiguration("budget round " + std::to_string(round + 1) + ": " + u->name +
                                          " digital too",
                                      digital, nullptr, nullptr);
        if (failed(value))
          return failure();
        lossWith[u->name] = rankLoss(*value);
      }
    const Unit *best =
        *std::min_element(candidates.begin(), candidates.end(), [&](const Unit *a, const Unit *b) {
          return lossWith[a->name] < lossWith[b->name];
        });
    if (!(lossWith[best->name] < current))
      break; // no layer that fits makes the model better
    current = lossWith[best->name];
    marked.push_back(best->name);
    report.budgetSpent += cost(*best);
    report.steps.push_back({best->name, cost(*best), loss(current)});
    progress("keeps " + best->name + " digital (" + std::to_string(report.budgetSpent) + " of " +
             std::to_string(report.budgetAllowed) + " " + o_.budgetBy + "): " + o_.metric + " " +
             format(loss(current)));
  }
  return success();
}

/// A double as JSON: null when not finite.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

std::string cell(double v, const char *format = "%.4g") {
  if (std::isnan(v))
    return "n/a";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char text[32];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

} // namespace

std::vector<std::string> SensitivityReport::marked() const {
  std::vector<std::string> out;
  for (const BudgetStep &s : steps)
    out.push_back(s.layer);
  return out;
}

FailureOr<SensitivityReport> measureSensitivity(ModuleOp imported,
                                                const SensitivityCompile &compile,
                                                const SensitivityOptions &options) {
  return Measurement(imported, compile, options).run();
}

std::string sensitivityBackends() { return backendChoices(); }

LogicalResult writeKeptDigitalDevice(MLIRContext &context, const device::DeviceConfig &device,
                                     const SensitivityReport &report, const std::string &stagedTemp,
                                     const std::string &path) {
  std::vector<std::string> recurrent;
  for (const LayerSensitivity &l : report.layers)
    if (l.kind == "rnn" || l.kind == "gru" || l.kind == "lstm")
      recurrent.push_back(l.name);
  std::string text;
  try {
    text = device::toJsonText(device::keepDigital(device, report.marked(), recurrent)) + "\n";
  } catch (const std::exception &e) {
    return emitError(FileLineColLoc::get(&context, path, 0, 0)) << e.what();
  }
  return writeTextFile(context, stagedTemp, path, text);
}

std::string sensitivityJson(const SensitivityReport &r) {
  nlohmann::ordered_json j;
  j["metric"] = r.metric;
  j["dataset"] = r.dataset;
  j["samples"] = r.samples;
  j["backend"] = r.backend;
  j["all_cim"] = number(r.allCim);
  j["all_digital"] = number(r.allDigital);
  j["layers"] = nlohmann::ordered_json::array();
  for (const LayerSensitivity &l : r.layers)
    j["layers"].push_back({{"name", l.name},
                           {"kind", l.kind},
                           {"weights", l.weights},
                           {"macs_per_sample", l.macs},
                           {"only_on_cim", number(l.aloneOnCim)},
                           {"only_digital", number(l.aloneDigital)},
                           {"output_kl", number(l.outputKl)},
                           {"output_mse", number(l.outputMse)},
                           {"output_nmse", number(l.outputNmse)},
                           {"input_range_ratio", number(l.rangeRatio)},
                           {"input_kurtosis", number(l.inputKurtosis)},
                           {"weight_kurtosis", number(l.weightKurtosis)},
                           {"weight_energy_ratio", number(l.energyRatio)}});
  j["spearman"] = nlohmann::ordered_json::object();
  for (const Correlation &c : r.correlations)
    j["spearman"][c.proxy] = {{"only_on_cim", number(c.withOnCim)},
                              {"only_digital", number(c.withDigital)}};
  if (r.budgetPercent) {
    nlohmann::ordered_json b;
    b["percent"] = *r.budgetPercent;
    b["by"] = r.budgetBy;
    b["total"] = r.budgetTotal;
    b["allowed"] = r.budgetAllowed;
    b["spent"] = r.budgetSpent;
    b["kept_digital"] = nlohmann::ordered_json::array();
    for (const BudgetStep &s : r.steps)
      b["kept_digital"].push_back(
          {{"layer", s.layer}, {"cost", s.cost}, {r.metric, number(s.metric)}});
    b[r.metric] = number(r.steps.empty() ? r.allCim : r.steps.back().metric);
    j["budget"] = std::move(b);
  }
  return j.dump(2) + "\n";
}

std::string sensitivityTable(const SensitivityReport &r) {
  // Accuracy to the sample; kl and mse (often far below 1) to 4 significant digits.
  const char *metricFormat = r.metric == "accuracy" ? "%.4f" : "%.4g";
  std::string out;
  char line[512];
  std::snprintf(
      line, sizeof line, "%s on %lld samples of %s (%s backend): all on CIM %s, all digital %s\n\n",
      r.metric.c_str(), static_cast<long long>(r.samples), r.dataset.c_str(), r.backend.c_str(),
      cell(r.allCim, metricFormat).c_str(), cell(r.allDigital, metricFormat).c_str());
  out += line;
  size_t width = 5;
  for (const LayerSensitivity &l : r.layers)
    width = std::max(width, l.name.size());
  const int w = static_cast<int>(width);
  std::snprintf(line, sizeof line,
                "%-*s %-14s %10s %12s %11s %12s %10s %10s %10s %10s %10s %10s %10s\n", w, "layer",
                "kind", "weights", "MACs/sample", "only on CIM", "only digital", "out KL",
                "out MSE", "out NMSE", "in range", "in kurt", "w kurt", "w σ1/Σσ");
  out += line;
  for (const LayerSensitivity &l : r.layers) {
    std::snprintf(line, sizeof line,
                  "%-*s %-14s %10lld %12lld %11s %12s %10s %10s %10s %10s %10s %10s %10s\n", w,
                  l.name.c_str(), l.kind.c_str(), static_cast<long long>(l.weights),
                  static_cast<long long>(l.macs), cell(l.aloneOnCim, metricFormat).c_str(),
                  cell(l.aloneDigital, metricFormat).c_str(), cell(l.outputKl).c_str(),
                  cell(l.outputMse).c_str(), cell(l.outputNmse).c_str(), cell(l.rangeRatio).c_str(),
                  cell(l.inputKurtosis).c_str(), cell(l.weightKurtosis).c_str(),
                  cell(l.energyRatio).c_str());
    out += line;
  }
  out +=
      "\nSpearman's rho of each proxy against the measured rankings (1: same order as the loss a "
      "layer causes alone on CIM, or removes alone digital)\n";
  std::snprintf(line, sizeof line, "%-20s %12s %12s\n", "proxy", "only on CIM", "only digital");
  out += line;
  for (const Correlation &c : r.correlations) {
    std::snprintf(line, sizeof line, "%-20s %12s %12s\n", c.proxy.c_str(),
                  cell(c.withOnCim, "%.3f").c_str(), cell(c.withDigital, "%.3f").c_str());
    out += line;
  }
  if (r.budgetPercent) {
    std::snprintf(line, sizeof line, "\ndigital budget %s%% of %s: %lld of %lld; spent %lld\n",
                  cell(*r.budgetPercent).c_str(), r.budgetBy.c_str(),
                  static_cast<long long>(r.budgetAllowed), static_cast<long long>(r.budgetTotal),
                  static_cast<long long>(r.budgetSpent));
    out += line;
    for (const BudgetStep &s : r.steps) {
      std::snprintf(line, sizeof line, "  kept digital %-*s %10lld %s, %s %s\n", w, s.layer.c_str(),
                    static_cast<long long>(s.cost), r.budgetBy.c_str(), r.metric.c_str(),
                    cell(s.metric, metricFormat).c_str());
      out += line;
    }
    if (r.steps.empty())
      out += "  no layer that fits the budget makes the model better: nothing kept digital\n";
  }
  return out;
}

} // namespace cimlir
