#include "kernels/cpu/cim/Philox.h"

#include <cmath>

namespace cimlir::cpu::cim {

namespace {

constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u; // golden ratio
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u; // sqrt(3) - 1

constexpr double kTwoPi = 6.283185307179586476925286766559;

inline void mulhilo(uint32_t a, uint32_t b, uint32_t &hi, uint32_t &lo) {
  uint64_t product = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(product >> 32);
  lo = static_cast<uint32_t>(product);
}

PhiloxKey splitKey(uint64_t key) {
  return {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)};
}

} // namespace

PhiloxBlock philox4x32_10(PhiloxCounter ctr, PhiloxKey key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kPhiloxW0;
      key[1] += kPhiloxW1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kPhiloxM0, ctr[0], hi0, lo0);
    mulhilo(kPhiloxM1, ctr[2], hi1, lo1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

PhiloxKey staticKey(uint64_t chipSeed, uint64_t layerId) {
  return splitKey(mix64(mix64(mix64(0, kStaticDomain), chipSeed), layerId));
}

PhiloxKey freshKey(uint64_t seed, uint64_t repeat, uint64_t layerId) {
  return splitKey(mix64(mix64(mix64(mix64(0, kFreshDomain), seed), repeat), layerId));
}

PhiloxCounter staticCellCounter(int slice, int sign, uint32_t k, uint32_t n) {
  return {k, n, static_cast<uint32_t>(slice) | (static_cast<uint32_t>(sign) << 8), 0u};
}

PhiloxCounter freshCounter(FreshKind kind, uint32_t sample, uint32_t rowInSample, uint32_t rowBlock,
                           int inputSlice, int weightSlice, uint32_t n) {
  uint32_t draw = (static_cast<uint32_t>(kind) << 30) | (static_cast<uint32_t>(inputSlice) << 26) |
                  (static_cast<uint32_t>(weightSlice) << 22) | rowBlock;
  return {sample, rowInSample, n / 4, draw};
}

uint64_t probabilityThreshold(double p) {
  if (!(p > 0.0))
    return 0;
  if (p >= 1.0)
    return uint64_t(1) << 32;
  // (w + 0.5) / 2^32 < p  <=>  w < p·2^32 - 0.5: both steps are exact in double (p·2^32 < 2^32).
  double bound = std::ceil(p * 0x1p32 - 0.5);
  return bound <= 0.0 ? 0 : static_cast<uint64_t>(bound);
}

double normalFromPair(uint32_t a, uint32_t b) {
  return std::sqrt(-2.0 * std::log(uniformOpen(a))) * std::cos(kTwoPi * uniformOpen(b));
}

std::array<double, 4> normals4(const PhiloxBlock &w) {
  double r0 = std::sqrt(-2.0 * std::log(uniformOpen(w[0])));
  double t0 = kTwoPi * uniformOpen(w[1]);
  double r1 = std::sqrt(-2.0 * std::log(uniformOpen(w[2])));
  double t1 = kTwoPi * uniformOpen(w[3]);
  return {r0 * std::cos(t0), r0 * std::sin(t0), r1 * std::cos(t1), r1 * std::sin(t1)};
}

} // namespace cimlir::cpu::cim
