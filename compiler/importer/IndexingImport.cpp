//===- IndexingImport.cpp - indexing, Mod, IsNaN/IsInf and rewritten ops ---===//
//
// GatherElements, ScatterElements (and the Scatter of opset < 11), GatherND, ScatterND,
// OneHot, TopK, Trilu,
// CumSum, Mod, IsNaN, IsInf and NegativeLogLikelihoodLoss become their ops, with their
// constant inputs (TopK's k, Trilu's k, CumSum's axis, OneHot's depth) as attributes;
// SoftmaxCrossEntropyLoss becomes LogSoftmax and NegativeLogLikelihoodLoss. DepthToSpace and
// SpaceToDepth become Reshape -> Transpose -> Reshape; CastLike a Cast; EyeLike and Range (of
// constants) constants.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace cimlir {

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

NamedAttribute intAttr(NodeContext &ctx, StringRef name, int64_t v) {
  return ctx.builder.getNamedAttr(name, ctx.builder.getI64IntegerAttr(v));
}

/// The one integer of a constant scalar (or one-element) input.
FailureOr<int64_t> constantScalar(NodeContext &ctx, Value v, StringRef what) {
  auto ints = constantInts(ctx, v, what);
  if (failed(ints))
    return failure();
  if (ints->size() != 1)
    return emitError(ctx.loc) << ctx.node.op_type() << " " << what << " must hold one value";
  return ints->front();
}

LogicalResult importElements(NodeContext &ctx, bool scatter) {
  if (failed(expectInputs(ctx, scatter ? 3 : 2, scatter ? 3 : 2)) || failed(expectOneOutput(ctx)))
    return failure();
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", 0), typeOf(ctx.inputs[0]).getRank());
  if (failed(axis))
    return failure();
  SmallVector<NamedAttribute> attrs = {intAttr(ctx, "axis", *axis)};
  if (scatter)
    attrs.push_back(ctx.builder.getNamedAttr(
        "reduction", ctx.builder.getStringAttr(getString(ctx.node, "reduction", "none"))));
  return pushResult(ctx, buildOp(ctx, scatter ? "onnx.ScatterElements" : "onnx.GatherElements",
                                 ctx.inputs, attrs));
}

LogicalResult importOneHot(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 3, 3)) || failed(expectOneOutput(ctx)))
    return failure();
  // depth may be a float or integer scalar.
  DenseElementsAttr depthAttr;
  if (!matchPattern(ctx.inputs[1], m_Constant(&depthAttr)) || depthAttr.getNumElements() != 1)
    return emitError(ctx.loc) << "OneHot depth must be a constant scalar";
  Attribute d = *depthAttr.value_begin<Attribute>();
  int64_t depth = 0;
  if (auto f = dyn_cast<FloatAttr>(d))
    depth = static_cast<int64_t>(std::trunc(f.getValueAsDouble()));
  else
    depth = cast<IntegerAttr>(d).getInt();
  const int64_t rank = typeOf(ctx.inputs[0]).getRank() + 1;
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", -1), rank);
  if (failed(axis))
    return failure();
  return pushResult(ctx, buildOp(ctx, "onnx.OneHot", {ctx.inputs[0], ctx.inputs[2]},
                                 {intAttr(ctx, "depth", depth), intAttr(ctx, "axis", *axis)}));
}

LogicalResult importTopK(NodeContext &ctx) {
  int64_t k = 0;
  if (ctx.opset < 10) {
    if (failed(expectInputs(ctx, 1, 1)))
      return failure();
    k = getInt(ctx.node, "k", -1);
  } else {
    if (failed(expectInputs(ctx, 2, 2)))
      return failure();
    auto v = constantScalar(ctx, ctx.inputs[1], "K");
    if (failed(v))
      return failure();
    k = *v;
  }
  if (getInt(ctx.node, "sorted", 1) == 0)
    return emitError(ctx.loc) << "TopK with sorted = 0 is not supported (the order is then "
                                 "unspecified; cimlir sorts)";
  auto axis = normaliseAxis(ctx, getInt(ctx.node, "axis", -1), typeOf(ctx.inputs[0]).getRank());
  if (failed(axis))
    return failure();
  auto results = buildOpResults(ctx, "onnx.TopK", ctx.inputs[0],
                                {intAttr(ctx, "k", k), intAttr(ctx, "axis", *axis),
                                 intAttr(ctx, "largest", getInt(ctx.node, "largest", 1) != 0)});
  if (failed(results))
    return failure();
  ctx.results.append(results->begin(), results->end());
  return success();
}

LogicalResult importTrilu(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  int64_t k = 0;
  if (ctx.inputs[1]) {
    auto v = constantScalar(ctx, ctx.inputs[1], "k");
    if (failed(v))
      return failure();
    k = *v;
  }
  return pushResult(ctx, buildOp(ctx, "onnx.Trilu", ctx.inputs[0],
                                 {intAttr(ctx, "upper", getInt(ctx.node, "upper", 1) != 0),
                                  intAttr(ctx, "k", k)}));
}

