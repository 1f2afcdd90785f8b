#include "kernels/cpu/cim/Quantization.h"

#include <algorithm>

namespace cimlir::cpu::cim {

PercentileRank percentileRank(int64_t n, double p) {
  const double h = static_cast<double>(n - 1) * (p / 100.0);
  if (h >= static_cast<double>(n - 1)) // numpy clamps to the last value
    return {n - 1, 0.0};
  if (!(h > 0.0))
    return {0, 0.0};
  const int64_t lower = static_cast<int64_t>(std::floor(h));
  return {lower, h - static_cast<double>(lower)};
}

float interpolatePercentile(double lower, double upper, double g) {
  const double diff = upper - lower;
  return static_cast<float>(g >= 0.5 ? upper - diff * (1.0 - g) : lower + diff * g);
}

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
  const float s = params.inputs.scale == InputScaleMode::Static
                      ? params.inputs.staticScale
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

} // namespace cimlir::cpu::cim
