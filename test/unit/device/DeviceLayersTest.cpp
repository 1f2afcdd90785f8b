// Device files (§10): node-name globs, per-layer resolution (order, replacement of default
// entries, deep merge), and cim-run's --set.
#include "DeviceTestUtil.h"

#include <regex>
#include <vector>

namespace cimlir::devicetest {
namespace {

using namespace cimlir::device;

// ---- Globs ------------------------------------------------------------------------------------

TEST(DeviceGlob, Cases) {
  struct Case {
    const char *glob, *name;
    bool match;
  };
  const Case cases[] = {
      {"*", "", true},
      {"*", "/a/b/c", true},
      {"/fc1*", "/fc1/MatMul", true}, // '*' runs over '/'
      {"/fc1*", "/fc1", true},
      {"/fc1", "/fc1/MatMul", false}, // the whole name must match
      {"fc1", "/fc1", false},
      {"/fc1/MatMul", "/fc1/MatMul", true},
      {"*/MatMul", "/blocks.0/attn/MatMul", true},
      {"*/MatMul", "/blocks.0/attn/MatMul_1", false},
      {"/a*b", "/a/x/b", true},
      {"/a*b", "/a/x/bc", false},
      {"/a*b*c", "/abbbc", true},
      {"/a*b*c", "/acb", false},
      {"a**b", "ab", true},
      {"*a*", "bab", true},
      {"*a*", "bbb", false},
      {"?", "?", true}, // only '*' is special
      {"?", "x", false},
      {"[ab]", "[ab]", true},
      {"[ab]", "a", false},
      {"", "", true},
      {"", "a", false},
      {"/lm_head*", "/model/lm_head/MatMul", false},
      {"*lm_head*", "/model/lm_head/MatMul", true},
  };
  for (const auto &c : cases)
    EXPECT_EQ(globMatch(c.glob, c.name), c.match) << c.glob << " vs " << c.name;
}

TEST(DeviceGlob, AgreesWithARegexOnRandomStrings) {
  CIMLIR_DEVICE_RNG();
  const std::string alphabet = "ab/.";
  for (int iter = 0; iter < 3000; ++iter) {
    std::string glob, name;
    for (int64_t i = randInt(gen, 0, 7); i > 0; --i)
      glob += coin(gen, 0.3) ? '*' : alphabet[size_t(randInt(gen, 0, 3))];
    for (int64_t i = randInt(gen, 0, 9); i > 0; --i)
      name += alphabet[size_t(randInt(gen, 0, 3))];
    std::string pattern;
    for (char c : glob)
      pattern += c == '*' ? std::string(".*") : (c == '.' ? std::string("\\.") : std::string(1, c));
    bool expected = std::regex_match(name, std::regex(pattern));
    EXPECT_EQ(globMatch(glob, name), expected) << "glob '" << glob << "' name '" << name << "'";
  }
}

// ---- Resolution --------------------------------------------------------------------------------

TEST(DeviceResolve, UnmatchedNodesGetTheDefaults) {
  auto d =
      parseDeviceText(R"({"adc": {"bits": 5}, "layers": {"/fc1*": {"adc": {"bits": 3}}}})", "x");
  EXPECT_EQ(resolveLayer(d, "/conv1/Conv"), d.defaults);
  EXPECT_EQ(resolveLayer(d, "/conv1/Conv").adc.bits, 5);
  EXPECT_EQ(resolveLayer(d, "/fc1/Gemm").adc.bits, 3);
}

TEST(DeviceResolve, LaterEntriesOverrideEarlierOnes) {
  auto d = parseDeviceText(
      R"({"layers": {"/fc*": {"adc": {"bits": 4}}, "/fc1*": {"adc": {"bits": 6}}}})", "x");
  ASSERT_EQ(d.layers.size(), 3u);
  EXPECT_EQ(d.layers[1].glob, "/fc*"); // file order, not sorted
  EXPECT_EQ(d.layers[2].glob, "/fc1*");
  EXPECT_EQ(resolveLayer(d, "/fc1/Gemm").adc.bits, 6);
  EXPECT_EQ(resolveLayer(d, "/fc2/Gemm").adc.bits, 4);
  // The other order: the broader glob comes last and wins.
  d = parseDeviceText(
      R"({"layers": {"/fc1*": {"adc": {"bits": 6}}, "/fc*": {"adc": {"bits": 4}}}})", "x");
  EXPECT_EQ(resolveLayer(d, "/fc1/Gemm").adc.bits, 4);
}

TEST(DeviceResolve, AFileEntryWithTheSameGlobReplacesTheDefaultOne) {
  auto d = parseDeviceText(R"({"layers": {"/a*": {"adc": {"bits": 7}},
                                          "/lm_head*": {"adc": {"bits": 5}}}})",
                           "x");
  ASSERT_EQ(d.layers.size(), 2u);
  EXPECT_EQ(d.layers[0].glob, "/a*");
  EXPECT_EQ(d.layers[1].glob, "/lm_head*");
  LayerSettings s = resolveLayer(d, "/lm_head/MatMul");
  EXPECT_FALSE(s.isDigital()); // the default {"digital": true} is gone
  EXPECT_EQ(s.adc.bits, 5);
  // An empty entry just removes the default.
  d = parseDeviceText(R"({"layers": {"/lm_head*": {}}})", "x");
  EXPECT_EQ(resolveLayer(d, "/lm_head/MatMul"), d.defaults);
  // Default entries come first, so a file entry can override them with another glob.
  d = parseDeviceText(R"({"layers": {"*": {"digital": false}}})", "x");
  EXPECT_FALSE(resolveLayer(d, "/lm_head/MatMul").isDigital());
  EXPECT_EQ(defaultLayerEntries().size(), 1u);
  EXPECT_EQ(defaultLayerEntries()[0].glob, "/lm_head*");
}

