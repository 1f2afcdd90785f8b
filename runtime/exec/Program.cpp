#include "runtime/exec/Program.h"

#include "core/Error.h"

namespace cimlir {

Shape bindBatch(const Shape &shape, int64_t batch) {
  Shape out = shape;
  for (int64_t &d : out)
    if (d < 0)
      d = batch;
  return out;
}

namespace {

/// Typed access to metadata fields; any mismatch is a corrupt or foreign plan.
class MetaReader {
public:
  explicit MetaReader(std::string path) : path_(std::move(path)) {}

  const nlohmann::json &field(const nlohmann::json &obj, const char *key,
                              const std::string &where) const {
    if (!obj.is_object() || !obj.contains(key))
      fail(where + " has no '" + key + "'");
    return obj.at(key);
  }
  int64_t integer(const nlohmann::json &obj, const char *key, const std::string &where) const {
    const auto &v = field(obj, key, where);
    if (!v.is_number_integer())
      fail(where + "." + key + " is not an integer");
    return v.get<int64_t>();
  }
  std::string string(const nlohmann::json &obj, const char *key, const std::string &where) const {
    const auto &v = field(obj, key, where);
    if (!v.is_string())
      fail(where + "." + key + " is not a string");
    return v.get<std::string>();
  }
  const nlohmann::json &array(const nlohmann::json &obj, const char *key,
                              const std::string &where) const {
    const auto &v = field(obj, key, where);
    if (!v.is_array())
      fail(where + "." + key + " is not an array");
    return v;
  }
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(path_ + ": invalid plan metadata: " + what);
  }

private:
  std::string path_;
};

} // namespace

std::shared_ptr<const Program> Program::load(const std::string &path) {
  std::shared_ptr<Program> p(new Program());
  p->file_ = plan::PlanFile::open(path);
  p->parse(p->file_->metadata());
  return p;
}

const Tensor *Program::constant(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(constants_.size()) || !isConstant_[id])
    return nullptr;
  return &constants_[id];
}

