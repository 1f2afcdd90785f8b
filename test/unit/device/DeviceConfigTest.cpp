// Device files (§10): defaults, presets, loading files and presets, printing (toJson) and its
// round trip on fresh random configurations, fingerprints.
#include "DeviceTestUtil.h"

#include "core/Fnv1a.h"

#include <unistd.h>

#include <set>
#include <vector>

namespace cimlir::devicetest {
namespace {

using namespace cimlir::device;

// The §10 example, verbatim: every field with its default.
const char *kSection10Example = R"({
  "name": "my-device",
  "crossbar": {"rows": 256, "cols": 256},
  "weights": {"bits": 8, "slices": [1,1,1,1,1,1,1], "granularity": "per_channel", "clip_percentile": 100},
  "inputs":  {"bits": 8, "slices": [1,1,1,1,1,1,1], "scale": "dynamic_row", "clip_percentile": 100, "hybrid_analog_bits": 0},
  "adc":     {"mode": "full", "bits": 8, "percentile": 100, "noise_lsb": 0.0, "samples": 1},
  "noise":   {"read": 0.0, "program": 0.0, "stuck_at_min": 0.0, "stuck_at_max": 0.0, "seed": 0, "chip_seed": 0},
  "digital": {"precision": "fp32"},
  "layers":  {"/lm_head*": {"digital": true}}
})";

// ---- Defaults -------------------------------------------------------------------------------

TEST(DeviceDefaults, EmptyFileHasTheSection10Defaults) {
  DeviceConfig d = parseDeviceText("{}", "dir/dev.json");
  EXPECT_EQ(d.name, "dev"); // named after the file
  EXPECT_EQ(d.source, "dir/dev.json");
  const LayerSettings &s = d.defaults;
  EXPECT_EQ(s.crossbar.rows, 256);
  EXPECT_EQ(s.crossbar.cols, 256);
  EXPECT_EQ(s.weights.bits, 8);
  EXPECT_EQ(s.weights.slices, std::vector<int>(7, 1));
  EXPECT_EQ(s.weights.granularity, WeightGranularity::PerChannel);
  EXPECT_EQ(s.weights.clipPercentile, 100.0);
  EXPECT_EQ(s.inputs.bits, 8);
  EXPECT_EQ(s.inputs.slices, std::vector<int>(7, 1));
  EXPECT_EQ(s.inputs.scale, InputScale::DynamicRow);
  EXPECT_EQ(s.inputs.clipPercentile, 100.0);
  EXPECT_EQ(s.inputs.hybridAnalogBits, 0);
  EXPECT_EQ(s.adc.mode, AdcMode::Full);
  EXPECT_EQ(s.adc.bits, 8);
  EXPECT_EQ(s.adc.percentile, 100.0);
  EXPECT_EQ(s.adc.noiseLsb, 0.0);
  EXPECT_EQ(s.adc.samples, 1);
  EXPECT_EQ(s.noise.read, 0.0);
  EXPECT_EQ(s.noise.program, 0.0);
  EXPECT_EQ(s.noise.stuckAtMin, 0.0);
  EXPECT_EQ(s.noise.stuckAtMax, 0.0);
  EXPECT_EQ(s.noise.seed, 0u);
  EXPECT_EQ(s.noise.chipSeed, 0u);
  EXPECT_FALSE(s.digital.enabled);
  EXPECT_EQ(s.digital.precision, DigitalPrecision::Fp32);
  EXPECT_EQ(s, LayerSettings{});
  ASSERT_EQ(d.layers.size(), 1u);
  EXPECT_EQ(d.layers[0].glob, "/lm_head*");
  EXPECT_TRUE(resolveLayer(d, "/lm_head/MatMul").isDigital());
  EXPECT_FALSE(resolveLayer(d, "/model/lm_head/MatMul").isDigital()); // whole-name match
}

TEST(DeviceDefaults, Section10ExampleEqualsTheEmptyFile) {
  DeviceConfig example = parseDeviceText(kSection10Example, "example.json");
  DeviceConfig empty = parseDeviceText("{}", "my-device.json");
  EXPECT_EQ(example, empty);
  EXPECT_EQ(fingerprint(example), fingerprint(empty));
}

