// cimlir CIM kernels: the counter-based random numbers of cim-numerics.md §9.
//
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// generator of cuRAND's curand_Philox4x32_10 and of Random123's philox4x32_10: a keyed bijection
// of a 128-bit counter. Every random number of a CIM layer is one word of philox(counter, key)
// for a counter and key that name the draw, so a draw never depends on the order, the batch or
// the thread that asks for it.
//
// Key and counter layout (documented in docs/numerics.md; a GPU backend that reproduces it
// shares the CPU's streams bit for bit, which §9 welcomes but does not require)
// --------------------------------------------------------------------------------------------
// Keys. mix64(h, v) = splitmix64(h ^ v), where splitmix64(z) = z += 0x9e3779b97f4a7c15;
// z = (z ^ z>>30)·0xbf58476d1ce4e5b9; z = (z ^ z>>27)·0x94d049bb133111eb; z ^ z>>31 (mod 2^64).
//   static key = mix64(mix64(mix64(0, kStaticDomain), chip_seed), layer_id)
//   fresh key  = mix64(mix64(mix64(mix64(0, kFreshDomain), seed), repeat), layer_id)
// with the two domain constants below, so the static and the fresh streams are different
// functions even when seed == chip_seed. The 64-bit key is (word 0 = low half, word 1 = high).
// Within one key every counter below is distinct (collision-free by construction); distinct
// (seed, repeat, layer) triples share a key only on a 64-bit hash collision.
//
// Static effects (programming the chip, §2/§4): one Philox block per cell,
//   counter = { k, n, j | sign << 8, 0 }          (k, n < 2^32; j < 16; sign 0 = W+, 1 = W-)
//   word 0  -> the stuck-at uniform u of §9 (u < p_min: level 0; u < p_min + p_max: r_j)
//   words 2, 3 -> eta = sqrt(-2 ln u2) · cos(2π u3), the programming noise N(0,1) of the cell
//   (word 1 is unused).
// Fresh effects (every read, §4/§5): one block gives the normals of 4 consecutive outputs,
//   counter = { sample, row, n / 4, kind << 30 | i << 26 | j << 22 | r }
//   (sample = index of the sample in the dataset, row = row within the sample, both < 2^32;
//    r = row block < 2^22; i, j = input and weight slice < 16; kind 0 = read noise, 1 = ADC
//    thermal noise) and the normal of output n is normals4(block)[n % 4].
//
// Words to numbers: uniform u = (w + 0.5) · 2^-32, exactly representable in double and strictly
// inside (0, 1). normals4 applies Box–Muller to the pairs (w0, w1) and (w2, w3):
//   z0 = sqrt(-2 ln u0) cos(2π u1), z1 = sqrt(-2 ln u0) sin(2π u1), z2, z3 likewise,
// with ln, cos and sin evaluated by series in plain IEEE double arithmetic (Philox.cpp), not
// libm, so that the numbers are the same bits on every x86-64 (scalar, AVX2, AVX-512) and
// every libc.
// A probability p is applied as the integer test w < probabilityThreshold(p), which is the same
// as u < p for the uniform above (so a backend without float64 can decide stuck cells exactly).
#pragma once

#include "kernels/cim/VectorClones.h"

#include <array>
#include <cstdint>

namespace cimlir::cim {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;
using PhiloxBlock = std::array<uint32_t, 4>;

/// Philox4x32 with 10 rounds: the Random123 / cuRAND bijection.
PhiloxBlock philox4x32_10(PhiloxCounter counter, PhiloxKey key);

/// The splitmix64 finalizer (with its increment) and the key-derivation step mix64(h, v).
uint64_t splitmix64(uint64_t z);
inline uint64_t mix64(uint64_t h, uint64_t v) { return splitmix64(h ^ v); }

/// Domain tags of the two streams ("CIMSTATC", "CIMFRESH" in ASCII).
constexpr uint64_t kStaticDomain = 0x43494d5354415443ull;
constexpr uint64_t kFreshDomain = 0x43494d4652455348ull;

/// Keys of the static (chip) and fresh (per read) streams of one layer; see the layout above.
PhiloxKey staticKey(uint64_t chipSeed, uint64_t layerId);
PhiloxKey freshKey(uint64_t seed, uint64_t repeat, uint64_t layerId);

/// Counter of the static block of one cell: sign 0 = the W+ cell, 1 = the W- cell.
PhiloxCounter staticCellCounter(int slice, int sign, uint32_t k, uint32_t n);

/// What a fresh draw is for.
enum class FreshKind : uint32_t { ReadNoise = 0, AdcNoise = 1 };
/// Counter of the fresh block holding outputs [4·(n/4), 4·(n/4)+4) of one (r, i, j, row).
PhiloxCounter freshCounter(FreshKind kind, uint32_t sample, uint32_t rowInSample, uint32_t rowBlock,
                           int inputSlice, int weightSlice, uint32_t n);

/// Uniform in (0, 1): (w + 0.5) · 2^-32, exact in double.
inline double uniformOpen(uint32_t w) { return (static_cast<double>(w) + 0.5) * 0x1p-32; }

/// The number of words w with uniformOpen(w) < p, so that `w < threshold` is `u < p`
/// (0 for p <= 0, 2^32 for p >= 1).
uint64_t probabilityThreshold(double p);

/// philox4x32_10 of `count` counters at once (vectorised; the same blocks).
void philoxBlocks(const PhiloxCounter *counters, int64_t count, PhiloxKey key, PhiloxBlock *out);

/// normals4 of `count` blocks at once, block b's normals at out[4b .. 4b + 3] (vectorised; the
/// same numbers).
void normalsFromBlocks(const PhiloxBlock *blocks, int64_t count, double *out);
/// The same with the `fast` transform (PhiloxMath.h's fastNormalPair) on the same pairs.
void fastNormalsFromBlocks(const PhiloxBlock *blocks, int64_t count, double *out);

/// Four standard normals from one block (Box–Muller on (w0, w1) and (w2, w3)).
std::array<double, 4> normals4(const PhiloxBlock &block);
/// One standard normal from words a, b: sqrt(-2 ln u(a)) · cos(2π u(b)).
double normalFromPair(uint32_t a, uint32_t b);

} // namespace cimlir::cim
