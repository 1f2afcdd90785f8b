#include "runtime/tooling/RunTool.h"

#include "core/Error.h"
#include "core/OutputFile.h"
#include "core/Printable.h"
#include "runtime/backends/Registry.h"
#include "runtime/data/Npz.h"
#include "runtime/exec/Executor.h"
#include "runtime/tooling/Progress.h"
#include "runtime/tooling/Ranks.h"
#include "runtime/tooling/RepeatReport.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace cimlir {

namespace {

/// Concatenates per-batch outputs along axis 0 (or stacks them on a new leading axis
/// when every run is one whole sample of a static plan).
class OutputCollector {
public:
  explicit OutputCollector(bool stack) : stack_(stack) {}
  void add(const TensorMap &outputs) {
    for (const auto &[name, t] : outputs)
      parts_[name].push_back(t);
  }
  /// The parts collected, for another rank to merge() after its own (the samples after them).
  nlohmann::json state() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto &[name, parts] : parts_)
      for (const Tensor &t : parts) {
        const auto *bytes = static_cast<const uint8_t *>(t.raw());
        out[name].push_back(
            {{"dtype", static_cast<int>(t.dtype())},
             {"shape", t.shape()},
             {"data", nlohmann::json::binary(std::vector<uint8_t>(bytes, bytes + t.byteSize()))}});
      }
    return out;
  }
  void merge(const nlohmann::json &state) {
    for (auto it = state.begin(); it != state.end(); ++it)
      for (const nlohmann::json &part : *it) {
        const auto &data = part.at("data").get_binary();
        Tensor t = Tensor::allocate(static_cast<DType>(part.at("dtype").get<int>()),
                                    part.at("shape").get<Shape>());
        if (t.byteSize() != data.size())
          throw Error("internal: a rank's outputs do not match their shape");
        std::memcpy(t.raw(), data.data(), data.size());
        parts_[it.key()].push_back(std::move(t));
      }
  }
  std::map<std::string, Tensor> result() const {
    std::map<std::string, Tensor> out;
    for (const auto &[name, parts] : parts_) {
      if (!stack_ && parts.size() == 1) {
        out[name] = parts[0];
        continue;
      }
      Shape shape = parts[0].shape();
      int64_t rows = 0;
      for (const Tensor &p : parts)
        rows += stack_ ? 1 : p.dim(0);
      if (stack_)
        shape.insert(shape.begin(), rows);
      else
        shape[0] = rows;
      Tensor all = Tensor::allocate(parts[0].dtype(), shape);
      char *dst = static_cast<char *>(all.raw());
      for (const Tensor &p : parts) {
        std::memcpy(dst, p.raw(), p.byteSize());
        dst += p.byteSize();
      }
      out[name] = all;
    }
    return out;
  }

private:
  bool stack_;
  std::map<std::string, std::vector<Tensor>> parts_;
};

std::optional<std::vector<int64_t>> readPredictions(const std::string &path) {
  auto arrays = readNpz(path);
  auto it = arrays.find("predictions");
  if (it == arrays.end())
    throw Error(path + ": no 'predictions' array (the framework's predicted class per sample)");
  const Tensor &t = it->second;
  if (t.rank() != 1 || (t.dtype() != DType::I64 && t.dtype() != DType::I32))
    throw Error(path + ": 'predictions' must be a 1-D int64 or int32 array");
  std::vector<int64_t> out(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i)
    out[i] = t.dtype() == DType::I64 ? t.data<int64_t>()[i] : t.data<int32_t>()[i];
  return out;
}

