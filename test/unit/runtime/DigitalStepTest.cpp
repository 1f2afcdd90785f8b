// The DigitalLinear step (docs/plan-format.md) on hand-built plans, in every precision of
// cim-numerics.md §8: Gemm with transB, alpha, beta and C of every broadcast shape; MatMul
// with 2-D, 3-D and 4-D inputs; Conv (2-D and 1-D) with groups, pads, strides, dilations and
// bias. Each step's output must equal the kernel (kernels/cpu/DigitalLinear.h) run on the
// test's own rows (conv: its own im2col) plus the step's epilogue, bit for bit, and match the
// independent reference of test/unit/kernels/DigitalReference.h (int8 bit for bit, the float
// precisions within its bound). Also the report and the steps the backend refuses.
#include "core/Error.h"
#include "kernels/cpu/DigitalLinear.h"
#include "runtime/tooling/RepeatReport.h"
#include "test/unit/kernels/DigitalReference.h"
#include "test/unit/runtime/CimStepTestUtil.h"
#include "test/unit/runtime/ConvCaseUtil.h"

#include <gtest/gtest.h>

#include <limits>

namespace cimlir::runtimetest {
namespace {

const char *const kPrecisions[] = {"fp32", "bf16", "int8", "w8a16"};

json digitalAttrs(const std::string &kind, const std::string &precision,
                  json extra = json::object()) {
  extra["kind"] = kind;
  extra["precision"] = precision;
  return extra;
}

cim::DigitalPrecision precisionOf(const std::string &name) {
  auto p = cim::enumFromString<cim::DigitalPrecision>(name);
  EXPECT_TRUE(p.has_value()) << name;
  return p.value_or(cim::DigitalPrecision::Fp32);
}

/// The kernel on rows x [M,K] (row-major) and W [K,N], without bias.
std::vector<float> kernelRows(const std::string &precision, const float *x, int64_t M, int64_t K,
                              const float *w, int64_t N) {
  Tensor xt = Tensor::allocate(DType::F32, {M, K});
  std::copy(x, x + M * K, xt.data<float>());
  Tensor wt = Tensor::allocate(DType::F32, {K, N});
  std::copy(w, w + K * N, wt.data<float>());
  Tensor z = Tensor::allocate(DType::F32, {M, N});
  cpu::digitalLinear(xt, cpu::DigitalWeights::prepare(wt, precisionOf(precision)), nullptr, z);
  return std::vector<float>(z.data<float>(), z.data<float>() + M * N);
}

/// The step gives the CPU kernel's bits: on the CPU backend always, elsewhere for int8 (exact
/// sums); another backend's float sums may be in another order, which the independent
/// reference's tolerance (digitalref::expectMatches, next to every use) covers.
void expectKernelBits(const Tensor &got, const std::vector<float> &want,
                      const std::string &precision, const std::string &what) {
  if (testBackend() != "cpu" && precision != "int8")
    return;
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(digitalref::bitsOf(got.data<float>()[i]), digitalref::bitsOf(want[i]))
        << what << ": element " << i << " is " << got.data<float>()[i] << ", the kernel gives "
        << want[i];
}

// --- Gemm ------------------------------------------------------------------------------

/// Gemm's epilogue y = alpha·z + beta·C on the reference (C broadcast to [M,N] in `c`, null
/// when unused): the same float32 operations for the exact int8 result; for the float
/// precisions the bound grows by |alpha| and three more roundings (u each) of the terms.
digitalref::Result gemmEpilogue(digitalref::Result r, float alpha, float beta,
                                const std::vector<float> *c) {
  const double u = std::ldexp(1.0, -24);
  const size_t count = r.exact ? r.y.size() : r.value.size();
  for (size_t i = 0; i < count; ++i) {
    const float cv = c ? (*c)[i] : 0.0f;
    if (r.exact) {
      float v = alpha * r.y[i];
      r.y[i] = c ? v + beta * cv : v;
      continue;
    }
    const double az = static_cast<double>(alpha) * r.value[i];
    const double bc = c ? static_cast<double>(beta) * cv : 0.0;
    r.tolerance[i] = std::fabs(alpha) * r.tolerance[i] + 4.0 * u * (std::fabs(az) + std::fabs(bc));
    r.value[i] = az + bc;
  }
  return r;
}

TEST(DigitalStepGemm, EveryPrecisionWithTransBAlphaBetaAndC) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const std::string precision : kPrecisions)
    for (int variant = 0; variant < 5; ++variant) {
      const bool transB = variant % 2 == 0;
      const int64_t M = variant < 2 ? 1 : variant < 4 ? 7 : 64;
      const int64_t K = 2 * randInt(gen, 0, 150) + 1, N = 2 * randInt(gen, 0, 20) + 1;
      const float alpha = variant == 3 ? 1.0f : static_cast<float>(randInt(gen, -8, 8)) / 4.0f;
      const float beta = variant == 2 ? 0.0f : 0.75f;
      // C: [N], [M,N], [M,1] (read unless beta is 0), or none.
      const bool withC = variant != 4;
      Shape cShape = variant == 0 ? Shape{N} : variant == 1 ? Shape{M, N} : Shape{M, 1};
      SCOPED_TRACE(precision + " variant " + std::to_string(variant) + ": M " + std::to_string(M) +
                   " K " + std::to_string(K) + " N " + std::to_string(N));
      Tensor w = randomF32(gen, transB ? Shape{N, K} : Shape{K, N});
      Tensor c = randomF32(gen, cShape);
      PlanBuilder b;
      int64_t x = b.input("x", DType::F32, {-1, K});
      std::vector<int64_t> ins = {x, b.constant("w", w)};
      if (withC)
        ins.push_back(b.constant("c", c));
      int64_t y = b.value("y", DType::F32, {-1, N});
      b.step("DigitalLinear", "/fc/Gemm", ins, {y},
             digitalAttrs("gemm", precision,
                          {{"alpha", alpha}, {"beta", beta}, {"transB", transB ? 1 : 0}}));
      b.output("y", y);
      std::string path = dir.file(precision + std::to_string(variant) + ".bin");
      b.write(path);

      Tensor xt = randomF32(gen, {M, K}, -2.0, 2.0);
      Tensor got = cimExecutor(path).run({{"x", xt}}).at("y");
      ASSERT_EQ(got.shape(), (Shape{M, N}));

      std::vector<float> wkn(static_cast<size_t>(K * N)), cFull(static_cast<size_t>(M * N));
      for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n)
          wkn[k * N + n] = transB ? w.data<float>()[n * K + k] : w.data<float>()[k * N + n];
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n)
          cFull[m * N + n] = cShape.size() == 1 ? c.data<float>()[n]
                             : cShape[1] == 1   ? c.data<float>()[m]
                                                : c.data<float>()[m * N + n];
      const bool useC = withC && beta != 0.0f;
      // The kernel plus the epilogue, as the step applies it.
      std::vector<float> want = kernelRows(precision, xt.data<float>(), M, K, wkn.data(), N);
      for (size_t i = 0; i < want.size(); ++i) {
        const float v = alpha * want[i];
        want[i] = useC ? v + beta * cFull[i] : v;
      }
      expectKernelBits(got, want, precision, "gemm");
      digitalref::expectMatches(
          got.data<float>(),
          gemmEpilogue(
              digitalref::digitalLinear(precision, xt.data<float>(), M, K, wkn.data(), N, nullptr),
              alpha, beta, useC ? &cFull : nullptr),
          "gemm");
    }
}

