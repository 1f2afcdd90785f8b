#include "kernels/cuda/Cast.h"

#include "core/Error.h"
#include "kernels/cpu/CastValue.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

namespace cimlir::cuda {

namespace {

template <typename To, typename From>
__global__ void castKernel(const From *x, To *y, int64_t count) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = cpu::castValue<To>(x[i]);
}

/// Calls f with a value of the C++ type of `t`: every element type, the half-precision ones
/// included (their conversions are core/HalfFloat.h's, host and device).
template <typename F> bool withCastType(DType t, F f) {
  if (t == DType::F16)
    return f(Float16{}), true;
  if (t == DType::BF16)
    return f(BFloat16{}), true;
  return withElementType<cpu::CastBool>(t, f);
}

} // namespace

bool castOnGpu(DType from, DType to) {
  return withCastType(from, [](auto) {}) && withCastType(to, [](auto) {});
}

void cast(const void *x, DType from, void *y, DType to, int64_t count, cudaStream_t stream) {
  if (!castOnGpu(from, to))
    throw Error("internal: no GPU cast from " + std::string(dtypeName(from)) + " to " +
                dtypeName(to));
  if (count == 0)
    return;
  withCastType(from, [&](auto f) {
    using From = decltype(f);
    withCastType(to, [&](auto t) {
      using To = decltype(t);
      castKernel<To, From><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
          static_cast<const From *>(x), static_cast<To *>(y), count);
    });
  });
  checkLaunch("cast");
}

} // namespace cimlir::cuda
