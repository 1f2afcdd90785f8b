// cimlir plan.bin, format version 1: the one definition of the file layout.
//
// The runtime owns this format; the compiler's emitter writes it through PlanWriter.
//
//   offset 0     FileHeader (64 bytes)
//   offset 64    SectionEntry[sectionCount] (64 bytes each)
//   ...          sections, each starting at a 64-byte aligned offset
//
// Section 0 is the metadata: UTF-8 JSON (graph inputs/outputs, values, constants, steps;
// docs/plan-format.md). Every other section holds the raw little-endian bytes of one
// constant tensor, so weights can be mapped and streamed one layer at a time. Every
// section and the section table carry a CRC-32 (zlib's); the header carries one over its
// own first 60 bytes. All integers are little-endian.
#pragma once

#include <cstdint>

namespace cimlir::plan {

constexpr char kMagic[8] = {'C', 'I', 'M', 'P', 'L', 'A', 'N', '\0'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint64_t kAlignment = 64;
/// The metadata of any plan is smaller: the steps and their decisions, not the weights.
constexpr uint64_t kMaxMetadataBytes = uint64_t(1) << 30;

enum class SectionKind : uint32_t {
  Metadata = 1, // JSON text
  Tensor = 2,   // raw bytes of one constant
};

struct FileHeader {
  char magic[8];
  uint32_t formatVersion;
  uint32_t sectionCount;
  uint64_t deviceFingerprint; // hash of the resolved device file (0 for none)
  uint32_t tableCrc;          // CRC-32 of the section table
  uint32_t reserved0;
  char producer[24]; // "cim-opt 0.1.0", NUL-padded
  uint32_t reserved1;
  uint32_t headerCrc; // CRC-32 of bytes [0, 60)
};
static_assert(sizeof(FileHeader) == 64, "FileHeader is 64 bytes");

struct SectionEntry {
  uint32_t kind;   // SectionKind
  uint32_t crc;    // CRC-32 of the section's bytes
  uint64_t offset; // from the start of the file, a multiple of kAlignment
  uint64_t size;   // bytes
  char name[40];   // NUL-padded, for messages ("metadata", "const:conv1.weight")
};
static_assert(sizeof(SectionEntry) == 64, "SectionEntry is 64 bytes");

} // namespace cimlir::plan
