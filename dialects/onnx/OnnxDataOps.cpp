//===- OnnxDataOps.cpp - data movement, reductions and Clip -----------------===//
//
// A dynamic dimension is the batch N (ShapeInference.h). These ops keep it where it stays
// whole (sliced from start to end, not repeated, not padded) and refuse what would turn it
// into another size (N + 4, 2N), which no batch binding at run time could give.
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxOps.h"
#include "dialects/onnx/ShapeInference.h"

#include "core/ShapeMath.h"

#include "mlir/Dialect/Traits.h"

#include <limits>

using namespace mlir;
using namespace cimlir::onnx;

namespace {

/// Axes in [0, rank), each once.
LogicalResult checkAxes(std::optional<Location> loc, StringRef op, ArrayRef<int64_t> axes,
                        int64_t rank) {
  SmallVector<bool> seen(rank, false);
  for (int64_t a : axes) {
    if (a < 0 || a >= rank)
      return emitOptionalError(loc, op, " axis ", a, " is out of range for rank ", rank);
    if (seen[a])
      return emitOptionalError(loc, op, " axis ", a, " is given twice");
    seen[a] = true;
  }
  return success();
}

bool isBatch(int64_t d) { return ShapedType::isDynamic(d); }

} // namespace

LogicalResult CastOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Cast input");
  if (failed(x))
    return failure();
  types.push_back(x->clone(adaptor.getTo()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "Concat needs at least one input");
  auto first = rankedOperand(loc, adaptor.getInputs()[0], "Concat input");
  if (failed(first))
    return failure();
  const int64_t rank = first->getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "Concat axis ", axis, " is out of range for ", *first);
  SmallVector<int64_t> shape(first->getShape());
  shape[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    auto t = rankedOperand(loc, v, "Concat input");
    if (failed(t))
      return failure();
    if (t->getElementType() != first->getElementType() || t->getRank() != rank)
      return emitOptionalError(loc, "Concat inputs ", *first, " and ", *t,
                               " differ in element type or rank");
    for (int64_t a = 0; a < rank; ++a)
      if (a != axis && t->getDimSize(a) != first->getDimSize(a))
        return emitOptionalError(loc, "Concat inputs ", *first, " and ", *t,
                                 " differ other than along axis ", axis);
    const int64_t d = t->getDimSize(axis);
    if (isBatch(d)) { // N joined with anything is not N
      if (adaptor.getInputs().size() != 1)
        return emitOptionalError(loc, "Concat along the batch axis ", axis,
                                 " would give the batch another size", kFixedBatchHint);
      shape[axis] = d;
      continue;
    }
    std::optional<int64_t> sum = cimlir::checkedAdd(shape[axis], d);
    if (!sum)
      return emitOptionalError(loc, "Concat result size along axis ", axis, " overflows");
    shape[axis] = *sum;
  }
  types.push_back(first->clone(shape));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Slice data");
  if (failed(x))
    return failure();
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    axes = adaptor.getAxes(), steps = adaptor.getSteps();
  if (starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size())
    return emitOptionalError(loc, "Slice starts, ends, axes and steps differ in length");
  if (failed(checkAxes(loc, "Slice", axes, x->getRank())))
    return failure();
  SmallVector<int64_t> shape(x->getShape());
  for (size_t i = 0; i < axes.size(); ++i) {
    if (steps[i] == 0)
      return emitOptionalError(loc, "Slice step along axis ", axes[i], " is 0");
    const int64_t d = shape[axes[i]];
    if (isBatch(d)) {
      // The whole batch, whatever its size: from the start to at least 2^31 - 1, step 1.
      const bool whole = steps[i] == 1 && (starts[i] == 0 || starts[i] <= -(int64_t(1) << 31)) &&
                         ends[i] >= std::numeric_limits<int32_t>::max();
      if (!whole)
        return emitOptionalError(loc, "Slice of part of the batch axis ", axes[i],
                                 " is not supported (only [0, end) with step 1)", kFixedBatchHint);
      continue;
    }
    shape[axes[i]] = cimlir::sliceRange(d, starts[i], ends[i], steps[i]).count;
  }
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Squeeze data");
  if (failed(x))
    return failure();
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (failed(checkAxes(loc, "Squeeze", axes, x->getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t a = 0; a < x->getRank(); ++a) {
    if (!llvm::is_contained(axes, a)) {
      shape.push_back(x->getDimSize(a));
      continue;
    }
    if (x->getDimSize(a) != 1)
      return emitOptionalError(loc, "Squeeze axis ", a, " of ", *x, " does not have size 1");
  }
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Unsqueeze data");
  if (failed(x))
    return failure();
  ArrayRef<int64_t> axes = adaptor.getAxes();
  const int64_t rank = x->getRank() + static_cast<int64_t>(axes.size());
  if (failed(checkAxes(loc, "Unsqueeze", axes, rank)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t a = 0, next = 0; a < rank; ++a)
    shape.push_back(llvm::is_contained(axes, a) ? 1 : x->getDimSize(next++));
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Gather data");
  auto idx = rankedOperand(loc, adaptor.getIndices(), "Gather indices");
  if (failed(x) || failed(idx))
    return failure();
  const int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "Gather axis ", axis, " is out of range for ", *x);
  if (!idx->getElementType().isSignlessInteger(32) && !idx->getElementType().isSignlessInteger(64))
    return emitOptionalError(loc, "Gather indices must be int32 or int64, got ", *idx);
  SmallVector<int64_t> shape(x->getShape().take_front(axis));
  llvm::append_range(shape, idx->getShape());
  llvm::append_range(shape, x->getShape().drop_front(axis + 1));
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Split input");
  if (failed(x))
    return failure();
  const int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "Split axis ", axis, " is out of range for ", *x);
  if (isBatch(x->getDimSize(axis)))
    return emitOptionalError(loc, "Split along the batch axis ", axis, " is not supported",
                             kFixedBatchHint);
  int64_t total = 0;
  for (int64_t part : adaptor.getSplit()) {
    std::optional<int64_t> sum = cimlir::checkedAdd(total, part);
    if (part < 0 || !sum)
      return emitOptionalError(loc, "Split sizes must be >= 0 and sum within int64");
    total = *sum;
    SmallVector<int64_t> shape(x->getShape());
    shape[axis] = part;
    types.push_back(x->clone(shape));
  }
  if (total != x->getDimSize(axis))
    return emitOptionalError(loc, "Split sizes sum to ", total, ", but axis ", axis, " of ", *x,
                             " has ", x->getDimSize(axis));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Expand input");
  if (failed(x))
    return failure();
  ArrayRef<int64_t> target = adaptor.getShape();
  if (llvm::any_of(target, [](int64_t d) { return d < 0; }))
    return emitOptionalError(loc, "Expand shape has a negative entry");
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(x->getShape(), target, shape))
    return emitOptionalError(loc, "Expand of ", *x, " to shape [", target,
                             "]: the shapes do not broadcast");
  // getBroadcastedShape takes a batch against a static size other than 1 as that size:
  // the batch would have to equal it, which no binding promises.
  const int64_t rank = static_cast<int64_t>(shape.size());
  for (int64_t i = 0; i < x->getRank(); ++i) {
    const int64_t a = rank - x->getRank() + i;
    if (isBatch(x->getDimSize(i)) && !isBatch(shape[a]))
      return emitOptionalError(loc, "Expand of ", *x, " would give the batch axis ", i,
                               " the size ", shape[a], kFixedBatchHint);
  }
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Tile input");
  if (failed(x))
    return failure();
  ArrayRef<int64_t> repeats = adaptor.getRepeats();
  if (static_cast<int64_t>(repeats.size()) != x->getRank())
    return emitOptionalError(loc, "Tile repeats has ", repeats.size(), " entries for ", *x);
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(x->getShape(), repeats)) {
    if (r < 0)
      return emitOptionalError(loc, "Tile repeat ", r, " is negative");
    if (isBatch(d)) {
      if (r != 1)
        return emitOptionalError(loc, "Tile of the batch axis (repeat ", r, ") is not supported",
                                 kFixedBatchHint);
      shape.push_back(d);
      continue;
    }
    std::optional<int64_t> n = cimlir::checkedMul(d, r);
    if (!n)
      return emitOptionalError(loc, "Tile result of ", *x, " overflows");
    shape.push_back(*n);
  }
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getData(), "Pad data");
  auto value = rankedOperand(loc, adaptor.getValue(), "Pad value");
  if (failed(x) || failed(value))
    return failure();
  if (value->getElementType() != x->getElementType() || value->getNumElements() != 1)
    return emitOptionalError(loc, "Pad value must be one element of the data's type, got ", *value);
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return emitOptionalError(loc, "Pad mode '", mode, "' is not constant, reflect, edge or wrap");
  ArrayRef<int64_t> pads = adaptor.getPads();
  const int64_t rank = x->getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(loc, "Pad pads has ", pads.size(), " entries for ", *x);
  SmallVector<int64_t> shape;
  for (int64_t a = 0; a < rank; ++a) {
    const int64_t d = x->getDimSize(a), begin = pads[a], end = pads[a + rank];
    if (isBatch(d)) {
      if (begin != 0 || end != 0)
        return emitOptionalError(loc, "Pad of the batch axis ", a, " is not supported",
                                 kFixedBatchHint);
      shape.push_back(d);
      continue;
    }
    std::optional<int64_t> n = cimlir::checkedAdd(d, begin);
    n = n ? cimlir::checkedAdd(*n, end) : n;
    if (!n || *n < 0)
      return emitOptionalError(loc, "Pad pads ", begin, " and ", end, " along axis ", a,
                               " do not fit ", *x);
    if ((begin > 0 || end > 0) && mode != "constant" && (d == 0 || (mode == "reflect" && d == 1)))
      return emitOptionalError(loc, "Pad mode '", mode, "' cannot pad axis ", a, " of ", *x);
    shape.push_back(*n);
  }
  types.push_back(x->clone(shape));
  return success();
}

LogicalResult cimlir::onnx::inferReduce(std::optional<Location> loc, StringRef opName, Value data,
                                        ArrayRef<int64_t> axes, bool keepDims,
                                        std::optional<Type> resultElement,
                                        SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, data, opName.str() + " data");
  if (failed(x) || failed(checkAxes(loc, opName, axes, x->getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t a = 0; a < x->getRank(); ++a) {
    if (!llvm::is_contained(axes, a))
      shape.push_back(x->getDimSize(a));
    else if (keepDims)
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, resultElement.value_or(x->getElementType())));
  return success();
}

LogicalResult ClipOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "Clip input");
  auto lo = rankedOperand(loc, adaptor.getMin(), "Clip min");
  auto hi = rankedOperand(loc, adaptor.getMax(), "Clip max");
  if (failed(x) || failed(lo) || failed(hi))
    return failure();
  for (RankedTensorType bound : {*lo, *hi})
    if (bound.getElementType() != x->getElementType() || bound.getNumElements() != 1)
      return emitOptionalError(
          loc, "Clip min and max must be one element of the input's type, got ", bound);
  types.push_back(*x);
  return success();
}
