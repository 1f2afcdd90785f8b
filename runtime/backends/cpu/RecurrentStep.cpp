#include "runtime/backends/cpu/RecurrentStep.h"
#include "runtime/exec/RecurrentAttrs.h"

#include "core/Error.h"

#include <array>

namespace cimlir {

namespace {

/// The operands in ONNX's order: X, W, R, B, sequence_lens, initial_h, initial_c, P.
constexpr size_t kOperands = 8;

class RecurrentKernel : public StepKernel {
public:
  RecurrentKernel(cpu::RecurrentSpec spec, std::array<int, kOperands> slot, size_t outputs)
      : spec_(std::move(spec)), slot_(slot), outputs_(outputs) {}
  void run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
           const RunContext &) override {
    auto operand = [&](size_t i) { return slot_[i] < 0 ? nullptr : in[slot_[i]]; };
    cpu::RecurrentIo io;
    io.bias = operand(3);
    io.sequenceLens = operand(4);
    io.initialH = operand(5);
    io.initialC = operand(6);
    io.peepholes = operand(7);
    io.y = out[0];
    io.yH = out[1];
    io.yC = outputs_ > 2 ? out[2] : nullptr;
    cpu::recurrent(spec_, *operand(0), *operand(1), *operand(2), io);
  }

private:
  cpu::RecurrentSpec spec_;
  std::array<int, kOperands> slot_; ///< the step input of each operand, -1 when absent
  size_t outputs_;
};

} // namespace

std::unique_ptr<StepKernel> prepareRecurrent(const StepAttrs &a, cpu::RecurrentCell cell) {
  std::array<int, kOperands> slot = {0, 1, 2, -1, -1, -1, -1, -1};
  int next = 3;
  int64_t last = 2;
  for (int64_t index : a.ints("optional_operands")) {
    if (index <= last || index >= static_cast<int64_t>(kOperands))
      a.fail("optional_operands must rise within 3..7, got " + std::to_string(index));
    slot[index] = next++;
    last = index;
  }
  const size_t outputs = cell == cpu::RecurrentCell::Lstm ? 3 : 2;
  if (static_cast<size_t>(next) != a.step().inputs.size() || a.step().outputs.size() != outputs)
    a.fail("has " + std::to_string(a.step().inputs.size()) + " inputs and " +
           std::to_string(a.step().outputs.size()) + " outputs");
  return std::make_unique<RecurrentKernel>(recurrentSpec(a, cell), slot, outputs);
}

} // namespace cimlir