// --- MatMul ----------------------------------------------------------------------------

TEST(DigitalStepMatMul, TwoThreeAndFourDimensionalInputs) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const std::string precision : kPrecisions)
    for (int rank : {2, 3, 4}) {
      const int64_t K = 2 * randInt(gen, 0, 40) + 1, N = 2 * randInt(gen, 0, 10) + 1;
      const int64_t T = randInt(gen, 1, 5), U = randInt(gen, 1, 3);
      SCOPED_TRACE(precision + " rank " + std::to_string(rank));
      Shape middle = rank == 2 ? Shape{} : rank == 3 ? Shape{T} : Shape{T, U};
      Shape xs{-1}, ys{-1};
      xs.insert(xs.end(), middle.begin(), middle.end());
      ys.insert(ys.end(), middle.begin(), middle.end());
      xs.push_back(K);
      ys.push_back(N);
      Tensor w = randomF32(gen, {K, N});
      PlanBuilder b;
      int64_t x = b.input("x", DType::F32, xs);
      int64_t wId = b.constant("w", w);
      int64_t y = b.value("y", DType::F32, ys);
      b.step("DigitalLinear", "/proj/MatMul", {x, wId}, {y}, digitalAttrs("matmul", precision));
      b.output("y", y);
      std::string path = dir.file(precision + "mm" + std::to_string(rank) + ".bin");
      b.write(path);

      const int64_t batch = randInt(gen, 1, 6);
      xs[0] = batch;
      ys[0] = batch;
      Tensor xt = randomF32(gen, xs);
      Executor exec = cimExecutor(path);
      Tensor got = exec.run({{"x", xt}}).at("y");
      ASSERT_EQ(got.shape(), ys);
      const int64_t rows = xt.numel() / K;
      expectKernelBits(got, kernelRows(precision, xt.data<float>(), rows, K, w.data<float>(), N),
                       precision, "matmul");
      digitalref::expectMatches(got.data<float>(),
                                digitalref::digitalLinear(precision, xt.data<float>(), rows, K,
                                                          w.data<float>(), N, nullptr),
                                "matmul");
      const json report = exec.stepReport(0);
      EXPECT_EQ(report["op"], "DigitalLinear");
      EXPECT_EQ(report["kind"], "matmul");
      EXPECT_EQ(report["precision"], precision);
      EXPECT_EQ(report["k"], K);
      EXPECT_EQ(report["n"], N);
      EXPECT_EQ(report["samples"], batch);
    }
}

