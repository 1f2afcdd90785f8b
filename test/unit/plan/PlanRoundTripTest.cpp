// PlanWriter -> PlanFile::open round trips on random plans: metadata, every section's
// bytes, sizes and names, 64-byte alignment, producer, device fingerprint, and the raw
// layout of the file (PlanFormat.h).
#include "runtime/plan/Crc32.h"
#include "runtime/plan/PlanFormat.h"
#include "runtime/plan/PlanReader.h"
#include "runtime/plan/PlanWriter.h"
#include "test/unit/plan/PlanTestUtil.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace cimlir::plantest {
namespace {

using nlohmann::json;
using plan::PlanFile;
using plan::PlanWriter;

std::string randomString(std::mt19937 &gen, size_t maxLen) {
  // ASCII, characters JSON must escape, and multi-byte UTF-8.
  static const std::vector<std::string> pieces = {"a",
                                                  "Z",
                                                  "0",
                                                  "_",
                                                  " ",
                                                  ".",
                                                  ":",
                                                  "\"",
                                                  "\\",
                                                  "/",
                                                  "\n",
                                                  "\t",
                                                  "\x01",
                                                  "\x1f",
                                                  "\xc3\xa9" /* é */,
                                                  "\xe4\xb8\xad" /* 中 */,
                                                  "\xf0\x9f\x98\x80" /* 😀 */};
  std::string s;
  size_t n = static_cast<size_t>(randInt(gen, 0, static_cast<int64_t>(maxLen)));
  for (size_t i = 0; i < n; ++i)
    s += pieces[static_cast<size_t>(randInt(gen, 0, static_cast<int64_t>(pieces.size()) - 1))];
  return s;
}

json randomJson(std::mt19937 &gen, int depth) {
  switch (randInt(gen, 0, depth > 0 ? 7 : 5)) {
  case 0:
    return nullptr;
  case 1:
    return randInt(gen, 0, 1) == 1;
  case 2:
    return randInt(gen, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  case 3:
    return std::uniform_real_distribution<double>(-1e6, 1e6)(gen) *
           std::pow(10.0, static_cast<double>(randInt(gen, -30, 30)));
  case 4:
  case 5:
    return randomString(gen, 12);
  case 6: {
    json a = json::array();
    for (int64_t i = randInt(gen, 0, 4); i > 0; --i)
      a.push_back(randomJson(gen, depth - 1));
    return a;
  }
  default: {
    json o = json::object();
    for (int64_t i = randInt(gen, 0, 4); i > 0; --i)
      o[randomString(gen, 8)] = randomJson(gen, depth - 1);
    return o;
  }
  }
}

/// A random top-level metadata object, sometimes shaped like the compiler's.
json randomMetadata(std::mt19937 &gen) {
  json meta = json::object();
  if (randInt(gen, 0, 1)) {
    meta["format"] = 1;
    meta["producer"] = "cim-opt 0.1.0";
    meta["source"] = randomString(gen, 10);
    meta["inputs"] = json::array({{{"name", "x"}, {"value", 0}}});
    meta["values"] = json::array({{{"name", "x"}, {"dtype", "float32"}, {"shape", {-1, 4}}}});
  }
  for (int64_t i = randInt(gen, 0, 6); i > 0; --i)
    meta[randomString(gen, 10)] = randomJson(gen, 3);
  return meta;
}

std::string dumpVariant(std::mt19937 &gen, const json &j) {
  switch (randInt(gen, 0, 2)) {
  case 0:
    return j.dump();
  case 1:
    return j.dump(2);
  default:
    return j.dump(-1, ' ', /*ensure_ascii=*/true);
  }
}

size_t randomSize(std::mt19937 &gen) {
  static const size_t edge[] = {0, 1, 3, 63, 64, 65, 127, 128, 4095, 4097};
  if (randInt(gen, 0, 2) == 0)
    return edge[randInt(gen, 0, std::size(edge) - 1)];
  return static_cast<size_t>(randInt(gen, 0, 5000)) | 1; // odd sizes
}

uint64_t random64(std::mt19937 &gen) { return (uint64_t(gen()) << 32) | gen(); }

uint64_t alignUp(uint64_t v) {
  return (v + plan::kAlignment - 1) / plan::kAlignment * plan::kAlignment;
}

/// Checks the raw file against PlanFormat.h: header fields, table, checksums, alignment,
/// sections in bounds and disjoint, the file padded to the alignment.
void checkRawLayout(const std::vector<unsigned char> &bytes, const std::string &metadata,
                    const std::vector<std::vector<unsigned char>> &tensors, uint64_t fingerprint) {
  ASSERT_GE(bytes.size(), sizeof(plan::FileHeader));
  plan::FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  EXPECT_EQ(0, std::memcmp(h.magic, plan::kMagic, sizeof h.magic));
  EXPECT_EQ(h.formatVersion, plan::kFormatVersion);
  ASSERT_EQ(h.sectionCount, tensors.size() + 1);
  EXPECT_EQ(h.deviceFingerprint, fingerprint);
  EXPECT_EQ(h.headerCrc, plan::crc32(bytes.data(), 60));
  size_t tableBytes = h.sectionCount * sizeof(plan::SectionEntry);
  ASSERT_GE(bytes.size(), sizeof h + tableBytes);
  EXPECT_EQ(h.tableCrc, plan::crc32(bytes.data() + sizeof h, tableBytes));
  EXPECT_EQ(bytes.size() % plan::kAlignment, 0u) << "the file is padded to the alignment";

  uint64_t prevEnd = sizeof h + tableBytes;
  for (uint32_t i = 0; i < h.sectionCount; ++i) {
    SCOPED_TRACE("section " + std::to_string(i));
    plan::SectionEntry e;
    std::memcpy(&e, bytes.data() + sizeof h + i * sizeof e, sizeof e);
    EXPECT_EQ(e.kind, static_cast<uint32_t>(i == 0 ? plan::SectionKind::Metadata
                                                   : plan::SectionKind::Tensor));
    EXPECT_EQ(e.offset % plan::kAlignment, 0u);
    EXPECT_GE(e.offset, prevEnd) << "sections overlap";
    ASSERT_LE(e.offset + e.size, bytes.size());
    size_t expectedSize = i == 0 ? metadata.size() : tensors[i - 1].size();
    EXPECT_EQ(e.size, expectedSize);
    EXPECT_EQ(e.crc, plan::crc32(bytes.data() + e.offset, e.size));
    if (i == 0) {
      EXPECT_EQ(0, std::memcmp(bytes.data() + e.offset, metadata.data(), metadata.size()));
    } else if (e.size) {
      EXPECT_EQ(0, std::memcmp(bytes.data() + e.offset, tensors[i - 1].data(), e.size));
    }
    prevEnd = e.offset + e.size;
  }
  EXPECT_EQ(bytes.size(), alignUp(prevEnd));
}

TEST(PlanRoundTrip, RandomPlans) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int iter = 0; iter < 40; ++iter) {
    SCOPED_TRACE("plan " + std::to_string(iter));
    json meta = randomMetadata(gen);
    std::string text = dumpVariant(gen, meta);
    size_t count = static_cast<size_t>(randInt(gen, 0, 5));
    std::vector<std::vector<unsigned char>> tensors;
    std::vector<std::string> names;
    for (size_t i = 0; i < count; ++i) {
      tensors.push_back(randomBytes(gen, randomSize(gen)));
      // Names fit the table's 40-byte field (39 characters and a NUL).
      std::string name = "const:" + std::to_string(i) + "." + std::string(randInt(gen, 0, 30), 'w');
      names.push_back(name);
    }
    std::string producer = "cim-opt " + std::to_string(randInt(gen, 0, 999999));
    uint64_t fingerprint = randInt(gen, 0, 3) == 0 ? 0 : random64(gen);

    PlanWriter w;
    w.setMetadata(text);
    w.setProducer(producer);
    w.setDeviceFingerprint(fingerprint);
    for (size_t i = 0; i < count; ++i)
      EXPECT_EQ(w.addTensor(names[i], tensors[i].data(), tensors[i].size()), i + 1)
          << "addTensor returns the section index";
    std::string path = dir.file("plan" + std::to_string(iter) + ".bin");
    ASSERT_EQ(w.write(path), "");

    auto p = PlanFile::open(path);
    EXPECT_EQ(p->path(), path);
    EXPECT_EQ(p->metadata(), meta);
    EXPECT_EQ(p->producer(), producer);
    EXPECT_EQ(p->deviceFingerprint(), fingerprint);
    ASSERT_EQ(p->sectionCount(), count + 1);
    EXPECT_EQ(p->sectionName(0), "metadata");
    ASSERT_EQ(p->sectionSize(0), text.size());
    EXPECT_EQ(0, std::memcmp(p->sectionData(0), text.data(), text.size()));
    for (uint32_t i = 0; i < p->sectionCount(); ++i) {
      SCOPED_TRACE("section " + std::to_string(i));
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p->sectionData(i)) % 64, 0u) << "64-byte aligned";
      if (i == 0)
        continue;
      EXPECT_EQ(p->sectionName(i), names[i - 1]);
      ASSERT_EQ(p->sectionSize(i), tensors[i - 1].size());
      if (!tensors[i - 1].empty()) {
        EXPECT_EQ(0, std::memcmp(p->sectionData(i), tensors[i - 1].data(), tensors[i - 1].size()));
      }
    }
    checkRawLayout(readBytes(path), text, tensors, fingerprint);

    // In memory: the same bytes, read back with the same checks, sections aligned.
    auto bytes = std::make_shared<std::vector<unsigned char>>();
    ASSERT_EQ(w.writeToMemory(*bytes), "");
    const auto onDisk = readBytes(path);
    ASSERT_EQ(bytes->size(), onDisk.size());
    EXPECT_EQ(0, std::memcmp(bytes->data(), onDisk.data(), onDisk.size()));
    auto m = PlanFile::fromMemory(*bytes, "in memory");
    EXPECT_EQ(m->metadata(), meta);
    ASSERT_EQ(m->sectionCount(), count + 1);
    for (uint32_t i = 1; i < m->sectionCount(); ++i) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(m->sectionData(i)) % 64, 0u) << "64-byte aligned";
      ASSERT_EQ(m->sectionSize(i), tensors[i - 1].size());
      if (!tensors[i - 1].empty())
        EXPECT_EQ(0, std::memcmp(m->sectionData(i), tensors[i - 1].data(), tensors[i - 1].size()));
    }
    // A flipped byte in memory is refused like one on disk.
    auto damaged = std::make_shared<std::vector<unsigned char>>(*bytes);
    (*damaged)[20] ^= 0x5a; // in the header (padding carries no checksum)
    EXPECT_THROW(PlanFile::fromMemory(*damaged, "in memory"), Error);
  }
  // Only the plans themselves: no temporary files left beside them.
  for (const auto &e : dir.entries())
    EXPECT_EQ(e.rfind("plan", 0), 0u) << e;
  EXPECT_EQ(dir.entries().size(), 40u);
}

