// The ONNX test-data layout: MODEL_DIR/test_data_set_N/{input_K.pb, output_K.pb}, each
// file one serialized onnx.TensorProto with its full shape.
//
// Two ways to run the sets, chosen by the plan (see Dataset.h):
//  - batch: every graph input has a batch axis (-1 leading). The sets' tensors are
//    concatenated along axis 0 (sets may differ in their leading dims but not in the
//    per-sample dims), so size() is the sum of the leading dims and any --batch works.
//  - static: the plan has fixed shapes. Each set is one "sample" that is run whole:
//    size() is the number of sets, inputs(i, 1) returns set i's tensors unchanged, and
//    referenceOutputs() stacks the sets' outputs along a new leading axis.
#include "core/Error.h"
#include "runtime/data/DatasetSupport.h"
#include "runtime/data/OnnxTensorFile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace fs = std::filesystem;

namespace cimlir::data_detail {

namespace {

const std::string kSetPrefix = "test_data_set_";

// N when `name` is PREFIXN<suffix> with N all digits, else -1.
long numberedName(const std::string &name, const std::string &prefix, const std::string &suffix) {
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return -1;
  return std::stol(digits);
}

// PREFIX0<suffix>, PREFIX1<suffix>, ... in `dir` (of the given kind), sorted by number.
std::vector<fs::path> numberedEntries(const fs::path &dir, const std::string &prefix,
                                      const std::string &suffix, bool directories) {
  std::vector<std::pair<long, fs::path>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    long n = numberedName(it->path().filename().string(), prefix, suffix);
    if (n >= 0 && (directories ? it->is_directory(ec) : it->is_regular_file(ec)))
      found.emplace_back(n, it->path());
  }
  if (ec)
    throw Error("dataset " + dir.string() + ": cannot list the directory: " + ec.message());
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto &f : found)
    out.push_back(f.second);
  return out;
}

// input_0.pb .. input_{n-1}.pb, which must be numbered without gaps.
std::vector<fs::path> tensorFiles(const fs::path &setDir, const std::string &stem) {
  std::vector<fs::path> files = numberedEntries(setDir, stem + "_", ".pb", false);
  for (size_t k = 0; k < files.size(); ++k)
    if (files[k].filename() != stem + "_" + std::to_string(k) + ".pb")
      throw Error("dataset " + setDir.string() + ": has " + files[k].filename().string() +
                  " but no " + stem + "_" + std::to_string(k) + ".pb");
  return files;
}

struct Loaded {
  fs::path file;
  Tensor tensor;
};

// Reads `files` and assigns each to a spec: by TensorProto.name when it names one, else by
// position. Returns, per spec, the file that feeds it (an undefined slot when none does).
std::vector<Loaded> mapToSpecs(const std::vector<fs::path> &files,
                               const std::vector<TensorSpec> &specs, const char *role) {
  std::vector<NamedTensor> tensors;
  for (const fs::path &f : files)
    tensors.push_back(readOnnxTensorFile(f.string()));
  std::vector<long> target(files.size(), -1);
  for (size_t k = 0; k < files.size(); ++k)
    for (size_t j = 0; j < specs.size(); ++j)
      if (!tensors[k].name.empty() && tensors[k].name == specs[j].name)
        target[k] = static_cast<long>(j);
  std::vector<Loaded> out(specs.size());
  // Files matched by name first, so that a positional one never steals their slot.
  for (int byName = 1; byName >= 0; --byName)
    for (size_t k = 0; k < files.size(); ++k) {
      if ((target[k] >= 0) != (byName == 1))
        continue;
      if (target[k] < 0) {
        // A named tensor that names no plan tensor was frozen into the plan
        // (cim-opt --freeze-inputs): it feeds nothing at run time.
        if (!tensors[k].name.empty())
          continue;
        if (k >= specs.size())
          throw Error("dataset " + files[k].string() + ": " +
                      (tensors[k].name.empty() ? std::string("unnamed tensor")
                                               : "tensor '" + tensors[k].name + "'") +
                      " names no plan " + role + ", and the plan has only " +
                      std::to_string(specs.size()) + " " + role + "(s)");
        target[k] = static_cast<long>(k);
      }
      size_t j = static_cast<size_t>(target[k]);
      if (!out[j].file.empty())
        throw Error("dataset " + files[k].string() + ": maps to plan " + role + " '" +
                    specs[j].name + "', which " + out[j].file.filename().string() +
                    " already feeds");
      out[j] = {files[k], std::move(tensors[k].tensor)};
    }
  return out;
}

