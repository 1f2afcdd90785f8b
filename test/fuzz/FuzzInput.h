// cimlir fuzz targets: what every target shares. The readers under test take paths, so an
// input is written to a file of this process's own scratch folder first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

namespace cimlir::fuzz {

/// `data` as the file `name` in a scratch folder of this process (made once, removed at exit);
/// returns its path.
inline std::string writeInput(const uint8_t *data, size_t size, const std::string &name) {
  static const std::string dir = [] {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/cimlir-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      std::abort();
    static const std::string removeAtExit = pattern;
    std::atexit([] {
      std::string cmd = "rm -rf '" + removeAtExit + "'";
      if (std::system(cmd.c_str()) != 0) {
      }
    });
    return pattern;
  }();
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  return path;
}

} // namespace cimlir::fuzz
