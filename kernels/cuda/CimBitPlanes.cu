// The CIM layer's product for one-bit slices (cim-numerics.md §3–§6 with every a_i = b_j = 1),
// in one-bit tensor-core MMAs: mma.sync m16n8k256 AND+POPC sums 256 rows of one-bit products in
// one instruction, eight times the rows of an int8 m16n8k32.
//
// Signed operands. An input slice u_i = sign(xq)·bit_{o_i}(|xq|) is the planes u+ (the bit of
// the positive levels) and u- (of the negative ones); a weight slice's differential level D =
// L~+ − L~- ∈ {−1, 0, 1} is the planes D+ and D- (uploaded: CimChipView::planes). Then
//   P = u+·D+ + u-·D- − u+·D- − u-·D+
//     = u+·D+ + u-·D- + u+·¬D- + u-·¬D+ − (|u+| + |u-|),
// since u·¬D = |u| − u·D for one-bit vectors (¬D is one in the padding, where u is zero). So four
// MMAs into an accumulator that starts at −Σ_k |u_i[m,k]| give P exactly.
//
// The accumulator starts at kBiasBits − Σ|u|, so the MMAs leave kBiasBits + P: the bits of the
// float 1.5·2^23 + P. Where fl32(qmax_a / FS) is exact (FS a power of two, as for full 256-row
// blocks of one-bit slices), one FMA turns those bits into the biased ADC code (fmaCode);
// otherwise smallCode (CimProduct.cuh: remainderCode) does, exactly either way. §6's sum over the
// input slices of weight slice j is Horner's rule on the biased codes, one shift-add per output and
// pair, in 32-bit arithmetic modulo 2^32 whose result fits int32 (the bias comes off once); it then
// goes into the int64 total times 2^{p_j}·FS. uploadCimChip checks the bounds; `ideal` mode
// sums the biased P the same way.
//
// A CTA stages, per row block, every input slice's planes of its 32 rows (cut from xq by each
// thread on its own, never written to global memory) and, per weight slice, that slice's planes of
// its 128 columns: copied asynchronously into one of two buffers while the previous slice's
// products run.
#include "kernels/cim/ReadNoise.h"
#include "kernels/cuda/CimBitPlanes.h"
#include "kernels/cuda/CimProduct.cuh"
#include "kernels/cuda/CudaCheck.h"

