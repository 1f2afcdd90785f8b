// cim-run: executes a cimlir plan on inputs or a dataset and reports metrics.
//
//   cim-run PLAN.bin --dataset PATH [--split test] [--batch 64] [--limit N] [--report R.json]
//   cim-run PLAN.bin --inputs IN.npz --outputs OUT.npz
//   CIM run-time parameters: [--set [GLOB:]KEY=VALUE]... [--seed N] [--chip-seed N] [--repeats N]
#include "MpiRanks.h"
#include "core/Printable.h"
#include "runtime/backends/Registry.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/tooling/RunTool.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace {

/// Numeric options are taken as text and checked here, so that a bad value gets one
/// readable line ("--batch: 0 is not a positive integer") and a value that does not fit
/// int64 is an error, never clamped.
struct BadValue {
  std::string message;
};

int64_t parseInt(const std::string &option, const std::string &text, int64_t min,
                 const char *what) {
  std::string shown = cimlir::printable(text);
  const char *b = text.data(), *e = text.data() + text.size();
  if (b != e && *b == '+')
    ++b;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(b, e, v);
  if (b == e || end != e || (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw BadValue{option + ": '" + shown + "' is not " + what};
  if (ec == std::errc::result_out_of_range)
    throw BadValue{option + ": " + shown + " does not fit in a 64-bit integer"};
  if (v < min)
    throw BadValue{option + ": " + shown + " is not " + what};
  return v;
}

/// --gpu-memory-budget: "auto" (0) or a positive byte count with an optional binary suffix
/// K, M, G or T (2^10 .. 2^40).
uint64_t parseMemoryBudget(const std::string &text) {
  if (text == "auto")
    return 0;
  const std::string shown = cimlir::printable(text);
  std::string digits = text;
  int shift = 0;
  if (!digits.empty()) {
    const char suffix = digits.back();
    const std::string suffixes = "KMGT";
    const size_t at = suffixes.find(static_cast<char>(std::toupper(suffix)));
    if (at != std::string::npos && std::isalpha(static_cast<unsigned char>(suffix))) {
      shift = 10 * static_cast<int>(at + 1);
      digits.pop_back();
    }
  }
  uint64_t v = 0;
  const char *b = digits.data(), *e = digits.data() + digits.size();
  auto [end, ec] = std::from_chars(b, e, v);
  if (b == e || end != e || ec != std::errc() || v == 0)
    throw BadValue{"--gpu-memory-budget: '" + shown +
                   "' is not auto or a positive byte count (with K, M, G or T for KiB .. TiB)"};
  if (v > (UINT64_MAX >> shift))
    throw BadValue{"--gpu-memory-budget: " + shown + " does not fit in 64 bits"};
  return v << shift;
}

uint64_t parseSeed(const std::string &option, const std::string &text) {
  std::string shown = cimlir::printable(text);
  const char *b = text.data(), *e = text.data() + text.size();
  if (b != e && *b == '+')
    ++b;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(b, e, v);
  if (b == e || end != e || (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw BadValue{option + ": '" + shown + "' is not an integer in 0..18446744073709551615"};
  if (ec == std::errc::result_out_of_range)
    throw BadValue{option + ": " + shown + " does not fit in 64 bits (0..18446744073709551615)"};
  return v;
}

/// A --set must look like [GLOB:]KEY=VALUE; whether KEY and VALUE are allowed, and whether GLOB
/// matches a layer, is decided later (device::applySettings, checkOverrideGlobs), as a run-time
/// error rather than a command-line one.
std::string checkAssignment(const std::string &text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw BadValue{"--set: '" + cimlir::printable(text) +
                   "' is not KEY=VALUE or GLOB:KEY=VALUE (e.g. --set adc.bits=6)"};
  return text;
}

double parseTolerance(const std::string &option, const std::string &text) {
  std::string bad =
      option + " must be a finite number >= 0 (got '" + cimlir::printable(text) + "')";
  char *end = nullptr;
  // Overflow gives inf (refused); underflow a tiny number or 0, which is fine.
  double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0)
    throw BadValue{bad};
  return v;
}

/// "0.485,0.456,0.406": finite numbers separated by commas.
std::vector<float> parseFloatList(const std::string &option, const std::string &text) {
  std::vector<float> out;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, comma - begin);
    char *end = nullptr;
    errno = 0;
    const float v = item.empty() ? 0.0f : std::strtof(item.c_str(), &end);
    if (item.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
      throw BadValue{option + " " + cimlir::printable(text) +
                     ": expected numbers separated by commas, e.g. 0.485,0.456,0.406"};
    out.push_back(v);
    begin = comma + 1;
  }
  return out;
}

/// "224" or "224x192" (height x width).
std::pair<int64_t, int64_t> parseCrop(const std::string &text) {
  const size_t x = text.find('x');
  if (x == std::string::npos) {
    const int64_t side = parseInt("--image-crop", text, 1, "a positive size or HxW");
    return {side, side};
  }
  return {parseInt("--image-crop", text.substr(0, x), 1, "a positive size or HxW"),
          parseInt("--image-crop", text.substr(x + 1), 1, "a positive size or HxW")};
}

} // namespace

int main(int argc, char **argv) {
  // First: under an MPI launcher every process is a rank, and rank 0 alone prints.
  std::unique_ptr<cimlir::Ranks> ranks;
  try {
    ranks = cimlir::processRanks();
  } catch (const cimlir::Error &e) {
    std::cerr << "cim-run: error: " << e.what() << std::endl;
    return 2;
  }
  std::ostream nowhere(nullptr);
  std::ostream &err = ranks->root() ? std::cerr : nowhere;
  cimlir::RunOptions o;
  CLI::App app{"cim-run " CIMLIR_VERSION ": run a cimlir plan (compiled by cim-opt)"};
  app.add_option("plan", o.plan, "the plan file from cim-opt")->required();
  app.add_option("--inputs", o.inputs, "a .npz with an array per graph input (keyed by name)");
  app.add_option("--outputs", o.outputs, "write the graph outputs to this .npz");
  app.add_option("--dataset", o.dataset,
                 "IDX directory or file (MNIST family), .npz (inputs + labels), ONNX "
                 "test-data directory (test_data_set_*/*.pb), or image folder (CLASS/*.jpg|png)");
  app.add_option("--split", o.split, "IDX split: test (t10k-*) or train")
      ->check(CLI::IsMember({"test", "train"}));
  std::optional<std::string> batch, limit, rtol, atol, seed, chipSeed, repeats, imageResize,
      imageCrop, imageMean, imageStd;
  app.add_option("--image-resize", imageResize,
                 "image folder: the shorter side after resizing (default: the crop / 0.875, "
                 "256 for 224)")
      ->type_name("N");
  app.add_option("--image-crop", imageCrop,
                 "image folder: the centre crop, N or HxW (default: the model input's H x W)")
      ->type_name("HxW");
  app.add_option("--image-mean", imageMean,
                 "image folder: per-channel mean after scaling to [0, 1] (default ImageNet's "
                 "0.485,0.456,0.406)")
      ->type_name("A,B,C");
  app.add_option("--image-std", imageStd,
                 "image folder: per-channel std (default ImageNet's 0.229,0.224,0.225)")
      ->type_name("A,B,C");
  std::vector<std::string> settings;
  app.add_option("--batch", batch, "samples per run, a positive integer (default 64)")
      ->type_name("INT");
  app.add_option("--limit", limit, "evaluate at most this many samples (an integer >= 0)")
      ->type_name("INT");
  app.add_flag("--perplexity", o.perplexity,
               "the first output is a causal language model's next-token logits [N, T, V] of "
               "the token ids in the input input_ids (or the only integer input), masked by "
               "attention_mask if the plan takes it; reports the perplexity");
  app.add_option("--reference", o.reference,
                 "a .npz with the framework's `predictions`; reports agreement");
  app.add_option("--report", o.report, "write a JSON report here");
  app.add_option("--rtol", rtol, "relative tolerance against reference outputs (default 1e-3)")
      ->type_name("FLOAT");
  app.add_option("--atol", atol, "absolute tolerance against reference outputs (default 1e-7)")
      ->type_name("FLOAT");
  app.add_option("--set", settings,
                 "change a run-time parameter (adc.*, noise.*) of every CIM layer, e.g. "
                 "adc.bits=6, or of the CIM layers whose names GLOB matches, e.g. "
                 "'/conv1/*:adc.bits=6' (a glob that matches none is an error); repeatable, "
                 "applied in order")
      ->type_name("[GLOB:]KEY=VALUE")
      ->allow_extra_args(false);
  app.add_option("--seed", seed, "noise.seed: the seed of read and ADC noise (0..2^64-1)")
      ->type_name("N");
  app.add_option("--chip-seed", chipSeed,
                 "noise.chip_seed: the chip (stuck-at faults, programming noise), 0..2^64-1")
      ->type_name("N");
  app.add_option("--repeats", repeats,
                 "evaluate N chips (chip seed, chip seed + 1, ...); reports mean and std")
      ->type_name("N");
  app.add_option("--backend", o.backend,
                 "where the plan runs: " + cimlir::backendChoices() +
                     " (default auto: the first that can run here)")
      ->type_name("NAME");
  std::optional<std::string> memoryBudget;
  app.add_option("--gpu-memory-budget", memoryBudget,
                 "device memory for the cuda backend's weights: auto (the free memory less a "
                 "reserve, default) or bytes with K/M/G/T suffixes; layer weights past it are "
                 "streamed from host memory")
      ->type_name("BYTES|auto");
  std::string cudaGraph = "on";
  app.add_option("--cuda-graph", cudaGraph,
                 "on: the cuda backend records each batch size's steps once as a CUDA graph and "
                 "replays it (default); off: it launches every step in every batch")
      ->check(CLI::IsMember({"on", "off"}))
      ->type_name("on|off");
  app.add_flag("--quiet", o.quiet, "print no summary line");
  std::optional<std::string> warmup, iterations;
  app.add_flag("--benchmark", o.benchmark,
               "time the first --batch samples instead of evaluating: latency p50/p90/p99, "
               "throughput, memory, input copies, share of time in CIM layers");
  app.add_option("--warmup", warmup, "--benchmark: untimed runs first (default 5)")->type_name("N");
  app.add_option("--iterations", iterations, "--benchmark: timed runs (default 50)")
      ->type_name("N");
  app.add_flag("--profile", o.profile,
               "time every step; print a table to stderr, add it to the report");
  // For scripts (cim-sweep): which device-file fields --set takes; the rest need cim-opt.
  app.add_flag_callback(
         "--list-parameters",
         [] {
           for (const std::string &key : cimlir::device::runtimeSettingKeys())
             std::cout << key << "\n";
           throw CLI::Success();
         },
         "print the run-time parameters --set takes, one per line, and exit")
      ->trigger_on_parse();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() != 0) {
      err << "cim-run: error: " << cimlir::printable(e.what()) << " (see cim-run --help)"
          << std::endl;
      return 2;
    }
    return ranks->root() ? app.exit(e) : 0;
  }
  o.cudaGraph = cudaGraph == "on";
  try {
    if (memoryBudget)
      o.gpuMemoryBudget = parseMemoryBudget(*memoryBudget);
    if (batch)
      o.batch = parseInt("--batch", *batch, 1, "a positive integer");
    if (limit)
      o.limit = parseInt("--limit", *limit, 0, "a non-negative integer");
    if (rtol)
      o.tolerance.rtol = parseTolerance("--rtol", *rtol);
    if (atol)
      o.tolerance.atol = parseTolerance("--atol", *atol);
    for (const std::string &assignment : settings)
      o.cim.settings.push_back(checkAssignment(assignment));
    if (seed)
      o.cim.seed = parseSeed("--seed", *seed);
    if (chipSeed)
      o.cim.chipSeed = parseSeed("--chip-seed", *chipSeed);
    if (repeats)
      o.repeats = parseInt("--repeats", *repeats, 1, "a positive integer");
    if ((warmup || iterations) && !o.benchmark)
      throw BadValue{"--warmup and --iterations apply to --benchmark"};
    if (warmup)
      o.warmup = parseInt("--warmup", *warmup, 0, "a non-negative integer");
    if (iterations)
      o.iterations = parseInt("--iterations", *iterations, 1, "a positive integer");
    if (imageResize)
      o.image.resize = parseInt("--image-resize", *imageResize, 1, "a positive integer");
    if (imageCrop)
      std::tie(o.image.cropHeight, o.image.cropWidth) = parseCrop(*imageCrop);
    if (imageMean)
      o.image.mean = parseFloatList("--image-mean", *imageMean);
    if (imageStd)
      o.image.std = parseFloatList("--image-std", *imageStd);
    if (o.repeats > 1 && !o.outputs.empty())
      throw BadValue{"--outputs holds one chip's outputs: use --repeats 1 (and --chip-seed to "
                     "pick the chip)"};
  } catch (const BadValue &bad) {
    err << "cim-run: error: " << bad.message << std::endl;
    return 2;
  }
  return cimlir::runTool(o, *ranks);
}
