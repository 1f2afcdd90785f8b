// openDataset: picks the dataset kind from what PATH is, by content rather than by name
// (a .npz is a zip, a .npy starts with \x93NUMPY, an IDX file with 0x0000TTRR or is
// gzipped), so a renamed file still opens and a wrong file gets a message that says
// what was expected.
#include "core/Error.h"
#include "runtime/data/DatasetSupport.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace cimlir {

namespace {

bool hasSuffix(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool looksLikeOnnxTestData(const fs::path &dir) {
  std::string name = dir.filename().string();
  if (name.rfind("test_data_set_", 0) == 0)
    return true;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind("test_data_set_", 0) == 0 && it->is_directory(ec))
      return true;
  return false;
}

bool looksLikeIdxDir(const fs::path &dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (hasSuffix(name, "-images-idx3-ubyte") || hasSuffix(name, "-images-idx3-ubyte.gz"))
      return true;
  }
  return false;
}

} // namespace

std::unique_ptr<Dataset> openDataset(const std::string &path, const std::string &split,
                                     const std::vector<TensorSpec> &graphInputs,
                                     const std::vector<TensorSpec> &graphOutputs,
                                     const ImageOptions &image) {
  std::error_code ec;
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty())
    p = p.parent_path();
  if (!fs::exists(p, ec))
    throw Error("dataset " + path + ": no such file or directory");

  if (fs::is_directory(p, ec)) {
    if (looksLikeOnnxTestData(p))
      return data_detail::openOnnxTestDataset(path, graphInputs, graphOutputs);
    if (looksLikeIdxDir(p))
      return data_detail::openIdxDataset(path, split, graphInputs);
    if (data_detail::looksLikeImageFolder(p.string()))
      return data_detail::openImageFolderDataset(path, image, graphInputs);
    throw Error("dataset " + path +
                ": the directory holds neither test_data_set_* (ONNX test data), "
                "*-images-idx3-ubyte[.gz] (IDX) nor class subdirectories of JPEG or PNG images "
                "(an image folder); give one of those, a .npz or a .npy");
  }

  unsigned char head[8] = {};
  size_t got = 0;
  if (std::FILE *f = std::fopen(path.c_str(), "rb")) {
    got = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
  } else {
    throw Error("dataset " + path + ": cannot open: " + std::strerror(errno));
  }
  if (got >= 4 && head[0] == 'P' && head[1] == 'K' &&
      ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
    return data_detail::openNpzDataset(path, graphInputs, graphOutputs);
  if (got >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0)
    return data_detail::openNpyDataset(path, graphInputs);
  bool gzip = got >= 2 && head[0] == 0x1f && head[1] == 0x8b;
  bool idx = got >= 4 && head[0] == 0 && head[1] == 0 &&
             std::strchr("\x08\x09\x0b\x0c\x0d\x0e", head[2]) != nullptr && head[2] != 0;
  if (gzip || idx)
    return data_detail::openIdxDataset(path, split, graphInputs);
  throw Error("dataset " + path +
              ": not a dataset file this tool reads (expected a .npz, a .npy, "
              "an IDX file, plain or .gz, or an ONNX test-data directory)");
}

} // namespace cimlir
