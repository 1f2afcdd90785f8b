// Calibration (cim-numerics.md §3 `static`, §5 `calibrated`): the accumulators of
// kernels/cpu/cim/Calibration.h against full sorts of brute-force values (CimReference.h), and
// the CIM layer in both calibrated modes against the brute-force model.
#include "kernels/cpu/cim/Calibration.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cim/RangeSearch.h"
#include "kernels/cpu/cim/CimLinear.h"

#include "CimReference.h"
#include "CimTestUtil.h"
#include "core/Error.h"

#include <cstring>
#include <limits>

namespace cimlir::cim {

using namespace cimlir::cpu;
namespace {

using test::Rng;

/// Rows [m0, m1) of x as their own tensor (a calibration batch).
Tensor rowsOf(const Tensor &x, int64_t m0, int64_t m1) {
  const int64_t K = x.dim(1);
  Tensor out = Tensor::allocate(DType::F32, {m1 - m0, K});
  std::memcpy(out.data<float>(), x.data<float>() + m0 * K, sizeof(float) * (m1 - m0) * K);
  return out;
}

/// Feeds x to `add` in random batches.
template <typename Calibrator> void addInBatches(Rng &rng, Calibrator &c, const Tensor &x) {
  for (int64_t m = 0; m < x.dim(0);) {
    int64_t next = std::min(x.dim(0), m + rng.range(1, 7));
    c.add(rowsOf(x, m, next));
    m = next;
  }
}

/// The brute-force model's noise-free |P| of pair (i, j) over every row m, row block and output.
std::vector<double> pairMagnitudes(const test::RefCim &ref, int64_t M, int64_t N, int64_t i,
                                   int64_t j) {
  std::vector<double> mags;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t r = 0; r < ref.Rb; ++r)
      for (int64_t n = 0; n < N; ++n)
        mags.push_back(static_cast<double>(std::llabs(ref.P[ref.at(m, r, i, j, n)])));
  return mags;
}

TEST(CimCalibration, StaticInputScaleIsTheClipOverEveryRow) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 20; ++t) {
    CimParams p;
    p.inputs.bits = static_cast<int>(rng.range(2, 12));
    p.inputs.slices = oneBitSlices(p.inputs.bits - 1);
    p.inputs.clipPercentile = rng.coin() ? 100.0 : rng.uniform(50.0, 99.9);
    const int64_t M = rng.range(1, 30), K = rng.range(1, 40);
    Tensor x = rng.f32({M, K}, -rng.uniform(0.1, 100), rng.uniform(0.1, 100));
    const bool poison = M > 1 && rng.coin(0.3); // a NaN row is skipped
    if (poison)
      x.data<float>()[rng.range(0, K - 1)] = std::numeric_limits<float>::quiet_NaN();
    InputRangeCalibrator calibrator(p);
    addInBatches(rng, calibrator, x);
    std::vector<double> mags;
    for (int64_t m = poison ? 1 : 0; m < M; ++m)
      for (int64_t k = 0; k < K; ++k)
        mags.push_back(std::fabs(x.data<float>()[m * K + k]));
    EXPECT_EQ(calibrator.rows(), poison ? M - 1 : M);
    EXPECT_EQ(calibrator.scale(), test::refScale(mags, p.inputs.clipPercentile, p.inputs.bits))
        << "percentile " << p.inputs.clipPercentile;
  }
  CimParams p;
  p.inputs.scale = InputScale::Static; // what is being calibrated: no scale yet
  p.adc.mode = AdcMode::Calibrated;
  InputRangeCalibrator zeros(p);
  zeros.add(Tensor::allocate(DType::F32, {2, 3})); // a clip of 0 gives s_x = 1
  EXPECT_EQ(zeros.scale(), 1.0f);
  EXPECT_THROW(InputRangeCalibrator(p).scale(), Error);
}

