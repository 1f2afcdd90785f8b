//===- AssignSeeds.cpp - noise, seeds and layer ids (§4, §9) ---------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/LayerId.h"

namespace cimlir {
#define GEN_PASS_DEF_ASSIGNSEEDS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct AssignSeedsPass : public cimlir::impl::AssignSeedsBase<AssignSeedsPass> {
  void runOnOperation() final {
    if (failed(forEachUndecided(getOperation(), "noise",
                                [&](cim::LinearOp op) { return assign(op); })))
      signalPassFailure();
  }

  LogicalResult assign(cim::LinearOp op) {
    SettingsSection noise(op, "noise");
    cim::LayerSettings values;
    if (failed(noise.takeFields(values)))
      return failure();
    // §9: the chip of group g is keyed by FNV-1a 64 of "<layer>#g<g>".
    SmallVector<uint64_t> ids;
    for (int64_t g = 0, groups = cim::getLinearShape(op).groups; g < groups; ++g)
      ids.push_back(cim::layerId(op.getLayer(), g));
    op.setNoiseAttr(cim::NoiseAttr::get(op.getContext(), values.noise, ids));
    noise.commit();
    numLayerIds += static_cast<int64_t>(ids.size());
    return success();
  }
};

} // namespace
