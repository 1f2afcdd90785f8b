// The typed plan metadata (runtime/plan/PlanMetadata.h): what the emitter writes reads back
// field for field, and the reader refuses metadata of another form, naming the field.
#include "runtime/plan/PlanMetadata.h"

#include "test/unit/common/ErrorOf.h"
#include "test/unit/common/TestRng.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cimlir::plan {
namespace {

using nlohmann::json;
using test::errorOf;

std::mt19937_64 &rng() { return test::processRng("plan metadata tests"); }
int64_t range(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng());
}
std::string name() {
  std::string s = "/n" + std::to_string(range(0, 1 << 20));
  if (range(0, 3) == 0)
    s += "\xc3\xa9\"\\"; // UTF-8 and characters JSON escapes
  return s;
}

Metadata randomMetadata() {
  Metadata m;
  m.producer = "cim-opt " + name();
  m.source = name() + ".onnx";
  m.device = range(0, 1) ? R"({"name":"d","adc":{"bits":6}})" : "";
  const DType dtypes[] = {DType::F32, DType::F64, DType::I8,  DType::U8,  DType::I16,
                          DType::U16, DType::I32, DType::I64, DType::Bool};
  const int64_t values = range(1, 12);
  for (int64_t v = 0; v < values; ++v) {
    ValueEntry e{name(), dtypes[range(0, 8)], {}};
    for (int64_t d = range(0, 4); d > 0; --d)
      e.shape.push_back(range(-1, 300));
    m.values.push_back(e);
  }
  for (int64_t i = range(0, 3); i > 0; --i)
    m.inputs.push_back({name(), range(0, values - 1)});
  for (int64_t i = range(0, 3); i > 0; --i)
    m.outputs.push_back({name(), range(0, values - 1)});
  for (int64_t i = range(0, 3); i > 0; --i)
    m.constants.push_back({range(0, values - 1), range(1, 9)});
  for (int64_t i = range(0, 5); i > 0; --i) {
    StepEntry s{range(0, 1) ? "CimLinear" : "Relu", name(), {}, {}, "{}", ""};
    for (int64_t k = range(0, 3); k > 0; --k)
      s.inputs.push_back(range(0, values - 1));
    for (int64_t k = range(0, 2); k > 0; --k)
      s.outputs.push_back(range(0, values - 1));
    json attrs = {{"seed", std::uniform_int_distribution<uint64_t>()(rng())},
                  {"scales", {0.1, 1.0 / 3.0, 1e-30}},
                  {"mode", "full"}};
    s.attrs = attrs.dump();
    // A plugin pass's results (cim.ext) on some steps only.
    if (range(0, 1))
      s.ext = json{{"mypass.tile", range(-5, 5)}, {"mypass.note", name()}}.dump();
    m.steps.push_back(s);
  }
  return m;
}

TEST(PlanMetadata, WrittenMetadataReadsBackFieldForField) {
  for (int t = 0; t < 50; ++t) {
    const Metadata m = randomMetadata();
    std::string text;
    ASSERT_EQ(toMetadataJson(m, text), "");
    const json parsed = json::parse(text);
    EXPECT_EQ(parsed["format"], kMetadataFormat);
    const Metadata back = readMetadata(parsed, "p.bin");
    EXPECT_EQ(back.producer, m.producer);
    EXPECT_EQ(back.source, m.source);
    EXPECT_EQ(back.device, m.device);
    ASSERT_EQ(back.values.size(), m.values.size());
    for (size_t i = 0; i < m.values.size(); ++i) {
      EXPECT_EQ(back.values[i].name, m.values[i].name);
      EXPECT_EQ(back.values[i].dtype, m.values[i].dtype);
      EXPECT_EQ(back.values[i].shape, m.values[i].shape);
    }
    ASSERT_EQ(back.inputs.size(), m.inputs.size());
    ASSERT_EQ(back.outputs.size(), m.outputs.size());
    for (size_t i = 0; i < m.inputs.size(); ++i)
      EXPECT_EQ(back.inputs[i].name + std::to_string(back.inputs[i].value),
                m.inputs[i].name + std::to_string(m.inputs[i].value));
    for (size_t i = 0; i < m.outputs.size(); ++i)
      EXPECT_EQ(back.outputs[i].name + std::to_string(back.outputs[i].value),
                m.outputs[i].name + std::to_string(m.outputs[i].value));
    ASSERT_EQ(back.constants.size(), m.constants.size());
    for (size_t i = 0; i < m.constants.size(); ++i) {
      EXPECT_EQ(back.constants[i].value, m.constants[i].value);
      EXPECT_EQ(back.constants[i].section, m.constants[i].section);
    }
    ASSERT_EQ(back.steps.size(), m.steps.size());
    for (size_t i = 0; i < m.steps.size(); ++i) {
      EXPECT_EQ(back.steps[i].op, m.steps[i].op);
      EXPECT_EQ(back.steps[i].name, m.steps[i].name);
      EXPECT_EQ(back.steps[i].inputs, m.steps[i].inputs);
      EXPECT_EQ(back.steps[i].outputs, m.steps[i].outputs);
      // Attributes keep every value exactly (a seed above 2^63, doubles bit for bit).
      EXPECT_EQ(json::parse(back.steps[i].attrs), json::parse(m.steps[i].attrs));
      EXPECT_EQ(back.steps[i].ext.empty(), m.steps[i].ext.empty());
      if (!m.steps[i].ext.empty()) {
        EXPECT_EQ(json::parse(back.steps[i].ext), json::parse(m.steps[i].ext));
      }
    }
  }
}

