// cimlir runtime: what cim-run reports about CIM chips: the metrics of `--repeats N` chips
// (each value, mean and standard deviation) and the per-layer CIM counters.
//
// Each repeat is a fresh chip (chip seed + r) evaluated on the same samples, so a metric's
// spread over repeats is the chip-to-chip (and read-noise) variation a hardware researcher
// asks about. The std is the sample standard deviation (divisor N - 1), 0 for one chip.
#pragma once

#include "runtime/exec/Executor.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir {

/// The metrics that get a mean and std over repeats, in report order.
const std::vector<std::string> &repeatedMetricNames();

/// Combines the Metrics::summary() of every repeat: the result has repeat 0's fields, with
/// each repeatedMetricNames() metric replaced by its mean over repeats and described under
/// "over_repeats": {"accuracy": {"values": [...], "mean": m, "std": s}, ...}. With more than
/// one repeat, "correct" (a count of one chip) is dropped, "elements_compared" and
/// "elements_outside_tolerance" are summed and "outputs_match_reference" holds for all.
nlohmann::json combineRepeats(const std::vector<nlohmann::json> &summaries);

/// The summary line's metric part: "accuracy 0.9012 (9012/10000)" for one chip, "accuracy
/// 0.9012 ± 0.0031 over 5 chips" for several, then agreement and max abs error likewise,
/// separated by " | " (empty when nothing was measured).
std::string metricsLine(const nlohmann::json &report, int64_t samples, int64_t repeats);

/// Collects StepKernel::report() of the linear layers (CimLinear and DigitalLinear steps) of
/// every repeat's executor.
class LayerReports {
public:
  /// Adds the reports of `executor`'s steps (run once per repeat, in repeat order).
  void add(const Executor &executor);
  /// One entry per CimLinear and DigitalLinear step in step order: the kernel's fields with
  /// "step", "samples" and "counters" summed over repeats, "cost" (per sample) averaged over
  /// them, "per_sample" (counters / samples) added; a CIM layer's with "chip_seeds" (one per
  /// repeat) instead of "chip_seed", and "dac_activity" and "digital_activity" added.
  nlohmann::json json() const;
  /// The chip's cost per sample: the layers' energies, areas and latencies (the layers run one
  /// after the other) added up, in the layers' "cost" fields.
  nlohmann::json chipCost() const;

private:
  std::vector<std::pair<size_t, nlohmann::json>> layers_; // (step, merged report)
  bool first_ = true;
};

} // namespace cimlir
