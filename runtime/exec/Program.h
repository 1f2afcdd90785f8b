// cimlir runtime: a loaded plan, validated and ready to execute.
//
// The plan's metadata (docs/plan-format.md) is checked once here, so that the
// executor and the kernels can trust ids, shapes and constant sizes.
#pragma once

#include "core/Tensor.h"
#include "runtime/data/Dataset.h"
#include "runtime/device/CostModel.h"
#include "runtime/plan/PlanReader.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace cimlir {

/// One tensor of the program. A shape entry of -1 is the batch size, bound per run.
struct ValueInfo {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
};

/// One coarse kernel: an op applied to value ids, with its attributes.
struct Step {
  std::string op;
  std::string name; // the ONNX node name, for messages
  std::vector<int64_t> inputs;
  std::vector<int64_t> outputs;
  nlohmann::json attrs;
  /// What passes left for the runtime (the plan's `ext`, an object), null when none: reported,
  /// never read by a kernel.
  nlohmann::json ext;
};

class Program {
public:
  /// Opens and verifies the plan file and its metadata. Throws cimlir::Error.
  static std::shared_ptr<const Program> load(const std::string &path);
  /// The same for a plan already opened (a file, or bytes in memory: PlanFile::fromMemory).
  static std::shared_ptr<const Program> fromPlan(std::shared_ptr<plan::PlanFile> file);

  const std::string &path() const { return file_->path(); }
  const std::string &producer() const { return file_->producer(); }
  const std::string &source() const { return source_; }
  /// The resolved device file the plan was compiled for (JSON text; empty if none).
  const std::string &device() const { return device_; }
  /// Its `cost` section (the defaults without a device), which cim-run's report prices with.
  const device::CostSettings &cost() const { return cost_; }
  const std::vector<ValueInfo> &values() const { return values_; }
  const std::vector<Step> &steps() const { return steps_; }
  /// Graph inputs and outputs in graph order, and their value ids.
  const std::vector<TensorSpec> &inputs() const { return inputs_; }
  const std::vector<TensorSpec> &outputs() const { return outputs_; }
  const std::vector<int64_t> &inputIds() const { return inputIds_; }
  const std::vector<int64_t> &outputIds() const { return outputIds_; }
  /// The constant of value `id` (a view of the mapped plan), or null.
  const Tensor *constant(int64_t id) const;
  /// Whether any graph input has a batch (-1) dimension.
  bool hasBatchAxis() const { return hasBatchAxis_; }

private:
  Program() = default;
  void parse(const nlohmann::json &meta);

  std::shared_ptr<plan::PlanFile> file_;
  std::string source_;
  std::string device_;
  device::CostSettings cost_;
  std::vector<ValueInfo> values_;
  std::vector<Step> steps_;
  std::vector<TensorSpec> inputs_, outputs_;
  std::vector<int64_t> inputIds_, outputIds_;
  std::vector<Tensor> constants_; // indexed by value id; undefined for non-constants
  std::vector<bool> isConstant_;
  bool hasBatchAxis_ = false;
};

/// Shape with every -1 replaced by `batch`.
Shape bindBatch(const Shape &shape, int64_t batch);

} // namespace cimlir