TEST(DeviceDefaults, SlicesFollowTheBits) {
  auto d = parseDeviceText(R"({"weights": {"bits": 5}, "inputs": {"bits": 12}})", "x");
  EXPECT_EQ(d.defaults.weights.slices, std::vector<int>(4, 1));
  EXPECT_EQ(d.defaults.inputs.slices, std::vector<int>(11, 1));
  // Hybrid: h - 1 one-bit slices (§7).
  d = parseDeviceText(R"({"inputs": {"bits": 8, "hybrid_analog_bits": 4}})", "x");
  EXPECT_EQ(d.defaults.inputs.slices, std::vector<int>(3, 1));
  d = parseDeviceText(R"({"inputs": {"hybrid_analog_bits": 5, "slices": [2, 2]}})", "x");
  EXPECT_EQ(d.defaults.inputs.slices, (std::vector<int>{2, 2}));
}

TEST(DeviceDefaults, DigitalShorthandAndObject) {
  EXPECT_TRUE(parseDeviceText(R"({"digital": true})", "x").defaults.digital.enabled);
  auto d = parseDeviceText(R"({"digital": {"enabled": true, "precision": "w8a16"}})", "x");
  EXPECT_TRUE(d.defaults.isDigital());
  EXPECT_EQ(d.defaults.digital.precision, DigitalPrecision::W8A16);
  d = parseDeviceText(R"({"digital": {"precision": "int8"}})", "x");
  EXPECT_FALSE(d.defaults.isDigital());
  EXPECT_EQ(d.defaults.digital.precision, DigitalPrecision::Int8);
}

// ---- Presets ----------------------------------------------------------------------------------

TEST(DevicePresets, Names) {
  EXPECT_EQ(presetNames(), (std::vector<std::string>{"digital", "cim-ideal", "rram-256", "harsh"}));
  EXPECT_TRUE(isPreset("harsh"));
  EXPECT_FALSE(isPreset("Harsh"));
  EXPECT_NE(errorOf([] { presetText("nope"); }).find("digital, cim-ideal, rram-256, harsh"),
            std::string::npos);
}

TEST(DevicePresets, EveryPresetLoadsRoundTripsAndKeepsLmHeadDigital) {
  for (const auto &name : presetNames()) {
    SCOPED_TRACE(name);
    DeviceConfig d = loadDevice(name);
    EXPECT_EQ(d.name, name);
    EXPECT_EQ(d.source, "preset " + name);
    EXPECT_EQ(parseDeviceText(presetText(name), "again"), d);
    EXPECT_EQ(parseDevice(toJson(d), "printed"), d);
    EXPECT_TRUE(resolveLayer(d, "/lm_head/MatMul").isDigital());
  }
}

TEST(DevicePresets, Digital) {
  DeviceConfig d = loadDevice("digital");
  for (const std::string node : {"/fc1/Gemm", "/conv1/Conv", "", "/lm_head/MatMul"}) {
    LayerSettings s = resolveLayer(d, node);
    EXPECT_TRUE(s.isDigital()) << node;
    EXPECT_EQ(s.digital.precision, DigitalPrecision::Fp32);
  }
}

TEST(DevicePresets, CimIdeal) {
  LayerSettings s = resolveLayer(loadDevice("cim-ideal"), "/fc1/Gemm");
  LayerSettings expected;
  expected.adc.mode = AdcMode::Ideal;
  EXPECT_EQ(s, expected);
  EXPECT_FALSE(s.isDigital());
  EXPECT_EQ(s.noise.read, 0.0);
  EXPECT_EQ(s.noise.program, 0.0);
  EXPECT_EQ(s.noise.stuckAtMin + s.noise.stuckAtMax, 0.0);
}

TEST(DevicePresets, Rram256) {
  LayerSettings s = resolveLayer(loadDevice("rram-256"), "/fc1/Gemm");
  LayerSettings expected;
  expected.crossbar = {256, 256};
  expected.weights.slices = {1, 2, 2, 2};
  expected.adc.mode = AdcMode::Full;
  expected.adc.bits = 8;
  expected.noise.read = 0.01;
  EXPECT_EQ(s, expected);
  EXPECT_EQ(s.weights.bits, 8);
  EXPECT_EQ(s.inputs.slices, std::vector<int>(7, 1));
}

