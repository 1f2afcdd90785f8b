// The cost model (runtime/device/CostModel.h, docs/cost-model.md): a small layer's counts,
// energy, latency and area against the numbers worked out by hand below, how ADC bits scale,
// digital layers, memory traffic, and the `cost` section of device files (defaults, overrides,
// errors, printing).
#include "DeviceTestUtil.h"

#include "runtime/device/CostModel.h"

#include <gtest/gtest.h>

namespace cimlir::devicetest {
namespace {

using namespace cimlir::device;

/// K = 300 rows on 256-row arrays (2 row blocks), N = 10 outputs (one column block), 8-bit
/// inputs in 7 one-bit DAC slices, weights in 7 slices, one row per sample.
CimLayerShape smallLayer() {
  CimLayerShape shape;
  shape.k = 300;
  shape.n = 10;
  return shape; // the §10 defaults: 256×256 arrays, 7 input and 7 weight slices, 8-bit ADC
}

/// The counts cim-opt --report prices: every input digit active, every conversion made.
CimLayerCounts fullCounts(const CimLayerShape &shape) {
  return cimLayerCounts(shape, fullActivity(shape));
}

TEST(CostModel, SmallLayerByHand) {
  const CimLayerShape shape = smallLayer();
  const CimLayerCounts counts = fullCounts(shape);
  EXPECT_EQ(counts.rowDrives, 14700);       // 300 rows × 7 input slices × 7 arrays' DACs
  EXPECT_EQ(counts.cellReads, 294000);      // 300 × 7 × 7 weight slices × 20 columns
  EXPECT_EQ(counts.adcConversions, 980);    // 2 row blocks × 7 × 7 × 10 outputs
  EXPECT_EQ(counts.readCycles, 7);          // one per input slice; the 14 arrays in parallel
  EXPECT_EQ(counts.conversionsPerRead, 10); // the array's 10 outputs
  EXPECT_EQ(cimLayerArrays(shape), 14);     // 2 row blocks × 1 column block × 7 slices

  const CostSettings cost; // ISAAC's and Horowitz's figures
  const LayerCost c = cimLayerCost(cost, shape, counts);
  EXPECT_DOUBLE_EQ(c.adcPj, 980 * 1.5625);       // 1531.25
  EXPECT_DOUBLE_EQ(c.dacPj, 14700 * 0.390625);   // 5742.1875
  EXPECT_DOUBLE_EQ(c.arrayPj, 294000 * 0.00183); // 538.02
  EXPECT_DOUBLE_EQ(c.peripheryPj, 980 * 0.02);   // 19.6
  // x's 300 and y's 10 elements through SRAM, 2 bytes each at 2.5 pJ a byte; no DRAM: the
  // weights stay in their arrays.
  EXPECT_EQ(counts.activationElements, 310);
  EXPECT_DOUBLE_EQ(c.sramPj, 310 * 2 * 2.5); // 1550
  EXPECT_EQ(c.dramPj, 0.0);
  EXPECT_DOUBLE_EQ(c.energyPj(), 9381.0575);
  // 256 columns, an ADC per 128: the 10 outputs (columns 0..19) all go through the first
  // ADC, 10 conversions of 0.78125 ns after each 100 ns read, 7 reads.
  EXPECT_DOUBLE_EQ(c.latencyNs, 7 * (100 + 10 * 0.78125)); // 754.6875
  EXPECT_DOUBLE_EQ(c.arrayAreaMm2, 14 * 65536 * 0.0015e-6);
  EXPECT_DOUBLE_EQ(c.adcAreaMm2, 14 * 2 * 0.0012);
  EXPECT_DOUBLE_EQ(c.dacAreaMm2, 14 * 256 * 1.66e-7);
  EXPECT_NEAR(c.areaMm2(), 0.035571200, 1e-12);
}

// cim-run's counts: 3 samples in which 1,000 of the 6,300 input digits were nonzero and a
// `dynamic` ADC made 2,000 of the 2,940 conversions.
TEST(CostModel, MeasuredActivityByHand) {
  CimLayerShape shape = smallLayer();
  shape.settings.adc.mode = cim::AdcMode::Dynamic;
  EXPECT_EQ(fullActivity(shape).activeInputDigits, 2100); // 300 rows × 7 slices
  const CimLayerCounts counts = cimLayerCounts(shape, {3, 1000, 2000});
  EXPECT_EQ(counts.rowDrives, 7000);   // 1000 digits × 7 arrays (weight slices)
  EXPECT_EQ(counts.cellReads, 140000); // 1000 × 7 × 20 columns
  EXPECT_EQ(counts.adcConversions, 2000);
  EXPECT_EQ(counts.readCycles, 21); // 3 rows × 7 input slices
  const LayerCost c = cimLayerCost(CostSettings(), shape, counts).perSample(3);
  EXPECT_DOUBLE_EQ(c.adcPj, 2000 * 1.5625 / 3);
  EXPECT_DOUBLE_EQ(c.dacPj, 7000 * 0.390625 / 3);
  EXPECT_DOUBLE_EQ(c.arrayPj, 140000 * 0.00183 / 3);
  EXPECT_DOUBLE_EQ(c.peripheryPj, 2000 * 0.02 / 3);
  EXPECT_DOUBLE_EQ(c.sramPj, 310 * 2 * 2.5); // every sample's x and y, whatever their digits
  EXPECT_DOUBLE_EQ(c.latencyNs, 7 * (100 + 10 * 0.78125)); // the read cycles of one sample
  EXPECT_NEAR(c.areaMm2(), 0.035571200, 1e-12);            // the area does not scale
  EXPECT_EQ(cimLayerCost(CostSettings(), shape, counts).perSample(0).energyPj(), 0.0);
  // The reports' names, in their order.
  std::string names;
  for (const auto &[name, value] : costFigures(c))
    names += std::string(names.empty() ? "" : ",") + name;
  EXPECT_EQ(names, "energy_pj_per_sample,adc_pj,dac_pj,array_pj,periphery_pj,digital_pj,"
                   "sram_pj,dram_pj,latency_ns_per_sample,area_mm2");
}

TEST(CostModel, AdcBitsScaleByArchitecture) {
  EXPECT_DOUBLE_EQ(adcScale(AdcArchitecture::Sar, 8), 1.0);
  EXPECT_DOUBLE_EQ(adcScale(AdcArchitecture::Sar, 6), 0.25); // a constant Walden FOM
  EXPECT_DOUBLE_EQ(adcScale(AdcArchitecture::Flash, 8), 1.0);
  EXPECT_DOUBLE_EQ(adcScale(AdcArchitecture::Flash, 4), 15.0 / 255); // comparators
  CimLayerShape shape = smallLayer();
  shape.settings.adc.bits = 6;
  CostSettings cost;
  EXPECT_DOUBLE_EQ(cimLayerCost(cost, shape, fullCounts(shape)).adcPj, 980 * 1.5625 / 4);
  cost.adcArchitecture = AdcArchitecture::Flash;
  shape.settings.adc.bits = 4;
  EXPECT_DOUBLE_EQ(cimLayerCost(cost, shape, fullCounts(shape)).adcAreaMm2,
                   14 * 2 * 0.0012 * 15 / 255);
}

TEST(CostModel, IdealAdcConvertsNothingAndSharedAdcsTakeLonger) {
  CimLayerShape shape = smallLayer();
  shape.settings.adc.mode = cim::AdcMode::Ideal;
  const CostSettings cost;
  LayerCost ideal = cimLayerCost(cost, shape, fullCounts(shape));
  EXPECT_EQ(ideal.adcPj + ideal.peripheryPj + ideal.adcAreaMm2, 0.0);
  EXPECT_DOUBLE_EQ(ideal.latencyNs, 7 * 100.0);
  // An ADC per 8 columns (4 outputs): 32 ADCs per array, the busiest converts 4 outputs a
  // read; 100 columns per ADC need 3 ADCs for 256 columns.
  shape.settings.adc.mode = cim::AdcMode::Full;
  CostSettings narrow;
  narrow.columnsPerAdc = 8;
  LayerCost c = cimLayerCost(narrow, shape, fullCounts(shape));
  EXPECT_DOUBLE_EQ(c.latencyNs, 7 * (100 + 4 * 0.78125));
  EXPECT_DOUBLE_EQ(c.adcAreaMm2, 14 * 32 * 0.0012);
  narrow.columnsPerAdc = 100;
  EXPECT_DOUBLE_EQ(cimLayerCost(narrow, shape, fullCounts(shape)).adcAreaMm2, 14 * 3 * 0.0012);
  // §5's averaged conversions: 4 per output cost 4 times the ADC energy and time.
  shape.settings.adc.samples = 4;
  c = cimLayerCost(CostSettings(), shape, fullCounts(shape));
  EXPECT_DOUBLE_EQ(c.adcPj, 4 * 980 * 1.5625);
  EXPECT_DOUBLE_EQ(c.peripheryPj, 980 * 0.02); // one sum per averaged output
  EXPECT_DOUBLE_EQ(c.latencyNs, 7 * (100 + 4 * 10 * 0.78125));
  shape.settings.adc.samples = 1;
  // A convolution: every output position reads the arrays again.
  shape.rowsPerSample = 49;
  shape.groups = 2;
  const CimLayerCounts conv = fullCounts(shape);
  EXPECT_EQ(conv.rowDrives, 49 * 300 * 7 * 7 * 2);
  EXPECT_EQ(conv.adcConversions, 49 * 2 * 7 * 7 * 10 * 2);
  EXPECT_EQ(conv.readCycles, 49 * 7);
  EXPECT_EQ(cimLayerArrays(shape), 28);
}

// A digital layer of 2 groups of K = 50 by N = 10 weights, 2 rows per group per sample, over
// 3 samples: 3 × 2 × 2 × 50 × 10 = 6,000 MACs.
TEST(CostModel, DigitalLayersPayPerMacAndForTheirWeights) {
  const CostSettings cost;
  DigitalLayerShape shape{2, 50, 10, cim::DigitalPrecision::Fp32};
  const LayerCost fp32 = digitalLayerCost(cost, shape, 6000, 3).perSample(3);
  EXPECT_DOUBLE_EQ(fp32.digitalPj, 2000 * 4.6);
  EXPECT_DOUBLE_EQ(fp32.latencyNs, 2000 / 1024.0);
  EXPECT_EQ(fp32.areaMm2(), 0.0);
  // Each sample: 4 rows read (50 elements each) and written (10), 2 bytes an element.
  EXPECT_DOUBLE_EQ(fp32.sramPj, 4 * 60 * 2 * 2.5);
  // Each sample reads the 1,000 float32 weights from DRAM.
  EXPECT_DOUBLE_EQ(fp32.dramPj, 1000 * 4 * 162.5);
  EXPECT_DOUBLE_EQ(fp32.energyPj(), 9200 + 1200 + 650000);
  shape.precision = cim::DigitalPrecision::Bf16;
  LayerCost c = digitalLayerCost(cost, shape, 2000, 1);
  EXPECT_DOUBLE_EQ(c.digitalPj, 3000);
  EXPECT_DOUBLE_EQ(c.dramPj, 1000 * 2 * 162.5);
  shape.precision = cim::DigitalPrecision::Int8;
  c = digitalLayerCost(cost, shape, 2000, 1);
  EXPECT_DOUBLE_EQ(c.digitalPj, 600);
  EXPECT_DOUBLE_EQ(c.dramPj, 1000 * 162.5);
  shape.precision = cim::DigitalPrecision::W8A16;
  c = digitalLayerCost(cost, shape, 2000, 1);
  EXPECT_DOUBLE_EQ(c.digitalPj, 1800);
  EXPECT_DOUBLE_EQ(c.dramPj, 1000 * 162.5); // int8 weights
  // The memory section's own figures: 8-bit activations, other prices.
  CostSettings memory;
  memory.activationBits = 8;
  memory.sramPjPerByte = 1;
  memory.dramPjPerByte = 100;
  c = digitalLayerCost(memory, shape, 2000, 1);
  EXPECT_DOUBLE_EQ(c.sramPj, 4 * 60);
  EXPECT_DOUBLE_EQ(c.dramPj, 1000 * 100);
  EXPECT_DOUBLE_EQ(cimLayerCost(memory, smallLayer(), fullCounts(smallLayer())).sramPj, 310);
}

TEST(CostSection, DefaultsOverridesAndPrinting) {
  EXPECT_EQ(loadDevice("rram-256").cost, CostSettings());
  DeviceConfig d = parseDeviceText(
      R"({"cost": {"adc": {"architecture": "flash", "energy_pj": 2.5, "columns_per_adc": 64},
                   "digital": {"int8_mac_pj": 0.1}, "memory": {"sram_pj_per_byte": 1.25}}})",
      "dev.json");
  EXPECT_EQ(d.cost.adcArchitecture, AdcArchitecture::Flash);
  EXPECT_EQ(d.cost.adcEnergyPj, 2.5);
  EXPECT_EQ(d.cost.columnsPerAdc, 64);
  EXPECT_EQ(d.cost.int8MacPj, 0.1);
  EXPECT_EQ(d.cost.fp32MacPj, CostSettings().fp32MacPj);
  EXPECT_EQ(d.cost.sramPjPerByte, 1.25);
  EXPECT_EQ(d.cost.dramPjPerByte, 162.5);
  EXPECT_NE(fingerprint(d), fingerprint(parseDeviceText("{}", "dev.json")));
  // Printed with every field, and read back the same.
  const ojson printed = toJson(d)["cost"];
  EXPECT_EQ(printed["adc"].dump(), R"({"architecture":"flash","energy_pj":2.5,"area_mm2":0.0012,)"
                                   R"("conversion_ns":0.78125,"columns_per_adc":64})");
  EXPECT_EQ(printed["memory"].dump(),
            R"({"activation_bits":16,"sram_pj_per_byte":1.25,"dram_pj_per_byte":162.5})");
  EXPECT_EQ(parseDeviceText(toJsonText(d), "again").cost, d.cost);
}

