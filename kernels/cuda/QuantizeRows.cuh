// cimlir CUDA kernels: §3's per-row input quantization on the GPU, shared by the CIM layer
// (int16 levels) and the int8 digital layer (int8 levels): s_x = clip / qmax (a clip of 0 gives
// 1) or a static scale, xq = clamp(rint(x / s_x), ±qmax), both in IEEE float32 exactly as
// kernels/cim/Quantization.h does on the host. The clip is max |x[m,:]|, or with an input clip
// percentile below 100 the percentile of §1 between two order statistics of |x[m,:]|, which a
// radix select finds. A row holding a NaN or an infinity gets finite = 0 and zero levels (its
// outputs are NaN).
#pragma once

#include "kernels/cim/Percentile.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace cimlir::cuda {

constexpr int kQuantizeThreads = 256;

/// Which clip a row's dynamic scale takes: max |x| (lower < 0), or the percentile between the
/// order statistics `lower` and lower + 1 of |x| at fraction g (cim::percentileRank, for
/// lower < K - 1).
struct ClipRank {
  int64_t lower = -1;
  double g = 0.0;
};

/// The rank-th smallest |row[k]| (0-based) over the block: a radix select on the bits of |x|
/// (ordered as the values are, for finite x), eight bits at a time, most significant first.
/// Every thread of the block must call it; `histogram` is 256 counters of shared memory.
template <typename Row>
__device__ float selectMagnitude(const Row &row, int64_t K, int64_t rank, unsigned *histogram) {
  __shared__ uint32_t chosenBin;
  __shared__ long long rankInBin;
  uint32_t prefix = 0, prefixMask = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = threadIdx.x; b < 256; b += blockDim.x)
      histogram[b] = 0;
    __syncthreads();
    for (int64_t k = threadIdx.x; k < K; k += blockDim.x) {
      const uint32_t bits = __float_as_uint(row(k)) & 0x7fffffffu;
      if ((bits & prefixMask) == prefix)
        atomicAdd(&histogram[(bits >> shift) & 0xffu], 1u);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      long long left = rank;
      uint32_t bin = 0;
      while (bin < 255 && left >= histogram[bin])
        left -= histogram[bin++];
      chosenBin = bin;
      rankInBin = left;
    }
    __syncthreads();
    prefix |= chosenBin << shift;
    prefixMask |= 0xffu << shift;
    rank = rankInBin;
    __syncthreads(); // every thread has read them before the next pass writes
  }
  return __uint_as_float(prefix);
}

/// The rows of x [M, K] as they lie in memory (quantizeRowsKernel's `Rows`: row(m) gives a
/// reader of row m's values; LayerNormLine.cuh's NormalizedRows computes them instead).
struct PlainRows {
  static constexpr bool kNeedsBlock = false; ///< row(m) may be called by a warp alone
  const float *x = nullptr;
  int64_t K = 0;

  struct Row {
    const float *v;
    __device__ float operator()(int64_t k) const { return v[k]; }
  };
  __device__ Row row(int64_t m) const { return {x + m * K}; }
};

