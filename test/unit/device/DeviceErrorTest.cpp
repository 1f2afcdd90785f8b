// Every device-file error of cim-numerics.md §10: each names the file and the field path,
// on one line.
#include "DeviceTestUtil.h"

#include <vector>

namespace cimlir::devicetest {
namespace {

using device::parseDeviceText;

// ---- Unknown fields ---------------------------------------------------------------------

TEST(DeviceErrors, UnknownTopLevelField) {
  std::string m = fileError(R"({"name": "x", "crosbar": {"rows": 128}})");
  EXPECT_EQ(m, "dev.json: crosbar: unknown field (known: name, crossbar, weights, inputs, adc, "
               "noise, digital, cost, layers)");
}

TEST(DeviceErrors, UnknownFieldInSection) {
  EXPECT_EQ(fileError(R"({"crossbar": {"rowz": 128}})"),
            "dev.json: crossbar.rowz: unknown field (known: rows, cols)");
  const std::vector<std::pair<std::string, std::string>> sections = {
      {"crossbar", "rows, cols"},
      {"weights", "bits, slices, granularity, clip_percentile, source"},
      {"inputs", "bits, slices, scale, clip_percentile, range, hybrid_analog_bits, smooth_alpha"},
      {"adc", "mode, bits, percentile, range, noise_lsb, samples"},
      {"noise", "read, program, stuck_at_min, stuck_at_max, seed, chip_seed, normals"},
      {"digital", "enabled, precision"}};
  for (const auto &[section, known] : sections) {
    std::string m = fileError("{\"" + section + "\": {\"bogus\": 1}}");
    EXPECT_EQ(m, "dev.json: " + section + ".bogus: unknown field (known: " + known + ")");
  }
}

TEST(DeviceErrors, UnknownFieldInsideLayersEntry) {
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/fc1*": {"name": "x"}}})"), "layers./fc1*.name",
                         {"unknown field", "crossbar, weights, inputs, adc, noise, digital"}));
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/fc1*": {"adc": {"bitz": 4}}}})"),
                         "layers./fc1*.adc.bitz", {"unknown field (known: mode, bits"}));
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/fc1*": {"layers": {}}}})"),
                         "layers./fc1*.layers", {"unknown field"}));
}

TEST(DeviceErrors, DuplicateField) {
  EXPECT_TRUE(
      namesField(fileError(R"({"adc": {"bits": 8, "bits": 6}})"), "adc.bits", {"duplicate field"}));
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/a*": {}, "/a*": {"digital": true}}})"),
                         "layers./a*", {"duplicate field"}));
}

// ---- Wrong types ----------------------------------------------------------------------------

TEST(DeviceErrors, NumberGivenAsString) {
  EXPECT_EQ(fileError(R"({"noise": {"read": "0.1"}})"),
            "dev.json: noise.read: expected a number, got \"0.1\"");
}

TEST(DeviceErrors, IntegerFieldTakesJsonIntegersOnly) {
  EXPECT_EQ(fileError(R"({"adc": {"bits": 8.5}})"),
            "dev.json: adc.bits: expected an integer, got 8.5");
  EXPECT_EQ(fileError(R"({"adc": {"bits": 8.0}})"),
            "dev.json: adc.bits: expected an integer, got 8.0");
  // Every integer field, at the top level and inside a layers entry.
  const std::vector<std::string> integers = {"crossbar.rows",
                                             "crossbar.cols",
                                             "weights.bits",
                                             "inputs.bits",
                                             "inputs.hybrid_analog_bits",
                                             "adc.bits",
                                             "adc.samples",
                                             "noise.seed",
                                             "noise.chip_seed"};
  for (const auto &key : integers) {
    std::string section = key.substr(0, key.find('.')), field = key.substr(key.find('.') + 1);
    std::string body = "{\"" + section + "\": {\"" + field + "\": 4.0}}";
    EXPECT_TRUE(namesField(fileError(body), key, {"expected an integer, got 4.0"}));
    EXPECT_TRUE(namesField(fileError("{\"layers\": {\"/x\": " + body + "}}"), "layers./x." + key,
                           {"expected an integer, got 4.0"}));
    EXPECT_TRUE(namesField(fileError("{\"" + section + "\": {\"" + field + "\": \"4\"}}"), key,
                           {"expected an integer, got \"4\""}));
  }
  EXPECT_TRUE(
      namesField(fileError(R"({"weights": {"bits": 8, "slices": [1, 1, 1, 1, 1, 1, 1.0]}})"),
                 "weights.slices[6]", {"expected an integer, got 1.0"}));
}

