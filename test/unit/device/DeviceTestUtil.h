// Helpers of the device-file tests: errors caught as strings, a scratch directory, a fresh
// random seed per test (replayable with CIMLIR_TEST_SEED=<seed>).
#pragma once

#include "core/Error.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/device/DeviceJson.h"
#include "test/unit/common/ErrorOf.h"

#include "test/unit/common/TempDir.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <string>

namespace cimlir::devicetest {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

using cimlir::test::errorOf;

/// The error of parsing `text` as the file "dev.json".
inline std::string fileError(const std::string &text) {
  return errorOf([&] { device::parseDeviceText(text, "dev.json"); });
}

/// Whether `message` names the file and the field ("dev.json: PATH: ...") and contains every
/// word of `words`.
inline ::testing::AssertionResult namesField(const std::string &message, const std::string &path,
                                             std::initializer_list<std::string> words = {}) {
  std::string head = "dev.json: " + path + ": ";
  if (message.compare(0, head.size(), head) != 0)
    return ::testing::AssertionFailure()
           << "message \"" << message << "\" does not start with \"" << head << "\"";
  for (const auto &w : words)
    if (message.find(w) == std::string::npos)
      return ::testing::AssertionFailure() << "message \"" << message << "\" lacks \"" << w << "\"";
  return ::testing::AssertionSuccess();
}

using cimlir::test::TempDir;

inline void writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

inline uint32_t freshSeed() {
  if (const char *s = std::getenv("CIMLIR_TEST_SEED"))
    return static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

/// Declares `seed` and `gen` (std::mt19937_64) and records the seed in every failure.
#define CIMLIR_DEVICE_RNG()                                                                        \
  const uint32_t seed = ::cimlir::devicetest::freshSeed();                                         \
  SCOPED_TRACE("random seed " + std::to_string(seed) +                                             \
               " (replay with CIMLIR_TEST_SEED=" + std::to_string(seed) + ")");                    \
  std::mt19937_64 gen(seed)

inline int64_t randInt(std::mt19937_64 &gen, int64_t lo, int64_t hi) { // inclusive
  return std::uniform_int_distribution<int64_t>(lo, hi)(gen);
}
inline double randReal(std::mt19937_64 &gen, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(gen);
}
inline bool coin(std::mt19937_64 &gen, double p = 0.5) {
  return std::bernoulli_distribution(p)(gen);
}

} // namespace cimlir::devicetest
