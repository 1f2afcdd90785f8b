//===- Pipeline.cpp - the cim-compile pipeline ----------------------------===//
//
// The compile pipeline, built in code and registered as `cim-compile` so that
// `cim-opt --pass-pipeline='builtin.module(cim-compile)'` runs exactly what
// `cim-opt model.onnx -o plan.bin` runs.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace cimlir {

void buildPlacementPipeline(mlir::OpPassManager &pm, const std::string &device,
                            const std::string &deviceJson) {
  // Folds onnx.Identity away and deduplicates constants.
  pm.addPass(mlir::createCanonicalizerPass());
  // Placement: cim.linear with the resolved device settings, digital layers lowered.
  pm.addNestedPass<mlir::func::FuncOp>(createLowerToCim(LowerToCimOptions{device, deviceJson}));
  pm.addNestedPass<mlir::func::FuncOp>(createDigitalLayers());
}

void buildDecisionPipeline(mlir::OpPassManager &pm, std::shared_ptr<const calibration::Table> table,
                           const std::string &tableName) {
  // One decision per pass (Passes.td says what each reads and writes).
  pm.addNestedPass<mlir::func::FuncOp>(createHybridSplit());
  pm.addNestedPass<mlir::func::FuncOp>(createQuantizeWeights());
  pm.addNestedPass<mlir::func::FuncOp>(createSliceInputs());
  pm.addNestedPass<mlir::func::FuncOp>(createMapCrossbars());
  pm.addNestedPass<mlir::func::FuncOp>(createConfigureAdc());
  if (table)
    pm.addNestedPass<mlir::func::FuncOp>(createApplyCalibration(std::move(table), tableName));
  pm.addNestedPass<mlir::func::FuncOp>(createAssignSeeds());
  pm.addNestedPass<mlir::func::FuncOp>(createVerifyPlanContract());
}

void buildCompilePipeline(mlir::OpPassManager &pm, const std::string &device) {
  buildPlacementPipeline(pm, device);
  buildDecisionPipeline(pm);
}

void registerCompilerPasses() {
  registerCimlirPasses();
  mlir::PassPipelineRegistration<>(
      "cim-compile", "the full cimlir compile pipeline (onnx -> plan-ready IR), digital device",
      [](mlir::OpPassManager &pm) { buildCompilePipeline(pm); });
}

} // namespace cimlir
