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
    auto fields = noise.takeFields(values);
    if (failed(fields))
      return failure();
    Builder b(op.getContext());
    Type u64 = b.getIntegerType(64, /*isSigned=*/false);
    // §9: the chip of group g is keyed by FNV-1a 64 of "<layer>#g<g>".
    SmallVector<Attribute> ids;
    for (int64_t g = 0, groups = cim::getLinearShape(op).groups; g < groups; ++g)
      ids.push_back(b.getIntegerAttr(u64, cim::layerId(op.getLayer(), g)));
    SmallVector<NamedAttribute> attrs = *fields;
    attrs.push_back(b.getNamedAttr("layer_ids", b.getArrayAttr(ids)));
    op.setNoiseAttr(b.getDictionaryAttr(attrs));
    noise.commit();
    numLayerIds += static_cast<int64_t>(ids.size());
    return success();
  }
};

} // namespace
