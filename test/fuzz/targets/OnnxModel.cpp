// The ONNX importer (compiler/importer): any bytes, as a binary .onnx model or a textual
// .onnxtext one (CIMLIR_FUZZ_TEXTUAL), import into verified IR or give errors; they never
// crash, abort or hang.
#include "compiler/importer/OnnxImporter.h"
#include "test/fuzz/FuzzInput.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

// MLIR's libraries are not instrumented, but LLVM's allocators (BumpPtrAllocator) poison
// their slabs from inline header code, which the instrumented importer may instantiate; the
// libraries then touch that memory and ASan reports a use-after-poison that is none. User
// poisoning is therefore off in these targets; every other check stays on.
extern "C" const char *__asan_default_options() { return "allow_user_poisoning=0"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context for the whole run (making one per input would dominate the time); its
  // diagnostics are the expected errors, so they are dropped.
  static mlir::MLIRContext *context = [] {
    auto *c = new mlir::MLIRContext();
    c->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
    return c;
  }();
#if CIMLIR_FUZZ_TEXTUAL
  const std::string path = cimlir::fuzz::writeInput(data, size, "model.onnxtext");
#else
  const std::string path = cimlir::fuzz::writeInput(data, size, "model.onnx");
#endif
  (void)cimlir::importOnnxModel(*context, path);
  return 0;
}
