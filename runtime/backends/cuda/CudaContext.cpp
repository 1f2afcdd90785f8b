#include "runtime/backends/cuda/CudaContext.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"

#include <cstdint>

namespace cimlir::cuda {

Context::Context(int gpu) {
  if (std::string why = unavailableReason(); !why.empty())
    throw Error("--backend cuda: " + why);
  if (gpu >= 0) {
    int count = 0;
    check(cudaGetDeviceCount(&count), "counting the GPUs");
    check(cudaSetDevice(gpu % count), "selecting GPU " + std::to_string(gpu % count));
  }
  check(cudaGetDevice(&device_), "selecting the GPU");
  check(cudaGetDeviceProperties(&properties_, device_), "reading the GPU's properties");
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating a CUDA stream");
  // Host memory that kernels write through the unified address space (DeviceFault.h).
  void *fault = nullptr;
  check(cudaHostAlloc(&fault, sizeof(DeviceFault), cudaHostAllocMapped),
        "allocating the GPU's fault record");
  fault_ = static_cast<DeviceFault *>(fault);
  *fault_ = DeviceFault{};
  void *start = nullptr;
  check(cudaMalloc(&start, sizeof(int64_t)), "allocating the batch start");
  batchStart_ = static_cast<int64_t *>(start);
  check(cudaHostAlloc(&start, sizeof(int64_t), cudaHostAllocDefault), "allocating the batch start");
  batchStartHost_ = static_cast<int64_t *>(start);
  setBatchStart(0);
  // Freed blocks stay in the pool for the next batch instead of going back to the driver at
  // every synchronisation.
  cudaMemPool_t pool;
  if (cudaDeviceGetDefaultMemPool(&pool, device_) == cudaSuccess) {
    uint64_t keep = UINT64_MAX;
    cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
  }
}

Context::~Context() {
  weights_.reset();
  blas_.reset();
  if (stream_) {
    cudaStreamSynchronize(stream_);
    cudaStreamDestroy(stream_);
  }
  if (fault_)
    cudaFreeHost(fault_);
  cudaFree(batchStart_);
  cudaFreeHost(batchStartHost_);
}

std::shared_ptr<Context> Context::create(int gpu) {
  auto context = std::make_shared<Context>(gpu);
  context->self_ = context;
  return context;
}

std::string Context::describe() const {
  return std::string(properties_.name) + " (GPU " + std::to_string(device_) +
         "), compute capability " + std::to_string(properties_.major) + "." +
         std::to_string(properties_.minor);
}

std::shared_ptr<void> Context::allocate(size_t bytes, const std::string &what) {
  void *data = nullptr;
  const size_t size = bytes ? bytes : 1;
  cudaError_t status = cudaMallocAsync(&data, size, stream_);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw Error("out of GPU memory allocating " + std::to_string(bytes) + " bytes for " + what +
                " (" + std::to_string(live_ / (1 << 20)) + " MiB already in use of " +
                std::to_string(properties_.totalGlobalMem / (1 << 20)) +
                " MiB; try a smaller --batch)");
  }
  check(status, "allocating " + std::to_string(bytes) + " bytes for " + what);
  const size_t now = live_ += size;
  size_t peak = peak_;
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
  std::shared_ptr<Context> self = self_.lock();
  return std::shared_ptr<void>(data, [self, size](void *p) {
    cudaFreeAsync(p, self->stream_);
    self->live_ -= size;
  });
}

std::shared_ptr<void> Context::upload(const void *host, size_t bytes, const std::string &what) {
  std::shared_ptr<void> data = allocate(bytes, what);
  if (bytes) {
    check(cudaMemcpyAsync(data.get(), host, bytes, cudaMemcpyHostToDevice, stream_),
          "copying " + what + " to the GPU");
    // The host data may go once this returns. A fault an earlier step recorded stays for the
    // next synchronize(), which names that step (not the one uploading).
    check(cudaStreamSynchronize(stream_), "copying " + what + " to the GPU");
  }
  return data;
}

Blas &Context::blas() {
  if (!blas_)
    blas_ = std::make_unique<Blas>(stream_);
  return *blas_;
}

void Context::synchronize() const {
  check(cudaStreamSynchronize(stream_), "running on the GPU");
  if (fault_->site == 0)
    return;
  // A kernel found bad data: the error names the step as if it had thrown there.
  const DeviceFault f = *fault_;
  *fault_ = DeviceFault{};
  const std::string &site = f.site > 0 && static_cast<size_t>(f.site) <= faultSites_.size()
                                ? faultSites_[static_cast<size_t>(f.site) - 1]
                                : std::string("a GPU step");
  if (f.kind == kOutsideFault)
    throw Error(site + std::to_string(f.value) + " is outside [0, " + std::to_string(f.bound) +
                ")");
  if (f.kind == kDivisionFault)
    throw Error(site + "integer division by zero");
  if (f.kind == kValueFault)
    throw Error(site + "value " + std::to_string(f.value) + " is outside [0, " +
                std::to_string(f.bound) + "]");
  throw Error(site + "index " + std::to_string(f.value) + " is out of range for an axis of " +
              std::to_string(f.bound));
}

void Context::setWeightBudget(uint64_t budget) {
  weights_ = std::make_unique<WeightStreamer>(*this, budget);
}

WeightStreamer &Context::weights() {
  if (!weights_)
    throw Error("internal: the weight budget was not set");
  return *weights_;
}

void Context::setBatchStart(int64_t firstSample) {
  // The pinned value must not change under a copy still queued: a batch that failed part way
  // did not wait for the stream at its end.
  synchronize();
  *batchStartHost_ = firstSample;
  check(cudaMemcpyAsync(batchStart_, batchStartHost_, sizeof(int64_t), cudaMemcpyHostToDevice,
                        stream_),
        "setting the batch start");
}

int Context::faultSite(const std::string &description) {
  faultSites_.push_back(description);
  return static_cast<int>(faultSites_.size());
}

} // namespace cimlir::cuda