TEST(PlanRoundTrip, MinimalPlanWithoutTensors) {
  TempDir dir;
  PlanWriter w;
  w.setMetadata("{}");
  std::string path = dir.file("plan.bin");
  ASSERT_EQ(w.write(path), "");
  auto p = PlanFile::open(path);
  EXPECT_EQ(p->metadata(), json::object());
  EXPECT_EQ(p->sectionCount(), 1u);
  EXPECT_EQ(p->producer(), "");
  EXPECT_EQ(p->deviceFingerprint(), 0u);
  EXPECT_EQ(readBytes(path).size(), 64u + 64u + 64u); // header, one entry, "{}" padded
}

TEST(PlanRoundTrip, LargeTensorAndNoCopyOfWriterBuffers) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  std::vector<unsigned char> big = randomBytes(gen, (3u << 20) + 5);
  std::vector<unsigned char> expected = big;
  std::string path = dir.file("plan.bin");
  {
    PlanWriter w;
    w.setMetadata(R"({"format":1})");
    w.addTensor("const:big", big.data(), big.size());
    ASSERT_EQ(w.write(path), "");
  }
  std::fill(big.begin(), big.end(), 0); // the plan holds its own bytes
  auto p = PlanFile::open(path);
  ASSERT_EQ(p->sectionSize(1), expected.size());
  EXPECT_EQ(0, std::memcmp(p->sectionData(1), expected.data(), expected.size()));
}

