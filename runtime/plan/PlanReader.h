// cimlir plan: opens and verifies plan.bin (PlanFormat.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cimlir::plan {

/// A verified plan: a memory-mapped file, or bytes in memory. Its storage lives as long as any
/// shared_ptr to the PlanFile (tensors view sections without copying).
class PlanFile {
public:
  /// Maps `path` and checks magic, version, header, table and every section checksum and
  /// bound; parses the metadata JSON. Throws cimlir::Error with one line naming the file
  /// and what is wrong ("plan.bin: section 3 'const:fc1.weight' checksum mismatch ...").
  static std::shared_ptr<PlanFile> open(const std::string &path);
  /// The same checks on a plan held in memory (PlanWriter::writeToMemory), copied into
  /// 64-byte aligned storage of its own (`bytes` may go once it returns); `name` names it in
  /// messages.
  static std::shared_ptr<PlanFile> fromMemory(const std::vector<unsigned char> &bytes,
                                              const std::string &name);
  PlanFile(const PlanFile &) = delete;
  PlanFile &operator=(const PlanFile &) = delete;

  const std::string &path() const { return path_; }
  const nlohmann::json &metadata() const { return metadata_; }
  const std::string &producer() const { return producer_; }
  uint64_t deviceFingerprint() const { return fingerprint_; }
  size_t sectionCount() const { return sections_.size(); }
  /// Bytes of section `index` (64-byte aligned); throws for an index out of range.
  const void *sectionData(uint32_t index) const;
  uint64_t sectionSize(uint32_t index) const;
  const std::string &sectionName(uint32_t index) const;

private:
  PlanFile() = default;
  /// Verifies the plan's bytes in `storage` (mapped or in memory), which it keeps alive.
  /// `hint` ends every message about a malformed plan.
  static std::shared_ptr<PlanFile> parse(const std::string &path,
                                         std::shared_ptr<const void> storage, size_t size,
                                         const std::string &hint);
  struct Section {
    std::string name;
    const unsigned char *data;
    uint64_t size;
  };
  std::string path_;
  std::string producer_;
  uint64_t fingerprint_ = 0;
  std::shared_ptr<const void> storage_; ///< the mapped file or the bytes in memory
  std::vector<Section> sections_;
  nlohmann::json metadata_;
};

} // namespace cimlir::plan