TEST(DevicePresets, HarshIsRram256WithA4BitAdcAnd5PercentReadNoise) {
  LayerSettings rram = resolveLayer(loadDevice("rram-256"), "/fc1/Gemm");
  LayerSettings harsh = resolveLayer(loadDevice("harsh"), "/fc1/Gemm");
  EXPECT_EQ(harsh.adc.bits, 4);
  EXPECT_EQ(harsh.noise.read, 0.05);
  harsh.adc.bits = rram.adc.bits;
  harsh.noise.read = rram.noise.read;
  EXPECT_EQ(harsh, rram);
}

// ---- Loading -------------------------------------------------------------------------------

/// Changes the working directory for one scope.
class InDirectory {
public:
  explicit InDirectory(const fs::path &dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~InDirectory() { fs::current_path(old_); }

private:
  fs::path old_;
};

TEST(DeviceLoad, FileByPath) {
  TempDir dir;
  std::string path = dir.file("dev.json");
  writeText(path, R"({"adc": {"bits": 6}})");
  DeviceConfig d = loadDevice(path);
  EXPECT_EQ(d.name, "dev");
  EXPECT_EQ(d.source, path);
  EXPECT_EQ(d.defaults.adc.bits, 6);
  DeviceConfig viaTry;
  EXPECT_EQ(tryLoadDevice(path, viaTry), "");
  EXPECT_EQ(viaTry, d);
}

TEST(DeviceLoad, AFileNamedLikeAPresetWins) {
  TempDir dir;
  writeText(dir.file("rram-256"), R"({"name": "mine", "adc": {"bits": 3}})");
  InDirectory in(dir.path());
  DeviceConfig d = loadDevice("rram-256");
  EXPECT_EQ(d.name, "mine");
  EXPECT_EQ(d.source, "rram-256");
  EXPECT_EQ(d.defaults.adc.bits, 3);
  EXPECT_EQ(loadDevice("harsh").source, "preset harsh"); // no such file here
}

TEST(DeviceLoad, ErrorsNameTheFile) {
  TempDir dir;
  std::string m = errorOf([] { loadDevice("no-such-device.json"); });
  EXPECT_EQ(m, "no-such-device.json: no such device file, and not a preset (presets: digital, "
               "cim-ideal, rram-256, harsh)");
  DeviceConfig untouched;
  untouched.name = "keep";
  EXPECT_EQ(tryLoadDevice("no-such-device.json", untouched), m);
  EXPECT_EQ(untouched.name, "keep");

  EXPECT_EQ(errorOf([&] { loadDevice(dir.path().string()); }),
            dir.path().string() + ": is a directory, not a device file");

  std::string bad = dir.file("bad.json");
  writeText(bad, "{\n  \"adc\": {\"bits\": 20}\n}\n");
  EXPECT_EQ(errorOf([&] { loadDevice(bad); }), bad + ": adc.bits: 20 is outside 2..16");
  writeText(bad, "{\n  \"adc\": {\"bits\" 20}\n}\n");
  EXPECT_EQ(errorOf([&] { loadDevice(bad); }).rfind(bad + ":2:19: JSON syntax error: ", 0), 0u);
  writeText(bad, "");
  EXPECT_EQ(errorOf([&] { loadDevice(bad); }).rfind(bad + ":1:1: JSON syntax error: ", 0), 0u);
  writeText(bad, std::string(17u << 20, ' '));
  EXPECT_EQ(errorOf([&] { loadDevice(bad); }), bad + ": larger than 16 MiB; not a device file");
  EXPECT_NE(errorOf([] { loadDevice(""); }).find("empty"), std::string::npos);
}

// ---- Printing and round trips ------------------------------------------------------------------

TEST(DeviceJson, ToJsonHasEveryFieldInOrder) {
  ojson j = toJson(loadDevice("rram-256"));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it)
    keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "crossbar", "weights", "inputs", "adc", "noise",
                                            "digital", "cost", "layers"}));
  EXPECT_EQ(j["weights"].dump(), R"({"bits":8,"slices":[1,2,2,2],"granularity":"per_channel",)"
                                 R"("clip_percentile":100.0,"source":"float"})");
  EXPECT_EQ(j["inputs"].dump(),
            R"({"bits":8,"slices":[1,1,1,1,1,1,1],"scale":"dynamic_row",)"
            R"("clip_percentile":100.0,"range":"percentile","hybrid_analog_bits":0,)"
            R"("smooth_alpha":0.0})");
  EXPECT_EQ(j["adc"].dump(), R"({"mode":"full","bits":8,"percentile":100.0,"range":"percentile",)"
                             R"("noise_lsb":0.0,"samples":1})");
  EXPECT_EQ(j["noise"].dump(), R"({"read":0.01,"program":0.0,"stuck_at_min":0.0,)"
                               R"("stuck_at_max":0.0,"seed":0,"chip_seed":0,"normals":"exact"})");
  EXPECT_EQ(j["digital"].dump(), R"({"enabled":false,"precision":"fp32"})");
  EXPECT_EQ(j["layers"].dump(), R"({"/lm_head*":{"digital":{"enabled":true}}})");
  EXPECT_EQ(j["crossbar"].dump(), R"({"rows":256,"cols":256})");
  // The text form is the same JSON.
  EXPECT_EQ(ojson::parse(toJsonText(loadDevice("rram-256"))), j);
  EXPECT_EQ(ojson::parse(toJsonText(loadDevice("rram-256").defaults)),
            toJson(loadDevice("rram-256").defaults));
}

