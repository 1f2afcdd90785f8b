// A CimLinear step with a fused normalisation (`layer_norm`, cim-fuse-normalization;
// kernels/cpu/LayerNormPrologue.h) on hand-built plans: with `cim-ideal`-like settings its y is
// the independent reference of an ideal CIM layer on rows normalised here; on a noisy chip with
// an 8-bit ADC, a dynamic or percentile clip or a static scale, it gives the bits of the
// unfused plan (a LayerNormalization step, then the layer) on every backend the suite runs
// (CIMLIR_TEST_BACKEND); and malformed prologues are refused naming what is wrong.
#include "core/Error.h"
#include "test/unit/runtime/CimStepTestUtil.h"

#include <gtest/gtest.h>

namespace cimlir::runtimetest {
namespace {

/// What a case varies.
struct NormCase {
  std::string kind;         ///< gemm (with C) or matmul (of rank 3)
  bool bias = true;         ///< the normalisation has a bias
  device::LayerSettings s;  ///< the layer's settings
  float staticScale = 0.0f; ///< > 0: the layer's static input scale
};

struct NormPlans {
  std::string fused, unfused;
  Shape x;
  Tensor scale, bias, w;
};

/// The fused and the unfused plan of one case: x [-1, (T,) K], the normalisation's scale and
/// bias [K] constants, the layer's W [K, N] and, for gemm, C [N].
NormPlans writePlans(std::mt19937 &gen, const TempDir &dir, const NormCase &c, int64_t K, int64_t N,
                     const std::string &tag) {
  NormPlans p;
  const bool gemm = c.kind == "gemm";
  p.x = gemm ? Shape{-1, K} : Shape{-1, 3, K};
  const Shape y = gemm ? Shape{-1, N} : Shape{-1, 3, N};
  p.scale = randomF32(gen, {K}, 0.5f, 1.5f);
  p.bias = randomF32(gen, {K}, -0.5f, 0.5f);
  p.w = randomF32(gen, {K, N});
  const Tensor cTensor = randomF32(gen, {N});
  json extra = gemm ? json{{"alpha", 1.0}, {"beta", 1.0}, {"transB", 0}} : json::object();
  CimStep step = cimStep("/fc", c.kind, c.s, p.w, extra);
  if (c.staticScale > 0.0f) { // a static scale, as calibration sets it
    step.attrs["inputs"]["scale"] = "static";
    step.attrs["inputs"]["static_scales"] = json::array({c.staticScale});
  }
  for (const bool fused : {true, false}) {
    PlanBuilder b;
    int64_t x = b.input("x", DType::F32, p.x);
    const int64_t scale = b.constant("ln.scale", p.scale);
    const int64_t bias = b.constant("ln.bias", p.bias);
    std::vector<int64_t> others;
    if (gemm)
      others.push_back(b.constant("c", cTensor));
    CimStep s = step;
    if (fused) {
      json norm = {{"epsilon", 1e-5}, {"scale", gemm ? 3 : 2}};
      others.push_back(scale);
      if (c.bias) {
        norm["bias"] = gemm ? 4 : 3;
        others.push_back(bias);
      }
      s.attrs["layer_norm"] = norm;
    } else {
      const int64_t normalised = b.value("ln.y", DType::F32, p.x);
      std::vector<int64_t> ins = {x, scale};
      if (c.bias)
        ins.push_back(bias);
      Shape stats = p.x;
      stats.back() = 1;
      const int64_t mean = b.value("ln.mean", DType::F32, stats);
      const int64_t inv = b.value("ln.inv", DType::F32, stats);
      b.step("LayerNormalization", "/ln", ins, {normalised, mean, inv},
             {{"axis", static_cast<int64_t>(p.x.size()) - 1}, {"epsilon", 1e-5}});
      x = normalised;
    }
    int64_t yv = b.value("y", DType::F32, y);
    addCimStep(b, "/fc", s, x, others, yv);
    b.output("y", yv);
    std::string path = dir.file(tag + (fused ? ".fused.bin" : ".unfused.bin"));
    b.write(path);
    (fused ? p.fused : p.unfused) = path;
  }
  return p;
}

/// x's rows normalised as ONNX LayerNormalization defines it (mean and variance in double).
std::vector<float> normalisedRows(const Tensor &x, int64_t K, const Tensor &scale,
                                  const Tensor *bias) {
  const int64_t M = x.numel() / K;
  std::vector<float> out(static_cast<size_t>(x.numel()));
  for (int64_t m = 0; m < M; ++m) {
    const float *row = x.data<float>() + m * K;
    double mean = 0, var = 0;
    for (int64_t k = 0; k < K; ++k)
      mean += row[k];
    mean /= static_cast<double>(K);
    for (int64_t k = 0; k < K; ++k)
      var += (row[k] - mean) * (row[k] - mean);
    var /= static_cast<double>(K);
    for (int64_t k = 0; k < K; ++k)
      out[m * K + k] =
          static_cast<float>((row[k] - mean) / std::sqrt(var + 1e-5) * scale.data<float>()[k] +
                             (bias ? bias->data<float>()[k] : 0.0f));
  }
  return out;
}

TEST(CimStepLayerNorm, IdealMatMulOfNormalisedRowsMatchesTheReference) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "with a bias" : "without a bias");
    const int64_t K = randInt(gen, 2, 40), N = randInt(gen, 1, 12), batch = randInt(gen, 1, 5);
    NormCase c{"matmul", bias, idealSettings()};
    NormPlans p = writePlans(gen, dir, c, K, N, bias ? "b" : "n");
    Tensor x = randomF32(gen, {batch, 3, K}, -3.0f, 5.0f);
    Tensor got = cimExecutor(p.fused).run({{"x", x}}).at("y");
    ASSERT_EQ(got.shape(), (Shape{batch, 3, N}));
    const std::vector<float> rows = normalisedRows(x, K, p.scale, bias ? &p.bias : nullptr);
    // The reference's roundings of the normalised rows may differ from the step's in the last
    // bit, which can move a level: compare loosely, the bits are compared below.
    const std::vector<float> ref =
        idealCimReference(rows.data(), batch * 3, K, p.w.data<float>(), N);
    float worst = 0.0f, scale = 0.0f;
    for (size_t i = 0; i < ref.size(); ++i) {
      worst = std::max(worst, std::fabs(got.data<float>()[i] - ref[i]));
      scale = std::max(scale, std::fabs(ref[i]));
    }
    EXPECT_LE(worst, 0.02f * scale) << "K " << K << " N " << N;
  }
}

