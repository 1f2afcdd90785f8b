#include "runtime/data/ImageDecode.h"

#include "core/Error.h"

#include <cstdio>
#include <cstring>
#include <memory>

#ifdef CIMLIR_HAVE_IMAGES
#include <csetjmp>
#include <jpeglib.h>
#include <png.h>
#endif

namespace cimlir {

namespace {

using File = std::unique_ptr<std::FILE, int (*)(std::FILE *)>;

std::string tooLarge(int64_t width, int64_t height, int64_t maxPixels) {
  return "is " + std::to_string(width) + "x" + std::to_string(height) + " pixels, more than the " +
         std::to_string(maxPixels) + " cimlir decodes";
}

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw Error("image " + path + ": " + what);
}

#ifdef CIMLIR_HAVE_IMAGES

/// libjpeg reports errors through a callback that must not return: it jumps back here.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr info) {
  auto *err = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

Image8 decodeJpeg(const std::string &path, std::FILE *f, int64_t maxPixels) {
  jpeg_decompress_struct info;
  JpegError err;
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpegErrorExit;
  // The pixels live behind a pointer set before setjmp and never reassigned, so that the
  // jump back leaves it determinate (C11 7.13.2.1); they are freed with it on error.
  auto out = std::make_unique<Image8>();
  Image8 &img = *out;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&info);
    fail(path, std::string("not a readable JPEG: ") + err.message);
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, f);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&info);
    fail(path, "CMYK JPEGs are not supported");
  }
  const bool gray = info.jpeg_color_space == JCS_GRAYSCALE;
  info.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
  info.dct_method = JDCT_ISLOW;
  info.do_fancy_upsampling = TRUE;
  if (int64_t(info.image_width) * info.image_height > maxPixels) {
    const std::string what = tooLarge(info.image_width, info.image_height, maxPixels);
    jpeg_destroy_decompress(&info);
    fail(path, what);
  }
  jpeg_start_decompress(&info);
  img.width = info.output_width;
  img.height = info.output_height;
  img.channels = info.output_components;
  img.pixels.resize(static_cast<size_t>(img.width * img.height * img.channels));
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = img.pixels.data() + info.output_scanline * img.width * img.channels;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return std::move(img);
}

struct PngError {
  std::jmp_buf jump;
  char message[256];
};

void pngErrorFn(png_structp png, png_const_charp msg) {
  auto *err = static_cast<PngError *>(png_get_error_ptr(png));
  std::snprintf(err->message, sizeof err->message, "%s", msg);
  std::longjmp(err->jump, 1);
}
void pngWarningFn(png_structp, png_const_charp) {}

Image8 decodePng(const std::string &path, std::FILE *f, int64_t maxPixels) {
  PngError err{};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, pngErrorFn, pngWarningFn);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    fail(path, "out of memory");
  }
  // As in decodeJpeg: what the decoder fills lives behind a pointer fixed before setjmp.
  struct State {
    Image8 img;
    std::vector<png_bytep> rows;
  };
  auto state = std::make_unique<State>();
  Image8 &img = state->img;
  std::vector<png_bytep> &rows = state->rows;
  if (setjmp(err.jump)) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail(path, std::string("not a readable PNG: ") + err.message);
  }
  png_init_io(png, f);
  png_read_info(png, info);
  if (int64_t(png_get_image_width(png, info)) * png_get_image_height(png, info) > maxPixels) {
    const std::string what =
        tooLarge(png_get_image_width(png, info), png_get_image_height(png, info), maxPixels);
    png_destroy_read_struct(&png, &info, nullptr);
    fail(path, what);
  }
  const int colour = png_get_color_type(png, info);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  png_set_packing(png);
  if (colour == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(png);
  if ((colour & PNG_COLOR_MASK_COLOR) == 0)
    png_set_expand_gray_1_2_4_to_8(png);
  png_read_update_info(png, info);
  img.width = png_get_image_width(png, info);
  img.height = png_get_image_height(png, info);
  img.channels = png_get_channels(png, info);
  if (img.channels != 1 && img.channels != 3)
    png_error(png, "unexpected channel count after conversion");
  img.pixels.resize(static_cast<size_t>(img.width * img.height * img.channels));
  rows.resize(static_cast<size_t>(img.height));
  for (int64_t y = 0; y < img.height; ++y)
    rows[y] = img.pixels.data() + y * img.width * img.channels;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return std::move(img);
}

#endif

} // namespace

bool imageDecodingAvailable() {
#ifdef CIMLIR_HAVE_IMAGES
  return true;
#else
  return false;
#endif
}

Image8 decodeImageFile(const std::string &path, int64_t maxPixels) {
  File f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f)
    fail(path, std::string("cannot open: ") + std::strerror(errno));
  unsigned char head[8] = {};
  const size_t got = std::fread(head, 1, sizeof head, f.get());
  std::rewind(f.get());
  const bool jpeg = got >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
  const bool png = got == 8 && std::memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0;
  if (!jpeg && !png)
    fail(path, "neither a JPEG nor a PNG file");
#ifdef CIMLIR_HAVE_IMAGES
  Image8 img = jpeg ? decodeJpeg(path, f.get(), maxPixels) : decodePng(path, f.get(), maxPixels);
  if (img.width <= 0 || img.height <= 0)
    fail(path, "has no pixels");
  return img;
#else
  fail(path, "this build of cimlir decodes no images (libjpeg and libpng were not found)");
#endif
}

} // namespace cimlir
