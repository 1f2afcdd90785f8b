// .npy/.npz: round trips of every dtype, files written by real numpy (fixtures/), the
// no-half-file guarantee of writeNpz, and truncated or garbage input.
#include "DataTestUtil.h"

#include "runtime/data/Npz.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <thread>

#include <sys/stat.h>

using namespace cimlir;
using namespace cimlir::testing;

namespace {

std::string fixture(const std::string &name) {
  return std::string(CIMLIR_DATA_FIXTURES) + "/" + name;
}

Shape randomShape(int maxRank) {
  std::uniform_int_distribution<int> rank(0, maxRank), dim(1, 6);
  Shape s(static_cast<size_t>(rank(rng())));
  for (auto &d : s)
    d = dim(rng());
  return s;
}

// The arrays make_fixtures.py writes, recomputed here.
void expectFixtureArrays(const std::map<std::string, Tensor> &a) {
  ASSERT_EQ(a.size(), 11u);
  const Tensor &f32 = a.at("f32");
  ASSERT_EQ(f32.dtype(), DType::F32);
  ASSERT_EQ(f32.shape(), (Shape{3, 4}));
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(f32.data<float>()[i], i * 0.5f - 1.0f);
  const Tensor &f64 = a.at("f64");
  ASSERT_EQ(f64.shape(), (Shape{3}));
  EXPECT_EQ(f64.data<double>()[0], 1.5);
  EXPECT_EQ(f64.data<double>()[1], -2.25);
  EXPECT_EQ(f64.data<double>()[2], 1e300);
  const Tensor &i8 = a.at("i8");
  ASSERT_EQ(i8.dtype(), DType::I8);
  EXPECT_EQ((std::vector<int8_t>(i8.data<int8_t>(), i8.data<int8_t>() + 4)),
            (std::vector<int8_t>{-128, -1, 0, 127}));
  const Tensor &u8 = a.at("u8");
  ASSERT_EQ(u8.shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(u8.data<uint8_t>()[i], 250 + i);
  const Tensor &i16 = a.at("i16");
  ASSERT_EQ(i16.dtype(), DType::I16);
  EXPECT_EQ(i16.data<int16_t>()[0], -32768);
  EXPECT_EQ(i16.data<int16_t>()[1], 12345);
  EXPECT_EQ(i16.data<int16_t>()[2], 32767);
  const Tensor &u16 = a.at("u16");
  ASSERT_EQ(u16.dtype(), DType::U16);
  EXPECT_EQ(u16.data<uint16_t>()[1], 65535);
  const Tensor &i32 = a.at("i32");
  ASSERT_EQ(i32.shape(), (Shape{2, 1}));
  EXPECT_EQ(i32.data<int32_t>()[0], INT32_MIN);
  EXPECT_EQ(i32.data<int32_t>()[1], INT32_MAX);
  const Tensor &i64 = a.at("i64");
  ASSERT_EQ(i64.dtype(), DType::I64);
  EXPECT_EQ(i64.data<int64_t>()[0], -(int64_t(1) << 62));
  EXPECT_EQ(i64.data<int64_t>()[1], (int64_t(1) << 40) + 7);
  const Tensor &flags = a.at("flags");
  ASSERT_EQ(flags.dtype(), DType::Bool);
  EXPECT_EQ((std::vector<uint8_t>(flags.data<uint8_t>(), flags.data<uint8_t>() + 3)),
            (std::vector<uint8_t>{1, 0, 1}));
  const Tensor &scalar = a.at("scalar");
  EXPECT_EQ(scalar.shape(), Shape{});
  EXPECT_EQ(scalar.data<float>()[0], 3.25f);
  EXPECT_EQ(a.at("empty").shape(), (Shape{0, 3}));
}

// Rewrites `bytes` with every occurrence of `from` replaced by `to` (same length).
std::string replaceAll(std::string bytes, const std::string &from, const std::string &to) {
  for (size_t at = bytes.find(from); at != std::string::npos; at = bytes.find(from, at + 1))
    bytes.replace(at, from.size(), to);
  return bytes;
}

} // namespace

TEST(Npz, RoundTripsEveryDTypeWithRandomData) {
  TempDir dir;
  std::map<std::string, Tensor> arrays;
  for (DType d : allDTypes()) {
    if (d == DType::BF16) // NumPy has no bfloat16 (below)
      continue;
    arrays[dtypeName(d)] = randomTensor(d, randomShape(4));
    arrays[std::string(dtypeName(d)) + "_matrix"] = randomTensor(d, {7, 5});
  }
  arrays["scalar"] = randomTensor(DType::F32, {});
  arrays["empty"] = Tensor::allocate(DType::I64, {0, 4});
  arrays["nested/key with space"] = randomTensor(DType::U8, {3});
  std::string path = dir.file("round.npz");
  writeNpz(path, arrays);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"round.npz"}) << "temp file left behind";
  auto back = readNpz(path);
  ASSERT_EQ(back.size(), arrays.size());
  for (const auto &[key, t] : arrays) {
    ASSERT_TRUE(back.count(key)) << key;
    EXPECT_TRUE(sameTensor(back.at(key), t)) << key << " " << shapeToString(t.shape());
  }
}

