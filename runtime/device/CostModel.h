// cimlir's cost model (docs/cost-model.md): the energy, latency and area of a layer from its
// shape, its mapping onto crossbars and the `cost` section of the device file, the one
// definition that cim-opt --report (counts from the mapping) and cim-run --report (counts
// measured while running) both price with.
//
// Plain C++17, no exceptions in the interface: the compiler (built with -fno-exceptions)
// includes it.
#pragma once

#include "kernels/cim/LayerSettings.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cimlir::device {

/// How an ADC's energy and area grow with its bits b (docs/cost-model.md): `sar` as 2^(b−8)
/// (a constant Walden figure of merit), `flash` as (2^b − 1)/255 (one comparator per level).
enum class AdcArchitecture { Sar, Flash };

/// The `cost` section of a device file: the chip's per-operation figures. The defaults are
/// ISAAC's (Shafiee et al., ISCA 2016, 32 nm) for the analog parts and Horowitz's (ISSCC
/// 2014, 45 nm) for digital arithmetic and memory; docs/cost-model.md derives each.
struct CostSettings {
  // adc: one conversion of one output at 8 bits, scaled to a layer's adc.bits.
  AdcArchitecture adcArchitecture = AdcArchitecture::Sar;
  double adcEnergyPj = 1.5625;      ///< 2 mW at 1.28 GS/s
  double adcAreaMm2 = 0.0012;       ///< per ADC
  double adcConversionNs = 0.78125; ///< 1 / 1.28 GS/s
  int64_t columnsPerAdc = 128;      ///< bit lines that share one ADC (one per 128-column array)
  // dac: one row driven with one input slice.
  double dacEnergyPjPerRow = 0.390625; ///< 3.9 µW for a 100 ns read
  double dacAreaMm2PerRow = 1.66e-7;
  // array: one cell read, one read cycle, one cell's area.
  double cellReadEnergyPj = 0.00183; ///< 0.3 mW for 100 ns over 128×128 cells
  double arrayReadNs = 100.0;
  double cellAreaUm2 = 0.0015;
  // periphery: shifting and adding one ADC output into the output's sum.
  double shiftAddEnergyPj = 0.02;
  // digital: one multiply-accumulate in each precision of §8, and the digital unit's rate.
  double fp32MacPj = 4.6;
  double bf16MacPj = 1.5;
  double int8MacPj = 0.3;
  double w8a16MacPj = 0.9;
  double digitalMacsPerNs = 1024.0;
  // memory: the linear layers' activations pass through on-chip SRAM at activation_bits per
  // element; a digital layer's weights come from DRAM once per sample (CIM weights stay in
  // their arrays).
  int64_t activationBits = 16;  ///< ISAAC's 16-bit buffers
  double sramPjPerByte = 2.5;   ///< 20 pJ per 64-bit read of a 32 KB SRAM
  double dramPjPerByte = 162.5; ///< 1.3 nJ per 64-bit DRAM read

  bool operator==(const CostSettings &o) const;
  bool operator!=(const CostSettings &o) const { return !(*this == o); }
};

/// One field of `cost`: "section.name", its range, and how to read and write it. The device
/// file reader and printer go through this table.
struct CostField {
  const char *section;
  const char *name;
  enum Kind { Number, Count, Architecture } kind;
  double (*get)(const CostSettings &);
  void (*set)(CostSettings &, double);
  std::string key() const { return std::string(section) + "." + name; }
};
/// The fields in the order device files print them.
const std::vector<CostField> &costFields();
/// "sar", "flash" (an Architecture field's value is the index).
const std::vector<std::string> &adcArchitectureNames();
/// Whether `value` is in `field`'s range; else what is wrong ("is not positive", ...).
std::string checkCostValue(const CostField &field, double value);

