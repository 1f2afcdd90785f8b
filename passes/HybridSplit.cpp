//===- HybridSplit.cpp - analog clamp and digital residual (§7) ------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/Quantization.h"

namespace cimlir {
#define GEN_PASS_DEF_HYBRIDSPLIT
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct HybridSplitPass : public cimlir::impl::HybridSplitBase<HybridSplitPass> {
  void runOnOperation() final {
    if (failed(forEachUndecided(getOperation(), "hybrid",
                                [&](cim::LinearOp op) { return split(op); })))
      signalPassFailure();
  }

  LogicalResult split(cim::LinearOp op) {
    SettingsSection inputs(op, "inputs");
    if (!inputs.has("hybrid_analog_bits"))
      return success(); // decided already
    auto h = inputs.takeInteger("hybrid_analog_bits");
    auto bits = inputs.peekInteger("bits");
    if (failed(inputs.status()))
      return failure();
    if (*h != 0 && (*h < 2 || *h > *bits))
      return layerError(op) << "inputs.hybrid_analog_bits is " << *h << ", expected 0 or 2.."
                            << *bits << " (inputs.bits)";
    inputs.commit();
    if (*h == 0)
      return success();
    Builder b(op.getContext());
    op.setHybridAttr(
        cim::HybridAttr::get(op.getContext(), *h, cim::symmetricQmax(static_cast<int>(*h))));
    ++numHybridLayers;
    return success();
  }
};

} // namespace
