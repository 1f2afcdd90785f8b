#include "runtime/backends/cuda/CudaBackend.h"

#include "kernels/cuda/CudaCheck.h"
#include "runtime/backends/cpu/CpuBackend.h"
#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/backends/cuda/EventPool.h"
#include "runtime/backends/cuda/GpuSteps.h"
#include "runtime/backends/cuda/HostStep.h"

#include <algorithm>
#include <map>
#include <vector>

namespace cimlir {

namespace {

using cuda::check;

/// CUDA events around each step, read once the stream has run them.
class EventTimer : public StepTimer {
public:
  EventTimer(size_t steps, std::shared_ptr<cuda::Context> context)
      : seconds_(steps, 0.0), open_(steps, nullptr), context_(std::move(context)) {}
  ~EventTimer() override {
    for (const Timing &t : pending_) {
      cudaEventDestroy(t.start);
      cudaEventDestroy(t.stop);
    }
    for (cudaEvent_t e : open_)
      if (e)
        cudaEventDestroy(e);
  }
  void start(size_t step) override {
    open_[step] = events_.take();
    check(cudaEventRecord(open_[step], context_->stream()), "recording a timing event");
  }
  void stop(size_t step) override {
    cudaEvent_t stop = events_.take();
    check(cudaEventRecord(stop, context_->stream()), "recording a timing event");
    pending_.push_back({step, open_[step], stop});
    open_[step] = nullptr;
  }
  std::vector<double> seconds() const override {
    for (const Timing &t : pending_) {
      float ms = 0.0f;
      check(cudaEventSynchronize(t.stop), "waiting for a timing event");
      check(cudaEventElapsedTime(&ms, t.start, t.stop), "reading a timing event");
      seconds_[t.step] += ms * 1e-3;
      events_.give(t.start);
      events_.give(t.stop);
    }
    pending_.clear();
    return seconds_;
  }

private:
  struct Timing {
    size_t step;
    cudaEvent_t start, stop;
  };
  // Read lazily by seconds() (const: the accumulated times are its result).
  mutable std::vector<double> seconds_;
  mutable std::vector<Timing> pending_;
  mutable cuda::EventPool events_;
  std::vector<cudaEvent_t> open_;
  std::shared_ptr<cuda::Context> context_;
};

class CudaBackend : public Backend {
public:
  explicit CudaBackend(BackendOptions options)
      : options_(std::move(options)), context_(cuda::Context::create(options_.gpu)),
        cpu_(createCpuBackend(options_)) {
    context_->setWeightBudget(options_.weightBudget ? options_.weightBudget : autoBudget());
  }
  ~CudaBackend() override {
    for (cudaGraphExec_t g : graphs_)
      cudaGraphExecDestroy(g);
  }

  std::string name() const override { return "cuda"; }

  std::unique_ptr<StepKernel> prepare(const Program &program, const Step &step) override {
    StepAttrs attrs(program, step, options_);
    if (std::unique_ptr<StepKernel> gpu = cuda::prepareGpuStep(attrs, context_))
      return gpu;
    std::unique_ptr<StepKernel> cpu = cpu_->prepare(program, step);
    std::vector<bool> constant;
    for (int64_t v : step.inputs)
      constant.push_back(program.constant(v) != nullptr);
    ++hostSteps_[step.op];
    return cuda::hostStep(std::move(cpu), std::move(constant), context_);
  }

