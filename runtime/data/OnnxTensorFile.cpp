// ONNX TensorProto files (test_data_set_*/input_K.pb of the ONNX test-data layout).
//
// Parsed with the generated ONNX protos (Debian's libonnx-dev) when the runtime is built
// with them (CIMLIR_HAVE_PROTOBUF); otherwise every read throws an Error that says how
// this cim-run was built, so the rest of the runtime needs no #ifdefs.
#include "runtime/data/OnnxTensorFile.h"

#include "core/Error.h"

#ifdef CIMLIR_HAVE_PROTOBUF

#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace cimlir {

namespace {

std::string onnxTypeName(int code) {
  if (onnx::TensorProto_DataType_IsValid(code))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(code));
  return "unknown data type " + std::to_string(code);
}

// Copies a typed repeated field into the tensor, converting each element to T (int32_data
// carries the narrower integer types and bool, one value per int32).
template <typename T, typename Field>
void copyTyped(const Field &field, Tensor &t, const std::string &path, const char *fieldName) {
  if (static_cast<int64_t>(field.size()) != t.numel())
    throw Error(path + ": " + fieldName + " holds " + std::to_string(field.size()) +
                " values but dims " + shapeToString(t.shape()) + " need " +
                std::to_string(t.numel()));
  T *dst = t.data<T>();
  for (int i = 0; i < field.size(); ++i)
    dst[i] = static_cast<T>(field.Get(i));
}

} // namespace

bool onnxTensorFilesSupported() { return true; }

NamedTensor readOnnxTensorFile(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    throw Error(path + ": read error");

  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    throw Error(path + ": not a valid serialized onnx.TensorProto");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL || proto.external_data_size() > 0)
    throw Error(path + ": tensor '" + proto.name() +
                "' keeps its data in an external file, which is not supported here");
  if (proto.has_segment())
    throw Error(path + ": segmented tensors are not supported");

  DType dtype;
  if (!dtypeFromOnnx(proto.data_type(), dtype))
    throw Error(path + ": unsupported data type " + onnxTypeName(proto.data_type()) +
                " (expected FLOAT, DOUBLE, INT8, UINT8, INT16, UINT16, INT32, INT64 or BOOL)");

  Shape shape;
  int64_t count = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0)
      throw Error(path + ": negative dimension in dims");
    // Bound the element count so that count * element size cannot overflow.
    if (d != 0 && count > std::numeric_limits<int64_t>::max() / 16 / d)
      throw Error(path + ": dims are too large");
    count *= d;
    shape.push_back(d);
  }

  // Check the data size before allocating, so bogus dims cannot trigger a huge allocation.
  const int64_t numel = shapeNumel(shape);
  const uint64_t bytesNeeded = static_cast<uint64_t>(numel) * dtypeSize(dtype);
  const std::string &raw = proto.raw_data();
  if (proto.has_raw_data()) {
    if (raw.size() != bytesNeeded)
      throw Error(path + ": raw_data has " + std::to_string(raw.size()) + " bytes but dims " +
                  shapeToString(shape) + " of " + dtypeName(dtype) + " need " +
                  std::to_string(bytesNeeded));
  } else {
    int64_t have = 0;
    switch (dtype) {
    case DType::F32:
      have = proto.float_data_size();
      break;
    case DType::F64:
      have = proto.double_data_size();
      break;
    case DType::I64:
      have = proto.int64_data_size();
      break;
    default:
      have = proto.int32_data_size();
      break;
    }
    if (have != numel)
      throw Error(path + ": tensor holds " + std::to_string(have) + " values but dims " +
                  shapeToString(shape) + " need " + std::to_string(numel));
  }

  Tensor t = Tensor::allocate(dtype, shape);
  if (proto.has_raw_data()) {
    // raw_data is little-endian by the ONNX spec, like our hosts.
    if (!raw.empty())
      std::memcpy(t.raw(), raw.data(), raw.size());
  } else {
    switch (dtype) {
    case DType::F32:
      copyTyped<float>(proto.float_data(), t, path, "float_data");
      break;
    case DType::F64:
      copyTyped<double>(proto.double_data(), t, path, "double_data");
      break;
    case DType::I64:
      copyTyped<int64_t>(proto.int64_data(), t, path, "int64_data");
      break;
    case DType::I32:
      copyTyped<int32_t>(proto.int32_data(), t, path, "int32_data");
      break;
    case DType::I16:
      copyTyped<int16_t>(proto.int32_data(), t, path, "int32_data");
      break;
    case DType::U16:
      copyTyped<uint16_t>(proto.int32_data(), t, path, "int32_data");
      break;
    case DType::I8:
      copyTyped<int8_t>(proto.int32_data(), t, path, "int32_data");
      break;
    case DType::U8:
      copyTyped<uint8_t>(proto.int32_data(), t, path, "int32_data");
      break;
    case DType::F16:
    case DType::BF16: // int32_data holds each value's 16 bits
      copyTyped<uint16_t>(proto.int32_data(), t, path, "int32_data");
      break;
    case DType::Bool: {
      // Normalise to 0/1 so a bool tensor never holds other byte values.
      const auto &f = proto.int32_data();
      for (int i = 0; i < f.size(); ++i)
        t.data<uint8_t>()[i] = f.Get(i) != 0;
      break;
    }
    }
  }
  return {proto.name(), std::move(t)};
}

} // namespace cimlir

#else // !CIMLIR_HAVE_PROTOBUF

namespace cimlir {

bool onnxTensorFilesSupported() { return false; }

NamedTensor readOnnxTensorFile(const std::string &path) {
  throw Error(path + ": this cim-run was built without protobuf; the ONNX test-data layout "
                     "needs it");
}

} // namespace cimlir

#endif
