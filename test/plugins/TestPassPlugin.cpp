//===- TestPassPlugin.cpp - a pass plugin for the lit tests -----------------===//
//
// `cim-test-tag-layers` leaves its result for the runtime on every cim.linear, in the op's
// cim.ext: {test.layer = "<layer name>", test.weights = <weight count>}. It names the cim
// dialect's op class and calls cimlir::layerName, so loading it proves that cim-opt exports
// cimlir's symbols and shares its MLIR (test/lit/plugins/pass-plugin.test).
//
//===----------------------------------------------------------------------===//

#include "dialects/cim/CimOps.h"
#include "passes/LinearLayers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

namespace {

struct TagLayersPass
    : public mlir::PassWrapper<TagLayersPass, mlir::OperationPass<mlir::func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TagLayersPass)

  llvm::StringRef getArgument() const final { return "cim-test-tag-layers"; }
  llvm::StringRef getDescription() const final {
    return "Tags each cim.linear with its name and weight count in cim.ext (a test plugin)";
  }
  TagLayersPass() = default;
  TagLayersPass(const TagLayersPass &other) : PassWrapper(other) {}

  /// For the driver's test of a pass that fails and says nothing.
  Option<bool> failSilently{*this, "fail-silently", llvm::cl::desc("fail without a message"),
                            llvm::cl::init(false)};

  void runOnOperation() final {
    if (failSilently)
      return signalPassFailure();
    mlir::Builder b(&getContext());
    getOperation().walk([&](cimlir::cim::LinearOp op) {
      auto weight = llvm::cast<mlir::ShapedType>(op->getOperand(1).getType());
      op->setAttr(
          cimlir::cim::kExtAttr,
          b.getDictionaryAttr(
              {b.getNamedAttr("test.layer", b.getStringAttr(cimlir::layerName(op))),
               b.getNamedAttr("test.weights", b.getI64IntegerAttr(weight.getNumElements()))}));
    });
  }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "CimlirTestPassPlugin", "0.1",
          []() { mlir::PassRegistration<TagLayersPass>(); }};
}