TEST(DeviceErrors, WrongTypesOfEveryKind) {
  EXPECT_TRUE(
      namesField(fileError(R"({"crossbar": 256})"), "crossbar", {"expected an object, got 256"}));
  EXPECT_TRUE(namesField(fileError(R"({"weights": {"slices": 7}})"), "weights.slices",
                         {"expected an array of integers, got 7"}));
  EXPECT_TRUE(namesField(fileError(R"({"weights": {"granularity": 1}})"), "weights.granularity",
                         {"expected a string, got 1"}));
  EXPECT_TRUE(namesField(fileError(R"({"adc": {"mode": ["full"]}})"), "adc.mode",
                         {"expected a string, got an array"}));
  EXPECT_TRUE(namesField(fileError(R"({"adc": {"noise_lsb": null}})"), "adc.noise_lsb",
                         {"expected a number, got null"}));
  EXPECT_TRUE(namesField(fileError(R"({"noise": {"program": {}}})"), "noise.program",
                         {"expected a number, got an object"}));
  EXPECT_TRUE(namesField(fileError(R"({"digital": 1})"), "digital",
                         {"expected true, false or an object, got 1"}));
  EXPECT_TRUE(namesField(fileError(R"({"digital": {"enabled": "yes"}})"), "digital.enabled",
                         {"expected true or false, got \"yes\""}));
  EXPECT_TRUE(namesField(fileError(R"({"name": 7})"), "name", {"expected a string, got 7"}));
  EXPECT_TRUE(namesField(fileError(R"({"layers": ["/fc*"]})"), "layers",
                         {"expected an object", "got an array"}));
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/fc*": true}})"), "layers./fc*",
                         {"expected an object, got true"}));
  EXPECT_EQ(fileError("[1, 2]"), "dev.json: expected a JSON object at the top level, got an array");
}

TEST(DeviceErrors, EnumValues) {
  EXPECT_EQ(
      fileError(R"({"layers": {"/fc1*": {"adc": {"mode": "fast"}}}})"),
      "dev.json: layers./fc1*.adc.mode: 'fast' is not one of ideal, full, dynamic, calibrated");
  EXPECT_TRUE(namesField(fileError(R"({"weights": {"granularity": "per_row"}})"),
                         "weights.granularity",
                         {"'per_row' is not one of per_channel, per_tensor"}));
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"scale": "Static"}})"), "inputs.scale",
                         {"'Static' is not one of dynamic_row, static"}));
  EXPECT_TRUE(namesField(fileError(R"({"digital": {"precision": "fp16"}})"), "digital.precision",
                         {"'fp16' is not one of fp32, bf16, int8, w8a16"}));
}

// ---- Slices -------------------------------------------------------------------------------

TEST(DeviceErrors, SlicesMustSumToTheirBitWidth) {
  EXPECT_EQ(fileError(R"({"weights": {"slices": [1, 2, 2]}})"),
            "dev.json: weights.slices: [1,2,2] sums to 5 but weights.bits - 1 is 7");
  EXPECT_EQ(fileError(R"({"inputs": {"bits": 6, "slices": [2, 2, 2]}})"),
            "dev.json: inputs.slices: [2,2,2] sums to 6 but inputs.bits - 1 is 5");
  EXPECT_EQ(fileError(R"({"inputs": {"hybrid_analog_bits": 4, "slices": [1, 1]}})"),
            "dev.json: inputs.slices: [1,1] sums to 2 but inputs.hybrid_analog_bits - 1 is 3");
  EXPECT_TRUE(
      namesField(fileError(R"({"weights": {"slices": []}})"), "weights.slices", {"[] sums to 0"}));
  // Slices given with other bits: checked against the bits of the same file.
  EXPECT_TRUE(namesField(fileError(R"({"weights": {"bits": 4, "slices": [1, 2, 2, 2]}})"),
                         "weights.slices", {"sums to 7 but weights.bits - 1 is 3"}));
}

