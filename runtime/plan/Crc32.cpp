#include "runtime/plan/Crc32.h"

#include <algorithm>
#include <zlib.h>

namespace cimlir::plan {

uint32_t crc32(const void *data, size_t size) {
  // zlib takes uInt lengths; feed large sections in chunks.
  uLong crc = ::crc32(0L, Z_NULL, 0);
  const auto *p = static_cast<const Bytef *>(data);
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    crc = ::crc32(crc, p, chunk);
    p += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

} // namespace cimlir::plan
