// cimlir runtime: what every step of the CUDA backend shares: the GPU, the one stream all work
// is issued on, and device memory with its accounting (peak bytes for the report).
#pragma once

#include "kernels/cuda/Blas.h"
#include "kernels/cuda/DeviceFault.h"
#include "kernels/cuda/DeviceMemory.h"
#include "runtime/backends/cuda/WeightStreamer.h"

#include <cuda_runtime_api.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace cimlir::cuda {

class Context {
public:
  /// Takes GPU `gpu` modulo the visible ones (-1: the current one) and creates the stream;
  /// throws cimlir::Error when there is no usable GPU.
  explicit Context(int gpu);
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  cudaStream_t stream() const { return stream_; }
  const cudaDeviceProp &properties() const { return properties_; }
  /// "NVIDIA H200 (GPU 0), compute capability 9.0".
  std::string describe() const;

  /// `bytes` of device memory, stream-ordered on stream() (cudaMallocAsync from the device's
  /// pool, which keeps freed blocks for reuse); freed on the stream when the last owner lets
  /// go. `what` names the use in an out-of-memory message. The returned memory keeps this
  /// context alive.
  std::shared_ptr<void> allocate(size_t bytes, const std::string &what);
  /// allocate + a copy of `bytes` host bytes (synchronous: the host data may go right after).
  std::shared_ptr<void> upload(const void *host, size_t bytes, const std::string &what);
  /// upload() as the Upload callback that kernels' upload functions take (DeviceMemory.h).
  Upload uploader() {
    return [this](const void *host, size_t bytes, const std::string &what) {
      return upload(host, bytes, what);
    };
  }

  /// Waits for everything issued on stream(); then throws the first fault a kernel recorded
  /// since the last wait, as "SITE: index V is out of range for an axis of B".
  void synchronize() const;

  /// The dataset index of the current batch's first sample in device memory, which CIM kernels
  /// add to their rows' offsets (a replayed CUDA graph reads it there, not from an argument);
  /// setBatchStart enqueues its update on stream().
  const int64_t *batchStart() const { return batchStart_; }
  void setBatchStart(int64_t firstSample);

  /// The weight arrays of CIM layers, resident or streamed under `budget` bytes
  /// (WeightStreamer.h); setWeightBudget creates it, before any step is prepared.
  void setWeightBudget(uint64_t budget);
  WeightStreamer &weights();

  /// Where kernels record bad indices (host-mapped memory, DeviceFault.h).
  DeviceFault *fault() const { return fault_; }
  /// The site number a kernel records for `description` (the start of the error message,
  /// e.g. "step Gather 'embed': gather: ").
  int faultSite(const std::string &description);

  /// cuBLAS and cuBLASLt on stream(), created at the first use.
  Blas &blas();

  size_t liveBytes() const { return live_; }
  size_t peakBytes() const { return peak_; }

  /// The context of the backend that created it (kernels keep a shared_ptr).
  static std::shared_ptr<Context> create(int gpu);

private:
  int device_ = 0;
  cudaDeviceProp properties_{};
  cudaStream_t stream_ = nullptr;
  std::atomic<size_t> live_{0}, peak_{0};
  std::unique_ptr<Blas> blas_;
  std::weak_ptr<Context> self_;
  std::unique_ptr<WeightStreamer> weights_;
  DeviceFault *fault_ = nullptr;
  int64_t *batchStart_ = nullptr;     // device
  int64_t *batchStartHost_ = nullptr; // pinned: the copy's source stays valid until it ran
  std::vector<std::string> faultSites_;
};

} // namespace cimlir::cuda