TEST(Npz, BFloat16IsSavedAsTheFloat32OfEachValue) {
  TempDir dir;
  Tensor b = randomTensor(DType::BF16, {5, 3});
  for (int64_t i = 0; i < b.numel(); ++i)
    if ((b.data<uint16_t>()[i] & 0x7F80) == 0x7F80) // not inf or NaN, to compare by value
      b.data<uint16_t>()[i] &= 0xBFFF;
  std::string path = dir.file("bf16.npz");
  writeNpz(path, {{"y", b}});
  Tensor back = readNpz(path).at("y");
  ASSERT_EQ(back.dtype(), DType::F32);
  ASSERT_EQ(back.shape(), b.shape());
  for (int64_t i = 0; i < b.numel(); ++i) {
    const uint32_t want = uint32_t(b.data<uint16_t>()[i]) << 16; // bfloat16 is float32's top
    ASSERT_EQ(std::memcmp(back.data<float>() + i, &want, 4), 0) << i;
  }
}

// Archives carry a fixed time stamp: the same arrays written seconds apart are the same bytes.
TEST(Npz, SameArraysGiveTheSameBytesAtAnyTime) {
  TempDir dir;
  const std::map<std::string, Tensor> arrays = {{"a", randomTensor(DType::F32, {3, 4})},
                                                {"b", randomTensor(DType::I64, {5})}};
  writeNpz(dir.file("first.npz"), arrays);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100)); // past a DOS 2-second tick
  writeNpz(dir.file("second.npz"), arrays);
  auto bytes = [](const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(bytes(dir.file("first.npz")), bytes(dir.file("second.npz")));
}

TEST(Npz, RoundTripsAnEmptyArchive) {
  TempDir dir;
  writeNpz(dir.file("none.npz"), {});
  EXPECT_TRUE(readNpz(dir.file("none.npz")).empty());
}

TEST(Npz, OverwritesAnExistingArchiveWhole) {
  TempDir dir;
  std::string path = dir.file("a.npz");
  writeNpz(path, {{"old", randomTensor(DType::F32, {100})}});
  Tensor fresh = randomTensor(DType::I16, {4, 4});
  writeNpz(path, {{"new", fresh}});
  auto back = readNpz(path);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(sameTensor(back.at("new"), fresh));
}

TEST(Npz, ReadsArchiveWrittenByNumpySavez) { expectFixtureArrays(readNpz(fixture("arrays.npz"))); }

TEST(Npz, ReadsDeflatedArchiveWrittenByNumpySavezCompressed) {
  expectFixtureArrays(readNpz(fixture("compressed.npz")));
}

TEST(Npz, ReadsNpyHeaderVersions2And3) {
  for (const char *name : {"v2.npy", "v3.npy"}) {
    SCOPED_TRACE(name);
    Tensor t = readNpy(fixture(name));
    ASSERT_EQ(t.dtype(), DType::I16);
    ASSERT_EQ(t.shape(), (Shape{2, 3, 4}));
    for (int i = 0; i < 24; ++i)
      EXPECT_EQ(t.data<int16_t>()[i], i - 7);
  }
}

TEST(Npz, NpyRoundTripsThroughAnNpzMember) {
  // readNpy reads what writeNpz puts inside the archive (same header writer).
  TempDir dir;
  Tensor t = randomTensor(DType::F64, {3, 2});
  writeNpz(dir.file("x.npz"), {{"x", t}});
  EXPECT_TRUE(sameTensor(readNpz(dir.file("x.npz")).at("x"), t));
}

TEST(Npz, RefusesFortranOrderAndBigEndian) {
  std::string msg = errorOf([] { readNpy(fixture("fortran.npy")); });
  EXPECT_NE(msg.find("fortran.npy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Fortran order"), std::string::npos) << msg;
  msg = errorOf([] { readNpy(fixture("bigendian.npy")); });
  EXPECT_NE(msg.find("'>f4'"), std::string::npos) << msg;
}

