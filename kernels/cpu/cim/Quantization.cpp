#include "kernels/cpu/cim/Quantization.h"

#include <algorithm>

namespace cimlir::cpu::cim {

float percentileInPlace(std::vector<float> &values, double p) {
  int64_t n = static_cast<int64_t>(values.size());
  if (n == 0)
    return 0.0f;
  double h = static_cast<double>(n - 1) * (p / 100.0);
  if (h >= static_cast<double>(n - 1)) // numpy clamps to the last value
    return *std::max_element(values.begin(), values.end());
  if (h < 0.0)
    h = 0.0;
  int64_t lo = static_cast<int64_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  double below = values[lo];
  // The next order statistic is the smallest value after position lo.
  double above = *std::min_element(values.begin() + lo + 1, values.end());
  double g = h - static_cast<double>(lo);
  double diff = above - below;
  double result = g >= 0.5 ? above - diff * (1.0 - g) : below + diff * g;
  return static_cast<float>(result);
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

} // namespace cimlir::cpu::cim
