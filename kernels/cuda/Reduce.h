// cimlir CUDA kernels: the ONNX Reduce ops on device memory. Float32: one block per output
// element over a row of reduced values, with cpu::reduce's arithmetic (float64 accumulation,
// LogSumExp around the maximum, NaN propagating through Max and Min); only the order of the
// sums differs. Float64 and the integers: one thread per row in the CPU's order
// (cpu::reduceRow), the CPU's bits, but for float64 ReduceLogSum and ReduceLogSumExp, whose
// exp and log are CUDA's (within 1 ulp of the C library's).
#pragma once

#include "kernels/cpu/Reduce.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

/// y[r] = op over x[r·inner .. r·inner + inner), r < rows.
void reduceRows(cpu::ReduceOp op, const float *x, int64_t rows, int64_t inner, float *y,
                cudaStream_t stream);

/// The same for rows of float64, int32 or int64 (`t`), one thread per row with cpu::reduceRow.
void reduceRowsInOrder(cpu::ReduceOp op, const void *x, DType t, int64_t rows, int64_t inner,
                       void *y, cudaStream_t stream);

} // namespace cimlir::cuda
