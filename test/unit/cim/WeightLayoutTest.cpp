// The weight layouts of §0 (gemm [K,N] and [N,K], conv [M, C/g, k...] with groups) and §1 for a
// whole layer: the test's own index arithmetic and the per-group quantizeWeights against
// quantizeLayerWeights and groupQuantizedWeights, on fresh random shapes; and the `full` mode
// full scales of §5 against the formula written out here.
#include "kernels/cim/WeightLayout.h"

#include "CimTestUtil.h"
#include "core/Error.h"

#include <cmath>
#include <limits>

namespace cimlir::cim {
namespace {

using test::Rng;

/// One random layer weight: its shape, its layout and W_g[k,n] by the test's own arithmetic.
struct Case {
  std::string kind;
  Shape shape;
  WeightLayout layout;
  int64_t groups = 1, K = 0, N = 0;
  /// Index of W_g[k,n] in the tensor, written out per kind.
  int64_t at(int64_t g, int64_t k, int64_t n) const {
    if (kind == "kn")
      return k * N + n;
    if (kind == "nk")
      return n * K + k;
    return (g * N + n) * K + k; // conv: output channel g·N + n, flattened at k
  }
};

Case randomCase(Rng &rng, const std::string &kind) {
  Case c;
  c.kind = kind;
  if (kind == "conv") {
    c.groups = rng.range(1, 3);
    const int64_t cg = rng.range(1, 3), kh = rng.range(1, 3), kw = rng.range(1, 3);
    c.N = rng.range(1, 4);
    c.K = cg * kh * kw;
    c.shape = {c.groups * c.N, cg, kh, kw};
    c.layout = WeightLayout::conv(c.shape, c.groups);
  } else {
    c.K = rng.range(1, 30);
    c.N = rng.range(1, 12);
    c.shape = kind == "kn" ? Shape{c.K, c.N} : Shape{c.N, c.K};
    c.layout = WeightLayout::matrix(c.shape, kind == "nk");
  }
  return c;
}

TEST(CimWeightLayout, GroupMatricesFollowTheOnnxLayout) {
  CIMLIR_CIM_RANDOM_TEST();
  for (const char *kind : {"kn", "nk", "conv"})
    for (int t = 0; t < 5; ++t) {
      Case c = randomCase(rng, kind);
      SCOPED_TRACE(std::string(kind) + " " + shapeToString(c.shape));
      ASSERT_EQ(c.layout.groups, c.groups);
      ASSERT_EQ(c.layout.K, c.K);
      ASSERT_EQ(c.layout.N, c.N);
      Tensor w = rng.f32(c.shape);
      for (int64_t g = 0; g < c.groups; ++g) {
        Tensor wg = groupMatrix(w, c.layout, g);
        ASSERT_EQ(wg.shape(), (Shape{c.K, c.N}));
        for (int64_t k = 0; k < c.K; ++k)
          for (int64_t n = 0; n < c.N; ++n)
            ASSERT_EQ(wg.data<float>()[k * c.N + n], w.data<float>()[c.at(g, k, n)]);
      }
    }
}

TEST(CimWeightLayout, LayerQuantizationIsQuantizeWeightsPerGroup) {
  CIMLIR_CIM_RANDOM_TEST();
  for (const char *kind : {"kn", "nk", "conv"})
    for (int t = 0; t < 6; ++t) {
      Case c = randomCase(rng, kind);
      CimParams p = test::randomParams(rng, AdcMode::Full);
      if (t == 5)
        p.weights.bits = 12, p.weights.slices = oneBitSlices(11); // int16 levels
      SCOPED_TRACE(std::string(kind) + " " + shapeToString(c.shape) + " bits " +
                   std::to_string(p.weights.bits));
      Tensor w = rng.f32(c.shape, -rng.uniform(0.1, 3), rng.uniform(0.1, 3));
      LayerWeights lw = quantizeLayerWeights(w, c.layout, p);
      ASSERT_EQ(lw.levels.shape(), c.shape);
      ASSERT_EQ(lw.levels.dtype(), p.weights.bits <= 8 ? DType::I8 : DType::I16);
      ASSERT_EQ(static_cast<int64_t>(lw.scales.size()), c.layout.scaleCount(p.weights.granularity));
      const int64_t perGroup = static_cast<int64_t>(lw.scales.size()) / c.groups;
      for (int64_t g = 0; g < c.groups; ++g) {
        // The group's own matrix, gathered by the test, quantized by the kernel.
        Tensor wg = Tensor::allocate(DType::F32, {c.K, c.N});
        for (int64_t k = 0; k < c.K; ++k)
          for (int64_t n = 0; n < c.N; ++n)
            wg.data<float>()[k * c.N + n] = w.data<float>()[c.at(g, k, n)];
        QuantizedWeights expected = quantizeWeights(wg, p);
        QuantizedWeights got = groupQuantizedWeights(lw.levels, lw.scales, c.layout, g,
                                                     p.weights.bits, p.weights.granularity);
        ASSERT_EQ(got.scales, expected.scales);
        for (int64_t s = 0; s < perGroup; ++s)
          ASSERT_EQ(lw.scales[g * perGroup + s], expected.scales[s]);
        for (int64_t k = 0; k < c.K; ++k)
          for (int64_t n = 0; n < c.N; ++n) {
            ASSERT_EQ(got.at(k, n), expected.at(k, n));
            const int64_t i = c.at(g, k, n);
            ASSERT_EQ(p.weights.bits <= 8 ? lw.levels.data<int8_t>()[i]
                                          : lw.levels.data<int16_t>()[i],
                      expected.at(k, n));
          }
      }
    }
}

TEST(CimWeightLayout, ErrorsAreValuesForTheCompiler) {
  CimParams p;
  Tensor w = Tensor::allocate(DType::F32, {3, 4});
  w.data<float>()[5] = std::numeric_limits<float>::quiet_NaN();
  LayerWeights out;
  std::string error = tryQuantizeLayerWeights(w, WeightLayout::matrix(w.shape(), false), p, out);
  EXPECT_NE(error.find("not finite"), std::string::npos) << error;
  EXPECT_FALSE(out.levels.defined() && out.levels.numel() > 0);
  EXPECT_THROW(WeightLayout::conv({6, 2, 3, 3}, 4), Error);
  EXPECT_THROW(WeightLayout::matrix({6, 2, 3}, false), Error);
  Tensor levels = Tensor::allocate(DType::I8, {3, 4});
  EXPECT_THROW(groupQuantizedWeights(levels, {1.0f}, WeightLayout::matrix({3, 4}, false), 0, 8,
                                     WeightGranularity::PerChannel),
               Error);
}

/// weights.source "model": a conv's per-output-channel scales (axis 0) and levels are taken as
/// they are; 16-bit weights widen them; scales along an input axis, a per-tensor device with
/// differing scales and levels beyond the bits are refused.
TEST(CimWeightLayout, ModelWeightsAreTakenAsTheModelGivesThem) {
  CimParams p;
  const Shape shape = {4, 1, 2, 2}; // conv M = 4, group 2: C/g = 1, 2x2 kernel
  const WeightLayout layout = WeightLayout::conv(shape, 2);
  Tensor levels = Tensor::allocate(DType::I8, shape);
  for (int64_t i = 0; i < levels.numel(); ++i)
    levels.data<int8_t>()[i] = static_cast<int8_t>(i % 2 ? -(i * 7) : i * 7);
  const std::vector<float> scale = {0.5f, 0.25f, 2.0f, 1.0f};
  LayerWeights out;
  ASSERT_EQ(tryModelLayerWeights(levels, scale, 0, layout, p, out), "");
  EXPECT_EQ(out.scales, scale); // output channel g·N + n is M index g·N + n
  ASSERT_EQ(out.levels.dtype(), DType::I8);
  for (int64_t i = 0; i < levels.numel(); ++i)
    EXPECT_EQ(out.levels.data<int8_t>()[i], levels.data<int8_t>()[i]);

  p.weights.bits = 12;
  p.weights.slices = {4, 4, 3};
  ASSERT_EQ(tryModelLayerWeights(levels, {0.5f}, 1, layout, p, out), "");
  EXPECT_EQ(out.scales, std::vector<float>(4, 0.5f)); // one model scale for every channel
  ASSERT_EQ(out.levels.dtype(), DType::I16);
  EXPECT_EQ(out.levels.data<int16_t>()[3], levels.data<int8_t>()[3]);

  EXPECT_NE(tryModelLayerWeights(levels, {1.0f, 2.0f}, 2, layout, p, out)
                .find("not one per output channel"),
            std::string::npos);
  p.weights.granularity = WeightGranularity::PerTensor;
  EXPECT_NE(tryModelLayerWeights(levels, scale, 0, layout, p, out).find("per_tensor"),
            std::string::npos);
  p.weights.granularity = WeightGranularity::PerChannel;
  p.weights.bits = 4;
  p.weights.slices = {1, 2};
  EXPECT_NE(tryModelLayerWeights(levels, scale, 0, layout, p, out).find("outside the ±7"),
            std::string::npos);
  EXPECT_NE(tryModelLayerWeights(levels, {-1.0f, 1.0f, 1.0f, 1.0f}, 0, layout, p, out)
                .find("not finite and positive"),
            std::string::npos);
}

TEST(CimFullScales, FullModeScalesAreRowsTimesCellAndDacRanges) {
  CIMLIR_CIM_RANDOM_TEST();
  for (int t = 0; t < 20; ++t) {
    const int64_t rows = rng.range(1, 40), K = rng.range(1, 200);
    std::vector<int> a = test::randomSlices(rng, static_cast<int>(rng.range(1, 12)));
    std::vector<int> b = test::randomSlices(rng, static_cast<int>(rng.range(1, 12)));
    std::vector<int64_t> fs = fullModeScales(K, rows, a, b);
    const int64_t blocks = (K + rows - 1) / rows, T = a.size(), S = b.size();
    ASSERT_EQ(static_cast<int64_t>(fs.size()), blocks * T * S);
    for (int64_t r = 0; r < blocks; ++r) {
      int64_t inBlock = 0; // counted, not computed from min()
      for (int64_t k = r * rows; k < K && k < (r + 1) * rows; ++k)
        ++inBlock;
      for (int64_t i = 0; i < T; ++i)
        for (int64_t j = 0; j < S; ++j)
          ASSERT_EQ(fs[(r * T + i) * S + j],
                    inBlock * (std::pow(2, a[i]) - 1) * (std::pow(2, b[j]) - 1))
              << "r " << r << " i " << i << " j " << j;
    }
  }
}

} // namespace
} // namespace cimlir::cim
