// cim-run --benchmark's measurement (runtime/tooling/Benchmark.h) on a hand-built plan: the
// figures are consistent with each other (percentiles ordered between the fastest and slowest
// run, throughput = batch / mean latency), the CIM share is 0 without CIM layers, a device
// backend reports its input copies, and bad counts are one error.
#include "runtime/tooling/Benchmark.h"

#include "test/unit/common/ErrorOf.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

namespace cimlir::runtimetest {
namespace {

std::string writeReluPlan(TempDir &dir) {
  PlanBuilder b;
  const int64_t x = b.input("x", DType::F32, {-1, 6});
  const int64_t y = b.value("y", DType::F32, {-1, 6});
  b.step("Relu", "relu", {x}, {y});
  b.output("y", y);
  const std::string path = dir.file("relu.plan");
  b.write(path);
  return path;
}

TEST(Benchmark, FiguresAreConsistent) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Executor executor(Program::load(writeReluPlan(dir)), makeBackend());
  const int64_t batch = randInt(gen, 1, 9);
  const nlohmann::json b =
      runBenchmark(executor, {{"x", randomF32(gen, {batch, 6})}}, BenchmarkOptions{2, 9});
  EXPECT_EQ(b["batch"], batch);
  EXPECT_EQ(b["warmup"], 2);
  EXPECT_EQ(b["iterations"], 9);
  const nlohmann::json &l = b["latency_ms"];
  EXPECT_GT(l["min"].get<double>(), 0.0);
  EXPECT_LE(l["min"].get<double>(), l["p50"].get<double>());
  EXPECT_LE(l["p50"].get<double>(), l["p90"].get<double>());
  EXPECT_LE(l["p90"].get<double>(), l["p99"].get<double>());
  // Nearest rank: p99 of 9 runs is the slowest.
  EXPECT_EQ(l["p99"].get<double>(), l["max"].get<double>());
  EXPECT_LE(l["min"].get<double>(), l["mean"].get<double>());
  EXPECT_LE(l["mean"].get<double>(), l["max"].get<double>());
  EXPECT_NEAR(b["samples_per_second"].get<double>(),
              static_cast<double>(batch) / (l["mean"].get<double>() * 1e-3),
              1e-9 * b["samples_per_second"].get<double>());
  EXPECT_EQ(b["cim_share_of_step_time"], 0.0);
  EXPECT_GE(b["activation_arena_bytes"].get<int64_t>(), 0);
  // A device backend copies x in once per run.
  if (executor.backend().memorySpace() == MemorySpace::Device) {
    EXPECT_EQ(b["h2d_bytes_per_run"], batch * 6 * 4);
    EXPECT_GT(b["h2d_gb_per_second"].get<double>(), 0.0);
    EXPECT_TRUE(b.contains("peak_device_memory_bytes"));
  } else {
    EXPECT_FALSE(b.contains("h2d_bytes_per_run"));
  }
  const std::string summary = benchmarkSummary(b);
  EXPECT_TRUE(containsAll(
      summary, {"latency (ms, batch " + std::to_string(batch) + ", 9 runs after 2 warm-up): p50 ",
                "throughput: ", "CIM layers: 0.0% of step time"}))
      << summary;
}

TEST(Benchmark, CountsOutsideTheirRangeAreOneError) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Executor executor(Program::load(writeReluPlan(dir)), makeBackend());
  const TensorMap inputs = {{"x", randomF32(gen, {2, 6})}};
  const std::string want = "--benchmark needs --warmup >= 0 and --iterations >= 1";
  EXPECT_EQ(test::errorOf([&] { runBenchmark(executor, inputs, BenchmarkOptions{0, 0}); }), want);
  EXPECT_EQ(test::errorOf([&] { runBenchmark(executor, inputs, BenchmarkOptions{-1, 3}); }), want);
}

} // namespace
} // namespace cimlir::runtimetest
