//===- CompileDriver.h - cim-opt's compile path -----------------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_DRIVER_COMPILEDRIVER_H
#define CIMLIR_COMPILER_DRIVER_COMPILEDRIVER_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MlirOptMainConfig;
} // namespace mlir

namespace cimlir {

struct CompileOptions;

/// Compiles as `options` say (CompileOptions.h): imports the ONNX model or parses the .mlir
/// input, runs the pipeline (--pass-pipeline's, as `config` holds it, or the default one) and
/// writes the plan or prints IR. MLIR's pass-manager and timing options apply; `registry`
/// holds the dialects, plugins' among them. Returns the process exit code; on failure prints
/// one error line to stderr and leaves no output file.
int compile(const CompileOptions &options, mlir::DialectRegistry &registry,
            const mlir::MlirOptMainConfig &config);

/// Whether cim-opt reads `path` as an ONNX model (.onnx, .onnxtext) rather than MLIR.
bool isOnnxModel(llvm::StringRef path);
/// Whether the output file `path` names a plan (.plan, .bin): cim-opt then compiles .mlir
/// input instead of printing it.
bool namesPlan(llvm::StringRef path);

/// `cim-opt --print-device PRESET|FILE`: prints the resolved device file (every field,
/// defaults filled in) and returns the exit code.
int printDeviceMain(const std::string &fileOrPreset);

} // namespace cimlir

#endif
