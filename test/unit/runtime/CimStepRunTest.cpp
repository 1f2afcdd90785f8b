// The CimLinear step's randomness and run-time parameters (cim-numerics.md §9, §10): outputs
// bitwise identical at batch sizes 1, 7 and 64 with read noise on (the executor passes the
// dataset index of a batch's first sample), fresh noise keyed by the seed and the repeat,
// static effects by the chip seed, --set adc.bits changing outputs, and the per-layer
// counters a step reports.
#include "core/Error.h"
#include "test/unit/runtime/CimStepTestUtil.h"

#include <gtest/gtest.h>

namespace cimlir::runtimetest {
namespace {

/// A one-step plan of each kind; `x` holds 64 samples for it.
struct Case {
  std::string kind, path;
  Tensor x;
};

device::LayerSettings noisySettings() {
  device::LayerSettings s;
  s.crossbar.rows = 16; // several row blocks
  s.adc.bits = 6;
  s.noise.read = 0.05;
  return s;
}

Case writeCase(std::mt19937 &gen, const TempDir &dir, const std::string &kind,
               const device::LayerSettings &s) {
  Case c;
  c.kind = kind;
  c.path = dir.file(kind + ".bin");
  PlanBuilder b;
  if (kind == "gemm") {
    int64_t x = b.input("x", DType::F32, {-1, 40});
    int64_t y = b.value("y", DType::F32, {-1, 5});
    addCimStep(b, "/fc/Gemm",
               cimStep("/fc/Gemm", "gemm", s, randomF32(gen, {5, 40}),
                       {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 1}}),
               x, {}, y);
    b.output("y", y);
    c.x = randomF32(gen, {64, 40});
  } else if (kind == "matmul3d") {
    int64_t x = b.input("x", DType::F32, {-1, 3, 20});
    int64_t y = b.value("y", DType::F32, {-1, 3, 6});
    addCimStep(b, "/attn/proj", cimStep("/attn/proj", "matmul", s, randomF32(gen, {20, 6})), x, {},
               y);
    b.output("y", y);
    c.x = randomF32(gen, {64, 3, 20});
  } else {
    int64_t x = b.input("x", DType::F32, {-1, 4, 5, 5});
    Tensor w = randomF32(gen, {6, 2, 3, 3});
    int64_t bias = b.constant("b", randomF32(gen, {6}));
    int64_t y = b.value("y", DType::F32, {-1, 6, 5, 5});
    addCimStep(
        b, "/conv/Conv",
        cimStep("/conv/Conv", "conv", s, w,
                {{"strides", {1, 1}}, {"pads", {1, 1, 1, 1}}, {"dilations", {1, 1}}, {"group", 2}}),
        x, {bias}, y);
    b.output("y", y);
    c.x = randomF32(gen, {64, 4, 5, 5});
  }
  b.write(c.path);
  return c;
}

/// Runs samples [0, 64) in batches of `batch` as cim-run does and concatenates the outputs.
Tensor runInBatches(Executor &ex, const Tensor &x, int64_t batch, int64_t repeat = 0) {
  std::vector<Tensor> parts;
  for (int64_t begin = 0; begin < x.dim(0); begin += batch) {
    int64_t end = std::min(x.dim(0), begin + batch);
    parts.push_back(
        ex.run({{"x", x.sliceRows(begin, end).clone()}}, RunContext{begin, repeat}).at("y"));
  }
  Shape shape = parts[0].shape();
  shape[0] = x.dim(0);
  Tensor all = Tensor::allocate(DType::F32, shape);
  char *dst = static_cast<char *>(all.raw());
  for (const Tensor &p : parts) {
    std::memcpy(dst, p.raw(), p.byteSize());
    dst += p.byteSize();
  }
  return all;
}

TEST(CimStepRun, ReadNoiseIsKeyedBySampleSoBatchingChangesNothing) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const char *kind : {"gemm", "matmul3d", "conv"}) {
    SCOPED_TRACE(kind);
    Case c = writeCase(gen, dir, kind, noisySettings());
    Executor ex = cimExecutor(c.path);
    Tensor whole = runInBatches(ex, c.x, 64);
    EXPECT_TRUE(sameBytes(runInBatches(ex, c.x, 1), whole)) << "batch 1";
    EXPECT_TRUE(sameBytes(runInBatches(ex, c.x, 7), whole)) << "batch 7";
    // A fresh executor (chip programmed again) gives the same numbers too.
    Executor again = cimExecutor(c.path);
    EXPECT_TRUE(sameBytes(runInBatches(again, c.x, 64), whole)) << "second executor";
    // The noise is on: without it the outputs differ.
    Executor exq = cimExecutor(c.path, [] {
      BackendOptions o;
      o.cim.settings = {"noise.read=0"};
      return o;
    }());
    EXPECT_FALSE(sameBytes(runInBatches(exq, c.x, 64), whole)) << "read noise has no effect";
  }
}

