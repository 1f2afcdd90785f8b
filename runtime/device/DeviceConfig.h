// cimlir device files (cim-numerics.md §10): the one definition of the schema, shared by
// cim-opt (which compiles a device into a plan) and cim-run (which changes its run-time
// parameters with --set). docs/device-files.md is the user's reference.
//
// This header is free of nlohmann-json and of exceptions in its interface so that the
// compiler (built with -fno-exceptions) can include it and call the try*() forms. The
// throwing forms throw cimlir::Error with one line naming the file (or preset, or --set)
// and the JSON field path: "dev.json: adc.bits: 20 is outside 2..16".
// DeviceJson.h adds the nlohmann-json forms (parseDevice, toJson) for the runtime.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cimlir::device {

// ---- The settings of one layer (each struct is one section of the file) -------------------

/// `crossbar` (§2): one array has `rows` word lines and `cols` bit lines; each output uses a
/// column pair, so an array holds cols/2 outputs of one slice.
struct CrossbarConfig {
  int64_t rows = 256;
  int64_t cols = 256;
  bool operator==(const CrossbarConfig &o) const { return rows == o.rows && cols == o.cols; }
};

enum class Granularity { PerChannel, PerTensor };

/// `weights` (§1, §2): signed symmetric quantization to `bits`, magnitude bits sliced LSB first.
struct WeightConfig {
  int bits = 8;
  std::vector<int> slices = std::vector<int>(7, 1); ///< LSB first, sums to bits - 1
  Granularity granularity = Granularity::PerChannel;
  double clipPercentile = 100.0; ///< in (0, 100]
  bool operator==(const WeightConfig &o) const {
    return bits == o.bits && slices == o.slices && granularity == o.granularity &&
           clipPercentile == o.clipPercentile;
  }
};

enum class InputScale { DynamicRow, Static };

/// `inputs` (§3, §7): signed symmetric quantization to `bits`, DAC slices LSB first.
struct InputConfig {
  int bits = 8;
  std::vector<int> slices = std::vector<int>(7, 1); ///< sums to bits - 1, or h - 1 if hybrid
  InputScale scale = InputScale::DynamicRow;
  double clipPercentile = 100.0; ///< in (0, 100]
  int hybridAnalogBits = 0;      ///< h: 0 (off) or 2..bits (§7)
  bool operator==(const InputConfig &o) const {
    return bits == o.bits && slices == o.slices && scale == o.scale &&
           clipPercentile == o.clipPercentile && hybridAnalogBits == o.hybridAnalogBits;
  }
};

enum class AdcMode { Ideal, Full, Dynamic, Calibrated };

/// `adc` (§5).
struct AdcConfig {
  AdcMode mode = AdcMode::Full;
  int bits = 8;
  double percentile = 100.0; ///< calibrated mode's full scale percentile, in (0, 100]
  double noiseLsb = 0.0;     ///< σ_a, thermal noise in LSB
  int64_t samples = 1;       ///< S, conversions averaged
  bool operator==(const AdcConfig &o) const {
    return mode == o.mode && bits == o.bits && percentile == o.percentile &&
           noiseLsb == o.noiseLsb && samples == o.samples;
  }
};

/// `noise` (§4, §9): levels are in units of the cell's range.
struct NoiseConfig {
  double read = 0.0;    ///< σ_r, fresh at every read
  double program = 0.0; ///< σ_p, static per cell
  double stuckAtMin = 0.0;
  double stuckAtMax = 0.0;
  uint64_t seed = 0;     ///< fresh effects
  uint64_t chipSeed = 0; ///< static effects
  bool operator==(const NoiseConfig &o) const {
    return read == o.read && program == o.program && stuckAtMin == o.stuckAtMin &&
           stuckAtMax == o.stuckAtMax && seed == o.seed && chipSeed == o.chipSeed;
  }
};

enum class DigitalPrecision { Fp32, Bf16, Int8, W8A16 };

/// `digital` (§8). In a file, `"digital": true` is short for `"digital": {"enabled": true}`.
struct DigitalConfig {
  bool enabled = false; ///< the layer is computed digitally instead of on CIM
  DigitalPrecision precision = DigitalPrecision::Fp32;
  bool operator==(const DigitalConfig &o) const {
    return enabled == o.enabled && precision == o.precision;
  }
};

/// Everything §1-§9 need for one layer: the file's defaults with the matching `layers`
/// entries merged in (resolveLayer).
struct LayerSettings {
  CrossbarConfig crossbar;
  WeightConfig weights;
  InputConfig inputs;
  AdcConfig adc;
  NoiseConfig noise;
  DigitalConfig digital;
  bool isDigital() const { return digital.enabled; }
  bool operator==(const LayerSettings &o) const {
    return crossbar == o.crossbar && weights == o.weights && inputs == o.inputs && adc == o.adc &&
           noise == o.noise && digital == o.digital;
  }
  bool operator!=(const LayerSettings &o) const { return !(*this == o); }
};

/// One `layers` entry: node names matching `glob` get `overrides` merged in.
struct LayerEntry {
  std::string glob;
  /// The partial settings as canonical compact JSON text (sections and fields in the order
  /// of docs/device-files.md, numbers normalised, `"digital": true` spelled as an object).
  std::string overrides;
  bool operator==(const LayerEntry &o) const { return glob == o.glob && overrides == o.overrides; }
};

