// IDX datasets (MNIST, Fashion-MNIST, ...): an images file and a labels file.
//
// The images feed the plan's one graph input: each sample's values (28x28 bytes for
// MNIST) are reshaped to the input's per-sample dims and converted to its dtype. u8 ->
// float32 keeps the raw 0..255 values: normalisation belongs to the model.
#include "core/Error.h"
#include "runtime/data/DatasetSupport.h"
#include "runtime/data/Idx.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace cimlir::data_detail {

namespace {

class IdxDataset : public Dataset {
public:
  IdxDataset(std::string imagesPath, TensorSpec input, Tensor images,
             std::optional<std::vector<int64_t>> labels)
      : imagesPath_(std::move(imagesPath)), input_(std::move(input)), images_(std::move(images)),
        labels_(std::move(labels)) {}

  std::string describe() const override { return "idx:" + imagesPath_; }
  int64_t size() const override { return images_.dim(0); }
  TensorMap inputs(int64_t begin, int64_t count) override {
    checkRange(begin, count, size(), describe());
    // Converted per batch so that the whole set is held once, in its compact file dtype.
    return {{input_.name, convertTensor(images_.sliceRows(begin, begin + count), input_.dtype)}};
  }
  std::optional<std::vector<int64_t>> labels() const override { return labels_; }

private:
  std::string imagesPath_;
  TensorSpec input_;
  Tensor images_; // file dtype, shape [count, per-sample dims of the plan input]
  std::optional<std::vector<int64_t>> labels_;
};

bool isFile(const fs::path &p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// "<name>" or "<name>.gz", whichever exists; empty when neither does.
std::string findPlainOrGz(const fs::path &p) {
  if (isFile(p))
    return p.string();
  fs::path gz = p;
  gz += ".gz";
  return isFile(gz) ? gz.string() : std::string();
}

// Labels beside an images file: "images-idx3" -> "labels-idx1", with or without ".gz".
std::string labelsBeside(const fs::path &images) {
  std::string name = images.filename().string();
  size_t at = name.find("images-idx3");
  if (at == std::string::npos)
    return {};
  name.replace(at, 11, "labels-idx1");
  fs::path candidate = images.parent_path() / name;
  if (isFile(candidate))
    return candidate.string();
  const std::string gz = ".gz";
  if (name.size() > gz.size() && name.compare(name.size() - gz.size(), gz.size(), gz) == 0)
    candidate = images.parent_path() / name.substr(0, name.size() - gz.size());
  else
    candidate = images.parent_path() / (name + gz);
  return isFile(candidate) ? candidate.string() : std::string();
}

} // namespace

std::unique_ptr<Dataset> openIdxDataset(const std::string &path, const std::string &split,
                                        const std::vector<TensorSpec> &graphInputs) {
  std::string imagesPath, labelsPath;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::string prefix;
    if (split.empty() || split == "test")
      prefix = "t10k";
    else if (split == "train")
      prefix = "train";
    else
      throw Error("dataset " + path + ": unknown split '" + split + "' (expected test or train)");
    imagesPath = findPlainOrGz(fs::path(path) / (prefix + "-images-idx3-ubyte"));
    if (imagesPath.empty())
      throw Error("dataset " + path + ": no " + prefix +
                  "-images-idx3-ubyte[.gz] in this directory (split '" +
                  (split.empty() ? "test" : split) + "')");
    labelsPath = findPlainOrGz(fs::path(path) / (prefix + "-labels-idx1-ubyte"));
    if (labelsPath.empty())
      throw Error("dataset " + path + ": no " + prefix +
                  "-labels-idx1-ubyte[.gz] beside the images; the directory layout needs both");
  } else {
    imagesPath = path;
    labelsPath = labelsBeside(fs::path(path)); // optional for a file given directly
  }

  const TensorSpec &input = singleInput(imagesPath, "an IDX", graphInputs, "use an .npz dataset");
  // The leading axis is the batch (-1) or a fixed number of samples per run: either way
  // the dataset yields rows along it, and the rest is one sample.
  if (input.shape.empty())
    throw Error("dataset " + imagesPath + ": plan input '" + input.name +
                "' is a scalar; an IDX dataset needs a leading sample axis");
  Shape sampleDims = perSample(input.shape);
  for (int64_t d : sampleDims)
    if (d < 0)
      throw Error("dataset " + imagesPath + ": plan input '" + input.name + "' has shape " +
                  shapeToString(input.shape) +
                  " with an unbound dimension other than the batch axis; recompile the plan "
                  "with static shapes");

  Tensor images = readIdx(imagesPath);
  Shape imageDims = perSample(images.shape());
  const int64_t have = shapeNumel(imageDims), want = shapeNumel(sampleDims);
  if (have != want)
    throw Error("dataset " + imagesPath + ": images are " + dimsWithX(imageDims) + " (" +
                std::to_string(have) + " values) per sample but plan input '" + input.name +
                "' expects " + shapeToString(input.shape) + " (" + std::to_string(want) +
                " values)");
  Shape shape = sampleDims;
  shape.insert(shape.begin(), images.dim(0));
  images = images.reshaped(shape);

  std::optional<std::vector<int64_t>> labels;
  if (!labelsPath.empty()) {
    Tensor l = readIdx(labelsPath);
    if (l.dtype() == DType::F32 || l.dtype() == DType::F64)
      throw Error("dataset " + labelsPath + ": labels are " + dtypeName(l.dtype()) +
                  "; expected an integer IDX type");
    if (l.rank() != 1 || l.dim(0) != images.dim(0))
      throw Error("dataset " + labelsPath + ": labels have shape " + shapeToString(l.shape()) +
                  " but there are " + std::to_string(images.dim(0)) + " images (expected [" +
                  std::to_string(images.dim(0)) + "])");
    labels = tensorToLabels(l);
  }
  return std::make_unique<IdxDataset>(imagesPath, input, std::move(images), std::move(labels));
}

} // namespace cimlir::data_detail
