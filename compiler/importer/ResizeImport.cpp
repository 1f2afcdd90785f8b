//===- ResizeImport.cpp - Resize and Upsample -----------------------------===//
//
// Every form becomes one onnx.Resize with the output sizes and per-axis scales resolved:
// Upsample (opset < 10: scales as attribute or input, asymmetric coordinates, nearest by
// floor) and Resize 10 behave alike; Resize 11 on takes roi, scales or sizes (constants), and
// from 18 axes. Sizes give the scales the coordinate mapping uses (size / input).
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace cimlir {

namespace {

/// The floats of a constant input (empty for an absent or empty one).
FailureOr<SmallVector<double>> constantFloats(NodeContext &ctx, Value v, StringRef what) {
  SmallVector<double> out;
  if (!v)
    return out;
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return emitError(ctx.loc) << ctx.node.op_type() << " " << what
                              << " must be a constant float tensor";
  for (const APFloat &f : attr.getValues<APFloat>())
    out.push_back(f.convertToDouble());
  return out;
}

LogicalResult importResize(NodeContext &ctx, bool upsample) {
  const bool legacy = upsample || ctx.opset < 11;
  if (failed(expectInputs(ctx, 1, legacy ? 2 : 4)) || failed(expectOneOutput(ctx)))
    return failure();
  auto x = cast<RankedTensorType>(ctx.inputs[0].getType());
  const int64_t rank = x.getRank();
  if (getInt(ctx.node, "antialias", 0) != 0)
    return emitError(ctx.loc) << "Resize with antialias = 1 is not supported";
  if (getString(ctx.node, "keep_aspect_ratio_policy", "stretch") != "stretch")
    return emitError(ctx.loc) << "Resize keep_aspect_ratio_policy other than stretch is not "
                                 "supported";
  SmallVector<double> scales, roi;
  SmallVector<int64_t> sizes;
  if (legacy) {
    if (auto attr = findAttr(ctx.node, "scales"))
      scales.assign(attr->floats().begin(), attr->floats().end());
    else {
      auto s = constantFloats(ctx, ctx.inputs[1], "scales");
      if (failed(s))
        return failure();
      scales = *s;
    }
  } else {
    auto r = constantFloats(ctx, ctx.inputs[1], "roi");
    if (failed(r))
      return failure();
    auto s = constantFloats(ctx, ctx.inputs[2], "scales");
    if (failed(s))
      return failure();
    roi = *r;
    scales = *s;
    if (ctx.inputs[3]) {
      auto z = constantInts(ctx, ctx.inputs[3], "sizes");
      if (failed(z))
        return failure();
      sizes = *z;
    }
  }
  // Opset 18's axes: scales, sizes and roi given for these axes only.
  if (auto axes = getInts(ctx.node, "axes")) {
    auto n = normaliseAxes(ctx, *axes, rank, false);
    if (failed(n))
      return failure();
    SmallVector<double> fullScales(rank, 1.0), fullRoi;
    SmallVector<int64_t> fullSizes(x.getShape());
    for (int64_t a = 0; a < rank; ++a)
      fullRoi.push_back(0.0);
    for (int64_t a = 0; a < rank; ++a)
      fullRoi.push_back(1.0);
    for (auto [i, a] : llvm::enumerate(*n)) {
      if (!scales.empty() && i < scales.size())
        fullScales[a] = scales[i];
      if (!sizes.empty() && i < sizes.size())
        fullSizes[a] = sizes[i];
      if (roi.size() == 2 * n->size()) {
        fullRoi[a] = roi[i];
        fullRoi[a + rank] = roi[i + n->size()];
      }
    }
    scales = scales.empty() ? scales : fullScales;
    sizes = sizes.empty() ? sizes : fullSizes;
    roi = roi.empty() ? roi : fullRoi;
  }
  if (scales.empty() == sizes.empty())
    return emitError(ctx.loc) << ctx.node.op_type() << " needs either scales or sizes";
  SmallVector<int64_t> out;
  if (!sizes.empty()) {
    if (static_cast<int64_t>(sizes.size()) != rank)
      return emitError(ctx.loc) << ctx.node.op_type() << " sizes has " << sizes.size()
                                << " entries for rank " << rank;
    scales.clear();
    for (int64_t a = 0; a < rank; ++a) {
      if (x.isDynamicDim(a)) {
        scales.push_back(1.0);
        out.push_back(-1);
        continue;
      }
      scales.push_back(static_cast<double>(sizes[a]) / static_cast<double>(x.getDimSize(a)));
      out.push_back(sizes[a]);
    }
  } else {
    if (static_cast<int64_t>(scales.size()) != rank)
      return emitError(ctx.loc) << ctx.node.op_type() << " scales has " << scales.size()
                                << " entries for rank " << rank;
    for (int64_t a = 0; a < rank; ++a) {
      if (!(scales[a] > 0) || !std::isfinite(scales[a]))
        return emitError(ctx.loc) << ctx.node.op_type() << " scale " << scales[a] << " along axis "
                                  << a << " is not positive";
      out.push_back(x.isDynamicDim(a) ? -1
                                      : static_cast<int64_t>(std::floor(
                                            static_cast<double>(x.getDimSize(a)) * scales[a])));
    }
  }
  if (roi.empty())
    for (int k = 0; k < 2; ++k)
      roi.append(rank, static_cast<double>(k));
  std::string mode = getString(ctx.node, "mode", "nearest");
  if (upsample && mode == "bilinear")
    mode = "linear";
  Builder &b = ctx.builder;
  const std::string coordinates =
      legacy ? "asymmetric" : getString(ctx.node, "coordinate_transformation_mode", "half_pixel");
  const std::string nearest =
      legacy ? "floor" : getString(ctx.node, "nearest_mode", "round_prefer_floor");
  return pushResult(
      ctx,
      buildOp(ctx, "onnx.Resize", ctx.inputs[0],
              {b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(out)),
               b.getNamedAttr("scales", b.getDenseF64ArrayAttr(scales)),
               b.getNamedAttr("roi", b.getDenseF64ArrayAttr(roi)),
               b.getNamedAttr("mode", b.getStringAttr(mode)),
               b.getNamedAttr("coordinate_transformation_mode", b.getStringAttr(coordinates)),
               b.getNamedAttr("nearest_mode", b.getStringAttr(nearest)),
               b.getNamedAttr("cubic_coeff_a",
                              b.getF64FloatAttr(getFloat(ctx.node, "cubic_coeff_a", -0.75f))),
               b.getNamedAttr("exclude_outside",
                              b.getI64IntegerAttr(getInt(ctx.node, "exclude_outside", 0) != 0)),
               b.getNamedAttr("extrapolation_value",
                              b.getF64FloatAttr(getFloat(ctx.node, "extrapolation_value", 0)))}));
}

} // namespace

void addResizeImports(OpTable &m) {
  using A = AttrProto;
  m["Resize"] = {[](NodeContext &c) { return importResize(c, false); },
                 {{"mode", A::STRING},
                  {"coordinate_transformation_mode", A::STRING},
                  {"nearest_mode", A::STRING},
                  {"cubic_coeff_a", A::FLOAT},
                  {"exclude_outside", A::INT},
                  {"extrapolation_value", A::FLOAT},
                  {"antialias", A::INT},
                  {"axes", A::INTS},
                  {"keep_aspect_ratio_policy", A::STRING}}};
  m["Upsample"] = {[](NodeContext &c) { return importResize(c, true); },
                   {{"mode", A::STRING},
                    {"scales", A::FLOATS},
                    {"height_scale", A::FLOAT},
                    {"width_scale", A::FLOAT}}};
}

} // namespace cimlir
