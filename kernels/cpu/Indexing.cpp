#include "kernels/cpu/Indexing.h"

#include "kernels/cpu/Check.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace cimlir::cpu {

using detail::fail;

namespace {

/// The indices as int64, each made non-negative against `dim`; an Error for one out of range.
std::vector<int64_t> readIndices(const char *kn, const Tensor &indices, int64_t dim) {
  detail::requireData(kn, "indices", indices);
  std::vector<int64_t> out(static_cast<size_t>(indices.numel()));
  for (int64_t i = 0; i < indices.numel(); ++i) {
    int64_t v = 0;
    if (indices.dtype() == DType::I64)
      v = indices.data<int64_t>()[i];
    else if (indices.dtype() == DType::I32)
      v = indices.data<int32_t>()[i];
    else
      fail(kn, std::string("indices must be int32 or int64, got ") + dtypeName(indices.dtype()));
    if (v < -dim || v >= dim)
      fail(kn,
           "index " + std::to_string(v) + " is out of range for an axis of " + std::to_string(dim));
    out[static_cast<size_t>(i)] = v < 0 ? v + dim : v;
  }
  return out;
}

/// Row-major strides in elements.
std::vector<int64_t> stridesOf(const Shape &s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t a = s.size(); a-- > 1;)
    st[a - 1] = st[a] * s[a];
  return st;
}

/// The offset in a tensor of `shape` (strides `st`) of the element at the indices' flat
/// position `flat` (indices of shape `is`), with its `axis` coordinate replaced by `at`.
int64_t offsetWith(int64_t flat, const Shape &is, const std::vector<int64_t> &st, int64_t axis,
                   int64_t at) {
  int64_t off = 0;
  for (size_t a = is.size(); a-- > 0;) {
    const int64_t coord = flat % is[a];
    flat /= is[a];
    off += (static_cast<int64_t>(a) == axis ? at : coord) * st[a];
  }
  return off;
}

void checkElementsShapes(const char *kn, const Tensor &x, const Tensor &indices, int64_t axis) {
  detail::requireData(kn, "X", x);
  if (axis < 0 || axis >= x.rank())
    fail(kn, "axis " + std::to_string(axis) + " is out of range for X " + shapeToString(x.shape()));
  if (indices.rank() != x.rank())
    fail(kn, "indices " + shapeToString(indices.shape()) + " and X " + shapeToString(x.shape()) +
                 " differ in rank");
  for (int64_t a = 0; a < x.rank(); ++a)
    if (a != axis && indices.dim(a) > x.dim(a))
      fail(kn, "indices " + shapeToString(indices.shape()) + " exceed X " +
                   shapeToString(x.shape()) + " along axis " + std::to_string(a));
}

template <typename T>
void updateTyped(const std::vector<int64_t> &offsets, int64_t slice, const Tensor &updates,
                 ScatterReduction r, Tensor &y) {
  for (size_t t = 0; t < offsets.size(); ++t)
    for (int64_t i = 0; i < slice; ++i) {
      T &dst = y.data<T>()[offsets[t] + i];
      dst = scatterCombine(r, dst, updates.data<T>()[static_cast<int64_t>(t) * slice + i]);
    }
}

/// Y (a copy of X) with update slice t, of `slice` elements, combined into the elements from
/// offsets[t] on, in order: ScatterElements (slices of one element) and ScatterND.
void applyUpdates(const char *kn, const Tensor &x, const std::vector<int64_t> &offsets,
                  int64_t slice, const Tensor &updates, ScatterReduction reduction, Tensor &y) {
  if (x.numel())
    std::memcpy(y.raw(), x.raw(), x.byteSize());
  if (reduction == ScatterReduction::None) { // bytes: any dtype
    const size_t es = dtypeSize(x.dtype());
    for (size_t t = 0; t < offsets.size(); ++t)
      std::memcpy(static_cast<unsigned char *>(y.raw()) + offsets[t] * static_cast<int64_t>(es),
                  static_cast<const unsigned char *>(updates.raw()) + t * slice * es,
                  static_cast<size_t>(slice) * es);
    return;
  }
  switch (x.dtype()) {
  case DType::F32:
    return updateTyped<float>(offsets, slice, updates, reduction, y);
  case DType::F64:
    return updateTyped<double>(offsets, slice, updates, reduction, y);
  case DType::I32:
    return updateTyped<int32_t>(offsets, slice, updates, reduction, y);
  case DType::I64:
    return updateTyped<int64_t>(offsets, slice, updates, reduction, y);
  default:
    fail(kn, std::string("a reduction on ") + dtypeName(x.dtype()) + " is not supported");
  }
}

} // namespace