TEST(CimStepRun, ReplayedBatchesGiveTheOutputsAndCountsOfRunSteps) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (const char *kind : {"gemm", "conv"}) {
    SCOPED_TRACE(kind);
    Case c = writeCase(gen, dir, kind, noisySettings());
    auto runAll = [&](bool replay, nlohmann::json &steps, nlohmann::json &backend) {
      BackendOptions o;
      o.replay = replay;
      Executor ex = cimExecutor(c.path, o);
      // Batches of 6 (10 of them, then 4): a CUDA backend records the second and replays the
      // rest, each with its own first sample; the second repeat records again (another key).
      Tensor first = runInBatches(ex, c.x, 6, 0), second = runInBatches(ex, c.x, 6, 1);
      steps = ex.stepReport(0);
      backend = ex.backend().report();
      Tensor both = Tensor::allocate(DType::F32, {2, first.numel()});
      std::memcpy(both.raw(), first.raw(), first.byteSize());
      std::memcpy(static_cast<char *>(both.raw()) + first.byteSize(), second.raw(),
                  second.byteSize());
      return both;
    };
    nlohmann::json replayedSteps, runSteps, replayedBackend, runBackend;
    const Tensor replayed = runAll(true, replayedSteps, replayedBackend);
    const Tensor run = runAll(false, runSteps, runBackend);
    EXPECT_TRUE(sameBytes(replayed, run)) << "replayed batches differ";
    EXPECT_EQ(replayedSteps, runSteps) << "the step counted replayed batches differently";
    Executor whole = cimExecutor(c.path);
    const Tensor one = runInBatches(whole, c.x, 64, 0);
    EXPECT_EQ(0, std::memcmp(one.raw(), replayed.raw(), one.byteSize()))
        << "batches of 6 differ from one batch of 64";
    if (replayedBackend.contains("cuda_graphs")) {
      // Repeat 0: batches of 6 recorded once, replayed 8 times; the batch of 4 runs once.
      // Repeat 1: both sizes recorded again, batches of 6 replayed 9 times.
      EXPECT_EQ(replayedBackend["cuda_graphs"]["captured"], 3) << replayedBackend.dump();
      EXPECT_EQ(replayedBackend["cuda_graphs"]["replays"], 17) << replayedBackend.dump();
      EXPECT_EQ(runBackend["cuda_graphs"]["replays"], 0) << runBackend.dump();
    }
  }
}

