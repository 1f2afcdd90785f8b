// IDX files: the MNIST family's format (http://yann.lecun.com/exdb/mnist/).
//
// Magic 0x0000TTRR (TT element type, RR rank), RR big-endian uint32 dims, then the
// big-endian data. zlib's gzopen/gzread read gzip files and, transparently, plain ones,
// so one code path serves "t10k-images-idx3-ubyte" and "t10k-images-idx3-ubyte.gz".
//
// The data is read in chunks into a buffer that grows with what is actually there, and
// only then converted into a tensor: a header that promises more than the file holds
// is an Error naming both sizes, never a huge allocation or a crash.
#include "runtime/data/Idx.h"

#include "core/Error.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace cimlir {

namespace {

bool idxType(unsigned code, DType &out) {
  switch (code) {
  case 0x08:
    out = DType::U8;
    return true;
  case 0x09:
    out = DType::I8;
    return true;
  case 0x0B:
    out = DType::I16;
    return true;
  case 0x0C:
    out = DType::I32;
    return true;
  case 0x0D:
    out = DType::F32;
    return true;
  case 0x0E:
    out = DType::F64;
    return true;
  default:
    return false;
  }
}

std::string hex(unsigned v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
  return buf;
}

class GzFile {
public:
  explicit GzFile(const std::string &path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      throw Error(path + ": no such file");
    if (std::filesystem::is_directory(path, ec))
      throw Error(path + ": is a directory, expected an IDX file");
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      throw Error(path + ": cannot open: " + std::strerror(errno));
    gzbuffer(f_, 1 << 17);
  }
  ~GzFile() { gzclose(f_); }

  /// Reads up to n bytes, fewer only at the end of the data.
  size_t read(void *dst, size_t n) {
    size_t done = 0;
    while (done < n) {
      // gzread takes an unsigned count: go in chunks well below its limit.
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, size_t(1) << 30));
      int got = gzread(f_, static_cast<char *>(dst) + done, chunk);
      if (got < 0) {
        int code = 0;
        const char *msg = gzerror(f_, &code);
        throw Error(path_ + ": corrupt or unreadable data: " +
                    (code == Z_ERRNO ? std::strerror(errno) : msg));
      }
      if (got == 0)
        break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

private:
  std::string path_;
  gzFile f_ = nullptr;
};

uint32_t bigEndian32(const unsigned char *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

} // namespace

Tensor readIdx(const std::string &path) {
  GzFile f(path);
  unsigned char magic[4];
  if (f.read(magic, 4) != 4)
    throw Error(path + ": truncated: shorter than the 4-byte IDX magic");
  uint32_t magicValue = bigEndian32(magic);
  if (magic[0] != 0 || magic[1] != 0)
    throw Error(path + ": not an IDX file (magic " + hex(magicValue, 8) +
                "; expected 0x0000TTRR with type TT and rank RR)");
  DType dtype;
  if (!idxType(magic[2], dtype))
    throw Error(path + ": unsupported IDX element type " + hex(magic[2], 2) +
                " (expected 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32 or 0x0E f64)");
  int rank = magic[3];
  if (rank == 0)
    throw Error(path + ": IDX header has rank 0; expected at least one dimension");

  std::vector<unsigned char> dimBytes(4 * static_cast<size_t>(rank));
  if (f.read(dimBytes.data(), dimBytes.size()) != dimBytes.size())
    throw Error(path + ": truncated inside the IDX header (rank " + std::to_string(rank) + ")");
  Shape shape;
  const size_t item = dtypeSize(dtype);
  uint64_t expected = item;
  for (int i = 0; i < rank; ++i) {
    uint32_t d = bigEndian32(&dimBytes[4 * i]);
    shape.push_back(d);
    if (d != 0 && expected > (uint64_t(1) << 62) / d)
      throw Error(path + ": IDX shape " + shapeToString(shape) + " is too large");
    expected *= d;
  }

  // Grow the buffer with the data actually read: 64 KiB first, then as much again each time
  // (at most 16 MiB), so that a header claiming more than the file holds costs little.
  std::vector<unsigned char> bytes;
  while (bytes.size() < expected) {
    const size_t chunk = std::clamp<size_t>(bytes.size(), size_t(64) << 10, size_t(16) << 20);
    size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, expected - bytes.size()));
    size_t old = bytes.size();
    bytes.resize(old + want);
    size_t got = f.read(bytes.data() + old, want);
    bytes.resize(old + got);
    if (got < want)
      break;
  }
  if (bytes.size() < expected)
    throw Error(path + ": truncated: header says " + shapeToString(shape) + " " + dtypeName(dtype) +
                " (" + std::to_string(expected) + " bytes) but the file holds " +
                std::to_string(bytes.size()));
  unsigned char extra;
  if (f.read(&extra, 1) != 0)
    throw Error(path + ": unexpected bytes after the " + shapeToString(shape) + " " +
                dtypeName(dtype) + " data (is the header's shape right?)");

  Tensor t = Tensor::allocate(dtype, shape);
  auto *dst = static_cast<unsigned char *>(t.raw());
  if (bytes.empty()) {
    // A dimension of 0: nothing to copy (and no buffer to copy into).
  } else if (item == 1) {
    std::memcpy(dst, bytes.data(), bytes.size());
  } else {
    // IDX data is big-endian; the hosts we run on are little-endian.
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                  "IDX reader assumes a little-endian host");
    for (size_t i = 0; i < bytes.size(); i += item)
      for (size_t b = 0; b < item; ++b)
        dst[i + b] = bytes[i + item - 1 - b];
  }
  return t;
}

} // namespace cimlir