std::optional<ScatterReduction> scatterReductionNamed(const std::string &name) {
  static const std::pair<const char *, ScatterReduction> named[] = {
      {"none", ScatterReduction::None},
      {"add", ScatterReduction::Add},
      {"mul", ScatterReduction::Mul},
      {"max", ScatterReduction::Max},
      {"min", ScatterReduction::Min}};
  for (const auto &[spelling, reduction] : named)
    if (name == spelling)
      return reduction;
  return std::nullopt;
}

void checkGatherElements(const Tensor &x, const Tensor &indices, int64_t axis, const Tensor &y) {
  const char *kn = "GatherElements";
  checkElementsShapes(kn, x, indices, axis);
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, indices.shape());
}

void gatherElements(const Tensor &x, const Tensor &indices, int64_t axis, Tensor &y) {
  const char *kn = "GatherElements";
  checkGatherElements(x, indices, axis, y);
  const std::vector<int64_t> idx = readIndices(kn, indices, x.dim(axis));
  const std::vector<int64_t> st = stridesOf(x.shape());
  const size_t es = dtypeSize(x.dtype());
  const auto *src = static_cast<const unsigned char *>(x.raw());
  auto *dst = static_cast<unsigned char *>(y.raw());
  for (int64_t i = 0; i < indices.numel(); ++i)
    std::memcpy(dst + i * es,
                src + offsetWith(i, indices.shape(), st, axis, idx[static_cast<size_t>(i)]) * es,
                es);
}

void checkScatterElements(const Tensor &x, const Tensor &indices, const Tensor &updates,
                          int64_t axis, const Tensor &y) {
  const char *kn = "ScatterElements";
  checkElementsShapes(kn, x, indices, axis);
  detail::requireDType(kn, "updates", updates, x.dtype());
  detail::requireShape(kn, "updates", updates, indices.shape());
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
}

void scatterElements(const Tensor &x, const Tensor &indices, const Tensor &updates, int64_t axis,
                     ScatterReduction reduction, Tensor &y) {
  const char *kn = "ScatterElements";
  checkScatterElements(x, indices, updates, axis, y);
  const std::vector<int64_t> idx = readIndices(kn, indices, x.dim(axis));
  const std::vector<int64_t> st = stridesOf(x.shape());
  std::vector<int64_t> offsets(idx.size());
  for (int64_t i = 0; i < indices.numel(); ++i)
    offsets[static_cast<size_t>(i)] =
        offsetWith(i, indices.shape(), st, axis, idx[static_cast<size_t>(i)]);
  applyUpdates(kn, x, offsets, 1, updates, reduction, y);
}

namespace {

/// The element offsets in a tensor of `shape` of each index tuple of `indices` (its last axis
/// of m entries addressing axes [first, first + m)), tuples counted per batch of `batches`.
std::vector<int64_t> tupleOffsets(const char *kn, const Shape &shape, const Tensor &indices,
                                  int64_t first) {
  const int64_t m = indices.dim(indices.rank() - 1);
  const int64_t tuples = m ? indices.numel() / m : 0;
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t a = shape.size(); a-- > 1;)
    strides[a - 1] = strides[a] * shape[a];
  std::vector<int64_t> out(static_cast<size_t>(tuples), 0);
  for (int64_t t = 0; t < tuples; ++t)
    for (int64_t k = 0; k < m; ++k) {
      const int64_t axis = first + k;
      int64_t v = indices.dtype() == DType::I64 ? indices.data<int64_t>()[t * m + k]
                                                : indices.data<int32_t>()[t * m + k];
      const int64_t dim = shape[static_cast<size_t>(axis)];
      if (v < -dim || v >= dim)
        fail(kn, "index " + std::to_string(v) + " is out of range for an axis of " +
                     std::to_string(dim));
      out[static_cast<size_t>(t)] += (v < 0 ? v + dim : v) * strides[static_cast<size_t>(axis)];
    }
  return out;
}

void checkTupleIndices(const char *kn, const Tensor &x, const Tensor &indices, int64_t batchDims) {
  detail::requireData(kn, "X", x);
  detail::requireData(kn, "indices", indices);
  if (indices.dtype() != DType::I64 && indices.dtype() != DType::I32)
    fail(kn, std::string("indices must be int32 or int64, got ") + dtypeName(indices.dtype()));
  const int64_t m = indices.rank() ? indices.dim(indices.rank() - 1) : -1;
  if (indices.rank() < 1 || batchDims < 0 || batchDims >= indices.rank() ||
      batchDims + m > x.rank())
    fail(kn, "indices " + shapeToString(indices.shape()) + " do not fit X " +
                 shapeToString(x.shape()) + " with batch_dims " + std::to_string(batchDims));
  for (int64_t a = 0; a < batchDims; ++a)
    if (indices.dim(a) != x.dim(a))
      fail(kn, "the batch axes of indices and X differ");
}

