// cimlir runtime: what the CUDA backend's GPU steps (GpuSteps.cpp, LayoutSteps.cpp) share: a
// step from a lambda, the checks that decide whether a step runs on the GPU, and its inputs in
// device memory.
#pragma once

#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace cimlir::cuda {

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
inline bool allInputsOnDevice(const StepAttrs &a, size_t first = 0, size_t count = SIZE_MAX) {
  const Step &s = a.step();
  for (size_t i = first; i < s.inputs.size() && i - first < count; ++i)
    if (a.program().constant(s.inputs[i]))
      return false;
  return true;
}

/// True when every input and output of the step has dtype `t`.
inline bool allOf(const StepAttrs &a, DType t) {
  const Step &s = a.step();
  for (int64_t v : s.inputs)
    if (a.program().values()[v].dtype != t)
      return false;
  for (int64_t v : s.outputs)
    if (a.program().values()[v].dtype != t)
      return false;
  return true;
}

/// The plan's shape of value `v` (-1 where it depends on the batch).
inline const Shape &planShape(const StepAttrs &a, int64_t v) {
  return a.program().values()[v].shape;
}

/// True when every input and output of the step is float32.
inline bool allFloat32(const StepAttrs &a) { return allOf(a, DType::F32); }

/// A step's inputs in device memory: activations as the executor hands them, constants
/// uploaded once at prepare.
class DeviceInputs {
public:
  DeviceInputs(const StepAttrs &a, Context &context) {
    for (int64_t v : a.step().inputs) {
      const Tensor *c = a.program().constant(v);
      constants_.push_back(c ? context.upload(c->raw(), c->byteSize(), "a step's constant")
                             : nullptr);
    }
  }
  const float *operator()(const In &in, size_t i) const {
    return static_cast<const float *>(raw(in, i));
  }
  const void *raw(const In &in, size_t i) const {
    return constants_[i] ? constants_[i].get() : in[i]->raw();
  }

private:
  std::vector<std::shared_ptr<void>> constants_;
};

using Factory =
    std::function<std::unique_ptr<StepKernel>(const StepAttrs &, const std::shared_ptr<Context> &)>;

} // namespace cimlir::cuda
