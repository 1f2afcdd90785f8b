// QuantizeLinear and DequantizeLinear: halves to even, saturation, per-axis scales, and the
// round trip within half a step.
#include "kernels/cpu/QuantizeLinear.h"

#include "KernelTestUtil.h"

#include <cmath>

namespace cimlir::cpu {
namespace {

TEST(QuantizeLinear, HalvesToEvenSaturatesAndRoundTrips) {
  Tensor x = Tensor::allocate(DType::F32, {6}), scale = Tensor::allocate(DType::F32, {});
  const float v[] = {0.5f, 1.5f, 2.5f, -2.5f, 1000.0f, -1000.0f};
  std::copy(std::begin(v), std::end(v), x.data<float>());
  scale.data<float>()[0] = 1.0f;
  Tensor zp = Tensor::allocate(DType::U8, {});
  zp.data<uint8_t>()[0] = 128;
  Tensor y = Tensor::allocate(DType::U8, {6});
  quantizeLinear(x, scale, &zp, 0, y);
  EXPECT_EQ(std::vector<uint8_t>(y.data<uint8_t>(), y.data<uint8_t>() + 6),
            (std::vector<uint8_t>{128, 130, 130, 126, 255, 0}));
  Tensor yi = Tensor::allocate(DType::I8, {6});
  quantizeLinear(x, scale, nullptr, 0, yi); // no zero point: int8 as Y is
  EXPECT_EQ(yi.data<int8_t>()[4], 127);
  EXPECT_EQ(yi.data<int8_t>()[5], -128);
}

TEST(QuantizeLinear, PerAxisRoundTripWithinHalfAStep) {
  CIMLIR_RANDOM_TEST();
  Tensor x = rng.f32({2, 3, 4}, -1, 1), scale = Tensor::allocate(DType::F32, {3}),
         zp = Tensor::allocate(DType::I8, {3});
  for (int c = 0; c < 3; ++c) {
    scale.data<float>()[c] = 0.01f * static_cast<float>(c + 1);
    zp.data<int8_t>()[c] = static_cast<int8_t>(c - 1);
  }
  Tensor q = Tensor::allocate(DType::I8, {2, 3, 4}), back = Tensor::allocate(DType::F32, {2, 3, 4});
  quantizeLinear(x, scale, &zp, 1, q);
  dequantizeLinear(q, scale, &zp, 1, back);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t c = (i / 4) % 3;
    const float s = scale.data<float>()[c];
    const float want = std::clamp(x.data<float>()[i], (-128 - zp.data<int8_t>()[c]) * s,
                                  (127 - zp.data<int8_t>()[c]) * s);
    ASSERT_LE(std::fabs(back.data<float>()[i] - want), 0.5f * s + 1e-7f) << i;
  }
  Tensor wrong = Tensor::allocate(DType::F32, {4});
  EXPECT_THROW(quantizeLinear(x, wrong, nullptr, 1, q), Error);
}

} // namespace
} // namespace cimlir::cpu
