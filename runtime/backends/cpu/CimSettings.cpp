#include "runtime/backends/cpu/CimSettings.h"

#include "runtime/core/Error.h"

namespace cimlir {

namespace cim = cpu::cim;

device::LayerSettings cimStepSettings(const std::string &settingsText,
                                      const CimOverrides &overrides, const std::string &where) {
  // The text is a device file without `name` and `layers`; its top-level sections are the
  // layer's settings. The built-in `layers` entries the parser adds do not apply: the
  // compiler already resolved them for this node.
  device::LayerSettings settings = device::parseDeviceText(settingsText, where).defaults;
  if (settings.isDigital())
    throw Error(where + ": digital.enabled is true, but a digital layer is compiled to plain "
                        "onnx ops, never to CimLinear (plan from a mismatched cim-opt?)");
  for (const std::string &assignment : overrides.settings)
    device::applySetting(settings, assignment);
  if (overrides.seed)
    settings.noise.seed = *overrides.seed;
  if (overrides.chipSeed)
    settings.noise.chipSeed = *overrides.chipSeed;
  settings.noise.chipSeed += overrides.chipSeedOffset; // wraps modulo 2^64 by definition
  return settings;
}

cim::CimParams toCimParams(const device::LayerSettings &s, const std::string &where) {
  cim::CimParams p;
  p.weights.bits = s.weights.bits;
  p.weights.slices = s.weights.slices;
  p.weights.granularity = s.weights.granularity == device::Granularity::PerTensor
                              ? cim::WeightGranularity::PerTensor
                              : cim::WeightGranularity::PerChannel;
  p.weights.clipPercentile = s.weights.clipPercentile;

  if (s.inputs.scale == device::InputScale::Static)
    throw Error(where + ": inputs.scale 'static' is not implemented yet (it needs calibration); "
                        "use dynamic_row");
  p.inputs.bits = s.inputs.bits;
  p.inputs.slices = s.inputs.slices;
  p.inputs.scale = cim::InputScaleMode::DynamicRow;
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
    throw Error(where + ": adc.mode 'calibrated' is not implemented yet (it needs calibration); "
                        "use --set adc.mode=full or dynamic");
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
  cim::validateCimParams(p, where);
  return p;
}

void checkOverrides(const CimOverrides &overrides) {
  // A calibrated layer is the most permissive one: every run-time value that some layer can
  // take applies to it (adc.mode=calibrated is refused only on layers that are not).
  device::LayerSettings probe;
  probe.adc.mode = device::AdcMode::Calibrated;
  for (const std::string &assignment : overrides.settings)
    device::applySetting(probe, assignment);
}

} // namespace cimlir
