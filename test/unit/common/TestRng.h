// One random generator per test process, seeded freshly each run; the seed is printed and
// CIMLIR_TEST_SEED=<seed> replays it, so a failure on random inputs reproduces.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace cimlir::test {

/// The process's generator; `suite` names the tests in the printed seed line.
inline std::mt19937_64 &processRng(const char *suite) {
  static std::mt19937_64 gen = [suite] {
    uint64_t seed = std::random_device{}();
    if (const char *s = std::getenv("CIMLIR_TEST_SEED"))
      seed = std::strtoull(s, nullptr, 10);
    std::printf("%s: random seed %llu (CIMLIR_TEST_SEED=%llu replays it)\n", suite,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    return std::mt19937_64(seed);
  }();
  return gen;
}

} // namespace cimlir::test
