//===- NodeImport.cpp - one ONNX node to onnx dialect ops -----------------===//

#include "compiler/importer/NodeImport.h"

#include "compiler/importer/ImportSupport.h"
#include "core/ShapeMath.h"
#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/Elementwise.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace cimlir {

FailureOr<Window> importWindow(NodeContext &ctx, Value x, ArrayRef<int64_t> kernel, bool ceilMode) {
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  if (!xt || xt.getRank() < 3)
    return emitError(ctx.loc) << ctx.node.op_type() << " needs an input of rank >= 3";
  size_t spatial = xt.getRank() - 2;
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  if (w.kernel.size() != spatial)
    return emitError(ctx.loc) << ctx.node.op_type() << " kernel_shape has " << w.kernel.size()
                              << " entries for " << spatial << " spatial axes";
  w.strides = getInts(ctx.node, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  w.dilations = getInts(ctx.node, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  w.pads = getInts(ctx.node, "pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (w.strides.size() != spatial || w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    return emitError(ctx.loc) << ctx.node.op_type()
                              << " strides, dilations and pads do not match the input rank";
  std::string autoPad = getString(ctx.node, "auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = xt.getDimSize(2 + i), s = w.strides[i];
      if (ShapedType::isDynamic(in) || s < 1)
        return emitError(ctx.loc) << "auto_pad needs static spatial sizes and strides >= 1";
      if (w.kernel[i] < 1 || w.dilations[i] < 1)
        return emitError(ctx.loc) << ctx.node.op_type() << " needs kernel_shape and dilations >= 1";
      // total = (ceil(in / s) − 1)·s + (kernel − 1)·dilation + 1 − in, checked: the numbers
      // come from the file.
      const int64_t out = in / s + (in % s != 0 ? 1 : 0);
      std::optional<int64_t> reach = checkedMul(std::max<int64_t>(out - 1, 0), s);
      const std::optional<int64_t> span = windowExtent(w.kernel[i], w.dilations[i]);
      reach = reach && span ? checkedAdd(*reach, *span) : std::nullopt;
      if (!reach)
        return emitError(ctx.loc) << ctx.node.op_type() << " auto_pad: the window of kernel "
                                  << w.kernel[i] << ", dilation " << w.dilations[i]
                                  << " and stride " << s << " overflows int64";
      int64_t total = std::max<int64_t>(0, *reach - in);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return emitError(ctx.loc) << "unknown auto_pad '" << autoPad
                              << "' (NOTSET, SAME_UPPER, SAME_LOWER or VALID)";
  }
  (void)ceilMode;
  return w;
}

namespace {

LogicalResult importConv(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 3)) || failed(expectOneOutput(ctx)))
    return failure();
  auto wt = dyn_cast<RankedTensorType>(ctx.inputs[1].getType());
  if (!wt || wt.getRank() < 3)
    return emitError(ctx.loc) << "Conv needs W of rank >= 3";
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (auto ks = getInts(ctx.node, "kernel_shape"); ks && *ks != kernel)
    return emitError(ctx.loc) << "Conv kernel_shape does not match W's shape";
  auto w = importWindow(ctx, ctx.inputs[0], kernel, false);
  if (failed(w))
    return failure();
  Builder &b = ctx.builder;
  SmallVector<Value> operands = {ctx.inputs[0], ctx.inputs[1]};
  if (ctx.inputs[2])
    operands.push_back(ctx.inputs[2]);
  auto v = buildOp(ctx, "onnx.Conv", operands,
                   {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(w->strides)),
                    b.getNamedAttr("pads", b.getDenseI64ArrayAttr(w->pads)),
                    b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(w->dilations)),
                    b.getNamedAttr("group", b.getI64IntegerAttr(getInt(ctx.node, "group", 1)))});
  return pushResult(ctx, v);
}

