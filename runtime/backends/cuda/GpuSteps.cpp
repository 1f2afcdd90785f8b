#include "runtime/backends/cuda/GpuSteps.h"

#include "kernels/cuda/Cast.h"
#include "kernels/cuda/ConvTranspose.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/DirectConv.h"
#include "kernels/cuda/Elementwise.h"
#include "kernels/cuda/ElementwiseChain.h"
#include "kernels/cuda/Gemm.h"
#include "kernels/cuda/Layout.h"
#include "kernels/cuda/Normalization.h"
#include "kernels/cuda/Pool.h"
#include "kernels/cuda/QuantizeLinear.h"
#include "kernels/cuda/Reduce.h"
#include "runtime/backends/cpu/CpuBackend.h"
#include "runtime/backends/cuda/CimLinearStep.h"
#include "runtime/backends/cuda/DigitalLinearStep.h"
#include "runtime/backends/cuda/EinsumSteps.h"
#include "runtime/backends/cuda/GpuStepUtil.h"
#include "runtime/backends/cuda/IndexingSteps.h"
#include "runtime/backends/cuda/IntegerLinearSteps.h"
#include "runtime/backends/cuda/LayoutSteps.h"
#include "runtime/backends/cuda/LinearLayout.h"
#include "runtime/backends/cuda/LossSteps.h"
#include "runtime/backends/cuda/RecurrentStep.h"
#include "runtime/backends/cuda/ResizeSteps.h"
#include "runtime/exec/ChainProgram.h"

#include "kernels/cpu/Check.h"
#include "kernels/cpu/Gemm.h"
#include "kernels/cpu/QuantizeLinear.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

namespace cimlir::cuda {

namespace {

/// The broadcast of the step's inputs into Y, or an error as the CPU kernel words it.
Broadcast broadcastOf(const char *kernel, const In &in, const Tensor &y) {
  Shape both;
  bool ok = cpu::detail::broadcastShapes(in[0]->shape(), in[1]->shape(), both);
  if (ok && in.size() > 2)
    ok = cpu::detail::broadcastShapes(Shape(both), in[2]->shape(), both);
  Broadcast shape;
  if (!ok || both != y.shape() ||
      !Broadcast::of(in[0]->shape(), in[1]->shape(), in.size() > 2 ? in[2]->shape() : Shape{}, both,
                     shape)) {
    std::string shapes;
    for (const Tensor *t : in)
      shapes += (shapes.empty() ? "" : " and ") + shapeToString(t->shape());
    throw Error(std::string(kernel) + ": shapes " + shapes + " do not broadcast to " +
                shapeToString(y.shape()));
  }
  return shape;
}

/// Y of X's shape, or the CPU kernels' error (cpu::detail::requireShape).
void requireSameShape(const char *kernel, const Tensor &x, const Tensor &y) {
  cpu::detail::requireShape(kernel, "Y", y, x.shape());
}

/// Add, Sub, Mul, Div, Pow, Max, Min, PRelu and Mod (fmod selecting FMod) in every type of
/// cpu::binary, broadcast as NumPy does; an integer divisor of 0 is reported through the fault
/// record, as the CPU's error.
Factory binaryStep(cpu::BinaryOp named) {
  return [named](const StepAttrs &a,
                 const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(2, 2);
    const cpu::BinaryOp op =
        named == cpu::BinaryOp::Mod && a.i("fmod") != 0 ? cpu::BinaryOp::FMod : named;
    const DType t = a.program().values()[a.step().inputs[0]].dtype;
    if (!allOf(a, t) || !binaryOnGpu(t) ||
        a.program().values()[a.step().outputs[0]].shape.size() > kMaxBroadcastRank)
      return nullptr; // the CPU kernel names the error
    auto inputs = std::make_shared<DeviceInputs>(a, *context);
    const std::string name = a.step().op;
    const int site = context->faultSite("step " + name + " '" + a.step().name +
                                        "': " + cpu::binaryOpName(op) + ": ");
    return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
      binary(op, inputs->raw(in, 0), inputs->raw(in, 1), t, broadcastOf(name.c_str(), in, *out[0]),
             out[0]->raw(), context->fault(), site, context->stream());
    });
  };
}

