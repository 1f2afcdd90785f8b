//===- VerifyPlanContract.cpp - is the IR ready for plan emission? --------===//

#include "kernels/cim/LayerSettings.h"
#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/cim/CimDialect.h"
#include "dialects/onnx/ElementTypes.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinTypes.h"

namespace cimlir {
#define GEN_PASS_DEF_VERIFYPLANCONTRACT
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

LogicalResult checkType(Operation *op, Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t)
    return op->emitError() << "plans hold ranked tensors only, got " << type;
  if (!dtypeOf(t.getElementType()))
    return op->emitError() << "plans cannot hold element type " << t.getElementType();
  int dynamic = llvm::count_if(t.getShape(), ShapedType::isDynamic);
  if (dynamic > 1)
    return op->emitError() << "type " << t
                           << " has more than one batch dimension; cim-run binds one";
  return success();
}

/// A cim.linear is ready when every decision is made: no device setting is left undecided
/// and each decision the runtime reads is there.
LogicalResult checkLinear(cim::LinearOp op) {
  if (auto settings = op.getSettingsAttr()) {
    auto diag = layerError(op) << "has device settings no pass decided:";
    for (NamedAttribute section : settings)
      for (NamedAttribute field : cast<DictionaryAttr>(section.getValue()))
        diag << " " << section.getName().getValue() << "." << field.getName().getValue();
    return diag << " (run the whole cim-compile pipeline)";
  }
  if (!op.getWeightsAttr() || !op.getInputsAttr() || !op.getMappingAttr() || !op.getAdcAttr() ||
      !op.getNoiseAttr())
    return layerError(op) << "lacks one of weights, inputs, mapping, adc, noise (run the whole "
                             "cim-compile pipeline)";
  if (op.getInputsAttr().getSettings().scale == cim::InputScale::Static &&
      !op.getInputsAttr().getStaticScales())
    return layerError(op) << "has inputs.scale 'static' but no inputs.static_scales (compile "
                             "with cim-opt --calibration DATASET, or run cim-apply-calibration)";
  if (op.getAdcAttr().getSettings().mode == cim::AdcMode::Calibrated &&
      !op.getAdcAttr().getCalibratedFullScales())
    return layerError(op) << "has adc.mode 'calibrated' but no adc.calibrated_full_scales "
                             "(compile with cim-opt --calibration DATASET, or run "
                             "cim-apply-calibration)";
  return success();
}

struct VerifyPlanContractPass
    : public cimlir::impl::VerifyPlanContractBase<VerifyPlanContractPass> {
  void runOnOperation() final {
    func::FuncOp func = getOperation();
    bool ok = true;
    for (BlockArgument arg : func.getArguments())
      ok &= succeeded(checkType(func, arg.getType()));
    func.getBody().walk([&](Operation *op) {
      if (isa<func::ReturnOp>(op))
        return;
      if (!isa_and_nonnull<cimlir::onnx::OnnxDialect, cimlir::cim::CimDialect>(op->getDialect())) {
        op->emitError() << "op '" << op->getName() << "' has no runtime step";
        ok = false;
        return;
      }
      if (op->hasAttr(kDigitalPrecisionAttr)) {
        layerError(op) << "is marked digital but not lowered (run cim-digital-layers)";
        ok = false;
      }
      if (auto linear = dyn_cast<cim::LinearOp>(op))
        ok &= succeeded(checkLinear(linear));
      for (Type t : op->getResultTypes())
        ok &= succeeded(checkType(op, t));
      ++numSteps;
    });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
