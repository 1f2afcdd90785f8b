// cimlir runtime: a recurrent cell's attributes as a step holds them (the onnx RNN, GRU and LSTM
// steps, and the CimLinear and DigitalLinear steps of kind rnn, gru or lstm), decoded for
// every backend.
#pragma once

#include "kernels/cpu/Recurrent.h"
#include "runtime/exec/StepAttrs.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// The cell's attributes from a step (hidden_size, direction, activations with their
/// parameters, clip, input_forget, linear_before_reset); throws cimlir::Error naming the step
/// for a value the kernel cannot run.
cpu::RecurrentSpec recurrentSpec(const StepAttrs &attrs, cpu::RecurrentCell cell);

/// Where a recurrent step's optional ONNX operands are: for each ONNX operand index (B 3,
/// sequence_lens 4, initial_h 5, initial_c 6, P 7) the step input that holds it, -1 when the
/// layer has none. They follow the step's `fixed` first inputs in the rising order that
/// `optional_operands` lists (onnx RNN, GRU, LSTM steps: X, W, R first; CimLinear and
/// DigitalLinear steps: the input gates and R). Also checks that the step has exactly those
/// inputs and the outputs Y, Y_h (and LSTM's Y_c); throws cimlir::Error naming it otherwise.
using RecurrentInputs = std::array<int, 8>;
RecurrentInputs recurrentInputs(const StepAttrs &attrs, cpu::RecurrentCell cell, int fixed);

/// The optional inputs (by `where`) and the outputs Y, Y_h, Y_c of a recurrent step.
cpu::RecurrentIo recurrentIo(const RecurrentInputs &where, const std::vector<const Tensor *> &in,
                             const std::vector<Tensor *> &out);

} // namespace cimlir
