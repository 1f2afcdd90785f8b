//===- RecurrentLayers.cpp - RNN, GRU and LSTM on crossbars ---------------===//

#include "passes/RecurrentLayers.h"

#include "passes/LinearLayers.h"

#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/Recurrent.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace cimlir {

namespace {

cpu::RecurrentCell cellOf(Operation *op) {
  return isa<onnx::RNNOp>(op)   ? cpu::RecurrentCell::Rnn
         : isa<onnx::GRUOp>(op) ? cpu::RecurrentCell::Gru
                                : cpu::RecurrentCell::Lstm;
}

RankedTensorType f32Type(ArrayRef<int64_t> shape, MLIRContext *ctx) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

} // namespace

bool isRecurrentLayer(Operation *op, std::string *why) {
  if (!isa<onnx::RNNOp, onnx::GRUOp, onnx::LSTMOp>(op))
    return false;
  auto no = [&](const char *what) {
    if (why)
      *why = what;
    return false;
  };
  if (!matchPattern(op->getOperand(1), m_Constant()) ||
      !matchPattern(op->getOperand(2), m_Constant()))
    return no("its W or R is not a constant");
  // B's W half joins the input projection, a constant of the matmul layer; the other optional
  // operands (sequence_lens, initial states, peepholes) are read by the cell as they come.
  auto optional = op->getAttrOfType<DenseI64ArrayAttr>("optional_operands").asArrayRef();
  if (!optional.empty() && optional[0] == 3 && !matchPattern(op->getOperand(3), m_Constant()))
    return no("its B is not a constant");
  return true;
}

FailureOr<RecurrentLayerPair> splitRecurrentLayer(Operation *op, NamedAttribute settings) {
  MLIRContext *ctx = op->getContext();
  OpBuilder b(op);
  const Location loc = op->getLoc();
  const std::string name = layerName(op);
  const cpu::RecurrentCell cell = cellOf(op);
  const StringRef kind = cpu::recurrentKind(cell);
  const int64_t gates = cpu::recurrentGates(cell);
  auto x = cast<TypedValue<RankedTensorType>>(op->getOperand(0));
  auto y = cast<TypedValue<RankedTensorType>>(op->getResult(0));
  const int64_t seq = x.getType().getDimSize(0), batch = x.getType().getDimSize(1),
                in = x.getType().getDimSize(2);
  const int64_t D = y.getType().getDimSize(1), H = y.getType().getDimSize(3), GH = gates * H;
  auto optional = op->getAttrOfType<DenseI64ArrayAttr>("optional_operands").asArrayRef();
  Value bias = !optional.empty() && optional[0] == 3 ? op->getOperand(3) : Value();

  // W [D, GH, in] -> W^T [in, D·GH]: column d·GH + r is W[d][r].
  ElementsAttr wAttr;
  matchPattern(op->getOperand(1), m_Constant(&wAttr));
  auto w = constantFloats(op, wAttr);
  if (failed(w))
    return failure();
  std::vector<float> wt(static_cast<size_t>(in * D * GH));
  for (int64_t r = 0; r < D * GH; ++r)
    for (int64_t i = 0; i < in; ++i)
      wt[i * D * GH + r] = (*w)[r * in + i];
  auto wtType = f32Type({in, D * GH}, ctx);
  Value wtConst =
      onnx::ConstantOp::create(b, loc, wtType, constantData(wtType, wt.data(), name + ".W"));

  // The input projection, batch first so that the batch index is the sample (§9).
  auto xb = onnx::TransposeOp::create(b, loc, f32Type({batch, seq, in}, ctx), x,
                                      b.getDenseI64ArrayAttr({1, 0, 2}));
  auto projType = f32Type({batch, seq, D * GH}, ctx);
  auto matmul = onnx::MatMulOp::create(b, NameLoc::get(b.getStringAttr(name + ".W"), loc), projType,
                                       xb, wtConst);
  Value projection = matmul;
  if (bias) { // + Wb, the W half of each direction's B [D, 2·GH]
    ElementsAttr bAttr;
    matchPattern(bias, m_Constant(&bAttr));
    auto bv = constantFloats(op, bAttr);
    if (failed(bv))
      return failure();
    std::vector<float> wb(static_cast<size_t>(D * GH));
    for (int64_t d = 0; d < D; ++d)
      std::copy(bv->begin() + d * 2 * GH, bv->begin() + d * 2 * GH + GH, wb.begin() + d * GH);
    auto wbType = f32Type({D * GH}, ctx);
    Value wbConst =
        onnx::ConstantOp::create(b, loc, wbType, constantData(wbType, wb.data(), name + ".Wb"));
    projection = onnx::AddOp::create(b, loc, projType, projection, wbConst);
  }
  Value inputGates = onnx::TransposeOp::create(b, loc, f32Type({seq, batch, D * GH}, ctx),
                                               projection, b.getDenseI64ArrayAttr({1, 0, 2}));

  // The hidden product over R, with the cell's attributes as the onnx op holds them and its
  // optional operands (B, sequence_lens, initial states, peepholes) after R; it gives Y, Y_h
  // and LSTM's Y_c, computed by the cell itself.
  SmallVector<NamedAttribute> attrs = {
      settings, b.getNamedAttr("layer", b.getStringAttr(name + ".R")),
      b.getNamedAttr("kind", b.getStringAttr(kind)),
      b.getNamedAttr("optional_operands", b.getDenseI64ArrayAttr(optional))};
  for (StringRef a : {"hidden_size", "direction", "activations", "activation_alpha",
                      "activation_beta", "clip", "input_forget", "linear_before_reset"})
    if (Attribute v = op->getAttr(a))
      attrs.push_back(b.getNamedAttr(a, v));
  SmallVector<Value> operands = {inputGates, op->getOperand(2)};
  for (size_t i = 0; i < optional.size(); ++i)
    operands.push_back(op->getOperand(3 + i));
  auto hidden = cim::LinearOp::create(b, loc, op->getResultTypes(), operands, attrs);
  op->replaceAllUsesWith(hidden->getResults());
  op->erase();
  auto input = replaceWithLinear<cim::LinearOp>(matmul, {settings});
  return RecurrentLayerPair{input, hidden};
}

} // namespace cimlir
