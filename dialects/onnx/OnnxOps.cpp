//===- OnnxOps.cpp - onnx constants, identity and elementwise ops ---------===//
//
// Type inference and folders of the simple ops. The matrix, convolution and pooling
// ops are in OnnxNNOps.cpp, the shape ops in OnnxShapeOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxOps.h"
#include "dialects/onnx/ShapeInference.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace cimlir::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.cpp.inc"

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto t = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!t || !t.hasStaticShape())
    return emitOptionalError(loc, "onnx.Constant needs a statically shaped value");
  types.push_back(t);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult IdentityOp::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

LogicalResult ReluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto t = rankedOperand(loc, adaptor.getX(), "Relu input");
  if (failed(t))
    return failure();
  Type e = t->getElementType();
  if (!e.isF32() && !e.isF64() && !(e.isSignlessInteger() && !e.isInteger(1)))
    return emitOptionalError(loc, "Relu supports float and signed integer tensors, got ", e);
  types.push_back(*t);
  return success();
}

/// NumPy broadcasting of A and B, which must share one element type: the result's shape and
/// that type. Each broadcast dimension must be static or, when dynamic (the batch), meet 1 or
/// another dynamic dim.
static FailureOr<std::pair<SmallVector<int64_t>, Type>>
broadcastOperands(std::optional<Location> loc, StringRef opName, Value a, Value b) {
  auto ta = rankedOperand(loc, a, opName.str() + " input A");
  auto tb = rankedOperand(loc, b, opName.str() + " input B");
  if (failed(ta) || failed(tb))
    return failure();
  if (ta->getElementType() != tb->getElementType())
    return emitOptionalError(loc, opName, " needs one element type, got ", ta->getElementType(),
                             " and ", tb->getElementType());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(ta->getShape(), tb->getShape(), shape))
    return emitOptionalError(loc, opName, " operands ", *ta, " and ", *tb,
                             " are not broadcast-compatible");
  return std::make_pair(shape, ta->getElementType());
}

LogicalResult cimlir::onnx::inferBroadcast(std::optional<Location> loc, StringRef opName, Value a,
                                           Value b, SmallVectorImpl<Type> &types) {
  auto r = broadcastOperands(loc, opName, a, b);
  if (failed(r))
    return failure();
  if (r->second.isInteger(1))
    return emitOptionalError(loc, opName, " does not take bool tensors");
  types.push_back(RankedTensorType::get(r->first, r->second));
  return success();
}

#define CIMLIR_BINARY_INFER(OP, NAME)                                                              \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,  \
                                     SmallVectorImpl<Type> &types) {                               \
    return inferBroadcast(loc, NAME, adaptor.getA(), adaptor.getB(), types);                       \
  }
CIMLIR_BINARY_INFER(AddOp, "Add")
CIMLIR_BINARY_INFER(SubOp, "Sub")
CIMLIR_BINARY_INFER(MulOp, "Mul")
CIMLIR_BINARY_INFER(DivOp, "Div")
CIMLIR_BINARY_INFER(MaxOp, "Max")
CIMLIR_BINARY_INFER(MinOp, "Min")
CIMLIR_BINARY_INFER(PowOp, "Pow")
CIMLIR_BINARY_INFER(PReluOp, "PRelu")
#undef CIMLIR_BINARY_INFER

LogicalResult cimlir::onnx::inferCompare(std::optional<Location> loc, StringRef opName, Value a,
                                         Value b, bool logical, SmallVectorImpl<Type> &types) {
  auto r = broadcastOperands(loc, opName, a, b);
  if (failed(r))
    return failure();
  if (logical && !r->second.isInteger(1))
    return emitOptionalError(loc, opName, " takes bool tensors, got ", r->second);
  types.push_back(RankedTensorType::get(r->first, IntegerType::get(r->second.getContext(), 1)));
  return success();
}

LogicalResult NotOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto t = rankedOperand(loc, adaptor.getX(), "Not input");
  if (failed(t))
    return failure();
  if (!t->getElementType().isInteger(1))
    return emitOptionalError(loc, "Not takes bool tensors, got ", *t);
  types.push_back(*t);
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto c = rankedOperand(loc, adaptor.getCondition(), "Where condition");
  auto x = rankedOperand(loc, adaptor.getX(), "Where X");
  auto y = rankedOperand(loc, adaptor.getY(), "Where Y");
  if (failed(c) || failed(x) || failed(y))
    return failure();
  if (!c->getElementType().isInteger(1))
    return emitOptionalError(loc, "Where condition must be bool, got ", *c);
  if (x->getElementType() != y->getElementType())
    return emitOptionalError(loc, "Where X and Y differ in element type: ", *x, " and ", *y);
  SmallVector<int64_t> xy, shape;
  if (!OpTrait::util::getBroadcastedShape(x->getShape(), y->getShape(), xy) ||
      !OpTrait::util::getBroadcastedShape(c->getShape(), xy, shape))
    return emitOptionalError(loc, "Where operands ", *c, ", ", *x, " and ", *y,
                             " are not broadcast-compatible");
  types.push_back(RankedTensorType::get(shape, x->getElementType()));
  return success();
}

LogicalResult GeluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  if (adaptor.getApproximate() != "none" && adaptor.getApproximate() != "tanh")
    return emitOptionalError(loc, "Gelu approximate '", adaptor.getApproximate(),
                             "' is not none or tanh");
  return inferUnaryFloat(loc, adaptor.getX(), "Gelu", types);
}
