#include "runtime/tooling/Benchmark.h"

#include "core/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace cimlir {

namespace {

/// Nearest-rank percentile of sorted values: the ceil(p/100 · n)-th smallest.
double percentile(const std::vector<double> &sorted, double p) {
  const size_t n = sorted.size();
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<size_t>(rank, 1, n);
  return sorted[rank - 1];
}

/// Runs timed step by step for the CIM share (after the timed runs).
constexpr int64_t kProfiledRuns = 20;

int64_t batchOf(const Executor &executor, const TensorMap &outputs) {
  if (!executor.program().hasBatchAxis() || outputs.empty())
    return 1;
  const Tensor &t = outputs.begin()->second;
  return t.rank() > 0 ? t.dim(0) : 1;
}

} // namespace

nlohmann::json runBenchmark(Executor &executor, const TensorMap &inputs,
                            const BenchmarkOptions &options) {
  if (options.warmup < 0 || options.iterations < 1)
    throw Error("--benchmark needs --warmup >= 0 and --iterations >= 1");
  TensorMap outputs;
  for (int64_t w = 0; w < options.warmup; ++w)
    outputs = executor.run(inputs);
  const Executor::Transfers before = executor.inputTransfers();
  std::vector<double> latencies;
  for (int64_t i = 0; i < options.iterations; ++i) {
    const auto start = std::chrono::steady_clock::now();
    outputs = executor.run(inputs);
    latencies.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const Executor::Transfers after = executor.inputTransfers();
  // The share of step time in CIM layers from runs of their own: timing each step stops a
  // backend from replaying the batch as one recording (a CUDA graph), which the runs above
  // measure.
  executor.enableProfiling(true);
  const std::vector<double> stepsBefore = executor.stepSeconds();
  for (int64_t i = 0; i < std::min<int64_t>(options.iterations, kProfiledRuns); ++i)
    outputs = executor.run(inputs);
  executor.enableProfiling(false);
  const std::vector<double> stepsAfter = executor.stepSeconds();
  double cim = 0.0, all = 0.0;
  const auto &steps = executor.program().steps();
  for (size_t s = 0; s < steps.size(); ++s) {
    const double seconds = stepsAfter[s] - stepsBefore[s];
    all += seconds;
    if (steps[s].op == "CimLinear")
      cim += seconds;
  }
  std::vector<double> sorted = latencies;
  std::sort(sorted.begin(), sorted.end());
  double total = 0.0;
  for (double l : latencies)
    total += l;
  const double mean = total / static_cast<double>(latencies.size());
  const int64_t batch = batchOf(executor, outputs);
  nlohmann::json b;
  b["warmup"] = options.warmup;
  b["iterations"] = options.iterations;
  b["batch"] = batch;
  b["latency_ms"] = {{"p50", 1e3 * percentile(sorted, 50)}, {"p90", 1e3 * percentile(sorted, 90)},
                     {"p99", 1e3 * percentile(sorted, 99)}, {"mean", 1e3 * mean},
                     {"min", 1e3 * sorted.front()},         {"max", 1e3 * sorted.back()}};
  b["samples_per_second"] = mean > 0 ? static_cast<double>(batch) / mean : 0.0;
  b["activation_arena_bytes"] = executor.arenaBytes(batch);
  const nlohmann::json details = executor.backend().report();
  if (details.is_object() && details.contains("peak_device_memory_bytes"))
    b["peak_device_memory_bytes"] = details["peak_device_memory_bytes"];
  const int64_t copied = after.bytes - before.bytes;
  const double copySeconds = after.seconds - before.seconds;
  if (copied > 0) {
    b["h2d_bytes_per_run"] = copied / options.iterations;
    b["h2d_gb_per_second"] =
        copySeconds > 0 ? static_cast<double>(copied) / copySeconds / 1e9 : 0.0;
  }
  b["cim_share_of_step_time"] = all > 0 ? cim / all : 0.0;
  return b;
}

std::string benchmarkSummary(const nlohmann::json &b) {
  char line[512];
  const nlohmann::json &l = b["latency_ms"];
  std::string out;
  std::snprintf(line, sizeof line,
                "latency (ms, batch %lld, %lld runs after %lld warm-up): p50 %.3f, p90 %.3f, "
                "p99 %.3f, mean %.3f\n",
                static_cast<long long>(b["batch"].get<int64_t>()),
                static_cast<long long>(b["iterations"].get<int64_t>()),
                static_cast<long long>(b["warmup"].get<int64_t>()), l["p50"].get<double>(),
                l["p90"].get<double>(), l["p99"].get<double>(), l["mean"].get<double>());
  out += line;
  std::snprintf(line, sizeof line, "throughput: %.1f samples/s\n",
                b["samples_per_second"].get<double>());
  out += line;
  std::snprintf(line, sizeof line, "memory: activation arena %.1f MiB",
                b["activation_arena_bytes"].get<double>() / (1 << 20));
  out += line;
  if (b.contains("peak_device_memory_bytes")) {
    std::snprintf(line, sizeof line, ", peak device memory %.1f MiB",
                  b["peak_device_memory_bytes"].get<double>() / (1 << 20));
    out += line;
  }
  out += "\n";
  if (b.contains("h2d_gb_per_second")) {
    std::snprintf(line, sizeof line, "host to device: %lld bytes per run at %.2f GB/s\n",
                  static_cast<long long>(b["h2d_bytes_per_run"].get<int64_t>()),
                  b["h2d_gb_per_second"].get<double>());
    out += line;
  }
  std::snprintf(line, sizeof line, "CIM layers: %.1f%% of step time\n",
                100.0 * b["cim_share_of_step_time"].get<double>());
  out += line;
  return out;
}

} // namespace cimlir
