//===- ConfigureAdc.cpp - the ADC of every slice pair (§5) -----------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/CimParams.h"

namespace cimlir {
#define GEN_PASS_DEF_CONFIGUREADC
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// The widths of a decided `weights` or `inputs` slice list.
std::vector<int> widths(DictionaryAttr decision) {
  auto slices = decision ? decision.getAs<DenseI64ArrayAttr>("slices") : nullptr;
  if (!slices)
    return {};
  return std::vector<int>(slices.asArrayRef().begin(), slices.asArrayRef().end());
}

struct ConfigureAdcPass : public cimlir::impl::ConfigureAdcBase<ConfigureAdcPass> {
  void runOnOperation() final {
    if (failed(forEachUndecided(getOperation(), "adc",
                                [&](cim::LinearOp op) { return configure(op); })))
      signalPassFailure();
  }

  LogicalResult configure(cim::LinearOp op) {
    std::vector<int> a = widths(op.getInputsAttr()), b = widths(op.getWeightsAttr());
    auto mapping = op.getMappingAttr();
    if (a.empty() || b.empty() || !mapping)
      return layerError(op) << "needs its weight slices, DAC slices and mapping; run "
                               "cim-quantize-weights, cim-slice-inputs and cim-map-crossbars "
                               "before cim-configure-adc";
    SettingsSection adc(op, "adc");
    cim::LayerSettings values;
    auto fields = adc.takeFields(values);
    if (failed(fields))
      return failure();
    // A `calibrated` ADC needs its full scales from calibration: cim-apply-calibration
    // writes them.
    // `full` mode's full scales, written whatever the mode: cim-run --set adc.mode=full may
    // select it, and the runtime converts with what the plan says.
    std::vector<int64_t> fullScales =
        cim::fullModeScales(mapping.getAs<IntegerAttr>("k").getInt(),
                            mapping.getAs<IntegerAttr>("rows").getInt(), a, b);
    Builder builder(op.getContext());
    SmallVector<NamedAttribute> attrs = *fields;
    attrs.push_back(builder.getNamedAttr("full_scales", builder.getDenseI64ArrayAttr(fullScales)));
    op.setAdcAttr(builder.getDictionaryAttr(attrs));
    adc.commit();
    numFullScales += static_cast<int64_t>(fullScales.size());
    return success();
  }
};

} // namespace