TEST(PlanRoundTrip, LongProducerAndSectionNamesAreTruncatedToTheirFields) {
  TempDir dir;
  unsigned char byte = 7;
  std::string longName(100, 'n');
  std::string longProducer(50, 'p');
  PlanWriter w;
  w.setMetadata("{}");
  w.setProducer(longProducer);
  w.addTensor(longName, &byte, 1);
  std::string path = dir.file("plan.bin");
  ASSERT_EQ(w.write(path), "");
  auto p = PlanFile::open(path);
  EXPECT_EQ(p->producer(), longProducer.substr(0, 23)); // 24-byte field, NUL-terminated
  EXPECT_EQ(p->sectionName(1), longName.substr(0, 39)); // 40-byte field, NUL-terminated
  EXPECT_EQ(*static_cast<const unsigned char *>(p->sectionData(1)), 7);
}

TEST(PlanRoundTrip, SectionIndexOutOfRangeThrows) {
  TempDir dir;
  unsigned char byte = 1;
  PlanWriter w;
  w.setMetadata("{}");
  w.addTensor("const:a", &byte, 1);
  std::string path = dir.file("plan.bin");
  ASSERT_EQ(w.write(path), "");
  auto p = PlanFile::open(path);
  for (uint32_t bad : {2u, 3u, 0xFFFFFFFFu}) {
    EXPECT_TRUE(containsAll(errorOf([&] { p->sectionData(bad); }), {path, std::to_string(bad)}));
    EXPECT_TRUE(containsAll(errorOf([&] { p->sectionSize(bad); }), {path}));
    EXPECT_TRUE(containsAll(errorOf([&] { p->sectionName(bad); }), {path}));
  }
}

