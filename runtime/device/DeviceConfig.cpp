// cimlir device files (cim-numerics.md §10): loading, per-layer resolution, --set and
// printing. The schema and value checks are in DeviceSchema.cpp.
#include "runtime/device/DeviceConfig.h"
#include "runtime/device/DeviceJson.h"
#include "runtime/device/DeviceSchema.h"

#include "core/Error.h"
#include "core/Fnv1a.h"
#include "core/Printable.h"
#include "runtime/json/StrictJson.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>

namespace cimlir::device {

using namespace detail;

// ---- Public API -----------------------------------------------------------------------------

bool globMatch(std::string_view glob, std::string_view name) {
  size_t g = 0, n = 0, starG = std::string_view::npos, starN = 0;
  while (n < name.size()) {
    if (g < glob.size() && glob[g] == '*') {
      starG = g++;
      starN = n;
    } else if (g < glob.size() && glob[g] == name[n]) {
      ++g;
      ++n;
    } else if (starG != std::string_view::npos) {
      g = starG + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*')
    ++g;
  return g == glob.size();
}

const std::vector<LayerEntry> &defaultLayerEntries() {
  // design.md: the vocabulary projection of an LLM is usually left digital.
  static const std::vector<LayerEntry> entries = {{"/lm_head*", R"({"digital":{"enabled":true}})"}};
  return entries;
}

namespace {

/// The `cost` sections, in table order: adc, dac, array, periphery, digital.
std::vector<std::string> costSections() {
  std::vector<std::string> out;
  for (const CostField &f : costFields())
    if (std::find(out.begin(), out.end(), f.section) == out.end())
      out.push_back(f.section);
  return out;
}

/// Checks and applies a file's `cost` object: each field known, of its kind, in its range.
void applyCost(CostSettings &cost, const ojson &obj, const Reporter &rep) {
  if (!obj.is_object())
    rep.fail("cost", "expected an object, got " + describe(obj));
  const std::vector<std::string> sections = costSections();
  for (auto sec = obj.begin(); sec != obj.end(); ++sec) {
    const std::string path = "cost." + shown(sec.key());
    if (std::find(sections.begin(), sections.end(), sec.key()) == sections.end())
      rep.fail(path, "unknown field (known: " + joinNames(sections) + ")");
    if (!sec.value().is_object())
      rep.fail(path, "expected an object, got " + describe(sec.value()));
    std::vector<std::string> known;
    for (const CostField &f : costFields())
      if (sec.key() == f.section)
        known.push_back(f.name);
    for (auto kv = sec.value().begin(); kv != sec.value().end(); ++kv) {
      const std::string fieldPath = path + "." + shown(kv.key());
      auto field = std::find_if(costFields().begin(), costFields().end(), [&](const CostField &f) {
        return sec.key() == f.section && kv.key() == f.name;
      });
      if (field == costFields().end())
        rep.fail(fieldPath, "unknown field (known: " + joinNames(known) + ")");
      const ojson &v = kv.value();
      double value = 0;
      if (field->kind == CostField::Architecture) {
        const auto &names = adcArchitectureNames();
        auto name = v.is_string() ? std::find(names.begin(), names.end(), v.get<std::string>())
                                  : names.end();
        if (name == names.end())
          rep.fail(fieldPath, describe(v) + " is not one of " + joinNames(names));
        value = static_cast<double>(name - names.begin());
      } else if (field->kind == CostField::Count) {
        if (!v.is_number_integer())
          rep.fail(fieldPath, "expected a whole number, got " + describe(v));
        value = static_cast<double>(v.get<int64_t>());
      } else {
        if (!v.is_number())
          rep.fail(fieldPath, "expected a number, got " + describe(v));
        value = v.get<double>();
      }
      if (std::string problem = checkCostValue(*field, value); !problem.empty())
        rep.fail(fieldPath, describe(v) + " " + problem);
      field->set(cost, value);
    }
  }
}

/// `cost` as device files write it: every field, defaults filled in.
ojson costJson(const CostSettings &cost) {
  ojson out = ojson::object();
  for (const CostField &f : costFields()) {
    const double value = f.get(cost);
    ojson &section = out[f.section];
    if (f.kind == CostField::Architecture)
      section[f.name] = adcArchitectureNames()[static_cast<size_t>(value)];
    else if (f.kind == CostField::Count)
      section[f.name] = static_cast<int64_t>(value);
    else
      section[f.name] = value;
  }
  return out;
}

} // namespace

DeviceConfig parseDevice(const ojson &file, const std::string &sourceName) {
  Reporter rep{sourceName};
  if (!file.is_object())
    rep.fail("", "expected a JSON object at the top level, got " + describe(file));
  static const std::vector<std::string> topKeys = {"name",  "crossbar", "weights", "inputs", "adc",
                                                   "noise", "digital",  "cost",    "layers"};
  for (auto kv = file.begin(); kv != file.end(); ++kv)
    if (std::find(topKeys.begin(), topKeys.end(), kv.key()) == topKeys.end())
      rep.fail(shown(kv.key()), "unknown field (known: " + joinNames(topKeys) + ")");

  DeviceConfig d;
  d.source = sourceName;
  if (auto it = file.find("name"); it != file.end()) {
    if (!it->is_string())
      rep.fail("name", "expected a string, got " + describe(*it));
    if (!validUtf8(it->get_ref<const std::string &>()))
      rep.fail("name", "not valid UTF-8");
    d.name = it->get<std::string>();
  } else {
    d.name = std::filesystem::path(sourceName).stem().string();
  }
  applySections(d.defaults, file, "", rep);
  checkLayer(d.defaults, "", rep);
  if (auto it = file.find("cost"); it != file.end())
    applyCost(d.cost, *it, rep);

  std::vector<LayerEntry> entries;
  if (auto it = file.find("layers"); it != file.end()) {
    if (!it->is_object())
      rep.fail("layers", "expected an object of \"glob\": {overrides}, got " + describe(*it));
    const std::vector<std::string> &sections = cim::layerSections();
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      const std::string &glob = kv.key();
      std::string prefix = "layers." + shown(glob) + ".";
      if (glob.empty())
        rep.fail("layers", "an empty glob matches no node (use \"*\" for every node)");
      if (!validUtf8(glob))
        rep.fail("layers." + shown(glob), "the glob is not valid UTF-8");
      const ojson &entry = kv.value();
      if (!entry.is_object())
        rep.fail("layers." + shown(glob), "expected an object, got " + describe(entry));
      for (auto f = entry.begin(); f != entry.end(); ++f)
        if (std::find(sections.begin(), sections.end(), f.key()) == sections.end())
          rep.fail(prefix + shown(f.key()), "unknown field (known: " + joinNames(sections) + ")");
      LayerSettings merged = d.defaults;
      applySections(merged, entry, prefix, rep);
      checkLayer(merged, prefix, rep);
      entries.push_back({glob, canonicalEntry(entry).dump()});
    }
  }
  for (const auto &def : defaultLayerEntries())
    if (std::none_of(entries.begin(), entries.end(),
                     [&](const LayerEntry &e) { return e.glob == def.glob; }))
      d.layers.push_back(def);
  d.layers.insert(d.layers.end(), entries.begin(), entries.end());
  return d;
}

DeviceConfig parseDeviceText(std::string_view text, const std::string &sourceName) {
  return parseDevice(json::parseStrict<ojson>(text, sourceName, kMaxFileBytes), sourceName);
}

DeviceConfig loadDevice(const std::string &fileOrPreset) {
  namespace fs = std::filesystem;
  if (fileOrPreset.empty())
    throw Error("--device: empty name (give a device file or one of the presets: " +
                joinNames(presetNames()) + ")");
  std::error_code ec;
  auto status = fs::status(fileOrPreset, ec);
  if (!ec && fs::exists(status)) {
    Reporter rep{fileOrPreset};
    if (fs::is_directory(status))
      rep.fail("", "is a directory, not a device file");
    std::ifstream in(fileOrPreset, std::ios::binary);
    if (!in)
      rep.fail("", std::string("cannot read: ") + std::strerror(errno));
    std::string text;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      text.append(buffer, size_t(in.gcount()));
      if (text.size() > kMaxFileBytes)
        rep.fail("", "larger than 16 MiB; not a device file");
    }
    if (in.bad())
      rep.fail("", "read error");
    return parseDeviceText(text, fileOrPreset);
  }
  if (isPreset(fileOrPreset)) {
    DeviceConfig d = parseDeviceText(presetText(fileOrPreset), "preset " + fileOrPreset);
    return d;
  }
  throw Error(shown(fileOrPreset) + ": no such device file, and not a preset (presets: " +
              joinNames(presetNames()) + ")");
}

LayerSettings resolveLayer(const DeviceConfig &device, const std::string &nodeName) {
  Reporter rep{device.source.empty() ? device.name : device.source};
  LayerSettings s = device.defaults;
  std::vector<std::string> applied;
  for (const auto &entry : device.layers) {
    if (!globMatch(entry.glob, nodeName))
      continue;
    std::string prefix = "layers." + shown(entry.glob) + ".";
    applySections(s, parseTrusted(entry.overrides, rep, prefix), prefix, rep);
    applied.push_back(shown(entry.glob));
  }
  checkLayer(s,
             "node '" + shown(nodeName) + "' (layers " + joinNames(applied) + " together): ", rep);
  return s;
}

const std::vector<std::string> &runtimeSettingKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const auto &f : cim::layerFields())
      if (f.runtime)
        out.push_back(f.key());
    return out;
  }();
  return keys;
}

