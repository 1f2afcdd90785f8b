// The CimLinear step (docs/plan-format.md) on hand-built plans with `cim-ideal`-like
// settings, against an independent reference (CimStepTestUtil.h: s_x·s_w·(xq·Wq) of §6 with
// the quantization written out): Gemm with transB, alpha, beta and C; 2-D and 3-D MatMul;
// 2-D and 1-D Conv with groups, pads, strides, dilations and bias, im2col in §0's K order.
// Also: the conv K order under row blocks and a noisy chip (conv equals a gemm on the
// test's own im2col); the steps the backend refuses; and that the plan's decisions (full
// scales, layer ids) are the ones the step runs with.
#include "core/Error.h"
#include "kernels/cpu/cim/CimLinear.h"
#include "test/unit/runtime/CimStepTestUtil.h"
#include "test/unit/runtime/ConvCaseUtil.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

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
    int64_t cId = b.constant("c", c);
    int64_t y = b.value("y", DType::F32, {-1, N});
    addCimStep(b, "/fc/Gemm",
               cimStep("/fc/Gemm", "gemm", idealSettings(), w,
                       {{"alpha", alpha}, {"beta", beta}, {"transB", transB ? 1 : 0}}),
               x, {cId}, y);
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
  for (int rank : {2, 3, -3}) { // -3: rank 3 with a bias (cim-fuse-activations' MatMul + Add)
    SCOPED_TRACE("rank " + std::to_string(rank));
    const bool withBias = rank < 0;
    rank = std::abs(rank);
    const int64_t K = randInt(gen, 1, 40), N = randInt(gen, 1, 12), T = randInt(gen, 1, 5);
    Tensor w = randomF32(gen, {K, N});
    PlanBuilder b;
    Shape xs = rank == 2 ? Shape{-1, K} : Shape{-1, T, K};
    Shape ys = rank == 2 ? Shape{-1, N} : Shape{-1, T, N};
    int64_t x = b.input("x", DType::F32, xs);
    int64_t y = b.value("y", DType::F32, ys);
    const Tensor bias = randomF32(gen, {N});
    std::vector<int64_t> others;
    if (withBias)
      others.push_back(b.constant("b", bias));
    addCimStep(b, "/proj/MatMul", cimStep("/proj/MatMul", "matmul", idealSettings(), w), x, others,
               y);
    b.output("y", y);
    std::string path = dir.file("mm" + std::to_string(rank) + (withBias ? "b" : "") + ".bin");
    b.write(path);

    const int64_t batch = randInt(gen, 1, 6);
    Shape shape = rank == 2 ? Shape{batch, K} : Shape{batch, T, K};
    Tensor xt = randomF32(gen, shape);
    Tensor got = cimExecutor(path).run({{"x", xt}}).at("y");
    const int64_t rows = rank == 2 ? batch : batch * T;
    ASSERT_EQ(got.shape(), rank == 2 ? (Shape{batch, N}) : (Shape{batch, T, N}));
    std::vector<float> ref = idealCimReference(xt.data<float>(), rows, K, w.data<float>(), N);
    if (withBias) // §6: + b after the product
      for (size_t i = 0; i < ref.size(); ++i)
        ref[i] += bias.data<float>()[i % static_cast<size_t>(N)];
    expectNear(got, ref, "matmul");
  }
}

// --- Conv ----------------------------------------------------------------------------

void writeConvPlan(const ConvCase &c, const device::LayerSettings &settings, bool withBias,
                   const std::string &path, const std::string &name = "/conv/Conv") {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, c.oneD ? Shape{-1, c.C, c.H} : Shape{-1, c.C, c.H, c.W});
  std::vector<int64_t> others;
  if (withBias)
    others.push_back(b.constant("b", c.bias));
  int64_t y =
      b.value("y", DType::F32, c.oneD ? Shape{-1, c.M, c.OH()} : Shape{-1, c.M, c.OH(), c.OW()});
  addCimStep(b, name, cimStep(name, "conv", settings, c.w, convAttrs(c)), x, others, y);
  b.output("y", y);
  b.write(path);
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
  int64_t yi = b.value("y", DType::F32, {-1, c.M});
  addCimStep(b, "/layer",
             cimStep("/layer", "gemm", s, wTensor, {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}}),
             xi, {}, yi);
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