namespace cimlir::cuda {

using namespace product;

namespace {

constexpr int32_t kBiasBits = 0x4B400000; // the bits of 1.5·2^23, whose float's last place is 1
constexpr float kBias = 12582912.0f;

/// D = A·B + C, one-bit operands, m16n8k256 AND+POPC.
__device__ __forceinline__ void mmaB1From(int (&d)[4], const uint32_t (&a)[4], uint32_t b0,
                                          uint32_t b1, const int4 &c) {
  asm volatile("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc {%0,%1,%2,%3}, "
               "{%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
               : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1), "r"(c.x), "r"(c.y),
                 "r"(c.z), "r"(c.w));
}

/// The ADC of one row block, the same for all its pairs (uploadCimChip checks).
struct BlockAdc {
  int32_t fs;  ///< FS (1 in `ideal` mode)
  float ratio; ///< fl32(qmax_a / FS)
  float shift; ///< 1.5·2^23·(1 − ratio), when `exact`
  int exact;   ///< ratio is qmax_a / FS exactly and `shift` is exact: the one-FMA code
};

/// The biased code kBiasBits + rint(P·qmax_a / FS) (half to even) of the biased partial sum
/// pb = kBiasBits + P, in an `exact` block: pb's bits are the float 1.5·2^23 + P, so one FMA
/// gives (1.5·2^23 + P)·ratio + 1.5·2^23·(1 − ratio) = 1.5·2^23 + P·qmax_a/FS exactly before its
/// one rounding, to the integer spacing of [2^23, 2^24): the float whose bits are the biased
/// code.
__device__ __forceinline__ int32_t fmaCode(int32_t pb, const BlockAdc &adc) {
  return __float_as_int(__fmaf_rn(__int_as_float(pb), adc.ratio, adc.shift));
}

/// fastNoisyCode (CimProduct.cuh) in an `exact` block, from the biased partial sum pb: with
/// ratio = qmax_a / FS exact, one FMA gives t = P·ratio − c0 rounded once (|t| <= 1/2), the same
/// accuracy as fastNoisyCode's remainder, without smallCode's correction steps.
__device__ __forceinline__ int32_t fastNoisyFmaCode(int32_t pb, float noise, const BlockAdc &adc,
                                                    int32_t qmax) {
  const int32_t c0 = fmaCode(pb, adc) - kBiasBits;
  const float p = __fsub_rn(__int_as_float(pb), kBias);             // P, exactly
  const float c = __fsub_rn(__int_as_float(kBiasBits + c0), kBias); // c0, exactly
  const float bound = static_cast<float>(2 * qmax + 1);             // as fastNoisyCode
  const float f = fminf(fmaxf(__fadd_rn(__fmaf_rn(p, adc.ratio, -c), noise), -bound), bound);
  const int32_t step = __float_as_int(__fadd_rn(f, kBias)) - kBiasBits; // rint(f)
  return max(-qmax, min(qmax, c0 + step));
}

/// The same in any block, through smallCode's exact remainder.
__device__ __forceinline__ int32_t remainderCode(int32_t pb, const BlockAdc &adc, int32_t qa) {
  return kBiasBits + smallCode(pb - kBiasBits, adc.ratio, adc.fs, 2 * adc.fs, 2 * qa);
}

/// One step of Horner's rule over the input slices: h = 2·h + code(P), per element.
template <typename Code>
__device__ __forceinline__ void hornerStep(uint32_t (&h)[2][2][4], const int (&P)[2][2][4],
                                           Code code) {
  eachElement([&](int mt, int nt, int e) {
    h[mt][nt][e] = 2u * h[mt][nt][e] + static_cast<uint32_t>(code(P[mt][nt][e]));
  });
}

/// 16 bytes from global to shared memory without a register round trip (zeros where !valid).
__device__ __forceinline__ void copyAsync16(void *shared, const void *global, bool valid) {
  const uint32_t address = static_cast<uint32_t>(__cvta_generic_to_shared(shared));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(address), "l"(global),
               "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void commitAsync() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void waitAsync() { asm volatile("cp.async.wait_all;\n" ::); }

/// The shared memory of a CTA: offsets in bytes of its parts, for T input slices and rows of ld
/// bytes.
struct SharedLayout {
  size_t inputs;  ///< [T][2][32][ld]: u_i+ and u_i- of the CTA's rows
  size_t weights; ///< [2 buffers][2][128][ld]: D+ and D- of one weight slice's columns
  size_t starts;  ///< [T][2 mt][8 g][4]: the accumulators' start values, as the MMA's C
  size_t counts;  ///< [T][32]: Σ_k |u_i[m,k]| of the row block
  size_t adc;     ///< BlockAdc
  size_t totals;  ///< [16][256] int64: the threads' output sums
  size_t sds;     ///< [T][32] double: the rows' read-noise deviations (noisy `full` mode)
  size_t fresh;   ///< [32] uint2: the rows' freshRow words (noisy `full` mode)
  size_t total;
  __host__ __device__ SharedLayout(int T, int ld) {
    totals = 0;
    sds = totals + 16 * static_cast<size_t>(kThreads) * sizeof(long long);
    fresh = sds + static_cast<size_t>(T) * kRowsPerCta * sizeof(double);
    inputs = fresh + kRowsPerCta * sizeof(uint2);
    weights = inputs + static_cast<size_t>(T) * 2 * kRowsPerCta * ld;
    starts = weights + 2 * 2 * static_cast<size_t>(kColsPerCta) * ld;
    counts = starts + static_cast<size_t>(T) * 2 * 8 * 4 * sizeof(int);
    adc = counts + static_cast<size_t>(T) * kRowsPerCta * sizeof(int);
    total = adc + sizeof(BlockAdc);
  }
};

/// Cuts word w (k = kb0 + 32·w + b, b < 32) of row `row` of the CTA's xq into the planes
/// sA[2i][row] (u_i+) and sA[2i + 1][row] (u_i-), and adds popc(bit_i(|xq|)) to
/// sCount[i][row]. One thread, eight values at a time.
__device__ __forceinline__ void cutInputWord(const ProductArgs &args, int row, int w, int64_t kb0,
                                             int64_t kb1, int8_t *sA, int ld, int *sCount) {
  const int T = args.call.T;
  const int64_t m = static_cast<int64_t>(blockIdx.x) * kRowsPerCta + row;
  const int64_t k0 = kb0 + 32 * w;
  const int16_t *src = args.xq + m * args.chip.Kpad + k0;
  // 8-value groups: one 16-byte load where the group is aligned and inside the block.
  const bool vector = m < args.M && k0 % 8 == 0;
  uint32_t positive = 0, negative = 0, planes[kMaxSlices];
#pragma unroll
  for (int i = 0; i < kMaxSlices; ++i)
    planes[i] = 0;
#pragma unroll
  for (int group = 0; group < 4; ++group) {
    const int64_t kg = k0 + 8 * group;
    int v[8];
    if (vector && kg + 8 <= kb1) {
      const uint4 raw = *reinterpret_cast<const uint4 *>(src + 8 * group);
      const uint32_t pairs[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
      for (int e = 0; e < 8; ++e)
        v[e] = static_cast<int16_t>(pairs[e / 2] >> (16 * (e % 2)));
    } else {
#pragma unroll
      for (int e = 0; e < 8; ++e)
        v[e] = m < args.M && kg + e < kb1 ? src[8 * group + e] : 0;
    }
    uint32_t pos = 0, neg = 0;
    int mag[8];
#pragma unroll
    for (int e = 0; e < 8; ++e) {
      pos |= static_cast<uint32_t>(v[e] > 0) << e;
      neg |= static_cast<uint32_t>(v[e] < 0) << e;
      mag[e] = abs(v[e]);
    }
    positive |= pos << (8 * group);
    negative |= neg << (8 * group);
#pragma unroll
    for (int i = 0; i < kMaxSlices; ++i) {
      if (i >= T)
        break;
      uint32_t bits = 0;
#pragma unroll
      for (int e = 0; e < 8; ++e)
        bits |= ((static_cast<uint32_t>(mag[e]) >> i) & 1u) << e;
      planes[i] |= bits << (8 * group);
    }
  }
#pragma unroll
  for (int i = 0; i < kMaxSlices; ++i) {
    if (i >= T)
      break;
    *reinterpret_cast<uint32_t *>(sA + ((2 * i) * kRowsPerCta + row) * ld + 4 * w) =
        planes[i] & positive;
    *reinterpret_cast<uint32_t *>(sA + ((2 * i + 1) * kRowsPerCta + row) * ld + 4 * w) =
        planes[i] & negative;
    atomicAdd(&sCount[i * kRowsPerCta + row], __popc(planes[i]));
  }
}

/// hornerStep for `full` codes with read or ADC noise. `sd` holds the rows' read-noise
/// deviations (by row of the CTA), `fresh` their freshRow words. Exact normals (`Fast` false):
/// P plus sd·z and the ADC's noise through noisyCode in double, as the CPU computes them, so the
/// codes are the CPU's. Fast normals: the same in float32 through fastNoisyCode.
template <bool Fast>
__device__ __forceinline__ void noisyHornerStep(uint32_t (&h)[2][2][4], const int (&P)[2][2][4],
                                                const CimCallView &call, const BlockAdc &adc,
                                                const double *sd, const uint2 *fresh,
                                                int64_t warpN0, int lane, int64_t r, int i, int j) {
  const double delta = static_cast<double>(adc.fs) / call.qmaxAdc, invDelta = 1.0 / delta;
  const double limit = static_cast<double>(call.qmaxAdc);
  const bool readNoise = call.sigmaRead > 0.0, adcNoise = call.sigmaAdcLsb > 0.0;
  const uint32_t readWord = cim::philox::freshDrawWord(0, static_cast<uint32_t>(r), i, j);
  const uint32_t adcWord = cim::philox::freshDrawWord(1, static_cast<uint32_t>(r), i, j);
  const float fsFloat = static_cast<float>(adc.fs), invFs = 1.0f / fsFloat;
  eachRow(lane, [&](int mt, int half, int rowInCta) {
    const double rowSd = sd[rowInCta];
    if constexpr (Fast) {
      float noise[2][2];
      fastRowNoise(call, fresh[rowInCta], r, i, j, static_cast<float>(rowSd * invDelta), warpN0,
                   lane, noise);
#pragma unroll
      for (int nt = 0; nt < 2; ++nt)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int idx = 2 * half + e;
          const int32_t code =
              adc.exact ? fastNoisyFmaCode(P[mt][nt][idx], noise[nt][e], adc, call.qmaxAdc)
                        : fastNoisyCode(P[mt][nt][idx] - kBiasBits, noise[nt][e], adc.ratio, adc.fs,
                                        fsFloat, invFs, call.qmaxAdc);
          h[mt][nt][idx] = 2u * h[mt][nt][idx] + static_cast<uint32_t>(kBiasBits + code);
        }
      return;
    }
    uint32_t w[2][2] = {}, wa[2][2] = {};
    if (readNoise)
      freshWords(call, fresh[rowInCta], readWord, warpN0, lane, w);
    if (adcNoise)
      freshWords(call, fresh[rowInCta], adcWord, warpN0, lane, wa);
#pragma unroll
    for (int nt = 0; nt < 2; ++nt) {
      double z[2] = {0.0, 0.0}, za[2] = {0.0, 0.0};
      if (rowSd != 0.0) // a row whose slice is all zeros draws words (the shuffle) but no normals
        normalsOf(call, w[nt], z);
      if (adcNoise)
        normalsOf(call, wa[nt], za);
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int idx = 2 * half + e;
        double p = static_cast<double>(P[mt][nt][idx] - kBiasBits);
        if (rowSd != 0.0)
          p = p + rowSd * z[e];
        const double code =
            noisyCode(p, adcNoise ? call.sigmaAdcLsb * delta * za[e] : 0.0, delta, invDelta, limit);
        h[mt][nt][idx] =
            2u * h[mt][nt][idx] + static_cast<uint32_t>(kBiasBits + static_cast<int32_t>(code));
      }
    }
  });
}

/// What the kernel computes: `ideal` sums, exact `full` codes, or `full` codes with read or ADC
/// noise (PhiloxMath.h's draws): exact normals in double as the int8 kernel and the CPU compute
/// them, or fast normals in float32.
enum class BitMode { Ideal, Full, NoisyFull, FastNoisyFull };

/// `OneStep`: crossbars of at most 256 rows (one MMA step per row block), whose weight fragments
/// stay in registers for all input slices.
template <BitMode Mode, bool OneStep>
__global__ void __launch_bounds__(kThreads, 2) bitPlaneKernel(const ProductArgs args) {
  const CimChipView &chip = args.chip;
  const CimCallView &call = args.call;
  const int T = call.T, S = chip.S, words = chip.planeWords, steps = OneStep ? 1 : words / 8;
  const int ld = words * 4 + kRowPad; // bytes per staged row
  const int64_t K = chip.K, N = chip.N;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * kRowsPerCta;
  const int64_t n0 = static_cast<int64_t>(blockIdx.y) * kColsPerCta;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4;
  const int warpCol = warp * kColsPerWarp;
  const int32_t qa = call.qmaxAdc;
  constexpr bool Ideal = Mode == BitMode::Ideal;
  constexpr bool Noisy = Mode == BitMode::NoisyFull || Mode == BitMode::FastNoisyFull;

  extern __shared__ __align__(16) unsigned char shared[];
  const SharedLayout layout(T, ld);
  int8_t *sA = reinterpret_cast<int8_t *>(shared + layout.inputs);
  int8_t *sB = reinterpret_cast<int8_t *>(shared + layout.weights);
  int4 *sStart = reinterpret_cast<int4 *>(shared + layout.starts);
  int *sCount = reinterpret_cast<int *>(shared + layout.counts);
  double *sSd = reinterpret_cast<double *>(shared + layout.sds);
  uint2 *sFresh = reinterpret_cast<uint2 *>(shared + layout.fresh);
  BlockAdc *sAdc = reinterpret_cast<BlockAdc *>(shared + layout.adc);
  for (int t = threadIdx.x; t < T * kRowsPerCta; t += kThreads)
    sCount[t] = 0;
  const size_t bufferBytes = 2 * static_cast<size_t>(kColsPerCta) * ld;

  // The t-th weight slice of row block r, j = S − 1 − t (most significant first), into buffer
  // (r·S + t) % 2: thread t copies plane t / 128 of column t % 128, `words` words in 16-byte
  // pieces (zeros past N).
  const int copyPlane = threadIdx.x / kColsPerCta, copyCol = threadIdx.x % kColsPerCta;
  const bool copyValid = n0 + copyCol < N;
  auto stageWeights = [&](int64_t r, int t) {
    const int j = S - 1 - t;
    int8_t *dst = sB + ((r * S + t) % 2) * bufferBytes + (copyPlane * kColsPerCta + copyCol) * ld;
    const uint32_t *src =
        chip.planes +
        (((static_cast<int64_t>(j) * 2 + copyPlane) * N + (copyValid ? n0 + copyCol : 0)) *
             args.rowBlocks +
         r) *
            words;
    for (int v = 0; v < words / 4; ++v)
      copyAsync16(dst + 16 * v, src + 4 * v, copyValid);
    commitAsync();
  };

  // The int64 totals live in shared memory (added to once per row block), which keeps the
  // registers for the products: element (mt, nt, e) of thread x at [((mt·2 + nt)·4 + e)·256 + x].
  long long *sTotal = reinterpret_cast<long long *>(shared + layout.totals);
  for (int at = 0; at < 16; ++at)
    sTotal[at * kThreads + threadIdx.x] = 0;
  if (Noisy && threadIdx.x < kRowsPerCta)
    sFresh[threadIdx.x] = freshRow(call, m0 + threadIdx.x);
  stageWeights(0, 0);
  for (int64_t r = 0; r < args.rowBlocks; ++r) {
    const int64_t kb0 = r * call.rows, kb1 = min(K, kb0 + call.rows);
    __syncthreads(); // every warp is done with the previous row block's input planes
    // Input planes: thread t cuts the 32 k of word t / 32 (+ 8, ...) of row t % 32 on its own:
    // u_i+ = bit_i(|xq|) AND (xq > 0), u_i- likewise (o_i = i), and adds the row's Σ_k |u_i|
    // (the bits of bit_i(|xq|)) into sCount.
    for (int w = threadIdx.x / kRowsPerCta; w < words; w += kThreads / kRowsPerCta)
      cutInputWord(args, threadIdx.x % kRowsPerCta, w, kb0, kb1, sA, ld, sCount);
    if (threadIdx.x == 0) {
      BlockAdc adc;
      adc.fs = Ideal ? 1 : static_cast<int32_t>(call.fullScales[r * T * S]);
      adc.ratio = __fdiv_rn(static_cast<float>(qa), static_cast<float>(adc.fs));
      const double shift = static_cast<double>(kBias) * (1.0 - static_cast<double>(adc.ratio));
      adc.shift = static_cast<float>(shift);
      adc.exact = static_cast<double>(adc.ratio) * adc.fs == static_cast<double>(qa) &&
                  static_cast<double>(adc.shift) == shift;
      *sAdc = adc;
    }
    __syncthreads(); // the counts are in
    // The accumulators' starts, kBiasBits − Σ_k |u_i[m,k]| (the top of this file), as the MMA's
    // C operand of tile mt: rows g and g + 8 are elements (0, 1) and (2, 3).
    for (int t = threadIdx.x; t < T * kRowsPerCta; t += kThreads) {
      const int i = t / kRowsPerCta, row = t % kRowsPerCta, half = (row % 16) / 8;
      int *start = reinterpret_cast<int *>(sStart + (i * 2 + row / 16) * 8 + row % 8);
      start[2 * half] = start[2 * half + 1] = kBiasBits - sCount[t];
      // §4's read noise of the row: Σ_k u_i² = Σ_k |u_i| for one-bit slices, and r_j = 1.
      if constexpr (Noisy)
        sSd[t] = sCount[t] != 0 ? cim::readNoiseDeviation(sCount[t], call.sigmaRead, 1.0) : 0.0;
      sCount[t] = 0;
    }
    // Horner over the weight slices, most significant first: H = Σ_j 2^j·h_j.
    uint32_t H[2][2][4];
    fillTile(H, 0u);
    for (int t = 0; t < S; ++t) {
      // This slice's planes (copied during the previous slice's products) are in; every warp is
      // done with the other buffer, which takes the next slice's.
      waitAsync();
      __syncthreads();
      if (t + 1 < S)
        stageWeights(r, t + 1);
      else if (r + 1 < args.rowBlocks)
        stageWeights(r + 1, 0);
      const BlockAdc adc = *sAdc;

      // B fragments [nt][register]: D+, D- and their complements.
      const int8_t *buffer = sB + ((r * S + t) % 2) * bufferBytes;
      const int8_t *posTile = buffer + warpCol * ld;
      const int8_t *negTile = buffer + (kColsPerCta + warpCol) * ld;
      uint32_t dPos[2][2], dNeg[2][2], notPos[2][2], notNeg[2][2];
      auto loadWeights = [&](int step) {
        loadColumnFragments(dPos, posTile, ld, 32 * step, lane);
        loadColumnFragments(dNeg, negTile, ld, 32 * step, lane);
#pragma unroll
        for (int nt = 0; nt < 2; ++nt)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            notPos[nt][e] = ~dPos[nt][e];
            notNeg[nt][e] = ~dNeg[nt][e];
          }
      };
      if (steps == 1)
        loadWeights(0);
      // P of every input slice i with this weight slice, then its biased code: Horner over the
      // input slices, most significant first, h = Σ_i 2^i·(biased code). The four MMAs of a
      // tile go to four tiles in turn, so that none waits on the one before.
      auto slicePairs = [&](auto convert) {
        uint32_t h[2][2][4];
        fillTile(h, 0u);
#pragma unroll 2
        for (int i = T - 1; i >= 0; --i) {
          const int8_t *aPos = sA + (i * 2) * kRowsPerCta * ld;
          const int8_t *aNeg = aPos + kRowsPerCta * ld;
          int P[2][2][4];
          uint32_t pos[2][4], neg[2][4];
          // The first 256 rows start from the C operand, the next ones accumulate.
          const int4 start[2] = {sStart[(i * 2 + 0) * 8 + g], sStart[(i * 2 + 1) * 8 + g]};
          loadRowFragments(pos, aPos, ld, 0, lane);
          loadRowFragments(neg, aNeg, ld, 0, lane);
          if (steps > 1)
            loadWeights(0);
          eachTile([&](int mt, int nt) {
            mmaB1From(P[mt][nt], pos[mt], dPos[nt][0], dPos[nt][1], start[mt]);
          });
          for (int step = 0; step < steps; ++step) {
            if (step > 0) {
              loadRowFragments(pos, aPos, ld, 32 * step, lane);
              loadRowFragments(neg, aNeg, ld, 32 * step, lane);
              loadWeights(step);
              eachTile(
                  [&](int mt, int nt) { mmaB1(P[mt][nt], pos[mt], dPos[nt][0], dPos[nt][1]); });
            }
            eachTile([&](int mt, int nt) { mmaB1(P[mt][nt], neg[mt], dNeg[nt][0], dNeg[nt][1]); });
            eachTile(
                [&](int mt, int nt) { mmaB1(P[mt][nt], pos[mt], notNeg[nt][0], notNeg[nt][1]); });
            eachTile(
                [&](int mt, int nt) { mmaB1(P[mt][nt], neg[mt], notPos[nt][0], notPos[nt][1]); });
          }
          // §5: P[mt][nt][e] is kBiasBits + P; its code (or P itself in `ideal` mode), biased.
          convert(h, P, i);
        }
        // H = 2·H + h_j, modulo 2^32.
        eachElement(
            [&](int mt, int nt, int e) { H[mt][nt][e] = 2u * H[mt][nt][e] + h[mt][nt][e]; });
      };
      if constexpr (Mode == BitMode::Ideal)
        slicePairs([&](auto &h, auto &P, int) { hornerStep(h, P, [](int32_t pb) { return pb; }); });
      else if constexpr (Noisy)
        slicePairs([&](auto &h, auto &P, int i) {
          noisyHornerStep<Mode == BitMode::FastNoisyFull>(
              h, P, call, adc, sSd + i * kRowsPerCta, sFresh, n0 + warpCol, lane, r, i, S - 1 - t);
        });
      else if (adc.exact)
        slicePairs([&](auto &h, auto &P, int) {
          hornerStep(h, P, [&](int32_t pb) { return fmaCode(pb, adc); });
        });
      else
        slicePairs([&](auto &h, auto &P, int) {
          hornerStep(h, P, [&](int32_t pb) { return remainderCode(pb, adc, qa); });
        });
    }
    // §6: Σ_{i,j} 2^{i+j}·code = H − kBiasBits·(2^T − 1)·(2^S − 1) (modulo 2^32, exact: it fits
    // int32), times FS into the total.
    const uint32_t bias = static_cast<uint32_t>(kBiasBits) * ((1u << T) - 1u) * ((1u << S) - 1u);
    const int32_t fs = sAdc->fs;
    eachElement([&](int mt, int nt, int e) {
      sTotal[((mt * 2 + nt) * 4 + e) * kThreads + threadIdx.x] +=
          static_cast<long long>(static_cast<int32_t>(H[mt][nt][e] - bias)) * fs;
    });
  }
  long long acc[2][2][4];
  eachElement([&](int mt, int nt, int e) {
    acc[mt][nt][e] = sTotal[((mt * 2 + nt) * 4 + e) * kThreads + threadIdx.x];
  });

