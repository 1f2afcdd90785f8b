// Helpers shared by the plan and runtime unit tests: a scratch directory, a fresh seed
// per test (printed through SCOPED_TRACE, replayable with CIMLIR_TEST_SEED=<seed>), raw
// file access and matching of cimlir::Error messages by key words.
#pragma once

#include "core/Error.h"
#include "test/unit/common/ErrorOf.h"
#include "test/unit/common/TempDir.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace cimlir::plantest {

namespace fs = std::filesystem;

using cimlir::test::TempDir;

inline uint32_t freshSeed() {
  if (const char *s = std::getenv("CIMLIR_TEST_SEED"))
    return static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

/// Declares `seed` and `gen` (std::mt19937) and records the seed in every failure.
#define CIMLIR_SEEDED_RNG()                                                                        \
  const uint32_t seed = ::cimlir::plantest::freshSeed();                                           \
  SCOPED_TRACE("random seed " + std::to_string(seed) +                                             \
               " (replay with CIMLIR_TEST_SEED=" + std::to_string(seed) + ")");                    \
  std::mt19937 gen(seed)

inline int64_t randInt(std::mt19937 &gen, int64_t lo, int64_t hi) { // inclusive
  return std::uniform_int_distribution<int64_t>(lo, hi)(gen);
}

inline std::vector<unsigned char> randomBytes(std::mt19937 &gen, size_t n) {
  std::vector<unsigned char> out(n);
  for (auto &b : out)
    b = static_cast<unsigned char>(gen());
  return out;
}

inline std::vector<unsigned char> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

inline void writeBytes(const std::string &path, const std::vector<unsigned char> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

using cimlir::test::errorOf;

/// Whether `message` contains every word of `all`.
inline ::testing::AssertionResult containsAll(const std::string &message,
                                              std::initializer_list<std::string> all) {
  for (const auto &w : all)
    if (message.find(w) == std::string::npos)
      return ::testing::AssertionFailure() << "message \"" << message << "\" lacks \"" << w << "\"";
  return ::testing::AssertionSuccess();
}

/// Whether `message` contains at least one word of `any`.
inline ::testing::AssertionResult containsAny(const std::string &message,
                                              std::initializer_list<std::string> any) {
  for (const auto &w : any)
    if (message.find(w) != std::string::npos)
      return ::testing::AssertionSuccess();
  std::string words;
  for (const auto &w : any)
    words += (words.empty() ? "\"" : ", \"") + w + "\"";
  return ::testing::AssertionFailure()
         << "message \"" << message << "\" contains none of " << words;
}

} // namespace cimlir::plantest
