//===- OnnxShapeOps.cpp - reshape, flatten, transpose ---------------------===//
//
// Sizes here are products N^e * s of the batch size N and a static s; a result
// dimension must come out as a static number or N itself, so that one batch binding
// at run time gives every shape.
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxOps.h"
#include "dialects/onnx/ShapeInference.h"

#include "core/ShapeMath.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace cimlir::onnx;

namespace {
/// N^batchPower * fixed.
struct Size {
  int batchPower = 0;
  int64_t fixed = 1;
};

/// The product of `dims`, or an error when its static part overflows int64 (the dimensions
/// come from a file: [N, 2^32+1, 2^32-1, ...] must not wrap around).
FailureOr<Size> productOf(std::optional<Location> loc, ArrayRef<int64_t> dims) {
  Size s;
  const bool empty = llvm::is_contained(dims, 0); // [0, 2^62, 4] holds nothing
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d)) {
      ++s.batchPower;
    } else if (!empty) {
      std::optional<int64_t> next = cimlir::checkedMul(s.fixed, d);
      if (!next)
        return emitOptionalError(loc, "the element count of dimensions [", dims,
                                 "] overflows int64");
      s.fixed = *next;
    }
  }
  if (empty)
    s.fixed = 0;
  return s;
}

/// The dimension a Size stands for, if it is a static number or exactly N.
std::optional<int64_t> asDim(Size s) {
  if (s.batchPower == 0)
    return s.fixed;
  if (s.batchPower == 1 && s.fixed == 1)
    return ShapedType::kDynamic;
  return std::nullopt;
}
} // namespace

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Reshape data");
  if (failed(x))
    return failure();
  DenseIntElementsAttr shapeAttr;
  if (!matchPattern(adaptor.getShape(), m_Constant(&shapeAttr)))
    return emitOptionalError(loc, "Reshape needs a constant shape operand (an initializer, a "
                                  "Constant, or a graph input frozen with --freeze-inputs)");
  if (cast<ShapedType>(shapeAttr.getType()).getRank() != 1)
    return emitOptionalError(loc, "Reshape shape must be 1-D");
  bool allowZero = adaptor.getAllowzero() != 0;
  SmallVector<int64_t> out;
  int inferAt = -1;
  for (auto [i, v] : llvm::enumerate(shapeAttr.getValues<int64_t>())) {
    if (v == -1) {
      if (inferAt >= 0)
        return emitOptionalError(loc, "Reshape shape has more than one -1");
      inferAt = static_cast<int>(i);
      out.push_back(1);
    } else if (v == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= x->getRank())
        return emitOptionalError(loc, "Reshape shape copies dimension ", i, " (a 0) of ", *x,
                                 ", which has no such dimension");
      out.push_back(x->getDimSize(i));
    } else if (v < 0) {
      return emitOptionalError(loc, "Reshape shape has an invalid entry ", v);
    } else {
      out.push_back(v);
    }
  }
  FailureOr<Size> inSize = productOf(loc, x->getShape()), knownSize = productOf(loc, out);
  if (failed(inSize) || failed(knownSize))
    return failure();
  Size in = *inSize, known = *knownSize;
  if (inferAt >= 0) {
    Size rest{in.batchPower - known.batchPower, 0};
    if (known.fixed == 0 || in.fixed % known.fixed != 0 || rest.batchPower < 0)
      return emitOptionalError(loc, "Reshape cannot infer -1: ", *x, " does not divide into ",
                               "the other dimensions");
    rest.fixed = in.fixed / known.fixed;
    auto d = asDim(rest);
    if (!d)
      return emitOptionalError(loc, "Reshape of ", *x,
                               " would fold the batch dimension into "
                               "another one, which cim-run cannot bind");
    out[inferAt] = *d;
  } else if (in.batchPower != known.batchPower || in.fixed != known.fixed) {
    return emitOptionalError(loc, "Reshape of ", *x, " to a shape of another element count");
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Flatten input");
  if (failed(x))
    return failure();
  int64_t rank = x->getRank(), axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < -rank || axis > rank)
    return emitOptionalError(loc, "Flatten axis ", axis, " is out of range for ", *x);
  if (axis < 0)
    axis += rank;
  FailureOr<Size> outerSize = productOf(loc, x->getShape().take_front(axis));
  FailureOr<Size> innerSize = productOf(loc, x->getShape().drop_front(axis));
  if (failed(outerSize) || failed(innerSize))
    return failure();
  auto outer = asDim(*outerSize), inner = asDim(*innerSize);
  if (!outer || !inner)
    return emitOptionalError(loc, "Flatten of ", *x, " at axis ", axis,
                             " would fold the batch dimension into another one");
  types.push_back(RankedTensorType::get({*outer, *inner}, x->getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Transpose data");
  if (failed(x))
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = x->getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return emitOptionalError(loc, "Transpose perm has ", perm.size(), " entries for ", *x);
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitOptionalError(loc, "Transpose perm is not a permutation of 0..", rank - 1);
    seen[p] = true;
    out.push_back(x->getDimSize(p));
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}
