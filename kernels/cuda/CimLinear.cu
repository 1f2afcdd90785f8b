#include "kernels/cuda/CimLinear.h"

#include "core/Error.h"
#include "kernels/cim/PhiloxMath.h"
#include "kernels/cim/ReadNoise.h"
#include "kernels/cuda/Blas.h"
#include "kernels/cuda/CimBitPlanes.h"
#include "kernels/cuda/CimLayout.cuh"
#include "kernels/cuda/CimProduct.cuh"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/LayerNormLine.cuh"
#include "kernels/cuda/QuantizeRows.cuh"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace cimlir::cuda {

// A fused normalisation's statistics are reduced as the LayerNormalization step reduces them:
// over a block of the same size.
static_assert(kQuantizeThreads == kLineThreads);

using namespace product;

namespace {

/// What the int8 kernel computes.
enum class ProductMode {
  Exact,     ///< no fresh noise: int64 sums and integer codes (CimCallView::exact)
  FastFull,  ///< `full` ADC with noise and fast normals: float32 noise, integer codes and sums
  NoisyFull, ///< `full` ADC with noise otherwise: double noise and codes, integer sums
  Noisy,     ///< noise in any other case: double codes and sums, as the CPU computes them
};

/// §6's sum of an output as the float32 that y scales: an exact int64 sum (over qmax_a's ADC
/// steps unless `ideal`) or the double sum of the Noisy mode, plus hybrid inputs' digital part
/// d·Wq (0 without), as the CPU adds it.
template <ProductMode Mode, typename Acc>
__device__ __forceinline__ float finalSum(const CimCallView &call, Acc v, int32_t digital) {
  if (Mode == ProductMode::Noisy)
    return __double2float_rn(static_cast<double>(v) + static_cast<double>(digital));
  const long long sum = static_cast<long long>(v);
  if (call.adc == AdcKind::Ideal)
    return __ll2float_rn(sum + digital);
  const long long numerator = sum + static_cast<long long>(digital) * call.qmaxAdc;
  return __double2float_rn(__ll2double_rn(numerator) / static_cast<double>(call.qmaxAdc));
}

/// Hybrid inputs' digital part of output (m, n), or 0.
__device__ __forceinline__ int32_t digitalPart(const ProductArgs &args, int64_t m, int64_t n) {
  return args.digital ? args.digital[m * args.digitalLd + n] : 0;
}

/// Adds a thread's count to *total: one atomic per warp (every lane of the warp calls it).
__device__ __forceinline__ void addWarpCount(unsigned long long count, unsigned long long *total) {
  for (int offset = 16; offset > 0; offset /= 2)
    count += __shfl_xor_sync(0xffffffffu, count, offset);
  if (threadIdx.x % 32 == 0 && count)
    atomicAdd(total, count);
}

/// The nonzero input digits u_i (§3) of the analog inputs l = clamp(xq, ±hybridMax) (xq
/// without hybrid inputs) of x [M, Kpad], added to *total.
__global__ void activeDigitsKernel(const int16_t *xq, int64_t count, const CimCallView call,
                                   unsigned long long *total) {
  unsigned long long found = 0;
  for (int64_t at = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; at < count;
       at += int64_t(gridDim.x) * blockDim.x) {
    int magnitude = abs(static_cast<int>(xq[at]));
    if (call.hybridMax)
      magnitude = min(magnitude, call.hybridMax);
    for (int i = 0; i < call.T; ++i)
      found += ((magnitude >> call.offsets[i]) & ((1 << call.widths[i]) - 1)) != 0;
  }
  addWarpCount(found, total);
}

/// Hybrid inputs (§7): d = xq − clamp(xq, ±hybridMax) of x [M, Kpad] as int8, and the count of
/// nonzero d added to *nonzero (when given).
__global__ void hybridResidualKernel(const int16_t *xq, int64_t count, int32_t hybridMax,
                                     int8_t *residual, unsigned long long *nonzero) {
  unsigned long long found = 0;
  for (int64_t at = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; at < count;
       at += int64_t(gridDim.x) * blockDim.x) {
    const int v = xq[at];
    const int d = v - max(-hybridMax, min(hybridMax, v));
    residual[at] = static_cast<int8_t>(d);
    found += d != 0;
  }
  if (nonzero)
    addWarpCount(found, nonzero);
}

/// One CTA: rows [32·blockIdx.x, +32) and columns [ctaCols·blockIdx.y, +ctaCols), row blocks
/// [blocksPerSplit·blockIdx.z, +blocksPerSplit) (all of them without a split). Two CTAs per
/// SM: the noisy variant would otherwise take 187 registers and run one CTA per SM (on the
/// H200, a noisy 4096^3 layer went from 350 ms to 226 ms; docs/benchmarks.md).
/// `FloatLevels`: programming noise (CimCallView::floatLevels), the partial sums from fp64
/// MMAs over chip.floatLevels (the wide layout only, a Noisy or NoisyFull mode).
template <ProductMode Mode, bool Narrow, bool OddColumns = false, bool FloatLevels = false>
__global__ void __launch_bounds__(kThreads, 2) cimProductKernel(const ProductArgs args) {
  constexpr bool Exact = Mode == ProductMode::Exact, Fast = Mode == ProductMode::FastFull;
  static_assert(!FloatLevels ||
                    (!Narrow && (Mode == ProductMode::Noisy || Mode == ProductMode::NoisyFull)),
                "float levels: non-integer sums in the wide layout");
  using Acc = typename std::conditional<Mode == ProductMode::Noisy, double, long long>::type;
  const CimChipView &chip = args.chip;
  const CimCallView &call = args.call;
  const int T = call.T, S = chip.S, chunk = args.chunk;
  const int ld = chunk + kRowPad;
  const int64_t K = chip.K, N = chip.N, M = args.M, Kpad = chip.Kpad;
  // Warps side by side over columns, or (narrow layers: ProductArgs::rowGroups) stacked in
  // groups of 32 rows: warp w takes rows rowBase.. of the CTA and columns warpCol...
  // (Narrow: rowGroups > 1 at run time; else the wide layout's constants, whose code keeps the
  // registers of the layout alone.)
  const int rowGroups = Narrow ? args.rowGroups : 1;
  const int rowsPerCta = kRowsPerCta * rowGroups;
  const int colWarps = kThreads / 32 / rowGroups;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * rowsPerCta;
  const int64_t n0 = static_cast<int64_t>(blockIdx.y) * args.ctaCols;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, q = lane % 4;
  const int rowBase = warp / colWarps * kRowsPerCta;
  const bool readNoise = !Exact && call.sigmaRead > 0.0;
  const bool adcNoise = !Exact && call.sigmaAdcLsb > 0.0;
  const bool dynamic = call.adc == AdcKind::Dynamic;
  unsigned long long skipped = 0; // `dynamic`: this thread's count of conversions not made
  // §7: the crossbar sees l = clamp(xq, ±hybridMax) (hybrid inputs), else xq.
  const int32_t hybridMax = call.hybridMax;
  auto analogMagnitude = [hybridMax](int v) {
    const int magnitude = abs(v);
    return hybridMax ? min(magnitude, hybridMax) : magnitude;
  };

  extern __shared__ __align__(16) unsigned char shared[];
  const int wRows = Narrow ? args.stagedCols() : kColsPerCta; // staged weight columns
  // The input slices staged at a time: all T, or (ProductArgs::oneSlice) the pair's own.
  const int stagedSlices = (Narrow || FloatLevels) && args.oneSlice ? 1 : T;
  int8_t *sU = reinterpret_cast<int8_t *>(shared); // [stagedSlices][rowsPerCta][ld]
  int8_t *sW = sU + static_cast<size_t>(stagedSlices) * rowsPerCta * ld; // [wRows][ld]
  // FloatLevels stages float32 levels in sW's place: [wRows][ldFloat].
  const int ldFloat = chunk + kFloatRowPad;
  float *sWFloat = reinterpret_cast<float *>(sW);
  long long *sSumSq = reinterpret_cast<long long *>(
      sW + (FloatLevels ? wRows * ldFloat * static_cast<int>(sizeof(float)) : wRows * ld));
  // [T][rowsPerCta]
  unsigned long long *sFs = reinterpret_cast<unsigned long long *>(
      sSumSq + T * rowsPerCta); // [rowsPerCta][blocksPerCta] (`dynamic`: rowGroups 1)
  uint2 *sFresh = reinterpret_cast<uint2 *>(sFs + rowsPerCta * args.blocksPerCta); // [rowsPerCta]
  // FastFull keeps each row's read-noise deviation for r_j = 1 in sSumSq's place instead.
  double *sSdUnit = reinterpret_cast<double *>(sSumSq);
  if (!Exact)
    for (int rowInCta = threadIdx.x; rowInCta < rowsPerCta; rowInCta += kThreads)
      sFresh[rowInCta] = freshRow(call, m0 + rowInCta);

  // This thread's outputs: element e of tile (mt, nt) is row mt·16 + g + 8·(e / 2), column
  // 16·warp + 8·nt + 2·q + e % 2 (the m16n8 accumulator layout).
  const int warpCol = warp % colWarps * kColsPerWarp;
  // A warp with no output column (past the CTA's or past N) stages with the others but computes
  // nothing: for N = 32 six of the wide layout's eight warps would run the products and the
  // noisy epilogue for dropped columns.
  const bool warpActive = warpCol < args.ctaCols && n0 + warpCol < N;
  Acc acc[2][2][4];
  fillTile(acc, Acc(0));
  // A warp's 16 columns in one column block: the dynamic maxima reduce over the quad first.
  const int64_t colsPerBlock = call.colsPerBlock;
  const bool warpOneBlock =
      (n0 + warpCol) / colsPerBlock == (n0 + warpCol + kColsPerWarp - 1) / colsPerBlock &&
      warpCol + kColsPerWarp <= args.ctaCols;
  // Per column of this thread (nt, e): whether it is an output of this CTA, and its column
  // block within the CTA (0 past the CTA's columns). Worked out once: the loops below divide
  // nothing.
  bool colValid[2][2];
  int colBlock[2][2];
#pragma unroll
  for (int nt = 0; nt < 2; ++nt)
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      const int col = warpCol + nt * 8 + 2 * q + e;
      colValid[nt][e] = col < args.ctaCols && n0 + col < N;
      colBlock[nt][e] =
          col < args.ctaCols ? static_cast<int>((n0 + col) / colsPerBlock - n0 / colsPerBlock) : 0;
    }
  const int warpBlock = static_cast<int>((n0 + warpCol) / colsPerBlock - n0 / colsPerBlock);

