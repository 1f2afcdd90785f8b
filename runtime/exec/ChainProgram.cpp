#include "runtime/exec/ChainProgram.h"

namespace cimlir {

std::vector<cpu::ChainInstruction> readChainProgram(const StepAttrs &a) {
  a.arity(1, cpu::kMaxChainInputs);
  const nlohmann::json &program = a.raw("program");
  if (!program.is_array() || program.empty() ||
      program.size() > static_cast<size_t>(cpu::kMaxChainInstructions))
    a.fail("attribute 'program' is not a list of 1 to " +
           std::to_string(cpu::kMaxChainInstructions) + " instructions");
  const ValueInfo &first = a.program().values()[a.step().inputs[0]];
  std::vector<cpu::ChainInstruction> out;
  for (size_t k = 0; k < program.size(); ++k) {
    const nlohmann::json &entry = program[k];
    auto bad = [&](const std::string &what) {
      a.fail("program instruction " + std::to_string(k) + ": " + what);
    };
    if (!entry.is_object() || !entry.contains("op") || !entry["op"].is_string())
      bad("is not an object with a string 'op'");
    cpu::ChainInstructionFields fields;
    for (const auto &[key, value] : entry.items()) {
      if (key == "op") {
        fields.op = value.get<std::string>();
      } else if (key == "input") {
        if (!value.is_number_integer())
          bad("'input' is not an integer");
        fields.input = value.get<int64_t>();
      } else if (key == "swapped") {
        if (!value.is_boolean())
          bad("'swapped' is not a boolean");
        fields.swapped = value.get<bool>();
      } else if (key == "alpha" || key == "beta") {
        if (!value.is_number())
          bad("'" + key + "' is not a number");
        (key == "alpha" ? fields.alpha : fields.beta) = value.get<double>();
      } else if (key == "approximate") {
        if (!value.is_string())
          bad("'approximate' is not a string");
        fields.approximate = value.get<std::string>();
      } else {
        fields.otherKeys.push_back(key);
      }
    }
    std::string error;
    std::optional<cpu::ChainInstruction> in = cpu::chainInstructionFrom(
        fields, static_cast<int64_t>(a.step().inputs.size()), k + 1 == program.size(), first.dtype,
        static_cast<int64_t>(first.shape.size()), error);
    if (!in)
      bad(error);
    out.push_back(*in);
  }
  return out;
}

} // namespace cimlir
