#include "core/DType.h"

namespace cimlir {

namespace {
struct DTypeInfo {
  DType type;
  size_t size;
  const char *name;
  int onnx;
  const char *npy;
};

// ONNX codes from onnx.proto TensorProto.DataType.
constexpr DTypeInfo kInfos[] = {
    {DType::F32, 4, "float32", 1, "<f4"}, {DType::F64, 8, "float64", 11, "<f8"},
    {DType::I8, 1, "int8", 3, "|i1"},     {DType::U8, 1, "uint8", 2, "|u1"},
    {DType::I16, 2, "int16", 5, "<i2"},   {DType::U16, 2, "uint16", 4, "<u2"},
    {DType::I32, 4, "int32", 6, "<i4"},   {DType::I64, 8, "int64", 7, "<i8"},
    {DType::Bool, 1, "bool", 9, "|b1"},   {DType::F16, 2, "float16", 10, "<f2"},
    {DType::BF16, 2, "bfloat16", 16, ""},
};

const DTypeInfo &info(DType t) { return kInfos[static_cast<int>(t)]; }
} // namespace

const std::vector<DType> &allDTypes() {
  static const std::vector<DType> all = [] {
    std::vector<DType> v;
    for (const auto &i : kInfos)
      v.push_back(i.type);
    return v;
  }();
  return all;
}

size_t dtypeSize(DType t) { return info(t).size; }
const char *dtypeName(DType t) { return info(t).name; }
int dtypeToOnnx(DType t) { return info(t).onnx; }
const char *dtypeNpyDescr(DType t) { return info(t).npy; }

bool parseDType(const std::string &name, DType &out) {
  for (const auto &i : kInfos)
    if (name == i.name) {
      out = i.type;
      return true;
    }
  return false;
}

bool dtypeFromOnnx(int onnxCode, DType &out) {
  for (const auto &i : kInfos)
    if (onnxCode == i.onnx) {
      out = i.type;
      return true;
    }
  return false;
}

bool dtypeFromNpyDescr(const std::string &descr, DType &out) {
  for (const auto &i : kInfos) {
    if (*i.npy == '\0')
      continue;
    // "<u1" and "|u1" both occur for one-byte types; "=" means native (little) endian.
    std::string d = descr;
    if (!d.empty() && (d[0] == '=' || (i.size == 1 && d[0] == '<')))
      d[0] = i.npy[0];
    if (d == i.npy) {
      out = i.type;
      return true;
    }
  }
  return false;
}

} // namespace cimlir
