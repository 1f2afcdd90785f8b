#include "runtime/plan/PlanMetadata.h"

#include "core/Error.h"

#include <nlohmann/json.hpp>

namespace cimlir::plan {

namespace {

using json = nlohmann::json;

json ioJson(const std::vector<IoEntry> &entries) {
  json out = json::array();
  for (const IoEntry &e : entries)
    out.push_back({{"name", e.name}, {"value", e.value}});
  return out;
}

/// Typed access to metadata fields; any mismatch is a corrupt or foreign plan.
class MetaReader {
public:
  explicit MetaReader(std::string path) : path_(std::move(path)) {}

  const json &field(const json &obj, const char *key, const std::string &where) const {
    if (!obj.is_object() || !obj.contains(key))
      fail(where + " has no '" + key + "'");
    return obj.at(key);
  }
  int64_t integer(const json &obj, const char *key, const std::string &where) const {
    const auto &v = field(obj, key, where);
    if (!v.is_number_integer())
      fail(where + "." + key + " is not an integer");
    return v.get<int64_t>();
  }
  std::string string(const json &obj, const char *key, const std::string &where) const {
    const auto &v = field(obj, key, where);
    if (!v.is_string())
      fail(where + "." + key + " is not a string");
    return v.get<std::string>();
  }
  /// A string field that may be missing ("" then).
  std::string optionalString(const json &obj, const char *key) const {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
  }
  const json &array(const json &obj, const char *key, const std::string &where) const {
    const auto &v = field(obj, key, where);
    if (!v.is_array())
      fail(where + "." + key + " is not an array");
    return v;
  }
  /// An array of integers; `what` names an element in the message ("input").
  std::vector<int64_t> integers(const json &obj, const char *key, const std::string &where,
                                const char *what) const {
    std::vector<int64_t> out;
    for (const auto &e : array(obj, key, where)) {
      if (!e.is_number_integer())
        fail(where + " has a non-integer " + what);
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(path_ + ": invalid plan metadata: " + what);
  }

private:
  std::string path_;
};

} // namespace

std::string toMetadataJson(const Metadata &m, std::string &text) noexcept {
  try {
    json values = json::array(), constants = json::array(), steps = json::array();
    for (const ValueEntry &v : m.values)
      values.push_back({{"name", v.name}, {"dtype", dtypeName(v.dtype)}, {"shape", v.shape}});
    for (const ConstantEntry &c : m.constants)
      constants.push_back({{"value", c.value}, {"section", c.section}});
    for (size_t i = 0; i < m.steps.size(); ++i) {
      const StepEntry &s = m.steps[i];
      json attrs = json::parse(s.attrs, nullptr, /*allow_exceptions=*/false);
      if (attrs.is_discarded() || !attrs.is_object())
        return "step " + std::to_string(i) + " (" + s.op + "): attrs is not a JSON object";
      json step = {{"op", s.op},
                   {"name", s.name},
                   {"inputs", s.inputs},
                   {"outputs", s.outputs},
                   {"attrs", std::move(attrs)}};
      if (!s.ext.empty()) {
        json ext = json::parse(s.ext, nullptr, /*allow_exceptions=*/false);
        if (ext.is_discarded() || !ext.is_object())
          return "step " + std::to_string(i) + " (" + s.op + "): ext is not a JSON object";
        step["ext"] = std::move(ext);
      }
      steps.push_back(std::move(step));
    }
    json meta = {{"format", kMetadataFormat},   {"producer", m.producer},
                 {"source", m.source},          {"device", m.device},
                 {"inputs", ioJson(m.inputs)},  {"outputs", ioJson(m.outputs)},
                 {"values", std::move(values)}, {"constants", std::move(constants)},
                 {"steps", std::move(steps)}};
    text = meta.dump(-1, ' ', false, json::error_handler_t::replace);
    return "";
  } catch (const std::exception &e) {
    return std::string("cannot write the plan metadata: ") + e.what();
  }
}

Metadata readMetadata(const json &meta, const std::string &path) {
  MetaReader r(path);
  const int64_t format = r.integer(meta, "format", "metadata");
  if (format < kOldestMetadataFormat || format > kMetadataFormat)
    r.fail("unsupported metadata format " + std::to_string(format) + " (this runtime reads " +
           std::to_string(kOldestMetadataFormat) + " to " + std::to_string(kMetadataFormat) + ")");
  Metadata m;
  m.producer = r.optionalString(meta, "producer");
  m.source = r.optionalString(meta, "source");
  m.device = r.optionalString(meta, "device");
  for (const auto &v : r.array(meta, "values", "metadata")) {
    ValueEntry e;
    std::string where = "value " + std::to_string(m.values.size());
    e.name = r.string(v, "name", where);
    if (!parseDType(r.string(v, "dtype", where), e.dtype))
      r.fail(where + " has an unknown dtype");
    for (const auto &d : r.array(v, "shape", where)) {
      if (!d.is_number_integer() || d.get<int64_t>() < -1)
        r.fail(where + " has an invalid dimension");
      e.shape.push_back(d.get<int64_t>());
    }
    m.values.push_back(std::move(e));
  }
  for (const char *key : {"inputs", "outputs"}) {
    std::vector<IoEntry> &entries = key == std::string("inputs") ? m.inputs : m.outputs;
    for (const auto &io : r.array(meta, key, "metadata")) {
      std::string where = std::string(key) + " entry";
      IoEntry e;
      e.value = r.integer(io, "value", where);
      e.name = r.string(io, "name", where);
      entries.push_back(std::move(e));
    }
  }
  for (const auto &c : r.array(meta, "constants", "metadata"))
    m.constants.push_back({r.integer(c, "value", "constant"), r.integer(c, "section", "constant")});
  for (const auto &s : r.array(meta, "steps", "metadata")) {
    StepEntry step;
    std::string where = "step " + std::to_string(m.steps.size());
    step.op = r.string(s, "op", where);
    step.name = r.optionalString(s, "name");
    step.inputs = r.integers(s, "inputs", where, "input");
    step.outputs = r.integers(s, "outputs", where, "output");
    auto attrs = s.find("attrs");
    if (attrs != s.end() && !attrs->is_object())
      r.fail(where + ".attrs is not an object");
    step.attrs = attrs != s.end() ? attrs->dump() : "{}";
    if (auto ext = s.find("ext"); ext != s.end()) {
      if (!ext->is_object())
        r.fail(where + ".ext is not an object");
      step.ext = ext->dump();
    }
    m.steps.push_back(std::move(step));
  }
  return m;
}

} // namespace cimlir::plan
