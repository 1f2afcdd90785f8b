#include "runtime/backends/cuda/EventPool.h"

#include "kernels/cuda/CudaCheck.h"

namespace cimlir::cuda {

EventPool::~EventPool() {
  for (cudaEvent_t e : free_)
    cudaEventDestroy(e);
}

cudaEvent_t EventPool::take() {
  if (!free_.empty()) {
    cudaEvent_t e = free_.back();
    free_.pop_back();
    return e;
  }
  cudaEvent_t e;
  check(cudaEventCreate(&e), "creating a timing event");
  return e;
}

} // namespace cimlir::cuda
