#include "runtime/calibration/CalibrationTable.h"

#include "core/Error.h"
#include "core/Printable.h"
#include "runtime/json/StrictJson.h"

#include <nlohmann/json.hpp>

namespace cimlir::calibration {

namespace {

using ojson = nlohmann::ordered_json;

/// Throws "SOURCE: PATH: WHAT" (caught at the boundary).
struct Reader {
  std::string source;

  [[noreturn]] void fail(const std::string &path, const std::string &what) const {
    throw Error(printable(source) + ": " + (path.empty() ? "" : path + ": ") + what);
  }
  void onlyKnown(const ojson &object, const std::string &path,
                 std::initializer_list<const char *> known) const {
    for (auto it = object.begin(); it != object.end(); ++it) {
      bool ok = false;
      std::string names;
      for (const char *k : known) {
        ok |= it.key() == k;
        names += (names.empty() ? "" : ", ") + std::string(k);
      }
      if (!ok)
        fail(path + it.key(), "unknown field (known: " + names + ")");
    }
  }
  double number(const ojson &v, const std::string &path) const {
    if (!v.is_number())
      fail(path, "expected a number");
    return v.get<double>();
  }
};

Table read(const ojson &root, const Reader &r) {
  if (!root.is_object())
    r.fail("", "expected a JSON object");
  r.onlyKnown(root, "", {"format", "version", "dataset", "samples", "layers"});
  auto format = root.find("format");
  if (format == root.end())
    r.fail("format", std::string("missing (expected \"") + kFormat + "\")");
  if (!format->is_string() || format->get<std::string>() != kFormat)
    r.fail("format", std::string("expected \"") + kFormat + "\"; not a cimlir calibration table");
  auto version = root.find("version");
  if (version == root.end())
    r.fail("version", "missing (expected " + std::to_string(kVersion) + ")");
  if (!version->is_number_integer() || version->get<int64_t>() != kVersion)
    r.fail("version", "expected the integer " + std::to_string(kVersion) +
                          " (this cim-opt reads version " + std::to_string(kVersion) + " only)");
  Table t;
  if (auto d = root.find("dataset"); d != root.end()) {
    if (!d->is_string())
      r.fail("dataset", "expected a string");
    t.dataset = d->get<std::string>();
  }
  if (auto n = root.find("samples"); n != root.end()) {
    if (!n->is_number_integer())
      r.fail("samples", "expected an integer");
    t.samples = n->get<int64_t>();
  }
  auto layers = root.find("layers");
  if (layers == root.end() || !layers->is_object())
    r.fail("layers", "expected an object of layers by name");
  for (auto it = layers->begin(); it != layers->end(); ++it) {
    const std::string path = "layers." + it.key();
    const ojson &entry = it.value();
    if (!entry.is_object())
      r.fail(path, "expected an object");
    r.onlyKnown(entry, path + ".", {"groups", "input_channel_max", "measured_for"});
    Layer layer;
    if (auto groups = entry.find("groups"); groups != entry.end()) {
      if (!groups->is_array())
        r.fail(path + ".groups", "expected an array");
      layer.groups.emplace();
      for (size_t g = 0; g < groups->size(); ++g) {
        const std::string gpath = path + ".groups[" + std::to_string(g) + "]";
        const ojson &group = (*groups)[g];
        if (!group.is_object())
          r.fail(gpath, "expected an object");
        r.onlyKnown(group, gpath + ".", {"input_scale", "adc_full_scales"});
        Group out;
        if (auto s = group.find("input_scale"); s != group.end())
          out.inputScale = r.number(*s, gpath + ".input_scale");
        if (auto fs = group.find("adc_full_scales"); fs != group.end()) {
          if (!fs->is_array())
            r.fail(gpath + ".adc_full_scales", "expected an array of numbers");
          out.adcFullScales.emplace();
          for (size_t i = 0; i < fs->size(); ++i)
            out.adcFullScales->push_back(
                r.number((*fs)[i], gpath + ".adc_full_scales[" + std::to_string(i) + "]"));
        }
        layer.groups->push_back(std::move(out));
      }
    }
    if (auto m = entry.find("input_channel_max"); m != entry.end()) {
      if (!m->is_array())
        r.fail(path + ".input_channel_max", "expected an array of numbers");
      layer.inputChannelMax.emplace();
      for (size_t i = 0; i < m->size(); ++i)
        layer.inputChannelMax->push_back(
            r.number((*m)[i], path + ".input_channel_max[" + std::to_string(i) + "]"));
    }
    if (auto measured = entry.find("measured_for"); measured != entry.end()) {
      if (!measured->is_object())
        r.fail(path + ".measured_for", "expected an object");
      for (auto m = measured->begin(); m != measured->end(); ++m)
        layer.measuredFor.emplace_back(m.key(), m.value().dump());
    }
    t.layers[it.key()] = std::move(layer);
  }
  return t;
}

} // namespace

std::vector<std::pair<std::string, std::string>> measuredFor(const cim::CimParams &p,
                                                             double percentile) {
  // Under the names of the layer's decisions in the IR (cim-apply-calibration compares them).
  auto text = [](const ojson &v) { return v.dump(); };
  std::vector<std::pair<std::string, std::string>> out = {
      {"crossbar.rows", text(p.crossbar.rows)},
      {"weights.bits", text(p.weights.bits)},
      {"weights.slices", text(p.weights.slices)},
      {"weights.granularity", text(cim::toString(p.weights.granularity))},
      {"weights.clip_percentile", text(p.weights.clipPercentile)},
      {"inputs.bits", text(p.inputs.bits)},
      {"inputs.slices", text(p.inputs.slices)},
      {"inputs.clip_percentile", text(p.inputs.clipPercentile)},
      {"inputs.range", text(cim::toString(p.inputs.range))},
      {"inputs.smooth_alpha", text(p.inputs.smoothAlpha)},
      {"hybrid.analog_bits", text(p.inputs.hybridAnalogBits)},
      {"adc.percentile", text(percentile)},
      {"adc.range", text(cim::toString(p.adc.range))}};
  // A searched full scale is searched for the ADC's levels (a percentile is not).
  if (p.adc.range != cim::RangeMethod::Percentile)
    out.emplace_back("adc.bits", text(p.adc.bits));
  return out;
}

std::string writeTable(const Table &table, std::string &json) noexcept {
  try {
    ojson layers = ojson::object();
    for (const auto &[name, layer] : table.layers) {
      ojson entry = ojson::object();
      if (layer.groups) {
        ojson groups = ojson::array();
        for (const Group &g : *layer.groups) {
          ojson group = ojson::object();
          if (g.inputScale)
            group["input_scale"] = *g.inputScale;
          if (g.adcFullScales)
            group["adc_full_scales"] = *g.adcFullScales;
          groups.push_back(std::move(group));
        }
        entry["groups"] = std::move(groups);
      }
      if (layer.inputChannelMax)
        entry["input_channel_max"] = *layer.inputChannelMax;
      ojson measured = ojson::object();
      for (const auto &[key, value] : layer.measuredFor)
        measured[key] = ojson::parse(value);
      entry["measured_for"] = std::move(measured);
      layers[name] = std::move(entry);
    }
    ojson out = {{"format", kFormat},
                 {"version", kVersion},
                 {"dataset", table.dataset},
                 {"samples", table.samples},
                 {"layers", std::move(layers)}};
    json = out.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
    return "";
  } catch (const std::exception &e) {
    return std::string("cannot write the calibration table: ") + e.what();
  }
}

std::string readTable(std::string_view text, const std::string &source, Table &out) noexcept {
  try {
    // The rules of every JSON reader (the depth before a recursive reader sees the text,
    // no duplicate keys, which a JSON object would resolve silently) and a size no table
    // needs to pass.
    out = read(json::parseStrict<ojson>(text, source, kMaxTableBytes), Reader{source});
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

} // namespace cimlir::calibration
