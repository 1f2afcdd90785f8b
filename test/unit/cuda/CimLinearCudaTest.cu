// The fused CIM kernel (kernels/cuda/CimLinear.h) against the CPU reference (kernels/cpu/cim/
// CimLinear.h) on fresh random layers: every ADC mode, uneven slices, crossbar sizes that cut
// K and N unevenly, stuck-at faults, static and dynamic input scales, input and weight clip
// percentiles (inputs with ties among |x| too), non-finite rows. Without
// read and ADC noise the outputs are the same bits (exact codes and sums); with noise the codes
// are the same (the same Philox draws and series normals) and y differs only by the order of
// the double sum over slice pairs; with programming noise (float cells) the codes are the same
// too.
#include "kernels/cpu/cim/CimLinear.h"
#include "kernels/cpu/cim/WeightProgramming.h"
#include "kernels/cuda/Blas.h"
#include "kernels/cuda/CimChip.h"
#include "kernels/cuda/CimLinear.h"
#include "kernels/cuda/QuantizeRows.cuh"
#include "test/unit/cim/CimTestUtil.h"
#include "test/unit/cuda/CudaTestUtil.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

namespace cimlir::cuda::test {
namespace {

using cim::AdcMode;
using cim::test::Rng;

struct Outcome {
  int64_t compared = 0, identical = 0;
  int64_t close = 0;        // |gpu - cpu| <= 1e-6·max |cpu|
  double worst = 0.0;       // max |gpu - cpu| / max |cpu|
  bool exact = false;       // no read or ADC noise drawn: CimCallView::exact()
  bool integerSums = false; // no noise, or a `full` ADC (CimCallView::integerSums)
  int64_t cpuDigitalNonzero = 0, gpuDigitalNonzero = 0; // hybrid inputs' nonzero d
};

/// One-bit slices on both sides (bit-serial inputs, one-bit cells) and crossbar heights below,
/// at and above the one-bit kernel's 256-row MMA step.
void makeOneBit(cim::CimParams &p, Rng &rng) {
  p.weights.slices = cim::oneBitSlices(p.weights.bits - 1);
  p.inputs.slices = cim::oneBitSlices(p.inputs.bits - 1);
  const int64_t rowChoices[] = {7, 32, 100, 256, 300, 480}; // staging fits for up to 9 slices
  p.crossbar.rows = rowChoices[rng.range(0, 5)];
}

/// Runs one random layer on both backends and compares; `shape` edits the random parameters.
/// The kernel that ran is in `bitPlanes`.
/// The layer's extents; 0 draws one at random.
struct Extents {
  int64_t K = 0, N = 0, M = 0;
};

Outcome runCase(Rng &rng, AdcMode mode, bool noisy,
                void (*shape)(cim::CimParams &, Rng &) = nullptr, bool *bitPlanes = nullptr,
                Extents extents = {}, CimProductLayout *layout = nullptr) {
  cim::CimParams p = cim::test::randomParams(rng, mode);
  if (shape)
    shape(p, rng);
  if (rng.coin(0.25)) {
    p.inputs.scale = cim::InputScale::Static;
    p.staticScale = static_cast<float>(rng.uniform(0.002, 0.05));
  }
  if (rng.coin(0.3)) {
    p.noise.stuckAtMin = rng.uniform(0.0, 0.1);
    p.noise.stuckAtMax = rng.uniform(0.0, 0.1);
  }
  if (noisy) {
    p.noise.read = rng.coin(0.8) ? rng.uniform(0.001, 0.05) : 0.0;
    if (mode != AdcMode::Ideal && rng.coin(0.5)) {
      p.adc.noiseLsb = rng.uniform(0.1, 1.0);
      p.adc.samples = static_cast<int>(rng.range(1, 4));
    }
  }
  const int64_t K = extents.K ? extents.K : cim::test::randomK(rng, p.crossbar.rows);
  const int64_t N = extents.N ? extents.N : cim::test::randomN(rng, p.crossbar.cols);
  const int64_t M = extents.M ? extents.M : rng.range(1, 70);
  if (mode == AdcMode::Calibrated) {
    const auto maxima = cim::fullModeScales(K, p.crossbar.rows, p.inputs.slices, p.weights.slices);
    for (size_t pair = 0; pair < p.inputs.slices.size() * p.weights.slices.size(); ++pair)
      p.calibratedFullScales.push_back(
          static_cast<float>(rng.uniform(0.0, 0.5) * static_cast<double>(maxima[pair])));
  }
  const Tensor w = rng.f32({K, N});
  Tensor x = rng.f32({M, K}, -2.0, 2.0);
  if (rng.coin(0.2)) // a coarse grid: ties (and zeros) among the |x| that a clip percentile ranks
    for (int64_t i = 0; i < M * K; ++i)
      x.data<float>()[i] = std::round(x.data<float>()[i] * 4.0f) / 4.0f;
  if (M > 2 && rng.coin(0.3))
    x.data<float>()[rng.range(0, M - 1) * K + rng.range(0, K - 1)] =
        rng.coin() ? std::numeric_limits<float>::infinity() : std::nanf("");
  const cpu::ProgrammedWeights chip = cpu::ProgrammedWeights::program(w, p);
  EXPECT_EQ(cimGpuGap(p, K), "");
  cpu::RowMapping rows;
  rows.firstSample = rng.range(0, 1000);
  rows.rowsPerSample = rng.coin() ? 1 : 3;
  rows.rowOffset = rng.range(0, 5);
  p.repeat = static_cast<uint64_t>(rng.range(0, 3));

  Tensor expected = Tensor::allocate(DType::F32, {M, N});
  const cpu::CimCounters cpuCounters = cpu::cimLinear(x, chip, p, nullptr, rows, expected);

  const DeviceCimChip device = uploadCimChip(
      chip, [](const void *h, size_t bytes, const std::string &) { return deviceCopy(h, bytes); });
  CimCallView call =
      device.withRows(p.repeat, nullptr, rows.firstSample, rows.rowsPerSample, rows.rowOffset);
  // Hybrid inputs' digital part runs in cuBLASLt. What the data set is counted on the device.
  std::optional<Blas> blas;
  if (call.hybridMax > 0)
    blas.emplace(nullptr);
  const CimDeviceCounters zero;
  auto deviceCounters = deviceCopy(&zero, sizeof zero);
  call.counters = static_cast<CimDeviceCounters *>(deviceCounters.get());
  if (bitPlanes)
    *bitPlanes = call.bitPlanes;
  if (layout)
    *layout = cimProductLayout(M, device.chip, call);
  auto dx = deviceCopy(x.raw(), x.byteSize());
  std::vector<float> zeros(static_cast<size_t>(M * N));
  auto dy = deviceCopy(zeros.data(), zeros.size() * sizeof(float));
  std::vector<unsigned char> scratchZeros(CimScratch::bytes(M, device.chip, call));
  auto scratch = deviceCopy(scratchZeros.data(), scratchZeros.size());
  cimLinear(static_cast<const float *>(dx.get()), M, device.chip, call,
            CimScratch::carve(scratch.get(), M, device.chip, call), static_cast<float *>(dy.get()),
            nullptr, blas ? &*blas : nullptr);
  check(cudaDeviceSynchronize(), "running the CIM kernel");
  const std::vector<float> got = hostCopy<float>(dy.get(), zeros.size());

  Outcome o;
  o.exact = call.exact();
  o.integerSums = call.integerSums();
  const CimDeviceCounters counted = hostCopy<CimDeviceCounters>(deviceCounters.get(), 1)[0];
  o.cpuDigitalNonzero = cpuCounters.digitalNonzero;
  o.gpuDigitalNonzero = static_cast<int64_t>(counted.digitalNonzero);
  // The counts the data set, as the CPU counts them: the active input digits, and the
  // conversions a `dynamic` ADC makes (none for a read whose FS is 0).
  EXPECT_EQ(static_cast<int64_t>(counted.activeInputDigits), cpuCounters.activeInputDigits);
  EXPECT_EQ(cpu::shapeCounters(M, K, N, p).adcConversions -
                static_cast<int64_t>(counted.skippedConversions),
            cpuCounters.adcConversions);
  if (p.adc.mode != AdcMode::Dynamic)
    EXPECT_EQ(counted.skippedConversions, 0u);
  float scale = 0.0f;
  for (int64_t i = 0; i < M * N; ++i)
    if (std::isfinite(expected.data<float>()[i]))
      scale = std::max(scale, std::fabs(expected.data<float>()[i]));
  for (int64_t i = 0; i < M * N; ++i) {
    const float e = expected.data<float>()[i], g = got[i];
    ++o.compared;
    if (std::isnan(e) || std::isnan(g)) {
      EXPECT_TRUE(std::isnan(e) && std::isnan(g))
          << "element " << i << ": cpu " << e << ", gpu " << g;
      o.identical += std::isnan(e) && std::isnan(g);
      o.close += std::isnan(e) && std::isnan(g);
      continue;
    }
    o.identical += std::memcmp(&e, &g, sizeof e) == 0 || e == g;
    const double relative = scale > 0 ? static_cast<double>(std::fabs(e - g)) / scale : 0.0;
    o.worst = std::max(o.worst, relative);
    o.close += relative <= 1e-6;
  }
  return o;
}

/// What runs must show against the CPU: its bits with exact sums and no noise (not
/// `calibrated`, whose double sums may differ in order), its codes with noise (a different code
/// would move y by a whole ADC step); with fast normals nearly always its codes, tallied over
/// the runs for expectFastNormalsClose.
struct CpuAgreement {
  int64_t fastCompared = 0, fastClose = 0;
  void expect(const Outcome &o, AdcMode mode, bool fastNormals) {
    if (fastNormals) {
      fastCompared += o.compared;
      fastClose += o.close;
    } else if (o.exact && mode != AdcMode::Calibrated) {
      EXPECT_EQ(o.identical, o.compared);
    } else {
      EXPECT_LE(o.worst, 1e-6);
    }
  }
  void expectFastNormalsClose() const { EXPECT_GE(fastClose, fastCompared - fastCompared / 1000); }
};

class CudaCimLinear : public ::testing::TestWithParam<AdcMode> {};

TEST_P(CudaCimLinear, NoiseFreeOutputsAreTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  for (int c = 0; c < 40; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    const Outcome o = runCase(rng, GetParam(), false);
    if (GetParam() == AdcMode::Calibrated) // double sums: the order of the pairs may differ
      EXPECT_LE(o.worst, 1e-6);
    else
      ASSERT_EQ(o.identical, o.compared) << "worst relative difference " << o.worst;
  }
}

TEST_P(CudaCimLinear, NoisyOutputsMatchTheCpuUpToSummationOrder) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  int64_t compared = 0, identical = 0;
  for (int c = 0; c < 40; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    const Outcome o = runCase(rng, GetParam(), true);
    // The same codes: a different code would move y by a whole ADC step, far above this.
    ASSERT_LE(o.worst, 1e-6);
    compared += o.compared;
    identical += o.identical;
  }
  // Most outputs are the same bits; the rest differ in the last place of a double sum.
  EXPECT_GE(identical, compared * 9 / 10);
}

// Programming noise makes the cells floats (the CPU's, uploaded as they are): the partial sums
// come from fp64 MMAs, the same products as the CPU's double sums added in another order, so
// the codes are the CPU's (a different code would move y by a whole ADC step), with and without
// read and ADC noise. A `full` ADC's integer codes and full scales then sum exactly: the bits.
void withProgrammingNoise(cim::CimParams &p, Rng &rng) {
  p.noise.program = rng.uniform(0.005, 0.1);
}

TEST_P(CudaCimLinear, ProgrammingNoiseGivesTheCpuCodes) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  for (int c = 0; c < 30; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    const Outcome o = runCase(rng, GetParam(), c % 2 == 1, withProgrammingNoise);
    EXPECT_FALSE(o.exact);
    if (GetParam() == AdcMode::Full)
      ASSERT_EQ(o.identical, o.compared) << "worst relative difference " << o.worst;
    else
      ASSERT_LE(o.worst, 1e-6);
  }
}

