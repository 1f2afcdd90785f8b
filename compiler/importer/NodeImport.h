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
#include "llvm/ADT/DenseMap.h"

#include <functional>
#include <string>

namespace onnx {
class GraphProto;
class NodeProto;
} // namespace onnx

namespace cimlir {

/// Shape values that hold the batch size N, which is only known at run time (Shape of a value
/// with the batch dimension, and what data movement makes of it): each is an onnx.Constant
/// holding 1 where N is, and its mask, of the same type, 1 there and 0 elsewhere. The ops that
/// move such values (Gather, Concat, Slice, ...) carry the masks along as they fold; Reshape
/// and Expand turn an N back into what keeps the batch (0 or -1, 1); any other use is an error
/// that names the node (ImportSupport.cpp).
using BatchMasks = llvm::DenseMap<mlir::Value, mlir::ElementsAttr>;

/// Imports a subgraph (an If's branch) into the scope of the graph that holds it, as if its
/// nodes stood there, and gives the values of its outputs (OnnxImporter.cpp).
using InlineGraph =
    std::function<mlir::FailureOr<llvm::SmallVector<mlir::Value>>(const ::onnx::GraphProto &)>;

struct NodeContext {
  const ::onnx::NodeProto &node;
  int64_t opset;                         // of the node's domain
  llvm::SmallVector<mlir::Value> inputs; // null for an absent optional input
  mlir::OpBuilder &builder;
  mlir::Location loc;
  const TensorSource &tensors;
  llvm::SmallVector<mlir::Value> results; // filled by the importer, one per node output
  BatchMasks &batchMasks;                 // of the whole graph
  const InlineGraph &inlineGraph;
};

/// Imports `ctx.node`; fails with a diagnostic (naming the node) when its op type is
/// not supported or its attributes or operands are invalid.
mlir::LogicalResult importNode(NodeContext &ctx);

/// The ONNX op types importNode supports, sorted, for messages and docs.
llvm::ArrayRef<llvm::StringRef> supportedOpTypes();

} // namespace cimlir

#endif