/// What a CIM layer's arrays do, from its mapping (kernels/cim/CrossbarMapping.h) and the
/// activity of its inputs.
struct CimLayerCounts {
  /// DAC activations of one row of one array with one nonzero input digit: every array has its
  /// own DACs, so a row of x drives the C_b·S arrays that hold it (a zero digit drives none).
  int64_t rowDrives = 0;
  int64_t cellReads = 0; ///< cells read: 2N per row drive's column block and slice
  /// Conversions made; each takes adc.samples conversions (§5).
  int64_t adcConversions = 0;
  /// Read cycles one array runs in sequence (M·T): the arrays of a layer run in parallel.
  int64_t readCycles = 0;
  /// Conversions one array makes per read cycle, and its ADCs (cols / columns_per_adc).
  int64_t conversionsPerRead = 0;
  /// Activation elements through SRAM: each row of x read (K), each output row written (N).
  int64_t activationElements = 0;
};

/// A layer's crossbar geometry, for its counts and area.
struct CimLayerShape {
  int64_t groups = 1, k = 0, n = 0;
  int64_t rowsPerSample = 1; ///< M: rows of x per sample (output positions of a convolution)
  cim::LayerSettings settings;
};

/// What a CIM layer's inputs did: counted while running (cim-run), or fullActivity's bound.
struct CimActivity {
  int64_t rows = 0;              ///< rows of x each group ran (the groups run side by side)
  int64_t activeInputDigits = 0; ///< nonzero input digits u_i[m,k] (§3), all groups
  int64_t adcConversions = 0;    ///< conversions made, all groups
};

/// One sample with every input digit nonzero and every conversion made: what cim-opt --report
/// assumes without data.
CimActivity fullActivity(const CimLayerShape &shape);
/// The counts of `activity` on the layer's arrays.
CimLayerCounts cimLayerCounts(const CimLayerShape &shape, const CimActivity &activity);
/// The crossbar arrays the layer is mapped onto (§2): groups·R_b·C_b·S.
int64_t cimLayerArrays(const CimLayerShape &shape);

/// Energy (pJ), latency (ns) and area (mm²) of a layer per sample.
struct LayerCost {
  double adcPj = 0, dacPj = 0, arrayPj = 0, peripheryPj = 0, digitalPj = 0;
  double sramPj = 0, dramPj = 0; ///< memory traffic
  double latencyNs = 0;
  double adcAreaMm2 = 0, dacAreaMm2 = 0, arrayAreaMm2 = 0;
  double energyPj() const {
    return adcPj + dacPj + arrayPj + peripheryPj + digitalPj + sramPj + dramPj;
  }
  double areaMm2() const { return adcAreaMm2 + dacAreaMm2 + arrayAreaMm2; }
  LayerCost &operator+=(const LayerCost &o);
  /// Energy and latency divided by `samples` (none: 0); the area stays.
  LayerCost perSample(int64_t samples) const;
};

/// The figures every report shows, in its order, named as the reports name them
/// ("energy_pj_per_sample", "adc_pj", ..., "dram_pj", "latency_ns_per_sample", "area_mm2").
std::vector<std::pair<const char *, double>> costFigures(const LayerCost &cost);

/// The ADC energy or area factor of `bits` against 8 bits, for `architecture`.
double adcScale(AdcArchitecture architecture, int bits);
/// A CIM layer: `counts` priced with `cost`, its area from its arrays.
LayerCost cimLayerCost(const CostSettings &cost, const CimLayerShape &shape,
                       const CimLayerCounts &counts);
/// A layer kept digital (§8): per group, x's rows of K times a K×N weight in `precision`.
struct DigitalLayerShape {
  int64_t groups = 1, k = 0, n = 0;
  cim::DigitalPrecision precision = cim::DigitalPrecision::Fp32;
};
/// A layer kept digital that made `macs` multiply-accumulates (rows·K·N·groups) over
/// `samples` samples, reading its weights from DRAM once per sample.
LayerCost digitalLayerCost(const CostSettings &cost, const DigitalLayerShape &shape, int64_t macs,
                           int64_t samples);

} // namespace cimlir::device
