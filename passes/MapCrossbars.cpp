//===- MapCrossbars.cpp - tile CIM layers onto crossbar arrays ------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cpu/Recurrent.h"

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
    // The rows of x one sample gives: a conv's output pixels, a matmul's leading dimensions.
    int64_t rowsPerSample = 1;
    if (op.getKind() == "conv") {
      for (int64_t d : op.getY().getType().getShape().drop_front(2))
        rowsPerSample *= d;
    } else if (op.getKind() == "matmul") {
      for (int64_t d : op.getX().getType().getShape().drop_front().drop_back())
        rowsPerSample *= d;
    } else if (op.getKind() == "conv_transpose") { // one row per input position
      for (int64_t d : op.getX().getType().getShape().drop_front(2))
        rowsPerSample *= d;
    } else if (cpu::recurrentCellOfKind(op.getKind())) {
      // A recurrent layer reads its crossbars once a step (a GRU without linear_before_reset
      // twice): x is the input gates [seq, batch, ...].
      const bool twice = op.getKind() == "gru" && *op.getLinearBeforeReset() == 0;
      rowsPerSample = op.getX().getType().getDimSize(0) * (twice ? 2 : 1);
    }
    auto mapping = cim::MappingAttr::get(
        op.getContext(), values.crossbar, shape.k, shape.n, shape.groups,
        static_cast<int64_t>(weights.getSettings().slices.size()), rowsPerSample);
    op.setMappingAttr(mapping);
    crossbar.commit();
    numArrays += mapping.arrays();
    return success();
  }
};

} // namespace
