#include "runtime/backends/cuda/WeightStreamer.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "runtime/backends/cuda/CudaContext.h"

#include <algorithm>
#include <cstring>

namespace cimlir::cuda {

WeightStreamer::WeightStreamer(Context &context, uint64_t budget)
    : context_(context), budget_(budget) {}

WeightStreamer::~WeightStreamer() {
  if (copyStream_) {
    cudaStreamSynchronize(copyStream_);
    cudaStreamDestroy(copyStream_);
  }
  for (cudaEvent_t e : {copied_[0], copied_[1], freed_[0], freed_[1], batchStart_})
    if (e)
      cudaEventDestroy(e);
  for (const auto *list : {&copies_, &waits_})
    for (const Interval &i : *list) {
      cudaEventDestroy(i.start);
      cudaEventDestroy(i.stop);
    }
  for (Array &a : arrays_)
    if (a.host)
      cudaFreeHost(a.host);
}

int WeightStreamer::add(const void *host, size_t bytes, const std::string &what) {
  if (placed_)
    throw Error("internal: a weight array registered after the arrays were placed");
  Array a;
  a.what = what;
  a.bytes = bytes;
  check(cudaHostAlloc(&a.host, std::max<size_t>(bytes, 1), cudaHostAllocDefault),
        "allocating " + std::to_string(bytes) + " bytes of pinned host memory for " + what);
  std::memcpy(a.host, host, bytes);
  arrays_.push_back(std::move(a));
  return static_cast<int>(arrays_.size()) - 1;
}

void WeightStreamer::place() {
  if (placed_)
    return;
  // Resident in registration order while the resident bytes and two staging buffers (each the
  // largest array still streamed) fit the budget.
  std::vector<bool> resident(arrays_.size(), false);
  uint64_t residentBytes = 0;
  auto largestStreamed = [&] {
    size_t largest = 0;
    for (size_t i = 0; i < arrays_.size(); ++i)
      if (!resident[i])
        largest = std::max(largest, arrays_[i].bytes);
    return static_cast<uint64_t>(largest);
  };
  for (size_t i = 0; i < arrays_.size(); ++i) {
    resident[i] = true;
    if (residentBytes + arrays_[i].bytes + 2 * largestStreamed() <= budget_)
      residentBytes += arrays_[i].bytes;
    else
      resident[i] = false;
  }
  const uint64_t staging = largestStreamed();
  if (residentBytes + 2 * staging > budget_) {
    std::string largest;
    for (const Array &a : arrays_)
      if (a.bytes == staging)
        largest = a.what;
    throw Error("--gpu-memory-budget " + std::to_string(budget_) +
                " bytes is less than two staging buffers for the largest weight array (" +
                std::to_string(staging) + " bytes, " + largest + ")");
  }
  // Everything is allocated before anything changes: a placement that runs out of GPU memory
  // leaves the arrays in host memory, and the next batch tries again (and fails the same way).
  std::shared_ptr<void> buffers[2];
  try {
    for (size_t i = 0; i < arrays_.size(); ++i)
      if (resident[i])
        arrays_[i].resident = context_.upload(arrays_[i].host, arrays_[i].bytes, arrays_[i].what);
    if (std::find(resident.begin(), resident.end(), false) != resident.end())
      for (auto &buffer : buffers)
        buffer = context_.allocate(staging, "a weight staging buffer");
  } catch (const Error &e) {
    for (Array &a : arrays_)
      a.resident.reset();
    throw Error(std::string(e.what()) + "; --gpu-memory-budget " + std::to_string(budget_) +
                " bytes is more than the GPU holds: a smaller budget streams more weights");
  }
  placed_ = true;
  for (size_t i = 0; i < arrays_.size(); ++i) {
    Array &a = arrays_[i];
    if (resident[i]) {
      cudaFreeHost(a.host);
      a.host = nullptr;
    } else {
      a.position = static_cast<int>(streamed_.size());
      streamed_.push_back(static_cast<int>(i));
    }
  }
  if (streamed_.empty())
    return;
  staging_[0] = std::move(buffers[0]);
  staging_[1] = std::move(buffers[1]);
  check(cudaStreamCreateWithFlags(&copyStream_, cudaStreamNonBlocking), "creating a copy stream");
  for (cudaEvent_t *e : {&copied_[0], &copied_[1], &freed_[0], &freed_[1], &batchStart_})
    check(cudaEventCreateWithFlags(e, cudaEventDisableTiming), "creating a streaming event");
}

void WeightStreamer::drainTimes() const {
  auto drain = [&](std::vector<Interval> &list, double &seconds) {
    for (const Interval &i : list) {
      float ms = 0;
      if (cudaEventElapsedTime(&ms, i.start, i.stop) == cudaSuccess)
        seconds += ms * 1e-3;
      events_.give(i.start);
      events_.give(i.stop);
    }
    list.clear();
  };
  if (!copies_.empty())
    timedBytes_ += batchBytes_;
  drain(copies_, copySeconds_);
  drain(waits_, waitSeconds_);
  cudaGetLastError(); // an event a failed batch never recorded
}

void WeightStreamer::startBatch() {
  place();
  if (streamed_.empty())
    return;
  // The previous batch has finished (every batch ends by waiting for the stream).
  drainTimes();
  batchBytes_ = 0;
  inBuffer_[0] = inBuffer_[1] = -1;
  freedThisBatch_[0] = freedThisBatch_[1] = false;
  startRecorded_ = false;
}

void WeightStreamer::copy(int position) {
  const int b = position % 2;
  const Array &a = arrays_[static_cast<size_t>(streamed_[static_cast<size_t>(position)])];
  // The copy stream follows the compute stream: within a recorded CUDA graph every copy must
  // depend on work of the capture, and a buffer is refilled only after its last reader.
  if (!startRecorded_) {
    check(cudaEventRecord(batchStart_, context_.stream()), "recording the batch start");
    startRecorded_ = true;
  }
  check(cudaStreamWaitEvent(copyStream_, freedThisBatch_[b] ? freed_[b] : batchStart_, 0),
        "ordering a weight copy");
  Interval timing{events_.take(), events_.take()};
  check(cudaEventRecord(timing.start, copyStream_), "timing a weight copy");
  check(cudaMemcpyAsync(staging_[b].get(), a.host, a.bytes, cudaMemcpyHostToDevice, copyStream_),
        "copying " + a.what + " to the GPU");
  check(cudaEventRecord(timing.stop, copyStream_), "timing a weight copy");
  check(cudaEventRecord(copied_[b], copyStream_), "recording a weight copy");
  copies_.push_back(timing);
  inBuffer_[b] = position;
  batchBytes_ += a.bytes;
  bytesCopied_ += a.bytes;
}

const void *WeightStreamer::acquire(int id) {
  place();
  Array &a = arrays_.at(static_cast<size_t>(id));
  if (a.position < 0)
    return a.resident.get();
  const int position = a.position, b = position % 2;
  if (inBuffer_[b] != position)
    copy(position);
  // Prefetch the next streamed array into the other buffer: it is copied while this one is
  // read.
  const int next = position + 1;
  if (next < static_cast<int>(streamed_.size()) && inBuffer_[next % 2] != next)
    copy(next);
  Interval wait{events_.take(), events_.take()};
  check(cudaEventRecord(wait.start, context_.stream()), "timing a weight wait");
  check(cudaStreamWaitEvent(context_.stream(), copied_[b], 0), "waiting for a weight copy");
  check(cudaEventRecord(wait.stop, context_.stream()), "timing a weight wait");
  waits_.push_back(wait);
  return staging_[b].get();
}

void WeightStreamer::release(int id) {
  const Array &a = arrays_.at(static_cast<size_t>(id));
  if (a.position < 0)
    return;
  const int b = a.position % 2;
  check(cudaEventRecord(freed_[b], context_.stream()), "recording a weight buffer's release");
  freedThisBatch_[b] = true;
}

nlohmann::json WeightStreamer::report() const {
  drainTimes();
  uint64_t residentBytes = 0, streamedBytes = 0;
  int64_t resident = 0;
  for (const Array &a : arrays_) {
    if (a.position < 0) {
      residentBytes += a.bytes;
      ++resident;
    } else {
      streamedBytes += a.bytes;
    }
  }
  nlohmann::json r = {{"budget_bytes", budget_},
                      {"resident_arrays", resident},
                      {"resident_bytes", residentBytes},
                      {"streamed_arrays", static_cast<int64_t>(streamed_.size())},
                      {"streamed_bytes_per_batch", streamedBytes},
                      {"host_issued_copy_bytes", bytesCopied_}};
  if (copySeconds_ > 0) {
    r["copy_gb_per_second"] = static_cast<double>(timedBytes_) / copySeconds_ / 1e9;
    r["copy_overlap"] = std::max(0.0, 1.0 - waitSeconds_ / copySeconds_);
  }
  return r;
}

} // namespace cimlir::cuda