/// ConvTranspose: output_shape (with auto_pad saying where odd padding goes) or auto_pad SAME
/// (output = input * stride) resolved into pads, as the ONNX operator text says.
LogicalResult importConvTranspose(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 3)) || failed(expectOneOutput(ctx)))
    return failure();
  auto xt = cast<RankedTensorType>(ctx.inputs[0].getType());
  auto wt = cast<RankedTensorType>(ctx.inputs[1].getType());
  if (xt.getRank() < 3 || wt.getRank() != xt.getRank())
    return emitError(ctx.loc) << "ConvTranspose needs X and W of one rank >= 3";
  const size_t spatial = xt.getRank() - 2;
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (auto ks = getInts(ctx.node, "kernel_shape"); ks && *ks != kernel)
    return emitError(ctx.loc) << "ConvTranspose kernel_shape does not match W's shape";
  auto strides = getInts(ctx.node, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dilations = getInts(ctx.node, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = getInts(ctx.node, "pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  auto extra = getInts(ctx.node, "output_padding").value_or(SmallVector<int64_t>(spatial, 0));
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial ||
      extra.size() != spatial)
    return emitError(ctx.loc) << "ConvTranspose strides, dilations, pads and output_padding "
                                 "do not match the input rank";
  const std::string autoPad = getString(ctx.node, "auto_pad", "NOTSET");
  auto outputShape = getInts(ctx.node, "output_shape");
  if (outputShape && outputShape->size() == spatial + 2)
    outputShape = SmallVector<int64_t>(outputShape->begin() + 2, outputShape->end());
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t in = xt.getDimSize(2 + i);
      if (ShapedType::isDynamic(in) || strides[i] < 1 || dilations[i] < 1)
        return emitError(ctx.loc) << "ConvTranspose output_shape and auto_pad need static "
                                     "spatial sizes, strides and dilations >= 1";
      const int64_t want = outputShape ? (*outputShape)[i] : in * strides[i];
      const int64_t total =
          strides[i] * (in - 1) + extra[i] + (kernel[i] - 1) * dilations[i] + 1 - want;
      // Halves rounded down (as the ONNX reference's Python does: a total of -1, an output
      // one longer than the input gives, pads the end by -1).
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      const bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[spatial + i] = upper ? total - half : half;
    }
  } else if (autoPad == "VALID") {
    std::fill(pads.begin(), pads.end(), 0);
  }
  Builder &b = ctx.builder;
  SmallVector<Value> operands = {ctx.inputs[0], ctx.inputs[1]};
  if (ctx.inputs[2])
    operands.push_back(ctx.inputs[2]);
  return pushResult(
      ctx, buildOp(ctx, "onnx.ConvTranspose", operands,
                   {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
                    b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
                    b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)),
                    b.getNamedAttr("output_padding", b.getDenseI64ArrayAttr(extra)),
                    b.getNamedAttr("group", b.getI64IntegerAttr(getInt(ctx.node, "group", 1)))}));
}

LogicalResult importPool(NodeContext &ctx, bool isMax) {
  if (failed(expectInputs(ctx, 1, 1)))
    return failure();
  if (isMax && ctx.node.output_size() > 1 && !ctx.node.output(1).empty())
    return emitError(ctx.loc) << "MaxPool with an Indices output is not supported";
  if (failed(expectOneOutput(ctx)))
    return failure();
  auto kernel = getInts(ctx.node, "kernel_shape");
  if (!kernel)
    return emitError(ctx.loc) << ctx.node.op_type() << " needs kernel_shape";
  bool ceil = getInt(ctx.node, "ceil_mode", 0) != 0;
  auto w = importWindow(ctx, ctx.inputs[0], *kernel, ceil);
  if (failed(w))
    return failure();
  Builder &b = ctx.builder;
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("kernel_shape", b.getDenseI64ArrayAttr(w->kernel)),
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(w->strides)),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(w->pads)),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(w->dilations)),
      b.getNamedAttr("ceil_mode", b.getI64IntegerAttr(ceil))};
  if (!isMax)
    attrs.push_back(b.getNamedAttr("count_include_pad",
                                   b.getI64IntegerAttr(getInt(ctx.node, "count_include_pad", 0))));
  auto v = buildOp(ctx, isMax ? "onnx.MaxPool" : "onnx.AveragePool", ctx.inputs[0], attrs);
  return pushResult(ctx, v);
}

LogicalResult importGemm(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 3)) || failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  SmallVector<Value> operands = {ctx.inputs[0], ctx.inputs[1]};
  if (ctx.inputs[2])
    operands.push_back(ctx.inputs[2]);
  auto v = buildOp(ctx, "onnx.Gemm", operands,
                   {b.getNamedAttr("alpha", b.getF32FloatAttr(getFloat(ctx.node, "alpha", 1.0f))),
                    b.getNamedAttr("beta", b.getF32FloatAttr(getFloat(ctx.node, "beta", 1.0f))),
                    b.getNamedAttr("transA", b.getI64IntegerAttr(getInt(ctx.node, "transA", 0))),
                    b.getNamedAttr("transB", b.getI64IntegerAttr(getInt(ctx.node, "transB", 0)))});
  return pushResult(ctx, v);
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 5, 5)))
    return failure();
  if (getInt(ctx.node, "training_mode", 0) != 0)
    return emitError(ctx.loc) << "BatchNormalization with training_mode = 1 is not supported "
                                 "(cimlir runs inference graphs)";
  if (failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  auto v =
      buildOp(ctx, "onnx.BatchNormalization", ctx.inputs,
              {b.getNamedAttr("epsilon", b.getF32FloatAttr(getFloat(ctx.node, "epsilon", 1e-5f)))});
  return pushResult(ctx, v);
}

