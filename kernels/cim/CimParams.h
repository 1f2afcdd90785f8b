// cimlir CIM kernels: one CIM layer's parameters, as the CPU kernels need them.
//
// A plain struct mirroring the fields of a device file (cim-numerics.md §10) after per-layer
// overrides are resolved. It is deliberately independent of the device-file library: whoever
// resolves a device file fills one of these per layer (and group). validateCimParams() checks
// the rules of §10 that the kernels rely on and throws cimlir::Error naming the field.
//
// Which fields take effect where:
//  - programming the chip (programWeights, WeightProgramming.h): weights.*, noise.program,
//    noise.stuckAtMin/Max, noise.chipSeed, layerId;
//  - every call (cimLinear, CimLinear.h): inputs.*, crossbar.*, adc.*, noise.read, noise.seed,
//    noise.repeat. cimLinear refuses weights programmed with different programming fields.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir::cim {

enum class WeightGranularity { PerChannel, PerTensor };
/// §3: a scale per row of x, or one calibrated scale per layer (inputs.staticScale).
enum class InputScaleMode { DynamicRow, Static };
/// §5; `calibrated` uses adc.calibratedFullScales.
enum class AdcMode { Ideal, Full, Dynamic, Calibrated };

const char *adcModeName(AdcMode mode);

struct CimParams {
  struct Weights {
    int bits = 8;
    /// Magnitude-bit widths, LSB first; empty = bits - 1 one-bit slices (§2, §10).
    std::vector<int> slices;
    WeightGranularity granularity = WeightGranularity::PerChannel;
    double clipPercentile = 100.0;
  } weights;

  struct Inputs {
    int bits = 8;
    /// DAC slice widths, LSB first; empty = bits - 1 (or hybridAnalogBits - 1) one-bit slices.
    std::vector<int> slices;
    InputScaleMode scale = InputScaleMode::DynamicRow;
    /// s_x of `static` mode, from calibration (Calibration.h); > 0.
    float staticScale = 0.0f;
    double clipPercentile = 100.0;
    /// h of §7: 0 = off, else 2 <= h <= bits.
    int hybridAnalogBits = 0;
  } inputs;

  struct Crossbar {
    int64_t rows = 256;
    int64_t cols = 256;
  } crossbar;

  struct Adc {
    AdcMode mode = AdcMode::Full;
    int bits = 8;
    double noiseLsb = 0.0; ///< sigma_a of §5, in LSB
    int samples = 1;       ///< S of §5: conversions averaged
    /// The full scales of `full` mode, one per (row block r, input slice i, weight slice j) at
    /// index (r·T + i)·S + j; empty means fullModeScales(). A plan carries them (written by
    /// the compiler's cim-configure-adc pass), and the runtime passes them on.
    std::vector<int64_t> fullScales;
    /// FS of `calibrated` mode per (input slice i, weight slice j), at [i·S + j], from
    /// calibration (Calibration.h); finite and >= 0.
    std::vector<float> calibratedFullScales;
  } adc;

  struct Noise {
    double read = 0.0;       ///< sigma_r, relative to the cell range r_j
    double program = 0.0;    ///< sigma_p, relative to the cell range r_j
    double stuckAtMin = 0.0; ///< probability that a cell reads level 0
    double stuckAtMax = 0.0; ///< probability that a cell reads level r_j
    uint64_t seed = 0;       ///< fresh effects (read, ADC noise)
    uint64_t chipSeed = 0;   ///< static effects (stuck-at, programming noise)
    uint64_t repeat = 0;     ///< repetition index of a run (keys the fresh stream with seed)
  } noise;

  /// FNV-1a 64 of "<node name>#g<group>" (LayerId.h).
  uint64_t layerId = 0;
};

/// Throws cimlir::Error (naming `where`, e.g. the node, and the field) unless the parameters
/// satisfy §10: bits in 2..16, slice widths in 1..7 summing to the magnitude bits, h in {0} or
/// 2..inputs.bits, crossbar.rows >= 1, crossbar.cols >= 2, rows·(2^max a - 1)·(2^max b - 1) <
/// 2^31, noise and probabilities non-negative and finite, p_min + p_max <= 1, percentiles in
/// [0, 100], adc.samples >= 1, a positive finite inputs.staticScale in `static` mode and T·S
/// finite, non-negative adc.calibratedFullScales in `calibrated` mode.
void validateCimParams(const CimParams &params, const std::string &where = "cim layer");

/// Throws cimlir::Error (naming `where`) unless params.adc.fullScales is empty or holds one
/// full scale >= 0 per (row block, input slice, weight slice) of a layer with K rows and
/// `weightSlices` weight slices.
void validateFullScales(const CimParams &params, int64_t K, size_t weightSlices,
                        const std::string &where);

/// Weight slice widths after defaulting (§2): weights.slices, or bits - 1 ones.
std::vector<int> resolvedWeightSlices(const CimParams &params);
/// DAC slice widths after defaulting (§3, §7): inputs.slices, or (h or bits) - 1 ones.
std::vector<int> resolvedInputSlices(const CimParams &params);
/// Offsets of slices (LSB first): offsets[i] = sum of widths[l] for l < i.
std::vector<int> sliceOffsets(const std::vector<int> &widths);
/// Row blocks of a layer with K rows on arrays of `rows` word lines: ceil(K / rows).
int64_t rowBlockCount(int64_t K, int64_t rows);
/// §5's `full` mode full scales of a layer with K rows: FS[(r·T + i)·S + j] = R_r·(2^{a_i} - 1)·
/// (2^{b_j} - 1), the largest ideal |P| of row block r (R_r rows: `rows`, the last block what
/// is left), DAC slice i (widths `inputSlices`, T of them) and weight slice j (`weightSlices`,
/// S of them).
std::vector<int64_t> fullModeScales(int64_t K, int64_t rows, const std::vector<int> &inputSlices,
                                    const std::vector<int> &weightSlices);

} // namespace cimlir::cim
