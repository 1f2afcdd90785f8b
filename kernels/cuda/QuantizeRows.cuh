// cimlir CUDA kernels: §3's per-row input quantization on the GPU, shared by the CIM layer
// (int16 levels) and the int8 digital layer (int8 levels): s_x = max |x[m,:]| / qmax (a clip of 0
// gives 1) or a static scale, xq = clamp(rint(x / s_x), ±qmax), both in IEEE float32 exactly as
// kernels/cim/Quantization.h does on the host. A row holding a NaN or an infinity gets finite =
// 0 and zero levels (its outputs are NaN).
#pragma once

#include <cstdint>

namespace cimlir::cuda {

constexpr int kQuantizeThreads = 256;

/// One block of kQuantizeThreads per row m of x [M, K]; xq rows are `ldq` long, zero past K.
template <typename Level>
__global__ void quantizeRowsKernel(const float *x, int64_t K, int64_t ldq, int32_t qmax,
                                   bool isStatic, float staticScale, Level *xq, float *scales,
                                   uint8_t *finite) {
  const int64_t m = blockIdx.x;
  const float *row = x + m * K;
  float maxAbs = 0.0f;
  int bad = 0;
  for (int64_t k = threadIdx.x; k < K; k += blockDim.x) {
    const float v = row[k];
    bad |= !isfinite(v);
    maxAbs = fmaxf(maxAbs, fabsf(v));
  }
  __shared__ float warpMax[32];
  __shared__ int warpBad[32];
  for (int offset = 16; offset > 0; offset /= 2) {
    maxAbs = fmaxf(maxAbs, __shfl_xor_sync(0xffffffffu, maxAbs, offset));
    bad |= __shfl_xor_sync(0xffffffffu, bad, offset);
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
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
  // symmetricScale (Quantization.h): clip / qmax in IEEE float32, 0 gives 1.
  float s = isStatic ? staticScale : __fdiv_rn(warpMax[0], static_cast<float>(qmax));
  if (s == 0.0f)
    s = 1.0f;
  if (threadIdx.x == 0) {
    scales[m] = s;
    finite[m] = bad ? 0 : 1;
  }
  const float limit = static_cast<float>(qmax);
  Level *out = xq + m * ldq;
  for (int64_t k = threadIdx.x; k < ldq; k += blockDim.x) {
    Level q = 0;
    if (!bad && k < K)
      q = static_cast<Level>(fminf(fmaxf(rintf(__fdiv_rn(row[k], s)), -limit), limit));
    out[k] = q;
  }
}

} // namespace cimlir::cuda
