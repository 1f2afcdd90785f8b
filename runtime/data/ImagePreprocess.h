// cimlir runtime: torchvision's ImageNet preprocessing of a decoded image, as its
// transforms do it on PIL images: Resize(shorter side, bilinear) -> CenterCrop -> ToTensor
// -> Normalize, with Pillow's fixed-point resampling reproduced so that the floats are the
// ones torchvision would feed the model (docs/user-guide.md, "Image folders").
#pragma once

#include "runtime/data/ImageDecode.h"

#include <vector>

namespace cimlir {

/// The preprocessing of one image into a [channels, cropHeight, cropWidth] float32 sample.
struct ImagePreset {
  int64_t resize = 0; ///< the shorter side after resizing (the longer one keeps the aspect)
  int64_t cropHeight = 0, cropWidth = 0;
  std::vector<float> mean, std; ///< one per channel
  int64_t channels = 3;         ///< 3: RGB; 1: Pillow's convert("L") first (Grayscale())
};

/// Pillow's Image.resize(..., BILINEAR) of 8-bit pixels (any channel count): a separable
/// triangle filter widened by the downscaling factor (antialiasing), fixed-point weights of
/// 22 bits, horizontal pass first into 8-bit rows, then vertical.
Image8 resizeBilinearPil(const Image8 &in, int64_t width, int64_t height);

/// Pillow's convert("L") of RGB pixels: (19595 R + 38470 G + 7471 B + 2^15) >> 16.
Image8 toLuma(const Image8 &in);

/// The preset applied to `img` into `out` [channels · cropHeight · cropWidth]: grayscale or
/// RGB as the preset's channels ask (a grayscale image is replicated to RGB), shorter side
/// resized to `resize` (the other to floor(resize · long / short), as torchvision), centre
/// crop at round((size − crop) / 2) with halves to even (Python's round), x / 255, then
/// (x − mean) / std per channel. Throws cimlir::Error when the crop exceeds the resized image.
void preprocessImage(const Image8 &img, const ImagePreset &preset, float *out);

} // namespace cimlir
