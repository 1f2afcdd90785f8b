#include "kernels/cuda/Normalization.h"

#include "kernels/cuda/BlockReduce.cuh"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"
#include "kernels/cuda/LayerNormLine.cuh"
#include "kernels/cuda/SoftmaxLine.cuh"

namespace cimlir::cuda {

namespace {

/// One block per line of `len` values `inner` apart (cpu::softmax's arithmetic per kind).
template <cpu::SoftmaxKind Kind>
__global__ void softmaxKernel(const float *x, int64_t outer, int64_t len, int64_t inner, float *y) {
  for (int64_t line = blockIdx.x; line < outer * inner; line += gridDim.x) {
    const int64_t base = (line / inner) * len * inner + line % inner;
    const float *src = x + base;
    softmaxLine<Kind>([&](int64_t l) { return src[l * inner]; }, len, y + base, inner);
  }
}

__global__ void layerNormKernel(const float *x, int64_t rows, int64_t len, const float *scale,
                                const float *bias, float epsilon, float *y, float *mean,
                                float *invStdDev) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float *src = x + r * len;
    double mu, inv;
    meanAndInvStdDev(src, len, epsilon, mu, inv);
    for (int64_t i = threadIdx.x; i < len; i += blockDim.x)
      y[r * len + i] = layerNormValue(src[i], mu, inv, scale[i], bias ? bias[i] : 0.0f);
    if (threadIdx.x == 0 && mean)
      mean[r] = static_cast<float>(mu);
    if (threadIdx.x == 0 && invStdDev)
      invStdDev[r] = static_cast<float>(inv);
  }
}

__global__ void instanceNormKernel(const float *x, int64_t planes, int64_t c, int64_t len,
                                   const float *scale, const float *bias, float epsilon, float *y) {
  for (int64_t p = blockIdx.x; p < planes; p += gridDim.x) {
    const float *src = x + p * len;
    double mu, inv;
    meanAndInvStdDev(src, len, epsilon, mu, inv);
    const double a = scale[p % c] * inv, b = bias[p % c];
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x)
      y[p * len + j] = static_cast<float>((src[j] - mu) * a + b);
  }
}

__global__ void batchNormKernel(const float *x, int64_t count, int64_t c, int64_t inner,
                                const float *mean, const float *multiplier, const float *bias,
                                float *y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ch = (i / inner) % c;
    y[i] = (x[i] - mean[ch]) * multiplier[ch] + bias[ch];
  }
}

__global__ void lrnKernel(const float *x, int64_t n, int64_t c, int64_t len, int64_t size,
                          float alpha, float beta, float bias, float *y) {
  // The window of channel ch: [ch - floor((size - 1) / 2), ch + ceil((size - 1) / 2)].
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n * c * len;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t j = i % len, ch = (i / len) % c, img = i / (len * c);
    double squares = 0;
    const int64_t lo = ch - before < 0 ? 0 : ch - before, hi = ch + after < c ? ch + after : c - 1;
    for (int64_t k = lo; k <= hi; ++k) {
      const double v = x[(img * c + k) * len + j];
      squares += v * v;
    }
    const double denom =
        pow(static_cast<double>(bias) + alpha / static_cast<double>(size) * squares, beta);
    y[i] = static_cast<float>(x[i] / denom);
  }
}

} // namespace

void lrn(const float *x, int64_t n, int64_t c, int64_t len, int64_t size, float alpha, float beta,
         float bias, float *y, cudaStream_t stream) {
  if (n * c * len == 0)
    return;
  lrnKernel<<<gridStrideBlocks(n * c * len), kGridStrideThreads, 0, stream>>>(x, n, c, len, size,
                                                                              alpha, beta, bias, y);
  checkLaunch("LRN");
}

void softmax(cpu::SoftmaxKind kind, const float *x, int64_t outer, int64_t len, int64_t inner,
             float *y, cudaStream_t stream) {
  if (outer == 0 || len == 0 || inner == 0)
    return;
  const unsigned blocks = lineBlocks(outer * inner);
  switch (kind) {
  case cpu::SoftmaxKind::Softmax:
    softmaxKernel<cpu::SoftmaxKind::Softmax>
        <<<blocks, kLineThreads, 0, stream>>>(x, outer, len, inner, y);
    break;
  case cpu::SoftmaxKind::LogSoftmax:
    softmaxKernel<cpu::SoftmaxKind::LogSoftmax>
        <<<blocks, kLineThreads, 0, stream>>>(x, outer, len, inner, y);
    break;
  case cpu::SoftmaxKind::Hardmax:
    softmaxKernel<cpu::SoftmaxKind::Hardmax>
        <<<blocks, kLineThreads, 0, stream>>>(x, outer, len, inner, y);
    break;
  }
  checkLaunch("softmax");
}

void layerNorm(const float *x, int64_t rows, int64_t len, const float *scale, const float *bias,
               float epsilon, float *y, float *mean, float *invStdDev, cudaStream_t stream) {
  if (rows == 0)
    return;
  layerNormKernel<<<lineBlocks(rows), kLineThreads, 0, stream>>>(x, rows, len, scale, bias, epsilon,
                                                                 y, mean, invStdDev);
  checkLaunch("layer normalisation");
}

void instanceNorm(const float *x, int64_t n, int64_t c, int64_t len, const float *scale,
                  const float *bias, float epsilon, float *y, cudaStream_t stream) {
  if (n * c == 0 || len == 0)
    return;
  instanceNormKernel<<<lineBlocks(n * c), kLineThreads, 0, stream>>>(x, n * c, c, len, scale, bias,
                                                                     epsilon, y);
  checkLaunch("instance normalisation");
}

void batchNorm(const float *x, int64_t n, int64_t c, int64_t inner, const float *mean,
               const float *multiplier, const float *bias, float *y, cudaStream_t stream) {
  const int64_t count = n * c * inner;
  if (count == 0)
    return;
  batchNormKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
      x, count, c, inner, mean, multiplier, bias, y);
  checkLaunch("batch normalisation");
}

} // namespace cimlir::cuda
