// cimlir runtime: timing events of the CUDA backend, created on demand and reused (creating an
// event per step and batch would cost more than what it times).
#pragma once

#include <cuda_runtime_api.h>

#include <vector>

namespace cimlir::cuda {

class EventPool {
public:
  EventPool() = default;
  ~EventPool();
  EventPool(const EventPool &) = delete;
  EventPool &operator=(const EventPool &) = delete;

  /// An event with timing, from the pool or new; throws cimlir::Error when none can be made.
  cudaEvent_t take();
  /// Returns `e` (taken from this pool, no longer pending on any stream) for reuse.
  void give(cudaEvent_t e) { free_.push_back(e); }

private:
  std::vector<cudaEvent_t> free_;
};

} // namespace cimlir::cuda