// cim-opt --digital-budget --save-device: an entry per kept layer, at the device's precision.
TEST(DeviceKeepDigital, AnEntryOfItsOwnNameKeepsEachLayerDigital) {
  auto d = parseDeviceText(R"({"adc": {"bits": 5}, "digital": {"precision": "bf16"},
                              "layers": {"/fc*": {"adc": {"bits": 3}},
                                         "/fc2": {"weights": {"bits": 6}}}})",
                           "dev.json");
  DeviceConfig kept = keepDigital(d, {"/fc1", "/fc2", "/conv1"});
  EXPECT_EQ(kept.source, "dev.json");
  for (const char *name : {"/fc1", "/fc2", "/conv1"}) {
    LayerSettings s = resolveLayer(kept, name);
    EXPECT_TRUE(s.digital.enabled) << name;
    EXPECT_EQ(s.digital.precision, DigitalPrecision::Bf16) << name;
  }
  // The file's entry of the same glob keeps its other fields; other layers are untouched.
  EXPECT_EQ(resolveLayer(kept, "/fc2").weights.bits, 6);
  EXPECT_FALSE(resolveLayer(kept, "/fc3").digital.enabled);
  EXPECT_EQ(resolveLayer(kept, "/fc3").adc.bits, 3);
  EXPECT_EQ(kept.layers.back().glob, "/conv1");
  // Printed and read back: the same device.
  EXPECT_EQ(parseDeviceText(toJsonText(kept), "again"), kept);
  // A recurrent layer is digital in fp32 only: its entry says so.
  DeviceConfig rnn = keepDigital(d, {"/rnn", "/fc1"}, {"/rnn"});
  EXPECT_EQ(resolveLayer(rnn, "/rnn").digital.precision, DigitalPrecision::Fp32);
  EXPECT_EQ(resolveLayer(rnn, "/fc1").digital.precision, DigitalPrecision::Bf16);
}

TEST(DeviceKeepDigital, NamesNoEntryOfTheirOwnCanKeepAreErrors) {
  // A new entry goes last, so a "*" entry of the file cannot undo it...
  auto d = parseDeviceText(R"({"layers": {"*": {"digital": false}}})", "dev.json");
  EXPECT_TRUE(resolveLayer(keepDigital(d, {"/fc1"}), "/fc1").digital.enabled);
  // ...but the file's own entry of that name, before a later "*", would be undone.
  auto before = parseDeviceText(
      R"({"layers": {"/fc1": {"adc": {"bits": 4}}, "*": {"digital": false}}})", "dev.json");
  EXPECT_EQ(errorOf([&] { keepDigital(before, {"/fc1"}); }),
            "dev.json: layer '/fc1': a later layers entry puts it back on CIM, so no entry of its "
            "own can keep it digital");
  EXPECT_EQ(errorOf([&] { keepDigital(d, {"/a*b"}); }),
            "dev.json: layer '/a*b' cannot have a layers entry of its own: a glob reads its '*' "
            "as a wildcard");
}

