//===- OnnxImporter.h - ONNX ModelProto to the onnx dialect -----*- C++ -*-===//
//
// Reads an ONNX model (binary .onnx or textual .onnxtext) and builds a module with one
// func.func @main whose arguments are the graph inputs and whose results are the graph
// outputs. Initializers become onnx.Constant ops; large float ones are dense resources
// that point into the ModelProto's (or the mapped external file's) bytes, so they are
// not copied: the returned ImportedModel owns that memory and must outlive the module.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_IMPORTER_ONNXIMPORTER_H
#define CIMLIR_COMPILER_IMPORTER_ONNXIMPORTER_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
}

namespace cimlir {

struct ImportedModel {
  ImportedModel();
  ~ImportedModel();
  ImportedModel(ImportedModel &&);
  ImportedModel &operator=(ImportedModel &&);

  std::unique_ptr<::onnx::ModelProto> proto;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> externalData;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// Graph inputs to be imported as constants instead of function arguments, by name.
using FrozenInputs = llvm::StringMap<mlir::ElementsAttr>;
/// Shapes given for graph inputs (cim-opt --input-shape), by name: a size per dimension, or
/// mlir::ShapedType::kDynamic for the batch (only the leading dimension).
using InputShapes = llvm::StringMap<llvm::SmallVector<int64_t>>;

/// "NAME=D0xD1x..." (--input-shape) into `shapes`: each D a size >= 0, or N (the batch, the
/// leading dimension only). Returns "" or the error line.
std::string parseInputShape(llvm::StringRef text, InputShapes &shapes);

/// Imports the model at `path`; graph inputs named in `frozen` become constants (their
/// shape must match the input's, a batch dimension taking the array's size). A graph input's
/// dimensions are static but a leading batch dimension (symbolic, no value, or -1); `shapes`
/// pins those an exporter left symbolic (a static size must match the model's). On failure,
/// diagnostics have been emitted to `context` (one per problem, naming the node, op type, domain
/// and opset where one is at fault).
mlir::FailureOr<ImportedModel> importOnnxModel(mlir::MLIRContext &context, const std::string &path,
                                               const FrozenInputs &frozen = {},
                                               const InputShapes &shapes = {});

} // namespace cimlir

#endif
