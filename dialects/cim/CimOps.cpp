//===- CimOps.cpp - cim dialect operations --------------------------------===//

#include "dialects/cim/CimOps.h"

#include "kernels/cim/LayerSettings.h"
#include "kernels/cpu/Recurrent.h"

using namespace mlir;
using namespace cimlir::cim;

#define GET_OP_CLASSES
#include "dialects/cim/CimOps.cpp.inc"

namespace {

/// Each kind has the operand ranks and attributes its runtime step reads (§0). Shared by
/// cim.linear and cim.digital_linear, which have the same kinds.
/// `layerOperands`: the operands after W that are the layer's (a cim.linear's fused
/// normalisation has its own after them).
template <typename OpTy> LogicalResult verifyLinearForm(OpTy op, size_t layerOperands) {
  if (auto activation = op.getActivation()) {
    if (*activation != "relu")
      return op.emitOpError("has activation '") << *activation << "' (only relu is fused)";
    if (cimlir::cpu::recurrentCellOfKind(op.getKind()))
      return op.emitOpError("of a recurrent kind takes no fused activation");
  }
  auto x = op.getX().getType(), w = op.getWeight().getType();
  if (!x.getElementType().isF32())
    return op.emitOpError("takes float32 x");
  if (!w.hasStaticShape())
    return op.emitOpError("needs statically shaped weights");
  StringRef kind = op.getKind();
  if (kind == "gemm") {
    if (x.getRank() != 2 || w.getRank() != 2 || !op.getAlpha() || !op.getBeta() || !op.getTransB())
      return op.emitOpError("of kind gemm needs 2-D x and W and alpha, beta, transB");
  } else if (kind == "matmul") {
    if (x.getRank() < 2 || w.getRank() != 2)
      return op.emitOpError("of kind matmul needs x of rank >= 2 and a 2-D W");
    // A bias (cim-fuse-activations: the Add after the layer), one value per output column.
    auto bias = RankedTensorType::get({w.getDimSize(1)}, Float32Type::get(op.getContext()));
    if (layerOperands == 1 && op->getOperand(2).getType() != bias)
      return op.emitOpError("of kind matmul takes a bias of type ")
             << bias << ", got " << op->getOperand(2).getType();
  } else if (kind == "conv" || kind == "conv_transpose") {
    // W's first axis: a convolution's output channels, a transposed one's input channels.
    const bool transposed = kind == "conv_transpose";
    if (x.getRank() < 3 || w.getRank() != x.getRank() || !op.getStrides() || !op.getPads() ||
        !op.getDilations() || !op.getGroup())
      return op.emitOpError("of kind ")
             << kind << " needs x [N,C,D...], W " << (transposed ? "[C,M/g,K...]" : "[M,C/g,K...]")
             << " and strides, pads, dilations, group";
    int64_t group = *op.getGroup();
    if (group < 1 || w.getDimSize(0) % group != 0)
      return op.emitOpError("has group ")
             << group << ", which must divide the " << w.getDimSize(0)
             << (transposed ? " input" : " output") << " channels of W";
  } else if (auto cell = cimlir::cpu::recurrentCellOfKind(kind)) {
    const int64_t gates = cimlir::cpu::recurrentGates(*cell);
    if (!op.getHiddenSize() || !op.getDirection() || !op.getActivations() ||
        !op.getActivationAlpha() || !op.getActivationBeta() || !op.getInputForget() ||
        !op.getLinearBeforeReset())
      return op.emitOpError("of kind ") << kind << " needs the cell's attributes";
    const int64_t H = static_cast<int64_t>(*op.getHiddenSize());
    const int64_t D = *op.getDirection() == "bidirectional" ? 2 : 1;
    if (H < 1 || w.getShape() != ArrayRef<int64_t>{D, gates * H, H} || x.getRank() != 3 ||
        x.getDimSize(2) != D * gates * H)
      return op.emitOpError("of kind ") << kind << " needs W (R) [" << D << ", " << gates * H
                                        << ", " << H << "] and x (the input gates) [seq, batch, "
                                        << D * gates * H << "], got " << w << " and " << x;
    // The optional ONNX operands B (3), sequence_lens (4), initial_h (5), initial_c (6) and
    // P (7, LSTM only) in rising order, one per operand after W; Y_h, and LSTM's Y_c.
    ArrayRef<int64_t> optional;
    if (auto a = op.getOptionalOperands())
      optional = *a;
    const int64_t last = *cell == cimlir::cpu::RecurrentCell::Lstm ? 7 : 6;
    for (size_t i = 0; i < optional.size(); ++i)
      if (optional[i] < 3 || optional[i] > last || (i > 0 && optional[i] <= optional[i - 1]))
        return op.emitOpError("of kind ")
               << kind << " has optional_operands that do not rise within 3.." << last;
    if (optional.size() != op.getMore().size())
      return op.emitOpError("has ") << op.getMore().size() << " operands after W but "
                                    << optional.size() << " optional_operands";
    const size_t states = *cell == cimlir::cpu::RecurrentCell::Lstm ? 2 : 1;
    if (op.getStates().size() != states)
      return op.emitOpError("of kind ")
             << kind << " gives Y and " << states << " states (Y_h" << (states == 2 ? ", Y_c" : "")
             << "), got " << op.getStates().size();
  } else {
    return op.emitOpError("has unknown kind '")
           << kind << "' (gemm, matmul, conv, conv_transpose, rnn, gru or lstm)";
  }
  if (!cimlir::cpu::recurrentCellOfKind(kind) &&
      (layerOperands > 1 || !op.getStates().empty() || op.getOptionalOperands()))
    return op.emitOpError("of kind ") << kind << " takes at most a bias after W and gives y";
  if (op.getLayer().empty())
    return op.emitOpError("needs the layer's name");
  return success();
}

/// The product of `dims`.
int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

template <typename OpTy> LinearShape linearShapeOf(OpTy op) {
  auto w = op.getWeight().getType();
  LinearShape s;
  if (cimlir::cpu::recurrentCellOfKind(op.getKind())) {
    s.groups = w.getDimSize(0); // a direction each
    s.n = w.getDimSize(1);
    s.k = w.getDimSize(2);
    s.outputMajor = true;
    // x is the input gates [seq, batch, ...].
    const bool twice = op.getKind() == "gru" && *op.getLinearBeforeReset() == 0;
    s.rowsPerSample = op.getX().getType().getDimSize(0) * (twice ? 2 : 1);
    return s;
  }
  if (op.getKind() == "conv_transpose") { // W [C, M/g, k...]: a group's rows are its inputs
    s.groups = *op.getGroup();
    s.k = w.getDimSize(0) / s.groups;
    s.n = w.getNumElements() / w.getDimSize(0);
    s.rowsPerSample = product(op.getX().getType().getShape().drop_front(2));
    return s;
  }
  if (op.getKind() == "conv") {
    s.groups = *op.getGroup();
    s.k = w.getNumElements() / w.getDimSize(0);
    s.n = w.getDimSize(0) / s.groups;
    s.outputMajor = true;
    s.rowsPerSample = product(op.getY().getType().getShape().drop_front(2));
    return s;
  }
  if (op.getKind() == "matmul")
    s.rowsPerSample = product(op.getX().getType().getShape().drop_front().drop_back());
  s.outputMajor = op.getKind() == "gemm" && *op.getTransB() != 0;
  s.k = w.getDimSize(s.outputMajor ? 1 : 0);
  s.n = w.getDimSize(s.outputMajor ? 0 : 1);
  return s;
}

} // namespace