// Hybrid inputs (§7, 8-bit inputs and weights at most): the crossbar sees clamp(xq) and cuBLASLt
// multiplies the rest by Wq exactly; §6's sum adds the two as the CPU does, so the outputs are
// its bits without noise (its codes with noise), and the nonzero residuals are counted alike.
void withHybridInputs(cim::CimParams &p, Rng &rng) {
  p.weights.bits = static_cast<int>(rng.range(2, 8));
  p.weights.slices = rng.coin(0.2) ? cim::oneBitSlices(p.weights.bits - 1)
                                   : cim::test::randomSlices(rng, p.weights.bits - 1);
  p.inputs.bits = static_cast<int>(rng.range(3, 8));
  p.inputs.hybridAnalogBits = static_cast<int>(rng.range(2, p.inputs.bits));
  p.inputs.slices = rng.coin(0.3) ? cim::oneBitSlices(p.inputs.hybridAnalogBits - 1)
                                  : cim::test::randomSlices(rng, p.inputs.hybridAnalogBits - 1);
}

TEST_P(CudaCimLinear, HybridInputsGiveTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  int64_t nonzero = 0;
  for (int c = 0; c < 30; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    const bool noisy = c % 3 == 2;
    const Outcome o = runCase(rng, GetParam(), noisy, withHybridInputs);
    if (!noisy && GetParam() != AdcMode::Calibrated)
      ASSERT_EQ(o.identical, o.compared) << "worst relative difference " << o.worst;
    else
      ASSERT_LE(o.worst, 1e-6);
    EXPECT_EQ(o.gpuDigitalNonzero, o.cpuDigitalNonzero);
    nonzero += o.gpuDigitalNonzero;
  }
  EXPECT_GT(nonzero, 0); // the digital part was there
}