/// A row of `rows` [M, K] per block of kQuantizeThreads (`WarpRows` false: long rows, rows
/// whose reader takes the block, and the percentile's radix select, which takes the block), or
/// per warp (`WarpRows`: rows of at most kWarpRowLength values, eight to a block; a block per
/// row of 25 values left 231 of its 256 threads idle and took longer than the convolution's
/// product). xq rows are `ldq` long, zero past K.
template <typename Level, bool WarpRows, typename Rows>
__global__ void quantizeRowsKernel(const Rows rows, int64_t M, int64_t K, int64_t ldq, int32_t qmax,
                                   bool isStatic, float staticScale, ClipRank clip, Level *xq,
                                   float *scales, uint8_t *finite) {
  static_assert(!(WarpRows && Rows::kNeedsBlock), "these rows are read by a block");
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t m =
      WarpRows ? static_cast<int64_t>(blockIdx.x) * (kQuantizeThreads / 32) + warp : blockIdx.x;
  if (WarpRows && m >= M)
    return; // (a whole warp: no barrier below in this layout)
  const int first = WarpRows ? lane : threadIdx.x, stride = WarpRows ? 32 : blockDim.x;
  const auto row = rows.row(m);
  float maxAbs = 0.0f;
  int bad = 0;
  for (int64_t k = first; k < K; k += stride) {
    const float v = row(k);
    bad |= !isfinite(v);
    maxAbs = fmaxf(maxAbs, fabsf(v));
  }
  for (int offset = 16; offset > 0; offset /= 2) {
    maxAbs = fmaxf(maxAbs, __shfl_xor_sync(0xffffffffu, maxAbs, offset));
    bad |= __shfl_xor_sync(0xffffffffu, bad, offset);
  }
  float clipValue = maxAbs;
  if constexpr (!WarpRows) {
    __shared__ float warpMax[32];
    __shared__ int warpBad[32];
    if (lane == 0) {
      warpMax[warp] = maxAbs;
      warpBad[warp] = bad;
    }
    __syncthreads();
    if (warp == 0) {
      const int warps = blockDim.x / 32;
      maxAbs = lane < warps ? warpMax[lane] : 0.0f;
      bad = lane < warps ? warpBad[lane] : 0;
      for (int offset = 16; offset > 0; offset /= 2) {
        maxAbs = fmaxf(maxAbs, __shfl_xor_sync(0xffffffffu, maxAbs, offset));
        bad |= __shfl_xor_sync(0xffffffffu, bad, offset);
      }
      if (lane == 0) {
        warpMax[0] = maxAbs;
        warpBad[0] = bad;
      }
    }
    __syncthreads();
    bad = warpBad[0];
    clipValue = warpMax[0];
    if (!isStatic && !bad && clip.lower >= 0) {
      // clipValue (Quantization.h): the percentile between two order statistics of |x|.
      __shared__ unsigned histogram[256];
      const float lower = selectMagnitude(row, K, clip.lower, histogram);
      const float upper = selectMagnitude(row, K, clip.lower + 1, histogram);
      clipValue = cim::interpolatePercentile(lower, upper, clip.g);
    }
  }
  // symmetricScale (Quantization.h): clip / qmax in IEEE float32, 0 gives 1.
  float s = isStatic ? staticScale : __fdiv_rn(clipValue, static_cast<float>(qmax));
  if (s == 0.0f)
    s = 1.0f;
  if (first == 0) {
    scales[m] = s;
    finite[m] = bad ? 0 : 1;
  }
  const float limit = static_cast<float>(qmax);
  Level *out = xq + m * ldq;
  for (int64_t k = first; k < ldq; k += stride) {
    Level q = 0;
    if (!bad && k < K)
      q = static_cast<Level>(fminf(fmaxf(rintf(__fdiv_rn(row(k), s)), -limit), limit));
    out[k] = q;
  }
}

/// The longest row that one warp quantizes (quantizeRowsKernel's WarpRows layout).
constexpr int64_t kWarpRowLength = 1024;

/// §3 on rows [0, M) of `rows` [M, K] (quantizeRowsKernel), in the layout that suits them: a
/// warp per row for short rows read from memory without a clip percentile, a block per row
/// otherwise.
template <typename Level, typename Rows>
void quantizeRowsOf(const Rows &rows, int64_t M, int64_t K, int64_t ldq, int32_t qmax,
                    bool isStatic, float staticScale, ClipRank clip, Level *xq, float *scales,
                    uint8_t *finite, cudaStream_t stream) {
  if (M == 0)
    return;
  const bool percentile = !isStatic && clip.lower >= 0;
  if constexpr (!Rows::kNeedsBlock) {
    if (!percentile && ldq <= kWarpRowLength) {
      constexpr int64_t rowsPerBlock = kQuantizeThreads / 32;
      quantizeRowsKernel<Level, true>
          <<<static_cast<unsigned>((M + rowsPerBlock - 1) / rowsPerBlock), kQuantizeThreads, 0,
             stream>>>(rows, M, K, ldq, qmax, isStatic, staticScale, clip, xq, scales, finite);
      return;
    }
  }
  quantizeRowsKernel<Level, false><<<static_cast<unsigned>(M), kQuantizeThreads, 0, stream>>>(
      rows, M, K, ldq, qmax, isStatic, staticScale, clip, xq, scales, finite);
}

/// quantizeRowsOf on the rows of x as they lie in memory.
template <typename Level>
void quantizeRows(const float *x, int64_t M, int64_t K, int64_t ldq, int32_t qmax, bool isStatic,
                  float staticScale, ClipRank clip, Level *xq, float *scales, uint8_t *finite,
                  cudaStream_t stream) {
  quantizeRowsOf(PlainRows{x, K}, M, K, ldq, qmax, isStatic, staticScale, clip, xq, scales, finite,
                 stream);
}

} // namespace cimlir::cuda
