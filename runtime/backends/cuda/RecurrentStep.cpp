#include "runtime/backends/cuda/RecurrentStep.h"

#include "core/Error.h"
#include "kernels/cpu/Check.h"
#include "kernels/cuda/Recurrent.h"
#include "runtime/backends/cuda/GpuStepUtil.h"
#include "runtime/exec/RecurrentAttrs.h"

#include <string>
#include <vector>

namespace cimlir::cuda {

namespace {

/// The CPU kernel's checks and messages (kernels/cpu/Check.h), under its name.
constexpr const char *kn = "recurrent";
using cpu::detail::requireDType;
using cpu::detail::requireShape;

} // namespace

DeviceRecurrentIo recurrentDeviceIo(const cpu::RecurrentSpec &spec, const RecurrentInputs &where,
                                    const std::vector<const Tensor *> &in,
                                    const std::vector<Tensor *> &out, int64_t seq, int64_t batch,
                                    const std::function<const void *(size_t)> &data,
                                    Context &context, int faultSite) {
  const int64_t D = spec.directions(), GH = spec.gateWidth(), H = spec.hidden;
  auto operand = [&](int index, const char *what, const Shape &shape) -> const float * {
    if (where[index] < 0)
      return nullptr;
    requireDType(kn, what, *in[where[index]], DType::F32);
    requireShape(kn, what, *in[where[index]], shape);
    return static_cast<const float *>(data(static_cast<size_t>(where[index])));
  };
  DeviceRecurrentIo io;
  io.bias = operand(3, "B", {D, 2 * GH});
  io.initialH = operand(5, "initial_h", {D, batch, H});
  io.initialC = operand(6, "initial_c", {D, batch, H});
  io.peepholes = operand(7, "P", {D, 3 * H});
  if (where[4] >= 0) {
    requireDType(kn, "sequence_lens", *in[where[4]], DType::I32);
    requireShape(kn, "sequence_lens", *in[where[4]], {batch});
    io.sequenceLens = static_cast<const int32_t *>(data(static_cast<size_t>(where[4])));
    io.fault = context.fault();
    io.faultSite = faultSite;
  }
  requireShape(kn, "Y", *out[0], {seq, D, batch, H});
  requireShape(kn, "Y_h", *out[1], {D, batch, H});
  io.y = out[0]->data<float>();
  io.yH = out[1]->data<float>();
  if (out.size() > 2) {
    requireShape(kn, "Y_c", *out[2], {D, batch, H});
    io.yC = out[2]->data<float>();
  }
  return io;
}

int recurrentFaultSite(const StepAttrs &a, Context &context) {
  return context.faultSite("step " + a.step().op + " '" + a.step().name +
                           "': recurrent: sequence_lens: ");
}

std::unique_ptr<StepKernel> prepareGpuRecurrent(const StepAttrs &a,
                                                const std::shared_ptr<Context> &context,
                                                cpu::RecurrentCell cell) {
  const RecurrentInputs where = recurrentInputs(a, cell, 3);
  const cpu::RecurrentSpec spec = recurrentSpec(a, cell);
  const Step &step = a.step();
  const auto &values = a.program().values();
  for (size_t i = 0; i < step.inputs.size(); ++i)
    if (values[step.inputs[i]].dtype != (static_cast<int>(i) == where[4] ? DType::I32 : DType::F32))
      return nullptr;
  for (int64_t v : step.outputs)
    if (values[v].dtype != DType::F32)
      return nullptr;
  const int site = recurrentFaultSite(a, *context);
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int64_t D = spec.directions(), GH = spec.gateWidth(), H = spec.hidden;
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    if (x.rank() != 3)
      throw Error("recurrent: X has shape " + shapeToString(x.shape()) +
                  ", expected [seq, batch, input]");
    const int64_t seq = x.dim(0), batch = x.dim(1), inputSize = x.dim(2);
    requireShape(kn, "W", *in[1], {D, GH, inputSize});
    requireShape(kn, "R", *in[2], {D, GH, H});
    const DeviceRecurrentIo io = recurrentDeviceIo(
        spec, where, in, out, seq, batch, [&](size_t i) { return inputs->raw(in, i); }, *context,
        site);
    Blas &blas = context->blas();
    std::shared_ptr<void> gates = context->allocate(
        static_cast<size_t>(seq * batch * D * GH) * sizeof(float), "a recurrent layer's gates");
    // X through the uploaded inputs too: a constant X is host memory in `in`.
    inputProjections(blas, (*inputs)(in, 0), seq * batch, inputSize, (*inputs)(in, 1), io.bias, D,
                     GH, static_cast<float *>(gates.get()));
    recurrenceSteps(
        spec, static_cast<const float *>(gates.get()), seq, batch,
        weightsHiddenProduct(blas, (*inputs)(in, 2), H, GH), io,
        [&](size_t bytes, const std::string &what) { return context->allocate(bytes, what); },
        context->stream());
  });
}

} // namespace cimlir::cuda