/// MaxPool (float32, uint8, int8), AveragePool (float32), 1 to 3 spatial axes: the CPU's
/// windows, uploaded once per input shape.
std::unique_ptr<StepKernel> poolStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const size_t rank = a.program().values()[a.step().inputs[0]].shape.size();
  const bool isMax = a.step().op == "MaxPool";
  const DType t = a.program().values()[a.step().inputs[0]].dtype;
  const bool typed = t == DType::F32 || (isMax && (t == DType::U8 || t == DType::I8));
  if (!allOf(a, t) || !typed || !allInputsOnDevice(a) || rank < 3 || rank > 2 + kMaxPoolAxes)
    return nullptr;
  const cpu::PoolParams params = readPoolParams(a);
  auto windows = std::make_shared<std::map<Shape, DevicePoolWindows>>();
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    DevicePoolWindows &entry = (*windows)[in[0]->shape()];
    if (!entry.memory)
      entry = uploadPoolWindows(
          cpu::poolGeometry(isMax ? "maxPool" : "averagePool", *in[0], params, *out[0]),
          context->uploader());
    if (isMax)
      maxPool(in[0]->raw(), t, entry.view, out[0]->raw(), context->stream());
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

/// A float32 Conv whose weights are an activation (up to kMaxDirectConvAxes spatial axes): one
/// thread per output (kernels/cuda/DirectConv.h), the CPU's checks (cpu::convExtents).
std::unique_ptr<StepKernel> directConvStep(const StepAttrs &a,
                                           const std::shared_ptr<Context> &context) {
  const size_t rank = planShape(a, a.step().inputs[0]).size();
  if (rank > 2 + kMaxDirectConvAxes)
    return nullptr; // the CPU kernel runs it
  const cpu::ConvParams params = readConvParams(a);
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0], &w = *in[1], *bias = in.size() > 2 ? in[2] : nullptr;
    const DirectConv g = directConv("conv", cpu::convExtents(x, w, bias, params, *out[0]), x.dim(0),
                                    x.dim(1), w.dim(0), params.group);
    convFloat((*inputs)(in, 0), (*inputs)(in, 1), bias ? (*inputs)(in, 2) : nullptr, g,
              out[0]->data<float>(), context->stream());
  });
}

/// ONNX Conv in float32: im2col rows per group (LinearLayout) times the group's filters in
/// cuBLAS when W is a constant (laid out at load); directConvStep when it is an activation, or
/// when the plan does not spell the attributes out per axis (cim-opt does; a hand-built plan
/// may not).
std::unique_ptr<StepKernel> convStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(2, 3);
  if (!allFloat32(a) || !allInputsOnDevice(a, 0, 1))
    return nullptr;
  if (!a.program().constant(a.step().inputs[1]))
    return directConvStep(a, context);
  LinearStep step;
  try {
    step = LinearStep::convolution(a);
  } catch (const Error &) {
    return directConvStep(a, context); // the CPU kernel fills the attributes' defaults there
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

/// The ONNX ConvTranspose op in float32 (up to 3 spatial axes; W and B constants or
/// activations): one thread per output in the CPU's order (kernels/cuda/ConvTranspose.h).
std::unique_ptr<StepKernel> convTransposeStep(const StepAttrs &a,
                                              const std::shared_ptr<Context> &context) {
  a.arity(2, 3);
  const size_t rank = planShape(a, a.step().inputs[0]).size();
  if (!allFloat32(a) || !allInputsOnDevice(a, 0, 1) || rank > 2 + kMaxTransposedAxes)
    return nullptr; // the CPU kernel names the error
  const cpu::ConvParams params = readConvParams(a);
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0], &w = *in[1], *bias = in.size() > 2 ? in[2] : nullptr;
    Tensor &y = *out[0];
    const cpu::ConvTransposeGeometry geo = cpu::convTransposeGeometry(x, w, bias, params, y);
    const int64_t d = x.rank() - 2;
    if (d > kMaxTransposedAxes) // the plan's rank was not the run's
      throw Error("convTranspose: X " + shapeToString(x.shape()) + " has more than " +
                  std::to_string(kMaxTransposedAxes) + " spatial axes on the GPU");
    const TransposedConv t =
        transposedConv(x.shape(), y.shape(), Shape(w.shape().begin() + 2, w.shape().end()),
                       geo.strides, geo.pads, geo.dilations);
    convTranspose((*inputs)(in, 0), (*inputs)(in, 1), bias ? (*inputs)(in, 2) : nullptr, t,
                  x.dim(0), x.dim(1), y.dim(1), params.group, y.data<float>(), context->stream());
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

std::unique_ptr<StepKernel> reluStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const DType t = a.program().values()[a.step().inputs[0]].dtype;
  if (!allInputsOnDevice(a) || !allOf(a, t) || !reluOnGpu(t))
    return nullptr;
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    requireSameShape("relu", *in[0], *out[0]);
    relu(in[0]->raw(), out[0]->raw(), t, in[0]->numel(), context->stream());
  });
}

