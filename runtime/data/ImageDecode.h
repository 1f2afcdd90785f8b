// cimlir runtime: decoding image files (JPEG through libjpeg-turbo, PNG through libpng) into
// 8-bit pixels, for image-folder datasets (runtime/data/ImageFolderDataset.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir {

/// 8-bit pixels, row-major, interleaved: `channels` 1 (grayscale) or 3 (RGB).
struct Image8 {
  int64_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// Whether this build decodes images (libjpeg and libpng were found).
bool imageDecodingAvailable();

/// Decodes a JPEG or PNG file (chosen by its signature, not its name) as Pillow's
/// convert("RGB") or, for a grayscale file, convert("L") would give it: colour JPEGs
/// converted to RGB by libjpeg (ISLOW DCT, fancy upsampling), PNG palettes expanded, alpha
/// dropped, 16-bit samples reduced to their high byte (Pillow keeps 8-bit only through such
/// a conversion too), CMYK and images over `maxPixels` refused before any pixel memory is
/// taken (100 megapixels by default: a 50-megapixel photo fits twice). Throws cimlir::Error
/// naming the file.
Image8 decodeImageFile(const std::string &path, int64_t maxPixels = 100'000'000);

} // namespace cimlir
