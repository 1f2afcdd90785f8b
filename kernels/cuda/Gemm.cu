#include "kernels/cuda/Gemm.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace cimlir::cuda {

namespace {

__global__ void fillBetaCKernel(const float *c, int64_t cRows, int64_t cCols, float beta, int64_t m,
                                int64_t n, float *y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < m * n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t row = i / n, col = i % n;
    y[i] = beta * c[(cRows == 1 ? 0 : row * cCols) + (cCols == 1 ? 0 : col)];
  }
}

/// cuBLAS's column-major C = op(A)·B (alpha 1, beta 0) in float32 or float64, single or
/// strided-batched: the calls matmul and rowsTimesTransposed make in either type.
cublasStatus_t gemmOf(Blas &blas, cublasOperation_t opA, int m, int n, int k, const float *a,
                      int lda, const float *b, int ldb, float *c, int ldc) {
  const float one = 1.0f, zero = 0.0f;
  return blas.library().sgemm(blas.handle(), opA, CUBLAS_OP_N, m, n, k, &one, a, lda, b, ldb, &zero,
                              c, ldc);
}
cublasStatus_t gemmOf(Blas &blas, cublasOperation_t opA, int m, int n, int k, const double *a,
                      int lda, const double *b, int ldb, double *c, int ldc) {
  const double one = 1.0, zero = 0.0;
  return blas.library().dgemm(blas.handle(), opA, CUBLAS_OP_N, m, n, k, &one, a, lda, b, ldb, &zero,
                              c, ldc);
}
cublasStatus_t batchedGemmOf(Blas &blas, int m, int n, int k, const float *a, int lda,
                             int64_t strideA, const float *b, int ldb, int64_t strideB, float *c,
                             int ldc, int64_t strideC, int batches) {
  const float one = 1.0f, zero = 0.0f;
  return blas.library().sgemmStridedBatched(blas.handle(), CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                            a, lda, strideA, b, ldb, strideB, &zero, c, ldc,
                                            strideC, batches);
}
cublasStatus_t batchedGemmOf(Blas &blas, int m, int n, int k, const double *a, int lda,
                             int64_t strideA, const double *b, int ldb, int64_t strideB, double *c,
                             int ldc, int64_t strideC, int batches) {
  const double one = 1.0, zero = 0.0;
  return blas.library().dgemmStridedBatched(blas.handle(), CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                            a, lda, strideA, b, ldb, strideB, &zero, c, ldc,
                                            strideC, batches);
}

template <typename T>
void matmulOf(Blas &blas, const T *a, const T *b, const cpu::MatmulExtents &e, T *y) {
  if (e.batches == 0 || e.m == 0 || e.n == 0)
    return;
  if (e.k == 0) {
    check(cudaMemsetAsync(y, 0, static_cast<size_t>(e.batches * e.m * e.n) * sizeof(T),
                          blas.stream()),
          "clearing an empty product");
    return;
  }
  // cuBLAS takes 32-bit extents: N and K must fit; a shared B's rows go in chunks that do.
  constexpr int64_t kMaxExtent = std::numeric_limits<int>::max();
  if (e.n > kMaxExtent || e.k > kMaxExtent || e.m > kMaxExtent)
    throw Error("a MatMul of " + std::to_string(e.m) + "x" + std::to_string(e.k) + " by " +
                std::to_string(e.k) + "x" + std::to_string(e.n) +
                " has an extent beyond cuBLAS's 32-bit int");
  // Row-major Y = A·B is column-major Y^T = B^T·A^T.
  const int m = static_cast<int>(e.m), n = static_cast<int>(e.n), k = static_cast<int>(e.k);
  if (e.sharedB) {
    const int64_t rows = e.batches * e.m;
    for (int64_t r0 = 0; r0 < rows; r0 += kMaxExtent) {
      const int r = static_cast<int>(std::min(kMaxExtent, rows - r0));
      checkBlas(gemmOf(blas, CUBLAS_OP_N, n, r, k, b, n, a + r0 * e.k, k, y + r0 * e.n, n),
                "a MatMul");
    }
    return;
  }
  // Batch axes that both operands step through evenly merge into one ([B, H] of attention
  // heads is one axis of B·H); the innermost is one strided-batched call, the others loop here.
  Shape batch{e.batch[0]};
  std::vector<int64_t> aStride{e.aStride[0]}, bStride{e.bStride[0]};
  for (size_t i = 1; i < e.batch.size(); ++i) {
    if (aStride.back() == e.aStride[i] * e.batch[i] &&
        bStride.back() == e.bStride[i] * e.batch[i]) {
      batch.back() *= e.batch[i];
      aStride.back() = e.aStride[i];
      bStride.back() = e.bStride[i];
      continue;
    }
    batch.push_back(e.batch[i]);
    aStride.push_back(e.aStride[i]);
    bStride.push_back(e.bStride[i]);
  }
  const size_t rank = batch.size();
  const int64_t inner = batch[rank - 1], outer = e.batches / inner;
  if (inner > kMaxExtent)
    throw Error("a batched MatMul of " + std::to_string(inner) +
                " matrices is beyond cuBLAS's 32-bit batch count");
  for (int64_t t = 0; t < outer; ++t) {
    int64_t rem = t, aOff = 0, bOff = 0;
    for (size_t i = rank - 1; i-- > 0;) {
      const int64_t ix = rem % batch[i];
      rem /= batch[i];
      aOff += ix * aStride[i];
      bOff += ix * bStride[i];
    }
    checkBlas(batchedGemmOf(blas, n, m, k, b + bOff * e.k * e.n, n, bStride[rank - 1] * e.k * e.n,
                            a + aOff * e.m * e.k, k, aStride[rank - 1] * e.m * e.k,
                            y + t * inner * e.m * e.n, n, e.m * e.n, static_cast<int>(inner)),
              "a batched MatMul");
  }
}

