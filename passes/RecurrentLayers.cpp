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

/// A float32 constant of zeros (dense, or a resource such as a folded Expand of zeros).
bool isZeroConstant(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return false;
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    return blob && llvm::all_of(blob->getData(), [](char c) { return c == 0; });
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  return dense && llvm::all_of(dense.getValues<float>(), [](float f) { return f == 0.0f; });
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
  auto optional = op->getAttrOfType<DenseI64ArrayAttr>("optional_operands").asArrayRef();
  for (auto [i, index] : llvm::enumerate(optional)) {
    Value v = op->getOperand(3 + i);
    if (index == 3 && !matchPattern(v, m_Constant()))
      return no("its B is not a constant");
    if (index == 4)
      return no("it has sequence_lens");
    if ((index == 5 || index == 6) && !isZeroConstant(v))
      return no("its initial state is not a constant zero");
    if (index == 7)
      return no("it has peepholes (P)");
  }
  if (op->getNumResults() == 3 && !op->getResult(2).use_empty())
    return no("its Y_c output is used");
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

  // The hidden product over R, with the cell's attributes as the onnx op holds them.
  SmallVector<NamedAttribute> attrs = {settings,
                                       b.getNamedAttr("layer", b.getStringAttr(name + ".R")),
                                       b.getNamedAttr("kind", b.getStringAttr(kind))};
  for (StringRef a : {"hidden_size", "direction", "activations", "activation_alpha",
                      "activation_beta", "clip", "input_forget", "linear_before_reset"})
    if (Attribute v = op->getAttr(a))
      attrs.push_back(b.getNamedAttr(a, v));
  SmallVector<Value> operands = {inputGates, op->getOperand(2)};
  if (bias)
    operands.push_back(bias);
  auto hidden = cim::LinearOp::create(b, loc, TypeRange{y.getType()}, operands, attrs);
  y.replaceAllUsesWith(hidden.getY());

  // Y_h: each direction's last step of Y (forward: step seq - 1; reverse: step 0).
  Value yH = op->getResult(1);
  if (!yH.use_empty()) {
    const bool reverse = op->getAttrOfType<StringAttr>("direction").getValue() == "reverse";
    SmallVector<Value> lasts;
    for (int64_t d = 0; d < D; ++d) {
      const int64_t t = (reverse || d == 1) ? 0 : seq - 1;
      lasts.push_back(onnx::SliceOp::create(
          b, loc, f32Type({1, 1, batch, H}, ctx), hidden.getY(), b.getDenseI64ArrayAttr({t, d}),
          b.getDenseI64ArrayAttr({t + 1, d + 1}), b.getDenseI64ArrayAttr({0, 1}),
          b.getDenseI64ArrayAttr({1, 1})));
    }
    Value last = D == 1 ? lasts[0]
                        : onnx::ConcatOp::create(b, loc, f32Type({1, D, batch, H}, ctx), lasts,
                                                 b.getI64IntegerAttr(1))
                              .getResult();
    yH.replaceAllUsesWith(onnx::SqueezeOp::create(b, loc, cast<RankedTensorType>(yH.getType()),
                                                  last, b.getDenseI64ArrayAttr({0})));
  }
  op->erase();
  auto input = replaceWithLinear<cim::LinearOp>(matmul, {settings});
  return RecurrentLayerPair{input, hidden};
}

} // namespace cimlir
