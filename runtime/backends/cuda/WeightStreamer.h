// cimlir runtime: the CUDA backend's weight streaming (docs/cuda-backend.md, "Weight streaming").
// CIM and DigitalLinear layers register their weight arrays here at load; at the first batch each
// array is placed on the GPU while the budget allows, the rest stay in pinned host memory and are
// copied, on a copy stream, into one of two staging buffers ahead of the layer that reads them.
#pragma once

#include "runtime/backends/cuda/EventPool.h"

#include <cuda_runtime_api.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cimlir::cuda {

class Context;

class WeightStreamer {
public:
  /// Arrays read on `context`'s stream; `budget` bytes of device memory for them (resident
  /// arrays and the two staging buffers).
  WeightStreamer(Context &context, uint64_t budget);
  ~WeightStreamer();
  WeightStreamer(const WeightStreamer &) = delete;
  WeightStreamer &operator=(const WeightStreamer &) = delete;

  /// Keeps a copy of `bytes` host bytes (pinned) until place(); returns the array's id. Arrays
  /// are streamed in the order they are registered, which is the order steps read them.
  int add(const void *host, size_t bytes, const std::string &what);

  /// Decides, once, which arrays stay on the GPU: in registration order while the resident
  /// bytes plus two staging buffers (each the largest streamed array) fit the budget. Uploads
  /// those and frees their host copies. Throws cimlir::Error when even the staging buffers do
  /// not fit.
  void place();

  /// Called before each batch: no array of this batch has been copied yet.
  void startBatch();
  /// The device address of array `id` for work about to be enqueued on the compute stream: a
  /// resident array's own, or a staging buffer whose copy the stream waits for (the copy of the
  /// next streamed array is started too).
  const void *acquire(int id);
  /// The work that reads array `id` has been enqueued: its staging buffer may be refilled after
  /// it.
  void release(int id);

  /// Resident and streamed arrays and bytes, bytes copied, and for the batches whose copies the
  /// host issued (not replayed CUDA graphs) the copies' achieved GB/s and the share of their
  /// time the compute stream did not wait for them (the overlap).
  nlohmann::json report() const;
  uint64_t budget() const { return budget_; }

private:
  struct Array {
    std::string what;
    size_t bytes = 0;
    void *host = nullptr;           ///< pinned, until place() uploads a resident array
    std::shared_ptr<void> resident; ///< device copy, when resident
    int position = -1;              ///< index among the streamed arrays, -1 when resident
  };
  void copy(int position); ///< starts streamed array `position`'s copy into its buffer
  void timeCopies();       ///< accumulates the copy events of completed batches

  Context &context_;
  uint64_t budget_;
  bool placed_ = false;
  std::vector<Array> arrays_;
  std::vector<int> streamed_; ///< array ids in streaming order
  std::shared_ptr<void> staging_[2];
  cudaStream_t copyStream_ = nullptr;
  cudaEvent_t copied_[2] = {}, freed_[2] = {}, batchStart_ = nullptr;
  int inBuffer_[2] = {-1, -1}; ///< the streamed position each buffer holds or is receiving
  bool freedThisBatch_[2] = {};
  bool startRecorded_ = false;
  /// Timing of the batch in flight: events around each copy and around each wait of the
  /// compute stream, read at the next startBatch.
  struct Interval {
    cudaEvent_t start, stop;
  };
  /// Adds the finished batch's copy and wait times (and its bytes) to the totals.
  void drainTimes() const;
  // Read lazily: report() adds the last batch's times.
  mutable std::vector<Interval> copies_, waits_;
  mutable EventPool events_;
  mutable double copySeconds_ = 0, waitSeconds_ = 0;
  mutable uint64_t timedBytes_ = 0;
  uint64_t batchBytes_ = 0, bytesCopied_ = 0;
};

} // namespace cimlir::cuda
