// cimlir CUDA kernels: max and average pooling over 1-, 2- and 3-d windows, and global average
// pooling, on float32 device memory. The windows are the CPU kernel's (kernels/cpu/Pool.h
// poolGeometry), computed on the host and uploaded; the arithmetic is the CPU's (max that
// skips NaN as std::max does, averages summed in double in the same order), so the outputs are
// the same bits.
#pragma once

#include "core/DType.h"
#include "kernels/cpu/Pool.h"
#include "kernels/cuda/DeviceMemory.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>

namespace cimlir::cuda {

constexpr int kMaxPoolAxes = 3;

/// A pooling's windows in device memory: axis a's output j has window
/// windows[a][4·j .. 4·j+3] = {start, tapLo, tapHi, padTaps} (cpu::AxisWindow).
struct PoolWindows {
  int axes = 0;
  int64_t planes = 0, inSize = 1, outSize = 1;
  int64_t in[kMaxPoolAxes] = {1, 1, 1}, out[kMaxPoolAxes] = {1, 1, 1};
  int64_t dilations[kMaxPoolAxes] = {1, 1, 1};
  const int64_t *windows[kMaxPoolAxes] = {};
};

/// A geometry's windows uploaded (view points into memory).
struct DevicePoolWindows {
  PoolWindows view;
  std::shared_ptr<void> memory;
};
/// The windows of `g` (at most kMaxPoolAxes spatial axes) in device memory.
DevicePoolWindows uploadPoolWindows(const cpu::PoolGeometry &g, const Upload &upload);

/// MaxPool of x of `t` (float32, uint8 or int8, as cpu::maxPool takes).
void maxPool(const void *x, DType t, const PoolWindows &w, void *y, cudaStream_t stream);
void averagePool(const float *x, const PoolWindows &w, bool countIncludePad, float *y,
                 cudaStream_t stream);
/// y[p] = mean of plane p of x (`planes` planes of `size` values), summed in double in order.
void globalAveragePool(const float *x, int64_t planes, int64_t size, float *y, cudaStream_t stream);

} // namespace cimlir::cuda
