// cimlir core: FNV-1a 64, the one hash of the project: the §9 layer id of "<node>#g<group>"
// (kernels/cim/LayerId.h) and a device's fingerprint in the plan header (runtime/device).
#pragma once

#include <cstdint>
#include <string_view>

namespace cimlir {

/// FNV-1a, 64 bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
constexpr uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

} // namespace cimlir