TEST(DeviceJson, PrintedLikeTheSection10Example) {
  DeviceConfig d = parseDeviceText(R"({"name": "rram-256", "crossbar": {"rows": 256},
      "weights": {"slices": [1, 2, 2, 2]}, "noise": {"read": 0.01},
      "layers": {"/fc1*": {"adc": {"bits": 6}}}})",
                                   "x");
  EXPECT_EQ(
      toJsonText(d),
      "{\n"
      "  \"name\": \"rram-256\",\n"
      "  \"crossbar\": {\"rows\": 256, \"cols\": 256},\n"
      "  \"weights\": {\"bits\": 8, \"slices\": [1, 2, 2, 2], \"granularity\": \"per_channel\", "
      "\"clip_percentile\": 100.0, \"source\": \"float\"},\n"
      "  \"inputs\": {\"bits\": 8, \"slices\": [1, 1, 1, 1, 1, 1, 1], \"scale\": \"dynamic_row\", "
      "\"clip_percentile\": 100.0, \"range\": \"percentile\", \"hybrid_analog_bits\": 0, "
      "\"smooth_alpha\": 0.0},\n"
      "  \"adc\": {\"mode\": \"full\", \"bits\": 8, \"percentile\": 100.0, \"range\": "
      "\"percentile\", \"noise_lsb\": 0.0, \"samples\": 1},\n"
      "  \"noise\": {\"read\": 0.01, \"program\": 0.0, \"stuck_at_min\": 0.0, \"stuck_at_max\": "
      "0.0, \"seed\": 0, \"chip_seed\": 0, \"normals\": \"exact\"},\n"
      "  \"digital\": {\"enabled\": false, \"precision\": \"fp32\"},\n"
      "  \"cost\": {\"adc\": {\"architecture\": \"sar\", \"energy_pj\": 1.5625, \"area_mm2\": "
      "0.0012, \"conversion_ns\": 0.78125, \"columns_per_adc\": 128}, \"dac\": "
      "{\"energy_pj_per_row\": 0.390625, \"area_mm2_per_row\": 1.66e-07}, \"array\": "
      "{\"cell_read_energy_pj\": 0.00183, \"read_ns\": 100.0, \"cell_area_um2\": 0.0015}, "
      "\"periphery\": {\"shift_add_energy_pj\": 0.02}, \"digital\": {\"fp32_mac_pj\": 4.6, "
      "\"bf16_mac_pj\": 1.5, \"int8_mac_pj\": 0.3, \"w8a16_mac_pj\": 0.9, \"macs_per_ns\": "
      "1024.0}, \"memory\": {\"activation_bits\": 16, \"sram_pj_per_byte\": 2.5, "
      "\"dram_pj_per_byte\": 162.5}},\n"
      "  \"layers\": {\n"
      "    \"/lm_head*\": {\"digital\": {\"enabled\": true}},\n"
      "    \"/fc1*\": {\"adc\": {\"bits\": 6}}\n"
      "  }\n"
      "}\n");
  EXPECT_EQ(toJsonText(d, -1), toJson(d).dump());
}