TEST(DeviceResolve, OverridesMergeFieldByField) {
  auto d = parseDeviceText(R"({
      "adc": {"mode": "dynamic", "bits": 8, "noise_lsb": 0.5, "samples": 3},
      "noise": {"read": 0.02, "seed": 9},
      "layers": {"/fc1*": {"adc": {"bits": 6}}, "/fc1/x": {"noise": {"program": 0.01}}}})",
                           "x");
  LayerSettings s = resolveLayer(d, "/fc1/x");
  LayerSettings expected = d.defaults;
  expected.adc.bits = 6;
  expected.noise.program = 0.01;
  EXPECT_EQ(s, expected);
  EXPECT_EQ(s.adc.mode, AdcMode::Dynamic);
  EXPECT_EQ(s.adc.noiseLsb, 0.5);
  EXPECT_EQ(s.adc.samples, 3);
  EXPECT_EQ(s.noise.read, 0.02);
  EXPECT_EQ(s.noise.seed, 9u);
}

TEST(DeviceResolve, BitsWithoutSlicesGetOneBitSlices) {
  auto d = parseDeviceText(R"({
      "weights": {"bits": 8, "slices": [1, 2, 2, 2]},
      "inputs": {"bits": 8, "slices": [3, 4]},
      "layers": {
        "/w4": {"weights": {"bits": 4}},
        "/w4s": {"weights": {"bits": 4, "slices": [3]}},
        "/h4": {"inputs": {"hybrid_analog_bits": 4}},
        "/i6": {"inputs": {"bits": 6}},
        "/adc": {"adc": {"bits": 4}, "weights": {"granularity": "per_tensor"}}}})",
                           "x");
  EXPECT_EQ(resolveLayer(d, "/w4").weights.slices, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(resolveLayer(d, "/w4s").weights.slices, (std::vector<int>{3}));
  EXPECT_EQ(resolveLayer(d, "/h4").inputs.slices, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(resolveLayer(d, "/i6").inputs.slices, (std::vector<int>{1, 1, 1, 1, 1}));
  // Sections that do not set bits keep the file's slices.
  LayerSettings s = resolveLayer(d, "/adc");
  EXPECT_EQ(s.weights.slices, (std::vector<int>{1, 2, 2, 2}));
  EXPECT_EQ(s.inputs.slices, (std::vector<int>{3, 4}));
  EXPECT_EQ(s.weights.granularity, WeightGranularity::PerTensor);
}

TEST(DeviceResolve, DigitalEntries) {
  auto d = parseDeviceText(R"({"layers": {"/conv*": {"digital": true},
      "/conv2*": {"digital": {"precision": "bf16"}}, "/conv3*": {"digital": false}}})",
                           "x");
  EXPECT_TRUE(resolveLayer(d, "/conv1/Conv").isDigital());
  LayerSettings s = resolveLayer(d, "/conv2/Conv");
  EXPECT_TRUE(s.isDigital()); // precision alone keeps enabled from /conv*
  EXPECT_EQ(s.digital.precision, DigitalPrecision::Bf16);
  EXPECT_FALSE(resolveLayer(d, "/conv3/Conv").isDigital());
  EXPECT_FALSE(resolveLayer(d, "/fc/Gemm").isDigital());
}

// ---- --set ----------------------------------------------------------------------------------

TEST(DeviceSet, RuntimeKeys) {
  EXPECT_EQ(runtimeSettingKeys(),
            (std::vector<std::string>{"adc.mode", "adc.bits", "adc.noise_lsb", "adc.samples",
                                      "noise.read", "noise.program", "noise.stuck_at_min",
                                      "noise.stuck_at_max", "noise.seed", "noise.chip_seed",
                                      "noise.normals"}));
}