/// RNN, GRU and LSTM (RecurrentStep.h).
Factory recurrentStep(cpu::RecurrentCell cell) {
  return [cell](const StepAttrs &a, const std::shared_ptr<Context> &context) {
    return prepareGpuRecurrent(a, context, cell);
  };
}

/// The unary ops of cpu::unaryOpTypes() (kernels/cpu/UnaryMath.h on the GPU) in float32 and
/// float64, and Abs, Neg and Sign of the signed integers.
Factory unaryStep(cpu::UnaryOp op) {
  return [op](const StepAttrs &a,
              const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(1, 1);
    const DType t = a.program().values()[a.step().inputs[0]].dtype;
    if (!allOf(a, t) || !unaryOnGpu(op, t) || !allInputsOnDevice(a))
      return nullptr;
    const cpu::UnaryOpType &type = cpu::unaryOpTypes()[static_cast<size_t>(op)];
    const float alpha = type.alphaName.empty() ? 0 : a.f("alpha");
    const float beta = type.betaName.empty() ? 0 : a.f("beta");
    return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
      requireSameShape(type.name.c_str(), *in[0], *out[0]);
      unary(op, in[0]->raw(), out[0]->raw(), t, in[0]->numel(), alpha, beta, context->stream());
    });
  };
}

std::unique_ptr<StepKernel> geluStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const std::string approximate = a.s("approximate");
  const DType t = a.program().values()[a.step().inputs[0]].dtype;
  if (!allOf(a, t) || (t != DType::F32 && t != DType::F64) || !allInputsOnDevice(a) ||
      (approximate != "none" && approximate != "tanh"))
    return nullptr;
  const bool tanh = approximate == "tanh";
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    requireSameShape("Gelu", *in[0], *out[0]);
    gelu(in[0]->raw(), out[0]->raw(), t, in[0]->numel(), tanh, context->stream());
  });
}

/// An ElementwiseChain (float32 or float64): one kernel over the elements of its first input,
/// the program read once here; inputs that do not broadcast are the CPU kernel's error.
std::unique_ptr<StepKernel> elementwiseChainStep(const StepAttrs &a,
                                                 const std::shared_ptr<Context> &context) {
  const std::vector<cpu::ChainInstruction> instructions = readChainProgram(a);
  const DType t = a.program().values()[a.step().inputs[0]].dtype;
  if (!allOf(a, t) || !elementwiseChainOnGpu(t, planShape(a, a.step().outputs[0]).size()))
    return nullptr;
  ChainProgram program;
  program.length = static_cast<int>(instructions.size());
  std::copy(instructions.begin(), instructions.end(), program.instructions);
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Shape &shape = in[0]->shape();
    requireSameShape("elementwiseChain", *in[0], *out[0]);
    ChainInputs chain;
    chain.count = static_cast<int>(in.size());
    chain.rank = static_cast<int>(shape.size());
    chain.numel = out[0]->numel();
    std::copy(shape.begin(), shape.end(), chain.extent);
    for (size_t j = 0; j < in.size(); ++j) {
      std::vector<int64_t> strides;
      if (!cpu::broadcastStrides(in[j]->shape(), shape, strides))
        throw Error("elementwiseChain: input " + std::to_string(j) + " " +
                    shapeToString(in[j]->shape()) + " does not broadcast to " +
                    shapeToString(shape));
      chain.set(static_cast<int>(j), inputs->raw(in, j), in[j]->shape(), strides);
    }
    elementwiseChain(program, chain, t, out[0]->raw(), context->stream());
  });
}

/// Clip in every type of cpu::binary, min and max one element each (constants or activations).
std::unique_ptr<StepKernel> clipStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(3, 3);
  const DType t = a.program().values()[a.step().inputs[0]].dtype;
  if (!allOf(a, t) || !binaryOnGpu(t) || !allInputsOnDevice(a, 0, 1))
    return nullptr;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    requireSameShape("Clip", *in[0], *out[0]);
    if (in[1]->numel() != 1 || in[2]->numel() != 1)
      throw Error("Clip: min and max must hold one element each");
    clip(in[0]->raw(), inputs->raw(in, 1), inputs->raw(in, 2), out[0]->raw(), t, in[0]->numel(),
         context->stream());
  });
}

