//===- TensorImport.h - ONNX TensorProto to MLIR attributes -----*- C++ -*-===//
#ifndef CIMLIR_COMPILER_IMPORTER_TENSORIMPORT_H
#define CIMLIR_COMPILER_IMPORTER_TENSORIMPORT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
class TypeProto;
} // namespace onnx

namespace cimlir {

/// The MLIR element type of an ONNX TensorProto.DataType code (uint8 -> ui8, int8 -> i8,
/// bool -> i1, ...), or null for a type cimlir does not support.
mlir::Type importElementType(mlir::MLIRContext *ctx, int onnxType);

/// "FLOAT", "FLOAT16", ... or "code N" for an unknown TensorProto.DataType.
std::string onnxTypeName(int onnxType);

/// Float tensors with more elements than this become dense resources (their bytes out of
/// the IR text); smaller ones and integer tensors (shapes) DenseElementsAttr.
constexpr int64_t kResourceThreshold = 16;

/// Where external-data tensors are looked up, and who keeps their mapped bytes alive.
struct TensorSource {
  std::string modelDir;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> *mappedFiles;
};

/// Converts a tensor: float tensors of more than a few elements become dense resources
/// that view the proto's raw_data or the mapped external file (no copy); everything else
/// (shapes, small constants) becomes a DenseElementsAttr. External data paths must stay
/// inside the model's folder. Emits an error at `loc` and fails on a bad tensor.
mlir::FailureOr<mlir::ElementsAttr> importTensor(mlir::Location loc, const ::onnx::TensorProto &t,
                                                 const TensorSource &source);

} // namespace cimlir

#endif
