#include "runtime/backends/cuda/GpuSteps.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/Elementwise.h"
#include "kernels/cuda/Gemm.h"
#include "kernels/cuda/Pool.h"
#include "runtime/backends/cpu/CpuBackend.h"
#include "runtime/backends/cuda/CimLinearStep.h"
#include "runtime/backends/cuda/DigitalLinearStep.h"
#include "runtime/backends/cuda/LinearLayout.h"

#include "kernels/cpu/Check.h"

#include <algorithm>
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

/// True when every input and output of the step is float32.
bool allFloat32(const StepAttrs &a) {
  const Step &s = a.step();
  for (int64_t v : s.inputs)
    if (a.program().values()[v].dtype != DType::F32)
      return false;
  for (int64_t v : s.outputs)
    if (a.program().values()[v].dtype != DType::F32)
      return false;
  return true;
}

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
    return constants_[i] ? static_cast<const float *>(constants_[i].get()) : in[i]->data<float>();
  }

private:
  std::vector<std::shared_ptr<void>> constants_;
};

using Factory =
    std::function<std::unique_ptr<StepKernel>(const StepAttrs &, const std::shared_ptr<Context> &)>;

/// Add, Sub, Mul, Div, Max, Min and PRelu of float32 tensors, broadcast as NumPy does.
Factory binaryStep(cpu::BinaryOp op) {
  return [op](const StepAttrs &a,
              const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(2, 2);
    if (!allFloat32(a) || !binaryOnGpu(op) ||
        a.program().values()[a.step().outputs[0]].shape.size() > kMaxBroadcastRank)
      return nullptr;
    auto inputs = std::make_shared<DeviceInputs>(a, *context);
    return std::make_unique<LambdaStep>([op, inputs, context](const In &in, const Out &out) {
      Broadcast shape;
      Shape both;
      if (!cpu::detail::broadcastShapes(in[0]->shape(), in[1]->shape(), both) ||
          both != out[0]->shape() || !Broadcast::of(in[0]->shape(), in[1]->shape(), both, shape))
        throw Error("shapes " + shapeToString(in[0]->shape()) + " and " +
                    shapeToString(in[1]->shape()) + " do not broadcast to " +
                    shapeToString(out[0]->shape()));
      binary(op, (*inputs)(in, 0), (*inputs)(in, 1), shape, out[0]->data<float>(),
             context->stream());
    });
  };
}

/// MaxPool, AveragePool (float32, 1 to 3 spatial axes): the CPU's windows, uploaded once per
/// input shape.
std::unique_ptr<StepKernel> poolStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const size_t rank = a.program().values()[a.step().inputs[0]].shape.size();
  if (!allFloat32(a) || !allInputsOnDevice(a) || rank < 3 || rank > 2 + kMaxPoolAxes)
    return nullptr;
  const cpu::PoolParams params = readPoolParams(a);
  const bool isMax = a.step().op == "MaxPool";
  auto windows = std::make_shared<std::map<Shape, DevicePoolWindows>>();
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    DevicePoolWindows &entry = (*windows)[in[0]->shape()];
    if (!entry.memory)
      entry = uploadPoolWindows(
          cpu::poolGeometry(isMax ? "maxPool" : "averagePool", *in[0], params, *out[0]),
          [&context](const void *host, size_t bytes, const std::string &what) {
            return context->upload(host, bytes, what);
          });
    if (isMax)
      maxPool(in[0]->data<float>(), entry.view, out[0]->data<float>(), context->stream());
    else
      averagePool(in[0]->data<float>(), entry.view, params.countIncludePad, out[0]->data<float>(),
                  context->stream());
  });
}

/// ONNX Gemm in float32 (cuBLAS), A, B and C constants or activations.
std::unique_ptr<StepKernel> gemmStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(2, 3);
  if (!allFloat32(a))
    return nullptr;
  const float alpha = a.f("alpha"), beta = a.f("beta");
  const bool transA = a.i("transA") != 0, transB = a.i("transB") != 0;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor *c = in.size() > 2 ? in[2] : nullptr;
    const cpu::GemmExtents e = cpu::gemmExtents(*in[0], *in[1], c, transA, transB, *out[0]);
    gemm(context->blas(), (*inputs)(in, 0), (*inputs)(in, 1), c ? (*inputs)(in, 2) : nullptr, e,
         alpha, beta, transA, transB, out[0]->data<float>());
  });
}

/// ONNX Conv in float32: im2col rows per group (LinearLayout) times the group's filters in
/// cuBLAS. W must be a constant; a plan whose attributes are not spelled out per axis runs on
/// the host (the CPU kernel fills the defaults).
std::unique_ptr<StepKernel> convStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(2, 3);
  if (!allFloat32(a) || !allInputsOnDevice(a, 0, 1))
    return nullptr;
  LinearStep step;
  try {
    step = LinearStep::convolution(a);
  } catch (const Error &) {
    return nullptr;
  }
  const Tensor &w = *a.program().constant(a.step().inputs[1]);
  std::shared_ptr<void> filters = context->upload(w.raw(), w.byteSize(), "convolution filters");
  auto layout = std::make_shared<LinearLayout>(step, a, context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const int64_t K = step.k, N = step.n;
    layout->run(in, out, 0,
                [&](int64_t g, const float *x, int64_t M, float *z, const LinearLayout::Rows &) {
                  rowsTimesTransposed(context->blas(), x, M, K,
                                      static_cast<const float *>(filters.get()) + g * N * K, N, z);
                });
  });
}

std::unique_ptr<StepKernel> globalAveragePoolStep(const StepAttrs &a,
                                                  const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  if (!allFloat32(a) || !allInputsOnDevice(a))
    return nullptr;
  return std::make_unique<LambdaStep>([context](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    if (x.rank() < 3)
      throw Error("globalAveragePool: X " + shapeToString(x.shape()) +
                  " must be [N, C, D1..Dk] with k >= 1");
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes ? x.numel() / planes : 0;
    if (planes > 0 && size == 0)
      throw Error("globalAveragePool: X " + shapeToString(x.shape()) +
                  " has an empty spatial extent to average");
    globalAveragePool(x.data<float>(), planes, size, out[0]->data<float>(), context->stream());
  });
}

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
      {"Add", binaryStep(cpu::BinaryOp::Add)},
      {"AveragePool", poolStep},
      {"CimLinear",
       [](const StepAttrs &a, const std::shared_ptr<Context> &c) {
         return allInputsOnDevice(a, 0, 1) ? prepareGpuCimLinear(a, c) : nullptr;
       }},
      {"Conv", convStep},
      {"DigitalLinear",
       [](const StepAttrs &a, const std::shared_ptr<Context> &c) {
         return allInputsOnDevice(a, 0, 1) ? prepareGpuDigitalLinear(a, c) : nullptr;
       }},
      {"Div", binaryStep(cpu::BinaryOp::Div)},
      {"Flatten", copyStep},
      {"Gemm", gemmStep},
      {"GlobalAveragePool", globalAveragePoolStep},
      {"Identity", copyStep},
      {"Max", binaryStep(cpu::BinaryOp::Max)},
      {"MaxPool", poolStep},
      {"Min", binaryStep(cpu::BinaryOp::Min)},
      {"Mul", binaryStep(cpu::BinaryOp::Mul)},
      {"PRelu", binaryStep(cpu::BinaryOp::PRelu)},
      {"Relu", reluStep},
      {"Reshape", copyStep},
      {"Sub", binaryStep(cpu::BinaryOp::Sub)},
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