namespace {

/// Whether `glob` matches one of `names`.
bool matchesAny(std::string_view glob, const std::vector<std::string> &names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string &name) { return globMatch(glob, name); });
}

/// A --set assignment: KEY=VALUE for every CIM layer, or GLOB:KEY=VALUE for the layers whose
/// names GLOB matches.
struct Assignment {
  std::string glob; ///< empty: every layer
  std::string key, value;
};

/// "[GLOB:]KEY=VALUE" split at the first '=', and what comes before it at its last ':' (keys
/// hold no ':'; a glob may).
Assignment splitAssignment(const std::string &assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos)
    throw Error("--set: " + shown(assignment) +
                ": expected KEY=VALUE or GLOB:KEY=VALUE (e.g. adc.bits=6, /conv1/*:adc.bits=6)");
  const std::string target = assignment.substr(0, eq);
  const size_t colon = target.rfind(':');
  if (colon == std::string::npos)
    return {"", target, assignment.substr(eq + 1)};
  if (colon == 0)
    throw Error("--set: " + shown(assignment) +
                ": an empty glob matches no layer (give KEY=VALUE for every layer)");
  return {target.substr(0, colon), target.substr(colon + 1), assignment.substr(eq + 1)};
}

/// One --set value, checked with its own field's type and range rules only; the rules that
/// tie fields together are checked once, on the final state (applyAll).
void applyOne(LayerSettings &settings, const std::string &key, const std::string &value,
              const Reporter &rep) {
  const cim::LayerField *field = cim::findLayerField(key);
  if (key == "adc" || key == "noise")
    rep.fail(key, "give one field, e.g. " + key + (key == "adc" ? ".bits=6" : ".read=0.02") +
                      " (run-time parameters: " + joinNames(runtimeSettingKeys()) + ")");
  bool knownOther = key == "name" || key == "layers" ||
                    std::find(cim::layerSections().begin(), cim::layerSections().end(), key) !=
                        cim::layerSections().end();
  if (!field && !knownOther)
    rep.fail(shown(key),
             "unknown field (run-time parameters: " + joinNames(runtimeSettingKeys()) + ")");
  if (!field || !field->runtime)
    rep.fail("", shown(key) + " is fixed when the plan is compiled; recompile with cim-opt");

  // The value is read as JSON where it is JSON (8, 0.02, "full"), else as a bare string (full).
  ojson v;
  try {
    v = ojson::parse(value, nullptr, /*allow_exceptions=*/false);
  } catch (const nlohmann::json::exception &) {
    v = ojson::value_t::discarded;
  }
  if (v.is_discarded() || v.is_structured())
    v = value;
  ojson obj = {{field->section, {{field->name, v}}}};
  applySections(settings, obj, "", rep);
}

