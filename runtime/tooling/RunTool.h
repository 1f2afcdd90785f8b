// cimlir runtime: what `cim-run` does, as a library (tools/cim-run is a thin main).
#pragma once

#include "runtime/exec/CimStepParams.h"
#include "runtime/exec/Program.h"
#include "runtime/tooling/Benchmark.h"
#include "runtime/tooling/Metrics.h"
#include "runtime/tooling/Ranks.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace cimlir {

struct RunOptions {
  std::string plan;
  std::string inputs;  // --inputs IN.npz
  std::string outputs; // --outputs OUT.npz
  std::string dataset; // --dataset PATH
  std::string split = "test";
  ImageOptions image;    // --image-*: how an image folder's images become samples
  std::string reference; // --reference R.npz with `predictions` (and/or `logits`)
  std::string report;    // --report R.json
  int64_t batch = 64;
  int64_t limit = -1; // at most this many samples
  Tolerance tolerance;
  bool quiet = false;
  bool profile = false; // --profile: time per step, printed and reported
  /// --set KEY=VALUE, --seed, --chip-seed: run-time parameters of every CIM layer
  /// (cim.chipSeedOffset is set per repeat).
  CimOverrides cim;
  int64_t repeats = 1; // --repeats N: evaluate N chips (chip seed + 0 .. N-1)
  /// --perplexity: the first output is a causal language model's next-token logits of the
  /// token-id input; reports the perplexity (Metrics.h, TokenInputs).
  bool perplexity = false;
  /// --backend NAME: a registered backend (runtime/backends/Registry.h) or "auto".
  std::string backend = "auto";
  /// --cuda-graph on|off: the CUDA backend replays each batch size's steps as a CUDA graph
  /// (BackendOptions::replay).
  bool cudaGraph = true;
  /// --gpu-memory-budget: BackendOptions::weightBudget (0: auto).
  uint64_t gpuMemoryBudget = 0;
  /// --benchmark: time one batch instead of evaluating (runtime/tooling/Benchmark.h), with
  /// --warmup and --iterations runs.
  bool benchmark = false;
  int64_t warmup = 5;
  int64_t iterations = 50;
};

/// Runs the plan as the options say, its samples and chips shared among `ranks`
/// (runtime/tooling/Ranks.h), prints a summary line to stdout and writes the report and
/// outputs files (each complete or not at all); rank 0 alone prints and writes. Returns the
/// exit code; errors are printed as one line "cim-run: error: ..." to stderr.
int runTool(const RunOptions &options, Ranks &ranks);

/// The evaluation of runTool on a loaded plan (options.plan names it in the report), without
/// files or printing: returns the report --report would write. Throws cimlir::Error with the
/// message cim-run prints; options.outputs, options.report and options.benchmark must be
/// unset. For the Python API (python/CimlirModule.cpp).
nlohmann::json evaluatePlan(const RunOptions &options,
                            const std::shared_ptr<const Program> &program);

} // namespace cimlir
