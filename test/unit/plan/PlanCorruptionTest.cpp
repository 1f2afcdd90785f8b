// PlanFile::open refuses damaged or foreign files with one message that names the file
// and what is wrong; PlanWriter::write reports failures and leaves no file behind.
#include "runtime/plan/Crc32.h"
#include "runtime/plan/PlanFormat.h"
#include "runtime/plan/PlanReader.h"
#include "runtime/plan/PlanWriter.h"
#include "test/unit/plan/PlanTestUtil.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <limits>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cimlir::plantest {
namespace {

using nlohmann::json;
using plan::FileHeader;
using plan::PlanFile;
using plan::PlanWriter;
using plan::SectionEntry;

constexpr size_t kHeader = sizeof(FileHeader);
constexpr size_t kEntry = sizeof(SectionEntry);

FileHeader headerOf(const std::vector<unsigned char> &bytes) {
  FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  return h;
}
void setHeader(std::vector<unsigned char> &bytes, FileHeader h, bool fixCrc = true) {
  if (fixCrc)
    h.headerCrc = plan::crc32(&h, offsetof(FileHeader, headerCrc));
  std::memcpy(bytes.data(), &h, sizeof h);
}
SectionEntry entryOf(const std::vector<unsigned char> &bytes, size_t i) {
  SectionEntry e;
  std::memcpy(&e, bytes.data() + kHeader + i * kEntry, sizeof e);
  return e;
}
/// Replaces entry i and re-computes the table checksum in the header (and its checksum),
/// so that only the entry's content is wrong.
void setEntry(std::vector<unsigned char> &bytes, size_t i, const SectionEntry &e) {
  std::memcpy(bytes.data() + kHeader + i * kEntry, &e, sizeof e);
  FileHeader h = headerOf(bytes);
  h.tableCrc = plan::crc32(bytes.data() + kHeader, h.sectionCount * kEntry);
  setHeader(bytes, h);
}

/// A valid plan like the compiler's: metadata and tensors of odd sizes, one of 0 bytes;
/// the last tensor is a multiple of 64 bytes, so the file ends with section data.
class PlanCorruption : public ::testing::Test {
protected:
  void SetUp() override {
    seed_ = freshSeed();
    gen_.seed(seed_);
    json meta = {{"format", 1},
                 {"producer", "cim-opt 0.1.0"},
                 {"inputs", json::array({{{"name", "x"}, {"value", 0}}})},
                 {"outputs", json::array({{{"name", "y"}, {"value", 2}}})},
                 {"note", std::string(static_cast<size_t>(randInt(gen_, 0, 300)), 'm')}};
    metadata_ = meta.dump();
    tensors_ = {randomBytes(gen_, static_cast<size_t>(randInt(gen_, 1, 200)) | 1),
                randomBytes(gen_, 37), randomBytes(gen_, 0),
                randomBytes(gen_, 64 * static_cast<size_t>(randInt(gen_, 1, 4)))};
    names_ = {"const:fc1.weight", "const:fc1.bias", "const:empty", "const:fc2.weight"};
    PlanWriter w;
    w.setMetadata(metadata_);
    w.setProducer("cim-opt 0.1.0");
    w.setDeviceFingerprint(0x0123456789abcdefULL);
    for (size_t i = 0; i < tensors_.size(); ++i)
      w.addTensor(names_[i], tensors_[i].data(), tensors_[i].size());
    std::string good = dir_.file("good.bin");
    ASSERT_EQ(w.write(good), "");
    bytes_ = readBytes(good);
    ASSERT_NO_THROW(PlanFile::open(good));
    ASSERT_EQ(headerOf(bytes_).sectionCount, 5u);
    ASSERT_EQ(entryOf(bytes_, 4).offset + entryOf(bytes_, 4).size, bytes_.size());
  }

  std::string seedTrace() const {
    return "random seed " + std::to_string(seed_) + " (CIMLIR_TEST_SEED)";
  }

