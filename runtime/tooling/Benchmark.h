// cimlir runtime: `cim-run --benchmark`, a trtexec-like measurement of one batch shape.
//
// The executor runs the same inputs (the first --batch samples) `warmup` times untimed, then
// `iterations` times, each run timed on the host clock from the call to the outputs in host
// memory (the backend synchronised). Reported: latency p50, p90, p99 (nearest rank) and mean,
// throughput (samples per mean latency), the activation arena and the backend's peak device
// memory, the host-to-device input copies (bytes and GB/s, a device backend only), and the
// share of step time in CIM layers (steps timed by the backend's own timer: CUDA events on the
// GPU).
#pragma once

#include "runtime/exec/Executor.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace cimlir {

struct BenchmarkOptions {
  int64_t warmup = 5;
  int64_t iterations = 50;
};

/// Measures `executor` on `inputs` (one batch). Returns the report's "benchmark" object.
/// Latencies come from runs without profiling; the CIM share from kProfiledRuns more runs with
/// it (20 runs; profiling is off again after).
nlohmann::json runBenchmark(Executor &executor, const TensorMap &inputs,
                            const BenchmarkOptions &options);

/// The summary cim-run prints: one line per figure.
std::string benchmarkSummary(const nlohmann::json &benchmark);

} // namespace cimlir
