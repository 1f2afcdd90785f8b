// cimlir CPU kernels: dense matrix products in float32 (cim-numerics.md §8, fp32 digital).
#pragma once

#include "core/Tensor.h"

#include <vector>

namespace cimlir::cpu {

/// The extents of an ONNX Gemm: op(A) [m,k], op(B) [k,n], C [cRows, cCols] broadcast to Y.
struct GemmExtents {
  int64_t m = 0, n = 0, k = 0, cRows = 1, cCols = 1;
};
/// Checks gemm's operands (dtypes, ranks, inner extents, Y's shape, C's broadcast; C is
/// checked even when beta is 0) and returns the extents; throws cimlir::Error naming "gemm".
/// Reads only shapes and dtypes (any memory).
GemmExtents gemmExtents(const Tensor &a, const Tensor &b, const Tensor *c, bool transA, bool transB,
                        const Tensor &y);

/// ONNX Gemm: Y = alpha * op(A) * op(B) + beta * C, op = transpose when the flag is set.
/// A, B rank 2; C (optional, may be null) unidirectionally broadcastable to Y [M,N].
/// Y is pre-allocated [M,N]. float32 only, no TF32-like shortcuts.
void gemm(const Tensor &a, const Tensor &b, const Tensor *c, float alpha, float beta, bool transA,
          bool transB, Tensor &y);

/// MatMul's extents: Y's batch axes `batch` (batches matrices of [m, n], each A [m, k] times
/// B [k, n]), and for each batch axis the stride in matrices of A and of B (0 where it
/// broadcasts). sharedB: one B for every batch.
struct MatmulExtents {
  int64_t m = 0, n = 0, k = 0, batches = 0;
  Shape batch;
  std::vector<int64_t> aStride, bStride;
  bool sharedB = false;
};
/// Checks matmul's operands (dtypes, inner extents, batch broadcast, Y's shape) and returns the
/// extents; throws cimlir::Error naming "matmul". Reads only shapes and dtypes.
MatmulExtents matmulExtents(const Tensor &a, const Tensor &b, const Tensor &y);

/// Sets e.batches, e.sharedB and the strides of A's and B's batch axes aBatch and bBatch over
/// e.batch (their broadcast, set by the caller): MatMul's and MatMulInteger's.
void setBatchStrides(const Shape &aBatch, const Shape &bBatch, MatmulExtents &e);

/// ONNX/NumPy MatMul with batch broadcasting (1-D operands promoted and squeezed as
/// numpy.matmul does). Y is pre-allocated with the broadcast result shape. float32.
void matmul(const Tensor &a, const Tensor &b, Tensor &y);

/// Row-major C[m,n] = alpha·op(A)·op(B) + beta·C on raw float32 buffers with leading
/// dimensions lda, ldb, ldc (BLAS's sgemm, float32 throughout). Degenerate extents are handled
/// here (BLAS rejects leading dimensions of 0); beta == 0 does not read C. `kernel` names the
/// caller in errors (an extent beyond BLAS's 32-bit int).
void sgemm(const char *kernel, bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
           float *c, int64_t ldc);

} // namespace cimlir::cpu
