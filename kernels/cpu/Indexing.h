// cimlir CPU kernels: element-wise indexing along an axis (GatherElements, ScatterElements,
// OneHot, TopK) and Trilu's triangle mask. Indices are int32 or int64; a negative one counts
// from the end of its axis; one out of range is an Error naming it.
#pragma once

#include "core/HostDevice.h"
#include "core/Tensor.h"

#include <cmath>
#include <optional>
#include <string>
#include <type_traits>

namespace cimlir::cpu {

// Each kernel's check* function makes the kernel's checks of its operands and attributes, with
// its messages, all but those of the index values: the CUDA backend's steps make them too,
// before they launch.

/// ONNX GatherElements: Y[i] = X[i with i[axis] replaced by indices[i]]; Y has the indices'
/// shape (no larger than X's on the other axes).
void gatherElements(const Tensor &x, const Tensor &indices, int64_t axis, Tensor &y);
void checkGatherElements(const Tensor &x, const Tensor &indices, int64_t axis, const Tensor &y);

/// How ScatterElements combines an update with what is there.
enum class ScatterReduction { None, Add, Mul, Max, Min };
/// The reduction of ONNX's attribute spelling ("none", "add", ...); nullopt for another.
std::optional<ScatterReduction> scatterReductionNamed(const std::string &name);
/// An update combined with what is there (ScatterElements, ScatterND), written once for the
/// CPU and the GPU kernels: max and min as std::max(old, update) and std::min(old, update)
/// choose; integers wrap (in uint64_t, as cumSum's do: no signed overflow).
template <typename T>
CIMLIR_HOST_DEVICE T scatterCombine(ScatterReduction reduction, T old, T update) {
  using W = std::conditional_t<std::is_integral_v<T>, uint64_t, T>;
  switch (reduction) {
  case ScatterReduction::Add:
    return static_cast<T>(static_cast<W>(old) + static_cast<W>(update));
  case ScatterReduction::Mul:
    return static_cast<T>(static_cast<W>(old) * static_cast<W>(update));
  case ScatterReduction::Max:
    return old < update ? update : old;
  case ScatterReduction::Min:
    return update < old ? update : old;
  default:
    return update;
  }
}
/// ONNX ScatterElements: Y = X, then Y[i with i[axis] = indices[i]] (op)= updates[i] for
/// every i of the indices' shape, in row-major order (the last write wins for None).
void scatterElements(const Tensor &x, const Tensor &indices, const Tensor &updates, int64_t axis,
                     ScatterReduction reduction, Tensor &y);
void checkScatterElements(const Tensor &x, const Tensor &indices, const Tensor &updates,
                          int64_t axis, const Tensor &y);

/// How GatherND and ScatterND address X: `tuples` index tuples of `m` entries each pick a slice
/// of `slice` elements of X's axes from batchDims on; `perBatch` tuples share each of the
/// `batches` batches of `batchSize` elements (ScatterND: one batch, all of X).
struct TupleIndexing {
  int64_t m = 0, tuples = 0, slice = 1, batches = 1, perBatch = 0, batchSize = 1;
};

/// ONNX GatherND: the first `batchDims` axes of X and the indices are shared; each index
/// tuple (the indices' last axis, of m entries) picks X's slice at those m coordinates. Y is
/// indices.shape[:-1] + X.shape[batchDims + m:].
void gatherND(const Tensor &x, const Tensor &indices, int64_t batchDims, Tensor &y);
TupleIndexing checkGatherND(const Tensor &x, const Tensor &indices, int64_t batchDims,
                            const Tensor &y);

/// ONNX ScatterND: Y = X, then each index tuple's slice combined with its updates, in order.
void scatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
               ScatterReduction reduction, Tensor &y);
TupleIndexing checkScatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
                             const Tensor &y);

/// ONNX OneHot: Y has a new axis `axis` (non-negative, of Y) of size `depth`; Y = values[1]
/// where the position equals the index (negative indices count from depth), values[0]
/// elsewhere; an index outside [-depth, depth) gives a row of values[0], as ONNX says.
void oneHot(const Tensor &indices, int64_t depth, const Tensor &values, int64_t axis, Tensor &y);
void checkOneHot(const Tensor &indices, int64_t depth, const Tensor &values, int64_t axis,
                 const Tensor &y);
/// The position along depth that OneHot's index (as a double) names: truncated, a negative one
/// counted from depth (CPU and GPU kernels).
CIMLIR_HOST_DEVICE inline double oneHotPosition(double index, int64_t depth) {
  const double v = std::trunc(index);
  return v < 0 ? v + static_cast<double>(depth) : v;
}

/// ONNX TopK: the k largest (`largest`) or smallest elements along `axis` into `values`, with
/// their int64 `indices`; sorted, ties broken by the lower index (NaN counts as the largest).
void topK(const Tensor &x, int64_t k, int64_t axis, bool largest, Tensor &values, Tensor &indices);
void checkTopK(const Tensor &x, int64_t k, int64_t axis, const Tensor &values,
               const Tensor &indices);
/// TopK's order (CPU and GPU kernels): whether value a comes before value b, NaN ranking above
/// every number; of equal ones the lower index comes first (the caller's part).
template <typename T> CIMLIR_HOST_DEVICE bool topKBefore(T a, T b, bool largest) {
  const bool an = a != a, bn = b != b;
  if (an || bn)
    return largest ? (an && !bn) : (!an && bn);
  return largest ? a > b : a < b;
}

/// ONNX Trilu: X with the elements outside the upper (`upper`) or lower triangle of the last
/// two axes, shifted by diagonal `k`, set to zero.
void trilu(const Tensor &x, bool upper, int64_t k, Tensor &y);
void checkTrilu(const Tensor &x, const Tensor &y);

} // namespace cimlir::cpu