/// Per-step times (summed over repeats and ranks), slowest first, as JSON rows; also printed to
/// stderr as a table.
nlohmann::json profileTable(const Program &program, const std::vector<double> &secs,
                            double totalSeconds) {
  const auto &steps = program.steps();
  std::vector<size_t> order(steps.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return secs[a] > secs[b]; });
  nlohmann::json rows = nlohmann::json::array();
  std::fprintf(stderr, "%-8s %-7s %-20s %s\n", "seconds", "share", "op", "step");
  for (size_t i : order) {
    double share = totalSeconds > 0 ? secs[i] / totalSeconds : 0.0;
    // Names come from the model: escape control bytes so a row stays one terminal line.
    std::fprintf(stderr, "%8.4f %6.1f%% %-20s %s\n", secs[i], 100 * share,
                 printable(steps[i].op).c_str(), printable(steps[i].name).c_str());
    rows.push_back(
        {{"step", i}, {"op", steps[i].op}, {"name", steps[i].name}, {"seconds", secs[i]}});
  }
  return rows;
}

/// What the run changed about the CIM layers, for the report.
nlohmann::json runParameters(const RunOptions &o) {
  nlohmann::json p;
  p["repeats"] = o.repeats;
  p["set"] = o.cim.settings;
  p["seed"] = o.cim.seed ? nlohmann::json(*o.cim.seed) : nlohmann::json(nullptr);
  p["chip_seed"] = o.cim.chipSeed ? nlohmann::json(*o.cim.chipSeed) : nlohmann::json(nullptr);
  return p;
}

/// What every report says of the run: the plan, its model and device, the dataset, the backend
/// (and what it reports of itself), the tool and the run-time parameters.
void describeRun(nlohmann::json &report, const RunOptions &o, const Program &program,
                 const Dataset *dataset, const std::string &backend,
                 const nlohmann::json &backendDetails) {
  report["plan"] = o.plan;
  report["plan_producer"] = program.producer();
  report["model"] = program.source();
  if (!program.device().empty())
    report["device"] = nlohmann::json::parse(program.device(), nullptr, /*allow_exceptions=*/false);
  report["dataset"] = dataset ? dataset->describe() : "npz:" + o.inputs;
  report["backend"] = backend;
  if (!backendDetails.is_null())
    report["backend_details"] = backendDetails;
  report["tool"] = "cim-run " CIMLIR_VERSION;
  report["run_parameters"] = runParameters(o);
}

/// What passes left on the steps for the runtime (their cim.ext), one entry per step that has
/// any, in step order.
nlohmann::json stepExtensions(const Program &program) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < program.steps().size(); ++i) {
    const Step &step = program.steps()[i];
    if (!step.ext.is_null())
      out.push_back({{"step", i}, {"op", step.op}, {"name", step.name}, {"ext", step.ext}});
  }
  return out;
}

/// The report into its staged file. Paths need not be UTF-8: invalid bytes become U+FFFD in the
/// report, not an error.
void writeReport(const OutputFile &file, const nlohmann::json &report) {
  writeStagedFile(file.tempPath(),
                  report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  file.path());
}

/// A --reference must have a prediction for every sample that is evaluated.
void checkReferenceLength(const std::string &path, const std::vector<int64_t> &predictions,
                          int64_t samples) {
  if (static_cast<int64_t>(predictions.size()) < samples)
    throw Error(path + ": 'predictions' has " + std::to_string(predictions.size()) +
                " entries but " + std::to_string(samples) + " samples are evaluated");
}

/// The samples that --inputs holds, when the arrays say so before running: 1 for a plan
/// without a batch axis, else the batch dimension of the first input that has one. The
/// executor checks the arrays against the plan; this only lets --reference be checked early.
std::optional<int64_t> inputSampleCount(const Program &program, const TensorMap &inputs) {
  if (!program.hasBatchAxis())
    return 1;
  for (const TensorSpec &spec : program.inputs()) {
    auto it = inputs.find(spec.name);
    if (it == inputs.end() || it->second.rank() != static_cast<int64_t>(spec.shape.size()))
      continue;
    for (size_t axis = 0; axis < spec.shape.size(); ++axis)
      if (spec.shape[axis] < 0)
        return it->second.dim(static_cast<int64_t>(axis));
  }
  return std::nullopt;
}