/// The assignments in order, then the final state checked as a whole: a sequence whose end
/// is valid is accepted whatever it passes through.
void applyAll(LayerSettings &settings, const std::vector<Assignment> &assignments) {
  Reporter rep{"--set"};
  LayerSettings changed = settings;
  for (const Assignment &a : assignments)
    applyOne(changed, a.key, a.value, rep);
  if (changed.adc.mode == AdcMode::Calibrated && settings.adc.mode != AdcMode::Calibrated)
    rep.fail("adc.mode", "'calibrated' needs full scales calibrated when the plan is compiled; "
                         "recompile with cim-opt --calibration DATASET and a device whose "
                         "adc.mode is calibrated");
  checkLayer(changed, "", rep);
  settings = std::move(changed);
}

} // namespace

void applySetting(LayerSettings &settings, const std::string &key, const std::string &value) {
  applyAll(settings, {{"", key, value}});
}

void applySetting(LayerSettings &settings, const std::string &assignment) {
  applyAll(settings, {splitAssignment(assignment)});
}

void checkSettings(const LayerSettings &base, const std::vector<std::string> &assignments) {
  std::vector<Assignment> split;
  std::vector<std::string> globs = {""};
  for (const std::string &a : assignments) {
    split.push_back(splitAssignment(a));
    if (std::find(globs.begin(), globs.end(), split.back().glob) == globs.end())
      globs.push_back(split.back().glob);
  }
  for (const std::string &glob : globs) {
    std::vector<Assignment> group;
    for (const Assignment &a : split)
      if (a.glob.empty() || a.glob == glob)
        group.push_back(a);
    LayerSettings probe = base;
    applyAll(probe, group);
  }
}