TEST(PlanMetadata, StepAttrsMustBeAnObject) {
  Metadata m;
  m.steps.push_back({"Relu", "r", {}, {}, "[1, 2]", ""});
  std::string text = "unchanged";
  EXPECT_EQ(toMetadataJson(m, text), "step 0 (Relu): attrs is not a JSON object");
  EXPECT_EQ(text, "unchanged");
  m.steps[0].attrs = "{\"a\":";
  EXPECT_EQ(toMetadataJson(m, text), "step 0 (Relu): attrs is not a JSON object");
  m.steps[0].attrs = "{}";
  m.steps[0].ext = "[\"mypass.x\"]";
  EXPECT_EQ(toMetadataJson(m, text), "step 0 (Relu): ext is not a JSON object");
  EXPECT_EQ(text, "unchanged");
}

TEST(PlanMetadata, ReaderNamesWhatIsWrong) {
  std::string text;
  Metadata m = randomMetadata();
  m.steps.push_back({"Relu", "r", {0}, {0}, "{}", ""});
  ASSERT_EQ(toMetadataJson(m, text), "");
  const json good = json::parse(text);
  auto errorFor = [&](const std::function<void(json &)> &edit) {
    json meta = good;
    edit(meta);
    return errorOf([&] { readMetadata(meta, "p.bin"); });
  };
  EXPECT_EQ(
      errorFor([](json &j) { j["format"] = kMetadataFormat + 1; }),
      "p.bin: invalid plan metadata: unsupported metadata format 4 (this runtime reads 1 to 3)");
  EXPECT_EQ(
      errorFor([](json &j) { j["format"] = 0; }),
      "p.bin: invalid plan metadata: unsupported metadata format 0 (this runtime reads 1 to 3)");
  // Formats 1 (before fused activations) and 2 (before fused normalisations) are still read.
  for (int64_t format : {1, 2})
    EXPECT_NO_THROW(readMetadata(
        [&] {
          json old = good;
          old["format"] = format;
          return old;
        }(),
        "p.bin"));
  EXPECT_EQ(errorFor([](json &j) { j.erase("format"); }),
            "p.bin: invalid plan metadata: metadata has no 'format'");
  EXPECT_EQ(errorFor([](json &j) { j["values"][0]["dtype"] = "complex64"; }),
            "p.bin: invalid plan metadata: value 0 has an unknown dtype");
  EXPECT_EQ(errorFor([](json &j) {
              j["values"][0]["shape"] = {2, -2};
            }),
            "p.bin: invalid plan metadata: value 0 has an invalid dimension");
  EXPECT_EQ(errorFor([](json &j) { j["steps"].back()["inputs"] = {"x"}; }),
            "p.bin: invalid plan metadata: step " + std::to_string(m.steps.size() - 1) +
                " has a non-integer input");
  EXPECT_EQ(errorFor([](json &j) { j["steps"].back()["attrs"] = 3; }),
            "p.bin: invalid plan metadata: step " + std::to_string(m.steps.size() - 1) +
                ".attrs is not an object");
  EXPECT_EQ(errorFor([](json &j) { j["steps"].back()["ext"] = "mypass.x"; }),
            "p.bin: invalid plan metadata: step " + std::to_string(m.steps.size() - 1) +
                ".ext is not an object");
  EXPECT_EQ(errorFor([](json &j) { j["constants"] = json::object(); }),
            "p.bin: invalid plan metadata: metadata.constants is not an array");
}

} // namespace
} // namespace cimlir::plan