  // §6: the exact sum is Σ 2^{o_i+p_j}·P (`ideal`) or Σ 2^{o_i+p_j}·FS·code, whose ADC steps
  // FS / qmax_a divide once here, as the CPU does.
  writeOutputs(args, acc, m0, n0, warpCol, lane, [&](long long v, int64_t, int64_t) {
    return Ideal ? __ll2float_rn(v)
                 : __double2float_rn(__ll2double_rn(v) / static_cast<double>(qa));
  });
}

} // namespace

int bitPlaneWords(int64_t rows) { return static_cast<int>((rows + 255) / 256) * 8; }

size_t bitPlaneSharedBytes(int inputSlices, int64_t rows) {
  return SharedLayout(inputSlices, bitPlaneWords(rows) * 4 + kRowPad).total;
}

void launchBitPlaneProduct(const ProductArgs &args, cudaStream_t stream) {
  const size_t shared = bitPlaneSharedBytes(args.call.T, args.call.rows);
  const dim3 grid(static_cast<unsigned>((args.M + kRowsPerCta - 1) / kRowsPerCta),
                  static_cast<unsigned>((args.chip.N + kColsPerCta - 1) / kColsPerCta));
  const bool oneStep = args.chip.planeWords == 8;
  auto pick = [&](auto one, auto many) { return oneStep ? one : many; };
  const auto kernel =
      args.call.adc == AdcKind::Ideal
          ? pick(bitPlaneKernel<BitMode::Ideal, true>, bitPlaneKernel<BitMode::Ideal, false>)
      : args.call.exact()
          ? pick(bitPlaneKernel<BitMode::Full, true>, bitPlaneKernel<BitMode::Full, false>)
      : args.call.fastNormals ? pick(bitPlaneKernel<BitMode::FastNoisyFull, true>,
                                     bitPlaneKernel<BitMode::FastNoisyFull, false>)
                              : pick(bitPlaneKernel<BitMode::NoisyFull, true>,
                                     bitPlaneKernel<BitMode::NoisyFull, false>);
  check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(shared)),
        "sizing the one-bit CIM kernel's shared memory");
  kernel<<<grid, kThreads, shared, stream>>>(args);
  checkLaunch("one-bit cim product");
}

} // namespace cimlir::cuda
