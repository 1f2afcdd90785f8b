#include "runtime/plan/PlanReader.h"

#include "core/Error.h"
#include "runtime/json/StrictJson.h"
#include "runtime/plan/Crc32.h"
#include "runtime/plan/PlanFormat.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cimlir::plan {

namespace {

std::string fixedString(const char *s, size_t cap) { return std::string(s, strnlen(s, cap)); }

} // namespace

std::shared_ptr<PlanFile> PlanFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    throw Error("cannot open plan " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("cannot open plan " + path + ": not a regular file");
  }
  size_t fileSize = static_cast<size_t>(st.st_size);
  if (fileSize < sizeof(FileHeader)) {
    ::close(fd);
    throw Error(path + ": file is " + std::to_string(fileSize) +
                " bytes, shorter than a plan header (is this a plan written by cim-opt? "
                "recompile it)");
  }
  void *map = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED)
    throw Error("cannot map plan " + path + ": " + std::strerror(errno));
  std::shared_ptr<const void> storage(
      map, [fileSize](const void *p) { ::munmap(const_cast<void *>(p), fileSize); });
  return parse(path, std::move(storage), fileSize,
               "(is this a plan written by cim-opt? recompile it)");
}

std::shared_ptr<PlanFile> PlanFile::fromMemory(const std::vector<unsigned char> &bytes,
                                               const std::string &name) {
  const size_t size = bytes.size();
  const void *data = bytes.data();
  if (size < sizeof(FileHeader))
    throw Error(name + ": " + std::to_string(size) + " bytes, shorter than a plan header");
  // 64-byte aligned sections need an aligned start: copy into aligned storage.
  void *aligned = std::aligned_alloc(kAlignment, (size + kAlignment - 1) / kAlignment * kAlignment);
  if (!aligned)
    throw Error(name + ": out of host memory for the plan");
  std::memcpy(aligned, data, size);
  std::shared_ptr<const void> storage(aligned,
                                      [](const void *p) { std::free(const_cast<void *>(p)); });
  return parse(name, std::move(storage), size,
               "(an internal error: cim-opt wrote this plan itself; please report it)");
}

std::shared_ptr<PlanFile> PlanFile::parse(const std::string &path,
                                          std::shared_ptr<const void> storage, size_t fileSize,
                                          const std::string &hint) {
  auto fail = [&](const std::string &what) -> Error {
    return Error(path + ": " + what + " " + hint);
  };
  std::shared_ptr<PlanFile> plan(new PlanFile());
  plan->path_ = path;
  plan->storage_ = std::move(storage);
  const auto *base = static_cast<const unsigned char *>(plan->storage_.get());

  FileHeader h;
  std::memcpy(&h, base, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    throw fail("not a cimlir plan (bad magic)");
  if (crc32(&h, offsetof(FileHeader, headerCrc)) != h.headerCrc)
    throw fail("header checksum mismatch: the file is corrupted");
  if (h.formatVersion != kFormatVersion)
    throw Error(path + ": plan format version " + std::to_string(h.formatVersion) +
                " is not supported by this cim-run (it reads version " +
                std::to_string(kFormatVersion) + "); recompile the model with a matching cim-opt");
  plan->producer_ = fixedString(h.producer, sizeof h.producer);
  plan->fingerprint_ = h.deviceFingerprint;

  uint64_t tableBytes = uint64_t(h.sectionCount) * sizeof(SectionEntry);
  if (h.sectionCount == 0 || sizeof(FileHeader) + tableBytes > fileSize)
    throw fail("truncated: the section table does not fit in the file");
  const unsigned char *tablePtr = base + sizeof(FileHeader);
  if (crc32(tablePtr, tableBytes) != h.tableCrc)
    throw fail("section table checksum mismatch: the file is corrupted");

  uint64_t paddedEnd = 0;
  for (uint32_t i = 0; i < h.sectionCount; ++i) {
    SectionEntry e;
    std::memcpy(&e, tablePtr + i * sizeof e, sizeof e);
    std::string name = fixedString(e.name, sizeof e.name);
    std::string label = "section " + std::to_string(i) + " '" + name + "'";
    if (e.offset % kAlignment != 0)
      throw fail(label + " is not 64-byte aligned");
    if (e.offset > fileSize || e.size > fileSize - e.offset)
      throw fail("truncated: " + label + " ends past the end of the file");
    if (crc32(base + e.offset, e.size) != e.crc)
      throw fail(label + " checksum mismatch: the file is corrupted");
    SectionKind expected = i == 0 ? SectionKind::Metadata : SectionKind::Tensor;
    if (e.kind != static_cast<uint32_t>(expected))
      throw fail(label + " has an unexpected kind " + std::to_string(e.kind));
    plan->sections_.push_back({name, base + e.offset, e.size});
    paddedEnd = std::max<uint64_t>(paddedEnd,
                                   (e.offset + e.size + kAlignment - 1) / kAlignment * kAlignment);
  }
  // The writer pads the file to a multiple of 64 bytes; a shorter file lost its tail.
  if (fileSize < paddedEnd)
    throw fail("truncated: the file ends " + std::to_string(paddedEnd - fileSize) +
               " bytes before its last section's padding");

  const auto &meta = plan->sections_[0];
  plan->metadata_ = json::parseStrict<nlohmann::json>(
      std::string_view(reinterpret_cast<const char *>(meta.data), meta.size), path + " (metadata)",
      kMaxMetadataBytes);
  if (!plan->metadata_.is_object())
    throw fail("metadata is not a JSON object");
  return plan;
}

const void *PlanFile::sectionData(uint32_t index) const {
  if (index >= sections_.size())
    throw Error(path_ + ": metadata refers to section " + std::to_string(index) +
                " but the plan has " + std::to_string(sections_.size()));
  return sections_[index].data;
}

uint64_t PlanFile::sectionSize(uint32_t index) const {
  sectionData(index);
  return sections_[index].size;
}

const std::string &PlanFile::sectionName(uint32_t index) const {
  sectionData(index);
  return sections_[index].name;
}

} // namespace cimlir::plan
