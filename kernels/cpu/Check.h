// cimlir CPU kernels: argument checks shared by the kernel sources (internal header).
//
// Kernels trust nothing they are handed: a plan written by a buggy pass must end in a
// cimlir::Error naming the kernel and the operand, never in an out-of-bounds read.
#pragma once

#include "core/Error.h"
#include "core/Tensor.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cimlir::cpu::detail {

[[noreturn]] inline void fail(const char *kernel, const std::string &message) {
  throw Error(std::string(kernel) + ": " + message);
}

/// Storage present (an empty tensor may have none) and no negative (unbound) extent.
inline void requireData(const char *kernel, const char *what, const Tensor &t) {
  for (int64_t d : t.shape())
    if (d < 0)
      fail(kernel, std::string(what) + " has unbound shape " + shapeToString(t.shape()));
  if (!t.defined())
    fail(kernel, std::string(what) + " has no storage");
}

inline void requireDType(const char *kernel, const char *what, const Tensor &t, DType want) {
  if (t.dtype() != want)
    fail(kernel,
         std::string(what) + " is " + dtypeName(t.dtype()) + ", expected " + dtypeName(want));
  requireData(kernel, what, t);
}

inline void requireShape(const char *kernel, const char *what, const Tensor &t, const Shape &want) {
  if (t.shape() != want)
    fail(kernel, std::string(what) + " has shape " + shapeToString(t.shape()) + ", expected " +
                     shapeToString(want));
}

/// An attribute list with one entry per spatial axis; empty means the ONNX default.
inline std::vector<int64_t> perAxis(const char *kernel, const char *what,
                                    const std::vector<int64_t> &v, size_t count,
                                    int64_t defaultValue, int64_t minValue) {
  if (v.empty())
    return std::vector<int64_t>(count, defaultValue);
  if (v.size() != count)
    fail(kernel, std::string(what) + " has " + std::to_string(v.size()) + " entries, expected " +
                     std::to_string(count));
  for (int64_t e : v)
    if (e < minValue)
      fail(kernel, std::string(what) + " entry " + std::to_string(e) + " is below " +
                       std::to_string(minValue));
  return v;
}

/// NumPy (multidirectional) broadcast of two shapes; false when they are incompatible.
inline bool broadcastShapes(const Shape &a, const Shape &b, Shape &out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return false;
    out[i] = da == 1 ? db : da;
  }
  return true;
}

/// BLAS takes 32-bit extents; larger ones must be refused rather than truncated.
inline int blasInt(const char *kernel, int64_t v) {
  if (v < 0 || v > std::numeric_limits<int>::max())
    fail(kernel, "extent " + std::to_string(v) + " does not fit BLAS's 32-bit int");
  return static_cast<int>(v);
}

} // namespace cimlir::cpu::detail
