#include "runtime/plan/PlanReader.h"

#include "core/Error.h"
#include "runtime/plan/Crc32.h"
#include "runtime/plan/PlanFormat.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
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
  auto fail = [&](const std::string &what) -> Error {
    return Error(path + ": " + what + " (is this a plan written by cim-opt? recompile it)");
  };
  std::shared_ptr<PlanFile> plan(new PlanFile());
  plan->path_ = path;

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
    throw fail("file is " + std::to_string(fileSize) + " bytes, shorter than a plan header");
  }
  void *map = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED)
    throw Error("cannot map plan " + path + ": " + std::strerror(errno));
  plan->map_ = map;
  plan->mapSize_ = fileSize;
  const auto *base = static_cast<const unsigned char *>(map);

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
  plan->metadata_ = nlohmann::json::parse(meta.data, meta.data + meta.size, nullptr,
                                          /*allow_exceptions=*/false);
  if (plan->metadata_.is_discarded() || !plan->metadata_.is_object())
    throw fail("metadata is not valid JSON");
  return plan;
}

PlanFile::~PlanFile() {
  if (map_)
    ::munmap(map_, mapSize_);
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
