#include "runtime/backends/cuda/LossSteps.h"

#include "kernels/cpu/Loss.h"
#include "kernels/cuda/Loss.h"

#include <optional>

namespace cimlir::cuda {

namespace {

/// NegativeLogLikelihoodLoss (every reduction, optional weight and ignore_index, float32 and
/// float64, int32 and int64 targets), its operands checked on the host by the CPU's checks; a
/// target out of range is the device's fault, thrown at the next wait.
std::unique_ptr<StepKernel> nllLossStep(const StepAttrs &a,
                                        const std::shared_ptr<Context> &context) {
  a.arity(2, 3);
  const std::optional<cpu::LossReduction> named = cpu::lossReductionNamed(a.s("reduction"));
  if (!named)
    return nullptr; // the CPU backend names the error
  const cpu::LossReduction reduction = *named;
  std::optional<int64_t> ignore;
  if (a.has("ignore_index"))
    ignore = a.i("ignore_index");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int site = context->faultSite("step NegativeLogLikelihoodLoss '" + a.step().name +
                                      "': NegativeLogLikelihoodLoss: target ");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &input = *in[0], &target = *in[1];
    const bool weighted = in.size() > 2;
    cpu::checkNllLoss(input, target, weighted ? in[2] : nullptr, reduction, *out[0]);
    NllOperands o;
    o.input = inputs->raw(in, 0);
    o.target = inputs->raw(in, 1);
    o.weight = weighted ? inputs->raw(in, 2) : nullptr;
    o.type = input.dtype();
    o.target64 = target.dtype() == DType::I64;
    o.n = input.dim(0);
    o.c = input.dim(1);
    o.inner = o.n ? target.numel() / o.n : 0; // as the CPU's: targets checked even when C = 0
    nllLoss(o, reduction, ignore, out[0]->raw(), context->fault(), site, context->stream());
  });
}

} // namespace

void addLossSteps(std::map<std::string, Factory> &table) {
  table["NegativeLogLikelihoodLoss"] = nllLossStep;
}

} // namespace cimlir::cuda
