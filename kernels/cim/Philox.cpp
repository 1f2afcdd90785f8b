#include "kernels/cim/Philox.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cimlir::cim {

namespace {

constexpr uint64_t kPhiloxM0 = 0xD2511F53u;
constexpr uint64_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint64_t kPhiloxW0 = 0x9E3779B9u; // golden ratio
constexpr uint64_t kPhiloxW1 = 0xBB67AE85u; // sqrt(3) - 1

PhiloxKey splitKey(uint64_t key) {
  return {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)};
}

} // namespace

PhiloxBlock philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
  PhiloxBlock block;
  philoxBlocks(&counter, 1, key, &block);
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

// ---------------------------------------------------------------------------------------------
// Words to normals. ln and sin/cos are evaluated here with plain IEEE double operations
// (series with enough terms for full double precision), not with libm: the same code runs
// scalar, SSE2, AVX2 or AVX-512 (the batch function below is compiled for each) and gives the
// same bits on every one of them, because this file is compiled with -ffp-contract=off (no
// FMA contraction) and every operation is a correctly rounded +, -, ·, / or sqrt.

namespace {

inline double bitsToDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}
inline uint64_t doubleToBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

/// w as a double, through the signed conversion every x86-64 vector level has.
inline double wordToDouble(uint32_t w) {
  return static_cast<double>(static_cast<int32_t>(w ^ 0x80000000u)) + 2147483648.0;
}

/// -2 ln u for u = uniformOpen(w) = (w + 0.5) · 2^-32. With x = w + 0.5 = 2^e · m,
/// m in [sqrt(1/2), sqrt(2)): ln u = (e - 32) ln 2 + ln m, and ln m = 2 atanh(s) with
/// s = (m - 1) / (m + 1), |s| <= 0.1716, summed to s^23 (the next term is below 2^-56).
inline double minusTwoLogUniform(uint32_t w) {
  const double x = wordToDouble(w) + 0.5; // exact
  const uint64_t bits = doubleToBits(x);
  // m > sqrt(2) (compared on the mantissa bits) moves one factor 2 from m to the exponent.
  const uint64_t mantissa = bits & 0x000fffffffffffffull;
  const uint64_t big = mantissa > 0x6a09e667f3bcdull ? 1 : 0; // 1.4142135623730951's bits
  const double m = bitsToDouble((mantissa | 0x3ff0000000000000ull) - (big << 52));
  // The unbiased exponent as a double without an int64 -> double conversion (vectorises).
  const double e = bitsToDouble(0x4330000000000000ull | ((bits >> 52) + big)) - 0x1p52 - 1023.0;
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double series = 1.0 / 23;
  series = series * s2 + 1.0 / 21;
  series = series * s2 + 1.0 / 19;
  series = series * s2 + 1.0 / 17;
  series = series * s2 + 1.0 / 15;
  series = series * s2 + 1.0 / 13;
  series = series * s2 + 1.0 / 11;
  series = series * s2 + 1.0 / 9;
  series = series * s2 + 1.0 / 7;
  series = series * s2 + 1.0 / 5;
  series = series * s2 + 1.0 / 3;
  const double logM = 2.0 * s + 2.0 * s * s2 * series;
  // ln 2 split so that (e - 32) · kLn2Hi is exact (fdlibm's constants).
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double k = e - 32.0;
  const double logU = (k * kLn2Hi + (k * kLn2Lo + logM));
  return -2.0 * logU;
}

/// cos and sin of 2π u for u = uniformOpen(w): t = 4u = (w + 0.5) · 2^-30 exactly, q =
/// rint(t) its quadrant, x = 2π (t - q) / 4 in [-π/4, π/4], Taylor series to x^17 / x^16 (the
/// remainder is below 2^-60), rotated by q quarter turns.
inline void cosSinTwoPiUniform(uint32_t w, double &c, double &s) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double t = (wordToDouble(w) + 0.5) * 0x1p-30;
  // rint without a libm call: adding and subtracting 2^52 rounds t (< 4) half to even.
  const double q = (t + 0x1p52) - 0x1p52;
  const double x = kTwoPi * ((t - q) * 0.25);
  const double x2 = x * x;
  double sp = -1.0 / 355687428096000.0; // -1/17!
  sp = sp * x2 + 1.0 / 1307674368000.0; // 1/15!
  sp = sp * x2 - 1.0 / 6227020800.0;
  sp = sp * x2 + 1.0 / 39916800.0;
  sp = sp * x2 - 1.0 / 362880.0;
  sp = sp * x2 + 1.0 / 5040.0;
  sp = sp * x2 - 1.0 / 120.0;
  sp = sp * x2 + 1.0 / 6.0;
  const double sinX = x - x * x2 * sp;
  double cp = 1.0 / 20922789888000.0; // 1/16!
  cp = cp * x2 - 1.0 / 87178291200.0;
  cp = cp * x2 + 1.0 / 479001600.0;
  cp = cp * x2 - 1.0 / 3628800.0;
  cp = cp * x2 + 1.0 / 40320.0;
  cp = cp * x2 - 1.0 / 720.0;
  cp = cp * x2 + 1.0 / 24.0;
  cp = cp * x2 - 0.5;
  const double cosX = 1.0 + x2 * cp;
  // Rotate by q quarter turns (q in 0..4, 4 a full turn): cos(x + qπ/2) = cos x · cq - sin x · sq
  // and sin(x + qπ/2) = sin x · cq + cos x · sq with cq, sq in {-1, 0, 1}, which is exact.
  const int32_t quarter = static_cast<int32_t>(q) & 3;
  const double cq = static_cast<double>(((quarter + 1) & 1) * (1 - (quarter & 2)));
  const double sq = static_cast<double>((quarter & 1) * (1 - (quarter & 2)));
  c = cosX * cq - sinX * sq;
  s = sinX * cq + cosX * sq;
}

} // namespace

double normalFromPair(uint32_t a, uint32_t b) {
  double c, s;
  cosSinTwoPiUniform(b, c, s);
  return std::sqrt(minusTwoLogUniform(a)) * c;
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
        const uint64_t p0 = kPhiloxM0 * (c0[l] & kLow);
        const uint64_t p1 = kPhiloxM1 * (c2[l] & kLow);
        const uint64_t n0 = (p1 >> 32) ^ c1[l] ^ k0;
        const uint64_t n2 = (p0 >> 32) ^ c3[l] ^ k1;
        c1[l] = p1 & kLow;
        c3[l] = p0 & kLow;
        c0[l] = n0;
        c2[l] = n2;
      }
      k0 = (k0 + kPhiloxW0) & kLow;
      k1 = (k1 + kPhiloxW1) & kLow;
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
  for (int64_t pair = 0; pair < 2 * count; ++pair) {
    double c, s;
    cosSinTwoPiUniform(words[2 * pair + 1], c, s);
    const double radius = std::sqrt(minusTwoLogUniform(words[2 * pair]));
    out[2 * pair] = radius * c;
    out[2 * pair + 1] = radius * s;
  }
}

} // namespace cimlir::cim
