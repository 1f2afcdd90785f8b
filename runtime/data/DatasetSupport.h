// cimlir runtime, internal to runtime/data: what the dataset kinds share (dtype
// conversion, concatenation, shape matching against the plan) and their factories,
// which openDataset() in Dataset.cpp picks between.
#pragma once

#include "runtime/data/Dataset.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir::data_detail {

/// Element-wise conversion (static_cast; to bool: value != 0). Returns `src` itself when
/// the dtype already matches.
Tensor convertTensor(const Tensor &src, DType to);

/// Concatenation along axis 0 of tensors of one dtype and equal trailing dims.
Tensor concatRows(const std::vector<Tensor> &parts);

/// Stacks tensors of one dtype and shape along a new leading axis.
Tensor stackTensors(const std::vector<Tensor> &parts);

/// Whether `actual` matches `expected`, where -1 in `expected` matches any size.
bool shapeMatches(const Shape &actual, const Shape &expected);

/// All dims but the first ([] for a scalar).
Shape perSample(const Shape &shape);

/// "28x28": per-sample dims as they appear in messages ("1" for a scalar sample).
std::string dimsWithX(const Shape &dims);

/// "'a', 'b'": names as they appear in messages.
std::string quotedList(const std::vector<std::string> &names);

/// The one graph input of a plan that a single-array dataset (IDX, .npy) feeds; throws
/// "dataset PATH: a KIND dataset feeds exactly one graph input, but the plan has N (...); HINT".
const TensorSpec &singleInput(const std::string &path, const std::string &kind,
                              const std::vector<TensorSpec> &graphInputs, const std::string &hint);

/// Throws an internal Error unless [begin, begin+count) lies within [0, size).
void checkRange(int64_t begin, int64_t count, int64_t size, const std::string &what);

/// Converts an integer tensor of any shape with numel `count` to labels.
std::vector<int64_t> tensorToLabels(const Tensor &t);

// Factories; `path` is what the user gave. See Dataset.h for their behaviour.
std::unique_ptr<Dataset> openIdxDataset(const std::string &path, const std::string &split,
                                        const std::vector<TensorSpec> &graphInputs);
std::unique_ptr<Dataset> openNpzDataset(const std::string &path,
                                        const std::vector<TensorSpec> &graphInputs,
                                        const std::vector<TensorSpec> &graphOutputs);
std::unique_ptr<Dataset> openNpyDataset(const std::string &path,
                                        const std::vector<TensorSpec> &graphInputs);
/// Whether the directory has a subdirectory holding an image file (by extension).
bool looksLikeImageFolder(const std::string &path);
std::unique_ptr<Dataset> openImageFolderDataset(const std::string &path,
                                                const ImageOptions &options,
                                                const std::vector<TensorSpec> &graphInputs);
std::unique_ptr<Dataset> openOnnxTestDataset(const std::string &path,
                                             const std::vector<TensorSpec> &graphInputs,
                                             const std::vector<TensorSpec> &graphOutputs);

} // namespace cimlir::data_detail
