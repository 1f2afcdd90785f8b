// Helpers of the CUDA kernel tests: skip without a GPU, device buffers.
#pragma once

#include "kernels/cuda/CudaCheck.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace cimlir::cuda::test {

/// Skips the calling test where no CUDA device can run (CI has none).
#define CIMLIR_REQUIRE_GPU()                                                                       \
  do {                                                                                             \
    if (std::string why = ::cimlir::cuda::unavailableReason(); !why.empty())                       \
      GTEST_SKIP() << why;                                                                         \
  } while (0)

inline std::shared_ptr<void> deviceCopy(const void *host, size_t bytes) {
  void *data = nullptr;
  check(cudaMalloc(&data, bytes ? bytes : 1), "test allocation");
  if (bytes)
    check(cudaMemcpy(data, host, bytes, cudaMemcpyHostToDevice), "test upload");
  return std::shared_ptr<void>(data, [](void *p) { cudaFree(p); });
}

template <typename T> std::vector<T> hostCopy(const void *device, size_t count) {
  std::vector<T> out(count);
  if (count)
    check(cudaMemcpy(out.data(), device, count * sizeof(T), cudaMemcpyDeviceToHost),
          "test download");
  return out;
}

} // namespace cimlir::cuda::test