/// LayerNormalization: its Y, Mean and InvStdDev outputs, as the node asks.
LogicalResult importLayerNorm(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 3)))
    return failure();
  const int64_t rank = cast<RankedTensorType>(ctx.inputs[0].getType()).getRank();
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", -1), rank);
  if (failed(axis))
    return failure();
  SmallVector<Value> operands = {ctx.inputs[0], ctx.inputs[1]};
  if (ctx.inputs[2])
    operands.push_back(ctx.inputs[2]);
  Builder &b = ctx.builder;
  auto results = buildOpResults(
      ctx, "onnx.LayerNormalization", operands,
      {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis)),
       b.getNamedAttr("epsilon", b.getF32FloatAttr(getFloat(ctx.node, "epsilon", 1e-5f)))});
  if (failed(results))
    return failure();
  ctx.results.append(results->begin(), results->end());
  return success();
}

LogicalResult importLRN(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  if (!findAttr(ctx.node, "size"))
    return emitError(ctx.loc) << "LRN needs the attribute 'size'";
  Builder &b = ctx.builder;
  return pushResult(
      ctx, buildOp(ctx, "onnx.LRN", ctx.inputs[0],
                   {b.getNamedAttr("size", b.getI64IntegerAttr(getInt(ctx.node, "size", 1))),
                    b.getNamedAttr("alpha", b.getF32FloatAttr(getFloat(ctx.node, "alpha", 1e-4f))),
                    b.getNamedAttr("beta", b.getF32FloatAttr(getFloat(ctx.node, "beta", 0.75f))),
                    b.getNamedAttr("bias", b.getF32FloatAttr(getFloat(ctx.node, "bias", 1.0f)))}));
}

/// GlobalMaxPool is ReduceMax over the spatial axes, kept.
LogicalResult importGlobalMaxPool(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  const int64_t rank = cast<RankedTensorType>(ctx.inputs[0].getType()).getRank();
  if (rank < 3)
    return emitError(ctx.loc) << "GlobalMaxPool needs an input of rank >= 3";
  SmallVector<int64_t> axes;
  for (int64_t a = 2; a < rank; ++a)
    axes.push_back(a);
  Builder &b = ctx.builder;
  return pushResult(ctx, buildOp(ctx, "onnx.ReduceMax", ctx.inputs[0],
                                 {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                                  b.getNamedAttr("keepdims", b.getI64IntegerAttr(1))}));
}

