// cimlir device presets (cim-numerics.md §10): each is the text of a device file, read by the
// same parser as any file, so a preset obeys every rule a file does. docs/device-files.md
// lists them; `cim-opt --print-device NAME` prints one resolved.
#include "runtime/device/DeviceConfig.h"

#include "core/Error.h"

#include <utility>

namespace cimlir::device {

namespace {

const std::vector<std::pair<std::string, std::string>> &presets() {
  static const std::vector<std::pair<std::string, std::string>> list = {
      // Every layer digital in fp32 (§8): the default when --device is not given.
      {"digital", R"({
  "name": "digital",
  "digital": {"enabled": true, "precision": "fp32"}
})"},
      // Every CIM-able layer on CIM with the §10 defaults, no ADC conversion, no noise.
      {"cim-ideal", R"({
  "name": "cim-ideal",
  "adc": {"mode": "ideal"}
})"},
      // An RRAM-like macro: 256x256 arrays, 2-bit cells (weights [1,2,2,2]), 8-bit full-range
      // ADC, 1 % read noise.
      {"rram-256", R"({
  "name": "rram-256",
  "crossbar": {"rows": 256, "cols": 256},
  "weights": {"bits": 8, "slices": [1, 2, 2, 2]},
  "adc": {"mode": "full", "bits": 8},
  "noise": {"read": 0.01}
})"},
      // rram-256 with a 4-bit ADC and 5 % read noise.
      {"harsh", R"({
  "name": "harsh",
  "crossbar": {"rows": 256, "cols": 256},
  "weights": {"bits": 8, "slices": [1, 2, 2, 2]},
  "adc": {"mode": "full", "bits": 4},
  "noise": {"read": 0.05}
})"},
  };
  return list;
}

} // namespace

const std::vector<std::string> &presetNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto &p : presets())
      out.push_back(p.first);
    return out;
  }();
  return names;
}

bool isPreset(const std::string &name) {
  for (const auto &p : presets())
    if (p.first == name)
      return true;
  return false;
}

const std::string &presetText(const std::string &name) {
  for (const auto &p : presets())
    if (p.first == name)
      return p.second;
  std::string known;
  for (const auto &n : presetNames())
    known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown preset '" + name + "' (presets: " + known + ")");
}

} // namespace cimlir::device
