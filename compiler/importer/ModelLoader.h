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

} // namespace cimlir

#endif