/// IsNaN and IsInf of float32 or float64 into bools.
std::unique_ptr<StepKernel> classifyStep(const StepAttrs &a,
                                         const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const bool nan = a.step().op == "IsNaN";
  const bool negative = !nan && a.i("detect_negative") != 0;
  const bool positive = !nan && a.i("detect_positive") != 0;
  const DType t = a.program().values()[a.step().inputs[0]].dtype;
  if ((t != DType::F32 && t != DType::F64) || !allInputsOnDevice(a) ||
      a.program().values()[a.step().outputs[0]].dtype != DType::Bool)
    return nullptr;
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    requireSameShape(nan ? "IsNaN" : "IsInf", *in[0], *out[0]);
    classify(in[0]->raw(), t, nan, negative, positive, static_cast<uint8_t *>(out[0]->raw()),
             in[0]->numel(), context->stream());
  });
}

/// Softmax, LogSoftmax, Hardmax (float32) along `axis`.
Factory softmaxStep(cpu::SoftmaxKind kind) {
  return [kind](const StepAttrs &a,
                const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(1, 1);
    if (!allFloat32(a) || !allInputsOnDevice(a))
      return nullptr;
    const int64_t axis = a.i("axis");
    return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
      const Tensor &x = *in[0];
      const int64_t at = axis < 0 ? axis + x.rank() : axis;
      if (at < 0 || at >= x.rank())
        throw Error("softmax: axis " + std::to_string(axis) + " is outside X " +
                    shapeToString(x.shape()));
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < at; ++i)
        outer *= x.dim(i);
      for (int64_t i = at + 1; i < x.rank(); ++i)
        inner *= x.dim(i);
      softmax(kind, x.data<float>(), outer, x.dim(at), inner, out[0]->data<float>(),
              context->stream());
    });
  };
}

/// LayerNormalization over axes of fixed extent. A constant scale or bias is spread to the
/// normalised shape at load (cpu::expand, as the CPU kernel spreads them); an activation one is
/// used as it is when it has that shape, else spread on the GPU per batch (Expand's remap).
std::unique_ptr<StepKernel> layerNormStep(const StepAttrs &a,
                                          const std::shared_ptr<Context> &context) {
  const Step &s = a.step();
  if (s.inputs.size() < 2 || s.inputs.size() > 3 || s.outputs.size() != 3)
    return nullptr; // the CPU kernel names the arity error
  if (!allFloat32(a) || !allInputsOnDevice(a, 0, 1))
    return nullptr;
  const Shape &xs = planShape(a, s.inputs[0]);
  const int64_t rank = static_cast<int64_t>(xs.size());
  const int64_t axis = a.i("axis");
  if (axis < 0 || axis >= rank)
    return nullptr; // the CPU kernel names the error (plans hold non-negative axes)
  const Shape normalised(xs.begin() + axis, xs.end());
  for (int64_t d : normalised)
    if (d < 0)
      return nullptr;
  const float epsilon = a.f("epsilon");
  const bool hasBias = s.inputs.size() > 2;
  // Constant parameters, spread once (null for an activation, or no bias). One that does not
  // broadcast, or an activation one over more axes than the GPU spreads, stays on the host,
  // whose kernel names the error at run time or computes it.
  std::shared_ptr<void> constantSpread[2];
  for (size_t i = 1; i < s.inputs.size(); ++i) {
    const Tensor *t = a.program().constant(s.inputs[i]);
    if (!t && normalised.size() > static_cast<size_t>(kMaxLayoutRank))
      return nullptr;
    if (t) {
      Shape both;
      if (!cpu::detail::broadcastShapes(t->shape(), normalised, both) || both != normalised)
        return nullptr;
      Tensor full = Tensor::allocate(DType::F32, normalised);
      cpu::expand(*t, full);
      constantSpread[i - 1] =
          context->upload(full.raw(), full.byteSize(), "normalisation parameters");
    }
  }
  auto spreads = std::make_shared<std::map<Shape, DeviceOffsetTables>>();
  const int64_t len = shapeNumel(normalised);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    if (x.rank() != rank || Shape(x.shape().begin() + axis, x.shape().end()) != normalised)
      throw Error("layerNorm: X " + shapeToString(x.shape()) + " does not end in " +
                  shapeToString(normalised));
    // An activation parameter in the normalised shape: as it is, or spread into scratch.
    std::shared_ptr<void> scratch[2];
    auto parameter = [&](size_t i) -> const float * {
      if (constantSpread[i - 1])
        return static_cast<const float *>(constantSpread[i - 1].get());
      const Tensor &t = *in[i];
      cpu::checkLayerNormParameter(i == 1 ? "scale" : "B", t, normalised);
      if (t.shape() == normalised)
        return t.data<float>();
      auto it = spreads->find(t.shape());
      if (it == spreads->end()) {
        DeviceOffsetTables tables;
        if (!uploadRemap(cpu::expandMaps(t.shape(), normalised),
                         cpu::broadcastAligned(t.shape(), normalised.size()), context->uploader(),
                         tables))
          throw Error("layerNorm: the GPU spreads parameters over at most " +
                      std::to_string(kMaxLayoutRank) + " axes, not " + shapeToString(normalised));
        it = spreads->emplace(t.shape(), std::move(tables)).first;
      }
      scratch[i - 1] =
          context->allocate(static_cast<size_t>(len) * sizeof(float), "normalisation parameters");
      remap(t.raw(), sizeof(float), it->second.view, nullptr, scratch[i - 1].get(),
            context->stream());
      return static_cast<const float *>(scratch[i - 1].get());
    };
    const float *scale = parameter(1);
    const float *bias = hasBias ? parameter(2) : nullptr;
    layerNorm(x.data<float>(), len ? x.numel() / len : 0, len, scale, bias, epsilon,
              out[0]->data<float>(), out[1] ? out[1]->data<float>() : nullptr,
              out[2] ? out[2]->data<float>() : nullptr, context->stream());
  });
}

