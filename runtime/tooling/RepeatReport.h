// cimlir runtime: what cim-run reports about CIM chips: the metrics of `--repeats N` chips
// (each value, mean and standard deviation) and the per-layer CIM counters.
//
// Each repeat is a fresh chip (chip seed + r) evaluated on the same samples, so a metric's
// spread over repeats is the chip-to-chip (and read-noise) variation a hardware researcher
// asks about. The std is the sample standard deviation (divisor N - 1), 0 for one chip.
#pragma once

#include "runtime/device/CostModel.h"
#include "runtime/exec/Executor.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
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
/// the executors that ran the chips (one per repeat, or several per repeat when the samples are
/// shared among processes), and prices them (runtime/device/CostModel.h) from their summed
/// counters: the report does not depend on how the samples were shared.
class LayerReports {
public:
  /// Adds the reports of `executor`'s linear steps, which ran chip `repeat` on some samples
  /// (samples in order: those of earlier chips and earlier samples first).
  void add(const Executor &executor, int64_t repeat);
  /// What add() collected, for another process to merge(); merge takes the collections of the
  /// samples after this one's.
  nlohmann::json state() const;
  void merge(const nlohmann::json &state);
  /// One entry per CimLinear and DigitalLinear step in step order: the kernel's fields of the
  /// first chip with "step", "samples" and "counters" summed over chips and "per_sample"
  /// (counters / samples) added, and "cost", the counters priced with `cost` per sample; a CIM
  /// layer's with "chip_seeds" (one per chip) instead of "chip_seed", and "dac_activity" and
  /// "digital_activity".
  nlohmann::json json(const device::CostSettings &cost) const;
  /// The chip's cost per sample: the layers' energies, areas and latencies (the layers run one
  /// after the other) added up, in the layers' "cost" fields.
  nlohmann::json chipCost(const device::CostSettings &cost) const;

private:
  /// Adds one step's report (its "chip_seed" being chip `repeat`'s) or a merged one.
  void addLayer(size_t step, const nlohmann::json &report,
                const std::map<int64_t, nlohmann::json> &chipSeeds);

  struct Layer {
    nlohmann::json report;                       ///< the first chip's, counters summed
    std::map<int64_t, nlohmann::json> chipSeeds; ///< by repeat (CIM layers)
  };
  std::map<size_t, Layer> layers_; // by step
};

} // namespace cimlir
