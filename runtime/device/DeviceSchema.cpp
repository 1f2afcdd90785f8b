// cimlir device files (cim-numerics.md §10): the schema table and the checks of single
// values and whole layers. docs/device-files.md documents the same fields and errors.
#include "runtime/device/DeviceSchema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace cimlir::device {

namespace detail {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

// ---- Messages -----------------------------------------------------------------------------


/// A value as the user wrote it, short: numbers and strings as JSON, containers by kind.
std::string describe(const ojson &v) {
  switch (v.type()) {
  case ojson::value_t::array:
    return "an array";
  case ojson::value_t::object:
    return "an object";
  case ojson::value_t::string: {
    std::string s = v.dump(-1, ' ', true, ojson::error_handler_t::replace);
    if (s.size() > 48)
      s = s.substr(0, 44) + "...\"";
    return s;
  }
  default:
    return v.dump(-1, ' ', true, ojson::error_handler_t::replace);
  }
}

bool validUtf8(std::string_view s);

/// A name from the file (a key, a glob, a node name) made safe for a one-line message:
/// control bytes as \xNN, and all bytes >= 0x80 too if the name is not valid UTF-8.
std::string shown(std::string_view s) {
  std::string out = printable(s);
  if (!validUtf8(out)) {
    static const char hex[] = "0123456789abcdef";
    std::string ascii;
    for (char ch : out) {
      auto c = static_cast<unsigned char>(ch);
      if (c >= 0x80)
        ascii += std::string("\\x") + hex[c >> 4] + hex[c & 0xf];
      else
        ascii += ch;
    }
    out = ascii;
  }
  if (out.size() > 120)
    out = out.substr(0, 117) + "...";
  return out;
}

std::string showList(const std::vector<int> &v) {
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

std::string showNumber(double d) { return ojson(d).dump(); }

bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size())
      return false;
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static const uint32_t minimum[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < minimum[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

std::string joinNames(const std::vector<std::string> &names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i ? ", " : "") + names[i];
  return s;
}

// ---- The schema -----------------------------------------------------------------------------


Field makeField(const char *section, const char *name, Kind kind, double lo = 0, double hi = 0,
                bool loOpen = false) {
  Field f;
  f.section = section;
  f.name = name;
  f.kind = kind;
  f.lo = lo;
  f.hi = hi;
  f.loOpen = loOpen;
  return f;
}

const std::vector<std::string> kSections = {"crossbar", "weights", "inputs",
                                            "adc",      "noise",   "digital"};

template <typename E> E enumAt(const std::vector<std::string> &choices, const ojson &v) {
  auto s = v.get<std::string>();
  return static_cast<E>(std::find(choices.begin(), choices.end(), s) - choices.begin());
}

std::vector<int> intList(const ojson &v) {
  std::vector<int> out;
  for (const auto &e : v)
    out.push_back(static_cast<int>(e.get<int64_t>()));
  return out;
}

const std::vector<std::string> kGranularity = {"per_channel", "per_tensor"};
const std::vector<std::string> kScale = {"dynamic_row", "static"};
const std::vector<std::string> kAdcMode = {"ideal", "full", "dynamic", "calibrated"};
const std::vector<std::string> kPrecision = {"fp32", "bf16", "int8", "w8a16"};

Field intField(const char *s, const char *n, double lo, double hi, bool runtime,
               std::function<void(LayerSettings &, int64_t)> set,
               std::function<int64_t(const LayerSettings &)> get) {
  Field f = makeField(s, n, Kind::Int, lo, hi);
  f.runtime = runtime;
  f.set = [set](LayerSettings &l, const ojson &v) { set(l, v.get<int64_t>()); };
  f.get = [get](const LayerSettings &l) { return ojson(get(l)); };
  return f;
}

Field numberField(const char *s, const char *n, double lo, bool loOpen, double hi, bool runtime,
                  std::function<double &(LayerSettings &)> ref) {
  Field f = makeField(s, n, Kind::Number, lo, hi, loOpen);
  f.runtime = runtime;
  f.set = [ref](LayerSettings &l, const ojson &v) { ref(l) = v.get<double>(); };
  f.get = [ref](const LayerSettings &l) { return ojson(ref(const_cast<LayerSettings &>(l))); };
  return f;
}

Field seedField(const char *s, const char *n, std::function<uint64_t &(LayerSettings &)> ref) {
  Field f = makeField(s, n, Kind::Seed);
  f.runtime = true;
  f.set = [ref](LayerSettings &l, const ojson &v) { ref(l) = v.get<uint64_t>(); };
  f.get = [ref](const LayerSettings &l) { return ojson(ref(const_cast<LayerSettings &>(l))); };
  return f;
}

template <typename E>
Field enumField(const char *s, const char *n, const std::vector<std::string> &choices, bool runtime,
                std::function<E &(LayerSettings &)> ref) {
  Field f = makeField(s, n, Kind::Enum);
  f.choices = choices;
  f.runtime = runtime;
  f.set = [ref, choices](LayerSettings &l, const ojson &v) { ref(l) = enumAt<E>(choices, v); };
  f.get = [ref, choices](const LayerSettings &l) {
    return ojson(choices[static_cast<size_t>(ref(const_cast<LayerSettings &>(l)))]);
  };
  return f;
}

Field slicesField(const char *s, std::function<std::vector<int> &(LayerSettings &)> ref) {
  Field f = makeField(s, "slices", Kind::Slices, 1, 7);
  f.set = [ref](LayerSettings &l, const ojson &v) { ref(l) = intList(v); };
  f.get = [ref](const LayerSettings &l) { return ojson(ref(const_cast<LayerSettings &>(l))); };
  return f;
}

/// Every field of a section, in the order files are printed and documented.
const std::vector<Field> &schema() {
  static const std::vector<Field> fields = [] {
    const double inf = std::numeric_limits<double>::infinity();
    using L = LayerSettings;
    std::vector<Field> f;
    f.push_back(intField(
        "crossbar", "rows", 1, kInt32Max, false, [](L &l, int64_t v) { l.crossbar.rows = v; },
        [](const L &l) { return l.crossbar.rows; }));
    f.push_back(intField(
        "crossbar", "cols", 2, kInt32Max, false, [](L &l, int64_t v) { l.crossbar.cols = v; },
        [](const L &l) { return l.crossbar.cols; }));

    f.push_back(intField(
        "weights", "bits", 2, 16, false, [](L &l, int64_t v) { l.weights.bits = int(v); },
        [](const L &l) { return int64_t(l.weights.bits); }));
    f.push_back(
        slicesField("weights", [](L &l) -> std::vector<int> & { return l.weights.slices; }));
    f.push_back(
        enumField<Granularity>("weights", "granularity", kGranularity, false,
                               [](L &l) -> Granularity & { return l.weights.granularity; }));
    f.push_back(numberField("weights", "clip_percentile", 0, true, 100, false,
                            [](L &l) -> double & { return l.weights.clipPercentile; }));

    f.push_back(intField(
        "inputs", "bits", 2, 16, false, [](L &l, int64_t v) { l.inputs.bits = int(v); },
        [](const L &l) { return int64_t(l.inputs.bits); }));
    f.push_back(slicesField("inputs", [](L &l) -> std::vector<int> & { return l.inputs.slices; }));
    f.push_back(enumField<InputScale>("inputs", "scale", kScale, false,
                                      [](L &l) -> InputScale & { return l.inputs.scale; }));
    f.push_back(numberField("inputs", "clip_percentile", 0, true, 100, false,
                            [](L &l) -> double & { return l.inputs.clipPercentile; }));
    // 0 or 2..16 here; h <= inputs.bits is checked with the whole section (checkLayer).
    f.push_back(intField(
        "inputs", "hybrid_analog_bits", 0, 16, false,
        [](L &l, int64_t v) { l.inputs.hybridAnalogBits = int(v); },
        [](const L &l) { return int64_t(l.inputs.hybridAnalogBits); }));

    f.push_back(enumField<AdcMode>("adc", "mode", kAdcMode, true,
                                   [](L &l) -> AdcMode & { return l.adc.mode; }));
    f.push_back(intField(
        "adc", "bits", 2, 16, true, [](L &l, int64_t v) { l.adc.bits = int(v); },
        [](const L &l) { return int64_t(l.adc.bits); }));
    f.push_back(numberField("adc", "percentile", 0, true, 100, false,
                            [](L &l) -> double & { return l.adc.percentile; }));
    f.push_back(numberField("adc", "noise_lsb", 0, false, inf, true,
                            [](L &l) -> double & { return l.adc.noiseLsb; }));
    f.push_back(intField(
        "adc", "samples", 1, kInt32Max, true, [](L &l, int64_t v) { l.adc.samples = v; },
        [](const L &l) { return l.adc.samples; }));

    f.push_back(numberField("noise", "read", 0, false, inf, true,
                            [](L &l) -> double & { return l.noise.read; }));
    f.push_back(numberField("noise", "program", 0, false, inf, true,
                            [](L &l) -> double & { return l.noise.program; }));
    f.push_back(numberField("noise", "stuck_at_min", 0, false, 1, true,
                            [](L &l) -> double & { return l.noise.stuckAtMin; }));
    f.push_back(numberField("noise", "stuck_at_max", 0, false, 1, true,
                            [](L &l) -> double & { return l.noise.stuckAtMax; }));
    f.push_back(seedField("noise", "seed", [](L &l) -> uint64_t & { return l.noise.seed; }));
    f.push_back(
        seedField("noise", "chip_seed", [](L &l) -> uint64_t & { return l.noise.chipSeed; }));

    Field enabled = makeField("digital", "enabled", Kind::Bool);
    enabled.set = [](L &l, const ojson &v) { l.digital.enabled = v.get<bool>(); };
    enabled.get = [](const L &l) { return ojson(l.digital.enabled); };
    f.push_back(enabled);
    f.push_back(enumField<DigitalPrecision>(
        "digital", "precision", kPrecision, false,
        [](L &l) -> DigitalPrecision & { return l.digital.precision; }));
    return f;
  }();
  return fields;
}

std::vector<const Field *> sectionFields(const std::string &section) {
  std::vector<const Field *> out;
  for (const auto &f : schema())
    if (section == f.section)
      out.push_back(&f);
  return out;
}

std::string knownList(const std::string &section) {
  std::vector<std::string> names;
  for (const Field *f : sectionFields(section))
    names.push_back(f->name);
  return joinNames(names);
}

// ---- Checking one value -------------------------------------------------------------------

std::string rangeText(const Field &f) {
  auto num = [](double d) {
    if (std::isinf(d))
      return std::string("inf");
    return d == std::floor(d) ? std::to_string(int64_t(d)) : showNumber(d);
  };
  if (f.kind == Kind::Int || f.kind == Kind::Slices)
    return std::to_string(int64_t(f.lo)) + ".." + std::to_string(int64_t(f.hi));
  if (f.loOpen)
    return "(" + num(f.lo) + ", " + num(f.hi) + "]";
  return num(f.lo) + ".." + num(f.hi);
}

/// Whether the JSON integer `x` (signed or unsigned) lies in lo..hi.
bool inRange(const ojson &x, int64_t lo, int64_t hi) {
  if (x.is_number_unsigned()) {
    uint64_t u = x.get<uint64_t>();
    return (lo <= 0 || u >= uint64_t(lo)) && hi >= 0 && u <= uint64_t(hi);
  }
  int64_t i = x.get<int64_t>();
  return i >= lo && i <= hi;
}

/// Checks `v` for field `f` (type and the field's own range) or throws naming `path`.
void checkValue(const Field &f, const ojson &v, const std::string &path, const Reporter &rep) {
  auto checkInt = [&](const ojson &x, const std::string &p, int64_t lo, int64_t hi,
                      const std::string &extra) {
    if (!x.is_number_integer())
      rep.fail(p, "expected an integer, got " + describe(x));
    if (!inRange(x, lo, hi))
      rep.fail(p, describe(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi) +
                      extra);
  };
  switch (f.kind) {
  case Kind::Int:
    if (f.section == std::string("inputs") && f.name == std::string("hybrid_analog_bits")) {
      if (!v.is_number_integer())
        rep.fail(path, "expected an integer, got " + describe(v));
      if (!inRange(v, 0, 16) || v.get<int64_t>() == 1)
        rep.fail(path, describe(v) + " is neither 0 nor in 2..16");
      return;
    }
    checkInt(v, path, int64_t(f.lo), int64_t(f.hi),
             f.name == std::string("cols") ? " (each output uses a column pair)" : "");
    return;
  case Kind::Seed:
    if (!v.is_number_integer())
      rep.fail(path, "expected an integer, got " + describe(v));
    if (!v.is_number_unsigned() && v.get<int64_t>() < 0)
      rep.fail(path, describe(v) + " is outside 0..18446744073709551615");
    return;
  case Kind::Number: {
    if (!v.is_number())
      rep.fail(path, "expected a number, got " + describe(v));
    double d = v.get<double>();
    if (!std::isfinite(d))
      rep.fail(path, "expected a finite number, got " + describe(v));
    if (d < 0 && f.lo == 0 && !f.loOpen)
      rep.fail(path, describe(v) + " is negative");
    if (d < f.lo || (f.loOpen && d == f.lo) || d > f.hi)
      rep.fail(path, describe(v) + " is outside " + rangeText(f));
    return;
  }
  case Kind::Enum: {
    if (!v.is_string())
      rep.fail(path, "expected a string, got " + describe(v));
    const auto &s = v.get_ref<const std::string &>();
    if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end())
      rep.fail(path, "'" + shown(s) + "' is not one of " + joinNames(f.choices));
    return;
  }
  case Kind::Slices:
    if (!v.is_array())
      rep.fail(path, "expected an array of integers, got " + describe(v));
    for (size_t i = 0; i < v.size(); ++i)
      checkInt(v[i], path + "[" + std::to_string(i) + "]", 1, 7, " (a slice is 1 to 7 bits)");
    return;
  case Kind::Bool:
    if (!v.is_boolean())
      rep.fail(path, "expected true or false, got " + describe(v));
    return;
  }
}

/// The canonical form of a checked value (integers as integers, numbers as doubles).
ojson canonicalValue(const Field &f, const ojson &v) {
  switch (f.kind) {
  case Kind::Int:
    return ojson(v.get<int64_t>());
  case Kind::Seed:
    return ojson(v.get<uint64_t>());
  case Kind::Number:
    return ojson(v.get<double>());
  case Kind::Slices:
    return ojson(intList(v));
  default:
    return v;
  }
}

// ---- Applying sections ----------------------------------------------------------------------

std::vector<int> oneBitSlices(int width) { return std::vector<int>(size_t(std::max(width, 0)), 1); }

/// Merges the sections of `obj` (a file's top level or a `layers` entry; keys other than the
/// sections are the caller's business) into `s`, checking every value. A section that sets
/// `bits` (inputs: or `hybrid_analog_bits`) without `slices` gets one-bit slices of the new width.
void applySections(LayerSettings &s, const ojson &obj, const std::string &prefix,
                   const Reporter &rep) {
  for (const auto &section : kSections) {
    auto it = obj.find(section);
    if (it == obj.end())
      continue;
    const ojson &sec = *it;
    const std::string spath = prefix + section;
    if (section == "digital" && sec.is_boolean()) {
      s.digital.enabled = sec.get<bool>();
      continue;
    }
    if (!sec.is_object())
      rep.fail(spath, std::string("expected ") +
                          (section == "digital" ? "true, false or an object" : "an object") +
                          ", got " + describe(sec));
    auto fields = sectionFields(section);
    for (auto kv = sec.begin(); kv != sec.end(); ++kv) {
      auto f = std::find_if(fields.begin(), fields.end(),
                            [&](const Field *x) { return kv.key() == x->name; });
      if (f == fields.end())
        rep.fail(spath + "." + shown(kv.key()),
                 "unknown field (known: " + knownList(section) + ")");
      checkValue(**f, kv.value(), spath + "." + (*f)->name, rep);
      (*f)->set(s, kv.value());
    }
    bool slices = sec.contains("slices");
    if (section == "weights" && sec.contains("bits") && !slices)
      s.weights.slices = oneBitSlices(s.weights.bits - 1);
    if (section == "inputs" && (sec.contains("bits") || sec.contains("hybrid_analog_bits")) &&
        !slices)
      s.inputs.slices =
          oneBitSlices((s.inputs.hybridAnalogBits ? s.inputs.hybridAnalogBits : s.inputs.bits) - 1);
  }
}

/// The checks that involve several fields of one layer's complete settings.
void checkLayer(const LayerSettings &s, const std::string &prefix, const Reporter &rep) {
  auto sum = [](const std::vector<int> &v) {
    int64_t t = 0;
    for (int x : v)
      t += x;
    return t;
  };
  if (sum(s.weights.slices) != s.weights.bits - 1)
    rep.fail(prefix + "weights.slices",
             showList(s.weights.slices) + " sums to " + std::to_string(sum(s.weights.slices)) +
                 " but weights.bits - 1 is " + std::to_string(s.weights.bits - 1));
  int h = s.inputs.hybridAnalogBits;
  if (h != 0 && (h < 2 || h > s.inputs.bits))
    rep.fail(prefix + "inputs.hybrid_analog_bits",
             std::to_string(h) + " is neither 0 nor in 2.." + std::to_string(s.inputs.bits) +
                 " (inputs.bits is " + std::to_string(s.inputs.bits) + ")");
  int width = h ? h : s.inputs.bits;
  if (sum(s.inputs.slices) != width - 1)
    rep.fail(prefix + "inputs.slices", showList(s.inputs.slices) + " sums to " +
                                           std::to_string(sum(s.inputs.slices)) + " but " +
                                           (h ? "inputs.hybrid_analog_bits" : "inputs.bits") +
                                           " - 1 is " + std::to_string(width - 1));
  auto widest = [](const std::vector<int> &v) {
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  };
  int maxA = widest(s.inputs.slices), maxB = widest(s.weights.slices);
  int64_t product = s.crossbar.rows * ((int64_t(1) << maxA) - 1) * ((int64_t(1) << maxB) - 1);
  if (product >= (int64_t(1) << 31))
    rep.fail(prefix + "crossbar.rows",
             std::to_string(s.crossbar.rows) + " rows · (2^" + std::to_string(maxA) +
                 " - 1) · (2^" + std::to_string(maxB) + " - 1) = " + std::to_string(product) +
                 " is 2^31 or more: a partial sum would overflow int32 (use fewer rows or "
                 "narrower inputs.slices / weights.slices)");
  if (s.noise.stuckAtMin + s.noise.stuckAtMax > 1.0 + 1e-12)
    rep.fail(prefix + "noise.stuck_at_min + noise.stuck_at_max",
             showNumber(s.noise.stuckAtMin) + " + " + showNumber(s.noise.stuckAtMax) +
                 " is more than 1");
}

/// The canonical form of a checked `layers` entry (see LayerEntry::overrides).
ojson canonicalEntry(const ojson &entry) {
  ojson out = ojson::object();
  for (const auto &section : kSections) {
    auto it = entry.find(section);
    if (it == entry.end())
      continue;
    ojson sec = ojson::object();
    if (it->is_boolean()) {
      sec["enabled"] = *it;
    } else {
      for (const Field *f : sectionFields(section)) {
        auto v = it->find(f->name);
        if (v != it->end())
          sec[f->name] = canonicalValue(*f, *v);
      }
    }
    out[section] = std::move(sec);
  }
  return out;
}

ojson parseTrusted(const std::string &text, const Reporter &rep, const std::string &path) {
  try {
    return ojson::parse(text);
  } catch (const nlohmann::json::exception &) {
    rep.fail(path, "the entry's overrides are not valid JSON (a DeviceConfig built by hand?)");
  }
}

/// "a.json:3:14: JSON syntax error: ..." from nlohmann's parse error at byte `byte` (1-based).
std::string syntaxError(std::string_view text, const std::string &source, size_t byte,
                        const std::string &what) {
  size_t index = std::min(byte > 0 ? byte - 1 : 0, text.size());
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < index; ++i)
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  size_t column = index - lineStart + 1;
  std::string reason = what;
  size_t at = what.find("column ");
  if (at != std::string::npos && (at = what.find(": ", at)) != std::string::npos)
    reason = what.substr(at + 2);
  return printable(source) + ":" + std::to_string(line) + ":" + std::to_string(column) +
         ": JSON syntax error: " + printable(reason);
}

} // namespace detail

} // namespace cimlir::device