namespace cimlir::cim {

LinearShape getLinearShape(Operation *op) {
  if (auto linear = dyn_cast<LinearOp>(op))
    return linearShapeOf(linear);
  return linearShapeOf(cast<DigitalLinearOp>(op));
}

unsigned quantizedWeightWidth(int64_t bits) { return bits <= 8 ? 8 : 16; }

std::optional<cpu::LayerNormPrologue> layerNormPrologue(LinearOp op, std::string *error) {
  using Prologue = cpu::LayerNormPrologue;
  DictionaryAttr fields = op.getLayerNormAttr();
  if (!fields)
    return std::nullopt;
  auto fail = [&](const std::string &why) -> std::optional<Prologue> {
    if (error)
      *error = why;
    return std::nullopt;
  };
  for (NamedAttribute field : fields)
    if (!llvm::is_contained({Prologue::kEpsilon, Prologue::kScale, Prologue::kBias},
                            field.getName().strref()))
      return fail(std::string("has an unknown ") + Prologue::kField + " field '" +
                  field.getName().str() + "' (epsilon, scale, bias)");
  auto epsilon = fields.getAs<FloatAttr>(Prologue::kEpsilon);
  auto scale = fields.getAs<IntegerAttr>(Prologue::kScale);
  auto bias = fields.get(Prologue::kBias);
  auto isIndex = [](IntegerAttr a) { return a && a.getType().isSignlessInteger(64); };
  if (!epsilon || !isIndex(scale) || (bias && !isIndex(dyn_cast<IntegerAttr>(bias))))
    return fail(std::string("has a ") + Prologue::kField +
                " without a float epsilon and an i64 scale (and bias, when present)");
  Prologue p;
  p.epsilon = static_cast<float>(epsilon.getValueAsDouble());
  p.scale = scale.getInt();
  p.bias = bias ? cast<IntegerAttr>(bias).getInt() : -1;
  const std::string why = cpu::layerNormPrologueError(p, op.getKind().str(), op->getNumOperands());
  if (!why.empty())
    return fail(why);
  return p;
}

} // namespace cimlir::cim

