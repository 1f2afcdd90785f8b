#include "kernels/cuda/Gemm.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <algorithm>

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
  checkBlas(cublasSgemm(blas.handle(), transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                        transA ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(e.n),
                        static_cast<int>(e.m), static_cast<int>(e.k), &alpha, b, ldb, a, lda,
                        &betaBlas, y, static_cast<int>(e.n)),
            "a Gemm");
}

void rowsTimesTransposed(Blas &blas, const float *x, int64_t M, int64_t K, const float *w,
                         int64_t N, float *z) {
  if (M == 0 || N == 0)
    return;
  if (K == 0) {
    check(cudaMemsetAsync(z, 0, static_cast<size_t>(M * N) * sizeof(float), blas.stream()),
          "clearing an empty product");
    return;
  }
  // Row-major z = x·w^T is column-major z^T = w·x^T, w^T being w's column-major view.
  const float one = 1.0f, zero = 0.0f;
  checkBlas(cublasSgemm(blas.handle(), CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(N),
                        static_cast<int>(M), static_cast<int>(K), &one, w, static_cast<int>(K), x,
                        static_cast<int>(K), &zero, z, static_cast<int>(N)),
            "a convolution's GEMM");
}

} // namespace cimlir::cuda
