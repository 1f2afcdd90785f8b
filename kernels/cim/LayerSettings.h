// cimlir CIM numerics: the settings of one CIM layer (cim-numerics.md §10), defined once.
//
// LayerSettings is what a device file says about one layer: the `crossbar`, `weights`,
// `inputs`, `adc`, `noise` and `digital` sections. The field table (layerFields) names every
// field with its kind, default, range and whether cim-run may change it, and every user of a
// layer's settings goes through it: the device-file reader and printer (runtime/device,
// DeviceSchema.cpp), the kernels' validateCimParams (CimParams.h), the runtime's reading of
// a CimLinear step and the cim dialect's verifier. Adding a field means one struct member and
// one table entry (LayerSettings.cpp), plus its use.
//
// This header is plain C++17 without exceptions in its interface, so that the compiler (built
// with -fno-exceptions) can include it. Host code: a device kernel takes the scalars it needs
// from CimParams.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cimlir::cim {

// ---- The enumerations; their spellings are in the table (enumNames) ----------------------

/// §1: a weight scale per output channel, or one per group.
enum class WeightGranularity { PerChannel, PerTensor };
/// Where a layer's integer weights come from: §1 on the float weights, or the model's own
/// integer weights and scales when it quantized them (a DequantizeLinear of int8 levels).
enum class WeightSource { Float, Model };
/// §3: a scale per row of x, or one calibrated scale per layer (`static`).
enum class InputScale { DynamicRow, Static };
/// §5: `calibrated` uses full scales measured at compile time.
enum class AdcMode { Ideal, Full, Dynamic, Calibrated };
/// §8: the precision of a layer kept digital.
enum class DigitalPrecision { Fp32, Bf16, Int8, W8A16 };
/// §9: how fresh normals come from the Philox words. `exact`: the series Box–Muller in IEEE
/// double, the same bits on every backend; `fast`: Box–Muller in float32 with each backend's
/// fast log, cos and sin, the same distribution (docs/device-files.md).
enum class NormalTransform { Exact, Fast };
/// How calibration sets a range (a `static` input scale's clip, a `calibrated` ADC's full
/// scale): the `percentile` of the magnitudes (the default), the clip of least squared
/// quantization error (`mse`), or the entropy threshold of INT8 tools (`kl`);
/// kernels/cim/RangeSearch.h.
enum class RangeMethod { Percentile, Mse, Kl };
/// The most bits `kl` searches for: its 2,048-bin histogram needs room for the levels.
constexpr int kKlMostBits = 8;

/// The spellings of an enumeration in device files, the IR, plans and messages, in the order
/// of its values: "per_channel", "per_tensor"; "dynamic_row", "static"; "ideal", "full",
/// "dynamic", "calibrated"; "fp32", "bf16", "int8", "w8a16"; "float", "model"; "exact", "fast";
/// "percentile", "mse", "kl".
template <typename Enum> const std::vector<std::string> &enumNames();
template <> const std::vector<std::string> &enumNames<WeightGranularity>();
template <> const std::vector<std::string> &enumNames<WeightSource>();
template <> const std::vector<std::string> &enumNames<InputScale>();
template <> const std::vector<std::string> &enumNames<AdcMode>();
template <> const std::vector<std::string> &enumNames<DigitalPrecision>();
template <> const std::vector<std::string> &enumNames<NormalTransform>();
template <> const std::vector<std::string> &enumNames<RangeMethod>();

template <typename Enum> const char *toString(Enum value) {
  const auto &names = enumNames<Enum>();
  const auto i = static_cast<size_t>(value);
  return i < names.size() ? names[i].c_str() : "?";
}
/// The names joined for messages: "fp32, bf16, int8, w8a16".
template <typename Enum> std::string enumNameList() {
  std::string out;
  for (const std::string &name : enumNames<Enum>())
    out += (out.empty() ? "" : ", ") + name;
  return out;
}
/// The value spelled `name`, or nothing.
template <typename Enum> std::optional<Enum> enumFromString(std::string_view name) {
  const auto &names = enumNames<Enum>();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return static_cast<Enum>(i);
  return std::nullopt;
}

// ---- The settings -------------------------------------------------------------------------

/// `crossbar` (§2): one array has `rows` word lines and `cols` bit lines; each output uses a
/// column pair, so an array holds cols/2 outputs of one slice.
struct CrossbarSettings {
  int64_t rows = 256;
  int64_t cols = 256;
  bool operator==(const CrossbarSettings &o) const { return rows == o.rows && cols == o.cols; }
};

