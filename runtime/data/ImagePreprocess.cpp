#include "runtime/data/ImagePreprocess.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace cimlir {

namespace {

/// Pillow's 8-bit weights carry 32 − 8 − 2 fraction bits (libImaging/Resample.c).
constexpr int kPrecisionBits = 32 - 8 - 2;

/// One output position's input window and its fixed-point weights.
struct Taps {
  int64_t first = 0, count = 0;
  std::vector<int32_t> weights;
};

/// Pillow's precompute_coeffs for the bilinear (triangle, support 1) filter over the whole
/// input, then normalize_coeffs_8bpc.
std::vector<Taps> bilinearTaps(int64_t inSize, int64_t outSize) {
  const double scale = static_cast<double>(inSize) / static_cast<double>(outSize);
  const double filterScale = std::max(scale, 1.0);
  const double support = 1.0 * filterScale;
  std::vector<Taps> taps(static_cast<size_t>(outSize));
  for (int64_t xx = 0; xx < outSize; ++xx) {
    const double center = (static_cast<double>(xx) + 0.5) * scale;
    const double ss = 1.0 / filterScale;
    int64_t xmin = static_cast<int64_t>(center - support + 0.5);
    xmin = std::max<int64_t>(xmin, 0);
    int64_t xmax = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), inSize);
    xmax -= xmin;
    std::vector<double> k(static_cast<size_t>(std::max<int64_t>(xmax, 0)));
    double ww = 0.0;
    for (int64_t x = 0; x < xmax; ++x) {
      double t = std::fabs((static_cast<double>(x + xmin) - center + 0.5) * ss);
      k[x] = t < 1.0 ? 1.0 - t : 0.0;
      ww += k[x];
    }
    Taps &tap = taps[xx];
    tap.first = xmin;
    tap.count = std::max<int64_t>(xmax, 0);
    for (double w : k) {
      const double v = (ww != 0.0 ? w / ww : w) * (1 << kPrecisionBits);
      tap.weights.push_back(static_cast<int32_t>(v < 0 ? -0.5 + v : 0.5 + v));
    }
  }
  return taps;
}

uint8_t clip8(int64_t sum) {
  return static_cast<uint8_t>(std::clamp<int64_t>(sum >> kPrecisionBits, 0, 255));
}

} // namespace

Image8 resizeBilinearPil(const Image8 &in, int64_t width, int64_t height) {
  const int64_t c = in.channels;
  const auto horizontal = bilinearTaps(in.width, width);
  const auto vertical = bilinearTaps(in.height, height);
  // Pillow resamples only the rows the vertical pass reads, and skips a pass whose size
  // does not change (the taps would be the identity then anyway).
  const int64_t firstRow = vertical.front().first;
  const int64_t lastRow = vertical.back().first + vertical.back().count;
  Image8 mid;
  mid.channels = c;
  if (width != in.width) {
    mid.width = width;
    mid.height = lastRow - firstRow;
    mid.pixels.resize(static_cast<size_t>(mid.width * mid.height * c));
    for (int64_t y = 0; y < mid.height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        const Taps &t = horizontal[x];
        for (int64_t ch = 0; ch < c; ++ch) {
          int64_t sum = int64_t(1) << (kPrecisionBits - 1);
          for (int64_t i = 0; i < t.count; ++i)
            sum += int64_t(in.pixels[((y + firstRow) * in.width + t.first + i) * c + ch]) *
                   t.weights[i];
          mid.pixels[(y * width + x) * c + ch] = clip8(sum);
        }
      }
  } else {
    mid = in;
  }
  if (height == in.height)
    return mid;
  const int64_t shift = width != in.width ? firstRow : 0;
  Image8 out;
  out.width = width;
  out.height = height;
  out.channels = c;
  out.pixels.resize(static_cast<size_t>(width * height * c));
  for (int64_t y = 0; y < height; ++y) {
    const Taps &t = vertical[y];
    for (int64_t x = 0; x < width; ++x)
      for (int64_t ch = 0; ch < c; ++ch) {
        int64_t sum = int64_t(1) << (kPrecisionBits - 1);
        for (int64_t i = 0; i < t.count; ++i)
          sum += int64_t(mid.pixels[((t.first - shift + i) * width + x) * c + ch]) * t.weights[i];
        out.pixels[(y * width + x) * c + ch] = clip8(sum);
      }
  }
  return out;
}

Image8 toLuma(const Image8 &in) {
  if (in.channels == 1)
    return in;
  Image8 out;
  out.width = in.width;
  out.height = in.height;
  out.channels = 1;
  out.pixels.resize(static_cast<size_t>(in.width * in.height));
  for (int64_t i = 0; i < in.width * in.height; ++i) {
    const uint8_t *p = &in.pixels[i * 3];
    out.pixels[i] =
        static_cast<uint8_t>((p[0] * 19595 + p[1] * 38470 + p[2] * 7471 + 0x8000) >> 16);
  }
  return out;
}

void preprocessImage(const Image8 &img, const ImagePreset &preset, float *out) {
  const Image8 source = preset.channels == 1 ? toLuma(img) : img;
  // Resize: the shorter side to `resize`, the longer one truncated as torchvision computes it.
  const bool wide = source.width >= source.height;
  const int64_t shortSide = wide ? source.height : source.width;
  const int64_t longSide = wide ? source.width : source.height;
  const double longAfter = static_cast<double>(preset.resize) * static_cast<double>(longSide) /
                           static_cast<double>(shortSide);
  if (static_cast<double>(preset.resize) * longAfter > 1e8)
    throw Error("resizing the " + std::to_string(source.width) + "x" +
                std::to_string(source.height) + " image to a shorter side of " +
                std::to_string(preset.resize) + " would make it more than 100 megapixels");
  const int64_t newLong = static_cast<int64_t>(longAfter);
  const int64_t width = wide ? newLong : preset.resize, height = wide ? preset.resize : newLong;
  const Image8 resized = (width == source.width && height == source.height)
                             ? source
                             : resizeBilinearPil(source, width, height);
  if (preset.cropHeight > height || preset.cropWidth > width)
    throw Error("the centre crop " + std::to_string(preset.cropHeight) + "x" +
                std::to_string(preset.cropWidth) + " is larger than the resized image " +
                std::to_string(height) + "x" + std::to_string(width) +
                "; give a larger --image-resize");
  const int64_t top = static_cast<int64_t>(std::nearbyint((height - preset.cropHeight) / 2.0));
  const int64_t left = static_cast<int64_t>(std::nearbyint((width - preset.cropWidth) / 2.0));
  const int64_t plane = preset.cropHeight * preset.cropWidth;
  for (int64_t ch = 0; ch < preset.channels; ++ch) {
    // A grayscale image feeds each RGB channel (Pillow's convert("RGB") replicates it).
    const int64_t from = resized.channels == 1 ? 0 : ch;
    for (int64_t y = 0; y < preset.cropHeight; ++y)
      for (int64_t x = 0; x < preset.cropWidth; ++x) {
        const uint8_t v =
            resized.pixels[((top + y) * resized.width + left + x) * resized.channels + from];
        // ToTensor divides in float32, Normalize subtracts and divides in float32.
        const float unit = static_cast<float>(v) / 255.0f;
        out[ch * plane + y * preset.cropWidth + x] = (unit - preset.mean[ch]) / preset.std[ch];
      }
  }
}

} // namespace cimlir
