// cimlir CIM kernels: the layer id that keys a layer's random streams (cim-numerics.md §9).
//
// layer id = FNV-1a 64 of "<node name>#g<group>" (an unnamed node uses its first output's name),
// so a layer keeps its chip when other layers change (marked digital, reordered, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cimlir::cpu::cim {

/// FNV-1a, 64 bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
constexpr uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

/// The §9 layer id of group `group` (0 for ungrouped layers) of the node named `nodeName`.
inline uint64_t layerId(std::string_view nodeName, int64_t group) {
  std::string key(nodeName);
  key += "#g";
  key += std::to_string(group);
  return fnv1a64(key);
}

} // namespace cimlir::cpu::cim