TEST(DeviceSet, ChangesRuntimeParameters) {
  LayerSettings s = resolveLayer(loadDevice("rram-256"), "/fc1/Gemm");
  LayerSettings expected = s;
  applySetting(s, "adc.bits", "6");
  applySetting(s, "noise.read=0.02");
  applySetting(s, "adc.mode", "dynamic");
  applySetting(s, "adc.noise_lsb", "0.25");
  applySetting(s, "adc.samples", "8");
  applySetting(s, "noise.program", "0");
  applySetting(s, "noise.stuck_at_min", "0.001");
  applySetting(s, "noise.stuck_at_max", "1e-3");
  applySetting(s, "noise.seed", "18446744073709551615");
  applySetting(s, "noise.chip_seed", "7");
  expected.adc.bits = 6;
  expected.noise.read = 0.02;
  expected.adc.mode = AdcMode::Dynamic;
  expected.adc.noiseLsb = 0.25;
  expected.adc.samples = 8;
  expected.noise.program = 0;
  expected.noise.stuckAtMin = 0.001;
  expected.noise.stuckAtMax = 0.001;
  expected.noise.seed = 18446744073709551615ull;
  expected.noise.chipSeed = 7;
  EXPECT_EQ(s, expected);
  applySetting(s, "adc.mode", "\"ideal\""); // JSON string form
  EXPECT_EQ(s.adc.mode, AdcMode::Ideal);
}

TEST(DeviceSet, FieldsFixedByThePlan) {
  LayerSettings s;
  EXPECT_EQ(errorOf([&] { applySetting(s, "weights.bits", "4"); }),
            "--set: weights.bits is fixed when the plan is compiled; recompile with cim-opt");
  for (const std::string key :
       {"crossbar.rows", "crossbar.cols", "weights.slices", "weights.granularity",
        "weights.clip_percentile", "inputs.bits", "inputs.slices", "inputs.scale",
        "inputs.clip_percentile", "inputs.hybrid_analog_bits", "adc.percentile", "digital.enabled",
        "digital.precision", "digital", "name", "layers", "crossbar", "weights", "inputs"})
    EXPECT_EQ(errorOf([&] { applySetting(s, key, "1"); }),
              "--set: " + key + " is fixed when the plan is compiled; recompile with cim-opt");
  EXPECT_EQ(s, LayerSettings{});
}

TEST(DeviceSet, ValuesFollowTheFileRules) {
  LayerSettings s;
  auto err = [&](const std::string &key, const std::string &value) {
    return errorOf([&] { applySetting(s, key, value); });
  };
  EXPECT_EQ(err("adc.bits", "8.0"), "--set: adc.bits: expected an integer, got 8.0");
  EXPECT_EQ(err("adc.bits", "6.5"), "--set: adc.bits: expected an integer, got 6.5");
  EXPECT_EQ(err("adc.bits", "20"), "--set: adc.bits: 20 is outside 2..16");
  EXPECT_EQ(err("adc.bits", "six"), "--set: adc.bits: expected an integer, got \"six\"");
  EXPECT_EQ(err("adc.bits", ""), "--set: adc.bits: expected an integer, got \"\"");
  EXPECT_EQ(err("adc.samples", "0"), "--set: adc.samples: 0 is outside 1..2147483647");
  EXPECT_EQ(err("noise.read", "-0.01"), "--set: noise.read: -0.01 is negative");
  EXPECT_EQ(err("noise.read", "abc"), "--set: noise.read: expected a number, got \"abc\"");
  EXPECT_EQ(err("noise.read", "[1]"), "--set: noise.read: expected a number, got \"[1]\"");
  EXPECT_EQ(err("noise.read", "1e400"), "--set: noise.read: expected a number, got \"1e400\"");
  EXPECT_EQ(err("noise.seed", "-1"), "--set: noise.seed: -1 is outside 0..18446744073709551615");
  EXPECT_EQ(err("adc.mode", "fast"),
            "--set: adc.mode: 'fast' is not one of ideal, full, dynamic, calibrated");
  EXPECT_EQ(err("adc.mode", "calibrated"),
            "--set: adc.mode: 'calibrated' needs full scales calibrated when the plan is "
            "compiled; recompile with cim-opt --calibration DATASET and a device whose "
            "adc.mode is calibrated");
  EXPECT_EQ(err("adc.bitz", "4"),
            "--set: adc.bitz: unknown field (run-time parameters: adc.mode, adc.bits, "
            "adc.noise_lsb, adc.samples, noise.read, noise.program, noise.stuck_at_min, "
            "noise.stuck_at_max, noise.seed, noise.chip_seed, noise.normals)");
  EXPECT_EQ(errorOf([&] { applySetting(s, "adc.bits"); }),
            "--set: adc.bits: expected KEY=VALUE or GLOB:KEY=VALUE (e.g. adc.bits=6, "
            "/conv1/*:adc.bits=6)");
  EXPECT_EQ(errorOf([&] { applySetting(s, ":adc.bits=6"); }),
            "--set: :adc.bits=6: an empty glob matches no layer (give KEY=VALUE for every layer)");
  EXPECT_EQ(err("adc", "6").rfind("--set: adc: give one field, e.g. adc.bits=6 (run-time", 0), 0u);
  EXPECT_EQ(err("noise", "0").rfind("--set: noise: give one field, e.g. noise.read=0.02", 0), 0u);
  // Together with the layer's other value.
  applySetting(s, "noise.stuck_at_max", "0.5");
  EXPECT_EQ(err("noise.stuck_at_min", "0.6"),
            "--set: noise.stuck_at_min + noise.stuck_at_max: 0.6 + 0.5 is more than 1");
  // A failed --set leaves the settings as they were.
  LayerSettings expected;
  expected.noise.stuckAtMax = 0.5;
  EXPECT_EQ(s, expected);
}

