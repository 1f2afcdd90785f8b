// cimlir device files (cim-numerics.md §10): JSON in and out of a layer's settings through the
// field table (kernels/cim/LayerSettings.cpp, which also holds the ranges and the rules across
// fields), and the messages. docs/device-files.md documents the same fields and errors.
#include "runtime/device/DeviceSchema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace cimlir::device {

namespace detail {

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

// ---- Fields in JSON ----------------------------------------------------------------------------

std::string knownList(const std::string &section) {
  std::vector<std::string> names;
  for (const cim::LayerField *f : cim::sectionFields(section))
    names.push_back(f->name);
  return joinNames(names);
}

cim::FieldValue fromJson(const cim::LayerField &f, const ojson &v) {
  cim::FieldValue out;
  // An integer beyond int64 is out of every Int field's range: keep it out.
  auto integer = [](const ojson &x) {
    if (x.is_number_unsigned() && x.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
      return std::numeric_limits<int64_t>::max();
    return x.get<int64_t>();
  };
  switch (f.kind) {
  case cim::FieldKind::Int:
    out.integer = integer(v);
    break;
  case cim::FieldKind::Seed:
    out.seed = v.get<uint64_t>();
    break;
  case cim::FieldKind::Number:
    out.number = v.get<double>();
    break;
  case cim::FieldKind::Enum: {
    const auto &s = v.get_ref<const std::string &>();
    out.integer = std::find(f.choices->begin(), f.choices->end(), s) - f.choices->begin();
    break;
  }
  case cim::FieldKind::Slices:
    for (const auto &e : v)
      out.slices.push_back(int(std::clamp<int64_t>(integer(e), -1, 1 << 20)));
    break;
  case cim::FieldKind::Bool:
    out.boolean = v.get<bool>();
    break;
  }
  return out;
}

ojson toJson(const cim::LayerField &f, const cim::FieldValue &v) {
  switch (f.kind) {
  case cim::FieldKind::Int:
    return ojson(v.integer);
  case cim::FieldKind::Seed:
    return ojson(v.seed);
  case cim::FieldKind::Number:
    return ojson(v.number);
  case cim::FieldKind::Enum:
    return ojson(f.choiceName(v));
  case cim::FieldKind::Slices:
    return ojson(v.slices);
  case cim::FieldKind::Bool:
    return ojson(v.boolean);
  }
  return ojson();
}

// ---- Checking one value -------------------------------------------------------------------

/// Checks `v` for field `f`: its JSON type here, its range by the field table; throws naming
/// `path`.
void checkValue(const cim::LayerField &f, const ojson &v, const std::string &path,
                const Reporter &rep) {
  switch (f.kind) {
  case cim::FieldKind::Int:
    if (!v.is_number_integer())
      rep.fail(path, "expected an integer, got " + describe(v));
    break;
  case cim::FieldKind::Seed:
    if (!v.is_number_integer())
      rep.fail(path, "expected an integer, got " + describe(v));
    if (!v.is_number_unsigned() && v.get<int64_t>() < 0)
      rep.fail(path, describe(v) + " is outside 0..18446744073709551615");
    return;
  case cim::FieldKind::Number:
    if (!v.is_number())
      rep.fail(path, "expected a number, got " + describe(v));
    if (!std::isfinite(v.get<double>()))
      rep.fail(path, "expected a finite number, got " + describe(v));
    break;
  case cim::FieldKind::Enum: {
    if (!v.is_string())
      rep.fail(path, "expected a string, got " + describe(v));
    const auto &s = v.get_ref<const std::string &>();
    if (std::find(f.choices->begin(), f.choices->end(), s) == f.choices->end())
      rep.fail(path, "'" + shown(s) + "' is not one of " + joinNames(*f.choices));
    return;
  }
  case cim::FieldKind::Slices:
    if (!v.is_array())
      rep.fail(path, "expected an array of integers, got " + describe(v));
    for (size_t i = 0; i < v.size(); ++i)
      if (!v[i].is_number_integer())
        rep.fail(path + "[" + std::to_string(i) + "]",
                 "expected an integer, got " + describe(v[i]));
    break;
  case cim::FieldKind::Bool:
    if (!v.is_boolean())
      rep.fail(path, "expected true or false, got " + describe(v));
    return;
  }
  if (auto problem = f.check(fromJson(f, v))) {
    if (problem->element >= 0)
      rep.fail(path + "[" + std::to_string(problem->element) + "]",
               describe(v[size_t(problem->element)]) + " " + problem->what);
    rep.fail(path, describe(v) + " " + problem->what);
  }
}

// ---- Applying sections ----------------------------------------------------------------------

/// Merges the sections of `obj` (a file's top level or a `layers` entry; keys other than the
/// sections are the caller's business) into `s`, checking every value. A section that sets
/// `bits` (inputs: or `hybrid_analog_bits`) without `slices` gets one-bit slices of the new width.
void applySections(LayerSettings &s, const ojson &obj, const std::string &prefix,
                   const Reporter &rep) {
  for (const auto &section : cim::layerSections()) {
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
    auto fields = cim::sectionFields(section);
    for (auto kv = sec.begin(); kv != sec.end(); ++kv) {
      auto f = std::find_if(fields.begin(), fields.end(),
                            [&](const cim::LayerField *x) { return kv.key() == x->name; });
      if (f == fields.end())
        rep.fail(spath + "." + shown(kv.key()),
                 "unknown field (known: " + knownList(section) + ")");
      checkValue(**f, kv.value(), spath + "." + (*f)->name, rep);
      (*f)->set(s, fromJson(**f, kv.value()));
    }
    bool slices = sec.contains("slices");
    if (section == "weights" && sec.contains("bits") && !slices)
      s.weights.slices = cim::oneBitSlices(s.weights.bits - 1);
    if (section == "inputs" && (sec.contains("bits") || sec.contains("hybrid_analog_bits")) &&
        !slices)
      s.inputs.slices = cim::oneBitSlices(
          (s.inputs.hybridAnalogBits ? s.inputs.hybridAnalogBits : s.inputs.bits) - 1);
  }
}

/// The checks that involve several fields of one layer's complete settings.
void checkLayer(const LayerSettings &s, const std::string &prefix, const Reporter &rep) {
  if (auto problem = cim::checkAcrossFields(s))
    rep.fail(prefix + problem->field, problem->what);
}

/// The canonical form of a checked `layers` entry (see LayerEntry::overrides).
ojson canonicalEntry(const ojson &entry) {
  ojson out = ojson::object();
  for (const auto &section : cim::layerSections()) {
    auto it = entry.find(section);
    if (it == entry.end())
      continue;
    ojson sec = ojson::object();
    if (it->is_boolean()) {
      sec["enabled"] = *it;
    } else {
      for (const cim::LayerField *f : cim::sectionFields(section)) {
        auto v = it->find(f->name);
        if (v != it->end())
          sec[f->name] = toJson(*f, fromJson(*f, *v));
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

} // namespace detail

} // namespace cimlir::device
