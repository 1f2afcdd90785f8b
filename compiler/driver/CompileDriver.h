//===- CompileDriver.h - cim-opt's ONNX compile path ------------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_DRIVER_COMPILEDRIVER_H
#define CIMLIR_COMPILER_DRIVER_COMPILEDRIVER_H

#include <string>

namespace cimlir {

/// Parses cim-opt's ONNX-path options, compiles, and writes the plan or prints IR.
/// Returns the process exit code; on failure prints one error per problem to stderr
/// and leaves no output file.
int compileMain(int argc, char **argv);

/// `cim-opt --print-device PRESET|FILE`: prints the resolved device file (every field,
/// defaults filled in) and returns the exit code.
int printDeviceMain(const std::string &fileOrPreset);

} // namespace cimlir

#endif