/// `weights` (§1, §2): signed symmetric quantization to `bits`, magnitude bits sliced LSB first.
struct WeightSettings {
  int bits = 8;
  std::vector<int> slices = std::vector<int>(7, 1); ///< LSB first, summing to bits - 1
  WeightGranularity granularity = WeightGranularity::PerChannel;
  double clipPercentile = 100.0; ///< in (0, 100]
  WeightSource source = WeightSource::Float;
  bool operator==(const WeightSettings &o) const {
    return bits == o.bits && slices == o.slices && granularity == o.granularity &&
           clipPercentile == o.clipPercentile && source == o.source;
  }
};

/// `inputs` (§3, §7): signed symmetric quantization to `bits`, DAC slices LSB first.
struct InputSettings {
  int bits = 8;
  std::vector<int> slices = std::vector<int>(7, 1); ///< summing to bits - 1, or h - 1 if hybrid
  InputScale scale = InputScale::DynamicRow;
  double clipPercentile = 100.0;               ///< in (0, 100]
  RangeMethod range = RangeMethod::Percentile; ///< how calibration sets a `static` scale's clip
  int hybridAnalogBits = 0;                    ///< h of §7: 0 (off) or 2..bits
  /// SmoothQuant's α (cim-smooth-inputs, docs/numerics.md "Smoothing"): 0 (off) to 1.
  double smoothAlpha = 0.0;
  bool operator==(const InputSettings &o) const {
    return bits == o.bits && slices == o.slices && scale == o.scale &&
           clipPercentile == o.clipPercentile && range == o.range &&
           hybridAnalogBits == o.hybridAnalogBits && smoothAlpha == o.smoothAlpha;
  }
};

/// `adc` (§5).
struct AdcSettings {
  AdcMode mode = AdcMode::Full;
  int bits = 8;
  double percentile = 100.0; ///< the `calibrated` mode's full-scale percentile, in (0, 100]
  RangeMethod range = RangeMethod::Percentile; ///< how calibration sets the full scales
  double noiseLsb = 0.0;                       ///< σ_a, thermal noise in LSB
  int64_t samples = 1;                         ///< S, conversions averaged
  bool operator==(const AdcSettings &o) const {
    return mode == o.mode && bits == o.bits && percentile == o.percentile && range == o.range &&
           noiseLsb == o.noiseLsb && samples == o.samples;
  }
};

/// `noise` (§4, §9): σ values are relative to a cell's range r_j.
struct NoiseSettings {
  double read = 0.0;       ///< σ_r, fresh at every read
  double program = 0.0;    ///< σ_p, static per cell
  double stuckAtMin = 0.0; ///< probability that a cell reads level 0
  double stuckAtMax = 0.0; ///< probability that a cell reads level r_j
  uint64_t seed = 0;       ///< fresh effects (read and ADC noise)
  uint64_t chipSeed = 0;   ///< static effects (stuck-at faults, programming noise)
  NormalTransform normals = NormalTransform::Exact; ///< of the fresh effects
  bool operator==(const NoiseSettings &o) const {
    return read == o.read && program == o.program && stuckAtMin == o.stuckAtMin &&
           stuckAtMax == o.stuckAtMax && seed == o.seed && chipSeed == o.chipSeed &&
           normals == o.normals;
  }
};

/// `digital` (§8). In a device file, `"digital": true` is short for `{"enabled": true}`.
struct DigitalSettings {
  bool enabled = false; ///< the layer is computed digitally instead of on crossbars
  DigitalPrecision precision = DigitalPrecision::Fp32;
  bool operator==(const DigitalSettings &o) const {
    return enabled == o.enabled && precision == o.precision;
  }
};

/// Everything §1–§9 need to know about one layer from the device.
struct LayerSettings {
  CrossbarSettings crossbar;
  WeightSettings weights;
  InputSettings inputs;
  AdcSettings adc;
  NoiseSettings noise;
  DigitalSettings digital;
  bool isDigital() const { return digital.enabled; }
  bool operator==(const LayerSettings &o) const {
    return crossbar == o.crossbar && weights == o.weights && inputs == o.inputs && adc == o.adc &&
           noise == o.noise && digital == o.digital;
  }
  bool operator!=(const LayerSettings &o) const { return !(*this == o); }
};

/// `width` one-bit slices: the slices a `bits` field implies when no `slices` are given.
std::vector<int> oneBitSlices(int width);

// ---- The field table ----------------------------------------------------------------------

enum class FieldKind {
  Int,    ///< an integer in lo..hi
  Seed,   ///< an integer in 0..2^64 - 1
  Number, ///< a finite number in the range (lo excluded when loOpen; hi may be infinite)
  Enum,   ///< one of the enumeration's names
  Slices, ///< a list of slice widths, each 1..7 bits
  Bool,
};

