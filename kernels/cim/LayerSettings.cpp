// cimlir CIM numerics: the field table of a layer's settings and the §10 rules over them.
// docs/device-files.md documents the same fields, ranges and messages.
#include "kernels/cim/LayerSettings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace cimlir::cim {

template <> const std::vector<std::string> &enumNames<WeightGranularity>() {
  static const std::vector<std::string> names = {"per_channel", "per_tensor"};
  return names;
}
template <> const std::vector<std::string> &enumNames<WeightSource>() {
  static const std::vector<std::string> names = {"float", "model"};
  return names;
}
template <> const std::vector<std::string> &enumNames<InputScale>() {
  static const std::vector<std::string> names = {"dynamic_row", "static"};
  return names;
}
template <> const std::vector<std::string> &enumNames<AdcMode>() {
  static const std::vector<std::string> names = {"ideal", "full", "dynamic", "calibrated"};
  return names;
}
template <> const std::vector<std::string> &enumNames<DigitalPrecision>() {
  static const std::vector<std::string> names = {"fp32", "bf16", "int8", "w8a16"};
  return names;
}
template <> const std::vector<std::string> &enumNames<NormalTransform>() {
  static const std::vector<std::string> names = {"exact", "fast"};
  return names;
}
template <> const std::vector<std::string> &enumNames<RangeMethod>() {
  static const std::vector<std::string> names = {"percentile", "mse", "kl"};
  return names;
}

std::vector<int> oneBitSlices(int width) { return std::vector<int>(size_t(std::max(width, 0)), 1); }

// ---- Numbers as messages print them --------------------------------------------------------

std::string formatNumber(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  // The shortest decimal digits that read back as `value` ("%.*e" gives d.ddde±x).
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  std::string text = buf, sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  size_t e = text.find('e');
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  while (digits.size() > 1 && digits.back() == '0')
    digits.pop_back();
  const int k = static_cast<int>(digits.size());
  const int n = std::atoi(text.c_str() + e + 1) + 1; // value = 0.digits · 10^n
  // The layout of JSON numbers (nlohmann-json's, which device files are printed with): plain
  // decimals for 10^-4 <= |value| < 10^15, with ".0" on integral values, else d.ddde±XX.
  std::string out;
  if (k <= n && n <= 15) {
    out = digits + std::string(size_t(n - k), '0') + ".0";
  } else if (0 < n && n <= 15) {
    out = digits.substr(0, size_t(n)) + "." + digits.substr(size_t(n));
  } else if (-4 < n && n <= 0) {
    out = "0." + std::string(size_t(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1) + (k > 1 ? "." + digits.substr(1) : "");
    const int exponent = n - 1;
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += ebuf;
  }
  return sign + out;
}

namespace {

std::string formatSlices(const std::vector<int> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i == 16) {
      s += ",...";
      break;
    }
    s += (i ? "," : "") + std::to_string(v[i]);
  }
  return s + "]";
}

// ---- The table ------------------------------------------------------------------------------

constexpr double kInt32Max = std::numeric_limits<int32_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

FieldValue integerValue(int64_t v) {
  FieldValue f;
  f.integer = v;
  return f;
}
FieldValue numberValue(double v) {
  FieldValue f;
  f.number = v;
  return f;
}
FieldValue seedValue(uint64_t v) {
  FieldValue f;
  f.seed = v;
  return f;
}
FieldValue slicesValue(const std::vector<int> &v) {
  FieldValue f;
  f.slices = v;
  return f;
}
FieldValue boolValue(bool v) {
  FieldValue f;
  f.boolean = v;
  return f;
}
template <typename Enum> FieldValue enumValue(Enum v) { return integerValue(int64_t(v)); }

LayerField intField(const char *section, const char *name, double lo, double hi, bool runtime,
                    FieldValue (*get)(const LayerSettings &),
                    void (*set)(LayerSettings &, const FieldValue &)) {
  LayerField f{section, name, FieldKind::Int};
  f.lo = lo;
  f.hi = hi;
  f.runtime = runtime;
  f.get = get;
  f.set = set;
  return f;
}

LayerField numberField(const char *section, const char *name, double lo, bool loOpen, double hi,
                       bool runtime, FieldValue (*get)(const LayerSettings &),
                       void (*set)(LayerSettings &, const FieldValue &)) {
  LayerField f = intField(section, name, lo, hi, runtime, get, set);
  f.kind = FieldKind::Number;
  f.loOpen = loOpen;
  return f;
}