TEST(DeviceJson, AcceptsPlainNlohmannJson) {
  // A nlohmann::json converts (its keys are sorted, so several layers entries lose their order).
  nlohmann::json j = {{"adc", {{"bits", 6}}}, {"layers", {{"/fc*", {{"digital", true}}}}}};
  DeviceConfig d = parseDevice(j, "plain.json");
  EXPECT_EQ(d.defaults.adc.bits, 6);
  EXPECT_TRUE(resolveLayer(d, "/fc1").isDigital());
}

TEST(DeviceJson, OverridesAreStoredCanonically) {
  auto d = parseDeviceText(R"({"layers": {"/a*": {"digital": true, "noise": {"read": 0,
      "seed": 5}, "adc": {"bits": 6, "mode": "dynamic"}}}})",
                           "x");
  ASSERT_EQ(d.layers.size(), 2u);
  EXPECT_EQ(d.layers[1].glob, "/a*");
  EXPECT_EQ(d.layers[1].overrides, R"({"adc":{"mode":"dynamic","bits":6},)"
                                   R"("noise":{"read":0.0,"seed":5},"digital":{"enabled":true}})");
  // The shorthand and the object form are the same device.
  auto e = parseDeviceText(R"({"layers": {"/a*": {"noise": {"seed": 5, "read": 0.0},
      "adc": {"mode": "dynamic", "bits": 6}, "digital": {"enabled": true}}}})",
                           "x");
  EXPECT_EQ(d, e);
  EXPECT_EQ(fingerprint(d), fingerprint(e));
}

/// A random partition of `total` into parts of 1..7 bits.
std::vector<int> randomSlices(std::mt19937_64 &gen, int total) {
  std::vector<int> out;
  while (total > 0) {
    int part = int(randInt(gen, 1, std::min(total, 7)));
    out.push_back(part);
    total -= part;
  }
  return out;
}