  /// Writes `bytes` to a file and returns PlanFile::open's error message on it.
  std::string openError(const std::vector<unsigned char> &bytes) {
    writeBytes(badPath(), bytes);
    return errorOf([&] { PlanFile::open(badPath()); });
  }
  std::string badPath() const { return dir_.file("bad.bin"); }
  size_t tableEnd() const { return kHeader + 5 * kEntry; }

  TempDir dir_;
  uint32_t seed_ = 0;
  std::mt19937 gen_;
  std::string metadata_;
  std::vector<std::vector<unsigned char>> tensors_;
  std::vector<std::string> names_;
  std::vector<unsigned char> bytes_;
};

TEST_F(PlanCorruption, TruncationAnywhereIsRefused) {
  SCOPED_TRACE(seedTrace());
  std::set<size_t> cuts = {
      1, 8, 12, 32, 59, 60, 63, 64, 65, 100, tableEnd() - 1, tableEnd(), bytes_.size() - 1};
  for (size_t i = 0; i < 5; ++i) {
    SectionEntry e = entryOf(bytes_, i);
    cuts.insert(e.offset); // just before the section (after the previous padding)
    if (e.size) {
      cuts.insert(e.offset + 1);
      cuts.insert(e.offset + e.size / 2);
      cuts.insert(e.offset + e.size - 1);
    }
  }
  for (int i = 0; i < 30; ++i)
    cuts.insert(static_cast<size_t>(randInt(gen_, 1, static_cast<int64_t>(bytes_.size()) - 1)));
  for (size_t cut : cuts) {
    SCOPED_TRACE("truncated to " + std::to_string(cut) + " of " + std::to_string(bytes_.size()) +
                 " bytes");
    std::vector<unsigned char> b(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(cut));
    std::string msg = openError(b);
    EXPECT_TRUE(containsAll(msg, {badPath()}));
    if (cut < kHeader)
      EXPECT_TRUE(containsAny(msg, {"truncated", "shorter than a plan header"}));
    else
      EXPECT_TRUE(containsAll(msg, {"truncated"}));
  }
}

TEST_F(PlanCorruption, TruncatedSectionIsNamed) {
  SCOPED_TRACE(seedTrace());
  SectionEntry e = entryOf(bytes_, 1);
  std::vector<unsigned char> b(bytes_.begin(),
                               bytes_.begin() + static_cast<std::ptrdiff_t>(e.offset + e.size / 2));
  EXPECT_TRUE(containsAll(openError(b), {badPath(), "truncated", "section 1 'const:fc1.weight'"}));
}

// A plan cut inside its trailing padding (up to 63 bytes) is refused too: the writer pads
// every file to a multiple of 64 bytes.
TEST(PlanTruncation, CutInsideTrailingPaddingIsRefused) {
  TempDir dir;
  std::vector<unsigned char> t(100, 0xab); // 100 bytes: the file ends with 28 bytes of padding
  PlanWriter w;
  w.setMetadata("{}");
  w.addTensor("const:t", t.data(), t.size());
  std::string path = dir.file("plan.bin");
  ASSERT_EQ(w.write(path), "");
  std::vector<unsigned char> bytes = readBytes(path);
  bytes.pop_back();
  writeBytes(path, bytes);
  EXPECT_TRUE(containsAll(errorOf([&] { PlanFile::open(path); }), {path, "truncated"}));
}

TEST_F(PlanCorruption, EveryHeaderAndTableByteIsCovered) {
  SCOPED_TRACE(seedTrace());
  for (size_t pos = 0; pos < tableEnd(); ++pos) {
    SCOPED_TRACE("byte " + std::to_string(pos));
    std::vector<unsigned char> b = bytes_;
    b[pos] ^= static_cast<unsigned char>(randInt(gen_, 1, 255));
    std::string msg = openError(b);
    EXPECT_TRUE(containsAll(msg, {badPath()}));
    if (pos < 8)
      EXPECT_TRUE(containsAll(msg, {"not a cimlir plan"}));
    else if (pos < kHeader)
      EXPECT_TRUE(containsAll(msg, {"header checksum mismatch", "corrupted"}));
    else
      EXPECT_TRUE(containsAll(msg, {"section table checksum mismatch", "corrupted"}));
  }
}

TEST_F(PlanCorruption, FlippedSectionByteIsRefusedAndNamed) {
  SCOPED_TRACE(seedTrace());
  for (size_t i = 0; i < 5; ++i) {
    SectionEntry e = entryOf(bytes_, i);
    if (e.size == 0)
      continue;
    std::set<uint64_t> positions = {0, e.size - 1};
    for (int k = 0; k < 16; ++k)
      positions.insert(static_cast<uint64_t>(randInt(gen_, 0, static_cast<int64_t>(e.size) - 1)));
    std::string label =
        "section " + std::to_string(i) + " '" + (i == 0 ? "metadata" : names_[i - 1]) + "'";
    for (uint64_t at : positions) {
      SCOPED_TRACE(label + " byte " + std::to_string(at));
      std::vector<unsigned char> b = bytes_;
      b[e.offset + at] ^= static_cast<unsigned char>(1u << randInt(gen_, 0, 7));
      EXPECT_TRUE(containsAll(openError(b), {badPath(), label, "checksum mismatch", "corrupted"}));
    }
  }
}

TEST_F(PlanCorruption, WrongMagicIsNotAPlan) {
  std::vector<unsigned char> b = bytes_;
  FileHeader h = headerOf(b);
  std::memcpy(h.magic, "NOTAPLAN", 8);
  setHeader(b, h); // only the magic is wrong
  EXPECT_TRUE(containsAll(openError(b), {badPath(), "not a cimlir plan"}));

  std::string text =
      "this is a text file that is long enough to hold a plan header, but is not one\n";
  EXPECT_TRUE(containsAll(openError(std::vector<unsigned char>(text.begin(), text.end())),
                          {badPath(), "not a cimlir plan"}));
  EXPECT_TRUE(containsAll(openError(std::vector<unsigned char>(4096, 0)),
                          {badPath(), "not a cimlir plan"}));
}

TEST_F(PlanCorruption, OtherFormatVersionIsNamed) {
  for (uint32_t version : {0u, 2u, 7u, 0xFFFFFFFFu}) {
    SCOPED_TRACE("version " + std::to_string(version));
    std::vector<unsigned char> b = bytes_;
    FileHeader h = headerOf(b);
    h.formatVersion = version;
    setHeader(b, h);
    EXPECT_TRUE(containsAll(openError(b), {badPath(), "version " + std::to_string(version),
                                           "version " + std::to_string(plan::kFormatVersion)}));
  }
}

TEST_F(PlanCorruption, InconsistentTableWithValidChecksumsIsRefused) {
  auto expectRefused = [&](std::vector<unsigned char> b, std::initializer_list<std::string> words,
                           const std::string &what) {
    SCOPED_TRACE(what);
    std::string msg = openError(b);
    EXPECT_TRUE(containsAll(msg, {badPath()}));
    EXPECT_TRUE(containsAll(msg, words));
  };
  {
    std::vector<unsigned char> b = bytes_;
    FileHeader h = headerOf(b);
    h.sectionCount = 0;
    setHeader(b, h);
    expectRefused(b, {}, "no sections");
  }
  {
    // A table one entry longer still fits in the file, so its checksum no longer matches.
    std::vector<unsigned char> b = bytes_;
    FileHeader h = headerOf(b);
    h.sectionCount = 6;
    setHeader(b, h);
    expectRefused(b, {"corrupted"}, "section count 6");
  }
  for (uint32_t count : {1000u, 0xFFFFFFFFu}) {
    std::vector<unsigned char> b = bytes_;
    FileHeader h = headerOf(b);
    h.sectionCount = count;
    setHeader(b, h);
    expectRefused(b, {"truncated"}, "section count " + std::to_string(count));
  }
  {
    std::vector<unsigned char> b = bytes_;
    SectionEntry e = entryOf(b, 1);
    e.offset += 1;
    setEntry(b, 1, e);
    expectRefused(b, {"section 1", "aligned"}, "misaligned offset");
  }
  for (uint64_t offset : {uint64_t(bytes_.size() + 64), uint64_t(1) << 62,
                          std::numeric_limits<uint64_t>::max() - 63}) {
    std::vector<unsigned char> b = bytes_;
    SectionEntry e = entryOf(b, 2);
    e.offset = offset;
    setEntry(b, 2, e);
    expectRefused(b, {"truncated", "section 2"}, "offset " + std::to_string(offset));
  }
  for (uint64_t size : {uint64_t(bytes_.size()), std::numeric_limits<uint64_t>::max()}) {
    std::vector<unsigned char> b = bytes_;
    SectionEntry e = entryOf(b, 2);
    e.size = size;
    setEntry(b, 2, e);
    expectRefused(b, {"truncated", "section 2"}, "size " + std::to_string(size));
  }
  {
    std::vector<unsigned char> b = bytes_;
    SectionEntry e = entryOf(b, 0);
    e.kind = static_cast<uint32_t>(plan::SectionKind::Tensor);
    setEntry(b, 0, e);
    expectRefused(b, {"section 0", "kind"}, "metadata section of tensor kind");
  }
  {
    std::vector<unsigned char> b = bytes_;
    SectionEntry e = entryOf(b, 3);
    e.kind = 99;
    setEntry(b, 3, e);
    expectRefused(b, {"section 3", "kind"}, "unknown kind");
  }
}

TEST(PlanMetadata, NonJsonMetadataIsRefused) {
  TempDir dir;
  const std::vector<std::string> bad = {"",
                                        "not json",
                                        "{\"a\": 1",
                                        "{} trailing",
                                        "[1, 2, 3]",
                                        "\"a string\"",
                                        "42",
                                        "null",
                                        "{\"a\": \"\xff\xfe\"}" /* invalid UTF-8 */,
                                        "{'a': 1}"};
  for (const auto &text : bad) {
    SCOPED_TRACE("metadata: " + text);
    PlanWriter w;
    w.setMetadata(text);
    std::string path = dir.file("plan.bin");
    ASSERT_EQ(w.write(path), "");
    EXPECT_TRUE(containsAll(errorOf([&] { PlanFile::open(path); }), {path, "metadata", "JSON"}));
  }
}

TEST(PlanMetadata, DeepNestingIsRefusedBeforeAnythingRecursiveReadsIt) {
  TempDir dir;
  // 200,000 levels overflowed the stack of the recursive reader behind Program::parse.
  const std::string deep = "{\"steps\": [{\"attrs\": {\"a\": " + std::string(200000, '[') +
                           std::string(200000, ']') + "}}]}";
  for (const std::string &text : {deep, std::string("{\"a\": 1, \"a\": 2}")}) {
    PlanWriter w;
    w.setMetadata(text);
    std::string path = dir.file("plan.bin");
    ASSERT_EQ(w.write(path), "");
    const std::string msg = errorOf([&] { PlanFile::open(path); });
    EXPECT_TRUE(containsAll(msg, {path, "metadata"}));
    EXPECT_TRUE(
        containsAll(msg, {text.size() > 100 ? "nested deeper than 64 levels" : "duplicate field"}))
        << msg;
  }
}

TEST(PlanOpen, EmptyFileIsRefused) {
  TempDir dir;
  std::string path = dir.file("empty.bin");
  writeBytes(path, {});
  EXPECT_TRUE(containsAll(errorOf([&] { PlanFile::open(path); }), {path, "0 bytes"}));
}

TEST(PlanOpen, DirectoryIsRefused) {
  TempDir dir;
  std::string path = dir.file("plan.bin");
  fs::create_directory(path);
  EXPECT_TRUE(containsAll(errorOf([&] { PlanFile::open(path); }), {path, "not a regular file"}));
}

TEST(PlanOpen, MissingFileIsRefused) {
  TempDir dir;
  std::string path = dir.file("missing.bin");
  EXPECT_TRUE(containsAll(errorOf([&] { PlanFile::open(path); }), {path, "cannot open"}));
}

// --- PlanWriter failures ------------------------------------------------------------

PlanWriter smallWriter(const std::vector<unsigned char> &data) {
  PlanWriter w;
  w.setMetadata(R"({"format":1})");
  w.addTensor("const:t", data.data(), data.size());
  return w;
}

TEST(PlanWriterErrors, MissingDirectoryIsReportedAndLeavesNoFile) {
  TempDir dir;
  std::vector<unsigned char> data(100, 1);
  std::string path = dir.file("no/such/dir/plan.bin");
  std::string err = smallWriter(data).write(path);
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line: " << err;
  EXPECT_TRUE(containsAll(err, {path}));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(dir.entries().empty());
}

TEST(PlanWriterErrors, TargetThatIsADirectoryIsReportedAndLeavesNoTempFile) {
  TempDir dir;
  std::vector<unsigned char> data(100, 1);
  std::string path = dir.file("plan.bin");
  fs::create_directory(path);
  writeBytes((fs::path(path) / "keep.txt").string(), {'k'});
  std::string err = smallWriter(data).write(path);
  EXPECT_FALSE(err.empty());
  EXPECT_TRUE(containsAll(err, {path}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"plan.bin"}) << "no temporary file is left";
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_TRUE(fs::exists(fs::path(path) / "keep.txt"));
}

// A directory where no file can be created, whoever runs the test (root included).
TEST(PlanWriterErrors, UnwritableDirectoryIsReportedAndLeavesNoFile) {
  std::vector<unsigned char> data(100, 1);
  std::string path = "/proc/cimlir-plan-test.bin";
  std::string err = smallWriter(data).write(path);
  EXPECT_FALSE(err.empty());
  EXPECT_NE(err.find(path), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(path));
}

TEST(PlanWriterErrors, WriteErrorMidwayLeavesNoFileAndKeepsThePreviousPlan) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  std::string path = dir.file("plan.bin");
  std::vector<unsigned char> small = randomBytes(gen, 100), big = randomBytes(gen, 200000);
  ASSERT_EQ(smallWriter(small).write(path), "");
  std::vector<unsigned char> before = readBytes(path);