template <typename Enum>
LayerField enumField(const char *section, const char *name, bool runtime,
                     FieldValue (*get)(const LayerSettings &),
                     void (*set)(LayerSettings &, const FieldValue &)) {
  LayerField f = intField(section, name, 0, 0, runtime, get, set);
  f.kind = FieldKind::Enum;
  f.choices = &enumNames<Enum>();
  return f;
}

LayerField slicesField(const char *section, FieldValue (*get)(const LayerSettings &),
                       void (*set)(LayerSettings &, const FieldValue &)) {
  LayerField f = intField(section, "slices", 1, 7, false, get, set);
  f.kind = FieldKind::Slices;
  f.rangeNote = " (a slice is 1 to 7 bits)";
  return f;
}

std::vector<LayerField> makeTable() {
  using L = LayerSettings;
  using V = FieldValue;
  std::vector<LayerField> t;
  // crossbar (§2)
  t.push_back(intField(
      "crossbar", "rows", 1, kInt32Max, false,
      [](const L &l) { return integerValue(l.crossbar.rows); },
      [](L &l, const V &v) { l.crossbar.rows = v.integer; }));
  t.push_back(intField(
      "crossbar", "cols", 2, kInt32Max, false,
      [](const L &l) { return integerValue(l.crossbar.cols); },
      [](L &l, const V &v) { l.crossbar.cols = v.integer; }));
  t.back().rangeNote = " (each output uses a column pair)";
  // weights (§1, §2)
  t.push_back(intField(
      "weights", "bits", 2, 16, false, [](const L &l) { return integerValue(l.weights.bits); },
      [](L &l, const V &v) { l.weights.bits = int(v.integer); }));
  t.push_back(slicesField(
      "weights", [](const L &l) { return slicesValue(l.weights.slices); },
      [](L &l, const V &v) { l.weights.slices = v.slices; }));
  t.push_back(enumField<WeightGranularity>(
      "weights", "granularity", false, [](const L &l) { return enumValue(l.weights.granularity); },
      [](L &l, const V &v) { l.weights.granularity = WeightGranularity(v.integer); }));
  t.push_back(numberField(
      "weights", "clip_percentile", 0, true, 100, false,
      [](const L &l) { return numberValue(l.weights.clipPercentile); },
      [](L &l, const V &v) { l.weights.clipPercentile = v.number; }));
  t.push_back(enumField<WeightSource>(
      "weights", "source", false, [](const L &l) { return enumValue(l.weights.source); },
      [](L &l, const V &v) { l.weights.source = WeightSource(v.integer); }));
  // inputs (§3, §7)
  t.push_back(intField(
      "inputs", "bits", 2, 16, false, [](const L &l) { return integerValue(l.inputs.bits); },
      [](L &l, const V &v) { l.inputs.bits = int(v.integer); }));
  t.push_back(slicesField(
      "inputs", [](const L &l) { return slicesValue(l.inputs.slices); },
      [](L &l, const V &v) { l.inputs.slices = v.slices; }));
  t.push_back(enumField<InputScale>(
      "inputs", "scale", false, [](const L &l) { return enumValue(l.inputs.scale); },
      [](L &l, const V &v) { l.inputs.scale = InputScale(v.integer); }));
  t.push_back(numberField(
      "inputs", "clip_percentile", 0, true, 100, false,
      [](const L &l) { return numberValue(l.inputs.clipPercentile); },
      [](L &l, const V &v) { l.inputs.clipPercentile = v.number; }));
  t.push_back(enumField<RangeMethod>(
      "inputs", "range", false, [](const L &l) { return enumValue(l.inputs.range); },
      [](L &l, const V &v) { l.inputs.range = RangeMethod(v.integer); }));
  t.back().laterThanPlans = true;
  // 0 or 2..16 here; h <= inputs.bits is a rule across fields (checkAcrossFields).
  t.push_back(intField(
      "inputs", "hybrid_analog_bits", 2, 16, false,
      [](const L &l) { return integerValue(l.inputs.hybridAnalogBits); },
      [](L &l, const V &v) { l.inputs.hybridAnalogBits = int(v.integer); }));
  t.back().zeroOrRange = true;
  t.push_back(numberField(
      "inputs", "smooth_alpha", 0, false, 1, false,
      [](const L &l) { return numberValue(l.inputs.smoothAlpha); },
      [](L &l, const V &v) { l.inputs.smoothAlpha = v.number; }));
  t.back().laterThanPlans = true;
  // adc (§5)
  t.push_back(enumField<AdcMode>(
      "adc", "mode", true, [](const L &l) { return enumValue(l.adc.mode); },
      [](L &l, const V &v) { l.adc.mode = AdcMode(v.integer); }));
  t.push_back(intField(
      "adc", "bits", 2, 16, true, [](const L &l) { return integerValue(l.adc.bits); },
      [](L &l, const V &v) { l.adc.bits = int(v.integer); }));
  t.push_back(numberField(
      "adc", "percentile", 0, true, 100, false,
      [](const L &l) { return numberValue(l.adc.percentile); },
      [](L &l, const V &v) { l.adc.percentile = v.number; }));
  t.push_back(enumField<RangeMethod>(
      "adc", "range", false, [](const L &l) { return enumValue(l.adc.range); },
      [](L &l, const V &v) { l.adc.range = RangeMethod(v.integer); }));
  t.back().laterThanPlans = true;
  t.push_back(numberField(
      "adc", "noise_lsb", 0, false, kInf, true,
      [](const L &l) { return numberValue(l.adc.noiseLsb); },
      [](L &l, const V &v) { l.adc.noiseLsb = v.number; }));
  t.push_back(intField(
      "adc", "samples", 1, kInt32Max, true, [](const L &l) { return integerValue(l.adc.samples); },
      [](L &l, const V &v) { l.adc.samples = v.integer; }));
  // noise (§4, §9)
  t.push_back(numberField(
      "noise", "read", 0, false, kInf, true, [](const L &l) { return numberValue(l.noise.read); },
      [](L &l, const V &v) { l.noise.read = v.number; }));
  t.push_back(numberField(
      "noise", "program", 0, false, kInf, true,
      [](const L &l) { return numberValue(l.noise.program); },
      [](L &l, const V &v) { l.noise.program = v.number; }));
  t.push_back(numberField(
      "noise", "stuck_at_min", 0, false, 1, true,
      [](const L &l) { return numberValue(l.noise.stuckAtMin); },
      [](L &l, const V &v) { l.noise.stuckAtMin = v.number; }));
  t.push_back(numberField(
      "noise", "stuck_at_max", 0, false, 1, true,
      [](const L &l) { return numberValue(l.noise.stuckAtMax); },
      [](L &l, const V &v) { l.noise.stuckAtMax = v.number; }));
  LayerField seed{"noise", "seed", FieldKind::Seed};
  seed.runtime = true;
  seed.get = [](const L &l) { return seedValue(l.noise.seed); };
  seed.set = [](L &l, const V &v) { l.noise.seed = v.seed; };
  t.push_back(seed);
  LayerField chipSeed{"noise", "chip_seed", FieldKind::Seed};
  chipSeed.runtime = true;
  chipSeed.get = [](const L &l) { return seedValue(l.noise.chipSeed); };
  chipSeed.set = [](L &l, const V &v) { l.noise.chipSeed = v.seed; };
  t.push_back(chipSeed);
  t.push_back(enumField<NormalTransform>(
      "noise", "normals", true, [](const L &l) { return enumValue(l.noise.normals); },
      [](L &l, const V &v) { l.noise.normals = NormalTransform(v.integer); }));
  t.back().laterThanPlans = true;
  // digital (§8)
  LayerField enabled{"digital", "enabled", FieldKind::Bool};
  enabled.get = [](const L &l) { return boolValue(l.digital.enabled); };
  enabled.set = [](L &l, const V &v) { l.digital.enabled = v.boolean; };
  t.push_back(enabled);
  t.push_back(enumField<DigitalPrecision>(
      "digital", "precision", false, [](const L &l) { return enumValue(l.digital.precision); },
      [](L &l, const V &v) { l.digital.precision = DigitalPrecision(v.integer); }));
  return t;
}

} // namespace