/// The backend options the command line gives (--set, --seed, --chip-seed, --cuda-graph,
/// --gpu-memory-budget).
BackendOptions backendOptionsOf(const RunOptions &o) {
  BackendOptions options;
  options.cim = o.cim;
  options.replay = o.cudaGraph;
  options.weightBudget = o.gpuMemoryBudget;
  return options;
}

/// cim-run --benchmark: the first batch of the dataset (or the --inputs arrays) timed
/// (Benchmark.h); prints the summary and writes the report.
int runBenchmarkTool(const RunOptions &o, const std::shared_ptr<const Program> &program,
                     Dataset *dataset, const TensorMap &wholeInputs, int64_t batch, int64_t total,
                     const OutputFile *reportFile, OutputSet &staged) {
  if (dataset && total < 1)
    throw Error("--benchmark needs at least one sample (the dataset has none to run)");
  const TensorMap inputs = dataset ? dataset->inputs(0, std::min(batch, total)) : wholeInputs;
  Executor executor(program, createBackend(o.backend, backendOptionsOf(o)));
  const nlohmann::json benchmark =
      runBenchmark(executor, inputs, BenchmarkOptions{o.warmup, o.iterations});
  nlohmann::json report;
  report["benchmark"] = benchmark;
  describeRun(report, o, *program, dataset, executor.backend().name(), executor.backend().report());
  if (reportFile)
    writeReport(*reportFile, report);
  staged.commitAll();
  if (!o.quiet)
    std::cout << "backend " << executor.backend().name() << "\n"
              << benchmarkSummary(benchmark) << std::flush;
  return 0;
}

/// The options' own rules, checked before anything is loaded.
void checkRunOptions(const RunOptions &o) {
  if (o.batch < 1)
    throw Error("--batch must be at least 1");
  if (!std::isfinite(o.tolerance.rtol) || o.tolerance.rtol < 0)
    throw Error("--rtol must be a finite number >= 0");
  if (!std::isfinite(o.tolerance.atol) || o.tolerance.atol < 0)
    throw Error("--atol must be a finite number >= 0");
  if (o.inputs.empty() == o.dataset.empty())
    throw Error("give exactly one of --inputs IN.npz and --dataset PATH");
  if (o.repeats < 1)
    throw Error("--repeats must be at least 1");
  if (o.benchmark && (o.repeats > 1 || !o.outputs.empty() || !o.reference.empty() || o.perplexity))
    throw Error("--benchmark times one batch: it takes no --repeats, --outputs, --reference or "
                "--perplexity");
  if (o.repeats > 1 && !o.outputs.empty())
    throw Error("--outputs holds one chip's outputs: use --repeats 1 (and --chip-seed to pick "
                "the chip)");
  // A bad --set is refused before anything is loaded, even for a plan without CIM layers.
  checkOverrides(o.cim);
  findBackend(o.backend); // an unknown or unavailable backend before any work
}

/// What a run reads: the dataset or the --inputs arrays, the samples and batch, the
/// reference predictions.
struct RunInputs {
  std::unique_ptr<Dataset> dataset;
  TensorMap wholeInputs;
  int64_t total = 1;
  int64_t batch = 1;
  std::optional<std::vector<int64_t>> predictions;
  std::optional<TokenInputs> tokens; ///< --perplexity's inputs
};

