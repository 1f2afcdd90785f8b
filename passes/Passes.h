//===- Passes.h - cimlir passes ---------------------------------*- C++ -*-===//
#ifndef CIMLIR_PASSES_PASSES_H
#define CIMLIR_PASSES_PASSES_H

#include "dialects/cim/CimDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Pass/Pass.h"

namespace cimlir {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The full compile pipeline from imported onnx IR to plan-ready IR, for a device file
/// or preset: buildPlacementPipeline then buildDecisionPipeline. `calibrationTable`, when
/// given, is the table cim-apply-calibration reads (layers with `static` inputs or a
/// `calibrated` ADC need one).
void buildCompilePipeline(mlir::OpPassManager &pm, const std::string &device = "digital",
                          const std::string &calibrationTable = "");
/// Its first part: canonicalize, cim-lower-to-cim, cim-digital-layers. After it, every CIM
/// layer is a cim.linear with its resolved device `settings` and its float W (what
/// calibration needs). `deviceJson`, when given, is `device` already loaded and resolved
/// (device::toJsonText): the pass reads no file then (a device file is read once, also
/// when it is a pipe); `device` only names it in messages.
void buildPlacementPipeline(mlir::OpPassManager &pm, const std::string &device,
                            const std::string &deviceJson = "");
/// The rest: one pass per decision, cim-apply-calibration (with a table), and the plan
/// contract check.
void buildDecisionPipeline(mlir::OpPassManager &pm, const std::string &calibrationTable = "");

/// Registers the passes and the `cim-compile` pipeline with the global registry.
void registerCompilerPasses();

} // namespace cimlir

#endif
