// The one definition of a layer's settings (kernels/cim/LayerSettings.h): enumeration names,
// the field table, the §10 rules and the number format, the last against nlohmann-json's (the
// library device files are printed with).
#include "kernels/cim/LayerSettings.h"

#include "CimTestUtil.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace cimlir::cim {
namespace {

template <typename Enum> void expectNamesRoundTrip(size_t count) {
  ASSERT_EQ(enumNames<Enum>().size(), count);
  for (size_t i = 0; i < count; ++i) {
    const Enum e = static_cast<Enum>(i);
    EXPECT_EQ(enumFromString<Enum>(toString(e)), e);
  }
  for (const char *bad : {"", "FP32", "fp16", "full ", "Ideal", "w8a8"})
    EXPECT_FALSE(enumFromString<Enum>(bad).has_value()) << bad;
}

TEST(LayerSettings, EnumNamesRoundTrip) {
  expectNamesRoundTrip<WeightGranularity>(2);
  expectNamesRoundTrip<InputScale>(2);
  expectNamesRoundTrip<AdcMode>(4);
  expectNamesRoundTrip<DigitalPrecision>(4);
  expectNamesRoundTrip<RangeMethod>(3);
  EXPECT_STREQ(toString(AdcMode::Calibrated), "calibrated");
  EXPECT_STREQ(toString(DigitalPrecision::W8A16), "w8a16");
  EXPECT_EQ(enumNameList<InputScale>(), "dynamic_row, static");
}

TEST(LayerSettings, TableNamesEveryFieldOnceAndTheDefaultsPass) {
  std::set<std::string> keys;
  for (const LayerField &f : layerFields()) {
    EXPECT_TRUE(keys.insert(f.key()).second) << f.key();
    EXPECT_EQ(findLayerField(f.key()), &f);
    EXPECT_NE(std::find(layerSections().begin(), layerSections().end(), f.section),
              layerSections().end())
        << f.key();
    EXPECT_FALSE(f.check(f.get(LayerSettings{})).has_value()) << f.key() << " default";
  }
  EXPECT_EQ(keys.size(), 29u);
  EXPECT_EQ(findLayerField("adc.nope"), nullptr);
  EXPECT_FALSE(checkLayerSettings(LayerSettings{}).has_value());
  // §10: only adc.* and noise.* change at run time.
  for (const LayerField &f : layerFields())
    EXPECT_EQ(f.runtime, f.key() != "adc.percentile" && f.key() != "adc.range" &&
                             (std::string(f.section) == "adc" || std::string(f.section) == "noise"))
        << f.key();
}

TEST(LayerSettings, SetThenGetGivesTheValueBack) {
  CIMLIR_CIM_RANDOM_TEST();
  for (const LayerField &f : layerFields()) {
    LayerSettings s;
    FieldValue v = f.get(s);
    switch (f.kind) {
    case FieldKind::Int:
      v.integer = rng.range(static_cast<int64_t>(f.lo), std::min<int64_t>(f.hi, 1000));
      break;
    case FieldKind::Seed:
      v.seed = rng.u64();
      break;
    case FieldKind::Number:
      v.number = rng.uniform(std::max(f.lo, 0.001), std::min(f.hi, 1.0));
      break;
    case FieldKind::Enum:
      v.integer = rng.range(0, static_cast<int64_t>(f.choices->size()) - 1);
      break;
    case FieldKind::Slices:
      v.slices = {int(rng.range(1, 7)), int(rng.range(1, 7))};
      break;
    case FieldKind::Bool:
      v.boolean = !v.boolean;
      break;
    }
    f.set(s, v);
    const FieldValue back = f.get(s);
    EXPECT_EQ(back.integer, v.integer) << f.key();
    EXPECT_EQ(back.seed, v.seed) << f.key();
    EXPECT_EQ(back.number, v.number) << f.key();
    EXPECT_EQ(back.slices, v.slices) << f.key();
    EXPECT_EQ(back.boolean, v.boolean) << f.key();
    // Every other field kept its default.
    for (const LayerField &other : layerFields()) {
      if (&other != &f) {
        EXPECT_EQ(other.format(other.get(s)), other.format(other.get(LayerSettings{})))
            << f.key() << " changed " << other.key();
      }
    }
  }
}

std::string problemOf(void (*edit)(LayerSettings &)) {
  LayerSettings s;
  edit(s);
  auto p = checkLayerSettings(s);
  return p ? p->field + ": " + p->what : "";
}

TEST(LayerSettings, RulesNameTheFieldAndTheRange) {
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.adc.bits = 1; }), "adc.bits: 1 is outside 2..16");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.crossbar.cols = 1; }),
            "crossbar.cols: 1 is outside 2..2147483647 (each output uses a column pair)");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.inputs.hybridAnalogBits = 1; }),
            "inputs.hybrid_analog_bits: 1 is neither 0 nor in 2..16");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.weights.clipPercentile = 0; }),
            "weights.clip_percentile: 0.0 is outside (0, 100]");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.noise.read = -0.5; }),
            "noise.read: -0.5 is negative");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.noise.program = NAN; }),
            "noise.program: nan is not a finite number");
  EXPECT_EQ(problemOf([](LayerSettings &s) {
              s.weights.slices = {1, 8, 0};
            }),
            "weights.slices[1]: 8 is outside 1..7 (a slice is 1 to 7 bits)");
  EXPECT_EQ(problemOf([](LayerSettings &s) {
              s.weights.slices = {1, 2, 2};
            }),
            "weights.slices: [1,2,2] sums to 5 but weights.bits - 1 is 7");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.inputs.slices = {}; }),
            "inputs.slices: [] sums to 0 but inputs.bits - 1 is 7");
  EXPECT_EQ(problemOf([](LayerSettings &s) { s.inputs.hybridAnalogBits = 9; }),
            "inputs.hybrid_analog_bits: 9 is neither 0 nor in 2..8 (inputs.bits is 8)");
  EXPECT_EQ(problemOf([](LayerSettings &s) {
              s.inputs.hybridAnalogBits = 4;
              s.inputs.slices = {1, 2};
            }),
            "");
}