TEST(DeviceSet, CalibratedStaysCalibrated) {
  auto d = parseDeviceText(R"({"adc": {"mode": "calibrated", "percentile": 99.9}})", "x");
  LayerSettings s = resolveLayer(d, "/fc");
  EXPECT_NO_THROW(applySetting(s, "adc.mode", "calibrated"));
  applySetting(s, "adc.mode", "full");
  EXPECT_EQ(s.adc.mode, AdcMode::Full);
  EXPECT_FALSE(errorOf([&] { applySetting(s, "adc.mode", "calibrated"); }).empty());
}

TEST(DeviceSet, SequencesAreCheckedByTheirFinalState) {
  auto d = parseDeviceText(R"({"adc": {"mode": "calibrated", "percentile": 99.9}})", "x");
  LayerSettings s = resolveLayer(d, "/fc");
  // Through full and back: the layer's own calibrated ADC.
  EXPECT_NO_THROW(applySettings(s, {"adc.mode=full", "adc.mode=calibrated"}));
  EXPECT_EQ(s.adc.mode, AdcMode::Calibrated);
  // Through p_min + p_max > 1 to a valid end.
  EXPECT_NO_THROW(applySettings(
      s, {"noise.stuck_at_min=0.9", "noise.stuck_at_max=0.5", "noise.stuck_at_min=0"}));
  EXPECT_EQ(s.noise.stuckAtMin, 0.0);
  EXPECT_EQ(s.noise.stuckAtMax, 0.5);
  // An invalid end is refused, and the settings stay as they were.
  LayerSettings before = s;
  EXPECT_EQ(errorOf([&] { applySettings(s, {"noise.stuck_at_min=0.9"}); }),
            "--set: noise.stuck_at_min + noise.stuck_at_max: 0.9 + 0.5 is more than 1");
  EXPECT_EQ(s, before);
  // Each value's own type and range, even when a later one replaces it.
  EXPECT_EQ(errorOf([&] {
              applySettings(s, {"adc.bits=6.5", "adc.bits=6"});
            }),
            "--set: adc.bits: expected an integer, got 6.5");
  EXPECT_EQ(s, before);
  // calibrated at the end of a sequence on a layer that is not calibrated.
  LayerSettings full;
  EXPECT_FALSE(
      errorOf([&] {
        applySettings(full, {"adc.mode=calibrated", "adc.mode=full", "adc.mode=calibrated"});
      }).empty());
  EXPECT_NO_THROW(applySettings(full, {"adc.mode=calibrated", "adc.mode=full"}));
}

TEST(DeviceSet, EveryRuntimeKeyTakesAValidValue) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"adc.mode", "full"},        {"adc.bits", "2"},           {"adc.noise_lsb", "1"},
      {"adc.samples", "2"},        {"noise.read", "0.1"},       {"noise.program", "0.1"},
      {"noise.stuck_at_min", "0"}, {"noise.stuck_at_max", "1"}, {"noise.seed", "3"},
      {"noise.chip_seed", "4"},    {"noise.normals", "fast"}};
  ASSERT_EQ(values.size(), runtimeSettingKeys().size());
  for (const auto &[key, value] : values) {
    LayerSettings s;
    EXPECT_NO_THROW(applySetting(s, key, value)) << key;
    EXPECT_NE(std::find(runtimeSettingKeys().begin(), runtimeSettingKeys().end(), key),
              runtimeSettingKeys().end());
  }
}

