// cimlir CUDA kernels: what the two product kernels of a CIM layer share (CimLinear.cu's int8
// kernel for any slicing, CimBitPlanes.cu's one-bit kernel): the call's arguments, the warp's
// output tile, tensor-core instructions, the exact ADC codes and the §6 epilogue.
//
// Tile layout: a CTA computes rows [32·blockIdx.x, +32) and columns [ctaCols·blockIdx.y, +ctaCols);
// warp w holds columns [16·w, +16) of the CTA as two m16 by two n8 MMA accumulators. Element e
// of accumulator (mt, nt) is row mt·16 + g + 8·(e / 2) and column 16·w + 8·nt + 2·q + e % 2
// (g = lane / 4, q = lane % 4: the m16n8 accumulator layout of mma.sync).
#pragma once

#include "kernels/cim/PhiloxMath.h"
#include "kernels/cuda/CimLinear.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace cimlir::cuda::product {

constexpr int kRowsPerCta = 32;  // two m16 MMA tiles
constexpr int kColsPerCta = 128; // eight warps of 16 columns (two n8 MMA tiles each)
constexpr int kColsPerWarp = 16;
constexpr int kThreads = 256;
constexpr int kRowPad = 16; // bytes after each staged row: conflict-free ldmatrix
// Floats after each staged row of float levels (the int8 kernel's FloatLevels): rows 16 banks
// apart (chunks are multiples of 32), so that the float4 reads of two rows in one quarter warp
// do not conflict.
constexpr int kFloatRowPad = 16;

struct ProductArgs {
  CimChipView chip;
  CimCallView call;
  int64_t M = 0;
  const int16_t *xq = nullptr;
  const float *rowScales = nullptr;
  const uint8_t *rowFinite = nullptr;
  /// Hybrid inputs: d·Wq int32 [M][digitalLd] added to §6's sum (null: none).
  const int32_t *digital = nullptr;
  int64_t digitalLd = 0;
  float *y = nullptr;
  int chunk = 256;      // K staged at a time (a multiple of 32; the int8 kernel)
  int ctaCols = 128;    // columns per CTA (whole column blocks in `dynamic` mode)
  int blocksPerCta = 1; // column blocks per CTA (`dynamic`)
  int64_t rowBlocks = 0;
  /// The int8 kernel's warps in groups of 32 rows: 1, the CTA's 8 warps side by side over 128
  /// columns (32 rows); 2, 4 or 8 for narrow layers (ctaCols 64, 32 or 16; 64 to 256 rows).
  int rowGroups = 1;
  /// A narrow layout that stages the input slice of each pair on its own (the CTA's rows of all
  /// T slices would not fit its shared memory).
  bool oneSlice = false;
  /// Row blocks split over blockIdx.z (few rows, integer sums only): `splits` CTAs of
  /// blocksPerSplit row blocks each write their int64 sums to `partials` ([splits][M][N]).
  int splits = 1;
  int64_t blocksPerSplit = 0;
  void *partials = nullptr;
  /// Weight columns a narrow layout stages per chunk: ctaCols rounded up to whole warps (the wide
  /// one stages kColsPerCta).
  __host__ __device__ int stagedCols() const {
    return (ctaCols + kColsPerWarp - 1) / kColsPerWarp * kColsPerWarp;
  }
};

