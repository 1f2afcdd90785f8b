//===- cim-opt.cpp - the cimlir compiler driver ---------------------------===//
//
//   cim-opt MODEL.onnx|MODEL.onnxtext [--device digital] [--freeze-inputs IN.npz]
//           [--emit=plan|mlir|import] -o PLAN.bin
//   cim-opt MODEL.onnx --device D --calibration DATASET [--calibration-limit N]
//           [--calibration-split train] [--save-calibration T.json] -o PLAN.bin
//   cim-opt MODEL.onnx --device D --calibration-table T.json -o PLAN.bin
//   cim-opt FILE.mlir [mlir-opt options]      (runs passes, for lit tests)
//
// ONNX inputs go through the importer and the cim-compile pipeline; anything else is
// handed to MlirOptMain with cimlir's dialects and passes registered.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CompileDriver.h"
#include "dialects/cim/CimDialect.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

namespace {

/// Hides the options registered before main: the linked LLVM libraries' code-generation flags
/// for targets cim-opt never emits (some 400 of 500 lines of --help). They stay accepted and
/// --help-hidden lists them. MLIR's and cimlir's options are registered after this, in main.
void hideLibraryOptions() {
  for (auto &entry : llvm::cl::getRegisteredOptions())
    if (!llvm::is_contained({"help", "help-list", "version", "color"}, entry.first))
      entry.second->setHiddenFlag(llvm::cl::Hidden);
}

} // namespace

int main(int argc, char **argv) {
  hideLibraryOptions();
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (arg == "--print-device" || arg == "-print-device") {
      if (i + 1 >= argc) {
        llvm::errs() << "cim-opt: error: --print-device needs a preset name or a device file\n";
        return 1;
      }
      return cimlir::printDeviceMain(argv[i + 1]);
    }
    if (arg.consume_front("--print-device=") || arg.consume_front("-print-device="))
      return cimlir::printDeviceMain(arg.str());
    if (arg.starts_with("-"))
      continue;
    if (arg.ends_with(".onnx") || arg.ends_with(".onnxtext"))
      return cimlir::compileMain(argc, argv);
  }
  mlir::DialectRegistry registry;
  registry.insert<cimlir::onnx::OnnxDialect, cimlir::cim::CimDialect, mlir::func::FuncDialect>();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  cimlir::registerCompilerPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv,
                        "cimlir compiler\n\n"
                        "  cim-opt MODEL.onnx [--device digital] [--emit=plan|mlir|import]\n"
                        "          [--freeze-inputs IN.npz] [--calibration DATASET] -o PLAN.bin\n"
                        "      compiles an ONNX model (binary .onnx or textual .onnxtext) into a\n"
                        "      plan for cim-run; `cim-opt MODEL.onnx --help` lists those options.\n"
                        "  cim-opt --print-device PRESET|FILE\n"
                        "      prints the resolved device file (presets: digital, cim-ideal,\n"
                        "      rram-256, harsh).\n"
                        "  cim-opt FILE.mlir [options below]\n"
                        "      runs passes on IR, like mlir-opt (the cim-compile pipeline is\n"
                        "      --pass-pipeline='builtin.module(cim-compile)').\n",
                        registry));
}
