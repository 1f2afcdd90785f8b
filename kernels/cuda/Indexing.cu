#include "kernels/cuda/Indexing.h"

#include "core/Error.h"
#include "kernels/cpu/Reduce.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

/// Calls `launch` with the index type: int64_t or int32_t.
template <typename Launch> void withIndexType(bool indices64, Launch launch) {
  if (indices64)
    launch(int64_t{});
  else
    launch(int32_t{});
}

/// The element types of a scatter: raw elements when updates replace (any type), the type
/// itself when they combine.
template <typename Launch>
void withScatterType(DType t, cpu::ScatterReduction reduction, Launch launch) {
  if (reduction == cpu::ScatterReduction::None)
    byElementSize(dtypeSize(t), "scatter", launch);
  else
    withNumericType(t, "scatter reduction", launch);
}

/// `shape`'s extents into `dim` and its row-major element strides into `stride`; above
/// kMaxIndexingRank an internal error.
void extentsAndStrides(const Shape &shape, int64_t *dim, int64_t *stride) {
  if (shape.size() > static_cast<size_t>(kMaxIndexingRank))
    throw Error("internal: no GPU indexing of rank " + std::to_string(shape.size()));
  int64_t s = 1;
  for (size_t a = shape.size(); a-- > 0;) {
    dim[a] = shape[a];
    stride[a] = s;
    s *= shape[a];
  }
}

/// Index `at` made non-negative against `dim`; false when it is outside [-dim, dim).
__device__ bool wrapIndex(int64_t &at, int64_t dim) {
  if (at < -dim || at >= dim)
    return false;
  if (at < 0)
    at += dim;
  return true;
}

/// One thread per element of Y (the indices' shape).
template <typename E, typename I>
__global__ void gatherElementsKernel(const E *x, const I *indices, ElementsShape s, int64_t count,
                                     E *y, DeviceFault *fault, int site) {
  const int64_t dim = s.dataDim[s.axis];
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t at = static_cast<int64_t>(indices[idx]);
    if (!wrapIndex(at, dim)) {
      reportIndexFault(fault, site, at, dim);
      continue;
    }
    int64_t rest = idx, offset = 0;
    for (int a = s.rank - 1; a >= 0; --a) {
      const int64_t coord = rest % s.indexDim[a];
      rest /= s.indexDim[a];
      offset += (a == s.axis ? at : coord) * s.dataStride[a];
    }
    y[idx] = x[offset];
  }
}

/// Reports the indices outside [-dim, dim) (the fault record keeps the first), which the
/// scatter kernel skips: every index is checked, also where no element of Y reads it.
template <typename I>
__global__ void checkIndicesKernel(const I *indices, int64_t count, int64_t dim, DeviceFault *fault,
                                   int site) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t at = static_cast<int64_t>(indices[idx]);
    if (!wrapIndex(at, dim))
      reportIndexFault(fault, site, at, dim);
  }
}

/// One thread per element of Y: the updates that can land on it share its coordinates off the
/// axis, so it walks the indices along the axis in order (the CPU's row-major order).
template <typename E, typename I>
__global__ void scatterElementsKernel(const E *x, const I *indices, const E *updates,
                                      ElementsShape s, int64_t count,
                                      cpu::ScatterReduction reduction, E *y) {
  const int64_t dim = s.dataDim[s.axis];
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    E v = x[idx];
    int64_t rest = idx, base = 0, target = 0;
    bool reached = true; // within the indices' extent off the axis
    for (int a = s.rank - 1; a >= 0; --a) {
      const int64_t coord = rest % s.dataDim[a];
      rest /= s.dataDim[a];
      if (a == s.axis) {
        target = coord;
        continue;
      }
      reached = reached && coord < s.indexDim[a];
      base += coord * s.indexStride[a];
    }
    for (int64_t j = 0; reached && j < s.indexDim[s.axis]; ++j) {
      const int64_t at = base + j * s.indexStride[s.axis];
      int64_t to = static_cast<int64_t>(indices[at]);
      if (wrapIndex(to, dim) && to == target)
        v = cpu::scatterCombine(reduction, v, updates[at]);
    }
    y[idx] = v;
  }
}

