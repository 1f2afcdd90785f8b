//===- ImportSupport.h - what every node importer uses ----------*- C++ -*-===//
//
// Reading a node's attributes, checking its inputs and outputs, and building ops with their
// inferred types (folded when their operands are constants): shared by NodeImport.cpp (the
// op table, the compute ops) and DataOpImport.cpp (shape plumbing and data movement).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_COMPILER_IMPORTER_IMPORTSUPPORT_H
#define CIMLIR_COMPILER_IMPORTER_IMPORTSUPPORT_H

#include "compiler/importer/NodeImport.h"

#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>

namespace cimlir {

using AttrProto = ::onnx::AttributeProto;
using Importer = std::function<mlir::LogicalResult(NodeContext &)>;
using AttrSchema = llvm::StringMap<AttrProto::AttributeType>;

/// One supported ONNX op type: how it imports, and the attributes it may carry with their
/// types, over all opsets (older opsets' attributes included, so that old models import);
/// any other attribute is an error, so a mistyped attribute is never read as a default.
struct OpImport {
  Importer import;
  AttrSchema attributes;
};
using OpTable = llvm::StringMap<OpImport>;

/// Adds the shape-plumbing and data-movement ops (DataOpImport.cpp) to `table`.
void addDataOpImports(OpTable &table);
/// Adds Reduce*, ArgMax and ArgMin (ReductionImport.cpp) to `table`.
void addReductionImports(OpTable &table);
/// Adds the indexing ops, Mod, IsNaN, IsInf and the ops rewritten into others
/// (IndexingImport.cpp) to `table`.
void addIndexingImports(OpTable &table);
/// Adds Resize and Upsample (ResizeImport.cpp) to `table`.
void addResizeImports(OpTable &table);
/// Adds RNN, GRU and LSTM (RecurrentImport.cpp) to `table`.
void addRecurrentImports(OpTable &table);
/// Adds the integer and QLinear ops of quantized models and DynamicQuantizeLinear
/// (QuantizedImport.cpp) to `table`.
void addQuantizedImports(OpTable &table);
/// Adds If (ControlFlowImport.cpp) to `table`.
void addControlFlowImports(OpTable &table);
/// Adds the signal windows (SignalImport.cpp) to `table`.
void addSignalImports(OpTable &table);

const AttrProto *findAttr(const ::onnx::NodeProto &n, llvm::StringRef name);
int64_t getInt(const ::onnx::NodeProto &n, llvm::StringRef name, int64_t dflt);
float getFloat(const ::onnx::NodeProto &n, llvm::StringRef name, float dflt);
std::optional<llvm::SmallVector<int64_t>> getInts(const ::onnx::NodeProto &n, llvm::StringRef name);
std::string getString(const ::onnx::NodeProto &n, llvm::StringRef name, llvm::StringRef dflt);

/// Window attributes shared by Conv, ConvInteger and the pools: strides, dilations, and pads
/// with auto_pad resolved against the (static) input spatial sizes of `x`, for `kernel`.
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, pads, dilations;
};
mlir::FailureOr<Window> importWindow(NodeContext &ctx, mlir::Value x,
                                     llvm::ArrayRef<int64_t> kernel, bool ceilMode);

/// Builds `opName` generically from operands and attributes, inferring its result types
/// with the op's own shape rules; fails (with their diagnostic) when they refuse. An op
/// whose operands are all constants is computed here (ConstantFolding.h): its results are
/// constants.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildOpResults(NodeContext &ctx, llvm::StringRef opName, mlir::ValueRange operands,
               llvm::ArrayRef<mlir::NamedAttribute> attrs);
/// buildOpResults for an op of one result.
mlir::FailureOr<mlir::Value> buildOp(NodeContext &ctx, llvm::StringRef opName,
                                     mlir::ValueRange operands,
                                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {});

/// The node's one result `v`, or its failure.
mlir::LogicalResult pushResult(NodeContext &ctx, mlir::FailureOr<mlir::Value> v);

/// Between minCount and maxCount inputs (trailing absent ones not counted), the first
/// minCount present; ctx.inputs is then padded with nulls to maxCount.
mlir::LogicalResult expectInputs(NodeContext &ctx, size_t minCount, size_t maxCount);
/// Only the first output is used.
mlir::LogicalResult expectOneOutput(NodeContext &ctx);
/// Simple ops: operands as given, no attributes.
mlir::LogicalResult importPlain(NodeContext &ctx, llvm::StringRef opName, size_t numInputs);
/// The integers of a constant 0-D or 1-D input (an initializer, a Constant, or a value
/// folded from them); an error naming the node's op and `what` otherwise, or when the value
/// holds the batch size.
mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(NodeContext &ctx, mlir::Value v,
                                                         llvm::StringRef what);
/// The same for an input that may hold the batch size (a shape from Shape of a value with
/// the batch dimension): `isBatch` says which entries are N (their value is a placeholder).
mlir::FailureOr<llvm::SmallVector<int64_t>> constantIntsWithBatch(NodeContext &ctx, mlir::Value v,
                                                                  llvm::StringRef what,
                                                                  llvm::SmallVector<bool> *isBatch);
/// `axis` in [-rank, rank) made non-negative.
mlir::FailureOr<int64_t> normaliseAxis(NodeContext &ctx, int64_t axis, int64_t rank);
/// Every axis of `axes` normalised against `rank`, sorted when asked.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normaliseAxes(NodeContext &ctx, llvm::ArrayRef<int64_t> axes, int64_t rank, bool sorted);
/// A constant i64 vector (a shape).
mlir::Value shapeConstant(NodeContext &ctx, llvm::ArrayRef<int64_t> dims);
/// `v` cast to element type `to` (onnx.Cast).
mlir::FailureOr<mlir::Value> castTo(NodeContext &ctx, mlir::Value v, mlir::Type to);
/// `v` transposed by `perm` (onnx.Transpose).
mlir::FailureOr<mlir::Value> transposeBy(NodeContext &ctx, mlir::Value v,
                                         llvm::ArrayRef<int64_t> perm);

} // namespace cimlir

#endif
