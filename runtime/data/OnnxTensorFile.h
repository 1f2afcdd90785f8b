// cimlir runtime: ONNX TensorProto files (the ONNX test-data layout's input_K.pb).
//
// Available when the runtime is built with protobuf (CIMLIR_HAVE_PROTOBUF); without it,
// readOnnxTensorFile throws an Error that says so.
#pragma once

#include "core/Tensor.h"

#include <string>

namespace cimlir {

struct NamedTensor {
  std::string name; // TensorProto.name, may be empty
  Tensor tensor;
};

/// Parses a serialized onnx.TensorProto (raw_data or the typed repeated fields: float_data,
/// double_data, int32_data for int8/uint8/int16/uint16/int32/bool, int64_data). Throws
/// cimlir::Error naming the file for unparsable data, an unsupported data type (named),
/// external data, or a data size that does not match the dims.
NamedTensor readOnnxTensorFile(const std::string &path);

/// Whether this build can read TensorProto files (built with protobuf and ONNX's protos).
bool onnxTensorFilesSupported();

} // namespace cimlir
