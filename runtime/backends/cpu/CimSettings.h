// cimlir runtime: the device settings of a CimLinear step, as the CPU kernel runs them.
//
// The compiler writes each CimLinear step's resolved settings (device::toJsonText of the
// layer's LayerSettings) into the plan. At plan load the backend reads them back, applies the
// run-time overrides of cim-run (--set, --seed, --chip-seed, the chip of --repeats) exactly as
// cim-numerics.md §10 allows, and converts them to the kernel's CimParams. Keeping this apart
// from the kernel keeps one place that decides what a run may change.
#pragma once

#include "kernels/cpu/cim/CimParams.h"
#include "runtime/device/DeviceConfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// Run-time parameters of every CIM layer of a run (cim-numerics.md §10: adc.* and noise.*).
struct CimOverrides {
  /// "KEY=VALUE" assignments, applied in order with device::applySetting's rules.
  std::vector<std::string> settings;
  /// noise.seed and noise.chip_seed; applied after `settings` (cim-run --seed, --chip-seed).
  std::optional<uint64_t> seed;
  std::optional<uint64_t> chipSeed;
  /// Added to each layer's chip seed, modulo 2^64, last: chip r of cim-run --repeats is
  /// chip_seed + r.
  uint64_t chipSeedOffset = 0;
};

/// The settings a CimLinear step runs with: `settingsText` (the step's "settings" attribute)
/// parsed and validated, then the overrides. Throws cimlir::Error (naming `where` and the
/// field) for invalid text, for a layer whose settings say digital (the compiler emits plain
/// onnx ops for those, never CimLinear), and for an override that §10 refuses.
device::LayerSettings cimStepSettings(const std::string &settingsText,
                                      const CimOverrides &overrides, const std::string &where);

/// The CPU kernel's parameters for `settings` (layerId and noise.repeat left 0). Throws
/// cimlir::Error naming `where` for what the kernel does not implement yet: `static` input
/// scales and the `calibrated` ADC (both come with calibration).
cpu::cim::CimParams toCimParams(const device::LayerSettings &settings, const std::string &where);

/// Checks the overrides before anything runs, so that a bad --set is refused even by a plan
/// without CIM layers: a malformed assignment, a key that is not a run-time parameter, or a
/// value outside the field's rules. Throws the applySetting error ("--set: ...").
void checkOverrides(const CimOverrides &overrides);

} // namespace cimlir
