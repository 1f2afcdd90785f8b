//===- TensorImport.cpp - ONNX TensorProto to MLIR attributes -------------===//

#include "compiler/importer/TensorImport.h"

#include "dialects/onnx/ElementTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;

namespace cimlir {

/// No tensor cimlir can hold has more elements (2^40: 4 TiB of float32).
static constexpr int64_t kMaxElements = int64_t(1) << 40;

std::string onnxTypeName(int onnxType) {
  std::string name;
  if (::onnx::TensorProto::DataType_IsValid(onnxType))
    name = ::onnx::TensorProto::DataType_Name(static_cast<::onnx::TensorProto::DataType>(onnxType));
  return name.empty() ? "code " + std::to_string(onnxType) : name;
}

Type importElementType(MLIRContext *ctx, int onnxType) {
  DType dtype;
  return dtypeFromOnnx(onnxType, dtype) ? elementTypeOf(ctx, dtype) : nullptr;
}

namespace {

/// Parses a decimal byte count of an external-data entry; fails on anything else.
std::optional<uint64_t> parseByteCount(const std::string &text) {
  uint64_t v = 0;
  if (text.empty() || llvm::StringRef(text).getAsInteger(10, v))
    return std::nullopt;
  return v;
}

/// Reads the external-data location of `t` into a view of a mapped file slice. The file
/// must lie inside the model's folder (after resolving symbolic links) and hold all the
/// bytes the tensor's shape needs.
FailureOr<ArrayRef<char>> externalBytes(Location loc, const ::onnx::TensorProto &t,
                                        const TensorSource &source, uint64_t expected) {
  std::string location;
  uint64_t offset = 0, length = expected;
  for (const auto &kv : t.external_data()) {
    std::optional<uint64_t> n;
    if (kv.key() == "location") {
      location = kv.value();
      continue;
    }
    if (kv.key() != "offset" && kv.key() != "length")
      continue; // "checksum" and others are advisory
    if (!(n = parseByteCount(kv.value())))
      return emitError(loc) << "initializer '" << t.name() << "': external data " << kv.key()
                            << " '" << kv.value() << "' is not a byte count";
    (kv.key() == "offset" ? offset : length) = *n;
  }
  if (location.empty())
    return emitError(loc) << "initializer '" << t.name() << "' has external data with no location";
  if (length != expected)
    return emitError(loc) << "initializer '" << t.name() << "': external data length " << length
                          << " does not match its shape (" << expected << " bytes)";
  llvm::StringRef rel(location);
  llvm::SmallString<256> full(source.modelDir);
  llvm::sys::path::append(full, location);
  llvm::SmallString<256> realDir, realFile;
  // A ".." component leaves the folder; "w..bin" is a name like any other.
  bool inside =
      !llvm::sys::path::is_absolute(rel) &&
      llvm::none_of(llvm::make_range(llvm::sys::path::begin(rel), llvm::sys::path::end(rel)),
                    [](llvm::StringRef part) { return part == ".."; });
  if (inside && !llvm::sys::fs::real_path(source.modelDir, realDir) &&
      !llvm::sys::fs::real_path(full, realFile))
    inside = llvm::StringRef(realFile).starts_with((realDir + "/").str());
  if (!inside && llvm::sys::fs::exists(full))
    return emitError(loc) << "initializer '" << t.name() << "': external data path '" << location
                          << "' leaves the model's folder";
  if (!inside)
    return emitError(loc) << "initializer '" << t.name() << "': external data path '" << location
                          << "' is not a file inside the model's folder";
  // Opened without blocking (a FIFO would wait for a writer forever) and read only if it is
  // a regular file.
  const int fd = ::open(realFile.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return emitError(loc) << "initializer '" << t.name() << "': cannot read " << full << ": "
                          << std::strerror(errno);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return emitError(loc) << "initializer '" << t.name() << "': external data path '" << location
                          << "' is not a regular file";
  const uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  if (offset > fileSize || expected > fileSize - offset)
    return emitError(loc) << "initializer '" << t.name() << "': external file " << full << " has "
                          << fileSize << " bytes, too few for " << expected << " bytes at offset "
                          << offset;
  if (expected == 0)
    return ArrayRef<char>();
  auto buffer =
      llvm::MemoryBuffer::getOpenFileSlice(fd, realFile, expected, static_cast<int64_t>(offset));
  if (!buffer)
    return emitError(loc) << "initializer '" << t.name() << "': cannot read " << expected
                          << " bytes at offset " << offset << " of " << full << ": "
                          << buffer.getError().message();
  ArrayRef<char> bytes((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  source.mappedFiles->push_back(std::move(*buffer));
  return bytes;
}

/// Element values from the typed repeated fields, widened to APInt/APFloat.
template <typename Range> SmallVector<APInt> toAPInts(const Range &values, unsigned width) {
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
                          << onnxTypeName(t.data_type()) << ", which cimlir does not support";
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return emitError(loc) << "tensor '" << t.name() << "' has a negative dimension";
    if (__builtin_mul_overflow(count, d, &count) || count > kMaxElements)
      return emitError(loc) << "tensor '" << t.name() << "' has more than " << kMaxElements
                            << " elements";
    shape.push_back(d);
  }
  auto type = RankedTensorType::get(shape, elem);
  unsigned width = elem.getIntOrFloatBitWidth();
  uint64_t elemBytes = width == 1 ? 1 : width / 8;
  uint64_t expected = static_cast<uint64_t>(count) * elemBytes;

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
      // The bytes belong to the ModelProto or the mapped file (ImportedModel owns both).
      // GCC 12 warns, wrongly, about llvm::unique_function's storage when the blob moves.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
      AsmResourceBlob blob = UnmanagedAsmResourceBlob::allocateWithAlign(*raw, align);
      std::string key = t.name().empty() ? std::string("tensor") : t.name();
      auto attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
#pragma GCC diagnostic pop
      return cast<ElementsAttr>(attr);
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
  } else if (isa<FloatType>(elem)) { // float16, bfloat16: each value's 16 bits in int32_data
    have = t.int32_data_size();
    if (have == count) {
      SmallVector<uint16_t> bits(t.int32_data().begin(), t.int32_data().end());
      attr = DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(reinterpret_cast<const char *>(bits.data()), bits.size() * 2));
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
