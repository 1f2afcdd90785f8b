// The CimLinear step (docs/plan-format.md) on hand-built plans with `cim-ideal`-like
// settings, against an independent reference (CimStepTestUtil.h: s_x·s_w·(xq·Wq) of §6 with
// the quantization written out): Gemm with transB, alpha, beta and C; 2-D and 3-D MatMul;
// 2-D and 1-D Conv with groups, pads, strides, dilations and bias, im2col in §0's K order.
// Also: the conv K order under row blocks and a noisy chip (conv equals a gemm on the
// test's own im2col), and the steps the backend refuses.
#include "runtime/core/Error.h"
#include "test/unit/runtime/CimStepTestUtil.h"
#include "test/unit/runtime/ConvCaseUtil.h"

#include <gtest/gtest.h>

namespace cimlir::runtimetest {
namespace {

TEST(CimStepGemm, MatchesIdealReferenceWithTransBAlphaBetaAndC) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int variant = 0; variant < 4; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    const bool transB = variant % 2 == 0;
    const int64_t K = randInt(gen, 1, 300), N = randInt(gen, 1, 20), M = randInt(gen, 1, 9);
    const float alpha = variant == 3 ? 1.0f : static_cast<float>(randInt(gen, 1, 8)) / 4.0f;
    const float beta = variant == 2 ? 0.0f : 0.75f;
    Shape cShape = variant == 0 ? Shape{N} : variant == 1 ? Shape{M, N} : Shape{M, 1};
    Tensor w = randomF32(gen, transB ? Shape{N, K} : Shape{K, N});
    Tensor c = randomF32(gen, cShape);
    PlanBuilder b;
    int64_t x = b.input("x", DType::F32, {-1, K});
    int64_t wId = b.constant("w", w), cId = b.constant("c", c);
    int64_t y = b.value("y", DType::F32, {-1, N});
    b.step("CimLinear", "/fc/Gemm", {x, wId, cId}, {y},
           cimAttrs("gemm", idealSettings(),
                    {{"alpha", alpha}, {"beta", beta}, {"transB", transB ? 1 : 0}}));
    b.output("y", y);
    std::string path = dir.file("gemm" + std::to_string(variant) + ".bin");
    b.write(path);

    Tensor xt = randomF32(gen, {M, K}, -2.0, 2.0);
    Tensor got = cimExecutor(path).run({{"x", xt}}).at("y");
    // W as [K,N] for the reference.
    std::vector<float> wkn(static_cast<size_t>(K * N));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n)
        wkn[k * N + n] = transB ? w.data<float>()[n * K + k] : w.data<float>()[k * N + n];
    std::vector<float> ref = idealCimReference(xt.data<float>(), M, K, wkn.data(), N);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        float cv = cShape.size() == 1 ? c.data<float>()[n]
                   : cShape[1] == 1   ? c.data<float>()[m]
                                      : c.data<float>()[m * N + n];
        float v = alpha * ref[m * N + n];
        ref[m * N + n] = beta != 0.0f ? v + beta * cv : v;
      }
    expectNear(got, ref, "gemm");
  }
}

TEST(CimStepMatMul, TwoAndThreeDimensionalInputsMatchIdealReference) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int rank : {2, 3}) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    const int64_t K = randInt(gen, 1, 40), N = randInt(gen, 1, 12), T = randInt(gen, 1, 5);
    Tensor w = randomF32(gen, {K, N});
    PlanBuilder b;
    Shape xs = rank == 2 ? Shape{-1, K} : Shape{-1, T, K};
    Shape ys = rank == 2 ? Shape{-1, N} : Shape{-1, T, N};
    int64_t x = b.input("x", DType::F32, xs);
    int64_t wId = b.constant("w", w);
    int64_t y = b.value("y", DType::F32, ys);
    b.step("CimLinear", "/proj/MatMul", {x, wId}, {y}, cimAttrs("matmul", idealSettings()));
    b.output("y", y);
    std::string path = dir.file("mm" + std::to_string(rank) + ".bin");
    b.write(path);

    const int64_t batch = randInt(gen, 1, 6);
    Shape shape = rank == 2 ? Shape{batch, K} : Shape{batch, T, K};
    Tensor xt = randomF32(gen, shape);
    Tensor got = cimExecutor(path).run({{"x", xt}}).at("y");
    const int64_t rows = rank == 2 ? batch : batch * T;
    ASSERT_EQ(got.shape(), rank == 2 ? (Shape{batch, N}) : (Shape{batch, T, N}));
    expectNear(got, idealCimReference(xt.data<float>(), rows, K, w.data<float>(), N), "matmul");
  }
}

