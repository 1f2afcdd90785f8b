// cimlir CPU kernels: a minimal parallel-for over index ranges (internal header).
//
// Work is split into contiguous chunks, one per thread; every index is computed by exactly one
// call, and the CIM kernels make each index's result independent of the split (the random
// numbers are counter-based), so results never depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#ifdef __linux__
#include <sched.h>
#endif

namespace cimlir::cpu::detail {

/// The cores this process may run on: its CPU affinity (what taskset, a cpuset or mpirun's
/// binding of a rank leave it), else every core.
inline int64_t usableCores() {
  static const int64_t cores = [] {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
      return static_cast<int64_t>(CPU_COUNT(&set));
#endif
    return std::max<int64_t>(1, std::thread::hardware_concurrency());
  }();
  return cores;
}

/// Calls fn(begin, end) over [0, count) in chunks of at least `grain` indices, on up to
/// usableCores() threads. The first exception thrown by a chunk is rethrown.
template <typename Fn> void parallelFor(int64_t count, int64_t grain, Fn &&fn) {
  if (count <= 0)
    return;
  int64_t hw = usableCores();
  int64_t chunks = std::min<int64_t>(hw, (count + std::max<int64_t>(grain, 1) - 1) /
                                             std::max<int64_t>(grain, 1));
  if (chunks <= 1) {
    fn(int64_t(0), count);
    return;
  }
  std::exception_ptr error;
  std::mutex errorMutex;
  auto run = [&](int64_t c) {
    int64_t begin = count * c / chunks, end = count * (c + 1) / chunks;
    try {
      fn(begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!error)
        error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(chunks - 1));
  for (int64_t c = 1; c < chunks; ++c)
    threads.emplace_back(run, c);
  run(0);
  for (std::thread &t : threads)
    t.join();
  if (error)
    std::rethrow_exception(error);
}

} // namespace cimlir::cpu::detail
