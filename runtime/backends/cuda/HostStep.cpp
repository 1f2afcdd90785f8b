#include "runtime/backends/cuda/HostStep.h"

#include "kernels/cuda/CudaCheck.h"

namespace cimlir::cuda {

namespace {

class HostStep : public StepKernel {
public:
  HostStep(std::unique_ptr<StepKernel> cpu, std::vector<bool> constantInputs,
           std::shared_ptr<Context> context)
      : cpu_(std::move(cpu)), constant_(std::move(constantInputs)), context_(std::move(context)) {}

  void run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
           const RunContext &runContext) override {
    context_->synchronize(); // the inputs are written by work still on the stream
    std::vector<Tensor> hostIn(in.size()), hostOut(out.size());
    std::vector<const Tensor *> inPointers(in.size());
    std::vector<Tensor *> outPointers(out.size());
    for (size_t i = 0; i < in.size(); ++i) {
      if (i < constant_.size() && constant_[i]) {
        inPointers[i] = in[i];
        continue;
      }
      hostIn[i] = Tensor::allocate(in[i]->dtype(), in[i]->shape());
      if (in[i]->byteSize())
        check(cudaMemcpyAsync(hostIn[i].raw(), in[i]->raw(), in[i]->byteSize(),
                              cudaMemcpyDeviceToHost, context_->stream()),
              "copying a step's input to the host");
      inPointers[i] = &hostIn[i];
    }
    for (size_t o = 0; o < out.size(); ++o) {
      hostOut[o] = Tensor::allocate(out[o]->dtype(), out[o]->shape());
      outPointers[o] = &hostOut[o];
    }
    context_->synchronize();
    cpu_->run(inPointers, outPointers, runContext);
    for (size_t o = 0; o < out.size(); ++o)
      if (out[o]->byteSize())
        check(cudaMemcpyAsync(out[o]->raw(), hostOut[o].raw(), out[o]->byteSize(),
                              cudaMemcpyHostToDevice, context_->stream()),
              "copying a step's output to the GPU");
    context_->synchronize(); // before the host outputs go
  }

  nlohmann::json report() const override { return cpu_->report(); }
  /// The host runs it in every batch.
  bool replayable() const override { return false; }

private:
  std::unique_ptr<StepKernel> cpu_;
  std::vector<bool> constant_;
  std::shared_ptr<Context> context_;
};

} // namespace

std::unique_ptr<StepKernel> hostStep(std::unique_ptr<StepKernel> cpu,
                                     std::vector<bool> constantInputs,
                                     std::shared_ptr<Context> context) {
  return std::make_unique<HostStep>(std::move(cpu), std::move(constantInputs), std::move(context));
}

} // namespace cimlir::cuda
