//===- MapCrossbars.cpp - tile CIM layers onto crossbar arrays ------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

namespace cimlir {
#define GEN_PASS_DEF_MAPCROSSBARS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct MapCrossbarsPass : public cimlir::impl::MapCrossbarsBase<MapCrossbarsPass> {
  void runOnOperation() final {
    if (failed(
            forEachUndecided(getOperation(), "mapping", [&](cim::LinearOp op) { return map(op); })))
      signalPassFailure();
  }

  LogicalResult map(cim::LinearOp op) {
    auto weights = op.getWeightsAttr();
    if (!weights)
      return layerError(op) << "has no weight slices to map; run cim-quantize-weights before "
                               "cim-map-crossbars";
    SettingsSection crossbar(op, "crossbar");
    cim::LayerSettings values;
    if (failed(crossbar.takeFields(values))) // rows >= 1, cols >= 2: a column pair
      return failure();
    const cim::LinearShape shape = cim::getLinearShape(op);
    auto mapping = cim::MappingAttr::get(
        op.getContext(), values.crossbar, shape.k, shape.n, shape.groups,
        static_cast<int64_t>(weights.getSettings().slices.size()), shape.rowsPerSample);
    op.setMappingAttr(mapping);
    crossbar.commit();
    numArrays += mapping.arrays();
    return success();
  }
};

} // namespace