const std::vector<std::string> &layerSections() {
  static const std::vector<std::string> sections = {"crossbar", "weights", "inputs",
                                                    "adc",      "noise",   "digital"};
  return sections;
}

const std::vector<LayerField> &layerFields() {
  static const std::vector<LayerField> table = makeTable();
  return table;
}

std::vector<const LayerField *> sectionFields(std::string_view section) {
  std::vector<const LayerField *> out;
  for (const LayerField &f : layerFields())
    if (section == f.section)
      out.push_back(&f);
  return out;
}

std::vector<const LayerField *> decisionFields(std::string_view decision) {
  std::vector<const LayerField *> out;
  for (const LayerField &f : layerFields())
    if (const char *d = f.decision(); d && decision == d)
      out.push_back(&f);
  return out;
}

const LayerField *findLayerField(std::string_view key) {
  for (const LayerField &f : layerFields())
    if (f.key() == key)
      return &f;
  return nullptr;
}

// ---- One field ------------------------------------------------------------------------------

std::string LayerField::key() const { return std::string(section) + "." + name; }

const char *LayerField::decision() const {
  const std::string_view s = section;
  if (s == "digital" || key() == "inputs.hybrid_analog_bits")
    return nullptr;
  return s == "crossbar" ? "mapping" : section;
}

