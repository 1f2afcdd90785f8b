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
    auto w = constantFloats(op, constant.getValue());
    if (failed(w))
      return failure();
    const cim::LinearShape shape = cim::getLinearShape(op);
    cim::WeightLayout layout{shape.groups, shape.k, shape.n, shape.outputMajor};
    auto wType = op.getWeight().getType();
    Tensor wTensor = Tensor::view(DType::F32, Shape(wType.getShape()), w->data(), nullptr);
    cim::LayerWeights quantized;
    if (std::string error = cim::tryQuantizeLayerWeights(wTensor, layout, params, quantized);
        !error.empty())
      return layerError(op) << error;

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
};

} // namespace