// One-bit layers: the one-bit kernel (CimBitPlanes.cu) runs noise-free `ideal` and all `full`
// ones, the int8 kernel the rest. Either way the CPU's bits without noise, and the CPU's codes
// with read and ADC noise (the same draws and double arithmetic; a different code would move y
// by a whole ADC step).
void checkOneBitCases(Rng &rng, AdcMode mode, bool noisy) {
  for (int c = 0; c < 30; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    bool bitPlanes = false;
    const Outcome o = runCase(rng, mode, noisy, makeOneBit, &bitPlanes);
    EXPECT_EQ(bitPlanes, mode == AdcMode::Full || (mode == AdcMode::Ideal && o.exact));
    if (noisy || mode == AdcMode::Calibrated)
      ASSERT_LE(o.worst, 1e-6);
    else
      ASSERT_EQ(o.identical, o.compared) << "worst relative difference " << o.worst;
  }
}

TEST_P(CudaCimLinear, OneBitSlicesGiveTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  checkOneBitCases(rng, GetParam(), false);
}

TEST_P(CudaCimLinear, NoisyOneBitSlicesGiveTheCpuCodes) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  checkOneBitCases(rng, GetParam(), true);
}

// noise.normals = fast on both backends: the same Philox words through each one's fast float
// log, cos and sin, so a code can differ where a partial sum lies within about 1e-6 of an ADC
// threshold: nearly never.
TEST_P(CudaCimLinear, FastNormalsGiveNearlyTheCpuCodes) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  CpuAgreement agreement;
  for (int c = 0; c < 30; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    const Outcome o = runCase(rng, GetParam(), true, [](cim::CimParams &p, Rng &r) {
      if (r.coin())
        makeOneBit(p, r);
      p.noise.normals = cim::NormalTransform::Fast;
    });
    agreement.expect(o, GetParam(), true);
  }
  agreement.expectFastNormalsClose();
}

