// cimlir core: sizes and sliding windows computed from shapes that come from files (models,
// plans), without overflow. Shape inference, the importer, the plan reader and every kernel's
// checks use these, so a shape that cannot be computed is one clear error wherever it shows
// up, never a wrapped-around number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// a + b and a · b, or nothing when the result does not fit int64.
inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out))
    return std::nullopt;
  return out;
}
inline std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_mul_overflow(a, b, &out))
    return std::nullopt;
  return out;
}

/// The most bytes one tensor may hold: 2^48 (256 TiB), far above any model's tensors and far
/// below where sizes overflow, so that a size a file claims is refused before anything is
/// planned for it.
inline constexpr int64_t kMaxTensorBytes = int64_t(1) << 48;

/// What is wrong with a tensor of `shape` (no batch dimension left: bind it first) and
/// items of `itemSize` bytes, or "" when nothing is: a negative dimension, or more than
/// kMaxTensorBytes ("has 2^64 or more elements", "holds 2^50 bytes, more than the 2^48 a
/// tensor may have").
std::string tensorSizeProblem(const std::vector<int64_t> &shape, size_t itemSize);

/// The extent (kernel − 1)·dilation + 1 of a window, or nothing when it does not fit int64
/// (kernel and dilation >= 1).
inline std::optional<int64_t> windowExtent(int64_t kernel, int64_t dilation) {
  std::optional<int64_t> span = checkedMul(kernel - 1, dilation);
  return span ? checkedAdd(*span, 1) : std::nullopt;
}

/// One spatial axis of a sliding window (Conv, MaxPool, AveragePool; cim-numerics.md §0).
struct WindowAxis {
  int64_t in = 0, kernel = 1, stride = 1, dilation = 1, padBegin = 0, padEnd = 0;
};

/// How a window fits its axis: its extent (kernel − 1)·dilation + 1, the room (padded input
/// − extent) and the output sizes floor(room / stride) + 1 and ceil(room / stride) + 1.
struct WindowFit {
  int64_t extent = 0, room = 0, floorOut = 0, ceilOut = 0;
};

/// The fit of `axis` in `fit`, or why there is none ("" when it fits): kernel, stride and
/// dilation >= 1, pads >= 0 and in >= 0; an extent and a padded input that fit int64; an
/// extent no larger than the padded input. The text completes "window ...": "of extent 9
/// does not fit an input of 8 with pads 0+0".
std::string fitWindow(const WindowAxis &axis, WindowFit &fit);

/// The elements ONNX Slice takes along an axis of `dim`: first, first + step, ... (count of
/// them). Negative start and end count from the end; both are clamped into the axis as
/// ONNX says ([0, dim] for a positive step, [-1, dim - 1] for a negative one), so any
/// int64 start and end give a valid range. `step` must not be 0.
struct SliceRange {
  int64_t first = 0;
  int64_t count = 0;
};
SliceRange sliceRange(int64_t dim, int64_t start, int64_t end, int64_t step);

} // namespace cimlir
