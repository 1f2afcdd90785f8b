// The Resize steps of another backend against the CPU backend's (OpStepTestUtil.h): every mode
// (nearest with each nearest_mode, linear, cubic with its coefficient and exclude_outside) under
// every coordinate_transformation_mode, float32 and float64, ranks 1 to 5, up and down, the
// same bits; and the CPU kernel's errors from both.
#include "test/unit/runtime/OpStepTestUtil.h"

#include <cmath>

namespace cimlir::runtimetest {
namespace {

/// Random float32 or float64 values in [lo, hi) (the float64 ones of full precision).
struct Mode {
  std::string mode, nearest = "round_prefer_floor";
  double cubicA = -0.75;
  int excludeOutside = 0;
};

const Mode kModes[] = {{"nearest", "round_prefer_floor"},
                       {"nearest", "round_prefer_ceil"},
                       {"nearest", "floor"},
                       {"nearest", "ceil"},
                       {"nearest", "ceil", -0.75, 1},
                       {"linear"},
                       {"linear", "round_prefer_floor", -0.75, 1},
                       {"cubic"},
                       {"cubic", "round_prefer_floor", -0.5, 1}};

const char *const kCoordinates[] = {"half_pixel", "pytorch_half_pixel",   "align_corners",
                                    "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};

/// A Resize of X to `y` with these scales (and roi, for tf_crop_and_resize).
OpCase resizeCase(const Mode &m, const std::string &coordinates, Operand x, const Shape &y,
                  const std::vector<double> &scales, const std::vector<double> &roi,
                  double extrapolation = 0) {
  OpCase c{"Resize",
           {{"scales", scales},
            {"roi", roi},
            {"mode", m.mode},
            {"coordinate_transformation_mode", coordinates},
            {"nearest_mode", m.nearest},
            {"cubic_coeff_a", m.cubicA},
            {"exclude_outside", m.excludeOutside},
            {"extrapolation_value", extrapolation}},
           {std::move(x)}};
  c.outputs = {{c.inputs[0].value.dtype(), y}};
  return c;
}

std::string describe(const Mode &m, const std::string &coordinates, const OpCase &c) {
  return m.mode + " " + m.nearest + " a=" + std::to_string(m.cubicA) +
         " exclude=" + std::to_string(m.excludeOutside) + " " + coordinates + " " +
         dtypeName(c.inputs[0].value.dtype()) + " " + shapeToString(c.inputs[0].value.shape()) +
         " to " + shapeToString(c.outputs[0].second);
}

TEST_F(OpSteps, ResizeEveryModeAndCoordinateTransformation) {
  CIMLIR_SEEDED_RNG();
  for (const Mode &m : kModes)
    for (const std::string coordinates : kCoordinates)
      for (DType t : {DType::F32, DType::F64}) {
        // NCHW images, H and W scaled up or down: as given (Y = floor(X · scale)) or from
        // sizes (scale = Y / X).
        const Shape x{randInt(gen, 1, 2), randInt(gen, 1, 3), randInt(gen, 1, 7),
                      randInt(gen, 1, 9)};
        Shape y = x;
        std::vector<double> scales = {1, 1, 1, 1}, roi;
        for (size_t a : {2, 3}) {
          if (randInt(gen, 0, 1)) {
            const double pick[] = {0.5, 0.6, 0.75, 1.5, 2, 2.5, 3};
            scales[a] = pick[randInt(gen, 0, 6)];
            y[a] = std::max<int64_t>(1, static_cast<int64_t>(std::floor(x[a] * scales[a])));
          } else {
            y[a] = randInt(gen, 1, 12);
            scales[a] = static_cast<double>(y[a]) / static_cast<double>(x[a]);
          }
        }
        if (coordinates == "tf_crop_and_resize") // some of the crop outside X: extrapolated
          roi = {0, 0, randInt(gen, -3, 4) / 10.0, randInt(gen, -3, 4) / 10.0,
                 1, 1, randInt(gen, 6, 12) / 10.0, randInt(gen, 6, 12) / 10.0};
        OpCase c = resizeCase(m, coordinates, {uniformOf(gen, t, x, -2, 2)}, y, scales, roi, -3.25);
        expectAgreement(c, describe(m, coordinates, c));
      }
}

TEST_F(OpSteps, ResizeAnyRankConstantAndInfiniteInputs) {
  CIMLIR_SEEDED_RNG();
  const struct {
    Shape x, y;
    std::vector<double> scales;
    Mode mode;
    bool constant;
  } cases[] = {
      {{7}, {17}, {17.0 / 7}, {"linear"}, false},
      {{5}, {2}, {0.4}, {"cubic", "floor", -0.5, 1}, true},
      {{3, 4, 5}, {6, 2, 9}, {2, 0.5, 1.8}, {"cubic"}, false},
      {{2, 3, 4, 5, 3},
       {2, 6, 4, 2, 7},
       {1, 2, 1, 0.4, 7.0 / 3},
       {"cubic", "round_prefer_floor", -0.75, 1},
       false},
      {{2, 3, 4, 5, 3}, {2, 5, 4, 5, 1}, {1, 5.0 / 3, 1, 1, 1.0 / 3}, {"nearest", "ceil"}, true},
      // An axis keeping its length at another scale is resized all the same.
      {{2, 4, 6}, {2, 4, 12}, {1, 1.5, 2}, {"linear"}, false},
      // An empty Y, and no axis to resize.
      {{1, 1, 0, 4}, {1, 1, 0, 8}, {1, 1, 2, 2}, {"linear"}, false},
      {{3, 5}, {3, 5}, {1, 1}, {"cubic"}, false},
  };
  for (const auto &k : cases)
    for (DType t : {DType::F32, DType::F64}) {
      OpCase c = resizeCase(k.mode, "half_pixel", {uniformOf(gen, t, k.x, -2, 2), k.constant}, k.y,
                            k.scales, {});
      expectAgreement(c, describe(k.mode, "half_pixel", c));
    }
  // Infinities next to the taps of zero weight (nearest; linear at integer coordinates), which
  // are skipped rather than multiplied by 0.
  for (const Mode &m : {Mode{"nearest"}, Mode{"linear"}, Mode{"cubic"}}) {
    Tensor x = uniformOf(gen, DType::F32, {1, 1, 4, 6}, -2, 2);
    x.data<float>()[7] = INFINITY;
    x.data<float>()[16] = -INFINITY;
    OpCase c = resizeCase(m, "align_corners", {x}, {1, 1, 7, 11}, {1, 1, 2, 2}, {});
    expectAgreement(c, describe(m, "align_corners", c) + " with infinities");
  }
}

TEST_F(OpSteps, ResizeRefusesWhatTheCpuKernelRefuses) {
  CIMLIR_SEEDED_RNG();
  const Mode linear{"linear"};
  auto x = [&](const Shape &s, DType t = DType::F32) {
    return Operand{t == DType::I64 ? randomInt64(gen, s, -5, 5) : uniformOf(gen, t, s, -2, 2)};
  };
  const struct {
    OpCase c;
    std::string error;
  } cases[] = {
      {resizeCase(linear, "half_pixel", x({2, 3}), {2, 3, 1}, {1, 1}, {}),
       "resize: scales, roi and Y do not match X [2,3]"},
      {resizeCase(linear, "tf_crop_and_resize", x({2, 3}), {2, 6}, {1, 2}, {0, 1}),
       "resize: scales, roi and Y do not match X [2,3]"},
      {resizeCase(linear, "half_pixel", x({2, 3}), {2, 6}, {1, 0}, {}),
       "resize: scale 0.000000 along axis 1 is not positive"},
      {resizeCase(Mode{"bilinear"}, "half_pixel", x({2, 3}), {2, 6}, {1, 2}, {}),
       "resize: unknown mode 'bilinear'"},
      {resizeCase(Mode{"nearest", "round"}, "half_pixel", x({2, 3}), {2, 6}, {1, 2}, {}),
       "resize: unknown nearest_mode 'round'"},
      {resizeCase(linear, "half_pixels", x({2, 3}), {2, 6}, {1, 2}, {}),
       "resize: unknown coordinate_transformation_mode 'half_pixels'"},
      {resizeCase(linear, "half_pixel", x({2, 0}), {2, 6}, {1, 2}, {}),
       "resize: cannot resize an empty axis 1"},
      {resizeCase(linear, "half_pixel", x({2, 3}, DType::I64), {2, 6}, {1, 2}, {}),
       "resize: takes float32 and float64, got int64"},
  };
  for (const auto &k : cases)
    expectSameError(k.c, "step Resize 'the_step': " + k.error);
}

} // namespace
} // namespace cimlir::runtimetest