TEST(CimStepRun, StreamedCellsGiveTheOutputsOfResidentOnes) {
  if (testBackend() == "cpu")
    GTEST_SKIP() << "the CPU backend keeps every weight in host memory";
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  // Four CIM layers and two digital ones (fp32 and int8) in a chain, so that several weight
  // arrays stream through two buffers.
  PlanBuilder b;
  int64_t h = b.input("x", DType::F32, {-1, 48});
  for (int l = 0; l < 6; ++l) {
    const int64_t out = l == 5 ? 5 : 48;
    const std::string name = "/fc" + std::to_string(l) + "/Gemm";
    int64_t y = b.value(name, DType::F32, {-1, out});
    if (l == 1 || l == 3) {
      const int64_t w = b.constant(name + ".w", randomF32(gen, {48, out}));
      b.step("DigitalLinear", name, {h, w}, {y},
             {{"kind", "matmul"}, {"precision", l == 1 ? "fp32" : "int8"}});
    } else {
      addCimStep(b, name,
                 cimStep(name, "gemm", noisySettings(), randomF32(gen, {out, 48}),
                         {{"alpha", 1.0}, {"beta", 1.0}, {"transB", 1}}),
                 h, {}, y);
    }
    h = y;
  }
  b.output("y", h);
  const std::string path = dir.file("chain.bin");
  b.write(path);
  const Tensor x = randomF32(gen, {64, 48});
  auto run = [&](uint64_t budget, nlohmann::json &weights) {
    BackendOptions o;
    o.weightBudget = budget;
    Executor ex = cimExecutor(path, o);
    Tensor y = runInBatches(ex, x, 8); // eight batches: recorded and replayed CUDA graphs too
    weights = ex.backend().report()["weights"];
    return y;
  };
  nlohmann::json resident, streamed;
  const Tensor all = run(0, resident);
  ASSERT_EQ(resident["streamed_arrays"], 0) << resident.dump();
  const uint64_t total = resident["resident_bytes"];
  // Three quarters of the arrays: room for two staging buffers of the largest (the fp32
  // matrix) and some small ones; the rest stream, the digital matrices among them.
  const Tensor some = run(total * 3 / 4, streamed);
  EXPECT_GE(streamed["streamed_arrays"].get<int64_t>(), 2) << streamed.dump();
  EXPECT_GT(streamed["host_issued_copy_bytes"].get<int64_t>(), 0) << streamed.dump();
  EXPECT_TRUE(sameBytes(all, some)) << "streamed cells change the outputs";
  // A budget below two staging buffers is one error naming the budget.
  BackendOptions tiny;
  tiny.weightBudget = 1;
  Executor ex = cimExecutor(path, tiny);
  EXPECT_TRUE(containsAll(errorOf([&] {
                            ex.run({{"x", x}});
                          }),
                          {"--gpu-memory-budget 1 bytes", "two staging buffers"}));
}

TEST(CimStepRun, SeedAndRepeatKeyTheFreshNoise) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Case c = writeCase(gen, dir, "conv", noisySettings());
  auto withSeed = [&](std::optional<uint64_t> seed, std::vector<std::string> set = {}) {
    BackendOptions o;
    o.cim.seed = seed;
    o.cim.settings = std::move(set);
    Executor ex = cimExecutor(c.path, o);
    return runInBatches(ex, c.x, 64);
  };
  Tensor s1 = withSeed(1), s1again = withSeed(1), s2 = withSeed(2);
  EXPECT_TRUE(sameBytes(s1, s1again));
  EXPECT_FALSE(sameBytes(s1, s2));
  // --seed N is noise.seed=N, applied after --set.
  EXPECT_TRUE(sameBytes(withSeed(std::nullopt, {"noise.seed=1"}), s1));
  EXPECT_TRUE(sameBytes(withSeed(1, {"noise.seed=5"}), s1));
  // The repeat index is part of the fresh key (§9).
  Executor ex = cimExecutor(c.path);
  EXPECT_FALSE(sameBytes(runInBatches(ex, c.x, 64, 0), runInBatches(ex, c.x, 64, 1)));
}

TEST(CimStepRun, ChipSeedKeysTheStaticEffects) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  device::LayerSettings s;
  s.noise.program = 0.05;
  s.noise.stuckAtMax = 0.01;
  for (const char *kind : {"gemm", "conv"}) {
    SCOPED_TRACE(kind);
    Case c = writeCase(gen, dir, kind, s);
    auto chip = [&](std::optional<uint64_t> chipSeed, uint64_t offset = 0) {
      BackendOptions o;
      o.cim.chipSeed = chipSeed;
      o.cim.chipSeedOffset = offset;
      Executor ex = cimExecutor(c.path, o);
      return runInBatches(ex, c.x, 64);
    };
    Tensor a = chip(3), b = chip(3), other = chip(4);
    EXPECT_TRUE(sameBytes(a, b)) << "same chip seed, same chip";
    EXPECT_FALSE(sameBytes(a, other)) << "another chip seed, another chip";
    // Chip r of --repeats is chip seed + r; the plan's chip seed (0) is the base without
    // --chip-seed.
    EXPECT_TRUE(sameBytes(chip(3, 1), other));
    EXPECT_TRUE(sameBytes(chip(std::nullopt, 3), a));
    // Without read noise the batching does not matter either way.
    BackendOptions o;
    o.cim.chipSeed = 3;
    Executor ex = cimExecutor(c.path, o);
    EXPECT_TRUE(sameBytes(runInBatches(ex, c.x, 7), a));
  }
}

