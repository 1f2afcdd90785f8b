// cimlir CIM numerics: what the kernel of one CIM layer (one group) runs with.
//
// CimParams is the layer's settings (LayerSettings.h: the device file's fields, one
// definition) plus the values the compiler derived for this layer and the run's repeat
// index. validateCimParams() checks them with the same field table and rules as device files,
// and throws cimlir::Error naming the field.
//
// Which fields take effect where:
//  - programming the chip (ProgrammedWeights, kernels/cpu/cim/WeightProgramming.h):
//    weights.*, noise.program, noise.stuckAtMin/Max, noise.chipSeed, layerId;
//  - every call (cimLinear, kernels/cpu/cim/CimLinear.h): inputs.*, crossbar.*, adc.*,
//    noise.read, noise.seed, repeat, and the compiled values. cimLinear refuses weights
//    programmed with different programming fields. `digital` and adc.percentile (a compile-time
//    choice) do not take effect here.
#pragma once

#include "kernels/cim/CrossbarMapping.h"
#include "kernels/cim/LayerSettings.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir::cim {

struct CimParams : LayerSettings {
  /// s_x of `static` inputs (§3), from calibration; > 0.
  float staticScale = 0.0f;
  /// The full scales of the `full` ADC, one per (row block r, input slice i, weight slice j)
  /// at index (r·T + i)·S + j; empty means fullModeScales(). A plan carries them (written by
  /// the compiler's cim-configure-adc pass), and the runtime passes them on.
  std::vector<int64_t> fullScales;
  /// FS of the `calibrated` ADC per (input slice i, weight slice j), at [i·S + j], from
  /// calibration (kernels/cpu/cim/Calibration.h); finite and >= 0.
  std::vector<float> calibratedFullScales;
  /// The repetition index of a run (cim-run --repeats): keys the fresh stream with the seed.
  uint64_t repeat = 0;
  /// FNV-1a 64 of "<node name>#g<group>" (LayerId.h).
  uint64_t layerId = 0;
};

/// Throws cimlir::Error ("WHERE: FIELD: VALUE is outside 2..16") unless the settings pass the
/// device-file rules (checkLayerSettings) and the compiled values fit them: a positive finite
/// staticScale for `static` inputs, T·S finite calibratedFullScales >= 0 for the `calibrated`
/// ADC.
void validateCimParams(const CimParams &params, const std::string &where = "cim layer");

/// Throws cimlir::Error (naming `where`) unless params.fullScales is empty or holds one
/// full scale >= 0 per (row block, input slice, weight slice) of a layer with K rows and
/// `weightSlices` weight slices.
void validateFullScales(const CimParams &params, int64_t K, size_t weightSlices,
                        const std::string &where);

/// Offsets of slices (LSB first): offsets[i] = sum of widths[l] for l < i.
std::vector<int> sliceOffsets(const std::vector<int> &widths);
/// §5's `full` mode full scales of a layer with K rows: FS[(r·T + i)·S + j] = R_r·(2^{a_i} - 1)·
/// (2^{b_j} - 1), the largest ideal |P| of row block r (R_r rows: `rows`, the last block what
/// is left), DAC slice i (widths `inputSlices`, T of them) and weight slice j (`weightSlices`,
/// S of them).
std::vector<int64_t> fullModeScales(int64_t K, int64_t rows, const std::vector<int> &inputSlices,
                                    const std::vector<int> &weightSlices);

} // namespace cimlir::cim