/// A one-step gemm plan; `edit` changes the step's attributes before it is written.
std::string writeGemm(const TempDir &dir, const device::LayerSettings &s, const std::string &name,
                      json extra = {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}},
                      const std::function<void(CimStep &)> &edit = {}) {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 6});
  std::mt19937 gen(1);
  CimStep step = cimStep("/fc", "gemm", s, randomF32(gen, {6, 3}), std::move(extra));
  if (edit)
    edit(step);
  int64_t y = b.value("y", DType::F32, {-1, 3});
  addCimStep(b, "/fc", step, x, {}, y);
  b.output("y", y);
  std::string path = dir.file(name);
  b.write(path);
  return path;
}

TEST(CimStepErrors, CompileTimeFieldsCannotBeSet) {
  TempDir dir;
  std::string path = writeGemm(dir, idealSettings(), "plan.bin");
  BackendOptions options;
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
  auto fails = [&](const std::string &file, std::initializer_list<std::string> words,
                   const std::function<void(CimStep &)> &edit,
                   json extra = {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}}) {
    std::string msg =
        errorOf([&] { cimExecutor(writeGemm(dir, idealSettings(), file, extra, edit)); });
    EXPECT_TRUE(containsAll(msg, {"'/fc'"})) << msg;
    EXPECT_TRUE(containsAll(msg, words)) << msg;
  };
  fails("k.bin", {"kind 'dense'"}, [](CimStep &s) { s.attrs["kind"] = "dense"; });
  fails("a.bin", {"'alpha'"}, {}, json::object());
  fails("t.bin", {"transA"}, {}, {{"alpha", 1.0}, {"beta", 1.0}, {"transA", 1}, {"transB", 0}});
  // Calibrated layers need their calibrated values (cim-apply-calibration), of the right
  // count and range.
  fails("c.bin", {"calibrated", "no adc.calibrated_full_scales", "--calibration"},
        [](CimStep &s) { s.attrs["adc"]["mode"] = "calibrated"; });
  fails("s.bin", {"static", "0 inputs.static_scales for 1 groups", "--calibration"},
        [](CimStep &s) { s.attrs["inputs"]["scale"] = "static"; });
  fails("c2.bin", {"3 adc.calibrated_full_scales, expected"}, [](CimStep &s) {
    s.attrs["adc"]["mode"] = "calibrated";
    s.attrs["adc"]["calibrated_full_scales"] = {1.0, 2.0, 3.0};
  });
  fails("s2.bin", {"group 0", "calibrated scale is -1"}, [](CimStep &s) {
    s.attrs["inputs"]["scale"] = "static";
    s.attrs["inputs"]["static_scales"] = {-1.0};
  });
  // Every decision is read from the plan, and checked.
  fails("b.bin", {"settings", "adc.bits", "2..16"},
        [](CimStep &s) { s.attrs["adc"]["bits"] = 20; });
  fails("m.bin", {"'noise.read'"}, [](CimStep &s) { s.attrs["noise"].erase("read"); });
  fails("o.bin", {"weights.offsets", "sums"},
        [](CimStep &s) { s.attrs["weights"]["offsets"][1] = 2; });
  fails("i.bin", {"inputs.offsets", "sums"},
        [](CimStep &s) { s.attrs["inputs"]["offsets"] = {0}; });
  // Widths whose sums overflow int64 (once undefined behaviour before a later check).
  fails("v.bin", {"weights.offsets", "sums"}, [](CimStep &s) {
    const int64_t huge = std::numeric_limits<int64_t>::max();
    s.attrs["weights"]["slices"] = {huge, huge, 1};
    s.attrs["weights"]["offsets"] = {0, huge, -2};
  });
  fails("q.bin", {"hybrid.analog_qmax"}, [](CimStep &s) {
    s.attrs["inputs"]["slices"] = {1, 1, 1};
    s.attrs["inputs"]["offsets"] = {0, 1, 2};
    s.attrs["hybrid"] = {{"analog_bits", 4}, {"analog_qmax", 8}};
  });
  fails("w.bin", {"scales", "one per output channel"},
        [](CimStep &s) { s.attrs["weights"]["scales"].erase(0); });
  fails("f.bin", {"adc.full_scales", "row blocks"},
        [](CimStep &s) { s.attrs["adc"]["full_scales"].push_back(7); });
  fails("l.bin", {"noise.layer_ids", "1 groups"},
        [](CimStep &s) { s.attrs["noise"]["layer_ids"].push_back(1); });
  fails("u.bin", {"noise.seed"}, [](CimStep &s) { s.attrs["noise"]["seed"] = -1; });
  fails("n.bin", {"noise.normals", "exact, fast"},
        [](CimStep &s) { s.attrs["noise"]["normals"] = "quick"; });
  // A plan from before noise.normals runs with the exact transform.
  EXPECT_NO_THROW(cimExecutor(writeGemm(dir, idealSettings(), "n0.bin",
                                        {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}},
                                        [](CimStep &s) { s.attrs["noise"].erase("normals"); })));
  // W is the integer Wq of the weights' bits.
  fails("old.bin", {"older cim-opt", "compile the model again"}, [](CimStep &s) {
    s.attrs = {{"kind", "gemm"}, {"settings", "{}"}};
  });
  fails("wq.bin", {"W is int8", "int16 levels of 12-bit weights"}, [](CimStep &s) {
    s.attrs["weights"]["bits"] = 12;
    s.attrs["weights"]["slices"] = {4, 4, 3};
    s.attrs["weights"]["offsets"] = {0, 4, 8};
  });

  // W must be a constant: the chip is programmed at load.
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 6});
  int64_t w = b.input("w", DType::I8, {6, 3});
  int64_t y = b.value("y", DType::F32, {-1, 3});
  std::mt19937 gen(1);
  b.step("CimLinear", "/fc", {x, w}, {y},
         cimStep("/fc", "matmul", idealSettings(), randomF32(gen, {6, 3})).attrs);
  b.output("y", y);
  std::string path = dir.file("w.bin");
  b.write(path);
  EXPECT_TRUE(containsAll(errorOf([&] { cimExecutor(path); }), {"'/fc'", "not a constant"}));
}