TEST(CimCalibration, AdcFullScalesArePercentilesOfNoiseFreePartialSums) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 12; ++t) {
    CimParams p = test::randomParams(rng, AdcMode::Full);
    if (rng.coin(0.3)) {
      p.inputs.scale = InputScale::Static;
      p.staticScale = static_cast<float>(rng.uniform(0.001, 0.02));
    }
    if (rng.coin(0.3)) {
      p.inputs.hybridAnalogBits = static_cast<int>(rng.range(2, p.inputs.bits));
      p.inputs.slices = oneBitSlices(p.inputs.hybridAnalogBits - 1);
    }
    const double percentile = rng.coin() ? 100.0 : rng.uniform(90.0, 99.99);
    const int64_t M = rng.range(1, 9), K = test::randomK(rng, p.crossbar.rows);
    const int64_t N = test::randomN(rng, p.crossbar.cols);
    Tensor x = rng.f32({M, K}), w = rng.f32({K, N});
    // Device effects and noise do not enter calibration.
    CimParams noisy = p;
    noisy.noise.read = 0.1;
    noisy.noise.program = 0.1;
    noisy.noise.stuckAtMax = 0.2;
    AdcRangeCalibrator calibrator(w, noisy, percentile);
    addInBatches(rng, calibrator, x);
    const std::vector<float> fs = calibrator.fullScales();

    test::RefCim ref = test::referenceCim(x, w, p, nullptr);
    ASSERT_EQ(fs.size(), static_cast<size_t>(ref.T * ref.S));
    for (int64_t i = 0; i < ref.T; ++i)
      for (int64_t j = 0; j < ref.S; ++j) {
        const std::vector<double> mags = pairMagnitudes(ref, M, N, i, j);
        EXPECT_EQ(fs[i * ref.S + j], test::refPercentile(mags, percentile))
            << "pair " << i << "," << j << " percentile " << percentile;
      }
  }
}

// inputs.range and adc.range `mse` or `kl` (issue 12 item 3): the calibrators give the search of
// kernels/cim/RangeSearch.h (tested there against a brute-force search) over the magnitudes a
// brute-force model gathers on its own: |x| of the finite rows, |P| of every pair; and the MSE
// clip quantizes those magnitudes no worse than the largest one would.
TEST(CimCalibration, SearchedRangesAreTheSearchOverTheMagnitudes) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 8; ++t) {
    // (The ADC mode does not enter P: the brute-force model runs the layer in `full` mode.)
    CimParams p = test::randomParams(rng, AdcMode::Full);
    // `kl` searches for at most kKlMostBits (LayerSettings.h).
    const bool klFits = p.inputs.bits <= kKlMostBits && p.adc.bits <= kKlMostBits;
    const RangeMethod method = klFits && rng.coin() ? RangeMethod::Kl : RangeMethod::Mse;
    SCOPED_TRACE(std::string("method ") + toString(method));
    p.inputs.scale = InputScale::Static;
    p.inputs.clipPercentile = 100.0;
    p.inputs.range = method;
    p.adc.range = method;
    p.adc.percentile = 100.0;
    p.staticScale = static_cast<float>(rng.uniform(0.001, 0.02));
    const int64_t M = rng.range(1, 12), K = test::randomK(rng, p.crossbar.rows);
    const int64_t N = test::randomN(rng, p.crossbar.cols);
    Tensor x = rng.f32({M, K}, -rng.uniform(0.1, 10), rng.uniform(0.1, 10)), w = rng.f32({K, N});

    InputRangeCalibrator inputs(p);
    addInBatches(rng, inputs, x);
    std::vector<float> xs(x.data<float>(), x.data<float>() + M * K);
    const Magnitudes mx = Magnitudes::binned(xs);
    const int64_t qx = symmetricQmax(p.inputs.bits);
    const double clip = method == RangeMethod::Mse ? mseClip(mx, qx) : klClip(mx, qx);
    EXPECT_EQ(inputs.scale(), symmetricScale(static_cast<float>(clip), static_cast<int32_t>(qx)));
    if (method == RangeMethod::Mse) {
      EXPECT_LE(quantizationError(mx, clip, qx), quantizationError(mx, mx.largest(), qx));
    }

    AdcRangeCalibrator adc(w, p, p.adc.percentile);
    addInBatches(rng, adc, x);
    const std::vector<float> fs = adc.fullScales();
    const test::RefCim ref = test::referenceCim(x, w, p, nullptr);
    ASSERT_EQ(fs.size(), static_cast<size_t>(ref.T * ref.S));
    const int64_t qa = symmetricQmax(p.adc.bits);
    for (int64_t i = 0; i < ref.T; ++i)
      for (int64_t j = 0; j < ref.S; ++j) {
        const std::vector<double> mags = pairMagnitudes(ref, M, N, i, j);
        const Magnitudes mp = Magnitudes::of(mags);
        const double expected = method == RangeMethod::Mse ? mseClip(mp, qa) : klClip(mp, qa);
        EXPECT_EQ(fs[i * ref.S + j], static_cast<float>(expected)) << "pair " << i << "," << j;
      }
  }
}

