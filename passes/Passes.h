//===- Passes.h - cimlir passes ---------------------------------*- C++ -*-===//
#ifndef CIMLIR_PASSES_PASSES_H
#define CIMLIR_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "dialects/cim/CimDialect.h"

#include "mlir/Pass/Pass.h"

namespace cimlir {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The full compile pipeline from imported onnx IR to plan-ready IR, for a device file
/// or preset.
void buildCompilePipeline(mlir::OpPassManager &pm, const std::string &device = "digital");

/// Registers the passes and the `cim-compile` pipeline with the global registry.
void registerCompilerPasses();

} // namespace cimlir

#endif