// --- Conv ------------------------------------------------------------------------------

TEST(ConvStep, PlainConvMatchesTheFloat32Reference) {
  // The plain ONNX Conv step (a digital plan's convolutions) on every backend: groups, pads,
  // strides, dilations, 1-D and 2-D, with and without bias, against the independent float32
  // reference on the test's own im2col.
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int trial = 0; trial < 6; ++trial) {
    const bool oneD = trial == 5, withBias = trial % 2 == 0;
    ConvCase c = randomConv(gen, oneD);
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string path = dir.file("plain" + std::to_string(trial) + ".bin");
    writeConvStep(c, "Conv", convAttrs(c), withBias, path);
    const int64_t N = randInt(gen, 1, 4);
    Tensor x = randomF32(gen, oneD ? Shape{N, c.C, c.H} : Shape{N, c.C, c.H, c.W});
    Tensor got = cimExecutor(path).run({{"x", x}}).at("y");
    const int64_t P = c.OH() * c.OW(), K = c.K(), Ng = c.Ng();
    digitalref::Result ref;
    ref.value.resize(static_cast<size_t>(got.numel()));
    ref.tolerance.resize(ref.value.size());
    for (int64_t g = 0; g < c.groups; ++g) {
      const std::vector<float> rows = stackedPatches(c, x, g), wg = groupWeights(c, g);
      const float *bias = withBias ? c.bias.data<float>() + g * Ng : nullptr;
      const digitalref::Result rg =
          digitalref::digitalLinear("fp32", rows.data(), N * P, K, wg.data(), Ng, bias);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < Ng; ++j)
          for (int64_t p = 0; p < P; ++p) {
            const size_t to = static_cast<size_t>((n * c.M + g * Ng + j) * P + p);
            const size_t from = static_cast<size_t>((n * P + p) * Ng + j);
            ref.value[to] = rg.value[from];
            ref.tolerance[to] = rg.tolerance[from];
          }
    }
    digitalref::expectMatches(got.data<float>(), ref, "conv");
  }
}