// Narrow layers (N of 64 or fewer, a row block within one staged chunk) run with the int8
// kernel's warps stacked over rows (ProductArgs::rowGroups) when that leaves a CTA per SM (or
// as many as the wide layout), with the input slices staged together or, where they do not fit,
// one at a time: the CPU's bits without noise, its codes with noise and exact normals, and with
// fast normals nearly always its codes (as above). A layer of a few rows more than one wide CTA
// keeps the wide layout.
/// Multi-bit cells (the int8 kernel) and 8-bit inputs in four slices, or (`ManySlices`) seven
/// one-bit slices, which with a 256-row chunk do not fit a CTA of 64 or more rows together;
/// `Fast`: fast normals.
template <bool ManySlices, bool Fast> void narrowShape(cim::CimParams &p, Rng &) {
  p.crossbar.rows = 256;
  p.crossbar.cols = 256;
  p.weights.bits = 8;
  p.weights.slices = {1, 2, 2, 2};
  p.inputs.bits = 8;
  p.inputs.slices = ManySlices ? cim::oneBitSlices(7) : std::vector<int>{1, 2, 2, 2};
  if (Fast)
    p.noise.normals = cim::NormalTransform::Fast;
}

int64_t multiprocessors() {
  int device = 0, sms = 0;
  check(cudaGetDevice(&device), "finding the device");
  check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "counting SMs");
  return sms;
}

