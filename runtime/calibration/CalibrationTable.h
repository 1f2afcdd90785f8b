// cimlir calibration tables (docs/numerics.md, "Calibration"): the one typed definition, with
// its one writer and reader.
//
// cim-opt --calibration measures a Table (runtime/tooling/CalibrationRun.h) and hands it to
// cim-apply-calibration in memory; --save-calibration writes it with writeTable, and
// --calibration-table (or the pass's table=FILE) reads it back with readTable. Both are
// exception-free, for the compiler. The JSON:
//   {"format": "cimlir-calibration", "version": 1, "dataset": ..., "samples": N,
//    "layers": {"NAME": {"groups": [{"input_scale": s, "adc_full_scales": [FS...]}, ...],
//                        "input_channel_max": [m...],
//                        "measured_for": {"weights.bits": 8, ...}}}}
// The reader checks the form: fields, their JSON types, format and version, the rules of
// every JSON reader of ours (runtime/json/StrictJson.h: size, nesting, duplicate keys). What the
// values must be for a layer (how many groups and full scales, finite and positive) the pass checks
// where a layer uses them.
#pragma once

#include "kernels/cim/CimParams.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cimlir::calibration {

inline constexpr const char *kFormat = "cimlir-calibration";
inline constexpr int64_t kVersion = 1;
/// No table is larger (a few numbers per layer and group).
inline constexpr size_t kMaxTableBytes = 64u << 20;

/// One group's calibrated values: s_x of `static` inputs, FS of a `calibrated` ADC per
/// (input slice i, weight slice j) at [i·S + j]. Each is there only where calibrated.
struct Group {
  std::optional<double> inputScale;
  std::optional<std::vector<double>> adcFullScales;
};

struct Layer {
  /// Missing in a hand-written table that names the layer without values.
  std::optional<std::vector<Group>> groups;
  /// max |x_c| per input channel c of the layer (a Gemm's or MatMul's K, a Conv's C, over all
  /// groups) in the fp32 network before smoothing: what cim-smooth-inputs scales by (a layer
  /// with inputs.smooth_alpha > 0). It depends on the model and the data only.
  std::optional<std::vector<double>> inputChannelMax;
  /// What the values were measured for, as decision keys ("weights.bits", "hybrid.analog_bits",
  /// "crossbar.rows", "adc.percentile", ...) and their JSON values, in the file's order; the
  /// pass refuses the table for a layer whose decisions differ.
  std::vector<std::pair<std::string, std::string>> measuredFor;
};

struct Table {
  std::string dataset; ///< what was run (Dataset::describe)
  int64_t samples = 0;
  std::map<std::string, Layer> layers; ///< keyed by ONNX node name
};

/// The measured_for entries of a layer calibrated with `params` at `percentile`: the values
/// the calibrated numbers depend on (crossbar rows, weights, inputs and their smoothing,
/// hybrid bits, adc.percentile).
std::vector<std::pair<std::string, std::string>> measuredFor(const cim::CimParams &params,
                                                             double percentile);

/// The table as JSON text (2-space indent, a final newline) into `json`. Returns "" or one
/// line saying what failed; never throws.
std::string writeTable(const Table &table, std::string &json) noexcept;

/// Reads table text. Returns "" (and fills `out`) or one line "SOURCE: PATH: WHAT" naming
/// the field ("t.json: layers.fc.groups[0].input_scale: expected a number"); never throws.
std::string readTable(std::string_view text, const std::string &source, Table &out) noexcept;

} // namespace cimlir::calibration
