#include "kernels/cuda/IntegerLinear.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

template <typename T>
__global__ void widenKernel(const T *x, const T *zero, int64_t count, int64_t zeroDivisor,
                            int64_t zeroCount, double *out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = static_cast<double>(static_cast<int32_t>(x[i]) -
                                 static_cast<int32_t>(zero[(i / zeroDivisor) % zeroCount]));
}

__global__ void wrapKernel(const double *z, int64_t count, int32_t *y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(z[i])));
}

} // namespace

void widenLessZeroPoint(const void *x, const void *zero, DType t, int64_t count,
                        int64_t zeroDivisor, int64_t zeroCount, double *out, cudaStream_t stream) {
  if (count == 0)
    return;
  if (!withInt8Type(t, [&](auto e) {
        using T = decltype(e);
        widenKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
            static_cast<const T *>(x), static_cast<const T *>(zero), count, zeroDivisor, zeroCount,
            out);
      }))
    throw Error(std::string("internal: no GPU integer widening of ") + dtypeName(t));
  checkLaunch("widening less the zero point");
}

void wrapToInt32(const double *z, int64_t count, int32_t *y, cudaStream_t stream) {
  if (count == 0)
    return;
  wrapKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(z, count, y);
  checkLaunch("wrapping to int32");
}

} // namespace cimlir::cuda