/// Softmax, LogSoftmax and Hardmax (`opName`).
LogicalResult importSoftmax(NodeContext &ctx, StringRef opName) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  auto xt = dyn_cast<RankedTensorType>(ctx.inputs[0].getType());
  if (!xt)
    return emitError(ctx.loc) << ctx.node.op_type() << " needs a ranked input";
  int64_t rank = xt.getRank();
  int64_t axis = getInt(ctx.node, "axis", ctx.opset >= 13 ? -1 : 1);
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return emitError(ctx.loc) << ctx.node.op_type() << " axis " << axis
                              << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  // Before opset 13, Softmax normalised over all axes from `axis` on (the input coerced
  // to 2-D). That equals the new form when axis is the last one; otherwise import it as
  // Reshape to [d0, .., d(axis-1), rest] -> Softmax(axis) -> Reshape back, which keeps
  // the batch dimension apart.
  if (ctx.opset >= 13 || axis == rank - 1) {
    auto v =
        buildOp(ctx, opName, ctx.inputs[0], {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
    if (failed(v))
      return failure();
    ctx.results.push_back(*v);
    return success();
  }
  NamedAttribute noZero = b.getNamedAttr("allowzero", b.getI64IntegerAttr(0));
  SmallVector<int64_t> flat(axis, 0);
  flat.push_back(-1);
  auto folded = buildOp(ctx, "onnx.Reshape", {ctx.inputs[0], shapeConstant(ctx, flat)}, noZero);
  if (failed(folded))
    return failure();
  auto soft = buildOp(ctx, opName, *folded, {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
  if (failed(soft))
    return failure();
  SmallVector<int64_t> dims(xt.getShape());
  for (int64_t &d : dims)
    if (ShapedType::isDynamic(d))
      d = 0; // copied from the (batch) dimension of the folded tensor
  auto back = buildOp(ctx, "onnx.Reshape", {*soft, shapeConstant(ctx, dims)}, noZero);
  return pushResult(ctx, back);
}

LogicalResult importReshape(NodeContext &ctx) {
  if (ctx.opset < 5)
    return emitError(ctx.loc) << "Reshape before opset 5 (shape as an attribute) is not supported";
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  const int64_t allowZero = getInt(ctx.node, "allowzero", 0);
  Value shape = ctx.inputs[1];
  if (ctx.batchMasks.count(shape)) {
    // A shape that holds the batch size N (x.view(x.size(0), -1)): N at a position where the
    // data's dimension is the batch becomes 0 (copy it), or, with no -1 beside it, -1.
    SmallVector<bool> isBatch;
    auto dims = constantIntsWithBatch(ctx, shape, "shape", &isBatch);
    if (failed(dims))
      return failure();
    auto data = cast<RankedTensorType>(ctx.inputs[0].getType());
    const int64_t at = llvm::find(isBatch, true) - isBatch.begin();
    const bool one = llvm::count(isBatch, true) == 1;
    if (one && allowZero == 0 && at < data.getRank() && data.isDynamicDim(at))
      (*dims)[at] = 0;
    else if (one && !llvm::is_contained(*dims, -1))
      (*dims)[at] = -1;
    else
      return emitError(ctx.loc) << "Reshape of " << data << " to a shape that holds the batch "
                                << "size more than once or beside a -1; give the batch a size "
                                   "with --input-shape";
    shape = shapeConstant(ctx, *dims);
  }
  auto v = buildOp(ctx, "onnx.Reshape", {ctx.inputs[0], shape},
                   {b.getNamedAttr("allowzero", b.getI64IntegerAttr(allowZero))});
  return pushResult(ctx, v);
}

LogicalResult importFlatten(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  auto v = buildOp(ctx, "onnx.Flatten", ctx.inputs,
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(getInt(ctx.node, "axis", 1)))});
  return pushResult(ctx, v);
}

LogicalResult importTranspose(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  auto xt = dyn_cast<RankedTensorType>(ctx.inputs[0].getType());
  if (!xt)
    return emitError(ctx.loc) << "Transpose needs a ranked input";
  SmallVector<int64_t> perm;
  for (int64_t i = xt.getRank() - 1; i >= 0; --i)
    perm.push_back(i);
  perm = getInts(ctx.node, "perm").value_or(perm);
  Builder &b = ctx.builder;
  auto v = buildOp(ctx, "onnx.Transpose", ctx.inputs,
                   {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
  return pushResult(ctx, v);
}

LogicalResult importConstant(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 0, 0)) || failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  ElementsAttr value;
  if (const AttrProto *a = findAttr(ctx.node, "value")) {
    auto t = importTensor(ctx.loc, a->t(), ctx.tensors);
    if (failed(t))
      return failure();
    value = *t;
  } else if (const AttrProto *a = findAttr(ctx.node, "value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), a->f());
  } else if (const AttrProto *a = findAttr(ctx.node, "value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (const AttrProto *a = findAttr(ctx.node, "value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), a->i());
  } else if (const AttrProto *a = findAttr(ctx.node, "value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getI64Type()),
        ArrayRef<int64_t>(v));
  } else {
    return emitError(ctx.loc) << "Constant needs one of value, value_float(s), value_int(s); "
                                 "sparse and string constants are not supported";
  }
  ctx.results.push_back(onnx::ConstantOp::create(ctx.builder, ctx.loc, value));
  return success();
}

/// `v` reshaped with `count` size-1 axes appended.
FailureOr<Value> appendUnitAxes(NodeContext &ctx, Value v, int64_t count) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> dims;
  for (int64_t d : t.getShape())
    dims.push_back(ShapedType::isDynamic(d) ? 0 : d); // 0 copies the batch
  dims.append(count, 1);
  return buildOp(ctx, "onnx.Reshape", {v, shapeConstant(ctx, dims)},
                 {ctx.builder.getNamedAttr("allowzero", ctx.builder.getI64IntegerAttr(0))});
}

