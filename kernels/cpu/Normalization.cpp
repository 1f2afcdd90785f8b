#include "kernels/cpu/Normalization.h"

#include "kernels/cpu/BatchNormMultiplier.h"
#include "kernels/cpu/Check.h"
#include "kernels/cpu/Layout.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cpu {

using detail::fail;
using detail::requireDType;
using detail::requireShape;

std::vector<float> batchNormMultipliers(const Tensor &scale, const Tensor &var, float epsilon) {
  const char *kn = "batchNorm";
  requireDType(kn, "scale", scale, DType::F32);
  requireDType(kn, "var", var, DType::F32);
  requireShape(kn, "var", var, scale.shape());
  // Only scale / sqrt(var + eps) is folded (in double); X - mean stays a separate step
  // because folding the mean into the bias cancels badly when |mean| >> |X - mean|.
  std::vector<float> mul(static_cast<size_t>(scale.numel()));
  const float *sv = scale.data<float>(), *vv = var.data<float>();
  for (size_t i = 0; i < mul.size(); ++i)
    mul[i] = batchNormMultiplier(sv[i], vv[i], epsilon);
  return mul;
}

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

  const std::vector<float> mul = batchNormMultipliers(scale, var, epsilon);
  const float *bv = bias.data<float>(), *mv = mean.data<float>();

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

namespace {

/// LogSoftmax and Hardmax, one line of `len` elements `stride` apart at a time.
void softmaxLines(const float *xv, float *yv, int64_t outer, int64_t len, int64_t inner,
                  SoftmaxKind kind) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float *src = xv + o * len * inner + i;
      float *dst = yv + o * len * inner + i;
      int64_t at = 0;
      for (int64_t l = 1; l < len; ++l)
        if (src[l * inner] > src[at * inner])
          at = l;
      const float mx = src[at * inner];
      if (kind == SoftmaxKind::Hardmax) {
        for (int64_t l = 0; l < len; ++l)
          dst[l * inner] = l == at ? 1.0f : 0.0f;
        continue;
      }
      double total = 0;
      for (int64_t l = 0; l < len; ++l)
        total += std::exp(static_cast<double>(src[l * inner]) - mx);
      const double logTotal = std::log(total);
      for (int64_t l = 0; l < len; ++l)
        dst[l * inner] = static_cast<float>(static_cast<double>(src[l * inner]) - mx - logTotal);
    }
}

} // namespace

void softmax(const Tensor &x, int64_t axis, Tensor &y, SoftmaxKind kind) {
  const char *kn = kind == SoftmaxKind::Softmax      ? "softmax"
                   : kind == SoftmaxKind::LogSoftmax ? "logSoftmax"
                                                     : "hardmax";
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
  if (kind != SoftmaxKind::Softmax)
    return softmaxLines(xv, yv, outer, len, inner, kind);
  if (inner == 1) {
    // The last axis (the classifier case): each softmax is one contiguous row.
    for (int64_t o = 0; o < outer; ++o) {
      const float *src = xv + o * len;
      float *dst = yv + o * len;
      float mx = *std::max_element(src, src + len);
      // The sum in float64: a float32 running sum over a 18k-token vocabulary drifts by 1e-4.
      double total = 0;
      for (int64_t l = 0; l < len; ++l) {
        dst[l] = std::exp(src[l] - mx);
        total += dst[l];
      }
      for (int64_t l = 0; l < len; ++l)
        dst[l] = static_cast<float>(dst[l] / total);
    }
    return;
  }
  // The reduction walks `inner` independent softmaxes side by side, so every pass reads
  // whole contiguous rows instead of striding by `inner` through memory.
  std::vector<float> maxv(static_cast<size_t>(inner));
  std::vector<double> sum(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    const float *src = xv + o * len * inner;
    float *dst = yv + o * len * inner;
    std::fill(maxv.begin(), maxv.end(), -std::numeric_limits<float>::infinity());
    std::fill(sum.begin(), sum.end(), 0.0);
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
        dst[l * inner + i] = static_cast<float>(dst[l * inner + i] / sum[i]);
  }
}

namespace {
/// The mean of `len` values and 1 / sqrt(their population variance + epsilon), in float64
/// (two passes: the variance of values far from zero does not cancel).
std::pair<double, double> meanAndInvStdDev(const float *v, int64_t len, float epsilon) {
  double sum = 0, squares = 0;
  for (int64_t i = 0; i < len; ++i)
    sum += v[i];
  const double mu = len ? sum / static_cast<double>(len) : 0;
  for (int64_t i = 0; i < len; ++i)
    squares += (v[i] - mu) * (v[i] - mu);
  return {mu, 1.0 / std::sqrt((len ? squares / static_cast<double>(len) : 0) + epsilon)};
}
} // namespace