/// InstanceNormalization with constant scale and bias.
std::unique_ptr<StepKernel> instanceNormStep(const StepAttrs &a,
                                             const std::shared_ptr<Context> &context) {
  a.arity(3, 3);
  if (!allFloat32(a) || !allInputsOnDevice(a, 0, 1) || allInputsOnDevice(a, 1, 1) ||
      allInputsOnDevice(a, 2, 1))
    return nullptr;
  const float epsilon = a.f("epsilon");
  const int64_t channels = a.program().constant(a.step().inputs[1])->numel();
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    if (x.rank() < 3 || x.dim(1) != channels || in[2]->numel() != channels)
      throw Error("instanceNorm: X " + shapeToString(x.shape()) + " needs [N, " +
                  std::to_string(channels) + ", D1, ...] and B of " + std::to_string(channels));
    const int64_t n = x.dim(0), len = n && channels ? x.numel() / (n * channels) : 0;
    instanceNorm(x.data<float>(), n, channels, len, (*inputs)(in, 1), (*inputs)(in, 2), epsilon,
                 out[0]->data<float>(), context->stream());
  });
}

/// BatchNormalization (inference) with constant parameters: the CPU's multipliers, uploaded.
std::unique_ptr<StepKernel> batchNormStep(const StepAttrs &a,
                                          const std::shared_ptr<Context> &context) {
  a.arity(5, 5);
  const Step &s = a.step();
  if (!allFloat32(a) || !allInputsOnDevice(a, 0, 1))
    return nullptr;
  std::vector<const Tensor *> params;
  for (size_t i = 1; i < 5; ++i) {
    params.push_back(a.program().constant(s.inputs[i]));
    if (!params.back())
      return nullptr;
  }
  const int64_t channels = params[0]->numel();
  for (const Tensor *t : params)
    if (t->shape() != Shape{channels})
      return nullptr; // the CPU kernel names the shape error
  const std::vector<float> mul = cpu::batchNormMultipliers(*params[0], *params[3], a.f("epsilon"));
  auto upload = [&](const void *p, const char *what) {
    return context->upload(p, static_cast<size_t>(channels) * sizeof(float), what);
  };
  std::shared_ptr<void> multiplier = upload(mul.data(), "batch normalisation multipliers");
  std::shared_ptr<void> bias = upload(params[1]->raw(), "batch normalisation bias");
  std::shared_ptr<void> mean = upload(params[2]->raw(), "batch normalisation mean");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    if (x.rank() < 2 || x.dim(1) != channels)
      throw Error("batchNorm: X " + shapeToString(x.shape()) + " must be [N, " +
                  std::to_string(channels) + ", ...]");
    const int64_t n = x.dim(0), inner = n && channels ? x.numel() / (n * channels) : 0;
    batchNorm(x.data<float>(), n, channels, inner, static_cast<const float *>(mean.get()),
              static_cast<const float *>(multiplier.get()), static_cast<const float *>(bias.get()),
              out[0]->data<float>(), context->stream());
  });
}

/// MatMul of float32 operands (activations or constants) in cuBLAS.
std::unique_ptr<StepKernel> matmulStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(2, 2);
  if (!allFloat32(a))
    return nullptr;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const cpu::MatmulExtents e = cpu::matmulExtents(*in[0], *in[1], *out[0]);
    matmul(context->blas(), (*inputs)(in, 0), (*inputs)(in, 1), e, out[0]->data<float>());
  });
}