/// Add, Sub, Mul, Div. Before opset 7 broadcasting needed broadcast = 1, and an `axis`
/// aligned B's first axis with A's axis `axis` (not right-aligned): B then gets size-1
/// axes appended, after which NumPy broadcasting means the same.
LogicalResult importBinary(NodeContext &ctx, StringRef opName) {
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  Value b = ctx.inputs[1];
  if (getInt(ctx.node, "broadcast", 0) != 0 && findAttr(ctx.node, "axis")) {
    const int64_t rankA = cast<RankedTensorType>(ctx.inputs[0].getType()).getRank();
    const int64_t rankB = cast<RankedTensorType>(b.getType()).getRank();
    auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", 0), rankA);
    if (failed(axis))
      return failure();
    if (*axis + rankB > rankA)
      return emitError(ctx.loc) << ctx.node.op_type() << " B of rank " << rankB
                                << " does not fit A of rank " << rankA << " from axis " << *axis;
    auto aligned = appendUnitAxes(ctx, b, rankA - *axis - rankB);
    if (failed(aligned))
      return failure();
    b = *aligned;
  }
  return pushResult(ctx, buildOp(ctx, opName, {ctx.inputs[0], b}, {}));
}

/// PRelu. Before opset 7 a 1-D slope of the channel count applied along axis 1 (channels):
/// it gets size-1 axes appended for the spatial ones.
LogicalResult importPRelu(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  Value slope = ctx.inputs[1];
  auto x = cast<RankedTensorType>(ctx.inputs[0].getType());
  auto s = cast<RankedTensorType>(slope.getType());
  if (ctx.opset < 7 && s.getRank() == 1 && x.getRank() > 2 && s.getDimSize(0) != 1 &&
      s.getDimSize(0) == x.getDimSize(1)) {
    auto aligned = appendUnitAxes(ctx, slope, x.getRank() - 2);
    if (failed(aligned))
      return failure();
    slope = *aligned;
  }
  return pushResult(ctx, buildOp(ctx, "onnx.PRelu", {ctx.inputs[0], slope}, {}));
}

/// Sum, Mean, Max and Min of one or more inputs: a chain of binary ops (`opName`), Mean's
/// sum divided by the count.
LogicalResult importVariadic(NodeContext &ctx, StringRef opName, bool mean) {
  if (ctx.inputs.empty() || llvm::any_of(ctx.inputs, [](Value v) { return !v; }))
    return emitError(ctx.loc) << ctx.node.op_type()
                              << " needs one or more inputs, none of them absent";
  if (failed(expectOneOutput(ctx)))
    return failure();
  Value acc = ctx.inputs[0];
  for (Value v : ArrayRef<Value>(ctx.inputs).drop_front()) {
    auto next = buildOp(ctx, opName, {acc, v}, {});
    if (failed(next))
      return failure();
    acc = *next;
  }
  if (mean && ctx.inputs.size() > 1) {
    Type elem = cast<RankedTensorType>(acc.getType()).getElementType();
    if (!isa<FloatType>(elem))
      return emitError(ctx.loc) << "Mean takes float tensors";
    Value count = onnx::ConstantOp::create(
        ctx.builder, ctx.loc,
        DenseElementsAttr::get(RankedTensorType::get({}, elem),
                               ctx.builder.getFloatAttr(elem, ctx.inputs.size())));
    return pushResult(ctx, buildOp(ctx, "onnx.Div", {acc, count}, {}));
  }
  ctx.results.push_back(acc);
  return success();
}

/// Pow: base and exponent of one type. A float base takes the exponent cast to its type; an
/// integer base with a float exponent is computed in float64 and truncated back (as
/// onnxruntime's std::pow and cast do).
LogicalResult importPow(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  Type base = cast<RankedTensorType>(ctx.inputs[0].getType()).getElementType();
  Type exponent = cast<RankedTensorType>(ctx.inputs[1].getType()).getElementType();
  if (base == exponent)
    return pushResult(ctx, buildOp(ctx, "onnx.Pow", ctx.inputs, {}));
  const Type compute = isa<FloatType>(base) ? base : ctx.builder.getF64Type();
  auto a = base == compute ? FailureOr<Value>(ctx.inputs[0]) : castTo(ctx, ctx.inputs[0], compute);
  if (failed(a))
    return failure();
  auto b = castTo(ctx, ctx.inputs[1], compute);
  if (failed(b))
    return failure();
  auto power = buildOp(ctx, "onnx.Pow", {*a, *b}, {});
  if (failed(power) || base == compute)
    return pushResult(ctx, power);
  return pushResult(ctx, castTo(ctx, *power, base));
}