template <typename T>
void rowsTimesTransposedOf(Blas &blas, const T *x, int64_t M, int64_t K, const T *w, int64_t N,
                           T *z) {
  if (M == 0 || N == 0)
    return;
  if (K == 0) {
    check(cudaMemsetAsync(z, 0, static_cast<size_t>(M * N) * sizeof(T), blas.stream()),
          "clearing an empty product");
    return;
  }
  // Row-major z = x·w^T is column-major z^T = w·x^T, w^T being w's column-major view.
  checkBlas(gemmOf(blas, CUBLAS_OP_T, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K),
                   w, static_cast<int>(K), x, static_cast<int>(K), z, static_cast<int>(N)),
            "a convolution's GEMM");
}

} // namespace

void gemm(Blas &blas, const float *a, const float *b, const float *c, const cpu::GemmExtents &e,
          float alpha, float beta, bool transA, bool transB, float *y) {
  if (e.m == 0 || e.n == 0)
    return;
  const bool useC = c && beta != 0.0f;
  if (useC) {
    fillBetaCKernel<<<gridStrideBlocks(e.m * e.n), kGridStrideThreads, 0, blas.stream()>>>(
        c, e.cRows, e.cCols, beta, e.m, e.n, y);
    checkLaunch("gemm's beta·C");
  }
  if (e.k == 0) {
    if (!useC)
      check(cudaMemsetAsync(y, 0, static_cast<size_t>(e.m * e.n) * sizeof(float), blas.stream()),
            "clearing an empty product");
    return;
  }
  // Row-major Y = op(A)·op(B) is column-major Y^T = op(B)^T·op(A)^T.
  const float betaBlas = useC ? 1.0f : 0.0f;
  const int lda = static_cast<int>(transA ? e.m : e.k), ldb = static_cast<int>(transB ? e.k : e.n);
  checkBlas(blas.library().sgemm(blas.handle(), transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                                 transA ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(e.n),
                                 static_cast<int>(e.m), static_cast<int>(e.k), &alpha, b, ldb, a,
                                 lda, &betaBlas, y, static_cast<int>(e.n)),
            "a Gemm");
}

void matmul(Blas &blas, const float *a, const float *b, const cpu::MatmulExtents &e, float *y) {
  matmulOf(blas, a, b, e, y);
}

void matmul(Blas &blas, const double *a, const double *b, const cpu::MatmulExtents &e, double *y) {
  matmulOf(blas, a, b, e, y);
}

void rowsTimesTransposed(Blas &blas, const float *x, int64_t M, int64_t K, const float *w,
                         int64_t N, float *z) {
  rowsTimesTransposedOf(blas, x, M, K, w, N, z);
}

void rowsTimesTransposed(Blas &blas, const double *x, int64_t M, int64_t K, const double *w,
                         int64_t N, double *z) {
  rowsTimesTransposedOf(blas, x, M, K, w, N, z);
}

} // namespace cimlir::cuda
