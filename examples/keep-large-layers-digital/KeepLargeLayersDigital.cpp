//===- KeepLargeLayersDigital.cpp - an out-of-tree cim-opt pass ------------===//
//
// `keep-large-layers-digital{max-weights=N}` marks every layer with more than N weights to
// stay digital, before cim-compile places the model: the mark (cim.marked_digital, which
// cim-mark-digital also sets) makes cim-lower-to-cim keep the layer off the crossbars. Run it
// ahead of the pipeline:
//
//   cim-opt model.onnx --load-pass-plugin=KeepLargeLayersDigital.so \
//     --pass-pipeline='builtin.module(func.func(keep-large-layers-digital{max-weights=100000}),
//                                     cim-compile{device=rram-256})' -o plan.bin
//
// It uses cimlir's own helpers (passes/LinearLayers.h), which cim-opt provides at load time.
//
//===----------------------------------------------------------------------===//

#include "passes/LinearLayers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

namespace {

struct KeepLargeLayersDigital
    : public mlir::PassWrapper<KeepLargeLayersDigital, mlir::OperationPass<mlir::func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(KeepLargeLayersDigital)

  KeepLargeLayersDigital() = default;
  KeepLargeLayersDigital(const KeepLargeLayersDigital &other) : PassWrapper(other) {}

  llvm::StringRef getArgument() const final { return "keep-large-layers-digital"; }
  llvm::StringRef getDescription() const final {
    return "Keeps every layer with more than max-weights weights digital (an example plugin)";
  }

  void runOnOperation() final {
    if (maxWeights < 0) {
      getOperation().emitError() << "keep-large-layers-digital: max-weights must be at least 0";
      return signalPassFailure();
    }
    mlir::Builder b(&getContext());
    getOperation().walk([&](mlir::Operation *op) {
      // A Gemm, MatMul or Conv whose weight (operand 1) is a constant: what cim-compile places.
      if (!cimlir::isLinearLayer(op))
        return;
      auto weight = llvm::cast<mlir::ShapedType>(op->getOperand(1).getType());
      if (weight.getNumElements() > maxWeights)
        op->setAttr(cimlir::kMarkedDigitalAttr, b.getBoolAttr(true));
    });
  }

  Option<int64_t> maxWeights{*this, "max-weights",
                             llvm::cl::desc("the most weights a layer on crossbars may hold"),
                             llvm::cl::init(std::numeric_limits<int64_t>::max())};
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "KeepLargeLayersDigital", "0.1",
          []() { mlir::PassRegistration<KeepLargeLayersDigital>(); }};
}