// --- Conv ----------------------------------------------------------------------------

void writeConvPlan(const ConvCase &c, const device::LayerSettings &settings, bool withBias,
                   const std::string &path, const std::string &name = "/conv/Conv") {
  writeConvStep(c, "CimLinear", cimAttrs("conv", settings, convAttrs(c)), withBias, path, name);
}

std::vector<float> convReference(const ConvCase &c, const Tensor &x, bool withBias) {
  const int64_t N = x.dim(0), P = c.OH() * c.OW(), Ng = c.Ng();
  std::vector<float> y(static_cast<size_t>(N * c.M * P));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t g = 0; g < c.groups; ++g) {
      std::vector<float> rows = patches(c, x, n, g), wg = groupWeights(c, g);
      std::vector<float> z = idealCimReference(rows.data(), P, c.K(), wg.data(), Ng);
      for (int64_t j = 0; j < Ng; ++j)
        for (int64_t p = 0; p < P; ++p) {
          int64_t channel = g * Ng + j;
          float v = z[p * Ng + j];
          y[(n * c.M + channel) * P + p] = withBias ? v + c.bias.data<float>()[channel] : v;
        }
    }
  return y;
}

TEST(CimStepConv, GroupsPadsStridesDilationsAndBiasMatchIdealReference) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int trial = 0; trial < 6; ++trial) {
    const bool oneD = trial == 5, withBias = trial % 2 == 0;
    ConvCase c = randomConv(gen, oneD);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": C " + std::to_string(c.C) + ", M " +
                 std::to_string(c.M) + ", groups " + std::to_string(c.groups) + ", H " +
                 std::to_string(c.H) + ", W " + std::to_string(c.W));
    std::string path = dir.file("conv" + std::to_string(trial) + ".bin");
    writeConvPlan(c, idealSettings(), withBias, path);
    const int64_t N = randInt(gen, 1, 4);
    Tensor x = randomF32(gen, oneD ? Shape{N, c.C, c.H} : Shape{N, c.C, c.H, c.W});
    Tensor got = cimExecutor(path).run({{"x", x}}).at("y");
    expectNear(got, convReference(c, x, withBias), "conv");
  }
}

TEST(CimStepConv, KOrderHoldsWithRowBlocksAdcAndANoisyChip) {
  // With row blocks of 5, a 4-bit `full` ADC and programming noise, the numbers depend on
  // which K index sits in which row block and on the (k, n) of every cell: a conv must
  // equal a gemm step (same node name, so the same chip) on the test's own im2col rows.
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  ConvCase c = randomConv(gen, false);
  c.groups = 1;
  c.C = randInt(gen, 2, 3);
  c.kh = c.kw = 3;
  c.dh = c.dw = 1;
  c.H = c.W = 6;
  c.w = randomF32(gen, {c.M, c.C, 3, 3});
  device::LayerSettings s;
  s.crossbar.rows = 5;
  s.adc.bits = 4;
  s.noise.program = 0.05;
  s.noise.stuckAtMin = 0.02;
  s.noise.chipSeed = 7;
  std::string convPath = dir.file("conv.bin");
  writeConvPlan(c, s, /*withBias=*/false, convPath, "/layer");

  const int64_t P = c.OH() * c.OW(), K = c.K();
  Tensor x = randomF32(gen, {2, c.C, c.H, c.W});
  Tensor rows = Tensor::allocate(DType::F32, {2 * P, K});
  for (int64_t n = 0; n < 2; ++n) {
    std::vector<float> r = patches(c, x, n, 0);
    std::copy(r.begin(), r.end(), rows.data<float>() + n * P * K);
  }
  std::vector<float> wg = groupWeights(c, 0);
  Tensor wTensor = Tensor::allocate(DType::F32, {K, c.M});
  std::copy(wg.begin(), wg.end(), wTensor.data<float>());
  PlanBuilder b;
  int64_t xi = b.input("x", DType::F32, {-1, K});
  int64_t wi = b.constant("w", wTensor);
  int64_t yi = b.value("y", DType::F32, {-1, c.M});
  b.step("CimLinear", "/layer", {xi, wi}, {yi},
         cimAttrs("gemm", s, {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}}));
  b.output("y", yi);
  std::string gemmPath = dir.file("gemm.bin");
  b.write(gemmPath);

  Tensor conv = cimExecutor(convPath).run({{"x", x}}).at("y");
  Tensor gemm = cimExecutor(gemmPath).run({{"x", rows}}).at("y");
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t p = 0; p < P; ++p)
        ASSERT_EQ(conv.data<float>()[(n * c.M + m) * P + p],
                  gemm.data<float>()[(n * P + p) * c.M + m])
            << "image " << n << ", channel " << m << ", position " << p;
}

