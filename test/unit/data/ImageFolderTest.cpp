// Image folders against torchvision: the images of fixtures/imagefolder (JPEG 4:2:0, 4:4:4
// and grayscale; RGB, RGBA, palette and grayscale PNG; a text file ImageFolder skips) and,
// in fixtures/imagefolder_reference.npz, what torchvision's ImageFolder with Resize ->
// CenterCrop -> ToTensor -> Normalize gave on Pillow 12.3 (scripts/make_image_folder.py).
#include "core/Error.h"
#include "runtime/data/Dataset.h"
#include "runtime/data/ImageDecode.h"
#include "runtime/data/Npz.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace cimlir {
namespace {

const std::string kFolder = std::string(CIMLIR_DATA_FIXTURES) + "/imagefolder";

struct Preset {
  const char *name;
  int64_t resize, channels, height, width;
  std::vector<float> mean, std;
};

/// The float32 images, sample by sample against torchvision's, bit for bit: the resampling
/// is Pillow's integer arithmetic, and libjpeg-turbo decodes as Pillow's does (ISLOW).
TEST(ImageFolder, MatchesTorchvisionPreprocessing) {
  if (!imageDecodingAvailable())
    GTEST_SKIP() << "built without libjpeg/libpng";
  const auto reference = readNpz(std::string(CIMLIR_DATA_FIXTURES) + "/imagefolder_reference.npz");
  const std::vector<Preset> presets = {
      {"imagenet_24", 27, 3, 24, 24, {}, {}}, // ImageNet's statistics are the default
      {"upscale_40", 46, 3, 40, 40, {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}},
      {"gray_16", 18, 1, 16, 12, {0.2860f}, {0.3530f}},
  };
  for (const Preset &p : presets) {
    SCOPED_TRACE(p.name);
    ImageOptions options;
    options.resize = p.resize;
    options.mean = p.mean;
    options.std = p.std;
    auto ds = openDataset(kFolder, "", {{"image", DType::F32, {-1, p.channels, p.height, p.width}}},
                          {}, options);
    ASSERT_EQ(ds->size(), 7);
    const Tensor &want = reference.at(p.name);
    ASSERT_EQ(want.shape(), (Shape{7, p.channels, p.height, p.width}));
    Tensor got = ds->inputs(0, 7).at("image");
    ASSERT_EQ(got.shape(), want.shape());
    const int64_t per = p.channels * p.height * p.width;
    for (int64_t i = 0; i < 7; ++i) {
      double worst = 0;
      for (int64_t j = 0; j < per; ++j)
        worst = std::max(worst, std::fabs(double(got.data<float>()[i * per + j]) -
                                          want.data<float>()[i * per + j]));
      EXPECT_EQ(worst, 0.0) << "sample " << i;
    }
    const auto labels = ds->labels();
    ASSERT_TRUE(labels.has_value());
    const Tensor &wantLabels = reference.at("labels");
    for (int64_t i = 0; i < 7; ++i)
      EXPECT_EQ((*labels)[i], wantLabels.data<int64_t>()[i]);
  }
}

TEST(ImageFolder, RefusesWhatDoesNotFit) {
  if (!imageDecodingAvailable())
    GTEST_SKIP() << "built without libjpeg/libpng";
  auto open = [](const Shape &shape, ImageOptions options = {}) {
    return openDataset(kFolder, "", {{"image", DType::F32, shape}}, {}, options);
  };
  auto message = [&](auto fn) {
    try {
      fn();
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] {
              open({-1, 4, 8, 8});
            }).find("[N, 3, H, W] (RGB) or [N, 1, H, W]"),
            std::string::npos);
  EXPECT_NE(message([&] {
              open({-1, 1, 8, 8});
            }).find("give their statistics with --image-mean"),
            std::string::npos);
  ImageOptions wrongCount;
  wrongCount.mean = {0.5f};
  wrongCount.std = {0.5f};
  EXPECT_NE(message([&] {
              open({-1, 3, 8, 8}, wrongCount);
            }).find("need 3 values each"),
            std::string::npos);
  ImageOptions crop;
  crop.cropHeight = crop.cropWidth = 10;
  EXPECT_NE(message([&] {
              open({-1, 3, 8, 8}, crop);
            }).find("does not match the input"),
            std::string::npos);
  EXPECT_NE(message([&] { open({-1, 3, -1, -1}); }).find("--image-crop"), std::string::npos);
  ImageOptions small;
  small.resize = 4;
  EXPECT_NE(message([&] {
              open({-1, 3, 8, 8}, small)->inputs(0, 1);
            }).find("larger than the resized"),
            std::string::npos);

  // A file that claims to be an image but is not: refused by name when its batch is read.
  const auto dir =
      std::filesystem::temp_directory_path() / ("cimlir-images-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "only");
  std::ofstream(dir / "only" / "broken.jpg") << "\xFF\xD8\xFF not really";
  auto ds = openDataset(dir.string(), "", {{"image", DType::F32, {-1, 3, 8, 8}}}, {});
  EXPECT_NE(message([&] { ds->inputs(0, 1); }).find("broken.jpg: not a readable JPEG"),
            std::string::npos);
  std::ofstream(dir / "only" / "broken.jpg") << "GIF89a";
  EXPECT_NE(message([&] { ds->inputs(0, 1); }).find("neither a JPEG nor a PNG"), std::string::npos);
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace cimlir
