// cimlir CIM kernels: the layer id that keys a layer's random streams (cim-numerics.md §9).
//
// layer id = FNV-1a 64 of "<node name>#g<group>" (an unnamed node uses its first output's name),
// so a layer keeps its chip when other layers change (marked digital, reordered, ...).
#pragma once

#include "core/Fnv1a.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace cimlir::cim {

/// The §9 layer id of group `group` (0 for ungrouped layers) of the node named `nodeName`.
inline uint64_t layerId(std::string_view nodeName, int64_t group) {
  std::string key(nodeName);
  key += "#g";
  key += std::to_string(group);
  return fnv1a64(key);
}

} // namespace cimlir::cim