/// One thread per index tuple.
template <typename I>
__global__ void tupleOffsetsKernel(const I *indices, int64_t tuples, TupleAxes axes,
                                   int64_t *offsets, DeviceFault *fault, int site) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < tuples;
       t += int64_t(gridDim.x) * blockDim.x) {
    int64_t offset = 0;
    for (int k = 0; k < axes.m; ++k) {
      int64_t at = static_cast<int64_t>(indices[t * axes.m + k]);
      if (!wrapIndex(at, axes.dim[k])) {
        reportIndexFault(fault, site, at, axes.dim[k]);
        offset = -1;
        break;
      }
      offset += at * axes.stride[k];
    }
    offsets[t] = offset;
  }
}

/// One thread per element of Y.
template <typename E>
__global__ void gatherNDKernel(const E *x, const int64_t *offsets, cpu::TupleIndexing g, E *y) {
  const int64_t count = g.tuples * g.slice;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t t = idx / g.slice, offset = offsets[t];
    if (offset < 0)
      continue; // reported
    const int64_t batch = g.perBatch ? t / g.perBatch : 0;
    y[idx] = x[batch * g.batchSize + offset + idx % g.slice];
  }
}

/// One thread per element of Y, walking every tuple in order: a tuple's offset is a multiple of
/// the slice size, so the tuple reaches this element when it is the offset of the element's
/// slice.
template <typename E>
__global__ void scatterNDKernel(const E *x, int64_t count, const int64_t *offsets, const E *updates,
                                cpu::TupleIndexing g, cpu::ScatterReduction reduction, E *y) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t within = idx % g.slice, slice = idx - within;
    E v = x[idx];
    for (int64_t t = 0; t < g.tuples; ++t)
      if (offsets[t] == slice)
        v = cpu::scatterCombine(reduction, v, updates[t * g.slice + within]);
    y[idx] = v;
  }
}

/// One thread per element of Y.
template <typename E, typename I>
__global__ void oneHotKernel(const I *indices, int64_t outer, int64_t depth, int64_t inner,
                             const E *values, E *y) {
  const int64_t count = outer * depth * inner;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = idx % inner, d = (idx / inner) % depth, o = idx / (inner * depth);
    const double at = cpu::oneHotPosition(static_cast<double>(indices[o * inner + i]), depth);
    y[idx] = values[at == static_cast<double>(d) ? 1 : 0];
  }
}

/// One thread per element of X: its place in the stable sort of its line is the number of
/// elements before it, and of equal ones at lower indices; the first k places are written.
template <typename T>
__global__ void topKKernel(const T *x, int64_t outer, int64_t len, int64_t inner, int64_t k,
                           bool largest, T *values, int64_t *indices) {
  const int64_t count = outer * len * inner;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = idx % inner, j = (idx / inner) % len, o = idx / (inner * len);
    const T *line = x + o * len * inner + i;
    const T a = line[j * inner];
    int64_t place = 0;
    for (int64_t q = 0; q < len && place < k; ++q) {
      const T b = line[q * inner];
      if (cpu::topKBefore(b, a, largest) || (q < j && !cpu::topKBefore(a, b, largest)))
        ++place;
    }
    if (place < k) {
      const int64_t at = (o * k + place) * inner + i;
      values[at] = a;
      indices[at] = j;
    }
  }
}

/// One thread per element.
template <typename E>
__global__ void triluKernel(const E *x, int64_t count, int64_t rows, int64_t cols, bool upper,
                            int64_t k, E *y) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    // c - r lies in (-2^63, 2^63): no overflow against any int64 k.
    const int64_t diff = idx % cols - (idx / cols) % rows;
    y[idx] = (upper ? diff >= k : diff <= k) ? x[idx] : E(0);
  }
}

