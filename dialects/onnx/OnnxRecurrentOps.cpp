//===- OnnxRecurrentOps.cpp - the shape rule of RNN, GRU and LSTM ---------===//

#include "dialects/onnx/ShapeInference.h"

#include "kernels/cpu/Recurrent.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace cimlir::onnx {

LogicalResult inferRecurrent(std::optional<Location> loc, StringRef opName,
                             const RecurrentOperands &o, SmallVectorImpl<Type> &types) {
  const cpu::RecurrentCell cell = opName == "RNN"   ? cpu::RecurrentCell::Rnn
                                  : opName == "GRU" ? cpu::RecurrentCell::Gru
                                                    : cpu::RecurrentCell::Lstm;
  const bool lstm = cell == cpu::RecurrentCell::Lstm;
  // The optional operands by ONNX input index: B, sequence_lens, initial_h, initial_c, P.
  if (o.optionals.size() != o.optionalOperands.size())
    return emitOptionalError(loc, opName, " has ", o.optionals.size(),
                             " optional operands but optional_operands names ",
                             o.optionalOperands.size());
  Value optional[8] = {};
  int64_t last = 2;
  for (auto [v, index] : llvm::zip(o.optionals, o.optionalOperands)) {
    if (index <= last || index > 7)
      return emitOptionalError(loc, opName, " optional_operands must rise within 3..7, got ", index,
                               " after ", last);
    optional[index] = v;
    last = index;
  }
  const Value b = optional[3], sequenceLens = optional[4], initialH = optional[5],
              initialC = optional[6], p = optional[7];
  const int64_t H = o.hiddenSize;
  if (H <= 0)
    return emitOptionalError(loc, opName, " hidden_size must be positive, got ", H);
  if (o.direction != "forward" && o.direction != "reverse" && o.direction != "bidirectional")
    return emitOptionalError(loc, opName, " direction '", o.direction,
                             "' is not forward, reverse or bidirectional");
  const int64_t D = o.direction == "bidirectional" ? 2 : 1;
  const int64_t GH = cpu::recurrentGates(cell) * H;
  const size_t functions = cpu::defaultRecurrentActivations(cell).size() * D;
  if (o.activations != functions)
    return emitOptionalError(loc, opName, " takes ", functions, " activation functions, got ",
                             o.activations);
  if ((!lstm && (initialC || p || o.inputForget)) ||
      (cell != cpu::RecurrentCell::Gru && o.linearBeforeReset))
    return emitOptionalError(loc, opName,
                             " has an operand or attribute of another cell (initial_c, P and "
                             "input_forget are LSTM's, linear_before_reset GRU's)");

  auto x = rankedOperand(loc, o.x, (opName + " X").str());
  if (failed(x) || failed(requireF32(loc, *x, opName, "X")))
    return failure();
  if (x->getRank() != 3 || ShapedType::isDynamic(x->getDimSize(0)) ||
      ShapedType::isDynamic(x->getDimSize(2)))
    return emitOptionalError(
        loc, opName, " X must be [seq, batch, input] with static seq and input, got ", *x,
        x->getRank() == 3 && ShapedType::isDynamic(x->getDimSize(0)) ? kFixedBatchHint : "");
  const int64_t seq = x->getDimSize(0), batch = x->getDimSize(1), input = x->getDimSize(2);
  auto expect = [&](Value v, StringRef what, ArrayRef<int64_t> shape, bool f32) -> LogicalResult {
    if (!v)
      return success();
    auto t = rankedOperand(loc, v, (opName + " " + what).str());
    if (failed(t))
      return failure();
    if (f32 ? failed(requireF32(loc, *t, opName, what)) : !t->getElementType().isInteger(32))
      return f32 ? failure()
                 : emitOptionalError(loc, opName, " ", what, " must be int32, got ", *t);
    if (t->getShape() != shape)
      return emitOptionalError(loc, opName, " ", what, " must be ",
                               RankedTensorType::get(shape, t->getElementType()), ", got ", *t);
    return success();
  };
  if (failed(expect(o.w, "W", {D, GH, input}, true)) ||
      failed(expect(o.r, "R", {D, GH, H}, true)) || failed(expect(b, "B", {D, 2 * GH}, true)) ||
      failed(expect(sequenceLens, "sequence_lens", {batch}, false)) ||
      failed(expect(initialH, "initial_h", {D, batch, H}, true)) ||
      failed(expect(initialC, "initial_c", {D, batch, H}, true)) ||
      failed(expect(p, "P", {D, 3 * H}, true)))
    return failure();
  Type f32 = x->getElementType();
  types.push_back(RankedTensorType::get({seq, D, batch, H}, f32));
  types.push_back(RankedTensorType::get({D, batch, H}, f32));
  if (lstm)
    types.push_back(RankedTensorType::get({D, batch, H}, f32));
  return success();
}

} // namespace cimlir::onnx
