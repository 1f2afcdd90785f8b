// cimlir runtime: a recurrent cell's attributes as a step holds them (the onnx RNN, GRU and LSTM
// steps, and the CimLinear and DigitalLinear steps of kind rnn, gru or lstm), decoded for
// every backend.
#pragma once

#include "kernels/cpu/Recurrent.h"
#include "runtime/exec/StepAttrs.h"

#include <optional>
#include <string>

namespace cimlir {

/// The cell's attributes from a step (hidden_size, direction, activations with their
/// parameters, clip, input_forget, linear_before_reset); throws cimlir::Error naming the step
/// for a value the kernel cannot run.
cpu::RecurrentSpec recurrentSpec(const StepAttrs &attrs, cpu::RecurrentCell cell);

} // namespace cimlir
