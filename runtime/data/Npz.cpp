// NumPy .npy and .npz files.
//
// .npy: "\x93NUMPY", version (1.0: 2-byte header length; 2.0/3.0: 4-byte length; 3.0 only
// allows UTF-8 in the header), then a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces and a '\n' so that the data starts 64-byte aligned, then the data.
// .npz: a zip archive whose members are "<key>.npy" (stored by np.savez, deflated by
// np.savez_compressed); libzip reads either and writes stored members like np.savez.
//
// Every size in a header is checked against the bytes that are actually there before
// anything is allocated, so a truncated or corrupt file is an Error, never a crash or a
// huge allocation.
#include "runtime/data/Npz.h"

#include "core/Error.h"
#include "core/OutputFile.h"
#include "runtime/data/DatasetSupport.h"

#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

namespace cimlir {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

// Where the bytes of one .npy come from: a plain file or a zip member. `total` is the
// size of the whole .npy, known up front in both cases (file size, zip stat size).
class ByteSource {
public:
  virtual ~ByteSource() = default;
  /// Reads up to n bytes; returns how many were read. Throws on an I/O error.
  virtual size_t read(void *dst, size_t n) = 0;
  virtual uint64_t total() const = 0;
};

class FileSource : public ByteSource {
public:
  FileSource(const std::string &path) : path_(path) {
    f_ = std::fopen(path.c_str(), "rb");
    if (!f_)
      throw Error(path + ": cannot open: " + std::strerror(errno));
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::fclose(f_);
      throw Error(path + ": is a directory, expected a .npy file");
    }
    total_ = std::filesystem::file_size(path, ec);
    if (ec) {
      std::fclose(f_);
      throw Error(path + ": cannot read its size: " + ec.message());
    }
  }
  ~FileSource() override { std::fclose(f_); }
  size_t read(void *dst, size_t n) override {
    size_t got = std::fread(dst, 1, n, f_);
    if (got < n && std::ferror(f_))
      throw Error(path_ + ": read error: " + std::strerror(errno));
    return got;
  }
  uint64_t total() const override { return total_; }

private:
  std::string path_;
  std::FILE *f_ = nullptr;
  uint64_t total_ = 0;
};

class ZipMemberSource : public ByteSource {
public:
  ZipMemberSource(zip_t *za, zip_uint64_t index, uint64_t total, const std::string &where)
      : where_(where), total_(total) {
    f_ = zip_fopen_index(za, index, 0);
    if (!f_)
      throw Error(where + ": cannot open member: " + zip_error_strerror(zip_get_error(za)));
  }
  ~ZipMemberSource() override { zip_fclose(f_); }
  size_t read(void *dst, size_t n) override {
    size_t done = 0;
    while (done < n) {
      zip_int64_t got = zip_fread(f_, static_cast<char *>(dst) + done, n - done);
      if (got < 0)
        throw Error(where_ + ": corrupt member data: " + zip_file_strerror(f_));
      if (got == 0)
        break;
      done += static_cast<size_t>(got);
    }
    return done;
  }
  uint64_t total() const override { return total_; }

private:
  std::string where_;
  zip_file_t *f_ = nullptr;
  uint64_t total_ = 0;
};

// ---- the header dict ------------------------------------------------------------------

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  Shape shape;
};

