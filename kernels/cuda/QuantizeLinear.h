// cimlir CUDA kernels: ONNX QuantizeLinear and DequantizeLinear on device memory, per tensor or
// per axis, with the CPU kernel's arithmetic (kernels/cpu/QuantizeLinear.h: IEEE float division,
// rounding halves to even, saturation), so the outputs are the same bits.
#pragma once

#include "core/DType.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// Element i of X uses scale and zero point k = (i / inner) % scales.
struct PerAxisScales {
  const float *scale = nullptr;       ///< device, [scales]
  const int32_t *zeroPoint = nullptr; ///< device, [scales]
  int64_t scales = 1, inner = 1;
};

/// y (int8 or uint8: `to`) = saturate(rint(x / scale) + zeroPoint) over `count` elements.
void quantizeLinear(const float *x, const PerAxisScales &s, int64_t count, DType to, void *y,
                    cudaStream_t stream);
/// y = (x - zeroPoint) · scale, x int8, uint8 or int32 (`from`), over `count` elements.
void dequantizeLinear(const void *x, DType from, const PerAxisScales &s, int64_t count, float *y,
                      cudaStream_t stream);

} // namespace cimlir::cuda
