//===- ReductionImport.cpp - Reduce*, ArgMax and ArgMin -------------------===//
//
// Every opset's form becomes one op: axes from the attribute (older opsets) or the constant
// second input (ReduceSum from opset 13, the others from 18), normalised and sorted; ONNX's
// empty axes resolved into all axes, or none with noop_with_empty_axes. And
// MeanVarianceNormalization, which ONNX defines by reductions.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/Reduce.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace cimlir {

namespace {

LogicalResult importReduce(NodeContext &ctx, StringRef opName) {
  if (failed(expectInputs(ctx, 1, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  const int64_t rank = cast<RankedTensorType>(ctx.inputs[0].getType()).getRank();
  SmallVector<int64_t> axes;
  bool given = false;
  if (auto a = getInts(ctx.node, "axes")) {
    axes = *a;
    given = true;
  } else if (ctx.inputs[1]) {
    auto a = constantInts(ctx, ctx.inputs[1], "axes");
    if (failed(a))
      return failure();
    axes = *a;
    given = true;
  }
  if (!given || axes.empty()) {
    axes.clear();
    if (getInt(ctx.node, "noop_with_empty_axes", 0) == 0)
      for (int64_t a = 0; a < rank; ++a)
        axes.push_back(a);
  }
  auto normalised = normaliseAxes(ctx, axes, rank, true);
  if (failed(normalised))
    return failure();
  Builder &b = ctx.builder;
  return pushResult(
      ctx, buildOp(ctx, opName, ctx.inputs[0],
                   {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(*normalised)),
                    b.getNamedAttr("keepdims",
                                   b.getI64IntegerAttr(getInt(ctx.node, "keepdims", 1) != 0))}));
}

LogicalResult importArg(NodeContext &ctx, StringRef opName) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  const int64_t rank = cast<RankedTensorType>(ctx.inputs[0].getType()).getRank();
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", 0), rank);
  if (failed(axis))
    return failure();
  Builder &b = ctx.builder;
  return pushResult(
      ctx,
      buildOp(
          ctx, opName, ctx.inputs[0],
          {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis)),
           b.getNamedAttr("keepdims", b.getI64IntegerAttr(getInt(ctx.node, "keepdims", 1) != 0)),
           b.getNamedAttr("select_last_index",
                          b.getI64IntegerAttr(getInt(ctx.node, "select_last_index", 0) != 0))}));
}

/// MeanVarianceNormalization: (X - E[X]) / (sqrt(E[(X - E[X])²]) + 1e-9), the means over
/// `axes` (default 0, 2, 3) kept as size-1 axes. ONNX's function body computes the variance
/// as E[X²] - E[X]², the same value, but in float32 it cancels to nothing (or below zero) for
/// data far from zero; the centred form cannot.
LogicalResult importMeanVarianceNormalization(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  Value x = ctx.inputs[0];
  const int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  auto axes = normaliseAxes(ctx, getInts(ctx.node, "axes").value_or(SmallVector<int64_t>{0, 2, 3}),
                            rank, true);
  if (failed(axes))
    return failure();
  Builder &b = ctx.builder;
  Type elem = cast<RankedTensorType>(x.getType()).getElementType();
  auto scalar = [&](double v) -> Value {
    auto type = RankedTensorType::get({}, elem);
    return onnx::ConstantOp::create(ctx.builder, ctx.loc,
                                    DenseElementsAttr::get(type, FloatAttr::get(elem, v)));
  };
  auto mean = [&](Value v) {
    return buildOp(ctx, "onnx.ReduceMean", v,
                   {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(*axes)),
                    b.getNamedAttr("keepdims", b.getI64IntegerAttr(1))});
  };
  auto xMean = mean(x);
  if (failed(xMean))
    return failure();
  auto centred = buildOp(ctx, "onnx.Sub", {x, *xMean});
  if (failed(centred))
    return failure();
  auto squares = buildOp(ctx, "onnx.Mul", {*centred, *centred});
  if (failed(squares))
    return failure();
  auto variance = mean(*squares);
  if (failed(variance))
    return failure();
  auto deviation = buildOp(ctx, "onnx.Sqrt", *variance);
  if (failed(deviation))
    return failure();
  auto denominator = buildOp(ctx, "onnx.Add", {*deviation, scalar(1e-9)});
  if (failed(denominator))
    return failure();
  return pushResult(ctx, buildOp(ctx, "onnx.Div", {*centred, *denominator}));
}

} // namespace

void addReductionImports(OpTable &m) {
  using A = AttrProto;
  for (const std::string &type : cpu::reduceOpTypes())
    m[type] = {[op = "onnx." + type](NodeContext &c) { return importReduce(c, op); },
               {{"axes", A::INTS}, {"keepdims", A::INT}, {"noop_with_empty_axes", A::INT}}};
  const AttrSchema arg = {{"axis", A::INT}, {"keepdims", A::INT}, {"select_last_index", A::INT}};
  m["ArgMax"] = {[](NodeContext &c) { return importArg(c, "onnx.ArgMax"); }, arg};
  m["ArgMin"] = {[](NodeContext &c) { return importArg(c, "onnx.ArgMin"); }, arg};
  m["MeanVarianceNormalization"] = {importMeanVarianceNormalization, {{"axes", A::INTS}}};
}

} // namespace cimlir