// GLOB:KEY=VALUE applies to the layers whose names GLOB matches, in order with the others; the
// glob is what comes before the last ':' ahead of the '=' (node names may hold ':').
TEST(DeviceSet, AGlobScopesAnAssignmentToItsLayers) {
  const std::vector<std::string> sets = {"adc.bits=6", "/conv*:adc.bits=5", "a:b:noise.read=0.03",
                                         "*:noise.seed=9"};
  auto settingsOf = [&](const std::string &layer) {
    LayerSettings s = resolveLayer(loadDevice("rram-256"), layer);
    applySettings(s, sets, layer);
    return s;
  };
  const LayerSettings conv = settingsOf("/conv1/Conv"), fc = settingsOf("/fc1/Gemm"),
                      colon = settingsOf("a:b");
  EXPECT_EQ(conv.adc.bits, 5); // the later, scoped value wins on its layers
  EXPECT_EQ(fc.adc.bits, 6);
  EXPECT_EQ(colon.adc.bits, 6);
  EXPECT_DOUBLE_EQ(conv.noise.read, 0.01);
  EXPECT_DOUBLE_EQ(colon.noise.read, 0.03);
  for (const LayerSettings *s : {&conv, &fc, &colon})
    EXPECT_EQ(s->noise.seed, 9u);
  // Checking before a run applies every assignment, whatever its glob, with the unscoped ones;
  // the rules between fields hold per glob: two globs' values do not add up on one probe.
  LayerSettings probe;
  EXPECT_EQ(
      errorOf([&] { checkSettings(probe, {"/none*:adc.bits=99"}); }).rfind("--set: adc.bits: ", 0),
      0u);
  EXPECT_NO_THROW(
      checkSettings(probe, {"conv:noise.stuck_at_min=0.7", "fc:noise.stuck_at_max=0.7"}));
  EXPECT_EQ(errorOf([&] {
              checkSettings(probe, {"noise.stuck_at_min=0.7", "fc:noise.stuck_at_max=0.7"});
            }),
            "--set: noise.stuck_at_min + noise.stuck_at_max: 0.7 + 0.7 is more than 1");
}

// A glob that matches nothing is an error naming it and listing the layers, for a device's
// `layers` entries (the compiler's check) and for cim-run's scoped --set (the plan's CIM
// layers); the built-in /lm_head* entry is not checked.
TEST(DeviceSet, GlobsThatMatchNoLayerAreErrors) {
  const std::vector<std::string> layers = {"/conv1/Conv", "/fc1/Gemm"};
  const DeviceConfig rram = loadDevice("rram-256");
  EXPECT_EQ(unmatchedLayerGlob(rram, layers), "");
  const DeviceConfig file = parseDeviceText(
      R"({"layers": {"/conv*": {"adc": {"bits": 6}}, "/fc9*": {"digital": true}}})", "dev.json");
  EXPECT_EQ(unmatchedLayerGlob(file, layers),
            "dev.json: layers./fc9*: the glob matches no layer (layers: /conv1/Conv, /fc1/Gemm)");
  EXPECT_EQ(unmatchedLayerGlob(file, {}),
            "dev.json: layers./conv*: the glob matches no layer (layers: the model has none)");
  // A file entry under the built-in glob replaces the built-in entry: it is checked.
  const DeviceConfig lmHead =
      parseDeviceText(R"({"layers": {"/lm_head*": {"adc": {"bits": 6}}}})", "lm.json");
  EXPECT_EQ(unmatchedLayerGlob(lmHead, layers).rfind("lm.json: layers./lm_head*: the glob", 0), 0u);

  EXPECT_EQ(unmatchedSetGlob({"adc.bits=6", "/fc*:adc.bits=5"}, layers), "");
  EXPECT_EQ(unmatchedSetGlob({"/fc*:adc.bits=5", "/Conv*:noise.read=0"}, layers),
            "--set: /Conv*:noise.read=0: the glob /Conv* matches no CIM layer (CIM layers: "
            "/conv1/Conv, /fc1/Gemm)");
  std::vector<std::string> many;
  for (int i = 0; i < 50; ++i)
    many.push_back("l" + std::to_string(i));
  const std::string listed = listLayers(many);
  EXPECT_NE(listed.find("l39, ... (50 in all)"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("l40"), std::string::npos) << listed;
}

} // namespace
} // namespace cimlir::devicetest