/// The Reduce ops in the types cpu::reduceTakes: rows of reduced values (the reduced axes moved
/// last by a transpose into scratch memory where they are not last already), one block per row
/// for float32, one thread per row in the CPU's order for float64 and the integers.
Factory reduceStep(cpu::ReduceOp op) {
  return [op](const StepAttrs &a,
              const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(1, 1);
    const DType t = a.program().values()[a.step().inputs[0]].dtype;
    if (!allOf(a, t) || !cpu::reduceTakes(op, t) || !allInputsOnDevice(a) ||
        planShape(a, a.step().inputs[0]).size() > static_cast<size_t>(kMaxLayoutRank))
      return nullptr;
    const std::vector<int64_t> axes = a.ints("axes");
    const bool keepDims = a.i("keepdims") != 0;
    const std::string kn = cpu::reduceOpTypes()[static_cast<size_t>(op)];
    auto transposes = std::make_shared<std::map<Shape, DeviceOffsetTables>>();
    return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
      const Tensor &x = *in[0];
      const std::vector<int64_t> perm = cpu::reducedLastPermutation(kn.c_str(), x.shape(), axes);
      const Shape want = cpu::reducedShape(x.shape(), axes, keepDims);
      if (out[0]->shape() != want)
        throw Error(kn + ": Y has shape " + shapeToString(out[0]->shape()) + ", expected " +
                    shapeToString(want));
      int64_t inner = 1;
      for (int64_t axis : axes)
        inner *= x.dim(axis);
      const int64_t rows = inner ? x.numel() / inner : out[0]->numel();
      bool inOrder = true;
      for (size_t i = 0; i < perm.size(); ++i)
        inOrder = inOrder && perm[i] == static_cast<int64_t>(i);
      auto reduceInto = [&](const void *rowsData, void *y) {
        if (t == DType::F32)
          reduceRows(op, static_cast<const float *>(rowsData), rows, inner, static_cast<float *>(y),
                     context->stream());
        else
          reduceRowsInOrder(op, rowsData, t, rows, inner, y, context->stream());
      };
      if (inOrder) {
        reduceInto(x.raw(), out[0]->raw());
        return;
      }
      auto it = transposes->find(x.shape());
      if (it == transposes->end()) {
        DeviceOffsetTables tables;
        uploadTranspose(x.shape(), perm, context->uploader(), tables);
        it = transposes->emplace(x.shape(), std::move(tables)).first;
      }
      std::shared_ptr<void> moved = context->allocate(x.byteSize(), "a reduction's rows");
      remap(x.raw(), dtypeSize(t), it->second.view, nullptr, moved.get(), context->stream());
      reduceInto(moved.get(), out[0]->raw());
    });
  };
}

/// Cast between float32, float64, the integer types and bool (kernels/cpu/CastValue.h).
std::unique_ptr<StepKernel> castStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const DType from = a.program().values()[a.step().inputs[0]].dtype;
  const DType to = a.program().values()[a.step().outputs[0]].dtype;
  if (!allInputsOnDevice(a) || !castOnGpu(from, to))
    return nullptr;
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    requireSameShape("cast", *in[0], *out[0]);
    cast(in[0]->raw(), from, out[0]->raw(), to, in[0]->numel(), context->stream());
  });
}

/// Equal, Greater, ..., And, Or, Xor (cpu::compareOpTypes) into bool.
Factory compareStep(cpu::CompareOp op) {
  return [op](const StepAttrs &a,
              const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(2, 2);
    const auto &values = a.program().values();
    const Step &s = a.step();
    const DType t = values[s.inputs[0]].dtype;
    const bool logical =
        op == cpu::CompareOp::And || op == cpu::CompareOp::Or || op == cpu::CompareOp::Xor;
    if (values[s.inputs[1]].dtype != t || values[s.outputs[0]].dtype != DType::Bool ||
        !compareOnGpu(t) || (logical && t != DType::Bool) ||
        values[s.outputs[0]].shape.size() > kMaxBroadcastRank)
      return nullptr; // the CPU kernel names the error
    auto inputs = std::make_shared<DeviceInputs>(a, *context);
    const std::string name = cpu::compareOpTypes()[static_cast<size_t>(op)];
    return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
      const Broadcast shape = broadcastOf(name.c_str(), in, *out[0]);
      compare(op, inputs->raw(in, 0), inputs->raw(in, 1), t, shape,
              static_cast<uint8_t *>(out[0]->raw()), context->stream());
    });
  };
}

std::unique_ptr<StepKernel> notStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  if (!allOf(a, DType::Bool) || !allInputsOnDevice(a))
    return nullptr;
  return std::make_unique<LambdaStep>([context](const In &in, const Out &out) {
    logicalNot(static_cast<const uint8_t *>(in[0]->raw()), static_cast<uint8_t *>(out[0]->raw()),
               in[0]->numel(), context->stream());
  });
}

