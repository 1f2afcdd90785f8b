//===- DataOpImport.cpp - shape plumbing and data movement ----------------===//
//
// The ops exporters use to compute shapes and move data: Shape, Size, ConstantOfShape,
// Cast, Concat, Slice, Squeeze, Unsqueeze, Gather, Split, Expand, Tile, Pad and Dropout.
// Every opset's form is normalised here into one op: inputs that fix the result's shape
// (Slice's starts, Unsqueeze's axes, ...) must be constants and become attributes, negative
// axes become non-negative. Shape and ConstantOfShape become constants directly; the others
// fold when their operands are constants (ImportSupport.h), which removes the shape
// computations of exported graphs.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "dialects/onnx/OnnxOps.h"
#include "dialects/onnx/ShapeInference.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace cimlir {

namespace {

/// The type of an input, which the importer only ever makes ranked.
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

LogicalResult importShape(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  RankedTensorType t = typeOf(ctx.inputs[0]);
  const int64_t rank = t.getRank();
  auto clampToRank = [rank](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank);
  };
  const int64_t start = clampToRank(getInt(ctx.node, "start", 0));
  const int64_t end = clampToRank(getInt(ctx.node, "end", rank));
  // The batch N is only known at run time: its entry holds 1, and the mask says it is N
  // (NodeImport.h, BatchMasks).
  SmallVector<int64_t> dims, batch;
  for (int64_t i = start; i < end; ++i) {
    dims.push_back(t.isDynamicDim(i) ? 1 : t.getDimSize(i));
    batch.push_back(t.isDynamicDim(i) ? 1 : 0);
  }
  Value shape = shapeConstant(ctx, dims);
  if (llvm::is_contained(batch, 1))
    ctx.batchMasks[shape] = DenseIntElementsAttr::get(cast<ShapedType>(shape.getType()), batch);
  ctx.results.push_back(shape);
  return success();
}

LogicalResult importSize(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  RankedTensorType t = typeOf(ctx.inputs[0]);
  if (!t.hasStaticShape())
    return emitError(ctx.loc) << "Size of " << t << ": the batch size is only known at run time; "
                              << "give it a size with --input-shape";
  auto type = RankedTensorType::get({}, ctx.builder.getI64Type());
  ctx.results.push_back(onnx::ConstantOp::create(ctx.builder, ctx.loc,
                                                 DenseElementsAttr::get(type, t.getNumElements())));
  return success();
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  auto shape = constantInts(ctx, ctx.inputs[0], "shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return emitError(ctx.loc) << "ConstantOfShape shape has a negative entry";
  Attribute value = FloatAttr::get(ctx.builder.getF32Type(), 0.0);
  if (const AttrProto *a = findAttr(ctx.node, "value")) {
    auto t = importTensor(ctx.loc, a->t(), ctx.tensors);
    if (failed(t))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*t);
    if (!dense || dense.getNumElements() != 1)
      return emitError(ctx.loc) << "ConstantOfShape value must hold one element";
    value = *dense.value_begin<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(value).getType());
  ctx.results.push_back(
      onnx::ConstantOp::create(ctx.builder, ctx.loc, DenseElementsAttr::get(type, value)));
  return success();
}

LogicalResult importCast(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  const AttrProto *to = findAttr(ctx.node, "to");
  if (!to)
    return emitError(ctx.loc) << "Cast needs the attribute 'to'";
  Type elem = importElementType(ctx.builder.getContext(), static_cast<int>(to->i()));
  if (!elem)
    return emitError(ctx.loc) << "Cast to " << onnxTypeName(static_cast<int>(to->i()))
                              << " is not supported";
  return pushResult(ctx, castTo(ctx, ctx.inputs[0], elem));
}

LogicalResult importConcat(NodeContext &ctx) {
  if (ctx.inputs.empty() || llvm::any_of(ctx.inputs, [](Value v) { return !v; }))
    return emitError(ctx.loc) << "Concat needs one or more inputs, none of them absent";
  if (failed(expectOneOutput(ctx)))
    return failure();
  if (ctx.opset >= 4 && !findAttr(ctx.node, "axis"))
    return emitError(ctx.loc) << "Concat needs the attribute 'axis'";
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", 1), typeOf(ctx.inputs[0]).getRank());
  if (failed(axis))
    return failure();
  return pushResult(
      ctx, buildOp(ctx, "onnx.Concat", ctx.inputs,
                   {ctx.builder.getNamedAttr("axis", ctx.builder.getI64IntegerAttr(*axis))}));
}

