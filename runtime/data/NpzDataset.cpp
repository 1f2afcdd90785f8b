// NumPy datasets: a .npz with one array per graph input (by name), or a .npy for a plan
// with one graph input.
//
// Arrays must already have the plan's dtype: a float64 array for a float32 input is
// refused (naming both) rather than silently rounded, so what runs is what was saved. The one
// exception is bfloat16, which NumPy has no type for: a float32 array stands for it and is
// rounded to nearest even (as the ONNX Cast does).
// An integer `labels` array gives class labels; arrays named like graph outputs are
// reference outputs (compared against by cim-run, as for ONNX test data).
#include "core/Error.h"
#include "runtime/data/DatasetSupport.h"
#include "runtime/data/Npz.h"

#include <filesystem>

namespace cimlir::data_detail {

namespace {

class ArrayDataset : public Dataset {
public:
  ArrayDataset(std::string description, int64_t count, TensorMap inputs,
               std::optional<std::vector<int64_t>> labels, TensorMap references)
      : description_(std::move(description)), count_(count), inputs_(std::move(inputs)),
        labels_(std::move(labels)), references_(std::move(references)) {}

  std::string describe() const override { return description_; }
  int64_t size() const override { return count_; }
  TensorMap inputs(int64_t begin, int64_t count) override {
    checkRange(begin, count, count_, description_);
    TensorMap out;
    for (const auto &[name, t] : inputs_)
      out.emplace(name, t.sliceRows(begin, begin + count)); // views: no copy per batch
    return out;
  }
  std::optional<std::vector<int64_t>> labels() const override { return labels_; }
  TensorMap referenceOutputs() const override { return references_; }

private:
  std::string description_;
  int64_t count_;
  TensorMap inputs_;
  std::optional<std::vector<int64_t>> labels_;
  TensorMap references_;
};

// Checks one array against what the plan expects of it ("input" or "output" `role`), after
// rounding a float32 array for a bfloat16 one.
void checkArray(const std::string &path, const std::string &arrayName, Tensor &t,
                const TensorSpec &spec, const char *role) {
  t = npzArrayAs(t, spec.dtype);
  std::string plan = std::string("plan ") + role + " '" + spec.name + "'";
  if (t.dtype() != spec.dtype)
    throw Error("dataset " + path + ": array '" + arrayName + "' is " + dtypeName(t.dtype()) +
                " but " + plan + " expects " + dtypeName(spec.dtype) + " (convert it, e.g. " +
                "a.astype(np." + dtypeName(spec.dtype == DType::BF16 ? DType::F32 : spec.dtype) +
                "))");
  if (spec.shape.empty())
    throw Error("dataset " + path + ": " + plan + " is a scalar; a dataset needs a leading " +
                "sample axis");
  if (t.rank() == 0 || !shapeMatches(perSample(t.shape()), perSample(spec.shape)))
    throw Error("dataset " + path + ": array '" + arrayName + "' has shape " +
                shapeToString(t.shape()) + " (per sample " + shapeToString(perSample(t.shape())) +
                ") but " + plan + " expects " + shapeToString(spec.shape) + " (per sample " +
                shapeToString(perSample(spec.shape)) + ")");
}

bool isIntegerDType(DType d) { return d != DType::F32 && d != DType::F64 && d != DType::Bool; }

} // namespace

std::unique_ptr<Dataset> openNpzDataset(const std::string &path,
                                        const std::vector<TensorSpec> &graphInputs,
                                        const std::vector<TensorSpec> &graphOutputs) {
  std::map<std::string, Tensor> arrays = readNpz(path);
  std::vector<std::string> have;
  for (const auto &kv : arrays)
    have.push_back(kv.first);

  TensorMap inputs;
  int64_t count = -1;
  std::string countFrom;
  auto checkCount = [&](const std::string &name, const Tensor &t) {
    if (count < 0) {
      count = t.dim(0);
      countFrom = name;
    } else if (t.dim(0) != count) {
      throw Error("dataset " + path + ": array '" + name + "' has " + std::to_string(t.dim(0)) +
                  " samples but '" + countFrom + "' has " + std::to_string(count) +
                  "; every array needs the same first-axis length");
    }
  };
  for (const TensorSpec &spec : graphInputs) {
    auto it = arrays.find(spec.name);
    if (it == arrays.end())
      throw Error("dataset " + path + ": no array '" + spec.name + "' for plan input '" +
                  spec.name + "' (the file has " + quotedList(have) + ")");
    checkArray(path, spec.name, it->second, spec, "input");
    checkCount(spec.name, it->second);
    inputs.emplace(spec.name, it->second);
  }

  auto isInput = [&](const std::string &name) {
    for (const TensorSpec &s : graphInputs)
      if (s.name == name)
        return true;
    return false;
  };

  std::optional<std::vector<int64_t>> labels;
  auto lit = arrays.find("labels");
  if (lit != arrays.end() && !isInput("labels")) {
    const Tensor &l = lit->second;
    if (!isIntegerDType(l.dtype()))
      throw Error("dataset " + path + ": array 'labels' is " + dtypeName(l.dtype()) +
                  "; expected an integer dtype");
    if (l.rank() != 1)
      throw Error("dataset " + path + ": array 'labels' has shape " + shapeToString(l.shape()) +
                  "; expected one label per sample, [N]");
    checkCount("labels", l);
    labels = tensorToLabels(l);
  }

  TensorMap references;
  for (const TensorSpec &spec : graphOutputs) {
    auto it = arrays.find(spec.name);
    if (it == arrays.end() || isInput(spec.name) || (spec.name == "labels" && labels))
      continue;
    checkArray(path, spec.name, it->second, spec, "output");
    checkCount(spec.name, it->second);
    references.emplace(spec.name, it->second);
  }
  if (count < 0)
    throw Error("dataset " + path +
                ": the plan has no graph inputs and the file no labels; "
                "nothing to run");
  return std::make_unique<ArrayDataset>("npz:" + path, count, std::move(inputs), std::move(labels),
                                        std::move(references));
}

std::unique_ptr<Dataset> openNpyDataset(const std::string &path,
                                        const std::vector<TensorSpec> &graphInputs) {
  const TensorSpec &spec =
      singleInput(path, "a .npy", graphInputs, "use a .npz with one array per input");
  Tensor t = readNpy(path);
  checkArray(path, std::filesystem::path(path).stem().string(), t, spec, "input");
  TensorMap inputs{{spec.name, t}};
  return std::make_unique<ArrayDataset>("npy:" + path, t.dim(0), std::move(inputs), std::nullopt,
                                        TensorMap{});
}

} // namespace cimlir::data_detail