TEST_P(CudaCimLinear, NarrowLayersGiveTheCpuCodes) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  const bool dynamic = GetParam() == AdcMode::Dynamic; // whole column blocks: never narrow
  CpuAgreement agreement;
  struct Case {
    int64_t N, groups; // groups 0: too few rows, the wide layout
    bool oneSlice;
  };
  const Case cases[] = {{7, 8, false},  {7, 8, true},  {17, 4, false}, {17, 4, true},
                        {33, 2, false}, {33, 2, true}, {1, 0, false},  {16, 0, false},
                        {32, 0, false}, {64, 0, false}};
  for (const Case &c : cases)
    for (const int noise : {0, 1, 2}) { // none, exact normals, fast normals
      const int64_t M = c.groups ? multiprocessors() * 32 * c.groups + rng.range(0, 300) : 37;
      const Extents extents{c.oneSlice ? 256 : 25, c.N, M};
      SCOPED_TRACE("K " + std::to_string(extents.K) + ", N " + std::to_string(c.N) + ", M " +
                   std::to_string(M) + ", noise " + std::to_string(noise));
      bool bitPlanes = true;
      CimProductLayout layout;
      void (*const shape)(cim::CimParams &, Rng &) =
          c.oneSlice ? (noise == 2 ? narrowShape<true, true> : narrowShape<true, false>)
                     : (noise == 2 ? narrowShape<false, true> : narrowShape<false, false>);
      const Outcome o = runCase(rng, GetParam(), noise != 0, shape, &bitPlanes, extents, &layout);
      EXPECT_FALSE(bitPlanes);
      if (!dynamic) {
        EXPECT_EQ(layout.rowsPerCta, 32 * std::max<int64_t>(c.groups, 1));
        EXPECT_EQ(layout.oneSlice, c.oneSlice && c.groups > 0);
      }
      agreement.expect(o, GetParam(), noise == 2);
    }
  agreement.expectFastNormalsClose();
}

// Few rows (a decoder's tokens) give fewer CTAs than SMs: where the sums are integers the int8
// kernel splits the row blocks over CTAs and adds their partial sums afterwards
// (CimScratch::partials): the CPU's bits without noise, its codes with noise (with fast
// normals nearly always).
/// Multi-bit cells (the int8 kernel) on crossbars of 32 or 100 rows; `Fast`: fast normals.
template <bool Fast> void fewRowsShape(cim::CimParams &p, Rng &rng) {
  p.crossbar.rows = rng.coin() ? 32 : 100;
  p.weights.bits = 8;
  p.weights.slices = {1, 2, 2, 2};
  if (Fast)
    p.noise.normals = cim::NormalTransform::Fast;
}

TEST_P(CudaCimLinear, FewRowsSplitTheRowBlocks) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  CpuAgreement agreement;
  for (const int noise : {0, 1, 2}) // none, exact normals, fast normals
    for (const int64_t M : {1, 5, 40}) {
      // Crossbars of 32 or 100 rows: at least 3 row blocks.
      const Extents extents{rng.range(201, 1200), rng.range(1, 300), M};
      SCOPED_TRACE("M " + std::to_string(M) + ", K " + std::to_string(extents.K) + ", N " +
                   std::to_string(extents.N) + ", noise " + std::to_string(noise));
      bool bitPlanes = true;
      CimProductLayout layout;
      const Outcome o = runCase(rng, GetParam(), noise != 0,
                                noise == 2 ? fewRowsShape<true> : fewRowsShape<false>, &bitPlanes,
                                extents, &layout);
      EXPECT_FALSE(bitPlanes);
      EXPECT_EQ(layout.splits > 1, o.integerSums);
      agreement.expect(o, GetParam(), noise == 2);
    }
  agreement.expectFastNormalsClose();
}

// The input quantization takes a warp per row for rows of up to kWarpRowLength values (a
// convolution's short patches) and a block per row for longer ones or a clip percentile
// (QuantizeRows.cuh): both give the CPU's levels, and so its outputs, with row counts that do
// not fill the last block of warp rows.
TEST(CudaCimLinearQuantization, ShortAndLongRowsGiveTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  for (const int64_t K : {int64_t(25), int64_t(700), kWarpRowLength + 300})
    for (const bool percentile : {false, true}) {
      SCOPED_TRACE("K " + std::to_string(K) + (percentile ? ", clip percentile" : ""));
      void (*clip)(cim::CimParams &, Rng &) = [](cim::CimParams &p, Rng &r) {
        p.inputs.clipPercentile = r.uniform(90.0, 99.9);
      };
      const Outcome o = runCase(rng, AdcMode::Full, false, percentile ? clip : nullptr, nullptr,
                                Extents{K, rng.range(1, 40), rng.range(1, 70)});
      ASSERT_EQ(o.identical, o.compared) << "worst relative difference " << o.worst;
    }
}