/// One thread per line: cpu::argExtreme's walk.
template <typename T>
__global__ void argExtremeKernel(bool max, const T *x, int64_t outer, int64_t len, int64_t inner,
                                 bool last, int64_t *y) {
  const int64_t lines = outer * inner;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < lines;
       idx += int64_t(gridDim.x) * blockDim.x)
    y[idx] =
        cpu::argExtremeAlong(max, x + (idx / inner) * len * inner + idx % inner, len, inner, last);
}

/// One thread per line: cpu::cumSum's sums, in its order and precision.
template <typename T>
__global__ void cumSumKernel(const T *x, int64_t outer, int64_t len, int64_t inner, bool exclusive,
                             bool reverse, T *y) {
  const int64_t lines = outer * inner;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < lines;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t first = (idx / inner) * len * inner + idx % inner;
    cpu::cumSumAlong(x + first, y + first, len, inner, exclusive, reverse);
  }
}

} // namespace

ElementsShape ElementsShape::of(const Shape &x, const Shape &indices, int64_t axis) {
  ElementsShape s;
  s.rank = static_cast<int>(x.size());
  s.axis = static_cast<int>(axis);
  extentsAndStrides(x, s.dataDim, s.dataStride);
  extentsAndStrides(indices, s.indexDim, s.indexStride);
  return s;
}

TupleAxes TupleAxes::of(const Shape &shape, int64_t m) {
  TupleAxes axes;
  extentsAndStrides(shape, axes.dim, axes.stride);
  axes.m = static_cast<int>(m);
  return axes;
}

bool numericOnGpu(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::I32 || t == DType::I64;
}

bool argExtremeOnGpu(DType t) {
  return t != DType::Bool && withElementType<uint8_t>(t, [](auto) {});
}

void gatherElements(const void *x, size_t elementSize, const void *indices, bool indices64,
                    const ElementsShape &shape, void *y, DeviceFault *fault, int site,
                    cudaStream_t stream) {
  int64_t count = 1;
  for (int a = 0; a < shape.rank; ++a)
    count *= shape.indexDim[a];
  if (count == 0)
    return;
  byElementSize(elementSize, "GatherElements", [&](auto e) {
    using E = decltype(e);
    withIndexType(indices64, [&](auto i) {
      using I = decltype(i);
      gatherElementsKernel<E, I><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
          static_cast<const E *>(x), static_cast<const I *>(indices), shape, count,
          static_cast<E *>(y), fault, site);
    });
  });
  checkLaunch("GatherElements");
}

void scatterElements(const void *x, DType type, const void *indices, bool indices64,
                     const void *updates, const ElementsShape &shape,
                     cpu::ScatterReduction reduction, void *y, DeviceFault *fault, int site,
                     cudaStream_t stream) {
  int64_t count = 1, indexCount = 1;
  for (int a = 0; a < shape.rank; ++a) {
    count *= shape.dataDim[a];
    indexCount *= shape.indexDim[a];
  }
  withIndexType(indices64, [&](auto i) {
    using I = decltype(i);
    if (indexCount)
      checkIndicesKernel<I><<<gridStrideBlocks(indexCount), kGridStrideThreads, 0, stream>>>(
          static_cast<const I *>(indices), indexCount, shape.dataDim[shape.axis], fault, site);
    if (count)
      withScatterType(type, reduction, [&](auto e) {
        using E = decltype(e);
        scatterElementsKernel<E, I><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
            static_cast<const E *>(x), static_cast<const I *>(indices),
            static_cast<const E *>(updates), shape, count, reduction, static_cast<E *>(y));
      });
  });
  checkLaunch("ScatterElements");
}

void tupleOffsets(const void *indices, bool indices64, int64_t tuples, const TupleAxes &axes,
                  int64_t *offsets, DeviceFault *fault, int site, cudaStream_t stream) {
  if (tuples == 0)
    return;
  withIndexType(indices64, [&](auto i) {
    using I = decltype(i);
    tupleOffsetsKernel<I><<<gridStrideBlocks(tuples), kGridStrideThreads, 0, stream>>>(
        static_cast<const I *>(indices), tuples, axes, offsets, fault, site);
  });
  checkLaunch("index tuples");
}