LogicalResult importSlice(NodeContext &ctx) {
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    if (failed(expectInputs(ctx, 1, 1)))
      return failure();
    auto s = getInts(ctx.node, "starts"), e = getInts(ctx.node, "ends");
    if (!s || !e)
      return emitError(ctx.loc) << "Slice needs the attributes 'starts' and 'ends'";
    starts = *s;
    ends = *e;
    if (auto a = getInts(ctx.node, "axes"))
      axes = *a;
  } else {
    if (failed(expectInputs(ctx, 3, 5)))
      return failure();
    auto s = constantInts(ctx, ctx.inputs[1], "starts");
    if (failed(s))
      return failure();
    auto e = constantInts(ctx, ctx.inputs[2], "ends");
    if (failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (ctx.inputs[3]) {
      auto a = constantInts(ctx, ctx.inputs[3], "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (ctx.inputs[4]) {
      auto st = constantInts(ctx, ctx.inputs[4], "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (failed(expectOneOutput(ctx)))
    return failure();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return emitError(ctx.loc) << "Slice starts, ends, axes and steps differ in length";
  auto normalised = normaliseAxes(ctx, axes, typeOf(ctx.inputs[0]).getRank(), false);
  if (failed(normalised))
    return failure();
  Builder &b = ctx.builder;
  return pushResult(ctx, buildOp(ctx, "onnx.Slice", ctx.inputs[0],
                                 {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
                                  b.getNamedAttr("ends", b.getDenseI64ArrayAttr(ends)),
                                  b.getNamedAttr("axes", b.getDenseI64ArrayAttr(*normalised)),
                                  b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))}));
}

/// Squeeze and Unsqueeze: axes from the attribute (opset < 13) or the second input.
FailureOr<std::optional<SmallVector<int64_t>>> squeezeAxes(NodeContext &ctx) {
  if (ctx.opset < 13) {
    if (failed(expectInputs(ctx, 1, 1)))
      return failure();
    return getInts(ctx.node, "axes");
  }
  if (failed(expectInputs(ctx, 1, 2)))
    return failure();
  if (!ctx.inputs[1])
    return std::optional<SmallVector<int64_t>>();
  auto axes = constantInts(ctx, ctx.inputs[1], "axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(*axes);
}

LogicalResult importSqueeze(NodeContext &ctx) {
  auto axes = squeezeAxes(ctx);
  if (failed(axes) || failed(expectOneOutput(ctx)))
    return failure();
  RankedTensorType t = typeOf(ctx.inputs[0]);
  SmallVector<int64_t> chosen;
  if (*axes) {
    auto n = normaliseAxes(ctx, **axes, t.getRank(), true);
    if (failed(n))
      return failure();
    chosen = *n;
  } else { // every axis of size 1 (the batch is kept: its size is not known to be 1)
    for (int64_t a = 0; a < t.getRank(); ++a)
      if (t.getDimSize(a) == 1)
        chosen.push_back(a);
  }
  return pushResult(
      ctx, buildOp(ctx, "onnx.Squeeze", ctx.inputs[0],
                   {ctx.builder.getNamedAttr("axes", ctx.builder.getDenseI64ArrayAttr(chosen))}));
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  auto axes = squeezeAxes(ctx);
  if (failed(axes) || failed(expectOneOutput(ctx)))
    return failure();
  if (!*axes)
    return emitError(ctx.loc) << "Unsqueeze needs axes";
  const int64_t rank = typeOf(ctx.inputs[0]).getRank() + static_cast<int64_t>((*axes)->size());
  auto n = normaliseAxes(ctx, **axes, rank, true);
  if (failed(n))
    return failure();
  return pushResult(
      ctx, buildOp(ctx, "onnx.Unsqueeze", ctx.inputs[0],
                   {ctx.builder.getNamedAttr("axes", ctx.builder.getDenseI64ArrayAttr(*n))}));
}

LogicalResult importGather(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", 0), typeOf(ctx.inputs[0]).getRank());
  if (failed(axis))
    return failure();
  return pushResult(
      ctx, buildOp(ctx, "onnx.Gather", ctx.inputs,
                   {ctx.builder.getNamedAttr("axis", ctx.builder.getI64IntegerAttr(*axis))}));
}

LogicalResult importSplit(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 2)))
    return failure();
  RankedTensorType t = typeOf(ctx.inputs[0]);
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", 0), t.getRank());
  if (failed(axis))
    return failure();
  const int64_t outputs = ctx.node.output_size();
  SmallVector<int64_t> split;
  if (ctx.inputs[1]) {
    auto s = constantInts(ctx, ctx.inputs[1], "split");
    if (failed(s))
      return failure();
    split = *s;
  } else if (auto s = getInts(ctx.node, "split")) {
    split = *s;
  } else {
    const int64_t d = t.getDimSize(*axis);
    if (ShapedType::isDynamic(d))
      return emitError(ctx.loc) << "Split along the batch axis is not supported"
                                << onnx::kFixedBatchHint;
    if (const AttrProto *n = findAttr(ctx.node, "num_outputs")) {
      // Opset 18: equal parts of ceil(d / n), the last one smaller when d does not divide.
      if (n->i() != outputs || outputs < 1)
        return emitError(ctx.loc) << "Split num_outputs " << n->i() << " but the node has "
                                  << outputs << " outputs";
      const int64_t part = (d + outputs - 1) / outputs;
      for (int64_t i = 0; i < outputs; ++i)
        split.push_back(std::clamp<int64_t>(d - i * part, 0, part));
    } else {
      if (outputs < 1 || d % outputs != 0)
        return emitError(ctx.loc) << "Split of " << d << " into " << outputs
                                  << " equal parts is not possible";
      split.assign(outputs, d / outputs);
    }
  }
  if (static_cast<int64_t>(split.size()) != outputs)
    return emitError(ctx.loc) << "Split has " << split.size() << " sizes for " << outputs
                              << " outputs";
  auto results =
      buildOpResults(ctx, "onnx.Split", ctx.inputs[0],
                     {ctx.builder.getNamedAttr("axis", ctx.builder.getI64IntegerAttr(*axis)),
                      ctx.builder.getNamedAttr("split", ctx.builder.getDenseI64ArrayAttr(split))});
  if (failed(results))
    return failure();
  ctx.results.append(results->begin(), results->end());
  return success();
}