TEST(CostSection, ErrorsNameTheField) {
  auto errorFor = [](const std::string &cost) {
    return errorOf([&] { parseDeviceText(R"({"cost": )" + cost + "}", "dev.json"); });
  };
  EXPECT_EQ(errorFor("3"), "dev.json: cost: expected an object, got 3");
  EXPECT_EQ(errorFor(R"({"adcs": {}})"),
            "dev.json: cost.adcs: unknown field (known: adc, dac, array, periphery, digital, "
            "memory)");
  EXPECT_EQ(errorFor(R"({"adc": {"bits": 8}})"),
            "dev.json: cost.adc.bits: unknown field (known: architecture, energy_pj, "
            "area_mm2, conversion_ns, columns_per_adc)");
  EXPECT_EQ(errorFor(R"({"adc": {"energy_pj": -1}})"),
            "dev.json: cost.adc.energy_pj: -1 is outside 0..1e12");
  EXPECT_EQ(errorFor(R"({"adc": {"energy_pj": 1e308}})"),
            "dev.json: cost.adc.energy_pj: 1e+308 is outside 0..1e12");
  EXPECT_EQ(errorFor(R"({"adc": {"architecture": "pipelined"}})"),
            "dev.json: cost.adc.architecture: \"pipelined\" is not one of sar, flash");
  EXPECT_EQ(errorFor(R"({"adc": {"columns_per_adc": 0}})"),
            "dev.json: cost.adc.columns_per_adc: 0 is not a whole number in 1..1048576");
  EXPECT_EQ(errorFor(R"({"adc": {"columns_per_adc": 2.5}})"),
            "dev.json: cost.adc.columns_per_adc: expected a whole number, got 2.5");
  EXPECT_EQ(errorFor(R"({"digital": {"macs_per_ns": 0}})"),
            "dev.json: cost.digital.macs_per_ns: 0 is outside 1e-6..1e12");
  EXPECT_EQ(errorFor(R"({"memory": {"activation_bits": 0}})"),
            "dev.json: cost.memory.activation_bits: 0 is not a whole number in 1..1048576");
  EXPECT_EQ(errorFor(R"({"memory": {"dram_pj_per_byte": -2}})"),
            "dev.json: cost.memory.dram_pj_per_byte: -2 is outside 0..1e12");
  // -0 is 0, in the settings and in the printed file (the fingerprint).
  const DeviceConfig zero =
      parseDeviceText(R"({"cost": {"dac": {"energy_pj_per_row": -0.0}}})", "z");
  EXPECT_EQ(toJson(zero)["cost"]["dac"]["energy_pj_per_row"].dump(), "0.0");
  EXPECT_EQ(errorFor(R"({"array": {"read_ns": "fast"}})"),
            "dev.json: cost.array.read_ns: expected a number, got \"fast\"");
}

} // namespace
} // namespace cimlir::devicetest
