#include "kernels/cim/CimParams.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace cimlir::cim {

namespace {

[[noreturn]] void bad(const std::string &where, const std::string &field, const std::string &what) {
  throw Error(where + ": " + field + " " + what);
}

} // namespace

void validateCimParams(const CimParams &p, const std::string &where) {
  if (auto problem = checkLayerSettings(p))
    throw Error(where + ": " + problem->field + ": " + problem->what);
  if (p.inputs.scale == InputScale::Static &&
      !(p.staticScale > 0.0f && std::isfinite(p.staticScale)))
    bad(where, "inputs.scale",
        "is static but the calibrated scale is " + std::to_string(p.staticScale) +
            " (compile with calibration data)");
  if (p.adc.mode == AdcMode::Calibrated) {
    const size_t pairs = p.inputs.slices.size() * p.weights.slices.size();
    if (p.calibratedFullScales.size() != pairs)
      bad(where, "adc.mode",
          "is calibrated but the layer has " + std::to_string(p.calibratedFullScales.size()) +
              " calibrated full scales, expected " + std::to_string(pairs) +
              " (one per input and weight slice pair; compile with calibration data)");
    for (float fs : p.calibratedFullScales)
      if (!(fs >= 0.0f) || !std::isfinite(fs))
        bad(where, "adc.mode",
            "is calibrated but a calibrated full scale is " + std::to_string(fs));
  }
}

void validateFullScales(const CimParams &p, int64_t K, size_t weightSlices,
                        const std::string &where) {
  const std::vector<int64_t> &fs = p.fullScales;
  const size_t pairs = static_cast<size_t>(rowBlockCount(K, p.crossbar.rows)) *
                       p.inputs.slices.size() * weightSlices;
  if (!fs.empty() && fs.size() != pairs)
    bad(where, "adc.full_scales",
        "has " + std::to_string(fs.size()) + " entries, expected " + std::to_string(pairs) +
            " (row blocks x input slices x weight slices)");
  if (std::any_of(fs.begin(), fs.end(), [](int64_t v) { return v < 0; }))
    bad(where, "adc.full_scales", "holds a negative full scale");
}

std::vector<int> sliceOffsets(const std::vector<int> &widths) {
  std::vector<int> offsets(widths.size());
  int o = 0;
  for (size_t i = 0; i < widths.size(); ++i) {
    offsets[i] = o;
    o += widths[i];
  }
  return offsets;
}

std::vector<int64_t> fullModeScales(int64_t K, int64_t rows, const std::vector<int> &inputSlices,
                                    const std::vector<int> &weightSlices) {
  std::vector<int64_t> out;
  const int64_t blocks = rowBlockCount(K, rows);
  out.reserve(static_cast<size_t>(blocks) * inputSlices.size() * weightSlices.size());
  for (int64_t r = 0; r < blocks; ++r) {
    const int64_t rowsInBlock = std::min(K, (r + 1) * rows) - r * rows;
    for (int a : inputSlices)
      for (int b : weightSlices)
        out.push_back(rowsInBlock * ((int64_t(1) << a) - 1) * ((int64_t(1) << b) - 1));
  }
  return out;
}

} // namespace cimlir::cim