TEST(DeviceErrors, SliceWidthOutside1To7) {
  EXPECT_EQ(fileError(R"({"weights": {"bits": 16, "slices": [7, 8]}})"),
            "dev.json: weights.slices[1]: 8 is outside 1..7 (a slice is 1 to 7 bits)");
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"bits": 8, "slices": [0, 7]}})"),
                         "inputs.slices[0]", {"0 is outside 1..7"}));
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"bits": 8, "slices": [-1, 8]}})"),
                         "inputs.slices[0]", {"-1 is outside 1..7"}));
}

TEST(DeviceErrors, BitsOutside2To16) {
  EXPECT_EQ(fileError(R"({"adc": {"bits": 20}})"), "dev.json: adc.bits: 20 is outside 2..16");
  for (const std::string section : {"weights", "inputs", "adc"})
    for (int bits : {-3, 0, 1, 17, 64}) {
      std::string m = fileError("{\"" + section + "\": {\"bits\": " + std::to_string(bits) + "}}");
      EXPECT_TRUE(namesField(m, section + ".bits", {std::to_string(bits) + " is outside 2..16"}));
    }
  // 2 and 16 are allowed.
  for (const std::string section : {"weights", "inputs", "adc"})
    for (int bits : {2, 16})
      EXPECT_NO_THROW(
          parseDeviceText("{\"" + section + "\": {\"bits\": " + std::to_string(bits) + "}}", "x"));
  // Larger than int64.
  EXPECT_TRUE(namesField(fileError(R"({"adc": {"bits": 18446744073709551615}})"), "adc.bits",
                         {"18446744073709551615 is outside 2..16"}));
}

TEST(DeviceErrors, PartialSumOverflow) {
  // rows · (2^7 - 1) · (2^7 - 1) < 2^31 holds up to rows = 133144.
  auto file = [](int64_t rows) {
    return "{\"crossbar\": {\"rows\": " + std::to_string(rows) +
           "}, \"weights\": {\"slices\": [7]}, \"inputs\": {\"slices\": [7]}}";
  };
  EXPECT_NO_THROW(parseDeviceText(file(133144), "x"));
  EXPECT_TRUE(namesField(fileError(file(133145)), "crossbar.rows",
                         {"133145 rows · (2^7 - 1) · (2^7 - 1) = 2147495705 is 2^31 or more"}));
  // With one-bit slices every row count up to 2^31 - 1 fits.
  EXPECT_NO_THROW(parseDeviceText(R"({"crossbar": {"rows": 2147483647}})", "x"));
  EXPECT_TRUE(namesField(fileError(R"({"crossbar": {"rows": 2147483648}})"), "crossbar.rows",
                         {"2147483648 is outside 1..2147483647"}));
  // The widest slice counts, not the sum.
  EXPECT_TRUE(namesField(
      fileError(
          R"({"crossbar": {"rows": 20000000}, "weights": {"bits": 16, "slices": [1, 7, 7]}})"),
      "crossbar.rows", {"(2^1 - 1) · (2^7 - 1)"}));
  EXPECT_NO_THROW(parseDeviceText(
      R"({"crossbar": {"rows": 16909320}, "weights": {"bits": 16, "slices": [1, 7, 7]}})", "x"));
}

// ---- Noise, probabilities, hybrid, percentiles, counts ----------------------------------------

