// cimlir CIM kernels: the percentile rule of cim-numerics.md §1 (clips of weights and inputs,
// calibrated full scales), written once for the host and the GPU: where the p-th percentile of
// n sorted values lies, and the interpolation between its two order statistics.
#pragma once

#include "core/HostDevice.h"

#include <cmath>
#include <cstdint>

namespace cimlir::cim {

/// Where the p-th percentile of n sorted values lies (the rule of §1): between the order
/// statistics `lower` and lower + 1 at fraction `g` (g = 0 when h reaches the last value).
/// n >= 1.
struct PercentileRank {
  int64_t lower = 0;
  double g = 0.0;
};

inline PercentileRank percentileRank(int64_t n, double p) {
  const double h = static_cast<double>(n - 1) * (p / 100.0);
  if (h >= static_cast<double>(n - 1)) // numpy clamps to the last value
    return {n - 1, 0.0};
  if (!(h > 0.0))
    return {0, 0.0};
  const int64_t lower = static_cast<int64_t>(std::floor(h));
  return {lower, h - static_cast<double>(lower)};
}

/// v_lower + g·(v_upper - v_lower) evaluated as numpy does (percentileInPlace, Quantization.h),
/// rounded to float32. (The GPU compiles it without FMA contraction, as all of its CIM kernels.)
CIMLIR_HOST_DEVICE inline float interpolatePercentile(double lower, double upper, double g) {
  const double diff = upper - lower;
  return static_cast<float>(g >= 0.5 ? upper - diff * (1.0 - g) : lower + diff * g);
}

} // namespace cimlir::cim
