// Calibration from data through the runtime (runtime/tooling/CalibrationRun.h) on a grouped
// convolution: each group's static input scale and calibrated ADC full scales are those of
// its own rows, computed here from the test's own im2col and weight matrices
// (ConvCaseUtil.h) and the kernels' calibrators.
#include "runtime/tooling/CalibrationRun.h"

#include "core/Error.h"
#include "kernels/cpu/cim/Calibration.h"
#include "runtime/data/Npz.h"
#include "runtime/device/DeviceJson.h"
#include "runtime/exec/CimStepParams.h"
#include "test/unit/common/TempDir.h"
#include "test/unit/runtime/ConvCaseUtil.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cimlir::runtimetest {
namespace {

TEST(CalibrationRun, GroupedConvGetsEachGroupsOwnScalesAndFullScales) {
  std::mt19937 gen(11);
  ConvCase c;
  c.groups = 2;
  c.C = 4;
  c.M = 6;
  c.H = c.W = 5;
  c.kh = c.kw = 3;
  c.pt = c.pl = c.pb = c.pr = 1;
  c.w = randomF32(gen, {c.M, c.C / c.groups, c.kh, c.kw});
  c.bias = randomF32(gen, {c.M});
  const json settings = {{"crossbar", {{"rows", 8}, {"cols", 8}}},
                         {"inputs", {{"scale", "static"}}},
                         {"adc", {{"mode", "calibrated"}, {"percentile", 99.0}}}};
  json attrs = convAttrs(c);
  attrs["kind"] = "conv";
  attrs["precision"] = "fp32";
  attrs["calibrate"] = settings;
  TempDir dir;
  const std::string plan = dir.file("calibration.bin");
  writeConvStep(c, "DigitalLinear", attrs, true, plan);

  // Group 1's channels are ten times group 0's: the groups need different scales.
  Tensor x = randomF32(gen, {10, c.C, c.H, c.W});
  for (int64_t n = 0; n < 10; ++n)
    for (int64_t ch = 2; ch < 4; ++ch)
      for (int64_t p = 0; p < c.H * c.W; ++p)
        x.data<float>()[(n * c.C + ch) * c.H * c.W + p] *= 10.0f;
  const std::string data = dir.file("data.npz");
  writeNpz(data, {{"x", x}});

  CalibrationOptions options;
  options.plan = Program::load(plan);
  options.dataset = data;
  options.limit = 7; // the first 7 of 10 samples, in batches of 3
  options.batch = 3;
  const calibration::Table table = runCalibration(options);
  EXPECT_EQ(table.samples, 7);
  ASSERT_EQ(table.layers.count("/conv/Conv"), 1u);
  const calibration::Layer &got = table.layers.at("/conv/Conv");
  ASSERT_TRUE(got.groups.has_value());
  ASSERT_EQ(got.groups->size(), 2u);

  const device::LayerSettings s =
      device::parseDevice(nlohmann::ordered_json(settings), "test").defaults;
  for (int64_t g = 0; g < 2; ++g) {
    cim::CimParams p = toCimParams(s, "test");
    // The rows of group g over the 7 samples, from the test's own im2col.
    const int64_t P = c.OH() * c.OW(), K = c.K();
    Tensor rows = Tensor::allocate(DType::F32, {7 * P, K});
    for (int64_t n = 0; n < 7; ++n) {
      std::vector<float> patch = patches(c, x, n, g);
      std::copy(patch.begin(), patch.end(), rows.data<float>() + n * P * K);
    }
    cpu::InputRangeCalibrator inputs(p);
    inputs.add(rows);
    ASSERT_TRUE(got.groups->at(g).inputScale.has_value());
    EXPECT_EQ(*got.groups->at(g).inputScale, inputs.scale()) << "group " << g;
    p.staticScale = inputs.scale();
    std::vector<float> wg = groupWeights(c, g);
    Tensor w = Tensor::allocate(DType::F32, {K, c.Ng()});
    std::copy(wg.begin(), wg.end(), w.data<float>());
    cpu::AdcRangeCalibrator adc(w, p, 99.0);
    adc.add(rows);
    const std::vector<float> fs = adc.fullScales();
    EXPECT_EQ(got.groups->at(g).adcFullScales, std::vector<double>(fs.begin(), fs.end()))
        << "group " << g;
  }
  EXPECT_GT(*got.groups->at(1).inputScale, 5.0 * *got.groups->at(0).inputScale);
}

// inputs.smooth_alpha > 0: max |x| per input channel over the samples, straight from x (the
// padding's zeros never exceed it), for every channel of every group.
TEST(CalibrationRun, SmoothedLayersGetTheirInputChannelMaxima) {
  std::mt19937 gen(23);
  ConvCase c;
  c.groups = 2;
  c.C = 4;
  c.M = 4;
  c.H = c.W = 4;
  c.kh = c.kw = 3;
  c.pt = c.pl = c.pb = c.pr = 1;
  c.w = randomF32(gen, {c.M, c.C / c.groups, c.kh, c.kw});
  c.bias = randomF32(gen, {c.M});
  json attrs = convAttrs(c);
  attrs["kind"] = "conv";
  attrs["precision"] = "fp32";
  attrs["calibrate"] = {{"inputs", {{"smooth_alpha", 0.5}}}};
  TempDir dir;
  const std::string plan = dir.file("calibration.bin");
  writeConvStep(c, "DigitalLinear", attrs, true, plan);
  Tensor x = randomF32(gen, {6, c.C, c.H, c.W});
  for (int64_t i = 0; i < x.numel(); ++i) // channel ch scaled by ch + 1: distinct maxima
    x.data<float>()[i] *= float((i / (c.H * c.W)) % c.C + 1);
  const std::string data = dir.file("data.npz");
  writeNpz(data, {{"x", x}});
  CalibrationOptions options;
  options.plan = Program::load(plan);
  options.dataset = data;
  options.limit = 5;
  options.batch = 2;
  const calibration::Layer got = runCalibration(options).layers.at("/conv/Conv");
  ASSERT_TRUE(got.inputChannelMax.has_value());
  std::vector<double> want(c.C, 0.0);
  for (int64_t n = 0; n < 5; ++n)
    for (int64_t ch = 0; ch < c.C; ++ch)
      for (int64_t p = 0; p < c.H * c.W; ++p)
        want[ch] =
            std::max(want[ch], std::fabs(double(x.data<float>()[(n * c.C + ch) * c.H * c.W + p])));
  EXPECT_EQ(*got.inputChannelMax, want);
  // measured_for records α: scales measured on smoothed inputs are for that α only.
  EXPECT_NE(std::find(got.measuredFor.begin(), got.measuredFor.end(),
                      std::pair<std::string, std::string>{"inputs.smooth_alpha", "0.5"}),
            got.measuredFor.end());
}

} // namespace
} // namespace cimlir::runtimetest
