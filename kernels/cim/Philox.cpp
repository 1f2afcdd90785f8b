#include "kernels/cim/Philox.h"

#include "kernels/cim/PhiloxMath.h"

#include <algorithm>
#include <cmath>

namespace cimlir::cim {

namespace {

PhiloxKey splitKey(uint64_t key) {
  return {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)};
}

} // namespace

PhiloxBlock philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
  PhiloxBlock block;
  philox::block(counter.data(), key[0], key[1], block.data());
  return block;
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
  return {sample, rowInSample, n / 4,
          philox::freshDrawWord(static_cast<uint32_t>(kind), rowBlock, inputSlice, weightSlice)};
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

// Words to normals: PhiloxMath.h's series, in plain IEEE double operations (this file is
// compiled with -ffp-contract=off, no FMA contraction), so every vector clone below and the GPU
// give the same bits.

double normalFromPair(uint32_t a, uint32_t b) {
  double z0, z1;
  philox::normalPair(a, b, z0, z1);
  return z0;
}

std::array<double, 4> normals4(const PhiloxBlock &w) {
  std::array<double, 4> out;
  normalsFromBlocks(&w, 1, out.data());
  return out;
}

CIMLIR_VECTOR_CLONES
void philoxBlocks(const PhiloxCounter *counters, int64_t count, PhiloxKey key, PhiloxBlock *out) {
  // Lanes hold 32-bit words in 64-bit integers so that the 32x32 -> 64-bit products map to
  // the vector unsigned multiply (pmuludq) on every x86-64 level.
  constexpr int kLanes = 16;
  constexpr uint64_t kLow = 0xffffffffull;
  for (int64_t b0 = 0; b0 < count; b0 += kLanes) {
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, count - b0));
    uint64_t c0[kLanes] = {}, c1[kLanes] = {}, c2[kLanes] = {}, c3[kLanes] = {};
    for (int l = 0; l < lanes; ++l) {
      c0[l] = counters[b0 + l][0];
      c1[l] = counters[b0 + l][1];
      c2[l] = counters[b0 + l][2];
      c3[l] = counters[b0 + l][3];
    }
    uint64_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
      for (int l = 0; l < kLanes; ++l) {
        const uint64_t p0 = uint64_t(philox::kM0) * (c0[l] & kLow);
        const uint64_t p1 = uint64_t(philox::kM1) * (c2[l] & kLow);
        const uint64_t n0 = (p1 >> 32) ^ c1[l] ^ k0;
        const uint64_t n2 = (p0 >> 32) ^ c3[l] ^ k1;
        c1[l] = p1 & kLow;
        c3[l] = p0 & kLow;
        c0[l] = n0;
        c2[l] = n2;
      }
      k0 = (k0 + philox::kW0) & kLow;
      k1 = (k1 + philox::kW1) & kLow;
    }
    for (int l = 0; l < lanes; ++l)
      out[b0 + l] = {static_cast<uint32_t>(c0[l]), static_cast<uint32_t>(c1[l]),
                     static_cast<uint32_t>(c2[l]), static_cast<uint32_t>(c3[l])};
  }
}

CIMLIR_VECTOR_CLONES
void normalsFromBlocks(const PhiloxBlock *blocks, int64_t count, double *out) {
  static_assert(sizeof(PhiloxBlock) == 4 * sizeof(uint32_t), "blocks are packed words");
  if (count <= 0) // a row with no active slice draws nothing (and may pass no storage)
    return;
  const uint32_t *words = blocks[0].data();
  for (int64_t pair = 0; pair < 2 * count; ++pair)
    philox::normalPair(words[2 * pair], words[2 * pair + 1], out[2 * pair], out[2 * pair + 1]);
}

void fastNormalsFromBlocks(const PhiloxBlock *blocks, int64_t count, double *out) {
  if (count <= 0)
    return;
  const uint32_t *words = blocks[0].data();
  for (int64_t pair = 0; pair < 2 * count; ++pair)
    philox::fastNormalPair(words[2 * pair], words[2 * pair + 1], out[2 * pair], out[2 * pair + 1]);
}

} // namespace cimlir::cim
