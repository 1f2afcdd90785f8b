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

namespace {

/// Placement with `lowerToCim` (which knows the device): canonicalize, BatchNormalization
/// folded into its layer (unless kept), the layers in `markDigital` marked to stay digital,
/// then cim.linear with the resolved device settings, then the digital layers lowered.
void addPlacementPasses(mlir::OpPassManager &pm, std::unique_ptr<mlir::Pass> lowerToCim,
                        bool foldBatchNorm, const std::vector<std::string> &markDigital = {}) {
  // Folds onnx.Identity away and deduplicates constants.
  pm.addPass(mlir::createCanonicalizerPass());
  if (foldBatchNorm)
    pm.addNestedPass<mlir::func::FuncOp>(createFoldBatchNorm());
  if (!markDigital.empty()) {
    MarkDigitalOptions marks;
    marks.layers.assign(markDigital.begin(), markDigital.end());
    pm.addNestedPass<mlir::func::FuncOp>(createMarkDigital(std::move(marks)));
  }
  pm.addNestedPass<mlir::func::FuncOp>(std::move(lowerToCim));
  pm.addNestedPass<mlir::func::FuncOp>(createDigitalLayers());
}

} // namespace

void buildPlacementPipeline(mlir::OpPassManager &pm,
                            std::shared_ptr<const device::DeviceConfig> device, bool foldBatchNorm,
                            const std::vector<std::string> &markDigital,
                            std::shared_ptr<const calibration::Table> smoothing,
                            const std::string &smoothingName) {
  addPlacementPasses(pm, createLowerToCim(std::move(device)), foldBatchNorm, markDigital);
  if (smoothing)
    pm.addNestedPass<mlir::func::FuncOp>(createSmoothInputs(std::move(smoothing), smoothingName));
}

namespace {

/// The decisions, with `calibration` (cim-apply-calibration) if not null.
void addDecisionPasses(mlir::OpPassManager &pm, std::unique_ptr<mlir::Pass> calibration,
                       Fusions fusions) {
  // One decision per pass (Passes.td says what each reads and writes).
  pm.addNestedPass<mlir::func::FuncOp>(createHybridSplit());
  pm.addNestedPass<mlir::func::FuncOp>(createQuantizeWeights());
  pm.addNestedPass<mlir::func::FuncOp>(createSliceInputs());
  pm.addNestedPass<mlir::func::FuncOp>(createMapCrossbars());
  pm.addNestedPass<mlir::func::FuncOp>(createConfigureAdc());
  if (calibration)
    pm.addNestedPass<mlir::func::FuncOp>(std::move(calibration));
  pm.addNestedPass<mlir::func::FuncOp>(createAssignSeeds());
  if (fusions.activations)
    pm.addNestedPass<mlir::func::FuncOp>(createFuseActivations());
  if (fusions.elementwise)
    pm.addNestedPass<mlir::func::FuncOp>(createFuseElementwise());
  if (fusions.normalization)
    pm.addNestedPass<mlir::func::FuncOp>(createFuseNormalization());
  pm.addNestedPass<mlir::func::FuncOp>(createVerifyPlanContract());
}

} // namespace

void buildDecisionPipeline(mlir::OpPassManager &pm, std::shared_ptr<const calibration::Table> table,
                           const std::string &tableName, Fusions fusions) {
  addDecisionPasses(pm, table ? createApplyCalibration(std::move(table), tableName) : nullptr,
                    fusions);
}

void buildCompilePipeline(mlir::OpPassManager &pm, const CompilePipelineOptions &o) {
  // The passes read the device file and the table themselves (their string options).
  addPlacementPasses(pm, createLowerToCim(LowerToCimOptions{o.device}), !o.keepBatchNorm);
  std::unique_ptr<mlir::Pass> calibration;
  if (!o.calibrationTable.empty()) {
    pm.addNestedPass<mlir::func::FuncOp>(
        createSmoothInputs(SmoothInputsOptions{o.calibrationTable}));
    calibration = createApplyCalibration(ApplyCalibrationOptions{o.calibrationTable});
  }
  addDecisionPasses(pm, std::move(calibration),
                    {!o.keepActivations, !o.keepElementwise, !o.keepNormalization});
}

void registerCompilerPasses() {
  registerCimlirPasses();
  mlir::PassPipelineRegistration<CompilePipelineOptions>(
      "cim-compile",
      "the full cimlir compile pipeline (imported onnx IR -> plan-ready IR); the options of "
      "cim-opt's default pipeline, calibration from a table",
      [](mlir::OpPassManager &pm, const CompilePipelineOptions &options) {
        buildCompilePipeline(pm, options);
      });
}

} // namespace cimlir