TEST(Npz, FailedWriteLeavesNoFile) {
  TempDir dir;
  // A directory that does not exist.
  std::string missing = dir.file("no/such/dir/out.npz");
  std::string msg = errorOf([&] { writeNpz(missing, {{"x", randomTensor(DType::F32, {2})}}); });
  EXPECT_NE(msg.find(missing), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(missing));

  // An unbound shape is refused before any file exists.
  std::string path = dir.file("out.npz");
  float storage[4] = {1, 2, 3, 4};
  Tensor unbound = Tensor::view(DType::F32, {-1, 4}, storage, nullptr);
  msg = errorOf([&] { writeNpz(path, {{"good", randomTensor(DType::U8, {8})}, {"x", unbound}}); });
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
  EXPECT_TRUE(dir.entries().empty()) << "left behind: " << dir.entries()[0];

  // The target is a directory: refused, and the directory is untouched.
  fs::create_directory(dir.file("adir"));
  errorOf([&] { writeNpz(dir.file("adir"), {{"x", randomTensor(DType::F32, {2})}}); });
  EXPECT_TRUE(fs::is_directory(dir.file("adir")));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"adir"});

  // A failed overwrite keeps the previous archive intact.
  Tensor old = randomTensor(DType::I32, {5});
  writeNpz(path, {{"old", old}});
  errorOf([&] { writeNpz(path, {{"x", unbound}}); });
  EXPECT_TRUE(sameTensor(readNpz(path).at("old"), old));
}

