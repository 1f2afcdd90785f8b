#include "runtime/backends/cpu/CimSettings.h"

#include "kernels/cim/Quantization.h"
#include "core/Error.h"
#include "runtime/device/DeviceJson.h"

namespace cimlir {


namespace {

/// Where each field of a device file is among a CimLinear step's decisions; the sections
/// have the device file's names except crossbar (in `mapping`) and the hybrid bits.
const std::vector<std::pair<const char *, const char *>> &deviceFields() {
  static const std::vector<std::pair<const char *, const char *>> fields = {
      {"mapping.rows", "crossbar.rows"},
      {"mapping.cols", "crossbar.cols"},
      {"weights.bits", "weights.bits"},
      {"weights.slices", "weights.slices"},
      {"weights.granularity", "weights.granularity"},
      {"weights.clip_percentile", "weights.clip_percentile"},
      {"inputs.bits", "inputs.bits"},
      {"inputs.slices", "inputs.slices"},
      {"inputs.scale", "inputs.scale"},
      {"inputs.clip_percentile", "inputs.clip_percentile"},
      {"adc.mode", "adc.mode"},
      {"adc.bits", "adc.bits"},
      {"adc.percentile", "adc.percentile"},
      {"adc.noise_lsb", "adc.noise_lsb"},
      {"adc.samples", "adc.samples"},
      {"noise.read", "noise.read"},
      {"noise.program", "noise.program"},
      {"noise.stuck_at_min", "noise.stuck_at_min"},
      {"noise.stuck_at_max", "noise.stuck_at_max"},
      {"noise.seed", "noise.seed"},
      {"noise.chip_seed", "noise.chip_seed"},
  };
  return fields;
}

/// `slices` and `offsets` of a decision: offsets must be the sums of the widths below each.
void checkOffsets(const StepAttrs &a, const std::string &section) {
  std::vector<int64_t> widths = a.ints((section + ".slices").c_str());
  std::vector<int64_t> offsets = a.ints((section + ".offsets").c_str());
  std::vector<int64_t> expected(widths.size());
  for (size_t i = 1; i < widths.size(); ++i)
    expected[i] = expected[i - 1] + widths[i - 1];
  if (offsets != expected)
    a.fail("attribute '" + section + ".offsets' is not the sums of " + section +
           ".slices below each slice");
}

} // namespace

CimStepParams readCimStep(const StepAttrs &a, const CimOverrides &overrides) {
  if (a.has("settings"))
    a.fail("holds device settings instead of the compiler's decisions (a plan from an older "
           "cim-opt); compile the model again");
  // The device-file fields, validated by the device-file parser as any file is ("settings:
  // FIELD: ..."); the built-in `layers` entries it adds do not apply: the compiler already
  // resolved them for this node.
  nlohmann::ordered_json file = nlohmann::ordered_json::object();
  for (const auto &[at, field] : deviceFields()) {
    std::string f = field;
    size_t dot = f.find('.');
    file[f.substr(0, dot)][f.substr(dot + 1)] = a.raw(at);
  }
  file["inputs"]["hybrid_analog_bits"] = a.has("hybrid") ? a.i("hybrid.analog_bits") : 0;
  checkOffsets(a, "weights");
  checkOffsets(a, "inputs");
  CimStepParams out;
  try {
    out.settings = device::parseDevice(file, "settings").defaults;
    device::applySettings(out.settings, overrides.settings);
  } catch (const Error &e) {
    a.fail(e.what());
  }
  if (a.has("hybrid") &&
      a.i("hybrid.analog_qmax") != cim::symmetricQmax(out.settings.inputs.hybridAnalogBits))
    a.fail("attribute 'hybrid.analog_qmax' is not 2^(hybrid.analog_bits - 1) - 1");
  if (overrides.seed)
    out.settings.noise.seed = *overrides.seed;
  if (overrides.chipSeed)
    out.settings.noise.chipSeed = *overrides.chipSeed;
  out.settings.noise.chipSeed += overrides.chipSeedOffset; // wraps modulo 2^64 by definition
  out.weightScales = a.floats("weights.scales");
  out.fullScales = a.ints("adc.full_scales");
  out.layerIds = a.u64s("noise.layer_ids");
  if (a.has("inputs.static_scales"))
    out.staticScales = a.floats("inputs.static_scales");
  if (a.has("adc.calibrated_full_scales"))
    out.calibratedFullScales = a.floats("adc.calibrated_full_scales");
  return out;
}

cim::CimParams toCimParams(const device::LayerSettings &s, const std::string &where) {
  cim::CimParams p;
  p.weights.bits = s.weights.bits;
  p.weights.slices = s.weights.slices;
  p.weights.granularity = s.weights.granularity == device::Granularity::PerTensor
                              ? cim::WeightGranularity::PerTensor
                              : cim::WeightGranularity::PerChannel;
  p.weights.clipPercentile = s.weights.clipPercentile;

  p.inputs.bits = s.inputs.bits;
  p.inputs.slices = s.inputs.slices;
  p.inputs.scale = s.inputs.scale == device::InputScale::Static ? cim::InputScaleMode::Static
                                                                : cim::InputScaleMode::DynamicRow;
  p.inputs.clipPercentile = s.inputs.clipPercentile;
  p.inputs.hybridAnalogBits = s.inputs.hybridAnalogBits;

  p.crossbar.rows = s.crossbar.rows;
  p.crossbar.cols = s.crossbar.cols;

  switch (s.adc.mode) {
  case device::AdcMode::Ideal:
    p.adc.mode = cim::AdcMode::Ideal;
    break;
  case device::AdcMode::Full:
    p.adc.mode = cim::AdcMode::Full;
    break;
  case device::AdcMode::Dynamic:
    p.adc.mode = cim::AdcMode::Dynamic;
    break;
  case device::AdcMode::Calibrated:
    p.adc.mode = cim::AdcMode::Calibrated;
    break;
  }
  p.adc.bits = s.adc.bits;
  p.adc.noiseLsb = s.adc.noiseLsb;
  p.adc.samples = static_cast<int>(s.adc.samples); // the schema keeps it below 2^31

  p.noise.read = s.noise.read;
  p.noise.program = s.noise.program;
  p.noise.stuckAtMin = s.noise.stuckAtMin;
  p.noise.stuckAtMax = s.noise.stuckAtMax;
  p.noise.seed = s.noise.seed;
  p.noise.chipSeed = s.noise.chipSeed;
  // The calibrated values come later (the plan's, or calibration's own); check the rest with
  // stand-ins that validateCimParams accepts, so that a bad field is named here.
  cim::CimParams check = p;
  check.inputs.staticScale = 1.0f;
  check.adc.calibratedFullScales.assign(
      cim::resolvedInputSlices(p).size() * cim::resolvedWeightSlices(p).size(), 0.0f);
  cim::validateCimParams(check, where);
  return p;
}

void checkOverrides(const CimOverrides &overrides) {
  // A calibrated layer is the most permissive one: every run-time value that some layer can
  // take applies to it (adc.mode=calibrated is refused only on layers that are not).
  device::LayerSettings probe;
  // Each value's own type and range; the rules between fields are checked again on every
  // layer's final state (readCimStep), with its own values, naming the layer.
  probe.adc.mode = device::AdcMode::Calibrated;
  device::applySettings(probe, overrides.settings);
}

} // namespace cimlir
