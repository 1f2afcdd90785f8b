#include "kernels/cpu/Normalization.h"

#include "kernels/cpu/Check.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cpu {

using detail::fail;
using detail::requireDType;
using detail::requireShape;

void batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias, const Tensor &mean,
               const Tensor &var, float epsilon, Tensor &y) {
  const char *kn = "batchNorm";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  if (x.rank() < 2)
    fail(kn, "X " + shapeToString(x.shape()) + " must be [N, C, ...]");
  requireShape(kn, "Y", y, x.shape());
  int64_t c = x.dim(1);
  const struct {
    const char *name;
    const Tensor &t;
  } params[] = {{"scale", scale}, {"B", bias}, {"mean", mean}, {"var", var}};
  for (const auto &p : params) {
    requireDType(kn, p.name, p.t, DType::F32);
    requireShape(kn, p.name, p.t, {c});
  }

  // Only scale / sqrt(var + eps) is folded (in double); X - mean stays a separate step
  // because folding the mean into the bias cancels badly when |mean| >> |X - mean|.
  std::vector<float> mul(static_cast<size_t>(c));
  const float *sv = scale.data<float>(), *bv = bias.data<float>(), *mv = mean.data<float>();
  const float *vv = var.data<float>();
  for (int64_t i = 0; i < c; ++i)
    mul[i] = static_cast<float>(static_cast<double>(sv[i]) /
                                std::sqrt(static_cast<double>(vv[i]) + epsilon));

  int64_t n = x.dim(0);
  int64_t inner = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
  const float *xv = x.data<float>();
  float *yv = y.data<float>();
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float *src = xv + (img * c + ch) * inner;
      float *dst = yv + (img * c + ch) * inner;
      float mu = mv[ch], a = mul[ch], b = bv[ch];
      for (int64_t i = 0; i < inner; ++i)
        dst[i] = (src[i] - mu) * a + b;
    }
}

void softmax(const Tensor &x, int64_t axis, Tensor &y) {
  const char *kn = "softmax";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  requireShape(kn, "Y", y, x.shape());
  if (axis < 0 || axis >= x.rank())
    fail(kn, "axis " + std::to_string(axis) + " is outside X " + shapeToString(x.shape()));

  int64_t outer = 1, len = x.dim(axis), inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= x.dim(i);
  for (int64_t i = axis + 1; i < x.rank(); ++i)
    inner *= x.dim(i);
  if (outer == 0 || len == 0 || inner == 0)
    return;

  const float *xv = x.data<float>();
  float *yv = y.data<float>();
  if (inner == 1) {
    // The last axis (the classifier case): each softmax is one contiguous row.
    for (int64_t o = 0; o < outer; ++o) {
      const float *src = xv + o * len;
      float *dst = yv + o * len;
      float mx = *std::max_element(src, src + len);
      float total = 0.0f;
      for (int64_t l = 0; l < len; ++l) {
        dst[l] = std::exp(src[l] - mx);
        total += dst[l];
      }
      for (int64_t l = 0; l < len; ++l)
        dst[l] /= total;
    }
    return;
  }
  // The reduction walks `inner` independent softmaxes side by side, so every pass reads
  // whole contiguous rows instead of striding by `inner` through memory.
  std::vector<float> maxv(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    const float *src = xv + o * len * inner;
    float *dst = yv + o * len * inner;
    std::fill(maxv.begin(), maxv.end(), -std::numeric_limits<float>::infinity());
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int64_t l = 0; l < len; ++l)
      for (int64_t i = 0; i < inner; ++i)
        maxv[i] = std::max(maxv[i], src[l * inner + i]);
    for (int64_t l = 0; l < len; ++l)
      for (int64_t i = 0; i < inner; ++i) {
        float e = std::exp(src[l * inner + i] - maxv[i]);
        dst[l * inner + i] = e;
        sum[i] += e;
      }
    for (int64_t l = 0; l < len; ++l)
      for (int64_t i = 0; i < inner; ++i)
        dst[l * inner + i] /= sum[i];
  }
}

} // namespace cimlir::cpu