TEST(PlanRoundTrip, MappingOutlivesTheFileOnDisk) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  auto data = randomBytes(gen, 1000);
  PlanWriter w;
  w.setMetadata(R"({"k":"v"})");
  w.addTensor("const:t", data.data(), data.size());
  std::string path = dir.file("plan.bin");
  ASSERT_EQ(w.write(path), "");
  auto p = PlanFile::open(path);
  fs::remove(path);
  ASSERT_EQ(p->sectionSize(1), data.size());
  EXPECT_EQ(0, std::memcmp(p->sectionData(1), data.data(), data.size()));
  EXPECT_EQ(p->metadata()["k"], "v");
}

TEST(PlanRoundTrip, RewritingReplacesThePlanWithoutDisturbingAnOpenOne) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  std::string path = dir.file("plan.bin");
  auto a = randomBytes(gen, 300), b = randomBytes(gen, 301);
  PlanWriter wa, wb;
  wa.setMetadata(R"({"which":"a"})");
  wa.addTensor("const:a", a.data(), a.size());
  wb.setMetadata(R"({"which":"b"})");
  wb.addTensor("const:b", b.data(), b.size());
  ASSERT_EQ(wa.write(path), "");
  auto pa = PlanFile::open(path);
  ASSERT_EQ(wb.write(path), "");
  // The old plan is replaced by a rename, so the mapping of the first still reads a.
  EXPECT_EQ(pa->metadata()["which"], "a");
  EXPECT_EQ(0, std::memcmp(pa->sectionData(1), a.data(), a.size()));
  auto pb = PlanFile::open(path);
  EXPECT_EQ(pb->metadata()["which"], "b");
  ASSERT_EQ(pb->sectionSize(1), b.size());
  EXPECT_EQ(0, std::memcmp(pb->sectionData(1), b.data(), b.size()));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"plan.bin"});
}

TEST(PlanRoundTrip, WritingIsDeterministic) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  auto t1 = randomBytes(gen, 77), t2 = randomBytes(gen, 0), t3 = randomBytes(gen, 129);
  PlanWriter w;
  w.setMetadata(randomMetadata(gen).dump());
  w.setProducer("cim-opt test");
  w.setDeviceFingerprint(random64(gen));
  w.addTensor("const:1", t1.data(), t1.size());
  w.addTensor("const:2", t2.data(), t2.size());
  w.addTensor("const:3", t3.data(), t3.size());
  ASSERT_EQ(w.write(dir.file("one.bin")), "");
  ASSERT_EQ(w.write(dir.file("two.bin")), "");
  EXPECT_EQ(readBytes(dir.file("one.bin")), readBytes(dir.file("two.bin")));
}

} // namespace
} // namespace cimlir::plantest
