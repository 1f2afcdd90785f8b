//===- QuantizedImport.cpp - the ops of quantized models (QOperator form) -===//
//
// MatMulInteger and ConvInteger become onnx.MatMulInteger and onnx.ConvInteger (exact int32
// kernels, kernels/cpu/IntegerLinear.h), their absent zero points 0. QLinearMatMul and
// QLinearConv are built on them as the ONNX reference computes them: the int32 accumulator
// (plus QLinearConv's int32 bias) times a_scale·b_scale/y_scale (float32) in float64, rounded
// half to even, plus y_zero_point, saturated to y's type. DynamicQuantizeLinear is its
// definition in ops: the range [min(0, min x), max(0, max x)] over 255 levels.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace cimlir {

namespace {

/// A scalar constant of `element` (float or integer type) holding `v`.
Value scalar(NodeContext &ctx, Type element, double v) {
  auto type = RankedTensorType::get({}, element);
  Attribute value = isa<FloatType>(element)
                        ? Attribute(FloatAttr::get(element, v))
                        : Attribute(IntegerAttr::get(element, static_cast<int64_t>(v)));
  return onnx::ConstantOp::create(ctx.builder, ctx.loc, DenseElementsAttr::get(type, value));
}

Type elementOf(Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); }
int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

/// `v` (one value, or one per index of an axis) reshaped to broadcast along axis `axis` of a
/// result of rank `rank`: [n] -> [n, 1, ..., 1].
FailureOr<Value> alongAxis(NodeContext &ctx, Value v, int64_t axis, int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() != 1 || t.getNumElements() == 1 || axis == rank - 1)
    return v;
  SmallVector<int64_t> axes;
  for (int64_t a = 1; a < rank - axis; ++a)
    axes.push_back(a);
  return buildOp(ctx, "onnx.Unsqueeze", v,
                 {ctx.builder.getNamedAttr("axes", ctx.builder.getDenseI64ArrayAttr(axes))});
}

/// The zero point input `index`, or 0 of `like`'s element type when absent.
Value zeroPointOr0(NodeContext &ctx, size_t index, Value like) {
  return ctx.inputs[index] ? ctx.inputs[index] : scalar(ctx, elementOf(like), 0);
}

/// y = saturate(rint(acc · (scale / yScale)) + yZero) in y_zero_point's type; `scale` is the
/// product of the input scales, already shaped to broadcast against acc.
FailureOr<Value> requantize(NodeContext &ctx, Value acc, Value scale, Value yScale, Value yZero) {
  Type f64 = ctx.builder.getF64Type();
  auto factor = buildOp(ctx, "onnx.Div", {scale, yScale});
  if (failed(factor))
    return failure();
  auto accF = castTo(ctx, acc, f64), factorF = castTo(ctx, *factor, f64),
       zeroF = castTo(ctx, yZero, f64);
  if (failed(accF) || failed(factorF) || failed(zeroF))
    return failure();
  auto scaled = buildOp(ctx, "onnx.Mul", {*accF, *factorF});
  if (failed(scaled))
    return failure();
  auto rounded = buildOp(ctx, "onnx.Round", *scaled);
  if (failed(rounded))
    return failure();
  auto shifted = buildOp(ctx, "onnx.Add", {*rounded, *zeroF});
  if (failed(shifted))
    return failure();
  Type yType = elementOf(yZero);
  const bool isSigned = !yType.isUnsignedInteger();
  const unsigned bits = yType.getIntOrFloatBitWidth();
  const double lo = isSigned ? -std::ldexp(1.0, bits - 1) : 0.0;
  const double hi = isSigned ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
  auto clipped = buildOp(ctx, "onnx.Clip", {*shifted, scalar(ctx, f64, lo), scalar(ctx, f64, hi)});
  if (failed(clipped))
    return failure();
  return castTo(ctx, *clipped, yType);
}

LogicalResult importMatMulInteger(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 4)) || failed(expectOneOutput(ctx)))
    return failure();
  return pushResult(ctx, buildOp(ctx, "onnx.MatMulInteger",
                                 {ctx.inputs[0], ctx.inputs[1], zeroPointOr0(ctx, 2, ctx.inputs[0]),
                                  zeroPointOr0(ctx, 3, ctx.inputs[1])}));
}

/// ConvInteger's and QLinearConv's integer convolution of x and w with their zero points.
FailureOr<Value> integerConv(NodeContext &ctx, Value x, Value w, Value xZero, Value wZero) {
  auto wt = dyn_cast<RankedTensorType>(w.getType());
  if (!wt || wt.getRank() < 3)
    return emitError(ctx.loc) << ctx.node.op_type() << " needs W of rank >= 3";
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (auto ks = getInts(ctx.node, "kernel_shape"); ks && *ks != kernel)
    return emitError(ctx.loc) << ctx.node.op_type() << " kernel_shape does not match W's shape";
  auto window = importWindow(ctx, x, kernel, false);
  if (failed(window))
    return failure();
  Builder &b = ctx.builder;
  return buildOp(ctx, "onnx.ConvInteger", {x, w, xZero, wZero},
                 {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(window->strides)),
                  b.getNamedAttr("pads", b.getDenseI64ArrayAttr(window->pads)),
                  b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(window->dilations)),
                  b.getNamedAttr("group", b.getI64IntegerAttr(getInt(ctx.node, "group", 1)))});
}

