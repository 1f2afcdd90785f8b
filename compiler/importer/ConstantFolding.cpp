//===- ConstantFolding.cpp - ops on constants, run by the CPU kernels -----===//
//
// Built with exceptions (CMakeLists.txt): the runtime throws cimlir::Error, and this file is
// the boundary that turns it into a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ConstantFolding.h"

#include "compiler/emitter/PlanEmitter.h"
#include "compiler/importer/TensorImport.h"
#include "core/Error.h"
#include "dialects/onnx/OnnxOps.h"
#include "runtime/backends/cpu/CpuBackend.h"
#include "runtime/exec/Executor.h"
#include "runtime/plan/PlanReader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"

#include <new>

using namespace mlir;

namespace cimlir {

namespace {

/// The name of result i in the folding plan.
std::string resultName(size_t i) { return "result" + std::to_string(i); }

/// A computed tensor as the attribute of an onnx.Constant of `type`.
ElementsAttr toAttribute(RankedTensorType type, const Tensor &t) {
  ArrayRef<char> raw(static_cast<const char *>(t.raw()), t.byteSize());
  Type elem = type.getElementType();
  if (elem.isInteger(1)) { // plans hold one byte per bool; the attribute packs bits
    SmallVector<bool> bits;
    for (char c : raw)
      bits.push_back(c != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  if (isa<FloatType>(elem) && type.getNumElements() > kResourceThreshold) {
    // GCC 12 warns, wrongly, about llvm::unique_function's storage when the blob moves.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, alignof(double));
    return DenseResourceElementsAttr::get(type, "folded", std::move(blob));
#pragma GCC diagnostic pop
  }
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}

} // namespace

bool hasConstantOperands(Operation *op) {
  if (op->getNumOperands() == 0 || isa<onnx::ConstantOp>(op))
    return false;
  return llvm::all_of(op->getOperands(),
                      [](Value v) { return isa_and_nonnull<onnx::ConstantOp>(v.getDefiningOp()); });
}

FailureOr<SmallVector<ElementsAttr>> foldOnCpu(Operation *op) {
  Location loc = op->getLoc();
  // The one-step plan: func @main() { constants; op; return its results }.
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b(module->getBody(), module->getBody()->end());
  auto main = func::FuncOp::create(b, loc, "main", b.getFunctionType({}, op->getResultTypes()));
  b.setInsertionPointToStart(main.addEntryBlock());
  IRMapping operands;
  for (Value v : op->getOperands())
    if (!operands.contains(v))
      operands.map(v, b.clone(*v.getDefiningOp())->getResult(0));
  Operation *copy = b.clone(*op, operands);
  func::ReturnOp::create(b, loc, copy->getResults());
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    main.setResultAttr(i, "onnx.name", b.getStringAttr(resultName(i)));
  std::vector<unsigned char> bytes;
  if (failed(emitPlanToMemory(*module, "constant folding", bytes)))
    return failure();

  try {
    Executor executor(Program::fromPlan(plan::PlanFile::fromMemory(bytes, "constant folding")),
                      createCpuBackend());
    std::vector<unsigned char>().swap(bytes); // the program holds its own copy
    TensorMap results = executor.run({});
    SmallVector<ElementsAttr> out;
    for (auto [i, r] : llvm::enumerate(op->getResults()))
      out.push_back(toAttribute(cast<RankedTensorType>(r.getType()), results.at(resultName(i))));
    return out;
  } catch (const Error &e) {
    return op->emitError() << "computing " << op->getName().stripDialect()
                           << " on constants at compile time: " << e.what();
  } catch (const std::bad_alloc &) {
    return op->emitError() << "out of host memory computing " << op->getName().stripDialect()
                           << " on constants at compile time";
  }
}

} // namespace cimlir