TEST(LayerSettings, RowsTimesWidestSlicesMustFitInt32) {
  LayerSettings s;
  s.weights.slices = {7};
  s.inputs.slices = {7};
  s.crossbar.rows = 133144; // 133144 · 127 · 127 < 2^31 <= 133145 · 127 · 127
  EXPECT_FALSE(checkLayerSettings(s).has_value());
  s.crossbar.rows = 133145;
  auto p = checkLayerSettings(s);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "crossbar.rows");
  EXPECT_NE(p->what.find("is 2^31 or more"), std::string::npos) << p->what;
}

TEST(LayerSettings, StuckAtProbabilitiesSumToAtMostOne) {
  LayerSettings s;
  s.noise.stuckAtMin = 0.6;
  s.noise.stuckAtMax = 0.4;
  EXPECT_FALSE(checkLayerSettings(s).has_value());
  s.noise.stuckAtMax = 0.5;
  auto p = checkLayerSettings(s);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field + ": " + p->what,
            "noise.stuck_at_min + noise.stuck_at_max: 0.6 + 0.5 is more than 1");
}

TEST(LayerSettings, NumbersPrintAsDeviceFilesDo) {
  CIMLIR_CIM_RANDOM_TEST();
  for (double d : {0.0, -0.0, 1.0, 100.0, 0.6, 99.99, 1e-4, 1e-5, 0.00123, 1e15, 1e16, 1e300,
                   123456789012345.0, 1234567890123456.0, 2.5e-300, 5e-324, -7.25})
    EXPECT_EQ(formatNumber(d), nlohmann::json(d).dump()) << d;
  // nlohmann-json's Grisu2 digits are not always the shortest: formatNumber's are, in the
  // same layout (plain decimals from 1e-4 up to 1e15, else an exponent), and read back exactly.
  for (int t = 0; t < 2000; ++t) {
    const double d = std::ldexp(rng.uniform(-1.0, 1.0), static_cast<int>(rng.range(-80, 80)));
    const std::string ours = formatNumber(d), theirs = nlohmann::json(d).dump();
    ASSERT_EQ(std::strtod(ours.c_str(), nullptr), d) << ours;
    ASSERT_LE(ours.size(), theirs.size()) << ours << " vs " << theirs;
    ASSERT_EQ(ours.find('e') == std::string::npos, theirs.find('e') == std::string::npos)
        << ours << " vs " << theirs;
  }
}

} // namespace
} // namespace cimlir::cim