  MemorySpace memorySpace() const override { return MemorySpace::Device; }
  std::shared_ptr<void> allocate(size_t bytes) override {
    return context_->allocate(bytes, "activations");
  }
  void copyFromHost(void *data, const void *host, size_t bytes) override {
    check(cudaMemcpyAsync(data, host, bytes, cudaMemcpyHostToDevice, context_->stream()),
          "copying inputs to the GPU");
    context_->synchronize(); // the host data may go once this returns
  }
  void copyToHost(void *host, const void *data, size_t bytes) override {
    check(cudaMemcpyAsync(host, data, bytes, cudaMemcpyDeviceToHost, context_->stream()),
          "copying outputs from the GPU");
    context_->synchronize();
  }
  void zero(void *data, size_t bytes) override {
    check(cudaMemsetAsync(data, 0, bytes, context_->stream()), "clearing device memory");
  }
  void synchronize() override { context_->synchronize(); }
  std::unique_ptr<StepTimer> createTimer(size_t steps) override {
    return std::make_unique<EventTimer>(steps, context_);
  }
  nlohmann::json report() const override {
    nlohmann::json host = nlohmann::json::object();
    for (const auto &[op, count] : hostSteps_)
      host[op] = count;
    return {{"gpu", context_->describe()},
            {"peak_device_memory_bytes", context_->peakBytes()},
            {"host_steps", host},
            {"weights", context_->weights().report()},
            {"cuda_graphs",
             {{"enabled", options_.replay},
              {"captured", static_cast<int64_t>(graphs_.size())},
              {"replays", replays_}}}};
  }

  // CUDA graphs: the executor's recordings are stream captures of the steps' work.
  bool canReplay() const override { return options_.replay; }
  void beginRecording() override {
    check(cudaStreamBeginCapture(context_->stream(), cudaStreamCaptureModeThreadLocal),
          "starting a CUDA graph capture");
  }
  int64_t endRecording() override {
    cudaGraph_t graph = nullptr;
    check(cudaStreamEndCapture(context_->stream(), &graph), "capturing a CUDA graph");
    cudaGraphExec_t exec = nullptr;
    const cudaError_t made = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    check(made, "instantiating a CUDA graph");
    graphs_.push_back(exec);
    check(cudaGraphLaunch(exec, context_->stream()), "launching a CUDA graph");
    return static_cast<int64_t>(graphs_.size()) - 1;
  }
  void abandonRecording() override {
    cudaGraph_t graph = nullptr;
    if (cudaStreamEndCapture(context_->stream(), &graph) == cudaSuccess && graph)
      cudaGraphDestroy(graph);
    cudaGetLastError(); // the failed capture's error is the step's, already thrown
  }
  void replay(int64_t recording) override {
    check(cudaGraphLaunch(graphs_.at(static_cast<size_t>(recording)), context_->stream()),
          "replaying a CUDA graph");
    ++replays_;
  }
  void startBatch(const RunContext &runContext) override {
    context_->weights().startBatch();
    context_->setBatchStart(runContext.firstSample);
  }

private:
  /// --gpu-memory-budget auto: the free device memory now, less a reserve for activations,
  /// scratch and cuBLAS (a tenth of the device, at least 2 GiB). Processes that share the GPU
  /// (MPI ranks, BackendOptions::hostProcesses) start together: each takes its share of the
  /// device, less its reserve.
  uint64_t autoBudget() const {
    size_t free = 0, total = 0;
    check(cudaMemGetInfo(&free, &total), "reading the GPU's free memory");
    const uint64_t reserve = std::max<uint64_t>(uint64_t(2) << 30, total / 10);
    uint64_t budget = free > reserve ? free - reserve : 1;
    int gpus = 1;
    check(cudaGetDeviceCount(&gpus), "counting the GPUs");
    if (options_.gpu >= 0 && options_.hostProcesses > gpus) {
      const int gpu = options_.gpu % gpus;
      const uint64_t sharing =
          options_.hostProcesses / gpus + (gpu < options_.hostProcesses % gpus ? 1 : 0);
      const uint64_t share = total / sharing;
      budget = std::min(budget, share > reserve ? share - reserve : 1);
    }
    return budget;
  }

  BackendOptions options_;
  std::shared_ptr<cuda::Context> context_;
  std::unique_ptr<Backend> cpu_; // prepares the steps that run on the host
  std::map<std::string, int64_t> hostSteps_;
  std::vector<cudaGraphExec_t> graphs_; // by recording handle
  int64_t replays_ = 0;
};

} // namespace

std::unique_ptr<Backend> createCudaBackend(const BackendOptions &options) {
  return std::make_unique<CudaBackend>(options);
}

std::string cudaBackendUnavailable() { return cuda::unavailableReason(); }

} // namespace cimlir
