// The digital layer kernel (kernels/cpu/DigitalLinear.h, cim-numerics.md §8) against the
// independent reference of DigitalReference.h on fresh random shapes (M = 1, 7, 64; odd K and
// N, K past the kernel's depth blocks and N past its column blocks): int8 bit for bit, fp32,
// bf16 and w8a16 within the float32 summation bound. Also the bf16 rounding (ties to even,
// NaN, infinities, subnormals, overflow), §1/§3 quantization details (ties to even, ±127,
// zero rows and columns with scale 1, underflowing scales), non-finite rows, int8 sums past
// int32's range, and argument errors.
#include "kernels/cpu/DigitalLinear.h"
#include "kernels/cpu/Bf16.h"

#include "KernelTestUtil.h"
#include "test/unit/kernels/DigitalReference.h"

#include <cmath>
#include <functional>
#include <limits>

namespace cimlir::cpu {
namespace {

using digitalref::bitsOf;
using digitalref::fromBits;
using test::Rng;

const DigitalPrecision kAll[] = {DigitalPrecision::Fp32, DigitalPrecision::Bf16,
                                 DigitalPrecision::Int8, DigitalPrecision::W8A16};

Tensor run(const Tensor &x, const DigitalWeights &w, const Tensor *bias) {
  Tensor y = Tensor::allocate(DType::F32, {x.dim(0), w.cols()});
  digitalLinear(x, w, bias, y);
  return y;
}

digitalref::Result reference(DigitalPrecision p, const Tensor &x, const Tensor &w,
                             const Tensor *bias) {
  return digitalref::digitalLinear(cim::toString(p), x.data<float>(), x.dim(0), x.dim(1),
                                   w.data<float>(), w.dim(1), bias ? bias->data<float>() : nullptr);
}

/// Random x [M,K], W [K,N] and bias [N] with odd K <= 2·halfK + 1 and N <= 2·halfN + 1.
struct Layer {
  int64_t M, K, N;
  Tensor x, w, bias;
};
Layer randomLayer(Rng &rng, int64_t M, int64_t halfK, int64_t halfN) {
  Layer l;
  l.M = M;
  l.K = 2 * rng.range(1, halfK) + 1;
  l.N = 2 * rng.range(1, halfN) + 1;
  l.x = rng.f32({l.M, l.K});
  l.w = rng.f32({l.K, l.N});
  l.bias = rng.f32({l.N});
  return l;
}

Tensor fromValues(const Shape &shape, const std::vector<float> &values) {
  Tensor t = Tensor::allocate(DType::F32, shape);
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

// --- bf16 rounding ---------------------------------------------------------------------

TEST(Bf16Rounding, EdgeCases) {
  struct Case {
    uint32_t in, out;
    const char *what;
  };
  const Case cases[] = {
      {0x3f800000u, 0x3f800000u, "1 is a bf16"},
      {0x3f808000u, 0x3f800000u, "1 + 2^-8: tie, down to the even 1"},
      {0x3f818000u, 0x3f820000u, "1 + 3·2^-8: tie, up to the even 1 + 2^-6"},
      {0x3f808001u, 0x3f810000u, "just above the tie rounds up"},
      {0x3f807fffu, 0x3f800000u, "just below the tie rounds down"},
      {0xbf808000u, 0xbf800000u, "-(1 + 2^-8): tie, to the even -1"},
      {0xbf818000u, 0xbf820000u, "-(1 + 3·2^-8): tie, to the even -(1 + 2^-6)"},
      {0x00000000u, 0x00000000u, "+0"},
      {0x80000000u, 0x80000000u, "-0"},
      {0x7f800000u, 0x7f800000u, "+Inf"},
      {0xff800000u, 0xff800000u, "-Inf"},
      {0x7f7fffffu, 0x7f800000u, "the largest float overflows to +Inf"},
      {0xff7fffffu, 0xff800000u, "the most negative float overflows to -Inf"},
      {0x7f7f7fffu, 0x7f7f0000u, "below the overflow midpoint: the largest finite bf16"},
      {0x7f7f8000u, 0x7f800000u, "the overflow midpoint: a tie, to the even +Inf"},
      {0x00000001u, 0x00000000u, "the smallest subnormal rounds to +0"},
      {0x80000001u, 0x80000000u, "its negative rounds to -0"},
      {0x00008000u, 0x00000000u, "subnormal tie, down to the even 0"},
      {0x00018000u, 0x00020000u, "subnormal tie, up to the even 2·2^-133"},
      {0x00010000u, 0x00010000u, "the smallest bf16 subnormal is kept"},
      {0x007fffffu, 0x00800000u, "the largest subnormal rounds up to the smallest normal"},
      {0x807fffffu, 0x80800000u, "and its negative"},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(bitsOf(roundToBf16(fromBits(c.in))), c.out) << c.what;
    EXPECT_EQ(bf16Bits(fromBits(c.in)), c.out >> 16) << c.what;
    EXPECT_EQ(bitsOf(digitalref::bf16(fromBits(c.in))), c.out) << "reference: " << c.what;
  }
  // NaN stays NaN, whatever its payload: a signalling NaN with only low payload bits would
  // become an infinity if truncated.
  for (uint32_t nan : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7f80ffffu, 0x7fffffffu,
                       0x7f810000u}) {
    const float r = roundToBf16(fromBits(nan));
    EXPECT_TRUE(std::isnan(r)) << std::hex << nan;
    EXPECT_EQ(bitsOf(r) >> 31, nan >> 31) << "sign of " << std::hex << nan;
    EXPECT_EQ(bitsOf(r) & 0xffffu, 0u);
  }
}

TEST(Bf16Rounding, MatchesNearestNeighbourOnRandomBitPatterns) {
  CIMLIR_RANDOM_TEST();
  std::uniform_int_distribution<uint32_t> bits;
  int64_t nans = 0;
  for (int i = 0; i < 400000; ++i) {
    // Every 4th pattern has low bits 0x8000 (a tie), every 8th a subnormal exponent.
    uint32_t u = bits(rng.engine());
    if (i % 4 == 1)
      u = (u & 0xffff0000u) | 0x8000u;
    if (i % 8 == 3)
      u &= 0x807fffffu;
    const float v = fromBits(u);
    const float got = roundToBf16(v);
    if (std::isnan(v)) {
      ++nans;
      ASSERT_TRUE(std::isnan(got)) << std::hex << u;
      continue;
    }
    ASSERT_EQ(bitsOf(got), bitsOf(digitalref::bf16(v))) << "input bits " << std::hex << u;
  }
  EXPECT_GT(nans, 0);
}

// --- the four precisions against the reference -----------------------------------------

TEST(DigitalLinear, EveryPrecisionMatchesTheReferenceOnRandomShapes) {
  CIMLIR_RANDOM_TEST();
  for (DigitalPrecision p : kAll)
    for (int64_t M : {1, 7, 64}) {
      const int64_t K = 2 * rng.range(0, 600) + 1; // odd, up to past two depth blocks of 512
      const int64_t N = 2 * rng.range(0, 50) + 1;  // odd, up to past three column blocks of 32
      const bool withBias = rng.coin();
      SCOPED_TRACE(std::string(cim::toString(p)) + " M " + std::to_string(M) + " K " +
                   std::to_string(K) + " N " + std::to_string(N) + (withBias ? " bias" : ""));
      // Columns and rows of different magnitudes, so that scales differ.
      Tensor w = rng.f32({K, N}, -1.0, 1.0);
      for (int64_t n = 0; n < N; ++n) {
        const float f = static_cast<float>(std::ldexp(1.0, static_cast<int>(rng.range(-6, 6))));
        for (int64_t k = 0; k < K; ++k)
          w.data<float>()[k * N + n] *= f;
      }
      Tensor x = rng.f32({M, K}, -3.0, 3.0);
      Tensor bias = rng.f32({N});
      const Tensor *b = withBias ? &bias : nullptr;
      const DigitalWeights prepared = DigitalWeights::prepare(w, p);
      EXPECT_EQ(prepared.precision(), p);
      EXPECT_EQ(prepared.rows(), K);
      EXPECT_EQ(prepared.cols(), N);
      Tensor y = run(x, prepared, b);
      digitalref::expectMatches(y.data<float>(), reference(p, x, w, b), "y");

      // The rounding really happens: bf16 and w8a16 results are off the fp32 ones by far
      // more than a few float32 roundings of the sum somewhere (a bf16 rounding is 2^-9
      // relative; 4·u·(S + |b|) is the tolerance without its factor of K). With K = 1 the int8
      // weights are exact (a column's one value is its own scale's maximum), and so are
      // int8's inputs: nothing to see there (it failed on seed 1426269129).
      const bool int8Weights = p == DigitalPrecision::Int8 || p == DigitalPrecision::W8A16;
      if (p != DigitalPrecision::Fp32 && M * K * N >= 64 && !(int8Weights && K == 1)) {
        const digitalref::Result exact = reference(DigitalPrecision::Fp32, x, w, b);
        double worst = 0.0;
        for (int64_t i = 0; i < M * N; ++i)
          worst = std::max(worst, std::fabs(y.data<float>()[i] - exact.value[i]) /
                                      (exact.tolerance[i] * 4.0 / static_cast<double>(K + 2)));
        EXPECT_GT(worst, 10.0) << "indistinguishable from fp32";
      }
    }
}

TEST(DigitalLinear, PreparedWeightsAreTheContractsForms) {
  CIMLIR_RANDOM_TEST();
  const int64_t K = 2 * rng.range(1, 40) + 1, N = 2 * rng.range(1, 20) + 1;
  Tensor w = rng.f32({K, N}, -2.0, 2.0);
  // fp32 computes with W itself (no copy); bf16 with bf16(W).
  const DigitalWeights fp32 = DigitalWeights::prepare(w, DigitalPrecision::Fp32);
  EXPECT_EQ(fp32.values().data<float>(), w.data<float>());
  const DigitalWeights bf = DigitalWeights::prepare(w, DigitalPrecision::Bf16);
  for (int64_t i = 0; i < K * N; ++i)
    ASSERT_EQ(bitsOf(bf.values().data<float>()[i]), bitsOf(digitalref::bf16(w.data<float>()[i])));
  // int8 and w8a16: §1's per-channel levels and scales, transposed.
  const digitalref::QuantizedMatrix q = digitalref::quantizeColumns(w.data<float>(), K, N);
  for (DigitalPrecision p : {DigitalPrecision::Int8, DigitalPrecision::W8A16}) {
    const DigitalWeights d = DigitalWeights::prepare(w, p);
    ASSERT_EQ(d.levelsTransposed().shape(), (Shape{N, K}));
    ASSERT_EQ(d.scales().size(), static_cast<size_t>(N));
    for (int64_t n = 0; n < N; ++n) {
      EXPECT_EQ(bitsOf(d.scales()[n]), bitsOf(q.scales[n])) << "column " << n;
      for (int64_t k = 0; k < K; ++k)
        ASSERT_EQ(d.levelsTransposed().data<int8_t>()[n * K + k], q.levels[k * N + n])
            << "W[" << k << "," << n << "]";
    }
  }
}

// --- int8 and w8a16 quantization details ---------------------------------------------

TEST(DigitalLinearInt8, TiesRoundToEvenAndLevelsSaturateAtQmax) {
  // max |.| = 127 gives scales of exactly 1, so x / s = x: the ties are real ties.
  const std::vector<float> row = {127.0f, 2.5f, 3.5f, -2.5f, 0.5f, -0.5f, 1.5f, -127.0f, 126.5f};
  const std::vector<int64_t> xq = {127, 2, 4, -2, 0, 0, 2, -127, 126};
  const int64_t K = static_cast<int64_t>(row.size());
  Tensor x = fromValues({1, K}, row);
  // W: column 0 is x's row itself, column 1 is all ones (scale 1/127 in float32, levels 127),
  // column 2 has max |W| = 127 at a negative entry (its level is -127, never -128).
  Tensor w = Tensor::allocate(DType::F32, {K, 3});
  for (int64_t k = 0; k < K; ++k) {
    w.data<float>()[k * 3 + 0] = row[k];
    w.data<float>()[k * 3 + 1] = 1.0f;
    w.data<float>()[k * 3 + 2] = k == 1 ? -127.0f : 0.25f * static_cast<float>(k);
  }
  const DigitalWeights d = DigitalWeights::prepare(w, DigitalPrecision::Int8);
  const int8_t *lt = d.levelsTransposed().data<int8_t>();
  EXPECT_EQ(d.scales()[0], 1.0f);
  EXPECT_EQ(d.scales()[1], 1.0f / 127.0f);
  EXPECT_EQ(d.scales()[2], 1.0f);
  int64_t dot0 = 0, dot1 = 0, dot2 = 0;
  for (int64_t k = 0; k < K; ++k) {
    EXPECT_EQ(lt[0 * K + k], xq[k]) << "k " << k;
    EXPECT_EQ(lt[1 * K + k], 127);
    dot0 += xq[k] * xq[k];
    dot1 += xq[k] * 127;
    dot2 += xq[k] * lt[2 * K + k];
  }
  EXPECT_EQ(lt[2 * K + 1], -127);
  Tensor y = run(x, d, nullptr);
  EXPECT_EQ(y.data<float>()[0], static_cast<float>(dot0)); // s_x·s_w = 1
  EXPECT_EQ(y.data<float>()[1], (1.0f * (1.0f / 127.0f)) * static_cast<float>(dot1));
  EXPECT_EQ(y.data<float>()[2], static_cast<float>(dot2));
}

TEST(DigitalLinearInt8, ZeroRowsAndColumnsHaveScaleOne) {
  CIMLIR_RANDOM_TEST();
  auto [M, K, N, x, w, bias] = randomLayer(rng, 7, 30, 10);
  std::fill(x.data<float>() + 3 * K, x.data<float>() + 4 * K, 0.0f); // row 3
  for (int64_t k = 0; k < K; ++k)
    w.data<float>()[k * N + 1] = 0.0f; // column 1
  for (DigitalPrecision p : {DigitalPrecision::Int8, DigitalPrecision::W8A16}) {
    SCOPED_TRACE(cim::toString(p));
    const DigitalWeights d = DigitalWeights::prepare(w, p);
    EXPECT_EQ(d.scales()[1], 1.0f);
    Tensor y = run(x, d, &bias);
    digitalref::expectMatches(y.data<float>(), reference(p, x, w, &bias), "y");
    for (int64_t n = 0; n < N; ++n)
      EXPECT_EQ(y.data<float>()[3 * N + n], bias.data<float>()[n]) << "zero row, column " << n;
    for (int64_t m = 0; m < M; ++m)
      EXPECT_EQ(y.data<float>()[m * N + 1], bias.data<float>()[1]) << "zero column, row " << m;
  }
}

TEST(DigitalLinearInt8, ScaleThatUnderflowsIsOne) {
  // max |x| = 40·2^-149: max / 127 underflows to 0 in float32, so the scale is 1 (as for a
  // clip of 0); the row quantizes to 0 and y is the bias (docs/numerics.md §8).
  Tensor x = fromValues({2, 3}, {fromBits(40), -fromBits(7), 0.0f, 1.0f, -2.0f, 0.5f});
  Tensor w = fromValues({3, 2}, {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.0f});
  Tensor bias = fromValues({2}, {0.125f, -3.0f});
  const DigitalWeights d = DigitalWeights::prepare(w, DigitalPrecision::Int8);
  Tensor y = run(x, d, &bias);
  EXPECT_EQ(y.data<float>()[0], 0.125f);
  EXPECT_EQ(y.data<float>()[1], -3.0f);
  digitalref::expectMatches(y.data<float>(), reference(DigitalPrecision::Int8, x, w, &bias), "y");
}

TEST(DigitalLinearInt8, NonFiniteRowsGiveNaNRows) {
  CIMLIR_RANDOM_TEST();
  auto [M, K, N, x, w, bias] = randomLayer(rng, 7, 40, 20);
  const float bad[] = {std::numeric_limits<float>::quiet_NaN(),
                       std::numeric_limits<float>::infinity(),
                       -std::numeric_limits<float>::infinity()};
  for (int i = 0; i < 3; ++i)
    x.data<float>()[(2 * i + 1) * K + rng.range(0, K - 1)] = bad[i]; // rows 1, 3, 5
  for (DigitalPrecision p : kAll) {
    SCOPED_TRACE(cim::toString(p));
    Tensor y = run(x, DigitalWeights::prepare(w, p), &bias);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        const float v = y.data<float>()[m * N + n];
        if (m % 2 == 0)
          ASSERT_TRUE(std::isfinite(v)) << "row " << m;
        else if (p == DigitalPrecision::Int8 || m == 1) // int8: NaN rows; NaN propagates
          ASSERT_TRUE(std::isnan(v)) << "row " << m << ", column " << n;
        else // IEEE: an infinity gives ±Inf or NaN
          ASSERT_FALSE(std::isfinite(v)) << "row " << m << ", column " << n;
      }
    if (p == DigitalPrecision::Int8) // the finite rows are untouched
      digitalref::expectMatches(y.data<float>(), reference(p, x, w, &bias), "y");
  }
}

TEST(DigitalLinearInt8, SumsBeyondInt32StayExact) {
  // K = 140001 > 2^31 / 127²: sums of 127·127 per term leave int32's range; the kernel adds
  // int32 sums of 2^17 terms in int64, so the result is the exact sum.
  CIMLIR_RANDOM_TEST();
  const int64_t K = 140001, N = 3;
  Tensor x = Tensor::allocate(DType::F32, {2, K});
  Tensor w = Tensor::allocate(DType::F32, {K, N});
  for (int64_t k = 0; k < K; ++k) {
    x.data<float>()[k] = 1.0f; // row 0: all 127 after quantization
    x.data<float>()[K + k] = static_cast<float>(rng.uniform(-1, 1));
    for (int64_t n = 0; n < N; ++n)
      w.data<float>()[k * N + n] = n == 0 ? -2.0f : static_cast<float>(rng.uniform(-1, 1));
  }
  Tensor y = run(x, DigitalWeights::prepare(w, DigitalPrecision::Int8), nullptr);
  // Column 0 of row 0: Σ 127·(-127) = -K·16129, beyond -2^31.
  const int64_t sum = -K * 127 * 127;
  ASSERT_LT(sum, -(int64_t(1) << 31));
  const float scale = (1.0f / 127.0f) * (2.0f / 127.0f);
  EXPECT_EQ(y.data<float>()[0], scale * static_cast<float>(sum));
  digitalref::expectMatches(y.data<float>(), reference(DigitalPrecision::Int8, x, w, nullptr), "y");
}

// --- shapes, names and errors ----------------------------------------------------------

TEST(DigitalLinear, EmptyExtents) {
  for (DigitalPrecision p : kAll) {
    SCOPED_TRACE(cim::toString(p));
    // K = 0: the sums are 0, y = 0·scale + b = b.
    Tensor bias = fromValues({2}, {1.5f, -2.0f});
    Tensor y = run(Tensor::allocate(DType::F32, {3, 0}),
                   DigitalWeights::prepare(Tensor::allocate(DType::F32, {0, 2}), p), &bias);
    for (int64_t i = 0; i < 6; ++i)
      EXPECT_EQ(y.data<float>()[i], bias.data<float>()[i % 2]);
    // M = 0 and N = 0 compute nothing.
    EXPECT_EQ(run(Tensor::allocate(DType::F32, {0, 4}),
                  DigitalWeights::prepare(Tensor::allocate(DType::F32, {4, 2}), p), nullptr)
                  .numel(),
              0);
    EXPECT_EQ(run(Tensor::allocate(DType::F32, {2, 4}),
                  DigitalWeights::prepare(Tensor::allocate(DType::F32, {4, 0}), p), nullptr)
                  .numel(),
              0);
  }
}

std::string errorOf(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DigitalLinear, BadArgumentsAreErrors) {
  Tensor w = fromValues({2, 3}, {1, 2, 3, 4, 5, 6});
  const DigitalWeights d = DigitalWeights::prepare(w, DigitalPrecision::Int8);
  Tensor x = Tensor::allocate(DType::F32, {4, 2});
  Tensor y = Tensor::allocate(DType::F32, {4, 3});
  auto has = [](const std::string &msg, const char *what) {
    return msg.find("digital_linear") != std::string::npos && msg.find(what) != std::string::npos;
  };
  EXPECT_TRUE(has(errorOf([&] {
                    Tensor x3 = Tensor::allocate(DType::F32, {4, 3});
                    digitalLinear(x3, d, nullptr, y);
                  }),
                  "x [4,3] must be [M,2]"));
  EXPECT_TRUE(has(errorOf([&] {
                    Tensor y2 = Tensor::allocate(DType::F32, {4, 2});
                    digitalLinear(x, d, nullptr, y2);
                  }),
                  "y has shape [4,2], expected [4,3]"));
  EXPECT_TRUE(has(errorOf([&] {
                    Tensor b = Tensor::allocate(DType::F32, {2});
                    digitalLinear(x, d, &b, y);
                  }),
                  "bias has shape [2], expected [3]"));
  EXPECT_TRUE(has(errorOf([&] {
                    Tensor xi = Tensor::allocate(DType::I32, {4, 2});
                    digitalLinear(xi, d, nullptr, y);
                  }),
                  "x is int32"));
  EXPECT_TRUE(has(
      errorOf([&] {
        DigitalWeights::prepare(Tensor::allocate(DType::F32, {2, 3, 1}), DigitalPrecision::Fp32);
      }),
      "must be a matrix"));
  EXPECT_TRUE(
      has(errorOf([&] {
            DigitalWeights::prepare(Tensor::allocate(DType::I8, {2, 3}), DigitalPrecision::Fp32);
          }),
          "W is int8"));
  // A non-finite weight has no int8 level; the float precisions take it as it is.
  w.data<float>()[4] = std::numeric_limits<float>::infinity();
  for (DigitalPrecision p : {DigitalPrecision::Int8, DigitalPrecision::W8A16})
    EXPECT_TRUE(has(errorOf([&] { DigitalWeights::prepare(w, p); }), "W[1,1] is not finite"))
        << cim::toString(p);
  for (DigitalPrecision p : {DigitalPrecision::Fp32, DigitalPrecision::Bf16})
    EXPECT_NO_THROW(DigitalWeights::prepare(w, p));
}

} // namespace
} // namespace cimlir::cpu
