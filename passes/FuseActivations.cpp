//===- FuseActivations.cpp - a layer's bias and ReLU into its epilogue ----===//

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

/// The bias [N] that the Add reading a matmul layer's y alone adds to every row (either operand
/// order), where the layer can take it (no bias or activation yet; the bias defined before the
/// layer in its block, so that the layer may read it, or a constant, moved there); null
/// otherwise.
Value fusableBias(Operation *layer) {
  Value y = layer->getResult(0);
  auto kind = layer->getAttrOfType<StringAttr>("kind");
  if (!kind || kind.getValue() != "matmul" || layer->getNumOperands() != 2 ||
      layer->hasAttr("activation") || !y.hasOneUse())
    return nullptr;
  auto add = dyn_cast<onnx::AddOp>(*y.getUsers().begin());
  if (!add || add.getType() != y.getType())
    return nullptr;
  Value bias = add->getOperand(0) == y ? add->getOperand(1) : add->getOperand(0);
  const int64_t N = cim::getLinearShape(layer).n;
  if (bias == y ||
      bias.getType() != RankedTensorType::get({N}, Float32Type::get(layer->getContext())))
    return nullptr;
  Operation *def = bias.getDefiningOp();
  Block *block = def ? def->getBlock() : cast<BlockArgument>(bias).getOwner();
  if (block != layer->getBlock())
    return nullptr;
  if (def && !def->isBeforeInBlock(layer)) {
    // A constant made after the layer (cim-fold-batch-norm's bias of a MatMul) moves before
    // it; any other value defined after the layer may depend on it.
    if (!def->hasTrait<OpTrait::ConstantLike>())
      return nullptr;
    def->moveBefore(layer);
  }
  return bias;
}

struct FuseActivationsPass : public cimlir::impl::FuseActivationsBase<FuseActivationsPass> {
  void runOnOperation() final {
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isa<cim::LinearOp, cim::DigitalLinearOp>(op))
        layers.push_back(op);
    });
    Builder b(&getContext());
    for (Operation *layer : layers) {
      Value y = layer->getResult(0);
      // A matmul's bias Add (a Linear layer exported as MatMul and Add): the step adds it to y
      // as §6 adds a bias, before a ReLU.
      if (Value bias = fusableBias(layer)) {
        Operation *add = *y.getUsers().begin();
        layer->insertOperands(2, bias);
        layer->setLoc(fusedLocation(layer, add));
        add->getResult(0).replaceAllUsesWith(y);
        add->erase();
        ++numBiases;
      }
      // The layer's y must feed the ReLU alone: another user would read y before it.
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
