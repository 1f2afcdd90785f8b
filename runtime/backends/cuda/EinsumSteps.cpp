#include "runtime/backends/cuda/EinsumSteps.h"

#include "kernels/cpu/Einsum.h"
#include "kernels/cuda/Einsum.h"

#include <vector>

namespace cimlir::cuda {

namespace {

/// Einsum (any equation, float32 and float64) of at most kMaxEinsumInputs inputs: the CPU's
/// checks at every batch, its loop uploaded at the first batch of each set of input shapes.
std::unique_ptr<StepKernel> einsumStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(1, a.step().inputs.size());
  if (a.step().inputs.size() > static_cast<size_t>(kMaxEinsumInputs))
    return nullptr; // the inputs' addresses are kernel arguments
  const std::string equation = a.s("equation");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  auto loops = std::make_shared<std::map<std::vector<Shape>, DeviceEinsumLoop>>();
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const cpu::EinsumSpec spec = cpu::checkEinsum(equation, in, *out[0]);
    std::vector<Shape> shapes;
    for (const Tensor *t : in)
      shapes.push_back(t->shape());
    auto it = loops->find(shapes);
    if (it == loops->end())
      it = loops
               ->emplace(shapes,
                         uploadEinsumLoop(cpu::einsumLoop(spec, shapes), context->uploader()))
               .first;
    EinsumOperands operands;
    for (size_t k = 0; k < in.size(); ++k)
      operands.x[k] = inputs->raw(in, k);
    einsum(operands, out[0]->dtype(), it->second.view, out[0]->numel(), out[0]->raw(),
           context->stream());
  });
}

} // namespace

void addEinsumSteps(std::map<std::string, Factory> &table) { table["Einsum"] = einsumStep; }

} // namespace cimlir::cuda
