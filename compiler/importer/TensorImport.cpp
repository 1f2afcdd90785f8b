//===- TensorImport.cpp - ONNX TensorProto to MLIR attributes -------------===//

#include "compiler/importer/TensorImport.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace cimlir {

/// Tensors with more elements than this, of a float type, become dense resources.
static constexpr int64_t kResourceThreshold = 16;

Type importElementType(MLIRContext *ctx, int onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case ::onnx::TensorProto::FLOAT: return b.getF32Type();
  case ::onnx::TensorProto::DOUBLE: return b.getF64Type();
  case ::onnx::TensorProto::INT8: return b.getIntegerType(8);
  case ::onnx::TensorProto::UINT8: return b.getIntegerType(8, /*isSigned=*/false);
  case ::onnx::TensorProto::INT16: return b.getIntegerType(16);
  case ::onnx::TensorProto::UINT16: return b.getIntegerType(16, /*isSigned=*/false);
  case ::onnx::TensorProto::INT32: return b.getI32Type();
  case ::onnx::TensorProto::INT64: return b.getI64Type();
  case ::onnx::TensorProto::BOOL: return b.getI1Type();
  default: return nullptr;
  }
}

namespace {

/// Reads the external-data location of `t` into a view of a mapped file slice.
FailureOr<ArrayRef<char>> externalBytes(Location loc, const ::onnx::TensorProto &t,
                                        const TensorSource &source, size_t expected) {
  std::string location;
  uint64_t offset = 0, length = expected;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::strtoull(kv.value().c_str(), nullptr, 10);
    else if (kv.key() == "length")
      length = std::strtoull(kv.value().c_str(), nullptr, 10);
  }
  if (location.empty())
    return emitError(loc) << "initializer '" << t.name() << "' has external data with no location";
  // The path must stay inside the model's folder: no absolute paths, no "..".
  llvm::StringRef rel(location);
  if (llvm::sys::path::is_absolute(rel) || rel.contains(".."))
    return emitError(loc) << "initializer '" << t.name() << "': external data path '" << location
                          << "' leaves the model's folder";
  if (length != expected)
    return emitError(loc) << "initializer '" << t.name() << "': external data length " << length
                          << " does not match its shape (" << expected << " bytes)";
  llvm::SmallString<256> full(source.modelDir);
  llvm::sys::path::append(full, location);
  auto buffer = llvm::MemoryBuffer::getFileSlice(full, expected, offset);
  if (!buffer)
    return emitError(loc) << "initializer '" << t.name() << "': cannot read " << expected
                          << " bytes at offset " << offset << " of " << full << ": "
                          << buffer.getError().message();
  ArrayRef<char> bytes((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  if (bytes.size() != expected)
    return emitError(loc) << "initializer '" << t.name() << "': external file " << full
                          << " is too short";
  source.mappedFiles->push_back(std::move(*buffer));
  return bytes;
}

/// Element values from the typed repeated fields, widened to APInt/APFloat.
template <typename Range>
SmallVector<APInt> toAPInts(const Range &values, unsigned width) {
  SmallVector<APInt> out;
  for (auto v : values)
    out.emplace_back(width, static_cast<uint64_t>(v), /*isSigned=*/true, /*implicitTrunc=*/true);
  return out;
}

} // namespace

FailureOr<ElementsAttr> importTensor(Location loc, const ::onnx::TensorProto &t,
                                     const TensorSource &source) {
  MLIRContext *ctx = loc.getContext();
  Type elem = importElementType(ctx, t.data_type());
  if (!elem)
    return emitError(loc) << "tensor '" << t.name() << "' has data type "
                          << ::onnx::TensorProto::DataType_Name(
                                 static_cast<::onnx::TensorProto::DataType>(t.data_type()))
                          << ", which cimlir does not support";
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return emitError(loc) << "tensor '" << t.name() << "' has a negative dimension";
    shape.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(shape, elem);
  unsigned width = elem.getIntOrFloatBitWidth();
  size_t elemBytes = width == 1 ? 1 : width / 8;
  size_t expected = static_cast<size_t>(count) * elemBytes;

  // Raw little-endian bytes: raw_data or external data.
  std::optional<ArrayRef<char>> raw;
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL) {
    auto bytes = externalBytes(loc, t, source, expected);
    if (failed(bytes))
      return failure();
    raw = *bytes;
  } else if (t.has_raw_data()) {
    if (t.raw_data().size() != expected)
      return emitError(loc) << "tensor '" << t.name() << "' has " << t.raw_data().size()
                            << " bytes of raw data but its shape needs " << expected;
    raw = ArrayRef<char>(t.raw_data().data(), t.raw_data().size());
  }

  if (raw) {
    bool isFloat = isa<FloatType>(elem);
    if (isFloat && count > kResourceThreshold) {
      size_t align = reinterpret_cast<uintptr_t>(raw->data()) % elemBytes == 0 ? elemBytes : 1;
      AsmResourceBlob blob = UnmanagedAsmResourceBlob::allocateWithAlign(*raw, align);
      std::string key = t.name().empty() ? std::string("tensor") : t.name();
      return cast<ElementsAttr>(DenseResourceElementsAttr::get(type, key, std::move(blob)));
    }
    if (width == 1) {
      SmallVector<bool> bits;
      for (char c : *raw)
        bits.push_back(c != 0);
      return cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef<bool>(bits)));
    }
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, *raw, detectedSplat))
      return emitError(loc) << "tensor '" << t.name() << "' raw data does not fit its type";
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, *raw));
  }

  // Typed fields (ONNX stores small ints in int32_data, bool too).
  int64_t have = 0;
  DenseElementsAttr attr;
  if (elem.isF32()) {
    have = t.float_data_size();
    if (have == count)
      attr = DenseElementsAttr::get(type, ArrayRef<float>(t.float_data().data(), have));
  } else if (elem.isF64()) {
    have = t.double_data_size();
    if (have == count)
      attr = DenseElementsAttr::get(type, ArrayRef<double>(t.double_data().data(), have));
  } else if (elem.isInteger(64)) {
    have = t.int64_data_size();
    if (have == count)
      attr = DenseElementsAttr::get(type, toAPInts(t.int64_data(), 64));
  } else if (width == 1) {
    have = t.int32_data_size();
    if (have == count) {
      SmallVector<bool> bits(t.int32_data().begin(), t.int32_data().end());
      attr = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    }
  } else {
    have = t.int32_data_size();
    if (have == count)
      attr = DenseElementsAttr::get(type, toAPInts(t.int32_data(), width));
  }
  if (!attr)
    return emitError(loc) << "tensor '" << t.name() << "' holds " << have
                          << " values but its shape needs " << count;
  return cast<ElementsAttr>(attr);
}

} // namespace cimlir