TEST(DigitalStepConv, GroupsPadsStridesDilationsAndBias) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const std::string precision : kPrecisions)
    for (int trial = 0; trial < 4; ++trial) {
      const bool oneD = trial == 3, withBias = trial % 2 == 0;
      ConvCase c = randomConv(gen, oneD);
      SCOPED_TRACE(precision + " trial " + std::to_string(trial) + ": C " + std::to_string(c.C) +
                   ", M " + std::to_string(c.M) + ", groups " + std::to_string(c.groups) + ", H " +
                   std::to_string(c.H) + ", W " + std::to_string(c.W));
      std::string path = dir.file(precision + "conv" + std::to_string(trial) + ".bin");
      writeConvStep(c, "DigitalLinear", digitalAttrs("conv", precision, convAttrs(c)), withBias,
                    path);
      const int64_t N = randInt(gen, 1, 4);
      Tensor x = randomF32(gen, oneD ? Shape{N, c.C, c.H} : Shape{N, c.C, c.H, c.W});
      Executor exec = cimExecutor(path);
      Tensor got = exec.run({{"x", x}}).at("y");

      // Per group: the kernel and the reference on the test's own im2col of all images,
      // scattered to y[n, g·Ng + j, p] (the bias added after the kernel, as the step does;
      // inside the reference, which adds it after the product too).
      const int64_t P = c.OH() * c.OW(), K = c.K(), Ng = c.Ng();
      std::vector<float> want(static_cast<size_t>(got.numel()));
      digitalref::Result ref;
      ref.exact = precision == "int8";
      if (ref.exact) {
        ref.y.resize(want.size());
      } else {
        ref.value.resize(want.size());
        ref.tolerance.resize(want.size());
      }
      for (int64_t g = 0; g < c.groups; ++g) {
        const std::vector<float> rows = stackedPatches(c, x, g), wg = groupWeights(c, g);
        const float *bias = withBias ? c.bias.data<float>() + g * Ng : nullptr;
        const std::vector<float> z = kernelRows(precision, rows.data(), N * P, K, wg.data(), Ng);
        const digitalref::Result rg =
            digitalref::digitalLinear(precision, rows.data(), N * P, K, wg.data(), Ng, bias);
        for (int64_t n = 0; n < N; ++n)
          for (int64_t j = 0; j < Ng; ++j)
            for (int64_t p = 0; p < P; ++p) {
              const size_t to = static_cast<size_t>((n * c.M + g * Ng + j) * P + p);
              const size_t from = static_cast<size_t>((n * P + p) * Ng + j);
              want[to] = bias ? z[from] + bias[j] : z[from];
              if (ref.exact) {
                ref.y[to] = rg.y[from];
              } else {
                ref.value[to] = rg.value[from];
                ref.tolerance[to] = rg.tolerance[from];
              }
            }
      }
      expectKernelBits(got, want, precision, "conv");
      digitalref::expectMatches(got.data<float>(), ref, "conv");
      EXPECT_EQ(exec.stepReport(0)["groups"], c.groups);
    }
}

// cim-fuse-activations' `activation` "relu": the step's output is the unfused step's, clamped
// at 0 after the bias, bit for bit, on a grouped conv with bias and on a matmul.
TEST(DigitalStepActivation, FusedReluIsTheUnfusedOutputClampedAtZero) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const std::string precision : kPrecisions) {
    SCOPED_TRACE(precision);
    ConvCase c = randomConv(gen, false);
    c.bias.data<float>()[0] = -1000.0f; // output channel 0 is negative everywhere: clamped
    json plain = digitalAttrs("conv", precision, convAttrs(c)), fused = plain;
    fused["activation"] = "relu";
    writeConvStep(c, "DigitalLinear", plain, true, dir.file("plain.bin"));
    writeConvStep(c, "DigitalLinear", fused, true, dir.file("fused.bin"));
    Tensor x = randomF32(gen, {2, c.C, c.H, c.W});
    Tensor y = cimExecutor(dir.file("plain.bin")).run({{"x", x}}).at("y");
    Tensor r = cimExecutor(dir.file("fused.bin")).run({{"x", x}}).at("y");
    ASSERT_EQ(r.shape(), y.shape());
    int64_t negative = 0;
    for (int64_t i = 0; i < y.numel(); ++i) {
      negative += y.data<float>()[i] < 0;
      ASSERT_EQ(r.data<float>()[i], std::max(y.data<float>()[i], 0.0f)) << "conv element " << i;
    }
    EXPECT_GT(negative, 0); // the clamp did something

    // A matmul, and a gemm whose alpha, beta and C come before the clamp.
    const int64_t K = 2 * randInt(gen, 0, 40) + 1, N = 2 * randInt(gen, 0, 10) + 1;
    Tensor w = randomF32(gen, {K, N}), xm = randomF32(gen, {3, K}), cm = randomF32(gen, {N});
    for (const std::string kind : {"matmul", "gemm"}) {
      for (bool relu : {false, true}) {
        PlanBuilder b;
        int64_t xId = b.input("x", DType::F32, {-1, K});
        int64_t wId = b.constant("w", w);
        std::vector<int64_t> ins = {xId, wId};
        json attrs = digitalAttrs(kind, precision);
        if (kind == "gemm") {
          ins.push_back(b.constant("c", cm));
          attrs.update(gemmAttrs(1.5, -2.0, 0, 0));
          attrs.erase("transA");
        }
        if (relu)
          attrs["activation"] = "relu";
        int64_t yId = b.value("y", DType::F32, {-1, N});
        b.step("DigitalLinear", "/proj", ins, {yId}, attrs);
        b.output("y", yId);
        b.write(dir.file(kind + (relu ? "-fused.bin" : "-plain.bin")));
      }
      Tensor ym = cimExecutor(dir.file(kind + "-plain.bin")).run({{"x", xm}}).at("y");
      Tensor rm = cimExecutor(dir.file(kind + "-fused.bin")).run({{"x", xm}}).at("y");
      for (int64_t i = 0; i < ym.numel(); ++i)
        ASSERT_EQ(rm.data<float>()[i], std::max(ym.data<float>()[i], 0.0f))
            << kind << " element " << i;
    }
  }
}

