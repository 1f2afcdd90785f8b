// cimlir CUDA kernels: reductions over the threads of one block (warp shuffles, then one value
// per warp through shared memory), for kernels that give each block one line of values.
#pragma once

#include <cstdint>

namespace cimlir::cuda {

/// Threads per block of the line kernels (a softmax row, a normalised row): enough warps to
/// stream a row of a few thousand values, few enough that a short row wastes little.
constexpr int kLineThreads = 256;

/// `v` combined over the block by `op` (associative; the order of combination is fixed by the
/// block shape, so a launch is deterministic). Every thread gets the result. blockDim.x must be
/// a multiple of 32 and at most 1024; the call is a barrier.
template <typename T, typename Op> __device__ T blockReduce(T v, Op op) {
  // Aligned for T: a kernel's other shared variables (a 4-byte one) may come before it.
  __shared__ __align__(alignof(T)) unsigned char raw[32 * sizeof(T)];
  T *partial = reinterpret_cast<T *>(raw);
  for (int offset = 16; offset > 0; offset /= 2)
    v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  __syncthreads(); // a previous call's readers are done with `partial`
  if (lane == 0)
    partial[warp] = v;
  __syncthreads();
  v = partial[0];
  for (int w = 1; w < warps; ++w)
    v = op(v, partial[w]);
  return v;
}

struct SumOp {
  template <typename T> __device__ T operator()(T a, T b) const { return a + b; }
};

} // namespace cimlir::cuda
