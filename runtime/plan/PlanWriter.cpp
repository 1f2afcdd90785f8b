#include "runtime/plan/PlanWriter.h"

#include "core/Error.h"
#include "core/OutputFile.h"
#include "runtime/plan/Crc32.h"
#include "runtime/plan/PlanFormat.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

namespace cimlir::plan {

namespace {

uint64_t alignUp(uint64_t v) { return (v + kAlignment - 1) / kAlignment * kAlignment; }

void copyName(char *dst, size_t cap, const std::string &src) {
  std::memset(dst, 0, cap);
  std::memcpy(dst, src.data(), std::min(src.size(), cap - 1));
}

} // namespace

uint32_t PlanWriter::addTensor(std::string name, const void *data, size_t size) {
  tensors_.push_back({std::move(name), data, size});
  return static_cast<uint32_t>(tensors_.size()); // section 0 is the metadata
}

bool PlanWriter::serialize(const std::function<bool(const void *, size_t)> &sink) const {
  std::vector<Blob> sections;
  sections.push_back({"metadata", metadata_.data(), metadata_.size()});
  sections.insert(sections.end(), tensors_.begin(), tensors_.end());

  std::vector<SectionEntry> table(sections.size());
  uint64_t offset = alignUp(sizeof(FileHeader) + table.size() * sizeof(SectionEntry));
  for (size_t i = 0; i < sections.size(); ++i) {
    SectionEntry &e = table[i];
    std::memset(&e, 0, sizeof e);
    e.kind = static_cast<uint32_t>(i == 0 ? SectionKind::Metadata : SectionKind::Tensor);
    e.crc = crc32(sections[i].data, sections[i].size);
    e.offset = offset;
    e.size = sections[i].size;
    copyName(e.name, sizeof e.name, sections[i].name);
    offset = alignUp(offset + e.size);
  }

  FileHeader h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, kMagic, sizeof h.magic);
  h.formatVersion = kFormatVersion;
  h.sectionCount = static_cast<uint32_t>(table.size());
  h.deviceFingerprint = fingerprint_;
  h.tableCrc = crc32(table.data(), table.size() * sizeof(SectionEntry));
  copyName(h.producer, sizeof h.producer, producer_);
  h.headerCrc = crc32(&h, offsetof(FileHeader, headerCrc));

  static const char zeros[kAlignment] = {};
  uint64_t pos = 0;
  auto put = [&](const void *data, size_t size) {
    if (size && !sink(data, size))
      return false;
    pos += size;
    return true;
  };
  auto padTo = [&](uint64_t target) { return put(zeros, static_cast<size_t>(target - pos)); };
  bool ok = put(&h, sizeof h) && put(table.data(), table.size() * sizeof(SectionEntry));
  for (size_t i = 0; ok && i < sections.size(); ++i)
    ok = padTo(table[i].offset) && put(sections[i].data, sections[i].size);
  return ok && padTo(alignUp(pos));
}

std::string PlanWriter::writeStaged(const std::string &stagedTemp,
                                    const std::string &path) const noexcept {
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(stagedTemp.c_str(), "wb"), std::fclose);
  if (!f)
    return "cannot write " + path + ": " + std::strerror(errno);
  bool ok = serialize(
      [&](const void *data, size_t size) { return std::fwrite(data, 1, size, f.get()) == size; });
  if (!ok || std::fflush(f.get()) != 0)
    return "cannot write " + path + ": " + std::strerror(errno);
  if (std::fclose(f.release()) != 0)
    return "cannot write " + path + ": " + std::strerror(errno);
  return "";
}

std::string PlanWriter::write(const std::string &path) const {
  try {
    OutputFile out(path);
    if (std::string error = writeStaged(out.tempPath(), path); !error.empty())
      return error;
    out.commit();
  } catch (const Error &e) {
    return e.what();
  } catch (const std::exception &e) {
    return "cannot write " + path + ": " + e.what();
  }
  return "";
}

std::string PlanWriter::writeToMemory(std::vector<unsigned char> &bytes) const noexcept {
  try {
    bytes.clear();
    serialize([&](const void *data, size_t size) {
      const auto *p = static_cast<const unsigned char *>(data);
      bytes.insert(bytes.end(), p, p + size);
      return true;
    });
  } catch (const std::exception &e) {
    return std::string("cannot hold the plan in memory: ") + e.what();
  }
  return "";
}

} // namespace cimlir::plan
