// cimlir core: element types of tensors, with their ONNX and NumPy spellings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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
  F16,  // IEEE binary16, stored only: computed as float32 (core/HalfFloat.h)
  BF16, // bfloat16, the same
};

/// Every dtype, in the enum's order.
const std::vector<DType> &allDTypes();
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
/// NumPy array-protocol descriptor ("<f4", "|u1", ...), used by .npy files; empty for
/// bfloat16, which NumPy has no type for (.npz files hold it as float32, runtime/data/Npz.h).
const char *dtypeNpyDescr(DType t);
/// Parses a .npy descriptor; returns false for an unsupported one.
bool dtypeFromNpyDescr(const std::string &descr, DType &out);

} // namespace cimlir
