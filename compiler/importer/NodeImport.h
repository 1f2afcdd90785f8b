//===- NodeImport.h - one ONNX node to onnx dialect ops ---------*- C++ -*-===//
//
// Each supported op type has an importer that reads the node's attributes, fills in
// the defaults of the newest opset, resolves auto_pad against the input shape and
// builds the op (or, for older opsets with other semantics, an equivalent sequence).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_IMPORTER_NODEIMPORT_H
#define CIMLIR_COMPILER_IMPORTER_NODEIMPORT_H

#include "compiler/importer/TensorImport.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <string>

namespace onnx {
class NodeProto;
}

namespace cimlir {

struct NodeContext {
  const ::onnx::NodeProto &node;
  int64_t opset;                         // of the node's domain
  llvm::SmallVector<mlir::Value> inputs; // null for an absent optional input
  mlir::OpBuilder &builder;
  mlir::Location loc;
  const TensorSource &tensors;
  llvm::SmallVector<mlir::Value> results; // filled by the importer, one per node output
};

/// Imports `ctx.node`; fails with a diagnostic (naming the node) when its op type is
/// not supported or its attributes or operands are invalid.
mlir::LogicalResult importNode(NodeContext &ctx);

/// The ONNX op types importNode supports, sorted, for messages and docs.
llvm::ArrayRef<llvm::StringRef> supportedOpTypes();

} // namespace cimlir

#endif