// --- The plan's decisions are the ones that count ----------------------------------------

/// Runs x [M,K] through a one-step plan with `step` named `name`.
Tensor runStep(const TempDir &dir, const std::string &name, const CimStep &step, const Tensor &x,
               const std::string &file) {
  const int64_t N = step.attrs["mapping"]["n"];
  PlanBuilder b;
  int64_t xi = b.input("x", DType::F32, {-1, x.dim(1)}), y = b.value("y", DType::F32, {-1, N});
  addCimStep(b, name, step, xi, {}, y);
  b.output("y", y);
  b.write(dir.file(file));
  return cimExecutor(dir.file(file)).run({{"x", x}}).at("y");
}

TEST(CimStepDecisions, TheKernelConvertsWithThePlansFullScales) {
  // A plan whose full scales are not the `full` formula's: the step converts with them, as
  // the kernel does when given them directly.
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  device::LayerSettings s;
  s.crossbar.rows = 8;
  s.adc.bits = 5;
  const int64_t K = 20, N = 4;
  Tensor w = randomF32(gen, {K, N}), x = randomF32(gen, {9, K});
  CimStep formula = cimStep("/fc", "gemm", s, w, {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}});
  CimStep custom = formula;
  for (auto &fs : custom.attrs["adc"]["full_scales"])
    fs = fs.get<int64_t>() * randInt(gen, 1, 3) / 2;
  Tensor byFormula = runStep(dir, "/fc", formula, x, "formula.bin");
  Tensor byPlan = runStep(dir, "/fc", custom, x, "custom.bin");
  EXPECT_FALSE(sameBytes(byFormula, byPlan));
  cim::CimParams p = toCimParams(s, "test");
  p.layerId = cim::layerId("/fc", 0);
  p.fullScales = custom.attrs["adc"]["full_scales"].get<std::vector<int64_t>>();
  Tensor direct = Tensor::allocate(DType::F32, {9, N});
  cpu::cimLinear(x, cpu::ProgrammedWeights::program(w, p), p, nullptr, {}, direct);
  EXPECT_TRUE(sameBytes(byPlan, direct));
}

TEST(CimStepDecisions, TheChipIsKeyedByThePlansLayerIds) {
  // With programming noise the chip depends on the layer id: the id the plan gives is the
  // one used, whatever the step's name.
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  device::LayerSettings s;
  s.noise.program = 0.05;
  Tensor w = randomF32(gen, {12, 5}), x = randomF32(gen, {6, 12});
  json extra = {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}};
  Tensor a = runStep(dir, "/a", cimStep("/a", "gemm", s, w, extra), x, "a.bin");
  Tensor b = runStep(dir, "/b", cimStep("/b", "gemm", s, w, extra), x, "b.bin");
  Tensor aNamedB = runStep(dir, "/b", cimStep("/a", "gemm", s, w, extra), x, "ab.bin");
  EXPECT_FALSE(sameBytes(a, b)) << "another layer, another chip";
  EXPECT_TRUE(sameBytes(a, aNamedB)) << "the plan's layer id, not the step name";
}

} // namespace
} // namespace cimlir::runtimetest