/// The addressing of X by the tuples of `indices` (checked), sharing X's first `batchDims` axes.
TupleIndexing tupleIndexing(const Tensor &x, const Tensor &indices, int64_t batchDims) {
  TupleIndexing t;
  t.m = indices.dim(indices.rank() - 1);
  t.tuples = t.m ? indices.numel() / t.m : 0;
  for (int64_t a = 0; a < batchDims; ++a)
    t.batches *= x.dim(a);
  for (int64_t a = batchDims + t.m; a < x.rank(); ++a)
    t.slice *= x.dim(a);
  for (int64_t a = batchDims; a < x.rank(); ++a)
    t.batchSize *= x.dim(a);
  t.perBatch = t.batches ? t.tuples / t.batches : 0;
  return t;
}

} // namespace

TupleIndexing checkGatherND(const Tensor &x, const Tensor &indices, int64_t batchDims,
                            const Tensor &y) {
  const char *kn = "GatherND";
  checkTupleIndices(kn, x, indices, batchDims);
  const int64_t m = indices.dim(indices.rank() - 1);
  if (m < 1) // ONNX: indices' last extent is in [1, rank - batch_dims]
    fail(kn, "indices " + shapeToString(indices.shape()) + " index no axis of X " +
                 shapeToString(x.shape()));
  Shape want(indices.shape().begin(), indices.shape().end() - 1);
  want.insert(want.end(), x.shape().begin() + batchDims + m, x.shape().end());
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, want);
  return tupleIndexing(x, indices, batchDims);
}

void gatherND(const Tensor &x, const Tensor &indices, int64_t batchDims, Tensor &y) {
  const TupleIndexing g = checkGatherND(x, indices, batchDims, y);
  const Shape inner(x.shape().begin() + batchDims, x.shape().end());
  const std::vector<int64_t> offsets = tupleOffsets("GatherND", inner, indices, 0);
  const size_t es = dtypeSize(x.dtype());
  for (size_t t = 0; t < offsets.size(); ++t) {
    const int64_t batch = g.perBatch ? static_cast<int64_t>(t) / g.perBatch : 0;
    std::memcpy(static_cast<unsigned char *>(y.raw()) + t * g.slice * es,
                static_cast<const unsigned char *>(x.raw()) +
                    (batch * g.batchSize + offsets[t]) * static_cast<int64_t>(es),
                static_cast<size_t>(g.slice) * es);
  }
}

TupleIndexing checkScatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
                             const Tensor &y) {
  const char *kn = "ScatterND";
  checkTupleIndices(kn, x, indices, 0);
  const int64_t m = indices.dim(indices.rank() - 1);
  Shape want(indices.shape().begin(), indices.shape().end() - 1);
  want.insert(want.end(), x.shape().begin() + m, x.shape().end());
  detail::requireDType(kn, "updates", updates, x.dtype());
  detail::requireShape(kn, "updates", updates, want);
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
  return tupleIndexing(x, indices, 0);
}

void scatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
               ScatterReduction reduction, Tensor &y) {
  const char *kn = "ScatterND";
  const TupleIndexing s = checkScatterND(x, indices, updates, y);
  applyUpdates(kn, x, tupleOffsets(kn, x.shape(), indices, 0), s.slice, updates, reduction, y);
}

void checkOneHot(const Tensor &indices, int64_t depth, const Tensor &values, int64_t axis,
                 const Tensor &y) {
  const char *kn = "OneHot";
  detail::requireData(kn, "indices", indices);
  detail::requireDType(kn, "Y", y, values.dtype());
  if (values.numel() != 2)
    fail(kn, "values must hold two elements (off, on)");
  if (depth < 1)
    fail(kn, "depth " + std::to_string(depth) + " must be >= 1");
  if (axis < 0 || axis > indices.rank())
    fail(kn, "axis " + std::to_string(axis) + " is out of range");
  Shape want = indices.shape();
  want.insert(want.begin() + axis, depth);
  detail::requireShape(kn, "Y", y, want);
}