/// Clip: min and max from the attributes (opset < 11) or the optional inputs; an absent
/// bound is -inf / +inf for floats, the type's limits for integers.
LogicalResult importClip(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, ctx.opset < 11 ? 1 : 3)) || failed(expectOneOutput(ctx)))
    return failure();
  ctx.inputs.resize(3);
  Type elem = cast<RankedTensorType>(ctx.inputs[0].getType()).getElementType();
  auto scalar = [&](Attribute value) -> Value {
    return onnx::ConstantOp::create(ctx.builder, ctx.loc,
                                    DenseElementsAttr::get(RankedTensorType::get({}, elem), value));
  };
  Builder &b = ctx.builder;
  auto bound = [&](int i, StringRef attr, bool upper) -> Value {
    if (ctx.inputs[i])
      return ctx.inputs[i];
    if (auto f = dyn_cast<FloatType>(elem)) {
      const AttrProto *a = findAttr(ctx.node, attr);
      if (a)
        return scalar(b.getFloatAttr(elem, a->f()));
      return scalar(b.getFloatAttr(elem, APFloat::getInf(f.getFloatSemantics(), !upper)));
    }
    auto it = cast<IntegerType>(elem);
    const unsigned w = it.getWidth();
    APInt limit = it.isUnsigned()
                      ? (upper ? APInt::getMaxValue(w) : APInt::getMinValue(w))
                      : (upper ? APInt::getSignedMaxValue(w) : APInt::getSignedMinValue(w));
    return scalar(b.getIntegerAttr(elem, limit));
  };
  if (ctx.opset < 11 && !isa<FloatType>(elem))
    return emitError(ctx.loc) << "Clip before opset 11 takes float tensors";
  return pushResult(ctx,
                    buildOp(ctx, "onnx.Clip",
                            {ctx.inputs[0], bound(1, "min", false), bound(2, "max", true)}, {}));
}

/// An elementwise float function; its float attributes (unaryOpTypes) become alpha and beta.
LogicalResult importUnary(NodeContext &ctx, const cpu::UnaryOpType &type) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  Builder &b = ctx.builder;
  SmallVector<NamedAttribute> attrs;
  if (!type.alphaName.empty())
    attrs.push_back(
        b.getNamedAttr("alpha", b.getF32FloatAttr(getFloat(ctx.node, type.alphaName, type.alpha))));
  if (!type.betaName.empty())
    attrs.push_back(
        b.getNamedAttr("beta", b.getF32FloatAttr(getFloat(ctx.node, type.betaName, type.beta))));
  return pushResult(ctx, buildOp(ctx, "onnx." + type.name, ctx.inputs[0], attrs));
}