void checkLayerNormParameter(const char *what, const Tensor &t, const Shape &normalised) {
  const char *kn = "layerNorm";
  requireDType(kn, what, t, DType::F32);
  Shape out;
  if (!detail::broadcastShapes(t.shape(), normalised, out) || out != normalised)
    fail(kn, std::string(what) + " " + shapeToString(t.shape()) +
                 " does not broadcast to the normalised axes " + shapeToString(normalised));
}

void layerNorm(const Tensor &x, const Tensor &scale, const Tensor *bias, int64_t axis,
               float epsilon, Tensor &y, Tensor *mean, Tensor *invStdDev) {
  const char *kn = "layerNorm";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  requireShape(kn, "Y", y, x.shape());
  if (axis < 0 || axis >= x.rank())
    fail(kn, "axis " + std::to_string(axis) + " is outside X " + shapeToString(x.shape()));
  const Shape normalised(x.shape().begin() + axis, x.shape().end());
  Shape stats(x.shape().begin(), x.shape().begin() + axis);
  stats.resize(static_cast<size_t>(x.rank()), 1);
  int64_t rows = 1, len = 1;
  for (int64_t a = 0; a < axis; ++a)
    rows *= x.dim(a);
  for (int64_t d : normalised)
    len *= d;
  // Scale and bias broadcast to the normalised axes, element by element.
  auto spread = [&](const Tensor &t, const char *what) {
    checkLayerNormParameter(what, t, normalised);
    Tensor full = Tensor::allocate(DType::F32, normalised);
    expand(t, full);
    return full;
  };
  const Tensor s = spread(scale, "scale");
  const Tensor b = bias ? spread(*bias, "B") : Tensor::allocate(DType::F32, normalised);
  for (Tensor *t : {mean, invStdDev})
    if (t) {
      requireDType(kn, "a statistics output", *t, DType::F32);
      requireShape(kn, "a statistics output", *t, stats);
    }
  const float *xv = x.data<float>(), *sv = s.data<float>(), *bv = b.data<float>();
  float *yv = y.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float *src = xv + r * len;
    const auto [mu, inv] = meanAndInvStdDev(src, len, epsilon);
    for (int64_t i = 0; i < len; ++i)
      yv[r * len + i] = static_cast<float>((src[i] - mu) * inv * sv[i] + bv[i]);
    if (mean)
      mean->data<float>()[r] = static_cast<float>(mu);
    if (invStdDev)
      invStdDev->data<float>()[r] = static_cast<float>(inv);
  }
}

void instanceNorm(const Tensor &x, const Tensor &scale, const Tensor &bias, float epsilon,
                  Tensor &y) {
  const char *kn = "instanceNorm";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  if (x.rank() < 3)
    fail(kn, "X " + shapeToString(x.shape()) + " must be [N, C, D1, ...]");
  requireShape(kn, "Y", y, x.shape());
  const int64_t n = x.dim(0), c = x.dim(1), len = n && c ? x.numel() / (n * c) : 0;
  requireDType(kn, "scale", scale, DType::F32);
  requireShape(kn, "scale", scale, {c});
  requireDType(kn, "B", bias, DType::F32);
  requireShape(kn, "B", bias, {c});
  const float *xv = x.data<float>();
  float *yv = y.data<float>();
  for (int64_t i = 0; i < n * c; ++i) {
    const float *src = xv + i * len;
    const auto [mu, inv] = meanAndInvStdDev(src, len, epsilon);
    const double a = scale.data<float>()[i % c] * inv, b = bias.data<float>()[i % c];
    for (int64_t j = 0; j < len; ++j)
      yv[i * len + j] = static_cast<float>((src[j] - mu) * a + b);
  }
}

void lrn(const Tensor &x, int64_t size, float alpha, float beta, float bias, Tensor &y) {
  const char *kn = "lrn";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  if (x.rank() < 3)
    fail(kn, "X " + shapeToString(x.shape()) + " must be [N, C, D1, ...]");
  if (size < 1)
    fail(kn, "size " + std::to_string(size) + " must be >= 1");
  requireShape(kn, "Y", y, x.shape());
  const int64_t n = x.dim(0), c = x.dim(1), len = n && c ? x.numel() / (n * c) : 0;
  // The window of channel ch: [ch - floor((size - 1) / 2), ch + ceil((size - 1) / 2)].
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  const float *xv = x.data<float>();
  float *yv = y.data<float>();
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t j = 0; j < len; ++j) {
        double squares = 0;
        for (int64_t k = std::max<int64_t>(0, ch - before); k <= std::min(c - 1, ch + after); ++k) {
          const double v = xv[(img * c + k) * len + j];
          squares += v * v;
        }
        const double denom =
            std::pow(static_cast<double>(bias) + alpha / static_cast<double>(size) * squares, beta);
        yv[(img * c + ch) * len + j] = static_cast<float>(xv[(img * c + ch) * len + j] / denom);
      }
}

} // namespace cimlir::cpu
