//===- ReductionImport.cpp - Reduce*, ArgMax and ArgMin -------------------===//
//
// Every opset's form becomes one op: axes from the attribute (older opsets) or the constant
// second input (ReduceSum from opset 13, the others from 18), normalised and sorted; ONNX's
// empty axes resolved into all axes, or none with noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

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

} // namespace

void addReductionImports(OpTable &m) {
  using A = AttrProto;
  for (const std::string &type : cpu::reduceOpTypes())
    m[type] = {[op = "onnx." + type](NodeContext &c) { return importReduce(c, op); },
               {{"axes", A::INTS}, {"keepdims", A::INT}, {"noop_with_empty_axes", A::INT}}};
  const AttrSchema arg = {{"axis", A::INT}, {"keepdims", A::INT}, {"select_last_index", A::INT}};
  m["ArgMax"] = {[](NodeContext &c) { return importArg(c, "onnx.ArgMax"); }, arg};
  m["ArgMin"] = {[](NodeContext &c) { return importArg(c, "onnx.ArgMin"); }, arg};
}

} // namespace cimlir
