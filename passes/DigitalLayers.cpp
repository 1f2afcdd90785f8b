//===- DigitalLayers.cpp - the layers a device keeps digital (§8) ---------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/LayerSettings.h"

namespace cimlir {
#define GEN_PASS_DEF_DIGITALLAYERS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct DigitalLayersPass : public cimlir::impl::DigitalLayersBase<DigitalLayersPass> {
  void runOnOperation() final {
    SmallVector<Operation *> marked;
    getOperation().walk([&](Operation *op) {
      if (op->hasAttr(kDigitalPrecisionAttr))
        marked.push_back(op);
    });
    for (Operation *op : marked)
      if (failed(lower(op)))
        return signalPassFailure();
  }

  LogicalResult lower(Operation *op) {
    auto precision = op->getAttrOfType<StringAttr>(kDigitalPrecisionAttr);
    op->removeAttr(kDigitalPrecisionAttr);
    if (!precision)
      return layerError(op) << kDigitalPrecisionAttr << " must be a string";
    if (precision.getValue() == cim::toString(cim::DigitalPrecision::Fp32)) {
      ++numFp32Layers; // the onnx op computes it, numerics unchanged
      return success();
    }
    if (!isLinearLayer(op))
      return layerError(op)
             << "digital precision '" << precision.getValue()
             << "' applies to a Gemm, MatMul, Conv or ConvTranspose with a constant weight";
    Builder b(op->getContext());
    SmallVector<NamedAttribute> extra{b.getNamedAttr("precision", precision)};
    if (Attribute mark = op->getAttr(kMarkedDigitalAttr))
      extra.push_back(b.getNamedAttr(kMarkedDigitalAttr, mark)); // the plan's step keeps it
    replaceWithLinear<cim::DigitalLinearOp>(op, extra);
    ++numReducedLayers;
    return success();
  }
};

} // namespace