TEST(DeviceErrors, NegativeNoiseOrProbability) {
  for (const std::string key : {"read", "program", "stuck_at_min", "stuck_at_max"}) {
    EXPECT_EQ(fileError("{\"noise\": {\"" + key + "\": -0.01}}"),
              "dev.json: noise." + key + ": -0.01 is negative");
  }
  EXPECT_EQ(fileError(R"({"adc": {"noise_lsb": -1}})"), "dev.json: adc.noise_lsb: -1 is negative");
  EXPECT_TRUE(namesField(fileError(R"({"noise": {"stuck_at_min": 1.5}})"), "noise.stuck_at_min",
                         {"1.5 is outside 0..1"}));
  EXPECT_TRUE(namesField(fileError(R"({"noise": {"seed": -1}})"), "noise.seed",
                         {"-1 is outside 0..18446744073709551615"}));
}

TEST(DeviceErrors, StuckProbabilitiesSumOver1) {
  EXPECT_EQ(fileError(R"({"noise": {"stuck_at_min": 0.6, "stuck_at_max": 0.5}})"),
            "dev.json: noise.stuck_at_min + noise.stuck_at_max: 0.6 + 0.5 is more than 1");
  EXPECT_NO_THROW(parseDeviceText(R"({"noise": {"stuck_at_min": 0.5, "stuck_at_max": 0.5}})", "x"));
  EXPECT_NO_THROW(parseDeviceText(R"({"noise": {"stuck_at_min": 0.7, "stuck_at_max": 0.3}})", "x"));
}

// A searched range (mse, kl) is calibration's, of a static scale, and replaces its section's
// percentile: the percentile must stay at 100, and inputs must be static.
TEST(DeviceErrors, SearchedRangesGoWithWhatTheySearch) {
  EXPECT_EQ(fileError(R"({"inputs": {"range": "mse"}})"),
            "dev.json: inputs.range: 'mse' searches a static scale on calibration data; "
            "dynamic_row inputs clip each row at run time (inputs.clip_percentile)");
  EXPECT_EQ(fileError(R"({"inputs": {"scale": "static", "range": "kl", "clip_percentile": 99}})"),
            "dev.json: inputs.clip_percentile: 99.0 is used by inputs.range 'percentile' only, "
            "the range is 'kl'");
  EXPECT_EQ(fileError(R"({"adc": {"mode": "calibrated", "range": "mse", "percentile": 99.9}})"),
            "dev.json: adc.percentile: 99.9 is used by adc.range 'percentile' only, the range is "
            "'mse'");
  EXPECT_EQ(fileError(R"({"inputs": {"scale": "static", "range": "kl", "bits": 10,
                                      "slices": [3, 3, 3]}})"),
            "dev.json: inputs.range: 'kl' is the entropy search of INT8 tools, for at most 8 "
            "bits; inputs.bits is 10 (use 'mse')");
  EXPECT_EQ(fileError(R"({"adc": {"range": "max"}})"),
            "dev.json: adc.range: 'max' is not one of percentile, mse, kl");
  EXPECT_NO_THROW(parseDeviceText(
      R"({"inputs": {"scale": "static", "range": "kl"}, "adc": {"mode": "calibrated", "range": "mse"}})",
      "x"));
}

TEST(DeviceErrors, HybridAnalogBits) {
  EXPECT_EQ(fileError(R"({"inputs": {"hybrid_analog_bits": 1}})"),
            "dev.json: inputs.hybrid_analog_bits: 1 is neither 0 nor in 2..16");
  EXPECT_EQ(fileError(R"({"inputs": {"hybrid_analog_bits": 9}})"),
            "dev.json: inputs.hybrid_analog_bits: 9 is neither 0 nor in 2..8 (inputs.bits is 8)");
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"bits": 4, "hybrid_analog_bits": 5}})"),
                         "inputs.hybrid_analog_bits", {"neither 0 nor in 2..4"}));
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"hybrid_analog_bits": -2}})"),
                         "inputs.hybrid_analog_bits", {"neither 0 nor"}));
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"hybrid_analog_bits": 99}})"),
                         "inputs.hybrid_analog_bits", {"neither 0 nor"}));
  for (int h : {0, 2, 5, 8})
    EXPECT_NO_THROW(
        parseDeviceText("{\"inputs\": {\"hybrid_analog_bits\": " + std::to_string(h) + "}}", "x"));
}

