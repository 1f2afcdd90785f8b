// cimlir CUDA kernels: the ONNX Reduce ops on float32 device memory, one block per output
// element over a row of reduced values, with cpu::reduce's arithmetic (float64 accumulation,
// LogSumExp around the maximum, NaN propagating through Max and Min); only the order of the
// sums differs.
#pragma once

#include "kernels/cpu/Reduce.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// y[r] = op over x[r·inner .. r·inner + inner), r < rows.
void reduceRows(cpu::ReduceOp op, const float *x, int64_t rows, int64_t inner, float *y,
                cudaStream_t stream);

} // namespace cimlir::cuda
