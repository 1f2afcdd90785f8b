//===- ModelLoader.cpp - read ONNX files into a ModelProto ----------------===//
//
// The importer's one exception boundary: onnx's textual parser throws (std::stoll on a number
// out of range, ...) and protobuf may throw std::bad_alloc, so this file alone of the importer
// is built with exceptions (CMakeLists.txt) and turns them into diagnostics.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ModelLoader.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <new>
#include <stdexcept>

using namespace mlir;

namespace cimlir {

LogicalResult loadModelProto(Location loc, const std::string &path, ::onnx::ModelProto &model) {
  auto buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/true);
  if (!buffer)
    return emitError(loc) << "cannot read " << path << ": " << buffer.getError().message();
  llvm::StringRef bytes = (*buffer)->getBuffer();

  try {
    if (llvm::StringRef(path).ends_with(".onnxtext")) {
      ::onnx::OnnxParser parser(bytes.data());
      auto status = parser.Parse(model);
      if (!status.IsOK())
        return emitError(loc) << "cannot parse textual ONNX: " << status.ErrorMessage();
      return success();
    }
    google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t *>(bytes.data()),
                                                  static_cast<int>(bytes.size()));
    stream.SetTotalBytesLimit(INT32_MAX);
    if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
      return emitError(loc) << "not a valid ONNX model (protobuf parse failed)";
  } catch (const std::bad_alloc &) {
    return emitError(loc) << "out of memory reading the ONNX model";
  } catch (const std::logic_error &e) {
    // std::stoll and friends: std::invalid_argument, std::out_of_range.
    return emitError(loc) << "cannot parse textual ONNX: a number is malformed or out of range ("
                          << e.what() << ")";
  } catch (const std::exception &e) {
    return emitError(loc) << "cannot read the ONNX model: " << e.what();
  }
  if (!model.has_graph())
    return emitError(loc) << "the ONNX model has no graph";
  return success();
}

bool inferOnnxShapes(::onnx::ModelProto &model, int64_t opset) {
  try {
    const auto &known = ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    if (opset > known.at(::onnx::ONNX_DOMAIN).second)
      return false;
    ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(),
                                         ::onnx::ShapeInferenceOptions(false, 0, true));
    return true;
  } catch (const std::exception &) {
    return false; // a model ONNX's inference refuses; the importer's own checks name the fault
  }
}

} // namespace cimlir