TEST(DeviceErrors, PercentilesOutside0To100) {
  for (const std::string key :
       {"weights.clip_percentile", "inputs.clip_percentile", "adc.percentile"}) {
    std::string section = key.substr(0, key.find('.')), field = key.substr(key.find('.') + 1);
    for (const std::string bad : {"0", "0.0", "-5", "100.5", "1000"}) {
      std::string m = fileError("{\"" + section + "\": {\"" + field + "\": " + bad + "}}");
      EXPECT_TRUE(namesField(m, key, {bad + " is outside (0, 100]"}));
    }
    for (const std::string good : {"100", "99.9", "0.001", "50"})
      EXPECT_NO_THROW(
          parseDeviceText("{\"" + section + "\": {\"" + field + "\": " + good + "}}", "x"));
  }
}

TEST(DeviceErrors, CountsAtLeastOne) {
  EXPECT_EQ(fileError(R"({"adc": {"samples": 0}})"),
            "dev.json: adc.samples: 0 is outside 1..2147483647");
  EXPECT_EQ(fileError(R"({"crossbar": {"rows": 0}})"),
            "dev.json: crossbar.rows: 0 is outside 1..2147483647");
  EXPECT_EQ(fileError(R"({"crossbar": {"cols": 1}})"),
            "dev.json: crossbar.cols: 1 is outside 2..2147483647 (each output uses a column pair)");
  EXPECT_NO_THROW(parseDeviceText(R"({"crossbar": {"rows": 1, "cols": 2}})", "x"));
}

// ---- layers ---------------------------------------------------------------------------------

TEST(DeviceErrors, LayerOverrideValidatedAsMerged) {
  // Slices that do not fit the defaults' bits.
  EXPECT_EQ(fileError(R"({"layers": {"/fc1*": {"weights": {"slices": [1, 1]}}}})"),
            "dev.json: layers./fc1*.weights.slices: [1,1] sums to 2 but weights.bits - 1 is 7");
  // Bits that make the file's hybrid width invalid.
  EXPECT_TRUE(namesField(fileError(R"({"inputs": {"hybrid_analog_bits": 6},
                    "layers": {"/conv*": {"inputs": {"bits": 4}}}})"),
                         "layers./conv*.inputs.hybrid_analog_bits",
                         {"6 is neither 0 nor in 2..4"}));
  // Rows that overflow with the file's wide slices.
  EXPECT_TRUE(namesField(fileError(R"({"weights": {"slices": [7]}, "inputs": {"slices": [7]},
                    "layers": {"/big": {"crossbar": {"rows": 200000}}}})"),
                         "layers./big.crossbar.rows", {"2^31 or more"}));
  // A stuck-at probability that is fine alone and too much with the file's.
  EXPECT_TRUE(namesField(fileError(R"({"noise": {"stuck_at_min": 0.8},
                    "layers": {"/x*": {"noise": {"stuck_at_max": 0.3}}}})"),
                         "layers./x*.noise.stuck_at_min + noise.stuck_at_max",
                         {"0.8 + 0.3 is more than 1"}));
  // Type errors inside an entry.
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/x": {"noise": {"read": "high"}}}})"),
                         "layers./x.noise.read", {"expected a number, got \"high\""}));
  EXPECT_TRUE(namesField(fileError(R"({"layers": {"/x": {"digital": "yes"}}})"),
                         "layers./x.digital", {"expected true, false or an object"}));
}

