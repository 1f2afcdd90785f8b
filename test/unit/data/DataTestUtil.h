// Helpers for the data tests: a scratch directory, random tensors, file writers
// (IDX plain/gzip, serialized onnx.TensorProto by hand) and error matching.
#pragma once

#include "core/Error.h"
#include "core/Tensor.h"
#include "test/unit/common/ErrorOf.h"
#include "test/unit/common/TempDir.h"
#include "test/unit/common/TestRng.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace cimlir::testing {

namespace fs = std::filesystem;

using cimlir::test::TempDir;

/// One generator per process (TestRng.h).
inline std::mt19937_64 &rng() { return cimlir::test::processRng("data tests"); }

/// A tensor of random values over the dtype's whole range (bools 0/1).
inline Tensor randomTensor(DType dtype, const Shape &shape) {
  Tensor t = Tensor::allocate(dtype, shape);
  auto *bytes = static_cast<unsigned char *>(t.raw());
  size_t n = t.byteSize();
  auto &g = rng();
  if (dtype == DType::Bool) {
    for (size_t i = 0; i < n; ++i)
      bytes[i] = g() & 1;
  } else if (dtype == DType::F32) {
    std::normal_distribution<float> d(0.f, 10.f);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data<float>()[i] = d(g);
  } else if (dtype == DType::F64) {
    std::normal_distribution<double> d(0., 1e6);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data<double>()[i] = d(g);
  } else {
    for (size_t i = 0; i < n; ++i)
      bytes[i] = static_cast<unsigned char>(g());
  }
  return t;
}

inline bool sameTensor(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         (a.byteSize() == 0 || std::memcmp(a.raw(), b.raw(), a.byteSize()) == 0);
}

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// IDX bytes: magic 0x0000TTRR, big-endian dims, then the data converted to big-endian.
inline std::string idxBytes(unsigned typeCode, const Tensor &t) {
  std::string out = {0, 0, static_cast<char>(typeCode), static_cast<char>(t.rank())};
  for (int64_t d : t.shape())
    for (int s = 24; s >= 0; s -= 8)
      out += static_cast<char>((static_cast<uint32_t>(d) >> s) & 0xff);
  size_t item = dtypeSize(t.dtype());
  const auto *p = static_cast<const char *>(t.raw());
  for (size_t i = 0; i < t.byteSize(); i += item)
    for (size_t b = 0; b < item; ++b)
      out += p[i + item - 1 - b];
  return out;
}

inline void writeGzip(const std::string &path, const std::string &bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

/// A serialized onnx.TensorProto, written field by field (protobuf wire format), so that
/// the tests need no protobuf: dims = 1, data_type = 2, float_data = 4 (packed),
/// int32_data = 5, int64_data = 7, name = 8, raw_data = 9, double_data = 10.
class TensorProtoWriter {
public:
  TensorProtoWriter &dims(const Shape &shape) {
    for (int64_t d : shape) {
      key(1, 0);
      varint(static_cast<uint64_t>(d));
    }
    return *this;
  }
  TensorProtoWriter &dataType(int code) {
    key(2, 0);
    varint(static_cast<uint64_t>(code));
    return *this;
  }
  TensorProtoWriter &name(const std::string &n) { return bytesField(8, n); }
  TensorProtoWriter &rawData(const Tensor &t) {
    return bytesField(9, std::string(static_cast<const char *>(t.raw()), t.byteSize()));
  }
  TensorProtoWriter &floatData(const std::vector<float> &v) {
    return bytesField(4, std::string(reinterpret_cast<const char *>(v.data()), v.size() * 4));
  }
  TensorProtoWriter &doubleData(const std::vector<double> &v) {
    return bytesField(10, std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8));
  }
  TensorProtoWriter &int32Data(const std::vector<int32_t> &v) {
    std::string packed = varints(v.begin(), v.end());
    return bytesField(5, packed);
  }
  TensorProtoWriter &int64Data(const std::vector<int64_t> &v) {
    return bytesField(7, varints(v.begin(), v.end()));
  }
  const std::string &bytes() const { return out_; }
  void writeTo(const std::string &path) const { writeBytes(path, out_); }

private:
  template <typename It> static std::string varints(It b, It e) {
    TensorProtoWriter w;
    for (; b != e; ++b)
      w.varint(static_cast<uint64_t>(static_cast<int64_t>(*b))); // negative: 10-byte form
    return w.out_;
  }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void key(int field, int wire) { varint(static_cast<uint64_t>(field) << 3 | wire); }
  TensorProtoWriter &bytesField(int field, const std::string &b) {
    key(field, 2);
    varint(b.size());
    out_ += b;
    return *this;
  }
  std::string out_;
};

using cimlir::test::errorOf;

} // namespace cimlir::testing
