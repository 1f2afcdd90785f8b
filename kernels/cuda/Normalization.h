// cimlir CUDA kernels: the softmax family and the normalisations on float32 device memory, with
// the CPU kernels' arithmetic (kernels/cpu/Normalization.h: the same float and double operations
// per element, sums in double); only the order of the sums differs, so the outputs agree within
// a few float32 ulps.
#pragma once

#include "kernels/cpu/Normalization.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// Softmax, LogSoftmax or Hardmax along the middle axis of x viewed as [outer, len, inner].
void softmax(cpu::SoftmaxKind kind, const float *x, int64_t outer, int64_t len, int64_t inner,
             float *y, cudaStream_t stream);

/// LayerNormalization of `rows` rows of `len` values: scale and bias [len] (bias may be null);
/// mean and invStdDev [rows] where not null.
void layerNorm(const float *x, int64_t rows, int64_t len, const float *scale, const float *bias,
               float epsilon, float *y, float *mean, float *invStdDev, cudaStream_t stream);

/// InstanceNormalization of x [n, c, len]: scale and bias [c].
void instanceNorm(const float *x, int64_t n, int64_t c, int64_t len, const float *scale,
                  const float *bias, float epsilon, float *y, cudaStream_t stream);

/// BatchNormalization (inference) of x [n, c, inner]: y = (x - mean[ch]) · multiplier[ch] +
/// bias[ch] in float32, the multipliers from cpu::batchNormMultipliers.
void batchNorm(const float *x, int64_t n, int64_t c, int64_t inner, const float *mean,
               const float *multiplier, const float *bias, float *y, cudaStream_t stream);

/// LRN of x [n, c, len] (cpu::lrn's arithmetic: the window's squares summed in double).
void lrn(const float *x, int64_t n, int64_t c, int64_t len, int64_t size, float alpha, float beta,
         float bias, float *y, cudaStream_t stream);

} // namespace cimlir::cuda