LogicalResult importCumSum(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2, 2)) || failed(expectOneOutput(ctx)))
    return failure();
  auto a = constantScalar(ctx, ctx.inputs[1], "axis");
  if (failed(a))
    return failure();
  auto axis = normaliseAxis(ctx, *a, typeOf(ctx.inputs[0]).getRank());
  if (failed(axis))
    return failure();
  return pushResult(ctx, buildOp(ctx, "onnx.CumSum", ctx.inputs[0],
                                 {intAttr(ctx, "axis", *axis),
                                  intAttr(ctx, "exclusive", getInt(ctx.node, "exclusive", 0) != 0),
                                  intAttr(ctx, "reverse", getInt(ctx.node, "reverse", 0) != 0)}));
}

/// `v` reshaped to `dims` (0 copies the batch).
FailureOr<Value> reshapeTo(NodeContext &ctx, Value v, ArrayRef<int64_t> dims) {
  return buildOp(ctx, "onnx.Reshape", {v, shapeConstant(ctx, dims)},
                 {intAttr(ctx, "allowzero", 0)});
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth of [N, C, H, W] with `blocksize` b.
LogicalResult importDepthSpace(NodeContext &ctx, bool toSpace) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  RankedTensorType t = typeOf(ctx.inputs[0]);
  const int64_t b = getInt(ctx.node, "blocksize", 0);
  if (t.getRank() != 4 || b < 1)
    return emitError(ctx.loc) << ctx.node.op_type() << " needs a 4-D input and blocksize >= 1";
  const int64_t c = t.getDimSize(1), h = t.getDimSize(2), w = t.getDimSize(3);
  if (ShapedType::isDynamic(c) || ShapedType::isDynamic(h) || ShapedType::isDynamic(w))
    return emitError(ctx.loc) << ctx.node.op_type() << " needs static C, H and W";
  SmallVector<int64_t> split, perm, out;
  if (toSpace) {
    if (c % (b * b) != 0)
      return emitError(ctx.loc) << "DepthToSpace: C = " << c << " is not a multiple of " << b * b;
    const bool crd = getString(ctx.node, "mode", "DCR") == "CRD";
    split = crd ? SmallVector<int64_t>{0, c / (b * b), b, b, h, w}
                : SmallVector<int64_t>{0, b, b, c / (b * b), h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3} : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    out = {0, c / (b * b), h * b, w * b};
  } else {
    if (h % b != 0 || w % b != 0)
      return emitError(ctx.loc) << "SpaceToDepth: H and W must be multiples of " << b;
    split = {0, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {0, c * b * b, h / b, w / b};
  }
  auto s = reshapeTo(ctx, ctx.inputs[0], split);
  if (failed(s))
    return failure();
  auto p = transposeBy(ctx, *s, perm);
  if (failed(p))
    return failure();
  return pushResult(ctx, reshapeTo(ctx, *p, out));
}

LogicalResult importEyeLike(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  RankedTensorType t = typeOf(ctx.inputs[0]);
  if (t.getRank() != 2 || !t.hasStaticShape())
    return emitError(ctx.loc) << "EyeLike needs a static 2-D input, got " << t;
  Type elem = t.getElementType();
  if (const AttrProto *dt = findAttr(ctx.node, "dtype")) {
    elem = importElementType(ctx.builder.getContext(), static_cast<int>(dt->i()));
    if (!elem)
      return emitError(ctx.loc) << "EyeLike dtype " << onnxTypeName(static_cast<int>(dt->i()))
                                << " is not supported";
  }
  const int64_t k = getInt(ctx.node, "k", 0);
  SmallVector<Attribute> values;
  Builder &b = ctx.builder;
  for (int64_t r = 0; r < t.getDimSize(0); ++r)
    for (int64_t c = 0; c < t.getDimSize(1); ++c) {
      const bool one = c - r == k;
      values.push_back(isa<FloatType>(elem) ? Attribute(b.getFloatAttr(elem, one ? 1.0 : 0.0))
                                            : Attribute(b.getIntegerAttr(elem, one ? 1 : 0)));
    }
  ctx.results.push_back(onnx::ConstantOp::create(ctx.builder, ctx.loc,
                                                 DenseElementsAttr::get(t.clone(elem), values)));
  return success();
}

LogicalResult importRange(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 3, 3)) || failed(expectOneOutput(ctx)))
    return failure();
  DenseElementsAttr v[3];
  for (int i = 0; i < 3; ++i)
    if (!matchPattern(ctx.inputs[i], m_Constant(&v[i])) || v[i].getNumElements() != 1)
      return emitError(ctx.loc) << "Range start, limit and delta must be constant scalars (the "
                                   "result's size depends on them)";
  Type elem = v[0].getElementType();
  auto asDouble = [](DenseElementsAttr a) {
    Attribute e = *a.value_begin<Attribute>();
    if (auto f = dyn_cast<FloatAttr>(e))
      return f.getValueAsDouble();
    return static_cast<double>(cast<IntegerAttr>(e).getInt());
  };
  const double start = asDouble(v[0]), limit = asDouble(v[1]), delta = asDouble(v[2]);
  if (delta == 0)
    return emitError(ctx.loc) << "Range delta is 0";
  const double n = std::max(std::ceil((limit - start) / delta), 0.0);
  if (!(n < double(int64_t(1) << 40)))
    return emitError(ctx.loc) << "Range would hold " << n << " elements";
  Builder &b = ctx.builder;
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
    if (elem.isF32())
      values.push_back(b.getFloatAttr(elem, static_cast<float>(start) +
                                                static_cast<float>(i) * static_cast<float>(delta)));
    else if (isa<FloatType>(elem))
      values.push_back(b.getFloatAttr(elem, start + static_cast<double>(i) * delta));
    else
      values.push_back(b.getIntegerAttr(
          elem, cast<IntegerAttr>(*v[0].value_begin<Attribute>()).getInt() +
                    i * cast<IntegerAttr>(*v[2].value_begin<Attribute>()).getInt()));
  }
  auto type = RankedTensorType::get({static_cast<int64_t>(n)}, elem);
  ctx.results.push_back(
      onnx::ConstantOp::create(ctx.builder, ctx.loc, DenseElementsAttr::get(type, values)));
  return success();
}