TEST(CimStepLayerNorm, FusedStepGivesTheUnfusedBits) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  device::LayerSettings noisy; // an 8-bit `full` ADC, 64-row arrays, read noise
  noisy.crossbar.rows = 64;
  noisy.noise.read = 0.02;
  device::LayerSettings percentile = noisy;
  percentile.inputs.clipPercentile = 99.0;
  const std::vector<NormCase> cases = {{"matmul", true, noisy},
                                       {"matmul", false, percentile},
                                       {"gemm", true, noisy},
                                       {"gemm", false, noisy, 0.03f}};
  int index = 0;
  for (const NormCase &c : cases) {
    SCOPED_TRACE(c.kind + " case " + std::to_string(index));
    // K past 256: a GPU block's threads then each sum several of a row's values.
    const int64_t K = index == 2 ? randInt(gen, 300, 800) : randInt(gen, 2, 150);
    const int64_t N = randInt(gen, 1, 20), batch = randInt(gen, 1, 9);
    NormPlans p = writePlans(gen, dir, c, K, N, std::to_string(index++));
    Shape shape = p.x;
    shape[0] = batch;
    Tensor x = randomF32(gen, shape, -4.0f, 6.0f);
    if (index == 2) // a row holding a NaN: a row of NaN either way
      x.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
    Executor fusedRun = cimExecutor(p.fused), unfusedRun = cimExecutor(p.unfused);
    Tensor fused = fusedRun.run({{"x", x}}).at("y");
    Tensor unfused = unfusedRun.run({{"x", x}}).at("y");
    EXPECT_TRUE(sameBytes(fused, unfused)) << "K " << K << " N " << N << " batch " << batch;
    // On a GPU backend, both plans' steps ran on it (a step on the host normalises with the
    // CPU's sum order).
    for (Executor *run : {&fusedRun, &unfusedRun}) {
      const json details = run->backend().report();
      if (details.contains("host_steps")) {
        EXPECT_TRUE(details["host_steps"].empty()) << details["host_steps"].dump();
      }
    }
  }
}

