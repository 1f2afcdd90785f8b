// cimlir CPU kernels: element-wise indexing along an axis (GatherElements, ScatterElements,
// OneHot, TopK) and Trilu's triangle mask. Indices are int32 or int64; a negative one counts
// from the end of its axis; one out of range is an Error naming it.
#pragma once

#include "core/Tensor.h"

namespace cimlir::cpu {

/// ONNX GatherElements: Y[i] = X[i with i[axis] replaced by indices[i]]; Y has the indices'
/// shape (no larger than X's on the other axes).
void gatherElements(const Tensor &x, const Tensor &indices, int64_t axis, Tensor &y);

/// How ScatterElements combines an update with what is there.
enum class ScatterReduction { None, Add, Mul, Max, Min };
/// ONNX ScatterElements: Y = X, then Y[i with i[axis] = indices[i]] (op)= updates[i] for
/// every i of the indices' shape, in row-major order (the last write wins for None).
void scatterElements(const Tensor &x, const Tensor &indices, const Tensor &updates, int64_t axis,
                     ScatterReduction reduction, Tensor &y);

/// ONNX GatherND: the first `batchDims` axes of X and the indices are shared; each index
/// tuple (the indices' last axis, of m entries) picks X's slice at those m coordinates. Y is
/// indices.shape[:-1] + X.shape[batchDims + m:].
void gatherND(const Tensor &x, const Tensor &indices, int64_t batchDims, Tensor &y);

/// ONNX ScatterND: Y = X, then each index tuple's slice combined with its updates, in order.
void scatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
               ScatterReduction reduction, Tensor &y);

/// ONNX OneHot: Y has a new axis `axis` (non-negative, of Y) of size `depth`; Y = values[1]
/// where the position equals the index (negative indices count from depth), values[0]
/// elsewhere; an index outside [-depth, depth) gives a row of values[0], as ONNX says.
void oneHot(const Tensor &indices, int64_t depth, const Tensor &values, int64_t axis, Tensor &y);

/// ONNX TopK: the k largest (`largest`) or smallest elements along `axis` into `values`, with
/// their int64 `indices`; sorted, ties broken by the lower index (NaN counts as the largest).
void topK(const Tensor &x, int64_t k, int64_t axis, bool largest, Tensor &values, Tensor &indices);

/// ONNX Trilu: X with the elements outside the upper (`upper`) or lower triangle of the last
/// two axes, shifted by diagonal `k`, set to zero.
void trilu(const Tensor &x, bool upper, int64_t k, Tensor &y);

} // namespace cimlir::cpu