/// Expand and Tile: one constant vector input that becomes the attribute `name`. An Expand
/// shape entry that is the batch size N (BatchMasks) becomes 1 where the input's dimension
/// is the batch: broadcasting then keeps N.
LogicalResult importWithConstantVector(NodeContext &ctx, StringRef opName, StringRef name) {
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  SmallVector<bool> isBatch;
  auto v = opName == "onnx.Expand" ? constantIntsWithBatch(ctx, ctx.inputs[1], name, &isBatch)
                                   : constantInts(ctx, ctx.inputs[1], name);
  if (failed(v))
    return failure();
  RankedTensorType input = typeOf(ctx.inputs[0]);
  for (auto [i, batch] : llvm::enumerate(isBatch)) {
    if (!batch)
      continue;
    const int64_t at = input.getRank() - static_cast<int64_t>(v->size()) + static_cast<int64_t>(i);
    if (at < 0 || !input.isDynamicDim(at))
      return emitError(ctx.loc) << "Expand of " << input << " to the batch size along axis " << i
                                << ": only an input dimension that is the batch keeps it; give "
                                   "the batch a size with --input-shape";
    (*v)[i] = 1;
  }
  return pushResult(
      ctx, buildOp(ctx, opName, ctx.inputs[0],
                   {ctx.builder.getNamedAttr(name, ctx.builder.getDenseI64ArrayAttr(*v))}));
}