/// The op types the importer takes: the one list (supportedOpTypes, the unsupported-op
/// message and docs/onnx-support.md follow it).
const OpTable &opTable() {
  using A = AttrProto;
  static const OpTable table = [] {
    const AttrSchema binary = {
        {"broadcast", A::INT}, {"axis", A::INT}, {"consumed_inputs", A::INTS}};
    AttrSchema window = {{"auto_pad", A::STRING},
                         {"kernel_shape", A::INTS},
                         {"pads", A::INTS},
                         {"strides", A::INTS},
                         {"dilations", A::INTS}};
    AttrSchema conv = window, maxPool = window, averagePool = window;
    conv["group"] = A::INT;
    maxPool["ceil_mode"] = A::INT;
    maxPool["storage_order"] = A::INT;
    averagePool["ceil_mode"] = A::INT;
    averagePool["count_include_pad"] = A::INT;
    OpTable m;
    m["Add"] = {[](NodeContext &c) { return importBinary(c, "onnx.Add"); }, binary};
    m["Sub"] = {[](NodeContext &c) { return importBinary(c, "onnx.Sub"); }, binary};
    m["Mul"] = {[](NodeContext &c) { return importBinary(c, "onnx.Mul"); }, binary};
    m["Div"] = {[](NodeContext &c) { return importBinary(c, "onnx.Div"); }, binary};
    m["PRelu"] = {importPRelu, {{"consumed_inputs", A::INTS}}};
    m["Pow"] = {importPow, {}};
    m["Max"] = {[](NodeContext &c) { return importVariadic(c, "onnx.Max", false); },
                {{"consumed_inputs", A::INTS}}};
    m["Min"] = {[](NodeContext &c) { return importVariadic(c, "onnx.Min", false); },
                {{"consumed_inputs", A::INTS}}};
    m["Sum"] = {[](NodeContext &c) { return importVariadic(c, "onnx.Add", false); },
                {{"consumed_inputs", A::INTS}}};
    m["Mean"] = {[](NodeContext &c) { return importVariadic(c, "onnx.Add", true); },
                 {{"consumed_inputs", A::INTS}}};
    m["Relu"] = {[](NodeContext &c) { return importPlain(c, "onnx.Relu", 1); },
                 {{"consumed_inputs", A::INTS}}};
    m["Identity"] = {[](NodeContext &c) { return importPlain(c, "onnx.Identity", 1); }, {}};
    // The elementwise float functions: the CPU kernels' list (one op each in OnnxOps.td).
    for (const cpu::UnaryOpType &type : cpu::unaryOpTypes()) {
      AttrSchema schema = {{"consumed_inputs", A::INTS}};
      if (!type.alphaName.empty())
        schema[type.alphaName] = A::FLOAT;
      if (!type.betaName.empty())
        schema[type.betaName] = A::FLOAT;
      m[type.name] = {[type](NodeContext &c) { return importUnary(c, type); }, schema};
    }
    for (const std::string &type : cpu::compareOpTypes())
      m[type] = {[op = "onnx." + type](NodeContext &c) { return importPlain(c, op, 2); }, {}};
    m["Gelu"] = {[](NodeContext &c) {
                   if (failed(expectInputs(c, 1, 1)) || failed(expectOneOutput(c)))
                     return failure();
                   return pushResult(
                       c, buildOp(c, "onnx.Gelu", c.inputs,
                                  {c.builder.getNamedAttr("approximate",
                                                          c.builder.getStringAttr(getString(
                                                              c.node, "approximate", "none")))}));
                 },
                 {{"approximate", A::STRING}}};
    m["Clip"] = {importClip, {{"min", A::FLOAT}, {"max", A::FLOAT}, {"consumed_inputs", A::INTS}}};
    m["Not"] = {[](NodeContext &c) { return importPlain(c, "onnx.Not", 1); }, {}};
    m["Where"] = {[](NodeContext &c) { return importPlain(c, "onnx.Where", 3); }, {}};
    m["MatMul"] = {[](NodeContext &c) { return importPlain(c, "onnx.MatMul", 2); }, {}};
    m["GlobalAveragePool"] = {
        [](NodeContext &c) { return importPlain(c, "onnx.GlobalAveragePool", 1); }, {}};
    m["Gemm"] = {importGemm,
                 {{"alpha", A::FLOAT},
                  {"beta", A::FLOAT},
                  {"transA", A::INT},
                  {"transB", A::INT},
                  {"broadcast", A::INT}}};
    m["Conv"] = {importConv, conv};
    AttrSchema convTranspose = conv;
    convTranspose["output_padding"] = A::INTS;
    convTranspose["output_shape"] = A::INTS;
    m["ConvTranspose"] = {importConvTranspose, convTranspose};
    m["MaxPool"] = {[](NodeContext &c) { return importPool(c, true); }, maxPool};
    m["AveragePool"] = {[](NodeContext &c) { return importPool(c, false); }, averagePool};
    m["BatchNormalization"] = {importBatchNorm,
                               {{"epsilon", A::FLOAT},
                                {"momentum", A::FLOAT},
                                {"training_mode", A::INT},
                                {"spatial", A::INT},
                                {"is_test", A::INT},
                                {"consumed_inputs", A::INTS}}};
    for (const char *op : {"Softmax", "LogSoftmax", "Hardmax"})
      m[op] = {
          [name = std::string("onnx.") + op](NodeContext &c) { return importSoftmax(c, name); },
          {{"axis", A::INT}}};
    m["LayerNormalization"] = {importLayerNorm,
                               {{"axis", A::INT}, {"epsilon", A::FLOAT}, {"stash_type", A::INT}}};
    m["InstanceNormalization"] = {
        [](NodeContext &c) {
          if (failed(expectInputs(c, 3, 3)) || failed(expectOneOutput(c)))
            return failure();
          return pushResult(
              c, buildOp(c, "onnx.InstanceNormalization", c.inputs,
                         {c.builder.getNamedAttr("epsilon", c.builder.getF32FloatAttr(getFloat(
                                                                c.node, "epsilon", 1e-5f)))}));
        },
        {{"epsilon", A::FLOAT}}};
    m["LRN"] = {importLRN,
                {{"size", A::INT}, {"alpha", A::FLOAT}, {"beta", A::FLOAT}, {"bias", A::FLOAT}}};
    m["GlobalMaxPool"] = {importGlobalMaxPool, {}};
    m["Reshape"] = {importReshape,
                    {{"allowzero", A::INT}, {"shape", A::INTS}, {"consumed_inputs", A::INTS}}};
    m["Flatten"] = {importFlatten, {{"axis", A::INT}}};
    m["Transpose"] = {importTranspose, {{"perm", A::INTS}}};
    m["Constant"] = {importConstant,
                     {{"value", A::TENSOR},
                      {"value_float", A::FLOAT},
                      {"value_floats", A::FLOATS},
                      {"value_int", A::INT},
                      {"value_ints", A::INTS},
                      {"value_string", A::STRING},
                      {"value_strings", A::STRINGS},
                      {"sparse_value", A::SPARSE_TENSOR}}};
    addDataOpImports(m);
    addReductionImports(m);
    addIndexingImports(m);
    addResizeImports(m);
    addRecurrentImports(m);
    addQuantizedImports(m);
    addControlFlowImports(m);
    addSignalImports(m);
    return m;
  }();
  return table;
}

