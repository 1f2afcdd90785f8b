// cimlir CUDA kernels: ONNX Cast on device memory between float32, float64, the integer types
// and bool, element by element as the CPU kernel converts (kernels/cpu/CastValue.h).
#pragma once

#include "core/DType.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// Whether cast() converts `from` to `to` (float16 and bfloat16 are not on the GPU).
bool castOnGpu(DType from, DType to);
/// y = x converted, `count` elements.
void cast(const void *x, DType from, void *y, DType to, int64_t count, cudaStream_t stream);

} // namespace cimlir::cuda