// A parser for the one Python literal numpy writes: a dict of str keys whose values are
// str, True/False, or a tuple of ints (Python 2 era files may spell ints "3L").
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &where) : s_(text), where_(where) {}

  NpyHeader parse() {
    NpyHeader h;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipWs();
    expect('{');
    while (true) {
      skipWs();
      if (peek() == '}')
        break;
      std::string key = parseString();
      skipWs();
      expect(':');
      skipWs();
      if (key == "descr") {
        if (peek() == '[')
          fail("structured dtypes (descr [...]) are not supported; save a plain array");
        h.descr = parseString();
        haveDescr = true;
      } else if (key == "fortran_order") {
        h.fortranOrder = parseBool();
        haveOrder = true;
      } else if (key == "shape") {
        h.shape = parseShape();
        haveShape = true;
      } else {
        fail("unexpected key '" + key + "' in the header");
      }
      skipWs();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}')
        fail("malformed header dict near offset " + std::to_string(pos_));
    }
    if (!haveDescr || !haveOrder || !haveShape)
      fail("header lacks one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

private:
  [[noreturn]] void fail(const std::string &what) const { throw Error(where_ + ": " + what); }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c)
      fail(std::string("malformed header: expected '") + c + "' at offset " + std::to_string(pos_));
    ++pos_;
  }
  std::string parseString() {
    char q = peek();
    if (q != '\'' && q != '"')
      fail("malformed header: expected a quoted string at offset " + std::to_string(pos_));
    ++pos_;
    size_t end = s_.find(q, pos_);
    if (end == std::string::npos)
      fail("malformed header: unterminated string");
    std::string out = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }
  bool parseBool() {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("malformed header: fortran_order is neither True nor False");
  }
  Shape parseShape() {
    Shape shape;
    expect('(');
    while (true) {
      skipWs();
      if (peek() == ')') {
        ++pos_;
        return shape;
      }
      if (peek() < '0' || peek() > '9')
        fail("malformed header: shape holds something other than non-negative ints");
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (int64_t(1) << 50))
          fail("shape dimension too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      if (peek() == 'L')
        ++pos_;
      shape.push_back(v);
      skipWs();
      if (peek() == ',')
        ++pos_;
      else if (peek() != ')')
        fail("malformed header: bad shape tuple");
    }
  }

  const std::string &s_;
  std::string where_;
  size_t pos_ = 0;
};

