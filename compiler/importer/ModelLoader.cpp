//===- ModelLoader.cpp - read ONNX files into a ModelProto ----------------===//

#include "compiler/importer/ModelLoader.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

using namespace mlir;

namespace cimlir {

LogicalResult loadModelProto(Location loc, const std::string &path, ::onnx::ModelProto &model) {
  auto buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/true);
  if (!buffer)
    return emitError(loc) << "cannot read " << path << ": " << buffer.getError().message();
  llvm::StringRef bytes = (*buffer)->getBuffer();

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
  if (!model.has_graph())
    return emitError(loc) << "the ONNX model has no graph";
  return success();
}

} // namespace cimlir
