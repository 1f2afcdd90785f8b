//===- OnnxIndexingOps.cpp - GatherElements, ScatterElements, OneHot, ... ===//
//
// Type rules of the indexing ops, Mod, IsNaN and IsInf. Indices are int32 or int64; their
// values are checked by the kernels (cimlir::Error naming the index).
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxOps.h"
#include "dialects/onnx/ShapeInference.h"

#include "kernels/cpu/Einsum.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace cimlir::onnx;

namespace {

LogicalResult requireIndices(std::optional<Location> loc, StringRef op, RankedTensorType t) {
  if (!t.getElementType().isSignlessInteger(32) && !t.getElementType().isSignlessInteger(64))
    return emitOptionalError(loc, op, " indices must be int32 or int64, got ", t);
  return success();
}

LogicalResult requireAxis(std::optional<Location> loc, StringRef op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, op, " axis ", axis, " is out of range for rank ", rank);
  return success();
}

/// GatherElements and ScatterElements: data and indices of one rank, indices no larger.
LogicalResult checkElements(std::optional<Location> loc, StringRef op, RankedTensorType data,
                            RankedTensorType indices, int64_t axis) {
  if (failed(requireIndices(loc, op, indices)) ||
      failed(requireAxis(loc, op, axis, data.getRank())))
    return failure();
  if (indices.getRank() != data.getRank())
    return emitOptionalError(loc, op, " data ", data, " and indices ", indices, " differ in rank");
  for (int64_t a = 0; a < data.getRank(); ++a)
    if (a != axis && !data.isDynamicDim(a) && !indices.isDynamicDim(a) &&
        indices.getDimSize(a) > data.getDimSize(a))
      return emitOptionalError(loc, op, " indices ", indices, " exceed data ", data, " along axis ",
                               a);
  return success();
}

} // namespace

LogicalResult ModOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto a = rankedOperand(loc, adaptor.getA(), "Mod A");
  if (failed(a))
    return failure();
  if (isa<FloatType>(a->getElementType()) && adaptor.getFmod() == 0)
    return emitOptionalError(loc, "Mod of floats needs fmod = 1, as ONNX says");
  return inferBroadcast(loc, "Mod", adaptor.getA(), adaptor.getB(), types);
}

LogicalResult IsNaNOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "IsNaN input");
  if (failed(x))
    return failure();
  if (!isa<FloatType>(x->getElementType()))
    return emitOptionalError(loc, "IsNaN takes float tensors, got ", *x);
  types.push_back(x->clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult IsInfOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "IsInf input");
  if (failed(x))
    return failure();
  if (!isa<FloatType>(x->getElementType()))
    return emitOptionalError(loc, "IsInf takes float tensors, got ", *x);
  types.push_back(x->clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto data = rankedOperand(loc, adaptor.getData(), "GatherElements data");
  auto indices = rankedOperand(loc, adaptor.getIndices(), "GatherElements indices");
  if (failed(data) || failed(indices) ||
      failed(checkElements(loc, "GatherElements", *data, *indices, adaptor.getAxis())))
    return failure();
  types.push_back(indices->clone(data->getElementType()));
  return success();
}

