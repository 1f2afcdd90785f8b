//===- QuantizeWeights.cpp - s_w, Wq and the weight slices (§1, §2) -------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/onnx/OnnxOps.h"
#include "kernels/cim/WeightLayout.h"

#include "mlir/IR/DialectResourceBlobManager.h"

namespace cimlir {
#define GEN_PASS_DEF_QUANTIZEWEIGHTS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct QuantizeWeightsPass : public cimlir::impl::QuantizeWeightsBase<QuantizeWeightsPass> {
  void runOnOperation() final {
    if (failed(forEachUndecided(getOperation(), "weights",
                                [&](cim::LinearOp op) { return quantize(op); })))
      signalPassFailure();
  }

  LogicalResult quantize(cim::LinearOp op) {
    SettingsSection weights(op, "weights");
    cim::CimParams params;
    if (failed(weights.takeFields(params)))
      return failure();
    // The device-file rules across the weights' fields (the other sections keep valid
    // defaults here).
    if (auto problem = cim::checkAcrossFields(params))
      return layerError(op) << problem->field << ": " << problem->what;
    const int64_t bits = params.weights.bits;

    auto constant = op.getWeight().getDefiningOp<onnx::ConstantOp>();
    if (!constant)
      return layerError(op) << "W is not an onnx.Constant; CIM weights are programmed before "
                               "the layer runs";
    const cim::LinearShape shape = cim::getLinearShape(op);
    cim::WeightLayout layout{shape.groups, shape.k, shape.n, shape.outputMajor};
    auto wType = op.getWeight().getType();
    cim::LayerWeights quantized;
    if (params.weights.source == cim::WeightSource::Model) {
      if (failed(modelWeights(op, constant, layout, params, quantized)))
        return failure();
    } else {
      auto w = constantFloats(op, constant.getValue());
      if (failed(w))
        return failure();
      Tensor wTensor = Tensor::view(DType::F32, Shape(wType.getShape()), w->data(), nullptr);
      if (std::string error = cim::tryQuantizeLayerWeights(wTensor, layout, params, quantized);
          !error.empty())
        return layerError(op) << error;
    }

    // Wq replaces W, in W's layout (the runtime takes each group's matrix out of it).
    OpBuilder b(op);
    auto type =
        RankedTensorType::get(wType.getShape(), b.getIntegerType(cim::quantizedWeightWidth(bits)));
    auto res = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
    std::string key = (res ? res.getRawHandle().getKey().str() : std::string("weights")) + "_q";
    ElementsAttr levels = bits <= 8 ? constantData(type, quantized.levels.data<int8_t>(), key)
                                    : constantData(type, quantized.levels.data<int16_t>(), key);
    auto wq = onnx::ConstantOp::create(b, constant.getLoc(), type, levels);
    op.getWeightMutable().assign(wq);
    if (constant->use_empty())
      constant->erase();

    op.setWeightsAttr(cim::WeightsAttr::get(op.getContext(), params.weights,
                                            b.getDenseF32ArrayAttr(quantized.scales)));
    weights.commit();
    numWeights += wType.getNumElements();
    return success();
  }

  /// The model's own integer weights (`weights.source` "model"): the levels and scales of the
  /// DequantizeLinear the importer folded into W (onnx::kQuantizedOriginAttr).
  LogicalResult modelWeights(cim::LinearOp op, onnx::ConstantOp constant,
                             const cim::WeightLayout &layout, const cim::CimParams &params,
                             cim::LayerWeights &out) {
    auto origin = constant->getAttrOfType<DictionaryAttr>(onnx::kQuantizedOriginAttr);
    if (!origin)
      return layerError(op) << "weights.source is 'model', but the model does not quantize this "
                               "layer's weight (no DequantizeLinear of int8 levels feeds it); "
                               "give the layer weights.source 'float' in the device file's "
                               "\"layers\"";
    auto levels = origin.getAs<ElementsAttr>("levels");
    auto scale = origin.getAs<ElementsAttr>("scale");
    if (auto zero = origin.getAs<ElementsAttr>("zero_point"))
      for (APInt z : zero.getValues<APInt>())
        if (!z.isZero())
          return layerError(op) << "weights.source is 'model', but the model's weight zero point "
                                   "is not 0 (CIM weights are symmetric, §1)";
    auto axisAttr = origin.getAs<IntegerAttr>("axis");
    std::vector<int8_t> levelData;
    for (APInt v : levels.getValues<APInt>())
      levelData.push_back(static_cast<int8_t>(v.getSExtValue()));
    std::vector<float> scales;
    for (APFloat v : scale.getValues<APFloat>())
      scales.push_back(v.convertToFloat());
    auto shape = cast<ShapedType>(levels.getType()).getShape();
    Tensor levelTensor =
        Tensor::view(DType::I8, Shape(shape.begin(), shape.end()), levelData.data(), nullptr);
    int64_t axis = axisAttr ? axisAttr.getInt() : 1;
    if (axis < 0)
      axis += static_cast<int64_t>(shape.size());
    if (std::string error =
            cim::tryModelLayerWeights(levelTensor, scales, axis, layout, params, out);
        !error.empty())
      return layerError(op) << "weights.source 'model': " << error;
    return success();
  }
};

} // namespace