/// Checks the node's attributes against its op's schema.
LogicalResult checkAttributes(NodeContext &ctx, const AttrSchema &schema) {
  for (const auto &a : ctx.node.attribute()) {
    auto it = schema.find(a.name());
    if (it == schema.end())
      return emitError(ctx.loc) << ctx.node.op_type() << " has no attribute '" << a.name() << "'";
    if (a.type() != it->second)
      return emitError(ctx.loc) << "attribute '" << a.name() << "' is "
                                << AttrProto::AttributeType_Name(a.type()) << ", expected "
                                << AttrProto::AttributeType_Name(it->second);
  }
  return success();
}

} // namespace

ArrayRef<StringRef> supportedOpTypes() {
  static const SmallVector<StringRef> names = [] {
    SmallVector<StringRef> v;
    for (const auto &e : opTable())
      v.push_back(e.getKey());
    llvm::sort(v);
    return v;
  }();
  return names;
}

namespace {

bool isHalf(Type elem) { return elem.isF16() || elem.isBF16(); }

/// The float16 or bfloat16 element type of the first operand that has one, or null.
Type halfOperandType(const NodeContext &ctx) {
  for (Value v : ctx.inputs)
    if (v && isHalf(cast<ShapedType>(v.getType()).getElementType()))
      return cast<ShapedType>(v.getType()).getElementType();
  return nullptr;
}

/// Whether the node's float results have the half type: ONNX types an op's float outputs as
/// its first float operand (Pow(float32, float16) is float32; DequantizeLinear's scale is its
/// first float operand), except outputs typed by an attribute (EyeLike's dtype) and
/// LayerNormalization's Mean and InvStdDev (float32, its stash_type).
bool roundsResult(const NodeContext &ctx, size_t result) {
  if (findAttr(ctx.node, "dtype") || (ctx.node.op_type() == "LayerNormalization" && result > 0))
    return false;
  for (Value v : ctx.inputs)
    if (v && isa<FloatType>(cast<ShapedType>(v.getType()).getElementType()))
      return isHalf(cast<ShapedType>(v.getType()).getElementType());
  return false;
}

/// Imports a node with float16 or bfloat16 operands as ONNX runtimes do on CPUs: those
/// operands cast to float32, the op computed in float32, and each float32 result that ONNX
/// types as the half operand (roundsResult) rounded to the half type, so that every op's
/// result is what the model's types say (docs/onnx-support.md, "Half precision"). Cast and
/// CastLike convert half values themselves, and Constant makes them.
LogicalResult importInFloat32(NodeContext &ctx, const OpImport &op, Type half) {
  Type f32 = ctx.builder.getF32Type();
  SmallVector<bool> rounds;
  for (size_t i = 0; i < static_cast<size_t>(ctx.node.output_size()); ++i)
    rounds.push_back(roundsResult(ctx, i));
  llvm::SmallDenseMap<Value, Value> widened; // one Cast per value the node reads
  for (Value &v : ctx.inputs)
    if (v && cast<ShapedType>(v.getType()).getElementType() == half) {
      if (!widened.count(v)) {
        auto w = castTo(ctx, v, f32);
        if (failed(w))
          return failure();
        widened[v] = *w;
      }
      v = widened[v];
    }
  if (failed(op.import(ctx)))
    return failure();
  for (auto [i, r] : llvm::enumerate(ctx.results))
    if (r && i < rounds.size() && rounds[i] &&
        cast<ShapedType>(r.getType()).getElementType().isF32()) {
      auto rounded = castTo(ctx, r, half);
      if (failed(rounded))
        return failure();
      r = *rounded;
    }
  return success();
}

} // namespace

LogicalResult importNode(NodeContext &ctx) {
  auto it = opTable().find(ctx.node.op_type());
  if (it == opTable().end())
    return emitError(ctx.loc) << "op type '" << ctx.node.op_type()
                              << "' is not supported (supported: "
                              << llvm::join(supportedOpTypes(), ", ") << ")";
  if (failed(checkAttributes(ctx, it->second.attributes)))
    return failure();
  const std::string &type = ctx.node.op_type();
  if (Type half = halfOperandType(ctx); half && type != "Cast" && type != "CastLike")
    return importInFloat32(ctx, it->second, half);
  return it->second.import(ctx);
}

} // namespace cimlir
