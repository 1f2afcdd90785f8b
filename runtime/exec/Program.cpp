#include "runtime/exec/Program.h"

#include "core/Error.h"
#include "core/Fnv1a.h"
#include "core/ShapeMath.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/plan/PlanMetadata.h"

namespace cimlir {

Shape bindBatch(const Shape &shape, int64_t batch) {
  Shape out = shape;
  for (int64_t &d : out)
    if (d < 0)
      d = batch;
  return out;
}

std::shared_ptr<const Program> Program::load(const std::string &path) {
  return fromPlan(plan::PlanFile::open(path));
}

std::shared_ptr<const Program> Program::fromPlan(std::shared_ptr<plan::PlanFile> file) {
  if (!file)
    throw Error("internal: no plan to load");
  std::shared_ptr<Program> p(new Program());
  p->file_ = std::move(file);
  p->parse(p->file_->metadata());
  return p;
}

const Tensor *Program::constant(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(constants_.size()) || !isConstant_[id])
    return nullptr;
  return &constants_[id];
}

void Program::parse(const nlohmann::json &json) {
  const plan::Metadata meta = plan::readMetadata(json, file_->path());
  auto fail = [&](const std::string &what) {
    throw Error(file_->path() + ": invalid plan metadata: " + what);
  };
  source_ = meta.source;
  device_ = meta.device;
  // The plan's account of its device (cim-run's report shows it): the resolved device file
  // the header's fingerprint names, as cim-opt wrote it.
  if (!device_.empty() || file_->deviceFingerprint() != 0) {
    if (fnv1a64(device_) != file_->deviceFingerprint())
      fail("its device is not the one the header's fingerprint names");
    try {
      cost_ = device::parseDeviceText(device_, "device").cost;
    } catch (const Error &e) {
      fail(std::string("its device is not a valid device file: ") + e.what());
    }
  }

  for (const plan::ValueEntry &v : meta.values) {
    std::string where = "value " + std::to_string(values_.size());
    ValueInfo info{v.name, v.dtype, Shape(v.shape)};
    int batchDims = 0;
    for (int64_t d : info.shape)
      batchDims += d == -1;
    if (batchDims > 1)
      fail(where + " has more than one batch dimension");
    // Every size computed from a shape later (constant sections, buffers) must fit, by the
    // rule the compiler applies too (core/ShapeMath.h); the batch dimension counts as 1 here
    // and is checked when a batch is allocated.
    if (std::string problem = tensorSizeProblem(bindBatch(info.shape, 1), dtypeSize(info.dtype));
        !problem.empty())
      fail(where + " '" + info.name + "' of " + dtypeName(info.dtype) + " " +
           shapeToString(info.shape) + " " + problem);
    values_.push_back(std::move(info));
  }
  const int64_t numValues = static_cast<int64_t>(values_.size());
  std::vector<bool> defined(numValues, false);
  auto checkId = [&](int64_t id, const std::string &where) {
    if (id < 0 || id >= numValues)
      fail(where + " refers to value " + std::to_string(id) + ", which does not exist");
  };
  auto define = [&](int64_t id, const std::string &where) {
    checkId(id, where);
    if (defined[id])
      fail(where + " defines value " + std::to_string(id) + " twice");
    defined[id] = true;
  };

  auto readIo = [&](const char *key, const std::vector<plan::IoEntry> &entries,
                    std::vector<TensorSpec> &specs, std::vector<int64_t> &ids) {
    for (const plan::IoEntry &io : entries) {
      checkId(io.value, std::string(key) + " entry");
      for (const TensorSpec &other : specs)
        if (other.name == io.name)
          fail(std::string("graph ") + key + " name '" + io.name + "' appears twice");
      specs.push_back({io.name, values_[io.value].dtype, values_[io.value].shape});
      ids.push_back(io.value);
    }
  };
  readIo("inputs", meta.inputs, inputs_, inputIds_);
  readIo("outputs", meta.outputs, outputs_, outputIds_);
  for (int64_t id : inputIds_) {
    define(id, "graph input");
    for (int64_t d : values_[id].shape)
      hasBatchAxis_ |= d == -1;
  }

  constants_.resize(numValues);
  isConstant_.assign(numValues, false);
  for (const plan::ConstantEntry &c : meta.constants) {
    define(c.value, "constant");
    const ValueInfo &info = values_[c.value];
    for (int64_t d : info.shape)
      if (d < 0)
        fail("constant '" + info.name + "' has a batch dimension");
    if (c.section < 1 || c.section >= static_cast<int64_t>(file_->sectionCount()))
      fail("constant '" + info.name + "' refers to a missing section");
    const auto section = static_cast<uint32_t>(c.section);
    uint64_t expected = static_cast<uint64_t>(shapeNumel(info.shape)) * dtypeSize(info.dtype);
    if (file_->sectionSize(section) != expected)
      fail("constant '" + info.name + "' section holds " +
           std::to_string(file_->sectionSize(section)) + " bytes, its shape needs " +
           std::to_string(expected));
    // The mapping is read-only; kernels only read constants.
    void *data = const_cast<void *>(file_->sectionData(section));
    constants_[c.value] = Tensor::view(info.dtype, info.shape, data, file_);
    isConstant_[c.value] = true;
  }

  for (const plan::StepEntry &s : meta.steps) {
    Step step;
    std::string where = "step " + std::to_string(steps_.size());
    step.op = s.op;
    step.name = s.name;
    for (int64_t i : s.inputs) {
      checkId(i, where);
      if (!defined[i])
        fail(where + " (" + step.op + ") reads value " + std::to_string(i) +
             " before it is computed");
    }
    step.inputs = s.inputs;
    for (int64_t o : s.outputs)
      define(o, where);
    step.outputs = s.outputs;
    step.attrs = nlohmann::json::parse(s.attrs);
    if (!s.ext.empty())
      step.ext = nlohmann::json::parse(s.ext);
    steps_.push_back(std::move(step));
  }
  for (size_t i = 0; i < outputIds_.size(); ++i)
    if (!defined[outputIds_[i]])
      fail("graph output '" + outputs_[i].name + "' is never computed");
}

} // namespace cimlir