std::unique_ptr<StepKernel> whereStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(3, 3);
  const auto &values = a.program().values();
  const Step &s = a.step();
  const DType t = values[s.inputs[1]].dtype;
  if (values[s.inputs[0]].dtype != DType::Bool || values[s.inputs[2]].dtype != t ||
      values[s.outputs[0]].dtype != t || values[s.outputs[0]].shape.size() > kMaxBroadcastRank)
    return nullptr;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Broadcast shape = broadcastOf("where", in, *out[0]);
    where(static_cast<const uint8_t *>(inputs->raw(in, 0)), inputs->raw(in, 1), inputs->raw(in, 2),
          dtypeSize(t), shape, out[0]->raw(), context->stream());
  });
}

std::unique_ptr<StepKernel> lrnStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const int64_t size = a.i("size");
  if (!allFloat32(a) || !allInputsOnDevice(a) || size < 1)
    return nullptr;
  const float alpha = a.f("alpha"), beta = a.f("beta"), bias = a.f("bias");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    if (x.rank() < 3)
      throw Error("lrn: X " + shapeToString(x.shape()) + " must be [N, C, D1, ...]");
    const int64_t n = x.dim(0), c = x.dim(1), len = n && c ? x.numel() / (n * c) : 0;
    lrn(x.data<float>(), n, c, len, size, alpha, beta, bias, out[0]->data<float>(),
        context->stream());
  });
}

/// QuantizeLinear and DequantizeLinear, per tensor or per axis. The scale and zero point may be
/// constants (the zero points as the CPU kernel reads them, cpu::zeroPointValues, uploaded once)
/// or activations (dynamic quantization: the zero point widened to int32 on the GPU per batch).
std::unique_ptr<StepKernel> quantizeStep(const StepAttrs &a,
                                         const std::shared_ptr<Context> &context) {
  a.arity(2, 3);
  const bool quantize = a.step().op == "QuantizeLinear";
  const char *kn = quantize ? "QuantizeLinear" : "DequantizeLinear";
  const Step &s = a.step();
  const auto &values = a.program().values();
  const bool hasZero = s.inputs.size() > 2;
  const DType x = values[s.inputs[0]].dtype, y = values[s.outputs[0]].dtype;
  const DType integer = quantize ? y : x;
  const bool typesOk =
      quantize ? x == DType::F32 && (y == DType::I8 || y == DType::U8)
               : y == DType::F32 && (x == DType::I8 || x == DType::U8 || x == DType::I32);
  if (!allInputsOnDevice(a, 0, 1) || !typesOk || values[s.inputs[1]].dtype != DType::F32 ||
      (hasZero && values[s.inputs[2]].dtype != integer))
    return nullptr; // the CPU kernel names the error
  const Tensor *scale = a.program().constant(s.inputs[1]);
  const Tensor *zeroPoint = hasZero ? a.program().constant(s.inputs[2]) : nullptr;
  // Constant zero points (or none beside a constant scale): their int32 values, once.
  std::shared_ptr<void> constantZeros;
  if (scale && (!hasZero || zeroPoint) && (!zeroPoint || zeroPoint->numel() == scale->numel())) {
    const std::vector<int64_t> zeros = cpu::zeroPointValues(zeroPoint, scale->numel());
    const std::vector<int32_t> zeros32(zeros.begin(), zeros.end());
    constantZeros = context->upload(zeros32.data(), zeros32.size() * sizeof(int32_t),
                                    "quantization zero points");
  }
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int64_t axis = a.i("axis");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &t = *in[0];
    const Tensor *zero = hasZero ? in[2] : nullptr;
    requireSameShape(kn, t, *out[0]);
    const cpu::QuantizationAxis q = cpu::quantizationAxis(kn, t, *in[1], zero, axis);
    PerAxisScales p;
    p.scale = static_cast<const float *>(inputs->raw(in, 1));
    p.scales = q.count;
    p.inner = q.inner;
    std::shared_ptr<void> zeros = constantZeros;
    if (!zeros) { // the zero point is an activation, or the scale is and there is none
      zeros = context->allocate(static_cast<size_t>(q.count) * sizeof(int32_t), "zero points");
      if (zero)
        cast(inputs->raw(in, 2), integer, zeros.get(), DType::I32, q.count, context->stream());
      else
        check(cudaMemsetAsync(zeros.get(), 0, static_cast<size_t>(q.count) * sizeof(int32_t),
                              context->stream()),
              "clearing zero points");
    }
    p.zeroPoint = static_cast<const int32_t *>(zeros.get());
    if (quantize)
      quantizeLinear(t.data<float>(), p, t.numel(), y, out[0]->raw(), context->stream());
    else
      dequantizeLinear(t.raw(), x, p, t.numel(), out[0]->data<float>(), context->stream());
  });
}