/// A random valid device file (or `layers` entry: then sections are partial, and whatever
/// touches bits keeps its own section consistent, so that any combination of entries is valid).
ojson randomSections(std::mt19937_64 &gen, bool entry) {
  auto pick = [&](const std::vector<std::string> &v) {
    return v[size_t(randInt(gen, 0, int64_t(v.size()) - 1))];
  };
  auto percentile = [&]() { return coin(gen, 0.3) ? 100.0 : randReal(gen, 1e-3, 100.0); };
  double p = entry ? 0.35 : 0.7;
  ojson j = ojson::object();
  if (coin(gen, p)) {
    ojson s = ojson::object();
    if (coin(gen))
      s["rows"] = randInt(gen, 1, 65536); // 65536 · 127 · 127 < 2^31
    if (coin(gen))
      s["cols"] = randInt(gen, 2, 65536);
    j["crossbar"] = s;
  }
  if (coin(gen, p)) {
    ojson s = ojson::object();
    if (coin(gen)) {
      int bits = int(randInt(gen, 2, 16));
      s["bits"] = bits;
      if (coin(gen))
        s["slices"] = randomSlices(gen, bits - 1);
    }
    if (coin(gen))
      s["granularity"] = pick({"per_channel", "per_tensor"});
    if (coin(gen))
      s["clip_percentile"] = percentile();
    if (coin(gen))
      s["source"] = pick({"float", "model"});
    j["weights"] = s;
  }
  if (coin(gen, p)) {
    ojson s = ojson::object();
    if (coin(gen)) {
      int bits = int(randInt(gen, 2, 16));
      int h = coin(gen) ? 0 : int(randInt(gen, 2, bits));
      s["bits"] = bits;
      s["hybrid_analog_bits"] = h;
      if (coin(gen))
        s["slices"] = randomSlices(gen, (h ? h : bits) - 1);
    }
    if (coin(gen))
      s["scale"] = pick({"dynamic_row", "static"});
    if (coin(gen))
      s["clip_percentile"] = percentile();
    j["inputs"] = s;
  }
  if (coin(gen, p)) {
    ojson s = ojson::object();
    if (coin(gen))
      s["mode"] = pick({"ideal", "full", "dynamic", "calibrated"});
    if (coin(gen))
      s["bits"] = randInt(gen, 2, 16);
    if (coin(gen))
      s["percentile"] = percentile();
    if (coin(gen))
      s["noise_lsb"] = randReal(gen, 0, 2);
    if (coin(gen))
      s["samples"] = randInt(gen, 1, 64);
    j["adc"] = s;
  }
  if (coin(gen, p)) {
    ojson s = ojson::object();
    for (const char *k : {"read", "program"})
      if (coin(gen))
        s[k] = coin(gen, 0.2) ? ojson(0) : ojson(randReal(gen, 0, 0.2));
    for (const char *k : {"stuck_at_min", "stuck_at_max"})
      if (coin(gen))
        s[k] = randReal(gen, 0, 0.5);
    for (const char *k : {"seed", "chip_seed"})
      if (coin(gen))
        s[k] = uint64_t(gen());
    j["noise"] = s;
  }
  if (coin(gen, p)) {
    if (coin(gen, 0.3)) {
      j["digital"] = coin(gen);
    } else {
      ojson s = ojson::object();
      if (coin(gen))
        s["enabled"] = coin(gen);
      if (coin(gen))
        s["precision"] = pick({"fp32", "bf16", "int8", "w8a16"});
      j["digital"] = s;
    }
  }
  return j;
}

const std::vector<std::string> kNamePieces = {"/",       "fc",     "1",        "2", "conv",
                                              "lm_head", "MatMul", "/blocks.", "0", "Gemm"};

std::string randomName(std::mt19937_64 &gen, bool glob) {
  std::string s;
  int n = int(randInt(gen, 1, 5));
  for (int i = 0; i < n; ++i)
    s += glob && coin(gen, 0.3)
             ? std::string("*")
             : kNamePieces[size_t(randInt(gen, 0, int64_t(kNamePieces.size()) - 1))];
  return s;
}

ojson randomDeviceFile(std::mt19937_64 &gen) {
  ojson j = ojson::object();
  if (coin(gen))
    j["name"] = randomName(gen, false);
  ojson sections = randomSections(gen, false);
  for (auto it = sections.begin(); it != sections.end(); ++it)
    j[it.key()] = it.value();
  if (coin(gen, 0.8)) {
    ojson layers = ojson::object();
    int n = int(randInt(gen, 0, 5));
    for (int i = 0; i < n; ++i)
      layers[coin(gen, 0.1) ? std::string("/lm_head*") : randomName(gen, true)] =
          randomSections(gen, true);
    j["layers"] = layers;
  }
  return j;
}

TEST(DeviceJson, RoundTripOfRandomConfigs) {
  CIMLIR_DEVICE_RNG();
  for (int iter = 0; iter < 300; ++iter) {
    ojson file = randomDeviceFile(gen);
    SCOPED_TRACE(file.dump());
    DeviceConfig d;
    ASSERT_NO_THROW(d = parseDevice(file, "random.json"));
    std::string printed = toJsonText(d);
    DeviceConfig again = parseDeviceText(printed, "printed.json");
    ASSERT_EQ(again, d) << printed;
    EXPECT_EQ(toJsonText(again), printed);
    EXPECT_EQ(fingerprint(again), fingerprint(d));
    // The same text parsed from the original file text gives the same device.
    EXPECT_EQ(parseDeviceText(file.dump(2), "random.json"), d);
    // Every node resolves the same from the printed file.
    for (int k = 0; k < 10; ++k) {
      std::string node = randomName(gen, false);
      LayerSettings a, b;
      ASSERT_EQ(tryResolveLayer(d, node, a), "") << node;
      ASSERT_EQ(tryResolveLayer(again, node, b), "") << node;
      EXPECT_EQ(a, b) << node;
    }
  }
}

