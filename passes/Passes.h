//===- Passes.h - cimlir passes ---------------------------------*- C++ -*-===//
#ifndef CIMLIR_PASSES_PASSES_H
#define CIMLIR_PASSES_PASSES_H

#include "dialects/cim/CimDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir {

namespace calibration {
struct Table;
} // namespace calibration
namespace device {
struct DeviceConfig;
} // namespace device

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// cim-lower-to-cim for a device already loaded (cim-opt's driver: the file is read once).
std::unique_ptr<mlir::Pass> createLowerToCim(std::shared_ptr<const device::DeviceConfig> device);

/// cim-apply-calibration over a table in memory (cim-opt --calibration measured it, or read
/// --calibration-table); `name` names it in messages.
std::unique_ptr<mlir::Pass> createApplyCalibration(std::shared_ptr<const calibration::Table> table,
                                                   std::string name);

/// cim-smooth-inputs over a table in memory (cim-opt --calibration measured its channel
/// maxima, or read --calibration-table); `name` names it in messages.
std::unique_ptr<mlir::Pass> createSmoothInputs(std::shared_ptr<const calibration::Table> table,
                                               std::string name);

/// The options of the `cim-compile` pipeline: those of cim-opt's default pipeline, but that
/// calibration comes from a table file (cim-opt --calibration DATASET --save-calibration
/// writes one), as a pipeline runs no model.
struct CompilePipelineOptions : public mlir::PassPipelineOptions<CompilePipelineOptions> {
  Option<std::string> device{*this, "device",
                             llvm::cl::desc("device file or preset (docs/device-files.md)"),
                             llvm::cl::init("digital")};
  Option<std::string> calibrationTable{
      *this, "calibration-table",
      llvm::cl::desc("calibration table (JSON) for the layers that need calibration")};
  Option<bool> keepBatchNorm{*this, "keep-batch-norm",
                             llvm::cl::desc("do not fold BatchNormalization into its layer"),
                             llvm::cl::init(false)};
  Option<bool> keepActivations{*this, "keep-activations",
                               llvm::cl::desc("do not run cim-fuse-activations"),
                               llvm::cl::init(false)};
  Option<bool> keepElementwise{*this, "keep-elementwise",
                               llvm::cl::desc("do not run cim-fuse-elementwise"),
                               llvm::cl::init(false)};
  Option<bool> keepNormalization{*this, "keep-normalization",
                                 llvm::cl::desc("do not run cim-fuse-normalization"),
                                 llvm::cl::init(false)};
};

/// The full compile pipeline from imported onnx IR to plan-ready IR:
/// buildPlacementPipeline, then cim-smooth-inputs with the calibration table if there is one,
/// then buildDecisionPipeline (cim-apply-calibration reading that table).
void buildCompilePipeline(mlir::OpPassManager &pm, const CompilePipelineOptions &options);
/// Its first part: canonicalize, cim-fold-batch-norm (unless `foldBatchNorm` is false:
/// cim-opt --keep-batch-norm), cim-mark-digital (with names in `markDigital`: the layers
/// cim-opt --digital-budget keeps digital), cim-lower-to-cim, cim-digital-layers, and with a
/// `smoothing` table (calibration's, named `smoothingName`) cim-smooth-inputs. After it,
/// every CIM layer is a cim.linear with its resolved device `settings` and its float W (what
/// calibration needs).
void buildPlacementPipeline(mlir::OpPassManager &pm,
                            std::shared_ptr<const device::DeviceConfig> device,
                            bool foldBatchNorm = true,
                            const std::vector<std::string> &markDigital = {},
                            std::shared_ptr<const calibration::Table> smoothing = nullptr,
                            const std::string &smoothingName = "");
/// The fusion passes that end the decisions; cim-opt --keep-activations, --keep-elementwise and
/// --keep-normalization turn them off.
struct Fusions {
  bool activations = true;   ///< cim-fuse-activations
  bool elementwise = true;   ///< cim-fuse-elementwise
  bool normalization = true; ///< cim-fuse-normalization
};

/// The rest: one pass per decision, cim-apply-calibration (with a table, named `tableName` in
/// messages), the `fusions`, and the plan contract check.
void buildDecisionPipeline(mlir::OpPassManager &pm,
                           std::shared_ptr<const calibration::Table> table = nullptr,
                           const std::string &tableName = "", Fusions fusions = {});

/// Registers the passes and the `cim-compile` pipeline with the global registry.
void registerCompilerPasses();

} // namespace cimlir

#endif