// A `dynamic` CTA covers whole column blocks: with an odd block width (crossbars of 50 or 254
// columns: blocks of 25 or 127) a CTA may start at an odd column, where a thread's two columns
// are in different Box–Muller pairs of the fresh draws (CimProduct.cuh: columnNormals).
TEST(CudaCimLinearOddColumns, DynamicCtasOfAnOddWidthGiveTheCpuCodes) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  for (int c = 0; c < 8; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    const Outcome o = runCase(
        rng, AdcMode::Dynamic, true,
        [](cim::CimParams &p, Rng &r) { p.crossbar.cols = r.coin() ? 50 : 254; }, nullptr,
        Extents{0, rng.range(260, 400), 0});
    EXPECT_LE(o.worst, 1e-6);
  }
}

// Which kernel a layer gets is decided on the host (uploadCimChip), so this runs without a GPU:
// the one-bit kernel takes one-bit `full` layers, noisy or not, only with one full scale per row
// block that it can hold (a plan may give any), and not `dynamic` ones.
/// An Upload into host memory: the chip's choices are made on the host, no GPU needed.
Upload hostUpload() {
  return [](const void *host, size_t bytes, const std::string &) {
    std::shared_ptr<void> copy(std::malloc(bytes ? bytes : 1), std::free);
    std::memcpy(copy.get(), host, bytes);
    return copy;
  };
}

// The layout is chosen on the host too (cimProductLayout; without a GPU, for an H200's shape).
// A call of few rows splits its row blocks only where its sums are integers, exact in any order
// (no fresh noise, or a `full` ADC); double sums (noisy `ideal` and `dynamic`, `calibrated`)
// keep one order at every batch size, so that the output bits do not depend on it.
TEST(CudaCimChip, OnlyIntegerSumsSplitTheirRowBlocks) {
  Rng rng(11);
  const int64_t K = 1000, N = 100; // four 256-row blocks
  const Tensor w = rng.f32({K, N});
  auto splits = [&](AdcMode mode, double read, cim::NormalTransform normals, int64_t M) {
    cim::CimParams p;
    p.crossbar.rows = 256;
    p.crossbar.cols = 256;
    p.weights.slices = {1, 2, 2, 2}; // the int8 kernel
    p.adc.mode = mode;
    p.noise.read = read;
    p.noise.normals = normals;
    if (mode == AdcMode::Calibrated)
      p.calibratedFullScales.assign(p.inputs.slices.size() * p.weights.slices.size(), 100.0f);
    const DeviceCimChip chip = uploadCimChip(cpu::ProgrammedWeights::program(w, p), hostUpload());
    return cimProductLayout(M, chip.chip, chip.call).splits;
  };
  using cim::NormalTransform;
  EXPECT_GT(splits(AdcMode::Full, 0.0, NormalTransform::Exact, 1), 1);
  EXPECT_GT(splits(AdcMode::Ideal, 0.0, NormalTransform::Exact, 1), 1);
  EXPECT_GT(splits(AdcMode::Full, 0.01, NormalTransform::Fast, 1), 1);
  EXPECT_GT(splits(AdcMode::Full, 0.01, NormalTransform::Exact, 1), 1);
  EXPECT_EQ(splits(AdcMode::Ideal, 0.01, NormalTransform::Fast, 1), 1);
  EXPECT_EQ(splits(AdcMode::Dynamic, 0.01, NormalTransform::Exact, 1), 1);
  EXPECT_EQ(splits(AdcMode::Calibrated, 0.0, NormalTransform::Exact, 1), 1);
  // Enough rows for the SMs: no split at all.
  EXPECT_EQ(splits(AdcMode::Full, 0.0, NormalTransform::Exact, 100000), 1);
}

