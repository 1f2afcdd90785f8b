//===- ImportSupport.cpp - what every node importer uses ------------------===//

#include "compiler/importer/ImportSupport.h"

#include "compiler/importer/ConstantFolding.h"
#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace cimlir {

const AttrProto *findAttr(const ::onnx::NodeProto &n, StringRef name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t getInt(const ::onnx::NodeProto &n, StringRef name, int64_t dflt) {
  const AttrProto *a = findAttr(n, name);
  return a ? a->i() : dflt;
}

float getFloat(const ::onnx::NodeProto &n, StringRef name, float dflt) {
  const AttrProto *a = findAttr(n, name);
  return a ? a->f() : dflt;
}

std::optional<SmallVector<int64_t>> getInts(const ::onnx::NodeProto &n, StringRef name) {
  const AttrProto *a = findAttr(n, name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

std::string getString(const ::onnx::NodeProto &n, StringRef name, StringRef dflt) {
  const AttrProto *a = findAttr(n, name);
  return a ? a->s() : dflt.str();
}

/// Builds `opName` generically from operands and attributes, inferring its result
/// types with the op's own shape rules; fails (with their diagnostic) when they refuse. An
/// op whose operands are all constants is computed here (ConstantFolding.h): its results
/// are constants.
namespace {

/// The operands of `opName` through which a value holding the batch size may move (its data,
/// not its indices or bounds), or none for an op that does arithmetic on it.
SmallVector<unsigned> maskedOperandPositions(StringRef opName, unsigned operands) {
  static const llvm::StringSet<> movers = {
      "onnx.Gather",   "onnx.Slice", "onnx.Squeeze",   "onnx.Unsqueeze", "onnx.Cast",
      "onnx.Identity", "onnx.Split", "onnx.Transpose", "onnx.Flatten",   "onnx.Reshape"};
  SmallVector<unsigned> positions;
  if (opName == "onnx.Concat")
    for (unsigned i = 0; i < operands; ++i)
      positions.push_back(i);
  else if (movers.contains(opName))
    positions.push_back(0);
  return positions;
}

bool anyNonZero(ElementsAttr a) {
  auto dense = dyn_cast<DenseElementsAttr>(a);
  if (!dense)
    return true; // not a mask cimlir made: assume the worst
  return llvm::any_of(dense.getRawData(), [](char c) { return c != 0; });
}

/// The error for a use of the batch size that cimlir cannot carry to run time.
LogicalResult batchSizeUse(NodeContext &ctx) {
  return emitError(ctx.loc) << ctx.node.op_type()
                            << " computes with the batch size, which is only known at run time "
                               "(cimlir computes shapes at compile time and keeps the batch "
                               "only where it moves whole into a Reshape or Expand); give the "
                               "batch a size with --input-shape";
}

/// A weight the model quantized (a DequantizeLinear of int8 levels, folded): its levels,
/// scale, zero point and axis stay on the folded constant (kQuantizedOriginAttr), for
/// cim-quantize-weights with `weights.source` "model".
void recordQuantizedOrigin(NodeContext &ctx, ValueRange operands, ArrayRef<NamedAttribute> attrs,
                           Value result) {
  ElementsAttr levels, scale, zero;
  if (!matchPattern(operands[0], m_Constant(&levels)) || !levels.getElementType().isInteger(8) ||
      levels.getElementType().isUnsignedInteger() ||
      !matchPattern(operands[1], m_Constant(&scale)) ||
      (operands.size() > 2 && operands[2] && !matchPattern(operands[2], m_Constant(&zero))))
    return;
  Builder &b = ctx.builder;
  SmallVector<NamedAttribute> origin = {b.getNamedAttr("levels", levels),
                                        b.getNamedAttr("scale", scale)};
  if (zero)
    origin.push_back(b.getNamedAttr("zero_point", zero));
  for (const NamedAttribute &a : attrs)
    if (a.getName() == "axis")
      origin.push_back(a);
  result.getDefiningOp()->setAttr(onnx::kQuantizedOriginAttr, b.getDictionaryAttr(origin));
}

} // namespace

FailureOr<SmallVector<Value>> buildOpResults(NodeContext &ctx, StringRef opName,
                                             ValueRange operands, ArrayRef<NamedAttribute> attrs) {
  MLIRContext *mctx = ctx.builder.getContext();
  OperationState state(ctx.loc, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  auto registered = state.name.getRegisteredInfo();
  auto infer = registered ? registered->getInterface<InferTypeOpInterface>() : nullptr;
  if (!infer)
    return emitError(ctx.loc) << "internal: " << opName << " has no type inference";
  SmallVector<Type> types;
  if (failed(infer->inferReturnTypes(mctx, ctx.loc, operands, DictionaryAttr::get(mctx, attrs),
                                     OpaqueProperties(nullptr), RegionRange(), types)))
    return failure();
  // Operands that hold the batch size (NodeImport.h, BatchMasks) may only move through data
  // movement on constants, whose masks then move the same way.
  const SmallVector<unsigned> positions = maskedOperandPositions(opName, operands.size());
  bool masked = false;
  for (auto [i, v] : llvm::enumerate(operands))
    if (v && ctx.batchMasks.count(v)) {
      if (!llvm::is_contained(positions, i))
        return batchSizeUse(ctx);
      masked = true;
    }
  state.addTypes(types);
  Operation *op = ctx.builder.create(state);
  if (!hasConstantOperands(op)) {
    if (masked) {
      op->erase();
      return batchSizeUse(ctx);
    }
    return SmallVector<Value>(op->getResults());
  }
  auto folded = foldOnCpu(op);
  op->erase();
  if (failed(folded))
    return failure();
  SmallVector<Value> results;
  for (ElementsAttr value : *folded)
    results.push_back(onnx::ConstantOp::create(ctx.builder, ctx.loc, value));
  if (opName == "onnx.DequantizeLinear")
    recordQuantizedOrigin(ctx, operands, attrs, results[0]);
  if (!masked)
    return results;
  // The same op on the masks (zeros for the unmasked data operands) gives the results' masks.
  SmallVector<Value> maskOperands(operands.begin(), operands.end());
  for (unsigned i : positions) {
    auto type = cast<RankedTensorType>(operands[i].getType());
    ElementsAttr mask = ctx.batchMasks.lookup(operands[i]);
    if (!mask)
      mask = DenseElementsAttr::get(type, ctx.builder.getZeroAttr(type.getElementType()));
    maskOperands[i] = onnx::ConstantOp::create(ctx.builder, ctx.loc, mask);
  }
  OperationState maskState(ctx.loc, opName);
  maskState.addOperands(maskOperands);
  maskState.addAttributes(attrs);
  maskState.addTypes(types);
  Operation *maskOp = ctx.builder.create(maskState);
  auto masks = foldOnCpu(maskOp);
  maskOp->erase();
  if (failed(masks))
    return failure();
  for (auto [v, mask] : llvm::zip(results, *masks))
    if (anyNonZero(mask))
      ctx.batchMasks[v] = mask;
  return results;
}

/// buildOpResults for an op of one result.
FailureOr<Value> buildOp(NodeContext &ctx, StringRef opName, ValueRange operands,
                         ArrayRef<NamedAttribute> attrs) {
  auto results = buildOpResults(ctx, opName, operands, attrs);
  if (failed(results))
    return failure();
  return results->front();
}

LogicalResult pushResult(NodeContext &ctx, FailureOr<Value> v) {
  if (failed(v))
    return failure();
  ctx.results.push_back(*v);
  return success();
}

LogicalResult expectInputs(NodeContext &ctx, size_t minCount, size_t maxCount) {
  size_t n = ctx.inputs.size();
  // Trailing absent optional inputs are written as "" in ONNX.
  while (n > 0 && !ctx.inputs[n - 1])
    --n;
  if (n < minCount || n > maxCount)
    return emitError(ctx.loc) << ctx.node.op_type() << " takes " << minCount
                              << (minCount == maxCount ? "" : " to " + std::to_string(maxCount))
                              << " inputs, the node has " << n;
  for (size_t i = 0; i < minCount; ++i)
    if (!ctx.inputs[i])
      return emitError(ctx.loc) << ctx.node.op_type() << " input " << i << " is required";
  ctx.inputs.resize(maxCount);
  return success();
}

LogicalResult expectOneOutput(NodeContext &ctx) {
  for (int i = 1; i < ctx.node.output_size(); ++i)
    if (!ctx.node.output(i).empty())
      return emitError(ctx.loc) << ctx.node.op_type() << " output " << i << " ('"
                                << ctx.node.output(i)
                                << "') is not supported: cimlir imports inference graphs "
                                   "with the first output only";
  return success();
}

/// Simple ops: operands as given, no attributes.
LogicalResult importPlain(NodeContext &ctx, StringRef opName, size_t numInputs) {
  if (failed(expectInputs(ctx, numInputs, numInputs)) || failed(expectOneOutput(ctx)))
    return failure();
  auto v = buildOp(ctx, opName, ctx.inputs, {});
  if (failed(v))
    return failure();
  ctx.results.push_back(*v);
  return success();
}

/// Builds a constant i64 shape vector.
Value shapeConstant(NodeContext &ctx, ArrayRef<int64_t> dims) {
  auto type = RankedTensorType::get({static_cast<int64_t>(dims.size())}, ctx.builder.getI64Type());
  return onnx::ConstantOp::create(ctx.builder, ctx.loc, DenseIntElementsAttr::get(type, dims));
}

FailureOr<Value> castTo(NodeContext &ctx, Value v, Type to) {
  return buildOp(ctx, "onnx.Cast", v, {ctx.builder.getNamedAttr("to", TypeAttr::get(to))});
}

FailureOr<Value> transposeBy(NodeContext &ctx, Value v, ArrayRef<int64_t> perm) {
  return buildOp(ctx, "onnx.Transpose", v,
                 {ctx.builder.getNamedAttr("perm", ctx.builder.getDenseI64ArrayAttr(perm))});
}

/// The integers of a constant 0-D or 1-D input (an initializer, a Constant, or a value
/// folded from them).
FailureOr<SmallVector<int64_t>> constantInts(NodeContext &ctx, Value v, StringRef what) {
  if (ctx.batchMasks.count(v))
    return batchSizeUse(ctx);
  return constantIntsWithBatch(ctx, v, what, nullptr);
}

FailureOr<SmallVector<int64_t>> constantIntsWithBatch(NodeContext &ctx, Value v, StringRef what,
                                                      SmallVector<bool> *isBatch) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || attr.getElementType().isInteger(1))
    return emitError(ctx.loc) << ctx.node.op_type() << " " << what
                              << " must be a constant integer tensor (an initializer, a Constant, "
                                 "or computed from them)";
  if (cast<ShapedType>(attr.getType()).getRank() > 1)
    return emitError(ctx.loc) << ctx.node.op_type() << " " << what << " must be 1-D";
  SmallVector<int64_t> out;
  for (const APInt &i : attr.getValues<APInt>())
    out.push_back(i.getSExtValue());
  if (isBatch) {
    isBatch->assign(out.size(), false);
    if (auto mask = dyn_cast_or_null<DenseIntElementsAttr>(ctx.batchMasks.lookup(v)))
      for (auto [i, m] : llvm::enumerate(mask.getValues<APInt>()))
        (*isBatch)[i] = !m.isZero();
  }
  return out;
}

/// `axis` in [-rank, rank) made non-negative.
FailureOr<int64_t> normaliseAxis(NodeContext &ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return emitError(ctx.loc) << ctx.node.op_type() << " axis " << axis
                              << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

/// Every axis of `axes` normalised against `rank`, sorted.
FailureOr<SmallVector<int64_t>> normaliseAxes(NodeContext &ctx, ArrayRef<int64_t> axes,
                                              int64_t rank, bool sorted) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    auto n = normaliseAxis(ctx, a, rank);
    if (failed(n))
      return failure();
    out.push_back(*n);
  }
  if (sorted)
    llvm::sort(out);
  return out;
}

} // namespace cimlir
