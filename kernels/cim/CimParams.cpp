#include "kernels/cim/CimParams.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace cimlir::cim {

namespace {

[[noreturn]] void bad(const std::string &where, const std::string &field, const std::string &what) {
  throw Error(where + ": " + field + " " + what);
}

void checkBits(const std::string &where, const char *field, int bits) {
  if (bits < 2 || bits > 16)
    bad(where, field, "is " + std::to_string(bits) + ", expected 2..16");
}

void checkSlices(const std::string &where, const char *field, const std::vector<int> &slices,
                 int magnitudeBits, const std::string &sumMeaning) {
  if (slices.empty())
    return;
  if (slices.size() > 15) // a slice index is 4 bits in the random counters (Philox.h)
    bad(where, field, "has " + std::to_string(slices.size()) + " slices, at most 15 allowed");
  int sum = 0;
  for (int w : slices) {
    if (w < 1 || w > 7)
      bad(where, field, "has a slice of " + std::to_string(w) + " bits, expected 1..7");
    sum += w;
  }
  if (sum != magnitudeBits)
    bad(where, field,
        "sums to " + std::to_string(sum) + " bits, expected " + std::to_string(magnitudeBits) +
            " (" + sumMeaning + ")");
}

void checkNonNegative(const std::string &where, const char *field, double v) {
  if (!(v >= 0.0) || !std::isfinite(v))
    bad(where, field, "is " + std::to_string(v) + ", expected a finite value >= 0");
}

void checkPercentile(const std::string &where, const char *field, double p) {
  if (!(p >= 0.0 && p <= 100.0))
    bad(where, field, "is " + std::to_string(p) + ", expected 0..100");
}

std::vector<int> ones(int count) { return std::vector<int>(std::max(count, 0), 1); }

} // namespace

const char *adcModeName(AdcMode mode) {
  switch (mode) {
  case AdcMode::Ideal:
    return "ideal";
  case AdcMode::Full:
    return "full";
  case AdcMode::Dynamic:
    return "dynamic";
  case AdcMode::Calibrated:
    return "calibrated";
  }
  return "?";
}

void validateCimParams(const CimParams &p, const std::string &where) {
  checkBits(where, "weights.bits", p.weights.bits);
  checkBits(where, "inputs.bits", p.inputs.bits);
  checkBits(where, "adc.bits", p.adc.bits);
  checkSlices(where, "weights.slices", p.weights.slices, p.weights.bits - 1, "weights.bits - 1");
  int h = p.inputs.hybridAnalogBits;
  if (h != 0 && (h < 2 || h > p.inputs.bits))
    bad(where, "inputs.hybrid_analog_bits",
        "is " + std::to_string(h) + ", expected 0 or 2.." + std::to_string(p.inputs.bits));
  if (h != 0)
    checkSlices(where, "inputs.slices", p.inputs.slices, h - 1, "inputs.hybrid_analog_bits - 1");
  else
    checkSlices(where, "inputs.slices", p.inputs.slices, p.inputs.bits - 1, "inputs.bits - 1");
  checkPercentile(where, "weights.clip_percentile", p.weights.clipPercentile);
  checkPercentile(where, "inputs.clip_percentile", p.inputs.clipPercentile);
  if (p.crossbar.rows < 1)
    bad(where, "crossbar.rows", "is " + std::to_string(p.crossbar.rows) + ", expected >= 1");
  if (p.crossbar.cols < 2)
    bad(where, "crossbar.cols",
        "is " + std::to_string(p.crossbar.cols) + ", expected >= 2 (one differential pair)");
  // The largest |P| of an array must fit the int32 partial sums of the kernels.
  std::vector<int> a = resolvedInputSlices(p), b = resolvedWeightSlices(p);
  int maxA = *std::max_element(a.begin(), a.end());
  int maxB = *std::max_element(b.begin(), b.end());
  double largest = static_cast<double>(p.crossbar.rows) * ((1 << maxA) - 1) * ((1 << maxB) - 1);
  if (largest >= 2147483648.0)
    bad(where, "crossbar.rows",
        "is " + std::to_string(p.crossbar.rows) +
            ": rows·(2^max input slice - 1)·(2^max weight slice - 1) must stay below 2^31");
  if (p.adc.samples < 1)
    bad(where, "adc.samples", "is " + std::to_string(p.adc.samples) + ", expected >= 1");
  checkNonNegative(where, "adc.noise_lsb", p.adc.noiseLsb);
  checkNonNegative(where, "noise.read", p.noise.read);
  checkNonNegative(where, "noise.program", p.noise.program);
  checkNonNegative(where, "noise.stuck_at_min", p.noise.stuckAtMin);
  checkNonNegative(where, "noise.stuck_at_max", p.noise.stuckAtMax);
  if (p.noise.stuckAtMin + p.noise.stuckAtMax > 1.0)
    bad(where, "noise.stuck_at_min + noise.stuck_at_max", "exceeds 1");
  if (p.inputs.scale == InputScaleMode::Static &&
      !(p.inputs.staticScale > 0.0f && std::isfinite(p.inputs.staticScale)))
    bad(where, "inputs.scale",
        "is static but the calibrated scale is " + std::to_string(p.inputs.staticScale) +
            " (compile with calibration data)");
  if (p.adc.mode == AdcMode::Calibrated) {
    const size_t pairs = a.size() * b.size();
    if (p.adc.calibratedFullScales.size() != pairs)
      bad(where, "adc.mode",
          "is calibrated but the layer has " + std::to_string(p.adc.calibratedFullScales.size()) +
              " calibrated full scales, expected " + std::to_string(pairs) +
              " (one per input and weight slice pair; compile with calibration data)");
    for (float fs : p.adc.calibratedFullScales)
      if (!(fs >= 0.0f) || !std::isfinite(fs))
        bad(where, "adc.mode",
            "is calibrated but a calibrated full scale is " + std::to_string(fs));
  }
}

void validateFullScales(const CimParams &p, int64_t K, size_t weightSlices,
                        const std::string &where) {
  const std::vector<int64_t> &fs = p.adc.fullScales;
  const size_t pairs = static_cast<size_t>(rowBlockCount(K, p.crossbar.rows)) *
                       resolvedInputSlices(p).size() * weightSlices;
  if (!fs.empty() && fs.size() != pairs)
    bad(where, "adc.full_scales",
        "has " + std::to_string(fs.size()) + " entries, expected " + std::to_string(pairs) +
            " (row blocks x input slices x weight slices)");
  if (std::any_of(fs.begin(), fs.end(), [](int64_t v) { return v < 0; }))
    bad(where, "adc.full_scales", "holds a negative full scale");
}

std::vector<int> resolvedWeightSlices(const CimParams &p) {
  return p.weights.slices.empty() ? ones(p.weights.bits - 1) : p.weights.slices;
}

std::vector<int> resolvedInputSlices(const CimParams &p) {
  if (!p.inputs.slices.empty())
    return p.inputs.slices;
  return ones((p.inputs.hybridAnalogBits ? p.inputs.hybridAnalogBits : p.inputs.bits) - 1);
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

int64_t rowBlockCount(int64_t K, int64_t rows) { return (K + rows - 1) / rows; }

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