  // A file size limit makes the writes fail part-way (EFBIG), as a full disk would.
  struct rlimit old;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  struct rlimit lim = old;
  lim.rlim_cur = 8192;
  auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  std::string err = smallWriter(big).write(path);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, oldHandler);

  EXPECT_FALSE(err.empty());
  EXPECT_TRUE(containsAll(err, {path}));
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line: " << err;
  EXPECT_EQ(readBytes(path), before) << "the previous plan is untouched";
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"plan.bin"}) << "no temporary file is left";
  EXPECT_NO_THROW(PlanFile::open(path));
}

TEST(PlanWriterTargets, SymbolicLinkIsFollowedAndKept) {
  TempDir dir;
  std::vector<unsigned char> data(70, 0x5a);
  std::string real = dir.file("real.bin"), link = dir.file("link.bin");
  fs::create_symlink("real.bin", link);
  ASSERT_EQ(smallWriter(data).write(link), "");
  EXPECT_TRUE(fs::is_symlink(link));
  ASSERT_TRUE(fs::is_regular_file(fs::symlink_status(real)));
  auto p = PlanFile::open(real);
  ASSERT_EQ(p->sectionSize(1), data.size());
  EXPECT_EQ(0, std::memcmp(p->sectionData(1), data.data(), data.size()));
  std::vector<std::string> entries = dir.entries();
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"link.bin", "real.bin"}))
      << "no temporary file is left";
}

TEST(PlanWriterTargets, DevNullAcceptsAPlan) {
  std::vector<unsigned char> data(70, 0x5a);
  EXPECT_EQ(smallWriter(data).write("/dev/null"), "");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(PlanWriterErrors, FailedWriteKeepsThePreviousPlan) {
  TempDir dir;
  std::vector<unsigned char> a(64, 0xaa);
  std::string path = dir.file("plan.bin");
  ASSERT_EQ(smallWriter(a).write(path), "");
  std::vector<unsigned char> before = readBytes(path);
  // A later write that fails (its directory vanished) must not touch the existing plan.
  std::string err = smallWriter(a).write(dir.file("gone/plan.bin"));
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(readBytes(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"plan.bin"});
}

} // namespace
} // namespace cimlir::plantest
