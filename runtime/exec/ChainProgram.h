// cimlir runtime: an ElementwiseChain step's program (docs/plan-format.md), read and checked
// once when a backend prepares the step.
#pragma once

#include "kernels/cpu/ElementwiseChain.h"
#include "runtime/exec/StepAttrs.h"

#include <vector>

namespace cimlir {

/// The step's `program`: 1 to cpu::kMaxChainInstructions instructions, each checked by
/// cpu::chainInstructionFrom against the step's 1 to cpu::kMaxChainInputs inputs. Anything
/// else throws cimlir::Error naming the step.
std::vector<cpu::ChainInstruction> readChainProgram(const StepAttrs &a);

} // namespace cimlir
