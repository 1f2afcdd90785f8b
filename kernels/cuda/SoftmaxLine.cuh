// cimlir CUDA kernels: one softmax line on a block, written once for the Softmax steps
// (Normalization.cu) and an elementwise chain that ends in a Softmax (ElementwiseChain.cu), so
// that a fused chain gives the bits of the chain and the Softmax as two steps.
#pragma once

#include "kernels/cpu/Normalization.h"
#include "kernels/cuda/BlockReduce.cuh"

#include <cstdint>

namespace cimlir::cuda {

struct MaxOp {
  __device__ float operator()(float a, float b) const { return b > a ? b : a; }
};
struct MinIndexOp {
  __device__ int64_t operator()(int64_t a, int64_t b) const { return b < a ? b : a; }
};

/// Blocks for `lines` lines, one block each (a grid stride covers more than 2^20).
inline unsigned lineBlocks(int64_t lines) {
  return static_cast<unsigned>(lines < (int64_t(1) << 20) ? lines : (int64_t(1) << 20));
}

/// Softmax, LogSoftmax or Hardmax (cpu::softmax's arithmetic per kind) of one line of `len`
/// values on a block of kLineThreads: value l is load(l) (read again in each pass, so the same
/// each time) and goes to dst[l * inner].
template <cpu::SoftmaxKind Kind, typename Load>
__device__ void softmaxLine(Load load, int64_t len, float *dst, int64_t inner) {
  float mx = load(0);
  for (int64_t l = threadIdx.x; l < len; l += blockDim.x)
    mx = MaxOp()(mx, load(l));
  mx = blockReduce(mx, MaxOp());
  if constexpr (Kind == cpu::SoftmaxKind::Hardmax) {
    // The first maximum: the lowest index holding it.
    int64_t at = len;
    for (int64_t l = threadIdx.x; l < len; l += blockDim.x)
      if (load(l) == mx && l < at)
        at = l;
    at = blockReduce(at, MinIndexOp());
    for (int64_t l = threadIdx.x; l < len; l += blockDim.x)
      dst[l * inner] = l == at ? 1.0f : 0.0f;
  } else if constexpr (Kind == cpu::SoftmaxKind::LogSoftmax) {
    double total = 0;
    for (int64_t l = threadIdx.x; l < len; l += blockDim.x)
      total += exp(static_cast<double>(load(l)) - mx);
    total = blockReduce(total, SumOp());
    const double logTotal = log(total);
    for (int64_t l = threadIdx.x; l < len; l += blockDim.x)
      dst[l * inner] = static_cast<float>(static_cast<double>(load(l)) - mx - logTotal);
  } else {
    double total = 0;
    for (int64_t l = threadIdx.x; l < len; l += blockDim.x) {
      const float e = expf(load(l) - mx);
      dst[l * inner] = e;
      total += e;
    }
    total = blockReduce(total, SumOp());
    for (int64_t l = threadIdx.x; l < len; l += blockDim.x)
      dst[l * inner] = static_cast<float>(dst[l * inner] / total);
  }
}

} // namespace cimlir::cuda
