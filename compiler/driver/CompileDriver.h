//===- CompileDriver.h - cim-opt's ONNX compile path ------------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_DRIVER_COMPILEDRIVER_H
#define CIMLIR_COMPILER_DRIVER_COMPILEDRIVER_H

#include <string>

namespace cimlir {

struct CompileOptions;

/// Compiles as `options` say (CompileOptions.h) and writes the plan or prints IR. Returns the
/// process exit code; on failure prints one error line to stderr and leaves no output file.
int compile(const CompileOptions &options);

/// cim-opt's ONNX path: parses the command line into CompileOptions and compiles.
int compileMain(int argc, char **argv);

/// `cim-opt --print-device PRESET|FILE`: prints the resolved device file (every field,
/// defaults filled in) and returns the exit code.
int printDeviceMain(const std::string &fileOrPreset);

} // namespace cimlir

#endif
