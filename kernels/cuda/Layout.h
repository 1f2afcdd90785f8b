// cimlir CUDA kernels: data movement on device memory, for any element size (1, 2, 4 or 8
// bytes). Transpose, Slice, Expand, Tile and Pad are one kernel: each output axis has a table
// of input element offsets per index, built on the host from the CPU kernels' index maps
// (kernels/cpu/Layout.h) and uploaded once per input shape. Gather takes its indices from
// device memory.
#pragma once

#include "core/Tensor.h"
#include "kernels/cpu/Layout.h"
#include "kernels/cuda/DeviceFault.h"
#include "kernels/cuda/DeviceMemory.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>

namespace cimlir::cuda {

constexpr int kMaxLayoutRank = 8;

/// Y[i0..ik] = X[table[0][i0] + .. + table[k][ik]], or the fill value where an entry is -1.
struct OffsetTables {
  int rank = 0;
  int64_t count = 0; ///< Y's elements
  int64_t extent[kMaxLayoutRank] = {};
  const int64_t *table[kMaxLayoutRank] = {};
};

struct DeviceOffsetTables {
  OffsetTables view;
  std::shared_ptr<void> memory;
};

/// The tables of remap(X, maps) for X of shape `x` (the maps' rank); false (nothing uploaded)
/// when the rank exceeds kMaxLayoutRank.
bool uploadRemap(const cpu::AxisMaps &maps, const Shape &x, const Upload &upload,
                 DeviceOffsetTables &out);
/// The tables of ONNX Transpose of X with `perm` (checked as cpu::transpose checks it).
bool uploadTranspose(const Shape &x, const std::vector<int64_t> &perm, const Upload &upload,
                     DeviceOffsetTables &out);

/// Y = X through the tables; `fill` (one element in device memory) where a table says -1.
void remap(const void *x, size_t elementSize, const OffsetTables &tables, const void *fill, void *y,
           cudaStream_t stream);

/// ONNX Gather of X viewed as [outer, dim, inner] at `count` indices (int64 or int32, negative
/// ones from the end): Y [outer, count, inner]. An index out of range leaves its row of Y
/// unwritten and reports the first such index to `fault` at `site`.
void gather(const void *x, size_t elementSize, int64_t outer, int64_t dim, int64_t inner,
            const void *indices, bool indices64, int64_t count, void *y, DeviceFault *fault,
            int site, cudaStream_t stream);

} // namespace cimlir::cuda
