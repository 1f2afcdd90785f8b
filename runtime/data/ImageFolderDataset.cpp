// Image folders as torchvision's ImageFolder reads them: ROOT/<class>/<image>, the classes
// the subdirectories in sorted order (their index is the label), the images every file with
// an image extension below each, in sorted order. Each image is decoded and preprocessed
// (ImagePreprocess.h) when its batch is asked for, so a folder of any size streams.
#include "core/Error.h"
#include "runtime/data/DatasetSupport.h"
#include "runtime/data/ImagePreprocess.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace cimlir::data_detail {

namespace {

/// torchvision's IMG_EXTENSIONS that cimlir decodes; a file with another of its extensions
/// (.bmp, .tif, .webp, ...) is refused by name rather than skipped.
bool decodedExtension(const std::string &ext) {
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}
bool otherImageExtension(const std::string &ext) {
  for (const char *e : {".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"})
    if (ext == e)
      return true;
  return false;
}

std::string lowerExtension(const fs::path &p) {
  std::string ext = p.extension().string();
  for (char &c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

class ImageFolderDataset : public Dataset {
public:
  ImageFolderDataset(std::string root, TensorSpec input, ImagePreset preset,
                     std::vector<std::string> files, std::vector<int64_t> labels)
      : root_(std::move(root)), input_(std::move(input)), preset_(std::move(preset)),
        files_(std::move(files)), labels_(std::move(labels)) {}

  std::string describe() const override { return "images:" + root_; }
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  TensorMap inputs(int64_t begin, int64_t count) override {
    checkRange(begin, count, size(), describe());
    const int64_t sample = preset_.channels * preset_.cropHeight * preset_.cropWidth;
    Tensor batch = Tensor::allocate(
        DType::F32, {count, preset_.channels, preset_.cropHeight, preset_.cropWidth});
    for (int64_t i = 0; i < count; ++i) {
      const std::string &file = files_[begin + i];
      try {
        preprocessImage(decodeImageFile(file), preset_, batch.data<float>() + i * sample);
      } catch (const Error &e) {
        const std::string what = e.what();
        throw Error(what.rfind("image ", 0) == 0 ? what : "image " + file + ": " + what);
      }
    }
    return {{input_.name, batch}};
  }
  std::optional<std::vector<int64_t>> labels() const override { return labels_; }

private:
  std::string root_;
  TensorSpec input_;
  ImagePreset preset_;
  std::vector<std::string> files_;
  std::vector<int64_t> labels_;
};

std::string csv(const std::vector<float> &v) {
  std::string s;
  for (float f : v)
    s += (s.empty() ? "" : ",") + std::to_string(f);
  return s;
}

} // namespace

bool looksLikeImageFolder(const std::string &path) {
  std::error_code ec;
  for (fs::directory_iterator cls(path, ec), end; !ec && cls != end; cls.increment(ec)) {
    if (!cls->is_directory(ec))
      continue;
    for (fs::recursive_directory_iterator f(cls->path(), ec), fend; !ec && f != fend;
         f.increment(ec)) {
      const std::string ext = lowerExtension(f->path());
      if (decodedExtension(ext) || otherImageExtension(ext))
        return true;
    }
  }
  return false;
}

std::unique_ptr<Dataset> openImageFolderDataset(const std::string &path,
                                                const ImageOptions &options,
                                                const std::vector<TensorSpec> &graphInputs) {
  const TensorSpec &input = singleInput(path, "image-folder", graphInputs,
                                        "an image folder feeds a single [N, C, H, W] input");
  const Shape &s = input.shape;
  if (input.dtype != DType::F32 || s.size() != 4 || (s[1] != 1 && s[1] != 3))
    throw Error("dataset " + path +
                ": an image folder feeds a float32 [N, 3, H, W] (RGB) or [N, 1, H, W] (grayscale) "
                "input, but '" +
                input.name + "' is " + dtypeName(input.dtype) + " " + shapeToString(s));
  ImagePreset preset;
  preset.channels = s[1];
  preset.cropHeight = options.cropHeight > 0 ? options.cropHeight : s[2];
  preset.cropWidth = options.cropWidth > 0 ? options.cropWidth : s[3];
  if (preset.cropHeight <= 0 || preset.cropWidth <= 0)
    throw Error("dataset " + path + ": the input '" + input.name + "' " + shapeToString(s) +
                " has no fixed height and width; give them with --image-crop HxW");
  if ((s[2] > 0 && preset.cropHeight != s[2]) || (s[3] > 0 && preset.cropWidth != s[3]))
    throw Error("dataset " + path + ": --image-crop " + std::to_string(preset.cropHeight) + "x" +
                std::to_string(preset.cropWidth) + " does not match the input '" + input.name +
                "' " + shapeToString(s));
  // timm's rule for the resize of a crop (crop_pct 0.875: 224 -> 256).
  preset.resize =
      options.resize > 0
          ? options.resize
          : static_cast<int64_t>(std::floor(
                static_cast<double>(std::min(preset.cropHeight, preset.cropWidth)) / 0.875));
  if (!options.mean.empty() || !options.std.empty()) {
    preset.mean = options.mean;
    preset.std = options.std;
  } else if (preset.channels == 3) {
    preset.mean = {0.485f, 0.456f, 0.406f}; // torchvision's ImageNet statistics
    preset.std = {0.229f, 0.224f, 0.225f};
  } else {
    throw Error(
        "dataset " + path + ": the input '" + input.name +
        "' takes grayscale images; give their statistics with --image-mean and --image-std");
  }
  if (preset.mean.size() != static_cast<size_t>(preset.channels) ||
      preset.std.size() != static_cast<size_t>(preset.channels))
    throw Error("dataset " + path + ": --image-mean (" + csv(preset.mean) + ") and --image-std (" +
                csv(preset.std) + ") need " + std::to_string(preset.channels) +
                " values each, one per channel of '" + input.name + "'");
  for (float v : preset.std)
    if (!(v > 0) || !std::isfinite(v))
      throw Error("dataset " + path + ": --image-std values must be positive, got " +
                  csv(preset.std));

  // Classes: the subdirectories in sorted order; images: sorted paths below each.
  std::vector<fs::path> classes;
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec))
      classes.push_back(it->path());
  std::sort(classes.begin(), classes.end());
  std::vector<std::string> files;
  std::vector<int64_t> labels;
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator
             f(classes[c], fs::directory_options::follow_directory_symlink, ec),
         fend;
         !ec && f != fend; f.increment(ec)) {
      const std::string ext = lowerExtension(f->path());
      if (otherImageExtension(ext))
        throw Error("dataset " + path + ": " + f->path().string() +
                    " is an image cimlir does not decode (JPEG and PNG only)");
      if (decodedExtension(ext) && f->is_regular_file(ec))
        found.push_back(f->path());
    }
    if (ec)
      throw Error("dataset " + path + ": cannot list " + classes[c].string() + ": " + ec.message());
    // os.walk's order, as ImageFolder lists them: directory by directory, files sorted.
    std::sort(found.begin(), found.end(), [](const fs::path &a, const fs::path &b) {
      return std::make_pair(a.parent_path().string(), a.filename().string()) <
             std::make_pair(b.parent_path().string(), b.filename().string());
    });
    if (found.empty())
      throw Error("dataset " + path + ": the class directory " + classes[c].string() +
                  " holds no JPEG or PNG image");
    for (const auto &f : found) {
      files.push_back(f.string());
      labels.push_back(static_cast<int64_t>(c));
    }
  }
  if (!imageDecodingAvailable())
    throw Error("dataset " + path +
                ": this build of cimlir decodes no images (libjpeg and libpng were not found)");
  return std::make_unique<ImageFolderDataset>(path, input, std::move(preset), std::move(files),
                                              std::move(labels));
}

} // namespace cimlir::data_detail
