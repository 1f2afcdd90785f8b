#include "kernels/cim/Quantization.h"

#include "core/Error.h"

#include <algorithm>
#include <string>

namespace cimlir::cim {

namespace {

[[noreturn]] void failWeights(const std::string &message) {
  throw Error("cim weight programming: " + message);
}

} // namespace

float percentileInPlace(std::vector<float> &values, double p) {
  const int64_t n = static_cast<int64_t>(values.size());
  if (n == 0)
    return 0.0f;
  const PercentileRank rank = percentileRank(n, p);
  if (rank.lower == n - 1)
    return *std::max_element(values.begin(), values.end());
  std::nth_element(values.begin(), values.begin() + rank.lower, values.end());
  // The next order statistic is the smallest value after position lower.
  const double upper = *std::min_element(values.begin() + rank.lower + 1, values.end());
  return interpolatePercentile(values[rank.lower], upper, rank.g);
}

float clipValue(const float *values, int64_t count, int64_t stride, double percentile) {
  if (percentile >= 100.0) {
    float m = 0.0f;
    for (int64_t i = 0; i < count; ++i)
      m = std::max(m, std::fabs(values[i * stride]));
    return m;
  }
  std::vector<float> mags(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    mags[i] = std::fabs(values[i * stride]);
  return percentileInPlace(mags, percentile);
}

float quantizeInputRow(const float *x, int64_t K, const CimParams &params, int16_t *analog,
                       int32_t *residual) {
  const int32_t qmaxX = symmetricQmax(params.inputs.bits);
  const int h = params.inputs.hybridAnalogBits;
  const int32_t qmaxAnalog = h ? symmetricQmax(h) : qmaxX;
  const float s = params.inputs.scale == InputScale::Static
                      ? params.staticScale
                      : symmetricScale(clipValue(x, K, 1, params.inputs.clipPercentile), qmaxX);
  for (int64_t k = 0; k < K; ++k) {
    const int32_t xq = quantizeSymmetric(x[k], s, qmaxX);
    const int32_t l = std::clamp(xq, -qmaxAnalog, qmaxAnalog);
    analog[k] = static_cast<int16_t>(l);
    if (residual)
      residual[k] = xq - l;
  }
  return s;
}

QuantizedWeights quantizeWeights(const Tensor &w, const CimParams &params) {
  validateCimParams(params);
  if (w.dtype() != DType::F32 || w.rank() != 2 || !w.defined())
    failWeights("W must be a float32 matrix [K,N], got " + std::string(dtypeName(w.dtype())) + " " +
                shapeToString(w.shape()));
  const int64_t K = w.dim(0), N = w.dim(1);
  const float *wv = w.data<float>();
  for (int64_t i = 0; i < K * N; ++i)
    if (!std::isfinite(wv[i]))
      failWeights("W[" + std::to_string(i / N) + "," + std::to_string(i % N) + "] is not finite");

  QuantizedWeights q;
  q.bits = params.weights.bits;
  q.granularity = params.weights.granularity;
  const int32_t qmax = symmetricQmax(q.bits);
  const double p = params.weights.clipPercentile;
  if (q.granularity == WeightGranularity::PerTensor) {
    q.scales.assign(1, symmetricScale(clipValue(wv, K * N, 1, p), qmax));
  } else {
    q.scales.resize(static_cast<size_t>(N));
    for (int64_t n = 0; n < N; ++n)
      q.scales[n] = symmetricScale(clipValue(wv + n, K, N, p), qmax);
  }
  q.levels = Tensor::allocate(q.bits <= 8 ? DType::I8 : DType::I16, {K, N});
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) {
      int32_t v = quantizeSymmetric(wv[k * N + n], q.scale(n), qmax);
      if (q.bits <= 8)
        q.levels.data<int8_t>()[k * N + n] = static_cast<int8_t>(v);
      else
        q.levels.data<int16_t>()[k * N + n] = static_cast<int16_t>(v);
    }
  return q;
}

} // namespace cimlir::cim