LogicalResult importPad(NodeContext &ctx) {
  Builder &b = ctx.builder;
  RankedTensorType t;
  SmallVector<int64_t> pads;
  Value value;
  if (ctx.opset < 11) {
    if (failed(expectInputs(ctx, 1, 1)))
      return failure();
    auto p = getInts(ctx.node, ctx.opset < 2 ? "paddings" : "pads");
    if (!p)
      return emitError(ctx.loc) << "Pad needs the attribute 'pads'";
    pads = *p;
    t = typeOf(ctx.inputs[0]);
    if (!isa<FloatType>(t.getElementType()))
      return emitError(ctx.loc) << "Pad before opset 11 takes float tensors";
    const float v = getFloat(ctx.node, "value", 0.0f);
    value = onnx::ConstantOp::create(
        ctx.builder, ctx.loc,
        DenseElementsAttr::get(RankedTensorType::get({}, t.getElementType()),
                               b.getFloatAttr(t.getElementType(), v)));
  } else {
    if (failed(expectInputs(ctx, 2, 4)))
      return failure();
    t = typeOf(ctx.inputs[0]);
    auto p = constantInts(ctx, ctx.inputs[1], "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.inputs[3]) { // opset 18: pads for these axes only
      auto axes = constantInts(ctx, ctx.inputs[3], "axes");
      if (failed(axes))
        return failure();
      auto n = normaliseAxes(ctx, *axes, t.getRank(), false);
      if (failed(n))
        return failure();
      if (pads.size() != 2 * n->size())
        return emitError(ctx.loc) << "Pad has " << pads.size() << " pads for " << n->size()
                                  << " axes";
      SmallVector<int64_t> full(2 * t.getRank(), 0);
      for (auto [i, a] : llvm::enumerate(*n)) {
        full[a] = pads[i];
        full[a + t.getRank()] = pads[i + n->size()];
      }
      pads = full;
    }
    value = ctx.inputs[2];
    if (!value)
      value = onnx::ConstantOp::create(
          ctx.builder, ctx.loc,
          DenseElementsAttr::get(RankedTensorType::get({}, t.getElementType()),
                                 b.getZeroAttr(t.getElementType())));
  }
  if (failed(expectOneOutput(ctx)))
    return failure();
  return pushResult(
      ctx,
      buildOp(ctx, "onnx.Pad", {ctx.inputs[0], value},
              {b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
               b.getNamedAttr("mode", b.getStringAttr(getString(ctx.node, "mode", "constant")))}));
}

LogicalResult importDropout(NodeContext &ctx) {
  // Inference: the identity. A training_mode that is not a constant false is refused.
  if (failed(expectInputs(ctx, 1, 3)))
    return failure();
  if (ctx.inputs[2]) {
    DenseIntElementsAttr training;
    if (!matchPattern(ctx.inputs[2], m_Constant(&training)) || training.getNumElements() != 1 ||
        !training.getValues<APInt>()[0].isZero())
      return emitError(ctx.loc) << "Dropout in training mode is not supported (cimlir runs "
                                   "inference graphs)";
  }
  ctx.results.push_back(ctx.inputs[0]);
  if (ctx.node.output_size() > 1 && !ctx.node.output(1).empty()) {
    // The mask keeps every element: all true, of the data's (static) shape.
    RankedTensorType t = typeOf(ctx.inputs[0]);
    if (!t.hasStaticShape())
      return emitError(ctx.loc) << "Dropout's mask output of " << t
                                << " needs a static shape (give the batch with --input-shape)";
    ctx.results.push_back(onnx::ConstantOp::create(
        ctx.builder, ctx.loc,
        DenseElementsAttr::get(t.clone(ctx.builder.getI1Type()), ctx.builder.getBoolAttr(true))));
  }
  return success();
}

} // namespace

void addDataOpImports(OpTable &m) {
  using A = AttrProto;
  m["Shape"] = {importShape, {{"start", A::INT}, {"end", A::INT}}};
  m["Size"] = {importSize, {}};
  m["ConstantOfShape"] = {importConstantOfShape, {{"value", A::TENSOR}}};
  m["Cast"] = {importCast, {{"to", A::INT}, {"saturate", A::INT}}};
  m["Concat"] = {importConcat, {{"axis", A::INT}}};
  m["Slice"] = {importSlice, {{"starts", A::INTS}, {"ends", A::INTS}, {"axes", A::INTS}}};
  m["Squeeze"] = {importSqueeze, {{"axes", A::INTS}}};
  m["Unsqueeze"] = {importUnsqueeze, {{"axes", A::INTS}}};
  m["Gather"] = {importGather, {{"axis", A::INT}}};
  m["Split"] = {importSplit, {{"axis", A::INT}, {"split", A::INTS}, {"num_outputs", A::INT}}};
  m["Expand"] = {[](NodeContext &c) { return importWithConstantVector(c, "onnx.Expand", "shape"); },
                 {}};
  m["Tile"] = {[](NodeContext &c) {
                 if (c.opset < 6)
                   return LogicalResult(emitError(c.loc)
                                        << "Tile before opset 6 (tiles and axis) is not supported");
                 return importWithConstantVector(c, "onnx.Tile", "repeats");
               },
               {}};
  m["Pad"] = {importPad,
              {{"mode", A::STRING}, {"pads", A::INTS}, {"paddings", A::INTS}, {"value", A::FLOAT}}};
  m["Dropout"] = {
      importDropout,
      {{"ratio", A::FLOAT}, {"seed", A::INT}, {"is_test", A::INT}, {"consumed_inputs", A::INTS}}};
}

} // namespace cimlir
