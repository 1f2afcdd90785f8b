//===- FuseNormalization.cpp - a LayerNormalization into the CIM layers it feeds ===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/STLExtras.h"

namespace cimlir {
#define GEN_PASS_DEF_FUSENORMALIZATION
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// Whether `norm` is a normalisation a layer can take: over the last axis of a float32 x, with
/// a scale and bias of one value per row element, its Mean and InvStdDev unread, and an
/// epsilon the prologue takes.
bool fusable(onnx::LayerNormalizationOp norm) {
  auto x = cast<RankedTensorType>(norm.getX().getType());
  const int64_t K = x.getRank() ? x.getShape().back() : ShapedType::kDynamic;
  auto row = RankedTensorType::get({K}, x.getElementType());
  cpu::LayerNormPrologue p;
  p.epsilon = norm.getEpsilon().convertToFloat();
  p.scale = 2;
  return x.getElementType().isF32() && !ShapedType::isDynamic(K) && norm.getY().getType() == x &&
         static_cast<int64_t>(norm.getAxis()) == x.getRank() - 1 &&
         norm.getScale().getType() == row && (!norm.getB() || norm.getB().getType() == row) &&
         norm.getMean().use_empty() && norm.getInvStdDev().use_empty() &&
         cpu::layerNormPrologueError(p, "matmul", p.inputs()).empty();
}

/// Whether `use` is the x of a layer that can take the normalisation of its rows (of K
/// values): a CIM gemm or matmul without one.
bool takesNormalization(OpOperand &use, int64_t K) {
  auto layer = dyn_cast<cim::LinearOp>(use.getOwner());
  return layer && use.getOperandNumber() == 0 && !layer.getLayerNormAttr() &&
         (layer.getKind() == "gemm" || layer.getKind() == "matmul") &&
         cim::getLinearShape(layer).k == K;
}

/// Whether every use of `v` is a layer's x that takes the normalisation of its rows.
bool allTakeNormalization(Value v, int64_t K) {
  return !v.use_empty() &&
         llvm::all_of(v.getUses(), [&](OpOperand &use) { return takesNormalization(use, K); });
}

/// Whether `use` is the data of a Reshape that keeps the rows (its input's and its result's
/// last extent are K, so element i is in row i / K in both: the normalisation commutes with
/// it), and whose result only layers read as their x.
bool keepsRowsForLayers(OpOperand &use, int64_t K) {
  auto reshape = dyn_cast<onnx::ReshapeOp>(use.getOwner());
  if (!reshape || use.getOperandNumber() != 0)
    return false;
  auto out = cast<RankedTensorType>(reshape.getType());
  return out.getRank() >= 1 && out.getShape().back() == K &&
         allTakeNormalization(reshape.getResult(), K);
}

/// `layer` normalises its x's rows with `norm`'s scale and bias: they are appended after its
/// operands and `layer_norm` names them.
void fuseInto(cim::LinearOp layer, onnx::LayerNormalizationOp norm) {
  using Prologue = cpu::LayerNormPrologue;
  Builder b(layer.getContext());
  const int64_t scale = layer->getNumOperands();
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr(Prologue::kEpsilon, norm.getEpsilonAttr()),
      b.getNamedAttr(Prologue::kScale, b.getI64IntegerAttr(scale))};
  SmallVector<Value> operands = {norm.getScale()};
  if (norm.getB()) {
    fields.push_back(b.getNamedAttr(Prologue::kBias, b.getI64IntegerAttr(scale + 1)));
    operands.push_back(norm.getB());
  }
  layer->insertOperands(layer->getNumOperands(), operands);
  layer.setLayerNormAttr(b.getDictionaryAttr(fields));
  layer->setLoc(fusedLocation(layer, norm));
}

struct FuseNormalizationPass : public cimlir::impl::FuseNormalizationBase<FuseNormalizationPass> {
  void runOnOperation() final {
    SmallVector<onnx::LayerNormalizationOp> norms;
    getOperation().walk([&](onnx::LayerNormalizationOp op) { norms.push_back(op); });
    for (onnx::LayerNormalizationOp norm : norms) {
      if (!fusable(norm))
        continue;
      // Every reader of Y takes the normalisation (each computes it on its rows), directly or
      // through a Reshape that keeps the rows (GPT-2's [batch, seq, K] to [batch·seq, K]
      // before its Gemm): a reader that could not would need Y written, and the fusion would
      // save nothing.
      Value y = norm.getY();
      const int64_t K = cast<RankedTensorType>(y.getType()).getShape().back();
      if (y.use_empty() || !llvm::all_of(y.getUses(), [&](OpOperand &use) {
            return takesNormalization(use, K) || keepsRowsForLayers(use, K);
          }))
        continue;
      for (Operation *user : llvm::make_early_inc_range(y.getUsers())) {
        if (auto layer = dyn_cast<cim::LinearOp>(user)) {
          layer.getXMutable().assign(norm.getX());
          fuseInto(layer, norm);
          ++numFused;
          continue;
        }
        // The Reshape now reshapes the normalisation's input, which has Y's type.
        auto reshape = cast<onnx::ReshapeOp>(user);
        reshape.getDataMutable().assign(norm.getX());
        for (Operation *reader : reshape.getResult().getUsers()) {
          fuseInto(cast<cim::LinearOp>(reader), norm);
          ++numFused;
        }
      }
      norm->erase();
    }
  }
};

} // namespace