/// NegativeLogLikelihoodLoss, and SoftmaxCrossEntropyLoss as LogSoftmax (its log_prob
/// output) along axis 1 followed by it.
LogicalResult importLoss(NodeContext &ctx, bool softmax) {
  if (failed(expectInputs(ctx, 2, 3)))
    return failure();
  if (!softmax && failed(expectOneOutput(ctx)))
    return failure();
  Value input = ctx.inputs[0];
  if (softmax) {
    auto logProb = buildOp(ctx, "onnx.LogSoftmax", input, {intAttr(ctx, "axis", 1)});
    if (failed(logProb))
      return failure();
    input = *logProb;
  }
  SmallVector<Value> operands = {input, ctx.inputs[1]};
  if (ctx.inputs[2])
    operands.push_back(ctx.inputs[2]);
  SmallVector<NamedAttribute> attrs = {ctx.builder.getNamedAttr(
      "reduction", ctx.builder.getStringAttr(getString(ctx.node, "reduction", "mean")))};
  if (findAttr(ctx.node, "ignore_index"))
    attrs.push_back(intAttr(ctx, "ignore_index", getInt(ctx.node, "ignore_index", 0)));
  auto loss = buildOp(ctx, "onnx.NegativeLogLikelihoodLoss", operands, attrs);
  if (failed(loss))
    return failure();
  ctx.results.push_back(*loss);
  if (softmax)
    ctx.results.push_back(input);
  return success();
}

/// QuantizeLinear and DequantizeLinear: axis (default 1) made non-negative; block_size
/// (opset 21) refused.
LogicalResult importQdq(NodeContext &ctx, StringRef opName) {
  if (failed(expectInputs(ctx, 2, 3)) || failed(expectOneOutput(ctx)))
    return failure();
  if (getInt(ctx.node, "block_size", 0) != 0)
    return emitError(ctx.loc) << ctx.node.op_type() << " with block_size is not supported";
  const int64_t rank = typeOf(ctx.inputs[0]).getRank();
  int64_t axis = getInt(ctx.node, "axis", 1);
  if (typeOf(ctx.inputs[1]).getNumElements() == 1)
    axis = 0; // per tensor: the axis plays no part
  else if (auto n = normaliseAxis(ctx, axis, rank); succeeded(n))
    axis = *n;
  else
    return failure();
  SmallVector<Value> operands = {ctx.inputs[0], ctx.inputs[1]};
  if (ctx.inputs[2])
    operands.push_back(ctx.inputs[2]);
  return pushResult(ctx, buildOp(ctx, opName, operands, {intAttr(ctx, "axis", axis)}));
}

} // namespace