void applySettings(LayerSettings &settings, const std::vector<std::string> &assignments,
                   const std::string &layerName) {
  std::vector<Assignment> split;
  for (const std::string &a : assignments)
    if (Assignment one = splitAssignment(a); one.glob.empty() || globMatch(one.glob, layerName))
      split.push_back(std::move(one));
  applyAll(settings, split);
}

std::string listLayers(const std::vector<std::string> &names) {
  if (names.empty())
    return "the model has none";
  std::vector<std::string> shownNames;
  for (size_t i = 0; i < names.size() && i < kListedLayers; ++i)
    shownNames.push_back(shown(names[i]));
  std::string out = joinNames(shownNames);
  if (names.size() > kListedLayers)
    out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

std::string unmatchedLayerGlob(const DeviceConfig &device,
                               const std::vector<std::string> &layerNames) {
  const std::vector<LayerEntry> &builtIn = defaultLayerEntries();
  for (const LayerEntry &entry : device.layers) {
    if (std::find(builtIn.begin(), builtIn.end(), entry) != builtIn.end())
      continue; // a model without /lm_head layers is the common case
    if (!matchesAny(entry.glob, layerNames))
      return (device.source.empty() ? device.name : device.source) + ": layers." +
             shown(entry.glob) + ": the glob matches no layer (layers: " + listLayers(layerNames) +
             ")";
  }
  return "";
}

std::string unmatchedSetGlob(const std::vector<std::string> &assignments,
                             const std::vector<std::string> &layerNames) {
  for (const std::string &a : assignments) {
    const Assignment one = splitAssignment(a);
    if (!one.glob.empty() && !matchesAny(one.glob, layerNames))
      return "--set: " + shown(a) + ": the glob " + shown(one.glob) +
             " matches no CIM layer (CIM layers: " + listLayers(layerNames) + ")";
  }
  return "";
}

DeviceConfig keepDigital(const DeviceConfig &device, const std::vector<std::string> &names,
                         const std::vector<std::string> &fp32Names) {
  const std::string source = device.source.empty() ? device.name : device.source;
  ojson file = toJson(device);
  ojson &layers = file["layers"];
  for (const std::string &name : names) {
    if (name.find('*') != std::string::npos)
      throw Error(source + ": layer '" + printable(name) +
                  "' cannot have a layers entry of its own: a glob reads its '*' as a wildcard");
    ojson &entry = layers[name];
    if (!entry.is_object())
      entry = ojson::object();
    ojson &digital = entry["digital"];
    if (!digital.is_object())
      digital = ojson::object();
    digital["enabled"] = true;
    if (std::find(fp32Names.begin(), fp32Names.end(), name) != fp32Names.end())
      digital["precision"] = "fp32";
  }
  DeviceConfig out = parseDevice(file, source);
  out.source = device.source;
  // An entry of the file after one of these (say "*": {"digital": false}) would undo it.
  for (const std::string &name : names)
    if (!resolveLayer(out, name).digital.enabled)
      throw Error(source + ": layer '" + printable(name) +
                  "': a later layers entry puts it back on CIM, so no entry of its own can keep it "
                  "digital");
  return out;
}

ojson toJson(const LayerSettings &settings) {
  ojson out = ojson::object();
  for (const auto &section : cim::layerSections()) {
    ojson sec = ojson::object();
    for (const cim::LayerField *f : cim::sectionFields(section))
      sec[f->name] = toJson(*f, f->get(settings));
    out[section] = std::move(sec);
  }
  return out;
}

nlohmann::json toJson(const LayerCost &cost) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto &[name, value] : costFigures(cost))
    out[name] = value;
  return out;
}