TEST(CudaCimChip, OneBitKernelTakesOnlyWhatItComputesExactly) {
  Rng rng(7);
  const int64_t K = 300, N = 10;
  const Tensor w = rng.f32({K, N});
  auto oneBit = [&](AdcMode mode, double read, std::vector<int64_t> fullScales) {
    cim::CimParams p;
    p.crossbar.rows = 256;
    p.crossbar.cols = 256;
    p.adc.mode = mode;
    p.noise.read = read;
    p.fullScales = std::move(fullScales);
    return uploadCimChip(cpu::ProgrammedWeights::program(w, p), hostUpload()).call.bitPlanes;
  };
  const cim::CimParams defaults;
  const std::vector<int64_t> maxima =
      cim::fullModeScales(K, 256, defaults.inputs.slices, defaults.weights.slices);
  EXPECT_TRUE(oneBit(AdcMode::Full, 0.0, {}));
  EXPECT_TRUE(oneBit(AdcMode::Full, 0.01, {}));
  EXPECT_TRUE(oneBit(AdcMode::Ideal, 0.0, {}));
  EXPECT_FALSE(oneBit(AdcMode::Ideal, 0.01, {}));
  EXPECT_FALSE(oneBit(AdcMode::Dynamic, 0.0, {}));
  // Full scales from a plan: beyond int32, below a block's largest |P|, or differing within a
  // block go to the int8 kernel.
  for (double read : {0.0, 0.01}) {
    std::vector<int64_t> huge(maxima.size(), (int64_t(1) << 32) + 256);
    EXPECT_FALSE(oneBit(AdcMode::Full, read, huge));
    std::vector<int64_t> small = maxima;
    small[0] -= 1;
    EXPECT_FALSE(oneBit(AdcMode::Full, read, small));
    std::vector<int64_t> uneven = maxima;
    uneven[1] += 1;
    EXPECT_FALSE(oneBit(AdcMode::Full, read, uneven));
    std::vector<int64_t> larger(maxima.size());
    for (size_t at = 0; at < maxima.size(); ++at)
      larger[at] = 2 * maxima[at];
    EXPECT_TRUE(oneBit(AdcMode::Full, read, larger));
  }
}

// With programming noise the chip holds the CPU's float cells, transposed to [S][N][Kpad] with
// zero padding; the call never counts as exact, never takes the one-bit kernel or the float32
// codes of fast normals, and lays out wide (the float kernel's only layout).
TEST(CudaCimChip, ProgrammingNoiseUploadsTheCpuCellsAsFloats) {
  Rng rng(5);
  const int64_t K = 100, N = 10;
  const Tensor w = rng.f32({K, N});
  for (const bool oneBit : {false, true}) {
    SCOPED_TRACE(oneBit ? "one-bit slices" : "slices 1,2,2,2");
    cim::CimParams p;
    p.crossbar.rows = 64;
    p.crossbar.cols = 64;
    if (!oneBit)
      p.weights.slices = {1, 2, 2, 2};
    p.noise.program = 0.05;
    p.noise.stuckAtMax = 0.05;
    p.noise.normals = cim::NormalTransform::Fast;
    const cpu::ProgrammedWeights cpuChip = cpu::ProgrammedWeights::program(w, p);
    EXPECT_EQ(cimGpuGap(p, K), "");
    const DeviceCimChip chip = uploadCimChip(cpuChip, hostUpload());
    EXPECT_TRUE(chip.call.floatLevels);
    EXPECT_FALSE(chip.call.exact());
    EXPECT_FALSE(chip.call.bitPlanes);
    EXPECT_FALSE(chip.call.fastAdc());
    EXPECT_TRUE(chip.call.integerSums()); // a `full` ADC: integer codes
    EXPECT_EQ(chip.chip.levels, nullptr);
    ASSERT_NE(chip.chip.floatLevels, nullptr);
    const CimProductLayout layout = cimProductLayout(100000, chip.chip, chip.call);
    EXPECT_EQ(layout.rowsPerCta, 32);
    EXPECT_EQ(layout.ctaCols, 128);
    std::vector<float> rowMajor(static_cast<size_t>(K * N));
    int64_t fractional = 0;
    for (int j = 0; j < chip.chip.S; ++j) {
      cpuChip.differentialLevels(j, 0, K, rowMajor.data());
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < chip.chip.Kpad; ++k) {
          const float got = chip.chip.floatLevels[(j * N + n) * chip.chip.Kpad + k];
          const float want = k < K ? rowMajor[static_cast<size_t>(k * N + n)] : 0.0f;
          ASSERT_EQ(got, want) << "slice " << j << ", k " << k << ", n " << n;
          fractional += got != std::rint(got);
        }
    }
    EXPECT_GT(fractional, 0); // the noise is there
  }
  // Without programming noise (stuck-at faults keep the levels integer): int8 levels.
  cim::CimParams p;
  p.weights.slices = {1, 2, 2, 2};
  p.noise.stuckAtMin = 0.1;
  const DeviceCimChip chip = uploadCimChip(cpu::ProgrammedWeights::program(w, p), hostUpload());
  EXPECT_FALSE(chip.call.floatLevels);
  EXPECT_NE(chip.chip.levels, nullptr);
  EXPECT_EQ(chip.chip.floatLevels, nullptr);
  EXPECT_LT(cimProductLayout(100000, chip.chip, chip.call).ctaCols, 128); // narrow: N = 10
}