LogicalResult importConvInteger(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 4)) || failed(expectOneOutput(ctx)))
    return failure();
  return pushResult(ctx, integerConv(ctx, ctx.inputs[0], ctx.inputs[1],
                                     zeroPointOr0(ctx, 2, ctx.inputs[0]),
                                     zeroPointOr0(ctx, 3, ctx.inputs[1])));
}

/// QLinearMatMul (a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point).
LogicalResult importQLinearMatMul(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 8, 8)) || failed(expectOneOutput(ctx)))
    return failure();
  const auto &in = ctx.inputs;
  auto acc = buildOp(ctx, "onnx.MatMulInteger", {in[0], in[3], in[2], in[5]});
  if (failed(acc))
    return failure();
  // a_scale per row of a: [M] -> [M, 1]; b_scale per column broadcasts as it is.
  const int64_t rank = rankOf(*acc);
  auto aScale = alongAxis(ctx, in[1], rank - 2, rank);
  if (failed(aScale))
    return failure();
  auto scale = buildOp(ctx, "onnx.Mul", {*aScale, in[4]});
  if (failed(scale))
    return failure();
  return pushResult(ctx, requantize(ctx, *acc, *scale, in[6], in[7]));
}

/// QLinearConv (x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point,
/// B): B (int32 [M]) is added to the accumulator before the scaling.
LogicalResult importQLinearConv(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 8, 9)) || failed(expectOneOutput(ctx)))
    return failure();
  const auto &in = ctx.inputs;
  auto acc = integerConv(ctx, in[0], in[3], in[2], in[5]);
  if (failed(acc))
    return failure();
  const int64_t rank = rankOf(*acc);
  if (in[8]) {
    auto bias = alongAxis(ctx, in[8], 1, rank);
    if (failed(bias) || failed(acc = buildOp(ctx, "onnx.Add", {*acc, *bias})))
      return failure();
  }
  auto wScale = alongAxis(ctx, in[4], 1, rank);
  if (failed(wScale))
    return failure();
  auto scale = buildOp(ctx, "onnx.Mul", {in[1], *wScale});
  if (failed(scale))
    return failure();
  return pushResult(ctx, requantize(ctx, *acc, *scale, in[6], in[7]));
}

/// DynamicQuantizeLinear: y_scale = (max(0, max x) − min(0, min x)) / 255 (1 when that is 0),
/// y_zero_point = round(clip(−min / y_scale, 0, 255)) as uint8, y = QuantizeLinear(x).
LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)))
    return failure();
  Value x = ctx.inputs[0];
  if (!elementOf(x).isF32())
    return emitError(ctx.loc) << "DynamicQuantizeLinear takes float32, got " << x.getType();
  Builder &b = ctx.builder;
  SmallVector<int64_t> all;
  for (int64_t a = 0; a < rankOf(x); ++a)
    all.push_back(a);
  auto reduce = [&](StringRef name) {
    return buildOp(ctx, name, x,
                   {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(all)),
                    b.getNamedAttr("keepdims", b.getI64IntegerAttr(0))});
  };
  Type f32 = b.getF32Type(), u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  Value zero = scalar(ctx, f32, 0.0);
  auto lo = reduce("onnx.ReduceMin"), hi = reduce("onnx.ReduceMax");
  if (failed(lo) || failed(hi) || failed(lo = buildOp(ctx, "onnx.Min", {*lo, zero})) ||
      failed(hi = buildOp(ctx, "onnx.Max", {*hi, zero})))
    return failure();
  auto range = buildOp(ctx, "onnx.Sub", {*hi, *lo});
  if (failed(range))
    return failure();
  auto scale = buildOp(ctx, "onnx.Div", {*range, scalar(ctx, f32, 255.0)});
  auto empty = buildOp(ctx, "onnx.Equal", {*range, zero});
  if (failed(scale) || failed(empty) ||
      failed(scale = buildOp(ctx, "onnx.Where", {*empty, scalar(ctx, f32, 1.0), *scale})))
    return failure();
  auto start = buildOp(ctx, "onnx.Div", {*lo, *scale});
  if (failed(start) || failed(start = buildOp(ctx, "onnx.Sub", {zero, *start})) ||
      failed(start = buildOp(ctx, "onnx.Clip", {*start, zero, scalar(ctx, f32, 255.0)})) ||
      failed(start = buildOp(ctx, "onnx.Round", *start)) || failed(start = castTo(ctx, *start, u8)))
    return failure();
  auto y = buildOp(ctx, "onnx.QuantizeLinear", {x, *scale, *start},
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(1))});
  if (failed(y))
    return failure();
  ctx.results.append({*y, *scale, *start});
  return success();
}

} // namespace

void addQuantizedImports(OpTable &m) {
  using A = AttrProto;
  const AttrSchema conv = {{"auto_pad", A::STRING},   {"dilations", A::INTS}, {"group", A::INT},
                           {"kernel_shape", A::INTS}, {"pads", A::INTS},      {"strides", A::INTS}};
  m["MatMulInteger"] = {importMatMulInteger, {}};
  m["ConvInteger"] = {importConvInteger, conv};
  m["QLinearMatMul"] = {importQLinearMatMul, {}};
  m["QLinearConv"] = {importQLinearConv, conv};
  m["DynamicQuantizeLinear"] = {importDynamicQuantizeLinear, {}};
}

} // namespace cimlir