TEST(DigitalStepTap, SeesEachGroupsRowsBeforeTheProduct) {
  // BackendOptions::digitalRowsTap (what calibration observes): called with the step's
  // name, the group and the rows the product multiplies, which for a conv are each group's
  // im2col patches of every image, in image order, and the output is unchanged by it.
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int trial = 0; trial < 3; ++trial) {
    ConvCase c = randomConv(gen, trial == 2);
    const std::string path = dir.file("tap" + std::to_string(trial) + ".bin");
    writeConvStep(c, "DigitalLinear", digitalAttrs("conv", "fp32", convAttrs(c)), true, path);
    const int64_t N = randInt(gen, 1, 5);
    Tensor x = randomF32(gen, trial == 2 ? Shape{N, c.C, c.H} : Shape{N, c.C, c.H, c.W});
    std::vector<std::vector<float>> seen(static_cast<size_t>(c.groups));
    std::vector<std::string> names;
    BackendOptions options;
    options.digitalRowsTap = [&](const std::string &step, int64_t g, const Tensor &rows) {
      names.push_back(step);
      ASSERT_EQ(rows.rank(), 2);
      ASSERT_EQ(rows.dim(1), c.K());
      seen.at(static_cast<size_t>(g))
          .insert(seen[g].end(), rows.data<float>(), rows.data<float>() + rows.numel());
    };
    Tensor tapped = cimExecutor(path, options).run({{"x", x}}).at("y");
    Tensor plain = cimExecutor(path).run({{"x", x}}).at("y");
    EXPECT_TRUE(sameBytes(tapped, plain));
    ASSERT_FALSE(names.empty());
    for (const std::string &name : names)
      EXPECT_EQ(name, "/conv/Conv");
    for (int64_t g = 0; g < c.groups; ++g)
      EXPECT_EQ(seen[g], stackedPatches(c, x, g)) << "group " << g;
  }
}

