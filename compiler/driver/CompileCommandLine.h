//===- CompileCommandLine.h - cim-opt's compile options ---------*- C++ -*-===//
//
// cim-opt's own options (device, calibration, sensitivity, outputs) as llvm::cl options. They
// are registered while a CompileCommandLine lives: cim-opt's main makes one before it parses
// the command line together with MLIR's options (the pass pipeline, IR printing, timing,
// plugins), so that one command line serves every input (docs/user-guide.md).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_DRIVER_COMPILECOMMANDLINE_H
#define CIMLIR_COMPILER_DRIVER_COMPILECOMMANDLINE_H

#include "compiler/driver/CompileOptions.h"

#include <memory>
#include <string>

namespace cimlir {

class CompileCommandLine {
public:
  CompileCommandLine();
  ~CompileCommandLine();
  CompileCommandLine(const CompileCommandLine &) = delete;
  CompileCommandLine &operator=(const CompileCommandLine &) = delete;

  /// The name of the option of this class that the command line gave first, or "": any of
  /// them makes cim-opt compile .mlir input instead of running it as mlir-opt would.
  std::string firstGiven() const;
  /// The options as parsed, with the input and -o ("-": standard output) the command line
  /// named.
  CompileOptions options(const std::string &input, const std::string &output) const;

private:
  struct Options;
  std::unique_ptr<Options> l_;
};

} // namespace cimlir

#endif