LogicalResult ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto data = rankedOperand(loc, adaptor.getData(), "ScatterElements data");
  auto indices = rankedOperand(loc, adaptor.getIndices(), "ScatterElements indices");
  auto updates = rankedOperand(loc, adaptor.getUpdates(), "ScatterElements updates");
  if (failed(data) || failed(indices) || failed(updates) ||
      failed(checkElements(loc, "ScatterElements", *data, *indices, adaptor.getAxis())))
    return failure();
  if (updates->getShape() != indices->getShape() ||
      updates->getElementType() != data->getElementType())
    return emitOptionalError(loc, "ScatterElements updates ", *updates,
                             " must have the indices' shape and the data's type");
  StringRef r = adaptor.getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOptionalError(loc, "ScatterElements reduction '", r,
                             "' is not none, add, mul, max or min");
  types.push_back(*data);
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto indices = rankedOperand(loc, adaptor.getIndices(), "OneHot indices");
  auto values = rankedOperand(loc, adaptor.getValues(), "OneHot values");
  if (failed(indices) || failed(values))
    return failure();
  if (values->getRank() != 1 || values->getDimSize(0) != 2)
    return emitOptionalError(loc, "OneHot values must be [off, on], got ", *values);
  if (adaptor.getDepth() < 1)
    return emitOptionalError(loc, "OneHot depth ", adaptor.getDepth(), " must be >= 1");
  const int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > indices->getRank())
    return emitOptionalError(loc, "OneHot axis ", axis, " is out of range");
  SmallVector<int64_t> shape(indices->getShape());
  shape.insert(shape.begin() + axis, adaptor.getDepth());
  types.push_back(RankedTensorType::get(shape, values->getElementType()));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "TopK input");
  if (failed(x) || failed(requireAxis(loc, "TopK", adaptor.getAxis(), x->getRank())))
    return failure();
  const int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (x->isDynamicDim(axis))
    return emitOptionalError(loc, "TopK along the batch axis is not supported", kFixedBatchHint);
  if (k < 0 || k > x->getDimSize(axis))
    return emitOptionalError(loc, "TopK k ", k, " is outside [0, ", x->getDimSize(axis), "]");
  SmallVector<int64_t> shape(x->getShape());
  shape[axis] = k;
  types.push_back(x->clone(shape));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult TriluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Trilu input");
  if (failed(x))
    return failure();
  if (x->getRank() < 2)
    return emitOptionalError(loc, "Trilu needs rank >= 2, got ", *x);
  types.push_back(*x);
  return success();
}

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "CumSum input");
  if (failed(x) || failed(requireAxis(loc, "CumSum", adaptor.getAxis(), x->getRank())))
    return failure();
  types.push_back(*x);
  return success();
}

LogicalResult NegativeLogLikelihoodLossOp::inferReturnTypes(MLIRContext *,
                                                            std::optional<Location> loc,
                                                            Adaptor adaptor,
                                                            SmallVectorImpl<Type> &types) {
  auto input = rankedOperand(loc, adaptor.getInput(), "NegativeLogLikelihoodLoss input");
  auto target = rankedOperand(loc, adaptor.getTarget(), "NegativeLogLikelihoodLoss target");
  if (failed(input) || failed(target))
    return failure();
  if (!isa<FloatType>(input->getElementType()) || input->getRank() < 2)
    return emitOptionalError(loc, "NegativeLogLikelihoodLoss input must be float [N, C, ...], got ",
                             *input);
  if (failed(requireIndices(loc, "NegativeLogLikelihoodLoss", *target)))
    return failure();
  SmallVector<int64_t> want(input->getShape());
  want.erase(want.begin() + 1);
  if (target->getShape() != ArrayRef<int64_t>(want))
    return emitOptionalError(loc, "NegativeLogLikelihoodLoss target ", *target,
                             " must be the input's shape without axis 1");
  if (Value w = adaptor.getWeight()) {
    auto wt = rankedOperand(loc, w, "NegativeLogLikelihoodLoss weight");
    if (failed(wt))
      return failure();
    if (wt->getElementType() != input->getElementType() || wt->getRank() != 1 ||
        wt->getDimSize(0) != input->getDimSize(1))
      return emitOptionalError(
          loc, "NegativeLogLikelihoodLoss weight must be [C] of the input's type, got ", *wt);
  }
  StringRef r = adaptor.getReduction();
  if (r != "none" && r != "sum" && r != "mean")
    return emitOptionalError(loc, "NegativeLogLikelihoodLoss reduction '", r,
                             "' is not none, sum or mean");
  types.push_back(
      RankedTensorType::get(r == "none" ? want : SmallVector<int64_t>(), input->getElementType()));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "Resize input");
  if (failed(x))
    return failure();
  if (!x->getElementType().isF32() && !x->getElementType().isF64())
    return emitOptionalError(loc, "Resize takes float32 and float64, got ", *x);
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  const int64_t rank = x->getRank();
  if (static_cast<int64_t>(sizes.size()) != rank || static_cast<int64_t>(scales.size()) != rank)
    return emitOptionalError(loc, "Resize sizes and scales need ", rank, " entries");
  SmallVector<int64_t> shape;
  for (int64_t a = 0; a < rank; ++a) {
    if (x->isDynamicDim(a)) {
      if (sizes[a] != -1 || scales[a] != 1.0)
        return emitOptionalError(loc, "Resize of the batch axis is not supported", kFixedBatchHint);
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (sizes[a] < 0 || !(scales[a] > 0))
      return emitOptionalError(loc, "Resize size ", sizes[a], " or scale ", scales[a],
                               " along axis ", a, " is invalid");
    shape.push_back(sizes[a]);
  }
  types.push_back(x->clone(shape));
  return success();
}