TEST(CimStepLayerNorm, MalformedProloguesAreRefused) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  NormPlans p = writePlans(gen, dir, {"matmul", true, idealSettings()}, 6, 3, "ok");
  // Each edit of the fused plan's step, and the words its refusal must hold.
  auto refused = [&](const std::string &tag, const std::function<void(json &)> &edit,
                     std::initializer_list<std::string> words,
                     const std::string &op = "CimLinear") {
    PlanBuilder b;
    int64_t x = b.input("x", DType::F32, {-1, 3, 6});
    CimStep step = cimStep("/fc", "matmul", idealSettings(), p.w);
    step.attrs["layer_norm"] = {{"epsilon", 1e-5}, {"scale", 2}, {"bias", 3}};
    edit(step.attrs);
    int64_t y = b.value("y", DType::F32, {-1, 3, 3});
    std::vector<int64_t> ins = {x, b.constant("wq", step.levels), b.constant("s", p.scale),
                                b.constant("b", p.bias)};
    b.step(op, "/fc", ins, {y}, step.attrs);
    b.output("y", y);
    const std::string path = dir.file(tag + ".bin");
    b.write(path);
    const std::string msg = errorOf([&] {
      cimExecutor(path).run({{"x", randomF32(gen, {2, 3, 6})}});
    });
    EXPECT_TRUE(containsAll(msg, words)) << tag << ": " << msg;
  };
  refused("field", [](json &a) { a["layer_norm"]["axis"] = 2; },
          {"'/fc'", "unknown layer_norm field 'axis'"});
  refused("epsilon", [](json &a) { a["layer_norm"].erase("epsilon"); }, {"'/fc'", "epsilon"});
  refused("zero", [](json &a) { a["layer_norm"]["epsilon"] = 0.0; }, {"epsilon", "> 0"});
  refused("scale", [](json &a) { a["layer_norm"]["scale"] = 1; },
          {"layer_norm scale 1", "the input after the layer's own"});
  refused("bias", [](json &a) { a["layer_norm"].erase("bias"); },
          {"has 4 inputs, but its layer_norm says 3"});
  refused("object", [](json &a) { a["layer_norm"] = 1e-5; }, {"layer_norm that is not an object"});
  refused(
      "digital", [](json &a) { a["precision"] = "fp32"; },
      {"only a CimLinear step normalises its rows"}, "DigitalLinear");
  refused("kind",
          [](json &a) {
            a["kind"] = "conv";
            for (const char *key : {"strides", "dilations"})
              a[key] = {1};
            a["pads"] = {0, 0};
            a["group"] = 1;
          },
          {"'/fc'", "layer_norm on a layer of kind conv"});
  // A scale of another length than K, given at run time.
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 6});
  int64_t s = b.input("s", DType::F32, {7});
  CimStep step = cimStep("/fc", "matmul", idealSettings(), p.w);
  step.attrs["layer_norm"] = {{"epsilon", 1e-5}, {"scale", 2}};
  int64_t y = b.value("y", DType::F32, {-1, 3});
  addCimStep(b, "/fc", step, x, {s}, y);
  b.output("y", y);
  b.write(dir.file("length.bin"));
  const std::string msg = errorOf([&] {
    cimExecutor(dir.file("length.bin"))
        .run({{"x", randomF32(gen, {2, 6})}, {"s", randomF32(gen, {7})}});
  });
  EXPECT_TRUE(containsAll(msg, {"layer_norm scale", "[7]", "expected float32 [6]"})) << msg;
}

} // namespace
} // namespace cimlir::runtimetest