  const int64_t rFirst = static_cast<int64_t>(blockIdx.z) * args.blocksPerSplit;
  const int64_t rEnd = min(args.rowBlocks, rFirst + args.blocksPerSplit);
  for (int64_t r = rFirst; r < rEnd; ++r) {
    const int64_t kb0 = r * call.rows, kb1 = min(K, kb0 + call.rows);
    const int chunks = static_cast<int>((kb1 - kb0 + chunk - 1) / chunk);
    if (readNoise) {
      // sum_k u_i[m,k]^2 over the row block, per (i, row): the read-noise variance (§4).
      __syncthreads();
      for (int rowInCta = warp; rowInCta < rowsPerCta; rowInCta += kThreads / 32) {
        const int64_t m = m0 + rowInCta;
        long long sums[kMaxSlices];
#pragma unroll
        for (int i = 0; i < kMaxSlices; ++i)
          sums[i] = 0;
        if (m < M)
          for (int64_t k = kb0 + lane; k < kb1; k += 32) {
            const int mag = analogMagnitude(args.xq[m * chip.Kpad + k]);
#pragma unroll
            for (int i = 0; i < kMaxSlices; ++i)
              if (i < T) {
                const long long u = (mag >> call.offsets[i]) & ((1 << call.widths[i]) - 1);
                sums[i] += u * u;
              }
          }
#pragma unroll
        for (int i = 0; i < kMaxSlices; ++i)
          if (i < T) {
            long long s = sums[i];
            for (int offset = 16; offset > 0; offset /= 2)
              s += __shfl_xor_sync(0xffffffffu, s, offset);
            if (lane == 0) {
              if (Fast)
                sSdUnit[i * rowsPerCta + rowInCta] =
                    cim::readNoiseDeviation(s, call.sigmaRead, 1.0);
              else
                sSumSq[i * rowsPerCta + rowInCta] = s;
            }
          }
      }
    }
    int stagedU = -1;     // chunk of row block r whose slices are in sU
    int stagedSlice = -1; // and which slice, when one is staged at a time
    int stagedWChunk = -1, stagedWSlice = -1;
    // The slice pairs: input slices inner (the weight slice staged once for all of them), or
    // with one input slice staged at a time, weight slices inner (a narrow layer's few weight
    // columns are cheaper to restage than its many input rows). Not in Noisy mode: its double
    // sums must add the pairs in one order whatever the layout, so that the output bits do not
    // depend on the batch size (the input slice is restaged for each pair instead). Integer
    // sums are exact in any order.
    constexpr bool Noisy = Mode == ProductMode::Noisy;
    const bool sliceOuter = !Noisy && stagedSlices == 1;
    for (int pairIndex = 0; pairIndex < T * S; ++pairIndex) {
      const int i = sliceOuter ? pairIndex / S : pairIndex % T;
      const int j = sliceOuter ? pairIndex % S : pairIndex / T;
      int P[2][2][4];
      fillTile(P, 0);
      double Pf[2][2][4]; // FloatLevels' partial sums, in P's layout
      fillTile(Pf, 0.0);
      for (int c = 0; c < chunks; ++c) {
        const int64_t k0 = kb0 + static_cast<int64_t>(c) * chunk;
        const int64_t k1 = min(kb1, k0 + chunk);
        const bool needU = stagedU != c || (stagedSlices == 1 && stagedSlice != i);
        const bool needW = stagedWChunk != c || stagedWSlice != j;
        if (needU || needW)
          __syncthreads(); // every warp is done with what is staged now
        if (needU) {
          // u_i = sign(l)·((|l| >> o_i) & (2^{a_i} - 1)) of the CTA's rows, 4 k at a time.
          const int quads = rowsPerCta * chunk / 4;
          for (int idx = threadIdx.x; idx < quads; idx += kThreads) {
            const int rowInCta = idx / (chunk / 4);
            const int kk = (idx % (chunk / 4)) * 4;
            const int64_t m = m0 + rowInCta;
            int l[4] = {0, 0, 0, 0};
            if (m < M && k0 + kk < k1) {
              const int16_t *src = args.xq + m * chip.Kpad + k0 + kk;
              if ((k0 & 3) == 0) { // 8-byte aligned: xq rows are Kpad (a multiple of 16) long
                const short4 v = *reinterpret_cast<const short4 *>(src);
                l[0] = v.x;
                l[1] = v.y;
                l[2] = v.z;
                l[3] = v.w;
              } else {
#pragma unroll
                for (int e = 0; e < 4; ++e)
                  l[e] = k0 + kk + e < Kpad ? src[e] : 0;
              }
#pragma unroll
              for (int e = 0; e < 4; ++e)
                if (k0 + kk + e >= k1)
                  l[e] = 0;
                else if (hybridMax)
                  l[e] = max(-hybridMax, min(hybridMax, l[e]));
            }
            const int firstSlice = stagedSlices == 1 ? i : 0;
            for (int i2 = firstSlice; i2 < firstSlice + stagedSlices; ++i2) {
              const int mask = (1 << call.widths[i2]) - 1;
              uint32_t word = 0;
#pragma unroll
              for (int e = 0; e < 4; ++e) {
                const int mag = (abs(l[e]) >> call.offsets[i2]) & mask;
                const int u = l[e] < 0 ? -mag : mag;
                word |= (static_cast<uint32_t>(u) & 0xffu) << (8 * e);
              }
              *reinterpret_cast<uint32_t *>(
                  sU + (static_cast<size_t>(i2 - firstSlice) * rowsPerCta + rowInCta) * ld + kk) =
                  word;
            }
          }
          stagedU = c;
          stagedSlice = i;
        }
        if (needW && FloatLevels) {
          // The float levels of columns [n0, n0 + ctaCols) and rows [k0, k1), zero elsewhere.
          const float *levels = chip.floatLevels + static_cast<size_t>(j) * N * chip.Kpad;
          const bool aligned = (k0 % 4) == 0;
          const int vectors = wRows * chunk / 4;
          for (int idx = threadIdx.x; idx < vectors; idx += kThreads) {
            const int col = idx / (chunk / 4);
            const int kk = (idx % (chunk / 4)) * 4;
            const int64_t n = n0 + col;
            float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (col < args.ctaCols && n < N && k0 + kk < k1) {
              const float *src = levels + n * chip.Kpad + k0 + kk;
              if (aligned && k0 + kk + 4 <= k1) {
                v = *reinterpret_cast<const float4 *>(src);
              } else {
                float f[4];
#pragma unroll
                for (int e = 0; e < 4; ++e)
                  f[e] = k0 + kk + e < k1 ? src[e] : 0.0f;
                v = make_float4(f[0], f[1], f[2], f[3]);
              }
            }
            *reinterpret_cast<float4 *>(sWFloat + static_cast<size_t>(col) * ldFloat + kk) = v;
          }
          stagedWChunk = c;
          stagedWSlice = j;
        } else if (needW) {
          // L~+_j - L~-_j of columns [n0, n0 + ctaCols) and rows [k0, k1), zero elsewhere.
          const int8_t *levels = chip.levels + static_cast<size_t>(j) * N * chip.Kpad;
          const bool aligned = (k0 % 16) == 0;
          const int vectors = wRows * chunk / 16;
          for (int idx = threadIdx.x; idx < vectors; idx += kThreads) {
            const int col = idx / (chunk / 16);
            const int kk = (idx % (chunk / 16)) * 16;
            const int64_t n = n0 + col;
            uint4 v = make_uint4(0, 0, 0, 0);
            if (col < args.ctaCols && n < N && k0 + kk < k1) {
              const int8_t *src = levels + n * chip.Kpad + k0 + kk;
              unsigned char bytes[16];
              if (aligned && k0 + kk + 16 <= k1) {
                v = *reinterpret_cast<const uint4 *>(src);
              } else {
#pragma unroll
                for (int e = 0; e < 16; ++e)
                  bytes[e] = k0 + kk + e < k1 ? static_cast<unsigned char>(src[e]) : 0;
                v = *reinterpret_cast<const uint4 *>(bytes);
              }
            }
            *reinterpret_cast<uint4 *>(sW + static_cast<size_t>(col) * ld + kk) = v;
          }
          stagedWChunk = c;
          stagedWSlice = j;
        }
        if (needU || needW)
          __syncthreads();
        if (FloatLevels && warpActive) {
          // m8n8k4 fp64 MMAs: lane (g, q) gives rows and columns g of each 8x8 tile at k
          // 16·ks + 4q + s in step s (any k order gives the sum; this one reads 4 k at once).
          const int8_t *a =
              sU + (static_cast<size_t>(stagedSlices == 1 ? 0 : i) * rowsPerCta + rowBase) * ld;
          const float *b = sWFloat + static_cast<size_t>(warpCol) * ldFloat;
          const int steps = static_cast<int>((k1 - k0 + 15) / 16);
          for (int ks = 0; ks < steps; ++ks) {
            const int kk = ks * 16 + 4 * q;
            uint32_t u4[2][2]; // [mt][half]: u_i of row mt·16 + 8·half + g at k kk..kk+3
            float4 w4[2];      // [nt]: the levels of column 8·nt + g
#pragma unroll
            for (int mt = 0; mt < 2; ++mt)
#pragma unroll
              for (int half = 0; half < 2; ++half)
                u4[mt][half] =
                    *reinterpret_cast<const uint32_t *>(a + (mt * 16 + 8 * half + g) * ld + kk);
#pragma unroll
            for (int nt = 0; nt < 2; ++nt)
              w4[nt] = *reinterpret_cast<const float4 *>(b + (nt * 8 + g) * ldFloat + kk);
#pragma unroll
            for (int step = 0; step < 4; ++step) {
              double wv[2];
#pragma unroll
              for (int nt = 0; nt < 2; ++nt)
                wv[nt] = static_cast<double>(step == 0   ? w4[nt].x
                                             : step == 1 ? w4[nt].y
                                             : step == 2 ? w4[nt].z
                                                         : w4[nt].w);
#pragma unroll
              for (int mt = 0; mt < 2; ++mt)
#pragma unroll
                for (int half = 0; half < 2; ++half) {
                  const double uv = smallIntToDouble(
                      static_cast<int8_t>(static_cast<uint8_t>(u4[mt][half] >> (8 * step))));
#pragma unroll
                  for (int nt = 0; nt < 2; ++nt)
                    mmaF64(Pf[mt][nt][2 * half], Pf[mt][nt][2 * half + 1], uv, wv[nt]);
                }
            }
          }
        } else if (warpActive) {
          const int8_t *a =
              sU + (static_cast<size_t>(stagedSlices == 1 ? 0 : i) * rowsPerCta + rowBase) * ld;
          const int steps = static_cast<int>((k1 - k0 + 31) / 32);
#pragma unroll 2
          for (int ks = 0; ks < steps; ++ks) {
            uint32_t fa[2][4], fb[2][2];
            loadRowFragments(fa, a, ld, ks * 32, lane);
            loadColumnFragments(fb, sW + warpCol * ld, ld, ks * 32, lane);
            eachTile([&](int mt, int nt) { mmaS8(P[mt][nt], fa[mt], fb[nt]); });
          }
        }
      }

      // §4 read noise and §5 ADC of pair (i, j) of row block r, then §6's sum.
      const int shift = call.offsets[i] + chip.offsets[j];
      const int32_t qA = call.qmaxAdc;
      const int pair = i * S + j;
      if (Exact && call.adc == AdcKind::Ideal) {
        eachElement([&](int mt, int nt, int e) {
          acc[mt][nt][e] += static_cast<long long>(P[mt][nt][e]) * (1ll << shift);
        });
        continue;
      }
      if (Exact && call.adc == AdcKind::Full && call.narrowAdc && call.smallAdc) {
        // The common exact `full` pair: one FS, codes by smallCode alone. The general loop below
        // branched on the ADC's mode and FS for every output, about 30 instructions each, half
        // of a narrow convolution's time (ncu on the Fashion CNN's conv1, docs/benchmarks.md).
        const int32_t fs = static_cast<int32_t>(call.fullScales[(r * T + i) * S + j]);
        if (!warpActive || fs == 0)
          continue;
        const float ratio = static_cast<float>(qA) / static_cast<float>(fs);
        const int32_t step = fs << shift;
        eachElement([&](int mt, int nt, int e) {
          const int32_t code =
              max(-qA, min(qA, smallCode(P[mt][nt][e], ratio, fs, 2 * fs, 2 * qA)));
          acc[mt][nt][e] += static_cast<long long>(code) * step;
        });
        continue;
      }
      if constexpr (Fast) {
        // §4–§5 in float32 (fastNoisyCode): integer codes, summed exactly as in Exact mode.
        const int32_t fs = static_cast<int32_t>(call.fullScales[(r * T + i) * S + j]);
        if (!warpActive || fs == 0)
          continue;
        const float ratio = static_cast<float>(qA) / static_cast<float>(fs);
        const float fsFloat = static_cast<float>(fs), invFs = 1.0f / fsFloat;
        // sd / Δ = sd(r_j = 1)·r_j·qmax_a / FS.
        const float sdScale =
            static_cast<float>(static_cast<double>((1 << chip.widths[j]) - 1) * qA / fs);
        const int32_t step = fs << shift;
        eachRow(lane, [&](int mt, int half, int rowInWarp) {
          const int rowInCta = rowBase + rowInWarp;
          const float sdCodes =
              readNoise ? static_cast<float>(sSdUnit[i * rowsPerCta + rowInCta]) * sdScale : 0.0f;
          float noise[2][2];
          fastRowNoise(call, sFresh[rowInCta], r, i, j, sdCodes, n0 + warpCol, lane, noise);
#pragma unroll
          for (int nt = 0; nt < 2; ++nt)
#pragma unroll
            for (int e = 0; e < 2; ++e) {
              const int idx = 2 * half + e;
              const int32_t code =
                  fastNoisyCode(P[mt][nt][idx], noise[nt][e], ratio, fs, fsFloat, invFs, qA);
              acc[mt][nt][idx] += static_cast<long long>(code) * step;
            }
        });
        continue;
      }
      // The partial sums of a row as the ADC sees them, pr[nt][e]: P plus its read noise. Worked
      // out where it is used (twice in `dynamic` mode: the same draws), so that no tile of
      // doubles stays live across the pair (it spilled).
      const double cellRange = static_cast<double>((1 << chip.widths[j]) - 1);
      // A `dynamic` CTA of an odd number of columns (OddColumns): a warp may start at an odd
      // column, where pairs of words are not a thread's two columns.
      const bool oddColumns = OddColumns && (n0 + warpCol) % 2 != 0;
      const uint32_t readWord = cim::philox::freshDrawWord(0, static_cast<uint32_t>(r), i, j);
      auto noisyRow = [&](int mt, int half, int rowInCta, double(&pr)[2][2]) {
        double sd = 0.0;
        if (readNoise && m0 + rowInCta < M) {
          const long long ss = sSumSq[i * rowsPerCta + rowInCta];
          if (ss != 0)
            sd = cim::readNoiseDeviation(ss, call.sigmaRead, cellRange);
        }
        uint32_t w[2][2] = {};
        if (readNoise && !oddColumns)
          freshWords(call, sFresh[rowInCta], readWord, n0 + warpCol, lane, w);
#pragma unroll
        for (int nt = 0; nt < 2; ++nt) {
          double z[2] = {0.0, 0.0};
          if (sd != 0.0)
            columnNormals<OddColumns>(call, sFresh[rowInCta], readWord, n0 + warpCol, lane, nt, w,
                                      z);
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            pr[nt][e] = FloatLevels ? Pf[mt][nt][2 * half + e]
                                    : static_cast<double>(P[mt][nt][2 * half + e]);
            if (sd != 0.0)
              pr[nt][e] = pr[nt][e] + sd * z[e];
          }
        }
      };
      if (!Exact && call.adc == AdcKind::Ideal) {
        if (!warpActive)
          continue;
        const double weight = static_cast<double>(1ll << shift);
        eachRow(lane, [&](int mt, int half, int rowInWarp) {
          double pr[2][2];
          noisyRow(mt, half, rowBase + rowInWarp, pr);
#pragma unroll
          for (int nt = 0; nt < 2; ++nt)
#pragma unroll
            for (int e = 0; e < 2; ++e)
              acc[mt][nt][2 * half + e] += pr[nt][e] * weight;
        });
        continue;
      }
      // `dynamic`: FS = max |P| over the outputs of the column block, per row (§5).
      if (dynamic) {
        __syncthreads(); // the previous pair's maxima are read
        for (int idx = threadIdx.x; idx < kRowsPerCta * args.blocksPerCta; idx += kThreads)
          sFs[idx] = 0;
        __syncthreads();
        if (warpActive)
#pragma unroll
          for (int mt = 0; mt < 2; ++mt)
#pragma unroll
            for (int half = 0; half < 2; ++half) {
              const int rowInCta = mt * 16 + g + 8 * half;
              unsigned long long best = 0;
              double pr[2][2];
              if (!Exact)
                noisyRow(mt, half, rowInCta, pr);
#pragma unroll
              for (int nt = 0; nt < 2; ++nt)
#pragma unroll
                for (int e = 0; e < 2; ++e) {
                  unsigned long long mag;
                  if (Exact)
                    mag = static_cast<unsigned long long>(abs(P[mt][nt][2 * half + e]));
                  else
                    mag = static_cast<unsigned long long>(__double_as_longlong(fabs(pr[nt][e])));
                  if (!colValid[nt][e])
                    continue;
                  if (warpOneBlock)
                    best = max(best, mag);
                  else
                    atomicMax(&sFs[rowInCta * args.blocksPerCta + colBlock[nt][e]], mag);
                }
              if (warpOneBlock) {
                best = max(best, __shfl_xor_sync(0xffffffffu, best, 1));
                best = max(best, __shfl_xor_sync(0xffffffffu, best, 2));
                if (q == 0)
                  atomicMax(&sFs[rowInCta * args.blocksPerCta + warpBlock], best);
              }
            }
        __syncthreads();
        // A read whose FS is 0 converts nothing (§5: its codes are 0); rows past M are not
        // counted, nor columns past N.
        if (call.counters)
          for (int idx = threadIdx.x; idx < kRowsPerCta * args.blocksPerCta; idx += kThreads) {
            const int64_t first = n0 + static_cast<int64_t>(idx % args.blocksPerCta) * colsPerBlock;
            if (m0 + idx / args.blocksPerCta < M && first < N && sFs[idx] == 0)
              skipped += static_cast<unsigned long long>(min(colsPerBlock, N - first));
          }
      }
      const int64_t fullFs = call.adc == AdcKind::Full ? call.fullScales[(r * T + i) * S + j] : 0;
      if (!warpActive)
        continue;
      // What depends on FS alone is worked out when FS changes: once per pair in `full` and
      // `calibrated` mode, once per row and column block in `dynamic`.
      int64_t cachedFs = -1;
      float ratio = 0.0f; // qmax_a / FS, the code's float estimate
      double cachedFsDouble = -1.0, delta = 0.0, invDelta = 0.0;
      const double weight = static_cast<double>(1ll << shift), limit = static_cast<double>(qA);
      const uint32_t adcWord = cim::philox::freshDrawWord(1, static_cast<uint32_t>(r), i, j);
#pragma unroll
      for (int mt = 0; mt < 2; ++mt)
#pragma unroll
        for (int half = 0; half < 2; ++half) {
          const int rowInCta = rowBase + mt * 16 + g + 8 * half;
          double pr[2][2];
          if (!Exact)
            noisyRow(mt, half, rowInCta, pr);
          uint32_t wa[2][2] = {};
          if (adcNoise && !oddColumns)
            freshWords(call, sFresh[rowInCta], adcWord, n0 + warpCol, lane, wa);
#pragma unroll
          for (int nt = 0; nt < 2; ++nt) {
            double za[2] = {0.0, 0.0};
            if (adcNoise)
              columnNormals<OddColumns>(call, sFresh[rowInCta], adcWord, n0 + warpCol, lane, nt, wa,
                                        za);
#pragma unroll
            for (int e = 0; e < 2; ++e) {
              // Columns past the CTA's (whose results are not written) read block 0.
              const int block = colBlock[nt][e];
              const int idx = 2 * half + e;
              if (Exact) {
                const int64_t fs =
                    dynamic ? static_cast<int64_t>(sFs[rowInCta * args.blocksPerCta + block])
                            : fullFs;
                if (fs != cachedFs) {
                  cachedFs = fs;
                  ratio = fs > 0 ? static_cast<float>(qA) / static_cast<float>(fs) : 0.0f;
                }
                if (fs > 0) {
                  if (call.narrowAdc) {
                    const int32_t fs32 = static_cast<int32_t>(fs);
                    const int32_t code =
                        call.smallAdc
                            ? max(-qA,
                                  min(qA, smallCode(P[mt][nt][idx], ratio, fs32, 2 * fs32, 2 * qA)))
                            : exactCode<false>(P[mt][nt][idx], fs32, ratio, qA);
                    acc[mt][nt][idx] += static_cast<long long>(code) * (fs32 << shift);
                  } else {
                    const int32_t code = exactCode<true>(P[mt][nt][idx], fs, ratio, qA);
                    acc[mt][nt][idx] += static_cast<long long>(code) * fs * (1ll << shift);
                  }
                }
              } else {
                double fs = call.adc == AdcKind::Calibrated
                                ? static_cast<double>(call.calibratedFullScales[pair])
                                : static_cast<double>(fullFs);
                if (dynamic)
                  fs = __longlong_as_double(
                      static_cast<long long>(sFs[rowInCta * args.blocksPerCta + block]));
                if (fs != cachedFsDouble) {
                  cachedFsDouble = fs;
                  delta = fs / qA;
                  invDelta = 1.0 / delta;
                }
                if (fs > 0.0) {
                  const double code =
                      noisyCode(pr[nt][e], adcNoise ? call.sigmaAdcLsb * delta * za[e] : 0.0, delta,
                                invDelta, limit);
                  if constexpr (Mode == ProductMode::NoisyFull) // the integer FS: exact, as the CPU
                    acc[mt][nt][idx] += static_cast<long long>(code) * fullFs *
                                        (static_cast<long long>(1) << shift);
                  else
                    acc[mt][nt][idx] += (delta * code) * weight;
                }
              }
            }
          }
        }
    }
  }

  if (dynamic && call.counters)
    addWarpCount(skipped, &call.counters->skippedConversions);
  if (!warpActive)
    return;
  if constexpr (Mode != ProductMode::Noisy) // (double sums are never split: splitRowBlocks)
    if (args.splits > 1) {
      // This CTA's share of the sums, for splitSumKernel: [split][M][N].
      long long *partial = static_cast<long long *>(args.partials) + blockIdx.z * M * N;
      eachElement([&](int mt, int nt, int e) {
        const int64_t m = m0 + rowBase + mt * 16 + g + 8 * (e / 2);
        const int col = warpCol + nt * 8 + 2 * q + e % 2;
        if (m < M && col < args.ctaCols && n0 + col < N)
          partial[m * N + n0 + col] = acc[mt][nt][e];
      });
      return;
    }
  // §6: y = fl32(s_x·s_w) · fl32(sum).
  writeOutputs(args, acc, m0 + rowBase, n0, warpCol, lane, [&](Acc v, int64_t m, int64_t n) {
    return finalSum<Mode>(call, v, digitalPart(args, m, n));
  });
}

