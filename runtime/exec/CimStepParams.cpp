#include "runtime/exec/CimStepParams.h"

#include "core/Error.h"
#include "core/ShapeMath.h"
#include "kernels/cim/Quantization.h"
#include "runtime/device/DeviceJson.h"

namespace cimlir {

namespace {

/// `slices` and `offsets` of a decision: offsets must be the sums of the widths below each.
void checkOffsets(const StepAttrs &a, const std::string &section) {
  std::vector<int64_t> widths = a.ints((section + ".slices").c_str());
  std::vector<int64_t> offsets = a.ints((section + ".offsets").c_str());
  // The widths come from the file: their sums are checked before the widths' own range is.
  std::vector<int64_t> expected(widths.size());
  bool fits = true;
  for (size_t i = 1; i < widths.size() && fits; ++i) {
    std::optional<int64_t> sum = checkedAdd(expected[i - 1], widths[i - 1]);
    fits = sum.has_value();
    expected[i] = sum.value_or(0);
  }
  if (!fits || offsets != expected)
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
  for (const cim::LayerField &f : cim::layerFields())
    if (const char *decision = f.decision()) {
      const std::string key = std::string(decision) + "." + f.name;
      if (f.laterThanPlans && !a.has(key.c_str()))
        continue; // a plan from before the field: its default

      file[f.section][f.name] = a.raw(key.c_str());
    }
  file["inputs"]["hybrid_analog_bits"] = a.has("hybrid") ? a.i("hybrid.analog_bits") : 0;
  checkOffsets(a, "weights");
  checkOffsets(a, "inputs");
  CimStepParams out;
  try {
    out.settings = device::parseDevice(file, "settings").defaults;
    device::applySettings(out.settings, overrides.settings, a.step().name);
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
  static_cast<cim::LayerSettings &>(p) = s;
  // The calibrated values come later (the plan's, or calibration's own); check the rest with
  // stand-ins that validateCimParams accepts, so that a bad field is named here.
  cim::CimParams check = p;
  check.staticScale = 1.0f;
  check.calibratedFullScales.assign(p.inputs.slices.size() * p.weights.slices.size(), 0.0f);
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
  device::checkSettings(probe, overrides.settings);
}

void checkOverrideGlobs(const CimOverrides &overrides, const Program &program) {
  std::vector<std::string> layers;
  for (const Step &step : program.steps())
    if (step.op == "CimLinear")
      layers.push_back(step.name);
  if (std::string error = device::unmatchedSetGlob(overrides.settings, layers); !error.empty())
    throw Error(error);
}

} // namespace cimlir
