#include "runtime/backends/cpu/RecurrentStep.h"
#include "runtime/exec/RecurrentAttrs.h"

#include "core/Error.h"

namespace cimlir {

namespace {

/// The whole layer in float32: X, W and R are the step's first inputs.
class RecurrentKernel : public StepKernel {
public:
  RecurrentKernel(cpu::RecurrentSpec spec, RecurrentInputs where)
      : spec_(std::move(spec)), where_(where) {}
  void run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
           const RunContext &) override {
    cpu::recurrent(spec_, *in[0], *in[1], *in[2], recurrentIo(where_, in, out));
  }

private:
  cpu::RecurrentSpec spec_;
  RecurrentInputs where_;
};

} // namespace

std::unique_ptr<StepKernel> prepareRecurrent(const StepAttrs &a, cpu::RecurrentCell cell) {
  RecurrentInputs where = recurrentInputs(a, cell, 3);
  return std::make_unique<RecurrentKernel>(recurrentSpec(a, cell), where);
}

} // namespace cimlir