// ---- Fingerprint ------------------------------------------------------------------------------

TEST(DeviceFingerprint, IsFnv1a64OfTheCanonicalJson) {
  DeviceConfig d = loadDevice("harsh");
  EXPECT_EQ(fingerprint(d), fnv1a64(toJsonText(d, -1)));
}

TEST(DeviceFingerprint, StableAndIndependentOfTheSource) {
  TempDir dir;
  writeText(dir.file("a.json"), presetText("rram-256"));
  writeText(dir.file("b.json"), toJsonText(loadDevice("rram-256"), 4));
  uint64_t f = fingerprint(loadDevice("rram-256"));
  EXPECT_EQ(fingerprint(loadDevice("rram-256")), f);
  EXPECT_EQ(fingerprint(loadDevice(dir.file("a.json"))), f);
  EXPECT_EQ(fingerprint(loadDevice(dir.file("b.json"))), f);
  std::set<uint64_t> presets;
  for (const auto &name : presetNames())
    presets.insert(fingerprint(loadDevice(name)));
  EXPECT_EQ(presets.size(), presetNames().size());
}

TEST(DeviceFingerprint, ChangesWhenAnyFieldChanges) {
  const ojson base = toJson(loadDevice("rram-256"));
  const uint64_t baseFingerprint = fingerprint(parseDevice(base, "base"));
  // One change per field (a valid value other than rram-256's), as JSON merge patches.
  const std::vector<ojson> changes = {
      {{"name", "other"}},
      {{"crossbar", {{"rows", 128}}}},
      {{"crossbar", {{"cols", 128}}}},
      {{"weights", {{"bits", 6}, {"slices", {1, 2, 2}}}}},
      {{"weights", {{"slices", {2, 2, 2, 1}}}}},
      {{"weights", {{"granularity", "per_tensor"}}}},
      {{"weights", {{"clip_percentile", 99.5}}}},
      {{"inputs", {{"bits", 6}, {"slices", {1, 1, 1, 1, 1}}}}},
      {{"inputs", {{"slices", {1, 2, 2, 2}}}}},
      {{"inputs", {{"scale", "static"}}}},
      {{"inputs", {{"clip_percentile", 99.9}}}},
      {{"inputs", {{"hybrid_analog_bits", 4}, {"slices", {1, 1, 1}}}}},
      {{"adc", {{"mode", "dynamic"}}}},
      {{"adc", {{"bits", 6}}}},
      {{"adc", {{"percentile", 99.99}}}},
      {{"adc", {{"noise_lsb", 0.5}}}},
      {{"adc", {{"samples", 4}}}},
      {{"noise", {{"read", 0.011}}}},
      {{"noise", {{"program", 0.02}}}},
      {{"noise", {{"stuck_at_min", 0.001}}}},
      {{"noise", {{"stuck_at_max", 0.001}}}},
      {{"noise", {{"seed", 1}}}},
      {{"noise", {{"chip_seed", 1}}}},
      {{"digital", {{"enabled", true}}}},
      {{"digital", {{"precision", "bf16"}}}},
      {{"layers", {{"/lm_head*", {{"digital", {{"enabled", false}}}}}}}},
      {{"layers", {{"/fc*", {{"adc", {{"bits", 4}}}}}}}},
  };
  std::set<uint64_t> seen = {baseFingerprint};
  for (const auto &patch : changes) {
    ojson changed = base;
    changed.merge_patch(patch);
    DeviceConfig d = parseDevice(changed, "changed");
    uint64_t f = fingerprint(d);
    EXPECT_NE(f, baseFingerprint) << patch.dump();
    EXPECT_TRUE(seen.insert(f).second) << "two changes give one fingerprint: " << patch.dump();
    EXPECT_EQ(fingerprint(parseDevice(changed, "changed")), f) << patch.dump();
  }
}

} // namespace
} // namespace cimlir::devicetest