TEST(CimStepRun, SetAdcBitsChangesOutputsAndTheReport) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  device::LayerSettings s; // 8-bit `full` ADC, no noise
  std::mt19937 same = gen; // the same W and x for the plan compiled with 6 bits below
  Case c = writeCase(gen, dir, "gemm", s);
  Executor plain = cimExecutor(c.path);
  BackendOptions o;
  o.cim.settings = {"adc.bits=6"};
  Executor six = cimExecutor(c.path, o);
  EXPECT_FALSE(sameBytes(runInBatches(plain, c.x, 64), runInBatches(six, c.x, 64)));
  EXPECT_EQ(plain.stepReport(0)["adc_bits"], 8);
  EXPECT_EQ(six.stepReport(0)["adc_bits"], 6);
  // A per-layer value is replaced too; --set does the same as compiling with the value.
  device::LayerSettings compiled = s;
  compiled.adc.bits = 6;
  TempDir other;
  Case c6 = writeCase(same, other, "gemm", compiled);
  ASSERT_TRUE(sameBytes(c6.x, c.x));
  Executor ex6 = cimExecutor(c6.path);
  EXPECT_TRUE(sameBytes(runInBatches(ex6, c.x, 64), runInBatches(six, c.x, 64)));
  EXPECT_EQ(ex6.stepReport(0)["adc_bits"], 6);
}

TEST(CimStepRun, ReportCountsWhatTheCrossbarsDid) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  device::LayerSettings s;
  s.crossbar.rows = 16;
  s.crossbar.cols = 4; // 2 outputs per array
  s.weights.slices = {1, 2, 2, 2};
  s.inputs.hybridAnalogBits = 4; // 3 one-bit DAC slices, the rest digital
  s.inputs.slices = {1, 1, 1};
  Case gemm = writeCase(gen, dir, "gemm", s); // K 40 -> 3 row blocks, N 5 -> 3 column blocks
  Executor ex = cimExecutor(gemm.path);
  EXPECT_EQ(ex.stepReport(0)["samples"], 0);
  runInBatches(ex, gemm.x, 7);
  json r = ex.stepReport(0);
  EXPECT_EQ(r["name"], "/fc/Gemm");
  EXPECT_EQ(r["kind"], "gemm");
  EXPECT_EQ(r["groups"], 1);
  EXPECT_EQ(r["arrays"], 3 * 3 * 4);
  EXPECT_EQ(r["samples"], 64);
  const int64_t M = 64, R = 3, C = 3, T = 3, S = 4, N = 5, K = 40;
  EXPECT_EQ(r["counters"]["dac_input_slices"], M * R * T);
  EXPECT_EQ(r["counters"]["array_reads"], M * R * C * T * S);
  EXPECT_EQ(r["counters"]["adc_conversions"], M * R * T * S * N);
  EXPECT_EQ(r["counters"]["digital_elements"], M * K);
  EXPECT_GT(r["counters"]["digital_nonzero"].get<int64_t>(), 0);

  // Conv: every image is a sample of OH·OW = 25 rows, two groups of K = 18, N = 3.
  Case conv = writeCase(gen, dir, "conv", idealSettings());
  Executor exc = cimExecutor(conv.path);
  runInBatches(exc, conv.x, 64);
  json rc = exc.stepReport(0);
  EXPECT_EQ(rc["samples"], 64);
  EXPECT_EQ(rc["groups"], 2);
  EXPECT_EQ(rc["counters"]["dac_input_slices"], 2 * 64 * 25 * 1 * 7);
  EXPECT_EQ(rc["counters"]["adc_conversions"], 0); // ideal: nothing converted
}

} // namespace
} // namespace cimlir::runtimetest
