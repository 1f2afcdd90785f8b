//===- FuseActivations.cpp - a layer's ReLU into its epilogue -------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/Recurrent.h"

#include "mlir/IR/Builders.h"

namespace cimlir {
#define GEN_PASS_DEF_FUSEACTIVATIONS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct FuseActivationsPass : public cimlir::impl::FuseActivationsBase<FuseActivationsPass> {
  void runOnOperation() final {
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isa<cim::LinearOp, cim::DigitalLinearOp>(op))
        layers.push_back(op);
    });
    Builder b(&getContext());
    for (Operation *layer : layers) {
      // The layer's y must feed the ReLU alone: another user would read y before it.
      Value y = layer->getResult(0);
      if (layer->hasAttr("activation") || !y.hasOneUse() ||
          cpu::recurrentCellOfKind(layer->getAttrOfType<StringAttr>("kind").getValue()))
        continue;
      auto relu = dyn_cast<onnx::ReluOp>(*y.getUsers().begin());
      if (!relu || relu.getType() != y.getType())
        continue;
      layer->setAttr("activation", b.getStringAttr("relu"));
      layer->setLoc(fusedLocation(layer, relu));
      relu.getResult().replaceAllUsesWith(y);
      relu->erase();
      ++numFused;
    }
  }
};

} // namespace
