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
    auto bits = inputs.takeInteger("bits");
    auto slices = inputs.takeIntegers("slices");
    auto scale = inputs.takeString("scale");
    auto clip = inputs.takeNumber("clip_percentile");
    if (failed(inputs.status()))
      return failure();
    // `static` needs s_x per group from calibration: cim-apply-calibration writes it.
    if (!cim::enumFromString<cim::InputScale>(*scale))
      return layerError(op) << "inputs.scale is '" << *scale << "', expected one of "
                            << cim::enumNameList<cim::InputScale>();
    Builder b(op.getContext());
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr("bits", b.getI64IntegerAttr(*bits)),
        b.getNamedAttr("scale", b.getStringAttr(*scale)),
        b.getNamedAttr("clip_percentile", b.getF64FloatAttr(*clip))};
    attrs.append(sliceAttrs(b, *slices));
    op.setInputsAttr(b.getDictionaryAttr(attrs));
    inputs.commit();
    numDacSlices += static_cast<int64_t>(slices->size());
    return success();
  }
};

} // namespace