void Program::parse(const nlohmann::json &meta) {
  MetaReader r(file_->path());
  if (r.integer(meta, "format", "metadata") != 1)
    r.fail("unsupported metadata format");
  source_ = meta.contains("source") && meta["source"].is_string()
                ? meta["source"].get<std::string>()
                : "";
  device_ = meta.contains("device") && meta["device"].is_string()
                ? meta["device"].get<std::string>()
                : "";

  for (const auto &v : r.array(meta, "values", "metadata")) {
    ValueInfo info;
    std::string where = "value " + std::to_string(values_.size());
    info.name = r.string(v, "name", where);
    if (!parseDType(r.string(v, "dtype", where), info.dtype))
      r.fail(where + " has an unknown dtype");
    int batchDims = 0;
    for (const auto &d : r.array(v, "shape", where)) {
      if (!d.is_number_integer() || d.get<int64_t>() < -1)
        r.fail(where + " has an invalid dimension");
      batchDims += d.get<int64_t>() == -1;
      info.shape.push_back(d.get<int64_t>());
    }
    if (batchDims > 1)
      r.fail(where + " has more than one batch dimension");
    // Every size computed from a shape later (constant sections, buffers) must fit int64;
    // the batch dimension counts as 1 here and is checked when a batch is allocated.
    Shape oneSample = bindBatch(info.shape, 1);
    int64_t numel, bytes;
    if (!checkedShapeNumel(oneSample, numel))
      r.fail(where + " '" + info.name + "' has shape " + shapeToString(info.shape) +
             " whose element count overflows int64");
    if (!checkedShapeBytes(oneSample, dtypeSize(info.dtype), bytes))
      r.fail(where + " '" + info.name + "' has shape " + shapeToString(info.shape) + " of " +
             dtypeName(info.dtype) + " whose size in bytes overflows int64");
    values_.push_back(std::move(info));
  }
  const int64_t numValues = static_cast<int64_t>(values_.size());
  std::vector<bool> defined(numValues, false);
  auto checkId = [&](int64_t id, const std::string &where) {
    if (id < 0 || id >= numValues)
      r.fail(where + " refers to value " + std::to_string(id) + ", which does not exist");
  };
  auto define = [&](int64_t id, const std::string &where) {
    checkId(id, where);
    if (defined[id])
      r.fail(where + " defines value " + std::to_string(id) + " twice");
    defined[id] = true;
  };

  auto readIo = [&](const char *key, std::vector<TensorSpec> &specs, std::vector<int64_t> &ids) {
    for (const auto &io : r.array(meta, key, "metadata")) {
      std::string where = std::string(key) + " entry";
      int64_t id = r.integer(io, "value", where);
      checkId(id, where);
      std::string name = r.string(io, "name", where);
      for (const TensorSpec &other : specs)
        if (other.name == name)
          r.fail(std::string("graph ") + key + " name '" + name + "' appears twice");
      specs.push_back({name, values_[id].dtype, values_[id].shape});
      ids.push_back(id);
    }
  };
  readIo("inputs", inputs_, inputIds_);
  readIo("outputs", outputs_, outputIds_);
  for (int64_t id : inputIds_) {
    define(id, "graph input");
    for (int64_t d : values_[id].shape)
      hasBatchAxis_ |= d == -1;
  }

  constants_.resize(numValues);
  isConstant_.assign(numValues, false);
  for (const auto &c : r.array(meta, "constants", "metadata")) {
    int64_t id = r.integer(c, "value", "constant");
    int64_t section = r.integer(c, "section", "constant");
    define(id, "constant");
    const ValueInfo &info = values_[id];
    for (int64_t d : info.shape)
      if (d < 0)
        r.fail("constant '" + info.name + "' has a batch dimension");
    if (section < 1 || section >= static_cast<int64_t>(file_->sectionCount()))
      r.fail("constant '" + info.name + "' refers to a missing section");
    uint64_t expected = static_cast<uint64_t>(shapeNumel(info.shape)) * dtypeSize(info.dtype);
    if (file_->sectionSize(static_cast<uint32_t>(section)) != expected)
      r.fail("constant '" + info.name + "' section holds " +
             std::to_string(file_->sectionSize(static_cast<uint32_t>(section))) +
             " bytes, its shape needs " + std::to_string(expected));
    // The mapping is read-only; kernels only read constants.
    void *data = const_cast<void *>(file_->sectionData(static_cast<uint32_t>(section)));
    constants_[id] = Tensor::view(info.dtype, info.shape, data, file_);
    isConstant_[id] = true;
  }

  for (const auto &s : r.array(meta, "steps", "metadata")) {
    Step step;
    std::string where = "step " + std::to_string(steps_.size());
    step.op = r.string(s, "op", where);
    step.name = s.contains("name") && s["name"].is_string() ? s["name"].get<std::string>() : "";
    for (const auto &i : r.array(s, "inputs", where)) {
      if (!i.is_number_integer())
        r.fail(where + " has a non-integer input");
      checkId(i.get<int64_t>(), where);
      if (!defined[i.get<int64_t>()])
        r.fail(where + " (" + step.op + ") reads value " + std::to_string(i.get<int64_t>()) +
               " before it is computed");
      step.inputs.push_back(i.get<int64_t>());
    }
    for (const auto &o : r.array(s, "outputs", where)) {
      if (!o.is_number_integer())
        r.fail(where + " has a non-integer output");
      define(o.get<int64_t>(), where);
      step.outputs.push_back(o.get<int64_t>());
    }
    step.attrs = s.contains("attrs") ? s["attrs"] : nlohmann::json::object();
    if (!step.attrs.is_object())
      r.fail(where + ".attrs is not an object");
    steps_.push_back(std::move(step));
  }
  for (size_t i = 0; i < outputIds_.size(); ++i)
    if (!defined[outputIds_[i]])
      r.fail("graph output '" + outputs_[i].name + "' is never computed");
}

} // namespace cimlir