// --- Refusals ------------------------------------------------------------------------

std::string writeGemm(const TempDir &dir, const device::LayerSettings &s, const std::string &name,
                      json extra = {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}},
                      const std::string &kind = "gemm") {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 6});
  std::mt19937 gen(1);
  int64_t w = b.constant("w", randomF32(gen, {6, 3}));
  int64_t y = b.value("y", DType::F32, {-1, 3});
  b.step("CimLinear", "/fc", {x, w}, {y}, cimAttrs(kind, s, std::move(extra)));
  b.output("y", y);
  std::string path = dir.file(name);
  b.write(path);
  return path;
}

TEST(CimStepErrors, DigitalSettingsAreRefused) {
  TempDir dir;
  device::LayerSettings s = idealSettings();
  s.digital.enabled = true;
  std::string path = writeGemm(dir, s, "digital.bin");
  std::string msg = errorOf([&] { cimExecutor(path); });
  EXPECT_TRUE(containsAll(msg, {"CimLinear", "'/fc'", "digital.enabled"})) << msg;
}

TEST(CimStepErrors, CompileTimeFieldsCannotBeSet) {
  TempDir dir;
  std::string path = writeGemm(dir, idealSettings(), "plan.bin");
  CpuBackendOptions options;
  options.cim.settings = {"crossbar.rows=128"};
  std::string msg = errorOf([&] { cimExecutor(path, options); });
  EXPECT_TRUE(containsAll(msg, {"'/fc'", "crossbar.rows", "fixed when the plan is compiled"}))
      << msg;
  // cim-run checks before loading anything, with the same words.
  msg = errorOf([&] { checkOverrides(options.cim); });
  EXPECT_TRUE(containsAll(msg, {"--set", "crossbar.rows", "recompile"})) << msg;
  options.cim.settings = {"adc.bits=6.0"};
  EXPECT_TRUE(containsAll(errorOf([&] { checkOverrides(options.cim); }), {"adc.bits", "integer"}));
  options.cim.settings = {"noise.readd=0.1"};
  EXPECT_TRUE(
      containsAll(errorOf([&] { checkOverrides(options.cim); }), {"noise.readd", "unknown"}));
  options.cim.settings = {"adc.bits=6", "noise.read=0.02", "adc.mode=dynamic"};
  EXPECT_NO_THROW(checkOverrides(options.cim));
}

TEST(CimStepErrors, MalformedStepsNameTheProblem) {
  TempDir dir;
  EXPECT_TRUE(containsAll(errorOf([&] {
                            cimExecutor(
                                writeGemm(dir, idealSettings(), "k.bin", json::object(), "dense"));
                          }),
                          {"'/fc'", "kind 'dense'"}));
  EXPECT_TRUE(containsAll(
      errorOf([&] { cimExecutor(writeGemm(dir, idealSettings(), "a.bin", json::object())); }),
      {"'/fc'", "'alpha'"}));
  EXPECT_TRUE(containsAll(errorOf([&] {
                            cimExecutor(writeGemm(
                                dir, idealSettings(), "t.bin",
                                {{"alpha", 1.0}, {"beta", 1.0}, {"transA", 1}, {"transB", 0}}));
                          }),
                          {"transA"}));
  device::LayerSettings calibrated = idealSettings();
  calibrated.adc.mode = device::AdcMode::Calibrated;
  EXPECT_TRUE(containsAll(errorOf([&] { cimExecutor(writeGemm(dir, calibrated, "c.bin")); }),
                          {"'/fc'", "calibrated", "not implemented"}));

  // W must be a constant: the chip is programmed at load.
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 6});
  int64_t w = b.input("w", DType::F32, {6, 3});
  int64_t y = b.value("y", DType::F32, {-1, 3});
  b.step("CimLinear", "/fc", {x, w}, {y}, cimAttrs("matmul", idealSettings()));
  b.output("y", y);
  std::string path = dir.file("w.bin");
  b.write(path);
  EXPECT_TRUE(containsAll(errorOf([&] { cimExecutor(path); }), {"'/fc'", "not a constant"}));
}

} // namespace
} // namespace cimlir::runtimetest
