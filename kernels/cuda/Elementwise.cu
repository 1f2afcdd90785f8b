#include "kernels/cuda/Elementwise.h"

#include "kernels/cuda/CudaCheck.h"

namespace cimlir::cuda {

namespace {

constexpr int kThreads = 256;

unsigned blocksFor(int64_t count) {
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 65536 * 16 ? blocks : 65536 * 16);
}

__global__ void gemmEpilogueKernel(float *y, int64_t M, int64_t N, float alpha, const float *C,
                                   int64_t cRows, int64_t cCols, float beta) {
  const int64_t count = M * N;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t m = idx / N, n = idx % N;
    float v = alpha * y[idx];
    if (C)
      v = v + beta * C[(cRows == 1 ? 0 : m * cCols) + (cCols == 1 ? 0 : n)];
    y[idx] = v;
  }
}

__global__ void reluKernel(const float *x, float *y, int64_t count) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const float v = x[idx];
    y[idx] = v < 0.0f ? 0.0f : v;
  }
}

} // namespace

void gemmEpilogue(float *y, int64_t M, int64_t N, float alpha, const float *C, int64_t cRows,
                  int64_t cCols, float beta, cudaStream_t stream) {
  if (M * N == 0)
    return;
  gemmEpilogueKernel<<<blocksFor(M * N), kThreads, 0, stream>>>(y, M, N, alpha, C, cRows, cCols,
                                                                beta);
  checkLaunch("gemm epilogue");
}

void relu(const float *x, float *y, int64_t count, cudaStream_t stream) {
  if (count == 0)
    return;
  reluKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, y, count);
  checkLaunch("relu");
}

} // namespace cimlir::cuda
