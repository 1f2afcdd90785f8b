// cimlir CUDA kernels: GatherElements, ScatterElements, GatherND, ScatterND, OneHot, TopK, Trilu,
// ArgMax, ArgMin and CumSum with the CPU kernels' results bit for bit (kernels/cpu/Indexing.h,
// kernels/cpu/Reduce.h): data moves as raw elements; the scatters apply duplicate updates in
// the CPU's order (one thread per output element walks the updates that can reach it); TopK
// ranks each element against its line (the CPU's stable order); ArgMax, ArgMin and CumSum walk
// each line in one thread in the CPU's order. The caller checks shapes on the host (the CPU
// kernels' check* functions); an index out of range in device memory is reported to `fault`.
#pragma once

#include "core/Tensor.h"
#include "kernels/cpu/Indexing.h"
#include "kernels/cuda/DeviceFault.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

constexpr int kMaxIndexingRank = 8;

/// GatherElements' and ScatterElements' view of X and the indices (of X's rank; the updates
/// have the indices' shape): extents and row-major element strides, and the axis indexed.
struct ElementsShape {
  int rank = 0, axis = 0;
  int64_t dataDim[kMaxIndexingRank] = {}, dataStride[kMaxIndexingRank] = {};
  int64_t indexDim[kMaxIndexingRank] = {}, indexStride[kMaxIndexingRank] = {};
  /// The view of X `x` and indices `indices` (checked by the CPU's checks); an internal error
  /// above kMaxIndexingRank.
  static ElementsShape of(const Shape &x, const Shape &indices, int64_t axis);
};

/// The axes an index tuple addresses (GatherND, ScatterND): their extents and element strides
/// in the tensor they index.
struct TupleAxes {
  int m = 0;
  int64_t dim[kMaxIndexingRank] = {}, stride[kMaxIndexingRank] = {};
  /// The first `m` axes of `shape`; an internal error above kMaxIndexingRank.
  static TupleAxes of(const Shape &shape, int64_t m);
};

/// Float32, float64, int32 and int64: the types of the CPU's TopK, CumSum, scatter reductions
/// and OneHot indices.
bool numericOnGpu(DType t);
/// The types of the CPU's ArgMax and ArgMin: float32, float64 and the integer types.
bool argExtremeOnGpu(DType t);

/// ONNX GatherElements: y[i] = x at the indices' position i, its axis coordinate replaced by
/// indices[i] (int64 or int32, negative from the end), elements of `elementSize` bytes.
void gatherElements(const void *x, size_t elementSize, const void *indices, bool indices64,
                    const ElementsShape &shape, void *y, DeviceFault *fault, int site,
                    cudaStream_t stream);

/// ONNX ScatterElements: y = x, then each update combined into its element, in the indices'
/// row-major order. Elements of `type`: any with None, numericOnGpu's with a reduction.
void scatterElements(const void *x, DType type, const void *indices, bool indices64,
                     const void *updates, const ElementsShape &shape,
                     cpu::ScatterReduction reduction, void *y, DeviceFault *fault, int site,
                     cudaStream_t stream);

/// The element offset of each of `tuples` index tuples (int64 or int32, `axes.m` entries each,
/// negative from the end) in the tensor `axes` describes; -1 for a tuple with an entry out of
/// range, which is reported.
void tupleOffsets(const void *indices, bool indices64, int64_t tuples, const TupleAxes &axes,
                  int64_t *offsets, DeviceFault *fault, int site, cudaStream_t stream);

/// ONNX GatherND from the tuples' offsets within their batch: y's slice t is x's slice at
/// offsets[t] of batch t / perBatch.
void gatherND(const void *x, size_t elementSize, const int64_t *offsets,
              const cpu::TupleIndexing &indexing, void *y, cudaStream_t stream);

/// ONNX ScatterND from the tuples' offsets in x (`count` elements): y = x, then update slice t
/// combined into y's slice at offsets[t], in order. Types as scatterElements.
void scatterND(const void *x, DType type, int64_t count, const int64_t *offsets,
               const void *updates, const cpu::TupleIndexing &indexing,
               cpu::ScatterReduction reduction, void *y, cudaStream_t stream);

/// ONNX OneHot: y [outer, depth, inner] = values[1] where the index (numericOnGpu's, truncated,
/// negative from depth) at [outer, inner] is the position along depth, values[0] elsewhere;
/// two values of `elementSize` bytes in device memory.
void oneHot(const void *indices, DType indexType, int64_t outer, int64_t depth, int64_t inner,
            const void *values, size_t elementSize, void *y, cudaStream_t stream);

/// ONNX TopK of x [outer, len, inner] (numericOnGpu's types) along len: values and int64
/// indices [outer, k, inner], in cpu::topK's order.
void topK(const void *x, DType type, int64_t outer, int64_t len, int64_t inner, int64_t k,
          bool largest, void *values, int64_t *indices, cudaStream_t stream);

/// ONNX Trilu of `count` elements, matrices [rows, cols]: the triangle kept, the rest zero.
void trilu(const void *x, size_t elementSize, int64_t count, int64_t rows, int64_t cols, bool upper,
           int64_t k, void *y, cudaStream_t stream);

/// ArgMax (`max`) or ArgMin of x [outer, len, inner] along len (len > 0 where outer·inner > 0)
/// into y [outer, inner], as cpu::argExtreme chooses.
void argExtreme(bool max, const void *x, DType type, int64_t outer, int64_t len, int64_t inner,
                bool last, int64_t *y, cudaStream_t stream);

/// ONNX CumSum of x [outer, len, inner] (numericOnGpu's types) along len, in cpu::cumSum's
/// order and precision.
void cumSum(const void *x, DType type, int64_t outer, int64_t len, int64_t inner, bool exclusive,
            bool reverse, void *y, cudaStream_t stream);

} // namespace cimlir::cuda