namespace {
/// Q/DQ's scale (float32) and zero point: one value, or one per index of `axis` of `x`.
LogicalResult checkQuantParams(std::optional<Location> loc, StringRef op, RankedTensorType x,
                               Value scale, Value zeroPoint, int64_t axis) {
  auto s = rankedOperand(loc, scale, op.str() + " scale");
  if (failed(s))
    return failure();
  if (!s->getElementType().isF32())
    return emitOptionalError(loc, op, " scale must be float32, got ", *s);
  if (s->getNumElements() != 1 && (s->getRank() != 1 || axis < 0 || axis >= x.getRank() ||
                                   s->getDimSize(0) != x.getDimSize(axis)))
    return emitOptionalError(loc, op, " scale ", *s,
                             " is neither one value nor one per index of axis ", axis, " of ", x);
  if (zeroPoint) {
    auto z = rankedOperand(loc, zeroPoint, op.str() + " zero point");
    if (failed(z))
      return failure();
    // One value each may be shaped differently ([1] and a scalar, as exporters write them).
    if (z->getNumElements() != s->getNumElements() ||
        (s->getNumElements() != 1 && z->getShape() != s->getShape()))
      return emitOptionalError(loc, op, " zero point ", *z, " and scale ", *s, " differ in shape");
  }
  return success();
}
} // namespace

LogicalResult QuantizeLinearOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "QuantizeLinear input");
  if (failed(x) || failed(checkQuantParams(loc, "QuantizeLinear", *x, adaptor.getYScale(),
                                           adaptor.getYZeroPoint(), adaptor.getAxis())))
    return failure();
  if (!x->getElementType().isF32())
    return emitOptionalError(loc, "QuantizeLinear takes float32, got ", *x);
  Type out = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  if (Value z = adaptor.getYZeroPoint())
    out = cast<RankedTensorType>(z.getType()).getElementType();
  if (!out.isInteger(8))
    return emitOptionalError(loc, "QuantizeLinear output must be int8 or uint8, got ", out);
  types.push_back(x->clone(out));
  return success();
}

