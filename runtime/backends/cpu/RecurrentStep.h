// cimlir runtime: the CPU backend's RNN, GRU and LSTM steps (kernels/cpu/Recurrent.h). The
// step holds the onnx op's operands as ONNX orders them, the absent ones left out, and
// `optional_operands` the ONNX input index of each optional one present (docs/plan-format.md).
#pragma once

#include "kernels/cpu/Recurrent.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir {

/// The step of an onnx.RNN, onnx.GRU or onnx.LSTM: the whole layer in float32.
std::unique_ptr<StepKernel> prepareRecurrent(const StepAttrs &attrs, cpu::RecurrentCell cell);

} // namespace cimlir
