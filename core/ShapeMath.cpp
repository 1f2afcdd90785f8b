#include "core/ShapeMath.h"

#include <algorithm>

namespace cimlir {

std::string tensorSizeProblem(const std::vector<int64_t> &shape, size_t itemSize) {
  for (int64_t d : shape)
    if (d < 0)
      return "has a negative dimension " + std::to_string(d);
  for (int64_t d : shape)
    if (d == 0)
      return ""; // holds nothing, whatever the other dimensions multiply to
  int64_t count = 1;
  for (int64_t d : shape) {
    std::optional<int64_t> next = checkedMul(count, d);
    if (!next)
      return "has 2^63 or more elements";
    count = *next;
  }
  std::optional<int64_t> bytes = checkedMul(count, static_cast<int64_t>(itemSize));
  if (!bytes || *bytes > kMaxTensorBytes)
    return "has " + std::to_string(count) + " elements of " + std::to_string(itemSize) +
           " bytes, more than the 2^48 bytes a tensor may hold";
  return "";
}

std::string fitWindow(const WindowAxis &a, WindowFit &fit) {
  if (a.kernel < 1 || a.stride < 1 || a.dilation < 1 || a.padBegin < 0 || a.padEnd < 0 || a.in < 0)
    return "needs kernel, stride and dilation >= 1 and pads >= 0 (kernel " +
           std::to_string(a.kernel) + ", stride " + std::to_string(a.stride) + ", dilation " +
           std::to_string(a.dilation) + ", pads " + std::to_string(a.padBegin) + "+" +
           std::to_string(a.padEnd) + ")";
  const std::optional<int64_t> span = windowExtent(a.kernel, a.dilation);
  std::optional<int64_t> padded = checkedAdd(a.in, a.padBegin);
  if (padded)
    padded = checkedAdd(*padded, a.padEnd);
  if (!span || !padded)
    return "of kernel " + std::to_string(a.kernel) + " and dilation " + std::to_string(a.dilation) +
           " over an input of " + std::to_string(a.in) + " with pads " +
           std::to_string(a.padBegin) + "+" + std::to_string(a.padEnd) + " overflows int64";
  if (*span > *padded)
    return "of extent " + std::to_string(*span) + " does not fit an input of " +
           std::to_string(a.in) + " with pads " + std::to_string(a.padBegin) + "+" +
           std::to_string(a.padEnd);
  fit.extent = *span;
  fit.room = *padded - *span;
  fit.floorOut = fit.room / a.stride + 1;
  fit.ceilOut = fit.floorOut + (fit.room % a.stride != 0 ? 1 : 0);
  return "";
}

SliceRange sliceRange(int64_t dim, int64_t start, int64_t end, int64_t step) {
  // In __int128, so that start + dim and end - start cannot overflow for any int64 input.
  using Wide = __int128;
  if (dim <= 0 || step == 0)
    return {};
  Wide s = start, e = end;
  if (s < 0)
    s += dim;
  if (e < 0)
    e += dim;
  if (step > 0) {
    s = std::clamp<Wide>(s, 0, dim);
    e = std::clamp<Wide>(e, 0, dim);
  } else {
    s = std::clamp<Wide>(s, 0, dim - 1);
    e = std::clamp<Wide>(e, -1, dim - 1);
  }
  const Wide span = e - s;
  Wide count = step > 0 ? (span + step - 1) / step : (span + step + 1) / step;
  if (count < 0)
    count = 0;
  return {static_cast<int64_t>(s), static_cast<int64_t>(count)};
}

} // namespace cimlir
