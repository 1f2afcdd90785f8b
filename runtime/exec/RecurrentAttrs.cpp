#include "runtime/exec/RecurrentAttrs.h"

#include "core/Error.h"

namespace cimlir {

cpu::RecurrentSpec recurrentSpec(const StepAttrs &a, cpu::RecurrentCell cell) {
  cpu::RecurrentSpec s;
  s.cell = cell;
  s.hidden = a.i("hidden_size");
  const std::string direction = a.s("direction");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    a.fail("has an unknown direction '" + direction + "'");
  s.bidirectional = direction == "bidirectional";
  s.reverse = direction == "reverse";
  const auto names = a.strings("activations");
  const auto alphas = a.floats("activation_alpha"), betas = a.floats("activation_beta");
  if (alphas.size() != names.size() || betas.size() != names.size())
    a.fail("needs one activation_alpha and activation_beta per activation");
  for (size_t i = 0; i < names.size(); ++i)
    s.activations.push_back({names[i], alphas[i], betas[i]});
  std::vector<cpu::RecurrentActivation> known; // the names as the importer resolved them
  if (std::string problem = cpu::resolveRecurrentActivations(names, {}, {}, known);
      !problem.empty())
    a.fail(problem);
  for (size_t i = 0; i < names.size(); ++i)
    if (known[i].name != names[i])
      a.fail("has activation '" + names[i] + "', which is written '" + known[i].name + "'");
  if (a.has("clip"))
    s.clip = a.f("clip");
  s.inputForget = a.i("input_forget") != 0;
  s.linearBeforeReset = a.i("linear_before_reset") != 0;
  return s;
}

RecurrentInputs recurrentInputs(const StepAttrs &a, cpu::RecurrentCell cell, int fixed) {
  RecurrentInputs where;
  where.fill(-1);
  int next = fixed;
  int64_t last = 2;
  const int64_t lastIndex = cell == cpu::RecurrentCell::Lstm ? 7 : 6;
  for (int64_t index : a.ints("optional_operands")) {
    if (index <= last || index > lastIndex)
      a.fail("optional_operands must rise within 3.." + std::to_string(lastIndex) + ", got " +
             std::to_string(index));
    where[static_cast<size_t>(index)] = next++;
    last = index;
  }
  const size_t outputs = cell == cpu::RecurrentCell::Lstm ? 3 : 2;
  if (static_cast<size_t>(next) != a.step().inputs.size() || a.step().outputs.size() != outputs)
    a.fail("has " + std::to_string(a.step().inputs.size()) + " inputs and " +
           std::to_string(a.step().outputs.size()) + " outputs, expected " + std::to_string(next) +
           " and " + std::to_string(outputs));
  return where;
}

cpu::RecurrentIo recurrentIo(const RecurrentInputs &where, const std::vector<const Tensor *> &in,
                             const std::vector<Tensor *> &out) {
  auto operand = [&](size_t i) {
    return where[i] < 0 ? nullptr : in[static_cast<size_t>(where[i])];
  };
  cpu::RecurrentIo io;
  io.bias = operand(3);
  io.sequenceLens = operand(4);
  io.initialH = operand(5);
  io.initialC = operand(6);
  io.peepholes = operand(7);
  io.y = out[0];
  io.yH = out[1];
  io.yC = out.size() > 2 ? out[2] : nullptr;
  return io;
}

} // namespace cimlir