/// W is float32 until cim-quantize-weights replaces it by Wq, with `weights` saying how.
LogicalResult LinearOp::verify() {
  std::string error;
  const auto norm = layerNormPrologue(*this, &error);
  if (!error.empty())
    return emitOpError(error);
  const size_t layerOperands = getMore().size() - (norm ? norm->inputs() - norm->scale : 0);
  if (failed(verifyLinearForm(*this, layerOperands)) || failed(verifyLinearDecisions(*this)))
    return failure();
  if (norm) {
    // The scale and bias are a float32 value per element of x's rows.
    const int64_t K = getLinearShape(*this).k;
    auto row = RankedTensorType::get({K}, Float32Type::get(getContext()));
    for (int64_t i = norm->scale; i < norm->inputs(); ++i)
      if (getOperand(static_cast<unsigned>(i)).getType() != row)
        return emitOpError("has a ")
               << cimlir::cpu::LayerNormPrologue::kField << " "
               << (i == norm->scale ? "scale" : "bias") << " of type "
               << getOperand(static_cast<unsigned>(i)).getType() << ", expected " << row;
  }
  Type elem = getWeight().getType().getElementType();
  if (!getWeightsAttr()) {
    if (!elem.isF32())
      return emitOpError("takes float32 weights until they are quantized (no `weights` yet)");
    return success();
  }
  int64_t bits = getWeightsAttr().getSettings().bits;
  unsigned width = quantizedWeightWidth(bits);
  if (!elem.isSignlessInteger(width))
    return emitOpError("has weights quantized to ")
           << bits << " bits, so W must be i" << width << ", got " << elem;
  return success();
}

LogicalResult DigitalLinearOp::verify() {
  if (failed(verifyLinearForm(*this, getMore().size())))
    return failure();
  if (!getWeight().getType().getElementType().isF32())
    return emitOpError("takes float32 weights");
  StringRef p = getPrecision();
  if (!cimlir::cim::enumFromString<cimlir::cim::DigitalPrecision>(p))
    return emitOpError("has precision '")
           << p << "' (one of " << cimlir::cim::enumNameList<cimlir::cim::DigitalPrecision>()
           << ")";
  return success();
}
