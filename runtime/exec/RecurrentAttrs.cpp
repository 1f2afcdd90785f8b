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

} // namespace cimlir
