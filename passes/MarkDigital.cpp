//===- MarkDigital.cpp - layers chosen to stay digital ---------------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/onnx/OnnxOps.h"

#include "llvm/ADT/StringMap.h"

namespace cimlir {
#define GEN_PASS_DEF_MARKDIGITAL
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct MarkDigitalPass : public cimlir::impl::MarkDigitalBase<MarkDigitalPass> {
  using MarkDigitalBase::MarkDigitalBase;

  void runOnOperation() final {
    // The layers cim-lower-to-cim places, by node name.
    llvm::StringMap<SmallVector<Operation *, 1>> byName;
    std::vector<std::string> names;
    getOperation().walk([&](Operation *op) {
      if (!isLinearLayer(op) && !isa<onnx::RNNOp, onnx::GRUOp, onnx::LSTMOp>(op))
        return;
      std::string name = layerName(op);
      if (byName[name].empty())
        names.push_back(name);
      byName[name].push_back(op);
    });
    Builder b(&getContext());
    for (const std::string &name : layers) {
      auto it = byName.find(name);
      if (it == byName.end()) {
        std::string list;
        for (const std::string &n : names)
          list += (list.empty() ? "" : ", ") + n;
        getOperation()->emitError()
            << "cim-mark-digital: '" << name
            << "' is no layer of the model (layers: " << (list.empty() ? "none" : list) << ")";
        return signalPassFailure();
      }
      if (it->second.size() > 1) {
        getOperation()->emitError()
            << "cim-mark-digital: " << it->second.size() << " layers are named '" << name
            << "'; a mark cannot tell them apart";
        return signalPassFailure();
      }
      it->second.front()->setAttr(kMarkedDigitalAttr, b.getBoolAttr(true));
      ++numMarked;
    }
  }
};

} // namespace
