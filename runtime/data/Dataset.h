// cimlir runtime: datasets that cim-run evaluates a plan on.
//
// A dataset yields samples along the first axis of every graph input. It does not know
// the plan; openDataset() gets the plan's graph inputs so that it can map raw data onto
// them (IDX images -> the single float32 input, NPZ arrays by name, ONNX test-data
// input_K.pb by position or name) and refuse, with one line, data whose per-sample
// shape or dtype does not match.
#pragma once

#include "core/Tensor.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// What the plan expects of one graph input or output: shape with -1 for the batch axis.
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
};

using TensorMap = std::map<std::string, Tensor>;

/// How an image folder's images become samples (cim-run --image-*; 0 or empty: the
/// default, see openDataset).
struct ImageOptions {
  int64_t resize = 0;
  int64_t cropHeight = 0, cropWidth = 0;
  std::vector<float> mean, std;
};

class Dataset {
public:
  virtual ~Dataset() = default;
  /// Human-readable kind and location, for reports ("idx:/usr/share/...").
  virtual std::string describe() const = 0;
  /// Number of samples (along the batch axis).
  virtual int64_t size() const = 0;
  /// Graph inputs for samples [begin, begin+count), keyed by graph input name, each with
  /// the plan's dtype and per-sample shape and a leading axis of `count`.
  virtual TensorMap inputs(int64_t begin, int64_t count) = 0;
  /// Integer class labels [size()], when the dataset has them.
  virtual std::optional<std::vector<int64_t>> labels() const { return std::nullopt; }
  /// Reference outputs keyed by graph output name (ONNX test data output_K.pb), each with
  /// a leading axis of size(); empty when the dataset has none.
  virtual TensorMap referenceOutputs() const { return {}; }
};

/// Opens PATH as a dataset for a plan with the given graph inputs and outputs. The kind is
/// chosen by content (zip, \x93NUMPY, IDX magic or gzip; for a directory, what it holds):
///  - IDX (MNIST family): a directory holding <prefix>-images-idx3-ubyte[.gz] and
///    <prefix>-labels-idx1-ubyte[.gz], prefix "t10k" for `split` "test" (the default, also
///    for an empty split) and "train" for "train"; or an images file itself, with the
///    labels looked up beside it ("images-idx3" -> "labels-idx1", optional then). The plan
///    must have exactly one graph input; its leading dim (-1, or a fixed number of samples
///    per run) is the sample axis and the rest is one sample, whose element count must
///    equal an image's. Images are converted to the input's dtype (u8 -> float32 keeps
///    0..255: the model normalises) and reshaped to [count, per-sample dims...].
///  - a .npz holding, for every graph input, an array of that name with the input's dtype
///    (never converted: a mismatch is an error) and per-sample shape (all dims after the
///    first), all with one first-axis length; an optional integer array `labels` [N] gives
///    labels, and arrays named like graph outputs are reference outputs. A .npy feeds a
///    plan with a single graph input the same way.
///  - ONNX test data: a model test directory holding test_data_set_0, test_data_set_1, ...
///    or one test_data_set_N directory. input_K.pb maps to the graph input named like its
///    TensorProto.name, else to graph input K; output_K.pb likewise to graph outputs.
///    * If every graph input has a batch axis (-1 leading), the sets are concatenated
///      along axis 0: size() is the sum of their leading dims (which may differ; their
///      per-sample dims may not) and referenceOutputs() is concatenated the same way.
///    * Otherwise (static shapes) each set is one sample run whole: size() is the number
///      of sets, inputs(i, 1) returns set i's tensors unchanged (count > 1 throws "use
///      --batch 1"), and referenceOutputs()[name] has shape [numSets, output shape...]:
///      its sliceRows(i, i+1) reshaped to the output's shape is set i's output.
///  - an image folder, as torchvision's ImageFolder reads one: ROOT/<class>/.../<image>,
///    JPEG or PNG, the classes the subdirectories in sorted order (a class's index is its
///    label), the images in os.walk's sorted order. It feeds a float32 [N, 3, H, W] (RGB) or
///    [N, 1, H, W] (grayscale) input through torchvision's ImageNet preprocessing
///    (runtime/data/ImagePreprocess.h): the shorter side resized to `image.resize` (default
///    floor(min(H, W) / 0.875), 256 for 224), a centre crop of the input's H x W (or
///    `image.crop*` where the input leaves them open), x / 255, then (x - mean) / std with
///    ImageNet's mean and std for RGB (grayscale needs them given).
/// Throws cimlir::Error naming the file and what does not match.
std::unique_ptr<Dataset> openDataset(const std::string &path, const std::string &split,
                                     const std::vector<TensorSpec> &graphInputs,
                                     const std::vector<TensorSpec> &graphOutputs,
                                     const ImageOptions &image = {});

} // namespace cimlir