/// --perplexity's inputs: the token ids in `input_ids`, else in the plan's only integer input
/// (besides `attention_mask`), and `attention_mask` when the plan takes it.
TokenInputs tokenInputs(const Program &program) {
  TokenInputs tokens;
  std::vector<std::string> integer;
  std::string names;
  for (const TensorSpec &spec : program.inputs()) {
    names += (names.empty() ? "" : ", ") + spec.name + " (" + dtypeName(spec.dtype) + ")";
    if (spec.name == "attention_mask") {
      tokens.mask = spec.name;
      continue;
    }
    if (spec.dtype == DType::I64 || spec.dtype == DType::I32)
      integer.push_back(spec.name);
  }
  for (const std::string &name : integer)
    if (name == "input_ids")
      tokens.ids = name;
  if (tokens.ids.empty() && integer.size() == 1)
    tokens.ids = integer[0];
  if (tokens.ids.empty())
    throw Error("--perplexity needs the token ids in an integer input named input_ids, or in the "
                "plan's only integer input; its inputs: " +
                names);
  return tokens;
}

RunInputs openInputs(const RunOptions &o, const Program &program) {
  checkOverrideGlobs(o.cim, program);
  RunInputs in;
  if (o.perplexity) // the plan's inputs, before any data is read
    in.tokens = tokenInputs(program);
  if (!o.dataset.empty()) {
    in.dataset = openDataset(o.dataset, o.split, program.inputs(), program.outputs(), o.image);
    in.total = in.dataset->size();
  } else {
    in.wholeInputs = readNpz(o.inputs);
    for (const TensorSpec &spec : program.inputs())
      if (auto it = in.wholeInputs.find(spec.name); it != in.wholeInputs.end())
        it->second = npzArrayAs(it->second, spec.dtype);
  }
  const ImageOptions &im = o.image;
  if ((im.resize || im.cropHeight || !im.mean.empty() || !im.std.empty()) &&
      (!in.dataset || in.dataset->describe().rfind("images:", 0) != 0))
    throw Error("--image-* options apply to an image folder given with --dataset, and " +
                (in.dataset ? o.dataset + " is " + in.dataset->describe() : "there is none"));
  if (o.limit >= 0)
    in.total = std::min(in.total, o.limit);
  // A static plan runs one whole sample at a time.
  in.batch = program.hasBatchAxis() ? o.batch : 1;
  if (!o.reference.empty()) {
    in.predictions = readPredictions(o.reference);
    if (in.dataset)
      checkReferenceLength(o.reference, *in.predictions, in.total);
    else if (auto n = inputSampleCount(program, in.wholeInputs))
      checkReferenceLength(o.reference, *in.predictions, *n);
  }
  return in;
}

/// What an evaluation made: the report, the first chip's outputs (when collected) and how
/// they compare with the reference.
struct Evaluation {
  nlohmann::json report;
  std::map<std::string, Tensor> outputs;
  int64_t total = 0; ///< samples per chip
  bool outputsMatch = true;
  std::string worstMismatch;
};

