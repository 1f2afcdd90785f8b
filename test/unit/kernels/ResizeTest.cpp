// Resize against interpolation written out by hand: bilinear with half_pixel and
// align_corners, nearest with asymmetric floor, and tf_crop_and_resize's extrapolation.
#include "kernels/cpu/Resize.h"

#include "KernelTestUtil.h"

#include <cmath>

namespace cimlir::cpu {
namespace {

TEST(Resize, LinearHalfPixelAndAlignCornersAgainstTheFormula) {
  CIMLIR_RANDOM_TEST();
  const int64_t in = 5, out = 8;
  Tensor x = rng.f32({1, in}), y = Tensor::allocate(DType::F32, {1, out});
  for (const char *mode : {"half_pixel", "align_corners"}) {
    ResizeParams p;
    p.mode = "linear";
    p.coordinates = mode;
    p.scales = {1.0, double(out) / double(in)};
    resize(x, p, y);
    for (int64_t j = 0; j < out; ++j) {
      double s = std::string(mode) == "half_pixel" ? (j + 0.5) * in / out - 0.5
                                                   : j * double(in - 1) / double(out - 1);
      s = std::clamp(s, 0.0, double(in - 1)); // edges repeat
      const int64_t lo = static_cast<int64_t>(std::floor(s)), hi = std::min(lo + 1, in - 1);
      const double want = x.data<float>()[lo] * (1 - (s - lo)) + x.data<float>()[hi] * (s - lo);
      ASSERT_NEAR(y.data<float>()[j], want, 1e-6) << mode << " " << j;
    }
  }
}

TEST(Resize, NearestFloorAndCropExtrapolation) {
  Tensor x = Tensor::allocate(DType::F32, {2, 3}), y = Tensor::allocate(DType::F32, {4, 9});
  for (int i = 0; i < 6; ++i)
    x.data<float>()[i] = static_cast<float>(i);
  ResizeParams p;
  p.coordinates = "asymmetric";
  p.nearestMode = "floor";
  p.scales = {2.0, 3.0};
  resize(x, p, y);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 9; ++c)
      ASSERT_EQ(y.data<float>()[r * 9 + c], x.data<float>()[(r / 2) * 3 + c / 3]);
  // tf_crop_and_resize: a roi reaching outside the input gives the extrapolation value there.
  Tensor z = Tensor::allocate(DType::F32, {1, 3});
  ResizeParams c;
  c.mode = "linear";
  c.coordinates = "tf_crop_and_resize";
  c.scales = {1.0, 1.0};
  c.roi = {0.0, 0.5, 1.0, 1.5};
  c.extrapolation = -7;
  Tensor row = Tensor::allocate(DType::F32, {1, 3});
  for (int i = 0; i < 3; ++i)
    row.data<float>()[i] = static_cast<float>(i * 10);
  resize(row, c, z);
  // Coordinates 0.5*2 + j*(1.5-0.5)*2/2 = 1, 2, 3: the last is outside [0, 2].
  EXPECT_FLOAT_EQ(z.data<float>()[0], 10);
  EXPECT_FLOAT_EQ(z.data<float>()[1], 20);
  EXPECT_FLOAT_EQ(z.data<float>()[2], -7);
}

} // namespace
} // namespace cimlir::cpu
