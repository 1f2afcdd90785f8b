#include "kernels/cuda/QuantizeLinear.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

template <typename Y>
__global__ void quantizeKernel(const float *x, PerAxisScales s, int64_t count, double lo, double hi,
                               Y *y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = (i / s.inner) % s.scales;
    const float q = rintf(__fdiv_rn(x[i], s.scale[k]));
    const double v = static_cast<double>(q) + s.zeroPoint[k];
    y[i] = static_cast<Y>(v < lo ? lo : (v > hi ? hi : v));
  }
}

template <typename X>
__global__ void dequantizeKernel(const X *x, PerAxisScales s, int64_t count, float *y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = (i / s.inner) % s.scales;
    y[i] = static_cast<float>(static_cast<int64_t>(x[i]) - s.zeroPoint[k]) * s.scale[k];
  }
}

} // namespace

void quantizeLinear(const float *x, const PerAxisScales &s, int64_t count, DType to, void *y,
                    cudaStream_t stream) {
  if (count == 0)
    return;
  const unsigned blocks = gridStrideBlocks(count);
  if (to == DType::I8)
    quantizeKernel<int8_t><<<blocks, kGridStrideThreads, 0, stream>>>(x, s, count, -128, 127,
                                                                      static_cast<int8_t *>(y));
  else if (to == DType::U8)
    quantizeKernel<uint8_t>
        <<<blocks, kGridStrideThreads, 0, stream>>>(x, s, count, 0, 255, static_cast<uint8_t *>(y));
  else
    throw Error(std::string("internal: no GPU quantization to ") + dtypeName(to));
  checkLaunch("quantize");
}

void dequantizeLinear(const void *x, DType from, const PerAxisScales &s, int64_t count, float *y,
                      cudaStream_t stream) {
  if (count == 0)
    return;
  const unsigned blocks = gridStrideBlocks(count);
  if (from == DType::I8)
    dequantizeKernel<<<blocks, kGridStrideThreads, 0, stream>>>(static_cast<const int8_t *>(x), s,
                                                                count, y);
  else if (from == DType::U8)
    dequantizeKernel<<<blocks, kGridStrideThreads, 0, stream>>>(static_cast<const uint8_t *>(x), s,
                                                                count, y);
  else if (from == DType::I32)
    dequantizeKernel<<<blocks, kGridStrideThreads, 0, stream>>>(static_cast<const int32_t *>(x), s,
                                                                count, y);
  else
    throw Error(std::string("internal: no GPU dequantization of ") + dtypeName(from));
  checkLaunch("dequantize");
}

} // namespace cimlir::cuda