void oneHot(const Tensor &indices, int64_t depth, const Tensor &values, int64_t axis, Tensor &y) {
  const char *kn = "OneHot";
  checkOneHot(indices, depth, values, axis, y);
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= indices.dim(a);
  for (int64_t a = axis; a < indices.rank(); ++a)
    inner *= indices.dim(a);
  const size_t es = dtypeSize(values.dtype());
  const auto *off = static_cast<const unsigned char *>(values.raw());
  const unsigned char *on = off + es;
  auto *dst = static_cast<unsigned char *>(y.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t at = o * inner + i;
        const double v =
            indices.dtype() == DType::I64   ? static_cast<double>(indices.data<int64_t>()[at])
            : indices.dtype() == DType::I32 ? indices.data<int32_t>()[at]
            : indices.dtype() == DType::F32 ? indices.data<float>()[at]
            : indices.dtype() == DType::F64 ? indices.data<double>()[at]
                                            : (fail(kn, "indices must be int32, int64, "
                                                        "float32 or float64"),
                                               0.0);
        std::memcpy(dst + ((o * depth + d) * inner + i) * es,
                    oneHotPosition(v, depth) == static_cast<double>(d) ? on : off, es);
      }
}

namespace {
template <typename T>
void topKTyped(const Tensor &x, int64_t k, int64_t axis, bool largest, Tensor &values,
               Tensor &indices) {
  int64_t outer = 1, len = x.dim(axis), inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= x.dim(a);
  for (int64_t a = axis + 1; a < x.rank(); ++a)
    inner *= x.dim(a);
  const T *xv = x.data<T>();
  std::vector<int64_t> order(static_cast<size_t>(len));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T *line = xv + o * len * inner + i;
      auto at = [&](int64_t j) { return line[j * inner]; };
      std::iota(order.begin(), order.end(), 0);
      // Equal values keep the lower index first.
      auto before = [&](int64_t p, int64_t q) { return topKBefore(at(p), at(q), largest); };
      std::stable_sort(order.begin(), order.end(), before);
      for (int64_t j = 0; j < k; ++j) {
        const int64_t dst = (o * k + j) * inner + i;
        values.data<T>()[dst] = at(order[static_cast<size_t>(j)]);
        indices.data<int64_t>()[dst] = order[static_cast<size_t>(j)];
      }
    }
}
} // namespace

void checkTopK(const Tensor &x, int64_t k, int64_t axis, const Tensor &values,
               const Tensor &indices) {
  const char *kn = "TopK";
  detail::requireData(kn, "X", x);
  if (axis < 0 || axis >= x.rank())
    fail(kn, "axis " + std::to_string(axis) + " is out of range for X " + shapeToString(x.shape()));
  if (k < 0 || k > x.dim(axis))
    fail(kn, "k " + std::to_string(k) + " is outside [0, " + std::to_string(x.dim(axis)) + "]");
  Shape want = x.shape();
  want[static_cast<size_t>(axis)] = k;
  detail::requireDType(kn, "Values", values, x.dtype());
  detail::requireShape(kn, "Values", values, want);
  detail::requireDType(kn, "Indices", indices, DType::I64);
  detail::requireShape(kn, "Indices", indices, want);
}

void topK(const Tensor &x, int64_t k, int64_t axis, bool largest, Tensor &values, Tensor &indices) {
  const char *kn = "TopK";
  checkTopK(x, k, axis, values, indices);
  switch (x.dtype()) {
  case DType::F32:
    return topKTyped<float>(x, k, axis, largest, values, indices);
  case DType::F64:
    return topKTyped<double>(x, k, axis, largest, values, indices);
  case DType::I32:
    return topKTyped<int32_t>(x, k, axis, largest, values, indices);
  case DType::I64:
    return topKTyped<int64_t>(x, k, axis, largest, values, indices);
  default:
    fail(kn, std::string("does not take ") + dtypeName(x.dtype()));
  }
}

void checkTrilu(const Tensor &x, const Tensor &y) {
  const char *kn = "Trilu";
  detail::requireData(kn, "X", x);
  if (x.rank() < 2)
    fail(kn, "X " + shapeToString(x.shape()) + " needs rank >= 2");
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
}

void trilu(const Tensor &x, bool upper, int64_t k, Tensor &y) {
  checkTrilu(x, y);
  const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  const int64_t mats = rows && cols ? x.numel() / (rows * cols) : 0;
  const size_t es = dtypeSize(x.dtype());
  const auto *src = static_cast<const unsigned char *>(x.raw());
  auto *dst = static_cast<unsigned char *>(y.raw());
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        // Kept: c - r >= k (upper) or c - r <= k (lower); k is any int64.
        const __int128 diff = static_cast<__int128>(c) - r;
        const bool keep = upper ? diff >= k : diff <= k;
        const size_t at = static_cast<size_t>((m * rows + r) * cols + c) * es;
        if (keep)
          std::memcpy(dst + at, src + at, es);
        else
          std::memset(dst + at, 0, es);
      }
}

} // namespace cimlir::cpu
