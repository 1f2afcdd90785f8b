#include "kernels/cpu/IntegerLinear.h"

#include "KernelTestUtil.h"

namespace cimlir::cpu {
namespace {

/// A random int8 or uint8 tensor.
Tensor randomQuantized(test::Rng &rng, DType type, const Shape &shape) {
  Tensor t = Tensor::allocate(type, shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (type == DType::I8)
      t.data<int8_t>()[i] = static_cast<int8_t>(rng.range(-128, 127));
    else
      t.data<uint8_t>()[i] = static_cast<uint8_t>(rng.range(0, 255));
  }
  return t;
}

int32_t valueAt(const Tensor &t, int64_t i) {
  return t.dtype() == DType::I8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
}

TEST(MatMulInteger, BroadcastAndZeroPointsAgainstLoops) {
  CIMLIR_RANDOM_TEST();
  for (int trial = 0; trial < 20; ++trial) {
    const DType ta = rng.coin() ? DType::I8 : DType::U8, tb = rng.coin() ? DType::I8 : DType::U8;
    const int64_t M = rng.range(1, 5), K = rng.range(1, 7), N = rng.range(1, 5);
    const int64_t p = rng.range(1, 3), q = rng.range(1, 3);
    // A [p, 1, M, K] and B [q, K, N] broadcast to Y [p, q, M, N].
    Tensor a = randomQuantized(rng, ta, {p, 1, M, K}), b = randomQuantized(rng, tb, {q, K, N});
    const bool perRow = rng.coin(), perColumn = rng.coin();
    Tensor za = randomQuantized(rng, ta, perRow ? Shape{M} : Shape{});
    Tensor zb = randomQuantized(rng, tb, perColumn ? Shape{N} : Shape{});
    Tensor y = Tensor::allocate(DType::I32, {p, q, M, N});
    matMulInteger(a, b, za, zb, y);
    for (int64_t i = 0; i < p; ++i)
      for (int64_t j = 0; j < q; ++j)
        for (int64_t m = 0; m < M; ++m)
          for (int64_t n = 0; n < N; ++n) {
            int64_t want = 0;
            for (int64_t k = 0; k < K; ++k)
              want += int64_t(valueAt(a, (i * M + m) * K + k) - valueAt(za, perRow ? m : 0)) *
                      (valueAt(b, (j * K + k) * N + n) - valueAt(zb, perColumn ? n : 0));
            ASSERT_EQ(y.data<int32_t>()[((i * q + j) * M + m) * N + n], want)
                << "trial " << trial << " at " << i << "," << j << "," << m << "," << n;
          }
  }
}

/// ConvInteger against the float32 convolution of the shifted values (exact here: the
/// products and their few sums are integers below 2^24).
TEST(ConvInteger, MatchesFloatConvolutionOfShiftedValues) {
  CIMLIR_RANDOM_TEST();
  for (int trial = 0; trial < 20; ++trial) {
    const DType tx = rng.coin() ? DType::I8 : DType::U8, tw = rng.coin() ? DType::I8 : DType::U8;
    const int64_t spatial = rng.range(1, 2), group = rng.range(1, 2);
    const int64_t C = group * rng.range(1, 2), M = group * rng.range(1, 3);
    Shape xs = {rng.range(1, 2), C}, ws = {M, C / group};
    ConvParams p;
    p.group = group;
    for (int64_t d = 0; d < spatial; ++d) {
      xs.push_back(rng.range(5, 7)); // at least the widest window (kernel 3, dilation 2)
      ws.push_back(rng.range(1, 3));
      p.strides.push_back(rng.range(1, 2));
      p.dilations.push_back(rng.range(1, 2));
    }
    for (int64_t d = 0; d < 2 * spatial; ++d)
      p.pads.push_back(rng.range(0, 1));
    Shape ys = {xs[0], M};
    for (int64_t d = 0; d < spatial; ++d)
      ys.push_back(
          (xs[2 + d] + p.pads[d] + p.pads[spatial + d] - (ws[2 + d] - 1) * p.dilations[d] - 1) /
              p.strides[d] +
          1);
    Tensor x = randomQuantized(rng, tx, xs), w = randomQuantized(rng, tw, ws);
    const bool perChannel = rng.coin();
    Tensor zx = randomQuantized(rng, tx, {}),
           zw = randomQuantized(rng, tw, perChannel ? Shape{M} : Shape{1});
    Tensor y = Tensor::allocate(DType::I32, ys);
    convInteger(x, w, zx, zw, p, y);

    Tensor xf = Tensor::allocate(DType::F32, xs), wf = Tensor::allocate(DType::F32, ws);
    for (int64_t i = 0; i < x.numel(); ++i)
      xf.data<float>()[i] = static_cast<float>(valueAt(x, i) - valueAt(zx, 0));
    const int64_t perM = w.numel() / M;
    for (int64_t i = 0; i < w.numel(); ++i)
      wf.data<float>()[i] =
          static_cast<float>(valueAt(w, i) - valueAt(zw, perChannel ? i / perM : 0));
    Tensor yf = Tensor::allocate(DType::F32, ys);
    conv(xf, wf, nullptr, p, yf);
    for (int64_t i = 0; i < y.numel(); ++i)
      ASSERT_EQ(static_cast<float>(y.data<int32_t>()[i]), yf.data<float>()[i])
          << "trial " << trial << " element " << i;
  }
}

TEST(IntegerLinear, RefusesBadOperands) {
  Tensor a = Tensor::allocate(DType::U8, {2, 3}), b = Tensor::allocate(DType::U8, {3, 2});
  Tensor z = Tensor::allocate(DType::U8, {}), y = Tensor::allocate(DType::I32, {2, 2});
  Tensor wrongZero = Tensor::allocate(DType::I8, {});
  EXPECT_THROW(matMulInteger(a, b, wrongZero, z, y), Error);
  Tensor threeZeros = Tensor::allocate(DType::U8, {3});
  EXPECT_THROW(matMulInteger(a, b, threeZeros, z, y), Error); // A has 2 rows
  Tensor f = Tensor::allocate(DType::F32, {2, 3});
  EXPECT_THROW(matMulInteger(f, b, z, z, y), Error);
}

} // namespace
} // namespace cimlir::cpu