/// D += A·B, int8 operands, m16n8k32.
__device__ __forceinline__ void mmaS8(int (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
               "{%8,%9}, {%0,%1,%2,%3};\n"
               : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

/// D += popc(A AND B), one-bit operands, m16n8k256: the fragments are the int8 m16n8k32 ones
/// with each byte holding eight consecutive k, least significant bit first.
__device__ __forceinline__ void mmaB1(int (&d)[4], const uint32_t (&a)[4], uint32_t b0,
                                      uint32_t b1) {
  asm volatile("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc {%0,%1,%2,%3}, "
               "{%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/// D += A·B in IEEE double, m8n8k4: lane (g, q) gives A[g][q] and B[q][g] and holds D[g][2q],
/// D[g][2q + 1] (g = lane / 4, q = lane % 4).
__device__ __forceinline__ void mmaF64(double &d0, double &d1, double a, double b) {
  asm volatile("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%0,%1}, {%2}, {%3}, {%0,%1};\n"
               : "+d"(d0), "+d"(d1)
               : "d"(a), "d"(b));
}

/// double(v) for |v| < 2^31 without a conversion instruction (a quarter-rate pipe for 64-bit
/// results): 1.5·2^52 + 2^31 + v is exact in double (bits 0x43380000:v ^ 2^31), and so is its
/// difference from 1.5·2^52 + 2^31. One add on the fp64 pipe.
__device__ __forceinline__ double smallIntToDouble(int32_t v) {
  return __dsub_rn(
      __hiloint2double(0x43380000, static_cast<int>(static_cast<uint32_t>(v) ^ 0x80000000u)),
      6755401588539392.0);
}

/// Four 8x8 b16 matrices from shared memory (rows given by lanes 0-7, 8-15, 16-23, 24-31).
__device__ __forceinline__ void ldmatrixX4(uint32_t (&r)[4], const void *rowAddress) {
  const uint32_t address = static_cast<uint32_t>(__cvta_generic_to_shared(rowAddress));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address));
}

/// The A fragments of a warp's 32 rows (two m16 tiles) for one 32-byte k step: rows of `ld`
/// bytes starting at `tile`, the step at byte offset `step`.
__device__ __forceinline__ void loadRowFragments(uint32_t (&fa)[2][4], const int8_t *tile, int ld,
                                                 int step, int lane) {
  // ldmatrix: lane l gives the address of row l % 8 of 8x16-byte matrix l / 8; A (16x32 bytes)
  // is matrices {rows 0-7, 8-15} x {bytes 0-15, 16-31}.
  const int matrix = lane / 8, row = lane % 8;
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
    ldmatrixX4(fa[mt], tile + (mt * 16 + (matrix & 1) * 8 + row) * ld + step + (matrix >> 1) * 16);
}

/// The B fragments of a warp's 16 columns (two n8 tiles) for one 32-byte k step: fb[nt][0..1].
__device__ __forceinline__ void loadColumnFragments(uint32_t (&fb)[2][2], const int8_t *tile,
                                                    int ld, int step, int lane) {
  // B's two n8 tiles are matrices {n 0-7, 8-15} x {bytes 0-15, 16-31}.
  const int matrix = lane / 8, row = lane % 8;
  uint32_t b4[4];
  ldmatrixX4(b4, tile + ((matrix >> 1) * 8 + row) * ld + step + (matrix & 1) * 16);
  fb[0][0] = b4[0];
  fb[0][1] = b4[1];
  fb[1][0] = b4[2];
  fb[1][1] = b4[3];
}

/// f(mt, nt) for the warp's four MMA tiles (two m16 by two n8), unrolled.
template <typename F> __device__ __forceinline__ void eachTile(F f) {
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
#pragma unroll
    for (int nt = 0; nt < 2; ++nt)
      f(mt, nt);
}

/// f(mt, nt, e) for the four accumulator elements e of each tile, unrolled.
template <typename F> __device__ __forceinline__ void eachElement(F f) {
  eachTile([&](int mt, int nt) {
#pragma unroll
    for (int e = 0; e < 4; ++e)
      f(mt, nt, e);
  });
}

/// f(mt, half, rowInCta) for the warp's four accumulator rows of a thread: row g + 8·half of
/// tile mt, rowInCta = mt·16 + g + 8·half (its elements 2·half and 2·half + 1 of each n8 tile).
template <typename F> __device__ __forceinline__ void eachRow(int lane, F f) {
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
#pragma unroll
    for (int half = 0; half < 2; ++half)
      f(mt, half, mt * 16 + lane / 4 + 8 * half);
}

/// A warp's 32x16 tile in registers: two m16 by two n8 MMA accumulators of four elements.
template <typename T> __device__ __forceinline__ void fillTile(T (&tile)[2][2][4], T value) {
  eachElement([&](int mt, int nt, int e) { tile[mt][nt][e] = value; });
}

/// The exact code rint(P·qmax / FS), half to even, clamped to ±qmax (FS > 0): a float estimate
/// (off by far less than one) corrected with the exact remainder. `Wide` computes the remainder
/// in int64; otherwise FS·(qmax + 1) < 2^29 keeps it in int32. Two int/float conversions (a
/// quarter-rate pipe): smallCode is the fast form where it applies.
template <bool Wide, typename Int>
__device__ __forceinline__ int32_t exactCode(int32_t P, Int fs, float ratio, int32_t qmax) {
  int32_t code = __float2int_rn(__int2float_rn(P) * ratio);
  const Int rem2 = 2 * (static_cast<Int>(P) * qmax - static_cast<Int>(code) * fs);
  if (rem2 > fs || (rem2 == fs && (code & 1)))
    ++code;
  else if (rem2 < -fs || (rem2 == -fs && (code & 1)))
    --code;
  return max(-qmax, min(qmax, code));
}

/// The exact code rint(P·qmax / FS), half to even, unclamped, without conversion instructions,
/// where |P| < 2^22, 2·|P|·qmax < 2^24, 2·FS·qmax < 2^24 and |P|·qmax / FS < 2^21
/// (CimCallView::smallAdc). ratio =
/// fl32(qmax / FS), fs2 = 2·FS, qmax2 = 2·qmax.
///
/// Why it is exact: P is an exact float (|P| < 2^22) and the FMA rounds P·ratio + 1.5·2^23 once,
/// to an integer (|P·ratio| < 2^22): e = rint(P·ratio), half to even. P·ratio is within
/// |P|·(qmax/FS)·2^-24 < 1/(2·FS) of q = P·qmax/FS, while a q that is not a tie is at least
/// 1/(2·FS) from every half integer: e = rint(q) except at ties, q = n + 1/2, where e may be the
/// odd one of n and n + 1. The exact remainder d = 2·(P·qmax − e·FS) = ±FS finds those, and moves
/// an odd e to its even neighbour on q's side.
__device__ __forceinline__ int32_t smallCode(int32_t P, float ratio, int32_t fs, int32_t fs2,
                                             int32_t qmax2) {
  constexpr int32_t kMagicBits = 0x4B400000; // 1.5·2^23: its float's unit in the last place is 1
  constexpr float kMagic = 12582912.0f;
  const float p = __fsub_rn(__int_as_float(kMagicBits + P), kMagic); // P, exactly
  const int32_t e = __float_as_int(__fmaf_rn(p, ratio, kMagic)) - kMagicBits;
  const int32_t d = P * qmax2 - e * fs2;
  const int32_t odd = e & 1;
  return e + (odd & (d == fs)) - (odd & (d == -fs));
}

/// Counter words 0 and 1 of row m's fresh draws: its sample and its row within the sample (§9).
/// Worked out once per CTA row (a 64-bit division): the kernels keep them in shared memory.
__device__ __forceinline__ uint2 freshRow(const CimCallView &c, int64_t m) {
  const int64_t start = c.batchStart ? *c.batchStart : 0;
  return make_uint2(static_cast<uint32_t>(start + c.sampleOffset + m / c.rowsPerSample),
                    static_cast<uint32_t>(c.rowOffset + m % c.rowsPerSample));
}

/// The Philox words of this thread's outputs in one row of a fresh draw: w[nt] are the two
/// words of columns warpN0 + 8·nt + 2q and + 1 (q = lane % 4). `row` is freshRow's pair, `word3`
/// freshDrawWord's. Block b of a row holds outputs 4b..4b+3 (Philox.h), so lanes q and q ^ 1
/// need the same two blocks when warpN0 % 4 == 0: each draws one and they swap the halves the
/// other needs (half the blocks). Every lane of the warp must call it (a shuffle). warpN0 is
/// even (the columns of a pair of words are a thread's two columns; columnNormals otherwise).
__device__ __forceinline__ void freshWords(const CimCallView &c, uint2 row, uint32_t word3,
                                           int64_t warpN0, int lane, uint32_t (&w)[2][2]) {
  const int q = lane % 4;
  uint32_t counter[4] = {row.x, row.y, 0u, word3}, out[4];
  if (warpN0 % 4 == 0) {
    // This lane draws the block of tile `own`, in which its own pair is pair `own` too.
    const int own = q & 1;
    counter[2] = static_cast<uint32_t>((warpN0 + own * 8 + 2 * q) / 4);
    cim::philox::block(counter, c.freshKey[0], c.freshKey[1], out);
    const uint32_t keep0 = own ? out[2] : out[0], keep1 = own ? out[3] : out[1];
    const uint32_t send0 = own ? out[0] : out[2], send1 = own ? out[1] : out[3];
    const uint32_t got0 = __shfl_xor_sync(0xffffffffu, send0, 1);
    const uint32_t got1 = __shfl_xor_sync(0xffffffffu, send1, 1);
    w[0][0] = own ? got0 : keep0;
    w[0][1] = own ? got1 : keep1;
    w[1][0] = own ? keep0 : got0;
    w[1][1] = own ? keep1 : got1;
    return;
  }
#pragma unroll
  for (int nt = 0; nt < 2; ++nt) {
    const int64_t n = warpN0 + nt * 8 + 2 * q;
    counter[2] = static_cast<uint32_t>(n / 4);
    cim::philox::block(counter, c.freshKey[0], c.freshKey[1], out);
    const int h = static_cast<int>(n % 4) / 2;
    w[nt][0] = out[2 * h];
    w[nt][1] = out[2 * h + 1];
  }
}

/// The two normals of a word pair by the call's transform (PhiloxMath.h).
__device__ __forceinline__ void normalsOf(const CimCallView &c, const uint32_t (&w)[2],
                                          double (&z)[2]) {
  if (c.fastNormals)
    cim::philox::fastNormalPair(w[0], w[1], z[0], z[1]);
  else
    cim::philox::normalPair(w[0], w[1], z[0], z[1]);
}

/// The fresh noise of this thread's four outputs in one row (freshWords' layout), in ADC codes,
/// from fast normals: noise[nt][e] = sdCodes·z + σ_a·z_a, where sdCodes is the row's read-noise
/// deviation over Δ (z the read draw, z_a the ADC draw). Every lane of the warp must call it.
__device__ __forceinline__ void fastRowNoise(const CimCallView &c, uint2 row, int64_t r, int i,
                                             int j, float sdCodes, int64_t warpN0, int lane,
                                             float (&noise)[2][2]) {
  const bool readNoise = c.sigmaRead > 0.0, adcNoise = c.sigmaAdcLsb > 0.0;
  const float adcSd = static_cast<float>(c.sigmaAdcLsb);
  uint32_t w[2][2] = {}, wa[2][2] = {};
  if (readNoise)
    freshWords(c, row, cim::philox::freshDrawWord(0, static_cast<uint32_t>(r), i, j), warpN0, lane,
               w);
  if (adcNoise)
    freshWords(c, row, cim::philox::freshDrawWord(1, static_cast<uint32_t>(r), i, j), warpN0, lane,
               wa);
#pragma unroll
  for (int nt = 0; nt < 2; ++nt) {
    float z[2] = {0.0f, 0.0f}, za[2] = {0.0f, 0.0f};
    if (readNoise)
      cim::philox::fastNormalPair(w[nt][0], w[nt][1], z[0], z[1]);
    if (adcNoise)
      cim::philox::fastNormalPair(wa[nt][0], wa[nt][1], za[0], za[1]);
#pragma unroll
    for (int e = 0; e < 2; ++e)
      noise[nt][e] = __fmaf_rn(sdCodes, z[e], __fmul_rn(adcSd, za[e]));
  }
}

/// The normals of this thread's two columns of n8 tile nt in one row, z[e] of column
/// warpN0 + 8·nt + 2q + e, by the call's transform in double. `w` holds freshWords' pairs when
/// warpN0 is even. An odd warpN0 (a `dynamic` CTA of an odd number of columns) puts the two
/// columns in different Box–Muller pairs, each drawn here on its own; only a kernel compiled
/// with `MayBeOdd` handles it (the code costs registers everywhere).
template <bool MayBeOdd>
__device__ __forceinline__ void columnNormals(const CimCallView &c, uint2 row, uint32_t word3,
                                              int64_t warpN0, int lane, int nt,
                                              const uint32_t (&w)[2][2], double (&z)[2]) {
  if (!MayBeOdd || warpN0 % 2 == 0) {
    normalsOf(c, w[nt], z);
    return;
  }
  uint32_t counter[4] = {row.x, row.y, 0u, word3}, out[4];
#pragma unroll
  for (int e = 0; e < 2; ++e) {
    const int64_t n = warpN0 + nt * 8 + 2 * (lane % 4) + e;
    counter[2] = static_cast<uint32_t>(n / 4);
    cim::philox::block(counter, c.freshKey[0], c.freshKey[1], out);
    const bool second = n % 4 >= 2; // selects, not indices: the arrays stay in registers
    const uint32_t pair[2] = {second ? out[2] : out[0], second ? out[3] : out[1]};
    double both[2];
    normalsOf(c, pair, both);
    z[e] = n % 2 ? both[1] : both[0];
  }
}

/// The `fast` transform's noisy code of a `full` pair, in float32 (CimCallView::fastAdc):
/// rint((P + noise) / Δ) clamped to ±qmax_a, as noisyCode computes it in double, for Δ = FS /
/// qmax_a and `noise` in codes (noise / Δ). The exact code c0 of P (smallCode) and the exact
/// remainder P·qmax_a − c0·FS (float products of integers below 2^24, exact) leave only
/// t + noise to round, with t = that remainder / FS in [−½, ½]: the float32 error is about
/// 2^-24 of t + noise/Δ (a few codes), not of P·qmax_a/FS, so the code is noisyCode's except
/// where the noisy sum lies that close to a threshold.
__device__ __forceinline__ int32_t fastNoisyCode(int32_t P, float noise, float ratio, int32_t fs,
                                                 float fsFloat, float invFs, int32_t qmax) {
  constexpr int32_t kMagicBits = 0x4B400000; // 1.5·2^23 (smallCode)
  constexpr float kMagic = 12582912.0f;
  const int32_t c0 = smallCode(P, ratio, fs, 2 * fs, 2 * qmax);
  const float p = __fsub_rn(__int_as_float(kMagicBits + P), kMagic);  // P, exactly
  const float c = __fsub_rn(__int_as_float(kMagicBits + c0), kMagic); // c0, exactly
  const float remainder = __fmaf_rn(p, static_cast<float>(qmax), -__fmul_rn(c, fsFloat));
  // Beyond ±(2·qmax_a + 1) codes the clamp below decides alone; the bound keeps rint's magic
  // number in range for any noise level.
  const float bound = static_cast<float>(2 * qmax + 1);
  const float f = fminf(fmaxf(__fmaf_rn(remainder, invFs, noise), -bound), bound);
  const int32_t step = __float_as_int(__fadd_rn(f, kMagic)) - kMagicBits; // rint(f)
  return max(-qmax, min(qmax, c0 + step));
}

/// §5's code of a partial sum p as the ADC sees it (read noise included) plus the ADC's own
/// noise `adcNoise` (σ_a·Δ·z), as the CPU computes it in double: rint((p + adcNoise) / Δ),
/// clamped to ±limit (qmax_a). invDelta = 1 / Δ.
__device__ __forceinline__ double noisyCode(double p, double adcNoise, double delta,
                                            double invDelta, double limit) {
  const double noisy = p + adcNoise;
  // rint(noisy / delta) as the CPU divides: the product with the reciprocal is within 2^-40 of
  // the quotient (|quotient| < 2^16), so it rounds the same way unless the quotient is that
  // close to a half; then divide.
  double quotient = noisy * invDelta;
  if (fabs(quotient - floor(quotient) - 0.5) < 1e-9)
    quotient = noisy / delta;
  return fmin(fmax(rint(quotient), -limit), limit);
}

/// §6's epilogue: y = fl32(s_x·s_w) · fl32(sum) for the warp's outputs, NaN for rows holding a
/// NaN or an infinity. `sum(v, m, n)` turns the accumulator element of output (m, n) into the
/// float32 sum.
template <typename Acc, typename ToFloat>
__device__ __forceinline__ void writeOutputs(const ProductArgs &args, const Acc (&acc)[2][2][4],
                                             int64_t m0, int64_t n0, int warpCol, int lane,
                                             ToFloat sum) {
  const int g = lane / 4, q = lane % 4;
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const int64_t m = m0 + mt * 16 + g + 8 * half;
      if (m >= args.M)
        continue;
      const bool finite = args.rowFinite[m] != 0;
      const float sx = args.rowScales[m];
#pragma unroll
      for (int nt = 0; nt < 2; ++nt)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int col = warpCol + nt * 8 + 2 * q + e;
          const int64_t n = n0 + col;
          if (col >= args.ctaCols || n >= args.chip.N)
            continue;
          const float scale = __fmul_rn(sx, args.chip.weightScales[n]);
          args.y[m * args.chip.N + n] = finite
                                            ? __fmul_rn(scale, sum(acc[mt][nt][2 * half + e], m, n))
                                            : __int_as_float(0x7fc00000);
        }
    }
}

} // namespace cimlir::cuda::product
