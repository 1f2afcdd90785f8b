// cimlir plan: CRC-32 (zlib's polynomial) over a byte range, for plan section checksums.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimlir::plan {

uint32_t crc32(const void *data, size_t size);

} // namespace cimlir::plan
