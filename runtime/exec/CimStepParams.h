// cimlir runtime: a CimLinear step decoded, for every backend: its parameters and the run's
// overrides.
//
// The compiler's passes decide every parameter of a CIM layer and write them into its
// CimLinear step (docs/plan-format.md): `weights`, `inputs`, `hybrid`, `mapping`, `adc` and
// `noise`. At plan load the backend reads those decisions back (readCimStep), with the
// device-file fields among them validated by the device-file rules; applies the run-time
// overrides of cim-run (--set, --seed, --chip-seed, the chip of --repeats) exactly as
// cim-numerics.md §10 allows; and converts them to the kernel's CimParams (toCimParams).
// Keeping this apart from the kernel keeps one place that decides what a run may change.
#pragma once

#include "kernels/cim/CimParams.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/exec/Program.h"
#include "runtime/exec/StepAttrs.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// Run-time parameters of every CIM layer of a run (cim-numerics.md §10: adc.* and noise.*).
struct CimOverrides {
  /// "KEY=VALUE" assignments for every CIM layer and "GLOB:KEY=VALUE" for the layers GLOB
  /// matches, applied in order with device::applySettings' rules.
  std::vector<std::string> settings;
  /// noise.seed and noise.chip_seed; applied after `settings` (cim-run --seed, --chip-seed).
  std::optional<uint64_t> seed;
  std::optional<uint64_t> chipSeed;
  /// Added to each layer's chip seed, modulo 2^64, last: chip r of cim-run --repeats is
  /// chip_seed + r.
  uint64_t chipSeedOffset = 0;
};

/// What a CimLinear step's plan decided, with the overrides applied.
struct CimStepParams {
  /// The device-file fields of the decisions (crossbar from `mapping`, weights, inputs with
  /// h from `hybrid`, adc, noise; digital off), after the overrides.
  device::LayerSettings settings;
  std::vector<float> weightScales; ///< weights.scales: s_w of the whole layer
  std::vector<int64_t> fullScales; ///< adc.full_scales, per (row block, input, weight slice)
  std::vector<uint64_t> layerIds;  ///< noise.layer_ids, one per group
  /// inputs.static_scales: s_x per group (`static` inputs only; cim-apply-calibration).
  std::vector<float> staticScales;
  /// adc.calibrated_full_scales: FS per (group, input slice i, weight slice j) at
  /// (g·T + i)·S + j (a `calibrated` ADC only; cim-apply-calibration).
  std::vector<float> calibratedFullScales;
};

/// Reads a CimLinear step's decisions and applies `overrides`. Throws cimlir::Error naming
/// the step for a missing or mistyped attribute, values the device-file rules refuse, slice
/// offsets that are not the sums of the widths below them, an analog clamp that is not
/// 2^(h-1) - 1, and an override that §10 refuses.
CimStepParams readCimStep(const StepAttrs &attrs, const CimOverrides &overrides);

/// The kernel's parameters for `settings` (layerId, repeat and fullScales left empty).
/// `static` inputs and the `calibrated` ADC keep their values (staticScale,
/// calibratedFullScales) empty: the caller sets them (from the plan, or from calibration
/// itself) and the kernel validates them. Throws cimlir::Error
/// naming `where` for any other field validateCimParams refuses.
cim::CimParams toCimParams(const device::LayerSettings &settings, const std::string &where);

/// Checks the overrides before anything runs, so that a bad --set is refused even by a plan
/// without CIM layers: a malformed assignment, a key that is not a run-time parameter, or a
/// value outside the field's rules. Throws the applySetting error ("--set: ...").
void checkOverrides(const CimOverrides &overrides);

/// Checks that every GLOB:KEY=VALUE of the overrides matches a CIM layer of `program` (by its
/// name, as the report lists the layers). Throws the one-line error naming the glob and the
/// plan's CIM layers.
void checkOverrideGlobs(const CimOverrides &overrides, const Program &program);

} // namespace cimlir