LogicalResult DequantizeLinearOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                                   Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "DequantizeLinear input");
  if (failed(x) || failed(checkQuantParams(loc, "DequantizeLinear", *x, adaptor.getXScale(),
                                           adaptor.getXZeroPoint(), adaptor.getAxis())))
    return failure();
  Type e = x->getElementType();
  if (!e.isInteger(8) && !e.isSignlessInteger(32))
    return emitOptionalError(loc, "DequantizeLinear takes int8, uint8 or int32, got ", *x);
  if (Value z = adaptor.getXZeroPoint())
    if (cast<RankedTensorType>(z.getType()).getElementType() != e)
      return emitOptionalError(loc, "DequantizeLinear zero point and input differ in type");
  types.push_back(x->clone(Float32Type::get(ctx)));
  return success();
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  std::vector<cimlir::Shape> shapes;
  Type elem;
  for (Value v : adaptor.getInputs()) {
    auto t = rankedOperand(loc, v, "Einsum input");
    if (failed(t))
      return failure();
    if (!t->hasStaticShape())
      return emitOptionalError(loc, "Einsum needs static shapes, got ", *t);
    if (elem && t->getElementType() != elem)
      return emitOptionalError(loc, "Einsum inputs differ in element type");
    elem = t->getElementType();
    shapes.emplace_back(t->getShape().begin(), t->getShape().end());
  }
  if (shapes.empty())
    return emitOptionalError(loc, "Einsum needs inputs");
  if (!elem.isF32() && !elem.isF64())
    return emitOptionalError(loc, "Einsum takes float32 and float64, got ", elem);
  // The kernel's reading of the equation (kernels/cpu/Einsum.h) gives the output shape.
  cimlir::cpu::EinsumSpec spec;
  if (std::string problem = cimlir::cpu::parseEinsum(adaptor.getEquation().str(), shapes, spec);
      !problem.empty())
    return emitOptionalError(loc, "Einsum: ", problem);
  types.push_back(RankedTensorType::get(spec.outputShape, elem));
  return success();
}

namespace {
/// GatherND's output shape and ScatterND's updates shape: indices.shape[:-1] +
/// data.shape[batchDims + m:], m the index tuples' length (static).
FailureOr<SmallVector<int64_t>> tupleSliceShape(std::optional<Location> loc, StringRef op,
                                                RankedTensorType data, RankedTensorType indices,
                                                int64_t batchDims) {
  if (failed(requireIndices(loc, op, indices)))
    return failure();
  if (indices.getRank() < 1 || indices.isDynamicDim(indices.getRank() - 1))
    return emitOptionalError(loc, op, " indices need a static last axis, got ", indices);
  const int64_t m = indices.getDimSize(indices.getRank() - 1);
  if (batchDims < 0 || batchDims >= indices.getRank() || batchDims + m > data.getRank())
    return emitOptionalError(loc, op, " indices ", indices, " do not fit data ", data,
                             " with batch_dims ", batchDims);
  for (int64_t a = 0; a < batchDims; ++a)
    if (indices.getDimSize(a) != data.getDimSize(a))
      return emitOptionalError(loc, op, " batch axes of ", indices, " and ", data, " differ");
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(batchDims + m));
  return shape;
}
} // namespace

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto data = rankedOperand(loc, adaptor.getData(), "GatherND data");
  auto indices = rankedOperand(loc, adaptor.getIndices(), "GatherND indices");
  if (failed(data) || failed(indices))
    return failure();
  auto shape = tupleSliceShape(loc, "GatherND", *data, *indices,
                               static_cast<int64_t>(adaptor.getBatchDims()));
  if (failed(shape))
    return failure();
  types.push_back(data->clone(*shape));
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto data = rankedOperand(loc, adaptor.getData(), "ScatterND data");
  auto indices = rankedOperand(loc, adaptor.getIndices(), "ScatterND indices");
  auto updates = rankedOperand(loc, adaptor.getUpdates(), "ScatterND updates");
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  auto shape = tupleSliceShape(loc, "ScatterND", *data, *indices, 0);
  if (failed(shape))
    return failure();
  if (updates->getShape() != ArrayRef<int64_t>(*shape) ||
      updates->getElementType() != data->getElementType())
    return emitOptionalError(loc, "ScatterND updates ", *updates, " must be [", *shape,
                             "] of the data's type");
  StringRef r = adaptor.getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOptionalError(loc, "ScatterND reduction '", r,
                             "' is not none, add, mul, max or min");
  types.push_back(*data);
  return success();
}