TEST(DeviceErrors, InvalidUtf8InABuiltFile) {
  // The parser refuses invalid UTF-8 in text; a file built in code is checked too.
  ojson named = {{"name", "a\xff"}};
  EXPECT_EQ(errorOf([&] { device::parseDevice(named, "built"); }), "built: name: not valid UTF-8");
  ojson globbed = {{"layers", {{"/a\xc3", ojson::object()}}}};
  EXPECT_EQ(errorOf([&] { device::parseDevice(globbed, "built"); }),
            "built: layers./a\\xc3: the glob is not valid UTF-8");
  EXPECT_NO_THROW(device::parseDevice(ojson{{"name", "r\xc3\xa9seau \xe2\x82\xac"}}, "built"));
}

TEST(DeviceErrors, EmptyGlob) {
  EXPECT_TRUE(
      namesField(fileError(R"({"layers": {"": {"digital": true}}})"), "layers", {"empty glob"}));
}

TEST(DeviceErrors, EntriesInvalidOnlyTogetherFailAtResolve) {
  // Each entry alone fits the defaults; a node matching both (in this order) gets 4-bit
  // weights with 8-bit slices.
  auto d = parseDeviceText(R"({"layers": {
      "/fc*": {"weights": {"bits": 4, "slices": [1, 2]}},
      "/fc1*": {"weights": {"slices": [1, 2, 2, 2]}}}})",
                           "dev.json");
  std::string m = errorOf([&] { device::resolveLayer(d, "/fc1/MatMul"); });
  EXPECT_EQ(m, "dev.json: node '/fc1/MatMul' (layers /fc*, /fc1* together): weights.slices: "
               "[1,2,2,2] sums to 7 but weights.bits - 1 is 3");
  device::LayerSettings out;
  EXPECT_EQ(device::tryResolveLayer(d, "/fc1/MatMul", out), m);
  EXPECT_EQ(device::tryResolveLayer(d, "/fc2/MatMul", out), "");
  EXPECT_EQ(out.weights.bits, 4);
}

TEST(DeviceErrors, NamesWithControlCharactersStayOnOneLine) {
  std::string m = fileError("{\"layers\": {\"/a\\nb\": {\"adc\": {\"bits\": 1}}}}");
  EXPECT_TRUE(namesField(m, "layers./a\\x0ab.adc.bits", {"1 is outside 2..16"}));
  m = fileError("{\"adc\": {\"mode\": \"f\\u001bast\"}}");
  EXPECT_TRUE(namesField(m, "adc.mode", {"'f\\x1bast' is not one of"}));
}

// ---- JSON syntax -----------------------------------------------------------------------------

TEST(DeviceErrors, SyntaxErrorNamesLineAndColumn) {
  std::string m = fileError("{\n  \"adc\": {\"bits\": 8,}\n}");
  EXPECT_EQ(m.rfind("dev.json:2:21: JSON syntax error: ", 0), 0u) << m;
  EXPECT_NE(m.find("unexpected '}'"), std::string::npos) << m;
  m = fileError("");
  EXPECT_EQ(m.rfind("dev.json:1:1: JSON syntax error: ", 0), 0u) << m;
  m = fileError("{\"adc\": {}}\n\n   x");
  EXPECT_EQ(m.rfind("dev.json:3:4: JSON syntax error: ", 0), 0u) << m;
  m = fileError("{\n\"name\": \"a\xff\"}");
  EXPECT_EQ(m.rfind("dev.json:2:", 0), 0u) << m;
  EXPECT_NE(m.find("UTF-8"), std::string::npos) << m;
}

TEST(DeviceErrors, NumberTooLargeForADouble) {
  std::string m = fileError(R"({"noise": {"read": 1e400}})");
  EXPECT_EQ(m.rfind("dev.json: ", 0), 0u) << m;
  EXPECT_NE(m.find("1e400"), std::string::npos) << m;
}

TEST(DeviceErrors, AbsurdNestingIsRefused) {
  std::string text = "{\"name\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string path = "name";
  for (int i = 0; i < 63; ++i)
    path += "[0]";
  EXPECT_TRUE(namesField(fileError(text), path, {"nested deeper than 64 levels"}));
}

} // namespace
} // namespace cimlir::devicetest
