// Helpers for the core tests: a scratch directory, a fresh seed per process (printed, and
// replayable with CIMLIR_TEST_SEED=<seed>), file access and matching of cimlir::Error.
#pragma once

#include "core/Error.h"
#include "test/unit/common/ErrorOf.h"
#include "test/unit/common/TempDir.h"
#include "test/unit/common/TestRng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace cimlir::coretest {

namespace fs = std::filesystem;

using cimlir::test::TempDir;

/// One generator per process (TestRng.h).
inline std::mt19937_64 &rng() { return cimlir::test::processRng("core tests"); }

inline std::string randomBytes(size_t n) {
  std::string s(n, '\0');
  for (char &c : s)
    c = static_cast<char>(rng()());
  return s;
}

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

using cimlir::test::errorOf;

inline bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace cimlir::coretest