/// A validated device file.
struct DeviceConfig {
  std::string name;
  LayerSettings defaults;
  /// The effective entries in the order they apply: the built-in default entries that the
  /// file did not replace, then the file's entries in file order.
  std::vector<LayerEntry> layers;
  /// Where it came from, for messages: the path, or "preset NAME". Not part of the device:
  /// operator==, toJson and fingerprint ignore it.
  std::string source;
  bool operator==(const DeviceConfig &o) const {
    return name == o.name && defaults == o.defaults && layers == o.layers;
  }
  bool operator!=(const DeviceConfig &o) const { return !(*this == o); }
};

// ---- Loading ----------------------------------------------------------------------------

/// §10's rule for `--device X`: X names a file if one exists at that path, else a preset;
/// neither -> Error listing the presets.
DeviceConfig loadDevice(const std::string &fileOrPreset);

/// Parses and validates device-file text. `sourceName` is what the messages name (the path).
/// Syntax errors name the line and column: "dev.json:3:14: JSON syntax error: ...".
DeviceConfig parseDeviceText(std::string_view text, const std::string &sourceName);

/// The structural rules of device files for any JSON text (for the compiler, which has no
/// exceptions: the calibration table): valid JSON, nesting at most 64 levels deep, no key twice
/// in one object. Returns "" when the text passes, else one error line naming `sourceName` and
/// the path ("t.json: layers.\"/fc\".groups[0].input_scale: duplicate field (...)"). The
/// depth is checked before anything recursive reads the text.
std::string checkJsonText(std::string_view text, const std::string &sourceName) noexcept;

/// The presets, in the order the docs list them: digital, cim-ideal, rram-256, harsh.
const std::vector<std::string> &presetNames();
bool isPreset(const std::string &name);
/// The JSON text of a preset (Presets.cpp); throws Error for an unknown name.
const std::string &presetText(const std::string &name);

// ---- Per-layer settings -----------------------------------------------------------------

/// The settings of the node named `nodeName`: the defaults, then every matching entry of
/// `layers` in order (later ones override earlier ones, field by field). Throws Error if the
/// merged entries together are invalid (each entry alone was checked when the file loaded).
LayerSettings resolveLayer(const DeviceConfig &device, const std::string &nodeName);

/// `*` matches any run of characters ('/' included), every other character itself; the glob
/// must match the whole name.
bool globMatch(std::string_view glob, std::string_view name);

/// The built-in default `layers` entries every device starts with ("/lm_head*" digital).
const std::vector<LayerEntry> &defaultLayerEntries();

// ---- Run-time parameters (cim-run --set) ------------------------------------------------

/// `--set KEY=VALUE`: changes one run-time parameter (adc.mode, adc.bits, adc.noise_lsb,
/// adc.samples, noise.*) of `settings`, with the file's type and range rules (an integer
/// field takes an integer only). Any other known field -> Error "KEY is fixed when the plan is
/// compiled; recompile with cim-opt"; adc.mode=calibrated is refused unless the layer already
/// is calibrated (its full scales come from calibration at compile time).
void applySetting(LayerSettings &settings, const std::string &key, const std::string &value);
/// The same with "KEY=VALUE" in one string.
void applySetting(LayerSettings &settings, const std::string &assignment);
/// Several "KEY=VALUE" assignments in order (cim-run's --set list): each value is checked
/// with its own field's type and range as it is applied; the rules between fields (p_min +
/// p_max <= 1, adc.mode=calibrated only on a calibrated layer) are checked once, on the final
/// state. On error `settings` is left as it was.
void applySettings(LayerSettings &settings, const std::vector<std::string> &assignments);
/// The keys applySetting accepts.
const std::vector<std::string> &runtimeSettingKeys();

// ---- Printing and identity ----------------------------------------------------------------

/// The resolved file (every field, defaults filled in, the effective layers list) as JSON
/// text; parseDeviceText(toJsonText(d)) == d. indent < 0: compact.
std::string toJsonText(const DeviceConfig &device, int indent = 2);
/// One layer's complete settings as a JSON object text (the sections of the file, no name).
std::string toJsonText(const LayerSettings &settings, int indent = -1);

/// FNV-1a 64 of the compact canonical JSON (toJsonText(device, -1)), for the plan header.
uint64_t fingerprint(const DeviceConfig &device);

const char *toString(Granularity g);
const char *toString(InputScale s);
const char *toString(AdcMode m);
const char *toString(DigitalPrecision p);

// ---- Exception-free forms for the compiler (-fno-exceptions) ------------------------------

/// loadDevice; returns "" on success, else the one-line error (out is then unchanged).
std::string tryLoadDevice(const std::string &fileOrPreset, DeviceConfig &out);
/// parseDeviceText; returns "" on success, else the one-line error (out is then unchanged).
std::string tryParseDeviceText(std::string_view text, const std::string &sourceName,
                               DeviceConfig &out);
/// resolveLayer; returns "" on success, else the one-line error.
std::string tryResolveLayer(const DeviceConfig &device, const std::string &nodeName,
                            LayerSettings &out);

} // namespace cimlir::device
