// Calibration tables (runtime/calibration/CalibrationTable.h): what cim-opt --save-calibration
// writes reads back value for value, and a table of another form is refused naming the field.
#include "runtime/calibration/CalibrationTable.h"

#include "test/unit/common/TestRng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cimlir::calibration {
namespace {

std::mt19937_64 &rng() { return test::processRng("calibration table tests"); }

TEST(CalibrationTable, WrittenTablesReadBackExactly) {
  std::uniform_real_distribution<float> value(0.0f, 1000.0f);
  for (int t = 0; t < 20; ++t) {
    Table table;
    table.dataset = "idx:/usr/share/datasets/fashion-mnist (train)";
    table.samples = static_cast<int64_t>(rng()() % 1000);
    const int layers = 1 + static_cast<int>(rng()() % 4);
    for (int l = 0; l < layers; ++l) {
      Layer layer;
      layer.groups.emplace();
      const int groups = 1 + static_cast<int>(rng()() % 3);
      for (int g = 0; g < groups; ++g) {
        Group group;
        if (rng()() % 2)
          group.inputScale = value(rng()) * 1e-3f; // floats, as calibration measures them
        if (rng()() % 2) {
          group.adcFullScales.emplace();
          for (int i = 0; i < 6; ++i)
            group.adcFullScales->push_back(value(rng()));
        }
        layer.groups->push_back(group);
      }
      if (rng()() % 2) { // cim-smooth-inputs' channel maxima
        layer.inputChannelMax.emplace();
        for (int c = 0; c < 5; ++c)
          layer.inputChannelMax->push_back(value(rng()));
      }
      cim::CimParams params;
      params.weights.slices = {1, 2, 2, 2};
      params.inputs.hybridAnalogBits = 0;
      layer.measuredFor = measuredFor(params, 99.99);
      table.layers["/layer" + std::to_string(l) + "/Gemm"] = layer;
    }
    std::string text;
    ASSERT_EQ(writeTable(table, text), "");
    Table back;
    ASSERT_EQ(readTable(text, "t.json", back), "");
    EXPECT_EQ(back.dataset, table.dataset);
    EXPECT_EQ(back.samples, table.samples);
    ASSERT_EQ(back.layers.size(), table.layers.size());
    for (const auto &[name, layer] : table.layers) {
      const Layer &got = back.layers.at(name);
      EXPECT_EQ(got.measuredFor, layer.measuredFor) << name;
      EXPECT_EQ(got.inputChannelMax, layer.inputChannelMax) << name;
      ASSERT_EQ(got.groups->size(), layer.groups->size());
      for (size_t g = 0; g < layer.groups->size(); ++g) {
        EXPECT_EQ(got.groups->at(g).inputScale, layer.groups->at(g).inputScale);
        EXPECT_EQ(got.groups->at(g).adcFullScales, layer.groups->at(g).adcFullScales);
      }
    }
  }
}

TEST(CalibrationTable, MeasuredForNamesTheDecisions) {
  cim::CimParams p;
  p.crossbar.rows = 128;
  p.weights.granularity = cim::WeightGranularity::PerTensor;
  p.inputs.hybridAnalogBits = 4;
  p.inputs.slices = {1, 2};
  const auto m = measuredFor(p, 97.5);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"crossbar.rows", "128"},
      {"weights.bits", "8"},
      {"weights.slices", "[1,1,1,1,1,1,1]"},
      {"weights.granularity", "\"per_tensor\""},
      {"weights.clip_percentile", "100.0"},
      {"inputs.bits", "8"},
      {"inputs.slices", "[1,2]"},
      {"inputs.clip_percentile", "100.0"},
      {"inputs.range", "\"percentile\""},
      {"inputs.smooth_alpha", "0.0"},
      {"hybrid.analog_bits", "4"},
      {"adc.percentile", "97.5"},
      {"adc.range", "\"percentile\""}};
  EXPECT_EQ(m, expected);
  // A searched full scale depends on the ADC's levels: adc.bits is recorded too.
  p.adc.range = cim::RangeMethod::Mse;
  const auto searched = measuredFor(p, 100.0);
  ASSERT_EQ(searched.size(), expected.size() + 1);
  EXPECT_EQ(searched.back(), (std::pair<std::string, std::string>{"adc.bits", "8"}));
}

std::string errorOf(const std::string &text) {
  Table t;
  return readTable(text, "t.json", t);
}

TEST(CalibrationTable, ReaderNamesWhatIsWrong) {
  const std::string head = R"({"format": "cimlir-calibration", "version": 1, )";
  EXPECT_EQ(errorOf(head + R"("layers": {}})"), "");
  EXPECT_EQ(errorOf(R"({"version": 1, "layers": {}})"),
            "t.json: format: missing (expected \"cimlir-calibration\")");
  EXPECT_EQ(errorOf(R"({"format": "x", "version": 1, "layers": {}})"),
            "t.json: format: expected \"cimlir-calibration\"; not a cimlir calibration table");
  EXPECT_EQ(errorOf(R"({"format": "cimlir-calibration", "version": 2, "layers": {}})"),
            "t.json: version: expected the integer 1 (this cim-opt reads version 1 only)");
  EXPECT_EQ(errorOf(head + R"("layers": {}, "extra": 1})"),
            "t.json: extra: unknown field (known: format, version, dataset, samples, layers)");
  EXPECT_EQ(errorOf(head + R"("samples": "many", "layers": {}})"),
            "t.json: samples: expected an integer");
  EXPECT_EQ(errorOf(head + R"("layers": []})"),
            "t.json: layers: expected an object of layers by name");
  EXPECT_EQ(errorOf(head + R"("layers": {"fc": {"groups": {}}}})"),
            "t.json: layers.fc.groups: expected an array");
  EXPECT_EQ(errorOf(head + R"("layers": {"fc": {"groups": [3]}}})"),
            "t.json: layers.fc.groups[0]: expected an object");
  EXPECT_EQ(errorOf(head + R"("layers": {"fc": {"groups": [{"input_scale": "1"}]}}})"),
            "t.json: layers.fc.groups[0].input_scale: expected a number");
  EXPECT_EQ(errorOf(head + R"("layers": {"fc": {"groups": [{"adc_full_scales": [1, null]}]}}})"),
            "t.json: layers.fc.groups[0].adc_full_scales[1]: expected a number");
  EXPECT_EQ(errorOf(head + R"("layers": {"fc": {"measured_for": 1}}})"),
            "t.json: layers.fc.measured_for: expected an object");
  EXPECT_EQ(errorOf(head + R"("layers": {"fc": {}, "fc": {}}})"),
            "t.json: layers.fc: duplicate field (each field may appear once)");
  EXPECT_EQ(errorOf("{\"layers\": ").rfind("t.json:1:12: JSON syntax error: ", 0), 0u);
}

} // namespace
} // namespace cimlir::calibration