TEST(DigitalStepReport, CimRunListsEveryLinearLayerWithItsCost) {
  // cim-run's per-layer report (LayerReports) lists the CimLinear and DigitalLinear steps, each
  // with its counters and cost per sample; a digital layer's are its MACs, priced per MAC
  // (w8a16: 0.9 pJ by default, docs/cost-model.md); the chip's cost adds the layers up.
  std::mt19937 gen(4);
  TempDir dir;
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 5});
  int64_t h = b.value("h", DType::F32, {-1, 4});
  int64_t y = b.value("y", DType::F32, {-1, 3});
  b.step("DigitalLinear", "/fc1", {x, b.constant("w1", randomF32(gen, {5, 4}))}, {h},
         digitalAttrs("matmul", "w8a16"));
  addCimStep(b, "/fc2", cimStep("/fc2", "matmul", idealSettings(), randomF32(gen, {4, 3})), h, {},
             y);
  b.output("y", y);
  const std::string path = dir.file("two.bin");
  b.write(path);
  Executor exec = cimExecutor(path);
  exec.run({{"x", randomF32(gen, {6, 5})}});
  EXPECT_EQ(exec.stepReport(0)["precision"], "w8a16");
  EXPECT_EQ(exec.stepReport(0)["samples"], 6);
  LayerReports layers;
  layers.add(exec, 0);
  const json report = layers.json(exec.program().cost());
  ASSERT_EQ(report.size(), 2u) << report.dump();
  EXPECT_EQ(report[0]["name"], "/fc1");
  EXPECT_EQ(report[0]["op"], "DigitalLinear");
  EXPECT_EQ(report[0]["counters"]["macs"], 6 * 5 * 4);
  EXPECT_DOUBLE_EQ(report[0]["per_sample"]["macs"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(report[0]["cost"]["digital_pj"].get<double>(), 20 * 0.9);
  // Per sample: x's 5 and y's 4 elements through SRAM (2 bytes at 2.5 pJ), the 20 int8
  // weights from DRAM (162.5 pJ a byte).
  EXPECT_DOUBLE_EQ(report[0]["cost"]["sram_pj"].get<double>(), 9 * 2 * 2.5);
  EXPECT_DOUBLE_EQ(report[0]["cost"]["dram_pj"].get<double>(), 20 * 162.5);
  EXPECT_DOUBLE_EQ(report[0]["cost"]["latency_ns_per_sample"].get<double>(), 20 / 1024.0);
  EXPECT_FALSE(report[0].contains("dac_activity"));
  EXPECT_EQ(report[1]["name"], "/fc2");
  EXPECT_EQ(report[1]["op"], "CimLinear");
  EXPECT_EQ(report[1]["counters"]["rows"], 6);
  EXPECT_TRUE(report[1].contains("dac_activity"));
  const json chip = layers.chipCost(exec.program().cost());
  for (const char *figure : {"energy_pj_per_sample", "latency_ns_per_sample", "area_mm2"})
    EXPECT_DOUBLE_EQ(chip[figure].get<double>(), report[0]["cost"][figure].get<double>() +
                                                     report[1]["cost"][figure].get<double>())
        << figure;
}

// --- Refusals --------------------------------------------------------------------------

/// A gemm DigitalLinear step on x [-1, xK] with W [6, 3] (or `w`).
std::string writeGemm(const TempDir &dir, const std::string &name, const json &attrs,
                      const Tensor *w = nullptr, int64_t xK = 6) {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, xK});
  std::mt19937 gen(1);
  int64_t wId = b.constant("w", w ? *w : randomF32(gen, {6, 3}));
  int64_t y = b.value("y", DType::F32, {-1, 3});
  b.step("DigitalLinear", "/fc", {x, wId}, {y}, attrs);
  b.output("y", y);
  std::string path = dir.file(name);
  b.write(path);
  return path;
}

json gemmStep(const std::string &precision, json extra = json::object()) {
  json attrs = {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}};
  attrs.update(extra);
  return digitalAttrs("gemm", precision, attrs);
}