TEST(CimCalibration, CalibratedAdcAndStaticInputsMatchBruteForce) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 14; ++t) {
    CimParams p = test::randomParams(rng, rng.coin() ? AdcMode::Calibrated : AdcMode::Full);
    if (p.adc.mode == AdcMode::Full || rng.coin(0.3)) {
      p.inputs.scale = InputScale::Static;
      p.staticScale = static_cast<float>(rng.uniform(0.0005, 0.02)); // some rows clip
    }
    const int64_t M = rng.range(1, 7), K = test::randomK(rng, p.crossbar.rows);
    const int64_t N = test::randomN(rng, p.crossbar.cols);
    Tensor x = rng.f32({M, K}), w = rng.f32({K, N}), bias = rng.f32({N});
    if (p.adc.mode == AdcMode::Calibrated) {
      const size_t pairs = p.inputs.slices.size() * p.weights.slices.size();
      for (size_t e = 0; e < pairs; ++e) // fractional, zero and tiny full scales
        p.calibratedFullScales.push_back(
            rng.coin(0.1) ? 0.0f : static_cast<float>(rng.uniform(0.01, 2.0 * K)));
    }
    ProgrammedWeights pw = ProgrammedWeights::program(w, p);
    Tensor y = Tensor::allocate(DType::F32, {M, N});
    CimTrace trace;
    cimLinear(x, pw, p, &bias, {}, y, &trace);
    test::RefCim ref = test::referenceCim(x, w, p, &bias);
    for (size_t e = 0; e < ref.codes.size(); ++e) {
      ASSERT_EQ(trace.partialSums[e], static_cast<double>(ref.P[e])) << "entry " << e;
      ASSERT_EQ(trace.fullScales[e], ref.FS[e]) << "entry " << e;
      ASSERT_EQ(trace.codes[e], ref.codes[e]) << "entry " << e;
    }
    for (int64_t i = 0; i < M * N; ++i)
      ASSERT_NEAR(y.data<float>()[i], ref.y[i], 4e-7 * ref.mag[i] + 1e-30) << "y element " << i;
  }
}

TEST(CimCalibration, MissingOrBadCalibrationIsRefused) {
  CimParams p;
  p.inputs.scale = InputScale::Static;
  EXPECT_THROW(validateCimParams(p), Error); // no calibrated scale
  p.staticScale = std::numeric_limits<float>::infinity();
  EXPECT_THROW(validateCimParams(p), Error);
  p = CimParams{};
  p.adc.mode = AdcMode::Calibrated;
  EXPECT_THROW(validateCimParams(p), Error); // no full scales
  p.calibratedFullScales.assign(7 * 7, 1.0f);
  EXPECT_NO_THROW(validateCimParams(p));
  p.calibratedFullScales[3] = -1.0f;
  EXPECT_THROW(validateCimParams(p), Error);
  p.calibratedFullScales.pop_back();
  EXPECT_THROW(validateCimParams(p), Error);

  // One bin per possible |P|: 2048 rows of 7-bit inputs and weights would need 2^25 bins.
  CimParams wide;
  wide.crossbar.rows = 2048;
  wide.inputs.slices = {7};
  wide.weights.slices = {7};
  Rng rng(1);
  try {
    AdcRangeCalibrator(rng.f32({2100, 4}), wide, 100.0);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("histogram bins"), std::string::npos) << e.what();
  }
  EXPECT_THROW(AdcRangeCalibrator(rng.f32({8, 4}), CimParams{}, 101.0), Error);
  AdcRangeCalibrator empty(rng.f32({8, 4}), CimParams{}, 100.0);
  EXPECT_THROW(empty.fullScales(), Error);
  EXPECT_THROW(empty.add(rng.f32({2, 5})), Error); // K = 5, the weights have 8 rows
}

} // namespace
} // namespace cimlir::cim