std::string LayerField::rangeText() const {
  auto bound = [](double d) {
    if (std::isinf(d))
      return std::string("inf");
    return d == std::floor(d) ? std::to_string(int64_t(d)) : formatNumber(d);
  };
  if (kind == FieldKind::Number && loOpen)
    return "(" + bound(lo) + ", " + bound(hi) + "]";
  return bound(lo) + ".." + bound(hi);
}

const std::string *LayerField::choice(const FieldValue &v) const {
  if (kind != FieldKind::Enum || v.integer < 0 || size_t(v.integer) >= choices->size())
    return nullptr;
  return &(*choices)[size_t(v.integer)];
}

std::string LayerField::choiceName(const FieldValue &v) const {
  const std::string *name = choice(v);
  return name ? *name : "?";
}

std::string LayerField::format(const FieldValue &v) const {
  switch (kind) {
  case FieldKind::Int:
    return std::to_string(v.integer);
  case FieldKind::Seed:
    return std::to_string(v.seed);
  case FieldKind::Number:
    return formatNumber(v.number);
  case FieldKind::Enum:
    if (const std::string *name = choice(v))
      return "\"" + *name + "\"";
    return "enumerator " + std::to_string(v.integer);
  case FieldKind::Slices:
    return formatSlices(v.slices);
  case FieldKind::Bool:
    return v.boolean ? "true" : "false";
  }
  return "";
}

std::optional<FieldProblem> LayerField::check(const FieldValue &v) const {
  auto outside = [&](int element) {
    return FieldProblem{element, "is outside " + rangeText() + rangeNote};
  };
  switch (kind) {
  case FieldKind::Int:
    if (zeroOrRange && v.integer == 0)
      return std::nullopt;
    if (double(v.integer) < lo || double(v.integer) > hi)
      return zeroOrRange ? FieldProblem{-1, "is neither 0 nor in " + rangeText()} : outside(-1);
    return std::nullopt;
  case FieldKind::Number:
    if (!std::isfinite(v.number))
      return FieldProblem{-1, "is not a finite number"};
    if (v.number < 0 && lo == 0 && !loOpen)
      return FieldProblem{-1, "is negative"};
    if (v.number < lo || (loOpen && v.number == lo) || v.number > hi)
      return outside(-1);
    return std::nullopt;
  case FieldKind::Enum:
    if (!choice(v))
      return FieldProblem{-1, "is not one of its names"};
    return std::nullopt;
  case FieldKind::Slices:
    for (size_t i = 0; i < v.slices.size(); ++i)
      if (v.slices[i] < lo || v.slices[i] > hi)
        return outside(int(i));
    return std::nullopt;
  case FieldKind::Seed:
  case FieldKind::Bool:
    return std::nullopt;
  }
  return std::nullopt;
}

// ---- A whole layer ----------------------------------------------------------------------------