TEST(DigitalStepErrors, MalformedStepsNameTheProblem) {
  TempDir dir;
  auto loadError = [&](const std::string &name, const json &attrs, const Tensor *w = nullptr) {
    return errorOf([&] { cimExecutor(writeGemm(dir, name, attrs, w)); });
  };
  EXPECT_TRUE(containsAll(loadError("p.bin", gemmStep("fp16")),
                          {"DigitalLinear", "'/fc'", "precision 'fp16'", "fp32, bf16, int8"}));
  json noPrecision = gemmStep("fp32");
  noPrecision.erase("precision");
  EXPECT_TRUE(containsAll(loadError("np.bin", noPrecision), {"'/fc'", "'precision'"}));
  EXPECT_TRUE(
      containsAll(loadError("k.bin", digitalAttrs("dense", "fp32")), {"'/fc'", "kind 'dense'"}));
  EXPECT_TRUE(containsAll(loadError("a.bin", digitalAttrs("gemm", "int8")), {"'/fc'", "'alpha'"}));
  EXPECT_TRUE(containsAll(loadError("t.bin", gemmStep("bf16", {{"transA", 1}})),
                          {"transA", "before a DigitalLinear step"}));
  Tensor w8 = Tensor::allocate(DType::I8, {6, 3});
  EXPECT_TRUE(containsAll(loadError("i8.bin", gemmStep("int8"), &w8), {"W is int8", "float32"}));
  Tensor w3 = Tensor::allocate(DType::F32, {6, 3, 1});
  EXPECT_TRUE(containsAll(loadError("r3.bin", gemmStep("fp32"), &w3), {"expected a matrix"}));
  // A non-finite weight has no int8 level.
  Tensor inf = Tensor::allocate(DType::F32, {6, 3});
  inf.data<float>()[7] = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(containsAll(loadError("inf.bin", gemmStep("w8a16"), &inf),
                          {"'/fc'", "group 0", "W[2,1] is not finite"}));
  EXPECT_NO_THROW(cimExecutor(writeGemm(dir, "inf32.bin", gemmStep("fp32"), &inf)));

  // W must be a constant: it is prepared at load.
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 6});
  int64_t w = b.input("w", DType::F32, {6, 3});
  int64_t y = b.value("y", DType::F32, {-1, 3});
  b.step("DigitalLinear", "/fc", {x, w}, {y}, digitalAttrs("matmul", "fp32"));
  b.output("y", y);
  std::string path = dir.file("w.bin");
  b.write(path);
  EXPECT_TRUE(containsAll(errorOf([&] { cimExecutor(path); }),
                          {"'/fc'", "not a constant", "prepared when the plan is loaded"}));

  // A conv whose group does not divide the output channels.
  std::mt19937 gen(2);
  ConvCase c = randomConv(gen, false);
  c.groups = 1;
  json attrs = digitalAttrs("conv", "fp32", convAttrs(c));
  attrs["group"] = c.M + 1;
  std::string convPath = dir.file("g.bin");
  writeConvStep(c, "DigitalLinear", attrs, false, convPath);
  EXPECT_TRUE(containsAll(errorOf([&] { cimExecutor(convPath); }),
                          {"'/conv/Conv'", "group " + std::to_string(c.M + 1), "must divide"}));
}

TEST(DigitalStepErrors, InputsOfTheWrongShapeAreRefusedAtRun) {
  // A plan whose x is declared [-1, 5] for W [6, 3] loads (no shape inference across steps)
  // but the step refuses its x when it runs.
  TempDir dir;
  Executor exec = cimExecutor(writeGemm(dir, "plan.bin", gemmStep("int8"), nullptr, 5));
  std::mt19937 gen(3);
  EXPECT_TRUE(containsAll(errorOf([&] {
                            exec.run({{"x", randomF32(gen, {2, 5})}});
                          }),
                          {"DigitalLinear", "'/fc'", "x is float32 [2,5], expected [M,6]"}));
}

TEST(DigitalStepErrors, WindowsThatOverflowAreRefusedAtRun) {
  // From a plan: huge dilations or pads once wrapped into windows that "fit".
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  ConvCase c;
  do // a kernel of one tap spans one position, whatever its dilation
    c = randomConv(gen, false);
  while (c.kh == 1);
  const int64_t max = std::numeric_limits<int64_t>::max();
  json dilated = convAttrs(c), padded = convAttrs(c);
  dilated["dilations"] = {max, 1};
  padded["pads"] = {max, 0, 0, 0};
  for (const json &attrs : {dilated, padded}) {
    const std::string path = dir.file("overflow.bin");
    writeConvStep(c, "DigitalLinear", digitalAttrs("conv", "fp32", attrs), false, path);
    Executor exec = cimExecutor(path);
    Tensor x = randomF32(gen, {1, c.C, c.H, c.W});
    EXPECT_TRUE(containsAll(errorOf([&] {
                              exec.run({{"x", x}});
                            }),
                            {"'/conv/Conv'", "overflows int64"}))
        << attrs.dump();
  }
}

} // namespace
} // namespace cimlir::runtimetest