/// Runs `work`; returns the one line cim-run prints for the error it throws, or "".
template <typename Work> std::string errorOf(Work &&work) {
  try {
    work();
  } catch (const Error &e) {
    return e.what();
  } catch (const std::bad_alloc &) {
    return "out of host memory (try a smaller --batch)";
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

/// One chip's samples [begin, end) that a rank evaluates (with --inputs, the whole arrays).
struct ChipPart {
  int64_t repeat = 0, begin = 0, end = 0;
};

/// This rank's share of the work: every chip's samples, chip after chip, shared among the
/// ranks in contiguous parts (with --inputs, the chips). Without samples, rank 0 runs every
/// chip on none, so that the report lists the layers.
std::vector<ChipPart> chipParts(int64_t repeats, int64_t perChip, Ranks &ranks) {
  std::vector<ChipPart> parts;
  if (perChip == 0) {
    for (int64_t r = 0; ranks.root() && r < repeats; ++r)
      parts.push_back({r, 0, 0});
    return parts;
  }
  const Share share = shareOf(repeats * perChip, ranks.rank(), ranks.size());
  for (int64_t unit = share.begin; unit < share.end;) {
    const int64_t repeat = unit / perChip, begin = unit % perChip;
    const int64_t end = std::min(perChip, begin + (share.end - unit));
    parts.push_back({repeat, begin, end});
    unit += end - begin;
  }
  return parts;
}

/// Evaluates this rank's share of every repeat's chip (chipParts), then merges the ranks' parts
/// on rank 0 into the report one process would make: the same outputs, metrics and counters,
/// because fresh noise is keyed by the sample and the chip (cim-numerics.md §9). Rank 0 returns
/// it; the other ranks return an empty Evaluation. An error on any rank is thrown on every rank.
Evaluation evaluate(const RunOptions &o, const std::shared_ptr<const Program> &program,
                    RunInputs &in, bool collectOutputs, Ranks &ranks) {
  const bool perSample = !program->hasBatchAxis();
  Dataset *dataset = in.dataset.get();
  int64_t total = in.total;
  const int64_t batch = in.batch;
  auto newMetrics = [&] {
    return Metrics(program->outputs().empty() ? "" : program->outputs()[0].name,
                   dataset ? dataset->labels() : std::nullopt, in.predictions,
                   dataset ? dataset->referenceOutputs() : TensorMap{}, o.tolerance, perSample,
                   in.tokens);
  };
  const std::vector<ChipPart> parts = chipParts(o.repeats, dataset ? total : 1, ranks);

  // This rank's part: what its chips measured, for rank 0 to merge.
  nlohmann::json part = {{"chips", nlohmann::json::array()}};
  OutputCollector collector(perSample && dataset != nullptr);
  std::string bytes; // what this rank sends rank 0
  const std::string error = errorOf([&] {
    LayerReports layers;
    std::vector<double> stepSeconds(program->steps().size(), 0.0);
    int64_t units = 0;
    for (const ChipPart &p : parts)
      units += p.end - p.begin;
    Progress progress(dataset && ranks.root() ? units : 0);
    int64_t done = 0;
    double seconds = 0.0;
    for (const ChipPart &p : parts) {
      // Every repeat is a fresh chip: a new backend whose CIM steps are programmed with chip
      // seed + r, and fresh noise keyed by repeat r (cim-numerics.md §9).
      BackendOptions backendOptions = backendOptionsOf(o);
      backendOptions.cim.chipSeedOffset = static_cast<uint64_t>(p.repeat);
      backendOptions.gpu = ranks.size() > 1 ? ranks.localRank() : -1;
      backendOptions.hostProcesses = ranks.localSize();
      Executor executor(program, createBackend(o.backend, backendOptions));
      executor.enableProfiling(o.profile);
      Metrics metrics = newMetrics();
      const bool collect = p.repeat == 0 && collectOutputs;
      auto start = std::chrono::steady_clock::now();
      if (dataset) {
        for (int64_t begin = p.begin; begin < p.end; begin += batch) {
          int64_t count = std::min(batch, p.end - begin);
          // The dataset index of the batch's first sample keys the fresh noise (§9), so
          // results do not depend on --batch, nor on how the ranks share the samples.
          const TensorMap inputs = dataset->inputs(begin, count);
          TensorMap outputs = executor.run(inputs, RunContext{begin, p.repeat});
          metrics.add(begin, count, inputs, outputs);
          if (collect)
            collector.add(outputs);
          progress.update(done += count);
        }
      } else {
        TensorMap outputs = executor.run(in.wholeInputs, RunContext{0, p.repeat});
        total = program->hasBatchAxis() && !outputs.empty() ? outputs.begin()->second.dim(0) : 1;
        // The sample count of --inputs is the batch the plan ran on (checked by the executor);
        // checked again here for inputs whose count inputSampleCount could not tell.
        if (in.predictions)
          checkReferenceLength(o.reference, *in.predictions, total);
        metrics.add(0, total, in.wholeInputs, outputs);
        if (collect)
          collector.add(outputs);
      }
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      part["chips"].push_back({{"repeat", p.repeat}, {"metrics", metrics.counts()}});
      layers.add(executor, p.repeat);
      part["backend"] = executor.backend().name();
      part["backend_details"] = executor.backend().report();
      const std::vector<double> chipSeconds = executor.stepSeconds();
      for (size_t i = 0; i < stepSeconds.size(); ++i)
        stepSeconds[i] += chipSeconds[i];
    }
    part["layers"] = layers.state();
    part["step_seconds"] = stepSeconds;
    part["seconds"] = seconds;
    part["total"] = total;
    // Rank 0 keeps its own part; the others send theirs, outputs included, as CBOR (which
    // keeps every float exactly), made here so that running out of memory is an error of
    // this rank's like any other.
    if (!ranks.root()) {
      if (collectOutputs) {
        part["outputs"] = collector.state();
        collector = OutputCollector(false); // the copy in `part` is the one sent
      }
      nlohmann::json::to_cbor(part, bytes);
      part = nullptr;
    }
  });
  if (std::string first = ranks.firstError(error); !first.empty())
    throw Error(first);
  const bool root = ranks.root();
  const std::vector<std::string> received = ranks.gather(bytes);
  bytes.clear();
  Evaluation result;
  if (!root)
    return result;

  // Rank 0: the parts in rank order are the samples in order.
  std::map<int64_t, Metrics> chips; // by repeat
  LayerReports layers;
  std::vector<double> stepSeconds(program->steps().size(), 0.0);
  double seconds = 0.0, rankSeconds = 0.0; // the slowest rank's, and all ranks' together
  std::string backendName;
  nlohmann::json backendDetails;
  for (size_t r = 0; r < received.size(); ++r) {
    const nlohmann::json rankPart =
        r == 0 ? std::move(part) : nlohmann::json::from_cbor(received[r]);
    for (const nlohmann::json &chip : rankPart.at("chips"))
      chips.try_emplace(chip.at("repeat").get<int64_t>(), newMetrics())
          .first->second.merge(chip.at("metrics"));
    if (rankPart.at("chips").empty()) // a rank given no work
      continue;
    layers.merge(rankPart.at("layers"));
    const std::vector<double> rankSteps = rankPart.at("step_seconds");
    for (size_t i = 0; i < stepSeconds.size(); ++i)
      stepSeconds[i] += rankSteps[i];
    // The ranks run side by side: the run takes as long as the slowest.
    seconds = std::max(seconds, rankPart.at("seconds").get<double>());
    rankSeconds += rankPart.at("seconds").get<double>();
    total = rankPart.at("total").get<int64_t>();
    if (backendName.empty()) {
      backendName = rankPart.at("backend").get<std::string>();
      backendDetails = rankPart.at("backend_details");
    }
    if (r > 0 && collectOutputs)
      collector.merge(rankPart.at("outputs"));
  }
  std::vector<nlohmann::json> summaries;
  for (const auto &[repeat, metrics] : chips) {
    summaries.push_back(metrics.summary());
    if (result.outputsMatch && !metrics.outputsMatchReference()) {
      result.outputsMatch = false;
      result.worstMismatch =
          metrics.worstMismatch() +
          (o.repeats > 1 ? " (chip " + std::to_string(repeat) + ")" : std::string());
    }
  }

  nlohmann::json &report = result.report;
  report = combineRepeats(summaries);
  const int64_t evaluated = total * o.repeats;
  report["seconds"] = seconds;
  report["samples_per_second"] = seconds > 0 ? evaluated / seconds : 0.0;
  describeRun(report, o, *program, dataset, backendName, backendDetails);
  report["batch"] = batch;
  report["repeats"] = o.repeats;
  report["ranks"] = ranks.size();
  report["layers"] = layers.json(program->cost());
  report["cost"] = layers.chipCost(program->cost());
  report["extensions"] = stepExtensions(*program);
  if (o.profile)
    report["profile"] = profileTable(*program, stepSeconds, rankSeconds); // shares of all ranks'
  if (collectOutputs)
    result.outputs = collector.result();
  result.total = total;
  return result;
}

int runInner(const RunOptions &o, Ranks &ranks) {
  // Every rank checks the options and loads the plan and the data; they stop together when
  // one fails. Rank 0 alone stages the files.
  OutputSet staged;
  const OutputFile *outputsFile = nullptr, *reportFile = nullptr;
  std::shared_ptr<const Program> program;
  RunInputs in;
  const std::string error = errorOf([&] {
    checkRunOptions(o);
    if (o.benchmark && ranks.size() > 1)
      throw Error("--benchmark times one process: run it without an MPI launcher");
    // The outputs are written all or none: an output may not be an input or another output,
    // and each is staged (its folder checked) before the long work.
    if (std::string clash = checkDistinctFiles({{"--outputs", o.outputs}, {"--report", o.report}},
                                               {{"the plan", o.plan},
                                                {"--inputs", o.inputs},
                                                {"--dataset", o.dataset},
                                                {"--reference", o.reference}});
        !clash.empty())
      throw Error(clash);
    if (ranks.root()) {
      outputsFile = o.outputs.empty() ? nullptr : &staged.add(o.outputs);
      reportFile = o.report.empty() ? nullptr : &staged.add(o.report);
    }
    program = Program::load(o.plan);
    in = openInputs(o, *program);
  });
  if (std::string first = ranks.firstError(error); !first.empty())
    throw Error(first);
  if (o.benchmark)
    return runBenchmarkTool(o, program, in.dataset.get(), in.wholeInputs, in.batch, in.total,
                            reportFile, staged);
  const Evaluation e = evaluate(o, program, in, !o.outputs.empty(), ranks);
  if (!ranks.root())
    return 0;

  // Into the files staged at the start (messages name the files asked for).
  if (outputsFile)
    writeStagedNpz(outputsFile->tempPath(), outputsFile->path(), e.outputs);
  if (reportFile)
    writeReport(*reportFile, e.report);
  staged.commitAll();

  if (!o.quiet) {
    std::string line = metricsLine(e.report, e.total, o.repeats);
    char buf[240];
    const std::string chips =
        o.repeats > 1 ? " \u00d7 " + std::to_string(o.repeats) + " chips" : std::string();
    const std::string over =
        ranks.size() > 1 ? " on " + std::to_string(ranks.size()) + " ranks" : std::string();
    std::snprintf(buf, sizeof buf, "%s%lld samples%s in %.3f s%s (%.1f samples/s)",
                  line.empty() ? "" : " | ", static_cast<long long>(e.total), chips.c_str(),
                  e.report["seconds"].get<double>(), over.c_str(),
                  e.report["samples_per_second"].get<double>());
    line += buf;
    std::cout << line << std::endl;
  }
  if (!e.outputsMatch) {
    std::cerr << "cim-run: error: outputs differ from the reference beyond rtol "
              << o.tolerance.rtol << ", atol " << o.tolerance.atol << ": "
              << printable(e.worstMismatch) << std::endl;
    return 1;
  }
  return 0;
}
} // namespace

nlohmann::json evaluatePlan(const RunOptions &options,
                            const std::shared_ptr<const Program> &program) {
  if (options.benchmark || !options.outputs.empty() || !options.report.empty())
    throw Error("internal: evaluatePlan writes no files and runs no benchmark");
  checkRunOptions(options);
  RunInputs in = openInputs(options, *program);
  SingleProcess alone;
  return evaluate(options, program, in, /*collectOutputs=*/false, alone).report;
}

int runTool(const RunOptions &options, Ranks &ranks) {
  int code = 1;
  const std::string error = errorOf([&] { code = runInner(options, ranks); });
  if (error.empty())
    return code;
  // Messages quote names from models, plans and datasets: one line, no escape codes. Every
  // rank has the error; rank 0 says it.
  if (ranks.root())
    std::cerr << "cim-run: error: " << printable(error) << std::endl;
  return 1;
}

} // namespace cimlir
