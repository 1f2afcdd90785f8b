//===- ModelLoader.h - read ONNX files into a ModelProto --------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_IMPORTER_MODELLOADER_H
#define CIMLIR_COMPILER_IMPORTER_MODELLOADER_H

#include "mlir/IR/Location.h"

#include <string>

namespace onnx {
class ModelProto;
}

namespace cimlir {

/// Parses `path` into `model`: textual ONNX when the name ends in .onnxtext, else the
/// binary protobuf encoding (models up to 2 GiB; larger weights use external data).
mlir::LogicalResult loadModelProto(mlir::Location loc, const std::string &path,
                                   ::onnx::ModelProto &model);

/// Runs ONNX's own shape inference (libonnx-dev) on `model` of default-domain `opset`, data
/// propagation on, so that its graph's value_info holds the shapes ONNX's rules give. Only
/// for the opsets the installed ONNX defines: its rules for a newer opset would be another
/// version's. Returns false (value_info then as the exporter wrote it) for such an opset or
/// when inference refuses the model; cimlir's own checks then speak.
bool inferOnnxShapes(::onnx::ModelProto &model, int64_t opset);

} // namespace cimlir

#endif
