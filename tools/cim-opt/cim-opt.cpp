//===- cim-opt.cpp - the cimlir compiler driver ---------------------------===//
//
//   cim-opt MODEL.onnx|MODEL.onnxtext|IR.mlir [options] -o PLAN.bin
//   cim-opt IR.mlir [mlir-opt options]          (runs passes and prints IR, as mlir-opt)
//   cim-opt --print-device PRESET|FILE
//
// One command line: cimlir's compile options (compiler/driver/CompileCommandLine.h) beside
// MLIR's (the pass pipeline, IR printing, timing, plugins). ONNX input is compiled; .mlir input
// is compiled too when a compile option is given or -o names a plan, and otherwise handed to
// MlirOptMain, like mlir-opt (the lit tests of single passes).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CompileCommandLine.h"
#include "compiler/driver/CompileDriver.h"
#include "dialects/cim/CimDialect.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

namespace {

/// Hides the options registered before main: the linked LLVM libraries' code-generation flags
/// for targets cim-opt never emits (some 400 of 500 lines of --help). They stay accepted and
/// --help-hidden lists them. MLIR's and cimlir's options are registered after this, in main.
void hideLibraryOptions() {
  for (auto &entry : llvm::cl::getRegisteredOptions())
    if (!llvm::is_contained({"help", "help-list", "version", "color"}, entry.first))
      entry.second->setHiddenFlag(llvm::cl::Hidden);
}

/// MlirOptMain loads the plugins while it parses the command line and only warns ("Request
/// ignored") when one fails to load. A plugin that does not load is an error here, before
/// any work: each --load-pass-plugin and --load-dialect-plugin is tried first.
bool pluginsLoad(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    for (llvm::StringRef option : {"load-pass-plugin", "load-dialect-plugin"}) {
      llvm::StringRef rest = arg.ltrim('-');
      if (!arg.starts_with("-") || !rest.consume_front(option))
        continue;
      std::string path;
      if (rest.consume_front("="))
        path = rest.str();
      else if (rest.empty() && i + 1 < argc)
        path = argv[i + 1];
      else
        continue; // llvm::cl reports the missing value
#if CIMLIR_LOADS_PLUGINS
      const bool passes = option == "load-pass-plugin";
      std::string error;
      if (passes) {
        if (auto plugin = mlir::PassPlugin::load(path); !plugin)
          error = llvm::toString(plugin.takeError());
      } else if (auto plugin = mlir::DialectPlugin::load(path); !plugin) {
        error = llvm::toString(plugin.takeError());
      }
      if (llvm::StringRef(error).starts_with("Plugin entry point not found"))
        error = passes
                    ? "no pass plugin: it defines no mlirGetPassPluginInfo (docs/write-a-pass.md)"
                    : "no dialect plugin: it defines no mlirGetDialectPluginInfo "
                      "(docs/write-a-pass.md)";
      if (!error.empty()) {
        llvm::errs() << "cim-opt: error: --" << option << " " << path << ": " << error << "\n";
        return false;
      }
#else
      llvm::errs() << "cim-opt: error: --" << option
                   << ": this cim-opt is the self-contained build, which links MLIR statically "
                      "and loads no plugins (docs/portable-build.md); use the default build\n";
      return false;
#endif
    }
  }
  return true;
}

/// .mlir input run as mlir-opt runs it (MlirOptMain with the options parsed already).
int runAsMlirOpt(const std::string &input, const std::string &output,
                 mlir::DialectRegistry &registry) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = mlir::openInputFile(input, &error);
  if (!file) {
    llvm::errs() << "cim-opt: error: " << error << "\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> out = mlir::openOutputFile(output, &error);
  if (!out) {
    llvm::errs() << "cim-opt: error: " << error << "\n";
    return 1;
  }
  if (mlir::failed(mlir::MlirOptMain(out->os(), std::move(file), registry,
                                     mlir::MlirOptMainConfig::createFromCLOptions())))
    return 1;
  out->keep(); // only a run that succeeded leaves its output
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv); // stack traces on a crash, on every path
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
  }
  if (!pluginsLoad(argc, argv))
    return 1;

  mlir::DialectRegistry registry;
  registry.insert<cimlir::onnx::OnnxDialect, cimlir::cim::CimDialect, mlir::func::FuncDialect>();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  cimlir::registerCompilerPasses();
  cimlir::CompileCommandLine compileOptions;
  auto [input, output] = mlir::registerAndParseCLIOptions(
      argc, argv,
      "cimlir compiler\n\n"
      "  cim-opt MODEL.onnx|MODEL.onnxtext|IR.mlir [--device D] [--emit=plan|cim|import]\n"
      "          [--calibration DATASET] [--pass-pipeline=...] -o PLAN.bin\n"
      "      compiles a model (binary or textual ONNX, or IR that cim-opt printed) into a\n"
      "      plan for cim-run, or prints its IR; the default pipeline is cim-compile with the\n"
      "      options below, --pass-pipeline replaces it. .mlir input is compiled when a\n"
      "      compile option is given or -o names a plan (.plan, .bin).\n"
      "  cim-opt IR.mlir [passes]\n"
      "      otherwise runs passes on IR and prints it, like mlir-opt.\n"
      "  cim-opt --print-device PRESET|FILE\n"
      "      prints the resolved device file (presets: digital, cim-ideal, rram-256, harsh).\n",
      registry);
  if (cimlir::isOnnxModel(input) || !compileOptions.firstGiven().empty() ||
      cimlir::namesPlan(output))
    return cimlir::compile(compileOptions.options(input, output), registry,
                           mlir::MlirOptMainConfig::createFromCLOptions());
  return runAsMlirOpt(input, output, registry);
}
