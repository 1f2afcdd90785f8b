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

struct ConfigureAdcPass : public cimlir::impl::ConfigureAdcBase<ConfigureAdcPass> {
  void runOnOperation() final {
    if (failed(forEachUndecided(getOperation(), "adc",
                                [&](cim::LinearOp op) { return configure(op); })))
      signalPassFailure();
  }

  LogicalResult configure(cim::LinearOp op) {
    auto inputs = op.getInputsAttr();
    auto weights = op.getWeightsAttr();
    auto mapping = op.getMappingAttr();
    if (!inputs || !weights || !mapping)
      return layerError(op) << "needs its weight slices, DAC slices and mapping; run "
                               "cim-quantize-weights, cim-slice-inputs and cim-map-crossbars "
                               "before cim-configure-adc";
    SettingsSection adc(op, "adc");
    cim::LayerSettings values;
    if (failed(adc.takeFields(values)))
      return failure();
    // A searched range sets a calibrated ADC's full scales; on another mode it would do
    // nothing (the device asked for something no run uses). cim-run --set adc.mode may still
    // switch a calibrated layer's mode later: the rule is the compiler's, not the field table's.
    if (values.adc.range != cim::RangeMethod::Percentile &&
        values.adc.mode != cim::AdcMode::Calibrated)
      return layerError(op) << "adc.range '" << cim::toString(values.adc.range)
                            << "' sets a calibrated ADC's full scales, but adc.mode is '"
                            << cim::toString(values.adc.mode) << "'";
    if (values.adc.range == cim::RangeMethod::Kl && values.adc.bits > cim::kKlMostBits)
      return layerError(op) << "adc.range 'kl' is the entropy search of INT8 tools, for at most "
                            << cim::kKlMostBits << " bits; adc.bits is " << values.adc.bits
                            << " (use 'mse')";
    // A `calibrated` ADC needs its full scales from calibration: cim-apply-calibration
    // writes them.
    // `full` mode's full scales, written whatever the mode: cim-run --set adc.mode=full may
    // select it, and the runtime converts with what the plan says.
    std::vector<int64_t> fullScales =
        cim::fullModeScales(mapping.getK(), mapping.getCrossbar().rows, inputs.getSettings().slices,
                            weights.getSettings().slices);
    Builder b(op.getContext());
    op.setAdcAttr(cim::AdcAttr::get(op.getContext(), values.adc, b.getDenseI64ArrayAttr(fullScales),
                                    nullptr));
    adc.commit();
    numFullScales += static_cast<int64_t>(fullScales.size());
    return success();
  }
};

} // namespace
