//===- SliceInputs.cpp - input quantization and DAC slices (§3) -----------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/LayerSettings.h"

namespace cimlir {
#define GEN_PASS_DEF_SLICEINPUTS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct SliceInputsPass : public cimlir::impl::SliceInputsBase<SliceInputsPass> {
  void runOnOperation() final {
    if (failed(forEachUndecided(getOperation(), "inputs",
                                [&](cim::LinearOp op) { return slice(op); })))
      signalPassFailure();
  }

  LogicalResult slice(cim::LinearOp op) {
    SettingsSection inputs(op, "inputs");
    // The DAC carries h - 1 bits of a hybrid layer: that split comes first.
    if (inputs.has("hybrid_analog_bits"))
      return layerError(op) << "inputs.hybrid_analog_bits is not decided yet; run "
                               "cim-hybrid-split before cim-slice-inputs";
    // `static` scales come from calibration: cim-apply-calibration writes them.
    cim::LayerSettings values;
    if (failed(inputs.takeFields(values)))
      return failure();
    // The decision records α; cim-smooth-inputs must have done the smoothing.
    if (values.inputs.smoothAlpha > 0 && !op->hasAttr(kSmoothedAttr))
      return layerError(op) << "inputs.smooth_alpha "
                            << cim::formatNumber(values.inputs.smoothAlpha)
                            << " needs cim-smooth-inputs first (cim-opt --calibration DATASET "
                               "measures the channel maxima it needs)";
    op.setInputsAttr(cim::InputsAttr::get(op.getContext(), values.inputs, nullptr));
    inputs.commit();
    numDacSlices += static_cast<int64_t>(values.inputs.slices.size());
    return success();
  }
};

} // namespace
