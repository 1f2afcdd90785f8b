// cimlir CIM kernels: the arithmetic of cim-numerics.md §9's random numbers, written once for
// the host and the GPU (Philox.h documents the key and counter layout and the host API).
//
// Everything here is integer arithmetic or correctly rounded IEEE double +, -, ·, / and sqrt,
// so a host compiled with -ffp-contract=off and a GPU compiled with --fmad=false get the same
// bits: a noisy run gives the same ADC codes on the CPU and the CUDA backend.
#pragma once

#include "core/HostDevice.h"

#include <cmath>
#include <cstdint>

namespace cimlir::cim::philox {

constexpr uint32_t kM0 = 0xD2511F53u;
constexpr uint32_t kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u; // golden ratio
constexpr uint32_t kW1 = 0xBB67AE85u; // sqrt(3) - 1

/// Philox4x32-10 of counter c under key (k0, k1), into out (may alias c).
CIMLIR_HOST_DEVICE inline void block(const uint32_t c[4], uint32_t k0, uint32_t k1,
                                     uint32_t out[4]) {
  uint32_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kM1) * c2;
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<uint32_t>(p1);
    c3 = static_cast<uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += kW0;
    k1 += kW1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/// Word 3 of a fresh counter: kind << 30 | i << 26 | j << 22 | r (Philox.h).
CIMLIR_HOST_DEVICE constexpr uint32_t freshDrawWord(uint32_t kind, uint32_t rowBlock,
                                                    int inputSlice, int weightSlice) {
  return (kind << 30) | (static_cast<uint32_t>(inputSlice) << 26) |
         (static_cast<uint32_t>(weightSlice) << 22) | rowBlock;
}

/// w as a double, through the signed conversion every x86-64 vector level has (exact).
CIMLIR_HOST_DEVICE inline double wordToDouble(uint32_t w) {
  return static_cast<double>(static_cast<int32_t>(w ^ 0x80000000u)) + 2147483648.0;
}

/// -2 ln u for u = uniformOpen(w) = (w + 0.5) · 2^-32. With x = w + 0.5 = 2^e · m,
/// m in [sqrt(1/2), sqrt(2)): ln u = (e - 32) ln 2 + ln m, and ln m = 2 atanh(s) with
/// s = (m - 1) / (m + 1), |s| <= 0.1716, summed to s^23 (the next term is below 2^-56).
CIMLIR_HOST_DEVICE inline double minusTwoLogUniform(uint32_t w) {
  const double x = wordToDouble(w) + 0.5; // exact
  const uint64_t bits = doubleBits(x);
  // m > sqrt(2) (compared on the mantissa bits) moves one factor 2 from m to the exponent.
  const uint64_t mantissa = bits & 0x000fffffffffffffull;
  const uint64_t big = mantissa > 0x6a09e667f3bcdull ? 1 : 0; // 1.4142135623730951's bits
  const double m = bitsDouble((mantissa | 0x3ff0000000000000ull) - (big << 52));
  // The unbiased exponent as a double without an int64 -> double conversion (vectorises).
  const double e = bitsDouble(0x4330000000000000ull | ((bits >> 52) + big)) - 0x1p52 - 1023.0;
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
CIMLIR_HOST_DEVICE inline void cosSinTwoPiUniform(uint32_t w, double &c, double &s) {
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

/// Box–Muller on the words (a, b): z0 = sqrt(-2 ln u(a)) cos(2π u(b)), z1 = ... sin(2π u(b)).
CIMLIR_HOST_DEVICE inline void normalPair(uint32_t a, uint32_t b, double &z0, double &z1) {
  double c, s;
  cosSinTwoPiUniform(b, c, s);
  const double radius = ::sqrt(minusTwoLogUniform(a));
  z0 = radius * c;
  z1 = radius * s;
}

/// NormalTransform::Fast: Box–Muller in float32 on the same words. u(w) = fl32(fl32(w)·2^-32 +
/// 2^-33) (in (0, 1]: ln u is finite), z0 = sqrt(-2 ln u(a)) cos(θ), z1 = ... sin(θ) with θ =
/// 2π (u(b) − 1/2): the angle of normalPair moved by π, which flips both signs of a symmetric
/// pair. ln, cos and sin are each backend's fast float32 functions: the GPU's hardware
/// approximations (__logf, __sincosf: within about 2^-21 absolute for u in [0.5, 1] and θ in
/// [−π, π], a few float ulps relative below u = 0.5), the host's libm.
/// So the backends agree in distribution, and nearly always in the ADC code.
CIMLIR_HOST_DEVICE inline void fastNormalPair(uint32_t a, uint32_t b, float &z0, float &z1) {
  const float ua = static_cast<float>(a) * 0x1p-32f + 0x1p-33f;
  const float theta =
      6.28318530717958647692f * (static_cast<float>(b) * 0x1p-32f + 0x1p-33f - 0.5f);
  // An approximate ln u of a u just below 1 may come out positive: the radius is then 0.
#ifdef __CUDA_ARCH__
  const float radius = sqrtf(fmaxf(-2.0f * __logf(ua), 0.0f));
  float s, c;
  __sincosf(theta, &s, &c);
#else
  const float radius = std::sqrt(std::fmax(-2.0f * std::log(ua), 0.0f));
  const float s = std::sin(theta), c = std::cos(theta);
#endif
  z0 = radius * c;
  z1 = radius * s;
}

/// The same normals, widened (exactly) to double.
CIMLIR_HOST_DEVICE inline void fastNormalPair(uint32_t a, uint32_t b, double &z0, double &z1) {
  float f0, f1;
  fastNormalPair(a, b, f0, f1);
  z0 = f0;
  z1 = f1;
}

} // namespace cimlir::cim::philox