TEST(Npz, TruncatedArchiveIsAnError) {
  TempDir dir;
  std::string path = dir.file("t.npz");
  writeNpz(path, {{"a", randomTensor(DType::F32, {10, 3})}, {"b", randomTensor(DType::U8, {7})}});
  std::string whole = readBytes(path);
  std::uniform_int_distribution<size_t> cut(0, whole.size() - 1);
  std::vector<size_t> cuts = {0, 1, 4, 30, whole.size() / 2, whole.size() - 22, whole.size() - 1};
  for (int i = 0; i < 40; ++i)
    cuts.push_back(cut(rng()));
  for (size_t n : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(n));
    writeBytes(path, whole.substr(0, n));
    std::string msg = errorOf([&] { readNpz(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
  }
}

TEST(Npz, GarbageAndCorruptArchivesAreErrors) {
  TempDir dir;
  std::string path = dir.file("g.npz");
  std::string garbage(300, '\0');
  for (char &c : garbage)
    c = static_cast<char>(rng()());
  writeBytes(path, garbage);
  errorOf([&] { readNpz(path); });
  writeBytes(path, "PK\x03\x04" + garbage);
  errorOf([&] { readNpz(path); });
  errorOf([&] { readNpz(dir.file("missing.npz")); });

  // A flipped data byte in a stored member: the CRC check catches it.
  Tensor t = randomTensor(DType::U8, {1000});
  writeNpz(path, {{"x", t}});
  std::string bytes = readBytes(path);
  size_t at = bytes.find(std::string(static_cast<const char *>(t.raw()), 1000));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 500] ^= 0x5a;
  writeBytes(path, bytes);
  std::string msg = errorOf([&] { readNpz(path); });
  EXPECT_NE(msg.find("'x.npy'"), std::string::npos) << msg;

  // A member whose header is not a .npy header.
  writeNpz(path, {{"x", t}});
  writeBytes(path, replaceAll(readBytes(path), "\x93NUMPY", "\x93NUMPZ"));
  errorOf([&] { readNpz(path); }); // CRC or magic: either way an Error

  // A member that is not named *.npy.
  writeNpz(path, {{"x", t}});
  writeBytes(path, replaceAll(readBytes(path), "x.npy", "x.txt"));
  msg = errorOf([&] { readNpz(path); });
  EXPECT_NE(msg.find("'x.txt'"), std::string::npos) << msg;
}

TEST(Npz, TruncatedNpyIsAnErrorAtEveryLength) {
  TempDir dir;
  std::string whole = readBytes(fixture("v3.npy"));
  std::string path = dir.file("t.npy");
  for (size_t n = 0; n < whole.size(); ++n) {
    writeBytes(path, whole.substr(0, n));
    std::string msg = errorOf([&] { readNpy(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << "cut at " << n << ": " << msg;
  }
  writeBytes(path, whole + "extra");
  EXPECT_NE(errorOf([&] { readNpy(path); }).find("unexpected bytes"), std::string::npos);
}

TEST(Npz, MalformedNpyHeadersAreErrors) {
  TempDir dir;
  std::string path = dir.file("h.npy");
  auto npy = [](int major, const std::string &dict, size_t dataBytes) {
    std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
    std::string header = dict + "\n";
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header + std::string(dataBytes, '\x01');
  };
  struct Case {
    std::string file, expect;
  } cases[] = {
      {npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24), ""},
      {npy(9, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8), "version 9.0"},
      {npy(1, "{'descr': '<f4', 'shape': (2,), }", 8), "lacks"},
      {npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8), "shape"},
      {npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8),
       "structured"},
      {npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16), "'<c8'"},
      {npy(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8), "fortran_order"},
      {npy(1,
           "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999, 99999999, "
           "99999999), }",
           8),
       "too large"},
      {npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }", 8), "truncated"},
      {npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", 24), "malformed"},
      {npy(1, "not a dict at all", 0), "malformed"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.file);
    writeBytes(path, c.file);
    if (c.expect.empty()) {
      Tensor t = readNpy(path); // the well-formed control case
      EXPECT_EQ(t.shape(), (Shape{2, 3}));
      continue;
    }
    std::string msg = errorOf([&] { readNpy(path); });
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
  }
}

TEST(Npz, RandomCorruptionIsAnErrorOrAValidReadNeverACrash) {
  // Random byte changes anywhere in an archive and in a .npy: whatever is read back is
  // either a successful read or a cimlir::Error (run under ASan/UBSan to see the rest).
  TempDir dir;
  std::string npz = dir.file("c.npz"), npy = dir.file("c.npy");
  writeNpz(npz, {{"a", randomTensor(DType::F32, {6, 5})}, {"b", randomTensor(DType::I8, {9})}});
  std::string whole = readBytes(npz), npyWhole = readBytes(fixture("v2.npy"));
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    for (auto [path, bytes] : {std::pair{npz, whole}, std::pair{npy, npyWhole}}) {
      int flips = 1 + static_cast<int>(rng()() % 3);
      for (int f = 0; f < flips; ++f)
        bytes[rng()() % bytes.size()] = static_cast<char>(rng()());
      writeBytes(path, bytes);
      try {
        if (path == npz)
          readNpz(path);
        else
          readNpy(path);
      } catch (const Error &) {
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(Npz, WritesThroughASymlinkAndKeepsIt) {
  TempDir dir;
  fs::create_directory(dir.path() / "store");
  std::string real = dir.file("store/out.npz"), link = dir.file("latest.npz");
  writeNpz(real, {{"old", randomTensor(DType::F32, {9})}});
  fs::create_symlink("store/out.npz", link);
  Tensor fresh = randomTensor(DType::I32, {3, 7}), empty = Tensor::allocate(DType::F32, {0, 2});
  writeNpz(link, {{"fresh", fresh}, {"empty", empty}});
  EXPECT_TRUE(fs::is_symlink(link)) << "the link was replaced by a file";
  ASSERT_TRUE(fs::is_regular_file(fs::symlink_status(real)));
  auto back = readNpz(real);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(sameTensor(back.at("fresh"), fresh));
  EXPECT_TRUE(sameTensor(back.at("empty"), empty));
  EXPECT_EQ(dir.entries().size(), 2u) << "temp file left behind";
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "store"), fs::directory_iterator()),
            1)
      << "temp file left beside the file the link names";

  // A dangling link: the archive appears where it points; an empty archive as well.
  std::string dangling = dir.file("next.npz");
  fs::create_symlink("store/next.npz", dangling);
  writeNpz(dangling, {});
  EXPECT_TRUE(fs::is_symlink(dangling));
  EXPECT_TRUE(readNpz(dir.file("store/next.npz")).empty());
}

TEST(Npz, ReplacedArchiveKeepsItsPermissions) {
  TempDir dir;
  std::string path = dir.file("p.npz");
  writeNpz(path, {{"a", randomTensor(DType::U8, {4})}});
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  Tensor t = randomTensor(DType::F64, {5});
  writeNpz(path, {{"b", t}});
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_TRUE(sameTensor(readNpz(path).at("b"), t));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"p.npz"});
}

TEST(Npz, WritesToDevNullWhichStaysACharacterDevice) {
  // The temporary archive of a device goes to $TMPDIR: point it at a scratch directory to
  // check that nothing is left there (nor in /dev).
  TempDir tmp;
  const char *old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", tmp.path().c_str(), 1);
  std::string msg;
  try {
    writeNpz("/dev/null",
             {{"x", randomTensor(DType::F32, {64, 33})}, {"y", randomTensor(DType::I64, {100})}});
    writeNpz("/dev/null", {});
  } catch (const Error &e) {
    msg = e.what();
  }
  if (old)
    setenv("TMPDIR", saved.c_str(), 1);
  else
    unsetenv("TMPDIR");
  EXPECT_EQ(msg, "");
  struct stat st;
  ASSERT_EQ(::lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced";
  EXPECT_TRUE(tmp.entries().empty()) << "left in $TMPDIR: " << tmp.entries()[0];
  for (const auto &e : fs::directory_iterator("/dev"))
    EXPECT_EQ(e.path().filename().string().find("null.tmp"), std::string::npos)
        << "left in /dev: " << e.path();
}
