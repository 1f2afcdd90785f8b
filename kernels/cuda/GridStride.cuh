// cimlir CUDA kernels: the launch shape of the elementwise-style kernels, which loop over their
// elements with a grid stride (each thread takes idx, idx + gridDim·blockDim, ...).
#pragma once

#include <cstdint>

namespace cimlir::cuda {

constexpr int kGridStrideThreads = 256;

/// Blocks of kGridStrideThreads for `count` elements, capped at 2^20 (the grid stride covers
/// the rest).
inline unsigned gridStrideBlocks(int64_t count) {
  const int64_t blocks = (count + kGridStrideThreads - 1) / kGridStrideThreads;
  return static_cast<unsigned>(blocks < (int64_t(1) << 20) ? blocks : (int64_t(1) << 20));
}

} // namespace cimlir::cuda