/// §6 for a call whose row blocks were split over CTAs (integer sums only): each output's int64
/// partial sums added (exactly), then y = fl32(s_x·s_w)·fl32(sum) as writeOutputs does.
template <ProductMode Mode> __global__ void splitSumKernel(const ProductArgs args) {
  const int64_t N = args.chip.N, total = args.M * N;
  const long long *partials = static_cast<const long long *>(args.partials);
  for (int64_t at = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; at < total;
       at += int64_t(gridDim.x) * blockDim.x) {
    const int64_t m = at / N, n = at % N;
    long long sum = partials[at];
    for (int split = 1; split < args.splits; ++split)
      sum += partials[split * total + at];
    const float scale = __fmul_rn(args.rowScales[m], args.chip.weightScales[n]);
    args.y[at] = args.rowFinite[m] != 0
                     ? __fmul_rn(scale, finalSum<Mode>(args.call, sum, digitalPart(args, m, n)))
                     : __int_as_float(0x7fc00000);
  }
}

} // namespace

void cimLinear(const float *x, int64_t M, const CimChipView &chip, const CimCallView &call,
               const CimScratch &scratch, float *y, cudaStream_t stream, Blas *blas) {
  if (M == 0 || chip.N == 0)
    return;
  if (chip.K == 0) {
    check(cudaMemsetAsync(y, 0, static_cast<size_t>(M * chip.N) * sizeof(float), stream),
          "clearing an empty product");
    return;
  }
  const ClipRank clip{call.clipLower, call.clipFraction};
  if (call.layerNormScale) // the rows the LayerNormalization step would give, never written
    quantizeRowsOf(
        NormalizedRows{x, chip.K, call.layerNormScale, call.layerNormBias, call.layerNormEpsilon},
        M, chip.K, chip.Kpad, call.qmaxInput, call.staticScale, call.staticScaleValue, clip,
        scratch.xq, scratch.rowScales, scratch.rowFinite, stream);
  else
    quantizeRows(x, M, chip.K, chip.Kpad, call.qmaxInput, call.staticScale, call.staticScaleValue,
                 clip, scratch.xq, scratch.rowScales, scratch.rowFinite, stream);
  checkLaunch("cim quantizeInputs");
  if (call.counters) {
    const int64_t count = M * chip.Kpad;
    activeDigitsKernel<<<static_cast<unsigned>(std::min<int64_t>((count + 255) / 256, 4096)), 256,
                         0, stream>>>(scratch.xq, count, call, &call.counters->activeInputDigits);
    checkLaunch("cim active input digits");
  }

  ProductArgs args = productArgs(M, chip, call);
  args.xq = scratch.xq;
  args.rowScales = scratch.rowScales;
  args.rowFinite = scratch.rowFinite;
  args.partials = scratch.partials;
  args.y = y;
  if (call.hybridMax > 0) {
    // §7's digital part: d = xq − clamp(xq) and the exact d·Wq, before the analog part.
    if (!blas || !scratch.residual || !scratch.digital || !chip.weightsT)
      throw Error("internal: a hybrid CIM call without its GEMM, scratch or weights");
    if (blas->stream() != stream) // the product kernel reads d·Wq in stream order
      throw Error("internal: a hybrid CIM call's GEMM runs on another stream");
    const int64_t count = M * chip.Kpad;
    hybridResidualKernel<<<static_cast<unsigned>(std::min<int64_t>((count + 255) / 256, 4096)), 256,
                           0, stream>>>(scratch.xq, count, call.hybridMax, scratch.residual,
                                        call.counters ? &call.counters->digitalNonzero : nullptr);
    checkLaunch("cim hybrid residual");
    int8Gemm(*blas, scratch.residual, chip.weightsT, M, digitalLd(chip), chip.Kpad, scratch.digital,
             "a hybrid CIM layer's digital part");
    args.digital = scratch.digital;
    args.digitalLd = digitalLd(chip);
  }
  if (call.bitPlanes) {
    launchBitPlaneProduct(args, stream);
    return;
  }
  layOut(args);
  if (args.splits > 1 && !args.partials)
    throw Error("internal: cimLinear's scratch has no room for the split row blocks' sums");
  const size_t shared = productSharedBytes(args);
  const int64_t rowsPerCta = static_cast<int64_t>(kRowsPerCta) * args.rowGroups;
  const dim3 grid(static_cast<unsigned>((M + rowsPerCta - 1) / rowsPerCta),
                  static_cast<unsigned>((chip.N + args.ctaCols - 1) / args.ctaCols),
                  static_cast<unsigned>(args.splits));
  auto launch = [&](auto kernel) {
    check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(shared)),
          "sizing the CIM kernel's shared memory");
    kernel<<<grid, kThreads, shared, stream>>>(args);
  };
  const bool narrow = args.rowGroups > 1;
  // Only Noisy `dynamic` CTAs can have an odd number of columns (whole column blocks).
  const bool oddColumns = args.ctaCols % 2 != 0 && !call.integerSums();
  // Float levels take the wide layout (layOutColumns) and double codes (never exact()).
  auto launchMode = [&](auto mode, auto floatLevels) {
    constexpr ProductMode Mode = decltype(mode)::value;
    constexpr bool Float = decltype(floatLevels)::value;
    if (Mode == ProductMode::Noisy && oddColumns) // (never narrow: `dynamic`)
      launch(cimProductKernel<ProductMode::Noisy, false, true, Float>);
    else if (narrow) {
      if constexpr (Float)
        throw Error("internal: float levels in a narrow layout"); // (layOutColumns: never)
      else
        launch(cimProductKernel<Mode, true>);
    } else
      launch(cimProductKernel<Mode, false, false, Float>);
    if constexpr (Mode != ProductMode::Noisy)
      if (args.splits > 1) {
        checkLaunch("cim product");
        const int64_t outputs = M * chip.N;
        splitSumKernel<Mode>
            <<<static_cast<unsigned>(std::min<int64_t>((outputs + 255) / 256, 4096)), 256, 0,
               stream>>>(args);
      }
  };
  using Integer = std::false_type;
  using Float = std::true_type;
  if (call.exact())
    launchMode(std::integral_constant<ProductMode, ProductMode::Exact>(), Integer());
  else if (call.fastAdc())
    launchMode(std::integral_constant<ProductMode, ProductMode::FastFull>(), Integer());
  else if (call.integerSums() && call.floatLevels)
    launchMode(std::integral_constant<ProductMode, ProductMode::NoisyFull>(), Float());
  else if (call.integerSums())
    launchMode(std::integral_constant<ProductMode, ProductMode::NoisyFull>(), Integer());
  else if (call.floatLevels)
    launchMode(std::integral_constant<ProductMode, ProductMode::Noisy>(), Float());
  else
    launchMode(std::integral_constant<ProductMode, ProductMode::Noisy>(), Integer());
  checkLaunch("cim product");
}

} // namespace cimlir::cuda