uint64_t checkedDataBytes(const Shape &shape, size_t itemSize, const std::string &where) {
  uint64_t n = itemSize;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error(where + ": negative dimension in shape " + shapeToString(shape));
    if (d != 0 && n > (uint64_t(1) << 62) / static_cast<uint64_t>(d))
      throw Error(where + ": shape " + shapeToString(shape) + " is too large");
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

uint32_t readLE(const unsigned char *p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

Tensor readNpyFrom(ByteSource &src, const std::string &where) {
  uint64_t total = src.total();
  unsigned char pre[12];
  if (total < 10 || src.read(pre, 10) != 10)
    throw Error(where + ": truncated: too short for a .npy header");
  if (std::memcmp(pre, kMagic, kMagicLen) != 0)
    throw Error(where + ": not a .npy array (bad magic; expected \\x93NUMPY)");
  int major = pre[6], minor = pre[7];
  size_t preLen;
  uint64_t headerLen;
  if (major == 1) {
    preLen = 10;
    headerLen = readLE(pre + 8, 2);
  } else if (major == 2 || major == 3) {
    if (total < 12 || src.read(pre + 10, 2) != 2)
      throw Error(where + ": truncated: too short for a .npy header");
    preLen = 12;
    headerLen = readLE(pre + 8, 4);
  } else {
    throw Error(where + ": unsupported .npy format version " + std::to_string(major) + "." +
                std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  if (headerLen > total - preLen)
    throw Error(where + ": truncated: the header says it is " + std::to_string(headerLen) +
                " bytes but the array holds only " + std::to_string(total - preLen) +
                " after the preamble");
  std::string text(headerLen, '\0');
  if (src.read(text.data(), headerLen) != headerLen)
    throw Error(where + ": truncated inside the header");
  NpyHeader h = HeaderParser(text, where).parse();
  if (h.fortranOrder)
    throw Error(where + ": array is in Fortran order; save it C-ordered "
                        "(np.ascontiguousarray) instead");
  DType dtype;
  if (!dtypeFromNpyDescr(h.descr, dtype))
    throw Error(where + ": unsupported dtype '" + h.descr +
                "' (expected little-endian float32/float64/int8/uint8/int16/uint16/int32/"
                "int64/bool)");
  uint64_t dataBytes = checkedDataBytes(h.shape, dtypeSize(dtype), where);
  uint64_t avail = total - preLen - headerLen;
  if (avail < dataBytes)
    throw Error(where + ": truncated: shape " + shapeToString(h.shape) + " " + dtypeName(dtype) +
                " needs " + std::to_string(dataBytes) + " bytes of data but only " +
                std::to_string(avail) + " are there");
  if (avail > dataBytes)
    throw Error(where + ": " + std::to_string(avail - dataBytes) +
                " unexpected bytes after the array data of shape " + shapeToString(h.shape));
  Tensor t = Tensor::allocate(dtype, h.shape);
  if (dataBytes && src.read(t.raw(), dataBytes) != dataBytes)
    throw Error(where + ": truncated inside the array data");
  return t;
}

// ---- writing ---------------------------------------------------------------------------

std::string npyHeaderFor(const Tensor &t, const std::string &where) {
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i) {
    if (t.shape()[i] < 0)
      throw Error(where + ": cannot save a tensor of unbound shape " + shapeToString(t.shape()));
    shape += (i ? ", " : "") + std::to_string(t.shape()[i]);
  }
  shape += t.shape().size() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + dtypeNpyDescr(t.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  // numpy pads so that magic + length + dict + '\n' is a multiple of 64 (data aligned).
  size_t pre = 10;
  size_t len = dict.size() + 1;
  size_t padded = (pre + len + 63) / 64 * 64 - pre;
  int major = 1;
  if (padded > 65535) {
    pre = 12;
    padded = (pre + len + 63) / 64 * 64 - pre;
    major = 2;
  }
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += '\0';
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
    out += static_cast<char>((padded >> (8 * i)) & 0xff);
  out += dict;
  out.append(padded - len, ' ');
  out += '\n';
  return out;
}

std::string zipError(zip_error_t *e) { return zip_error_strerror(e); }

// Owns a half-written archive: on unwinding, drops it (the OutputFile removes the file).
struct PendingArchive {
  zip_t *za = nullptr;
  ~PendingArchive() {
    if (za)
      zip_discard(za);
  }
};

void writeEmptyZip(int fd, const std::string &path) {
  // libzip does not create an archive without members; numpy's np.savez() does (just the
  // 22-byte end-of-central-directory record), so write that by hand.
  static const unsigned char eocd[22] = {0x50, 0x4b, 0x05, 0x06};
  if (::write(fd, eocd, sizeof eocd) != static_cast<ssize_t>(sizeof eocd))
    throw Error(path + ": write error: " + std::strerror(errno));
}

/// Where libzip writes an archive: straight into the staged file `fd`. (zip_open on a path
/// would write a temporary file of its own beside it and rename that: a second staging
/// level, which a kill -9 leaves behind.) Only what writing a new archive needs.
struct FdSink {
  int fd;
  zip_error_t error;
};

zip_int64_t fdSinkCallback(void *state, void *data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto *sink = static_cast<FdSink *>(state);
  switch (cmd) {
  case ZIP_SOURCE_SUPPORTS:
    return ZIP_SOURCE_SUPPORTS_WRITABLE;
  case ZIP_SOURCE_STAT: { // a new, empty archive
    auto *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &sink->error);
    if (!st)
      return -1;
    zip_stat_init(st);
    st->size = 0;
    st->valid |= ZIP_STAT_SIZE;
    return sizeof *st;
  }
  case ZIP_SOURCE_OPEN:
  case ZIP_SOURCE_CLOSE:
  case ZIP_SOURCE_READ: // nothing to read: the archive is new
  case ZIP_SOURCE_SEEK:
  case ZIP_SOURCE_TELL:
  case ZIP_SOURCE_COMMIT_WRITE:
  case ZIP_SOURCE_ROLLBACK_WRITE: // the caller's OutputFile removes the file
  case ZIP_SOURCE_REMOVE:
  case ZIP_SOURCE_FREE:
    return 0;
  case ZIP_SOURCE_BEGIN_WRITE:
    if (::ftruncate(sink->fd, 0) != 0 || ::lseek(sink->fd, 0, SEEK_SET) != 0) {
      zip_error_set(&sink->error, ZIP_ER_WRITE, errno);
      return -1;
    }
    return 0;
  case ZIP_SOURCE_WRITE: {
    const auto *bytes = static_cast<const char *>(data);
    for (zip_uint64_t done = 0; done < len;) {
      ssize_t n = ::write(sink->fd, bytes + done, static_cast<size_t>(len - done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        zip_error_set(&sink->error, ZIP_ER_WRITE, errno);
        return -1;
      }
      done += static_cast<zip_uint64_t>(n);
    }
    return static_cast<zip_int64_t>(len);
  }
  case ZIP_SOURCE_SEEK_WRITE: {
    auto *args = ZIP_SOURCE_GET_ARGS(zip_source_args_seek_t, data, len, &sink->error);
    if (!args)
      return -1;
    if (::lseek(sink->fd, static_cast<off_t>(args->offset), args->whence) < 0) {
      zip_error_set(&sink->error, ZIP_ER_SEEK, errno);
      return -1;
    }
    return 0;
  }
  case ZIP_SOURCE_TELL_WRITE: {
    off_t at = ::lseek(sink->fd, 0, SEEK_CUR);
    if (at < 0) {
      zip_error_set(&sink->error, ZIP_ER_TELL, errno);
      return -1;
    }
    return at;
  }
  case ZIP_SOURCE_ERROR:
    return zip_error_to_data(&sink->error, data, len);
  default:
    zip_error_set(&sink->error, ZIP_ER_OPNOTSUPP, 0);
    return -1;
  }
}

} // namespace

Tensor readNpy(const std::string &path) {
  FileSource src(path);
  return readNpyFrom(src, path);
}

std::map<std::string, Tensor> readNpz(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(path + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(path + ": is a directory, expected a .npz file");
  int code = 0;
  zip_t *za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!za) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    std::string msg = path + ": not a readable .npz (zip) archive: " + zipError(&e);
    zip_error_fini(&e);
    throw Error(msg);
  }
  std::unique_ptr<zip_t, void (*)(zip_t *)> guard(za, zip_discard);
  std::map<std::string, Tensor> out;
  zip_int64_t n = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
      throw Error(path + ": cannot read member #" + std::to_string(i) + ": " +
                  zipError(zip_get_error(za)));
    std::string name = st.name;
    if (!name.empty() && name.back() == '/')
      continue; // a directory entry: numpy never writes one, but zip tools may
    std::string where = path + ": member '" + name + "'";
    const std::string suffix = ".npy";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      throw Error(where + " is not a .npy array (np.savez names members <key>.npy)");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      throw Error(where + " is encrypted; encrypted archives are not supported");
    ZipMemberSource src(za, static_cast<zip_uint64_t>(i), st.size, where);
    Tensor t = readNpyFrom(src, where);
    // Read past the end so that libzip checks the member's CRC (it does so at EOF).
    char extra;
    if (src.read(&extra, 1) != 0)
      throw Error(where + ": more data than its size in the archive directory");
    std::string key = name.substr(0, name.size() - suffix.size());
    if (!out.emplace(key, std::move(t)).second)
      throw Error(path + ": array '" + key + "' appears twice");
  }
  return out;
}

Tensor npzArrayAs(const Tensor &array, DType planDType) {
  if (planDType == DType::BF16 && array.defined() && array.dtype() == DType::F32)
    return data_detail::convertTensor(array, DType::BF16);
  return array;
}

void writeNpz(const std::string &path, const std::map<std::string, Tensor> &arrays) {
  // A temporary file beside the target (or in $TMPDIR for a device or FIFO); commit()
  // renames it into place or copies it into the node. A directory target is refused here.
  OutputFile out(path);
  writeStagedNpz(out.tempPath(), path, arrays);
  out.commit();
}

void writeStagedNpz(const std::string &stagedTemp, const std::string &path,
                    const std::map<std::string, Tensor> &given) {
  // NumPy has no bfloat16: such arrays are saved as float32, which holds each of their values
  // exactly (and NPZ datasets take float32 arrays for bfloat16 inputs).
  std::map<std::string, Tensor> widened;
  const bool anyBFloat16 = std::any_of(given.begin(), given.end(), [](const auto &kv) {
    return kv.second.defined() && kv.second.dtype() == DType::BF16;
  });
  if (anyBFloat16)
    for (const auto &[key, t] : given)
      widened.emplace(key, t.defined() && t.dtype() == DType::BF16
                               ? data_detail::convertTensor(t, DType::F32)
                               : t);
  const std::map<std::string, Tensor> &arrays = anyBFloat16 ? widened : given;
  // Everything that can be wrong with the arrays is checked before any byte is written.
  std::vector<std::string> headers;
  headers.reserve(arrays.size());
  for (const auto &[key, t] : arrays) {
    if (key.empty())
      throw Error(path + ": cannot save an array with an empty name");
    std::string where = path + ": array '" + key + "'";
    if (!t.defined())
      throw Error(where + " has no data");
    headers.push_back(npyHeaderFor(t, where));
  }
  const int fd = ::open(stagedTemp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    throw Error(path + ": cannot write: " + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  if (arrays.empty()) {
    writeEmptyZip(fd, path);
    return;
  }
  FdSink sink{fd, {}};
  zip_error_init(&sink.error);
  std::unique_ptr<zip_error_t, void (*)(zip_error_t *)> errorGuard(&sink.error, zip_error_fini);
  zip_error_t openError;
  zip_error_init(&openError);
  zip_source_t *source = zip_source_function_create(fdSinkCallback, &sink, &openError);
  PendingArchive pending;
  if (source) {
    pending.za = zip_open_from_source(source, ZIP_TRUNCATE, &openError);
    if (!pending.za)
      zip_source_free(source);
  }
  if (!pending.za) {
    std::string msg = path + ": cannot create: " + zipError(&openError);
    zip_error_fini(&openError);
    throw Error(msg);
  }
  zip_error_fini(&openError);
  size_t k = 0;
  for (const auto &[key, t] : arrays) {
    const std::string &hdr = headers[k++];
    // Header and tensor bytes go in as two fragments: no copy of the array data.
    zip_buffer_fragment_t frags[2] = {
        {reinterpret_cast<zip_uint8_t *>(const_cast<char *>(hdr.data())), hdr.size()},
        {static_cast<zip_uint8_t *>(const_cast<void *>(t.raw())), t.byteSize()}};
    zip_source_t *src = zip_source_buffer_fragment(pending.za, frags, t.byteSize() ? 2 : 1, 0);
    if (!src)
      throw Error(path + ": cannot add '" + key + "': " + zipError(zip_get_error(pending.za)));
    zip_int64_t idx = zip_file_add(pending.za, (key + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(src);
      throw Error(path + ": cannot add '" + key + "': " + zipError(zip_get_error(pending.za)));
    }
    // A fixed time stamp (1980-01-01, the first the zip format can hold), so that the same
    // arrays always give the same bytes (outputs of one plan compare with cmp).
    if (zip_file_set_mtime(pending.za, static_cast<zip_uint64_t>(idx), 315532800, 0) != 0)
      throw Error(path + ": cannot add '" + key + "': " + zipError(zip_get_error(pending.za)));
    // Stored, like np.savez: the data is rarely compressible and this is faster.
    if (zip_set_file_compression(pending.za, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0) != 0)
      throw Error(path + ": cannot add '" + key + "': " + zipError(zip_get_error(pending.za)));
  }
  // zip_close writes the whole archive, through the sink into the staged file.
  if (zip_close(pending.za) != 0)
    throw Error(path + ": cannot write: " + zipError(zip_get_error(pending.za)));
  pending.za = nullptr;
}

} // namespace cimlir
