// The tensor files cim-run reads (runtime/data): NumPy .npz and .npy, IDX and ONNX
// TensorProto (*.pb) files, and the images of image folders (decoded and preprocessed). Any bytes
// are a tensor or one cimlir::Error. Which reader runs is the build's choice (CIMLIR_FUZZ_READER),
// one target each.
#include "core/Error.h"
#include "runtime/data/Idx.h"
#include "runtime/data/ImagePreprocess.h"
#include "runtime/data/Npz.h"
#include "runtime/data/OnnxTensorFile.h"
#include "test/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace cimlir;
#if CIMLIR_FUZZ_READER == 1
  const std::string path = fuzz::writeInput(data, size, "input.npz");
  try {
    readNpz(path);
  } catch (const Error &) {
  }
  try {
    readNpy(path);
  } catch (const Error &) {
  }
#elif CIMLIR_FUZZ_READER == 2
  const std::string path = fuzz::writeInput(data, size, "input-ubyte");
  try {
    readIdx(path);
  } catch (const Error &) {
  }
#elif CIMLIR_FUZZ_READER == 3
  const std::string path = fuzz::writeInput(data, size, "input_0.pb");
  try {
    readOnnxTensorFile(path);
  } catch (const Error &) {
  }
#elif CIMLIR_FUZZ_READER == 4
  const std::string path = fuzz::writeInput(data, size, "image");
  try {
    // 4 megapixels at most: a few hundred bytes can declare a 100-megapixel JPEG, whose
    // (legitimate) seconds of decoding would read as a hang here.
    const Image8 img = decodeImageFile(path, 4'000'000);
    // Both channel counts, and a crop that needs the image resized up or down.
    for (int64_t channels : {int64_t(1), int64_t(3)}) {
      ImagePreset preset;
      preset.channels = channels;
      preset.resize = 9;
      preset.cropHeight = preset.cropWidth = 8;
      preset.mean.assign(channels, 0.5f);
      preset.std.assign(channels, 0.25f);
      std::vector<float> out(static_cast<size_t>(channels * 64));
      preprocessImage(img, preset, out.data());
    }
  } catch (const Error &) {
  }
#else
#error "CIMLIR_FUZZ_READER: 1 (npz/npy), 2 (idx), 3 (ONNX TensorProto) or 4 (images)"
#endif
  return 0;
}