std::optional<SettingsProblem> checkAcrossFields(const LayerSettings &s) {
  auto sum = [](const std::vector<int> &v) {
    int64_t t = 0;
    for (int x : v)
      t += x;
    return t;
  };
  if (sum(s.weights.slices) != s.weights.bits - 1)
    return SettingsProblem{"weights.slices", formatSlices(s.weights.slices) + " sums to " +
                                                 std::to_string(sum(s.weights.slices)) +
                                                 " but weights.bits - 1 is " +
                                                 std::to_string(s.weights.bits - 1)};
  const int h = s.inputs.hybridAnalogBits;
  if (h != 0 && (h < 2 || h > s.inputs.bits))
    return SettingsProblem{"inputs.hybrid_analog_bits",
                           std::to_string(h) + " is neither 0 nor in 2.." +
                               std::to_string(s.inputs.bits) + " (inputs.bits is " +
                               std::to_string(s.inputs.bits) + ")"};
  const int width = h ? h : s.inputs.bits;
  if (sum(s.inputs.slices) != width - 1)
    return SettingsProblem{"inputs.slices", formatSlices(s.inputs.slices) + " sums to " +
                                                std::to_string(sum(s.inputs.slices)) + " but " +
                                                (h ? "inputs.hybrid_analog_bits" : "inputs.bits") +
                                                " - 1 is " + std::to_string(width - 1)};
  auto widest = [](const std::vector<int> &v) {
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  };
  // The largest |P| of an array must fit the int32 partial sums of the kernels (§2).
  const int maxA = widest(s.inputs.slices), maxB = widest(s.weights.slices);
  const int64_t product = s.crossbar.rows * ((int64_t(1) << maxA) - 1) * ((int64_t(1) << maxB) - 1);
  if (product >= (int64_t(1) << 31))
    return SettingsProblem{
        "crossbar.rows",
        std::to_string(s.crossbar.rows) + " rows · (2^" + std::to_string(maxA) + " - 1) · (2^" +
            std::to_string(maxB) + " - 1) = " + std::to_string(product) +
            " is 2^31 or more: a partial sum would overflow int32 (use fewer rows or narrower "
            "inputs.slices / weights.slices)"};
  // A searched range is calibration's, of a static scale; its percentile is not used.
  if (s.inputs.range != RangeMethod::Percentile && s.inputs.scale != InputScale::Static)
    return SettingsProblem{"inputs.range",
                           std::string("'") + toString(s.inputs.range) +
                               "' searches a static scale on calibration data; dynamic_row "
                               "inputs clip each row at run time (inputs.clip_percentile)"};
  if (s.inputs.range == RangeMethod::Kl && s.inputs.bits > kKlMostBits)
    return SettingsProblem{"inputs.range",
                           "'kl' is the entropy search of INT8 tools, for at most " +
                               std::to_string(kKlMostBits) + " bits; inputs.bits is " +
                               std::to_string(s.inputs.bits) + " (use 'mse')"};
  if (s.inputs.range != RangeMethod::Percentile && s.inputs.clipPercentile != 100.0)
    return SettingsProblem{"inputs.clip_percentile",
                           formatNumber(s.inputs.clipPercentile) +
                               " is used by inputs.range 'percentile' only, the range is '" +
                               toString(s.inputs.range) + "'"};
  if (s.adc.range != RangeMethod::Percentile && s.adc.percentile != 100.0)
    return SettingsProblem{"adc.percentile", formatNumber(s.adc.percentile) +
                                                 " is used by adc.range 'percentile' only, the "
                                                 "range is '" +
                                                 toString(s.adc.range) + "'"};
  if (s.noise.stuckAtMin + s.noise.stuckAtMax > 1.0 + 1e-12)
    return SettingsProblem{"noise.stuck_at_min + noise.stuck_at_max",
                           formatNumber(s.noise.stuckAtMin) + " + " +
                               formatNumber(s.noise.stuckAtMax) + " is more than 1"};
  return std::nullopt;
}

SettingsProblem LayerField::describe(const std::string &name, const FieldValue &value,
                                     const FieldProblem &problem) const {
  if (problem.element >= 0)
    return SettingsProblem{name + "[" + std::to_string(problem.element) + "]",
                           std::to_string(value.slices[size_t(problem.element)]) + " " +
                               problem.what};
  return SettingsProblem{name, format(value) + " " + problem.what};
}

std::optional<SettingsProblem> checkLayerSettings(const LayerSettings &s) {
  for (const LayerField &f : layerFields()) {
    const FieldValue v = f.get(s);
    if (auto problem = f.check(v))
      return f.describe(f.key(), v, *problem);
  }
  return checkAcrossFields(s);
}

} // namespace cimlir::cim