// Hybrid inputs: the chip carries Wq^T for the digital part (Wq, not the programmed cells) and
// the analog clamp; the one-bit kernel, which slices xq itself, does not take them; more than 8
// bits stay on the host (the digital part is an int8 GEMM).
TEST(CudaCimChip, HybridInputsCarryWqForTheDigitalPart) {
  Rng rng(9);
  const int64_t K = 70, N = 5;
  const Tensor w = rng.f32({K, N});
  cim::CimParams p;
  p.inputs.hybridAnalogBits = 4;
  p.inputs.slices = cim::oneBitSlices(3);
  p.noise.stuckAtMax = 0.2; // the digital part ignores the faults
  EXPECT_EQ(cimGpuGap(p, K), "");
  const cpu::ProgrammedWeights cpuChip = cpu::ProgrammedWeights::program(w, p);
  const DeviceCimChip chip = uploadCimChip(cpuChip, hostUpload());
  EXPECT_EQ(chip.call.hybridMax, 7);
  EXPECT_FALSE(chip.call.bitPlanes); // one-bit `full`: the one-bit kernel otherwise
  ASSERT_NE(chip.chip.weightsT, nullptr);
  for (int64_t n = 0; n < 8; ++n) // N rounded up to 4
    for (int64_t k = 0; k < chip.chip.Kpad; ++k)
      ASSERT_EQ(chip.chip.weightsT[n * chip.chip.Kpad + k],
                n < N && k < K ? cpuChip.quantized().at(k, n) : 0)
          << "k " << k << ", n " << n;
  cim::CimParams wide = p;
  wide.inputs.bits = 9;
  EXPECT_EQ(cimGpuGap(wide, K), "hybrid inputs of more than 8 bits");
  wide = p;
  wide.weights.bits = 10;
  wide.weights.slices = {1, 2, 2, 2, 2};
  EXPECT_EQ(cimGpuGap(wide, K), "hybrid inputs of more than 8 bits");
  EXPECT_EQ(cimGpuGap(p, 140000), "hybrid inputs with K of 133,000 or more");
  cim::CimParams analog = p;
  analog.inputs.hybridAnalogBits = 0;
  analog.inputs.slices = cim::oneBitSlices(7);
  EXPECT_EQ(uploadCimChip(cpu::ProgrammedWeights::program(w, analog), hostUpload()).chip.weightsT,
            nullptr);
}

// An input clip percentile below 100 (dynamic scales) gives the quantization kernel the two
// order statistics of |x[m,:]| it lies between (percentileRank: the CPU's rule); the 100th, a
// percentile that reaches the last value and static scales take max |x| (-1).
TEST(CudaCimChip, InputClipPercentilesTakeTheirOrderStatistics) {
  Rng rng(3);
  const int64_t K = 100, N = 4;
  const Tensor w = rng.f32({K, N});
  auto rank = [&](double percentile, cim::InputScale scale) {
    cim::CimParams p;
    p.inputs.clipPercentile = percentile;
    p.inputs.scale = scale;
    p.staticScale = 0.01f;
    EXPECT_EQ(cimGpuGap(p, K), "");
    const CimCallView call =
        uploadCimChip(cpu::ProgrammedWeights::program(w, p), hostUpload()).call;
    return std::make_pair(call.clipLower, call.clipFraction);
  };
  const auto [lower, fraction] = rank(99.0, cim::InputScale::DynamicRow);
  EXPECT_EQ(lower, 98); // h = 99·0.99 = 98.01
  EXPECT_NEAR(fraction, 0.01, 1e-12);
  EXPECT_EQ(rank(50.0, cim::InputScale::DynamicRow).first, 49); // h = 49.5
  EXPECT_EQ(rank(100.0, cim::InputScale::DynamicRow).first, -1);
  EXPECT_EQ(rank(99.9999999, cim::InputScale::DynamicRow).first, 98);
  EXPECT_EQ(rank(99.0, cim::InputScale::Static).first, -1);
}

INSTANTIATE_TEST_SUITE_P(Modes, CudaCimLinear,
                         ::testing::Values(AdcMode::Ideal, AdcMode::Full, AdcMode::Dynamic,
                                           AdcMode::Calibrated),
                         [](const auto &info) { return std::string(cim::toString(info.param)); });

} // namespace
} // namespace cimlir::cuda::test
