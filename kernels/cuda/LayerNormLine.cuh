// cimlir CUDA kernels: one row of a LayerNormalization over a block of kLineThreads threads,
// shared by the LayerNormalization step (Normalization.cu) and the CIM layer that normalises
// its rows on the way to quantization (a fused normalisation, kernels/cpu/LayerNormPrologue.h),
// so that the two give the same bits: the same reduction order for the statistics and the same
// roundings for each value.
#pragma once

#include "kernels/cuda/BlockReduce.cuh"

#include <cstdint>

namespace cimlir::cuda {

/// The mean of `len` values and 1 / sqrt(population variance + epsilon), two passes in double
/// (cpu::layerNorm's meanAndInvStdDev), over the block.
__device__ inline void meanAndInvStdDev(const float *v, int64_t len, float epsilon, double &mu,
                                        double &inv) {
  double sum = 0;
  for (int64_t i = threadIdx.x; i < len; i += blockDim.x)
    sum += v[i];
  sum = blockReduce(sum, SumOp());
  mu = len ? sum / static_cast<double>(len) : 0;
  double squares = 0;
  for (int64_t i = threadIdx.x; i < len; i += blockDim.x)
    squares += (v[i] - mu) * (v[i] - mu);
  squares = blockReduce(squares, SumOp());
  inv = 1.0 / sqrt((len ? squares / static_cast<double>(len) : 0) + epsilon);
}

/// fl32((x - mu) · inv · scale + bias) in double, each operation rounded on its own as the CPU
/// computes it (no fused multiply-add).
__device__ inline float layerNormValue(float x, double mu, double inv, float scale, float bias) {
  return __double2float_rn(
      __dadd_rn(__dmul_rn(__dmul_rn(__dsub_rn(x, mu), inv), scale), static_cast<double>(bias)));
}

/// The rows of x [M, K] normalised on the fly, for quantizeRows (QuantizeRows.cuh): row(m),
/// called by every thread of a kLineThreads block, computes the row's statistics, and the
/// row's values are then computed where they are read.
struct NormalizedRows {
  static constexpr bool kNeedsBlock = true;
  const float *x = nullptr;
  int64_t K = 0;
  const float *scale = nullptr, *bias = nullptr; ///< [K]; bias may be null
  float epsilon = 0.0f;

  struct Row {
    const float *v, *scale, *bias;
    double mu, inv;
    __device__ float operator()(int64_t k) const {
      return layerNormValue(v[k], mu, inv, scale[k], bias ? bias[k] : 0.0f);
    }
  };
  __device__ Row row(int64_t m) const {
    Row r{x + m * K, scale, bias, 0.0, 0.0};
    meanAndInvStdDev(r.v, K, epsilon, r.mu, r.inv);
    return r;
  }
};

} // namespace cimlir::cuda