/// A field's value, in the member its kind uses: Int and Enum (the index) in `integer`, Seed
/// in `seed`, Number in `number`, Slices in `slices`, Bool in `boolean`.
struct FieldValue {
  int64_t integer = 0;
  uint64_t seed = 0;
  double number = 0.0;
  std::vector<int> slices;
  bool boolean = false;
};

/// What LayerField::check finds wrong with a value: `what` follows the value in a message
/// ("is outside 2..16", "is negative", "is neither 0 nor in 2..16"); for a Slices field,
/// `element` is the index of the first bad width (whose value `what` then follows), else -1.
struct FieldProblem {
  int element = -1;
  std::string what;
};

/// A rule that a layer's settings break: the field path it names and what is wrong.
struct SettingsProblem {
  std::string field;
  std::string what;
};

struct LayerField {
  const char *section;
  const char *name;
  FieldKind kind;
  double lo = 0, hi = 0;      ///< Int, Number (and each Slices entry): the range
  bool loOpen = false;        ///< Number: lo itself is outside ((0, 100] for percentiles)
  bool zeroOrRange = false;   ///< Int: 0 is allowed besides lo..hi (inputs.hybrid_analog_bits)
  const char *rangeNote = ""; ///< said after a range error, e.g. " (a slice is 1 to 7 bits)"
  const std::vector<std::string> *choices = nullptr; ///< Enum: enumNames<...>()
  bool runtime = false; ///< cim-run --set may change it (§10: adc.* and noise.*)
  /// Added after plan format v1: a plan written before it may lack the field, which then takes
  /// its default (noise.normals).
  bool laterThanPlans = false;
  FieldValue (*get)(const LayerSettings &) = nullptr;
  void (*set)(LayerSettings &, const FieldValue &) = nullptr;

  /// "section.name".
  std::string key() const;
  /// The decision that holds the field as it is, in a cim.linear (an attribute of that name,
  /// dialects/cim/CimAttrs.td) and in a plan's CimLinear step (docs/plan-format.md): its
  /// section, but `mapping` for `crossbar`; nullptr for `digital` (no CIM layer is digital)
  /// and inputs.hybrid_analog_bits (the `hybrid` decision holds h as analog_bits).
  const char *decision() const;
  /// The range as messages print it: "2..16", "(0, 100]", "0..inf".
  std::string rangeText() const;
  /// `value` (of this field's kind) as device files spell it: 8, 0.01, "full", [1,2,2].
  std::string format(const FieldValue &value) const;
  /// Whether `value` (of this field's kind) is in range; else what is wrong with it.
  std::optional<FieldProblem> check(const FieldValue &value) const;
  /// `problem` (from check(value)) for a message about the field called `name` where it
  /// stands ("adc.bits", "settings.weights.slices", "weights.slices"): {name + "[2]", "9 is
  /// outside 1..7 ..."} for a bad slice, {name, "20 is outside 2..16"} otherwise.
  SettingsProblem describe(const std::string &name, const FieldValue &value,
                           const FieldProblem &problem) const;
  /// Enum: the name of `value`, or null for an index outside the enumeration.
  const std::string *choice(const FieldValue &value) const;
  /// Enum: the name of `value`, or "?" outside the enumeration (for output, never a crash).
  std::string choiceName(const FieldValue &value) const;
};

/// The sections in the order of device files and docs/device-files.md.
const std::vector<std::string> &layerSections();
/// Every field, in the order device files are printed and documented.
const std::vector<LayerField> &layerFields();
/// The fields `decision` holds (LayerField::decision), in table order.
std::vector<const LayerField *> decisionFields(std::string_view decision);
/// The field "section.name", or nullptr.
const LayerField *findLayerField(std::string_view key);
/// The fields of `section`, in table order.
std::vector<const LayerField *> sectionFields(std::string_view section);

/// The rules across fields of one layer's settings (§10): slice widths that sum to the
/// magnitude bits, h in 0 or 2..inputs.bits, rows·(2^max a − 1)·(2^max b − 1) < 2^31, p_min +
/// p_max <= 1, a searched `range` (`mse`, `kl`) only for `static` inputs and
/// with its section's percentile at 100. Each field's own range is checked by LayerField::check.
std::optional<SettingsProblem> checkAcrossFields(const LayerSettings &settings);

/// Every field's range (LayerField::check) and then checkAcrossFields: the first problem.
std::optional<SettingsProblem> checkLayerSettings(const LayerSettings &settings);

/// A number as device files and messages print it: the shortest text that reads back as the
/// same double, with ".0" on integral values ("0.6", "100.0", "1e+300").
std::string formatNumber(double value);

} // namespace cimlir::cim
