// cimlir's cost model: see CostModel.h and docs/cost-model.md.
#include "runtime/device/CostModel.h"

#include "kernels/cim/CrossbarMapping.h"

#include <algorithm>
#include <cmath>

namespace cimlir::device {

bool CostSettings::operator==(const CostSettings &o) const {
  for (const CostField &f : costFields())
    if (f.get(*this) != f.get(o))
      return false;
  return true;
}

const std::vector<std::string> &adcArchitectureNames() {
  static const std::vector<std::string> names = {"sar", "flash"};
  return names;
}

const std::vector<CostField> &costFields() {
#define CIMLIR_COST_NUMBER(section, name, member)                                                  \
  CostField {                                                                                      \
    section, name, CostField::Number, [](const CostSettings &c) { return c.member; },              \
        [](CostSettings &c, double v) {                                                            \
          c.member = v + 0.0; /* -0 is 0 */                                                        \
        }                                                                                          \
  }
  static const std::vector<CostField> fields = {
      {"adc", "architecture", CostField::Architecture,
       [](const CostSettings &c) { return static_cast<double>(c.adcArchitecture); },
       [](CostSettings &c, double v) { c.adcArchitecture = static_cast<AdcArchitecture>(v); }},
      CIMLIR_COST_NUMBER("adc", "energy_pj", adcEnergyPj),
      CIMLIR_COST_NUMBER("adc", "area_mm2", adcAreaMm2),
      CIMLIR_COST_NUMBER("adc", "conversion_ns", adcConversionNs),
      {"adc", "columns_per_adc", CostField::Count,
       [](const CostSettings &c) { return static_cast<double>(c.columnsPerAdc); },
       [](CostSettings &c, double v) { c.columnsPerAdc = static_cast<int64_t>(v); }},
      CIMLIR_COST_NUMBER("dac", "energy_pj_per_row", dacEnergyPjPerRow),
      CIMLIR_COST_NUMBER("dac", "area_mm2_per_row", dacAreaMm2PerRow),
      CIMLIR_COST_NUMBER("array", "cell_read_energy_pj", cellReadEnergyPj),
      CIMLIR_COST_NUMBER("array", "read_ns", arrayReadNs),
      CIMLIR_COST_NUMBER("array", "cell_area_um2", cellAreaUm2),
      CIMLIR_COST_NUMBER("periphery", "shift_add_energy_pj", shiftAddEnergyPj),
      CIMLIR_COST_NUMBER("digital", "fp32_mac_pj", fp32MacPj),
      CIMLIR_COST_NUMBER("digital", "bf16_mac_pj", bf16MacPj),
      CIMLIR_COST_NUMBER("digital", "int8_mac_pj", int8MacPj),
      CIMLIR_COST_NUMBER("digital", "w8a16_mac_pj", w8a16MacPj),
      CIMLIR_COST_NUMBER("digital", "macs_per_ns", digitalMacsPerNs),
      {"memory", "activation_bits", CostField::Count,
       [](const CostSettings &c) { return static_cast<double>(c.activationBits); },
       [](CostSettings &c, double v) { c.activationBits = static_cast<int64_t>(v); }},
      CIMLIR_COST_NUMBER("memory", "sram_pj_per_byte", sramPjPerByte),
      CIMLIR_COST_NUMBER("memory", "dram_pj_per_byte", dramPjPerByte),
  };
#undef CIMLIR_COST_NUMBER
  return fields;
}

std::string checkCostValue(const CostField &field, double value) {
  switch (field.kind) {
  case CostField::Architecture:
    return value == 0 || value == 1 ? "" : "is not one of sar, flash";
  case CostField::Count:
    return value >= 1 && value <= (1 << 20) && value == std::floor(value)
               ? ""
               : "is not a whole number in 1..1048576";
  case CostField::Number:
    // A rate divides; every other figure may be 0 (a part the model leaves out). The bounds
    // keep every product of the model finite.
    if (std::string(field.name) == "macs_per_ns")
      return value >= 1e-6 && value <= 1e12 ? "" : "is outside 1e-6..1e12";
    return value >= 0 && value <= 1e12 ? "" : "is outside 0..1e12";
  }
  return "";
}

LayerCost &LayerCost::operator+=(const LayerCost &o) {
  adcPj += o.adcPj;
  dacPj += o.dacPj;
  arrayPj += o.arrayPj;
  peripheryPj += o.peripheryPj;
  digitalPj += o.digitalPj;
  sramPj += o.sramPj;
  dramPj += o.dramPj;
  latencyNs += o.latencyNs;
  adcAreaMm2 += o.adcAreaMm2;
  dacAreaMm2 += o.dacAreaMm2;
  arrayAreaMm2 += o.arrayAreaMm2;
  return *this;
}

LayerCost LayerCost::perSample(int64_t samples) const {
  LayerCost out = *this;
  const double f = samples > 0 ? 1.0 / static_cast<double>(samples) : 0.0;
  for (double *v : {&out.adcPj, &out.dacPj, &out.arrayPj, &out.peripheryPj, &out.digitalPj,
                    &out.sramPj, &out.dramPj, &out.latencyNs})
    *v *= f;
  return out;
}

std::vector<std::pair<const char *, double>> costFigures(const LayerCost &c) {
  return {{"energy_pj_per_sample", c.energyPj()},
          {"adc_pj", c.adcPj},
          {"dac_pj", c.dacPj},
          {"array_pj", c.arrayPj},
          {"periphery_pj", c.peripheryPj},
          {"digital_pj", c.digitalPj},
          {"sram_pj", c.sramPj},
          {"dram_pj", c.dramPj},
          {"latency_ns_per_sample", c.latencyNs},
          {"area_mm2", c.areaMm2()}};
}

double adcScale(AdcArchitecture architecture, int bits) {
  if (architecture == AdcArchitecture::Flash)
    return (std::ldexp(1.0, bits) - 1) / 255.0;
  return std::ldexp(1.0, bits - 8);
}

namespace {

/// The ADCs one array has: one per columns_per_adc bit lines, the last one for what is left.
int64_t adcsPerArray(const CostSettings &cost, const CimLayerShape &shape) {
  return (shape.settings.crossbar.cols + cost.columnsPerAdc - 1) / cost.columnsPerAdc;
}

cim::CrossbarMapping mappingOf(const CimLayerShape &shape) {
  return cim::CrossbarMapping::of(shape.k, shape.n, shape.settings);
}

/// The SRAM energy of `elements` activations.
double activationPj(const CostSettings &cost, double elements) {
  return elements * (static_cast<double>(cost.activationBits) / 8) * cost.sramPjPerByte;
}

} // namespace

int64_t cimLayerArrays(const CimLayerShape &shape) {
  return shape.groups * mappingOf(shape).arrays();
}

CimActivity fullActivity(const CimLayerShape &shape) {
  const cim::CrossbarMapping mapping = mappingOf(shape);
  const int64_t m = shape.rowsPerSample;
  return {m, mapping.inputDigits(m) * shape.groups, mapping.adcConversions(m) * shape.groups};
}

CimLayerCounts cimLayerCounts(const CimLayerShape &shape, const CimActivity &activity) {
  const cim::CrossbarMapping mapping = mappingOf(shape);
  CimLayerCounts c;
  c.rowDrives = mapping.rowDrives(activity.activeInputDigits);
  c.cellReads = mapping.cellReads(activity.activeInputDigits);
  c.adcConversions = activity.adcConversions;
  c.readCycles = activity.rows * mapping.inputSlices;
  // The outputs of the fullest array (a column pair each), each converted once per read.
  c.conversionsPerRead = mapping.conversionsPerRead();
  c.activationElements = activity.rows * (shape.k + shape.n) * shape.groups;
  return c;
}

LayerCost cimLayerCost(const CostSettings &cost, const CimLayerShape &shape,
                       const CimLayerCounts &counts) {
  const cim::LayerSettings &s = shape.settings;
  const double adc = adcScale(cost.adcArchitecture, s.adc.bits);
  const int64_t samples = s.adc.samples; // §5: conversions averaged per output
  LayerCost out;
  out.adcPj = counts.adcConversions * samples * cost.adcEnergyPj * adc;
  out.dacPj = counts.rowDrives * cost.dacEnergyPjPerRow;
  out.arrayPj = counts.cellReads * cost.cellReadEnergyPj;
  out.peripheryPj = counts.adcConversions * cost.shiftAddEnergyPj;
  out.sramPj = activationPj(cost, static_cast<double>(counts.activationElements));
  // The arrays run in parallel. In each read cycle an ADC converts, one after the other, the
  // outputs of the columns_per_adc adjacent bit lines it serves (a column pair each), which
  // the outputs fill from the first column: the busiest ADC sets the time.
  const int64_t perAdc = (cost.columnsPerAdc + 1) / 2;
  const int64_t rounds = std::min(counts.conversionsPerRead, perAdc) * samples;
  out.latencyNs = counts.readCycles * (cost.arrayReadNs + rounds * cost.adcConversionNs);
  const int64_t adcs = adcsPerArray(cost, shape);
  const int64_t arrays = cimLayerArrays(shape);
  out.arrayAreaMm2 = arrays * s.crossbar.rows * s.crossbar.cols * cost.cellAreaUm2 * 1e-6;
  out.adcAreaMm2 = s.adc.mode == cim::AdcMode::Ideal ? 0.0 : arrays * adcs * cost.adcAreaMm2 * adc;
  out.dacAreaMm2 = arrays * s.crossbar.rows * cost.dacAreaMm2PerRow;
  return out;
}

LayerCost digitalLayerCost(const CostSettings &cost, const DigitalLayerShape &shape, int64_t macs,
                           int64_t samples) {
  double perMac = cost.fp32MacPj;
  double weightBytes = 4; // float32 weights, as the model has them
  switch (shape.precision) {
  case cim::DigitalPrecision::Fp32:
    break;
  case cim::DigitalPrecision::Bf16:
    perMac = cost.bf16MacPj;
    weightBytes = 2;
    break;
  case cim::DigitalPrecision::Int8:
    perMac = cost.int8MacPj;
    weightBytes = 1;
    break;
  case cim::DigitalPrecision::W8A16:
    perMac = cost.w8a16MacPj;
    weightBytes = 1;
    break;
  }
  LayerCost out;
  out.digitalPj = macs * perMac;
  out.latencyNs = macs / cost.digitalMacsPerNs;
  // Each of the rows·groups rows reads K inputs and writes N outputs: macs/N + macs/K.
  const double m = static_cast<double>(macs);
  out.sramPj =
      activationPj(cost, (shape.n > 0 ? m / shape.n : 0) + (shape.k > 0 ? m / shape.k : 0));
  out.dramPj = static_cast<double>(samples) * shape.groups * shape.k * shape.n * weightBytes *
               cost.dramPjPerByte;
  return out;
}

} // namespace cimlir::device