const std::map<std::string, Factory> &gpuFactories() {
  static const std::map<std::string, Factory> table = [] {
    std::map<std::string, Factory> t = {
        {"Add", binaryStep(cpu::BinaryOp::Add)},
        {"AveragePool", poolStep},
        {"BatchNormalization", batchNormStep},
        {"Cast", castStep},
        {"CimLinear",
         [](const StepAttrs &a, const std::shared_ptr<Context> &c) {
           return allInputsOnDevice(a, 0, 1) ? prepareGpuCimLinear(a, c) : nullptr;
         }},
        {"Clip", clipStep},
        {"Concat", concatStep},
        {"Conv", convStep},
        {"ConvTranspose", convTransposeStep},
        {"DigitalLinear",
         [](const StepAttrs &a, const std::shared_ptr<Context> &c) {
           return allInputsOnDevice(a, 0, 1) ? prepareGpuDigitalLinear(a, c) : nullptr;
         }},
        {"DequantizeLinear", quantizeStep},
        {"Div", binaryStep(cpu::BinaryOp::Div)},
        {"ElementwiseChain", elementwiseChainStep},
        {"Expand", expandStep},
        {"Flatten", copyStep},
        {"Gather", gatherStep},
        {"Gelu", geluStep},
        {"Gemm", gemmStep},
        {"GlobalAveragePool", globalAveragePoolStep},
        {"Identity", copyStep},
        {"IsInf", classifyStep},
        {"IsNaN", classifyStep},
        {"InstanceNormalization", instanceNormStep},
        {"LayerNormalization", layerNormStep},
        {"LRN", lrnStep},
        {"MatMul", matmulStep},
        {"Max", binaryStep(cpu::BinaryOp::Max)},
        {"MaxPool", poolStep},
        {"Min", binaryStep(cpu::BinaryOp::Min)},
        {"Mod", binaryStep(cpu::BinaryOp::Mod)},
        {"Mul", binaryStep(cpu::BinaryOp::Mul)},
        {"Not", notStep},
        {"Pad", padStep},
        {"Pow", binaryStep(cpu::BinaryOp::Pow)},
        {"QuantizeLinear", quantizeStep},
        {"PRelu", binaryStep(cpu::BinaryOp::PRelu)},
        {"Relu", reluStep},
        {"RNN", recurrentStep(cpu::RecurrentCell::Rnn)},
        {"GRU", recurrentStep(cpu::RecurrentCell::Gru)},
        {"LSTM", recurrentStep(cpu::RecurrentCell::Lstm)},
        {"Reshape", copyStep},
        {"Slice", sliceStep},
        {"Split", concatStep},
        {"Squeeze", copyStep},
        {"Sub", binaryStep(cpu::BinaryOp::Sub)},
        {"Tile", tileStep},
        {"Transpose", transposeStep},
        {"Unsqueeze", copyStep},
        {"Where", whereStep},
        {"Softmax", softmaxStep(cpu::SoftmaxKind::Softmax)},
        {"LogSoftmax", softmaxStep(cpu::SoftmaxKind::LogSoftmax)},
        {"Hardmax", softmaxStep(cpu::SoftmaxKind::Hardmax)},
    };
    for (size_t i = 0; i < cpu::unaryOpTypes().size(); ++i)
      t[cpu::unaryOpTypes()[i].name] = unaryStep(static_cast<cpu::UnaryOp>(i));
    for (size_t i = 0; i < cpu::compareOpTypes().size(); ++i)
      t[cpu::compareOpTypes()[i]] = compareStep(static_cast<cpu::CompareOp>(i));
    for (size_t i = 0; i < cpu::reduceOpTypes().size(); ++i)
      t[cpu::reduceOpTypes()[i]] = reduceStep(static_cast<cpu::ReduceOp>(i));
    addIndexingSteps(t);
    addIntegerLinearSteps(t);
    addResizeSteps(t);
    addEinsumSteps(t);
    addLossSteps(t);
    return t;
  }();
  return table;
}

} // namespace

std::unique_ptr<StepKernel> prepareGpuStep(const StepAttrs &attrs,
                                           const std::shared_ptr<Context> &context) {
  auto it = gpuFactories().find(attrs.step().op);
  return it == gpuFactories().end() ? nullptr : it->second(attrs, context);
}

} // namespace cimlir::cuda