void addIndexingImports(OpTable &m) {
  using A = AttrProto;
  m["GatherElements"] = {[](NodeContext &c) { return importElements(c, false); },
                         {{"axis", A::INT}}};
  m["ScatterElements"] = {[](NodeContext &c) { return importElements(c, true); },
                          {{"axis", A::INT}, {"reduction", A::STRING}}};
  m["Scatter"] = {[](NodeContext &c) { return importElements(c, true); }, {{"axis", A::INT}}};
  m["OneHot"] = {importOneHot, {{"axis", A::INT}}};
  m["GatherND"] = {[](NodeContext &c) {
                     if (failed(expectInputs(c, 2, 2)) || failed(expectOneOutput(c)))
                       return failure();
                     return pushResult(
                         c, buildOp(c, "onnx.GatherND", c.inputs,
                                    {intAttr(c, "batch_dims", getInt(c.node, "batch_dims", 0))}));
                   },
                   {{"batch_dims", A::INT}}};
  m["ScatterND"] = {
      [](NodeContext &c) {
        if (failed(expectInputs(c, 3, 3)) || failed(expectOneOutput(c)))
          return failure();
        return pushResult(
            c, buildOp(c, "onnx.ScatterND", c.inputs,
                       {c.builder.getNamedAttr("reduction", c.builder.getStringAttr(getString(
                                                                c.node, "reduction", "none")))}));
      },
      {{"reduction", A::STRING}}};
  m["TopK"] = {importTopK,
               {{"axis", A::INT}, {"k", A::INT}, {"largest", A::INT}, {"sorted", A::INT}}};
  m["Trilu"] = {importTrilu, {{"upper", A::INT}}};
  m["CumSum"] = {importCumSum, {{"exclusive", A::INT}, {"reverse", A::INT}}};
  m["Mod"] = {[](NodeContext &c) {
                if (failed(expectInputs(c, 2, 2)) || failed(expectOneOutput(c)))
                  return failure();
                return pushResult(c, buildOp(c, "onnx.Mod", c.inputs,
                                             {intAttr(c, "fmod", getInt(c.node, "fmod", 0) != 0)}));
              },
              {{"fmod", A::INT}}};
  m["IsNaN"] = {[](NodeContext &c) { return importPlain(c, "onnx.IsNaN", 1); }, {}};
  m["IsInf"] = {
      [](NodeContext &c) {
        if (failed(expectInputs(c, 1, 1)) || failed(expectOneOutput(c)))
          return failure();
        return pushResult(
            c, buildOp(c, "onnx.IsInf", c.inputs,
                       {intAttr(c, "detect_negative", getInt(c.node, "detect_negative", 1) != 0),
                        intAttr(c, "detect_positive", getInt(c.node, "detect_positive", 1) != 0)}));
      },
      {{"detect_negative", A::INT}, {"detect_positive", A::INT}}};
  m["DepthToSpace"] = {[](NodeContext &c) { return importDepthSpace(c, true); },
                       {{"blocksize", A::INT}, {"mode", A::STRING}}};
  m["SpaceToDepth"] = {[](NodeContext &c) { return importDepthSpace(c, false); },
                       {{"blocksize", A::INT}}};
  m["CastLike"] = {[](NodeContext &c) {
                     if (failed(expectInputs(c, 2, 2)) || failed(expectOneOutput(c)))
                       return failure();
                     return pushResult(
                         c, castTo(c, c.inputs[0], typeOf(c.inputs[1]).getElementType()));
                   },
                   {{"saturate", A::INT}}};
  m["EyeLike"] = {importEyeLike, {{"dtype", A::INT}, {"k", A::INT}}};
  m["Range"] = {importRange, {}};
  m["Einsum"] = {
      [](NodeContext &c) {
        if (c.inputs.empty() || llvm::any_of(c.inputs, [](Value v) { return !v; }) ||
            failed(expectOneOutput(c)))
          return LogicalResult(emitError(c.loc) << "Einsum needs inputs, none absent");
        if (!findAttr(c.node, "equation"))
          return LogicalResult(emitError(c.loc) << "Einsum needs the attribute 'equation'");
        return pushResult(
            c, buildOp(c, "onnx.Einsum", c.inputs,
                       {c.builder.getNamedAttr("equation", c.builder.getStringAttr(getString(
                                                               c.node, "equation", "")))}));
      },
      {{"equation", A::STRING}}};
  m["QuantizeLinear"] = {[](NodeContext &c) { return importQdq(c, "onnx.QuantizeLinear"); },
                         {{"axis", A::INT}, {"saturate", A::INT}, {"block_size", A::INT}}};
  m["DequantizeLinear"] = {[](NodeContext &c) { return importQdq(c, "onnx.DequantizeLinear"); },
                           {{"axis", A::INT}, {"block_size", A::INT}}};
  m["NegativeLogLikelihoodLoss"] = {[](NodeContext &c) { return importLoss(c, false); },
                                    {{"reduction", A::STRING}, {"ignore_index", A::INT}}};
  m["SoftmaxCrossEntropyLoss"] = {[](NodeContext &c) { return importLoss(c, true); },
                                  {{"reduction", A::STRING}, {"ignore_index", A::INT}}};
}

} // namespace cimlir
