// cimlir core: element types of tensors, with their ONNX and NumPy spellings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cimlir {

enum class DType : uint8_t {
  F32,
  F64,
  I8,
  U8,
  I16,
  U16,
  I32,
  I64,
  Bool,
};

/// Size of one element in bytes.
size_t dtypeSize(DType t);
/// NumPy name ("float32", "uint8", ...); also the spelling in plan metadata.
const char *dtypeName(DType t);
/// Parses dtypeName()'s spelling; returns false for an unknown name.
bool parseDType(const std::string &name, DType &out);
/// ONNX TensorProto.DataType code (FLOAT = 1, ...).
int dtypeToOnnx(DType t);
/// Maps an ONNX TensorProto.DataType code; returns false for one we do not support.
bool dtypeFromOnnx(int onnxCode, DType &out);
/// NumPy array-protocol descriptor ("<f4", "|u1", ...), used by .npy files.
const char *dtypeNpyDescr(DType t);
/// Parses a .npy descriptor; returns false for an unsupported one.
bool dtypeFromNpyDescr(const std::string &descr, DType &out);

} // namespace cimlir
