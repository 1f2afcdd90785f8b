#include "runtime/backends/cuda/GpuSteps.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/Elementwise.h"
#include "runtime/backends/cuda/CimLinearStep.h"

#include <functional>
#include <map>
#include <string>

namespace cimlir::cuda {

namespace {

using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

/// A GPU kernel from a lambda over the step's device inputs and outputs.
class LambdaStep : public StepKernel {
public:
  using Fn = std::function<void(const In &, const Out &)>;
  explicit LambdaStep(Fn fn) : fn_(std::move(fn)) {}
  void run(const In &in, const Out &out, const RunContext &) override { fn_(in, out); }

private:
  Fn fn_;
};

/// True when every input of the step is an activation (device memory), not a constant.
bool allInputsOnDevice(const StepAttrs &a, size_t first = 0, size_t count = SIZE_MAX) {
  const Step &s = a.step();
  for (size_t i = first; i < s.inputs.size() && i - first < count; ++i)
    if (a.program().constant(s.inputs[i]))
      return false;
  return true;
}

using Factory =
    std::function<std::unique_ptr<StepKernel>(const StepAttrs &, const std::shared_ptr<Context> &)>;

/// Reshape, Flatten, Identity: the output holds the input's elements in order.
std::unique_ptr<StepKernel> copyStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(a.step().op == "Reshape" ? 2 : 1, a.step().op == "Reshape" ? 2 : 1);
  if (!allInputsOnDevice(a, 0, 1))
    return nullptr;
  return std::make_unique<LambdaStep>([context](const In &in, const Out &out) {
    if (in[0]->byteSize() != out[0]->byteSize())
      throw Error("internal: copy between tensors of different sizes");
    if (in[0]->byteSize())
      check(cudaMemcpyAsync(out[0]->raw(), in[0]->raw(), in[0]->byteSize(),
                            cudaMemcpyDeviceToDevice, context->stream()),
            "copying on the GPU");
  });
}

std::unique_ptr<StepKernel> reluStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const Step &s = a.step();
  if (!allInputsOnDevice(a) || a.program().values()[s.inputs[0]].dtype != DType::F32)
    return nullptr;
  return std::make_unique<LambdaStep>([context](const In &in, const Out &out) {
    relu(in[0]->data<float>(), out[0]->data<float>(), in[0]->numel(), context->stream());
  });
}

const std::map<std::string, Factory> &gpuFactories() {
  static const std::map<std::string, Factory> table = {
      {"CimLinear",
       [](const StepAttrs &a, const std::shared_ptr<Context> &c) {
         return allInputsOnDevice(a, 0, 1) ? prepareGpuCimLinear(a, c) : nullptr;
       }},
      {"Flatten", copyStep},
      {"Identity", copyStep},
      {"Relu", reluStep},
      {"Reshape", copyStep},
  };
  return table;
}

} // namespace

std::unique_ptr<StepKernel> prepareGpuStep(const StepAttrs &attrs,
                                           const std::shared_ptr<Context> &context) {
  auto it = gpuFactories().find(attrs.step().op);
  return it == gpuFactories().end() ? nullptr : it->second(attrs, context);
}

} // namespace cimlir::cuda