ojson toJson(const DeviceConfig &device) {
  ojson out = ojson::object();
  out["name"] = device.name;
  ojson sections = toJson(device.defaults);
  for (auto kv = sections.begin(); kv != sections.end(); ++kv)
    out[kv.key()] = std::move(kv.value());
  out["cost"] = costJson(device.cost);
  ojson layers = ojson::object();
  Reporter rep{device.source.empty() ? device.name : device.source};
  for (const auto &entry : device.layers)
    layers[entry.glob] = parseTrusted(entry.overrides, rep, "layers." + shown(entry.glob));
  out["layers"] = std::move(layers);
  return out;
}

namespace {

/// JSON on one line with a space after ':' and ',' (as the §10 example is written).
std::string inlineJson(const ojson &v) {
  std::string out;
  if (v.is_object()) {
    out = "{";
    for (auto it = v.begin(); it != v.end(); ++it)
      out += (it == v.begin() ? "" : ", ") +
             ojson(it.key()).dump(-1, ' ', false, ojson::error_handler_t::replace) + ": " +
             inlineJson(it.value());
    return out + "}";
  }
  if (v.is_array()) {
    out = "[";
    for (size_t i = 0; i < v.size(); ++i)
      out += (i ? ", " : "") + inlineJson(v[i]);
    return out + "]";
  }
  return v.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

} // namespace

std::string toJsonText(const DeviceConfig &device, int indent) {
  ojson j = toJson(device);
  if (indent < 0)
    return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
  // One line per section and per layers entry, like the §10 example.
  std::string pad(size_t(indent), ' ');
  std::string out = "{\n";
  for (auto it = j.begin(); it != j.end(); ++it) {
    out += pad + inlineJson(ojson(it.key())) + ": ";
    if (it.key() == "layers" && !it.value().empty()) {
      out += "{\n";
      const ojson &layers = it.value();
      for (auto e = layers.begin(); e != layers.end(); ++e)
        out += pad + pad + inlineJson(ojson(e.key())) + ": " + inlineJson(e.value()) +
               (std::next(e) == layers.end() ? "\n" : ",\n");
      out += pad + "}";
    } else {
      out += inlineJson(it.value());
    }
    out += std::next(it) == j.end() ? "\n" : ",\n";
  }
  return out + "}\n";
}

std::string toJsonText(const LayerSettings &settings, int indent) {
  return toJson(settings).dump(indent);
}

uint64_t fingerprint(const DeviceConfig &device) { return fnv1a64(toJsonText(device, -1)); }

std::string tryLoadDevice(const std::string &fileOrPreset, DeviceConfig &out) {
  try {
    out = loadDevice(fileOrPreset);
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

std::string tryParseDeviceText(std::string_view text, const std::string &sourceName,
                               DeviceConfig &out) {
  try {
    out = parseDeviceText(text, sourceName);
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

std::string tryResolveLayer(const DeviceConfig &device, const std::string &nodeName,
                            LayerSettings &out) {
  try {
    out = resolveLayer(device, nodeName);
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

} // namespace cimlir::device