void gatherND(const void *x, size_t elementSize, const int64_t *offsets,
              const cpu::TupleIndexing &indexing, void *y, cudaStream_t stream) {
  const int64_t count = indexing.tuples * indexing.slice;
  if (count == 0)
    return;
  byElementSize(elementSize, "GatherND", [&](auto e) {
    using E = decltype(e);
    gatherNDKernel<E><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const E *>(x), offsets, indexing, static_cast<E *>(y));
  });
  checkLaunch("GatherND");
}

void scatterND(const void *x, DType type, int64_t count, const int64_t *offsets,
               const void *updates, const cpu::TupleIndexing &indexing,
               cpu::ScatterReduction reduction, void *y, cudaStream_t stream) {
  if (count == 0)
    return;
  withScatterType(type, reduction, [&](auto e) {
    using E = decltype(e);
    scatterNDKernel<E><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const E *>(x), count, offsets, static_cast<const E *>(updates), indexing,
        reduction, static_cast<E *>(y));
  });
  checkLaunch("ScatterND");
}

void oneHot(const void *indices, DType indexType, int64_t outer, int64_t depth, int64_t inner,
            const void *values, size_t elementSize, void *y, cudaStream_t stream) {
  const int64_t count = outer * depth * inner;
  if (count == 0)
    return;
  byElementSize(elementSize, "OneHot", [&](auto e) {
    using E = decltype(e);
    withNumericType(indexType, "OneHot", [&](auto i) {
      using I = decltype(i);
      oneHotKernel<E, I><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
          static_cast<const I *>(indices), outer, depth, inner, static_cast<const E *>(values),
          static_cast<E *>(y));
    });
  });
  checkLaunch("OneHot");
}

void topK(const void *x, DType type, int64_t outer, int64_t len, int64_t inner, int64_t k,
          bool largest, void *values, int64_t *indices, cudaStream_t stream) {
  const int64_t count = outer * len * inner;
  if (count == 0 || k == 0)
    return;
  withNumericType(type, "TopK", [&](auto t) {
    using T = decltype(t);
    topKKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(x), outer, len, inner, k, largest, static_cast<T *>(values),
        indices);
  });
  checkLaunch("TopK");
}

void trilu(const void *x, size_t elementSize, int64_t count, int64_t rows, int64_t cols, bool upper,
           int64_t k, void *y, cudaStream_t stream) {
  if (count == 0)
    return;
  byElementSize(elementSize, "Trilu", [&](auto e) {
    using E = decltype(e);
    triluKernel<E><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const E *>(x), count, rows, cols, upper, k, static_cast<E *>(y));
  });
  checkLaunch("Trilu");
}

void argExtreme(bool max, const void *x, DType type, int64_t outer, int64_t len, int64_t inner,
                bool last, int64_t *y, cudaStream_t stream) {
  const int64_t lines = outer * inner;
  if (lines == 0)
    return;
  if (!argExtremeOnGpu(type))
    throw Error(std::string("internal: no GPU ArgMax or ArgMin for ") + dtypeName(type));
  withElementType<uint8_t>(type, [&](auto t) {
    using T = decltype(t);
    argExtremeKernel<T><<<gridStrideBlocks(lines), kGridStrideThreads, 0, stream>>>(
        max, static_cast<const T *>(x), outer, len, inner, last, y);
  });
  checkLaunch(max ? "ArgMax" : "ArgMin");
}

void cumSum(const void *x, DType type, int64_t outer, int64_t len, int64_t inner, bool exclusive,
            bool reverse, void *y, cudaStream_t stream) {
  const int64_t lines = outer * inner;
  if (lines == 0 || len == 0)
    return;
  withNumericType(type, "CumSum", [&](auto t) {
    using T = decltype(t);
    cumSumKernel<T><<<gridStrideBlocks(lines), kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(x), outer, len, inner, exclusive, reverse, static_cast<T *>(y));
  });
  checkLaunch("CumSum");
}

} // namespace cimlir::cuda
