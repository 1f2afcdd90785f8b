//===- HybridSplit.cpp - analog clamp and digital residual (§7) ------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/LayerSettings.h"
#include "kernels/cim/Quantization.h"

#include <algorithm>

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
    // 0, or in the field's range and at most inputs.bits (h = bits is plain analog).
    const cim::LayerField *field = cim::findLayerField("inputs.hybrid_analog_bits");
    const int64_t top = std::min<int64_t>(*bits, static_cast<int64_t>(field->hi));
    if (*h != 0 && (*h < static_cast<int64_t>(field->lo) || *h > top))
      return layerError(op) << "inputs.hybrid_analog_bits is " << *h << ", expected 0 or "
                            << static_cast<int64_t>(field->lo) << ".." << top << " (inputs.bits "
                            << *bits << ")";
    inputs.commit();
    if (*h == 0)
      return success();
    op.setHybridAttr(
        cim::HybridAttr::get(op.getContext(), *h, cim::symmetricQmax(static_cast<int>(*h))));
    ++numHybridLayers;
    return success();
  }
};

} // namespace
