#include "kernels/cpu/Resize.h"

#include "kernels/cpu/Check.h"

#include <algorithm>
#include <cmath>

namespace cimlir::cpu {

using detail::fail;

namespace {

/// The reference's source coordinate of output position x along an axis.
double sourceCoordinate(const ResizeParams &p, size_t axis, double x, int64_t in, double scale,
                        bool &outside) {
  const double out = scale * static_cast<double>(in); // a float, as the reference has it
  const std::string &c = p.coordinates;
  if (c == "align_corners")
    return out == 1 ? 0.0 : x * static_cast<double>(in - 1) / (out - 1);
  if (c == "asymmetric")
    return x / scale;
  if (c == "tf_crop_and_resize") {
    const size_t rank = p.roi.size() / 2;
    const double start = p.roi[axis], end = p.roi[axis + rank];
    double s = out == 1 ? (end - start) * static_cast<double>(in - 1) / 2
                        : x * (end - start) * static_cast<double>(in - 1) / (out - 1);
    s += start * static_cast<double>(in - 1);
    outside = s < 0 || s > static_cast<double>(in - 1);
    return s;
  }
  if (c == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (c == "pytorch_half_pixel")
    return out == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (c == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  fail("resize", "unknown coordinate_transformation_mode '" + c + "'");
}

std::vector<double> coefficients(const ResizeParams &p, double ratio) {
  if (p.mode == "nearest") {
    if (ratio == 1.0)
      return {0, 1};
    const std::string &m = p.nearestMode;
    if (m == "round_prefer_floor")
      return {double(ratio <= 0.5), double(ratio > 0.5)};
    if (m == "round_prefer_ceil")
      return {double(ratio < 0.5), double(ratio >= 0.5)};
    if (m == "floor")
      return {1, 0};
    if (m == "ceil")
      return {0, 1};
    fail("resize", "unknown nearest_mode '" + m + "'");
  }
  if (p.mode == "linear")
    return {1 - ratio, ratio};
  if (p.mode == "cubic") {
    const double a = p.cubicA, r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1, ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  fail("resize", "unknown mode '" + p.mode + "'");
}

std::vector<ResizeTaps> axisTaps(const ResizeParams &p, size_t axis, int64_t in, int64_t outLen) {
  const double scale = p.scales[axis];
  if (!(scale > 0))
    fail("resize", "scale " + std::to_string(scale) + " along axis " + std::to_string(axis) +
                       " is not positive");
  std::vector<ResizeTaps> taps(static_cast<size_t>(outLen));
  for (int64_t j = 0; j < outLen; ++j) {
    ResizeTaps &t = taps[static_cast<size_t>(j)];
    bool outside = false;
    const double s = sourceCoordinate(p, axis, static_cast<double>(j), in, scale, outside);
    if (outside) {
      t.extrapolate = true;
      continue;
    }
    const double fl = std::floor(s);
    const double ratio = s == fl ? 1.0 : s - fl; // in (0, 1]: the left neighbour is preferred
    std::vector<double> w = coefficients(p, ratio);
    const int64_t n = static_cast<int64_t>(w.size());
    // The n positions nearest to s (ties to the lower one), in order: for ratio r the first
    // is floor(s) - n/2 + 1, or with r = 1 (s an integer) floor(s) - n/2.
    const int64_t first = static_cast<int64_t>(fl) - n / 2 + (ratio == 1.0 ? 0 : 1);
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = first + k;
      if (p.excludeOutside && (i < 0 || i >= in))
        w[static_cast<size_t>(k)] = 0;
      sum += w[static_cast<size_t>(k)];
      t.index.push_back(std::clamp<int64_t>(i, 0, in - 1)); // edges repeat
    }
    if (p.excludeOutside && sum != 0)
      for (double &v : w)
        v /= sum;
    t.weight = std::move(w);
  }
  return taps;
}

} // namespace

std::vector<ResizeAxis> resizeAxes(const Tensor &x, const ResizeParams &p, const Tensor &y) {
  const char *kn = "resize";
  detail::requireData(kn, "X", x);
  detail::requireDType(kn, "Y", y, x.dtype());
  if (x.dtype() != DType::F32 && x.dtype() != DType::F64)
    fail(kn, std::string("takes float32 and float64, got ") + dtypeName(x.dtype()));
  const size_t rank = x.shape().size();
  if (y.shape().size() != rank || p.scales.size() != rank ||
      (p.coordinates == "tf_crop_and_resize" && p.roi.size() != 2 * rank))
    fail(kn, "scales, roi and Y do not match X " + shapeToString(x.shape()));
  std::vector<ResizeAxis> axes;
  for (size_t a = 0; a < rank; ++a) {
    const int64_t in = x.dim(static_cast<int64_t>(a)), out = y.dim(static_cast<int64_t>(a));
    if (in == out && p.scales[a] == 1.0 && p.coordinates != "tf_crop_and_resize")
      continue;
    if (in == 0 && out > 0)
      fail(kn, "cannot resize an empty axis " + std::to_string(a));
    axes.push_back({a, in, out, axisTaps(p, a, in, out)});
  }
  return axes;
}

void resize(const Tensor &x, const ResizeParams &p, Tensor &y) {
  const std::vector<ResizeAxis> axes = resizeAxes(x, p, y);
  // Work in float64, axis after axis.
  Shape shape = x.shape();
  std::vector<double> cur(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i)
    cur[static_cast<size_t>(i)] =
        x.dtype() == DType::F32 ? x.data<float>()[i] : x.data<double>()[i];
  for (const ResizeAxis &r : axes) {
    const int64_t in = r.in, out = r.out;
    int64_t outer = 1, inner = 1;
    for (size_t b = 0; b < r.axis; ++b)
      outer *= shape[b];
    for (size_t b = r.axis + 1; b < shape.size(); ++b)
      inner *= shape[b];
    std::vector<double> next(static_cast<size_t>(outer * out * inner));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < out; ++j) {
        const ResizeTaps &t = r.taps[static_cast<size_t>(j)];
        double *dst = next.data() + (o * out + j) * inner;
        if (t.extrapolate) {
          std::fill(dst, dst + inner, p.extrapolation);
          continue;
        }
        for (size_t k = 0; k < t.index.size(); ++k) {
          const double w = t.weight[k];
          if (w == 0)
            continue;
          const double *src = cur.data() + (o * in + t.index[k]) * inner;
          for (int64_t i = 0; i < inner; ++i)
            dst[i] += w * src[i];
        }
      }
    cur = std::move(next);
    shape[r.axis] = out;
  }
  detail::requireShape("resize", "Y", y, shape);
  for (int64_t i = 0; i < y.numel(); ++i) {
    if (y.dtype() == DType::F32)
      y.data<float>()[i] = static_cast<float>(cur[static_cast<size_t>(i)]);
    else
      y.data<double>()[i] = cur[static_cast<size_t>(i)];
  }
}

} // namespace cimlir::cpu