class OnnxTestDataset : public Dataset {
public:
  OnnxTestDataset(std::string path, bool batched, int64_t size, std::vector<TensorMap> sets,
                  TensorMap references)
      : path_(std::move(path)), batched_(batched), size_(size), sets_(std::move(sets)),
        references_(std::move(references)) {}

  std::string describe() const override { return "onnx-test-data:" + path_; }
  int64_t size() const override { return size_; }
  TensorMap inputs(int64_t begin, int64_t count) override {
    checkRange(begin, count, size_, describe());
    if (batched_) {
      TensorMap out;
      for (const auto &[name, t] : sets_[0])
        out.emplace(name, t.sliceRows(begin, begin + count));
      return out;
    }
    if (count != 1)
      throw Error("dataset " + path_ + ": this dataset runs one test set at a time; use --batch 1");
    return sets_[static_cast<size_t>(begin)];
  }
  TensorMap referenceOutputs() const override { return references_; }

private:
  std::string path_;
  bool batched_;
  int64_t size_;
  std::vector<TensorMap> sets_; // batched: one map of the concatenated inputs
  TensorMap references_;
};

} // namespace

std::unique_ptr<Dataset> openOnnxTestDataset(const std::string &path,
                                             const std::vector<TensorSpec> &graphInputs,
                                             const std::vector<TensorSpec> &graphOutputs) {
  fs::path root = fs::path(path).lexically_normal();
  if (root.filename().empty()) // "dir/" names dir
    root = root.parent_path();
  std::vector<fs::path> setDirs;
  if (numberedName(root.filename().string(), kSetPrefix, "") >= 0)
    setDirs.push_back(root);
  else
    setDirs = numberedEntries(root, kSetPrefix, "", true);
  if (setDirs.empty())
    throw Error("dataset " + path +
                ": no test_data_set_* directories (expected the ONNX "
                "test-data layout test_data_set_0/input_0.pb, ...)");
  // A plan without inputs (a graph of constants) runs each set once, whole.
  bool batched = !graphInputs.empty();
  for (const TensorSpec &s : graphInputs)
    batched = batched && !s.shape.empty() && s.shape[0] < 0;

  // Per set: the tensors mapped to the plan's inputs and outputs, checked against it.
  std::vector<std::vector<Loaded>> setInputs, setOutputs;
  std::vector<int64_t> setRows;
  std::vector<bool> outputPresent;
  for (size_t si = 0; si < setDirs.size(); ++si) {
    const fs::path &dir = setDirs[si];
    std::vector<fs::path> inFiles = tensorFiles(dir, "input");
    if (inFiles.empty() && !graphInputs.empty())
      throw Error("dataset " + dir.string() + ": has no input_0.pb");
    std::vector<Loaded> ins = mapToSpecs(inFiles, graphInputs, "input");
    int64_t rows = -1;
    for (size_t j = 0; j < graphInputs.size(); ++j) {
      const TensorSpec &spec = graphInputs[j];
      const Loaded &l = ins[j];
      if (!l.tensor.defined() || l.file.empty())
        throw Error("dataset " + dir.string() + ": no input_K.pb feeds plan input '" + spec.name +
                    "'");
      std::string f = l.file.string();
      if (l.tensor.dtype() != spec.dtype)
        throw Error("dataset " + f + ": tensor is " + dtypeName(l.tensor.dtype()) +
                    " but plan input '" + spec.name + "' expects " + dtypeName(spec.dtype));
      bool ok = batched ? l.tensor.rank() >= 1 &&
                              shapeMatches(perSample(l.tensor.shape()), perSample(spec.shape))
                        : shapeMatches(l.tensor.shape(), spec.shape);
      if (!ok)
        throw Error("dataset " + f + ": tensor has shape " + shapeToString(l.tensor.shape()) +
                    " but plan input '" + spec.name + "' expects " + shapeToString(spec.shape));
      if (batched) {
        if (rows >= 0 && l.tensor.dim(0) != rows)
          throw Error("dataset " + f + ": has " + std::to_string(l.tensor.dim(0)) +
                      " samples but the other inputs of its set have " + std::to_string(rows));
        rows = l.tensor.dim(0);
      }
    }

    std::vector<fs::path> outFiles = tensorFiles(dir, "output");
    std::vector<Loaded> outs = mapToSpecs(outFiles, graphOutputs, "output");
    std::vector<bool> present(graphOutputs.size());
    for (size_t j = 0; j < graphOutputs.size(); ++j) {
      const TensorSpec &spec = graphOutputs[j];
      const Loaded &l = outs[j];
      present[j] = !l.file.empty();
      if (!present[j])
        continue;
      std::string f = l.file.string();
      if (l.tensor.dtype() != spec.dtype)
        throw Error("dataset " + f + ": tensor is " + dtypeName(l.tensor.dtype()) +
                    " but plan output '" + spec.name + "' expects " + dtypeName(spec.dtype));
      bool ok = batched ? l.tensor.rank() >= 1 && l.tensor.dim(0) == rows &&
                              shapeMatches(perSample(l.tensor.shape()), perSample(spec.shape))
                        : shapeMatches(l.tensor.shape(), spec.shape);
      if (!ok)
        throw Error("dataset " + f + ": tensor has shape " + shapeToString(l.tensor.shape()) +
                    " but plan output '" + spec.name + "' expects " + shapeToString(spec.shape) +
                    (batched ? " with " + std::to_string(rows) + " samples like the set's inputs"
                             : std::string()));
    }
    if (si > 0 && present != outputPresent)
      throw Error("dataset " + dir.string() +
                  ": gives reference outputs for other graph "
                  "outputs than " +
                  setDirs[0].filename().string() + " does");
    outputPresent = present;
    setInputs.push_back(std::move(ins));
    setOutputs.push_back(std::move(outs));
    setRows.push_back(rows);
  }

  // Tensors from different sets are combined only when their per-set shapes agree (they
  // can differ where the plan's shape has an unbound dim); `skip` dims are not compared.
  auto gather = [&](const std::vector<std::vector<Loaded>> &perSet, size_t j, size_t skip) {
    std::vector<Tensor> parts;
    for (size_t si = 0; si < perSet.size(); ++si) {
      const Loaded &l = perSet[si][j];
      const Shape &first = perSet[0][j].tensor.shape();
      if (Shape(l.tensor.shape().begin() + skip, l.tensor.shape().end()) !=
          Shape(first.begin() + skip, first.end()))
        throw Error("dataset " + l.file.string() + ": shape " + shapeToString(l.tensor.shape()) +
                    " differs from " + shapeToString(first) + " in " +
                    setDirs[0].filename().string() +
                    "; sets can be combined only when their per-sample shapes match");
      parts.push_back(l.tensor);
    }
    return parts;
  };

  std::vector<TensorMap> sets;
  TensorMap references;
  int64_t size = 0;
  if (batched) {
    TensorMap all;
    for (size_t j = 0; j < graphInputs.size(); ++j)
      all.emplace(graphInputs[j].name, concatRows(gather(setInputs, j, 1)));
    for (size_t j = 0; j < graphOutputs.size(); ++j)
      if (outputPresent[j])
        references.emplace(graphOutputs[j].name, concatRows(gather(setOutputs, j, 1)));
    for (int64_t r : setRows)
      size += r;
    sets.push_back(std::move(all));
  } else {
    for (const auto &ins : setInputs) {
      TensorMap m;
      for (size_t j = 0; j < graphInputs.size(); ++j)
        m.emplace(graphInputs[j].name, ins[j].tensor);
      sets.push_back(std::move(m));
    }
    for (size_t j = 0; j < graphOutputs.size(); ++j)
      if (outputPresent[j])
        references.emplace(graphOutputs[j].name, stackTensors(gather(setOutputs, j, 0)));
    size = static_cast<int64_t>(setDirs.size());
  }
  return std::make_unique<OnnxTestDataset>(path, batched, size, std::move(sets),
                                           std::move(references));
}

} // namespace cimlir::data_detail
